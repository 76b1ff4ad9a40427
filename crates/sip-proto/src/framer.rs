//! Sans-IO framing of SIP messages on byte streams (TCP, TLS): RFC 3261
//! sections 7.5 and 18.3, CRLF keep-alives of RFC 5626 sections 3.5.1 and
//! 4.4.1.
//!
//! Feed the bytes read from the connection with [`Framer::push`], then call
//! [`Framer::next_frame`] until it returns `None`:
//!
//! ```
//! use sip_proto::framer::{Frame, Framer};
//!
//! let mut framer = Framer::new();
//! framer.push(b"\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\nContent-Length: 0\r\n\r\n");
//! assert_eq!(framer.next_frame(), Some(Ok(Frame::Ping)));
//! assert!(matches!(framer.next_frame(), Some(Ok(Frame::Message(_)))));
//! assert_eq!(framer.next_frame(), None);
//! ```
//!
//! # Rules
//!
//! * A message is its header section (start line and headers, ended by an
//!   empty line) plus exactly `Content-Length` body bytes. The
//!   `Content-Length` header is mandatory on streams (RFC 3261 section 18.3);
//!   it is found case-insensitively, also in its compact form `l`, with
//!   whitespace around the colon and folded values allowed.
//! * Line ends in the header section may be CRLF or a bare LF (real peers
//!   send them); the header section ends at the first empty line, i.e. at
//!   CRLF CRLF, LF LF, CRLF LF or LF CRLF. The body is never inspected, so a
//!   body containing CRLF CRLF is fine.
//! * Between messages, CRLFs are keep-alives, never part of a message
//!   (RFC 3261 section 7.5: CRLFs before a start line are ignored). A double
//!   CRLF is a [`Frame::Ping`], a single CRLF a [`Frame::Pong`] (RFC 5626
//!   section 4.4.1). A run of CRLFs pairs up greedily from its start (the
//!   bytes cannot tell a pong followed by a ping from a ping followed by a
//!   pong). Stray bare CR or LF bytes between messages are skipped
//!   silently.
//! * **The ping/pong ambiguity.** When the buffer between messages holds only
//!   `CRLF` or `CRLF CR`, it may be the start of a ping whose rest has not
//!   arrived yet. By default the framer waits for more data: it reports a
//!   pong only once the byte after the CRLF is known and does not continue a
//!   double CRLF, and a ping once all four bytes are there. A client waiting
//!   for the pong to its own ping would then wait forever, so it should turn
//!   on [`FramerConfig::eager_pong`] (or [`Framer::set_eager_pong`]): a CRLF
//!   is then reported as a pong at once, and a double CRLF that arrives split
//!   after its first CRLF gives two pongs instead of one ping.
//! * **Errors are sticky.** After an error (missing or bad Content-Length,
//!   message too large) the position of the next message in the stream is
//!   unknown, so the connection must be closed: `next_frame` returns the
//!   error once and `None` ever after, [`Framer::error`] keeps it, and
//!   pushed data is discarded.
//! * **Bounded memory.** Messages larger than
//!   [`FramerConfig::max_message_size`] (default 64 KiB), whether because the
//!   header section does not end within it or because the Content-Length
//!   makes the message longer, give [`FramerError::TooLarge`] as soon as this
//!   is known. After `next_frame` has returned `None` the framer holds less
//!   than the maximum; in between it holds at most that plus the last pushed
//!   chunk.
//! * Complete messages are split off the buffer without copying
//!   (`BytesMut::split_to(..).freeze()`).

use bytes::{Buf, Bytes, BytesMut};

/// Default [`FramerConfig::max_message_size`]: 64 KiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 * 1024;

/// The RFC 5626 section 4.4.1 keep-alive "ping" a client sends: a double
/// CRLF.
pub const PING: &[u8; 4] = b"\r\n\r\n";

/// The RFC 5626 section 4.4.1 keep-alive "pong" a server answers a ping
/// with: a single CRLF.
pub const PONG: &[u8; 2] = b"\r\n";

/// Most bytes of a bad Content-Length value kept in an error.
const MAX_ERROR_VALUE_LEN: usize = 32;

/// One unit of a SIP byte stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Frame {
    /// Exactly one whole message: header section and `Content-Length` body
    /// bytes, ready for the message parser.
    Message(Bytes),
    /// A double CRLF between messages: an RFC 5626 keep-alive "ping", which
    /// a server answers with a single CRLF.
    Ping,
    /// A single CRLF between messages: an RFC 5626 keep-alive "pong".
    Pong,
}

