//! Typed header values (RFC 3261 section 20 and the extensions a handset
//! meets), parsed on demand from the message text with nom.
//!
//! Every type borrows from the message and prints back as header-value text
//! with [`std::fmt::Display`], which is what the builders use.

use std::fmt;

use nom::IResult;

use crate::grammar::{GEN_VALUE, TOKEN, quoted_string, run, sws, token};
use crate::name::HeaderName;
use crate::uri::UriErrorKind;

mod authn;
mod event;
mod misc;
mod name_addr;
mod refer;
mod scalar;
mod session_timer;
mod tokens;
mod via;

pub use authn::{
    AuthenticationInfo, Authorization, ProxyAuthenticate, ProxyAuthorization, WwwAuthenticate,
};
pub(crate) use authn::{header_error as authn_error, well_formed_but_unusable as authn_unusable};
pub use event::{AllowEvents, Event, SubscriptionState};
pub use misc::{Date, Diversion, HistoryInfo, Reason, RetryAfter, Warning};
pub use name_addr::{
    AlertInfo, CallInfo, Contact, DisplayName, FromHeader, NameAddr, PAssertedIdentity,
    PPreferredIdentity, RecordRoute, Route, ToHeader,
};
pub use refer::{ReferTo, ReferredBy, Replaces};
pub use scalar::{
    CSeq, CallId, ContentLength, Expires, MaxForwards, MinExpires, RAck, RSeq, Timestamp,
};
pub use session_timer::{MinSe, Refresher, SessionExpires};
pub use tokens::{
    Accept, Allow, ContentType, MediaType, Privacy, ProxyRequire, Require, Server, Supported,
    Unsupported, UserAgent,
};
pub use via::Via;

/// Why a header value was rejected, and where in the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset} of the value")]
pub struct HeaderError {
    /// What is wrong.
    pub kind: HeaderErrorKind,
    /// Byte offset within the header value.
    pub offset: usize,
}

impl HeaderError {
    /// A new error.
    pub fn new(kind: HeaderErrorKind, offset: usize) -> Self {
        HeaderError { kind, offset }
    }
}

/// The kinds of [`HeaderError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum HeaderErrorKind {
    /// The value is empty where something is required.
    #[error("empty value")]
    Empty,
    /// Something specific was expected here.
    #[error("expected {0}")]
    Expected(&'static str),
    /// A character that is not allowed in a token.
    #[error("invalid token")]
    InvalidToken,
    /// Not a decimal number.
    #[error("invalid number")]
    InvalidNumber,
    /// A number above the limit the RFC sets (2**32 - 1 for CSeq and most scalars).
    #[error("number too large")]
    NumberTooLarge,
    /// A URI that does not parse.
    #[error("invalid URI ({0})")]
    InvalidUri(UriErrorKind),
    /// A quoted string without its closing quote.
    #[error("unterminated quoted string")]
    UnterminatedQuote,
    /// An unquoted display name with characters a token cannot hold.
    #[error("invalid display name")]
    InvalidDisplayName,
    /// A URI with `,`, `;` or `?` that is not enclosed in `<>` (RFC 3261 section 20.10).
    #[error("URI with headers or parameters must be enclosed in <>")]
    UnbracketedUri,
    /// A malformed `;name=value` parameter.
    #[error("invalid parameter")]
    InvalidParam,
    /// Text left over after a complete value.
    #[error("unexpected text after the value")]
    Trailing,
    /// An empty element in a comma-separated list (RFC 3261 section 7.3.1).
    #[error("empty list element")]
    EmptyListElement,
}

/// A typed header: its name and how to parse one value of it.
///
/// For list headers ([`HeaderName::is_list`]) a value is one element of the
/// comma-separated list; the message splits the list.
pub trait TypedHeader<'a>: Sized + fmt::Display {
    /// The header this type parses.
    const NAME: HeaderName;
    /// Parses one value.
    fn parse(value: &'a str) -> Result<Self, HeaderError>;
}

