//! The SDP parser (RFC 8866 sections 5 and 9).
//!
//! A single pass over the lines records the position of every field; nothing
//! is copied. Known attributes (`rtpmap`, `fmtp`, `ptime`, `maxptime`, `rtcp`,
//! `ssrc`, `mid`) are checked on the way.
//!
//! Lenient where real peers are sloppy: bare LF line ends, trailing spaces and
//! tabs, blank lines, several spaces between fields, session-level lines in any
//! order, a missing `s=` (read as `s=-`) or `t=` (read as `t=0 0`), an `o=`
//! session id or version that is not a number (Cisco phones send
//! `o=Cisco-SIPUA (null) (null) ...`; the fields are kept as written).
//! Strict about what cannot be understood: a missing `v=` or `o=`, a line that
//! is not `<type>=<value>`, an unknown type letter (RFC 8866 section 5 says to
//! reject such descriptions), a session-only line inside a media description,
//! repeated single lines, and malformed fields. Every error carries the 1-based
//! line number and a reason.

use bytes::Bytes;
use bytestring::ByteString;

use crate::attributes::{self, Direction, RawTyped};
use crate::session::{
    MediaList, Range, RawAttribute, RawBandwidth, RawConnection, RawMedia, RawOrigin, RawTiming,
    SessionDescription, Span,
};
use crate::swar::{LO, is_ws, ws_mask_block, ws_mask_words, zero_bytes};

/// A description that could not be parsed: where, and why.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("SDP line {line}: {reason}")]
pub struct ParseError {
    /// The 1-based line number (0 when the error is about the whole text).
    pub line: usize,
    /// What is wrong.
    pub reason: ParseErrorReason,
}

/// What is wrong with a description.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ParseErrorReason {
    /// The text is larger than 4 GiB.
    #[error("description too large")]
    TooLarge,
    /// The text is not UTF-8 (RFC 8866 section 5: the default charset is UTF-8).
    #[error("not valid UTF-8")]
    NotUtf8,
    /// The first line is not `v=`.
    #[error("a description must start with v=")]
    MissingVersion,
    /// There is no `o=` line.
    #[error("missing o= line")]
    MissingOrigin,
    /// The line is not `<type>=<value>`.
    #[error("expected `<type>=<value>`")]
    NotATypeLine,
    /// A type letter RFC 8866 does not define.
    #[error("unknown line type `{0}`")]
    UnknownType(char),
    /// A line that may appear once appears again.
    #[error("more than one `{0}=` line")]
    Duplicate(char),
    /// A line in a place the grammar does not allow it.
    #[error("`{0}=` is not allowed here")]
    Misplaced(char),
    /// A field of the line is malformed.
    #[error("bad `{line_type}=` line: {reason}")]
    Field {
        /// The line type.
        line_type: char,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A known attribute has a malformed value.
    #[error("bad attribute: {0}")]
    Attribute(&'static str),
}

impl SessionDescription {
    /// Parses a session description, keeping `text` and recording field positions.
    #[inline(always)]
    pub fn parse(text: impl Into<Bytes>) -> Result<Self, ParseError> {
        let buf: Bytes = text.into();
        if u32::try_from(buf.len()).is_err() {
            return Err(err(0, ParseErrorReason::TooLarge));
        }
        // Filled in place (the description is large; moving it costs).
        // One allocation for all attributes in a typical description (an
        // attribute line is rarely shorter than 24 bytes; small enough to stay
        // within the allocator's fast size classes for a typical offer).
        let room = buf.len() / 24 + 2;
        let mut sdp = SessionDescription::empty(Vec::with_capacity(room.min(1 << 16)));
        let parsed = Parser {
            buf: &buf,
            sdp: &mut sdp,
            line_start: 0,
        }
        .run();
        // The text is checked for UTF-8 once, here (the views then slice it
        // without checking); on an error it is checked first, so a text
        // that is not UTF-8 is reported as such wherever the first syntax
        // error lies.
        if let Err(e) = parsed {
            check_utf8(&buf)?;
            return Err(e);
        }
        // (A clone, not the buffer itself: the error needs the text to
        // number the line.)
        match ByteString::try_from(buf.clone()) {
            Ok(text) => sdp.buf = text,
            Err(_) => {
                check_utf8(&buf)?;
                return Err(err(0, ParseErrorReason::NotUtf8));
            }
        }
        Ok(sdp)
    }
}

impl std::str::FromStr for SessionDescription {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        Self::parse(Bytes::copy_from_slice(s.as_bytes()))
    }
}

