//! The session description (RFC 8866 section 5) and borrowed views of its parts.
//!
//! A [`SessionDescription`] owns the `Bytes` it was parsed from and records
//! where each field lies (`u32` offsets); accessors hand out `&str` slices of
//! that buffer, and [`SessionDescription::slice`] turns one into a `Bytes`
//! sharing the buffer. Nothing is copied while parsing.
//!
//! Equality and hashing are by canonical text (what [`std::fmt::Display`]
//! prints): printing writes every field the parser keeps, in canonical order
//! with canonical separators, so two descriptions print the same exactly when
//! they hold the same fields.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;

use bytes::Bytes;
use bytestring::ByteString;

use crate::attributes::{Direction, Fmtp, PackedTyped, RawTyped, Rtpmap, TypedAttribute};

/// Where a field lies in the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct RawOrigin {
    pub(crate) username: Span,
    pub(crate) session_id: Span,
    pub(crate) session_version: Span,
    pub(crate) net_type: Span,
    pub(crate) addr_type: Span,
    pub(crate) address: Span,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct RawConnection {
    pub(crate) net_type: Span,
    pub(crate) addr_type: Span,
    pub(crate) address: Span,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct RawBandwidth {
    pub(crate) bw_type: Span,
    pub(crate) value: u64,
}

impl RawBandwidth {
    /// As a record of [`SessionDescription::net_lines`]: the type in
    /// `net_type`, the value's low and high halves in `addr_type`.
    #[inline]
    pub(crate) fn to_line(self) -> RawConnection {
        RawConnection {
            net_type: self.bw_type,
            addr_type: Span {
                start: self.value as u32,
                end: (self.value >> 32) as u32,
            },
            address: Span::default(),
        }
    }

    /// Back from [`RawBandwidth::to_line`].
    #[inline]
    pub(crate) fn from_line(c: &RawConnection) -> Self {
        Self {
            bw_type: c.net_type,
            value: u64::from(c.addr_type.start) | (u64::from(c.addr_type.end) << 32),
        }
    }
}

/// A range of indices into one of the flat vectors of [`SessionDescription`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Range {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Range {
    pub(crate) fn at(i: usize) -> Self {
        Self {
            start: i as u32,
            end: i as u32,
        }
    }

    pub(crate) fn of<'v, T>(&self, v: &'v [T]) -> &'v [T] {
        v.get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct RawTiming {
    pub(crate) start: u64,
    pub(crate) stop: u64,
    pub(crate) repeats: Range,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct RawAttribute {
    pub(crate) name: Span,
    /// Where the value ends: `name.end` when there is no value, else the
    /// value starts after the `:` at `name.end`; see [`RawAttribute::value`].
    pub(crate) value_end: u32,
    /// Checked and typed while parsing (absolute positions).
    pub(crate) typed: PackedTyped,
}

impl RawAttribute {
    /// The value after the first `:`, if there is one.
    #[inline]
    pub(crate) fn value(&self) -> Option<Span> {
        (self.value_end != self.name.end).then_some(Span {
            start: self.name.end + 1,
            end: self.value_end,
        })
    }
}

#[derive(Clone, Debug)]
pub(crate) struct RawMedia {
    pub(crate) media: Span,
    pub(crate) port: u16,
    pub(crate) port_count: Option<u16>,
    pub(crate) proto: Span,
    pub(crate) formats: Span,
    pub(crate) information: Option<Span>,
    pub(crate) key: Option<Span>,
    /// The last direction attribute of the media description.
    pub(crate) direction: Option<Direction>,
    /// Into `SessionDescription::net_lines` (the `c=` lines, then the
    /// `b=` lines right after them).
    pub(crate) connections: Range,
    /// Into `SessionDescription::net_lines`.
    pub(crate) bandwidths: Range,
    /// Into `SessionDescription::attributes`.
    pub(crate) attributes: Range,
}

/// The media descriptions: a lone one (most offers have one) is kept
/// inline, without an allocation; from the second on, all are in `all`.
#[derive(Clone, Debug, Default)]
pub(crate) struct MediaList {
    first: Option<RawMedia>,
    all: Vec<RawMedia>,
}

impl MediaList {
    #[inline]
    pub(crate) fn as_slice(&self) -> &[RawMedia] {
        if self.all.is_empty() {
            self.first.as_slice()
        } else {
            &self.all
        }
    }

    #[inline]
    pub(crate) fn last_mut(&mut self) -> Option<&mut RawMedia> {
        if self.all.is_empty() {
            self.first.as_mut()
        } else {
            self.all.last_mut()
        }
    }

    /// Adds one; `room` is how many there may be in all (for the one
    /// allocation made at the second).
    #[inline]
    pub(crate) fn push(&mut self, m: RawMedia, room: usize) {
        if !self.all.is_empty() {
            self.all.push(m);
        } else if let Some(first) = self.first.take() {
            self.all.reserve(room.max(2));
            self.all.push(first);
            self.all.push(m);
        } else {
            self.first = Some(m);
        }
    }
}

/// A parsed SDP session description (RFC 8866 section 5).
///
/// Build one with [`SessionDescription::parse`]; print it with `Display`
/// (canonical CRLF text) or [`SessionDescription::to_bytes`].
///
/// Lines that repeat (attributes, media-level `c=`, `b=`, `r=`) live in flat
/// vectors shared by the session and all media descriptions, each of which
/// holds a range of them; a typical offer costs three allocations.
#[derive(Clone)]
pub struct SessionDescription {
    /// The text, checked to be UTF-8 once by the parser.
    pub(crate) buf: ByteString,
    pub(crate) version: u32,
    pub(crate) origin: RawOrigin,
    pub(crate) session_name: Option<Span>,
    pub(crate) information: Option<Span>,
    pub(crate) uri: Option<Span>,
    pub(crate) emails: Vec<Span>,
    pub(crate) phones: Vec<Span>,
    pub(crate) connection: Option<RawConnection>,
    /// The first `t=` line (kept inline: there is nearly always one).
    pub(crate) first_timing: Option<RawTiming>,
    /// The `t=` lines after the first.
    pub(crate) timings: Vec<RawTiming>,
    pub(crate) zone: Option<Span>,
    pub(crate) key: Option<Span>,
    /// Session-level ranges into the flat vectors.
    pub(crate) session_bandwidths: Range,
    pub(crate) session_attributes: Range,
    /// The last session-level direction attribute.
    pub(crate) session_direction: Option<Direction>,
    pub(crate) media: MediaList,
    // Flat vectors.
    pub(crate) attributes: Vec<RawAttribute>,
    /// The `b=` lines (session and media level, as
    /// [`RawBandwidth::to_line`]) and the media-level `c=` lines, in one
    /// vector (one allocation for both); each section's `c=` lines come
    /// first, then its `b=` lines.
    pub(crate) net_lines: Vec<RawConnection>,
    pub(crate) repeats: Vec<Span>,
}

impl SessionDescription {
    /// The text of a span. Spans are made by the parser on ASCII boundaries
    /// of the text, so this never fails in practice; it returns "" rather
    /// than panic if it ever did.
    pub(crate) fn text(&self, span: Span) -> &str {
        sub(&self.buf, 0, span)
    }

    /// The whole text (held as UTF-8: no check).
    pub(crate) fn whole(&self) -> &str {
        &self.buf
    }

    /// The buffer this description was parsed from.
    pub fn as_bytes(&self) -> &Bytes {
        self.buf.as_bytes()
    }

    /// A `Bytes` sharing the buffer for a `&str` handed out by this
    /// description (for example a codec name to keep after the description
    /// is dropped). Returns `None` for a string that is not part of the buffer.
    pub fn slice(&self, part: &str) -> Option<Bytes> {
        let base = self.buf.as_ptr() as usize;
        let p = part.as_ptr() as usize;
        (p >= base && p + part.len() <= base + self.buf.len())
            .then(|| self.buf.as_bytes().slice(p - base..p - base + part.len()))
    }

    /// `v=`: the protocol version (0).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// `o=`: the originator and session identifier (RFC 8866 section 5.2).
    pub fn origin(&self) -> Origin<'_> {
        let o = &self.origin;
        Origin {
            username: self.text(o.username),
            session_id: self.text(o.session_id),
            session_version: self.text(o.session_version),
            net_type: self.text(o.net_type),
            addr_type: self.text(o.addr_type),
            address: self.text(o.address),
        }
    }

    /// `s=`: the session name. A missing `s=` line reads (and prints) as `-`.
    pub fn session_name(&self) -> &str {
        self.session_name.map_or("-", |s| self.text(s))
    }

    /// `i=`: session information.
    pub fn information(&self) -> Option<&str> {
        self.information.map(|s| self.text(s))
    }

    /// `u=`: the URI of a description.
    pub fn uri(&self) -> Option<&str> {
        self.uri.map(|s| self.text(s))
    }

    /// `e=` lines.
    pub fn emails(&self) -> impl ExactSizeIterator<Item = &str> {
        self.emails.iter().map(|&s| self.text(s))
    }

    /// `p=` lines.
    pub fn phones(&self) -> impl ExactSizeIterator<Item = &str> {
        self.phones.iter().map(|&s| self.text(s))
    }

    /// The session-level `c=` line.
    pub fn connection(&self) -> Option<Connection<'_>> {
        self.connection.map(|c| self.conn(c))
    }

    pub(crate) fn conn(&self, c: RawConnection) -> Connection<'_> {
        conn_in(self.whole(), c)
    }

    /// Session-level `b=` lines.
    pub fn bandwidths(&self) -> impl ExactSizeIterator<Item = Bandwidth<'_>> {
        self.session_bandwidths.of(&self.net_lines).iter().map(|b| {
            let b = RawBandwidth::from_line(b);
            Bandwidth {
                bw_type: self.text(b.bw_type),
                value: b.value,
            }
        })
    }

    /// `t=` lines with their `r=` lines. A description without `t=` reads
    /// (and prints) as `t=0 0`.
    pub fn timings(&self) -> impl ExactSizeIterator<Item = Timing<'_>> {
        Timings {
            sdp: self,
            text: self.whole(),
            first: self.first_timing.as_slice().iter(),
            rest: self.timings.iter(),
        }
    }

    /// `z=`: time zone adjustments.
    pub fn zone(&self) -> Option<&str> {
        self.zone.map(|s| self.text(s))
    }

    /// Session-level `k=` (obsolete, kept as written).
    pub fn key(&self) -> Option<&str> {
        self.key.map(|s| self.text(s))
    }

    /// Session-level `a=` lines, in order.
    pub fn attributes(&self) -> impl ExactSizeIterator<Item = Attribute<'_>> {
        let attrs = self.session_attributes.of(&self.attributes);
        let text = self.whole();
        attrs.iter().map(move |raw| Attribute { text, raw })
    }

    /// The session-level direction attribute, if any.
    pub fn direction(&self) -> Option<Direction> {
        self.session_direction
    }

    /// The media descriptions, in order.
    pub fn media(&self) -> impl ExactSizeIterator<Item = Media<'_>> + DoubleEndedIterator {
        let media = self.media.as_slice();
        let text = self.whole();
        media.iter().map(move |m| Media {
            sdp: self,
            text,
            raw: m,
        })
    }

    /// The `i`-th media description.
    pub fn media_at(&self, i: usize) -> Option<Media<'_>> {
        self.media.as_slice().get(i).map(|m| Media {
            sdp: self,
            text: self.whole(),
            raw: m,
        })
    }

    /// How many `m=` lines there are.
    pub fn media_count(&self) -> usize {
        self.media.as_slice().len()
    }
}

