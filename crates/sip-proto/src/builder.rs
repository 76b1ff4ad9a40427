//! Building requests and responses (RFC 3261 sections 8.1.1 and 8.2.6).
//!
//! A builder writes canonical text as it goes and parses the result, so a
//! built message is exactly what a peer would receive and is checked by the
//! same parser.

use std::fmt::{self, Write as _};

use bytes::Bytes;

use crate::headers::TypedHeader;
use crate::message::{Message, ParseError};
use crate::method::Method;
use crate::name::HeaderName;

/// Builds a request or a response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageBuilder {
    text: String,
    body: Bytes,
}

impl MessageBuilder {
    /// A request line `METHOD uri SIP/2.0`.
    pub fn request(method: &Method, uri: impl fmt::Display) -> Self {
        let mut text = String::with_capacity(512);
        let _ = write!(text, "{method} {uri} SIP/2.0\r\n");
        MessageBuilder {
            text,
            body: Bytes::new(),
        }
    }

    /// A status line `SIP/2.0 code reason`; an empty reason uses the RFC 3261 phrase.
    pub fn response(code: u16, reason: &str) -> Self {
        let reason = if reason.is_empty() {
            reason_phrase(code)
        } else {
            reason
        };
        let mut text = String::with_capacity(512);
        let _ = write!(text, "SIP/2.0 {code} {reason}\r\n");
        MessageBuilder {
            text,
            body: Bytes::new(),
        }
    }

    /// A response to `req` per RFC 3261 section 8.2.6.2: Via (all, in
    /// order), From, Call-ID, CSeq and Timestamp copied; To copied with
    /// `to_tag` added when the request's To has no tag.
    pub fn response_to(req: &Message, code: u16, reason: &str, to_tag: Option<&str>) -> Self {
        let mut b = Self::response(code, reason);
        for v in req.values(HeaderName::Via) {
            b = b.header(HeaderName::Via, v);
        }
        for name in [
            HeaderName::From,
            HeaderName::To,
            HeaderName::CallId,
            HeaderName::CSeq,
            HeaderName::Timestamp,
        ] {
            for v in req.values(name) {
                let has_tag =
                    name == HeaderName::To && req.to_header().is_some_and(|t| t.tag().is_some());
                match to_tag {
                    Some(tag) if name == HeaderName::To && !has_tag => {
                        b = b.header(name, format_args!("{v};tag={tag}"));
                    }
                    _ => b = b.header(name, v),
                }
            }
        }
        b
    }

    /// Copies the request's Record-Route values, for a response that
    /// establishes a dialog (RFC 3261 section 12.1.1).
    pub fn record_route_from(mut self, req: &Message) -> Self {
        for v in req.values(HeaderName::RecordRoute) {
            self = self.header(HeaderName::RecordRoute, v);
        }
        self
    }

    /// Adds a header by name. The value is written as given; folding
    /// characters (CR, LF) in it are replaced by spaces.
    pub fn header(mut self, name: HeaderName, value: impl fmt::Display) -> Self {
        self.push(name.as_str(), value);
        self
    }

    /// Adds a header whose name this crate does not know.
    pub fn header_raw(mut self, name: &str, value: impl fmt::Display) -> Self {
        self.push(name, value);
        self
    }

    /// Adds a typed header value.
    pub fn typed<'a, T: TypedHeader<'a>>(self, value: &T) -> Self {
        self.header(T::NAME, value)
    }

    fn push(&mut self, name: &str, value: impl fmt::Display) {
        self.text.push_str(name);
        self.text.push_str(": ");
        let at = self.text.len();
        let _ = write!(self.text, "{value}");
        // A line end inside a value would end the header early.
        if self.text[at..].contains(['\r', '\n']) {
            let fixed: String = self.text[at..]
                .chars()
                .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
                .collect();
            self.text.truncate(at);
            self.text.push_str(&fixed);
        }
        self.text.push_str("\r\n");
    }

    /// Sets the body with its Content-Type.
    pub fn body(self, content_type: &str, body: impl Into<Bytes>) -> Self {
        let mut b = self.header(HeaderName::ContentType, content_type);
        b.body = body.into();
        b
    }

    /// Finishes the message: adds Content-Length and parses the result.
    pub fn build(self) -> Result<Message, ParseError> {
        let mut out = Vec::with_capacity(self.text.len() + 24 + self.body.len());
        out.extend_from_slice(self.text.as_bytes());
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", self.body.len()).as_bytes());
        out.extend_from_slice(&self.body);
        Message::parse(out)
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
