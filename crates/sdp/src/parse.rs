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

use crate::attributes;
use crate::session::{
    Range, RawAttribute, RawBandwidth, RawConnection, RawMedia, RawOrigin, RawTiming,
    SessionDescription, Span,
};

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
    pub fn parse(text: impl Into<Bytes>) -> Result<Self, ParseError> {
        let buf: Bytes = text.into();
        check_text(&buf)?;
        // Filled in place (the description is large; moving it costs).
        let mut sdp = SessionDescription::empty(buf.len());
        Parser {
            buf: &buf,
            sdp: &mut sdp,
            line: 0,
        }
        .run()?;
        sdp.buf = buf;
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
    line: usize,
}

/// The text must fit `u32` positions and be UTF-8.
fn check_text(buf: &[u8]) -> Result<(), ParseError> {
    if u32::try_from(buf.len()).is_err() {
        return Err(err(0, ParseErrorReason::TooLarge));
    }
    if !buf.is_ascii() {
        if let Err(e) = std::str::from_utf8(buf) {
            let at = e.valid_up_to();
            let line = 1 + buf[..at].iter().filter(|&&b| b == b'\n').count();
            return Err(err(line, ParseErrorReason::NotUtf8));
        }
    }
    Ok(())
}

impl SessionDescription {
    /// A description with nothing in it yet (and an empty buffer), with room
    /// for the attributes of a `len`-byte text.
    fn empty(len: usize) -> Self {
        // One allocation for all attributes in a typical description (an
        // attribute line is rarely shorter than 24 bytes; small enough to stay
        // within the allocator's fast size classes for a typical offer).
        let attributes = len / 24 + 2;
        Self {
            buf: Bytes::new(),
            version: 0,
            origin: RawOrigin::default(),
            session_name: None,
            information: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            timings: Vec::new(),
            zone: None,
            key: None,
            session_bandwidths: Range::default(),
            session_attributes: Range::default(),
            media: Vec::new(),
            attributes: Vec::with_capacity(attributes.min(1 << 16)),
            bandwidths: Vec::new(),
            connections: Vec::new(),
            repeats: Vec::new(),
        }
    }
}

#[cold]
#[inline(never)]
fn err(line: usize, reason: ParseErrorReason) -> ParseError {
    ParseError { line, reason }
}

fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