impl PartialEq for SessionDescription {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for SessionDescription {}

impl Hash for SessionDescription {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.to_string().hash(state);
    }
}

impl fmt::Debug for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SessionDescription")
            .field(&self.to_string())
            .finish()
    }
}

#[inline]
fn conn_in(text: &str, c: RawConnection) -> Connection<'_> {
    Connection {
        net_type: sub(text, 0, c.net_type),
        addr_type: sub(text, 0, c.addr_type),
        address: sub(text, 0, c.address),
    }
}

/// The part of `whole` (which starts at position `base`) at `span`.
#[inline]
fn sub(whole: &str, base: u32, span: Span) -> &str {
    whole
        .get(span.start.saturating_sub(base) as usize..span.end.saturating_sub(base) as usize)
        .unwrap_or("")
}

/// The rtpmap of an attribute that is one.
#[inline(always)]
fn rtpmap_of<'a>(text: &'a str, a: &RawAttribute) -> Option<Rtpmap<'a>> {
    match a.typed.get() {
        RawTyped::Rtpmap {
            payload_type,
            clock_rate,
            encoding,
            params,
        } => Some(Rtpmap {
            payload_type,
            encoding: sub(text, 0, encoding),
            clock_rate,
            params: (params.start != params.end).then(|| sub(text, 0, params)),
        }),
        _ => None,
    }
}

