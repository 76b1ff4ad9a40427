//! Header field names: canonical spelling, compact forms (RFC 3261 section
//! 7.3.3 and the extensions that define one) and which headers are
//! comma-separated lists (RFC 3261 section 7.3.1).

use std::fmt;

macro_rules! header_names {
    ($( $variant:ident => $canon:literal $(, compact $compact:literal)? $(| $list:ident)? ; )*) => {
        /// A header field name known to this crate. Unknown headers are kept
        /// verbatim in the message and found by their text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum HeaderName {
            $(
                #[doc = concat!("`", $canon, "`")]
                $variant,
            )*
        }

        impl HeaderName {
            /// Every known name.
            pub const ALL: &'static [HeaderName] = &[$(HeaderName::$variant),*];

            /// The canonical (long) spelling.
            pub const fn as_str(self) -> &'static str {
                match self { $(HeaderName::$variant => $canon,)* }
            }

            /// The compact form, if the header has one.
            pub const fn compact(self) -> Option<char> {
                match self {
                    $( $(HeaderName::$variant => Some($compact),)? )*
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }

            /// Whether several values may be folded into one header line
            /// separated by commas (RFC 3261 section 7.3.1).
            pub const fn is_list(self) -> bool {
                match self {
                    $( $(HeaderName::$variant => { let _ = stringify!($list); true })? )*
                    #[allow(unreachable_patterns)]
                    _ => false,
                }
            }

        }
    };
}

header_names! {
    Accept => "Accept" | list;
    AcceptContact => "Accept-Contact", compact 'a' | list;
    AcceptEncoding => "Accept-Encoding" | list;
    AcceptLanguage => "Accept-Language" | list;
    AlertInfo => "Alert-Info" | list;
    Allow => "Allow" | list;
    AllowEvents => "Allow-Events", compact 'u' | list;
    AuthenticationInfo => "Authentication-Info";
    Authorization => "Authorization";
    CallId => "Call-ID", compact 'i';
    CallInfo => "Call-Info" | list;
    Contact => "Contact", compact 'm' | list;
    ContentDisposition => "Content-Disposition";
    ContentEncoding => "Content-Encoding", compact 'e' | list;
    ContentLanguage => "Content-Language" | list;
    ContentLength => "Content-Length", compact 'l';
    ContentType => "Content-Type", compact 'c';
    CSeq => "CSeq";
    Date => "Date";
    Diversion => "Diversion" | list;
    ErrorInfo => "Error-Info" | list;
    Event => "Event", compact 'o';
    Expires => "Expires";
    From => "From", compact 'f';
    HistoryInfo => "History-Info" | list;
    Identity => "Identity", compact 'y';
    InReplyTo => "In-Reply-To" | list;
    MaxForwards => "Max-Forwards";
    MimeVersion => "MIME-Version";
    MinExpires => "Min-Expires";
    MinSe => "Min-SE";
    Organization => "Organization";
    PAssertedIdentity => "P-Asserted-Identity" | list;
    PPreferredIdentity => "P-Preferred-Identity" | list;
    Path => "Path" | list;
    Priority => "Priority";
    Privacy => "Privacy";
    ProxyAuthenticate => "Proxy-Authenticate";
    ProxyAuthorization => "Proxy-Authorization";
    ProxyRequire => "Proxy-Require" | list;
    RAck => "RAck";
    Reason => "Reason" | list;
    RecordRoute => "Record-Route" | list;
    ReferSub => "Refer-Sub";
    ReferTo => "Refer-To", compact 'r';
    ReferredBy => "Referred-By", compact 'b';
    RejectContact => "Reject-Contact", compact 'j' | list;
    Replaces => "Replaces";
    ReplyTo => "Reply-To";
    RequestDisposition => "Request-Disposition", compact 'd' | list;
    Require => "Require" | list;
    RetryAfter => "Retry-After";
    Route => "Route" | list;
    RSeq => "RSeq";
    Server => "Server";
    ServiceRoute => "Service-Route" | list;
    SessionExpires => "Session-Expires", compact 'x';
    Subject => "Subject", compact 's';
    SubscriptionState => "Subscription-State";
    Supported => "Supported", compact 'k' | list;
    Timestamp => "Timestamp";
    To => "To", compact 't';
    Unsupported => "Unsupported" | list;
    UserAgent => "User-Agent";
    Via => "Via", compact 'v' | list;
    Warning => "Warning" | list;
    WwwAuthenticate => "WWW-Authenticate";
}

