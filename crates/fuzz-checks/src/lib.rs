//! The property behind every fuzz target, as a plain function over bytes.
//!
//! `fuzz/fuzz_targets/*.rs` (cargo-fuzz) call these, and `tests/replay.rs`
//! replays the committed corpora (`fuzz/corpus/<target>/`) and any
//! `fuzz/regressions/<target>/` through the same functions, so an ordinary
//! `cargo test` on the stable toolchain re-checks every input a fuzzer found.
//! A check panics when the property fails; that is what the fuzzer looks for.

pub mod media;
pub mod sdp;
pub mod sip;
pub mod ua;

/// A fuzz target: its cargo-fuzz name and its check.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by the name of its `fuzz/fuzz_targets/<name>.rs` file.
pub fn targets() -> impl Iterator<Item = Target> {
    sip::TARGETS
        .iter()
        .chain(sdp::TARGETS)
        .chain(media::TARGETS)
        .chain(ua::TARGETS)
        .copied()
}