/// The fmtp of an attribute that is one.
#[inline(always)]
fn fmtp_of<'a>(text: &'a str, a: &RawAttribute) -> Option<Fmtp<'a>> {
    match a.typed.get() {
        RawTyped::Fmtp { format, params } => Some(Fmtp {
            format: sub(text, 0, format),
            params: sub(text, 0, params),
        }),
        _ => None,
    }
}

/// The iterator of [`Media::rtpmaps`]: a plain loop over the attribute
/// records (a `filter_map` closure was left out of line in other crates,
/// about 24 instructions per record).
struct Rtpmaps<'a> {
    text: &'a str,
    records: std::slice::Iter<'a, RawAttribute>,
}

impl<'a> Iterator for Rtpmaps<'a> {
    type Item = Rtpmap<'a>;

    #[inline]
    fn next(&mut self) -> Option<Rtpmap<'a>> {
        for a in self.records.by_ref() {
            if let Some(r) = rtpmap_of(self.text, a) {
                return Some(r);
            }
        }
        None
    }
}

/// The iterator of [`Media::fmtps`] (see [`Rtpmaps`]).
struct Fmtps<'a> {
    text: &'a str,
    records: std::slice::Iter<'a, RawAttribute>,
}

impl<'a> Iterator for Fmtps<'a> {
    type Item = Fmtp<'a>;

