//! Trace-driven tests: a simulated sender, a network trace (delay, loss,
//! reordering, drift) and a receiver pulling every 20 ms at its own clock.

use super::*;
use crate::rtp::RtpHeader;

/// Deterministic LCG for traces.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    fn chance(&mut self, pct: u32) -> bool {
        self.next() % 1000 < pct * 10
    }
}

#[derive(Clone)]
struct Sent {
    arrival_ms: u64,
    bytes: Vec<u8>,
}

struct Trace {
    ssrc: u32,
    seq0: u16,
    ts0: u32,
    /// Sender's packet spacing in µs (20_000 nominal; drift changes it).
    spacing_us: u64,
    packets: usize,
}

impl Default for Trace {
    fn default() -> Self {
        Self {
            ssrc: 0x1111,
            seq0: 1000,
            ts0: 50_000,
            spacing_us: 20_000,
            packets: 1500,
        }
    }
}

fn tone_frame(i: usize) -> Vec<u8> {
    let pcm: Vec<i16> = (0..160)
        .map(|k| ((((i * 160 + k) as f64) * 0.07).sin() * 5000.0) as i16)
        .collect();
    let mut out = vec![0u8; 160];
    crate::g711::encode(crate::g711::Law::Ulaw, &pcm, &mut out);
    out
}

/// Builds packets; `delay(i)` gives the network delay of packet i in ms,
/// or None if lost.
fn build(t: &Trace, mut delay: impl FnMut(usize) -> Option<u64>) -> Vec<Sent> {
    let mut v = Vec::new();
    for i in 0..t.packets {
        let Some(d) = delay(i) else { continue };
        let send_ms = (i as u64 * t.spacing_us) / 1000;
        let h = RtpHeader {
            marker: i == 0,
            payload_type: 0,
            sequence: t.seq0.wrapping_add(i as u16),
            timestamp: t.ts0.wrapping_add(160 * i as u32),
            ssrc: t.ssrc,
            ..Default::default()
        };
        v.push(Sent {
            arrival_ms: 1000 + send_ms + d,
            bytes: h.to_vec(&tone_frame(i)).unwrap(),
        });
    }
    v.sort_by_key(|s| s.arrival_ms); // stable: equal arrivals keep send order
    v
}

struct Run {
    m: JitterMetrics,
    kinds: Vec<Playout>,
}

fn run(cfg: JitterConfig, packets: &[Sent], until_ms: u64) -> Run {
    let mut jb = JitterBuffer::new(cfg);
    let mut next = 0;
    let mut out = vec![0i16; jb.frame_samples()];
    let mut kinds = Vec::new();
    let mut now = 1000;
    while now < until_ms {
        while next < packets.len() && packets[next].arrival_ms <= now {
            let p = RtpPacket::parse(&packets[next].bytes).unwrap();
            jb.insert(packets[next].arrival_ms, &p);
            next += 1;
        }
        kinds.push(jb.pull(now, &mut out));
        assert!(jb.len() <= 64);
        now += 20;
    }
    Run {
        m: jb.metrics(),
        kinds,
    }
}

/// Frames concealed after the last packet before the buffer goes quiet.
const TAIL: u64 = 5;

fn cfg() -> JitterConfig {
    JitterConfig::new(CodecKind::Pcmu, 0)
}

fn end_ms(t: &Trace) -> u64 {
    1000 + t.packets as u64 * t.spacing_us / 1000 + 600
}

#[test]
fn steady_network_plays_everything_at_low_delay() {
    let t = Trace::default();
    let pk = build(&t, |_| Some(30));
    let r = run(cfg(), &pk, end_ms(&t));
    assert_eq!(r.m.played, 1500);
    // the initial 60 ms target converges to 20 ms by a few accelerations
    assert!(r.m.accelerated <= 6 && r.m.expanded == 0, "{:?}", r.m);
    // the only concealment is the 100 ms after the stream ends
    assert_eq!((r.m.lost, r.m.late, r.m.concealed_frames), (0, 0, TAIL));
    assert!(r.m.mean_delay_ms() <= 45, "{:?}", r.m);
    assert!(r.m.max_delay_ms <= 80, "{:?}", r.m);
}

