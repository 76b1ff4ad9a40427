//! G.729 Annex B in a media session (`annexb=yes` negotiated): the VAD and
//! DTX thin out the packets during silence, SID frames ride last in their
//! packet, timestamps keep counting through the gaps (RFC 3551 section
//! 4.5.6), the first speech packet after silence carries the marker, and
//! the far end plays comfort noise through the gaps.

use rtp_media::codec::CodecKind;
use rtp_media::jitter::Playout;
use rtp_media::rtp::RtpPacket;
use rtp_media::session::{MediaConfig, MediaOutput, MediaSession, TransmitKind};

/// 20 ms of a speech-like signal (a few drifting partials, syllable
/// envelope) for frame `f`, or of faint noise when `silent`.
fn frame(f: usize, silent: bool, seed: &mut u32) -> Vec<i16> {
    (0..160)
        .map(|i| {
            *seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let noise = f64::from((*seed >> 16) as u16 as i16) / 32768.0;
            if silent {
                return (noise * 20.0) as i16;
            }
            let t = (f * 160 + i) as f64 / 8000.0;
            let env = 0.5 + 0.5 * (2.0 * std::f64::consts::PI * 4.0 * t).sin().abs();
            let f0 = 140.0 + 30.0 * (2.0 * std::f64::consts::PI * 0.7 * t).sin();
            let v: f64 = (1..6)
                .map(|h| (2.0 * std::f64::consts::PI * f0 * h as f64 * t).sin() / h as f64)
                .sum();
            (env * v * 6000.0 + noise * 300.0) as i16
        })
        .collect()
}

struct Sent {
    ts: u32,
    marker: bool,
    len: usize,
    /// The 20 ms period it was sent in.
    period: usize,
}

/// Runs 1 s speech, 2 s near-silence, 1 s speech from A to B and returns
/// what A sent and how B played each period.
fn run(annexb: bool) -> (Vec<Sent>, Vec<Playout>, u32) {
    let mut cfg = MediaConfig::new(CodecKind::G729, 18, "a@example.invalid", 5);
    cfg.g729_annexb = annexb;
    let mut a = MediaSession::new(cfg.clone());
    let mut b = MediaSession::new(MediaConfig::new(
        CodecKind::G729,
        18,
        "b@example.invalid",
        6,
    ));
    let mut seed = 1;
    let mut sent = Vec::new();
    let mut played = Vec::new();
    let mut first_ts = None;
    let mut out = vec![0i16; 160];
    for period in 0..200 {
        let now = period as u64 * 20;
        let pcm = frame(period, (50..150).contains(&period), &mut seed);
        a.send_audio(now, &pcm).unwrap();
        while let Some(o) = a.poll_output() {
            if let MediaOutput::Transmit(t) = o
                && t.kind == TransmitKind::Rtp
            {
                let p = RtpPacket::parse(&t.data).unwrap();
                assert_eq!(p.payload_type(), 18);
                let first = *first_ts.get_or_insert(p.timestamp());
                sent.push(Sent {
                    ts: p.timestamp().wrapping_sub(first),
                    marker: p.marker(),
                    len: p.payload().len(),
                    period,
                });
                b.receive_rtp(now + 30, &t.data).unwrap();
            }
        }
        played.push(b.pull_audio(now + 30, &mut out));
    }
    let base = first_ts.unwrap();
    (sent, played, base)
}

#[test]
fn dtx_sends_sid_frames_last_and_nothing_in_silence_with_timestamps_counting_on() {
    let (sent, played, _) = run(true);
    // Every payload: whole speech frames, then at most one SID (RFC 3551 4.5.6).
    for s in &sent {
        assert!(
            s.len > 0 && s.len <= 20 && matches!(s.len % 10, 0 | 2),
            "{}",
            s.len
        );
    }
    // Timestamps count 8 kHz samples through the gaps: each packet starts
    // at a 10 ms frame boundary, after the end of the previous one, and
    // inside the 20 ms period it was sent in.
    for w in sent.windows(2) {
        let frames = |len: usize| (len / 10 + len % 10 / 2) as u32;
        assert!(w[1].ts >= w[0].ts + 80 * frames(w[0].len), "overlap");
    }
    for s in &sent {
        assert_eq!(s.ts % 80, 0);
        let p = s.ts / 160;
        assert_eq!(
            p as usize, s.period,
            "timestamp {} in period {}",
            s.ts, s.period
        );
    }
    let speech = |r: std::ops::Range<usize>| sent.iter().filter(|s| r.contains(&s.period)).count();
    // Speech: a packet every period (the VAD may hang over a little).
    assert!(speech(0..50) >= 48, "{}", speech(0..50));
    assert!(speech(160..200) >= 38, "{}", speech(160..200));
    // Silence (after the VAD's hangover): far fewer packets, SID among them.
    let quiet: Vec<&Sent> = sent
        .iter()
        .filter(|s| (70..150).contains(&s.period))
        .collect();
    eprintln!(
        "DTX: {} packets in 200 periods; {} in the 80 silent periods, {} with a SID",
        sent.len(),
        quiet.len(),
        quiet.iter().filter(|s| s.len % 10 == 2).count()
    );
    assert!(
        quiet.len() < 40,
        "{} packets in 80 silent periods",
        quiet.len()
    );
    assert!(
        quiet.iter().any(|s| s.len % 10 == 2),
        "a SID frame in silence"
    );
    assert!(
        quiet.iter().all(|s| !s.marker || s.len >= 10),
        "a SID-only packet carries no marker"
    );
    // Speech again: its first packet after silence is marked.
    let back = sent
        .iter()
        .find(|s| s.period >= 150 && s.len >= 10)
        .expect("speech after silence");
    assert!(back.marker, "talkspurt start marked");
    // B plays through the gaps: comfort noise or concealment, never a
    // stall once it has started.
    let started = played
        .iter()
        .position(|p| matches!(p, Playout::Audio | Playout::Stretched))
        .unwrap();
    let silent_periods = played[started..]
        .iter()
        .filter(|p| matches!(p, Playout::Silence))
        .count();
    assert!(
        silent_periods <= 2,
        "{silent_periods} periods without output"
    );
}

#[test]
fn without_annexb_every_period_is_one_packet_of_two_speech_frames() {
    let (sent, _, _) = run(false);
    assert_eq!(sent.len(), 200);
    assert!(sent.iter().all(|s| s.len == 20));
    assert_eq!(
        sent.iter().filter(|s| s.marker).count(),
        1,
        "only the first"
    );
}
