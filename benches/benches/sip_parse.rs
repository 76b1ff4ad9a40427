//! `sip_parse`: our parser against rsip and ezk-sip-types on the same bytes.
//!
//! - `sip_parse/<impl>/<input>`: parse the message into the crate's message type.
//! - `sip_parse_typed/<impl>/<input>`: parse, then the typed core headers a
//!   transaction and dialog layer read (Via, From, To, CSeq, Call-ID,
//!   Contact, Content-Length).

use std::hint::black_box;

use benches::sip::ALL;
use benches::sip_impls::*;
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

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
