//! Edits of a parsed message that keep every other byte: the receiver's
//! Via stamp (RFC 3261 section 18.2.1, RFC 3581).
//!
//! The edit does not parse the message again: the spans after the edited
//! Via element move by the change in length, the core headers are read
//! through those moved spans into the new buffer, and only the new Via
//! element is parsed. Anything the parser might read differently (line
//! ends or edge whitespace in the new value, a change in how the Via line
//! splits into elements, a value that does not parse) goes through
//! [`Message::parse`] instead, so the result is always what the parser
//! gives for the new bytes.

use bytes::Bytes;
use bytestring::ByteString;

use crate::cache::{ContactSpans, Core, NameAddrSpans, Span, Text, ViaSpans};
use crate::headers::{TypedHeader, Via, split_list};
use crate::message::{Entry, Message, ParseError, ParseErrorKind, StartLine};
use crate::name::HeaderName;

/// The text of an old span in the new head: positions at or after the end
/// of the replaced range move by the change in length.
struct Moved<'a> {
    head: &'a str,
    /// The end of the replaced range in the old buffer.
    end: u32,
    /// New length minus old length of the replaced range.
    delta: i64,
}

impl Moved<'_> {
    fn pos(&self, p: u32) -> u32 {
        if p >= self.end {
            (p as i64 + self.delta) as u32
        } else {
            p
        }
    }

    fn span(&self, s: Span) -> Span {
        if s == Span::default() {
            return s;
        }
        Span {
            start: self.pos(s.start),
            end: self.pos(s.end),
        }
    }
}

impl Text for Moved<'_> {
    fn text(&self, s: Span) -> &str {
        let s = self.span(s);
        self.head.get(s.range()).unwrap_or("")
    }
}

impl Message {
    /// A copy of the message whose topmost Via value is `via` (e.g. with
    /// `received` and `rport` filled in on receipt, RFC 3261 section 18.2.1,
    /// RFC 3581). Only the first element of a comma-folded Via line is
    /// replaced; every other byte is kept. Fails if the result does not parse
    /// (a malformed `via`) or the message has no Via.
    pub fn with_top_via(&self, via: &str) -> Result<Message, ParseError> {
        let (k, off, start, end) = self.splice_point()?;
        let mut out = Vec::with_capacity(self.buf.len() + via.len());
        out.extend_from_slice(&self.buf[..start]);
        out.extend_from_slice(via.as_bytes());
        out.extend_from_slice(&self.buf[end..self.body.end as usize]);
        let buf = Bytes::from(out);
        match self.moved(&buf, k, off, start, end, via) {
            Some(m) => {
                #[cfg(debug_assertions)]
                assert_same_as_parsed(&m);
                Ok(m)
            }
            None => Message::parse(buf),
        }
    }

    /// The first Via line `k`, the offset of its first element in its
    /// value, and that element's range in the buffer.
    fn splice_point(&self) -> Result<(usize, usize, usize, usize), ParseError> {
        let (k, entry) = self
            .headers
            .iter()
            .enumerate()
            .find(|(_, e)| e.known == Some(HeaderName::Via))
            .ok_or(ParseError::new(
                ParseErrorKind::MissingHeader(HeaderName::Via),
                self.body.start as usize,
            ))?;
        let value = self.text(entry.value);
        let (off, first) = split_list(value, true).next().unwrap_or((0, value));
        let start = entry.value.start as usize + off;
        Ok((k, off, start, start + first.len()))
    }

