//! RTP work for instruction counting (`valgrind --tool=callgrind`): the
//! iterations of `benches/benches/media.rs` (groups `rtp_parse`,
//! `rtp_build`, `rtp_build_header`), the same `benches::rtp_work` functions,
//! run N times each:
//!
//! `rtp_count IMPL CASE N` with IMPL `ours`, `rtp` (webrtc-rs) or `copy`
//! (the payload copy alone, for `build`) and CASE `parse`, `build`,
//! `header` or `header16` (16 consecutive headers into 16 slots).
//!
//! Run with N and 2N and divide the difference by N (`scripts/instr-count-rtp`)
//! to get the instructions per iteration without the set-up.

use std::hint::black_box;

use benches::rtp_work::{self as w, BURST, SLOT};
use bytes::Bytes;
use webrtc_util::marshal::Unmarshal;

/// Runs `work` `n` times in its own non-inlined loop, so that callgrind
/// sees the loop the benchmark runs and nothing else; each result goes
/// through `black_box` as criterion's `iter` does with it.
#[inline(never)]
fn repeat<T>(n: usize, mut work: impl FnMut() -> T) -> usize {
    for _ in 0..n {
        black_box(work());
    }
    n
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (imp, case) = (
        args.get(1).map_or("ours", String::as_str),
        args.get(2).map_or("parse", String::as_str),
    );
    let n: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let raw = benches::rtp_packet();
    let bytes = Bytes::from(raw.clone());
    let theirs = w::Theirs::unmarshal(&mut bytes.clone()).unwrap();
    let payload: &[u8] = &theirs.payload;
    let mut out = [0u8; 1500];
    let mut slab = [0u8; BURST * SLOT];
    let r = match (imp, case) {
        ("ours", "parse") => repeat(n, || w::parse_ours(black_box(&raw))),
        ("rtp", "parse") => repeat(n, || w::parse_rtp(black_box(&bytes))),
        ("ours", "build") => repeat(n, || w::build_ours(payload, &mut out)),
        ("rtp", "build") => repeat(n, || w::build_rtp(&theirs, &mut out)),
        ("copy", "build") => repeat(n, || w::build_copy(payload, &mut out)),
        ("ours", "header") => repeat(n, || w::header_ours(&mut out)),
        ("rtp", "header") => repeat(n, || w::header_rtp(&theirs, &mut out)),
        ("ours", "header16") => {
            let mut h = w::burst_header_ours();
            repeat(n, || w::header16_ours(&mut h, &mut slab))
        }
        ("rtp", "header16") => {
            let mut h = w::burst_header_rtp(&theirs);
            repeat(n, || w::header16_rtp(&mut h, &mut slab))
        }
        _ => {
            eprintln!("usage: rtp_count ours|rtp|copy parse|build|header|header16 N");
            std::process::exit(2);
        }
    };
    black_box(r);
}