impl HeaderName {
    // A switch on (length, first letter) leaves one or two candidates to
    // compare; the test below checks it against the canonical names.
    fn lookup(name: &[u8]) -> Option<HeaderName> {
        let first = name.first()?.to_ascii_lowercase();
        Some(match (name.len(), first) {
            (2, b't') if name.eq_ignore_ascii_case(b"To") => HeaderName::To,
            (3, b'v') if name.eq_ignore_ascii_case(b"Via") => HeaderName::Via,
            (4, b'c') if name.eq_ignore_ascii_case(b"CSeq") => HeaderName::CSeq,
            (4, b'd') if name.eq_ignore_ascii_case(b"Date") => HeaderName::Date,
            (4, b'f') if name.eq_ignore_ascii_case(b"From") => HeaderName::From,
            (4, b'p') if name.eq_ignore_ascii_case(b"Path") => HeaderName::Path,
            (4, b'r') if name.eq_ignore_ascii_case(b"RAck") => HeaderName::RAck,
            (4, b'r') if name.eq_ignore_ascii_case(b"RSeq") => HeaderName::RSeq,
            (5, b'a') if name.eq_ignore_ascii_case(b"Allow") => HeaderName::Allow,
            (5, b'e') if name.eq_ignore_ascii_case(b"Event") => HeaderName::Event,
            (5, b'r') if name.eq_ignore_ascii_case(b"Route") => HeaderName::Route,
            (6, b'a') if name.eq_ignore_ascii_case(b"Accept") => HeaderName::Accept,
            (6, b'm') if name.eq_ignore_ascii_case(b"Min-SE") => HeaderName::MinSe,
            (6, b'r') if name.eq_ignore_ascii_case(b"Reason") => HeaderName::Reason,
            (6, b's') if name.eq_ignore_ascii_case(b"Server") => HeaderName::Server,
            (7, b'c') if name.eq_ignore_ascii_case(b"Call-ID") => HeaderName::CallId,
            (7, b'c') if name.eq_ignore_ascii_case(b"Contact") => HeaderName::Contact,
            (7, b'e') if name.eq_ignore_ascii_case(b"Expires") => HeaderName::Expires,
            (7, b'p') if name.eq_ignore_ascii_case(b"Privacy") => HeaderName::Privacy,
            (7, b'r') if name.eq_ignore_ascii_case(b"Require") => HeaderName::Require,
            (7, b's') if name.eq_ignore_ascii_case(b"Subject") => HeaderName::Subject,
            (7, b'w') if name.eq_ignore_ascii_case(b"Warning") => HeaderName::Warning,
            (8, b'i') if name.eq_ignore_ascii_case(b"Identity") => HeaderName::Identity,
            (8, b'p') if name.eq_ignore_ascii_case(b"Priority") => HeaderName::Priority,
            (8, b'r') if name.eq_ignore_ascii_case(b"Refer-To") => HeaderName::ReferTo,
            (8, b'r') if name.eq_ignore_ascii_case(b"Replaces") => HeaderName::Replaces,
            (8, b'r') if name.eq_ignore_ascii_case(b"Reply-To") => HeaderName::ReplyTo,
            (9, b'c') if name.eq_ignore_ascii_case(b"Call-Info") => HeaderName::CallInfo,
            (9, b'd') if name.eq_ignore_ascii_case(b"Diversion") => HeaderName::Diversion,
            (9, b'r') if name.eq_ignore_ascii_case(b"Refer-Sub") => HeaderName::ReferSub,
            (9, b's') if name.eq_ignore_ascii_case(b"Supported") => HeaderName::Supported,
            (9, b't') if name.eq_ignore_ascii_case(b"Timestamp") => HeaderName::Timestamp,
            (10, b'a') if name.eq_ignore_ascii_case(b"Alert-Info") => HeaderName::AlertInfo,
            (10, b'e') if name.eq_ignore_ascii_case(b"Error-Info") => HeaderName::ErrorInfo,
            (10, b'u') if name.eq_ignore_ascii_case(b"User-Agent") => HeaderName::UserAgent,
            (11, b'i') if name.eq_ignore_ascii_case(b"In-Reply-To") => HeaderName::InReplyTo,
            (11, b'm') if name.eq_ignore_ascii_case(b"Min-Expires") => HeaderName::MinExpires,
            (11, b'r') if name.eq_ignore_ascii_case(b"Referred-By") => HeaderName::ReferredBy,
            (11, b'r') if name.eq_ignore_ascii_case(b"Retry-After") => HeaderName::RetryAfter,
            (11, b'u') if name.eq_ignore_ascii_case(b"Unsupported") => HeaderName::Unsupported,
            (12, b'a') if name.eq_ignore_ascii_case(b"Allow-Events") => HeaderName::AllowEvents,
            (12, b'c') if name.eq_ignore_ascii_case(b"Content-Type") => HeaderName::ContentType,
            (12, b'h') if name.eq_ignore_ascii_case(b"History-Info") => HeaderName::HistoryInfo,
            (12, b'm') if name.eq_ignore_ascii_case(b"Max-Forwards") => HeaderName::MaxForwards,
            (12, b'm') if name.eq_ignore_ascii_case(b"MIME-Version") => HeaderName::MimeVersion,
            (12, b'o') if name.eq_ignore_ascii_case(b"Organization") => HeaderName::Organization,
            (12, b'r') if name.eq_ignore_ascii_case(b"Record-Route") => HeaderName::RecordRoute,
            (13, b'a') if name.eq_ignore_ascii_case(b"Authorization") => HeaderName::Authorization,
            (13, b'p') if name.eq_ignore_ascii_case(b"Proxy-Require") => HeaderName::ProxyRequire,
            (13, b's') if name.eq_ignore_ascii_case(b"Service-Route") => HeaderName::ServiceRoute,
            (14, b'a') if name.eq_ignore_ascii_case(b"Accept-Contact") => HeaderName::AcceptContact,
            (14, b'c') if name.eq_ignore_ascii_case(b"Content-Length") => HeaderName::ContentLength,
            (14, b'r') if name.eq_ignore_ascii_case(b"Reject-Contact") => HeaderName::RejectContact,
            (15, b'a') if name.eq_ignore_ascii_case(b"Accept-Encoding") => {
                HeaderName::AcceptEncoding
            }
            (15, b'a') if name.eq_ignore_ascii_case(b"Accept-Language") => {
                HeaderName::AcceptLanguage
            }
            (15, b's') if name.eq_ignore_ascii_case(b"Session-Expires") => {
                HeaderName::SessionExpires
            }
            (16, b'c') if name.eq_ignore_ascii_case(b"Content-Encoding") => {
                HeaderName::ContentEncoding
            }
            (16, b'c') if name.eq_ignore_ascii_case(b"Content-Language") => {
                HeaderName::ContentLanguage
            }
            (16, b'w') if name.eq_ignore_ascii_case(b"WWW-Authenticate") => {
                HeaderName::WwwAuthenticate
            }
            (18, b'p') if name.eq_ignore_ascii_case(b"Proxy-Authenticate") => {
                HeaderName::ProxyAuthenticate
            }
            (18, b's') if name.eq_ignore_ascii_case(b"Subscription-State") => {
                HeaderName::SubscriptionState
            }
            (19, b'a') if name.eq_ignore_ascii_case(b"Authentication-Info") => {
                HeaderName::AuthenticationInfo
            }
            (19, b'c') if name.eq_ignore_ascii_case(b"Content-Disposition") => {
                HeaderName::ContentDisposition
            }
            (19, b'p') if name.eq_ignore_ascii_case(b"P-Asserted-Identity") => {
                HeaderName::PAssertedIdentity
            }
            (19, b'p') if name.eq_ignore_ascii_case(b"Proxy-Authorization") => {
                HeaderName::ProxyAuthorization
            }
            (19, b'r') if name.eq_ignore_ascii_case(b"Request-Disposition") => {
                HeaderName::RequestDisposition
            }
            (20, b'p') if name.eq_ignore_ascii_case(b"P-Preferred-Identity") => {
                HeaderName::PPreferredIdentity
            }
            _ => return None,
        })
    }