    /// The message over `buf` (this one with `[start, end)`, the first
    /// element of Via line `k` at offset `off` of its value, replaced by
    /// `via`), without parsing it again; `None` when only the parser can say.
    fn moved(
        &self,
        buf: &Bytes,
        k: usize,
        off: usize,
        start: usize,
        end: usize,
        via: &str,
    ) -> Option<Message> {
        let wsp = |c: u8| c == b' ' || c == b'\t';
        let v = via.as_bytes();
        // The line keeps its shape only if the new element has no line end
        // and no edge whitespace (the parser trims those), and is not empty.
        if v.is_empty()
            || wsp(v[0])
            || wsp(v[v.len() - 1])
            || crate::grammar::find_byte(v, b'\n').is_some()
            || crate::grammar::find_byte(v, b'\r').is_some()
            // A body cut short under `ParseOptions::truncated_body_ok`
            // would not parse again.
            || self
                .core
                .content_length
                .is_some_and(|d| d != self.body.end - self.body.start)
        {
            return None;
        }
        let delta = via.len() as i64 - (end - start) as i64;
        let body_start = (self.body.start as i64 + delta) as usize;
        let head = ByteString::try_from(buf.slice(..body_start)).ok()?;
        let moved = Moved {
            head: &head,
            end: end as u32,
            delta,
        };
        let headers: Vec<Entry> = self
            .headers
            .iter()
            .map(|e| Entry {
                known: e.known,
                name: moved.span(e.name),
                value: moved.span(e.value),
            })
            .collect();
        // The Via line must still split with the new element first, at the
        // same place.
        let line = head.get(headers[k].value.range())?;
        if split_list(line, true).next() != Some((off, via)) {
            return None;
        }
        let top = Via::parse(head.get(start..start + via.len())?).ok()?;
        let base = head.as_bytes();
        let old = &self.core;
        let mut core = Core::default();
        core.vias.push(ViaSpans::of(base, &top));
        for x in old.vias.iter().skip(1) {
            core.vias.push(ViaSpans::of(base, &x.view(&moved)));
        }
        for c in old.contacts.iter() {
            core.contacts.push(ContactSpans::of(base, &c.view(&moved)));
        }
        core.from = old.from.map(|n| NameAddrSpans::of(base, &n.view(&moved)));
        core.to = old.to.map(|n| NameAddrSpans::of(base, &n.view(&moved)));
        core.call_id = old.call_id.map(|s| moved.span(s));
        core.cseq = old.cseq.clone();
        core.max_forwards = old.max_forwards;
        core.content_length = old.content_length;
        let start_line = match &self.start {
            StartLine::Request { method, uri } => StartLine::Request {
                method: method.clone(),
                uri: moved.span(*uri),
            },
            StartLine::Response { code, reason } => StartLine::Response {
                code: *code,
                reason: moved.span(*reason),
            },
        };
        Some(Message {
            buf: buf.clone(),
            start: start_line,
            headers,
            body: moved.span(self.body),
            core,
            head,
        })
    }
}

/// Whether `m`, assembled without the parser, has exactly the parts `p`,
/// the parser's reading of the same bytes, has: the error names the first
/// that differs.
#[cfg(any(test, debug_assertions))]
pub(crate) fn same_parts(m: &Message, p: &Message) -> Result<(), String> {
    let entries = |x: &Message| -> Vec<_> {
        x.headers
            .iter()
            .map(|e| (e.known, e.name, e.value))
            .collect()
    };
    let differs = |what: &str| Err(format!("{what} differs: {m:?} vs {p:?}"));
    if m.start != p.start {
        return differs("start line");
    }
    if entries(m) != entries(p) {
        return differs("header spans");
    }
    if m.body != p.body || m.buf[..m.body.end as usize] != p.buf[..p.body.end as usize] {
        return differs("body");
    }
    if m.head != p.head {
        return differs("head");
    }
    if m.core != p.core {
        return differs("core headers");
    }
    Ok(())
}

