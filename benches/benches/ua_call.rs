//! `ua_call`: complete calls (INVITE, 180, 200, ACK, BYE, 200) between two
//! user agents in memory, and the memory an established, idle call holds
//! (growth of resident memory over many calls, both ends together).

use std::hint::black_box;

use benches::ua_pair::Pair;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Resident memory of this process in bytes (Linux `/proc/self/statm`).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn ua_call(c: &mut Criterion) {
    let mut g = c.benchmark_group("ua_call");
    g.throughput(Throughput::Elements(1));
    // `ua_call/ours/full_call`, stored under ours/full_call as the other
    // groups are (scripts/bench-ratios reads that layout)
    g.bench_function(BenchmarkId::new("ours", "full_call"), |b| {
        let mut pair = Pair::new();
        b.iter(|| {
            pair.full_call();
            black_box(&pair);
        })
    });
    g.finish();

    // Memory held by established, idle calls: resident growth over many.
    let mut pair = Pair::new();
    pair.establish();
    const N: u64 = 20_000;
    let before = resident_bytes();
    for k in 0..N {
        pair.establish();
        if k % 100 == 99 {
            // Let finished transactions go, so only the calls remain.
            pair.advance(40_000);
        }
    }
    match (before, resident_bytes()) {
        (Some(b), Some(a)) => println!(
            "ua_call/ours/idle_call_bytes: {} bytes per established call, both ends together ({N} calls, resident growth)",
            a.saturating_sub(b) / N
        ),
        _ => println!("ua_call/ours/idle_call_bytes: unavailable (no /proc/self/statm)"),
    }
}

criterion_group!(benches, ua_call);
criterion_main!(benches);
