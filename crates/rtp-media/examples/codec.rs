//! Encode or decode raw files with the codecs of `rtp-media`.
//!
//! ```text
//! cargo run -p rtp-media --example codec -- encode --codec pcmu|pcma|g722 IN OUT
//! cargo run -p rtp-media --example codec -- decode --codec pcmu|pcma|g722 [--mode 1|2|3] IN OUT
//! cargo run -p rtp-media --example codec -- encode --codec g729 [--itu-serial [--annexb]] IN OUT
//! cargo run -p rtp-media --example codec -- decode --codec g729 [--itu-serial] [--annexb] IN OUT
//! ```
//!
//! PCM files are raw 16-bit little-endian mono (8 kHz for G.711, 16 kHz for
//! G.722); codec files are the raw payload octets (one octet per sample for
//! G.711, one per sample pair for G.722, as RFC 3551 packs them; 10 per
//! 10 ms frame for G.729 Annex A). With `--itu-serial` the G.729 input is
//! the ITU test-vector serial format (erased frames are concealed). With
//! `--annexb` the G.729 decoder also decodes Annex B SID frames and
//! non-transmitted frames as comfort noise (serial input), and a trailing
//! 2-octet SID of a packed input (RFC 3551 section 4.5.6) as comfort noise;
//! without it those frames are concealed as in Annex A.

use rtp_media::codec::{AudioCodec, Codec, CodecKind};
use rtp_media::g711::{self, Law};
use rtp_media::g722::{G722Decoder, G722Encoder, Mode};
use rtp_media::g729::encoder::G729Encoder;
use rtp_media::g729::{G729Decoder, SerialFrame, SerialReader};
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage: codec encode|decode --codec pcmu|pcma|g722|g729 [--mode 1|2|3] [--itu-serial] [--annexb] IN OUT"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut op = None;
    let mut codec = None;
    let mut mode = Mode::Mode1;
    let mut itu_serial = false;
    let mut annexb = false;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "encode" | "decode" if op.is_none() => op = Some(a.clone()),
            "--codec" => codec = it.next().cloned(),
            "--itu-serial" => itu_serial = true,
            "--annexb" => annexb = true,
            "--mode" => {
                mode = match it.next().map(String::as_str) {
                    Some("1") => Mode::Mode1,
                    Some("2") => Mode::Mode2,
                    Some("3") => Mode::Mode3,
                    _ => return usage(),
                }
            }
            _ => files.push(a.clone()),
        }
    }
    let (Some(op), Some(codec), [input, output]) = (op, codec, files.as_slice()) else {
        return usage();
    };
    let data = match std::fs::read(input) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{input}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let out: Vec<u8> = match (op.as_str(), codec.to_ascii_lowercase().as_str()) {
        ("encode", c @ ("pcmu" | "pcma")) => {
            let law = if c == "pcmu" { Law::Ulaw } else { Law::Alaw };
            let pcm: Vec<i16> = data
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect();
            let mut o = vec![0u8; pcm.len()];
            g711::encode(law, &pcm, &mut o);
            o
        }
        ("decode", c @ ("pcmu" | "pcma")) => {
            let law = if c == "pcmu" { Law::Ulaw } else { Law::Alaw };
            let mut pcm = vec![0i16; data.len()];
            g711::decode(law, &data, &mut pcm);
            pcm.iter().flat_map(|s| s.to_le_bytes()).collect()
        }
        ("encode", "g722") => {
            let pcm: Vec<i16> = data
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect();
            let mut o = vec![0u8; pcm.len() / 2];
            let n = G722Encoder::new().encode(&pcm, &mut o);
            o.truncate(n);
            o
        }
        ("decode", "g722") => {
            let mut pcm = vec![0i16; 2 * data.len()];
            G722Decoder::new(mode).decode(&data, &mut pcm);
            pcm.iter().flat_map(|s| s.to_le_bytes()).collect()
        }
        ("encode", "g729") => {
            // Whole 10 ms frames only, as the ITU encoder does. With
            // --annexb the VAD/DTX encoder sends speech, SID or nothing:
            // 80, 16 or 0 bits per serial frame.
            let pcm: Vec<i16> = data
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect();
            if annexb && !itu_serial {
                // 10/2/0-octet frames back to back cannot be split again
                // (RTP packets delimit them; a file does not).
                eprintln!(
                    "encode --annexb writes DTX streams in the ITU serial format: add --itu-serial"
                );
                return ExitCode::from(2);
            }
            let mut enc = G729Encoder::with_vad(annexb);
            let mut o = Vec::new();
            for frame in pcm.chunks_exact(80) {
                let frame: &[i16; 80] = frame.try_into().expect("80 samples");
                if itu_serial {
                    enc.encode_serial(frame, &mut o);
                } else {
                    o.extend_from_slice(&enc.encode(frame));
                }
            }
            o
        }
        ("decode", "g729") if itu_serial => {
            let mut dec = G729Decoder::new();
            let mut frame = [0i16; 80];
            let mut pcm = Vec::new();
            for (n, f) in SerialReader::new(&data).enumerate() {
                match f {
                    Ok(SerialFrame::Speech(octets)) => dec.decode_frame(&octets, false, &mut frame),
                    Ok(SerialFrame::Erased { .. }) => dec.decode_erased(&mut frame),
                    Ok(other) if annexb => dec.decode_serial_frame(&other, &mut frame),
                    Ok(other) => {
                        // Annex B (SID / DTX) without --annexb: conceal.
                        eprintln!("frame {n}: {other:?} is Annex B (use --annexb); concealed");
                        dec.decode_erased(&mut frame);
                    }
                    Err(e) => {
                        eprintln!("{input}: {e}");
                        return ExitCode::FAILURE;
                    }
                }
                pcm.extend_from_slice(&frame);
            }
            pcm.iter().flat_map(|s| s.to_le_bytes()).collect()
        }
        ("decode", "g729") => {
            let mut pcm = Vec::new();
            let mut c = Codec::with_g729_annexb(CodecKind::G729, annexb);
            // One RTP payload: 10-octet speech frames, optionally a 2-octet
            // SID at the end (decoded as comfort noise).
            let trailing_sid = !annexb && data.len() % 10 == 2;
            let speech = if trailing_sid {
                eprintln!("{input}: trailing SID frame is Annex B (use --annexb); concealed");
                &data[..data.len() - 2]
            } else {
                &data[..]
            };
            let res = if speech.is_empty() && trailing_sid {
                Ok(0)
            } else {
                c.decode(speech, &mut pcm)
            };
            if trailing_sid {
                c.conceal(80, &mut pcm);
            }
            if let Err(e) = res {
                eprintln!("{input}: {e}");
                return ExitCode::FAILURE;
            }
            pcm.iter().flat_map(|s| s.to_le_bytes()).collect()
        }
        _ => return usage(),
    };
    if let Err(e) = std::fs::write(output, &out) {
        eprintln!("{output}: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!("{op} {codec}: {} bytes -> {} bytes", data.len(), out.len());
    ExitCode::SUCCESS
}
