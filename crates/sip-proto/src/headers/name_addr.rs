//! `name-addr` / `addr-spec` values with parameters (RFC 3261 sections 20.10,
//! 20.20, 20.39, 20.30, 20.34; RFC 3325 P-Asserted/Preferred-Identity;
//! RFC 3261 20.4/20.9 Alert-Info and Call-Info).

use std::borrow::Cow;
use std::fmt;

use super::{HeaderError, HeaderErrorKind, Params, TypedHeader, params, write_display};
use crate::grammar::{TOKEN, is, is_lws, quoted_string, unquote};
use crate::name::HeaderName;
use crate::uri::Uri;

/// A display name as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisplayName<'a> {
    /// A quoted-string's content, still escaped.
    Quoted(&'a str),
    /// `*(token LWS)`, as written.
    Tokens(&'a str),
}

impl<'a> DisplayName<'a> {
    /// The name as a person reads it: quoted-pairs removed, or tokens joined by one space.
    pub fn text(&self) -> Cow<'a, str> {
        match *self {
            DisplayName::Quoted(q) => unquote(q),
            DisplayName::Tokens(t) => {
                let parts: Vec<&str> = t.split(is_lws).filter(|p| !p.is_empty()).collect();
                if parts.len() == 1 {
                    Cow::Borrowed(parts[0])
                } else {
                    Cow::Owned(parts.join(" "))
                }
            }
        }
    }
}

/// `( name-addr / addr-spec ) *( SEMI param )`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NameAddr<'a> {
    /// The display name, if any.
    pub display: Option<DisplayName<'a>>,
    /// The URI.
    pub uri: Uri<'a>,
    /// Whether the URI was written in `<>`.
    pub bracketed: bool,
    /// Header parameters after the address (tag, expires, q, ...).
    pub params: Params<'a>,
}

impl<'a> NameAddr<'a> {
    /// A bracketed address with no display name or parameters.
    pub fn new(uri: Uri<'a>) -> Self {
        NameAddr {
            display: None,
            uri,
            bracketed: true,
            params: Params::default(),
        }
    }

    /// The `tag` parameter (RFC 3261 section 19.3).
    #[inline]
    pub fn tag(&self) -> Option<&'a str> {
        self.params.get("tag").flatten()
    }

    /// Parses `value` as a name-addr or addr-spec with parameters.
    pub fn parse(value: &'a str) -> Result<Self, HeaderError> {
        Self::parse_with(value, true)
    }

    fn parse_with(value: &'a str, allow_addr_spec: bool) -> Result<Self, HeaderError> {
        let at = |rest: &str| value.len() - rest.len();
        let i = &value[super::skip_lws(value.as_bytes(), 0)..];
        if i.is_empty() {
            return Err(HeaderError::new(HeaderErrorKind::Empty, 0));
        }
        let (display, rest) = if i.starts_with('"') {
            match quoted_string(i) {
                Ok((rest, q)) => {
                    let rest = &rest[super::skip_lws(rest.as_bytes(), 0)..];
                    if !rest.starts_with('<') {
                        return Err(HeaderError::new(HeaderErrorKind::Expected("<"), at(rest)));
                    }
                    (Some(DisplayName::Quoted(q)), rest)
                }
                Err(_) => {
                    return Err(HeaderError::new(HeaderErrorKind::UnterminatedQuote, at(i)));
                }
            }
        } else if let Some(lt) = crate::grammar::find_byte(i.as_bytes(), b'<')
            .filter(|&lt| crate::grammar::find_byte(&i.as_bytes()[..lt], b';').is_none())
        {
            let name = i[..lt].trim_end_matches(is_lws);
            if let Some(bad) = name
                .bytes()
                .position(|c| !(is(c, TOKEN) || matches!(c, b' ' | b'\t' | b'\r' | b'\n')))
            {
                return Err(HeaderError::new(
                    HeaderErrorKind::InvalidDisplayName,
                    at(i) + bad,
                ));
            }
            let d = (!name.is_empty()).then_some(DisplayName::Tokens(name));
            (d, &i[lt..])
        } else {
            (None, i)
        };
        let (uri_text, bracketed, rest) = if let Some(inner) = rest.strip_prefix('<') {
            let end = crate::grammar::find_byte(inner.as_bytes(), b'>').ok_or(HeaderError::new(
                HeaderErrorKind::Expected(">"),
                value.len(),
            ))?;
            (&inner[..end], true, &inner[end + 1..])
        } else {
            if !allow_addr_spec {
                return Err(HeaderError::new(HeaderErrorKind::Expected("<"), at(rest)));
            }
            // addr-spec: the URI ends where header parameters start (RFC 3261 section 20.10).
            let end = rest
                .bytes()
                .position(|c| matches!(c, b';' | b',' | b' ' | b'\t' | b'\r' | b'\n'))
                .unwrap_or(rest.len());
            (&rest[..end], false, &rest[end..])
        };
        let uri_at = at(uri_text);
        let uri = Uri::parse(uri_text).map_err(|e| {
            HeaderError::new(HeaderErrorKind::InvalidUri(e.kind), uri_at + e.offset)
        })?;
        if !bracketed && uri_text.contains('?') {
            return Err(HeaderError::new(HeaderErrorKind::UnbracketedUri, uri_at));
        }
        let (rest, params) =
            params(rest).map_err(|_| HeaderError::new(HeaderErrorKind::InvalidParam, at(rest)))?;
        let trailing = &rest[super::skip_lws(rest.as_bytes(), 0)..];
        if !trailing.is_empty() {
            let kind = if trailing.starts_with(';') {
                HeaderErrorKind::InvalidParam
            } else {
                HeaderErrorKind::Trailing
            };
            return Err(HeaderError::new(kind, at(trailing)));
        }
        Ok(NameAddr {
            display,
            uri,
            bracketed,
            params,
        })
    }
}

