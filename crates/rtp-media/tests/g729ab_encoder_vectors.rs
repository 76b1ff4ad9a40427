//! G.729 Annex A + Annex B encoder conformance: every ITU A+B encoder
//! vector (`tstseqN.bin` → `tstseqNa.bit`, VAD/DTX on) must be reproduced
//! byte for byte in the ITU serial format (speech frames of 80 bit-words,
//! SID frames of 16, non-transmitted frames of none).
//!
//! The vectors live outside the repository (ITU terms): by default in
//! `../shared/codec-vectors/g729ab` relative to the workspace root, or in
//! `$CODEC_VECTORS_DIR/g729ab`. When they are absent the test prints why
//! and skips.

use std::path::{Path, PathBuf};

use rtp_media::g729::encoder::G729Encoder;

/// Encoder vectors of readmeabTV.txt: input, expected bitstream.
const VECTORS: [(&str, &str); 4] = [
    ("tstseq1.bin", "tstseq1a.bit"),
    ("tstseq2.bin", "tstseq2a.bit"),
    ("tstseq3.bin", "tstseq3a.bit"),
    ("tstseq4.bin", "tstseq4a.bit"),
];

fn vectors_dir() -> PathBuf {
    match std::env::var_os("CODEC_VECTORS_DIR") {
        Some(d) => PathBuf::from(d).join("g729ab"),
        None => {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/codec-vectors/g729ab")
        }
    }
}

/// Splits a serial bitstream into frames (sync, size, size bit-words).
fn split_frames(data: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        if pos + 4 > data.len() {
            return Err(format!("truncated header at octet {pos}"));
        }
        let size = usize::from(u16::from_le_bytes([data[pos + 2], data[pos + 3]]));
        let end = pos + 4 + 2 * size;
        if end > data.len() {
            return Err(format!("truncated frame at octet {pos}"));
        }
        out.push(&data[pos..end]);
        pos = end;
    }
    Ok(out)
}

/// Bits of a serial frame as a string of 0/1 (for the report).
fn bits(frame: &[u8]) -> String {
    frame[4..]
        .chunks_exact(2)
        .map(|w| if w[0] == 0x81 { '1' } else { '0' })
        .collect()
}

fn describe(frame: &[u8]) -> String {
    let size = u16::from_le_bytes([frame[2], frame[3]]);
    match size {
        0 => "no transmission".to_string(),
        16 => format!("SID {}", bits(frame)),
        _ => format!("speech {}", bits(frame)),
    }
}

/// Encodes `input` and compares with `expected`; returns the number of
/// frames, or a description of the first difference.
fn check(dir: &Path, input: &str, expected: &str) -> Result<usize, String> {
    let pcm = std::fs::read(dir.join(input)).map_err(|e| format!("{input}: {e}"))?;
    let bit = std::fs::read(dir.join(expected)).map_err(|e| format!("{expected}: {e}"))?;
    let pcm: Vec<i16> = pcm
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    let want = split_frames(&bit).map_err(|e| format!("{expected}: {e}"))?;
    let frames = pcm.len() / 80;
    if want.len() != frames {
        return Err(format!(
            "{input}: {frames} frames of input but {} in {expected}",
            want.len()
        ));
    }
    let mut enc = G729Encoder::new_annex_b();
    let mut ours = Vec::with_capacity(164);
    for (f, theirs) in want.iter().enumerate() {
        let block: &[i16; 80] = pcm[f * 80..(f + 1) * 80].try_into().expect("80 samples");
        ours.clear();
        enc.encode_serial(block, &mut ours);
        if ours[..] != theirs[..] {
            return Err(format!(
                "{input}: frame {f} differs:\n  ours   {}\n  theirs {}",
                describe(&ours),
                describe(theirs)
            ));
        }
    }
    Ok(frames)
}

#[test]
fn g729ab_encoder_vectors() {
    let dir = vectors_dir();
    if !dir.join(VECTORS[0].0).exists() {
        println!("G.729 vectors not found at {}; skipping", dir.display());
        return;
    }
    let mut failures = Vec::new();
    for (input, expected) in VECTORS {
        match check(&dir, input, expected) {
            Ok(n) => println!("{input} -> {expected}: pass ({n} frames)"),
            Err(e) => {
                println!("{e}");
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{} vector(s) differ", failures.len());
}
