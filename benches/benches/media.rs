//! `rtp-media` benchmarks. Ids are `group/implementation/input`.
//!
//! - `rtp_parse/{ours,rtp}/172B`: parse a 172-byte PCMU packet and read
//!   sequence, timestamp, SSRC and payload length (ours: borrowed view;
//!   webrtc-rs `rtp` 0.17: `Packet::unmarshal` from `Bytes`).
//! - `rtp_build/{ours,rtp}/172B`: write the same packet into a caller
//!   buffer (`RtpHeader::write` against `Packet::marshal_to`), both copying
//!   the same 160 payload bytes; `rtp_build/copy/172B` is that copy alone,
//!   the floor for any builder that copies the payload.
//! - `rtp_build_header/{ours,rtp}/12B`: the 12-byte header alone into a
//!   caller buffer (ours: `RtpHeader::write_header`, the zero-copy build
//!   where the codec encodes the payload in place after it; webrtc-rs:
//!   `Header::marshal_to`).
//! - `rtp_build_header/{ours,rtp}/16x12B`: the headers of 16 consecutive
//!   packets (sequence +1, timestamp +160) into 16 slots of a send buffer,
//!   so the harness cost per iteration is spread over 16 builds.
//! - `g711_encode|g711_decode/{scalar,sse2,avx2}/{160,1M}` (µ-law).
//! - `g722_encode|g722_decode/ours/20ms`: 320 samples / 160 codes.
//! - `g729/{ours,bcg729}/{encode,decode}`: one G.729A frame (80 samples /
//!   10 octets) per iteration, cycling through real speech (the ITU
//!   `speech.in` vector, 3,750 frames, when `../shared/codec-vectors` or
//!   `$CODEC_VECTORS_DIR` has it; otherwise a synthetic signal, which the
//!   run prints); both decoders decode our encoder's bitstream of that
//!   input (the ITU `speech.bit`). bcg729 (C, Debian `libbcg729-dev`) is
//!   measured when `benches/build.rs` found it; the run says when not.
//! - `jitter/ours/insert_pull`: one packet inserted and one frame pulled.
//! - `mixer/ours/{20ms_8k,20ms_g722}`: one 3-way mix-minus tick.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rtp_media::codec::CodecKind;
use rtp_media::g711::{self, Kernel, Law};
use rtp_media::g722::{G722Decoder, G722Encoder, Mode};
use rtp_media::g729::G729Decoder;
use rtp_media::g729::encoder::G729Encoder;
use rtp_media::jitter::{JitterBuffer, JitterConfig};
use rtp_media::mixer::ConferenceMixer;
use rtp_media::rtp::{RtpHeader, RtpPacket};
use webrtc_util::marshal::Unmarshal;

fn rtp(c: &mut Criterion) {
    use benches::rtp_work::{self as w, BURST, SLOT};
    let raw = benches::rtp_packet();
    let bytes = Bytes::from(raw.clone());
    let mut g = c.benchmark_group("rtp_parse");
    g.throughput(Throughput::Elements(1));
    g.bench_function(BenchmarkId::new("ours", "172B"), |b| {
        b.iter(|| w::parse_ours(black_box(&raw)))
    });
    g.bench_function(BenchmarkId::new("rtp", "172B"), |b| {
        b.iter(|| w::parse_rtp(black_box(&bytes)))
    });
    g.finish();

    let theirs = w::Theirs::unmarshal(&mut bytes.clone()).unwrap();
    // both builders copy the very same payload bytes into the same buffer
    let payload: &[u8] = &theirs.payload;
    let mut out = [0u8; 1500];
    let mut g = c.benchmark_group("rtp_build");
    g.throughput(Throughput::Elements(1));
    g.bench_function(BenchmarkId::new("ours", "172B"), |b| {
        b.iter(|| w::build_ours(payload, &mut out))
    });
    g.bench_function(BenchmarkId::new("rtp", "172B"), |b| {
        b.iter(|| w::build_rtp(&theirs, &mut out))
    });
    // the floor of any builder that copies: the 160-byte payload copy alone
    g.bench_function(BenchmarkId::new("copy", "172B"), |b| {
        b.iter(|| w::build_copy(payload, &mut out))
    });
    g.finish();

    // our zero-copy path: the header only, the codec encodes in place after it
    let mut g = c.benchmark_group("rtp_build_header");
    g.throughput(Throughput::Elements(1));
    g.bench_function(BenchmarkId::new("ours", "12B"), |b| {
        b.iter(|| w::header_ours(&mut out))
    });
    g.bench_function(BenchmarkId::new("rtp", "12B"), |b| {
        b.iter(|| w::header_rtp(&theirs, &mut out))
    });
    g.finish();

    // A sender's steady state: 16 consecutive headers per iteration, so the
    // per-iteration cost of the harness is spread over 16 builds.
    let mut slab = [0u8; BURST * SLOT];
    let mut g = c.benchmark_group("rtp_build_header");
    g.throughput(Throughput::Elements(BURST as u64));
    g.bench_function(BenchmarkId::new("ours", "16x12B"), |b| {
        let mut h = w::burst_header_ours();
        b.iter(|| w::header16_ours(&mut h, &mut slab))
    });
    g.bench_function(BenchmarkId::new("rtp", "16x12B"), |b| {
        let mut h = w::burst_header_rtp(&theirs);
        b.iter(|| w::header16_rtp(&mut h, &mut slab))
    });
    g.finish();
}