impl fmt::Display for NameAddr<'_> {
    /// Always prints the name-addr form (`<uri>`), which is safe for any URI.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = &self.display {
            write_display(f, d)?;
            f.write_str(" ")?;
        }
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

macro_rules! name_addr_header {
    ($(#[$doc:meta])* $ty:ident, $name:expr, $addr_spec:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $ty<'a>(pub NameAddr<'a>);

        impl<'a> std::ops::Deref for $ty<'a> {
            type Target = NameAddr<'a>;
            #[inline]
            fn deref(&self) -> &NameAddr<'a> {
                &self.0
            }
        }

        impl<'a> TypedHeader<'a> for $ty<'a> {
            const NAME: HeaderName = $name;
            fn parse(value: &'a str) -> Result<Self, HeaderError> {
                NameAddr::parse_with(value, $addr_spec).map($ty)
            }
        }

        impl fmt::Display for $ty<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

name_addr_header!(
    /// `From` (RFC 3261 section 20.20). Named so to leave `std::convert::From` alone.
    FromHeader, HeaderName::From, true);
name_addr_header!(
    /// `To` (RFC 3261 section 20.39).
    ToHeader, HeaderName::To, true);
name_addr_header!(
    /// One `Route` value (RFC 3261 section 20.34).
    Route, HeaderName::Route, false);
name_addr_header!(
    /// One `Record-Route` value (RFC 3261 section 20.30).
    RecordRoute, HeaderName::RecordRoute, false);
name_addr_header!(
    /// One `P-Asserted-Identity` value (RFC 3325 section 9.1).
    PAssertedIdentity, HeaderName::PAssertedIdentity, true);
name_addr_header!(
    /// One `P-Preferred-Identity` value (RFC 3325 section 9.2).
    PPreferredIdentity, HeaderName::PPreferredIdentity, true);
name_addr_header!(
    /// One `Alert-Info` value (RFC 3261 section 20.4): `<absoluteURI> *(;param)`.
    AlertInfo, HeaderName::AlertInfo, false);
name_addr_header!(
    /// One `Call-Info` value (RFC 3261 section 20.9): `<absoluteURI> *(;param)`.
    CallInfo, HeaderName::CallInfo, false);

/// One `Contact` value (RFC 3261 section 20.10): `*` or an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Contact<'a> {
    /// `Contact: *`, only in a REGISTER that removes every binding.
    Wildcard,
    /// An address with contact-params.
    Addr(NameAddr<'a>),
}

impl<'a> Contact<'a> {
    /// The address, unless this is `*`.
    #[inline]
    pub fn addr(&self) -> Option<&NameAddr<'a>> {
        match self {
            Contact::Wildcard => None,
            Contact::Addr(a) => Some(a),
        }
    }

    /// The `expires` contact-param in seconds.
    pub fn expires(&self) -> Option<u32> {
        self.addr()?.params.get_u32("expires")
    }

    /// The `q` contact-param (0.0 to 1.0) in thousandths.
    pub fn q_milli(&self) -> Option<u16> {
        let q = self.addr()?.params.get("q").flatten()?;
        let (int, frac) = q.split_once('.').unwrap_or((q, ""));
        if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let frac_val = format!("{frac:0<3}").parse::<u16>().ok()?;
        match int {
            "0" => Some(frac_val),
            "1" if frac_val == 0 => Some(1000),
            _ => None,
        }
    }

    /// The `+sip.instance` contact-param without its `"<...>"` (RFC 5626 section 4.1).
    pub fn instance(&self) -> Option<&'a str> {
        let v = self.addr()?.params.get("+sip.instance").flatten()?;
        Some(
            v.strip_prefix('<')
                .and_then(|v| v.strip_suffix('>'))
                .unwrap_or(v),
        )
    }
}

