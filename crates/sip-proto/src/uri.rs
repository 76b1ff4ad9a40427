//! SIP, SIPS and tel URIs (RFC 3261 section 19.1, RFC 3966), borrowed from
//! the text they were parsed from. Other schemes are kept opaque.

use std::borrow::Cow;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::grammar::{
    HEADER, HOST, PARAM, PASSWORD, USER, eq_ic, is_unreserved, run, run_escaped, unescape,
};

/// Why a URI was rejected, and at which byte of the URI text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset} of the URI")]
pub struct UriError {
    /// What is wrong.
    pub kind: UriErrorKind,
    /// Byte offset within the URI text.
    pub offset: usize,
}

/// The kinds of [`UriError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum UriErrorKind {
    /// No `scheme:` prefix.
    #[error("missing scheme")]
    MissingScheme,
    /// A character that the URI grammar does not allow here.
    #[error("invalid character")]
    InvalidChar,
    /// The host is empty or malformed.
    #[error("invalid host")]
    InvalidHost,
    /// The port is not a number below 65536.
    #[error("invalid port")]
    InvalidPort,
    /// An empty user part before `@`, or an empty parameter name.
    #[error("empty component")]
    Empty,
    /// A tel URI whose number has no digit.
    #[error("invalid telephone number")]
    InvalidNumber,
}

fn err(kind: UriErrorKind, offset: usize) -> UriError {
    UriError { kind, offset }
}

/// A URI as it appears in a Request-URI or a name-addr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Uri<'a> {
    /// `sip:` or `sips:` (RFC 3261 section 19.1).
    Sip(SipUri<'a>),
    /// `tel:` (RFC 3966).
    Tel(TelUri<'a>),
    /// Any other absolute URI, kept as text (e.g. `mailto:`, `urn:`).
    Other {
        /// The scheme, without the colon.
        scheme: &'a str,
        /// Everything after the colon.
        rest: &'a str,
    },
}

/// A host: name, IPv4 address or IPv6 reference (RFC 3261 section 25.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Host<'a> {
    /// A host name, as written.
    Name(&'a str),
    /// A dotted IPv4 address.
    V4(Ipv4Addr),
    /// An IPv6 reference (`[...]` in the text).
    V6(Ipv6Addr),
}

impl Host<'_> {
    /// Parses a host as it appears in a URI or Via sent-by.
    pub fn parse(s: &str) -> Option<Host<'_>> {
        if let Some(inner) = s.strip_prefix('[') {
            let inner = inner.strip_suffix(']')?;
            return inner.parse().ok().map(Host::V6);
        }
        let b = s.as_bytes();
        if b.is_empty() || run(b, HOST) != b.len() {
            return None;
        }
        Self::from_scanned(s)
    }

    /// A host from text already known to hold only host characters: an
    /// IPv4 address when it is all digits and dots, else a name with no
    /// empty label (a final dot is allowed). Deployed hosts such as
    /// `sip.194.213.29.100` have numeric top labels, so the RFC 3261 rule
    /// that a top label starts with a letter is not enforced.
    pub(crate) fn from_scanned(s: &str) -> Option<Host<'_>> {
        Some(match host_kind(s.as_bytes())? {
            Some(a) => Host::V4(a),
            None => Host::Name(s),
        })
    }

    /// Case-insensitive host comparison (RFC 3261 section 19.1.4).
    pub fn equivalent(&self, other: &Host<'_>) -> bool {
        match (self, other) {
            (Host::Name(a), Host::Name(b)) => {
                eq_ic(a.trim_end_matches('.'), b.trim_end_matches('.'))
            }
            (Host::V4(a), Host::V4(b)) => a == b,
            (Host::V6(a), Host::V6(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(n) => f.write_str(n),
            Host::V4(a) => f.write_str(ipv4_text(a, &mut [0; 15])),
            Host::V6(a) => write!(f, "[{a}]"),
        }
    }
}

/// Dotted decimal of `ip` written into `buf`, without the `fmt` machinery
/// (std's `Display` for `Ipv4Addr` costs over a thousand instructions; a
/// user agent writes its address into nearly every message).
pub fn ipv4_text<'b>(ip: &Ipv4Addr, buf: &'b mut [u8; 15]) -> &'b str {
    let mut n = 0;
    for (k, octet) in ip.octets().into_iter().enumerate() {
        if k > 0 {
            buf[n] = b'.';
            n += 1;
        }
        // three bytes written, the octet's width kept: before the last
        // octet n <= 12
        let [a, b, c, width] = OCTET_TEXT[usize::from(octet)];
        if let Some(d) = buf.get_mut(n..n + 3) {
            d.copy_from_slice(&[a, b, c]);
        }
        n += usize::from(width);
    }
    // Only ASCII digits and dots were written.
    std::str::from_utf8(&buf[..n]).unwrap_or_default()
}

