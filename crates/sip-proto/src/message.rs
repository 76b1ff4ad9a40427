//! SIP messages (RFC 3261 section 7): framing, the start line, header
//! fields, the body, and canonical printing.
//!
//! A [`Message`] keeps the buffer it was parsed from and records spans into
//! it; header text is never copied. The headers a transaction needs are
//! checked when the message is parsed; the others are parsed when asked for.

use std::fmt;
use std::hash::{Hash, Hasher};

use bytes::Bytes;
use bytestring::ByteString;

use crate::cache::{ContactSpans, Core, NameAddrSpans, Span, Text, ViaSpans};
use crate::grammar;
use crate::headers::{
    CSeq, CallId, Contact, ContentLength, FromHeader, HeaderError, HeaderErrorKind, MaxForwards,
    RecordRoute, Route, ToHeader, TypedHeader, Via, split_list,
};
use crate::method::Method;
use crate::name::HeaderName;
use crate::uri::{Uri, UriErrorKind};

/// Why a message was rejected, and at which byte of the input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct ParseError {
    /// What is wrong.
    pub kind: ParseErrorKind,
    /// Byte offset from the start of the input.
    pub offset: usize,
}

impl ParseError {
    pub(crate) fn new(kind: ParseErrorKind, offset: usize) -> Self {
        ParseError { kind, offset }
    }

    /// The status a UAS answers a request with when it fails so (RFC 3261
    /// sections 8.2.2-8.2.3, 21.5.6): 505 for another SIP version, 400 else.
    pub fn status_code(&self) -> u16 {
        match self.kind {
            ParseErrorKind::UnsupportedVersion => 505,
            _ => 400,
        }
    }
}

/// The kinds of [`ParseError`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// Nothing but line ends.
    #[error("empty message")]
    Empty,
    /// The header section does not end with an empty line.
    #[error("header section not terminated by an empty line")]
    Unterminated,
    /// The start line or a header is not UTF-8 (RFC 3261 section 7.3.1).
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// The start line is malformed; says what was expected.
    #[error("malformed start line: expected {0}")]
    InvalidStartLine(&'static str),
    /// The method is not a token.
    #[error("invalid method")]
    InvalidMethod,
    /// The Request-URI does not parse.
    #[error("invalid Request-URI ({0})")]
    InvalidRequestUri(UriErrorKind),
    /// The Request-URI has a headers component (RFC 3261 section 19.1.1 table).
    #[error("headers are not allowed in a Request-URI")]
    RequestUriHeaders,
    /// A SIP version other than 2.0 (answer 505).
    #[error("unsupported SIP version")]
    UnsupportedVersion,
    /// The status code is not three digits.
    #[error("invalid status code")]
    InvalidStatusCode,
    /// A header line without a colon.
    #[error("header line without ':'")]
    MissingColon,
    /// A header name that is not a token.
    #[error("invalid header name")]
    InvalidHeaderName,
    /// A folded line before any header.
    #[error("continuation line before any header")]
    FoldWithoutHeader,
    /// Several Content-Length values that disagree (RFC 4475 3.3.9).
    #[error("conflicting Content-Length values")]
    ConflictingContentLength,
    /// Content-Length is larger than the bytes that follow the header section.
    #[error("Content-Length {declared} exceeds the {available} bytes of body")]
    BodyTooShort {
        /// The Content-Length value.
        declared: u32,
        /// The bytes present after the empty line.
        available: usize,
    },
    /// A header the transaction layer needs does not parse.
    #[error("invalid {name} header: {kind}")]
    InvalidHeader {
        /// Which header.
        name: HeaderName,
        /// Why.
        kind: HeaderErrorKind,
    },
    /// The CSeq method differs from the request method (RFC 4475 3.1.2.17).
    #[error("CSeq method differs from the request method")]
    CSeqMethodMismatch,
    /// A mandatory header is missing (RFC 3261 section 8.1.1).
    #[error("missing {0} header")]
    MissingHeader(HeaderName),
    /// A header that may appear once appears several times (RFC 4475 3.3.8).
    #[error("more than one {0} header")]
    DuplicateHeader(HeaderName),
}

/// How strictly [`Message::parse_with`] reads a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ParseOptions {
    /// Accept a Content-Length larger than the bytes that follow and take
    /// what is there as the body. RFC 3261 section 18.3 says to answer 400
    /// over UDP; some deployed phones count bare LF line ends as CRLF or
    /// forget to fix the length after editing SDP. Off by default.
    pub truncated_body_ok: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum StartLine {
    Request { method: Method, uri: Span },
    Response { code: u16, reason: Span },
}

/// The start line as read before the head is checked as UTF-8: spans only.
#[derive(Debug, PartialEq, Eq)]
enum Start {
    Request { method: Span, uri: Span },
    Response { code: u16, reason: Span },
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub(crate) known: Option<HeaderName>,
    pub(crate) name: Span,
    pub(crate) value: Span,
}

/// A parsed SIP request or response.
///
/// Equality and hashing follow meaning, not bytes: header names compare
/// case-insensitively with compact forms equal to long ones, folded
/// whitespace counts as one space, and the body compares byte for byte.
#[derive(Clone)]
pub struct Message {
    pub(crate) buf: Bytes,
    pub(crate) head: ByteString,
    pub(crate) start: StartLine,
    pub(crate) headers: Vec<Entry>,
    pub(crate) body: Span,
    pub(crate) core: Core,
}

/// One header field as it appears in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderField<'a> {
    /// The name as written (may be a compact form).
    pub name: &'a str,
    /// The name, if this crate knows it.
    pub known: Option<HeaderName>,
    /// The value, trimmed, with any folding still in it.
    pub value: &'a str,
    /// Byte offset of the value in the message.
    pub offset: usize,
}

fn find_line(b: &[u8], from: usize) -> Option<(usize, usize)> {
    let lf = from + crate::grammar::find_byte(&b[from..], b'\n')?;
    let end = if lf > from && b[lf - 1] == b'\r' {
        lf - 1
    } else {
        lf
    };
    Some((end, lf + 1))
}

