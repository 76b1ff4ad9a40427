//! Span-producing parsers for the usual shapes of the core headers Via,
//! From, To and Contact (and of `sip:`/`sips:` URIs), which write the
//! cache's span structs directly from the head's bytes.
//!
//! They take a strict subset of the grammar: no folding or LWS outside a
//! display name, no escaped quotes, no IPv6 references, no URI headers,
//! no addr-spec without `<>`, no `Contact: *`. For anything else, and for
//! every error, they answer `None` and the caller runs the typed parsers
//! (`Via::parse`, `NameAddr::parse`, ...), which stay the reference: the
//! errors a message gets (kind and offset) are always theirs. The tests
//! below check that whenever these accept a value, the reference accepts
//! it too and gives the same spans.

use crate::cache::{ContactSpans, HostSpan, NameAddrSpans, OneOrMore, Span, UriSpans, ViaSpans};
use crate::grammar::{
    GEN_VALUE, HOST, PARAM, PASSWORD, PCT, TOKEN, USER, WORD, find_byte, find_byte2, host_masks16,
    is, labels_ok16,
};
use crate::headers::FirstParam;
use crate::uri::{host_kind, ipv4_prefix};

/// A span, empty ones as the default span (as `Span::of` gives them).
#[inline]
fn sp(s: usize, e: usize) -> Span {
    if s == e {
        Span::default()
    } else {
        Span::new(s, e)
    }
}

/// The end of the run of bytes in class `mask` from `k`, before `e`.
#[inline]
fn run_to(b: &[u8], k: usize, e: usize, mask: u16) -> usize {
    crate::grammar::run_from(b, k, e, mask)
}

/// [`run_to`] with `%` allowed too (as `grammar::run_escaped`).
#[inline]
fn run_escaped_to(b: &[u8], k: usize, e: usize, mask: u16) -> usize {
    let mask = mask | PCT;
    b[k..e]
        .iter()
        .position(|&c| !is(c, mask))
        .map_or(e, |n| k + n)
}