/// Appends [`ipv4_text`] of `ip` to `s`, byte by byte as ASCII (no UTF-8
/// check of the written text, which `ipv4_text` needs for its `&str`).
pub fn push_ipv4(s: &mut String, ip: &Ipv4Addr) {
    s.reserve(15);
    for (k, octet) in ip.octets().into_iter().enumerate() {
        if k > 0 {
            s.push('.');
        }
        let [a, b, c, width] = OCTET_TEXT[usize::from(octet)];
        for (i, d) in [a, b, c].into_iter().enumerate() {
            if i < usize::from(width) {
                // (`min`: the compiler then knows it is one byte of ASCII.)
                s.push(char::from(d.min(b'9')));
            }
        }
    }
}

/// Each octet's decimal digits, left-aligned, and how many there are.
const OCTET_TEXT: [[u8; 4]; 256] = {
    let mut t = [[0u8; 4]; 256];
    let mut i = 0;
    while i < 256 {
        let (h, d, u) = (
            b'0' + (i / 100) as u8,
            b'0' + (i / 10 % 10) as u8,
            b'0' + (i % 10) as u8,
        );
        t[i] = if i >= 100 {
            [h, d, u, 3]
        } else if i >= 10 {
            [d, u, 0, 2]
        } else {
            [u, 0, 0, 1]
        };
        i += 1;
    }
    t
};

/// `;name[=value]` parameters of a URI, as written (names and values may
/// hold `%HH` escapes; decode with [`unescape`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct UriParams<'a>(pub(crate) &'a str);

impl<'a> UriParams<'a> {
    /// The text after the first `;`, without it.
    pub fn as_str(&self) -> &'a str {
        self.0
    }

    /// Each parameter as (name, value).
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, Option<&'a str>)> + 'a {
        let s = self.0;
        s.split(';')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (p, None),
            })
    }

    /// The value of the parameter `name` (case-insensitive); `Some(None)`
    /// for a parameter without a value.
    pub fn get(&self, name: &str) -> Option<Option<&'a str>> {
        self.iter().find(|(n, _)| eq_ic(n, name)).map(|(_, v)| v)
    }

    /// Whether the parameter `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// A `sip:` or `sips:` URI (RFC 3261 section 19.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SipUri<'a> {
    /// `sips:` rather than `sip:`.
    pub secure: bool,
    /// The user part, still escaped. `None` when there is no `@`.
    pub user: Option<&'a str>,
    /// The password, still escaped (deprecated, RFC 3261 section 19.1.1).
    pub password: Option<&'a str>,
    /// The host.
    pub host: Host<'a>,
    /// The port, when written.
    pub port: Option<u16>,
    /// The uri-parameters.
    pub params: UriParams<'a>,
    /// The headers part after `?`, still escaped, without the `?`.
    pub headers: Option<&'a str>,
}