/// Fills in a description (with an empty buffer, set at the end) from the
/// lines of `buf`.
struct Parser<'b, 's> {
    buf: &'b [u8],
    sdp: &'s mut SessionDescription,
    /// Where the line being read starts; its number is counted only for an
    /// error (see [`Parser::line`]).
    line_start: usize,
}

/// The 1-based number of the line that starts at `start`.
#[cold]
#[inline(never)]
fn line_at(buf: &[u8], start: usize) -> usize {
    let before = buf.get(..start).unwrap_or_default();
    1 + before.iter().filter(|&&c| c == b'\n').count()
}

/// The text must be UTF-8.
#[cold]
#[inline(never)]
fn check_utf8(buf: &[u8]) -> Result<(), ParseError> {
    if let Err(e) = std::str::from_utf8(buf) {
        let at = e.valid_up_to();
        let line = 1 + buf[..at].iter().filter(|&&b| b == b'\n').count();
        return Err(err(line, ParseErrorReason::NotUtf8));
    }
    Ok(())
}

impl SessionDescription {
    /// A description with nothing in it yet (an empty buffer), its
    /// attribute records to go into `attributes`.
    #[inline]
    pub(crate) fn empty(attributes: Vec<RawAttribute>) -> Self {
        Self {
            buf: ByteString::new(),
            version: 0,
            origin: RawOrigin::default(),
            session_name: None,
            information: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            first_timing: None,
            timings: Vec::new(),
            zone: None,
            key: None,
            session_bandwidths: Range::default(),
            session_attributes: Range::default(),
            session_direction: None,
            media: MediaList::default(),
            attributes,
            net_lines: Vec::new(),
            repeats: Vec::new(),
        }
    }
}

#[cold]
#[inline(never)]
fn err(line: usize, reason: ParseErrorReason) -> ParseError {
    ParseError { line, reason }
}

/// Splits `b` (at position `base`) into exactly `N` fields separated by
/// spaces and tabs, or into `N` fields and the rest (after white space)
/// when `rest` is set. `None` when there are fewer fields, or more and no
/// `rest`. One pass over the bytes.
#[inline(always)]
fn fields<const N: usize>(b: &[u8], base: u32, rest: bool) -> Option<([Span; N], Span)> {
    if b.len() <= 64 {
        fields_short(b, base, rest)
    } else {
        fields_long(b, base, rest)
    }
}

/// [`fields`] for `b`, a prefix of `ext` (the text from `b` on): when 64
/// bytes of `ext` are there, the white-space mask of a short `b` comes from
/// one SSE2 pass over them.
#[inline(always)]
fn fields_in<const N: usize>(
    b: &[u8],
    ext: &[u8],
    base: u32,
    rest: bool,
) -> Option<([Span; N], Span)> {
    match ext.first_chunk::<64>() {
        Some(block) if b.len() <= 64 => {
            fields_from_mask(b.len(), ws_mask_block(block, b.len()), base, rest)
        }
        _ => fields(b, base, rest),
    }
}

/// [`fields`] for a value of at most 64 bytes, from a bit mask of its white
/// space.
#[inline(always)]
fn fields_short<const N: usize>(b: &[u8], base: u32, rest: bool) -> Option<([Span; N], Span)> {
    fields_from_mask(b.len(), ws_mask_words(b), base, rest)
}

/// [`fields`] for a value of `len` (at most 64) bytes with white-space mask
/// `ws` (see [`ws_mask`]).
#[inline(always)]
fn fields_from_mask<const N: usize>(
    len: usize,
    ws: u64,
    base: u32,
    rest: bool,
) -> Option<([Span; N], Span)> {
    let mut text = !ws;
    let mut out = [Span::default(); N];
    for slot in &mut out {
        if text == 0 {
            return None;
        }
        // Below 64 (a bit of `text` is set), and `ws` is clear there, so
        // the field ends at least one bit later.
        let start = text.trailing_zeros();
        let end = (start + (ws >> start).trailing_zeros()).min(64);
        *slot = Span {
            start: base + start,
            end: base + end,
        };
        // Clear the bits below `end` (all of them when it is 64).
        text &= !(2u64 << (end - 1)).wrapping_sub(1);
    }
    let len = len as u32;
    let rest_start = if text == 0 {
        len
    } else {
        text.trailing_zeros()
    };
    if rest_start < len && !rest {
        return None;
    }
    Some((
        out,
        Span {
            start: base + rest_start,
            end: base + len,
        },
    ))
}

