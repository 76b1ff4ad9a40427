//! Edits of a parsed message that keep every other byte: the receiver's
//! Via stamp (RFC 3261 section 18.2.1, RFC 3581).

use crate::cache::Text;
use crate::headers::split_list;
use crate::message::{Message, ParseError, ParseErrorKind};
use crate::name::HeaderName;

impl Message {
    /// A copy of the message whose topmost Via value is `via` (e.g. with
    /// `received` and `rport` filled in on receipt, RFC 3261 section 18.2.1,
    /// RFC 3581). Only the first element of a comma-folded Via line is
    /// replaced; every other byte is kept. Fails if the result does not parse
    /// (a malformed `via`) or the message has no Via.
    pub fn with_top_via(&self, via: &str) -> Result<Message, ParseError> {
        let entry = self
            .headers
            .iter()
            .find(|e| e.known == Some(HeaderName::Via))
            .ok_or(ParseError::new(
                ParseErrorKind::MissingHeader(HeaderName::Via),
                self.body.start as usize,
            ))?;
        let value = self.text(entry.value);
        let (off, first) = split_list(value, true).next().unwrap_or((0, value));
        let start = entry.value.start as usize + off;
        let end = start + first.len();
        let mut out = Vec::with_capacity(self.buf.len() + via.len());
        out.extend_from_slice(&self.buf[..start]);
        out.extend_from_slice(via.as_bytes());
        out.extend_from_slice(&self.buf[end..self.body.end as usize]);
        Message::parse(out)
    }
}