impl<'a> SipUri<'a> {
    /// The user part with `%HH` escapes decoded (RFC 4475 3.1.1.3/3.1.1.4:
    /// may hold any byte, including NUL).
    pub fn user_unescaped(&self) -> Option<Cow<'a, [u8]>> {
        self.user.map(unescape)
    }

    /// `transport` parameter.
    pub fn transport(&self) -> Option<&'a str> {
        self.params.get("transport").flatten()
    }

    /// `lr` parameter present (loose routing, RFC 3261 section 16.12).
    pub fn lr(&self) -> bool {
        self.params.has("lr")
    }

    /// `maddr` parameter.
    pub fn maddr(&self) -> Option<&'a str> {
        self.params.get("maddr").flatten()
    }

    /// Host and port as a socket address when the host is an IP literal
    /// (port `default_port` when absent); `None` for a name, which needs DNS.
    pub fn socket_addr(&self, default_port: u16) -> Option<std::net::SocketAddr> {
        let ip: std::net::IpAddr = match self.host {
            Host::V4(a) => a.into(),
            Host::V6(a) => a.into(),
            Host::Name(_) => return None,
        };
        Some(std::net::SocketAddr::new(
            ip,
            self.port.unwrap_or(default_port),
        ))
    }

    /// The URI headers as (name, value), still escaped.
    pub fn header_fields(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.headers
            .unwrap_or("")
            .split('&')
            .filter(|h| !h.is_empty())
            .map(|h| h.split_once('=').unwrap_or((h, "")))
    }

    /// The value of URI header `name`, still escaped (e.g. `Replaces` in a
    /// Refer-To, RFC 3891 section 3).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.header_fields()
            .find(|(n, _)| eq_ic(n, name))
            .map(|(_, v)| v)
    }

    /// One pass over the bytes after `sip:`/`sips:` (RFC 3261 section 25.1
    /// `SIP-URI`). `base` is the offset of `s` in the whole URI, for errors.
    fn parse(s: &'a str, secure: bool, base: usize) -> Result<Self, UriError> {
        let b = s.as_bytes();
        let e = |kind, at: usize| err(kind, base + at);
        let mut pos = 0;
        let (mut user, mut password) = (None, None);
        // An unescaped '@' can only end the userinfo: host, parameters and
        // header values cannot hold one.
        if let Some(at) = crate::grammar::find_byte(b, b'@') {
            let ulen = run_escaped(b, USER);
            if ulen == 0 {
                return Err(e(UriErrorKind::Empty, 0));
            }
            user = Some(&s[..ulen]);
            let mut p = ulen;
            if b.get(p) == Some(&b':') {
                let plen = run_escaped(&b[p + 1..], PASSWORD);
                password = Some(&s[p + 1..p + 1 + plen]);
                p += 1 + plen;
            }
            if p != at {
                return Err(e(UriErrorKind::InvalidChar, p));
            }
            pos = at + 1;
        }
        let host = if b.get(pos) == Some(&b'[') {
            let close = crate::grammar::find_byte(&b[pos..], b']')
                .ok_or(e(UriErrorKind::InvalidHost, pos))?;
            let h = Host::parse(&s[pos..=pos + close]).ok_or(e(UriErrorKind::InvalidHost, pos))?;
            pos += close + 1;
            h
        } else {
            let n = run(&b[pos..], HOST);
            let h =
                Host::from_scanned(&s[pos..pos + n]).ok_or(e(UriErrorKind::InvalidHost, pos))?;
            pos += n;
            h
        };
        let mut port = None;
        if b.get(pos) == Some(&b':') {
            let n = b[pos + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            port = Some(
                parse_port(&s[pos + 1..pos + 1 + n])
                    .ok_or(e(UriErrorKind::InvalidPort, pos + 1))?,
            );
            pos += 1 + n;
        }
        let pstart = pos;
        while b.get(pos) == Some(&b';') {
            let n = run_escaped(&b[pos + 1..], PARAM);
            if n == 0 {
                return Err(e(UriErrorKind::Empty, pos + 1));
            }
            pos += 1 + n;
            if b.get(pos) == Some(&b'=') {
                pos += 1 + run_escaped(&b[pos + 1..], PARAM);
            }
        }
        let params = if pos > pstart {
            &s[pstart + 1..pos]
        } else {
            ""
        };
        let mut headers = None;
        if b.get(pos) == Some(&b'?') {
            let hstart = pos + 1;
            pos = hstart;
            loop {
                let n = run_escaped(&b[pos..], HEADER);
                if n == 0 || b.get(pos + n) != Some(&b'=') {
                    return Err(e(UriErrorKind::InvalidChar, pos + n));
                }
                pos += n + 1;
                pos += run_escaped(&b[pos..], HEADER);
                if b.get(pos) != Some(&b'&') {
                    break;
                }
                pos += 1;
            }
            headers = Some(&s[hstart..pos]);
        }
        if pos != b.len() {
            return Err(e(UriErrorKind::InvalidChar, pos));
        }
        Ok(SipUri {
            secure,
            user,
            password,
            host,
            port,
            params: UriParams(params),
            headers,
        })
    }

    /// URI equivalence per RFC 3261 section 19.1.4.
    pub fn equivalent(&self, other: &SipUri<'_>) -> bool {
        if self.secure != other.secure
            || self.user.map(unescape) != other.user.map(unescape)
            || self.password.map(unescape) != other.password.map(unescape)
            || !self.host.equivalent(&other.host)
            || self.port != other.port
        {
            return false;
        }
        // user, ttl, method, maddr, transport must match when in either URI.
        for name in ["user", "ttl", "method", "maddr", "transport"] {
            let a = self.params.get(name).map(|v| v.map(unescape));
            let b = other.params.get(name).map(|v| v.map(unescape));
            let same = match (&a, &b) {
                (Some(Some(x)), Some(Some(y))) => x.eq_ignore_ascii_case(y),
                (None, None) => true,
                (Some(None), Some(None)) => true,
                _ => false,
            };
            if !same {
                return false;
            }
        }
        // Other parameters are compared only when present in both; a name
        // given several times compares its values in order (so a URI always
        // equals itself).
        let values = |p: &UriParams<'_>, n: &str| -> Vec<Option<Vec<u8>>> {
            p.iter()
                .filter(|(m, _)| eq_ic(m, n))
                .map(|(_, v)| v.map(|v| unescape(v).to_ascii_lowercase()))
                .collect()
        };
        for (n, _) in self.params.iter() {
            if other.params.has(n) && values(&self.params, n) != values(&other.params, n) {
                return false;
            }
        }
        // Headers: every header in either must be in the other with an equal value.
        let contains = |a: &SipUri<'_>, b: &SipUri<'_>| {
            a.header_fields().all(|(n, v)| {
                b.header_fields().any(|(m, w)| {
                    unescape(n).eq_ignore_ascii_case(&unescape(m)) && unescape(v) == unescape(w)
                })
            })
        };
        contains(self, other) && contains(other, self)
    }
}