/// For a name of `n` bytes, the masks that keep its bytes of the three
/// words read from the line (the bytes after it zeroed).
static NAME_MASKS: [[u64; 3]; crate::name::MAX_NAME + 1] = {
    let mut t = [[0u64; 3]; crate::name::MAX_NAME + 1];
    let mut n = 0;
    while n <= crate::name::MAX_NAME {
        let mut w = 0;
        while w < 3 {
            let m = n.saturating_sub(8 * w);
            t[n][w] = if m >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * m)) - 1
            };
            w += 1;
        }
        n += 1;
    }
    t
};

/// A known header name at `pos`, which holds a token byte, followed by
/// optional SP/HTAB and a colon: (end of the name, the colon, the name).
/// The name is matched as words, with no byte loop; its match proves it a
/// token (known names are letters and `-`). `None` for anything else,
/// which the caller reads byte by byte.
#[inline]
fn known_name(b: &[u8], pos: usize) -> Option<(usize, usize, Option<HeaderName>)> {
    let window = &b[pos..b.len().min(pos + 32)];
    // The colon of the usual short name is in the first sixteen bytes:
    // one mask of them, no search loop.
    let colon = if window.len() >= 16 {
        match grammar::byte_mask16(window, b':') {
            0 => 16 + grammar::find_byte(&window[16..], b':')?,
            m => m.trailing_zeros() as usize,
        }
    } else {
        grammar::find_byte(window, b':')?
    };
    let mut n = colon;
    while n > 0 && is_wsp(window[n - 1]) {
        n -= 1;
    }
    let known = match n {
        1 => HeaderName::from_compact(window[0].to_ascii_lowercase()),
        2..=crate::name::MAX_NAME => {
            let w = if window.len() >= 24 {
                let word = |k: usize| {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(&window[k..k + 8]);
                    u64::from_le_bytes(a)
                };
                let m = &NAME_MASKS[n];
                [word(0) & m[0], word(8) & m[1], word(16) & m[2]]
            } else {
                crate::name::words(&window[..n])
            };
            HeaderName::from_words(n, w)
        }
        _ => None,
    }?;
    Some((pos + n, pos + colon, Some(known)))
}

