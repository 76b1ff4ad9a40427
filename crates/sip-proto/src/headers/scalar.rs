//! Headers whose value is a number or a simple word: CSeq (RFC 3261 20.16),
//! Call-ID (20.8), Max-Forwards (20.22), Content-Length (20.14), Expires
//! (20.19), Min-Expires (20.23), Timestamp (20.38), RSeq and RAck (RFC 3262
//! sections 7.1 and 7.2).

use std::fmt;

use super::{HeaderError, HeaderErrorKind, TypedHeader};
use crate::grammar::{TOKEN, WORD, is_lws, run};
use crate::method::Method;
use crate::name::HeaderName;

/// Trims LWS from both ends, returning the offset of what is left.
#[inline]
pub(crate) fn trim_lws(value: &str) -> (usize, &str) {
    let b = value.as_bytes();
    let start = super::skip_lws(b, 0);
    let mut end = b.len();
    while end > start && matches!(b[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
        end -= 1;
    }
    (start, &value[start..end])
}

/// Parses a whole value as a 32-bit number, naming overflow apart from junk.
pub(crate) fn number(value: &str) -> Result<u32, HeaderError> {
    let (lead, v) = trim_lws(value);
    if v.is_empty() {
        return Err(HeaderError::new(HeaderErrorKind::Empty, 0));
    }
    let mut n: u64 = 0;
    for (k, b) in v.bytes().enumerate() {
        if !b.is_ascii_digit() {
            return Err(HeaderError::new(HeaderErrorKind::InvalidNumber, lead + k));
        }
        // Saturate: RFC 4475 3.1.2.4 has numbers far beyond 64 bits.
        n = (n * 10 + u64::from(b - b'0')).min(u64::from(u32::MAX) + 1);
    }
    u32::try_from(n).map_err(|_| HeaderError::new(HeaderErrorKind::NumberTooLarge, lead))
}

macro_rules! number_header {
    ($(#[$doc:meta])* $ty:ident, $name:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(pub u32);

        impl TypedHeader<'_> for $ty {
            const NAME: HeaderName = $name;
            fn parse(value: &str) -> Result<Self, HeaderError> {
                number(value).map($ty)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

number_header!(
    /// `Max-Forwards` (RFC 3261 section 20.22).
    MaxForwards, HeaderName::MaxForwards);
number_header!(
    /// `Content-Length` in octets (RFC 3261 section 20.14).
    ContentLength, HeaderName::ContentLength);
number_header!(
    /// `Expires` in seconds (RFC 3261 section 20.19).
    Expires, HeaderName::Expires);
number_header!(
    /// `Min-Expires` in seconds (RFC 3261 section 20.23).
    MinExpires, HeaderName::MinExpires);
number_header!(
    /// `RSeq` (RFC 3262 section 7.1).
    RSeq, HeaderName::RSeq);

/// `CSeq: 4711 INVITE` (RFC 3261 section 20.16).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CSeq {
    /// The sequence number (below 2**31 when we choose it, below 2**32 on receipt).
    pub seq: u32,
    /// The method.
    pub method: Method,
}

/// Splits `value` into a number and a method token, the shape of CSeq and
/// the tail of RAck. Returns the end of the method.
fn num_method(value: &str, base: usize) -> Result<(u32, Method, usize), HeaderError> {
    let b = value.as_bytes();
    let start = super::skip_lws(b, 0);
    let digits_end = start
        + b[start..]
            .iter()
            .position(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
            .unwrap_or(b.len() - start);
    let seq = number(&value[start..digits_end])
        .map_err(|e| HeaderError::new(e.kind, base + start + e.offset))?;
    let m_at = super::skip_lws(b, digits_end);
    let m_len = run(&b[m_at..], TOKEN);
    if m_len == 0 {
        let kind = if m_at == b.len() {
            HeaderErrorKind::Expected("method")
        } else {
            HeaderErrorKind::InvalidToken
        };
        return Err(HeaderError::new(kind, base + m_at));
    }
    Ok((
        seq,
        Method::from_token(&value[m_at..m_at + m_len]),
        m_at + m_len,
    ))
}

impl TypedHeader<'_> for CSeq {
    const NAME: HeaderName = HeaderName::CSeq;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        let (seq, method, end) = num_method(value, 0)?;
        if super::skip_lws(value.as_bytes(), end) != value.len() {
            return Err(HeaderError::new(HeaderErrorKind::Trailing, end));
        }
        Ok(CSeq { seq, method })
    }
}

impl fmt::Display for CSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

/// `RAck: 776656 1 INVITE` (RFC 3262 section 7.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RAck {
    /// The RSeq of the reliable provisional response.
    pub rseq: u32,
    /// The CSeq number of the request it answered.
    pub cseq: u32,
    /// The CSeq method.
    pub method: Method,
}

impl TypedHeader<'_> for RAck {
    const NAME: HeaderName = HeaderName::RAck;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        let v = value.trim_start_matches(is_lws);
        let lead = value.len() - v.len();
        let end = v.find(is_lws).unwrap_or(v.len());
        let rseq = number(&v[..end]).map_err(|e| HeaderError::new(e.kind, lead + e.offset))?;
        let (cseq, method, tail) = num_method(&v[end..], lead + end)?;
        if !v[end + tail..].trim_matches(is_lws).is_empty() {
            return Err(HeaderError::new(
                HeaderErrorKind::Trailing,
                lead + end + tail,
            ));
        }
        Ok(RAck { rseq, cseq, method })
    }
}

