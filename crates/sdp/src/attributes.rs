//! Typed `a=` attributes (RFC 8866 section 6, RFC 3605, RFC 5761, RFC 5576,
//! RFC 5888, RFC 4733 section 2.4.1).
//!
//! The parser keeps every attribute as a name and an optional value (RFC 8866
//! section 5.13), in order; [`TypedAttribute::parse`] turns the ones this crate
//! knows into typed values on demand. The session parser runs the same function
//! on each known attribute once, so a malformed `a=rtpmap` is reported with its
//! line number instead of being silently ignored.

use std::fmt;

use crate::session::Span;
use crate::swar::{HI, LO, is_ws, ws_mask, zero_bytes};

/// Why a known attribute's value could not be understood.
pub type AttributeError = &'static str;

/// The media direction attributes of RFC 8866 section 6.7 (RFC 3264 section 5.1).
///
/// A direction is a pair of permissions, "send" and "receive", seen from the
/// party whose description carries the attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Direction {
    /// `a=sendrecv`, the default when no direction attribute is present.
    #[default]
    SendRecv,
    /// `a=sendonly`.
    SendOnly,
    /// `a=recvonly`.
    RecvOnly,
    /// `a=inactive`.
    Inactive,
}

impl Direction {
    /// The direction with the given permissions.
    pub const fn from_flags(send: bool, recv: bool) -> Self {
        match (send, recv) {
            (true, true) => Self::SendRecv,
            (true, false) => Self::SendOnly,
            (false, true) => Self::RecvOnly,
            (false, false) => Self::Inactive,
        }
    }

    /// Whether this side sends media.
    pub const fn sends(self) -> bool {
        matches!(self, Self::SendRecv | Self::SendOnly)
    }

    /// Whether this side receives media.
    pub const fn receives(self) -> bool {
        matches!(self, Self::SendRecv | Self::RecvOnly)
    }

    /// The same stream seen from the other end: what one side sends, the
    /// other receives. This is the RFC 3264 section 6.1 mapping of an offered
    /// direction to the most permissive answer: sendonly → recvonly,
    /// recvonly → sendonly, inactive → inactive, sendrecv → sendrecv.
    pub const fn reversed(self) -> Self {
        Self::from_flags(self.receives(), self.sends())
    }

    /// The permissions both directions grant.
    pub const fn intersect(self, other: Self) -> Self {
        Self::from_flags(
            self.sends() && other.sends(),
            self.receives() && other.receives(),
        )
    }