    #[inline]
    fn next(&mut self) -> Option<Fmtp<'a>> {
        for a in self.records.by_ref() {
            if let Some(f) = fmtp_of(self.text, a) {
                return Some(f);
            }
        }
        None
    }
}

/// The formats of an `m=` line that are payload type numbers (what
/// [`crate::attributes::parse_payload_type`] accepts), in one pass over the
/// bytes.
struct PayloadTypes<'a> {
    b: &'a [u8],
    i: usize,
}

impl Iterator for PayloadTypes<'_> {
    type Item = u8;

    #[inline]
    fn next(&mut self) -> Option<u8> {
        let b = self.b;
        let mut i = self.i;
        loop {
            // Skip white space (what `split_ascii_whitespace` splits on).
            while let Some(c) = b.get(i) {
                if !c.is_ascii_whitespace() {
                    break;
                }
                i += 1;
            }
            let start = i;
            let mut n = 0u64;
            let mut digits = true;
            while let Some(&c) = b.get(i) {
                // A digit first (the usual byte), then white space.
                let d = c.wrapping_sub(b'0');
                if d < 10 {
                    n = n.wrapping_mul(10).wrapping_add(u64::from(d));
                } else if c.is_ascii_whitespace() {
                    break;
                } else {
                    digits = false;
                }
                i += 1;
            }
            self.i = i;
            if i == start {
                return None;
            }
            // At most 10 digits (no wrap-around), below 128.
            if digits && i - start <= 10 && n < 128 {
                return Some(n as u8);
            }
        }
    }
}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Origin<'a> {
    /// The user's login on the originating host, or `-`.
    pub username: &'a str,
    /// The session id (digits, but kept as written if a peer sent something else).
    pub session_id: &'a str,
    /// The session version (digits, but kept as written if a peer sent something else).
    pub session_version: &'a str,
    /// The network type, normally `IN`.
    pub net_type: &'a str,
    /// The address type, `IP4` or `IP6`.
    pub addr_type: &'a str,
    /// The originating host's address or name.
    pub address: &'a str,
}