pub(crate) type PResult<'a, T> = IResult<&'a str, T>;

/// Runs `p` over the whole `value`, mapping nom's position to an offset and
/// requiring nothing but whitespace after it.
pub(crate) fn complete<'a, T>(
    value: &'a str,
    what: &'static str,
    mut p: impl FnMut(&'a str) -> PResult<'a, T>,
) -> Result<T, HeaderError> {
    match p(value) {
        Ok((rest, v)) => {
            let (rest, _) = sws(rest).unwrap_or((rest, ""));
            if rest.is_empty() {
                Ok(v)
            } else {
                Err(HeaderError::new(
                    HeaderErrorKind::Trailing,
                    value.len() - rest.len(),
                ))
            }
        }
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
            let offset = value.len() - e.input.len();
            let kind = if value.trim().is_empty() {
                HeaderErrorKind::Empty
            } else {
                HeaderErrorKind::Expected(what)
            };
            Err(HeaderError::new(kind, offset))
        }
        Err(nom::Err::Incomplete(_)) => Err(HeaderError::new(
            HeaderErrorKind::Expected(what),
            value.len(),
        )),
    }
}

/// One `SEMI generic-param` at the start of `i` (RFC 3261 section 25.1):
/// `token [ EQUAL gen-value ]`, where gen-value is a token, a host (with
/// the colons of an unbracketed IPv6 `received`) or a quoted-string.
/// Returns the rest, the name and the raw value (quotes kept).
#[inline]
fn next_param(i: &str) -> Option<(&str, &str, Option<&str>)> {
    let b = i.as_bytes();
    let mut k = skip_lws(b, 0);
    if b.get(k) != Some(&b';') {
        return None;
    }
    k = skip_lws(b, k + 1);
    let n = run(&b[k..], TOKEN);
    if n == 0 {
        return None;
    }
    let name = &i[k..k + n];
    k += n;
    let after_name = k;
    let j = skip_lws(b, k);
    if b.get(j) != Some(&b'=') {
        return Some((&i[after_name..], name, None));
    }
    let v = skip_lws(b, j + 1);
    let len = if b.get(v) == Some(&b'"') {
        let (rest, _) = quoted_string(&i[v..]).ok()?;
        i.len() - v - rest.len()
    } else {
        run(&b[v..], GEN_VALUE)
    };
    if len == 0 {
        return None;
    }
    Some((&i[v + len..], name, Some(&i[v..v + len])))
}

/// Index of the first byte at or after `k` that is not LWS.
#[inline]
pub(crate) fn skip_lws(b: &[u8], mut k: usize) -> usize {
    while k < b.len() && matches!(b[k], b' ' | b'\t' | b'\r' | b'\n') {
        k += 1;
    }
    k
}

/// `*( SEMI generic-param )`, recognized as one slice. Stops before the
/// first thing that is not a parameter; the caller rejects what is left.
pub(crate) fn params(i: &str) -> PResult<'_, Params<'_>> {
    let mut rest = i;
    while let Some((r, _, _)) = next_param(rest) {
        rest = r;
    }
    let consumed = i.len() - rest.len();
    Ok((rest, Params(&i[..consumed], FirstParam::NONE)))
}

/// `token *(SEMI param)`: the shape of Event, Subscription-State, Reason,
/// Session-Expires and others.
pub(crate) fn token_params<'a>(
    value: &'a str,
    what: &'static str,
) -> Result<(&'a str, Params<'a>), HeaderError> {
    complete(value, what, |i| {
        let (i, _) = sws(i)?;
        let (i, t) = token(i)?;
        let (i, p) = params(i)?;
        Ok((i, (t, p)))
    })
}

/// Header parameters (`;name=value` after a header value), as written.
/// Values are returned without surrounding quotes but still escaped.
///
/// Equality, hashing and `Debug` look at the text only: the second field
/// is a hint derived from it.
#[derive(Clone, Copy, Default)]
pub struct Params<'a>(pub(crate) &'a str, pub(crate) FirstParam);