/// [`fields`] byte by byte.
fn fields_long<const N: usize>(b: &[u8], base: u32, rest: bool) -> Option<([Span; N], Span)> {
    let mut out = [Span::default(); N];
    let mut n = 0;
    let mut start = 0;
    let mut in_field = false;
    let at = |i: usize| base + i as u32;
    for (i, &c) in b.iter().enumerate() {
        if is_ws(c) {
            if in_field {
                in_field = false;
                let slot = out.get_mut(n)?;
                *slot = Span {
                    start: at(start),
                    end: at(i),
                };
                n += 1;
            }
        } else if !in_field {
            if n == N {
                // Another field: the rest, if allowed.
                return rest.then(|| {
                    (
                        out,
                        Span {
                            start: at(i),
                            end: at(b.len()),
                        },
                    )
                });
            }
            in_field = true;
            start = i;
        }
    }
    if in_field {
        let slot = out.get_mut(n)?;
        *slot = Span {
            start: at(start),
            end: at(b.len()),
        };
        n += 1;
    }
    let end = at(b.len());
    (n == N).then_some((out, Span { start: end, end }))
}

/// `line` without trailing CRs, spaces and tabs.
#[cold]
fn trim_end(mut line: &[u8]) -> &[u8] {
    while let Some((&last, head)) = line.split_last() {
        if last != b'\r' && !is_ws(last) {
            break;
        }
        line = head;
    }
    line
}

/// A decimal number of 1 to 20 digits that fits `u64`.
#[inline(always)]
fn digits_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    b.iter().try_fold(0u64, |acc, &d| {
        if d.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        } else {
            None
        }
    })
}

/// [`digits_u64`] without an overflow check per digit for 1 to 19 digits
/// (below 10^19, so they fit `u64`).
#[inline(always)]
fn short_digits_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 19 {
        return digits_u64(b);
    }
    let mut n = 0u64;
    for &d in b {
        let d = d.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u64::from(d);
    }
    Some(n)
}

/// `<number> <number>`, each of 1 to 19 digits (so it fits `u64`), read in
/// one pass: the usual `t=` value. `None` for anything else, which the
/// general path then reads (and reports if it is wrong).
#[inline(always)]
fn two_numbers(b: &[u8]) -> Option<(u64, u64)> {
    let (start, i) = short_number(b, 0)?;
    let mut j = i;
    while b.get(j).is_some_and(|&c| is_ws(c)) {
        j += 1;
    }
    if j == i {
        return None;
    }
    let (stop, k) = short_number(b, j)?;
    (k == b.len()).then_some((start, stop))
}

/// A decimal number of 1 to 19 digits at `i`, and where it ends.
#[inline(always)]
fn short_number(b: &[u8], mut i: usize) -> Option<(u64, usize)> {
    let start = i;
    let mut n = 0u64;
    while let Some(&c) = b.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        n = n.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    }
    (i > start && i - start <= 19).then_some((n, i))
}

/// A decimal number of 1 to 5 digits that fits `u16`.
#[inline(always)]
fn digits_u16(b: &[u8]) -> Option<u16> {
    if b.is_empty() || b.len() > 5 {
        return None;
    }
    let mut n = 0u32;
    for &d in b {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(d - b'0');
    }
    u16::try_from(n).ok()
}