fn g711(c: &mut Criterion) {
    for (name, n) in [("160", 160usize), ("1M", 1 << 20)] {
        let pcm: Vec<i16> = (0..n)
            .map(|i| ((i as f64 * 0.01).sin() * 20000.0) as i16 ^ (i as i16 & 7))
            .collect();
        let mut codes = vec![0u8; n];
        g711::encode(Law::Ulaw, &pcm, &mut codes);
        let mut out_codes = vec![0u8; n];
        let mut out_pcm = vec![0i16; n];
        let mut g = c.benchmark_group("g711_encode");
        g.throughput(Throughput::Elements(n as u64));
        for k in Kernel::available() {
            let id = format!("{k:?}").to_lowercase();
            g.bench_function(BenchmarkId::new(id, name), |b| {
                b.iter(|| g711::encode_with(k, Law::Ulaw, black_box(&pcm), &mut out_codes))
            });
        }
        g.finish();
        let mut g = c.benchmark_group("g711_decode");
        g.throughput(Throughput::Elements(n as u64));
        for k in Kernel::available() {
            let id = format!("{k:?}").to_lowercase();
            g.bench_function(BenchmarkId::new(id, name), |b| {
                b.iter(|| g711::decode_with(k, Law::Ulaw, black_box(&codes), &mut out_pcm))
            });
        }
        g.finish();
    }
}

fn g722(c: &mut Criterion) {
    let pcm: Vec<i16> = (0..320)
        .map(|i| ((i as f64 * 0.2).sin() * 12000.0) as i16)
        .collect();
    let mut enc = G722Encoder::new();
    let mut codes = vec![0u8; 160];
    enc.encode(&pcm, &mut codes);
    let mut out = vec![0i16; 320];
    let mut g = c.benchmark_group("g722_encode");
    g.throughput(Throughput::Elements(320));
    g.bench_function(BenchmarkId::new("ours", "20ms"), |b| {
        b.iter(|| enc.encode(black_box(&pcm), &mut codes))
    });
    g.finish();
    let mut dec = G722Decoder::new(Mode::Mode1);
    let mut g = c.benchmark_group("g722_decode");
    g.throughput(Throughput::Elements(320));
    g.bench_function(BenchmarkId::new("ours", "20ms"), |b| {
        b.iter(|| dec.decode(black_box(&codes), &mut out))
    });
    g.finish();
}

/// 80-sample frames of real speech (ITU `speech.in`) if the vectors are
/// present, else a synthetic vowel-like signal; and which one it is.
fn g729_input() -> (Vec<[i16; 80]>, &'static str) {
    let dir = std::env::var_os("CODEC_VECTORS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/codec-vectors")
        });
    if let Ok(raw) = std::fs::read(dir.join("g729a/speech.in")) {
        let pcm: Vec<i16> = raw
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        let frames: Vec<[i16; 80]> = pcm
            .chunks_exact(80)
            .map(|f| f.try_into().unwrap())
            .collect();
        if !frames.is_empty() {
            return (frames, "ITU speech.in");
        }
    }
    let frames = (0..400)
        .map(|n| {
            std::array::from_fn(|i| {
                let t = (n * 80 + i) as f64 / 8000.0;
                let f0 = 110.0 + 30.0 * (t * 1.3).sin();
                let v = (t * f0 * std::f64::consts::TAU).sin() * 6000.0
                    + (t * 3.1 * f0 * std::f64::consts::TAU).sin() * 2500.0
                    + (t * 7.0 * f0 * std::f64::consts::TAU).sin() * 800.0;
                (v * (0.6 + 0.4 * (t * 2.0).sin())) as i16
            })
        })
        .collect();
    (frames, "synthetic")
}

