//! Building requests and responses (RFC 3261 sections 8.1.1 and 8.2.6).
//!
//! A builder writes canonical text as it goes and records where each part
//! lies, so [`MessageBuilder::build`] assembles the [`Message`] from those
//! parts without parsing the text again: the start line and the header
//! lines are laid out exactly as the parser would find them, and the core
//! headers are checked by the parser's own `parse_core`. A built message
//! equals what [`Message::parse`] gives for its bytes, and a value the
//! parser rejects fails the build with the parser's error (anything out of
//! the ordinary is handed to the parser itself).

use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};

use bytes::Bytes;
use bytestring::ByteString;

use crate::cache::{Core, Span, Text};
use crate::grammar;
use crate::headers::{TypedHeader, split_list};
use crate::message::{Entry, Message, ParseError, StartLine, parse_core};
use crate::method::Method;
use crate::name::HeaderName;
use crate::uri::Uri;

/// Builds a request or a response.
#[derive(Debug, Clone)]
pub struct MessageBuilder {
    text: String,
    body: Bytes,
    /// The header lines written so far: each name, if known, and the
    /// ranges of its name and (trimmed) value in `text`.
    fields: Vec<Entry>,
    /// The Request-URI's range in `text`, for a request.
    uri: Option<(u32, u32)>,
    /// False once something was written that only the parser should judge
    /// (a start line or header name out of the ordinary, a Content-Length
    /// of the caller's): `build` then parses the text.
    plain: bool,
}

impl PartialEq for MessageBuilder {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.body == other.body
    }
}

impl Eq for MessageBuilder {}

impl Hash for MessageBuilder {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
        self.body.hash(state);
    }
}

fn no_line_end(s: &str) -> bool {
    let b = s.as_bytes();
    grammar::find_byte2(b, b'\n', b'\r').is_none()
}

impl MessageBuilder {
    fn with_text(text: String, uri: Option<(u32, u32)>, plain: bool) -> Self {
        MessageBuilder {
            text,
            body: Bytes::new(),
            fields: Vec::with_capacity(12),
            uri,
            plain,
        }
    }

    /// A request line `METHOD uri SIP/2.0`.
    pub fn request(method: &Method, uri: impl fmt::Display) -> Self {
        Self::request_with(method, |text| {
            let _ = write!(text, "{uri}");
        })
    }

    /// [`request`](Self::request) for a URI that is text already, written
    /// as it is (no formatting machinery).
    pub fn request_str(method: &Method, uri: &str) -> Self {
        Self::request_with(method, |text| text.push_str(uri))
    }

    fn request_with(method: &Method, write_uri: impl FnOnce(&mut String)) -> Self {
        let mut text = String::with_capacity(512);
        let m = method.as_str();
        text.push_str(m);
        text.push(' ');
        let at = text.len();
        write_uri(&mut text);
        let end = text.len();
        text.push_str(" SIP/2.0\r\n");
        // The parser reads the method as a token run ending at the first SP
        // and the Request-URI up to the next SP.
        let u = &text[at..end];
        let plain = !m.is_empty()
            && grammar::run(m.as_bytes(), grammar::TOKEN) == m.len()
            && !u.is_empty()
            && !u.contains(' ')
            && no_line_end(u);
        Self::with_text(text, Some((at as u32, end as u32)), plain)
    }

    /// A status line `SIP/2.0 code reason`; an empty reason uses the RFC 3261 phrase.
    pub fn response(code: u16, reason: &str) -> Self {
        let reason = if reason.is_empty() {
            reason_phrase(code)
        } else {
            reason
        };
        let mut text = String::with_capacity(512);
        text.push_str("SIP/2.0 ");
        push_decimal(&mut text, code.into());
        text.push(' ');
        text.push_str(reason);
        text.push_str("\r\n");
        let plain = (100..=999).contains(&code) && no_line_end(reason);
        Self::with_text(text, None, plain)
    }

    /// A response to `req` per RFC 3261 section 8.2.6.2: Via (all, in
    /// order), From, Call-ID, CSeq and Timestamp copied; To copied with
    /// `to_tag` added when the request's To has no tag.
    pub fn response_to(req: &Message, code: u16, reason: &str, to_tag: Option<&str>) -> Self {
        Self::response_to_via(req, code, reason, to_tag, None)
    }