impl Origin<'_> {
    /// The session id as a number, when it fits in 64 bits.
    pub fn session_id_u64(&self) -> Option<u64> {
        self.session_id.parse().ok()
    }

    /// The session version as a number, when it fits in 64 bits.
    pub fn session_version_u64(&self) -> Option<u64> {
        self.session_version.parse().ok()
    }
}

/// `c=<nettype> <addrtype> <connection-address>` (RFC 8866 section 5.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Connection<'a> {
    /// The network type, normally `IN`.
    pub net_type: &'a str,
    /// `IP4` or `IP6`.
    pub addr_type: &'a str,
    /// The address as written, including any `/ttl/count` suffix.
    pub address: &'a str,
}

impl<'a> Connection<'a> {
    /// The address without a multicast `/ttl` or `/count` suffix.
    pub fn host(&self) -> &'a str {
        self.address.split('/').next().unwrap_or_default()
    }

    /// The address as an IP address, when it is a literal one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host().parse().ok()
    }

    /// Whether this is the "black hole" address `0.0.0.0` (or `::`), which
    /// RFC 3264 section 8.4 says means "send neither RTP nor RTCP here".
    pub fn is_unspecified(&self) -> bool {
        self.ip().is_some_and(|ip| ip.is_unspecified())
    }
}

/// `b=<bwtype>:<bandwidth>` (RFC 8866 section 5.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Bandwidth<'a> {
    /// The modifier, e.g. `AS`, `CT`, `TIAS`.
    pub bw_type: &'a str,
    /// The value (kbit/s for `AS` and `CT`).
    pub value: u64,
}

/// `t=<start-time> <stop-time>` and its `r=` lines (RFC 8866 sections 5.9, 5.10).
#[derive(Clone, Copy)]
pub struct Timing<'a> {
    sdp: &'a SessionDescription,
    text: &'a str,
    raw: &'a RawTiming,
}

impl<'a> Timing<'a> {
    /// Start time (NTP seconds, 0 = unbounded).
    pub fn start(&self) -> u64 {
        self.raw.start
    }

    /// Stop time (NTP seconds, 0 = unbounded).
    pub fn stop(&self) -> u64 {
        self.raw.stop
    }

    /// The `r=` lines after this `t=`, as written.
    pub fn repeats(&self) -> impl ExactSizeIterator<Item = &'a str> + use<'a> {
        let text = self.text;
        self.raw
            .repeats
            .of(&self.sdp.repeats)
            .iter()
            .map(move |&s| sub(text, 0, s))
    }
}

impl fmt::Debug for Timing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timing")
            .field("start", &self.start())
            .field("stop", &self.stop())
            .field("repeats", &self.repeats().collect::<Vec<_>>())
            .finish()
    }
}

/// The iterator of [`SessionDescription::timings`]: the inline first
/// timing, then the rest.
struct Timings<'a> {
    sdp: &'a SessionDescription,
    text: &'a str,
    first: std::slice::Iter<'a, RawTiming>,
    rest: std::slice::Iter<'a, RawTiming>,
}

impl<'a> Iterator for Timings<'a> {
    type Item = Timing<'a>;

    fn next(&mut self) -> Option<Timing<'a>> {
        let raw = self.first.next().or_else(|| self.rest.next())?;
        Some(Timing {
            sdp: self.sdp,
            text: self.text,
            raw,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.first.len() + self.rest.len();
        (n, Some(n))
    }
}

impl ExactSizeIterator for Timings<'_> {}

/// `a=<name>[:<value>]` (RFC 8866 section 5.13).
#[derive(Clone, Copy)]
pub struct Attribute<'a> {
    /// The whole description text.
    text: &'a str,
    raw: &'a RawAttribute,
}