fn is_wsp(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Where [`Message::parse_into`] fills a message: in place, or in a box.
trait Holder {
    fn hold(m: Message) -> Self;
    fn message(&mut self) -> &mut Message;
}

impl Holder for Message {
    #[inline(always)]
    fn hold(m: Message) -> Self {
        m
    }

    #[inline(always)]
    fn message(&mut self) -> &mut Message {
        self
    }
}

impl Holder for Box<Message> {
    #[inline(always)]
    fn hold(m: Message) -> Self {
        Box::new(m)
    }

    #[inline(always)]
    fn message(&mut self) -> &mut Message {
        self
    }
}

/// The SIP version text, compared as RFC 3261 section 7.1 says ("SIP" is case-insensitive).
fn check_version(v: &[u8], at: usize) -> Result<(), ParseError> {
    // The usual spelling compared as a constant first.
    if v == b"SIP/2.0" || v.eq_ignore_ascii_case(b"SIP/2.0") {
        return Ok(());
    }
    let looks_like_version = v.len() > 4
        && v[..4].eq_ignore_ascii_case(b"SIP/")
        && v[4..].iter().all(|c| c.is_ascii_digit() || *c == b'.');
    Err(ParseError::new(
        if looks_like_version {
            ParseErrorKind::UnsupportedVersion
        } else {
            ParseErrorKind::InvalidStartLine("SIP/2.0")
        },
        at,
    ))
}

impl Message {
    /// Parses one message from a datagram or a framed stream message.
    ///
    /// The body is what Content-Length says; bytes after it are ignored
    /// (RFC 3261 section 18.3). Without Content-Length the body runs to the
    /// end of the input, as a datagram allows.
    pub fn parse(buf: impl Into<Bytes>) -> Result<Message, ParseError> {
        Self::parse_with(buf, ParseOptions::default())
    }

    /// Parses with explicit [`ParseOptions`].
    pub fn parse_with(buf: impl Into<Bytes>, options: ParseOptions) -> Result<Message, ParseError> {
        Self::parse_into::<Message>(buf.into(), options)
    }

    /// [`Message::parse`] into a box: the message is filled in its box, not
    /// moved into one (it is large, 608 bytes) as `Box::new(parse(..)?)`
    /// would.
    pub fn parse_boxed(buf: impl Into<Bytes>) -> Result<Box<Message>, ParseError> {
        Self::parse_into::<Box<Message>>(buf.into(), ParseOptions::default())
    }

    /// The parser, filling the message where `M` keeps it.
    #[inline(always)]
    fn parse_into<M: Holder>(buf: Bytes, options: ParseOptions) -> Result<M, ParseError> {
        let b = &buf[..];
        let err = ParseError::new;
        let mut pos = b
            .iter()
            .position(|&c| c != b'\r' && c != b'\n')
            .ok_or(err(ParseErrorKind::Empty, 0))?;
        let (le, mut next) = find_line(b, pos).ok_or(err(ParseErrorKind::Unterminated, b.len()))?;
        let line = &b[pos..le];
        let start = Self::start_line(line, pos)?;
        // Header fields (RFC 3261 section 7.3), with folding and bare LF ends.
        let mut headers: Vec<Entry> = Vec::with_capacity(24);
        let body_start;
        loop {
            pos = next;
            // The common line, `token [WSP] ':' [WSP] value`, in one pass:
            // the name and colon are read first, so the search for the line
            // end starts at the value. Anything else (the empty line, a
            // folded line, an error) takes the general path below.
            match b.get(pos) {
                None => {
                    // A datagram that ends right after a header line lacks only the
                    // empty line (RFC 4475 baddn.dat is one): read it as having no body.
                    body_start = pos;
                    break;
                }
                Some(b'\n') => {
                    body_start = pos + 1;
                    break;
                }
                Some(&c) if grammar::is(c, grammar::TOKEN) => {
                    let (name_end, colon, known) = match known_name(b, pos) {
                        Some(k) => k,
                        None => {
                            // An unknown name (or no colon): a token run.
                            let name_end = pos + 1 + grammar::run(&b[pos + 1..], grammar::TOKEN);
                            let mut colon = name_end;
                            while colon < b.len() && is_wsp(b[colon]) {
                                colon += 1;
                            }
                            (name_end, colon, None)
                        }
                    };
                    if colon < b.len() && b[colon] == b':' {
                        let mut vstart = colon + 1;
                        // The usual one space after the colon, then any more WSP.
                        if vstart < b.len() && b[vstart] == b' ' {
                            vstart += 1;
                        }
                        while vstart < b.len() && is_wsp(b[vstart]) {
                            vstart += 1;
                        }
                        // The line end of a short value is in the first sixteen
                        // bytes: one mask of them before the search loop.
                        let rest = &b[vstart..];
                        let lf = vstart
                            + match rest.len() {
                                16.. => match grammar::byte_mask16(rest, b'\n') {
                                    0 => grammar::find_byte(&rest[16..], b'\n').map(|k| 16 + k),
                                    m => Some(m.trailing_zeros() as usize),
                                },
                                _ => grammar::find_byte(rest, b'\n'),
                            }
                            .ok_or(err(ParseErrorKind::Unterminated, b.len()))?;
                        // `vstart > pos`, and b[vstart - 1] is ':' or WSP.
                        let mut end = if b[lf - 1] == b'\r' { lf - 1 } else { lf };
                        // A stray CR before the line end (CR CR LF, seen in the wild) is whitespace too.
                        while is_wsp(b[end - 1]) || b[end - 1] == b'\r' {
                            end -= 1; // stops at the colon at the latest
                        }
                        let vstart = vstart.min(end);
                        headers.push(Entry {
                            known: known.or_else(|| HeaderName::from_name(&b[pos..name_end])),
                            name: Span::new(pos, name_end),
                            value: Span::new(vstart, end),
                        });
                        next = lf + 1;
                        continue;
                    }
                }
                _ => {}
            }
            let (le, nx) = find_line(b, pos).ok_or(err(ParseErrorKind::Unterminated, b.len()))?;
            next = nx;
            if le == pos {
                body_start = nx;
                break;
            }
            let mut end = le;
            // A stray CR before the line end (CR CR LF, seen in the wild) is whitespace too.
            while end > pos && (is_wsp(b[end - 1]) || b[end - 1] == b'\r') {
                end -= 1;
            }
            if is_wsp(b[pos]) {
                let last = headers
                    .last_mut()
                    .ok_or(err(ParseErrorKind::FoldWithoutHeader, pos))?;
                if end > pos {
                    if last.value.start == last.value.end {
                        let first = pos + b[pos..end].iter().position(|&c| !is_wsp(c)).unwrap_or(0);
                        last.value = Span::new(first, end);
                    } else {
                        last.value.end = end as u32;
                    }
                }
                continue;
            }
            // Not `field-name HCOLON` (a token, optional SP/HTAB, then ':'):
            // the fast path above took every line that is.
            let kind = if crate::grammar::find_byte(&b[pos..le], b':').is_some() {
                ParseErrorKind::InvalidHeaderName
            } else {
                ParseErrorKind::MissingColon
            };
            return Err(err(kind, pos));
        }
        // The head is checked once; spans then slice it as text with no
        // further UTF-8 checks.
        let head = ByteString::try_from(buf.slice(..body_start))
            .map_err(|e| err(ParseErrorKind::InvalidUtf8, e.valid_up_to()))?;
        let start = match start {
            // The method's text is taken from the checked head.
            Start::Request { method, uri } => StartLine::Request {
                method: Method::from_token(head_text(&head, method)),
                uri,
            },
            Start::Response { code, reason } => StartLine::Response { code, reason },
        };
        let mut held = M::hold(Message {
            start,
            headers,
            body: Span::default(),
            buf,
            head,
            core: Core::default(),
        });
        let msg = held.message();
        // The core headers are parsed into the message in place (no copy of
        // the cache, which is a few hundred bytes). Their errors come after
        // those of the body framing below, so the result waits; the same
        // pass notes where the first Content-Length header is.
        let method = match &msg.start {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        };
        let mut first_length = None;
        let core = parse_core(
            &msg.head,
            &msg.headers,
            method,
            &mut msg.core,
            Some(&mut first_length),
        );
        // Content-Length frames the body (RFC 3261 section 18.3). After a
        // core header error `parse_core` stopped early, so every header is
        // looked at.
        let from = match core {
            Ok(()) => first_length.unwrap_or(msg.headers.len()),
            Err(_) => 0,
        };
        let mut declared: Option<u32> = None;
        for e in msg.headers[from..]
            .iter()
            .filter(|e| e.known == Some(HeaderName::ContentLength))
        {
            let fast = crate::fast::number(
                msg.head.as_bytes(),
                e.value.range().start,
                e.value.range().end,
            );
            let v = fast
                .map(ContentLength)
                .map_or_else(|| ContentLength::parse(msg.text(e.value)), Ok)
                .map_err(|x| {
                    err(
                        ParseErrorKind::InvalidHeader {
                            name: HeaderName::ContentLength,
                            kind: x.kind,
                        },
                        e.value.start as usize + x.offset,
                    )
                })?;
            if declared.is_some_and(|d| d != v.0) {
                return Err(err(
                    ParseErrorKind::ConflictingContentLength,
                    e.value.start as usize,
                ));
            }
            declared = Some(v.0);
        }
        let available = msg.buf.len() - body_start;
        let body_len = match declared {
            Some(d) if d as usize > available && options.truncated_body_ok => available,
            Some(d) if d as usize > available => {
                return Err(err(
                    ParseErrorKind::BodyTooShort {
                        declared: d,
                        available,
                    },
                    body_start,
                ));
            }
            Some(d) => d as usize,
            None => available,
        };
        msg.body = Span::new(body_start, body_start + body_len);
        core?;
        msg.core.content_length = declared;
        Ok(held)
    }

    /// The usual Request-Line, `token SP sip-uri SP "SIP/2.0"` with a URI
    /// the span reader takes: what [`Message::start_line`] answers for it.
    /// Every byte of such a line is ASCII (a token, the span reader's
    /// classes, the constant version), so neither the UTF-8 check nor any
    /// other error can apply. `None` for anything else.
    #[inline]
    fn usual_request_line(line: &[u8], at: usize) -> Option<Start> {
        let m_len = grammar::run(line, grammar::TOKEN);
        if m_len == 0 || line.get(m_len) != Some(&b' ') {
            return None;
        }
        let u_len = grammar::find_byte(&line[m_len + 1..], b' ')?;
        if u_len == 0 || &line[m_len + 2 + u_len..] != b"SIP/2.0" {
            return None;
        }
        crate::fast::sip_uri(line, m_len + 1, m_len + 1 + u_len)?;
        let uri_at = at + m_len + 1;
        Some(Start::Request {
            method: Span::new(at, at + m_len),
            uri: Span::new(uri_at, uri_at + u_len),
        })
    }

    fn start_line(line: &[u8], at: usize) -> Result<Start, ParseError> {
        // A Status-Line starts with `SIP/`, which no method does.
        let status = line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"SIP/");
        if !status && let Some(start) = Self::usual_request_line(line, at) {
            return Ok(start);
        }
        Self::any_start_line(line, at, status)
    }

    /// [`Message::start_line`] without the shortcut for the usual
    /// Request-Line; `status` says whether `line` starts with `SIP/`.
    #[inline(always)]
    fn any_start_line(line: &[u8], at: usize, status: bool) -> Result<Start, ParseError> {
        let err = ParseError::new;
        // A line that is not ASCII is checked as UTF-8 here, so that error
        // still comes first; the pieces cut at ASCII bytes below are then
        // UTF-8 too (the whole head is checked again after framing).
        if !line.is_ascii() {
            std::str::from_utf8(line)
                .map_err(|e| err(ParseErrorKind::InvalidUtf8, at + e.valid_up_to()))?;
        }
        let text = |r: std::ops::Range<usize>| {
            let start = r.start;
            std::str::from_utf8(&line[r])
                .map_err(|e| err(ParseErrorKind::InvalidUtf8, at + start + e.valid_up_to()))
        };
        if status {
            // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
            let sp = grammar::find_byte(line, b' ').ok_or(err(
                ParseErrorKind::InvalidStartLine("SP after the version"),
                at + line.len(),
            ))?;
            check_version(&line[..sp], at)?;
            let rest = &line[sp + 1..];
            let code_end = grammar::find_byte(rest, b' ').unwrap_or(rest.len());
            let code = &rest[..code_end];
            if code.len() != 3 || !code.iter().all(|c| c.is_ascii_digit()) || code[0] == b'0' {
                return Err(err(ParseErrorKind::InvalidStatusCode, at + sp + 1));
            }
            let rstart = (sp + 1 + code_end + 1).min(line.len());
            let digit = |k: usize| u16::from(code[k] - b'0');
            Ok(Start::Response {
                code: digit(0) * 100 + digit(1) * 10 + digit(2),
                reason: Span::new(at + rstart, at + line.len()),
            })
        } else {
            // Request-Line = Method SP Request-URI SP SIP-Version (single SPs, RFC 4475 3.1.2.9/10)
            let m_len = grammar::run(line, grammar::TOKEN);
            if m_len == 0 || (m_len < line.len() && line[m_len] != b' ') {
                return Err(err(ParseErrorKind::InvalidMethod, at));
            }
            if m_len == line.len() {
                return Err(err(
                    ParseErrorKind::InvalidStartLine("SP Request-URI"),
                    at + line.len(),
                ));
            }
            let uri_at = at + m_len + 1;
            let u_len = crate::grammar::find_byte(&line[m_len + 1..], b' ').ok_or(err(
                ParseErrorKind::InvalidStartLine("SP SIP-Version"),
                at + line.len(),
            ))?;
            let version = &line[m_len + 2 + u_len..];
            let v_at = uri_at + u_len + 1;
            if u_len == 0 {
                return Err(err(
                    ParseErrorKind::InvalidStartLine("a Request-URI and a single SP"),
                    uri_at,
                ));
            }
            // The usual version, compared as a constant, has no SP or HTAB.
            if version != b"SIP/2.0" {
                if version.iter().any(|&c| c == b' ' || c == b'\t') {
                    return Err(err(
                        ParseErrorKind::InvalidStartLine("SIP-Version at the end of the line"),
                        v_at,
                    ));
                }
                check_version(version, v_at)?;
            }
            // The usual SIP URI passes the span parser (which takes no URI
            // headers); anything else, errors included, the URI parser.
            if crate::fast::sip_uri(line, m_len + 1, m_len + 1 + u_len).is_none() {
                let uri = text(m_len + 1..m_len + 1 + u_len)?;
                let parsed = Uri::parse(uri).map_err(|e| {
                    err(ParseErrorKind::InvalidRequestUri(e.kind), uri_at + e.offset)
                })?;
                if parsed.as_sip().is_some_and(|u| u.headers.is_some()) {
                    return Err(err(ParseErrorKind::RequestUriHeaders, uri_at));
                }
            }
            Ok(Start::Request {
                method: Span::new(at, at + m_len),
                uri: Span::new(uri_at, uri_at + u_len),
            })
        }
    }

    fn header_err(&self, name: HeaderName, f: &HeaderField<'_>, e: HeaderError) -> ParseError {
        ParseError::new(
            ParseErrorKind::InvalidHeader { name, kind: e.kind },
            f.offset + e.offset,
        )
    }

    /// Checks every value of header `T`.
    fn check<'a, T: TypedHeader<'a>>(&'a self) -> Result<(), ParseError> {
        for e in self.headers.iter().filter(|e| e.known == Some(T::NAME)) {
            check_values::<T>(&self.head, e)?;
        }
        Ok(())
    }
}

