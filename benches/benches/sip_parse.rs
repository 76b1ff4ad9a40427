//! `sip_parse`: our parser against rsip and ezk-sip-types on the same bytes.
//!
//! - `sip_parse/<impl>/<input>`: parse the message into the crate's message type.
//! - `sip_parse_typed/<impl>/<input>`: parse, then the typed core headers a
//!   transaction and dialog layer read (Via, From, To, CSeq, Call-ID,
//!   Contact, Content-Length).

use std::hint::black_box;

use benches::sip::ALL;
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

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

fn sip_parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("sip_parse");
    for &(name, msg) in ALL {
        let b = Bytes::from_static(msg);
        g.throughput(Throughput::Bytes(msg.len() as u64));
        g.bench_with_input(BenchmarkId::new("ours", name), &b, |x, b| {
            x.iter(|| ours_parse(black_box(b)))
        });
        g.bench_with_input(BenchmarkId::new("rsip", name), &b, |x, b| {
            x.iter(|| rsip_parse(black_box(b)))
        });
        g.bench_with_input(BenchmarkId::new("ezk-sip-types", name), &b, |x, b| {
            x.iter(|| ezk_parse(black_box(b)))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("sip_parse_typed");
    for &(name, msg) in ALL {
        let b = Bytes::from_static(msg);
        g.throughput(Throughput::Bytes(msg.len() as u64));
        g.bench_with_input(BenchmarkId::new("ours", name), &b, |x, b| {
            x.iter(|| ours_typed(black_box(b)))
        });
        g.bench_with_input(BenchmarkId::new("rsip", name), &b, |x, b| {
            x.iter(|| rsip_typed(black_box(b)))
        });
        g.bench_with_input(BenchmarkId::new("ezk-sip-types", name), &b, |x, b| {
            x.iter(|| ezk_typed(black_box(b)))
        });
    }
    g.finish();
}

criterion_group!(benches, sip_parse);
criterion_main!(benches);
