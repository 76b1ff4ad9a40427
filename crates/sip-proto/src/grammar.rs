//! Character classes and small nom parsers of the RFC 3261 section 25 ABNF.
//!
//! Header values are parsed in place, so folded lines are still in them:
//! every parser here treats CR and LF like SP (after framing, a line end
//! inside a header value can only be folding, RFC 3261 section 7.3.1).

use nom::{
    IResult, Parser,
    character::complete::char,
    error::{Error, ErrorKind},
};

// Character classes of RFC 3261 section 25.1 as bits of one table, so a
// scanner tests a byte with one load and one AND.
pub(crate) const TOKEN: u16 = 1;
pub(crate) const WORD: u16 = 1 << 1;
pub(crate) const UNRESERVED: u16 = 1 << 2;
pub(crate) const USER: u16 = 1 << 3;
pub(crate) const PASSWORD: u16 = 1 << 4;
pub(crate) const PARAM: u16 = 1 << 5;
pub(crate) const HEADER: u16 = 1 << 6;
/// Host name characters: alphanum, `-`, `.`, and `_` (seen in the wild).
pub(crate) const HOST: u16 = 1 << 7;
/// An unquoted `gen-value`: token, host, or an unbracketed IPv6 `received`.
pub(crate) const GEN_VALUE: u16 = 1 << 8;
/// `%` alone: `is(c, USER | PCT)` is a byte [`run_escaped`] takes.
pub(crate) const PCT: u16 = 1 << 9;

const fn build_classes() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        let alnum = b.is_ascii_alphanumeric();
        let token = alnum
            || matches!(
                b,
                b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
            );
        let word = token
            || matches!(
                b,
                b'(' | b')'
                    | b'<'
                    | b'>'
                    | b':'
                    | b'\\'
                    | b'"'
                    | b'/'
                    | b'['
                    | b']'
                    | b'?'
                    | b'{'
                    | b'}'
            );
        let unreserved = alnum
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
            );
        let user = unreserved || matches!(b, b'&' | b'=' | b'+' | b'$' | b',' | b';' | b'?' | b'/');
        let password = unreserved || matches!(b, b'&' | b'=' | b'+' | b'$' | b',');
        let param = unreserved || matches!(b, b'[' | b']' | b'/' | b':' | b'&' | b'+' | b'$');
        let header = unreserved || matches!(b, b'[' | b']' | b'/' | b'?' | b':' | b'+' | b'$');
        let host = alnum || matches!(b, b'-' | b'.' | b'_');
        let gen_value = token || matches!(b, b':' | b'[' | b']' | b'/' | b'@');
        t[c] = ((token as u16) * TOKEN)
            | ((word as u16) * WORD)
            | ((unreserved as u16) * UNRESERVED)
            | ((user as u16) * USER)
            | ((password as u16) * PASSWORD)
            | ((param as u16) * PARAM)
            | ((header as u16) * HEADER)
            | ((host as u16) * HOST)
            | ((gen_value as u16) * GEN_VALUE)
            | (((b == b'%') as u16) * PCT);
        c += 1;
    }
    t
}

static CLASSES: [u16; 256] = build_classes();

/// Whether byte `b` is in every class of `mask`.
#[inline]
pub(crate) fn is(b: u8, mask: u16) -> bool {
    CLASSES[b as usize] & mask != 0
}

/// Length of the leading run of bytes in class `mask`.
#[inline]
pub(crate) fn run(s: &[u8], mask: u16) -> usize {
    run_from(s, 0, s.len(), mask)
}