fn check_values<'a, T: TypedHeader<'a>>(head: &'a ByteString, e: &Entry) -> Result<(), ParseError> {
    for (off, v) in split_list(head_text(head, e.value), T::NAME.is_list()) {
        if let Err(err) = T::parse(v) {
            let at = e.value.start as usize + off + err.offset;
            return Err(ParseError::new(
                ParseErrorKind::InvalidHeader {
                    name: T::NAME,
                    kind: err.kind,
                },
                at,
            ));
        }
    }
    Ok(())
}

/// The headers a transaction and a dialog need must parse (RFC 3261
/// sections 8.1.1 and 17); a request's CSeq must name its method. Their
/// values are kept as spans for the accessors. With `first_length`, the
/// index of the first Content-Length header is noted there (exact when
/// this returns `Ok`; an error stops the pass early).
pub(crate) fn parse_core(
    head: &ByteString,
    headers: &[Entry],
    method: Option<&Method>,
    core: &mut Core,
    mut first_length: Option<&mut Option<usize>>,
) -> Result<(), ParseError> {
    fn fail(name: HeaderName, e: &Entry, off: usize, err: HeaderError) -> ParseError {
        ParseError::new(
            ParseErrorKind::InvalidHeader {
                name,
                kind: err.kind,
            },
            e.value.start as usize + off + err.offset,
        )
    }
    let base = head.as_bytes();
    let mut cseq_at = None;
    for (i, e) in headers.iter().enumerate() {
        let Some(name) = e.known else { continue };
        // The span readers take the usual shapes; the text is only for
        // the typed parsers behind them.
        let (s, t) = (e.value.start as usize, e.value.end as usize);
        let v = || head_text(head, e.value);
        match name {
            HeaderName::Via => {
                if crate::fast::vias(base, s, t, &mut core.vias).is_some() {
                    continue;
                }
                for (off, x) in split_list(v(), true) {
                    let via = Via::parse(x).map_err(|err| fail(name, e, off, err))?;
                    core.vias.push(ViaSpans::of(base, &via));
                }
            }
            HeaderName::Contact => {
                if crate::fast::contacts(base, s, t, &mut core.contacts).is_some() {
                    continue;
                }
                for (off, x) in split_list(v(), true) {
                    let c = Contact::parse(x).map_err(|err| fail(name, e, off, err))?;
                    core.contacts.push(ContactSpans::of(base, &c));
                }
            }
            HeaderName::From => {
                if let Some(f) = crate::fast::from_to(base, s, t) {
                    core.from.get_or_insert(f);
                    continue;
                }
                let f = FromHeader::parse(v()).map_err(|err| fail(name, e, 0, err))?;
                core.from.get_or_insert(NameAddrSpans::of(base, &f.0));
            }
            HeaderName::To => {
                if let Some(t) = crate::fast::from_to(base, s, t) {
                    core.to.get_or_insert(t);
                    continue;
                }
                let t = ToHeader::parse(v()).map_err(|err| fail(name, e, 0, err))?;
                core.to.get_or_insert(NameAddrSpans::of(base, &t.0));
            }
            HeaderName::CallId => {
                if let Some(c) = crate::fast::call_id(base, s, t) {
                    core.call_id.get_or_insert(c);
                    continue;
                }
                let c = CallId::parse(v()).map_err(|err| fail(name, e, 0, err))?;
                core.call_id.get_or_insert(Span::of_str(base, c.0));
            }
            HeaderName::CSeq => {
                if let Some((seq, m)) = crate::fast::cseq(base, s, t) {
                    if core.cseq.is_none() {
                        cseq_at = Some(s);
                        core.cseq = Some(CSeq {
                            seq,
                            method: Method::from_token(head_text(head, m)),
                        });
                    }
                    continue;
                }
                let c = CSeq::parse(v()).map_err(|err| fail(name, e, 0, err))?;
                if core.cseq.is_none() {
                    cseq_at = Some(e.value.start as usize);
                    core.cseq = Some(c);
                }
            }
            HeaderName::MaxForwards => {
                if let Some(m) = crate::fast::number(base, s, t) {
                    core.max_forwards.get_or_insert(m);
                    continue;
                }
                let m = MaxForwards::parse(v()).map_err(|err| fail(name, e, 0, err))?;
                core.max_forwards.get_or_insert(m.0);
            }
            HeaderName::ContentLength => {
                if let Some(first) = first_length.as_deref_mut() {
                    first.get_or_insert(i);
                }
            }
            HeaderName::Route => check_values::<Route>(head, e)?,
            HeaderName::RecordRoute => check_values::<RecordRoute>(head, e)?,
            _ => {}
        }
    }
    if let (Some(m), Some(c), Some(at)) = (method, &core.cseq, cseq_at)
        && c.method != *m
    {
        return Err(ParseError::new(ParseErrorKind::CSeqMethodMismatch, at));
    }
    Ok(())
}

