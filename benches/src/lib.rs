//! Shared inputs for the criterion benchmarks in `benches/benches/`.
//!
//! Benchmark ids follow `group/implementation/input`, with `ours` for our
//! code and the peer crate's name otherwise, so ratios can be read from
//! `target/criterion` mechanically (`scripts/bench-ratios`).

/// SIP messages of the `sip_parse` group, as a handset sees them.
pub mod sip {
    /// An INVITE with an SDP offer, about 1.1 KB.
    pub const INVITE: &[u8] = include_bytes!("../data/invite.sip");

    /// A 200 OK to REGISTER with two bindings.
    pub const REGISTER_200: &[u8] = include_bytes!("../data/register_200.sip");

    /// An MWI NOTIFY (RFC 3842).
    pub const NOTIFY: &[u8] = include_bytes!("../data/notify.sip");

    /// An ACK for a 2xx.
    pub const ACK: &[u8] = include_bytes!("../data/ack.sip");

    /// All inputs by name.
    pub const ALL: &[(&str, &[u8])] = &[
        ("invite", INVITE),
        ("register_200", REGISTER_200),
        ("notify", NOTIFY),
        ("ack", ACK),
    ];
}

/// The `sip_parse` work of each implementation, shared by the criterion
/// benchmark and `examples/parse_count.rs` (instruction counts).
pub mod sip_impls {
    use bytes::Bytes;

    pub fn ours_parse(b: &Bytes) -> sip_proto::Message {
        sip_proto::Message::parse(b.clone()).expect("ours parses")
    }

    pub fn ours_typed(b: &Bytes) -> usize {
        // The core headers are parsed with the message; these read them.
        let m = ours_parse(b);
        let mut n = 0;
        for v in m.vias() {
            n += v.branch().map_or(0, str::len);
        }
        n += m.from_header().expect("from").tag().map_or(0, str::len);
        n += m.to_header().expect("to").tag().map_or(0, str::len);
        n += m.cseq().expect("cseq").seq as usize;
        n += m.call_id().expect("call-id").len();
        for c in m.contacts() {
            n += usize::from(c.addr().is_some());
        }
        n += m.content_length().unwrap_or(0) as usize;
        n
    }

    pub fn rsip_parse(b: &Bytes) -> rsip::SipMessage {
        rsip::SipMessage::try_from(b.clone()).expect("rsip parses")
    }

    pub fn rsip_typed(b: &Bytes) -> usize {
        use rsip::Header;
        use rsip::prelude::*;
        let m = rsip_parse(b);
        let mut n = 0;
        for h in m.headers().iter() {
            match h {
                Header::Via(v) => n += v.typed().expect("via").params.len(),
                Header::From(f) => n += f.typed().expect("from").params.len(),
                Header::To(t) => n += t.typed().expect("to").params.len(),
                Header::CSeq(c) => n += c.typed().expect("cseq").seq as usize,
                Header::CallId(c) => n += c.value().len(),
                // rsip cannot type the `+sip.instance="<urn:...>"` Contact of the INVITE.
                Header::Contact(c) => n += c.typed().map_or(0, |c| c.params.len()),
                Header::ContentLength(l) => n += l.length().expect("length") as usize,
                _ => {}
            }
        }
        n
    }

    /// ezk-sip-types has no whole-message type: assemble it the way its
    /// transport layer does (pull lines, parse the start line, collect headers).
    pub fn ezk_parse(
        b: &Bytes,
    ) -> (
        ezk_sip_types::msg::MessageLine,
        ezk_sip_types::Headers,
        Bytes,
    ) {
        use ezk_sip_types::msg::{Line, MessageLine, PullParser};
        use ezk_sip_types::parse::Parse;
        let mut parser = PullParser::new(b, 0);
        let first = parser.next().expect("start line").expect("complete");
        let first = std::str::from_utf8(first).expect("utf8");
        let (_, line) = MessageLine::parse(b)(first).expect("ezk start line");
        let mut headers = ezk_sip_types::Headers::with_capacity(16);
        for l in parser.by_ref() {
            let l = std::str::from_utf8(l.expect("complete")).expect("utf8");
            let (_, h) = Line::parse(b, l).expect("ezk header line");
            headers.insert(h.name, h.value);
        }
        let body = b.slice(parser.head_end()..);
        (line, headers, body)
    }

    pub fn ezk_typed(b: &Bytes) -> usize {
        use ezk_sip_types::Name;
        use ezk_sip_types::header::typed::*;
        let (_, h, _) = ezk_parse(b);
        let mut n = 0;
        n += h.get::<Vec<Via>>(Name::VIA).expect("via").len();
        n += h
            .get::<FromTo>(Name::FROM)
            .expect("from")
            .tag
            .map_or(0, |t| t.len());
        n += h
            .get::<FromTo>(Name::TO)
            .expect("to")
            .tag
            .map_or(0, |t| t.len());
        n += h.get::<CSeq>(Name::CSEQ).expect("cseq").cseq as usize;
        n += h.get::<CallID>(Name::CALL_ID).expect("call-id").0.len();
        if let Some(c) = h.try_get::<Vec<Contact>>(Name::CONTACT) {
            n += c.expect("contact").len();
        }
        n += h
            .get::<ContentLength>(Name::CONTENT_LENGTH)
            .map_or(0, |c| c.0);
        n
    }
}