/// The end of the run of bytes in class `mask` from `k`, before `e`:
/// eight bytes a step while they all are in the class (their class bits
/// ANDed, one branch), then byte by byte.
#[inline(always)]
pub(crate) fn run_from(b: &[u8], mut k: usize, e: usize, mask: u16) -> usize {
    let e = e.min(b.len());
    while k + 8 <= e {
        let w = &b[k..k + 8];
        let all = CLASSES[w[0] as usize]
            & CLASSES[w[1] as usize]
            & CLASSES[w[2] as usize]
            & CLASSES[w[3] as usize]
            & CLASSES[w[4] as usize]
            & CLASSES[w[5] as usize]
            & CLASSES[w[6] as usize]
            & CLASSES[w[7] as usize];
        if all & mask == 0 {
            break;
        }
        k += 8;
    }
    while k < e && is(b[k], mask) {
        k += 1;
    }
    k
}

/// Length of the leading run of bytes in class `mask` or `%HH` escapes
/// (a `%` that is no escape is kept literally, RFC 4475 3.1.1.5).
#[inline]
pub(crate) fn run_escaped(s: &[u8], mask: u16) -> usize {
    s.iter()
        .position(|&b| !(is(b, mask) || b == b'%'))
        .unwrap_or(s.len())
}

/// `token` (RFC 3261 section 25.1).
#[inline]
pub(crate) fn is_token_char(c: char) -> bool {
    c.is_ascii() && is(c as u8, TOKEN)
}

/// `word` (RFC 3261 section 25.1), used by Call-ID.
#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_ascii() && is(c as u8, WORD)
}

/// `unreserved` = alphanum / mark.
#[inline]
pub(crate) fn is_unreserved(c: char) -> bool {
    c.is_ascii() && is(c as u8, UNRESERVED)
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Bit 7 of each byte of the result is set where `w` has a zero byte
/// (exact for the lowest such byte, which is the one we report).
#[inline]
fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(LO) & !w & HI
}

/// Position of the first `n` in `hay`: sixteen bytes at a time with SSE2
/// (part of every x86_64 CPU), then eight at a time ([`find_byte_swar`],
/// which gives the same answer everywhere, see the tests).
#[inline]
pub(crate) fn find_byte(hay: &[u8], n: u8) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        let mut base = 0;
        while hay.len() - base >= 16 {
            let m = eq_mask16(&hay[base..base + 16], n);
            if m != 0 {
                return Some(base + m.trailing_zeros() as usize);
            }
            base += 16;
        }
        find_byte_swar(&hay[base..], n).map(|k| base + k)
    }
    #[cfg(not(target_arch = "x86_64"))]
    find_byte_swar(hay, n)
}

/// Bit `i` set where `chunk[i] == n`, for a 16-byte chunk (SSE2).
#[cfg(target_arch = "x86_64")]
#[inline]
fn eq_mask16(chunk: &[u8], n: u8) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    assert!(chunk.len() >= 16);
    // SAFETY: the assertion above keeps the 16-byte read inside `chunk`;
    // `_mm_loadu_si128` has no alignment requirement; SSE2, which all four
    // intrinsics need, is part of the x86_64 baseline, so it is present on
    // every target this compiles for.
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
        _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(n as i8))) as u32
    }
}

/// For the sixteen bytes of `chunk` (at least sixteen): bit `i` of the
/// first mask set where `chunk[i]` is a [`HOST`] byte (letters, digits,
/// `-`, `.`, `_`), of the second where it is a dot. SSE2 on x86_64 (letters
/// and digits as unsigned ranges), else [`host_masks16_scalar`], its tested
/// twin.
#[inline]
pub(crate) fn host_masks16(chunk: &[u8]) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    {
        host_masks16_sse2(chunk)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        host_masks16_scalar(chunk)
    }
}