impl<'a> Attribute<'a> {
    /// The attribute name.
    pub fn name(&self) -> &'a str {
        sub(self.text, 0, self.raw.name)
    }

    /// The value after the first `:`, if there is one.
    pub fn value(&self) -> Option<&'a str> {
        self.raw.value().map(|v| sub(self.text, 0, v))
    }

    /// The typed form of the attribute. The parser checked and typed every
    /// attribute this crate knows, so this cannot fail; unknown attributes
    /// are [`TypedAttribute::Other`].
    pub fn typed(&self) -> TypedAttribute<'a> {
        let raw = self.raw;
        let text = self.text;
        let text = move |span| sub(text, 0, span);
        TypedAttribute::from_raw(
            raw.typed.get(),
            || (text(raw.name), raw.value().map(text)),
            text,
        )
    }
}

impl PartialEq for Attribute<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name() && self.value() == other.value()
    }
}

impl Eq for Attribute<'_> {}

impl Hash for Attribute<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name().hash(state);
        self.value().hash(state);
    }
}

impl fmt::Debug for Attribute<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attribute")
            .field("name", &self.name())
            .field("value", &self.value())
            .finish()
    }
}

/// One media description: an `m=` line and the lines after it (RFC 8866 section 5.14).
#[derive(Clone, Copy)]
pub struct Media<'a> {
    sdp: &'a SessionDescription,
    /// The whole description text.
    text: &'a str,
    raw: &'a RawMedia,
}