    /// The attribute name (`sendrecv`, `sendonly`, `recvonly`, `inactive`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    /// The direction named by an attribute name, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sendrecv" => Some(Self::SendRecv),
            "sendonly" => Some(Self::SendOnly),
            "recvonly" => Some(Self::RecvOnly),
            "inactive" => Some(Self::Inactive),
            _ => None,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]`
/// (RFC 8866 section 6.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rtpmap<'a> {
    /// The RTP payload type (0..=127).
    pub payload_type: u8,
    /// The encoding name as written (compare case-insensitively).
    pub encoding: &'a str,
    /// The RTP clock rate in Hz.
    pub clock_rate: u32,
    /// The encoding parameters (for audio, the number of channels).
    pub params: Option<&'a str>,
}

impl<'a> Rtpmap<'a> {
    /// Parses the value of an `a=rtpmap` attribute.
    pub fn parse(value: &'a str) -> Result<Self, AttributeError> {
        match raw_rtpmap::<false>(value.as_bytes(), 0)? {
            RawTyped::Rtpmap {
                payload_type,
                clock_rate,
                encoding,
                params,
            } => Ok(Self {
                payload_type,
                encoding: slice(value, encoding),
                clock_rate,
                params: opt(params).map(|p| slice(value, p)),
            }),
            _ => Err("rtpmap: not an rtpmap"),
        }
    }

    /// The number of audio channels (the encoding parameters, default 1).
    pub fn channels(&self) -> Option<u16> {
        match self.params {
            None => Some(1),
            Some(p) => p.parse().ok(),
        }
    }
}

/// `a=fmtp:<format> <format specific parameters>` (RFC 8866 section 6.15).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fmtp<'a> {
    /// The format (payload type) the parameters apply to.
    pub format: &'a str,
    /// The parameters, as written.
    pub params: &'a str,
}

impl<'a> Fmtp<'a> {
    /// Parses the value of an `a=fmtp` attribute.
    pub fn parse(value: &'a str) -> Result<Self, AttributeError> {
        match raw_fmtp::<false>(value.as_bytes(), 0)? {
            RawTyped::Fmtp { format, params } => Ok(Self {
                format: slice(value, format),
                params: slice(value, params),
            }),
            _ => Err("fmtp: not an fmtp"),
        }
    }

    /// The payload type, when the format is an RTP payload type number.
    pub fn payload_type(&self) -> Option<u8> {
        parse_payload_type(self.format)
    }

    /// The value of a `name=value` parameter in a `;`-separated list
    /// (names compare case-insensitively, as in RFC 4855 media type parameters).
    pub fn param(&self, name: &str) -> Option<&'a str> {
        self.params.split(';').find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The G.729 `annexb` parameter (RFC 4856 section 2.1.9): `Some(true)` for
    /// `annexb=yes`, `Some(false)` for `annexb=no`, `None` when absent (which
    /// means yes).
    pub fn g729_annexb(&self) -> Option<bool> {
        let v = self.param("annexb")?;
        if v.eq_ignore_ascii_case("yes") {
            Some(true)
        } else if v.eq_ignore_ascii_case("no") {
            Some(false)
        } else {
            None
        }
    }

    /// The parameters read as an RFC 4733 telephone-event list (`0-15,16`).
    pub fn telephone_events(&self) -> Result<EventList, AttributeError> {
        EventList::parse(self.params)
    }
}

/// The RFC 4733 section 2.4.1 list of telephone events, e.g. `0-15,16`,
/// as sorted, merged, inclusive ranges.
#[derive(Clone, Default)]
pub struct EventList {
    ranges: Ranges,
}

/// Ranges of events: up to four inline (a DTMF list has one), without an
/// allocation; more on the heap.
#[derive(Clone)]
enum Ranges {
    Inline(u8, [(u8, u8); 4]),
    Heap(Vec<(u8, u8)>),
}

impl Default for Ranges {
    fn default() -> Self {
        Ranges::Inline(0, [(0, 0); 4])
    }
}

impl Ranges {
    #[inline]
    fn as_slice(&self) -> &[(u8, u8)] {
        match self {
            Ranges::Inline(n, a) => a.get(..usize::from(*n)).unwrap_or_default(),
            Ranges::Heap(v) => v,
        }
    }

    #[inline]
    fn as_mut_slice(&mut self) -> &mut [(u8, u8)] {
        match self {
            Ranges::Inline(n, a) => a.get_mut(..usize::from(*n)).unwrap_or_default(),
            Ranges::Heap(v) => v,
        }
    }

    fn push(&mut self, r: (u8, u8)) {
        match self {
            Ranges::Inline(n, a) => match a.get_mut(usize::from(*n)) {
                Some(slot) => {
                    *slot = r;
                    *n += 1;
                }
                None => {
                    let mut v = Vec::with_capacity(8);
                    v.extend_from_slice(a);
                    v.push(r);
                    *self = Ranges::Heap(v);
                }
            },
            Ranges::Heap(v) => v.push(r),
        }
    }
}

impl PartialEq for EventList {
    fn eq(&self, other: &Self) -> bool {
        self.ranges() == other.ranges()
    }
}

impl Eq for EventList {}

impl std::hash::Hash for EventList {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.ranges().hash(state);
    }
}

impl fmt::Debug for EventList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventList")
            .field("ranges", &self.ranges())
            .finish()
    }
}

impl EventList {
    /// The DTMF events 0-15, the RFC 4733 default when no `a=fmtp` is given.
    pub fn dtmf() -> Self {
        Self {
            ranges: Ranges::Inline(1, [(0, 15), (0, 0), (0, 0), (0, 0)]),
        }
    }

    /// Parses `event[-event] *("," event[-event])`; events are 0..=255.
    pub fn parse(s: &str) -> Result<Self, AttributeError> {
        let mut ranges = Ranges::default();
        for item in s.split(',') {
            let item = item.trim();
            let (lo, hi) = match item.split_once('-') {
                Some((lo, hi)) => (lo.trim(), hi.trim()),
                None => (item, item),
            };
            let lo = parse_u8(lo).ok_or("telephone-event: bad event number")?;
            let hi = parse_u8(hi).ok_or("telephone-event: bad event number")?;
            if lo > hi {
                return Err("telephone-event: range runs backwards");
            }
            ranges.push((lo, hi));
        }
        Ok(Self::normalized(ranges))
    }

    fn normalized(mut ranges: Ranges) -> Self {
        ranges.as_mut_slice().sort_unstable();
        let mut out = Ranges::default();
        for &(lo, hi) in ranges.as_slice() {
            match out.as_mut_slice().last_mut() {
                Some(last) if u16::from(lo) <= u16::from(last.1) + 1 => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        Self { ranges: out }
    }

    /// The inclusive ranges, sorted and merged.
    pub fn ranges(&self) -> &[(u8, u8)] {
        self.ranges.as_slice()
    }

    /// Whether the list names this event.
    pub fn contains(&self, event: u8) -> bool {
        self.ranges()
            .iter()
            .any(|&(lo, hi)| lo <= event && event <= hi)
    }

    /// The events both lists name.
    pub fn intersect(&self, other: &Self) -> Self {
        let mut out = Ranges::default();
        for &(a, b) in self.ranges() {
            for &(c, d) in other.ranges() {
                let (lo, hi) = (a.max(c), b.min(d));
                if lo <= hi {
                    out.push((lo, hi));
                }
            }
        }
        Self::normalized(out)
    }

    /// Whether the list names no event.
    pub fn is_empty(&self) -> bool {
        self.ranges().is_empty()
    }
}

impl fmt::Display for EventList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(lo, hi)) in self.ranges().iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if lo == hi {
                write!(f, "{lo}")?;
            } else {
                write!(f, "{lo}-{hi}")?;
            }
        }
        Ok(())
    }
}

/// `a=rtcp:<port> [<nettype> <addrtype> <connection-address>]` (RFC 3605).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rtcp<'a> {
    /// The RTCP port.
    pub port: u16,
    /// The network type, address type and address, when given.
    pub address: Option<(&'a str, &'a str, &'a str)>,
}

impl<'a> Rtcp<'a> {
    /// Parses the value of an `a=rtcp` attribute.
    pub fn parse(value: &'a str) -> Result<Self, AttributeError> {
        match raw_rtcp(value.as_bytes(), 0)? {
            RawTyped::Rtcp { port, address } => Ok(Self {
                port,
                address: opt(address).map(|a| three(slice(value, a))),
            }),
            _ => Err("rtcp: not an rtcp"),
        }
    }
}

/// `a=ssrc:<ssrc-id> <attribute>[:<value>]` (RFC 5576 section 4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ssrc<'a> {
    /// The synchronisation source.
    pub ssrc: u32,
    /// The source attribute name, e.g. `cname`.
    pub attribute: &'a str,
    /// The source attribute value.
    pub value: Option<&'a str>,
}

impl<'a> Ssrc<'a> {
    /// Parses the value of an `a=ssrc` attribute.
    pub fn parse(value: &'a str) -> Result<Self, AttributeError> {
        match raw_ssrc(value.as_bytes(), 0)? {
            RawTyped::Ssrc {
                ssrc,
                attribute,
                value: v,
            } => Ok(Self {
                ssrc,
                attribute: slice(value, attribute),
                value: ssrc_value(attribute, v).map(|v| slice(value, v)),
            }),
            _ => Err("ssrc: not an ssrc"),
        }
    }
}

/// An attribute, typed when this crate knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypedAttribute<'a> {
    /// `a=rtpmap` (RFC 8866 section 6.6).
    Rtpmap(Rtpmap<'a>),
    /// `a=fmtp` (RFC 8866 section 6.15).
    Fmtp(Fmtp<'a>),
    /// `a=ptime` in milliseconds (RFC 8866 section 6.4); a fraction is truncated.
    Ptime(u32),
    /// `a=maxptime` in milliseconds (RFC 8866 section 6.5).
    Maxptime(u32),
    /// `a=sendrecv`, `a=sendonly`, `a=recvonly`, `a=inactive` (RFC 8866 section 6.7).
    Direction(Direction),
    /// `a=rtcp` (RFC 3605).
    Rtcp(Rtcp<'a>),
    /// `a=rtcp-mux` (RFC 5761 section 5.1.1).
    RtcpMux,
    /// `a=ssrc` (RFC 5576).
    Ssrc(Ssrc<'a>),
    /// `a=mid` (RFC 5888 section 4).
    Mid(&'a str),
    /// Any other attribute, kept as written.
    Other {
        /// The attribute name.
        name: &'a str,
        /// The value after the first `:`, if any.
        value: Option<&'a str>,
    },
}

impl<'a> TypedAttribute<'a> {
    /// Types an attribute from its name and value.
    pub fn parse(name: &'a str, value: Option<&'a str>) -> Result<Self, AttributeError> {
        let raw = parse_raw(name.as_bytes(), value.map(str::as_bytes), 0)?;
        Ok(Self::from_raw(
            raw,
            || (name, value),
            |span| value.map_or("", |v| slice(v, span)),
        ))
    }

    /// Builds the typed view of a checked attribute; `text` resolves spans.
    pub(crate) fn from_raw(
        raw: RawTyped,
        other: impl FnOnce() -> (&'a str, Option<&'a str>),
        text: impl Fn(Span) -> &'a str,
    ) -> Self {
        match raw {
            RawTyped::Other => {
                let (name, value) = other();
                Self::Other { name, value }
            }
            RawTyped::Rtpmap {
                payload_type,
                clock_rate,
                encoding,
                params,
            } => Self::Rtpmap(Rtpmap {
                payload_type,
                encoding: text(encoding),
                clock_rate,
                params: opt(params).map(&text),
            }),
            RawTyped::Fmtp { format, params } => Self::Fmtp(Fmtp {
                format: text(format),
                params: text(params),
            }),
            RawTyped::Ptime(p) => Self::Ptime(p),
            RawTyped::Maxptime(p) => Self::Maxptime(p),
            RawTyped::Direction(d) => Self::Direction(d),
            RawTyped::RtcpMux => Self::RtcpMux,
            RawTyped::Rtcp { port, address } => Self::Rtcp(Rtcp {
                port,
                address: opt(address).map(|a| three(text(a))),
            }),
            RawTyped::Ssrc {
                ssrc,
                attribute,
                value: v,
            } => Self::Ssrc(Ssrc {
                ssrc,
                attribute: text(attribute),
                value: ssrc_value(attribute, v).map(&text),
            }),
            RawTyped::Mid(m) => Self::Mid(text(m)),
        }
    }
}

/// An optional span stored as a span: empty means none (for fields that
/// are never empty when present).
fn opt(span: Span) -> Option<Span> {
    (span.start != span.end).then_some(span)
}

/// The `ssrc` source attribute value: none when it starts where the
/// attribute name ends (a value starts after a `:`).
fn ssrc_value(attribute: Span, value: Span) -> Option<Span> {
    (value.start != attribute.end).then_some(value)
}

/// The three fields of a checked `a=rtcp` address.
fn three(s: &str) -> (&str, &str, &str) {
    let mut it = s.split([' ', '\t']).filter(|f| !f.is_empty());
    let mut next = || it.next().unwrap_or("");
    (next(), next(), next())
}

/// The checked form of a known attribute, with positions instead of
/// strings: relative to the value when parsing a lone value, absolute in a
/// session description (the `base` given to [`parse_raw`]). Kept small
/// (24 bytes): optional parts are spans that are empty when absent.
///
/// Aligned to 8 bytes (the size stays 24): measured to give the line loop
/// fewer instructions, in the record as before and still now that the
/// record keeps [`PackedTyped`] (without it: 5,095 / 25,642 instead of
/// 5,024 / 25,210 on the `sdp_parse` inputs).
#[derive(Clone, Copy, Debug, Default)]
#[repr(align(8))]
pub(crate) enum RawTyped {
    #[default]
    Other,
    Rtpmap {
        payload_type: u8,
        clock_rate: u32,
        encoding: Span,
        /// Empty when absent (never empty when present).
        params: Span,
    },
    Fmtp {
        format: Span,
        params: Span,
    },
    Ptime(u32),
    Maxptime(u32),
    Direction(Direction),
    RtcpMux,
    Rtcp {
        port: u16,
        /// `<nettype> <addrtype> <address>`, three checked fields; empty when absent.
        address: Span,
    },
    Ssrc {
        ssrc: u32,
        attribute: Span,
        /// Absent when it starts at `attribute.end` (see [`ssrc_value`]).
        value: Span,
    },
    Mid(Span),
}

/// [`RawTyped`] as the attribute record keeps it: a kind and plain numbers
/// in fixed places, so the record pushed for each attribute line is
/// written field by field from registers instead of as a many-shaped enum.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PackedTyped {
    kind: u8,
    /// Rtpmap: the payload type; Direction: its code.
    small: u8,
    /// Rtpmap: the clock rate; Ptime, Maxptime: the value; Rtcp: the port;
    /// Ssrc: the id.
    num: u32,
    /// Rtpmap: the encoding; Fmtp: the format; Rtcp: the address; Ssrc: the
    /// attribute; Mid: the tag.
    a: Span,
    /// Rtpmap, Fmtp: the parameters; Ssrc: the value.
    b: Span,
}

const K_OTHER: u8 = 0;
const K_RTPMAP: u8 = 1;
const K_FMTP: u8 = 2;
const K_PTIME: u8 = 3;
const K_MAXPTIME: u8 = 4;
const K_DIRECTION: u8 = 5;
const K_RTCP_MUX: u8 = 6;
const K_RTCP: u8 = 7;
const K_SSRC: u8 = 8;
const K_MID: u8 = 9;

impl PackedTyped {
    #[inline(always)]
    pub(crate) fn pack(t: RawTyped) -> Self {
        let none = Span::default();
        let (kind, small, num, a, b) = match t {
            RawTyped::Other => (K_OTHER, 0, 0, none, none),
            RawTyped::Rtpmap {
                payload_type,
                clock_rate,
                encoding,
                params,
            } => (K_RTPMAP, payload_type, clock_rate, encoding, params),
            RawTyped::Fmtp { format, params } => (K_FMTP, 0, 0, format, params),
            RawTyped::Ptime(p) => (K_PTIME, 0, p, none, none),
            RawTyped::Maxptime(p) => (K_MAXPTIME, 0, p, none, none),
            RawTyped::Direction(d) => (K_DIRECTION, d as u8, 0, none, none),
            RawTyped::RtcpMux => (K_RTCP_MUX, 0, 0, none, none),
            RawTyped::Rtcp { port, address } => (K_RTCP, 0, u32::from(port), address, none),
            RawTyped::Ssrc {
                ssrc,
                attribute,
                value,
            } => (K_SSRC, 0, ssrc, attribute, value),
            RawTyped::Mid(m) => (K_MID, 0, 0, m, none),
        };
        Self {
            kind,
            small,
            num,
            a,
            b,
        }
    }

    #[inline(always)]
    pub(crate) fn get(&self) -> RawTyped {
        let Self {
            kind,
            small,
            num,
            a,
            b,
        } = *self;
        match kind {
            K_RTPMAP => RawTyped::Rtpmap {
                payload_type: small,
                clock_rate: num,
                encoding: a,
                params: b,
            },
            K_FMTP => RawTyped::Fmtp {
                format: a,
                params: b,
            },
            K_PTIME => RawTyped::Ptime(num),
            K_MAXPTIME => RawTyped::Maxptime(num),
            K_DIRECTION => RawTyped::Direction(match small {
                0 => Direction::SendRecv,
                1 => Direction::SendOnly,
                2 => Direction::RecvOnly,
                _ => Direction::Inactive,
            }),
            K_RTCP_MUX => RawTyped::RtcpMux,
            K_RTCP => RawTyped::Rtcp {
                port: num as u16,
                address: a,
            },
            K_SSRC => RawTyped::Ssrc {
                ssrc: num,
                attribute: a,
                value: b,
            },
            K_MID => RawTyped::Mid(a),
            _ => RawTyped::Other,
        }
    }
}

/// An attribute name of at most 8 bytes as a little-endian word (zero above
/// the name), for comparing names a word at a time.
pub(crate) const fn name_word(s: &[u8]) -> u64 {
    let mut w = 0u64;
    let mut i = 0;
    while i < s.len() && i < 8 {
        w |= (s[i] as u64) << (8 * i);
        i += 1;
    }
    w
}

const W_RTPMAP: u64 = name_word(b"rtpmap");
const W_FMTP: u64 = name_word(b"fmtp");
const W_PTIME: u64 = name_word(b"ptime");
const W_RTCP: u64 = name_word(b"rtcp");
const W_SSRC: u64 = name_word(b"ssrc");
const W_MID: u64 = name_word(b"mid");
const W_MAXPTIME: u64 = name_word(b"maxptime");
const W_RTCP_MUX: u64 = name_word(b"rtcp-mux");
const W_SENDRECV: u64 = name_word(b"sendrecv");
const W_SENDONLY: u64 = name_word(b"sendonly");
const W_RECVONLY: u64 = name_word(b"recvonly");
const W_INACTIVE: u64 = name_word(b"inactive");

/// Checks a known attribute and records its fields, at positions counted
/// from `base` (where `value` starts). Unknown attributes are
/// [`RawTyped::Other`].
pub(crate) fn parse_raw(
    name: &[u8],
    value: Option<&[u8]>,
    base: u32,
) -> Result<RawTyped, AttributeError> {
    let word = if name.len() <= 8 { name_word(name) } else { 0 };
    parse_named::<false>(name.len(), word, value, base)
}

/// [`parse_raw`] for a name given as its length and [`name_word`] (any
/// word for names longer than 8 bytes): one dispatch on the name.
/// `TRIMMED`: the value is known not to end in white space (a value in a
/// description: the parser trims every line's end), so `a=rtpmap` and
/// `a=fmtp` do not trim it again.
#[inline(always)]
pub(crate) fn parse_named<const TRIMMED: bool>(
    len: usize,
    word: u64,
    value: Option<&[u8]>,
    base: u32,
) -> Result<RawTyped, AttributeError> {
    let v = || value.ok_or("attribute needs a value");
    Ok(match (len, word) {
        (6, W_RTPMAP) => raw_rtpmap::<TRIMMED>(v()?, base)?,
        (4, W_FMTP) => raw_fmtp::<TRIMMED>(v()?, base)?,
        (5, W_PTIME) => RawTyped::Ptime(millis(v()?).ok_or("ptime: bad packet time")?),
        (8, W_MAXPTIME) => RawTyped::Maxptime(millis(v()?).ok_or("maxptime: bad packet time")?),
        (4, W_RTCP) => raw_rtcp(v()?, base)?,
        (4, W_SSRC) => raw_ssrc(v()?, base)?,
        (3, W_MID) => raw_mid(v()?, base)?,
        (8, W_RTCP_MUX) => RawTyped::RtcpMux,
        (8, W_SENDRECV) => RawTyped::Direction(Direction::SendRecv),
        (8, W_SENDONLY) => RawTyped::Direction(Direction::SendOnly),
        (8, W_RECVONLY) => RawTyped::Direction(Direction::RecvOnly),
        (8, W_INACTIVE) => RawTyped::Direction(Direction::Inactive),
        _ => RawTyped::Other,
    })
}

fn raw_mid(v: &[u8], base: u32) -> Result<RawTyped, AttributeError> {
    let mut c = Cursor::new(v, base);
    c.ws();
    let mid = c.rest();
    if mid.start == mid.end {
        return Err("mid: empty identification tag");
    }
    Ok(RawTyped::Mid(mid))
}

/// A byte cursor over an attribute value. Positions are `u32` (values are
/// parts of a description, which is at most 4 GiB).
struct Cursor<'b> {
    /// The value without trailing white space.
    b: &'b [u8],
    i: usize,
    /// Added to every position recorded.
    base: u32,
}

impl<'b> Cursor<'b> {
    #[inline]
    fn new(b: &'b [u8], base: u32) -> Self {
        Self {
            b: trim_ws_end(b),
            i: 0,
            base,
        }
    }

    #[inline]
    fn span(&self, start: usize, end: usize) -> Span {
        Span {
            start: self.base + start as u32,
            end: self.base + end as u32,
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn done(&self) -> bool {
        self.i >= self.b.len()
    }

    /// Skips spaces and tabs; returns whether there were any.
    #[inline]
    fn ws(&mut self) -> bool {
        let start = self.i;
        while self.peek().is_some_and(is_ws) {
            self.i += 1;
        }
        self.i > start
    }

    #[inline]
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }

    /// Bytes up to (not including) the first that `stop` accepts.
    #[inline]
    fn until(&mut self, stop: impl Fn(u8) -> bool) -> Span {
        let start = self.i;
        while self.peek().is_some_and(|c| !stop(c)) {
            self.i += 1;
        }
        self.span(start, self.i)
    }

    #[inline]
    fn rest(&mut self) -> Span {
        let end = self.b.len().max(self.i);
        let s = self.span(self.i, end);
        self.i = end;
        s
    }

    /// A decimal number of 1 to `max` digits.
    #[inline]
    fn number(&mut self, max: usize) -> Option<u64> {
        let start = self.i;
        let mut n = 0u64;
        while let Some(d) = self.peek().filter(u8::is_ascii_digit) {
            if self.i - start == max {
                return None;
            }
            n = n * 10 + u64::from(d - b'0');
            self.i += 1;
        }
        (self.i > start).then_some(n)
    }
}

/// `v` without trailing spaces and tabs (in a description, line ends are
/// already trimmed, so the first test nearly always settles it).
#[inline(always)]
fn trim_ws_end(v: &[u8]) -> &[u8] {
    match v.last() {
        Some(&c) if is_ws(c) => trim_ws_end_slow(v),
        _ => v,
    }
}

#[cold]
fn trim_ws_end_slow(mut v: &[u8]) -> &[u8] {
    while let Some((&c, head)) = v.split_last() {
        if !is_ws(c) {
            break;
        }
        v = head;
    }
    v
}

fn slice(s: &str, span: Span) -> &str {
    s.get(span.start as usize..span.end as usize).unwrap_or("")
}

#[inline(always)]
fn raw_rtpmap<const TRIMMED: bool>(v: &[u8], base: u32) -> Result<RawTyped, AttributeError> {
    // Hand-written: this is the hottest attribute.
    let v = if TRIMMED { v } else { trim_ws_end(v) };
    let at = |s: usize, e: usize| Span {
        start: base + s as u32,
        end: base + e as u32,
    };
    let mut i = skip_ws(v, 0);
    let (pt, j) = digits(v, i, 3).ok_or("rtpmap: bad payload type")?;
    let payload_type = u8::try_from(pt)
        .ok()
        .filter(|&pt| pt < 128)
        .ok_or("rtpmap: bad payload type")?;
    i = skip_ws(v, j);
    if i == j {
        return Err("rtpmap: expected `<payload type> <encoding>/<clock rate>`");
    }
    let enc_start = i;
    i = encoding_end(v, i);
    if i == enc_start {
        return Err("rtpmap: bad encoding name");
    }
    let encoding = at(enc_start, i);
    if v.get(i) != Some(&b'/') {
        return Err("rtpmap: missing clock rate");
    }
    let (clock, j) = digits(v, i + 1, 10).ok_or("rtpmap: bad clock rate")?;
    let clock_rate = u32::try_from(clock).map_err(|_| "rtpmap: bad clock rate")?;
    let params = match v.get(j) {
        None => at(j, j),
        Some(b'/') if j + 1 < v.len() => at(j + 1, v.len()),
        Some(b'/') => return Err("rtpmap: empty encoding parameters"),
        Some(_) => return Err("rtpmap: bad clock rate"),
    };
    Ok(RawTyped::Rtpmap {
        payload_type,
        clock_rate,
        encoding,
        params,
    })
}

#[inline]
fn skip_ws(v: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t') = v.get(i) {
        i += 1;
    }
    i
}

/// A decimal number of 1 to `max` digits at `i`, and where it ends.
#[inline]
fn digits(v: &[u8], i: usize, max: usize) -> Option<(u64, usize)> {
    digits_on(v, i, i, 0, max).filter(|&(_, end)| end > i)
}

/// The digits from `i` on appended to `n`, the value of those from `start`
/// to `i`: `None` past `max` digits from `start`.
#[inline(always)]
fn digits_on(v: &[u8], start: usize, mut i: usize, mut n: u64, max: usize) -> Option<(u64, usize)> {
    while let Some(&d) = v.get(i) {
        if !d.is_ascii_digit() {
            break;
        }
        if i - start == max {
            return None;
        }
        n = n * 10 + u64::from(d - b'0');
        i += 1;
    }
    Some((n, i))
}

#[inline(always)]
fn raw_fmtp<const TRIMMED: bool>(v: &[u8], base: u32) -> Result<RawTyped, AttributeError> {
    let mut c = if TRIMMED {
        Cursor { b: v, i: 0, base }
    } else {
        Cursor::new(v, base)
    };
    c.ws();
    let format = c.until(is_ws);
    if format.start == format.end {
        return Err("fmtp: missing format");
    }
    c.ws();
    Ok(RawTyped::Fmtp {
        format,
        params: c.rest(),
    })
}

#[inline(never)]
fn raw_rtcp(v: &[u8], base: u32) -> Result<RawTyped, AttributeError> {
    const SHAPE: &str = "rtcp: expected `<port> <nettype> <addrtype> <address>`";
    let v = trim_ws_end(v);
    let at = |s: usize, e: usize| Span {
        start: base + s as u32,
        end: base + e as u32,
    };
    let (port, j) = digits_wide(v, skip_ws(v, 0), 5).ok_or("rtcp: bad port number")?;
    let port = u16::try_from(port).map_err(|_| "rtcp: bad port number")?;
    let mut i = skip_ws(v, j);
    if i == v.len() {
        return Ok(RawTyped::Rtcp {
            port,
            address: Span::default(),
        });
    }
    if i == j {
        return Err("rtcp: bad port number");
    }
    let start = i;
    // Three fields to the end (`v` has no trailing white space): counted
    // from a white-space mask when short (nearly always), else byte by byte.
    if let Some(rest) = v.get(i..).filter(|r| r.len() <= 64) {
        let ws = ws_mask(rest);
        // A field starts at a byte that is not white space after one that is
        // (or at the start).
        let starts = !ws & ((ws << 1) | 1);
        // Three starts, more, or fewer: the lowest three cleared in turn
        // (`count_ones` is a dozen instructions without POPCNT).
        let after_two = {
            let s = starts & starts.wrapping_sub(1);
            s & s.wrapping_sub(1)
        };
        let after_three = after_two & after_two.wrapping_sub(1);
        return if after_three != 0 {
            Err("rtcp: trailing data")
        } else if after_two != 0 {
            Ok(RawTyped::Rtcp {
                port,
                address: at(start, v.len()),
            })
        } else {
            Err(SHAPE)
        };
    }
    for k in 0..3 {
        let field = i;
        while v.get(i).is_some_and(|&b| !is_ws(b)) {
            i += 1;
        }
        if i == field {
            return Err(SHAPE);
        }
        if k < 2 {
            let next = skip_ws(v, i);
            if next == i {
                return Err(SHAPE);
            }
            i = next;
        }
    }
    if i != v.len() {
        return Err("rtcp: trailing data");
    }
    Ok(RawTyped::Rtcp {
        port,
        address: at(start, i),
    })
}

#[inline(never)]
fn raw_ssrc(v: &[u8], base: u32) -> Result<RawTyped, AttributeError> {
    let v = trim_ws_end(v);
    let at = |s: usize, e: usize| Span {
        start: base + s as u32,
        end: base + e as u32,
    };
    let (ssrc, j) = ssrc_id(v, skip_ws(v, 0)).ok_or("ssrc: bad ssrc id")?;
    let ssrc = u32::try_from(ssrc).map_err(|_| "ssrc: bad ssrc id")?;
    let k = skip_ws(v, j);
    if k == j {
        return Err("ssrc: expected `<ssrc-id> <attribute>[:<value>]`");
    }
    let i = find_colon(v, k);
    if i == k {
        return Err("ssrc: missing source attribute");
    }
    let attribute = at(k, i);
    let value = if i < v.len() {
        at(i + 1, v.len())
    } else {
        at(i, i)
    };
    Ok(RawTyped::Ssrc {
        ssrc,
        attribute,
        value,
    })
}

/// Where an rtpmap encoding name starting at `i` ends: the first `/`,
/// space or tab, or the end; the first eight bytes as one word.
#[inline(always)]
fn encoding_end(v: &[u8], mut i: usize) -> usize {
    if let Some(chunk) = v.get(i..).and_then(|r| r.first_chunk::<8>()) {
        let w = u64::from_le_bytes(*chunk);
        // Each flag is exact up to its own first hit, so the lowest flag of
        // the three is exact.
        let stop = zero_bytes(w ^ (LO * u64::from(b'/')))
            | zero_bytes(w ^ (LO * u64::from(b' ')))
            | zero_bytes(w ^ (LO * u64::from(b'\t')));
        if stop != 0 {
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = v.get(i) {
        if b == b'/' || is_ws(b) {
            break;
        }
        i += 1;
    }
    i
}

/// The position of the first `:` in `v` from `i` on, or `v.len()`; the
/// first eight bytes as one word.
#[inline(always)]
fn find_colon(v: &[u8], i: usize) -> usize {
    if let Some(chunk) = v.get(i..).and_then(|r| r.first_chunk::<8>()) {
        let x = u64::from_le_bytes(*chunk) ^ (LO * u64::from(b':'));
        let zero = zero_bytes(x);
        if zero != 0 {
            return i + (zero.trailing_zeros() / 8) as usize;
        }
        return i + 8 + find_colon_bytes(v.get(i + 8..).unwrap_or_default());
    }
    i + find_colon_bytes(v.get(i..).unwrap_or_default())
}

/// [`find_colon`] byte by byte, from the start of `v`.
#[inline(always)]
fn find_colon_bytes(v: &[u8]) -> usize {
    v.iter().position(|&b| b == b':').unwrap_or(v.len())
}

/// [`digits`] eight bytes at a time when eight are there: a decimal
/// number of 1 to `max` digits at `i`, and where it ends.
#[inline(always)]
fn digits_wide(v: &[u8], i: usize, max: usize) -> Option<(u64, usize)> {
    let Some(chunk) = v.get(i..).and_then(|r| r.first_chunk::<8>()) else {
        return digits(v, i, max);
    };
    // Each byte less `0`: a digit becomes 0..=9. A byte below `0` borrows
    // from the bytes above it, and adding 0x76 carries into them, so only
    // the lowest non-digit flag is exact: all that is used.
    let x = u64::from_le_bytes(*chunk).wrapping_sub(LO * u64::from(b'0'));
    let non_digit = (x | x.wrapping_add(LO * 0x76)) & HI;
    let n = (non_digit.trailing_zeros() / 8) as usize;
    if n == 0 || n > max {
        return None;
    }
    // The `n` digits shifted to the top: the bytes below read as leading zeros.
    let value = eight_digits(x << (64 - 8 * n as u32));
    if n < 8 {
        return Some((value, i + n));
    }
    digits_on(v, i, i + 8, value, max)
}

/// An ssrc id, a decimal number of 1 to 10 digits at `i`, and where it
/// ends ([`digits_wide`] with `max` 10): when 16 bytes are there, the
/// digits after the first eight (two at most) are read from a second word
/// instead of one by one.
#[inline(always)]
fn ssrc_id(v: &[u8], i: usize) -> Option<(u64, usize)> {
    let Some(chunk) = v.get(i..).and_then(|r| r.first_chunk::<16>()) else {
        return digits_wide(v, i, 10);
    };
    let (w0, w1) = chunk.split_at(8);
    let word = |w: &[u8]| {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        // Digits become 0..=9; only the lowest non-digit flag is exact
        // (see `digits_wide`), all that is used.
        let x = u64::from_le_bytes(b).wrapping_sub(LO * u64::from(b'0'));
        (
            x,
            ((x | x.wrapping_add(LO * 0x76)) & HI).trailing_zeros() / 8,
        )
    };
    let (x0, n0) = word(w0);
    if n0 == 0 {
        return None;
    }
    if n0 < 8 {
        return Some((eight_digits(x0 << (64 - 8 * n0)), i + n0 as usize));
    }
    let (x1, n1) = word(w1);
    let (scale, low) = match n1 {
        0 => (1, 0),
        1 => (10, x1 & 0xff),
        2 => (100, (x1 & 0xff) * 10 + ((x1 >> 8) & 0xff)),
        _ => return None,
    };
    Some((eight_digits(x0) * scale + low, i + 8 + n1 as usize))
}

/// The number written by eight digit values (0..=9, the first in the
/// lowest byte), three multiplications.
#[inline(always)]
fn eight_digits(x: u64) -> u64 {
    const B: u64 = 0x000f_000f_000f_000f;
    const W: u64 = 0x0000_00ff_0000_00ff;
    let x = (x & B).wrapping_mul(10) + ((x >> 8) & B);
    let x = (x & W).wrapping_mul(100) + ((x >> 16) & W);
    (x & 0xffff).wrapping_mul(10_000) + ((x >> 32) & 0xffff)
}

/// `non-zero-int-or-real` milliseconds, truncated to whole milliseconds.
#[inline(always)]
fn millis(v: &[u8]) -> Option<u32> {
    // The usual form: digits only, not all zero.
    match digits(v, 0, 9) {
        Some((n, end)) if end == v.len() && n > 0 => Some(n as u32),
        _ => millis_general(v),
    }
}

/// [`millis`] in general.
#[cold]
#[inline(never)]
fn millis_general(v: &[u8]) -> Option<u32> {
    let mut c = Cursor::new(v, 0);
    c.ws();
    let int = c.number(10);
    let mut nonzero = int.is_some_and(|n| n > 0);
    if c.eat(b'.') {
        let f = c.until(|b| !b.is_ascii_digit());
        if f.start == f.end {
            return None;
        }
        nonzero |= v[f.start as usize..f.end as usize]
            .iter()
            .any(|&d| d != b'0');
    } else if int.is_none() {
        return None;
    }
    if !c.done() || !nonzero {
        return None;
    }
    u32::try_from(int.unwrap_or(0)).ok()
}

/// A payload type: 0..=127 (RFC 3550 section 5.1, 7 bits).
pub(crate) fn parse_payload_type(s: &str) -> Option<u8> {
    parse_u8(s).filter(|&pt| pt < 128)
}

/// A decimal number of at most 10 digits (no sign, no white space).
fn decimal(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 10 {
        return None;
    }
    let mut n = 0u64;
    for &d in b {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(d - b'0');
    }
    Some(n)
}

pub(crate) fn parse_u8(s: &str) -> Option<u8> {
    decimal(s).and_then(|n| u8::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    /// The event lists as they were, in a `Vec`: the reference for the
    /// inline ranges.
    fn reference_normalized(mut ranges: Vec<(u8, u8)>) -> Vec<(u8, u8)> {
        ranges.sort_unstable();
        let mut out: Vec<(u8, u8)> = Vec::new();
        for (lo, hi) in ranges {
            match out.last_mut() {
                Some(last) if u16::from(lo) <= u16::from(last.1) + 1 => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        out
    }

    proptest::proptest! {
        /// Parsing, intersecting, comparing and printing event lists of
        /// any length (inline up to four ranges, on the heap beyond) give
        /// what the `Vec` lists gave.
        #[test]
        fn event_lists_as_vec_lists(
            a in proptest::collection::vec((0u8..=255, 0u8..8), 0..12),
            b in proptest::collection::vec((0u8..=255, 0u8..40), 0..12),
        ) {
            let text = |r: &[(u8, u8)]| {
                r.iter()
                    .map(|&(lo, w)| format!("{lo}-{}", lo.saturating_add(w)))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let span = |r: &[(u8, u8)]| -> Vec<(u8, u8)> {
                r.iter().map(|&(lo, w)| (lo, lo.saturating_add(w))).collect()
            };
            let (ra, rb) = (reference_normalized(span(&a)), reference_normalized(span(&b)));
            let (ea, eb) = (
                EventList::parse(&text(&a)).unwrap_or_default(),
                EventList::parse(&text(&b)).unwrap_or_default(),
            );
            if !a.is_empty() {
                proptest::prop_assert_eq!(ea.ranges(), &ra[..]);
            }
            if !b.is_empty() {
                proptest::prop_assert_eq!(eb.ranges(), &rb[..]);
            }
            let mut both = Vec::new();
            for &(x, y) in ea.ranges() {
                for &(z, w) in eb.ranges() {
                    if x.max(z) <= y.min(w) {
                        both.push((x.max(z), y.min(w)));
                    }
                }
            }
            let i = ea.intersect(&eb);
            proptest::prop_assert_eq!(i.ranges(), &reference_normalized(both)[..]);
            proptest::prop_assert_eq!(i.is_empty(), i.ranges().is_empty());
            proptest::prop_assert_eq!(ea == eb, ea.ranges() == eb.ranges());
            let hash = |e: &EventList| {
                use std::hash::Hasher;
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::hash::Hash::hash(e, &mut h);
                h.finish()
            };
            if !ea.is_empty() {
                let again = EventList::parse(&ea.to_string()).unwrap();
                proptest::prop_assert_eq!(&again, &ea);
                proptest::prop_assert_eq!(hash(&again), hash(&ea));
            }
            proptest::prop_assert_eq!(
                format!("{ea:?}"),
                format!("EventList {{ ranges: {:?} }}", ea.ranges())
            );
            for ev in [0u8, 15, 16, 100, 255] {
                proptest::prop_assert_eq!(
                    ea.contains(ev),
                    ea.ranges().iter().any(|&(lo, hi)| lo <= ev && ev <= hi)
                );
            }
        }
    }

    use super::*;

    /// The previous, cursor-based `a=rtcp` reader, to check the hand-written one.
    fn rtcp_reference(v: &[u8], base: u32) -> Result<RawTyped, AttributeError> {
        let mut c = Cursor::new(v, base);
        c.ws();
        let port = c
            .number(5)
            .and_then(|n| u16::try_from(n).ok())
            .ok_or("rtcp: bad port number")?;
        let gap = c.ws();
        if c.done() {
            return Ok(RawTyped::Rtcp {
                port,
                address: Span::default(),
            });
        }
        if !gap {
            return Err("rtcp: bad port number");
        }
        let mut address = [Span::default(); 3];
        for (k, slot) in address.iter_mut().enumerate() {
            if k > 0 && !c.ws() {
                return Err("rtcp: expected `<port> <nettype> <addrtype> <address>`");
            }
            *slot = c.until(is_ws);
            if slot.start == slot.end {
                return Err("rtcp: expected `<port> <nettype> <addrtype> <address>`");
            }
        }
        if !c.done() {
            return Err("rtcp: trailing data");
        }
        Ok(RawTyped::Rtcp {
            port,
            address: Span {
                start: address[0].start,
                end: address[2].end,
            },
        })
    }

    /// The previous, cursor-based `a=ssrc` reader.
    fn ssrc_reference(v: &[u8], base: u32) -> Result<RawTyped, AttributeError> {
        let mut c = Cursor::new(v, base);
        c.ws();
        let ssrc = c
            .number(10)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or("ssrc: bad ssrc id")?;
        if !c.ws() {
            return Err("ssrc: expected `<ssrc-id> <attribute>[:<value>]`");
        }
        let attribute = c.until(|b| b == b':');
        if attribute.start == attribute.end {
            return Err("ssrc: missing source attribute");
        }
        let value = if c.eat(b':') {
            c.rest()
        } else {
            Span {
                start: attribute.end,
                end: attribute.end,
            }
        };
        Ok(RawTyped::Ssrc {
            ssrc,
            attribute,
            value,
        })
    }

    #[test]
    fn rtcp_and_ssrc_match_the_cursor_readers() {
        let parts: [&str; 20] = [
            "",
            "00000000",
            "12345678",
            "123456789",
            "0123456789",
            "42949672950",
            "1234567:",
            " ",
            "\t",
            "0",
            "53020",
            "65535",
            "65536",
            "123456",
            "4294967295",
            "4294967296",
            "IN",
            "cname:a@b",
            ":",
            "x",
        ];
        let mut texts = Vec::new();
        for a in parts {
            for sep in ["", " ", " \t "] {
                for b in parts {
                    for c in [
                        "",
                        " IP4",
                        " IP4 1.2.3.4",
                        " IP4 1.2.3.4 x",
                        ":v",
                        " ",
                        " IP6 0000:0000:0000:0000:0000:0000:0000:0001.example.invalid.long.name",
                        " IP6 0000:0000:0000:0000:0000:0000:0000:0001.example.invalid.long.name x",
                    ] {
                        texts.push(format!("{a}{sep}{b}{c}"));
                    }
                }
            }
        }
        let show = |r: Result<RawTyped, AttributeError>| format!("{r:?}");
        for t in &texts {
            let v = t.as_bytes();
            assert_eq!(show(raw_rtcp(v, 7)), show(rtcp_reference(v, 7)), "{t:?}");
            assert_eq!(show(raw_ssrc(v, 7)), show(ssrc_reference(v, 7)), "{t:?}");
        }
    }

    #[test]
    fn wide_digits_match_the_byte_reader() {
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for n in 0..=12 {
            for stop in [
                b' ',
                b'/',
                b':',
                b'\t',
                b'a',
                b'0' - 1,
                b'9' + 1,
                0x80,
                0xff,
                0,
            ] {
                for first in [b'0', b'1', b'9'] {
                    let mut t = vec![b' '];
                    t.extend((0..n).map(|k| {
                        if k == 0 {
                            first
                        } else {
                            b'0' + (k * 7 % 10) as u8
                        }
                    }));
                    t.push(stop);
                    t.extend_from_slice(b"12345678");
                    texts.push(t);
                }
            }
        }
        texts.push((0u8..=255).collect());
        for t in &texts {
            for i in 0..t.len() {
                for end in i..=t.len() {
                    let v = &t[..end];
                    for max in [3, 5, 8, 9, 10, 19] {
                        assert_eq!(digits_wide(v, i, max), digits(v, i, max), "{v:?} {i} {max}");
                    }
                    assert_eq!(ssrc_id(v, i), digits(v, i, 10), "{v:?} {i}");
                }
            }
        }
    }

    #[test]
    fn encoding_end_matches_a_plain_scan() {
        let text = b"PCMU/8000 telephone-event/8000\ta b/c\x00\xff/\x2e\x30abcdefghijklmnop/";
        for i in 0..=text.len() {
            for end in i..=text.len() {
                let v = &text[..end];
                let plain = v[i..]
                    .iter()
                    .position(|&b| b == b'/' || b == b' ' || b == b'\t')
                    .map_or(v.len(), |k| i + k);
                assert_eq!(encoding_end(v, i), plain, "{v:?} {i}");
            }
        }
    }

    #[test]
    fn packed_typed_round_trips() {
        let s = |start, end| Span { start, end };
        let all = [
            RawTyped::Other,
            RawTyped::Rtpmap {
                payload_type: 127,
                clock_rate: u32::MAX,
                encoding: s(1, 2),
                params: s(3, 4),
            },
            RawTyped::Fmtp {
                format: s(5, 6),
                params: s(7, 8),
            },
            RawTyped::Ptime(20),
            RawTyped::Maxptime(u32::MAX),
            RawTyped::Direction(Direction::SendRecv),
            RawTyped::Direction(Direction::SendOnly),
            RawTyped::Direction(Direction::RecvOnly),
            RawTyped::Direction(Direction::Inactive),
            RawTyped::RtcpMux,
            RawTyped::Rtcp {
                port: u16::MAX,
                address: s(9, 10),
            },
            RawTyped::Ssrc {
                ssrc: u32::MAX,
                attribute: s(11, 12),
                value: s(13, 14),
            },
            RawTyped::Mid(s(15, u32::MAX)),
        ];
        for t in all {
            assert_eq!(
                format!("{:?}", PackedTyped::pack(t).get()),
                format!("{t:?}")
            );
        }
        assert!(std::mem::size_of::<PackedTyped>() <= 24);
    }

    #[test]
    fn find_colon_matches_position() {
        let text = b"cname:a@b x:y :abcdefgh:ijklmnopq\x00\xff::";
        for i in 0..=text.len() {
            for end in i..=text.len() {
                let v = &text[..end];
                let plain = v[i..]
                    .iter()
                    .position(|&b| b == b':')
                    .map_or(v.len(), |k| i + k);
                assert_eq!(find_colon(v, i), plain, "{v:?} {i}");
            }
        }
    }

    #[test]
    fn rtpmap_forms() {
        let r = Rtpmap::parse("97 iLBC/8000").unwrap();
        assert_eq!(
            (r.payload_type, r.encoding, r.clock_rate),
            (97, "iLBC", 8000)
        );
        assert_eq!(r.channels(), Some(1));
        let r = Rtpmap::parse("96 opus/48000/2").unwrap();
        assert_eq!((r.params, r.channels()), (Some("2"), Some(2)));
        assert!(Rtpmap::parse("128 PCMU/8000").is_err());
        assert!(Rtpmap::parse("0 PCMU").is_err());
        assert!(Rtpmap::parse("0").is_err());
        assert!(Rtpmap::parse("x PCMU/8000").is_err());
    }

    #[test]
    fn telephone_event_ranges() {
        let f = Fmtp::parse("101 0-15,16").unwrap();
        let ev = f.telephone_events().unwrap();
        assert_eq!(ev.ranges(), &[(0, 16)]);
        assert_eq!(ev.to_string(), "0-16");
        let ev = EventList::parse("0-15,66,70").unwrap();
        assert!(ev.contains(66) && ev.contains(15) && !ev.contains(16));
        assert_eq!(ev.to_string(), "0-15,66,70");
        assert_eq!(ev.intersect(&EventList::dtmf()).to_string(), "0-15");
        assert!(EventList::parse("15-0").is_err());
        assert!(EventList::parse("0-256").is_err());
        assert!(EventList::parse("").is_err());
    }

    #[test]
    fn g729_annexb() {
        assert_eq!(
            Fmtp::parse("18 annexb=no").unwrap().g729_annexb(),
            Some(false)
        );
        assert_eq!(
            Fmtp::parse("18 annexb=yes").unwrap().g729_annexb(),
            Some(true)
        );
        assert_eq!(
            Fmtp::parse("18 ANNEXB = No").unwrap().g729_annexb(),
            Some(false)
        );
        assert_eq!(Fmtp::parse("18 bitrate=8").unwrap().g729_annexb(), None);
    }

    #[test]
    fn typed_attributes() {
        use TypedAttribute as T;
        assert_eq!(T::parse("ptime", Some("20")), Ok(T::Ptime(20)));
        assert_eq!(T::parse("ptime", Some("0.5")), Ok(T::Ptime(0)));
        assert!(T::parse("ptime", Some("0")).is_err());
        assert!(T::parse("ptime", None).is_err());
        assert_eq!(T::parse("maxptime", Some("40")), Ok(T::Maxptime(40)));
        assert_eq!(
            T::parse("sendonly", None),
            Ok(T::Direction(Direction::SendOnly))
        );
        assert_eq!(T::parse("rtcp-mux", None), Ok(T::RtcpMux));
        assert_eq!(T::parse("mid", Some("audio")), Ok(T::Mid("audio")));
        assert_eq!(
            T::parse("rtcp", Some("53020 IN IP4 126.16.64.4")),
            Ok(T::Rtcp(Rtcp {
                port: 53020,
                address: Some(("IN", "IP4", "126.16.64.4"))
            }))
        );
        assert!(T::parse("rtcp", Some("53020 IN")).is_err());
        assert_eq!(
            T::parse("ssrc", Some("314159 cname:user@example.com")),
            Ok(T::Ssrc(Ssrc {
                ssrc: 314159,
                attribute: "cname",
                value: Some("user@example.com")
            }))
        );
        assert_eq!(
            T::parse("x-foo", Some("bar")),
            Ok(T::Other {
                name: "x-foo",
                value: Some("bar")
            })
        );
    }

    #[test]
    fn direction_mapping_rfc3264_6_1() {
        use Direction::*;
        assert_eq!(SendOnly.reversed(), RecvOnly);
        assert_eq!(RecvOnly.reversed(), SendOnly);
        assert_eq!(Inactive.reversed(), Inactive);
        assert_eq!(SendRecv.reversed(), SendRecv);
        assert_eq!(SendOnly.intersect(RecvOnly), Inactive);
        assert_eq!(SendRecv.intersect(RecvOnly), RecvOnly);
    }
}
