//! Runs one implementation of the `sdp_parse` benchmark N times, for
//! instruction counts under `valgrind --tool=callgrind`, which do not depend
//! on the load of a shared machine (`scripts/instr-count-sdp` runs N and 2N
//! iterations and divides the difference by N):
//! `sdp_count ours|webrtc-sdp|sdp audio_offer|multi_offer N`.
//!
//! The inputs and the work of each implementation are the benchmark's own
//! (`benches::sdp_impls`).

use std::hint::black_box;

use benches::sdp_impls::{AUDIO_OFFER, MULTI_OFFER, ours, sdp, webrtc_sdp};
use bytes::Bytes;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, imp, input, n] = &args[..] else {
        eprintln!("usage: sdp_count ours|webrtc-sdp|sdp audio_offer|multi_offer N");
        std::process::exit(2);
    };
    let text = match input.as_str() {
        "audio_offer" => AUDIO_OFFER,
        "multi_offer" => MULTI_OFFER,
        _ => panic!("unknown input"),
    };
    let bytes = Bytes::from(text.as_bytes().to_vec());
    let n: usize = n.parse().expect("N");
    let mut acc = 0usize;
    for _ in 0..n {
        acc += match imp.as_str() {
            "ours" => ours(black_box(&bytes)),
            "webrtc-sdp" => webrtc_sdp(black_box(text)),
            "sdp" => sdp(black_box(text)),
            _ => panic!("unknown implementation"),
        };
    }
    println!("{acc}");
}