impl<'b> Parser<'b, '_> {
    /// The 1-based number of the line being read.
    #[cold]
    #[inline(never)]
    fn line(&self) -> usize {
        line_at(self.buf, self.line_start)
    }

    #[cold]
    #[inline(never)]
    fn field_err(&self, line_type: u8, reason: &'static str) -> ParseError {
        err(
            self.line(),
            ParseErrorReason::Field {
                line_type: char::from(line_type),
                reason,
            },
        )
    }

    /// The text from position `base` on.
    #[inline(always)]
    fn ext(&self, base: u32) -> &'b [u8] {
        self.buf.get(base as usize..).unwrap_or_default()
    }

    fn bytes(&self, s: Span) -> &'b [u8] {
        self.buf
            .get(s.start as usize..s.end as usize)
            .unwrap_or_default()
    }

    /// Parses every line.
    fn run(mut self) -> Result<(), ParseError> {
        let buf = self.buf;
        let len = buf.len();
        let mut pos = 0usize;
        let mut seen_version = false;
        let mut seen_origin = false;
        let mut in_media = false;
        // The last direction attribute of the media description being read.
        let mut direction = None;
        while pos < len {
            self.line_start = pos;
            let rest = buf.get(pos..).unwrap_or_default();
            let nl = find_newline(rest);
            let (mut line, next) = match nl {
                Some(i) => (rest.get(..i).unwrap_or_default(), pos + i + 1),
                None => (rest, len),
            };
            // Usually just a CR; trailing white space is rare.
            line = match line {
                [.., c, b'\r'] if *c > b' ' => line.split_last().map_or(line, |(_, h)| h),
                [.., c] if *c > b' ' => line,
                _ => trim_end(line),
            };
            let start = pos;
            pos = next;
            let (ty, value) = match line {
                [ty, b'=', value @ ..] => (*ty, value),
                [] => continue, // blank line
                _ => return Err(err(self.line(), ParseErrorReason::NotATypeLine)),
            };
            let vstart = (start + 2) as u32;
            if ty == b'a' && seen_version {
                // The most common line, at either level.
                let a = self.attribute(value, vstart)?;
                if let RawTyped::Direction(d) = a.typed.get() {
                    // Kept in a local until the media description ends.
                    if in_media {
                        direction = Some(d);
                    } else {
                        self.sdp.session_direction = Some(d);
                    }
                }
                self.sdp.attributes.push(a);
                continue;
            }
            if !seen_version {
                if ty != b'v' {
                    return Err(err(self.line(), ParseErrorReason::MissingVersion));
                }
                seen_version = true;
                let v = digits_u64(value)
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or_else(|| self.field_err(b'v', "expected a version number"))?;
                self.sdp.version = v;
                continue;
            }
            if ty == b'm' {
                let m = self.media(value, vstart)?;
                self.close_section(direction.take());
                self.sdp.media.push(m, len / 256 + 1);
                in_media = true;
                continue;
            }
            if in_media {
                self.media_line(ty, value, vstart)?;
            } else {
                if ty == b'o' {
                    if seen_origin {
                        return Err(err(self.line(), ParseErrorReason::Duplicate('o')));
                    }
                    seen_origin = true;
                }
                self.session_line(ty, value, vstart)?;
            }
        }
        if !seen_version {
            // Every line was blank: the number of the last one.
            let lines = self.buf.iter().filter(|&&c| c == b'\n').count()
                + usize::from(self.buf.last().is_some_and(|&c| c != b'\n'));
            return Err(err(lines.max(1), ParseErrorReason::MissingVersion));
        }
        if !seen_origin {
            return Err(err(0, ParseErrorReason::MissingOrigin));
        }
        self.close_section(direction);
        Ok(())
    }

    /// Ends the ranges of the section (session or last media) being read,
    /// and records the last media description's direction attribute.
    fn close_section(&mut self, direction: Option<Direction>) {
        let sdp = &mut *self.sdp;
        let attributes = sdp.attributes.len() as u32;
        match sdp.media.last_mut() {
            // (A media description's `c=` and `b=` ranges are kept up to
            // date line by line, see `media_line`.)
            Some(m) => {
                m.direction = direction;
                m.attributes.end = attributes;
            }
            None => {
                sdp.session_attributes.end = attributes;
                sdp.session_bandwidths.end = sdp.net_lines.len() as u32;
            }
        }
    }

    fn once(&self, slot: &Option<Span>, ty: u8) -> Result<(), ParseError> {
        if slot.is_some() {
            Err(err(
                self.line(),
                ParseErrorReason::Duplicate(char::from(ty)),
            ))
        } else {
            Ok(())
        }
    }

    fn session_line(&mut self, ty: u8, b: &'b [u8], base: u32) -> Result<(), ParseError> {
        let value = Span {
            start: base,
            end: base + b.len() as u32,
        };
        match ty {
            b'v' => return Err(err(self.line(), ParseErrorReason::Duplicate('v'))),
            b'o' => self.sdp.origin = self.origin(b, base)?,
            b's' => {
                self.once(&self.sdp.session_name, ty)?;
                self.sdp.session_name = Some(value);
            }
            b'i' => {
                self.once(&self.sdp.information, ty)?;
                self.sdp.information = Some(value);
            }
            b'u' => {
                self.once(&self.sdp.uri, ty)?;
                self.sdp.uri = Some(value);
            }
            b'e' | b'p' => push_contact(self.sdp, ty, value),
            b'c' => {
                if self.sdp.connection.is_some() {
                    return Err(err(self.line(), ParseErrorReason::Duplicate('c')));
                }
                self.sdp.connection = Some(self.connection(b, base)?);
            }
            b'b' => {
                let bw = self.bandwidth(value)?;
                self.sdp.net_lines.push(bw.to_line());
            }
            b't' => {
                let (start, stop) = match two_numbers(b) {
                    Some(times) => times,
                    None => self.timing(b, base)?,
                };
                let t = RawTiming {
                    start,
                    stop,
                    repeats: Range::at(self.sdp.repeats.len()),
                };
                // The first (nearly always the only) one needs no allocation.
                if self.sdp.first_timing.is_none() {
                    self.sdp.first_timing = Some(t);
                } else {
                    push_timing(self.sdp, t);
                }
            }
            b'r' => {
                if !push_repeat(self.sdp, value) {
                    return Err(err(self.line(), ParseErrorReason::Misplaced('r')));
                }
            }
            b'z' => {
                self.once(&self.sdp.zone, ty)?;
                self.sdp.zone = Some(value);
            }
            b'k' => {
                self.once(&self.sdp.key, ty)?;
                self.sdp.key = Some(value);
            }
            _ => return Err(self.unknown(ty)),
        }
        Ok(())
    }

    /// `t=<start> <stop>` in general (see [`two_numbers`] for the usual form).
    #[cold]
    #[inline(never)]
    fn timing(&self, b: &[u8], base: u32) -> Result<(u64, u64), ParseError> {
        let Some(([start, stop], _)) = fields_in(b, self.ext(base), base, false) else {
            return Err(self.field_err(b't', "expected `<start> <stop>`"));
        };
        let (Some(start), Some(stop)) =
            (digits_u64(self.bytes(start)), digits_u64(self.bytes(stop)))
        else {
            return Err(self.field_err(b't', "times must be decimal numbers"));
        };
        Ok((start, stop))
    }

    #[cold]
    fn unknown(&self, ty: u8) -> ParseError {
        err(self.line(), ParseErrorReason::UnknownType(char::from(ty)))
    }

    fn media_line(&mut self, ty: u8, b: &'b [u8], base: u32) -> Result<(), ParseError> {
        let (buf, line_start) = (self.buf, self.line_start);
        let line = move || line_at(buf, line_start);
        let value = Span {
            start: base,
            end: base + b.len() as u32,
        };
        match ty {
            b'c' => {
                let c = self.connection(b, base)?;
                push_media_connection(self.sdp, c);
            }
            b'b' => {
                let bw = self.bandwidth(value)?;
                push_media_bandwidth(self.sdp, bw);
            }
            b'i' | b'k' => {
                let Some(m) = self.sdp.media.last_mut() else {
                    return Err(err(line(), ParseErrorReason::Misplaced(char::from(ty))));
                };
                let slot = if ty == b'i' {
                    &mut m.information
                } else {
                    &mut m.key
                };
                if slot.is_some() {
                    return Err(err(line(), ParseErrorReason::Duplicate(char::from(ty))));
                }
                *slot = Some(value);
            }
            b'v' | b'o' | b's' | b'u' | b'e' | b'p' | b't' | b'r' | b'z' => {
                return Err(err(line(), ParseErrorReason::Misplaced(char::from(ty))));
            }
            _ => return Err(self.unknown(ty)),
        }
        Ok(())
    }

    fn origin(&self, b: &[u8], base: u32) -> Result<RawOrigin, ParseError> {
        let Some((
            [
                username,
                session_id,
                session_version,
                net_type,
                addr_type,
                address,
            ],
            _,
        )) = fields_in(b, self.ext(base), base, false)
        else {
            return Err(self.field_err(
                b'o',
                "expected `<username> <sess-id> <sess-version> <nettype> <addrtype> <address>`",
            ));
        };
        Ok(RawOrigin {
            username,
            session_id,
            session_version,
            net_type,
            addr_type,
            address,
        })
    }

    #[inline(always)]
    fn connection(&self, b: &[u8], base: u32) -> Result<RawConnection, ParseError> {
        let Some(([net_type, addr_type, address], _)) = fields_in(b, self.ext(base), base, false)
        else {
            return Err(self.field_err(b'c', "expected `<nettype> <addrtype> <address>`"));
        };
        Ok(RawConnection {
            net_type,
            addr_type,
            address,
        })
    }

    fn bandwidth(&self, value: Span) -> Result<RawBandwidth, ParseError> {
        let b = self.bytes(value);
        // The type: up to the first `:`, not empty, without white space.
        let mut colon = 0;
        while let Some(&c) = b.get(colon) {
            if c == b':' || is_ws(c) {
                break;
            }
            colon += 1;
        }
        match b.get(colon) {
            Some(b':') if colon > 0 => {}
            Some(b':') | None => {
                return Err(self.field_err(b'b', "expected `<bwtype>:<bandwidth>`"));
            }
            Some(_) => {
                // White space: an error either way; which one depends on
                // whether a `:` follows.
                return Err(if b.get(colon..).is_some_and(|r| r.contains(&b':')) {
                    self.field_err(b'b', "space in bandwidth type")
                } else {
                    self.field_err(b'b', "expected `<bwtype>:<bandwidth>`")
                });
            }
        }
        let bw_type = Span {
            start: value.start,
            end: value.start + colon as u32,
        };
        let value = short_digits_u64(b.get(colon + 1..).unwrap_or_default())
            .ok_or_else(|| self.field_err(b'b', "bandwidth must be a decimal number"))?;
        Ok(RawBandwidth { bw_type, value })
    }

    /// `a=<name>[:<value>]`, with the value of a known attribute checked
    /// and typed. `b` is the text after `a=`, at position `base`.
    #[inline(always)]
    fn attribute(&self, b: &'b [u8], base: u32) -> Result<RawAttribute, ParseError> {
        // The name's length, and its first (up to) eight bytes as a word for
        // matching known names: from the first word of the line when it is
        // long enough (nearly always), else byte by byte. Known names hold
        // no white space, so only other names are checked for it.
        let bad_name = || self.field_err(b'a', "bad attribute name");
        let (i, word) = match b.first_chunk::<8>() {
            Some(chunk) => {
                let w = u64::from_le_bytes(*chunk);
                let c = zero_bytes(w ^ (LO * u64::from(b':')));
                if c != 0 {
                    // Bits below the first colon are exact.
                    let bit = c.trailing_zeros();
                    ((bit / 8) as usize, w & (((1u64 << bit) - 1) >> 7))
                } else {
                    match name_end(b.get(8..).unwrap_or_default()) {
                        Some(k) => (8 + k, w),
                        None => return Err(bad_name()),
                    }
                }
            }
            None => match name_end(b) {
                Some(i) => (i, attributes::name_word(b.get(..i).unwrap_or_default())),
                None => return Err(bad_name()),
            },
        };
        if i == 0 {
            return Err(bad_name());
        }
        let name = Span {
            start: base,
            end: base + i as u32,
        };
        let (value_end, vb) = match b.get(i + 1..) {
            Some(v) => (base + b.len() as u32, Some(v)),
            None => (name.end, None),
        };
        // (The line's end is trimmed: the value does not end in white space.)
        let typed = attributes::parse_named::<true>(i, word, vb, base + i as u32 + 1)
            .map_err(|e| err(self.line(), ParseErrorReason::Attribute(e)))?;
        // `word` holds the first (up to) eight bytes of the name, zero
        // above it; `name_end` checked any bytes after those.
        if let RawTyped::Other = typed {
            let ws = zero_bytes(word ^ (LO * u64::from(b' ')))
                | zero_bytes(word ^ (LO * u64::from(b'\t')));
            if ws != 0 {
                return Err(bad_name());
            }
        }
        Ok(RawAttribute {
            name,
            value_end,
            typed: attributes::PackedTyped::pack(typed),
        })
    }

    #[inline(always)]
    fn media(&self, b: &[u8], base: u32) -> Result<RawMedia, ParseError> {
        let Some(([media, port, proto], formats)) = fields_in(b, self.ext(base), base, true) else {
            return Err(self.field_err(b'm', "expected `<media> <port> <proto> <fmt> ...`"));
        };
        let port_text = self.bytes(port);
        let (port, count) = match port_text.iter().position(|&c| c == b'/') {
            Some(i) => (&port_text[..i], Some(&port_text[i + 1..])),
            None => (port_text, None),
        };
        let port = digits_u16(port).ok_or_else(|| self.field_err(b'm', "bad port"))?;
        let port_count = match count {
            None => None,
            Some(c) => {
                Some(digits_u16(c).ok_or_else(|| self.field_err(b'm', "bad number of ports"))?)
            }
        };
        let sdp = &*self.sdp;
        Ok(RawMedia {
            media,
            port,
            port_count,
            proto,
            formats,
            information: None,
            key: None,
            direction: None,
            connections: Range::at(sdp.net_lines.len()),
            bandwidths: Range::at(sdp.net_lines.len()),
            attributes: Range::at(sdp.attributes.len()),
        })
    }
}

