//! `sdp_parse`: our SDP parser against webrtc-sdp and the `sdp` crate
//! (webrtc-rs), on the same bytes.
//!
//! Every implementation builds its full structure. webrtc-sdp types every
//! attribute while parsing; the `sdp` crate copies every field into
//! `String`s. Ours records positions and also checks and types every known
//! attribute (rtpmap, fmtp, ptime, direction, rtcp, ssrc, mid, ...) while
//! parsing; the `ours` measurement then reads each media description the way
//! the offer/answer engine does (port, protocol, payload types, connection,
//! direction, rtpmaps and fmtps resolved to `&str`).
//!
//! Run: `cargo bench -p benches --bench sdp_parse -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::io::Cursor;

use benches::sdp_impls::{ALL, ours};
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("sdp_parse");
    for &(name, text) in ALL {
        // Every implementation must accept the input.
        let bytes = Bytes::from(text.as_bytes().to_vec());
        assert!(ours(&bytes) > 0);
        webrtc_sdp::parse_sdp(text, false).expect("webrtc-sdp parses");
        sdp_rs::SessionDescription::unmarshal(&mut Cursor::new(text.as_bytes()))
            .expect("sdp parses");

        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("ours", name), &bytes, |b, input| {
            b.iter(|| ours(black_box(input)))
        });
        group.bench_with_input(BenchmarkId::new("webrtc-sdp", name), text, |b, input| {
            b.iter(|| webrtc_sdp::parse_sdp(black_box(input), false).map(|s| s.media.len()))
        });
        group.bench_with_input(BenchmarkId::new("sdp", name), text, |b, input| {
            b.iter(|| {
                sdp_rs::SessionDescription::unmarshal(&mut Cursor::new(black_box(input.as_bytes())))
                    .map(|s| s.media_descriptions.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