/// Why the stream cannot be framed. Every error is fatal for the
/// connection. Offsets count bytes from the start of the stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum FramerError {
    /// The header section has no Content-Length, which streams require
    /// (RFC 3261 section 18.3).
    #[error(
        "message at stream byte {offset} has no Content-Length header (required on streams, RFC 3261 section 18.3)"
    )]
    MissingContentLength {
        /// Where the message starts.
        offset: u64,
    },
    /// A Content-Length value is not a non-negative decimal number that fits
    /// in memory (RFC 3261 section 20.14: `1*DIGIT`).
    #[error("invalid Content-Length {value:?} at stream byte {offset}: {reason}")]
    InvalidContentLength {
        /// The value (at most 32 bytes of it, lossily decoded).
        value: String,
        /// Where the value starts.
        offset: u64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two Content-Length headers disagree, so the message end is unknown.
    #[error(
        "conflicting Content-Length values {first} and {second} (second at stream byte {offset})"
    )]
    ConflictingContentLength {
        /// The first value.
        first: usize,
        /// The disagreeing value.
        second: usize,
        /// Where the second value starts.
        offset: u64,
    },
    /// The message is larger than the configured maximum.
    #[error("message at stream byte {offset} is larger than the limit of {limit} bytes{}",
        match size { Some(s) => format!(" (Content-Length makes it {s})"), None => " (header section does not end within it)".to_owned() })]
    TooLarge {
        /// Where the message starts.
        offset: u64,
        /// The configured maximum.
        limit: usize,
        /// The message size implied by Content-Length, when the header
        /// section was complete; `None` when the header section does not
        /// end within the limit. Saturates at `u64::MAX`.
        size: Option<u64>,
    },
}

/// Framer settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FramerConfig {
    /// Largest message (header section plus body) accepted, in bytes.
    pub max_message_size: usize,
    /// Report a CRLF between messages as [`Frame::Pong`] at once instead of
    /// waiting to see whether a second CRLF follows (see the module
    /// documentation). For a client that has sent a ping.
    pub eager_pong: bool,
}