/// An `e=` or `p=` line (rare; out of line, as the two below: the line
/// loop's registers are sensitive to the pushes inlined into it).
#[cold]
#[inline(never)]
fn push_contact(sdp: &mut SessionDescription, ty: u8, value: Span) {
    if ty == b'e' {
        sdp.emails.push(value);
    } else {
        sdp.phones.push(value);
    }
}

/// A `t=` line after the first (rare).
#[cold]
#[inline(never)]
fn push_timing(sdp: &mut SessionDescription, t: RawTiming) {
    sdp.timings.push(t);
}

/// An `r=` line, to the last `t=` line; `false` when there is none.
#[cold]
#[inline(never)]
fn push_repeat(sdp: &mut SessionDescription, value: Span) -> bool {
    match sdp.timings.last_mut().or(sdp.first_timing.as_mut()) {
        Some(t) => {
            sdp.repeats.push(value);
            t.repeats.end = sdp.repeats.len() as u32;
            true
        }
        None => false,
    }
}

/// Adds a media-level `c=` line: after the section's `c=` lines, before
/// its `b=` lines (out of line: the line loop's registers are sensitive).
#[inline(never)]
fn push_media_connection(sdp: &mut SessionDescription, c: RawConnection) {
    if let Some(m) = sdp.media.last_mut() {
        let at = m.connections.end as usize;
        if at < sdp.net_lines.len() {
            // After a `b=` line of the section (out of the usual order).
            sdp.net_lines.insert(at, c);
        } else {
            sdp.net_lines.push(c);
        }
        m.connections.end += 1;
        m.bandwidths.start += 1;
        m.bandwidths.end += 1;
    }
}