/// Checks that `m`, assembled without the parser, is exactly what the
/// parser gives for its bytes (run in debug builds, so every test that
/// builds or stamps a message checks it).
#[cfg(debug_assertions)]
pub(crate) fn assert_same_as_parsed(m: &Message) {
    match Message::parse(m.buf.clone()) {
        Ok(p) => {
            if let Err(e) = same_parts(m, &p) {
                panic!("assembled message: {e}");
            }
        }
        Err(e) => panic!("assembled message does not parse ({e}): {m:?}"),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The old way: the spliced bytes, parsed.
    fn parsed(m: &Message, via: &str) -> Result<Message, ParseError> {
        let e = m
            .headers
            .iter()
            .find(|e| e.known == Some(HeaderName::Via))
            .unwrap();
        let value = m.text(e.value);
        let (off, first) = split_list(value, true).next().unwrap_or((0, value));
        let start = e.value.start as usize + off;
        let mut out = m.buf[..start].to_vec();
        out.extend_from_slice(via.as_bytes());
        out.extend_from_slice(&m.buf[start + first.len()..m.body.end as usize]);
        Message::parse(out)
    }

    /// Whether the stamp equals the parser's reading, and took the fast way.
    fn check(m: &Message, via: &str) -> bool {
        let fast = m.splice_point().is_ok_and(|(k, off, start, end)| {
            let mut out = m.buf[..start].to_vec();
            out.extend_from_slice(via.as_bytes());
            out.extend_from_slice(&m.buf[end..m.body.end as usize]);
            m.moved(&Bytes::from(out), k, off, start, end, via)
                .is_some()
        });
        let got = m.with_top_via(via);
        let want = parsed(m, via);
        match (&got, &want) {
            (Ok(a), Ok(b)) => same_parts(a, b).unwrap(),
            (Err(a), Err(b)) => assert_eq!(a, b),
            _ => panic!("stamped {got:?}, parsed {want:?}"),
        }
        fast
    }

    fn message() -> impl Strategy<Value = Message> {
        let via = "SIP/2\\.0/UDP [a-z][a-z0-9]{0,8}(\\.[a-z0-9]{1,5})?(:[0-9]{1,4})?;branch=z9hG4bK[a-z0-9]{1,6}(;rport)?(;x=\"a, b\")?";
        (
            any::<bool>(),
            proptest::collection::vec(via, 1..3),
            any::<bool>(),
            proptest::collection::vec(via, 0..2),
            proptest::option::of("[ -~]{0,30}"),
            any::<bool>(),
        )
            .prop_map(|(request, first, before, more, extra, length)| {
                let mut t = String::from(if request {
                    "INVITE sip:bob@biloxi.com SIP/2.0\r\n"
                } else {
                    "SIP/2.0 180 Ringing\r\n"
                });
                if before {
                    t.push_str("X-Before: 1\r\n");
                }
                t.push_str(&format!("v: {}\r\n", first.join(" ,\t")));
                t.push_str(
                    "To: Bob <sip:bob@biloxi.com>\r\nFrom: \"A\" <sip:alice@atlanta.com>;tag=1\r\n\
                     Call-ID: a84b4c76e66710@pc33\r\nCSeq: 314159 INVITE\r\nMax-Forwards: 70\r\n\
                     Contact: <sip:alice@pc33.atlanta.com>, <tel:+1234>\r\n",
                );
                for v in more {
                    t.push_str(&format!("Via: {v}\r\n"));
                }
                if let Some(x) = extra {
                    t.push_str(&format!("Subject: {x}\r\n"));
                }
                let body = "v=0\r\n";
                if length {
                    t.push_str(&format!("Content-Length: {}\r\n", body.len()));
                }
                t.push_str("\r\n");
                t.push_str(body);
                Message::parse(t.into_bytes()).unwrap()
            })
    }

    fn new_via() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "SIP/2\\.0/(UDP|TCP) [a-z0-9.]{1,14}(:[0-9]{1,5})?(;branch=z9hG4bK[a-z0-9]{1,8})?(;rport(=[0-9]{1,5})?)?(;received=[0-9.]{7,15})?",
            1 => "SIP/2\\.0/UDP h;x=\"[ ,a-z]{0,5}\"",
            1 => "[ \t]?SIP/2\\.0/UDP h[ ,\t\"<>]{0,3}[a-z]{0,3}",
            1 => "[ -~\r\n]{0,20}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The spliced message equals the parser's reading of its bytes,
        /// and fails where the parser fails.
        #[test]
        fn stamped_equals_parsed(m in message(), via in new_via()) {
            check(&m, &via);
        }
    }

    #[test]
    fn ordinary_stamps_take_the_short_way() {
        let m = Message::parse(
            &b"BYE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bK1, \
               SIP/2.0/UDP p;branch=z9hG4bK2\r\nVia: SIP/2.0/TCP q;branch=z9hG4bK3\r\n\
               To: <sip:b@h>;tag=2\r\nFrom: <sip:a@h>;tag=1\r\nCall-ID: c\r\nCSeq: 2 BYE\r\n\
               Contact: <sip:a@10.1.1.1>\r\nContent-Length: 0\r\n\r\n"[..],
        )
        .unwrap();
        let short = |via: &str| check(&m, via);
        assert!(short(
            "SIP/2.0/UDP 10.1.1.1:4540;rport=9988;branch=z9hG4bK1;received=192.0.2.1"
        ));
        assert!(short("SIP/2.0/UDP a"));
        // The parser's error for a malformed value.
        assert!(!short("SIP/2.0/UDP"));
        assert!(!short("SIP/2.0/UDP a, SIP/2.0/UDP b"));
        assert!(!short(" SIP/2.0/UDP a"));
        let s = m
            .with_top_via("SIP/2.0/UDP 10.1.1.1:4540;rport=9988;branch=z9hG4bK1;received=192.0.2.1")
            .unwrap();
        assert_eq!(s.vias().count(), 3);
        assert_eq!(s.top_via().unwrap().rport(), Some(Some(9988)));
        assert_eq!(s.call_id(), Some("c"));
    }
}
