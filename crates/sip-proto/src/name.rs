//! Header field names: canonical spelling, compact forms (RFC 3261 section
//! 7.3.3 and the extensions that define one) and which headers are
//! comma-separated lists (RFC 3261 section 7.3.1).

use std::fmt;

use crate::grammar::load_partial;

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

/// Longest canonical name (`P-Preferred-Identity`).
pub(crate) const MAX_NAME: usize = 20;

/// A canonical name as words to compare a name's [`words`] with:
/// `words | mask == value` holds exactly for the names that equal it
/// ignoring ASCII case. `mask` has bit 5 of each letter (the case bit) and
/// nothing at `-` or the padding, which must match exactly.
const fn pattern(name: &[u8]) -> ([u64; 3], [u64; 3]) {
    let (mut mask, mut value) = ([0u64; 3], [0u64; 3]);
    let mut k = 0;
    while k < name.len() {
        let c = name[k];
        let shift = 8 * (k % 8);
        if c.is_ascii_alphabetic() {
            mask[k / 8] |= 0x20 << shift;
        }
        value[k / 8] |= (c.to_ascii_lowercase() as u64) << shift;
        k += 1;
    }
    (mask, value)
}

/// A name of at most [`MAX_NAME`] bytes as three little-endian words,
/// zero padded.
#[inline]
pub(crate) fn words(name: &[u8]) -> [u64; 3] {
    let n = name.len();
    let w0 = load_partial(&name[..n.min(8)]);
    let w1 = if n > 8 {
        load_partial(&name[8..n.min(16)])
    } else {
        0
    };
    let w2 = if n > 16 { load_partial(&name[16..]) } else { 0 };
    [w0, w1, w2]
}

/// A known name: its [`pattern`], its length and the name.
type Entry = ([u64; 3], [u64; 3], usize, HeaderName);

/// The multiplier of [`slot`]: with it no two known names share a slot
/// (checked when the table is built, at compile time).
const SLOT_MUL: u64 = 0xe9db_a4c3_9030_0951;

/// Bit 5 of every byte: letters folded to lower case (and other bytes
/// changed too, which only moves them to another slot).
const FOLD: u64 = 0x2020_2020_2020_2020;

/// The slot of [`SLOTS`] where a name of `len` bytes whose [`words`] are
/// `w` would be: a multiplicative hash of its first two words with the
/// case bits set, and its length.
#[inline(always)]
const fn slot(len: usize, w: &[u64; 3]) -> usize {
    let key = (w[0] | FOLD) ^ ((w[1] | FOLD) << 1) ^ len as u64;
    (key.wrapping_mul(SLOT_MUL) >> 56) as usize
}

/// The known names in a perfect hash table: `SLOTS.0[slot(..)]` is one
/// more than the index in `SLOTS.1` of the only name that can be there,
/// or 0.
static SLOTS: ([u8; 256], [Entry; HeaderName::ALL.len()]) = {
    let all = HeaderName::ALL;
    let mut slots = [0u8; 256];
    let mut entries = [([0u64; 3], [0u64; 3], 0, HeaderName::Accept); HeaderName::ALL.len()];
    let mut i = 0;
    while i < all.len() {
        let name = all[i].as_str().as_bytes();
        assert!(
            name.len() <= MAX_NAME,
            "a canonical name is longer than MAX_NAME"
        );
        let (mask, value) = pattern(name);
        // The words of the name as written in lower case.
        let k = slot(name.len(), &value);
        assert!(
            slots[k] == 0,
            "two known names share a slot: change SLOT_MUL"
        );
        slots[k] = (i + 1) as u8;
        entries[i] = (mask, value, name.len(), all[i]);
        i += 1;
    }
    (slots, entries)
};

impl HeaderName {
    /// A long name (two bytes or more): its length selects the few names
    /// to compare, each compared as three words.
    fn lookup(name: &[u8]) -> Option<HeaderName> {
        if name.len() > MAX_NAME {
            return None;
        }
        Self::from_words(name.len(), words(name))
    }

    /// The known name `len` bytes long (at most [`MAX_NAME`]) whose bytes,
    /// as three little-endian words zero padded, are `w`. Known names hold
    /// only letters and `-`, so a match also proves the name a token. One
    /// candidate from the hash table, compared as three words.
    #[inline]
    pub(crate) fn from_words(len: usize, w: [u64; 3]) -> Option<HeaderName> {
        let (slots, entries) = &SLOTS;
        let i = usize::from(slots[slot(len, &w)]).checked_sub(1)?;
        let (m, v, n, h) = &entries[i];
        (*n == len && (w[0] | m[0]) == v[0] && (w[1] | m[1]) == v[1] && (w[2] | m[2]) == v[2])
            .then_some(*h)
    }

    /// Looks a header name up, case-insensitively, long or compact form.
    pub fn from_name(name: &[u8]) -> Option<HeaderName> {
        if name.len() == 1 {
            return Self::from_compact(name[0].to_ascii_lowercase());
        }
        Self::lookup(name)
    }

    pub(crate) fn from_compact(c: u8) -> Option<HeaderName> {
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
        // Case folding is exact: CR is not '-', '@' is not '`'.
        assert_eq!(HeaderName::from_name(b"Call\rID"), None);
        assert_eq!(HeaderName::from_name(b"CALL-ID"), Some(HeaderName::CallId));
        assert_eq!(HeaderName::from_name(b"Call-I\x04"), None);
        assert_eq!(HeaderName::from_name(b"Via\0"), None);
    }

    /// The word lookup against a plain case-insensitive comparison.
    fn reference(name: &[u8]) -> Option<HeaderName> {
        if name.len() == 1 {
            return HeaderName::from_compact(name[0].to_ascii_lowercase());
        }
        HeaderName::ALL
            .iter()
            .copied()
            .find(|h| h.as_str().as_bytes().eq_ignore_ascii_case(name))
    }

    proptest::proptest! {
        #[test]
        fn lookup_matches_reference(
            pick in 0usize..HeaderName::ALL.len(),
            flips in proptest::collection::vec(proptest::prelude::any::<(u8, u8)>(), 0..4),
            raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..24),
        ) {
            // A known name with some bytes changed, and arbitrary bytes.
            let mut name = HeaderName::ALL[pick].as_str().as_bytes().to_vec();
            for (at, to) in flips {
                let k = usize::from(at) % name.len();
                name[k] = match to % 4 { 0 => name[k] ^ 0x20, 1 => name[k] ^ 0x40, 2 => b'\r', _ => to };
            }
            proptest::prop_assert_eq!(HeaderName::from_name(&name), reference(&name));
            proptest::prop_assert_eq!(HeaderName::from_name(&raw), reference(&raw));
        }
    }
}