#[cfg(target_arch = "x86_64")]
#[inline]
fn host_masks16_sse2(chunk: &[u8]) -> (u32, u32) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_sub_epi8,
    };
    assert!(chunk.len() >= 16);
    // SAFETY: the assertion above keeps the 16-byte read inside `chunk`;
    // `_mm_loadu_si128` has no alignment requirement; SSE2, which every
    // intrinsic here needs, is part of the x86_64 baseline, so it is
    // present on every target this compiles for.
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
        // `x` in `lo..=lo + span` (unsigned): `x - lo` is its own minimum with `span`.
        let in_range = |x: __m128i, lo: u8, span: u8| {
            let t = _mm_sub_epi8(x, _mm_set1_epi8(lo as i8));
            _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(span as i8)), t)
        };
        // Setting bit 5 maps exactly the upper and lower case letters to
        // `a..=z`.
        let letter = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', 25);
        let digit = in_range(v, b'0', 9);
        let dot = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'.' as i8));
        let dash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'-' as i8));
        let under = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'_' as i8));
        let host = _mm_or_si128(
            _mm_or_si128(letter, digit),
            _mm_or_si128(dot, _mm_or_si128(dash, under)),
        );
        (
            _mm_movemask_epi8(host) as u32,
            _mm_movemask_epi8(dot) as u32,
        )
    }
}

/// The byte loop twin of [`host_masks16`].
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn host_masks16_scalar(chunk: &[u8]) -> (u32, u32) {
    chunk[..16]
        .iter()
        .enumerate()
        .fold((0, 0), |(h, d), (i, &c)| {
            (
                h | (u32::from(is(c, HOST)) << i),
                d | (u32::from(c == b'.') << i),
            )
        })
}

/// Position of the first `n` in `hay`, eight bytes at a time: the portable
/// twin of [`find_byte`].
#[inline]
pub(crate) fn find_byte_swar(hay: &[u8], n: u8) -> Option<usize> {
    let pat = LO.wrapping_mul(u64::from(n));
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        let z = zero_bytes(w ^ pat);
        if z != 0 {
            return Some(base + (z.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == n)
        .map(|k| base + k)
}

/// Up to eight bytes as a little-endian word, zero padded, without a
/// byte loop: two overlapping loads.
#[inline]
pub(crate) fn load_partial(s: &[u8]) -> u64 {
    let n = s.len();
    if n >= 8 {
        u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]])
    } else if n >= 4 {
        let lo = u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
        let hi = u64::from(u32::from_le_bytes([s[n - 4], s[n - 3], s[n - 2], s[n - 1]]));
        lo | (hi << (8 * (n - 4)))
    } else if n > 0 {
        u64::from(s[0])
            | (u64::from(s[n / 2]) << (8 * (n / 2)))
            | (u64::from(s[n - 1]) << (8 * (n - 1)))
    } else {
        0
    }
}

/// Bit `i` set where `chunk[i] == n`, for the first sixteen bytes of
/// `chunk` (at least sixteen): SSE2 on x86_64, else a byte loop (the tests
/// compare the two).
#[inline]
pub(crate) fn byte_mask16(chunk: &[u8], n: u8) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        eq_mask16(chunk, n)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        byte_mask16_scalar(chunk, n)
    }
}

/// The byte loop twin of [`byte_mask16`].
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn byte_mask16_scalar(chunk: &[u8], n: u8) -> u32 {
    chunk[..16]
        .iter()
        .enumerate()
        .fold(0, |m, (i, &c)| m | (u32::from(c == n) << i))
}

/// For a host run `b[k..n]` of at most sixteen bytes with sixteen bytes of
/// `b` readable from `k`: whether it has no empty label (no leading dot,
/// no two dots in a row), from one mask of its dots. What
/// `first != '.' && !has_double_dot(..)` answers (tested).
#[inline]
pub(crate) fn labels_ok16(b: &[u8], k: usize, n: usize) -> bool {
    let dots = byte_mask16(&b[k..k + 16], b'.') & ((1u32 << (n - k)) - 1);
    dots & 1 == 0 && dots & (dots >> 1) == 0
}

/// Whether `b` holds two dots in a row, eight bytes at a time: a host
/// name has no empty label.
pub(crate) fn has_double_dot(b: &[u8]) -> bool {
    const DOTS: u64 = 0x2E2E_2E2E_2E2E_2E2E;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let mut carry = false; // the previous word ended with a dot
    for chunk in b.chunks(8) {
        let x = load_partial(chunk) ^ DOTS;
        // Bit 7 of each byte set exactly where that byte of `x` is zero,
        // i.e. where the chunk has a dot (zero padding gives 0x2E, no dot).
        let t = !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
        if t & (t >> 8) != 0 || (carry && t & 0x80 != 0) {
            return true;
        }
        carry = chunk.len() == 8 && t >> 63 != 0;
    }
    false
}

