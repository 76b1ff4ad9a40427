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
    // A match on byte strings compiles to a switch on the length and a few
    // comparisons; the test below checks it against the canonical names.
    fn lookup_lower(lower: &[u8]) -> Option<HeaderName> {
        Some(match lower {
            b"accept" => HeaderName::Accept,
            b"accept-contact" => HeaderName::AcceptContact,
            b"accept-encoding" => HeaderName::AcceptEncoding,
            b"accept-language" => HeaderName::AcceptLanguage,
            b"alert-info" => HeaderName::AlertInfo,
            b"allow" => HeaderName::Allow,
            b"allow-events" => HeaderName::AllowEvents,
            b"authentication-info" => HeaderName::AuthenticationInfo,
            b"authorization" => HeaderName::Authorization,
            b"call-id" => HeaderName::CallId,
            b"call-info" => HeaderName::CallInfo,
            b"contact" => HeaderName::Contact,
            b"content-disposition" => HeaderName::ContentDisposition,
            b"content-encoding" => HeaderName::ContentEncoding,
            b"content-language" => HeaderName::ContentLanguage,
            b"content-length" => HeaderName::ContentLength,
            b"content-type" => HeaderName::ContentType,
            b"cseq" => HeaderName::CSeq,
            b"date" => HeaderName::Date,
            b"diversion" => HeaderName::Diversion,
            b"error-info" => HeaderName::ErrorInfo,
            b"event" => HeaderName::Event,
            b"expires" => HeaderName::Expires,
            b"from" => HeaderName::From,
            b"history-info" => HeaderName::HistoryInfo,
            b"identity" => HeaderName::Identity,
            b"in-reply-to" => HeaderName::InReplyTo,
            b"max-forwards" => HeaderName::MaxForwards,
            b"mime-version" => HeaderName::MimeVersion,
            b"min-expires" => HeaderName::MinExpires,
            b"min-se" => HeaderName::MinSe,
            b"organization" => HeaderName::Organization,
            b"p-asserted-identity" => HeaderName::PAssertedIdentity,
            b"p-preferred-identity" => HeaderName::PPreferredIdentity,
            b"path" => HeaderName::Path,
            b"priority" => HeaderName::Priority,
            b"privacy" => HeaderName::Privacy,
            b"proxy-authenticate" => HeaderName::ProxyAuthenticate,
            b"proxy-authorization" => HeaderName::ProxyAuthorization,
            b"proxy-require" => HeaderName::ProxyRequire,
            b"rack" => HeaderName::RAck,
            b"reason" => HeaderName::Reason,
            b"record-route" => HeaderName::RecordRoute,
            b"refer-sub" => HeaderName::ReferSub,
            b"refer-to" => HeaderName::ReferTo,
            b"referred-by" => HeaderName::ReferredBy,
            b"reject-contact" => HeaderName::RejectContact,
            b"replaces" => HeaderName::Replaces,
            b"reply-to" => HeaderName::ReplyTo,
            b"request-disposition" => HeaderName::RequestDisposition,
            b"require" => HeaderName::Require,
            b"retry-after" => HeaderName::RetryAfter,
            b"route" => HeaderName::Route,
            b"rseq" => HeaderName::RSeq,
            b"server" => HeaderName::Server,
            b"service-route" => HeaderName::ServiceRoute,
            b"session-expires" => HeaderName::SessionExpires,
            b"subject" => HeaderName::Subject,
            b"subscription-state" => HeaderName::SubscriptionState,
            b"supported" => HeaderName::Supported,
            b"timestamp" => HeaderName::Timestamp,
            b"to" => HeaderName::To,
            b"unsupported" => HeaderName::Unsupported,
            b"user-agent" => HeaderName::UserAgent,
            b"via" => HeaderName::Via,
            b"warning" => HeaderName::Warning,
            b"www-authenticate" => HeaderName::WwwAuthenticate,
            _ => return None,
        })
    }

    /// Looks a header name up, case-insensitively, long or compact form.
    pub fn from_name(name: &[u8]) -> Option<HeaderName> {
        if name.len() == 1 {
            return Self::from_compact(name[0].to_ascii_lowercase());
        }
        let mut buf = [0u8; 24];
        if name.len() > buf.len() {
            return None;
        }
        let lower = &mut buf[..name.len()];
        for (d, s) in lower.iter_mut().zip(name) {
            *d = s.to_ascii_lowercase();
        }
        Self::lookup_lower(lower)
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