#[inline]
fn is_wsp(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// A host of host characters at `k` (no IPv6 reference): its span kind and end.
#[inline(always)]
fn host(b: &[u8], k: usize, e: usize) -> Option<(HostSpan, usize)> {
    // An IPv4 address that no host byte follows is the whole host run,
    // which `host_kind` would read as that address.
    if k < e
        && b[k].is_ascii_digit()
        && let Some((a, n)) = ipv4_prefix(&b[k..e])
        && (k + n == e || !is(b[k + n], HOST))
    {
        return Some((HostSpan::V4(a), k + n));
    }
    // A name (a first byte that is no digit, so no IPv4 address) that
    // ends within sixteen bytes: its run and its dots from one load, the
    // labels checked from the dots as `labels_ok16` does below.
    if k < e && k + 16 <= b.len() && !b[k].is_ascii_digit() {
        let (class, dots) = host_masks16(&b[k..k + 16]);
        let run = (!class).trailing_zeros() as usize; // at most 16
        if run < 16 || e <= k + 16 {
            let n = (k + run).min(e);
            if n > k {
                let dots = dots & ((1u32 << (n - k)) - 1);
                return (dots & 1 == 0 && dots & (dots >> 1) == 0)
                    .then_some((HostSpan::Name(Span::new(k, n)), n));
            }
        }
    }
    let n = run_to(b, k, e, HOST);
    // A name (a first byte that is no digit, so no IPv4 address) of at
    // most sixteen bytes: its labels checked from one mask of its dots,
    // which is what `host_kind` answers for it.
    if n > k && n - k <= 16 && k + 16 <= b.len() && !b[k].is_ascii_digit() {
        return labels_ok16(b, k, n).then_some((HostSpan::Name(Span::new(k, n)), n));
    }
    let h = match host_kind(&b[k..n])? {
        Some(a) => HostSpan::V4(a),
        None => HostSpan::Name(Span::new(k, n)),
    };
    Some((h, n))
}

/// `:port` at `k`, if there: the port and the end.
#[inline(always)]
fn port(b: &[u8], k: usize, e: usize) -> Option<(Option<u16>, usize)> {
    if k < e && b[k] == b':' {
        // As `port_bytes` over the digit run: one to five digits, at most
        // 65535, read while they are scanned.
        let mut n = k + 1;
        let mut v = 0u32;
        while n < e && b[n].is_ascii_digit() {
            v = v * 10 + u32::from(b[n] - b'0');
            n += 1;
            if n - k > 6 {
                return None;
            }
        }
        if n == k + 1 {
            return None;
        }
        Some((Some(u16::try_from(v).ok()?), n))
    } else {
        Some((None, k))
    }
}

/// A `sip:`/`sips:` URI that is exactly `b[s..e]`.
pub(crate) fn sip_uri(b: &[u8], s: usize, e: usize) -> Option<UriSpans> {
    let (u, end) = sip_uri_prefix(b, s, e)?;
    (end == e).then_some(u)
}

/// A `sip:`/`sips:` URI from `s`, read as far as its grammar goes (not
/// past `e`): its spans and where it stopped. No byte it takes is `>`, so
/// a URI in `<>` stops at the first `>`, where the typed parser ends it.
/// The userinfo ends at the first `@` from `s`: one beyond the URI's end
/// gives `None`, like one inside it that the userinfo does not reach.
#[inline(always)]
fn sip_uri_prefix(b: &[u8], s: usize, e: usize) -> Option<(UriSpans, usize)> {
    let u = &b[s..e];
    if u.len() < 5 {
        return None; // no host after `sip:`
    }
    // The scheme as one word: OR-ing 0x20 folds exactly the letters' case.
    let w = u32::from_le_bytes([u[0], u[1], u[2], u[3]]);
    let (secure, mut k) = if w | 0x0020_2020 == u32::from_le_bytes(*b"sip:") {
        (false, s + 4)
    } else if w | 0x2020_2020 == u32::from_le_bytes(*b"sips") && u[4] == b':' {
        (true, s + 5)
    } else {
        return None;
    };
    let (mut user, mut password) = (None, None);
    // As `SipUri::parse`: an '@' anywhere ends the userinfo. A user run
    // that stops at an '@' stops at the first one (USER has no '@').
    let ue = run_escaped_to(b, k, e, USER);
    let at = if ue < e && b[ue] == b'@' {
        Some(ue)
    } else {
        find_byte(&b[k..e], b'@').map(|at| k + at)
    };
    if let Some(at) = at {
        if ue == k {
            return None;
        }
        user = Some(sp(k, ue));
        let mut p = ue;
        if p < e && b[p] == b':' {
            let pe = run_escaped_to(b, p + 1, e, PASSWORD);
            password = Some(sp(p + 1, pe));
            p = pe;
        }
        if p != at {
            return None;
        }
        k = at + 1;
    }
    let (host, k) = host(b, k, e)?;
    let (port, mut k) = port(b, k, e)?;
    let pstart = k;
    while k < e && b[k] == b';' {
        let n = run_escaped_to(b, k + 1, e, PARAM);
        if n == k + 1 {
            return None;
        }
        k = n;
        if k < e && b[k] == b'=' {
            k = run_escaped_to(b, k + 1, e, PARAM);
        }
    }
    // URI headers are for the reference parser.
    if k < e && b[k] == b'?' {
        return None;
    }
    let u = UriSpans::Sip {
        secure,
        user,
        password,
        host,
        port,
        params: if k > pstart {
            sp(pstart + 1, k)
        } else {
            Span::default()
        },
        headers: None,
    };
    Some((u, k))
}

/// `*( ";" token [ "=" ( gen-value / quoted-string ) ] )` from `k` with no
/// LWS and no escaped quote: the end, and the first parameter as
/// [`FirstParam::of`] finds it in that text.
#[inline(always)]
fn gen_params(b: &[u8], mut k: usize, e: usize) -> Option<(usize, FirstParam)> {
    let start = k;
    let mut first = FirstParam::NONE;
    while k < e && b[k] == b';' {
        let p = k;
        let n = run_to(b, k + 1, e, TOKEN);
        if n == k + 1 {
            return None;
        }
        k = n;
        if k < e && b[k] == b'=' {
            k += 1;
            if k < e && b[k] == b'"' {
                let q = k + 1 + find_byte2(&b[k + 1..e], b'"', b'\\')?;
                if b[q] != b'"' {
                    return None;
                }
                k = q + 1;
            } else {
                let n = run_to(b, k, e, GEN_VALUE);
                if n == k {
                    return None;
                }
                if p == start {
                    first = FirstParam::new(k - 1 - start, n - start);
                }
                k = n;
            }
        }
    }
    Some((k, first))
}

/// A name-addr with `<>` from `k` (a byte other than LWS) to the end of
/// its parameters: the spans and that end.
#[inline(always)]
fn name_addr(b: &[u8], mut k: usize, e: usize) -> Option<(NameAddrSpans, usize)> {
    if k >= e {
        return None;
    }
    let display = match b[k] {
        b'<' => None,
        b'"' => {
            let q = k + 1 + find_byte2(&b[k + 1..e], b'"', b'\\')?;
            if b[q] != b'"' {
                return None;
            }
            let d = sp(k + 1, q);
            k = q + 1;
            while k < e && is_wsp(b[k]) {
                k += 1;
            }
            Some((true, d))
        }
        c if is(c, TOKEN) => {
            let start = k;
            while k < e && (is(b[k], TOKEN) || is_wsp(b[k])) {
                k += 1;
            }
            let mut end = k;
            while is_wsp(b[end - 1]) {
                end -= 1; // stops at the first byte, a token byte
            }
            Some((false, Span::new(start, end)))
        }
        _ => return None,
    };
    if k >= e || b[k] != b'<' {
        return None;
    }
    let (uri, gt) = sip_uri_prefix(b, k + 1, e)?;
    if gt >= e || b[gt] != b'>' {
        return None;
    }
    let (pe, first) = gen_params(b, gt + 1, e)?;
    Some((
        NameAddrSpans {
            display,
            uri,
            bracketed: true,
            params: sp(gt + 1, pe),
            first,
        },
        pe,
    ))
}

/// After a list element ending at `k`: `Some(Some(next))` when another
/// element follows a comma, `Some(None)` at the end of the value.
#[inline]
fn next_element(b: &[u8], mut k: usize, e: usize) -> Option<Option<usize>> {
    while k < e && is_wsp(b[k]) {
        k += 1;
    }
    if k == e {
        return Some(None);
    }
    if b[k] != b',' {
        return None;
    }
    k += 1;
    while k < e && is_wsp(b[k]) {
        k += 1;
    }
    Some(Some(k))
}

/// A From or To value `b[s..e]`.
pub(crate) fn from_to(b: &[u8], s: usize, e: usize) -> Option<NameAddrSpans> {
    let (n, end) = name_addr(b, s, e)?;
    (end == e).then_some(n)
}

/// Every element of a Contact value `b[s..e]`, pushed to `out`; on `None`
/// nothing was pushed.
pub(crate) fn contacts(
    b: &[u8],
    s: usize,
    e: usize,
    out: &mut OneOrMore<ContactSpans>,
) -> Option<()> {
    let n = out.len();
    let r = list(b, s, e, |k| {
        let (c, end) = name_addr(b, k, e)?;
        out.push(ContactSpans::Addr(c));
        Some(end)
    });
    if r.is_none() {
        out.truncate(n);
    }
    r
}

/// Every element of a Via value `b[s..e]`, pushed to `out`; on `None`
/// nothing was pushed.
pub(crate) fn vias(b: &[u8], s: usize, e: usize, out: &mut OneOrMore<ViaSpans>) -> Option<()> {
    let n = out.len();
    let r = list(b, s, e, |k| {
        let (v, end) = via(b, k, e)?;
        out.push(v);
        Some(end)
    });
    if r.is_none() {
        out.truncate(n);
    }
    r
}

#[inline]
fn list(b: &[u8], s: usize, e: usize, mut one: impl FnMut(usize) -> Option<usize>) -> Option<()> {
    if s >= e || is_wsp(b[s]) {
        return None;
    }
    let mut k = s;
    loop {
        let end = one(k)?;
        match next_element(b, end, e)? {
            Some(next) => k = next,
            None => return Some(()),
        }
    }
}

/// One Via value from `k`: `SIP/2.0/UDP host[:port]*(;param)`.
#[inline(always)]
fn via(b: &[u8], k: usize, e: usize) -> Option<(ViaSpans, usize)> {
    // `SIP/2.0/` as one word (what the token runs below find for it).
    let (pe, ve) = if e - k > 8 && b[k..k + 8] == *b"SIP/2.0/" {
        (k + 3, k + 7)
    } else {
        let pe = run_to(b, k, e, TOKEN);
        if pe == k || pe >= e || b[pe] != b'/' {
            return None;
        }
        let ve = run_to(b, pe + 1, e, TOKEN);
        if ve == pe + 1 || ve >= e || b[ve] != b'/' {
            return None;
        }
        (pe, ve)
    };
    let te = run_to(b, ve + 1, e, TOKEN);
    if te == ve + 1 {
        return None;
    }
    let mut h = te;
    while h < e && is_wsp(b[h]) {
        h += 1;
    }
    if h == te {
        return None;
    }
    let (host, he) = host(b, h, e)?;
    let (port, pend) = port(b, he, e)?;
    let (end, first) = gen_params(b, pend, e)?;
    Some((
        ViaSpans {
            protocol: Span::new(k, pe),
            version: Span::new(pe + 1, ve),
            transport: Span::new(ve + 1, te),
            host,
            port,
            params: sp(pend, end),
            first,
        },
        end,
    ))
}

/// A whole value `b[s..e]` of one to nine digits (so no overflow), as
/// Max-Forwards, Content-Length and the number of CSeq take it.
#[inline]
pub(crate) fn number(b: &[u8], s: usize, e: usize) -> Option<u32> {
    if s >= e || e - s > 9 {
        return None;
    }
    let mut v = 0u32;
    for &c in &b[s..e] {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// `Call-ID: word [ "@" word ]`, the whole value `b[s..e]`.
#[inline]
pub(crate) fn call_id(b: &[u8], s: usize, e: usize) -> Option<Span> {
    let first = run_to(b, s, e, WORD);
    if first == s {
        return None;
    }
    if first == e {
        return Some(Span::new(s, e));
    }
    if b[first] != b'@' {
        return None;
    }
    let end = run_to(b, first + 1, e, WORD);
    (end > first + 1 && end == e).then_some(Span::new(s, e))
}

/// `CSeq: digits SP method`, the whole value `b[s..e]`: the number and
/// the method's span.
#[inline]
pub(crate) fn cseq(b: &[u8], s: usize, e: usize) -> Option<(u32, Span)> {
    let mut d = s;
    while d < e && b[d].is_ascii_digit() {
        d += 1;
    }
    let seq = number(b, s, d)?;
    let mut m = d;
    while m < e && is_wsp(b[m]) {
        m += 1;
    }
    if m == d {
        return None;
    }
    let me = run_to(b, m, e, TOKEN);
    (me > m && me == e).then_some((seq, Span::new(m, me)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::OneOrMore;
    use crate::headers::{Contact, FromHeader, TypedHeader, Via, split_list};
    use crate::uri::Uri;

    fn reference_vias(v: &str) -> Option<Vec<ViaSpans>> {
        split_list(v, true)
            .map(|(_, x)| {
                Via::parse(x)
                    .ok()
                    .map(|via| ViaSpans::of(v.as_bytes(), &via))
            })
            .collect()
    }

    fn reference_contacts(v: &str) -> Option<Vec<ContactSpans>> {
        split_list(v, true)
            .map(|(_, x)| {
                Contact::parse(x)
                    .ok()
                    .map(|c| ContactSpans::of(v.as_bytes(), &c))
            })
            .collect()
    }

    fn all<T: Clone>(o: &OneOrMore<T>) -> Vec<T> {
        o.iter().cloned().collect()
    }

    fn check_value(v: &str) {
        // The value alone, and followed by bytes the readers must not take
        // (host and token bytes), as a value is followed in a message.
        let padded = format!("{v}a.b-c_0123456789abcdefghij");
        let mut answers = Vec::new();
        for text in [v, padded.as_str()] {
            // The reference reads the value in the same buffer, so that
            // spans compare.
            let (b, e, v) = (text.as_bytes(), v.len(), &text[..v.len()]);
            let mut out = OneOrMore::default();
            if vias(b, 0, e, &mut out).is_some() {
                assert_eq!(Some(all(&out)), reference_vias(v), "Via {v:?}");
            } else {
                assert_eq!(out.len(), 0);
            }
            let mut out = OneOrMore::default();
            if contacts(b, 0, e, &mut out).is_some() {
                assert_eq!(Some(all(&out)), reference_contacts(v), "Contact {v:?}");
            } else {
                assert_eq!(out.len(), 0);
            }
            if let Some(n) = from_to(b, 0, e) {
                let r = FromHeader::parse(v).expect("the reference accepts it");
                assert_eq!(n, NameAddrSpans::of(b, &r.0), "From {v:?}");
            }
            if let Some(u) = sip_uri(b, 0, e) {
                let r = Uri::parse(v).expect("the reference accepts it");
                assert_eq!(u, UriSpans::of(b, &r), "URI {v:?}");
            }
            // What the readers answer, which the bytes after the value
            // must not change.
            let mut vs = OneOrMore::default();
            let mut cs = OneOrMore::default();
            answers.push((
                vias(b, 0, e, &mut vs).map(|()| all(&vs)),
                contacts(b, 0, e, &mut cs).map(|()| all(&cs)),
                from_to(b, 0, e),
                sip_uri(b, 0, e),
            ));
        }
        assert_eq!(answers[0], answers[1], "{v:?} and after it other bytes");
    }

    fn check_scalar(v: &str) {
        use crate::headers::{CSeq, CallId, MaxForwards};
        let b = v.as_bytes();
        if let Some(n) = number(b, 0, b.len()) {
            assert_eq!(MaxForwards::parse(v).map(|m| m.0), Ok(n), "{v:?}");
        }
        if let Some(c) = call_id(b, 0, b.len()) {
            let r = CallId::parse(v).expect("the reference accepts it");
            assert_eq!(c, Span::of_str(b, r.0), "{v:?}");
        }
        if let Some((seq, m)) = cseq(b, 0, b.len()) {
            let r = CSeq::parse(v).expect("the reference accepts it");
            assert_eq!(r.seq, seq, "{v:?}");
            assert_eq!(r.method, crate::method::Method::from_token(&v[m.range()]));
        }
    }

    #[test]
    fn port_matches_port_bytes() {
        for v in [
            "", "0", "5060", "65535", "65536", "99999", "00080", "000080", "123456", "1a", "7;x",
        ] {
            let text = format!(":{v}");
            let b = text.as_bytes();
            let digits = 1 + v.bytes().take_while(u8::is_ascii_digit).count();
            let reference = crate::uri::port_bytes(&b[1..digits]).map(|p| (Some(p), digits));
            assert_eq!(port(b, 0, b.len()), reference, "{v:?}");
        }
    }

    #[test]
    fn scalars_agree() {
        for v in [
            "",
            "0",
            "70",
            "123456789",
            "1234567890",
            "4294967296",
            "7 ",
            " 7",
            "x",
            "1 INVITE",
            "1  INVITE",
            "1\tinvite",
            "1INVITE",
            "1 ",
            "99999999999 ACK",
            "1 IN VITE",
            "a@b",
            "a@",
            "@b",
            "a@b@c",
            "9f1c6d3e2b7a4c58a0d1e2f3a4b5c6d7@192.0.2.10",
            "a b",
            "(x)<y>",
        ] {
            check_scalar(v);
        }
        assert_eq!(number(b"70", 0, 2), Some(70));
        assert!(call_id(b"9f1c6d3e2b7a4c58a0d1e2f3a4b5c6d7@192.0.2.10", 0, 43).is_some());
        assert_eq!(cseq(b"2 INVITE", 0, 8), Some((2, Span::new(2, 8))));
    }

    proptest::proptest! {
        #[test]
        fn scalars_agree_with_the_reference(
            v in "[0-9 \t]{0,12}[A-Za-z@ .,\t!]{0,3}",
            w in "[a-z0-9()<>\\\\\"/\\[\\]?{}:.@ -]{0,12}",
        ) {
            check_scalar(&v);
            check_scalar(&w);
        }
    }

    #[test]
    fn benchmark_shapes_take_the_fast_path() {
        for v in [
            "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---5b5a6b7d0f6e0a52;rport",
            "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1;rport=5060;received=192.0.2.10, SIP/2.0/TCP pbx.example.com",
        ] {
            let mut out = OneOrMore::default();
            assert!(vias(v.as_bytes(), 0, v.len(), &mut out).is_some(), "{v}");
            check_value(v);
        }
        for v in [
            "<sip:6001@192.0.2.10:5060;transport=udp>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"",
            "<sip:6001@192.0.2.10:5060>;expires=3600, <sip:6001@198.51.100.7:5060>;expires=120",
            "\"Extension 6001\" <sip:6001@pbx.example.com>;tag=4e3d2b1c",
            "Bob Smith <sips:b@example.com>",
        ] {
            let mut out = OneOrMore::default();
            assert!(
                contacts(v.as_bytes(), 0, v.len(), &mut out).is_some(),
                "{v}"
            );
            check_value(v);
        }
    }

    #[test]
    fn fixed_cases_agree() {
        for v in [
            "",
            " ",
            "*",
            "<sip:a@b>,",
            "<sip:a@b>, ,<sip:c>",
            "<sip:a@b> ,<sip:c>",
            "<sip:a@b> ;tag=1",
            "<sip:a@b>;tag=",
            "<sip:a@b>;tag=\"x\\\"y\"",
            "<sip:a@b>;tag=\"x,y\", <sip:c>",
            "<sip:a,b@c>, <sip:d>",
            "<sip:@b>",
            "<sip:a:@b>",
            "<sip:a:pw@b:0;x;y=;z=1>",
            "<sip:b:65536>",
            "<sip:b:>",
            "<sip:1.2.3.4.5>",
            "<sip:1.2.3>",
            "<sip:a..b>",
            "<sip:.a>",
            "<sip:a.>",
            "<sip:a?x=y>",
            "<SIP:a>",
            "<tel:+123>",
            "\"\" <sip:a>",
            "\"a\"<sip:a>",
            "a b  <sip:a>",
            "a;b <sip:a>",
            "sip:a@b;tag=1",
            "SIP/2.0/UDP a",
            "SIP/2.0/UDP",
            "SIP/2.0/UDP  a:1;branch=x;;",
            "SIP/2.0/UDP [::1]",
            "SIP /2.0/UDP a",
            "SIP/2.0/UDP a ;x",
            "SIP/2.0/UDP a, SIP/2.0/UDP b",
            "SIP/2.0/UDP a:99999",
            "SIP/2.0/UDP 1.2.3.4;received=::1;x=\"q\"",
            // Host names around the sixteen bytes read at once.
            "<sip:a@abcdefghij.example>",
            "<sip:a@abcdefghijklmno>",
            "<sip:a@abcdefghijklmnop>",
            "<sip:a@abcdefghijklmnopq>",
            "<sip:a@Host_Name-1.EXAMPLE.com:5060>",
            "<sip:a@ab..cdefghijklmnopqrs>",
            "<sip:a@abcdefghijklmnop.>",
            "<sip:a@.bcdefghijklmnop>",
            "<sip:a@abcdefghijklmno.>;tag=1",
            "SIP/2.0/UDP abcdefghijklmnop",
            "SIP/2.0/UDP abcdefghijklmno",
            "SIP/2.0/UDP abcdefghijklmnopq;branch=z9hG4bK1",
            "SIP/2.0/UDP a_b.c-d.EFGHIJKLMN:5060",
            "SIP/2.0/UDP a\u{e9}b",
            "sip:abcdefghijklmnop",
            "sip:abcdefghijklmnopqrstuvwxyz.example.com",
            "sips:a@b.c.d.e.f.g.h.i",
        ] {
            check_value(v);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// Whenever the fast parsers accept a value, the typed parsers
        /// accept it too, with the same spans.
        #[test]
        fn fast_paths_agree_with_the_reference(
            v in "((|||\"[a-zA-Z ]{0,4}\" ?|\"[a-z,<>;\\\\]{0,3}\"|[a-zA-Z*]{1,3} |[a-z]{1,2}\t[a-z]{1,2}|[ ,;]{1,2})<(sip|sip|sips|SIP|tel):(|[a-z0-9]{1,3}@|[a-z0-9%]{1,3}:[a-z]{0,2}@|[a-z;,]{0,3}@)(h|[a-z]{1,4}\\.[a-z]{1,3}|192\\.0\\.2\\.[0-9]{1,3}|[0-9.]{1,5}|[a-z.]{0,4}|[a-zA-Z0-9._-]{12,20}|\\[::1\\])(|:[0-9]{1,5}|:[0-9]{0,6})(|;lr|;transport=(udp|tcp)|;[a-z=%]{0,4})(|\\?[a-z=]{0,3})>(|;tag=[a-z0-9]{1,4}|;expires=[0-9]{1,3}|;\\+sip\\.instance=\"<urn:[a-z:]{0,4}>\"|;[a-z+.]{0,3}(=([a-z0-9.:@]{0,4}|\"[a-z ,<>;\\\\]{0,4}\"))?| ;x)(|;tag=[a-z0-9]{1,4}|;expires=[0-9]{1,3}|;\\+sip\\.instance=\"<urn:[a-z:]{0,4}>\"|;[a-z+.]{0,3}(=([a-z0-9.:@]{0,4}|\"[a-z ,<>;\\\\]{0,4}\"))?| ;x)(|||[ ,;]{1,2})(|, |,| , |,,)){1,2}",
            w in "((SIP|SIP|SIP|s|SIP )/(2\\.0|2\\.0|)/(UDP|TCP|[A-Z]{0,2})( | |  |\t| \r\n )(192\\.0\\.2\\.1|[a-z]{1,3}\\.[a-z]{2}|[a-z0-9._]{0,6}|[a-zA-Z0-9._-]{12,20}|\\[::1\\])(|:5060|:[0-9]{1,6}| :5)(|;branch=z9hG4bK[a-z0-9]{1,4}|;rport|;received=[0-9.:]{1,6}|;[a-z]{0,3}(=([a-z0-9.:@\\[\\]]{0,4}|\"[a-z ,\\\\]{0,3}\"))?| ;x)(|;branch=z9hG4bK[a-z0-9]{1,4}|;rport|;received=[0-9.:]{1,6}|;[a-z]{0,3}(=([a-z0-9.:@\\[\\]]{0,4}|\"[a-z ,\\\\]{0,3}\"))?| ;x)(|;branch=z9hG4bK[a-z0-9]{1,4}|;rport|;received=[0-9.:]{1,6}|;[a-z]{0,3}(=([a-z0-9.:@\\[\\]]{0,4}|\"[a-z ,\\\\]{0,3}\"))?| ;x)(|||[ ,;]{1,2})(|, |,| , |,,)){1,2}",
        ) {
            check_value(&v);
            check_value(&w);
        }
    }

    /// Puts `c` into `v` at `at` (modulo its length): inserted, replacing
    /// the byte there, or that byte deleted.
    fn mutate(v: &str, m: Option<(usize, char, u8)>) -> String {
        let Some((at, c, op)) = m else {
            return v.to_string();
        };
        let mut s: Vec<char> = v.chars().collect();
        let at = at % (s.len() + 1);
        match op {
            0 => s.insert(at, c),
            1 if at < s.len() => s[at] = c,
            _ if at < s.len() => {
                s.remove(at);
            }
            _ => s.push(c),
        }
        s.into_iter().collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(6000))]

        /// Nearly valid values (one byte inserted, replaced or deleted in
        /// half of them): the fast paths take many, and must agree.
        #[test]
        fn fast_paths_agree_on_near_misses(
            v in "(|\"[a-zA-Z ]{0,4}\" ?|[a-zA-Z*]{1,3} ?|[a-z]{1,2}\t[a-z]{1,2} )<(sip|sips|SIP):([a-z0-9]{1,3}@|[a-z0-9%]{1,3}:[a-z]{0,2}@|)(h|[a-z]{1,4}\\.[a-z]{1,3}|192\\.0\\.2\\.[0-9]{1,3})(|:[0-9]{1,5})(|;lr|;transport=(udp|tcp)|;[a-z%]{1,3}=[a-z]{0,2})>(;tag=[a-z0-9]{1,4}|;expires=[0-9]{1,3}|;\\+sip\\.instance=\"<urn:[a-z:,]{0,4}>\"|;[a-z+.]{1,3}(=([a-z0-9.:@]{1,4}|\"[a-z ,<>;]{0,4}\"))?){0,2}((, |,| , )(|\"[a-zA-Z ]{0,4}\" ?|[a-zA-Z*]{1,3} ?|[a-z]{1,2}\t[a-z]{1,2} )<(sip|sips|SIP):([a-z0-9]{1,3}@|[a-z0-9%]{1,3}:[a-z]{0,2}@|)(h|[a-z]{1,4}\\.[a-z]{1,3}|192\\.0\\.2\\.[0-9]{1,3})(|:[0-9]{1,5})(|;lr|;transport=(udp|tcp)|;[a-z%]{1,3}=[a-z]{0,2})>(;tag=[a-z0-9]{1,4}|;expires=[0-9]{1,3}|;\\+sip\\.instance=\"<urn:[a-z:,]{0,4}>\"|;[a-z+.]{1,3}(=([a-z0-9.:@]{1,4}|\"[a-z ,<>;]{0,4}\"))?){0,2})?",
            w in "SIP/2\\.0/(UDP|TCP|[A-Z]{1,2})( |  |\t)(192\\.0\\.2\\.1|[a-z]{1,3}\\.[a-z]{2}|[a-z0-9_]{1,3})(|:5060|:[0-9]{1,5})(;branch=z9hG4bK[a-z0-9]{1,4}|;rport|;received=[0-9.:]{1,6}|;[a-z]{1,3}(=([a-z0-9.:@\\[\\]]{1,4}|\"[a-z ,]{0,3}\"))?){0,3}((, |,| , )SIP/2\\.0/(UDP|TCP|[A-Z]{1,2})( |  |\t)(192\\.0\\.2\\.1|[a-z]{1,3}\\.[a-z]{2}|[a-z0-9_]{1,3})(|:5060|:[0-9]{1,5})(;branch=z9hG4bK[a-z0-9]{1,4}|;rport|;received=[0-9.:]{1,6}|;[a-z]{1,3}(=([a-z0-9.:@\\[\\]]{1,4}|\"[a-z ,]{0,3}\"))?){0,3})?",
            m in proptest::option::of((0usize..200, proptest::sample::select(vec![' ', '\t', '\r', '\n', ',', ';', ':', '<', '>', '"', '\\', '@', '[', ']', '%', '=', '.', '/', '*', '?', '0', 'a', 'Z', '\u{e9}']), 0u8..3)),
        ) {
            check_value(&mutate(&v, m));
            check_value(&mutate(&w, m));
        }
    }
}
