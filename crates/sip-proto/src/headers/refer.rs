//! Transfer headers: Refer-To (RFC 3515 section 2.1), Referred-By (RFC 3892
//! section 3) and Replaces (RFC 3891 section 6.1).

use std::borrow::Cow;
use std::fmt;

use super::{HeaderError, HeaderErrorKind, NameAddr, Params, TypedHeader, complete, params};
use crate::grammar::{is_word_char, sws, unescape};
use crate::name::HeaderName;
use crate::uri::Uri;

/// `Refer-To` (RFC 3515 section 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReferTo<'a>(pub NameAddr<'a>);

impl<'a> ReferTo<'a> {
    /// The `Replaces` header embedded in the target URI (attended transfer,
    /// RFC 3891 section 5), unescaped. Parse it with [`Replaces::parse`].
    pub fn replaces(&self) -> Option<Cow<'a, str>> {
        let Uri::Sip(u) = self.0.uri else { return None };
        let raw = u.header("Replaces")?;
        match unescape(raw) {
            Cow::Borrowed(b) => std::str::from_utf8(b).ok().map(Cow::Borrowed),
            Cow::Owned(v) => String::from_utf8(v).ok().map(Cow::Owned),
        }
    }
}

impl<'a> TypedHeader<'a> for ReferTo<'a> {
    const NAME: HeaderName = HeaderName::ReferTo;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        NameAddr::parse(value).map(ReferTo)
    }
}

impl fmt::Display for ReferTo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `Referred-By` (RFC 3892 section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReferredBy<'a>(pub NameAddr<'a>);

impl<'a> TypedHeader<'a> for ReferredBy<'a> {
    const NAME: HeaderName = HeaderName::ReferredBy;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        NameAddr::parse(value).map(ReferredBy)
    }
}

impl fmt::Display for ReferredBy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `Replaces: callid;to-tag=..;from-tag=..[;early-only]` (RFC 3891 section 6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Replaces<'a> {
    /// The Call-ID of the dialog to replace.
    pub call_id: &'a str,
    /// The dialog's to-tag.
    pub to_tag: &'a str,
    /// The dialog's from-tag.
    pub from_tag: &'a str,
    /// `early-only` present.
    pub early_only: bool,
    /// All parameters.
    pub params: Params<'a>,
}

impl<'a> TypedHeader<'a> for Replaces<'a> {
    const NAME: HeaderName = HeaderName::Replaces;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let (call_id, params) = complete(value, "callid", |i| {
            let (i, _) = sws(i)?;
            let (i, c) = nom::Parser::parse(
                &mut nom::bytes::complete::take_while1(|c: char| is_word_char(c) || c == '@'),
                i,
            )?;
            let (i, p) = params(i)?;
            Ok((i, (c, p)))
        })?;
        let missing = |p| HeaderError::new(HeaderErrorKind::Expected(p), value.len());
        Ok(Replaces {
            call_id,
            to_tag: params.get("to-tag").flatten().ok_or(missing("to-tag"))?,
            from_tag: params
                .get("from-tag")
                .flatten()
                .ok_or(missing("from-tag"))?,
            early_only: params.has("early-only"),
            params,
        })
    }
}

impl fmt::Display for Replaces<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.call_id, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refer_to_with_embedded_replaces() {
        // RFC 3891 section 7.2 style attended transfer target.
        let r = ReferTo::parse("<sips:dave@chicago.example.com?Replaces=425928%40bobster.example.org%3Bto-tag%3D7743%3Bfrom-tag%3D6472>").unwrap();
        let text = r.replaces().unwrap();
        let rep = Replaces::parse(&text).unwrap();
        assert_eq!(rep.call_id, "425928@bobster.example.org");
        assert_eq!(
            (rep.to_tag, rep.from_tag, rep.early_only),
            ("7743", "6472", false)
        );
        assert!(
            ReferTo::parse("sip:carol@example.com")
                .unwrap()
                .replaces()
                .is_none()
        );
    }

    #[test]
    fn replaces_requires_both_tags() {
        let r =
            Replaces::parse("98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff;early-only")
                .unwrap();
        assert!(r.early_only);
        assert!(Replaces::parse("98732@sip.example.com;from-tag=r33th4x0r").is_err());
        let b = ReferredBy::parse(
            "<sip:referrer@referrer.example>;cid=\"20398823.2UWQFN309shb3@referrer.example\"",
        )
        .unwrap();
        assert!(b.0.params.has("cid"));
    }
}