    /// Looks a header name up, case-insensitively, long or compact form.
    pub fn from_name(name: &[u8]) -> Option<HeaderName> {
        if name.len() == 1 {
            return Self::from_compact(name[0].to_ascii_lowercase());
        }
        Self::lookup(name)
    }

    fn from_compact(c: u8) -> Option<HeaderName> {
        Some(match c {
            b'a' => HeaderName::AcceptContact,
            b'b' => HeaderName::ReferredBy,
            b'c' => HeaderName::ContentType,
            b'd' => HeaderName::RequestDisposition,
            b'e' => HeaderName::ContentEncoding,
            b'f' => HeaderName::From,
            b'i' => HeaderName::CallId,
            b'j' => HeaderName::RejectContact,
            b'k' => HeaderName::Supported,
            b'l' => HeaderName::ContentLength,
            b'm' => HeaderName::Contact,
            b'o' => HeaderName::Event,
            b'r' => HeaderName::ReferTo,
            b's' => HeaderName::Subject,
            b't' => HeaderName::To,
            b'u' => HeaderName::AllowEvents,
            b'v' => HeaderName::Via,
            b'x' => HeaderName::SessionExpires,
            b'y' => HeaderName::Identity,
            _ => return None,
        })
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_long_and_compact_forms() {
        for &h in HeaderName::ALL {
            assert_eq!(HeaderName::from_name(h.as_str().as_bytes()), Some(h));
            assert_eq!(
                HeaderName::from_name(h.as_str().to_uppercase().as_bytes()),
                Some(h)
            );
            if let Some(c) = h.compact() {
                assert_eq!(HeaderName::from_name(c.to_string().as_bytes()), Some(h));
                assert_eq!(
                    HeaderName::from_name(c.to_ascii_uppercase().to_string().as_bytes()),
                    Some(h)
                );
            }
        }
        assert_eq!(
            HeaderName::from_name(b"MaX-fOrWaRdS"),
            Some(HeaderName::MaxForwards)
        );
        assert_eq!(HeaderName::from_name(b"NewFangledHeader"), None);
        assert_eq!(HeaderName::from_name(b"q"), None);
        assert!(HeaderName::Via.is_list());
        assert!(!HeaderName::WwwAuthenticate.is_list());
    }
}