impl<'a> Media<'a> {
    #[inline]
    fn t(&self, span: Span) -> &'a str {
        sub(self.text, 0, span)
    }

    /// The media type: `audio`, `video`, `text`, `application`, `image`, ...
    #[inline]
    pub fn media_type(&self) -> &'a str {
        self.t(self.raw.media)
    }

    /// The transport port; 0 means the stream is disabled (RFC 3264 section 5.1).
    #[inline]
    pub fn port(&self) -> u16 {
        self.raw.port
    }

    /// The `/<number of ports>` after the port, if any.
    pub fn port_count(&self) -> Option<u16> {
        self.raw.port_count
    }

    /// The transport protocol, e.g. `RTP/AVP`.
    #[inline]
    pub fn proto(&self) -> &'a str {
        self.t(self.raw.proto)
    }

    /// The media formats (for RTP, payload type numbers), in order of preference.
    pub fn formats(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.t(self.raw.formats).split_ascii_whitespace()
    }

    /// The formats that are RTP payload type numbers, in order.
    #[inline]
    pub fn payload_types(&self) -> impl Iterator<Item = u8> + use<'a> {
        // (Bytes: no character boundaries to check.)
        let f = self.raw.formats;
        PayloadTypes {
            b: self
                .text
                .as_bytes()
                .get(f.start as usize..f.end as usize)
                .unwrap_or_default(),
            i: 0,
        }
    }

    /// `i=`: media title.
    pub fn information(&self) -> Option<&'a str> {
        self.raw.information.map(|s| self.t(s))
    }

    /// The media-level `c=` lines.
    pub fn connections(&self) -> impl ExactSizeIterator<Item = Connection<'a>> + use<'a> {
        let text = self.text;
        self.raw
            .connections
            .of(&self.sdp.net_lines)
            .iter()
            .map(move |&c| conn_in(text, c))
    }

    /// The connection that applies: the first media-level `c=`, else the
    /// session-level one.
    pub fn connection(&self) -> Option<Connection<'a>> {
        let text = self.text;
        self.connections()
            .next()
            .or_else(|| self.sdp.connection.map(|c| conn_in(text, c)))
    }

    /// Media-level `b=` lines.
    pub fn bandwidths(&self) -> impl ExactSizeIterator<Item = Bandwidth<'a>> + use<'a> {
        let text = self.text;
        self.raw
            .bandwidths
            .of(&self.sdp.net_lines)
            .iter()
            .map(move |b| {
                let b = RawBandwidth::from_line(b);
                Bandwidth {
                    bw_type: sub(text, 0, b.bw_type),
                    value: b.value,
                }
            })
    }

    /// Media-level `k=`.
    pub fn key(&self) -> Option<&'a str> {
        self.raw.key.map(|s| self.t(s))
    }

    #[inline]
    fn raw_attributes(&self) -> &'a [RawAttribute] {
        self.raw.attributes.of(&self.sdp.attributes)
    }

    /// Media-level `a=` lines, in order.
    pub fn attributes(&self) -> impl ExactSizeIterator<Item = Attribute<'a>> + use<'a> {
        let text = self.text;
        self.raw
            .attributes
            .of(&self.sdp.attributes)
            .iter()
            .map(move |raw| Attribute { text, raw })
    }

    /// The value of the first media-level attribute with this name
    /// (`Some(None)` for a flag attribute).
    pub fn attribute(&self, name: &str) -> Option<Option<&'a str>> {
        self.attributes()
            .find(|a| a.name() == name)
            .map(|a| a.value())
    }

    /// The `a=rtpmap` lines.
    #[inline]
    pub fn rtpmaps(&self) -> impl Iterator<Item = Rtpmap<'a>> + use<'a> {
        Rtpmaps {
            text: self.text,
            records: self.raw_attributes().iter(),
        }
    }

    /// The `a=rtpmap` for a payload type.
    pub fn rtpmap(&self, payload_type: u8) -> Option<Rtpmap<'a>> {
        self.rtpmaps().find(|r| r.payload_type == payload_type)
    }

    /// The `a=fmtp` lines.
    #[inline]
    pub fn fmtps(&self) -> impl Iterator<Item = Fmtp<'a>> + use<'a> {
        Fmtps {
            text: self.text,
            records: self.raw_attributes().iter(),
        }
    }

    /// The `a=fmtp` for a format.
    pub fn fmtp(&self, format: &str) -> Option<Fmtp<'a>> {
        self.fmtps().find(|f| f.format == format)
    }

    /// `a=ptime` in milliseconds, media level then session level.
    pub fn ptime(&self) -> Option<u32> {
        self.attributes()
            .chain(self.sdp.attributes())
            .find_map(|a| match a.raw.typed.get() {
                RawTyped::Ptime(p) => Some(p),
                _ => None,
            })
    }

    /// The direction that applies (RFC 8866 section 6.7): the media-level
    /// attribute, else the session-level one, else sendrecv.
    #[inline]
    pub fn direction(&self) -> Direction {
        self.raw
            .direction
            .or(self.sdp.session_direction)
            .unwrap_or_default()
    }

    /// Whether `a=rtcp-mux` is present (RFC 5761).
    pub fn rtcp_mux(&self) -> bool {
        self.attributes()
            .any(|a| matches!(a.raw.typed.get(), RawTyped::RtcpMux))
    }

    /// The `a=rtcp` port, if given (RFC 3605).
    pub fn rtcp_port(&self) -> Option<u16> {
        self.attributes().find_map(|a| match a.raw.typed.get() {
            RawTyped::Rtcp { port, .. } => Some(port),
            _ => None,
        })
    }

    /// `a=mid` (RFC 5888).
    pub fn mid(&self) -> Option<&'a str> {
        let text = self.text;
        self.attributes().find_map(|a| match a.raw.typed.get() {
            RawTyped::Mid(m) => Some(sub(text, 0, m)),
            _ => None,
        })
    }
}

impl fmt::Debug for Media<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Media")
            .field("media_type", &self.media_type())
            .field("port", &self.port())
            .field("proto", &self.proto())
            .field("formats", &self.formats().collect::<Vec<_>>())
            .field("attributes", &self.attributes().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// `payload_types` yields what `formats` filtered by
        /// `parse_payload_type` does, for formats of digits, letters and
        /// white space of any length.
        #[test]
        fn payload_types_match_the_formats(
            formats in "[0-9]{1,4}([ \t]{1,3}([0-9]{1,12}|[0-9a-z/]{1,6})){0,8}[ \t]{0,2}",
        ) {
            let text = format!(
                "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5 RTP/AVP {formats}\r\n"
            );
            let d = SessionDescription::parse(Bytes::from(text)).unwrap();
            let m = d.media_at(0).unwrap();
            let expected: Vec<u8> = m
                .formats()
                .filter_map(crate::attributes::parse_payload_type)
                .collect();
            proptest::prop_assert_eq!(m.payload_types().collect::<Vec<_>>(), expected);
        }
    }
}
