//! Fuzz checks for `rtp-media`: RTP and RTCP parsing, the RFC 4733
//! receiver, the jitter buffer driven by arbitrary packet sequences, the
//! G.722 decoder, the G.729 (Annex A + B) decoder and the G.711 SIMD
//! kernels.

use rtp_media::codec::{AudioCodec, CodecError, CodecKind, G729Codec};
use rtp_media::dtmf::DtmfReceiver;
use rtp_media::g711::{self, Kernel, Law};
use rtp_media::g722::{G722Decoder, Mode};
use rtp_media::g729::G729Decoder;
use rtp_media::jitter::{JitterBuffer, JitterConfig};
use rtp_media::rtcp::{self, RtcpPacket};
use rtp_media::rtp::{RtpHeader, RtpPacket};
use rtp_media::session::{MediaConfig, MediaOutput, MediaSession};
use std::collections::BTreeSet;

/// The targets of this module.
pub const TARGETS: &[crate::Target] = &[
    ("rtp", rtp),
    ("rtcp", rtcp),
    ("dtmf_receiver", dtmf_receiver),
    ("jitter_buffer", jitter_buffer),
    ("g722_decode", g722_decode),
    ("g729_decode", g729_decode),
    ("g711", g711),
    ("media_session", media_session),
];

/// Parses `data` as RTP. Whatever parses must account for every byte
/// (header + payload + padding), and writing its fields back must parse to
/// the same fields.
pub fn rtp(data: &[u8]) {
    let Ok(p) = RtpPacket::parse(data) else {
        return;
    };
    assert_eq!(
        p.payload_offset() + p.payload().len() + p.padding_len(),
        data.len()
    );
    let csrcs: Vec<u32> = p.csrcs().collect();
    assert_eq!(csrcs.len(), usize::from(p.csrc_count()));
    let h = RtpHeader {
        marker: p.marker(),
        payload_type: p.payload_type(),
        sequence: p.sequence(),
        timestamp: p.timestamp(),
        ssrc: p.ssrc(),
        csrcs: &csrcs,
        extension: p.extension(),
        padding: p.padding_len() as u8,
    };
    let bytes = h.to_vec(p.payload()).expect("a parsed header writes");
    let q = RtpPacket::parse(&bytes).expect("a written packet parses");
    assert_eq!(
        (
            q.marker(),
            q.payload_type(),
            q.sequence(),
            q.timestamp(),
            q.ssrc(),
            q.extension(),
            q.payload(),
            q.padding_len()
        ),
        (
            p.marker(),
            p.payload_type(),
            p.sequence(),
            p.timestamp(),
            p.ssrc(),
            p.extension(),
            p.payload(),
            p.padding_len()
        )
    );
    assert!(q.csrcs().eq(csrcs.iter().copied()));
    if !p.has_padding() {
        assert_eq!(bytes, data, "an unpadded packet writes back byte for byte");
    }
}

/// Parses `data` as compound RTCP; what parses must write and parse back to
/// the same packets (skipped types aside).
pub fn rtcp(data: &[u8]) {
    let Ok(pk) = rtcp::parse_compound(data) else {
        return;
    };
    let kept: Vec<RtcpPacket> = pk
        .into_iter()
        .filter(|p| !matches!(p, RtcpPacket::Other { .. }))
        .collect();
    let bytes = rtcp::write_compound(&kept).expect("parsed packets write");
    if bytes.is_empty() {
        return;
    }
    let again = rtcp::parse_compound(&bytes).expect("written compound parses");
    assert_eq!(again, kept);
}

/// Splits `data` into 10-byte telephone-event packets
/// (`ssrc`, `timestamp` (4 bytes, only 3 low bits of the first vary), payload 4, spare);
/// each press (SSRC, start timestamp, event) may be reported as begun and
/// as ended at most once.
pub fn dtmf_receiver(data: &[u8]) {
    let mut r = DtmfReceiver::new();
    let mut began = BTreeSet::new();
    let mut ended = BTreeSet::new();
    for c in data.chunks(10) {
        if c.len() < 9 {
            let _ = r.receive(1, 0, c);
            continue;
        }
        let ssrc = u32::from(c[0] & 3);
        let ts = u32::from_be_bytes([c[1] & 7, c[2], c[3], c[4]]);
        let len = if c.len() == 10 && c[9] & 1 == 1 { 3 } else { 4 };
        let Ok(u) = r.receive(ssrc, ts, &c[5..5 + len]) else {
            continue;
        };
        if let Some(b) = u.began {
            assert!(
                began.insert((b.ssrc, b.timestamp, b.event)),
                "press reported twice: {b:?}"
            );
        }
        if let Some(e) = u.ended {
            assert!(
                ended.insert((e.ssrc, e.timestamp, e.event)),
                "end reported twice: {e:?}"
            );
        }
    }
}