impl Message {
    /// Parses every header this crate knows, so a strict element can reject
    /// a message for any malformed header (e.g. a Date in EST, RFC 4475 3.1.2.12).
    pub fn check_all_headers(&self) -> Result<(), ParseError> {
        use crate::headers::*;
        macro_rules! all {
            ($($t:ty),*) => { $( self.check::<$t>()?; )* };
        }
        all!(
            Accept,
            AlertInfo,
            Allow,
            AllowEvents,
            CallInfo,
            ContentType,
            Date,
            Diversion,
            Event,
            Expires,
            HistoryInfo,
            MinExpires,
            MinSe,
            PAssertedIdentity,
            PPreferredIdentity,
            Privacy,
            ProxyRequire,
            RAck,
            Reason,
            ReferTo,
            ReferredBy,
            Replaces,
            Require,
            RetryAfter,
            RSeq,
            Server,
            SessionExpires,
            SubscriptionState,
            Supported,
            Timestamp,
            Unsupported,
            UserAgent,
            Warning
        );
        // Another scheme or an unknown algorithm is well formed, only unusable here.
        macro_rules! auth {
            ($($t:ty),*) => { $(
                for f in self.fields().filter(|f| f.known == Some(<$t as TypedHeader>::NAME)) {
                    if let Err(e) = <$t>::parse_auth(f.value) {
                        if !crate::headers::authn_unusable(&e) {
                            return Err(self.header_err(<$t as TypedHeader>::NAME, &f, crate::headers::authn_error(&e)));
                        }
                    }
                }
            )* };
        }
        auth!(
            WwwAuthenticate,
            ProxyAuthenticate,
            Authorization,
            ProxyAuthorization,
            AuthenticationInfo
        );
        Ok(())
    }