#[test]
fn delay_spikes_raise_the_target_and_few_packets_are_late() {
    let t = Trace::default();
    // every 3 s a 200 ms spike that drains at 20 ms per packet (bunching)
    let pk = build(&t, |i| {
        let phase = i % 150;
        Some(
            30 + if phase < 10 {
                200 - 20 * phase as u64
            } else {
                0
            },
        )
    });
    let r = run(cfg(), &pk, end_ms(&t));
    assert!(r.m.late * 100 <= 1500 * 8, "late {:?}", r.m);
    assert!(r.m.concealed_frames * 100 <= 1500 * 10, "{:?}", r.m);
    assert!(r.m.max_delay_ms <= 400, "{:?}", r.m);
    assert!(r.m.mean_delay_ms() <= 250, "{:?}", r.m);
}

fn lossy(pct: u32, seed: u64) -> (Trace, Vec<Sent>, usize) {
    let t = Trace::default();
    let mut rng = Lcg(seed);
    let mut dropped = 0;
    let pk = build(&t, |i| {
        let jitter = u64::from(rng.next() % 20);
        if i > 0 && rng.chance(pct) {
            dropped += 1;
            None
        } else {
            Some(40 + jitter)
        }
    });
    (t, pk, dropped)
}

#[test]
fn five_percent_loss_is_concealed_with_bounded_delay() {
    let (t, pk, dropped) = lossy(5, 1);
    let r = run(cfg(), &pk, end_ms(&t));
    assert!(
        (dropped as u64).abs_diff(r.m.lost) <= 2,
        "dropped {dropped} {:?}",
        r.m
    );
    assert!(
        r.m.concealed_frames >= r.m.lost && r.m.concealed_frames <= 3 * r.m.lost,
        "{:?}",
        r.m
    );
    assert!(r.m.mean_delay_ms() <= 100, "{:?}", r.m);
    assert_eq!(r.m.played + dropped as u64 + r.m.late, 1500);
}

#[test]
fn twenty_percent_loss_is_concealed_with_bounded_delay() {
    let (t, pk, dropped) = lossy(20, 2);
    let r = run(cfg(), &pk, end_ms(&t));
    assert!((250..=350).contains(&dropped));
    assert!(
        (dropped as u64).abs_diff(r.m.lost) <= 5,
        "dropped {dropped} {:?}",
        r.m
    );
    assert!(r.m.concealed_frames <= 3 * r.m.lost, "{:?}", r.m);
    assert!(r.m.mean_delay_ms() <= 150, "{:?}", r.m);
    assert!(
        r.kinds.iter().filter(|k| **k == Playout::Concealed).count() as u64 <= r.m.concealed_frames
    );
}

#[test]
fn reordering_is_absorbed() {
    let t = Trace::default();
    let mut rng = Lcg(3);
    // one packet in ten is held back 30 ms, so it arrives after its successor
    let pk = build(&t, |_| Some(40 + if rng.chance(10) { 30 } else { 0 }));
    let r = run(cfg(), &pk, end_ms(&t));
    // the p95 target leaves at most about 1 % late while it learns
    assert!(r.m.late <= 15, "{:?}", r.m);
    assert_eq!(r.m.lost, r.m.late, "{:?}", r.m);
    assert_eq!(r.m.played + r.m.late, 1500);
    assert!(r.m.concealed_frames <= 3 * r.m.late + TAIL, "{:?}", r.m);
}

#[test]
fn duplicates_are_dropped() {
    let t = Trace::default();
    let pk = build(&t, |_| Some(30));
    let doubled: Vec<Sent> = pk
        .iter()
        .flat_map(|p| {
            [
                p.clone(),
                Sent {
                    arrival_ms: p.arrival_ms + 5,
                    ..p.clone()
                },
            ]
        })
        .collect();
    let mut doubled = doubled;
    doubled.sort_by_key(|s| s.arrival_ms);
    let r = run(cfg(), &doubled, end_ms(&t));
    assert_eq!(r.m.played, 1500);
    assert_eq!(r.m.lost, 0);
    assert_eq!(r.m.duplicates + r.m.late, 1500, "{:?}", r.m);
}

