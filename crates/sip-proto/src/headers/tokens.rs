//! Token-valued headers: Allow (RFC 3261 20.5), Supported (20.37), Require
//! (20.32), Unsupported (20.40), Proxy-Require (20.29), Privacy (RFC 3323
//! section 4.2), Content-Type (20.15), Accept (20.1), User-Agent (20.41)
//! and Server (20.35).

use std::fmt;

use nom::{Parser, sequence::separated_pair};

use super::{
    HeaderError, HeaderErrorKind, PResult, Params, TypedHeader, complete, params, text_value,
};
use crate::grammar::{is_lws, is_token_char, sep, token};
use crate::method::Method;
use crate::name::HeaderName;

fn single_token(value: &str) -> Result<&str, HeaderError> {
    let lead = value.len() - value.trim_start_matches(is_lws).len();
    let v = value.trim_matches(is_lws);
    if v.is_empty() {
        return Err(HeaderError::new(HeaderErrorKind::EmptyListElement, 0));
    }
    match v.find(|c: char| !is_token_char(c)) {
        Some(bad) => Err(HeaderError::new(HeaderErrorKind::InvalidToken, lead + bad)),
        None => Ok(v),
    }
}

macro_rules! token_header {
    ($(#[$doc:meta])* $ty:ident, $name:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty<'a>(pub &'a str);

        impl<'a> TypedHeader<'a> for $ty<'a> {
            const NAME: HeaderName = $name;
            fn parse(value: &'a str) -> Result<Self, HeaderError> {
                single_token(value).map($ty)
            }
        }

        impl fmt::Display for $ty<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }
    };
}

token_header!(
    /// One option tag of `Supported` (RFC 3261 section 20.37).
    Supported, HeaderName::Supported);
token_header!(
    /// One option tag of `Require` (RFC 3261 section 20.32).
    Require, HeaderName::Require);
token_header!(
    /// One option tag of `Unsupported` (RFC 3261 section 20.40).
    Unsupported, HeaderName::Unsupported);
token_header!(
    /// One option tag of `Proxy-Require` (RFC 3261 section 20.29).
    ProxyRequire, HeaderName::ProxyRequire);

/// One method of `Allow` (RFC 3261 section 20.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Allow(pub Method);

impl TypedHeader<'_> for Allow {
    const NAME: HeaderName = HeaderName::Allow;
    fn parse(value: &str) -> Result<Self, HeaderError> {
        single_token(value).map(|t| Allow(Method::from_token(t)))
    }
}

impl fmt::Display for Allow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `Privacy: id;header` (RFC 3323 section 4.2): values separated by `;`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Privacy<'a>(&'a str);

impl<'a> Privacy<'a> {
    /// Each priv-value (`header`, `session`, `user`, `none`, `critical`, `id`, ...).
    pub fn values(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.0.split(';').map(|v| v.trim_matches(is_lws))
    }

    /// Whether `value` is requested (case-insensitive).
    pub fn has(&self, value: &str) -> bool {
        self.values().any(|v| v.eq_ignore_ascii_case(value))
    }
}

impl<'a> TypedHeader<'a> for Privacy<'a> {
    const NAME: HeaderName = HeaderName::Privacy;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let mut at = 0;
        for v in value.split(';') {
            single_token(v).map_err(|e| HeaderError::new(e.kind, at + e.offset))?;
            at += v.len() + 1;
        }
        Ok(Privacy(value.trim_matches(is_lws)))
    }
}

impl fmt::Display for Privacy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, v) in self.values().enumerate() {
            if k > 0 {
                f.write_str(";")?;
            }
            f.write_str(v)?;
        }
        Ok(())
    }
}

/// `type/subtype;params` (RFC 3261 section 20.15, RFC 2045 section 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MediaType<'a> {
    /// The top-level type (`application`), or `*` in Accept.
    pub mtype: &'a str,
    /// The subtype (`sdp`), or `*` in Accept.
    pub subtype: &'a str,
    /// Parameters such as `charset` or `boundary`.
    pub params: Params<'a>,
}