    /// Checks the headers RFC 3261 section 8.1.1 makes mandatory: present,
    /// and only once where only one is allowed (RFC 4475 3.3.1 and 3.3.8).
    /// A UAS answers 400 when this fails.
    pub fn check_mandatory(&self) -> Result<(), ParseError> {
        let mut single = vec![
            HeaderName::To,
            HeaderName::From,
            HeaderName::CallId,
            HeaderName::CSeq,
        ];
        if self.is_request() {
            single.push(HeaderName::MaxForwards);
        }
        for name in single {
            let mut it = self.fields().filter(|f| f.known == Some(name));
            match (it.next(), it.next()) {
                (None, _) if name == HeaderName::MaxForwards => {}
                (None, _) => {
                    return Err(ParseError::new(
                        ParseErrorKind::MissingHeader(name),
                        self.body.start as usize,
                    ));
                }
                (Some(_), Some(f)) => {
                    return Err(ParseError::new(
                        ParseErrorKind::DuplicateHeader(name),
                        f.offset,
                    ));
                }
                _ => {}
            }
        }
        if self.values(HeaderName::Via).next().is_none() {
            return Err(ParseError::new(
                ParseErrorKind::MissingHeader(HeaderName::Via),
                self.body.start as usize,
            ));
        }
        Ok(())
    }

    /// Whether this is a request.
    pub fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }

    /// The request method, for a request.
    pub fn method(&self) -> Option<&Method> {
        match &self.start {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    /// The Request-URI text, for a request.
    pub fn request_uri_str(&self) -> Option<&str> {
        match &self.start {
            StartLine::Request { uri, .. } => Some(self.text(*uri)),
            StartLine::Response { .. } => None,
        }
    }

    /// The Request-URI, for a request (checked when the message was parsed).
    pub fn request_uri(&self) -> Option<Uri<'_>> {
        let StartLine::Request { uri, .. } = self.start else {
            return None;
        };
        // The usual SIP URI from the span reader (which gives what the URI
        // parser gives when it takes a URI), anything else from the parser.
        match crate::fast::sip_uri(self.head.as_bytes(), uri.start as usize, uri.end as usize) {
            Some(spans) => Some(spans.view(self)),
            None => Uri::parse(self.text(uri)).ok(),
        }
    }

    /// The status code, for a response.
    pub fn status(&self) -> Option<u16> {
        match self.start {
            StartLine::Response { code, .. } => Some(code),
            StartLine::Request { .. } => None,
        }
    }

    /// The reason phrase, for a response.
    pub fn reason(&self) -> Option<&str> {
        match self.start {
            StartLine::Response { reason, .. } => Some(self.text(reason)),
            StartLine::Request { .. } => None,
        }
    }

    /// Every header field in order, unknown ones included.
    pub fn fields(&self) -> impl Iterator<Item = HeaderField<'_>> + '_ {
        self.headers.iter().map(|e| HeaderField {
            name: self.text(e.name),
            known: e.known,
            value: self.text(e.value),
            offset: e.value.start as usize,
        })
    }

    /// The number of header fields (lines, before list splitting).
    pub fn header_count(&self) -> usize {
        self.headers.len()
    }

    /// Every value of header `name`, in order, with comma-separated lists
    /// split into their elements (RFC 3261 section 7.3.1).
    pub fn values(&self, name: HeaderName) -> impl Iterator<Item = &str> + '_ {
        self.headers
            .iter()
            .filter(move |e| e.known == Some(name))
            .flat_map(move |e| split_list(self.text(e.value), name.is_list()).map(|(_, v)| v))
    }

    /// The values of a header by its name as text (case-insensitive; compact
    /// forms of known headers work too). Lists are not split for unknown headers.
    pub fn values_by_name<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let known = HeaderName::from_name(name.as_bytes());
        self.fields()
            .filter(move |f| match known {
                Some(k) => f.known == Some(k),
                None => f.name.eq_ignore_ascii_case(name),
            })
            .flat_map(move |f| {
                split_list(f.value, known.is_some_and(HeaderName::is_list)).map(|(_, v)| v)
            })
    }

    /// The first value of header `T`, parsed.
    pub fn get<'a, T: TypedHeader<'a>>(&'a self) -> Option<Result<T, HeaderError>> {
        self.values(T::NAME).next().map(T::parse)
    }

    /// Every value of header `T`, parsed.
    pub fn get_all<'a, T: TypedHeader<'a> + 'a>(
        &'a self,
    ) -> impl Iterator<Item = Result<T, HeaderError>> + 'a {
        self.values(T::NAME).map(T::parse)
    }

    /// Every Via value, top first (parsed with the message).
    #[inline]
    pub fn vias(&self) -> impl Iterator<Item = Via<'_>> + '_ {
        self.core.vias.iter().map(|v| v.view(self))
    }

    /// The topmost Via (parsed with the message).
    #[inline]
    pub fn top_via(&self) -> Option<Via<'_>> {
        self.core.vias.first().map(|v| v.view(self))
    }

    /// The From header (parsed with the message).
    #[inline]
    pub fn from_header(&self) -> Option<FromHeader<'_>> {
        self.core.from.as_ref().map(|f| FromHeader(f.view(self)))
    }

    /// The To header (parsed with the message).
    #[inline]
    pub fn to_header(&self) -> Option<ToHeader<'_>> {
        self.core.to.as_ref().map(|t| ToHeader(t.view(self)))
    }

    /// The Call-ID (parsed with the message).
    #[inline]
    pub fn call_id(&self) -> Option<&str> {
        self.core.call_id.map(|s| self.text(s))
    }

    /// The CSeq (parsed with the message).
    #[inline]
    pub fn cseq(&self) -> Option<CSeq> {
        self.core.cseq.clone()
    }

    /// Max-Forwards (parsed with the message).
    #[inline]
    pub fn max_forwards(&self) -> Option<u32> {
        self.core.max_forwards
    }

    /// Content-Length as declared (parsed with the message).
    #[inline]
    pub fn content_length(&self) -> Option<u32> {
        self.core.content_length
    }

    /// Every Contact value (parsed with the message).
    #[inline]
    pub fn contacts(&self) -> impl Iterator<Item = Contact<'_>> + '_ {
        self.core.contacts.iter().map(|c| c.view(self))
    }

    /// The body, sharing the message's buffer.
    pub fn body(&self) -> Bytes {
        self.buf.slice(self.body.range())
    }

    /// The body bytes.
    pub fn body_bytes(&self) -> &[u8] {
        &self.buf[self.body.range()]
    }

    /// The message as received, up to the end of its body (trailing bytes
    /// of the datagram excluded).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.body.end as usize]
    }

    /// Writes the canonical form: long header names for known headers,
    /// folding removed, `SIP/2.0`, and Content-Length set to the body length
    /// (added if the message had none).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match &self.start {
            StartLine::Request { method, uri } => {
                out.extend_from_slice(method.as_str().as_bytes());
                out.push(b' ');
                out.extend_from_slice(self.text(*uri).as_bytes());
                out.extend_from_slice(b" SIP/2.0\r\n");
            }
            StartLine::Response { code, reason } => {
                out.extend_from_slice(format!("SIP/2.0 {code} ").as_bytes());
                out.extend_from_slice(self.text(*reason).as_bytes());
                out.extend_from_slice(b"\r\n");
            }
        }
        let mut wrote_length = false;
        for f in self.fields() {
            match f.known {
                Some(HeaderName::ContentLength) if wrote_length => continue,
                Some(HeaderName::ContentLength) => {
                    wrote_length = true;
                    out.extend_from_slice(
                        format!("Content-Length: {}\r\n", self.body.end - self.body.start)
                            .as_bytes(),
                    );
                    continue;
                }
                Some(k) => out.extend_from_slice(k.as_str().as_bytes()),
                None => out.extend_from_slice(f.name.as_bytes()),
            }
            out.extend_from_slice(b": ");
            out.extend(NormValue::new(f.value.as_bytes()));
            out.extend_from_slice(b"\r\n");
        }
        if !wrote_length {
            out.extend_from_slice(
                format!("Content-Length: {}\r\n", self.body.end - self.body.start).as_bytes(),
            );
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(self.body_bytes());
    }

    /// The canonical bytes (see [`Message::write_to`]).
    pub fn to_bytes(&self) -> Bytes {
        let mut out = Vec::with_capacity(self.buf.len() + 32);
        self.write_to(&mut out);
        out.into()
    }

    fn norm_fields(&self) -> impl Iterator<Item = (Option<HeaderName>, &str, NormValue<'_>)> + '_ {
        self.fields()
            .filter(|f| f.known != Some(HeaderName::ContentLength))
            .map(|f| (f.known, f.name, NormValue::new(f.value.as_bytes())))
    }
}