    /// [`response_to`](Self::response_to) with the first Via value replaced
    /// by `top_via` when given: the request's top Via as the server
    /// transport stamped it on receipt (RFC 3261 section 18.2.1, RFC 3581
    /// section 4), written straight into the response instead of spliced
    /// into the request first.
    pub fn response_to_via(
        req: &Message,
        code: u16,
        reason: &str,
        to_tag: Option<&str>,
        top_via: Option<&str>,
    ) -> Self {
        const COPIED: [HeaderName; 6] = [
            HeaderName::Via,
            HeaderName::From,
            HeaderName::To,
            HeaderName::CallId,
            HeaderName::CSeq,
            HeaderName::Timestamp,
        ];
        let mut b = Self::response(code, reason);
        let has_tag = req.to_header().is_some_and(|t| t.tag().is_some());
        let mut first_via = true;
        let mut copy = |b: &mut Self, name: HeaderName, v: &str| {
            match (name, top_via, to_tag) {
                (HeaderName::Via, Some(top), _) if first_via => b.push_str(name, top),
                (HeaderName::To, _, Some(tag)) if !has_tag => {
                    b.push_parts(name, &[v, ";tag=", tag]);
                }
                _ => b.push_str(name, v),
            }
            first_via &= name != HeaderName::Via;
        };
        if req.headers.len() > 64 {
            for name in COPIED {
                for v in req.values(name) {
                    copy(&mut b, name, v);
                }
            }
            return b;
        }
        // One pass over the request's lines notes which carry each copied
        // header (a bit per line), instead of a pass per header.
        let mut lines = [0u64; COPIED.len()];
        for (i, e) in req.headers.iter().enumerate() {
            if let Some(k) = COPIED.iter().position(|&n| e.known == Some(n)) {
                lines[k] |= 1 << i;
            }
        }
        for (k, name) in COPIED.into_iter().enumerate() {
            let mut bits = lines[k];
            while bits != 0 {
                let i = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                for (_, v) in split_list(req.text(req.headers[i].value), name.is_list()) {
                    copy(&mut b, name, v);
                }
            }
        }
        b
    }

    /// Copies the request's Record-Route values, for a response that
    /// establishes a dialog (RFC 3261 section 12.1.1).
    pub fn record_route_from(mut self, req: &Message) -> Self {
        for v in req.values(HeaderName::RecordRoute) {
            self.push_str(HeaderName::RecordRoute, v);
        }
        self
    }

    /// Adds a header by name. The value is written as given; folding
    /// characters (CR, LF) in it are replaced by spaces.
    pub fn header(mut self, name: HeaderName, value: impl fmt::Display) -> Self {
        let at = self.name(name.as_str(), Some(name));
        let _ = write!(self.text, "{value}");
        self.end_value(at);
        self
    }

    /// Adds a header whose value is text (as [`header`](Self::header),
    /// without the formatting machinery).
    pub fn header_str(mut self, name: HeaderName, value: &str) -> Self {
        self.push_str(name, value);
        self
    }

    /// Adds a header whose value is the concatenation of `parts`.
    pub fn header_parts(mut self, name: HeaderName, parts: &[&str]) -> Self {
        self.push_parts(name, parts);
        self
    }

    /// Adds a header whose name this crate does not know.
    pub fn header_raw(mut self, name: &str, value: impl fmt::Display) -> Self {
        let known = HeaderName::from_name(name.as_bytes());
        let at = self.name(name, known);
        let _ = write!(self.text, "{value}");
        self.end_value(at);
        self
    }

    /// Adds a typed header value.
    pub fn typed<'a, T: TypedHeader<'a>>(self, value: &T) -> Self {
        self.header(T::NAME, value)
    }

    fn push_str(&mut self, name: HeaderName, value: &str) {
        self.push_parts(name, &[value]);
    }

    fn push_parts(&mut self, name: HeaderName, parts: &[&str]) {
        let at = self.name(name.as_str(), Some(name));
        for p in parts {
            self.text.push_str(p);
        }
        self.end_value(at);
    }