/// Drives a jitter buffer with operations decoded from `data`: insert a
/// packet (fields from the bytes, small deltas so sequences interleave) or
/// pull a frame. The buffer stays bounded and every pull fills its frame.
pub fn jitter_buffer(data: &[u8]) {
    let mut cfg = JitterConfig::new(CodecKind::Pcmu, 0);
    cfg.cn_payload_type = Some(13);
    cfg.capacity = 16;
    let mut jb = JitterBuffer::new(cfg);
    let mut now = 0u64;
    let (mut seq, mut ts, mut ssrc) = (0u16, 0u32, 7u32);
    let mut out = vec![0i16; jb.frame_samples()];
    for c in data.chunks(4) {
        let op = c[0];
        let a = c.get(1).copied().unwrap_or(0);
        let b = c.get(2).copied().unwrap_or(0);
        let d = c.get(3).copied().unwrap_or(0);
        match op % 4 {
            0 | 1 => {
                seq = seq.wrapping_add(u16::from(a % 8)).wrapping_sub(2);
                ts = ts.wrapping_add(u32::from(b) * 40).wrapping_sub(3 * 160);
                if d == 0xFF {
                    ssrc ^= 1;
                }
                if d == 0xFE {
                    ts = ts.wrapping_add(0x8000_0000);
                }
                let pt = match d % 16 {
                    0 => 13,
                    1 => 101,
                    _ => 0,
                };
                let len = if pt == 13 {
                    usize::from(b % 4)
                } else {
                    usize::from(a) * 2 % 321
                };
                let h = RtpHeader {
                    marker: op & 0x80 != 0,
                    payload_type: pt,
                    sequence: seq,
                    timestamp: ts,
                    ssrc,
                    ..Default::default()
                };
                let bytes = h.to_vec(&vec![d; len]).unwrap();
                jb.insert(now, &RtpPacket::parse(&bytes).unwrap());
                assert!(jb.len() <= 16);
            }
            2 => {
                now += u64::from(a % 64);
            }
            _ => {
                out.fill(0x5555);
                jb.pull(now, &mut out);
                now += 20;
            }
        }
    }
    let m = jb.metrics();
    assert!(m.target_delay_ms <= 400);
}

/// Decodes `data` (first byte: mode) with G.722 both through the QMF and
/// core-only: output sizes are exact and band signals stay in range.
pub fn g722_decode(data: &[u8]) {
    let Some((&m, codes)) = data.split_first() else {
        return;
    };
    let mode = match m % 3 {
        0 => Mode::Mode1,
        1 => Mode::Mode2,
        _ => Mode::Mode3,
    };
    let mut d = G722Decoder::new(mode);
    let mut out = vec![0i16; 2 * codes.len()];
    assert_eq!(d.decode(codes, &mut out), 2 * codes.len());
    let mut core = G722Decoder::new(mode);
    for &c in codes {
        let (rl, rh) = core.decode_core(c);
        assert!((-16384..=16383).contains(&rl) && (-16384..=16383).contains(&rh));
    }
}

