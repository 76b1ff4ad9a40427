//! RTP work for instruction counting (`valgrind --tool=callgrind`), the
//! closures of `benches/benches/media.rs` (groups `rtp_parse`, `rtp_build`,
//! `rtp_build_header`) run N times each:
//!
//! `rtp_count IMPL CASE N` with IMPL `ours`, `rtp` (webrtc-rs) or `copy`
//! (the payload copy alone, for `build`) and CASE `parse`, `build`,
//! `header` or `header16` (16 consecutive headers into 16 slots).
//!
//! Run with N and 2N and divide the difference by N (`scripts/instr-count-rtp`)
//! to get the instructions per iteration without the set-up.

use std::hint::black_box;

use bytes::Bytes;
use rtp_media::rtp::{RtpHeader, RtpPacket};
use webrtc_util::marshal::{Marshal, Unmarshal};

const BURST: usize = 16;

// Each case is its own non-inlined function so that callgrind sees the loop
// the benchmark runs and nothing else.

#[inline(never)]
fn parse_ours(raw: &[u8], n: usize) -> usize {
    let mut acc = 0usize;
    for _ in 0..n {
        let p = RtpPacket::parse(black_box(raw)).unwrap();
        let t = (p.sequence(), p.timestamp(), p.ssrc(), p.payload().len());
        acc = acc.wrapping_add(black_box(t).3);
    }
    acc
}

#[inline(never)]
fn parse_rtp(bytes: &Bytes, n: usize) -> usize {
    let mut acc = 0usize;
    for _ in 0..n {
        let mut buf = black_box(bytes).clone();
        let p = rtp_rs::packet::Packet::unmarshal(&mut buf).unwrap();
        let t = (
            p.header.sequence_number,
            p.header.timestamp,
            p.header.ssrc,
            p.payload.len(),
        );
        acc = acc.wrapping_add(black_box(t).3);
    }
    acc
}

#[inline(never)]
fn build_ours(payload: &[u8], out: &mut [u8], n: usize) -> usize {
    let mut acc = 0usize;
    for _ in 0..n {
        let h = RtpHeader {
            marker: true,
            payload_type: 0,
            sequence: black_box(4242),
            timestamp: 123_456,
            ssrc: 0xDEAD_BEEF,
            ..Default::default()
        };
        acc = acc.wrapping_add(black_box(h.write(black_box(payload), out).unwrap()));
    }
    acc
}

#[inline(never)]
fn build_rtp(theirs: &rtp_rs::packet::Packet, out: &mut [u8], n: usize) -> usize {
    let mut acc = 0usize;
    for _ in 0..n {
        acc = acc.wrapping_add(black_box(black_box(theirs).marshal_to(out).unwrap()));
    }
    acc
}

#[inline(never)]
fn build_copy(payload: &[u8], out: &mut [u8], n: usize) -> usize {
    let mut acc = 0usize;
    for _ in 0..n {
        let p = black_box(payload);
        out[12..12 + p.len()].copy_from_slice(p);
        acc = acc.wrapping_add(black_box(out[12]) as usize);
    }
    acc
}

#[inline(never)]
fn header_ours(out: &mut [u8], n: usize) -> usize {
    let mut acc = 0usize;
    for _ in 0..n {
        let h = RtpHeader {
            marker: true,
            payload_type: 0,
            sequence: black_box(4242),
            timestamp: 123_456,
            ssrc: 0xDEAD_BEEF,
            ..Default::default()
        };
        acc = acc.wrapping_add(black_box(h.write_header(out).unwrap()));
    }
    acc
}

#[inline(never)]
fn header_rtp(theirs: &rtp_rs::packet::Packet, out: &mut [u8], n: usize) -> usize {
    let mut acc = 0usize;
    for _ in 0..n {
        acc = acc.wrapping_add(black_box(
            black_box(&theirs.header).marshal_to(out).unwrap(),
        ));
    }
    acc
}

#[inline(never)]
fn header16_ours(slab: &mut [u8], n: usize) -> usize {
    let mut h = RtpHeader {
        marker: false,
        payload_type: 0,
        sequence: 4242,
        timestamp: 123_456,
        ssrc: 0xDEAD_BEEF,
        ..Default::default()
    };
    let mut acc = 0usize;
    for _ in 0..n {
        let mut k = 0;
        for slot in slab.chunks_exact_mut(172) {
            h.sequence = h.sequence.wrapping_add(1);
            h.timestamp = h.timestamp.wrapping_add(160);
            k += h.write_header(slot).unwrap();
        }
        black_box(&slab);
        acc = acc.wrapping_add(black_box(k));
    }
    acc
}

#[inline(never)]
fn header16_rtp(theirs: &rtp_rs::packet::Packet, slab: &mut [u8], n: usize) -> usize {
    let mut h = theirs.header.clone();
    h.marker = false;
    let mut acc = 0usize;
    for _ in 0..n {
        let mut k = 0;
        for slot in slab.chunks_exact_mut(172) {
            h.sequence_number = h.sequence_number.wrapping_add(1);
            h.timestamp = h.timestamp.wrapping_add(160);
            k += h.marshal_to(slot).unwrap();
        }
        black_box(&slab);
        acc = acc.wrapping_add(black_box(k));
    }
    acc
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (imp, case) = (
        args.get(1).map_or("ours", String::as_str),
        args.get(2).map_or("parse", String::as_str),
    );
    let n: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let raw = benches::rtp_packet();
    let bytes = Bytes::from(raw.clone());
    let theirs = rtp_rs::packet::Packet::unmarshal(&mut bytes.clone()).unwrap();
    let payload: &[u8] = &theirs.payload;
    let mut out = [0u8; 1500];
    let mut slab = [0u8; BURST * 172];
    let r = match (imp, case) {
        ("ours", "parse") => parse_ours(&raw, n),
        ("rtp", "parse") => parse_rtp(&bytes, n),
        ("ours", "build") => build_ours(payload, &mut out, n),
        ("rtp", "build") => build_rtp(&theirs, &mut out, n),
        ("copy", "build") => build_copy(payload, &mut out, n),
        ("ours", "header") => header_ours(&mut out, n),
        ("rtp", "header") => header_rtp(&theirs, &mut out, n),
        ("ours", "header16") => header16_ours(&mut slab, n),
        ("rtp", "header16") => header16_rtp(&theirs, &mut slab, n),
        _ => {
            eprintln!("usage: rtp_count ours|rtp|copy parse|build|header|header16 N");
            std::process::exit(2);
        }
    };
    black_box(r);
}
