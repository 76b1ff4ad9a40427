//! Runs one implementation of the `sip_parse` benchmark N times, for
//! instruction counts under `valgrind --tool=callgrind`, which do not
//! depend on the load of a shared machine:
//! `parse_count ours|rsip|ezk-sip-types parse|typed invite|register_200|notify|ack N`.

use std::hint::black_box;

use bytes::Bytes;

fn ours_parse(b: &Bytes) -> sip_proto::Message {
    sip_proto::Message::parse(b.clone()).expect("ours parses")
}

fn ours_typed(b: &Bytes) -> usize {
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

fn rsip_parse(b: &Bytes) -> rsip::SipMessage {
    rsip::SipMessage::try_from(b.clone()).expect("rsip parses")
}

fn rsip_typed(b: &Bytes) -> usize {
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
fn ezk_parse(
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

fn ezk_typed(b: &Bytes) -> usize {
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, imp, what, input, n] = &args[..] else {
        eprintln!("usage: parse_count IMPL parse|typed INPUT N");
        std::process::exit(2);
    };
    let msg = benches::sip::ALL
        .iter()
        .find(|(name, _)| name == input)
        .expect("input")
        .1;
    let b = Bytes::from_static(msg);
    let n: usize = n.parse().expect("N");
    let mut acc = 0usize;
    for _ in 0..n {
        acc += match (imp.as_str(), what.as_str()) {
            ("ours", "parse") => ours_parse(black_box(&b)).header_count(),
            ("ours", "typed") => ours_typed(black_box(&b)),
            ("rsip", "parse") => rsip::prelude::HasHeaders::headers(&rsip_parse(black_box(&b)))
                .iter()
                .count(),
            ("rsip", "typed") => rsip_typed(black_box(&b)),
            ("ezk-sip-types", "parse") => ezk_parse(black_box(&b)).2.len(),
            ("ezk-sip-types", "typed") => ezk_typed(black_box(&b)),
            _ => panic!("unknown implementation or mode"),
        };
    }
    println!("{acc}");
}