/// Drives the G.729 A+B decoder with arbitrary frames and losses, both
/// frame by frame ([`G729Decoder`]) and as RTP payloads ([`G729Codec`]).
///
/// `data` is a sequence of records, each a control byte then its operands:
/// `c % 8` = 0: a 10-octet speech frame (bad-frame flag `c & 0x80`);
/// 1: a 2-octet SID frame; 2: a non-transmitted frame; 3: an erasure;
/// 4: an RTP payload of `c >> 3` octets (any length, odd ones included);
/// 5: concealment of `c >> 3` samples; 6, 7: a payload of
/// `10·(c >> 4)` (+2 if `c & 8`) octets. Missing operand bytes are zeros.
///
/// Checks: nothing panics; payload lengths are accepted exactly when RFC
/// 3551 section 4.5.6 allows them, with the right sample counts; the state
/// is a value of constant size (a clone fed the same input stays equal and
/// gives the same samples).
pub fn g729_decode(data: &[u8]) {
    let mut dec = G729Decoder::new();
    let mut codec = G729Codec::with_annexb(true);
    let size = std::mem::size_of_val(&dec) + std::mem::size_of_val(&codec);
    let mut pcm = [0i16; 80];
    let mut out = Vec::new();
    let mut i = 0;
    let take = |i: &mut usize, n: usize| -> Vec<u8> {
        let mut v = vec![0u8; n];
        let avail = data.len().saturating_sub(*i).min(n);
        v[..avail].copy_from_slice(&data[*i..*i + avail]);
        *i += n.min(data.len() - *i);
        v
    };
    let mut steps = 0;
    while i < data.len() && steps < 400 {
        steps += 1;
        let c = data[i];
        i += 1;
        match c % 8 {
            0 => {
                let f = take(&mut i, 10);
                dec.decode_frame(
                    f.as_slice().try_into().expect("10"),
                    c & 0x80 != 0,
                    &mut pcm,
                );
            }
            1 => {
                let f = take(&mut i, 2);
                dec.decode_sid(f.as_slice().try_into().expect("2"), &mut pcm);
            }
            2 => dec.decode_no_tx(&mut pcm),
            3 => dec.decode_erased(&mut pcm),
            5 => {
                out.clear();
                codec.conceal(usize::from(c >> 3), &mut out);
                assert_eq!(out.len(), usize::from(c >> 3));
            }
            k => {
                let len = if k == 4 {
                    usize::from(c >> 3)
                } else {
                    10 * usize::from(c >> 4) + if c & 8 != 0 { 2 } else { 0 }
                };
                let payload = take(&mut i, len);
                out.clear();
                let r = codec.decode(&payload, &mut out);
                match (len, len % 10) {
                    (0, _) => assert!(matches!(r, Err(CodecError::EmptyPayload { .. }))),
                    (_, 0 | 2) => {
                        let n = CodecKind::G729.payload_samples(len);
                        assert_eq!(r, Ok(n));
                        assert_eq!(out.len(), n);
                    }
                    _ => assert!(matches!(r, Err(CodecError::PayloadLength { .. }))),
                }
            }
        }
    }
    assert_eq!(
        std::mem::size_of_val(&dec) + std::mem::size_of_val(&codec),
        size
    );
    // The state is a plain value: a clone continues identically.
    let mut twin = dec.clone();
    assert_eq!(twin, dec);
    let mut other = [0i16; 80];
    dec.decode_no_tx(&mut pcm);
    twin.decode_no_tx(&mut other);
    assert_eq!(pcm, other);
    dec.decode_frame(&[0x5a; 10], false, &mut pcm);
    twin.decode_frame(&[0x5a; 10], false, &mut other);
    assert_eq!(pcm, other);
    assert_eq!(twin, dec);
}

/// Every G.711 kernel gives the scalar bytes on `data` (as samples and as
/// codes), at every start offset modulo 4.
pub fn g711(data: &[u8]) {
    let pcm: Vec<i16> = data
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    for law in [Law::Ulaw, Law::Alaw] {
        for off in 0..4.min(pcm.len() + 1) {
            let mut want = vec![0u8; pcm.len() - off];
            g711::encode_with(Kernel::Scalar, law, &pcm[off..], &mut want);
            let mut want_d = vec![0i16; data.len()];
            g711::decode_with(Kernel::Scalar, law, data, &mut want_d);
            for k in Kernel::available() {
                let mut got = vec![0u8; pcm.len() - off];
                g711::encode_with(k, law, &pcm[off..], &mut got);
                assert_eq!(got, want, "{k:?} {law:?} encode");
                let mut got_d = vec![0i16; data.len()];
                g711::decode_with(k, law, data, &mut got_d);
                assert_eq!(got_d, want_d, "{k:?} {law:?} decode");
            }
        }
    }
}

/// Feeds a G.722 media session with datagrams cut from `data` (a length
/// byte, then that many bytes; even-indexed ones as RTP, odd as RTCP),
/// interleaved with capture frames, playout pulls and timers. Nothing may
/// panic and every pull fills its frame; outputs stay bounded.
pub fn media_session(data: &[u8]) {
    let mut cfg = MediaConfig::new(CodecKind::G722, 9, "fuzz@example.invalid", 1);
    cfg.telephone_event_pt = Some(101);
    cfg.cn_payload_type = Some(13);
    let mut s = MediaSession::new(cfg);
    let mut pcm = vec![0i16; s.frame_samples()];
    let mut now = 0u64;
    let mut rest = data;
    let mut i = 0usize;
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (dgram, next) = tail.split_at(n);
        rest = next;
        if i % 2 == 0 {
            let _ = s.receive_rtp(now, dgram);
        } else {
            let _ = s.receive_rtcp(now, dgram);
        }
        if len & 3 == 0 {
            let _ = s.send_dtmf('7', u32::from(len), 10);
        }
        s.send_audio(now, &pcm).expect("a whole frame encodes");
        pcm.fill(0x1234);
        s.pull_audio(now, &mut pcm);
        s.handle_timeout(now);
        let mut outputs = 0;
        while let Some(o) = s.poll_output() {
            if let MediaOutput::Transmit(t) = o {
                assert_eq!(t.dscp, 46);
            }
            outputs += 1;
        }
        assert!(outputs <= 8);
        now += 20;
        i += 1;
    }
}