/// A header value with folding collapsed: each run of whitespace that holds a
/// line end becomes one SP (RFC 3261 section 7.3.1); other text is kept.
#[derive(Clone)]
struct NormValue<'a> {
    b: &'a [u8],
    k: usize,
}

impl<'a> NormValue<'a> {
    fn new(b: &'a [u8]) -> Self {
        let lws = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
        let start = b.iter().position(|c| !lws(c)).unwrap_or(b.len());
        let end = b.iter().rposition(|c| !lws(c)).map_or(start, |e| e + 1);
        NormValue {
            b: &b[start..end],
            k: 0,
        }
    }
}

impl Iterator for NormValue<'_> {
    type Item = u8;
    fn next(&mut self) -> Option<u8> {
        let c = *self.b.get(self.k)?;
        if c == b'\r'
            || c == b'\n'
            || ((c == b' ' || c == b'\t')
                && self.b[self.k..]
                    .iter()
                    .take_while(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
                    .any(|c| *c == b'\r' || *c == b'\n'))
        {
            while self.k < self.b.len() && matches!(self.b[self.k], b' ' | b'\t' | b'\r' | b'\n') {
                self.k += 1;
            }
            return Some(b' ');
        }
        self.k += 1;
        Some(c)
    }
}

impl PartialEq for Message {
    fn eq(&self, other: &Message) -> bool {
        let same_start = match (&self.start, &other.start) {
            (
                StartLine::Request {
                    method: m1,
                    uri: u1,
                },
                StartLine::Request {
                    method: m2,
                    uri: u2,
                },
            ) => m1 == m2 && self.text(*u1) == other.text(*u2),
            (
                StartLine::Response {
                    code: c1,
                    reason: r1,
                },
                StartLine::Response {
                    code: c2,
                    reason: r2,
                },
            ) => c1 == c2 && self.text(*r1) == other.text(*r2),
            _ => false,
        };
        same_start
            && self.body_bytes() == other.body_bytes()
            && self.norm_fields().count() == other.norm_fields().count()
            && self
                .norm_fields()
                .zip(other.norm_fields())
                .all(|((k1, n1, v1), (k2, n2, v2))| {
                    let same_name = match (k1, k2) {
                        (Some(a), Some(b)) => a == b,
                        (None, None) => n1.eq_ignore_ascii_case(n2),
                        _ => false,
                    };
                    same_name && v1.eq(v2)
                })
    }
}

impl Eq for Message {}

