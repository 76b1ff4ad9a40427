//! G.729 Annex A + Annex B decoder conformance: every ITU A+B decoder
//! bitstream (speech, SID, non-transmitted and erased frames) must decode
//! to its reference output byte for byte, and the same A+B decoder must
//! still reproduce every Annex A `.pst` from the Annex A bitstreams.
//!
//! The vectors are not in the repository: they are read from
//! `../shared/codec-vectors/{g729ab,g729a}` (relative to the workspace root)
//! or from `$CODEC_VECTORS_DIR/{g729ab,g729a}`. When absent the test prints
//! why and passes.

use rtp_media::g729::G729Decoder;
use rtp_media::g729::bits::SerialReader;
use std::path::PathBuf;

/// Annex B decoder vectors: (bitstream, expected output).
const AB: [(&str, &str); 6] = [
    ("tstseq1a.bit", "tstseq1a.out"),
    ("tstseq2a.bit", "tstseq2a.out"),
    ("tstseq3a.bit", "tstseq3a.out"),
    ("tstseq4a.bit", "tstseq4a.out"),
    ("tstseq5.bit", "tstseq5a.out"),
    ("tstseq6.bit", "tstseq6a.out"),
];

/// Annex A decoder vectors (`name.bit` → `name.pst`).
const A: [&str; 10] = [
    "algthm", "erasure", "fixed", "lsp", "overflow", "parity", "pitch", "speech", "tame", "test",
];

fn vectors_dir(sub: &str) -> PathBuf {
    match std::env::var_os("CODEC_VECTORS_DIR") {
        Some(d) => PathBuf::from(d).join(sub),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/codec-vectors")
            .join(sub),
    }
}

/// Decodes a serial bitstream with the A+B entry point; returns the PCM
/// output as little-endian bytes.
fn decode(bit: &[u8]) -> Vec<u8> {
    let mut dec = G729Decoder::new();
    let mut out = [0i16; 80];
    let mut pcm = Vec::with_capacity(bit.len());
    for (n, frame) in SerialReader::new(bit).enumerate() {
        let frame = frame.unwrap_or_else(|e| panic!("frame {n}: {e}"));
        dec.decode_serial_frame(&frame, &mut out);
        for s in out {
            pcm.extend_from_slice(&s.to_le_bytes());
        }
    }
    pcm
}

/// `None` when equal, else a description of the first difference.
fn compare(name: &str, got: &[u8], want: &[u8]) -> Option<String> {
    if got == want {
        println!("{name}: pass ({} frames)", want.len() / 160);
        return None;
    }
    let msg = match got.iter().zip(want).position(|(a, b)| a != b) {
        Some(byte) => {
            let s = byte / 2;
            let g = i16::from_le_bytes([got[s * 2], got[s * 2 + 1]]);
            let e = i16::from_le_bytes([want[s * 2], want[s * 2 + 1]]);
            format!(
                "{name}: FAIL first difference at frame {} sample {} (got {g}, expected {e})",
                s / 80,
                s % 80
            )
        }
        None => format!(
            "{name}: FAIL length {} vs expected {}",
            got.len(),
            want.len()
        ),
    };
    println!("{msg}");
    Some(msg)
}

#[test]
fn annex_b_decoder_vectors() {
    let dir = vectors_dir("g729ab");
    if !dir.is_dir() {
        println!("G.729 vectors not found at {}; skipping", dir.display());
        return;
    }
    let mut failures = Vec::new();
    for (bit, out) in AB {
        let bitstream = std::fs::read(dir.join(bit)).expect("read bitstream");
        let want = std::fs::read(dir.join(out)).expect("read reference output");
        failures.extend(compare(bit, &decode(&bitstream), &want));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn annex_a_vectors_through_the_annex_b_entry_point() {
    let dir = vectors_dir("g729a");
    if !dir.is_dir() {
        println!("G.729 vectors not found at {}; skipping", dir.display());
        return;
    }
    let mut failures = Vec::new();
    for name in A {
        let bitstream = std::fs::read(dir.join(format!("{name}.bit"))).expect("read .bit");
        let want = std::fs::read(dir.join(format!("{name}.pst"))).expect("read .pst");
        failures.extend(compare(name, &decode(&bitstream), &want));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
