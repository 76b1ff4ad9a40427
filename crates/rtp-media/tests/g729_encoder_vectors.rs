//! G.729 Annex A encoder conformance: every ITU encoder test vector
//! (`X.in` → `X.bit`) must be reproduced byte for byte in the ITU serial
//! format.
//!
//! The vectors live outside the repository (ITU terms): by default in
//! `../shared/codec-vectors/g729a` relative to the workspace root, or in
//! `$CODEC_VECTORS_DIR/g729a`. When they are absent the test prints why and
//! skips.

use std::path::PathBuf;

use rtp_media::g729::Params;
use rtp_media::g729::encoder::G729Encoder;

/// Octets of one frame in the ITU serial format (82 words).
const SERIAL_FRAME_OCTETS: usize = 164;

/// The Annex A encoder vectors (READMETV.txt plus the package's TEST set).
const VECTORS: [&str; 7] = ["algthm", "fixed", "lsp", "pitch", "speech", "tame", "test"];

/// Field widths of the 11 parameters in transmission order.
const WIDTHS: [u32; 11] = [8, 10, 8, 1, 13, 4, 7, 5, 13, 4, 7];
const NAMES: [&str; 11] = [
    "L0L1", "L2L3", "P1", "P0", "C1", "S1", "GA1GB1", "P2", "C2", "S2", "GA2GB2",
];

fn vectors_dir() -> PathBuf {
    match std::env::var_os("CODEC_VECTORS_DIR") {
        Some(d) => PathBuf::from(d).join("g729a"),
        None => {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/codec-vectors/g729a")
        }
    }
}

/// Parameters carried by one serial frame (for the failure report).
fn serial_params(frame: &[u8]) -> Params {
    let mut prm = [0i16; 11];
    let mut k = 2;
    for (p, &w) in prm.iter_mut().zip(WIDTHS.iter()) {
        for _ in 0..w {
            let word = u16::from_le_bytes([frame[2 * k], frame[2 * k + 1]]);
            *p = (*p << 1) | i16::from(word == 0x0081);
            k += 1;
        }
    }
    prm
}

/// Encodes `name.in` and compares with `name.bit`; returns a description of
/// the first difference, if any.
fn check(dir: &std::path::Path, name: &str) -> Result<usize, String> {
    let input =
        std::fs::read(dir.join(format!("{name}.in"))).map_err(|e| format!("{name}.in: {e}"))?;
    let expected =
        std::fs::read(dir.join(format!("{name}.bit"))).map_err(|e| format!("{name}.bit: {e}"))?;
    let pcm: Vec<i16> = input
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    let frames = pcm.len() / 80;
    if expected.len() != frames * SERIAL_FRAME_OCTETS {
        return Err(format!(
            "{name}: {} frames of input but {} octets of bitstream",
            frames,
            expected.len()
        ));
    }
    let mut enc = G729Encoder::new();
    let mut ours = Vec::with_capacity(SERIAL_FRAME_OCTETS);
    for f in 0..frames {
        let block: &[i16; 80] = pcm[f * 80..(f + 1) * 80].try_into().expect("80 samples");
        // Encode twice from the same state: once for the parameters (for
        // the report), once through the serial writer that is compared.
        let prm = enc.clone().encode_frame(block);
        ours.clear();
        enc.encode_serial(block, &mut ours);
        let theirs = &expected[f * SERIAL_FRAME_OCTETS..(f + 1) * SERIAL_FRAME_OCTETS];
        if ours[..] != theirs[..] {
            let want = serial_params(theirs);
            let field = (0..11).find(|&i| prm[i] != want[i]).unwrap_or(0);
            return Err(format!(
                "{name}: first difference at frame {f}, parameter {} (ours {}, expected {}); ours {prm:?}, expected {want:?}",
                NAMES[field], prm[field], want[field]
            ));
        }
    }
    Ok(frames)
}

#[test]
fn annex_a_encoder_vectors() {
    let dir = vectors_dir();
    if !dir.join("speech.in").exists() {
        println!("G.729 vectors not found at {}; skipping", dir.display());
        return;
    }
    let mut failures = Vec::new();
    for name in VECTORS {
        match check(&dir, name) {
            Ok(frames) => println!("{name}: pass ({frames} frames)"),
            Err(e) => {
                println!("{e}");
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors differ:\n{}",
        failures.len(),
        VECTORS.len(),
        failures.join("\n")
    );
}