/// Adds a media-level `b=` line (see [`push_media_connection`]).
#[inline(never)]
fn push_media_bandwidth(sdp: &mut SessionDescription, bw: RawBandwidth) {
    sdp.net_lines.push(bw.to_line());
    if let Some(m) = sdp.media.last_mut() {
        m.bandwidths.end = sdp.net_lines.len() as u32;
    }
}

/// Where an attribute name ends: the first `:`, or the end. `None` when the
/// name holds a space or tab. Eight bytes at a time.
#[inline]
fn name_end(b: &[u8]) -> Option<usize> {
    let (colon, space, tab) = (
        LO * u64::from(b':'),
        LO * u64::from(b' '),
        LO * u64::from(b'\t'),
    );
    let mut chunks = b.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let c = zero_bytes(w ^ colon);
        let ws = zero_bytes(w ^ space) | zero_bytes(w ^ tab);
        if c != 0 {
            // Bits below the first colon are exact, and a false white-space
            // flag needs a true one below it.
            let below = ws & ((1u64 << c.trailing_zeros()) - 1);
            return (below == 0).then(|| base + (c.trailing_zeros() / 8) as usize);
        }
        if ws != 0 {
            return None;
        }
        base += 8;
    }
    for (k, &x) in chunks.remainder().iter().enumerate() {
        match x {
            b':' => return Some(base + k),
            b' ' | b'\t' => return None,
            _ => {}
        }
    }
    Some(b.len())
}