impl fmt::Display for RAck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.rseq, self.cseq, self.method)
    }
}

/// `Call-ID` = `word [ "@" word ]` (RFC 3261 section 20.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId<'a>(pub &'a str);

impl<'a> TypedHeader<'a> for CallId<'a> {
    const NAME: HeaderName = HeaderName::CallId;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let (lead, v) = trim_lws(value);
        if v.is_empty() {
            return Err(HeaderError::new(HeaderErrorKind::Empty, 0));
        }
        let b = v.as_bytes();
        let first = run(b, WORD);
        let mut end = first;
        if b.get(first) == Some(&b'@') {
            end = first + 1 + run(&b[first + 1..], WORD);
            if end == first + 1 {
                return Err(HeaderError::new(
                    HeaderErrorKind::Expected("word after @"),
                    lead + end,
                ));
            }
        }
        if first == 0 || end != b.len() {
            return Err(HeaderError::new(
                HeaderErrorKind::InvalidToken,
                lead + if first == 0 { 0 } else { end },
            ));
        }
        Ok(CallId(v))
    }
}

impl fmt::Display for CallId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// `Timestamp: 54 0.5` (RFC 3261 section 20.38), numbers kept as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp<'a> {
    /// The timestamp.
    pub value: &'a str,
    /// The optional delay.
    pub delay: Option<&'a str>,
}

fn decimal(s: &str) -> bool {
    let (a, b) = s.split_once('.').unwrap_or((s, ""));
    !(a.is_empty() && b.is_empty())
        && a.bytes().all(|c| c.is_ascii_digit())
        && b.bytes().all(|c| c.is_ascii_digit())
}

impl<'a> TypedHeader<'a> for Timestamp<'a> {
    const NAME: HeaderName = HeaderName::Timestamp;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let mut parts = value.split(is_lws).filter(|p| !p.is_empty());
        let v = parts
            .next()
            .ok_or(HeaderError::new(HeaderErrorKind::Empty, 0))?;
        let delay = parts.next();
        if !decimal(v) || delay.is_some_and(|d| !decimal(d)) || parts.next().is_some() {
            return Err(HeaderError::new(HeaderErrorKind::InvalidNumber, 0));
        }
        Ok(Timestamp { value: v, delay })
    }
}

impl fmt::Display for Timestamp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.value)?;
        if let Some(d) = self.delay {
            write!(f, " {d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cseq_folded_with_leading_zeros() {
        let c = CSeq::parse("0009\r\n  INVITE").unwrap();
        assert_eq!(
            c,
            CSeq {
                seq: 9,
                method: Method::Invite
            }
        );
        assert_eq!(c.to_string(), "9 INVITE");
    }

    #[test]
    fn cseq_overlarge_is_rejected() {
        // RFC 4475 3.1.2.4
        let e = CSeq::parse("36893488147419103232 REGISTER").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::NumberTooLarge);
        assert_eq!(CSeq::parse("4294967295 ACK").unwrap().seq, u32::MAX);
        assert!(CSeq::parse("1").is_err());
        assert!(CSeq::parse("-1 INVITE").is_err());
        assert!(CSeq::parse("1 INVITE x").is_err());
    }

    #[test]
    fn rack_and_numbers() {
        let r = RAck::parse("776656 1 INVITE").unwrap();
        assert_eq!(
            (r.rseq, r.cseq, r.method.clone()),
            (776656, 1, Method::Invite)
        );
        assert_eq!(r.to_string(), "776656 1 INVITE");
        assert_eq!(MaxForwards::parse(" 0068 ").unwrap(), MaxForwards(68));
        assert_eq!(
            ContentLength::parse("-999").unwrap_err().kind,
            HeaderErrorKind::InvalidNumber
        );
        assert_eq!(
            Expires::parse("10000000000000000000").unwrap_err().kind,
            HeaderErrorKind::NumberTooLarge
        );
    }

    #[test]
    fn call_id_and_timestamp() {
        assert_eq!(
            CallId::parse(" wsinv.ndaksdj@192.0.2.1 ").unwrap().0,
            "wsinv.ndaksdj@192.0.2.1"
        );
        assert!(CallId::parse("a b").is_err());
        assert!(CallId::parse("").is_err());
        let t = Timestamp::parse("54.2 0.5").unwrap();
        assert_eq!((t.value, t.delay), ("54.2", Some("0.5")));
        assert!(Timestamp::parse("x").is_err());
    }
}