impl<'a> TypedHeader<'a> for Contact<'a> {
    const NAME: HeaderName = HeaderName::Contact;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        if value.trim_matches(is_lws) == "*" {
            Ok(Contact::Wildcard)
        } else {
            NameAddr::parse(value).map(Contact::Addr)
        }
    }
}

impl fmt::Display for Contact<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Contact::Wildcard => f.write_str("*"),
            Contact::Addr(a) => a.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uri::Host;

    #[test]
    fn quoted_display_name_with_escapes_and_folding() {
        let f = FromHeader::parse(
            "\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8",
        )
        .unwrap();
        assert_eq!(f.display.unwrap().text(), "J Rosenberg \\\"");
        assert_eq!(f.tag(), Some("98asjd8"));
        assert_eq!(
            f.to_string(),
            "\"J Rosenberg \\\\\\\"\" <sip:jdrosen@example.com>;tag=98asjd8"
        );
    }

    #[test]
    fn addr_spec_params_belong_to_the_header() {
        let t = ToHeader::parse("\r\n sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n")
            .unwrap();
        assert!(!t.bracketed);
        assert_eq!(t.tag(), Some("1918181833n"));
        let Uri::Sip(u) = t.uri else { panic!() };
        assert_eq!(u.host, Host::Name("chair-dnrc.example.com"));
        assert!(u.params.as_str().is_empty());
    }

    #[test]
    fn token_display_name_without_space_before_bracket() {
        // RFC 4475 3.1.1.6
        let f = FromHeader::parse("caller<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(f.display.unwrap().text(), "caller");
        let f = FromHeader::parse("Bob  Smith <sip:b@example.com>").unwrap();
        assert_eq!(f.display.unwrap().text(), "Bob Smith");
    }

    #[test]
    fn rejects_rfc4475_bad_addresses() {
        // 3.1.2.6 unterminated quote
        let e = ToHeader::parse("\"Mr. J. User <sip:j.user@example.com>").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::UnterminatedQuote);
        // 3.1.2.14 spaces within addr-spec
        assert!(ToHeader::parse("\"Watson, Thomas\" < sip:t.watson@example.org >").is_err());
        // 3.1.2.15 non-token characters in display name
        let e = FromHeader::parse("Bell, Alexander <sip:a.g.bell@example.com>;tag=43").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::InvalidDisplayName);
        // 3.1.2.13 URI with headers not in <>
        let e = Contact::parse("sip:user@example.com?Route=%3Csip:sip.example.com%3E").unwrap_err();
        assert_eq!(e.kind, HeaderErrorKind::UnbracketedUri);
        // Stray separators (3.1.2.1)
        assert!(
            Contact::parse("\"Quoted string\" <sip:jdrosen@example.com> ; ;newparam=newvalue")
                .is_err()
        );
    }

    #[test]
    fn contact_params() {
        let c = Contact::parse("<sip:u@192.0.2.4:5060;transport=tcp>;expires=3600;q=0.7;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"").unwrap();
        assert_eq!(c.expires(), Some(3600));
        assert_eq!(c.q_milli(), Some(700));
        assert_eq!(
            c.instance(),
            Some("urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF")
        );
        assert_eq!(Contact::parse(" * ").unwrap(), Contact::Wildcard);
    }
}