impl PartialEq for Params<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Params<'_> {}

impl std::hash::Hash for Params<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl fmt::Debug for Params<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Params").field(&self.0).finish()
    }
}

/// Where the first parameter of a parameter text ends, when that text
/// starts `;token=gen-value` with the value followed by `;` or the end
/// (no LWS, no quotes): `eq` is the index of the `=`, `end` the end of the
/// value. `eq == 0` means no such first parameter (or not recorded).
/// The span readers record it while they read the parameters, so that
/// `Params::get` finds the usual first parameter (a Via's `branch`, a
/// From's `tag`) without scanning the text again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct FirstParam {
    pub(crate) eq: u16,
    pub(crate) end: u16,
}

impl FirstParam {
    pub(crate) const NONE: FirstParam = FirstParam { eq: 0, end: 0 };

    /// The hint for a first parameter `;` name `=` value ending at `end`,
    /// with the `=` at `eq` (indexes into the parameter text); none when
    /// they do not fit.
    #[inline]
    pub(crate) fn new(eq: usize, end: usize) -> FirstParam {
        match (u16::try_from(eq), u16::try_from(end)) {
            (Ok(eq), Ok(end)) => FirstParam { eq, end },
            _ => FirstParam::NONE,
        }
    }

    /// The hint of a parameter text, found by scanning it (what the span
    /// readers record while reading).
    pub(crate) fn of(text: &str) -> FirstParam {
        let b = text.as_bytes();
        if b.first() != Some(&b';') {
            return FirstParam::NONE;
        }
        let eq = 1 + run(&b[1..], TOKEN);
        if eq == 1 || b.get(eq) != Some(&b'=') {
            return FirstParam::NONE;
        }
        let end = eq + 1 + run(&b[eq + 1..], GEN_VALUE);
        if end == eq + 1 || (end < b.len() && b[end] != b';') {
            return FirstParam::NONE;
        }
        FirstParam::new(eq, end)
    }
}

impl<'a> Params<'a> {
    /// The raw text, starting with the first `;` (or empty).
    pub fn as_str(&self) -> &'a str {
        self.0
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each parameter as (name, value).
    pub fn iter(&self) -> ParamIter<'a> {
        ParamIter(self.0)
    }

    /// The value of `name` (case-insensitive); `Some(None)` when present
    /// without a value.
    #[inline]
    pub fn get(&self, name: &str) -> Option<Option<&'a str>> {
        // The first parameter as recorded by the span readers: its name is
        // a token, so a name equal to it (ignoring case) is one too, and
        // its value runs to the `;` or the end, as `unquoted_value` finds.
        // Inlined so that a literal name is compared as a constant.
        let s = self.0;
        let FirstParam { eq, end } = self.1;
        if eq != 0
            && usize::from(eq) == name.len() + 1
            && let (Some(n), Some(v)) = (
                s.as_bytes().get(1..usize::from(eq)),
                s.get(usize::from(eq) + 1..usize::from(end)),
            )
            && (n == name.as_bytes() || n.eq_ignore_ascii_case(name.as_bytes()))
        {
            return Some(Some(v));
        }
        // The text by value, so that a view built only for this call need
        // not be stored for the scan to read.
        Self::get_scan(s, name)
    }

    /// [`Params::get`] by reading the text `s`.
    fn get_scan(s: &'a str, name: &str) -> Option<Option<&'a str>> {
        // The text is a run of parameters that `params` accepted, so the
        // grammar need not be checked again: a name is a token, a value
        // runs to the next `;` outside quotes (less trailing LWS), and only
        // LWS separates a value from that `;`.
        let b = s.as_bytes();
        let mut k = 0;
        // The usual first parameter, `;name=value` with no LWS and no
        // quotes: what the loop below finds, without its skips.
        let nb = name.as_bytes();
        let n = nb.len();
        if b.len() > n + 2
            && b[0] == b';'
            && b[n + 1] == b'='
            && b[n + 2] != b'"'
            && !matches!(b[n + 2], b' ' | b'\t' | b'\r' | b'\n')
            && b[1..=n].eq_ignore_ascii_case(nb)
            && n > 0
            && run(nb, TOKEN) == n
        {
            return Some(Some(unquoted_value(s, n + 2)));
        }
        loop {
            k = skip_lws(b, k);
            if k >= b.len() {
                return None;
            }
            k = skip_lws(b, k + 1); // past the ';'
            let n = run(&b[k..], TOKEN);
            let found = n == name.len() && b[k..k + n].eq_ignore_ascii_case(name.as_bytes());
            k = skip_lws(b, k + n);
            if b.get(k) != Some(&b'=') {
                if found {
                    return Some(None);
                }
                continue;
            }
            let v = skip_lws(b, k + 1);
            if b.get(v) == Some(&b'"') {
                let len = quoted_string(&s[v..])
                    .map_or(s.len() - v, |(rest, _)| s.len() - v - rest.len());
                if found {
                    return Some(Some(&s[v + 1..v + len - 1]));
                }
                k = v + len;
            } else {
                if found {
                    return Some(Some(unquoted_value(s, v)));
                }
                k = crate::grammar::find_byte(&b[v..], b';').map_or(b.len(), |e| v + e);
            }
        }
    }

    /// Whether `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The value of `name` as a number.
    pub fn get_u32(&self, name: &str) -> Option<u32> {
        self.get(name).flatten().and_then(crate::grammar::parse_u32)
    }
}