/// What host bytes already known to be host characters are (see
/// [`Host::from_scanned`]): `Some(Some(address))` for IPv4, `Some(None)`
/// for a name, `None` for no host.
#[inline]
pub(crate) fn host_kind(b: &[u8]) -> Option<Option<Ipv4Addr>> {
    let (&first, &last) = (b.first()?, b.last()?);
    if first.is_ascii_digit() && last.is_ascii_digit() {
        if let Some(a) = parse_ipv4(b) {
            return Some(Some(a));
        }
        if b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
            // All digits and dots but no IPv4 address: no host at all.
            return None;
        }
    }
    // No empty label: not leading, not doubled (jumping from dot to dot).
    if first == b'.' || crate::grammar::has_double_dot(b) {
        return None;
    }
    Some(None)
}

/// `IPv4address` = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each at most 255.
/// Octet by octet, up to three digits each (the byte loop it replaced is
/// its test twin).
#[inline]
fn parse_ipv4(b: &[u8]) -> Option<Ipv4Addr> {
    ipv4_prefix(b).and_then(|(a, n)| (n == b.len()).then_some(a))
}

/// An IPv4 address at the start of `b` (as [`parse_ipv4`] reads one) and
/// its length; what follows is not looked at.
#[inline]
pub(crate) fn ipv4_prefix(b: &[u8]) -> Option<(Ipv4Addr, usize)> {
    // An address has at most fifteen bytes: they are read from a copy of
    // the first sixteen, zero-padded (a zero byte, like the end, is no
    // digit and no dot), so no read needs a bounds check.
    let mut w = [0u8; 16];
    if b.len() >= 16 {
        w.copy_from_slice(&b[..16]);
    } else {
        w[..b.len()].copy_from_slice(b);
    }
    let b = &w;
    let mut octets = [0u8; 4];
    let mut i = 0;
    // Reads stop at index 14 (three digits, a dot, ...), so `i & 15` is `i`.
    let digit = |i: usize| Some(b[i & 15].wrapping_sub(b'0')).filter(|d| *d < 10);
    for (n, octet) in octets.iter_mut().enumerate() {
        if n > 0 {
            if b[i & 15] != b'.' {
                return None;
            }
            i += 1;
        }
        let mut v = u16::from(digit(i)?);
        i += 1;
        if let Some(d) = digit(i) {
            v = v * 10 + u16::from(d);
            i += 1;
            if let Some(d) = digit(i) {
                v = v * 10 + u16::from(d);
                i += 1;
            }
        }
        *octet = u8::try_from(v).ok()?;
    }
    Some((Ipv4Addr::from(octets), i))
}