impl<'b> Parser<'b, '_> {
    #[cold]
    #[inline(never)]
    fn field_err(&self, line_type: u8, reason: &'static str) -> ParseError {
        err(
            self.line,
            ParseErrorReason::Field {
                line_type: char::from(line_type),
                reason,
            },
        )
    }

    fn bytes(&self, s: Span) -> &'b [u8] {
        self.buf
            .get(s.start as usize..s.end as usize)
            .unwrap_or_default()
    }

    /// Splits `span` into whitespace-separated tokens; writes at most `out.len()`
    /// and returns how many there were, and the span of the rest after the
    /// last one written.
    fn tokens(&self, span: Span, out: &mut [Span]) -> (usize, Span) {
        let b = self.bytes(span);
        let base = span.start;
        let mut i = 0;
        let mut n = 0;
        for slot in out.iter_mut() {
            while i < b.len() && is_ws(b[i]) {
                i += 1;
            }
            if i == b.len() {
                break;
            }
            let s = i;
            while i < b.len() && !is_ws(b[i]) {
                i += 1;
            }
            *slot = Span {
                start: base + s as u32,
                end: base + i as u32,
            };
            n += 1;
        }
        while i < b.len() && is_ws(b[i]) {
            i += 1;
        }
        (
            n,
            Span {
                start: base + i as u32,
                end: span.end,
            },
        )
    }

    fn digits_u64(&self, s: Span) -> Option<u64> {
        let b = self.bytes(s);
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

    fn run(mut self) -> Result<(), ParseError> {
        let buf = self.buf;
        let len = buf.len();
        let mut pos = 0usize;
        let mut seen_version = false;
        let mut seen_origin = false;
        while pos < len {
            self.line += 1;
            let rest = &buf[pos..];
            let (mut line, next) = match find_byte(rest, b'\n') {
                Some(i) => (&rest[..i], pos + i + 1),
                None => (rest, len),
            };
            if let [head @ .., b'\r'] = line {
                line = head;
            }
            while let [head @ .., b'\r' | b' ' | b'\t'] = line {
                line = head;
            }
            let start = pos;
            let end = pos + line.len();
            pos = next;
            let (ty, eq) = match line {
                [] => continue, // blank line
                [ty, eq, ..] => (*ty, *eq),
                [_] => return Err(err(self.line, ParseErrorReason::NotATypeLine)),
            };
            if eq != b'=' {
                return Err(err(self.line, ParseErrorReason::NotATypeLine));
            }
            let value = Span {
                start: (start + 2) as u32,
                end: end as u32,
            };
            if !seen_version {
                if ty != b'v' {
                    return Err(err(self.line, ParseErrorReason::MissingVersion));
                }
                seen_version = true;
                let v = self
                    .digits_u64(value)
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or_else(|| self.field_err(b'v', "expected a version number"))?;
                self.sdp.version = v;
                continue;
            }
            if self.sdp.media.is_empty() {
                if ty == b'o' {
                    if seen_origin {
                        return Err(err(self.line, ParseErrorReason::Duplicate('o')));
                    }
                    seen_origin = true;
                }
                self.session_line(ty, value)?;
            } else {
                self.media_line(ty, value)?;
            }
        }
        if !seen_version {
            return Err(err(self.line.max(1), ParseErrorReason::MissingVersion));
        }
        if !seen_origin {
            return Err(err(0, ParseErrorReason::MissingOrigin));
        }
        Ok(())
    }

    fn once(&self, slot: &Option<Span>, ty: u8) -> Result<(), ParseError> {
        if slot.is_some() {
            Err(err(self.line, ParseErrorReason::Duplicate(char::from(ty))))
        } else {
            Ok(())
        }
    }

    fn session_line(&mut self, ty: u8, value: Span) -> Result<(), ParseError> {
        match ty {
            b'v' => return Err(err(self.line, ParseErrorReason::Duplicate('v'))),
            b'o' => self.sdp.origin = self.origin(value)?,
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
            b'e' => self.sdp.emails.push(value),
            b'p' => self.sdp.phones.push(value),
            b'c' => {
                if self.sdp.connection.is_some() {
                    return Err(err(self.line, ParseErrorReason::Duplicate('c')));
                }
                self.sdp.connection = Some(self.connection(value)?);
            }
            b'b' => {
                let b = self.bandwidth(value)?;
                self.sdp.bandwidths.push(b);
                self.sdp.session_bandwidths.end = self.sdp.bandwidths.len() as u32;
            }
            b't' => {
                let mut t = [Span::default(); 2];
                let (n, rest) = self.tokens(value, &mut t);
                if n != 2 || rest.start != rest.end {
                    return Err(self.field_err(ty, "expected `<start> <stop>`"));
                }
                let (Some(start), Some(stop)) = (self.digits_u64(t[0]), self.digits_u64(t[1]))
                else {
                    return Err(self.field_err(ty, "times must be decimal numbers"));
                };
                self.sdp.timings.push(RawTiming {
                    start,
                    stop,
                    repeats: Range::at(self.sdp.repeats.len()),
                });
            }
            b'r' => match self.sdp.timings.last_mut() {
                Some(t) => {
                    self.sdp.repeats.push(value);
                    t.repeats.end = self.sdp.repeats.len() as u32;
                }
                None => return Err(err(self.line, ParseErrorReason::Misplaced('r'))),
            },
            b'z' => {
                self.once(&self.sdp.zone, ty)?;
                self.sdp.zone = Some(value);
            }
            b'k' => {
                self.once(&self.sdp.key, ty)?;
                self.sdp.key = Some(value);
            }
            b'a' => {
                let a = self.attribute(value)?;
                self.sdp.attributes.push(a);
                self.sdp.session_attributes.end = self.sdp.attributes.len() as u32;
            }
            b'm' => {
                let m = self.media(value)?;
                self.sdp.media.push(m);
            }
            _ => return Err(self.unknown(ty)),
        }
        Ok(())
    }

    fn unknown(&self, ty: u8) -> ParseError {
        err(self.line, ParseErrorReason::UnknownType(char::from(ty)))
    }

    fn media_line(&mut self, ty: u8, value: Span) -> Result<(), ParseError> {
        let line = self.line;
        match ty {
            b'm' => {
                let m = self.media(value)?;
                self.sdp.media.push(m);
                return Ok(());
            }
            b'c' => {
                let c = self.connection(value)?;
                self.sdp.connections.push(c);
                let n = self.sdp.connections.len() as u32;
                self.current().connections.end = n;
            }
            b'b' => {
                let b = self.bandwidth(value)?;
                self.sdp.bandwidths.push(b);
                let n = self.sdp.bandwidths.len() as u32;
                self.current().bandwidths.end = n;
            }
            b'a' => {
                let a = self.attribute(value)?;
                self.sdp.attributes.push(a);
                let n = self.sdp.attributes.len() as u32;
                self.current().attributes.end = n;
            }
            b'i' => {
                let m = self.current();
                if m.information.is_some() {
                    return Err(err(line, ParseErrorReason::Duplicate('i')));
                }
                m.information = Some(value);
            }
            b'k' => {
                let m = self.current();
                if m.key.is_some() {
                    return Err(err(line, ParseErrorReason::Duplicate('k')));
                }
                m.key = Some(value);
            }
            b'v' | b'o' | b's' | b'u' | b'e' | b'p' | b't' | b'r' | b'z' => {
                return Err(err(line, ParseErrorReason::Misplaced(char::from(ty))));
            }
            _ => return Err(self.unknown(ty)),
        }
        Ok(())
    }

    fn current(&mut self) -> &mut RawMedia {
        // Only called from media_line, which runs once a media exists.
        let n = self.sdp.media.len();
        &mut self.sdp.media[n - 1]
    }

    fn origin(&self, value: Span) -> Result<RawOrigin, ParseError> {
        let mut t = [Span::default(); 6];
        let (n, rest) = self.tokens(value, &mut t);
        if n != 6 || rest.start != rest.end {
            return Err(self.field_err(
                b'o',
                "expected `<username> <sess-id> <sess-version> <nettype> <addrtype> <address>`",
            ));
        }
        Ok(RawOrigin {
            username: t[0],
            session_id: t[1],
            session_version: t[2],
            net_type: t[3],
            addr_type: t[4],
            address: t[5],
        })
    }

    #[inline(always)]
    fn connection(&self, value: Span) -> Result<RawConnection, ParseError> {
        let mut t = [Span::default(); 3];
        let (n, rest) = self.tokens(value, &mut t);
        if n != 3 || rest.start != rest.end {
            return Err(self.field_err(b'c', "expected `<nettype> <addrtype> <address>`"));
        }
        Ok(RawConnection {
            net_type: t[0],
            addr_type: t[1],
            address: t[2],
        })
    }

    fn bandwidth(&self, value: Span) -> Result<RawBandwidth, ParseError> {
        let b = self.bytes(value);
        let colon = b
            .iter()
            .position(|&c| c == b':')
            .filter(|&i| i > 0)
            .ok_or_else(|| self.field_err(b'b', "expected `<bwtype>:<bandwidth>`"))?;
        let bw_type = Span {
            start: value.start,
            end: value.start + colon as u32,
        };
        let num = Span {
            start: value.start + colon as u32 + 1,
            end: value.end,
        };
        if self.bytes(bw_type).iter().any(|&c| is_ws(c)) {
            return Err(self.field_err(b'b', "space in bandwidth type"));
        }
        let value = self
            .digits_u64(num)
            .ok_or_else(|| self.field_err(b'b', "bandwidth must be a decimal number"))?;
        Ok(RawBandwidth { bw_type, value })
    }

    #[inline(always)]
    fn attribute(&self, value: Span) -> Result<RawAttribute, ParseError> {
        let b = self.bytes(value);
        let i = match name_end(b) {
            Some(i) if i > 0 => i,
            _ => return Err(self.field_err(b'a', "bad attribute name")),
        };
        let nb = &b[..i];
        let name = Span {
            start: value.start,
            end: value.start + i as u32,
        };
        let (val, vb) = if i < b.len() {
            (
                Some(Span {
                    start: value.start + i as u32 + 1,
                    end: value.end,
                }),
                Some(&b[i + 1..]),
            )
        } else {
            (None, None)
        };
        let base = val.map_or(0, |v| v.start);
        let typed = attributes::parse_raw(nb, vb, base)
            .map_err(|e| err(self.line, ParseErrorReason::Attribute(e)))?;
        Ok(RawAttribute {
            name,
            value: val,
            typed,
        })
    }

    #[inline(always)]
    fn media(&self, value: Span) -> Result<RawMedia, ParseError> {
        let mut t = [Span::default(); 3];
        let (n, formats) = self.tokens(value, &mut t);
        if n != 3 {
            return Err(self.field_err(b'm', "expected `<media> <port> <proto> <fmt> ...`"));
        }
        let port_text = self.bytes(t[1]);
        let (port, count) = match port_text.iter().position(|&c| c == b'/') {
            Some(i) => (
                Span {
                    start: t[1].start,
                    end: t[1].start + i as u32,
                },
                Some(Span {
                    start: t[1].start + i as u32 + 1,
                    end: t[1].end,
                }),
            ),
            None => (t[1], None),
        };
        let port = self
            .digits_u64(port)
            .and_then(|p| u16::try_from(p).ok())
            .ok_or_else(|| self.field_err(b'm', "bad port"))?;
        let port_count = match count {
            None => None,
            Some(c) => Some(
                self.digits_u64(c)
                    .and_then(|p| u16::try_from(p).ok())
                    .ok_or_else(|| self.field_err(b'm', "bad number of ports"))?,
            ),
        };
        Ok(RawMedia {
            media: t[0],
            port,
            port_count,
            proto: t[2],
            formats,
            information: None,
            key: None,
            connections: Range::at(self.sdp.connections.len()),
            bandwidths: Range::at(self.sdp.bandwidths.len()),
            attributes: Range::at(self.sdp.attributes.len()),
        })
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `x` that is zero. Exact up to the first zero
/// byte; above it a byte may be flagged falsely (a borrow from below).
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LO) & !x & HI
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

/// The position of the first `needle` in `hay`, eight bytes at a time.
#[inline]
fn find_byte(hay: &[u8], needle: u8) -> Option<usize> {
    let pattern = LO * u64::from(needle);
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ pattern;
        let found = zero_bytes(x);
        if found != 0 {
            return Some(base + (found.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|i| base + i)
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
    fn find_byte_matches_position() {
        let text = b"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n\x80\xff\n\n\x0a\x0b\x09";
        for start in 0..text.len() {
            for needle in [b'\n', b'=', b'4', 0x80, 0xff, b'z', 0x0b, 0x09] {
                let hay = &text[start..];
                assert_eq!(
                    find_byte(hay, needle),
                    hay.iter().position(|&b| b == needle)
                );
            }
        }
    }
}