/// The unquoted parameter value at `v` of a parameter text: up to the next
/// `;`, less trailing LWS.
#[inline]
fn unquoted_value(s: &str, v: usize) -> &str {
    let b = s.as_bytes();
    let mut e = crate::grammar::find_byte(&b[v..], b';').map_or(b.len(), |e| v + e);
    while e > v && matches!(b[e - 1], b' ' | b'\t' | b'\r' | b'\n') {
        e -= 1;
    }
    &s[v..e]
}

/// Iterator over [`Params`].
#[derive(Debug, Clone)]
pub struct ParamIter<'a>(&'a str);

impl<'a> Iterator for ParamIter<'a> {
    type Item = (&'a str, Option<&'a str>);
    fn next(&mut self) -> Option<Self::Item> {
        let (rest, name, value) = next_param(self.0)?;
        self.0 = rest;
        let value = value.map(|v| {
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v)
        });
        Some((name, value))
    }
}

impl fmt::Display for Params<'_> {
    /// Canonical form: `;name=value` with no whitespace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Re-read the raw values so quoted ones keep their quotes.
        let mut rest = self.0;
        while let Some((r, name, value)) = next_param(rest) {
            write!(f, ";{name}")?;
            if let Some(v) = value {
                write!(f, "={v}")?;
            }
            rest = r;
        }
        Ok(())
    }
}

/// Splits a list header value at the commas that separate elements,
/// ignoring commas inside quoted strings and `<...>` (RFC 3261 section 7.3.1).
/// Yields each element's offset in `value` and its trimmed text.
/// With `list` false the whole value is the one element.
pub(crate) fn split_list(value: &str, list: bool) -> impl Iterator<Item = (usize, &str)> {
    let bytes = value.as_bytes();
    let mut start = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        if !list || (start == 0 && crate::grammar::find_byte(bytes, b',').is_none()) {
            // One element; list values arrive trimmed from the message.
            done = true;
            let (lead, item) = scalar::trim_lws(value);
            return Some((lead, item));
        }
        let (mut quoted, mut angle) = (false, false);
        let mut k = start;
        while k < bytes.len() {
            match bytes[k] {
                b'\\' if quoted => k += 1,
                b'"' => quoted = !quoted,
                b'<' if !quoted => angle = true,
                b'>' if !quoted => angle = false,
                b',' if !quoted && !angle => break,
                _ => {}
            }
            k += 1;
        }
        let end = k.min(bytes.len());
        let raw = &value[start..end];
        let trimmed_start = raw.len() - raw.trim_start_matches(crate::grammar::is_lws).len();
        let item = raw.trim_matches(crate::grammar::is_lws);
        let off = start + trimmed_start;
        if end >= bytes.len() {
            done = true;
        } else {
            start = end + 1;
        }
        Some((off, item))
    })
}