/// The byte loop [`parse_ipv4`] replaced, its test twin.
#[cfg(test)]
fn parse_ipv4_loop(b: &[u8]) -> Option<Ipv4Addr> {
    let (mut octets, mut n, mut value, mut digits) = ([0u8; 4], 0, 0u16, 0);
    for &c in b {
        if c == b'.' {
            if digits == 0 || n == 3 {
                return None;
            }
            octets[n] = u8::try_from(value).ok()?;
            (n, value, digits) = (n + 1, 0, 0);
        } else if c.is_ascii_digit() && digits < 3 {
            value = value * 10 + u16::from(c - b'0');
            digits += 1;
        } else {
            return None;
        }
    }
    if digits == 0 || n != 3 {
        return None;
    }
    octets[3] = u8::try_from(value).ok()?;
    Some(Ipv4Addr::from(octets))
}

pub(crate) fn parse_port(p: &str) -> Option<u16> {
    port_bytes(p.as_bytes())
}

/// [`parse_port`] on bytes.
#[inline]
pub(crate) fn port_bytes(p: &[u8]) -> Option<u16> {
    if p.is_empty() || p.len() > 5 {
        return None;
    }
    let mut v = 0u32;
    for &b in p {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(b - b'0');
    }
    u16::try_from(v).ok()
}

/// A `tel:` URI (RFC 3966).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TelUri<'a> {
    /// The number as written, visual separators included.
    pub number: &'a str,
    /// The parameters after the number (`phone-context`, `ext`, ...).
    pub params: UriParams<'a>,
}

impl TelUri<'_> {
    /// Whether the number is global (`+` prefixed, RFC 3966 section 5.1.4).
    pub fn is_global(&self) -> bool {
        self.number.starts_with('+')
    }

    /// The number without visual separators (`-`, `.`, `(`, `)`).
    pub fn digits(&self) -> String {
        self.number
            .chars()
            .filter(|c| !matches!(c, '-' | '.' | '(' | ')'))
            .collect()
    }
}

impl<'a> Uri<'a> {
    /// Parses an absolute URI.
    pub fn parse(s: &'a str) -> Result<Uri<'a>, UriError> {
        // `sip:` and `sips:` first: the general scheme check below accepts
        // them too and leads to the same call.
        let b = s.as_bytes();
        if b.len() > 3 && b[3] == b':' && b[..3].eq_ignore_ascii_case(b"sip") {
            return SipUri::parse(&s[4..], false, 4).map(Uri::Sip);
        }
        if b.len() > 4 && b[4] == b':' && b[..4].eq_ignore_ascii_case(b"sips") {
            return SipUri::parse(&s[5..], true, 5).map(Uri::Sip);
        }
        let colon = crate::grammar::find_byte(s.as_bytes(), b':')
            .ok_or(err(UriErrorKind::MissingScheme, 0))?;
        let scheme = &s[..colon];
        let ok_scheme = scheme
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !ok_scheme {
            return Err(err(UriErrorKind::MissingScheme, 0));
        }
        let rest = &s[colon + 1..];
        if eq_ic(scheme, "sip") || eq_ic(scheme, "sips") {
            // The SIP grammar admits no whitespace, control or bracket byte.
            return SipUri::parse(rest, scheme.len() == 4, colon + 1).map(Uri::Sip);
        }
        if let Some(k) = rest.find(|c: char| {
            c.is_ascii_whitespace() || c.is_ascii_control() || c == '<' || c == '>' || c == '"'
        }) {
            return Err(err(UriErrorKind::InvalidChar, colon + 1 + k));
        }
        if eq_ic(scheme, "tel") {
            let (number, params) = rest.split_once(';').unwrap_or((rest, ""));
            let ok = !number.is_empty()
                && number
                    .bytes()
                    .any(|b| b.is_ascii_hexdigit() || b == b'*' || b == b'#')
                && number.bytes().enumerate().all(|(k, b)| {
                    b.is_ascii_hexdigit()
                        || matches!(b, b'*' | b'#' | b'-' | b'.' | b'(' | b')')
                        || (k == 0 && b == b'+')
                });
            if !ok {
                return Err(err(UriErrorKind::InvalidNumber, colon + 1));
            }
            if !number.starts_with('+') && !params.to_ascii_lowercase().contains("phone-context") {
                // RFC 3966 section 5.1.5 requires a context for local numbers, but
                // handsets send `tel:1234` to their PBX; accept it.
            }
            Ok(Uri::Tel(TelUri {
                number,
                params: UriParams(params),
            }))
        } else if rest.is_empty() {
            Err(err(UriErrorKind::Empty, colon + 1))
        } else if let Some(k) = rest.find(|c: char| {
            !(is_unreserved(c) || c == '%' || ";/?:@&=+$,#[]".contains(c) || !c.is_ascii())
        }) {
            Err(err(UriErrorKind::InvalidChar, colon + 1 + k))
        } else {
            Ok(Uri::Other { scheme, rest })
        }
    }

    /// The scheme, lower-case for the known ones.
    pub fn scheme(&self) -> &str {
        match self {
            Uri::Sip(u) if u.secure => "sips",
            Uri::Sip(_) => "sip",
            Uri::Tel(_) => "tel",
            Uri::Other { scheme, .. } => scheme,
        }
    }

    /// The SIP URI, if this is one.
    pub fn as_sip(&self) -> Option<&SipUri<'a>> {
        match self {
            Uri::Sip(u) => Some(u),
            _ => None,
        }
    }

