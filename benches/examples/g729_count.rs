//! G.729 work for instruction counting (`valgrind --tool=callgrind`):
//! `g729_count encode|decode N` encodes or decodes N frames of the ITU
//! `speech.in` vector (cycling; a synthetic signal when the vectors are
//! absent; decode reads `speech.bit`, which is our encoder's output for
//! `speech.in`, so that its profile holds no encoder work); `g729_count decode_ab N` decodes N frames of the Annex B
//! bitstream `tstseq1a.bit` (speech, SID and non-transmitted frames);
//! `encode_bcg729|decode_bcg729 N` do the same work with bcg729 (when
//! `build.rs` found it). Run with N and 2N and divide the difference by N to get the
//! instructions per 10 ms frame without the set-up.

use rtp_media::g729::encoder::G729Encoder;
use rtp_media::g729::{G729Decoder, SerialFrame, SerialReader};
use std::hint::black_box;

fn vectors() -> std::path::PathBuf {
    std::env::var_os("CODEC_VECTORS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/codec-vectors")
        })
}

fn input() -> Vec<[i16; 80]> {
    let dir = vectors();
    let raw = std::fs::read(dir.join("g729a/speech.in")).unwrap_or_else(|_| {
        (0..32_000)
            .flat_map(|i| (((i as f64 * 0.09).sin() * 6000.0) as i16).to_le_bytes())
            .collect()
    });
    let pcm: Vec<i16> = raw
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    pcm.chunks_exact(80)
        .map(|f| f.try_into().unwrap())
        .collect()
}

/// The ITU `speech.bit` frames: the same bitstream our (bit-exact) encoder
/// makes of `speech.in`, read from the file so that a decode profile holds
/// no encoder work.
fn speech_bits() -> Option<Vec<[u8; 10]>> {
    let data = std::fs::read(vectors().join("g729a/speech.bit")).ok()?;
    SerialReader::new(&data)
        .map(|f| match f {
            Ok(SerialFrame::Speech(o)) => Some(o),
            _ => None,
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(op), Some(n)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: g729_count encode|decode|decode_ab|encode_bcg729|decode_bcg729 N");
        std::process::exit(2);
    };
    let frames = input();
    let mut enc = G729Encoder::new();
    match op.as_str() {
        "encode" => {
            let mut acc = 0u8;
            for k in 0..n {
                acc ^= enc.encode(black_box(&frames[k % frames.len()]))[0];
            }
            println!("{acc}");
        }
        "decode" => {
            let bits =
                speech_bits().unwrap_or_else(|| frames.iter().map(|f| enc.encode(f)).collect());
            let mut dec = G729Decoder::new();
            let mut out = [0i16; 80];
            let mut acc = 0i16;
            for k in 0..n {
                dec.decode_frame(black_box(&bits[k % bits.len()]), false, &mut out);
                acc ^= out[0];
            }
            println!("{acc}");
        }
        "decode_ab" => {
            let data = std::fs::read(vectors().join("g729ab/tstseq1a.bit")).expect("tstseq1a.bit");
            let frames: Vec<SerialFrame> = SerialReader::new(&data).map(|f| f.unwrap()).collect();
            let mut dec = G729Decoder::new();
            let mut out = [0i16; 80];
            let mut acc = 0i16;
            for k in 0..n {
                if k % frames.len() == 0 {
                    dec = G729Decoder::new();
                }
                dec.decode_serial_frame(black_box(&frames[k % frames.len()]), &mut out);
                acc ^= out[0];
            }
            println!("{acc}");
        }
        #[cfg(bcg729)]
        "encode_bcg729" => {
            let mut enc = benches::bcg729::Encoder::new();
            let mut acc = 0u8;
            for k in 0..n {
                acc ^= enc.encode(black_box(&frames[k % frames.len()]))[0];
            }
            println!("{acc}");
        }
        #[cfg(bcg729)]
        "decode_bcg729" => {
            let bits =
                speech_bits().unwrap_or_else(|| frames.iter().map(|f| enc.encode(f)).collect());
            let mut dec = benches::bcg729::Decoder::new();
            let mut out = [0i16; 80];
            let mut acc = 0i16;
            for k in 0..n {
                dec.decode(black_box(&bits[k % bits.len()]), &mut out);
                acc ^= out[0];
            }
            println!("{acc}");
        }
        _ => {
            if !benches::bcg729::AVAILABLE && op.ends_with("_bcg729") {
                eprintln!("{}", benches::bcg729::MISSING);
            }
            std::process::exit(2)
        }
    }
}