/// The position of the first `\n` in `hay`, 16 bytes at a time.
#[inline(always)]
fn find_newline(hay: &[u8]) -> Option<usize> {
    let mut chunks = hay.chunks_exact(16);
    let mut base = 0;
    for chunk in &mut chunks {
        let Some(block) = chunk.first_chunk::<16>() else {
            break;
        };
        let nl = newline_mask16(block);
        if nl != 0 {
            return Some(base + nl.trailing_zeros() as usize);
        }
        base += 16;
    }
    find_newline_words(chunks.remainder()).map(|i| base + i)
}

/// For 16 bytes: bit `k` set when byte `k` is `\n`.
#[inline(always)]
fn newline_mask16(block: &[u8; 16]) -> u32 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // SAFETY: the build enables SSE2 (the cfg above), the only
        // requirement of `newline_mask16_sse2`.
        unsafe { newline_mask16_sse2(block) }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    newline_mask16_scalar(block)
}

/// [`newline_mask16`] with SSE2 (the vector is built from two `u64`
/// loads: no raw pointers).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn newline_mask16_sse2(b: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set_epi64x, _mm_set1_epi8};
    let (lo, hi) = b.split_at(8);
    let word = |h: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(h);
        i64::from_le_bytes(w)
    };
    let v = _mm_set_epi64x(word(hi), word(lo));
    _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8))) as u32
}

/// [`newline_mask16`] byte by byte (the scalar twin of
/// [`newline_mask16_sse2`]).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn newline_mask16_scalar(b: &[u8; 16]) -> u32 {
    let mut nl = 0u32;
    for (k, &c) in b.iter().enumerate() {
        nl |= u32::from(c == b'\n') << k;
    }
    nl
}