impl Hash for Message {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match &self.start {
            StartLine::Request { method, uri } => {
                method.hash(state);
                self.text(*uri).hash(state);
            }
            StartLine::Response { code, reason } => {
                code.hash(state);
                self.text(*reason).hash(state);
            }
        }
        for (known, name, value) in self.norm_fields() {
            match known {
                Some(k) => k.hash(state),
                None => name
                    .bytes()
                    .for_each(|b| state.write_u8(b.to_ascii_lowercase())),
            }
            value.for_each(|b| state.write_u8(b));
            state.write_u8(0xff);
        }
        self.body_bytes().hash(state);
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Message");
        match &self.start {
            StartLine::Request { method, uri } => {
                d.field("method", method).field("uri", &self.text(*uri))
            }
            StartLine::Response { code, reason } => {
                d.field("status", code).field("reason", &self.text(*reason))
            }
        };
        d.field(
            "headers",
            &self.fields().map(|h| (h.name, h.value)).collect::<Vec<_>>(),
        )
        .field("body_len", &self.body_bytes().len())
        .finish()
    }
}

impl fmt::Display for Message {
    /// The canonical text; a binary body is shown lossily.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

impl Text for Message {
    #[inline]
    fn text(&self, s: Span) -> &str {
        head_text(&self.head, s)
    }
}

/// The text of a span of the head.
#[inline(always)]
fn head_text(head: &ByteString, s: Span) -> &str {
    // Spans start and end on ASCII bytes of the head.
    head.get(s.range()).unwrap_or("")
}

#[cfg(test)]
mod start_line_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Whenever the shortcut takes a Request-Line, the line is ASCII and
        /// the general reader gives the same answer.
        #[test]
        fn usual_request_line_agrees(
            line in "(INVITE|ACK|[A-Za-z!%*+.-]{1,6}|[A-Z]{0,2}[ /\u{e9}]?)( |  |)(sip|sips|SIP|tel):([a-z0-9]{1,4}@|[a-z@]{0,3})([a-z]{1,6}\\.[a-z]{2,3}|192\\.0\\.2\\.[0-9]{1,3}|[a-z.\u{e9}]{0,4})(|:5060|:|;transport=udp|\\?x=y)( |  |)(SIP/2\\.0|SIP/2\\.1|sip/2\\.0| SIP/2\\.0|SIP/2\\.0 |SIP/2\\.0\t)",
            at in 0usize..20,
            flip in proptest::option::of((any::<prop::sample::Index>(), any::<u8>())),
        ) {
            let mut b = line.into_bytes();
            if let Some((i, c)) = flip {
                let i = i.index(b.len());
                b[i] = c;
            }
            if let Some(s) = Message::usual_request_line(&b, at) {
                prop_assert!(b.is_ascii());
                prop_assert_eq!(Ok(s), Message::any_start_line(&b, at, false));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// `request_uri` (the span reader's view for the usual SIP URI)
        /// gives what the URI parser gives for the Request-URI's text.
        #[test]
        fn request_uri_is_the_parsed_uri(
            uri in "(sip|sips|SIP|tel):(([a-z0-9%]{1,4}(:[a-z]{0,3})?@)|[a-z@]{0,3})([a-z]{1,6}\\.[a-z]{2,3}|192\\.0\\.2\\.[0-9]{1,3}|[0-9.]{1,9}|\\[::1\\]|[a-z.\u{e9}-]{0,4})(|:5060|:|:99999|;transport=udp|;lr;x|;a=\"b\"|\\?x=y|>)",
        ) {
            let text = format!("OPTIONS {uri} SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\
                                From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\n\
                                CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
            if let Ok(m) = Message::parse(text.into_bytes()) {
                let s = m.request_uri_str().unwrap();
                prop_assert_eq!(m.request_uri(), Uri::parse(s).ok());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// `parse_boxed` gives what `parse` gives, part for part, and
        /// fails where it fails, over messages with bytes changed.
        #[test]
        fn boxed_parse_is_the_parse(
            flip in proptest::option::of((any::<prop::sample::Index>(), any::<u8>())),
            cut in any::<prop::sample::Index>(),
            which in 0usize..3,
        ) {
            let texts: [&[u8]; 3] = [
                b"INVITE sip:b@c SIP/2.0\r\nVia: SIP/2.0/UDP h:5060;branch=z9hG4bK1;rport\r\n\
                  From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\
                  Contact: <sip:a@192.0.2.1>\r\nContent-Length: 4\r\n\r\nv=0\n",
                b"SIP/2.0 200 OK\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nf: <sip:a@b>;tag=1\r\n\
                  t: <sip:b@c>;tag=2\r\ni: x\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n",
                b"BYE sip:b@c SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK2\r\n\r\n",
            ];
            let mut b = texts[which].to_vec();
            if let Some((i, c)) = flip {
                let i = i.index(b.len());
                b[i] = c;
            }
            b.truncate(cut.index(b.len() + 1));
            let plain = Message::parse(b.clone());
            let boxed = Message::parse_boxed(b);
            match (&plain, &boxed) {
                (Ok(p), Ok(q)) => prop_assert_eq!(crate::splice::same_parts(p, q), Ok(())),
                (Err(e), Err(f)) => prop_assert_eq!(e, f),
                _ => prop_assert!(false, "{plain:?} vs {boxed:?}"),
            }
        }
    }

    #[test]
    fn usual_request_line_cases() {
        let line = b"INVITE sip:6002@pbx.example.com SIP/2.0";
        assert_eq!(
            Message::usual_request_line(line, 3),
            Some(Start::Request {
                method: Span::new(3, 9),
                uri: Span::new(10, 34)
            })
        );
        for other in [
            b"INVITE sip:6002@pbx.example.com SIP/2.1".as_slice(),
            b"INVITE sip:6002@pbx.example.com sip/2.0",
            b"INVITE  sip:a@b SIP/2.0",
            b"INVITE sip:a@b?x=y SIP/2.0",
            b"INVITE tel:+1 SIP/2.0",
            b"INV\xe9TE sip:a@b SIP/2.0",
            b"INVITE sip:a@b\xe9 SIP/2.0",
            b"SIP/2.0 200 OK",
        ] {
            assert_eq!(Message::usual_request_line(other, 0), None);
        }
    }
}