fn g729(c: &mut Criterion) {
    let (frames, source) = g729_input();
    eprintln!("g729: {} frames of {source} input", frames.len());
    if !benches::bcg729::AVAILABLE {
        eprintln!("g729: {}", benches::bcg729::MISSING);
    }
    let mut enc = G729Encoder::new();
    let bits: Vec<[u8; 10]> = frames.iter().map(|f| enc.encode(f)).collect();

    let mut g = c.benchmark_group("g729");
    g.throughput(Throughput::Elements(1));
    let mut enc = G729Encoder::new();
    let mut i = 0;
    g.bench_function(BenchmarkId::new("ours", "encode"), |b| {
        b.iter(|| {
            let f = &frames[i];
            i = if i + 1 == frames.len() { 0 } else { i + 1 };
            enc.encode(black_box(f))
        })
    });
    #[cfg(bcg729)]
    {
        let mut enc = benches::bcg729::Encoder::new();
        let mut i = 0;
        g.bench_function(BenchmarkId::new("bcg729", "encode"), |b| {
            b.iter(|| {
                let f = &frames[i];
                i = if i + 1 == frames.len() { 0 } else { i + 1 };
                enc.encode(black_box(f))
            })
        });
    }

    let mut dec = G729Decoder::new();
    let mut out = [0i16; 80];
    let mut i = 0;
    g.bench_function(BenchmarkId::new("ours", "decode"), |b| {
        b.iter(|| {
            let f = &bits[i];
            i = if i + 1 == bits.len() { 0 } else { i + 1 };
            dec.decode_frame(black_box(f), false, &mut out);
            out[0]
        })
    });
    #[cfg(bcg729)]
    {
        let mut dec = benches::bcg729::Decoder::new();
        let mut i = 0;
        g.bench_function(BenchmarkId::new("bcg729", "decode"), |b| {
            b.iter(|| {
                let f = &bits[i];
                i = if i + 1 == bits.len() { 0 } else { i + 1 };
                dec.decode(black_box(f), &mut out);
                out[0]
            })
        });
    }
    g.finish();
}

fn jitter(c: &mut Criterion) {
    let payload = vec![0x55u8; 160];
    let packets: Vec<Vec<u8>> = (0..4096u32)
        .map(|i| {
            RtpHeader {
                payload_type: 0,
                sequence: i as u16,
                timestamp: i * 160,
                ssrc: 1,
                ..Default::default()
            }
            .to_vec(&payload)
            .unwrap()
        })
        .collect();
    let mut g = c.benchmark_group("jitter");
    g.throughput(Throughput::Elements(1));
    g.bench_function(BenchmarkId::new("ours", "insert_pull"), |b| {
        let mut jb = JitterBuffer::new(JitterConfig::new(CodecKind::Pcmu, 0));
        let mut out = vec![0i16; 160];
        let mut i = 0usize;
        let mut now = 0u64;
        b.iter(|| {
            // a fresh stream every 4096 packets keeps timestamps moving forward
            if i == packets.len() {
                i = 0;
                jb = JitterBuffer::new(JitterConfig::new(CodecKind::Pcmu, 0));
                now = 0;
            }
            let p = RtpPacket::parse(&packets[i]).unwrap();
            jb.insert(now + 30, &p);
            let k = jb.pull(now, &mut out);
            i += 1;
            now += 20;
            k
        })
    });
    g.finish();
}

fn mixer(c: &mut Criterion) {
    let mut g = c.benchmark_group("mixer");
    g.throughput(Throughput::Elements(1));
    for (name, rates) in [("20ms_8k", [8000u32, 8000]), ("20ms_g722", [8000, 16000])] {
        let mut m = ConferenceMixer::new(8000, &rates, 20).unwrap();
        let mic: Vec<i16> = (0..160).map(|i| (i * 97 % 2000) as i16).collect();
        let a: Vec<i16> = (0..160).map(|i| (i * 31 % 3000) as i16).collect();
        let bl: Vec<i16> = (0..(rates[1] / 50) as usize)
            .map(|i| (i * 13 % 4000) as i16)
            .collect();
        let mut outs = vec![Vec::new(), Vec::new()];
        let mut spk = Vec::new();
        g.bench_function(BenchmarkId::new("ours", name), |b| {
            b.iter(|| {
                m.mix(black_box(&mic), &[&a, &bl], &mut outs, &mut spk)
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, rtp, g711, g722, g729, jitter, mixer);
criterion_main!(benches);
