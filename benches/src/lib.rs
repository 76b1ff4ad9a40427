//! Shared inputs for the criterion benchmarks in `benches/benches/`.
//!
//! Benchmark ids follow `group/implementation/input`, with `ours` for our
//! code and the peer crate's name otherwise, so `scripts/bench-ratios` can
//! read ratios from `target/criterion` mechanically.