#[test]
fn sender_clock_drift_is_absorbed_by_time_stretching() {
    for (spacing, name) in [(19_800u64, "fast"), (20_200, "slow")] {
        let t = Trace {
            spacing_us: spacing,
            packets: 3000,
            ..Default::default()
        };
        let mut rng = Lcg(4);
        let pk = build(&t, |_| Some(30 + u64::from(rng.next() % 10)));
        let r = run(cfg(), &pk, end_ms(&t));
        assert!(r.m.max_delay_ms <= 200, "{name}: {:?}", r.m);
        assert!(r.m.concealed_frames * 100 <= 3000 * 3, "{name}: {:?}", r.m);
        assert_eq!(r.m.lost, 0, "{name}");
        if name == "fast" {
            assert!(r.m.accelerated > 0, "{name}: {:?}", r.m);
        } else {
            assert!(r.m.expanded > 0, "{name}: {:?}", r.m);
        }
    }
}

#[test]
fn sequence_and_timestamp_wrap() {
    let t = Trace {
        seq0: 65_000,
        ts0: u32::MAX - 80_000,
        ..Default::default()
    };
    let pk = build(&t, |_| Some(30));
    let r = run(cfg(), &pk, end_ms(&t));
    assert_eq!(r.m.played, 1500);
    assert_eq!(
        (r.m.lost, r.m.late, r.m.concealed_frames),
        (0, 0, TAIL),
        "{:?}",
        r.m
    );
}

#[test]
fn ssrc_change_resynchronises() {
    let t = Trace {
        packets: 500,
        ..Default::default()
    };
    let mut pk = build(&t, |_| Some(30));
    let t2 = Trace {
        ssrc: 0x2222,
        seq0: 7,
        ts0: 999,
        packets: 500,
        ..Default::default()
    };
    let pk2 = build(&t2, |_| Some(30));
    pk.extend(pk2.into_iter().map(|mut s| {
        s.arrival_ms += 12_000;
        s
    }));
    let mut jb = JitterBuffer::new(cfg());
    let mut changed = 0;
    let mut out = vec![0; 160];
    let mut next = 0;
    let mut now = 1000;
    while now < 24_000 {
        while next < pk.len() && pk[next].arrival_ms <= now {
            let p = RtpPacket::parse(&pk[next].bytes).unwrap();
            if let Insert::SsrcChanged { old } = jb.insert(pk[next].arrival_ms, &p) {
                assert_eq!(old, 0x1111);
                changed += 1;
            }
            next += 1;
        }
        jb.pull(now, &mut out);
        now += 20;
    }
    assert_eq!(changed, 1);
    assert_eq!(jb.metrics().played, 1000);
    assert_eq!(jb.metrics().lost, 0);
}

#[test]
fn dtx_gap_is_silence_not_loss_and_cn_plays_noise() {
    let mut c = cfg();
    c.cn_payload_type = Some(13);
    let mut pk = Vec::new();
    let mut seq = 0u16;
    let mut push = |pk: &mut Vec<Sent>, i: usize, marker: bool, pt: u8, payload: Vec<u8>| {
        let h = RtpHeader {
            marker,
            payload_type: pt,
            sequence: seq,
            timestamp: 160 * i as u32,
            ssrc: 5,
            ..Default::default()
        };
        seq += 1;
        pk.push(Sent {
            arrival_ms: 1000 + 20 * i as u64 + 30,
            bytes: h.to_vec(&payload).unwrap(),
        });
    };
    for i in 0..100 {
        push(&mut pk, i, i == 0, 0, tone_frame(i));
    }
    push(&mut pk, 100, false, 13, vec![50]); // CN for 1 s
    for i in 150..250 {
        push(&mut pk, i, i == 150, 0, tone_frame(i));
    }
    // DTX without CN: 1 s gap, contiguous sequence numbers, marker
    for i in 300..400 {
        push(&mut pk, i, i == 300, 0, tone_frame(i));
    }
    let r = run(c, &pk, 1000 + 400 * 20 + 500);
    assert_eq!(r.m.lost, 0, "{:?}", r.m);
    assert_eq!(r.m.played, 300);
    assert!(r.m.cn_frames >= 40, "{:?}", r.m);
    assert!(r.kinds.contains(&Playout::ComfortNoise));
    // the DTX gap without CN is played as concealment fading into silence
    assert!(r.m.concealed_frames <= 5 + TAIL, "{:?}", r.m);
}