    /// Writes `name: ` and returns where the value starts.
    fn name(&mut self, name: &str, known: Option<HeaderName>) -> usize {
        let at = self.text.len();
        self.text.push_str(name);
        self.text.push_str(": ");
        // The parser reads a header line as a token, ':' and the value; a
        // Content-Length of the caller's may disagree with the one `build`
        // writes, which only the parser judges.
        // (A known name is a token: only the others need the check.)
        if known == Some(HeaderName::ContentLength)
            || (known.is_none()
                && (name.is_empty() || grammar::run(name.as_bytes(), grammar::TOKEN) != name.len()))
        {
            self.plain = false;
        }
        self.fields.push(Entry {
            known,
            name: Span::new(at, at + name.len()),
            value: Span::default(),
        });
        at + name.len() + 2
    }

    /// Ends the value written from `at`: line ends in it become spaces, the
    /// line is closed and the value's range recorded as the parser trims it
    /// (SP and HTAB at both ends).
    fn end_value(&mut self, at: usize) {
        // A line end inside a value would end the header early.
        if !no_line_end(&self.text[at..]) {
            let fixed: String = self.text[at..]
                .chars()
                .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
                .collect();
            self.text.truncate(at);
            self.text.push_str(&fixed);
        }
        let b = self.text.as_bytes();
        let wsp = |c: u8| c == b' ' || c == b'\t';
        let mut end = b.len();
        while end > at && wsp(b[end - 1]) {
            end -= 1;
        }
        let (start, end) = if end == at {
            // An empty value: the parser's range is empty, right after the colon.
            (at - 1, at - 1)
        } else {
            let mut start = at;
            while wsp(b[start]) {
                start += 1; // stops before `end` at the latest
            }
            (start, end)
        };
        if let Some(f) = self.fields.last_mut() {
            f.value = Span::new(start, end);
        }
        self.text.push_str("\r\n");
    }

    /// Sets the body with its Content-Type.
    pub fn body(mut self, content_type: &str, body: impl Into<Bytes>) -> Self {
        self.push_str(HeaderName::ContentType, content_type);
        self.body = body.into();
        // Room for Content-Length, the empty line and the body, which
        // `finish` appends to the text: a new buffer of that size and a
        // copy (glibc's `realloc` takes its slow path, about three times
        // the cost of a new small block, a copy and a release).
        let need = self.text.len() + self.body.len() + 32;
        if self.text.capacity() < need {
            let mut text = String::with_capacity(need);
            text.push_str(&self.text);
            self.text = text;
        }
        self
    }

    /// Finishes the message: adds Content-Length and assembles the
    /// message from the recorded parts, checking the core headers as the
    /// parser does (see the module documentation).
    pub fn build(self) -> Result<Message, ParseError> {
        let (buf, head, fields, uri, plain) = self.finish();
        if !plain {
            return Message::parse(buf);
        }
        match assemble(&buf, head, fields, uri) {
            Some(Ok(m)) => {
                #[cfg(debug_assertions)]
                crate::splice::assert_same_as_parsed(&m);
                Ok(m)
            }
            // A core header the parser rejects: its error, as it gives it.
            Some(Err(_)) | None => Message::parse(buf),
        }
    }

    /// The bytes with Content-Length and the empty line, the head (up to
    /// where the body starts), and the recorded parts.
    #[allow(clippy::type_complexity)]
    fn finish(self) -> (Bytes, Head, Vec<Entry>, Option<(u32, u32)>, bool) {
        let MessageBuilder {
            mut text,
            body,
            mut fields,
            uri,
            plain,
        } = self;
        let at = text.len();
        text.push_str("Content-Length: ");
        let value_at = text.len();
        push_decimal(&mut text, body.len() as u64);
        fields.push(Entry {
            known: Some(HeaderName::ContentLength),
            name: Span::new(at, at + 14),
            value: Span::new(value_at, text.len()),
        });
        text.push_str("\r\n\r\n");
        let body_start = text.len();
        // The head is the builder's text, UTF-8 already: with a body that
        // is text too (an SDP body is; no body always is), the head is
        // taken from the whole as text, with no check of the head's bytes.
        if let Ok(b) = std::str::from_utf8(&body) {
            text.push_str(b);
            let whole = ByteString::from(text);
            let head = whole.get(..body_start).map(|h| whole.slice_ref(h));
            let head = head.map_or(Head::Unchecked(body_start), Head::Text);
            return (whole.into_bytes(), head, fields, uri, plain);
        }
        let mut out = text.into_bytes();
        out.extend_from_slice(&body);
        (
            Bytes::from(out),
            Head::Unchecked(body_start),
            fields,
            uri,
            plain,
        )
    }
}