/// Text that is printed as is (products, subjects, comments).
pub(crate) fn text_value(value: &str) -> &str {
    value.trim_matches(crate::grammar::is_lws)
}

/// Writes a display name, quoting it unless it is a plain token run.
pub(crate) fn write_display(f: &mut fmt::Formatter<'_>, d: &DisplayName<'_>) -> fmt::Result {
    match d {
        DisplayName::Quoted(raw) => write!(f, "\"{raw}\""),
        DisplayName::Tokens(t) => {
            // Collapse folded whitespace between the tokens.
            let mut first = true;
            for part in t.split(crate::grammar::is_lws).filter(|p| !p.is_empty()) {
                if !first {
                    f.write_str(" ")?;
                }
                f.write_str(part)?;
                first = false;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::eq_ic;

    #[test]
    fn params_with_lws_and_quotes() {
        let (rest, p) = params(" ;   tag    = 1918181833n ; x=\"a;b\" ;lr").unwrap();
        assert_eq!(rest, "");
        assert_eq!(p.get("TAG"), Some(Some("1918181833n")));
        assert_eq!(p.get("x"), Some(Some("a;b")));
        assert_eq!(p.get("lr"), Some(None));
        assert_eq!(p.to_string(), ";tag=1918181833n;x=\"a;b\";lr");
    }

    proptest::proptest! {
        /// `Params::get` skips the grammar checks; it must agree with the
        /// parameter iterator on every text `params` accepts.
        #[test]
        fn get_matches_iter(
            raw in "(( |\r\n )?;( )?(tag|TAG|x|lr|br|branch|q)(( )?=( )?([a-z0-9.:@\\[\\]-]{1,6}|\"[a-z ;=\\\\]{0,5}\"))?( )?){0,5}[;,\" a-z]{0,2}",
            name in "(tag|x|lr|branch|q|y)",
        ) {
            let (_, p) = params(&raw).unwrap();
            let reference = p.iter().find(|(n, _)| eq_ic(n, &name)).map(|(_, v)| v);
            proptest::prop_assert_eq!(p.get(&name), reference);
            // With the first parameter recorded, as the span readers do.
            let hinted = Params(p.0, FirstParam::of(p.0));
            proptest::prop_assert_eq!(hinted.get(&name), reference);
            proptest::prop_assert_eq!(hinted, p);
        }
    }

    #[test]
    fn first_param_hint() {
        let text = ";Branch=z9hG4bK-1;rport";
        let p = Params(text, FirstParam::of(text));
        assert_eq!(p.1, FirstParam { eq: 7, end: 17 });
        assert_eq!(p.get("branch"), Some(Some("z9hG4bK-1")));
        assert_eq!(p.get("rport"), Some(None));
        for text in [";tag", ";tag=\"x\"", "; tag=x", ";tag=x ;y", ";tag=", ""] {
            assert_eq!(FirstParam::of(text), FirstParam::NONE, "{text}");
        }
        // A hint that does not fit its text is ignored, not trusted.
        let p = Params(";t=1", FirstParam { eq: 9, end: 12 });
        assert_eq!(p.get("t"), Some(Some("1")));
        assert_eq!(format!("{p:?}"), "Params(\";t=1\")");
    }

    #[test]
    fn list_split_respects_quotes_and_brackets() {
        let items: Vec<_> = split_list(r#""a, b" <sip:x;p=1,2>;q=1 , <sip:y>"#, true).collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].1, r#""a, b" <sip:x;p=1,2>;q=1"#);
        assert_eq!(items[1], (27, "<sip:y>"));
        let empty: Vec<_> = split_list("a,,b", true).map(|x| x.1).collect();
        assert_eq!(empty, ["a", "", "b"]);
    }
}
