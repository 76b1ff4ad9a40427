//! N complete calls (INVITE, 180, 200, ACK, BYE, 200) between two `ua-core`
//! agents in memory, the clock advanced 40 s after each so every
//! transaction ends: a steady loop to profile, e.g.
//!
//! `valgrind --tool=callgrind target/release/examples/ua_calls 1000`
//!
//! (instructions per call = total / N, the set-up being negligible).

use benches::ua_pair::Pair;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let mut pair = Pair::new();
    for _ in 0..n {
        pair.full_call();
    }
}
