//! The message lint behind the `sipcheck` example and `sipua parse`: a
//! message must frame and parse, every header this crate knows must parse,
//! and a request must carry the mandatory headers (RFC 3261 section 8.1.1).

use bytes::Bytes;

use crate::{Message, ParseError};

/// Parses `data` and applies every check; the message when all hold.
pub fn check(data: impl Into<Bytes>) -> Result<Message, ParseError> {
    let m = Message::parse(data)?;
    m.check_all_headers()?;
    m.check_mandatory()?;
    Ok(m)
}

/// One line about a message that passed: `<METHOD|status> headers=<n>
/// body=<n>`.
pub fn summary(m: &Message) -> String {
    let what = match (m.method(), m.status()) {
        (Some(method), _) => method.to_string(),
        (_, Some(code)) => code.to_string(),
        (None, None) => "?".into(),
    };
    format!(
        "{what} headers={} body={}",
        m.header_count(),
        m.body_bytes().len()
    )
}