#[test]
fn g729_sid_starts_dtx_filled_with_the_decoders_comfort_noise() {
    let c = JitterConfig::new(CodecKind::G729, 18);
    let mut enc = Codec::new(CodecKind::G729);
    let mut pk = Vec::new();
    let mut seq = 0u16;
    let mut push = |pk: &mut Vec<Sent>, i: usize, marker: bool, payload: Vec<u8>| {
        let h = RtpHeader {
            marker,
            payload_type: 18,
            sequence: seq,
            timestamp: 160 * i as u32,
            ssrc: 9,
            ..Default::default()
        };
        seq += 1;
        pk.push(Sent {
            arrival_ms: 1000 + 20 * i as u64 + 30,
            bytes: h.to_vec(&payload).unwrap(),
        });
    };
    let speech = |enc: &mut Codec, i: usize| {
        let pcm: Vec<i16> = (0..160)
            .map(|k| ((((i * 160 + k) as f64) * 0.07).sin() * 5000.0) as i16)
            .collect();
        let mut p = Vec::new();
        enc.encode(&pcm, &mut p).unwrap();
        p
    };
    for i in 0..50 {
        let p = speech(&mut enc, i);
        push(&mut pk, i, i == 0, p);
    }
    // one speech frame + SID (RFC 3551 4.5.6), then 1 s of DTX
    let mut last = speech(&mut enc, 50)[..10].to_vec();
    last.extend_from_slice(&[0x34, 0x40]);
    push(&mut pk, 50, false, last);
    for i in 100..150 {
        let p = speech(&mut enc, i);
        push(&mut pk, i, i == 100, p);
    }
    let mut jb = JitterBuffer::new(c);
    let mut out = vec![0i16; jb.frame_samples()];
    let (mut next, mut now) = (0, 1000);
    let mut noise_energy = 0f64;
    let mut m = None;
    while now < 1000 + 150 * 20 + 500 {
        while next < pk.len() && pk[next].arrival_ms <= now {
            jb.insert(
                pk[next].arrival_ms,
                &RtpPacket::parse(&pk[next].bytes).unwrap(),
            );
            next += 1;
        }
        if jb.pull(now, &mut out) == Playout::ComfortNoise {
            noise_energy += out.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>();
        }
        m = Some(jb.metrics());
        now += 20;
    }
    let m = m.unwrap();
    assert_eq!(m.lost, 0, "{m:?}");
    assert_eq!(m.played, 101);
    assert!(m.cn_frames >= 40, "{m:?}");
    // only the tail after the last packet is concealment
    assert!(m.concealed_frames <= TAIL, "{m:?}");
    assert!(noise_energy > 0.0);
}

#[test]
fn dtmf_never_enters_and_memory_is_bounded() {
    let mut jb = JitterBuffer::new(cfg());
    let h = RtpHeader {
        payload_type: 101,
        ..Default::default()
    };
    let b = h.to_vec(&[1, 0x80, 0, 160]).unwrap();
    assert_eq!(
        jb.insert(0, &RtpPacket::parse(&b).unwrap()),
        Insert::NotAudio(101)
    );
    assert!(jb.is_empty());
    for i in 0..10_000u32 {
        let h = RtpHeader {
            payload_type: 0,
            sequence: i as u16,
            timestamp: i * 160,
            ..Default::default()
        };
        let b = h.to_vec(&[0xFF; 160]).unwrap();
        jb.insert(u64::from(i), &RtpPacket::parse(&b).unwrap());
        assert!(jb.len() <= 64);
    }
    assert!(jb.metrics().overflow > 0);
}

#[test]
fn stretch_changes_length_by_one_period() {
    let x: Vec<i16> = (0..160)
        .map(|i| ((i as f64 * 2.0 * std::f64::consts::PI / 40.0).sin() * 8000.0) as i16)
        .collect();
    let a = accelerate(&x, 20).unwrap();
    let e = expand(&x, 20).unwrap();
    assert_eq!(160 - a.len(), 160 - (160 - (e.len() - 160)));
    assert!(a.len() < 160 && e.len() > 160);
    assert_eq!((160 - a.len()) % 40, 0);
}
