//! Heap bytes an established, idle call holds in a `ua-core` agent, counted
//! exactly by a counting global allocator (live bytes requested, not
//! resident pages): N calls are set up between two agents in memory, the
//! clock runs past every transaction's wait state so only the calls
//! remain, and the growth of live bytes is divided by N, per agent.
//!
//! `cargo run --release -p benches --example ua_memory [N]`
//! (the counts come from `dhat` in testing mode, which writes no file).

use benches::ua_pair::Pair;
use ua_core::UserAgent;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn live_bytes() -> isize {
    dhat::HeapStats::get().curr_bytes as isize
}

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let mut pair = Pair::new();
    // Warm up maps and queues, then measure.
    pair.establish();
    pair.advance(40_000);
    let before = live_bytes();
    for k in 0..n {
        pair.establish();
        if k % 100 == 99 {
            // Finished transactions go; only the calls remain.
            pair.advance(40_000);
        }
    }
    pair.advance(40_000);
    let grown = live_bytes() - before;
    let fp: Vec<_> = pair
        .agents()
        .into_iter()
        .map(UserAgent::footprint)
        .collect();
    println!(
        "ua_memory: {} heap bytes per idle call per agent ({} per call both ends; {n} calls; footprints (transactions, calls, links) {:?})",
        grown / (2 * n as isize),
        grown / n as isize,
        fp
    );
}