/// [`find_newline`] eight bytes at a time (for the last bytes of a text).
#[inline(always)]
fn find_newline_words(hay: &[u8]) -> Option<usize> {
    let pattern = LO * u64::from(b'\n');
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let Some(word) = chunk.first_chunk::<8>() else {
            break;
        };
        let found = zero_bytes(u64::from_le_bytes(*word) ^ pattern);
        if found != 0 {
            return Some(base + (found.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|k| base + k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_end_matches_a_plain_scan() {
        let plain = |b: &[u8]| {
            let end = b.iter().position(|&c| c == b':').unwrap_or(b.len());
            (!b[..end].iter().any(|&c| c == b' ' || c == b'\t')).then_some(end)
        };
        let names: [&[u8]; 12] = [
            b"rtpmap:0 PCMU/8000",
            b"sendrecv",
            b"x",
            b"",
            b":",
            b"abcdefgh:ijk",
            b"abcdefghi",
            b"abcdefg :x",
            b"abcdefgh ijk:l",
            b"a\tb:c d",
            b"extmap-allow-mixed:\x01\x00",
            b"\x00\x01\x3a\x3b\x20:",
        ];
        for n in names {
            for cut in 0..=n.len() {
                assert_eq!(name_end(&n[cut..]), plain(&n[cut..]), "{:?}", &n[cut..]);
            }
        }
    }

    #[test]
    fn short_and_long_field_splitting_agree() {
        let words: [&[u8]; 6] = [
            b"a",
            b"IN",
            b"192.0.2.10",
            b"x\x0by",
            b"",
            b"0123456789abcdef",
        ];
        let seps: [&[u8]; 4] = [b" ", b"\t", b"  \t ", b""];
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for (i, w1) in words.iter().enumerate() {
            for (j, w2) in words.iter().enumerate() {
                for (k, s1) in seps.iter().enumerate() {
                    for pad in [0usize, 1, 7, 8, 30, 50, 60] {
                        let mut t = Vec::new();
                        t.extend_from_slice(seps[(i + j) % 4]);
                        t.extend_from_slice(w1);
                        t.extend_from_slice(s1);
                        t.extend_from_slice(w2);
                        t.extend_from_slice(seps[(j + k) % 4]);
                        t.extend(std::iter::repeat_n(b'z', pad));
                        t.extend_from_slice(seps[k]);
                        t.extend_from_slice(words[(i + k) % 6]);
                        texts.push(t);
                    }
                }
            }
        }
        for t in &texts {
            for cut in 0..=t.len().min(64) {
                let b = &t[..cut];
                assert_eq!(
                    fields_short::<2>(b, 7, false),
                    fields_long::<2>(b, 7, false),
                    "{b:?}"
                );
                assert_eq!(
                    fields_short::<3>(b, 7, true),
                    fields_long::<3>(b, 7, true),
                    "{b:?}"
                );
                assert_eq!(
                    fields_short::<1>(b, 0, true),
                    fields_long::<1>(b, 0, true),
                    "{b:?}"
                );
            }
        }
    }

    #[test]
    fn attribute_records_stay_small() {
        // Every attribute line pushes one of these; keep the pushes cheap.
        assert!(std::mem::size_of::<RawTyped>() <= 24);
        assert!(std::mem::size_of::<RawAttribute>() <= 36);
    }

    #[test]
    fn newline_masks_match_the_scalar_twin() {
        let mut text: Vec<u8> = (0u8..=255).collect();
        text.extend(b"a=rtpmap:0 PCMU/8000\r\n\n\n\x80\xff\n");
        text.extend((0u8..=255).rev());
        for w in text.windows(16) {
            let block = w.first_chunk::<16>().unwrap();
            assert_eq!(
                newline_mask16(block),
                newline_mask16_scalar(block),
                "{block:?}"
            );
        }
    }

    #[test]
    fn short_digits_match_digits_u64() {
        let mut texts: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"0".to_vec(),
            b"2048".to_vec(),
            b"9999999999999999999".to_vec(),
            b"18446744073709551615".to_vec(),
            b"18446744073709551616".to_vec(),
            b"123456789012345678901".to_vec(),
            b"12a".to_vec(),
            b"/1".to_vec(),
            b":1".to_vec(),
            b" 1".to_vec(),
            b"1 ".to_vec(),
        ];
        for len in 1..=21 {
            texts.push(vec![b'9'; len]);
            texts.push((0..len).map(|k| b'0' + (k % 10) as u8).collect());
        }
        for t in &texts {
            assert_eq!(short_digits_u64(t), digits_u64(t), "{t:?}");
        }
    }

    #[test]
    fn find_newline_matches_position() {
        let text = b"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n\x80\xff\n\n\x0a\x0b\x09abcdefghijk";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let hay = &text[start..end];
                assert_eq!(find_newline(hay), hay.iter().position(|&b| b == b'\n'));
            }
        }
    }
}