/// Position of the first `a` or `b` in `hay`: sixteen bytes at a time
/// with SSE2, then eight at a time ([`find_byte2_swar`], its tested twin).
#[inline]
pub(crate) fn find_byte2(hay: &[u8], a: u8, b: u8) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        let mut base = 0;
        while hay.len() - base >= 16 {
            let chunk = &hay[base..base + 16];
            let m = eq_mask16(chunk, a) | eq_mask16(chunk, b);
            if m != 0 {
                return Some(base + m.trailing_zeros() as usize);
            }
            base += 16;
        }
        find_byte2_swar(&hay[base..], a, b).map(|k| base + k)
    }
    #[cfg(not(target_arch = "x86_64"))]
    find_byte2_swar(hay, a, b)
}

/// Position of the first `a` or `b` in `hay`, eight bytes at a time: the
/// portable twin of [`find_byte2`].
#[inline]
pub(crate) fn find_byte2_swar(hay: &[u8], a: u8, b: u8) -> Option<usize> {
    let (pa, pb) = (LO.wrapping_mul(u64::from(a)), LO.wrapping_mul(u64::from(b)));
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        let z = zero_bytes(w ^ pa) | zero_bytes(w ^ pb);
        if z != 0 {
            return Some(base + (z.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&x| x == a || x == b)
        .map(|k| base + k)
}

/// Whitespace inside a header value: SP, HTAB and the line ends of folding.
pub(crate) fn is_lws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// `SWS`: optional linear whitespace.
pub(crate) fn sws(i: &str) -> IResult<&str, &str> {
    let n = i
        .bytes()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(i.len());
    Ok((&i[n..], &i[..n]))
}

/// `token`.
pub(crate) fn token(i: &str) -> IResult<&str, &str> {
    match run(i.as_bytes(), TOKEN) {
        0 => Err(nom_err(i, ErrorKind::TakeWhile1)),
        n => Ok((&i[n..], &i[..n])),
    }
}

/// A separator with optional whitespace either side (`SEMI`, `COMMA`,
/// `EQUAL`, `SLASH`, `COLON`, `LAQUOT` …).
pub(crate) fn sep(c: char) -> impl FnMut(&str) -> IResult<&str, char> {
    move |i| {
        let (i, _) = sws(i)?;
        let (i, c) = char(c).parse(i)?;
        let (i, _) = sws(i)?;
        Ok((i, c))
    }
}

/// `quoted-string`: returns the content between the quotes, still escaped.
///
/// quoted-pair (`\` followed by any of %x00-09 / %x0B-0C / %x0E-7F) is
/// skipped as a unit, so `\"` does not end the string.
pub(crate) fn quoted_string(i: &str) -> IResult<&str, &str> {
    let (rest, _) = char('"').parse(i)?;
    let bytes = rest.as_bytes();
    let mut k = 0;
    while let Some(d) = find_byte2(&bytes[k..], b'"', b'\\') {
        k += d;
        if bytes[k] == b'"' {
            return Ok((&rest[k + 1..], &rest[..k]));
        }
        // The escaped character must be ASCII other than CR and LF.
        match bytes.get(k + 1) {
            Some(&b) if b < 0x80 && b != b'\r' && b != b'\n' => k += 2,
            _ => return Err(nom_err(&rest[k..], ErrorKind::Escaped)),
        }
    }
    Err(nom_err(i, ErrorKind::Char))
}

/// Removes the quoted-pair escapes of a quoted-string's content.
pub fn unquote(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\\') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Decodes `%HH` escapes (RFC 3261 section 19.1.2) once. Malformed escapes
/// are kept literally.
pub fn unescape(s: &str) -> std::borrow::Cow<'_, [u8]> {
    if !s.contains('%') {
        return std::borrow::Cow::Borrowed(s.as_bytes());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'%'
            && k + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[k + 1]), hex(b[k + 2]))
        {
            out.push((h << 4) | l);
            k += 3;
            continue;
        }
        out.push(b[k]);
        k += 1;
    }
    std::borrow::Cow::Owned(out)
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

pub(crate) fn nom_err(i: &str, kind: ErrorKind) -> nom::Err<Error<&str>> {
    nom::Err::Error(Error::new(i, kind))
}

/// Parses a decimal integer that fits `u32` (RFC 3261 requires CSeq and
/// other scalars below 2**32); leading zeros are allowed.
pub(crate) fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 32 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut v: u64 = 0;
    for b in s.bytes() {
        v = v * 10 + u64::from(b - b'0');
        if v > u64::from(u32::MAX) {
            return None;
        }
    }
    Some(v as u32)
}