impl Message {
    /// The message's bytes up to the end of its body (what
    /// [`Message::as_bytes`] shows), as `Bytes` sharing the message's
    /// buffer: a built message is sent as it is, without a copy.
    pub fn shared_bytes(&self) -> Bytes {
        self.buf.slice(..self.body.end as usize)
    }
}

/// The head of a built message: the text up to the body, as text when
/// it came so, else where it ends (to check).
enum Head {
    Text(ByteString),
    Unchecked(usize),
}

/// The message the parser would give for `buf`, from the parts the builder
/// recorded; `None` when the start line needs the parser's judgement.
fn assemble(
    buf: &Bytes,
    head: Head,
    headers: Vec<Entry>,
    uri: Option<(u32, u32)>,
) -> Option<Result<Message, ParseError>> {
    let head = match head {
        Head::Text(h) => h,
        Head::Unchecked(body_start) => ByteString::try_from(buf.slice(..body_start)).ok()?,
    };
    let body_start = head.len();
    let line_end = grammar::find_byte(head.as_bytes(), b'\n')? - 1;
    let start = match uri {
        Some((u0, u1)) => {
            let u = head.get(u0 as usize..u1 as usize)?;
            // As the parser checks it: the usual SIP URI passes the span
            // reader (which takes no URI headers), anything else the URI
            // parser.
            if crate::fast::sip_uri(head.as_bytes(), u0 as usize, u1 as usize).is_none() {
                let parsed = Uri::parse(u).ok()?;
                if parsed.as_sip().is_some_and(|s| s.headers.is_some()) {
                    return None;
                }
            }
            StartLine::Request {
                method: Method::from_token(head.get(..u0 as usize - 1)?),
                uri: Span::new(u0 as usize, u1 as usize),
            }
        }
        None => {
            // "SIP/2.0 " and three digits, checked by `response`.
            let code = head.get(8..11)?.parse().ok()?;
            StartLine::Response {
                code,
                reason: Span::new(12, line_end),
            }
        }
    };
    let mut core = Core::default();
    let method = match &start {
        StartLine::Request { method, .. } => Some(method),
        StartLine::Response { .. } => None,
    };
    if let Err(e) = parse_core(&head, &headers, method, &mut core, None) {
        return Some(Err(e));
    }
    core.content_length = Some((buf.len() - body_start) as u32);
    Some(Ok(Message {
        buf: buf.clone(),
        head,
        start,
        headers,
        body: Span::new(body_start, buf.len()),
        core,
    }))
}

