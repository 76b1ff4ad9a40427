//! G.729 Annex A decoder conformance: every ITU Annex A `.bit` bitstream
//! must decode to its `.pst` output byte for byte.
//!
//! The vectors are not in the repository: they are read from
//! `../shared/codec-vectors/g729a` (relative to the workspace root) or from
//! `$CODEC_VECTORS_DIR/g729a`. When absent the test prints why and passes.

use rtp_media::g729::G729Decoder;
use rtp_media::g729::bits::{SerialFrame, SerialReader};
use std::path::PathBuf;

const NAMES: [&str; 10] = [
    "algthm", "erasure", "fixed", "lsp", "overflow", "parity", "pitch", "speech", "tame", "test",
];

fn vectors_dir() -> PathBuf {
    match std::env::var_os("CODEC_VECTORS_DIR") {
        Some(d) => PathBuf::from(d).join("g729a"),
        None => {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/codec-vectors/g729a")
        }
    }
}

/// Decodes a serial bitstream; returns the PCM output as little-endian bytes.
fn decode(bit: &[u8]) -> Vec<u8> {
    let mut dec = G729Decoder::new();
    let mut out = [0i16; 80];
    let mut pcm = Vec::with_capacity(bit.len());
    for (n, frame) in SerialReader::new(bit).enumerate() {
        match frame.unwrap_or_else(|e| panic!("frame {n}: {e}")) {
            SerialFrame::Speech(octets) => dec.decode_frame(&octets, false, &mut out),
            SerialFrame::Erased { size: 80 } => dec.decode_erased(&mut out),
            other => panic!("frame {n}: unexpected {other:?} in an Annex A stream"),
        }
        for s in out {
            pcm.extend_from_slice(&s.to_le_bytes());
        }
    }
    pcm
}

#[test]
fn annex_a_decoder_vectors() {
    let dir = vectors_dir();
    if !dir.is_dir() {
        println!("G.729 vectors not found at {}; skipping", dir.display());
        return;
    }
    let mut failures = Vec::new();
    for name in NAMES {
        let bit = std::fs::read(dir.join(format!("{name}.bit"))).expect("read .bit");
        let pst = std::fs::read(dir.join(format!("{name}.pst"))).expect("read .pst");
        let t = std::time::Instant::now();
        let got = decode(&bit);
        let us = t.elapsed().as_secs_f64() * 1e6 / (pst.len() / 160).max(1) as f64;
        if got == pst {
            println!(
                "{name}: pass ({} frames, {us:.1} µs/frame)",
                pst.len() / 160
            );
            continue;
        }
        let first = got.iter().zip(&pst).position(|(a, b)| a != b);
        let msg = match first {
            Some(byte) => {
                let sample = byte / 2;
                let g = i16::from_le_bytes([got[sample * 2], got[sample * 2 + 1]]);
                let e = i16::from_le_bytes([pst[sample * 2], pst[sample * 2 + 1]]);
                format!(
                    "{name}: FAIL first difference at frame {} sample {} (got {g}, expected {e})",
                    sample / 80,
                    sample % 80
                )
            }
            None => format!(
                "{name}: FAIL length {} vs expected {}",
                got.len(),
                pst.len()
            ),
        };
        println!("{msg}");
        failures.push(msg);
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