    /// URI equivalence (RFC 3261 section 19.1.4; RFC 3966 section 4 for tel,
    /// exact text otherwise).
    pub fn equivalent(&self, other: &Uri<'_>) -> bool {
        match (self, other) {
            (Uri::Sip(a), Uri::Sip(b)) => a.equivalent(b),
            (Uri::Tel(a), Uri::Tel(b)) => {
                // RFC 3966 section 4: same number, same parameters in any order.
                let params = |t: &TelUri<'_>| {
                    let mut p: Vec<_> = t
                        .params
                        .iter()
                        .map(|(n, v)| (n.to_ascii_lowercase(), v.map(str::to_ascii_lowercase)))
                        .collect();
                    p.sort();
                    p
                };
                a.digits().eq_ignore_ascii_case(&b.digits()) && params(a) == params(b)
            }
            (
                Uri::Other {
                    scheme: s1,
                    rest: r1,
                },
                Uri::Other {
                    scheme: s2,
                    rest: r2,
                },
            ) => eq_ic(s1, s2) && r1 == r2,
            _ => false,
        }
    }
}

impl fmt::Display for SipUri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.secure { "sips:" } else { "sip:" })?;
        if let Some(u) = self.user {
            f.write_str(u)?;
            if let Some(p) = self.password {
                write!(f, ":{p}")?;
            }
            f.write_str("@")?;
        }
        write!(f, "{}", self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        if !self.params.0.is_empty() {
            write!(f, ";{}", self.params.0)?;
        }
        if let Some(h) = self.headers {
            write!(f, "?{h}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Uri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uri::Sip(u) => u.fmt(f),
            Uri::Tel(t) => {
                write!(f, "tel:{}", t.number)?;
                if !t.params.0.is_empty() {
                    write!(f, ";{}", t.params.0)?;
                }
                Ok(())
            }
            Uri::Other { scheme, rest } => write!(f, "{scheme}:{rest}"),
        }
    }
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        /// The octet reader accepts and reads what the byte loop did.
        #[test]
        fn ipv4_matches_the_byte_loop(v in "[0-9.]{0,17}|([0-9]{1,4}\\.){3}[0-9]{1,4}[.a]?") {
            proptest::prop_assert_eq!(parse_ipv4(v.as_bytes()), parse_ipv4_loop(v.as_bytes()));
        }
    }

    #[test]
    fn ipv4_cases() {
        for v in [
            "192.0.2.10",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.",
            "01.002.3.4",
            "1..2.3",
            "1.2.3.4444",
            "",
        ] {
            assert_eq!(
                parse_ipv4(v.as_bytes()),
                parse_ipv4_loop(v.as_bytes()),
                "{v}"
            );
        }
    }

    #[test]
    fn ipv4_text_matches_std_for_every_octet_width() {
        for ip in [
            Ipv4Addr::new(0, 0, 0, 0),
            Ipv4Addr::new(127, 0, 0, 1),
            Ipv4Addr::new(192, 0, 2, 10),
            Ipv4Addr::new(255, 255, 255, 255),
            Ipv4Addr::new(9, 10, 99, 100),
        ] {
            assert_eq!(ipv4_text(&ip, &mut [0; 15]), ip.to_string());
            let mut pushed = String::from("x");
            push_ipv4(&mut pushed, &ip);
            assert_eq!(pushed, format!("x{ip}"));
        }
        for v in 0..=255u8 {
            let ip = Ipv4Addr::new(v, 255 - v, v / 3, v.wrapping_mul(7));
            assert_eq!(ipv4_text(&ip, &mut [0; 15]), ip.to_string());
            let mut pushed = String::from("x");
            push_ipv4(&mut pushed, &ip);
            assert_eq!(pushed, format!("x{ip}"));
            assert_eq!(Host::V4(ip).to_string(), ip.to_string());
        }
    }
    use super::*;

    #[test]
    fn port_matches_std_parse() {
        for v in 0..100_000u32 {
            for p in [v.to_string(), format!("{v:05}"), format!("0{v}")] {
                let reference = if p.len() <= 5 {
                    p.parse::<u16>().ok()
                } else {
                    None
                };
                assert_eq!(parse_port(&p), reference, "{p}");
            }
        }
        for p in ["", "+1", "-1", "1a", " 1", "1 "] {
            assert_eq!(parse_port(p), None, "{p}");
        }
    }

    fn sip(s: &str) -> SipUri<'_> {
        match Uri::parse(s).unwrap() {
            Uri::Sip(u) => u,
            other => panic!("not sip: {other:?}"),
        }
    }

    #[test]
    fn parses_components() {
        let u = sip(
            "sips:alice:secret@[2001:db8::10]:5061;transport=tls;lr?subject=hi&priority=urgent",
        );
        assert!(u.secure);
        assert_eq!(u.user, Some("alice"));
        assert_eq!(u.password, Some("secret"));
        assert_eq!(u.host, Host::V6("2001:db8::10".parse().unwrap()));
        assert_eq!(u.port, Some(5061));
        assert_eq!(u.transport(), Some("tls"));
        assert!(u.lr());
        assert_eq!(u.header("Priority"), Some("urgent"));
        assert_eq!(
            u.to_string(),
            "sips:alice:secret@[2001:db8::10]:5061;transport=tls;lr?subject=hi&priority=urgent"
        );
    }

    #[test]
    fn hosts_as_deployed() {
        assert_eq!(
            Host::parse("sip.194.213.29.100"),
            Some(Host::Name("sip.194.213.29.100"))
        );
        assert_eq!(
            Host::parse("192.0.2.1"),
            Some(Host::V4([192, 0, 2, 1].into()))
        );
        assert_eq!(
            Host::parse("example.com."),
            Some(Host::Name("example.com."))
        );
        assert_eq!(
            Host::parse("1234.s1.minisipserver.com"),
            Some(Host::Name("1234.s1.minisipserver.com"))
        );
        for bad in [
            "",
            ".",
            "a..b",
            ".a",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "a b",
            "a@b",
        ] {
            assert_eq!(Host::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn socket_addr_only_for_ip_literals() {
        assert_eq!(
            sip("sip:a@192.0.2.1").socket_addr(5060),
            Some("192.0.2.1:5060".parse().unwrap())
        );
        assert_eq!(
            sip("sips:[2001:db8::1]:5071").socket_addr(5061),
            Some("[2001:db8::1]:5071".parse().unwrap())
        );
        assert_eq!(sip("sip:pbx.example.com").socket_addr(5060), None);
    }

    #[test]
    fn semicolon_in_user_part() {
        // RFC 4475 3.1.1.9
        let u = sip("sip:user;par=u%40example.net@example.com");
        assert_eq!(u.user, Some("user;par=u%40example.net"));
        assert_eq!(&*u.user_unescaped().unwrap(), b"user;par=u@example.net");
        assert_eq!(u.host, Host::Name("example.com"));
    }

    #[test]
    fn replaces_in_refer_to_uri() {
        let u = sip(
            "sip:bob@biloxi.example.org?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994",
        );
        let r = unescape(u.header("replaces").unwrap());
        assert_eq!(&*r, b"12345@192.168.118.3;to-tag=12345;from-tag=5FFE-3994");
    }

    #[test]
    fn rejects_bad_uris() {
        assert_eq!(
            Uri::parse("sip:").unwrap_err().kind,
            UriErrorKind::InvalidHost
        );
        assert_eq!(
            Uri::parse("sip:a@b:99999").unwrap_err().kind,
            UriErrorKind::InvalidPort
        );
        assert_eq!(
            Uri::parse("<sip:a@b>").unwrap_err().kind,
            UriErrorKind::MissingScheme
        );
        assert_eq!(Uri::parse("sip:a b@c").unwrap_err().offset, 5);
        assert!(Uri::parse("sip:@host").is_err());
        assert!(Uri::parse("sip:[::1").is_err());
        assert!(Uri::parse("sip:host;;lr").is_err());
    }

    #[test]
    fn equivalence_is_reflexive_with_repeated_params() {
        for u in [
            "tel:+1;exp=~201-555/0123~e;21=el:+1;exp=~201-52",
            "sip:a@b;x=1;x=2;lr",
            "sip:h;maddr=1.2.3.4;maddr=5.6.7.8",
        ] {
            let u = Uri::parse(u).unwrap();
            assert!(u.equivalent(&u), "{u}");
        }
        assert!(
            !Uri::parse("sip:a@b;x=1;x=2")
                .unwrap()
                .equivalent(&Uri::parse("sip:a@b;x=2;x=1").unwrap())
        );
    }

    #[test]
    fn tel_and_other_schemes() {
        let Uri::Tel(t) = Uri::parse("tel:+1-201-555-0123;ext=12").unwrap() else {
            panic!()
        };
        assert!(t.is_global());
        assert_eq!(t.digits(), "+12015550123");
        assert_eq!(t.params.get("ext"), Some(Some("12")));
        assert!(
            Uri::parse("tel:+1-201-555-0123")
                .unwrap()
                .equivalent(&Uri::parse("tel:+12015550123").unwrap())
        );
        let o = Uri::parse("soap.beep://192.0.2.103:3002").unwrap();
        assert_eq!(o.scheme(), "soap.beep");
        assert!(matches!(o, Uri::Other { .. }));
    }

    #[test]
    fn comparison_rfc3261_19_1_4() {
        let eq = |a: &str, b: &str| Uri::parse(a).unwrap().equivalent(&Uri::parse(b).unwrap());
        // The equal pairs of section 19.1.4.
        assert!(eq(
            "sip:%61lice@atlanta.com;transport=TCP",
            "sip:alice@AtLanTa.CoM;Transport=tcp"
        ));
        assert!(eq(
            "sip:carol@chicago.com",
            "sip:carol@chicago.com;newparam=5"
        ));
        assert!(eq(
            "sip:carol@chicago.com",
            "sip:carol@chicago.com;security=on"
        ));
        assert!(eq(
            "sip:carol@chicago.com;newparam=5",
            "sip:carol@chicago.com;security=on"
        ));
        assert!(eq(
            "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
            "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"
        ));
        assert!(eq(
            "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
            "sip:alice@atlanta.com?priority=urgent&subject=project%20x"
        ));
        // The unequal pairs.
        assert!(!eq(
            "SIP:ALICE@AtLanTa.CoM;Transport=udp",
            "sip:alice@AtLanTa.CoM;Transport=UDP"
        ));
        assert!(!eq("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"));
        assert!(!eq(
            "sip:bob@biloxi.com",
            "sip:bob@biloxi.com;transport=udp"
        ));
        assert!(!eq(
            "sip:bob@biloxi.com",
            "sip:bob@biloxi.com:6000;transport=tcp"
        ));
        assert!(!eq(
            "sip:carol@chicago.com",
            "sip:carol@chicago.com?Subject=next%20meeting"
        ));
        assert!(!eq("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"));
        assert!(!eq(
            "sip:carol@chicago.com;security=on",
            "sip:carol@chicago.com;security=off"
        ));
    }
}