impl Default for FramerConfig {
    fn default() -> Self {
        FramerConfig {
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            eager_pong: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum State {
    /// Between messages: keep-alives or the start of a message.
    Idle,
    /// Inside a header section; the search for its end resumes at `scan`.
    Headers { scan: usize },
    /// The message is `total` bytes long; waiting for its body.
    Body { total: usize },
    /// An error was reported; the stream is dead.
    Failed(FramerError),
}

/// What the bytes at the start of the buffer are, between messages.
enum IdleStep {
    NeedMore,
    Ping,
    Pong,
    Skip,
    MessageStart,
}

/// The stream framer. See the module documentation for the rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Framer {
    config: FramerConfig,
    buf: BytesMut,
    state: State,
    /// Stream bytes consumed so far (split off or skipped), for offsets.
    consumed: u64,
}

impl Default for Framer {
    fn default() -> Self {
        Framer::new()
    }
}

impl Framer {
    /// A framer with the default configuration.
    pub fn new() -> Framer {
        Framer::with_config(FramerConfig::default())
    }

    /// A framer with `config`.
    pub fn with_config(config: FramerConfig) -> Framer {
        Framer {
            config,
            buf: BytesMut::new(),
            state: State::Idle,
            consumed: 0,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &FramerConfig {
        &self.config
    }

    /// Switches [`FramerConfig::eager_pong`], e.g. on while a ping of ours
    /// is outstanding.
    pub fn set_eager_pong(&mut self, eager: bool) {
        self.config.eager_pong = eager;
    }

    /// Appends bytes read from the stream. Call [`Framer::next_frame`] until
    /// it returns `None` after each push to keep memory bounded. Discarded
    /// after an error.
    pub fn push(&mut self, data: &[u8]) {
        if !matches!(self.state, State::Failed(_)) {
            self.buf.extend_from_slice(data);
        }
    }

    /// Like [`Framer::push`], but takes ownership of a buffer, which avoids a
    /// copy when nothing is buffered yet.
    pub fn push_bytes(&mut self, data: BytesMut) {
        if matches!(self.state, State::Failed(_)) {
            return;
        }
        if self.buf.is_empty() {
            self.buf = data;
        } else {
            self.buf.extend_from_slice(&data);
        }
    }

    /// The next frame, `None` when more data is needed (or after an error
    /// has been returned), `Some(Err(_))` once when the stream is broken.
    pub fn next_frame(&mut self) -> Option<Result<Frame, FramerError>> {
        loop {
            match self.state {
                State::Failed(_) => return None,
                State::Idle => match self.idle_step() {
                    IdleStep::NeedMore => return None,
                    IdleStep::Ping => {
                        self.skip(4);
                        return Some(Ok(Frame::Ping));
                    }
                    IdleStep::Pong => {
                        self.skip(2);
                        return Some(Ok(Frame::Pong));
                    }
                    IdleStep::Skip => self.skip(1),
                    IdleStep::MessageStart => self.state = State::Headers { scan: 0 },
                },
                State::Headers { scan } => {
                    let (end, resume) =
                        find_header_end(&self.buf, scan, self.config.max_message_size);
                    let Some(head_len) = end else {
                        if self.buf.len() >= self.config.max_message_size {
                            return Some(Err(self.fail(FramerError::TooLarge {
                                offset: self.consumed,
                                limit: self.config.max_message_size,
                                size: None,
                            })));
                        }
                        self.state = State::Headers { scan: resume };
                        return None;
                    };
                    let body_len = match content_length(&self.buf[..head_len], self.consumed) {
                        Ok(n) => n,
                        Err(e) => return Some(Err(self.fail(e))),
                    };
                    match head_len.checked_add(body_len) {
                        Some(total) if total <= self.config.max_message_size => {
                            self.state = State::Body { total };
                        }
                        total => {
                            let size =
                                total.map_or(u64::MAX, |t| u64::try_from(t).unwrap_or(u64::MAX));
                            return Some(Err(self.fail(FramerError::TooLarge {
                                offset: self.consumed,
                                limit: self.config.max_message_size,
                                size: Some(size),
                            })));
                        }
                    }
                }
                State::Body { total } => {
                    if self.buf.len() < total {
                        return None;
                    }
                    let message = self.buf.split_to(total).freeze();
                    self.consumed += total as u64;
                    self.state = State::Idle;
                    return Some(Ok(Frame::Message(message)));
                }
            }
        }
    }

    /// Iterates over the frames available now (`next_frame` until `None`).
    pub fn frames(&mut self) -> impl Iterator<Item = Result<Frame, FramerError>> + '_ {
        std::iter::from_fn(move || self.next_frame())
    }

    /// Bytes buffered and not yet returned.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Whether the framer is between messages with nothing buffered, so
    /// that the peer closing the stream now loses nothing.
    pub fn is_idle(&self) -> bool {
        self.state == State::Idle && self.buf.is_empty()
    }

    /// The error that broke the stream, if any (errors are sticky).
    pub fn error(&self) -> Option<&FramerError> {
        match &self.state {
            State::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// Stream bytes consumed so far: returned in frames or skipped.
    pub fn stream_offset(&self) -> u64 {
        self.consumed
    }

    fn skip(&mut self, n: usize) {
        self.buf.advance(n);
        self.consumed += n as u64;
    }

    fn fail(&mut self, e: FramerError) -> FramerError {
        // The stream is dead: release the memory.
        self.buf = BytesMut::new();
        self.state = State::Failed(e.clone());
        e
    }

    fn idle_step(&self) -> IdleStep {
        match &self.buf[..] {
            [] => IdleStep::NeedMore,
            [b'\r', b'\n', b'\r', b'\n', ..] => IdleStep::Ping,
            // Possibly the first half of a ping (see the module docs).
            [b'\r', b'\n'] | [b'\r', b'\n', b'\r'] if !self.config.eager_pong => IdleStep::NeedMore,
            [b'\r', b'\n', ..] => IdleStep::Pong,
            // A lone CR may still become a CRLF.
            [b'\r'] => IdleStep::NeedMore,
            // Stray CR or LF before a start line: ignored (RFC 3261
            // section 7.5).
            [b'\r' | b'\n', ..] => IdleStep::Skip,
            _ => IdleStep::MessageStart,
        }
    }
}

/// Finds the end of the header section (the index just after its empty
/// line) within the first `max` bytes of `buf`, searching from `from`.
/// Returns the end, if found, and where to resume the search otherwise.
fn find_header_end(buf: &[u8], from: usize, max: usize) -> (Option<usize>, usize) {
    let w = &buf[..buf.len().min(max)];
    let mut i = from;
    while let Some(p) = w
        .get(i..)
        .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
    {
        let lf = i + p;
        match (w.get(lf + 1), w.get(lf + 2)) {
            (Some(b'\n'), _) => return (Some(lf + 2), lf),
            (Some(b'\r'), Some(b'\n')) => return (Some(lf + 3), lf),
            // The next byte(s) decide; wait for them.
            (None, _) | (Some(b'\r'), None) => return (None, lf),
            _ => i = lf + 1,
        }
    }
    (None, w.len())
}

fn trim_wsp(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// The Content-Length of a complete header section `head` that starts at
/// stream offset `base` (RFC 3261 section 20.14; compact form `l`, section
/// 7.3.3). Duplicates must agree.
fn content_length(head: &[u8], base: u64) -> Result<usize, FramerError> {
    let mut found: Option<usize> = None;
    // The Content-Length value being collected (it may be folded) and the
    // stream offset where it starts.
    let mut current: Option<(Vec<u8>, u64)> = None;
    let mut start = 0;
    let mut first_line = true;
    while start < head.len() {
        let end = head[start..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(head.len(), |p| start + p);
        let mut line = &head[start..end];
        let line_start = start;
        start = end + 1;
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        if first_line {
            // The start line.
            first_line = false;
            continue;
        }
        if line.is_empty() {
            break;
        }
        if let [b' ' | b'\t', ..] = line {
            // Folded continuation of the previous header (RFC 3261 section
            // 7.3.1).
            if let Some((value, _)) = current.as_mut() {
                value.push(b' ');
                value.extend_from_slice(trim_wsp(line));
            }
            continue;
        }
        record_content_length(current.take(), &mut found)?;
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            continue;
        };
        // HCOLON = *( SP / HTAB ) ":" SWS
        let name = trim_wsp(&line[..colon]);
        if name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"l") {
            let value_start = line_start + colon + 1;
            current = Some((line[colon + 1..].to_vec(), base + value_start as u64));
        }
    }
    record_content_length(current.take(), &mut found)?;
    found.ok_or(FramerError::MissingContentLength { offset: base })
}

/// Parses a collected Content-Length value and checks it against the ones
/// seen before in the same header section.
fn record_content_length(
    cur: Option<(Vec<u8>, u64)>,
    found: &mut Option<usize>,
) -> Result<(), FramerError> {
    let Some((raw, offset)) = cur else {
        return Ok(());
    };
    let n = parse_content_length(&raw, offset)?;
    match *found {
        Some(first) if first != n => Err(FramerError::ConflictingContentLength {
            first,
            second: n,
            offset,
        }),
        _ => {
            *found = Some(n);
            Ok(())
        }
    }
}

fn parse_content_length(raw: &[u8], offset: u64) -> Result<usize, FramerError> {
    let v = trim_wsp(raw);
    let invalid = |reason| FramerError::InvalidContentLength {
        value: String::from_utf8_lossy(&v[..v.len().min(MAX_ERROR_VALUE_LEN)]).into_owned(),
        offset,
        reason,
    };
    match v {
        [] => return Err(invalid("empty")),
        [b'-', ..] => return Err(invalid("negative")),
        _ if !v.iter().all(u8::is_ascii_digit) => return Err(invalid("not a decimal number")),
        _ => {}
    }
    v.iter()
        .try_fold(0usize, |n, &d| {
            n.checked_mul(10)?.checked_add(usize::from(d - b'0'))
        })
        .ok_or_else(|| invalid("overflows"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const INVITE: &[u8] = b"INVITE sip:bob@biloxi.com SIP/2.0\r\n\
Via: SIP/2.0/TCP pc33.atlanta.com;branch=z9hG4bK776asdhds\r\n\
Max-Forwards: 70\r\n\
To: Bob <sip:bob@biloxi.com>\r\n\
From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.atlanta.com\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:alice@pc33.atlanta.com;transport=tcp>\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 141\r\n\
\r\n\
v=0\r\n\
o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.com\r\n\
s=-\r\n\
c=IN IP4 192.0.2.101\r\n\
t=0 0\r\n\
m=audio 49172 RTP/AVP 0\r\n\
a=rtpmap:0 PCMU/8000\r\n";

    const OK_COMPACT: &[u8] =
        b"SIP/2.0 200 OK\r\nv: SIP/2.0/TCP x;branch=z9hG4bK1\r\nl : 0\r\n\r\n";

    /// A body that contains CRLF CRLF and a fake header section.
    const TRICKY_BODY: &[u8] = b"MESSAGE sip:a@b SIP/2.0\r\ncontent-LENGTH:\t 44\r\n\r\n\r\n\r\nNOTIFY x SIP/2.0\r\nContent-Length: 99\r\n\r\n";

    const BARE_LF: &[u8] = b"OPTIONS sip:x SIP/2.0\nVia: SIP/2.0/TCP h\nContent-Length: 3\n\nabc";

    const MIXED: &[u8] = b"OPTIONS sip:x SIP/2.0\r\nContent-Length: 2\n\r\nhi";

    fn frames_of(chunks: &[&[u8]], config: FramerConfig) -> Vec<Result<Frame, FramerError>> {
        let mut f = Framer::with_config(config);
        let mut out = Vec::new();
        for c in chunks {
            f.push(c);
            out.extend(f.frames());
        }
        out
    }

    fn msg(b: &[u8]) -> Result<Frame, FramerError> {
        Ok(Frame::Message(Bytes::copy_from_slice(b)))
    }

    #[test]
    fn sample_lengths() {
        assert_eq!(
            TRICKY_BODY.len()
                - TRICKY_BODY
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .unwrap()
                - 4,
            44
        );
        let head = INVITE.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert_eq!(INVITE.len() - head, 141);
    }

    #[test]
    fn single_messages() {
        for m in [INVITE, OK_COMPACT, TRICKY_BODY, BARE_LF, MIXED] {
            assert_eq!(frames_of(&[m], FramerConfig::default()), vec![msg(m)]);
        }
    }

    #[test]
    fn every_two_chunk_split_and_byte_by_byte() {
        let stream: Vec<u8> = [
            b"\r\n\r\n".as_slice(),
            INVITE,
            b"\r\n",
            OK_COMPACT,
            TRICKY_BODY,
            b"\r\n\r\n\r\n",
            BARE_LF,
            MIXED,
        ]
        .concat();
        let expected = vec![
            Ok(Frame::Ping),
            msg(INVITE),
            Ok(Frame::Pong),
            msg(OK_COMPACT),
            msg(TRICKY_BODY),
            Ok(Frame::Ping),
            Ok(Frame::Pong),
            msg(BARE_LF),
            msg(MIXED),
        ];
        let config = FramerConfig::default();
        assert_eq!(frames_of(&[&stream], config), expected);
        for cut in 0..=stream.len() {
            let (a, b) = stream.split_at(cut);
            assert_eq!(frames_of(&[a, b], config), expected, "cut at {cut}");
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(frames_of(&bytes, config), expected);
    }

    #[test]
    fn pipelined_in_one_chunk_is_zero_copy() {
        let stream = [INVITE, INVITE, OK_COMPACT].concat();
        let mut f = Framer::new();
        f.push_bytes(BytesMut::from(&stream[..]));
        let base = f.buf.as_ptr();
        let Some(Ok(Frame::Message(first))) = f.next_frame() else {
            panic!("no message");
        };
        // The frame is a view of the pushed buffer, not a copy.
        assert_eq!(first.as_ptr(), base);
        assert_eq!(&first[..], INVITE);
        assert_eq!(
            f.frames().collect::<Vec<_>>(),
            vec![msg(INVITE), msg(OK_COMPACT)]
        );
        assert!(f.is_idle());
        assert_eq!(f.stream_offset(), stream.len() as u64);
    }

    #[test]
    fn ping_pong_rules() {
        let d = FramerConfig::default();
        // A lone CRLF waits: it may be the first half of a ping.
        let mut f = Framer::new();
        f.push(b"\r\n");
        assert_eq!(f.next_frame(), None);
        f.push(b"\r");
        assert_eq!(f.next_frame(), None);
        f.push(b"\n");
        assert_eq!(f.next_frame(), Some(Ok(Frame::Ping)));
        assert!(f.is_idle());
        // A CRLF followed by something other than CR is a pong.
        assert_eq!(frames_of(&[b"\r\nO"], d), vec![Ok(Frame::Pong)]);
        assert_eq!(frames_of(&[b"\r\n\rX"], d), vec![Ok(Frame::Pong)]);
        assert_eq!(
            frames_of(&[b"\r\n\r\n\r\n\r\n"], d),
            vec![Ok(Frame::Ping), Ok(Frame::Ping)]
        );
        assert_eq!(
            frames_of(&[b"\r\n\r\n\r\n", OK_COMPACT], d),
            vec![Ok(Frame::Ping), Ok(Frame::Pong), msg(OK_COMPACT)]
        );
        // Runs of CRLFs pair up into pings; a CRLF is a pong only when what
        // follows is not another CR.
        assert_eq!(
            frames_of(&[PING, PONG, OK_COMPACT], d),
            vec![Ok(Frame::Ping), Ok(Frame::Pong), msg(OK_COMPACT)]
        );
        assert_eq!(
            frames_of(&[PING, PONG, PING], d),
            vec![Ok(Frame::Ping), Ok(Frame::Ping)]
        );
        // Eager pongs for a client waiting for its pong.
        let eager = FramerConfig {
            eager_pong: true,
            ..d
        };
        assert_eq!(frames_of(&[b"\r\n"], eager), vec![Ok(Frame::Pong)]);
        assert_eq!(frames_of(&[b"\r\n\r\n"], eager), vec![Ok(Frame::Ping)]);
        assert_eq!(
            frames_of(&[b"\r\n", b"\r\n"], eager),
            vec![Ok(Frame::Pong), Ok(Frame::Pong)]
        );
        let mut f = Framer::new();
        f.push(b"\r\n");
        assert_eq!(f.next_frame(), None);
        f.set_eager_pong(true);
        assert_eq!(f.next_frame(), Some(Ok(Frame::Pong)));
        // Stray CR / LF between messages are skipped, not framed.
        assert_eq!(
            frames_of(&[b"\n\n\r", OK_COMPACT], d),
            vec![msg(OK_COMPACT)]
        );
        assert_eq!(frames_of(&[b"\r"], d), vec![]);
        // CRLFs inside a header section or body are not keep-alives.
        assert_eq!(frames_of(&[TRICKY_BODY], d), vec![msg(TRICKY_BODY)]);
    }

    #[test]
    fn content_length_forms() {
        let d = FramerConfig::default();
        for m in [
            b"A B C\r\ncontent-length:3\r\n\r\nabc".as_slice(),
            b"A B C\r\nCONTENT-LENGTH \t: \t3 \t\r\n\r\nabc",
            b"A B C\r\nL: 3\r\n\r\nabc",
            b"A B C\r\nContent-Length:\r\n 3\r\n\r\nabc",
            b"A B C\r\nContent-Length: 3\r\nl: 3\r\n\r\nabc",
            b"A B C\r\nContent-Length: 003\r\n\r\nabc",
            b"A B C\r\nX-Content-Length: 9\r\nContent-Length: 3\r\nSubject: l: 7\r\n\r\nabc",
            b"A B C\r\nSubject: x\r\n Content-Length: 9\r\nl:3\r\n\r\nabc",
        ] {
            assert_eq!(
                frames_of(&[m, OK_COMPACT], d),
                vec![msg(m), msg(OK_COMPACT)],
                "{}",
                String::from_utf8_lossy(m)
            );
        }
        // The start line is not a header even if it looks like one.
        assert_eq!(
            frames_of(&[b"l: 5\r\nContent-Length: 0\r\n\r\n"], d),
            vec![msg(b"l: 5\r\nContent-Length: 0\r\n\r\n")]
        );
    }

    fn first_error(stream: &[u8], config: FramerConfig) -> FramerError {
        let mut f = Framer::with_config(config);
        f.push(stream);
        let e = f.frames().find_map(Result::err).expect("an error");
        // Sticky: nothing more comes out, pushes are ignored.
        assert_eq!(f.next_frame(), None);
        f.push(OK_COMPACT);
        assert_eq!(f.next_frame(), None);
        assert_eq!(f.error(), Some(&e));
        assert_eq!(f.buffered(), 0);
        e
    }

    #[test]
    fn errors() {
        let d = FramerConfig::default();
        let base = OK_COMPACT.len() as u64 + 2;
        let with = |m: &[u8]| [OK_COMPACT, b"\r\n", m].concat();
        assert_eq!(
            first_error(&with(b"INVITE x SIP/2.0\r\nVia: y\r\n\r\n"), d),
            FramerError::MissingContentLength { offset: base }
        );
        let invalid = |m: &[u8]| match first_error(&with(m), d) {
            FramerError::InvalidContentLength {
                value,
                offset,
                reason,
            } => (value, offset - base, reason),
            e => panic!("{e:?}"),
        };
        assert_eq!(
            invalid(b"A B C\r\nContent-Length: -1\r\n\r\n"),
            ("-1".to_owned(), 22, "negative")
        );
        assert_eq!(
            invalid(b"A B C\r\nl: 12a\r\n\r\n"),
            ("12a".to_owned(), 9, "not a decimal number")
        );
        assert_eq!(
            invalid(b"A B C\r\nl: +5\r\n\r\n"),
            ("+5".to_owned(), 9, "not a decimal number")
        );
        assert_eq!(invalid(b"A B C\r\nl:\r\n\r\n"), (String::new(), 9, "empty"));
        assert_eq!(
            invalid(b"A B C\r\nl: 5, 5\r\n\r\n"),
            ("5, 5".to_owned(), 9, "not a decimal number")
        );
        let (value, _, reason) =
            invalid(b"A B C\r\nl: 99999999999999999999999999999999999999999\r\n\r\n");
        assert_eq!((value.len(), reason), (32, "overflows"));
        assert_eq!(
            first_error(&with(b"A B C\r\nContent-Length: 1\r\nl: 2\r\n\r\nab"), d),
            FramerError::ConflictingContentLength {
                first: 1,
                second: 2,
                offset: base + 28
            }
        );
        // Error messages say what and where.
        assert_eq!(
            first_error(b"A B C\r\nl: -1\r\n\r\n", d).to_string(),
            "invalid Content-Length \"-1\" at stream byte 9: negative"
        );
    }

    #[test]
    fn limits() {
        let small = FramerConfig {
            max_message_size: 100,
            ..FramerConfig::default()
        };
        // Exactly at the limit is fine.
        let head = b"A B C\r\nContent-Length: 71\r\n\r\n";
        let exact = [head.as_slice(), &[b'x'; 71]].concat();
        assert_eq!(exact.len(), 100);
        assert_eq!(frames_of(&[&exact], small), vec![msg(&exact)]);
        // One more body byte is too large, reported before the body comes.
        let mut f = Framer::with_config(small);
        f.push(b"A B C\r\nContent-Length: 72\r\n\r\n");
        assert_eq!(
            f.next_frame(),
            Some(Err(FramerError::TooLarge {
                offset: 0,
                limit: 100,
                size: Some(101)
            }))
        );
        // A header section that does not end within the limit.
        let mut f = Framer::with_config(small);
        for _ in 0..20 {
            f.push(b"X-Filler: 0123456789\r\n");
            if let Some(r) = f.next_frame() {
                assert_eq!(
                    r,
                    Err(FramerError::TooLarge {
                        offset: 0,
                        limit: 100,
                        size: None
                    })
                );
                break;
            }
            assert!(f.buffered() < 100);
        }
        assert!(f.error().is_some());
        // An empty line that ends just past the limit.
        let long_head = [b"A B C\r\nl: 0\r\nX: ".as_slice(), &[b'y'; 81], b"\r\n\r\n"].concat();
        assert_eq!(long_head.len(), 101);
        assert!(matches!(
            first_error(&long_head, small),
            FramerError::TooLarge { size: None, .. }
        ));
        // A Content-Length whose sum with the header overflows.
        assert!(matches!(
            first_error(
                format!("A B C\r\nl: {}\r\n\r\n", usize::MAX).as_bytes(),
                FramerConfig::default()
            ),
            FramerError::TooLarge {
                size: Some(u64::MAX),
                ..
            }
        ));
        // The default.
        assert_eq!(Framer::new().config().max_message_size, 65536);
    }

    #[test]
    fn waits_for_body() {
        let mut f = Framer::new();
        f.push(&INVITE[..INVITE.len() - 1]);
        assert_eq!(f.next_frame(), None);
        assert_eq!(f.next_frame(), None);
        assert!(!f.is_idle());
        f.push(&INVITE[INVITE.len() - 1..]);
        assert_eq!(f.next_frame(), Some(msg(INVITE)));
        assert_eq!(f.next_frame(), None);
    }

    /// A valid message built from parts, and how it is framed.
    fn message_strategy() -> impl Strategy<Value = Vec<u8>> {
        (
            prop::sample::select(vec!["INVITE sip:a@b SIP/2.0", "SIP/2.0 200 OK", "X y z"]),
            prop::sample::select(vec!["\r\n", "\n"]),
            prop::sample::select(vec![
                "Content-Length",
                "content-length",
                "l",
                "L",
                "CONTENT-LENGTH",
            ]),
            prop::sample::select(vec![":", " : ", ":\t", ":\r\n "]),
            prop::collection::vec("[A-Za-z-]{1,8}: [ -~]{0,12}", 0..4),
            prop::collection::vec(any::<u8>(), 0..64),
        )
            .prop_map(|(start, eol, name, colon, headers, body)| {
                let mut m = Vec::new();
                m.extend_from_slice(start.as_bytes());
                m.extend_from_slice(eol.as_bytes());
                for h in headers {
                    // Keep generated headers from being Content-Length.
                    m.extend_from_slice(b"X-");
                    m.extend_from_slice(h.as_bytes());
                    m.extend_from_slice(eol.as_bytes());
                }
                m.extend_from_slice(format!("{name}{colon}{}", body.len()).as_bytes());
                m.extend_from_slice(eol.as_bytes());
                m.extend_from_slice(eol.as_bytes());
                m.extend_from_slice(&body);
                m
            })
    }

    #[derive(Debug, Clone)]
    enum Item {
        Msg(Vec<u8>),
        Ping,
        Pong,
    }

    fn item_strategy() -> impl Strategy<Value = Item> {
        prop_oneof![
            4 => message_strategy().prop_map(Item::Msg),
            1 => Just(Item::Ping),
            1 => Just(Item::Pong),
        ]
    }

    proptest! {
        #[test]
        fn arbitrary_chunking_reproduces_messages(
            items in prop::collection::vec(item_strategy(), 1..8),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
        ) {
            let mut stream = Vec::new();
            let mut messages = Vec::new();
            for item in &items {
                match item {
                    Item::Msg(m) => {
                        stream.extend_from_slice(m);
                        messages.push(msg(m));
                    }
                    Item::Ping => stream.extend_from_slice(b"\r\n\r\n"),
                    Item::Pong => stream.extend_from_slice(b"\r\n"),
                }
            }
            let expected = expected_frames(&stream, messages);
            let mut points: Vec<usize> = cuts.iter().map(|c| c.index(stream.len() + 1)).collect();
            points.sort_unstable();
            let mut chunks = Vec::new();
            let mut last = 0;
            for p in points {
                chunks.push(&stream[last..p]);
                last = p;
            }
            chunks.push(&stream[last..]);
            let got = frames_of(&chunks, FramerConfig::default());
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn arbitrary_bytes_never_panic_and_stay_bounded(
            chunks in prop::collection::vec(
                prop::collection::vec(
                    prop_oneof![
                        4 => any::<u8>(),
                        1 => Just(b'\r'),
                        1 => Just(b'\n'),
                        1 => Just(b':'),
                        1 => Just(b'l'),
                    ],
                    0..300,
                ),
                0..20,
            ),
            max in 16usize..400,
            eager in any::<bool>(),
        ) {
            let mut f = Framer::with_config(FramerConfig { max_message_size: max, eager_pong: eager });
            let mut total = 0usize;
            for c in &chunks {
                f.push(c);
                total += c.len();
                prop_assert!(f.buffered() < max + c.len());
                let mut n = 0;
                while let Some(r) = f.next_frame() {
                    n += 1;
                    prop_assert!(n <= total + 1, "too many frames");
                    if let Ok(Frame::Message(m)) = r {
                        prop_assert!(m.len() <= max);
                    }
                }
                prop_assert!(f.buffered() < max);
            }
        }

        #[test]
        fn framing_prefixes_of_valid_streams(
            items in prop::collection::vec(message_strategy(), 1..4),
            junk in prop::collection::vec(any::<u8>(), 0..64),
        ) {
            // Valid messages followed by junk: the messages all come out
            // before anything goes wrong.
            let stream: Vec<u8> = items.concat().into_iter().chain(junk).collect();
            let got = frames_of(&[&stream], FramerConfig::default());
            for (i, m) in items.iter().enumerate() {
                prop_assert_eq!(&got[i], &msg(m));
            }
        }
    }

    /// The frames expected from `stream`, which is `messages` with CRLF
    /// keep-alives between them, by the framer's rule: each run of CRLFs
    /// pairs up into pings; an odd one left over is a pong when a message
    /// follows and pending at the end of the stream.
    fn expected_frames(
        stream: &[u8],
        messages: Vec<Result<Frame, FramerError>>,
    ) -> Vec<Result<Frame, FramerError>> {
        let mut out = Vec::new();
        let mut pos = 0;
        let mut msgs = messages.into_iter();
        loop {
            let mut crlfs = 0;
            while stream[pos..].starts_with(b"\r\n") {
                crlfs += 1;
                pos += 2;
            }
            let next = msgs.next();
            for _ in 0..crlfs / 2 {
                out.push(Ok(Frame::Ping));
            }
            match next {
                Some(m) => {
                    if crlfs % 2 == 1 {
                        out.push(Ok(Frame::Pong));
                    }
                    if let Ok(Frame::Message(b)) = &m {
                        pos += b.len();
                    }
                    out.push(m);
                }
                None => return out,
            }
        }
    }
}