/// `v` in decimal, written into the end of `buf`, without the `fmt`
/// machinery (for values written into every message: status codes,
/// lengths, CSeq numbers, ports).
pub fn decimal_text(v: u64, buf: &mut [u8; 20]) -> &str {
    let mut n = buf.len();
    let mut v = v;
    loop {
        n -= 1;
        buf[n] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    std::str::from_utf8(&buf[n..]).unwrap_or_default()
}

/// Appends `v` in decimal (as [`decimal_text`] writes it), byte by byte
/// as ASCII: no UTF-8 check of the digits, which `decimal_text` needs for
/// its `&str`.
pub fn push_decimal(s: &mut String, v: u64) {
    if v < 10 {
        s.push(char::from(b'0' + v as u8));
        return;
    }
    let mut buf = [0u8; 20];
    let mut n = buf.len();
    let mut v = v;
    while v > 0 {
        n -= 1;
        buf[n] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    s.reserve(buf.len() - n);
    for &d in &buf[n..] {
        // (`min`: the compiler then knows it is one byte of ASCII.)
        s.push(char::from(d.min(b'9')));
    }
}

/// The reason phrases of RFC 3261 section 21 (and the extensions a handset
/// meets); "Unknown" for others.
pub fn reason_phrase(code: u16) -> &'static str {
    match code {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        182 => "Queued",
        183 => "Session Progress",
        199 => "Early Dialog Terminated",
        200 => "OK",
        202 => "Accepted",
        204 => "No Notification",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        305 => "Use Proxy",
        380 => "Alternative Service",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        410 => "Gone",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        421 => "Extension Required",
        422 => "Session Interval Too Small",
        423 => "Interval Too Brief",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        484 => "Address Incomplete",
        485 => "Ambiguous",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        489 => "Bad Event",
        491 => "Request Pending",
        493 => "Undecipherable",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        606 => "Not Acceptable",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn decimal_text_is_display(v: u64) {
            let mut buf = [0; 20];
            prop_assert_eq!(decimal_text(v, &mut buf), v.to_string());
            let mut s = String::from("x");
            push_decimal(&mut s, v);
            prop_assert_eq!(s, format!("x{v}"));
        }
    }

    #[test]
    fn decimal_text_edges() {
        for v in [0, 9, 10, 99, 100, 65_535, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(decimal_text(v, &mut [0; 20]), v.to_string());
        }
    }

    /// What `build` gives, whether it assembled the message without the
    /// parser, and what the parser gives for the same bytes.
    fn both(
        b: MessageBuilder,
    ) -> (
        Result<Message, ParseError>,
        bool,
        Result<Message, ParseError>,
    ) {
        let (buf, head, fields, uri, plain) = b.clone().finish();
        let fast = plain && matches!(assemble(&buf, head, fields, uri), Some(Ok(_)));
        (b.build(), fast, Message::parse(buf))
    }

    fn check(b: MessageBuilder) -> bool {
        let (built, fast, parsed) = both(b);
        match (&built, &parsed) {
            (Ok(m), Ok(p)) => crate::splice::same_parts(m, p).unwrap(),
            (Err(a), Err(b)) => assert_eq!(a, b),
            _ => panic!("built {built:?}, parsed {parsed:?}"),
        }
        fast
    }

    fn names() -> impl Strategy<Value = (Option<HeaderName>, String)> {
        prop_oneof![
            4 => proptest::sample::select(HeaderName::ALL).prop_map(|n| (Some(n), String::new())),
            4 => Just((None, "X-Extra".to_string())),
            1 => proptest::sample::select(HeaderName::ALL)
                .prop_map(|n| (None, n.as_str().to_ascii_lowercase())),
            1 => proptest::sample::select(HeaderName::ALL)
                .prop_map(|n| (None, n.compact().map_or("X".into(), String::from))),
            1 => "[A-Za-z][A-Za-z0-9!%*_+`'~.-]{0,40}".prop_map(|n| (None, n)),
            1 => "[ -~]{0,6}".prop_map(|n| (None, n)),
        ]
    }

    fn values() -> impl Strategy<Value = String> {
        prop_oneof![
            "SIP/2\\.0/(UDP|TCP) [a-z0-9.]{1,12}(:[0-9]{1,5})?(;branch=z9hG4bK[a-z0-9]{1,8})?(;rport)?",
            "(\"[ a-z]{0,8}\" )?<sip:[a-z0-9]{1,6}@[a-z0-9.]{1,10}(;lr)?>(;tag=[a-z0-9]{1,6})?",
            "sip:[a-z]{1,5}@[a-z.]{1,8}",
            "[0-9]{1,4} (INVITE|ACK|BYE|OPTIONS|REGISTER)",
            "[0-9]{1,3}",
            "[a-z0-9@.]{1,12}",
            "[ \t]{0,2}[ -~]{0,24}[ \t]{0,2}",
            "[\\x00-\\x7f\\u{e9}\\u{2028}]{0,16}",
        ]
    }

    fn builder() -> impl Strategy<Value = MessageBuilder> {
        let start = prop_oneof![
            (
                prop_oneof![
                    Just(Method::Invite),
                    Just(Method::Ack),
                    Just(Method::Bye),
                    Just(Method::Options),
                    "[A-Za-z]{1,8}".prop_map(|m| Method::from_token(&m)),
                    "[ -~]{0,4}".prop_map(|m| Method::Extension(m.into())),
                ],
                prop_oneof![
                    4 => "sips?:([a-z0-9]{1,6}@)?[a-z0-9.]{1,12}(:[0-9]{1,5})?(;[a-z]{1,4}(=[a-z0-9]{1,4})?)?",
                    1 => "sip:a@b\\?[a-z]=[a-z]",
                    1 => "tel:\\+?[0-9]{1,10}",
                    1 => "[ -~]{0,16}",
                ],
            )
                .prop_map(|(m, u)| MessageBuilder::request(&m, u)),
            (0u16..1100, "[ -~\\r\\n]{0,12}").prop_map(|(c, r)| MessageBuilder::response(c, &r)),
        ];
        (
            start,
            proptest::collection::vec((names(), values()), 0..8),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        )
            .prop_map(|(mut b, headers, body)| {
                for ((known, raw), value) in headers {
                    b = match known {
                        Some(n) => b.header(n, value),
                        None => b.header_raw(&raw, value),
                    };
                }
                match body {
                    Some(body) => b.body("application/sdp", body),
                    None => b,
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Assembled from the builder's parts or parsed, a built message
        /// is what the parser gives for its bytes, and fails as the parser fails.
        #[test]
        fn built_equals_parsed(b in builder()) {
            check(b);
        }
    }

    fn request() -> MessageBuilder {
        MessageBuilder::request(&Method::Invite, "sip:bob@biloxi.com")
            .header(
                HeaderName::Via,
                "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds",
            )
            .header(HeaderName::MaxForwards, 70)
            .header(HeaderName::To, "Bob <sip:bob@biloxi.com>")
            .header(
                HeaderName::From,
                "Alice <sip:alice@atlanta.com>;tag=1928301774",
            )
            .header(HeaderName::CallId, "a84b4c76e66710@pc33.atlanta.com")
            .header(HeaderName::CSeq, "314159 INVITE")
            .header(HeaderName::Contact, "<sip:alice@pc33.atlanta.com>")
    }

    #[test]
    fn shared_bytes_are_the_message_bytes() {
        let m = request()
            .body("application/sdp", &b"v=0\r\n"[..])
            .build()
            .unwrap();
        assert_eq!(m.shared_bytes(), m.as_bytes());
        let mut trailing = m.as_bytes().to_vec();
        trailing.extend_from_slice(b"garbage");
        let p = Message::parse(trailing).unwrap();
        assert_eq!(p.shared_bytes(), m.as_bytes());
    }

    /// The response as the header-by-header copy wrote it before the
    /// single pass over the lines.
    fn response_by_values(
        req: &Message,
        to_tag: Option<&str>,
        top_via: Option<&str>,
    ) -> MessageBuilder {
        let mut b = MessageBuilder::response(200, "");
        let mut vias = req.values(HeaderName::Via);
        if let Some(top) = top_via
            && vias.next().is_some()
        {
            b.push_str(HeaderName::Via, top);
        }
        for v in vias {
            b.push_str(HeaderName::Via, v);
        }
        let has_tag = req.to_header().is_some_and(|t| t.tag().is_some());
        for name in [
            HeaderName::From,
            HeaderName::To,
            HeaderName::CallId,
            HeaderName::CSeq,
            HeaderName::Timestamp,
        ] {
            for v in req.values(name) {
                match to_tag {
                    Some(tag) if name == HeaderName::To && !has_tag => {
                        b.push_parts(name, &[v, ";tag=", tag]);
                    }
                    _ => b.push_str(name, v),
                }
            }
        }
        b
    }

    #[test]
    fn response_to_copies_as_the_values_did() {
        let base = "OPTIONS sip:b@c SIP/2.0\r\nTimestamp: 54\r\nTo: <sip:b@c>TAG\r\n\
                    Via: SIP/2.0/UDP a.example;branch=z9hG4bK1, SIP/2.0/TCP p.example\r\n\
                    Call-ID: x\r\nv: SIP/2.0/UDP q.example\r\nf: <sip:a@b>;tag=1\r\n\
                    CSeq: 2 OPTIONS\r\nX-Other: 1\r\nEXTRAContent-Length: 0\r\n\r\n";
        for tag in ["", ";tag=9"] {
            for extra in [0, 3, 60, 80] {
                let lines: String = (0..extra)
                    .map(|i| {
                        if i % 2 == 0 {
                            format!("Via: SIP/2.0/UDP h{i}.example\r\n")
                        } else {
                            format!("X-Pad: {i}\r\n")
                        }
                    })
                    .collect();
                let text = base.replace("TAG", tag).replace("EXTRA", &lines);
                let req = Message::parse(text.into_bytes()).unwrap();
                for to_tag in [None, Some("t")] {
                    for top in [
                        None,
                        Some("SIP/2.0/UDP a.example;branch=z9hG4bK1;received=1.2.3.4"),
                    ] {
                        let got = MessageBuilder::response_to_via(&req, 200, "", to_tag, top);
                        let want = response_by_values(&req, to_tag, top);
                        assert_eq!(
                            got.build().unwrap().as_bytes(),
                            want.build().unwrap().as_bytes(),
                            "{tag:?} {extra} {to_tag:?} {top:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn response_to_via_replaces_only_the_top_via() {
        let req = Message::parse(
            &b"BYE sip:b@c SIP/2.0\r\nVia: SIP/2.0/UDP a.example;rport;branch=z9hG4bK1, \
               SIP/2.0/TCP p.example;branch=z9hG4bK0\r\nVia: SIP/2.0/UDP q.example\r\n\
               From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: x\r\nCSeq: 2 BYE\r\n\
               Content-Length: 0\r\n\r\n"[..],
        )
        .unwrap();
        let top = "SIP/2.0/UDP a.example;rport=5060;branch=z9hG4bK1;received=192.0.2.1";
        let r = MessageBuilder::response_to_via(&req, 200, "", Some("t"), Some(top))
            .build()
            .unwrap();
        let vias: Vec<_> = r.values(HeaderName::Via).collect();
        assert_eq!(
            vias,
            [
                top,
                "SIP/2.0/TCP p.example;branch=z9hG4bK0",
                "SIP/2.0/UDP q.example"
            ]
        );
        assert_eq!(r.to_header().unwrap().tag(), Some("t"));
        let plain = MessageBuilder::response_to(&req, 200, "", Some("t"));
        let none = MessageBuilder::response_to_via(&req, 200, "", Some("t"), None);
        assert_eq!(plain.build().unwrap(), none.build().unwrap());
    }

    #[test]
    fn request_str_is_request() {
        for uri in [
            "sip:bob@biloxi.com",
            "sips:a@b:5061;transport=tls",
            "tel:+1234",
            "sip:a@b?x=y",
            "sip:a b",
            "sip:a\r\nb",
            "",
        ] {
            for m in [Method::Invite, Method::Ack, Method::from_token("X y")] {
                let a = MessageBuilder::request(&m, uri).header(HeaderName::CallId, "c");
                let b = MessageBuilder::request_str(&m, uri).header(HeaderName::CallId, "c");
                assert_eq!(a, b);
                assert_eq!(a.uri, b.uri);
                assert_eq!(a.plain, b.plain);
                match (a.build(), b.build()) {
                    (Ok(x), Ok(y)) => assert_eq!(x.as_bytes(), y.as_bytes()),
                    (Err(x), Err(y)) => assert_eq!(x, y),
                    (x, y) => panic!("{x:?} vs {y:?}"),
                }
            }
        }
    }

    #[test]
    fn ordinary_messages_are_assembled() {
        assert!(check(request()));
        assert!(check(request().body("application/sdp", &b"v=0\r\n"[..])));
        assert!(check(
            request()
                .header_raw("X-Empty", "")
                .header_raw("x-pad", " \t a \t")
        ));
        let req = request().build().unwrap();
        assert!(check(MessageBuilder::response_to(&req, 180, "", Some("x"))));
        assert!(check(MessageBuilder::response(999, "")));
    }

    #[test]
    fn the_parser_judges_the_rest() {
        // A malformed core header fails as the parser fails it.
        let bye = MessageBuilder::request(&Method::Invite, "sip:b@c");
        assert!(!check(bye.header(HeaderName::CSeq, "1 BYE")));
        assert!(!check(request().header(HeaderName::From, "<sip:")));
        assert!(!check(request().header(HeaderName::Route, "<sip:")));
        // A start line or header name out of the ordinary.
        assert!(!check(MessageBuilder::request(
            &Method::Invite,
            "sip:a@b?x=y"
        )));
        assert!(!check(MessageBuilder::request(
            &Method::Invite,
            "sip:a@b c"
        )));
        assert!(!check(MessageBuilder::response(99, "x")));
        assert!(!check(MessageBuilder::response(200, "a\rb")));
        assert!(!check(request().header_raw("Bad Name", "x")));
        assert!(!check(request().header(HeaderName::ContentLength, 7)));
    }
}