/// Case-insensitive ASCII comparison.
pub(crate) fn eq_ic(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_string_honours_quoted_pairs() {
        let (rest, q) = quoted_string(r#""J Rosenberg \\\"" <x>"#).unwrap();
        assert_eq!(q, r#"J Rosenberg \\\""#);
        assert_eq!(unquote(q), r#"J Rosenberg \""#);
        assert_eq!(rest, " <x>");
        assert!(quoted_string("\"unterminated").is_err());
    }

    #[test]
    fn host_masks16_every_byte_value() {
        // Every byte value at every position of the chunk.
        for c in 0..=255u8 {
            for at in 0..16 {
                let mut chunk = [b'a'; 16];
                chunk[at] = c;
                let (h, d) = host_masks16(&chunk);
                assert_eq!((h, d), host_masks16_scalar(&chunk), "{c:#x} at {at}");
                assert_eq!(h >> at & 1 == 1, is(c, HOST), "{c:#x}");
                assert_eq!(d >> at & 1 == 1, c == b'.', "{c:#x}");
            }
        }
    }

    #[test]
    fn run_from_matches_a_byte_loop() {
        // Every byte value, in class runs of every length, at every offset.
        let mut text = Vec::new();
        for c in 0..=255u8 {
            for len in 0..20 {
                text.extend(std::iter::repeat_n(b'a', len));
                text.push(c);
            }
        }
        for mask in [TOKEN, WORD, HOST, GEN_VALUE, USER, PARAM, TOKEN | HOST] {
            for k in 0..text.len() {
                for e in [(k + 40).min(text.len()), (k + 13).min(text.len())] {
                    let naive = (k..e).find(|&i| !is(text[i], mask)).unwrap_or(e);
                    assert_eq!(run_from(&text, k, e, mask), naive);
                }
            }
        }
    }

    #[test]
    fn unescape_decodes_once() {
        assert_eq!(&*unescape("value%2541"), b"value%41");
        assert_eq!(&*unescape("%00a"), b"\0a");
        assert_eq!(&*unescape("%Z%45"), b"%ZE");
        assert_eq!(&*unescape("50%"), b"50%");
    }

    #[test]
    fn u32_bounds() {
        assert_eq!(parse_u32("0009"), Some(9));
        assert_eq!(parse_u32("4294967295"), Some(u32::MAX));
        assert_eq!(parse_u32("4294967296"), None);
        assert_eq!(parse_u32("-1"), None);
        assert_eq!(parse_u32(""), None);
    }
}

#[cfg(test)]
mod class_tests {
    use super::*;

    #[test]
    fn classes_match_the_abnf() {
        for c in [
            'a', 'Z', '0', '-', '.', '!', '%', '*', '_', '+', '`', '\'', '~',
        ] {
            assert!(is_token_char(c), "{c}");
        }
        for c in [
            '(', ')', '<', '>', ':', '"', '/', '[', ']', '?', '{', '}', ' ', ',', ';', '@', '=',
        ] {
            assert!(!is_token_char(c), "{c}");
        }
        assert!(is_word_char('(') && is_word_char('"') && !is_word_char('@') && !is_word_char(' '));
        assert!(is(b';', USER) && is(b'?', USER) && !is(b'@', USER) && !is(b':', USER));
        assert!(is(b'&', PASSWORD) && !is(b';', PASSWORD));
        assert!(
            is(b':', PARAM)
                && is(b'[', PARAM)
                && !is(b';', PARAM)
                && !is(b'=', PARAM)
                && !is(b'?', PARAM)
        );
        assert!(is(b'?', HEADER) && !is(b'&', HEADER) && !is(b'=', HEADER));
        assert!(!is(0x80, TOKEN | WORD | USER | HOST));
        for c in 0..=255u8 {
            for mask in [USER, PASSWORD, PARAM, HEADER] {
                assert_eq!(is(c, mask | PCT), is(c, mask) || c == b'%');
            }
        }
    }
}

#[cfg(test)]
mod find_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn find_byte_matches_position(hay in proptest::collection::vec(prop_oneof![any::<u8>(), Just(b'\n'), Just(b'a')], 0..120), n in prop_oneof![any::<u8>(), Just(b'\n'), Just(b'a')], m in any::<u8>()) {
            prop_assert_eq!(find_byte(&hay, n), hay.iter().position(|&b| b == n));
            prop_assert_eq!(find_byte_swar(&hay, n), hay.iter().position(|&b| b == n));
            prop_assert_eq!(find_byte2(&hay, n, m), hay.iter().position(|&b| b == n || b == m));
            prop_assert_eq!(find_byte2_swar(&hay, n, m), hay.iter().position(|&b| b == n || b == m));
        }

        #[test]
        fn double_dot_matches_windows(
            hay in proptest::collection::vec(prop_oneof![Just(b'.'), Just(b'a'), Just(0u8), Just(0x2Eu8 ^ 0x80), any::<u8>()], 0..40),
        ) {
            prop_assert_eq!(has_double_dot(&hay), hay.windows(2).any(|w| w == b".."));
        }

        #[test]
        fn byte_mask16_and_labels_match_scalar(
            hay in proptest::collection::vec(prop_oneof![Just(b'.'), Just(b'a'), Just(b'1'), any::<u8>()], 16..40),
            k in 0usize..24,
            len in 0usize..17,
        ) {
            prop_assume!(k + 16 <= hay.len() && len >= 1);
            prop_assert_eq!(byte_mask16(&hay[k..], b'.'), byte_mask16_scalar(&hay[k..], b'.'));
            let h = &hay[k..k + len];
            prop_assert_eq!(labels_ok16(&hay, k, k + len), h[0] != b'.' && !has_double_dot(h));
        }

        #[test]
        fn host_masks16_match_scalar(
            hay in proptest::collection::vec(prop_oneof![Just(b'.'), Just(b'a'), Just(b'Z'), Just(b'9'), Just(b'_'), Just(b'-'), any::<u8>()], 16..48),
            k in 0usize..32,
        ) {
            prop_assume!(k + 16 <= hay.len());
            let (h, d) = host_masks16_scalar(&hay[k..]);
            prop_assert_eq!(host_masks16(&hay[k..]), (h, d));
            prop_assert_eq!(d, byte_mask16_scalar(&hay[k..], b'.'));
        }

        #[test]
        fn run_matches_position(
            hay in proptest::collection::vec(prop_oneof![any::<u8>(), Just(b'a'), Just(b'-'), Just(b':')], 0..40),
            pick in 0usize..9,
        ) {
            let mask = [TOKEN, WORD, UNRESERVED, USER, PASSWORD, PARAM, HEADER, HOST, TOKEN | HOST][pick];
            let expected = hay.iter().position(|&b| !is(b, mask)).unwrap_or(hay.len());
            prop_assert_eq!(run(&hay, mask), expected);
        }
    }
}
