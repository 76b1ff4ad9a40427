//! Typed `a=` attributes (RFC 8866 section 6, RFC 3605, RFC 5761, RFC 5576,
//! RFC 5888, RFC 4733 section 2.4.1).
//!
//! The parser keeps every attribute as a name and an optional value (RFC 8866
//! section 5.13), in order; [`TypedAttribute::parse`] turns the ones this crate
//! knows into typed values on demand. The session parser runs the same function
//! on each known attribute once, so a malformed `a=rtpmap` is reported with its
//! line number instead of being silently ignored.

use std::fmt;

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
        let (pt, rest) = split_ws(trim_ws(value))
            .ok_or("rtpmap: expected `<payload type> <encoding>/<clock rate>`")?;
        let payload_type = parse_payload_type(pt).ok_or("rtpmap: bad payload type")?;
        let (encoding, after) = split_at_byte(rest, b'/').ok_or("rtpmap: missing clock rate")?;
        if encoding.is_empty() || encoding.bytes().any(is_ws) {
            return Err("rtpmap: bad encoding name");
        }
        let (clock, params) = match split_at_byte(after, b'/') {
            Some((c, p)) => (c, Some(p)),
            None => (after, None),
        };
        let clock_rate = parse_u32(clock).ok_or("rtpmap: bad clock rate")?;
        if params.is_some_and(str::is_empty) {
            return Err("rtpmap: empty encoding parameters");
        }
        Ok(Self {
            payload_type,
            encoding,
            clock_rate,
            params,
        })
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
        let value = trim_ws(value);
        let (format, params) = match split_ws(value) {
            Some((f, p)) => (f, trim_ws(p)),
            None => (value, ""),
        };
        if format.is_empty() {
            return Err("fmtp: missing format");
        }
        Ok(Self { format, params })
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
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct EventList {
    ranges: Vec<(u8, u8)>,
}

impl EventList {
    /// The DTMF events 0-15, the RFC 4733 default when no `a=fmtp` is given.
    pub fn dtmf() -> Self {
        Self {
            ranges: vec![(0, 15)],
        }
    }

    /// Parses `event[-event] *("," event[-event])`; events are 0..=255.
    pub fn parse(s: &str) -> Result<Self, AttributeError> {
        let mut ranges = Vec::new();
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

    fn normalized(mut ranges: Vec<(u8, u8)>) -> Self {
        ranges.sort_unstable();
        let mut out: Vec<(u8, u8)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match out.last_mut() {
                Some(last) if u16::from(lo) <= u16::from(last.1) + 1 => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        Self { ranges: out }
    }

    /// The inclusive ranges, sorted and merged.
    pub fn ranges(&self) -> &[(u8, u8)] {
        &self.ranges
    }

    /// Whether the list names this event.
    pub fn contains(&self, event: u8) -> bool {
        self.ranges
            .iter()
            .any(|&(lo, hi)| lo <= event && event <= hi)
    }

    /// The events both lists name.
    pub fn intersect(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        for &(a, b) in &self.ranges {
            for &(c, d) in &other.ranges {
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
        self.ranges.is_empty()
    }
}

impl fmt::Display for EventList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(lo, hi)) in self.ranges.iter().enumerate() {
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
        let mut it = value.split_ascii_whitespace();
        let port = it
            .next()
            .and_then(parse_u16)
            .ok_or("rtcp: bad port number")?;
        let address = match (it.next(), it.next(), it.next()) {
            (None, _, _) => None,
            (Some(n), Some(a), Some(c)) => Some((n, a, c)),
            _ => return Err("rtcp: expected `<port> <nettype> <addrtype> <address>`"),
        };
        if it.next().is_some() {
            return Err("rtcp: trailing data");
        }
        Ok(Self { port, address })
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
        let (id, rest) =
            split_ws(trim_ws(value)).ok_or("ssrc: expected `<ssrc-id> <attribute>[:<value>]`")?;
        let ssrc = parse_u32(id).ok_or("ssrc: bad ssrc id")?;
        let (attribute, value) = match split_at_byte(rest, b':') {
            Some((a, v)) => (a, Some(v)),
            None => (rest, None),
        };
        if attribute.is_empty() {
            return Err("ssrc: missing source attribute");
        }
        Ok(Self {
            ssrc,
            attribute,
            value,
        })
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
        let v = || value.ok_or("attribute needs a value");
        Ok(match name {
            "rtpmap" => Self::Rtpmap(Rtpmap::parse(v()?)?),
            "fmtp" => Self::Fmtp(Fmtp::parse(v()?)?),
            "ptime" => Self::Ptime(parse_millis(v()?).ok_or("ptime: bad packet time")?),
            "maxptime" => Self::Maxptime(parse_millis(v()?).ok_or("maxptime: bad packet time")?),
            "rtcp" => Self::Rtcp(Rtcp::parse(v()?)?),
            "rtcp-mux" => Self::RtcpMux,
            "ssrc" => Self::Ssrc(Ssrc::parse(v()?)?),
            "mid" => {
                let mid = trim_ws(v()?);
                if mid.is_empty() {
                    return Err("mid: empty identification tag");
                }
                Self::Mid(mid)
            }
            _ => match Direction::from_name(name) {
                Some(d) => Self::Direction(d),
                None => Self::Other { name, value },
            },
        })
    }
}

/// Whether the parser should check this attribute's value when parsing.
pub(crate) fn is_known(name: &[u8]) -> bool {
    matches!(
        name,
        b"rtpmap" | b"fmtp" | b"ptime" | b"maxptime" | b"rtcp" | b"ssrc" | b"mid"
    )
}

fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `s` without leading and trailing spaces and tabs.
fn trim_ws(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// The first token of `s` and what follows the white space after it.
fn split_ws(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let i = b.iter().position(|&c| is_ws(c))?;
    let j = i + b[i..].iter().take_while(|&&c| is_ws(c)).count();
    Some((s.get(..i)?, s.get(j..)?))
}

/// `s` split around the first `byte` (an ASCII delimiter).
fn split_at_byte(s: &str, byte: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|c| c == byte)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// A payload type: 0..=127 (RFC 3550 section 5.1, 7 bits).
pub(crate) fn parse_payload_type(s: &str) -> Option<u8> {
    parse_u8(s).filter(|&pt| pt < 128)
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
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

pub(crate) fn parse_u16(s: &str) -> Option<u16> {
    decimal(s).and_then(|n| u16::try_from(n).ok())
}

pub(crate) fn parse_u32(s: &str) -> Option<u32> {
    decimal(s).and_then(|n| u32::try_from(n).ok())
}

/// `non-zero-int-or-real` milliseconds, truncated to whole milliseconds.
fn parse_millis(s: &str) -> Option<u32> {
    let s = s.trim();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if frac.is_some_and(|f| !all_digits(f)) {
        return None;
    }
    let ms = if int.is_empty() && frac.is_some() {
        0
    } else {
        parse_u32(int)?
    };
    let nonzero = ms > 0 || frac.is_some_and(|f| f.bytes().any(|b| b != b'0'));
    nonzero.then_some(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

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