impl MediaType<'_> {
    /// Whether this is `mtype/subtype`, case-insensitively; `*` in this
    /// value matches anything (RFC 3261 section 20.1).
    pub fn matches(&self, mtype: &str, subtype: &str) -> bool {
        (self.mtype == "*" || self.mtype.eq_ignore_ascii_case(mtype))
            && (self.subtype == "*" || self.subtype.eq_ignore_ascii_case(subtype))
    }

    fn parse_value(value: &str) -> Result<MediaType<'_>, HeaderError> {
        let p = |i| -> PResult<'_, _> {
            let (i, _) = crate::grammar::sws(i)?;
            let (i, (t, s)) = separated_pair(token, sep('/'), token).parse(i)?;
            let (i, ps) = params(i)?;
            Ok((i, (t, s, ps)))
        };
        let (mtype, subtype, params) = complete(value, "type/subtype", p)?;
        Ok(MediaType {
            mtype,
            subtype,
            params,
        })
    }
}

impl fmt::Display for MediaType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}{}", self.mtype, self.subtype, self.params)
    }
}

/// `Content-Type` (RFC 3261 section 20.15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentType<'a>(pub MediaType<'a>);

impl<'a> TypedHeader<'a> for ContentType<'a> {
    const NAME: HeaderName = HeaderName::ContentType;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        MediaType::parse_value(value).map(ContentType)
    }
}

impl fmt::Display for ContentType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One media range of `Accept` (RFC 3261 section 20.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Accept<'a>(pub MediaType<'a>);

impl<'a> TypedHeader<'a> for Accept<'a> {
    const NAME: HeaderName = HeaderName::Accept;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        MediaType::parse_value(value).map(Accept)
    }
}

impl fmt::Display for Accept<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

macro_rules! text_header {
    ($(#[$doc:meta])* $ty:ident, $name:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $ty<'a>(pub &'a str);

        impl<'a> TypedHeader<'a> for $ty<'a> {
            const NAME: HeaderName = $name;
            fn parse(value: &'a str) -> Result<Self, HeaderError> {
                let v = text_value(value);
                if v.is_empty() {
                    return Err(HeaderError::new(HeaderErrorKind::Empty, 0));
                }
                Ok($ty(v))
            }
        }

        impl fmt::Display for $ty<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }
    };
}

text_header!(
    /// `User-Agent`: products and comments, kept as text (RFC 3261 section 20.41).
    UserAgent, HeaderName::UserAgent);
text_header!(
    /// `Server`: products and comments, kept as text (RFC 3261 section 20.35).
    Server, HeaderName::Server);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_and_accept() {
        let c = ContentType::parse("multipart/signed;\r\n protocol=\"application/pkcs7-signature\"; micalg=sha1; boundary=boundary42").unwrap();
        assert!(c.0.matches("MULTIPART", "signed"));
        assert_eq!(c.0.params.get("boundary"), Some(Some("boundary42")));
        assert_eq!(
            c.0.params.get("protocol"),
            Some(Some("application/pkcs7-signature"))
        );
        let a = Accept::parse("text/*;q=0.5").unwrap();
        assert!(a.0.matches("text", "plain"));
        assert!(!a.0.matches("application", "sdp"));
        assert!(ContentType::parse("application").is_err());
    }

    #[test]
    fn tokens_and_privacy() {
        assert_eq!(Supported::parse(" timer ").unwrap().0, "timer");
        assert!(Require::parse("a b").is_err());
        assert_eq!(Allow::parse("INVITE").unwrap().0, Method::Invite);
        let p = Privacy::parse("id; header").unwrap();
        assert!(p.has("ID") && p.has("header") && !p.has("user"));
        assert_eq!(p.to_string(), "id;header");
        assert_eq!(
            UserAgent::parse(" Softphone/1.0 (x) ").unwrap().0,
            "Softphone/1.0 (x)"
        );
    }
}
