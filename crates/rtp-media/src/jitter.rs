//! Adaptive jitter buffer with loss concealment, Sans-IO.
//!
//! [`JitterBuffer::insert`] takes an RTP packet and its arrival time;
//! [`JitterBuffer::pull`] is called once per output frame at the audio
//! device's clock and always fills the frame: decoded audio, time-stretched
//! audio, concealment, comfort noise (RFC 3389) or silence. Nothing here
//! reads a clock.
//!
//! How it works:
//!
//! * **Timing model.** Every packet's transit `arrival - timestamp` (in RTP
//!   units) goes into a window of the last 2 s (at most 128 packets). The
//!   fastest transit in the window is the reference; a packet's relative
//!   delay is its transit minus that minimum. The **target delay** is the
//!   95th percentile of the relative delays plus one output frame,
//!   clamped to `[min_delay_ms, max_delay_ms]` (the NetEq approach, see
//!   `notes/media.md` section 4.2); it rises at once and falls by at most
//!   0.5 ms per packet. A packet with timestamp `T` is due at
//!   `T + min_transit + target`.
//! * **Adaptation** happens at talkspurt starts (marker bit, or a timestamp
//!   jump with contiguous sequence numbers): playout waits, in silence or
//!   comfort noise, until the first packet is due, which rebases the delay.
//!   Inside a talkspurt the delay is steered by time-scale modification:
//!   a frame is shortened by one pitch period when the delay is above target
//!   (accelerate) or lengthened by one when below (expand), with
//!   cross-fades, never by dropping frames.
//! * **Loss.** A gap in sequence numbers is concealed by the codec
//!   (pitch-repetition PLC for G.711 and G.722). An empty buffer in a
//!   talkspurt is an underrun: a frame is concealed *without* advancing the
//!   playout point, so a late packet can still play and the delay grows; if
//!   it persists beyond 100 ms the stream is treated as silent.
//!   Timestamp gaps with contiguous sequence numbers (DTX) and CN periods
//!   are silence, not loss. A G.729 payload ending in an Annex B SID frame
//!   starts such a silence period too, filled by the decoder's own comfort
//!   noise (its non-transmitted frames, Annex B B.5) instead of silence.
//! * **Robustness.** Reordering is absorbed by the ordered map; duplicates
//!   and late packets are counted and dropped; timestamps and sequence
//!   numbers are unwrapped to 64 bits; an SSRC change or a sender restart
//!   (timestamp far in the past) flushes and resynchronises; the buffer
//!   holds at most `capacity` packets (the oldest is dropped).
//!
//! Telephone events (RFC 4733) are not audio: packets whose payload type is
//! neither the codec's nor CN's are refused, so DTMF never enters here.

use crate::cn::CnDecoder;
use crate::codec::{AudioCodec, Codec, CodecKind};
use crate::rtp::RtpPacket;
use std::collections::{BTreeMap, VecDeque};

/// Jitter buffer settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JitterConfig {
    /// The audio codec.
    pub codec: CodecKind,
    /// Its negotiated payload type.
    pub payload_type: u8,
    /// Payload type of RFC 3389 comfort noise, if negotiated.
    pub cn_payload_type: Option<u8>,
    /// Output frame duration (ms).
    pub frame_ms: u32,
    /// Lower bound of the target delay (ms).
    pub min_delay_ms: u32,
    /// Upper bound of the target delay (ms).
    pub max_delay_ms: u32,
    /// Target before any statistics exist (ms).
    pub initial_delay_ms: u32,
    /// Maximum packets held.
    pub capacity: usize,
    /// Seed for comfort noise.
    pub seed: u64,
}

impl JitterConfig {
    /// Defaults for `codec` with payload type `pt` and 20 ms frames.
    pub fn new(codec: CodecKind, payload_type: u8) -> Self {
        Self {
            codec,
            payload_type,
            cn_payload_type: None,
            frame_ms: 20,
            min_delay_ms: 20,
            max_delay_ms: 400,
            initial_delay_ms: 60,
            capacity: 64,
            seed: 0x5EED,
        }
    }
}

/// What happened to an inserted packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Insert {
    /// Stored for playout.
    Buffered,
    /// Stored, and the SSRC differs from the previous packets': the buffer
    /// was flushed and resynchronised first.
    SsrcChanged {
        /// The previous SSRC.
        old: u32,
    },
    /// Same timestamp already buffered or played.
    Duplicate,
    /// Arrived after its playout time.
    Late,
    /// Not the codec's or CN's payload type (e.g. telephone-event).
    NotAudio(u8),
}

/// What a pulled frame contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Playout {
    /// Decoded audio, as sent.
    Audio,
    /// Decoded audio shortened or lengthened to steer the delay.
    Stretched,
    /// At least part of the frame is loss concealment.
    Concealed,
    /// Comfort noise.
    ComfortNoise,
    /// Silence (before the first packet, or DTX without CN).
    Silence,
}

/// Counters and delay figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct JitterMetrics {
    /// Packets offered to `insert` with the audio or CN payload type.
    pub received: u64,
    /// Duplicates dropped.
    pub duplicates: u64,
    /// Packets that arrived after their playout time.
    pub late: u64,
    /// Packets never played (sequence gaps at playout, late ones included).
    pub lost: u64,
    /// Frames (chunks of up to one frame) produced by concealment.
    pub concealed_frames: u64,
    /// Frames of comfort noise.
    pub cn_frames: u64,
    /// Frames of silence.
    pub silence_frames: u64,
    /// Frames shortened (accelerate).
    pub accelerated: u64,
    /// Frames lengthened (expand).
    pub expanded: u64,
    /// Packets dropped because the buffer was full.
    pub overflow: u64,
    /// SSRC changes and restarts.
    pub resyncs: u64,
    /// Audio packets played.
    pub played: u64,
    /// Current target delay (ms).
    pub target_delay_ms: u32,
    /// Delay added by the buffer for the last audio played (ms).
    pub current_delay_ms: u32,
    /// Largest added delay seen (ms).
    pub max_delay_ms: u32,
    /// Sum of the added delay over the audio frames played (ms), for the
    /// mean.
    pub delay_sum_ms: u64,
}

impl JitterMetrics {
    /// Mean added delay of played audio (ms).
    pub fn mean_delay_ms(&self) -> u32 {
        self.delay_sum_ms.checked_div(self.played).unwrap_or(0) as u32
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Entry {
    seq: u16,
    marker: bool,
    cn: bool,
    payload: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Mode {
    /// Nothing played yet, or resynchronising.
    Idle,
    /// Playing a talkspurt.
    Talk,
    /// In a silence period (CN or DTX).
    Quiet,
}

/// The adaptive jitter buffer (state is `Clone + Eq + Hash`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JitterBuffer {
    cfg: JitterConfig,
    codec: Codec,
    cn: CnDecoder,
    /// Ticks per ms of the RTP clock, samples per tick.
    tpm: i64,
    spt: usize,
    buf: BTreeMap<i64, Entry>,
    ssrc: Option<u32>,
    /// Highest extended timestamp seen (unwrap reference).
    ts_ref: Option<i64>,
    /// Extended timestamp of the next packet to decode.
    cursor: i64,
    mode: Mode,
    last_seq: Option<u16>,
    /// Samples decoded but not yet pulled.
    pcm: VecDeque<i16>,
    /// (arrival ms, transit ticks) of recent packets.
    transits: VecDeque<(u64, i64)>,
    min_transit: i64,
    target_ticks: i64,
    /// Consecutive underrun samples.
    underrun: usize,
    /// The silence period was started by the codec's own SID frame (G.729
    /// Annex B): the codec generates the comfort noise.
    codec_noise: bool,
    metrics: JitterMetrics,
    scratch: Vec<i16>,
    rel_scratch: Vec<i64>,
}

const WINDOW_MS: u64 = 2000;
const WINDOW_PACKETS: usize = 128;

impl JitterBuffer {
    /// A buffer for `cfg`.
    pub fn new(cfg: JitterConfig) -> Self {
        let tpm = i64::from(cfg.codec.rtp_clock_rate() / 1000).max(1);
        let spt = (cfg.codec.sample_rate() / cfg.codec.rtp_clock_rate()).max(1) as usize;
        let target_ticks = i64::from(cfg.initial_delay_ms) * tpm;
        let metrics = JitterMetrics {
            target_delay_ms: cfg.initial_delay_ms,
            ..Default::default()
        };
        Self {
            codec: Codec::new(cfg.codec),
            cn: CnDecoder::new(cfg.seed),
            tpm,
            spt,
            buf: BTreeMap::new(),
            ssrc: None,
            ts_ref: None,
            cursor: 0,
            mode: Mode::Idle,
            last_seq: None,
            pcm: VecDeque::new(),
            transits: VecDeque::new(),
            min_transit: 0,
            target_ticks,
            underrun: 0,
            codec_noise: false,
            metrics,
            scratch: Vec::new(),
            rel_scratch: Vec::new(),
            cfg,
        }
    }

    /// Counters and delays so far.
    pub fn metrics(&self) -> JitterMetrics {
        self.metrics
    }

    /// Samples per output frame.
    pub fn frame_samples(&self) -> usize {
        self.cfg.codec.frame_samples(self.cfg.frame_ms)
    }

    /// Packets currently held.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether no packet is held.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    fn resync(&mut self) {
        self.buf.clear();
        self.ts_ref = None;
        self.mode = Mode::Idle;
        self.last_seq = None;
        self.pcm.clear();
        self.transits.clear();
        self.underrun = 0;
        self.metrics.resyncs += 1;
    }

    fn unwrap_ts(&self, ts: u32) -> i64 {
        match self.ts_ref {
            None => i64::from(ts),
            Some(r) => r + i64::from(ts.wrapping_sub(r as u32) as i32),
        }
    }

    /// Offers a packet that arrived at `now_ms`.
    pub fn insert(&mut self, now_ms: u64, p: &RtpPacket<'_>) -> Insert {
        let pt = p.payload_type();
        let is_cn = self.cfg.cn_payload_type == Some(pt);
        if pt != self.cfg.payload_type && !is_cn {
            return Insert::NotAudio(pt);
        }
        self.metrics.received += 1;
        let mut outcome = Insert::Buffered;
        if let Some(old) = self.ssrc {
            if old != p.ssrc() {
                self.resync();
                outcome = Insert::SsrcChanged { old };
            }
        }
        self.ssrc = Some(p.ssrc());
        let mut ts = self.unwrap_ts(p.timestamp());
        if self.mode != Mode::Idle && ts < self.cursor - 10_000 * self.tpm {
            // timestamp far in the past: the sender restarted
            self.resync();
            ts = i64::from(p.timestamp());
        }
        if self.mode != Mode::Idle && ts < self.cursor {
            self.metrics.late += 1;
            return Insert::Late;
        }
        if self.buf.contains_key(&ts) {
            self.metrics.duplicates += 1;
            return Insert::Duplicate;
        }
        if self.ts_ref.is_none_or(|r| ts > r) {
            self.ts_ref = Some(ts);
        }
        self.observe(now_ms, ts);
        if self.buf.len() >= self.cfg.capacity {
            self.buf.pop_first();
            self.metrics.overflow += 1;
        }
        self.buf.insert(
            ts,
            Entry {
                seq: p.sequence(),
                marker: p.marker(),
                cn: is_cn,
                payload: p.payload().to_vec(),
            },
        );
        outcome
    }

    /// Updates the transit window and the target delay.
    fn observe(&mut self, now_ms: u64, ts: i64) {
        let transit = self.ticks(now_ms) - ts;
        if let Some(&(_, last)) = self.transits.back() {
            // a discontinuity of more than a second: new timing reference
            if (transit - last).abs() > 1000 * self.tpm {
                self.transits.clear();
            }
        }
        self.transits.push_back((now_ms, transit));
        while self.transits.len() > WINDOW_PACKETS
            || self
                .transits
                .front()
                .is_some_and(|&(t, _)| t + WINDOW_MS < now_ms)
        {
            self.transits.pop_front();
        }
        self.min_transit = self
            .transits
            .iter()
            .map(|&(_, t)| t)
            .min()
            .unwrap_or(transit);
        let target = if self.transits.len() < 2 {
            i64::from(self.cfg.initial_delay_ms) * self.tpm
        } else {
            let mut rel = std::mem::take(&mut self.rel_scratch);
            rel.clear();
            rel.extend(self.transits.iter().map(|&(_, t)| t - self.min_transit));
            let k = (rel.len() * 95).div_ceil(100).saturating_sub(1);
            let (_, p95, _) = rel.select_nth_unstable(k);
            let p95 = *p95;
            self.rel_scratch = rel;
            p95 + i64::from(self.cfg.frame_ms) * self.tpm
        };
        let target = target.clamp(
            i64::from(self.cfg.min_delay_ms) * self.tpm,
            i64::from(self.cfg.max_delay_ms) * self.tpm,
        );
        // fast attack, slow decay: at most 0.5 ms less per packet
        self.target_ticks = if target >= self.target_ticks || self.transits.len() < 2 {
            target
        } else {
            (self.target_ticks - (self.tpm / 2).max(1)).max(target)
        };
        self.metrics.target_delay_ms = (self.target_ticks / self.tpm) as u32;
    }

    /// `now_ms` in RTP units (saturating far beyond any real clock).
    fn ticks(&self, now_ms: u64) -> i64 {
        (now_ms.min(1 << 50) as i64) * self.tpm
    }

    fn due(&self, ts: i64) -> i64 {
        ts + self.min_transit + self.target_ticks
    }

    /// Fills `out` (normally [`frame_samples`](Self::frame_samples) long)
    /// with the audio to play at `now_ms`.
    pub fn pull(&mut self, now_ms: u64, out: &mut [i16]) -> Playout {
        let n = out.len();
        let mut kind = Playout::Audio;
        let mut guard = 0;
        while self.pcm.len() < n && guard < 16 {
            guard += 1;
            let k = self.produce(now_ms, n - self.pcm.len());
            kind = worse(kind, k);
        }
        for o in out.iter_mut() {
            *o = self.pcm.pop_front().unwrap_or(0);
        }
        kind
    }

    /// Produces the next chunk of at most about `want` samples (a whole
    /// packet for audio).
    fn produce(&mut self, now_ms: u64, want: usize) -> Playout {
        let now = self.ticks(now_ms);
        let frame_ticks = (want / self.spt).max(1) as i64;
        // packets whose time has passed while we were concealing
        while let Some((&ts, _)) = self.buf.first_key_value() {
            if self.mode != Mode::Idle && ts < self.cursor {
                self.buf.pop_first();
                self.metrics.late += 1;
            } else {
                break;
            }
        }
        let Some((&ts, e)) = self.buf.first_key_value() else {
            return self.empty(want, frame_ticks);
        };
        let contiguous = self.last_seq.is_some_and(|s| e.seq == s.wrapping_add(1));
        let starts_talkspurt =
            self.mode != Mode::Talk || e.marker || (ts > self.cursor && contiguous);
        if starts_talkspurt && !(self.mode == Mode::Quiet && e.cn) {
            // adapt: the first packet of a talkspurt plays when it is due
            if now < self.due(ts) {
                return self.quiet(want, frame_ticks, ts);
            }
            self.cursor = ts;
        }
        if ts == self.cursor || (self.mode == Mode::Quiet && e.cn) {
            self.cursor = ts;
            return self.play(now);
        }
        // a gap inside a talkspurt: the packets at the cursor are lost
        let gap = (ts - self.cursor).min(frame_ticks);
        self.conceal(gap as usize * self.spt);
        self.cursor += gap;
        Playout::Concealed
    }

    fn play(&mut self, now: i64) -> Playout {
        let Some((ts, e)) = self.buf.pop_first() else {
            return Playout::Silence;
        };
        if let Some(s) = self.last_seq {
            let gap = e.seq.wrapping_sub(s).wrapping_sub(1);
            if gap < 1000 {
                self.metrics.lost += u64::from(gap);
            }
        }
        self.last_seq = Some(e.seq);
        self.underrun = 0;
        self.codec_noise = false;
        if e.cn {
            self.cn.update(&e.payload);
            self.mode = Mode::Quiet;
            return Playout::ComfortNoise;
        }
        self.mode = Mode::Talk;
        let ticks = i64::from(self.cfg.codec.payload_ticks(e.payload.len()));
        let playing = ts - (self.pcm.len() / self.spt) as i64;
        let delay = (now - playing - self.min_transit).max(0);
        let delay_ms = (delay / self.tpm) as u32;
        self.metrics.current_delay_ms = delay_ms;
        self.metrics.max_delay_ms = self.metrics.max_delay_ms.max(delay_ms);
        self.metrics.delay_sum_ms += u64::from(delay_ms);
        self.metrics.played += 1;
        self.scratch.clear();
        let mut kind = Playout::Audio;
        if self.codec.decode(&e.payload, &mut self.scratch).is_err() {
            let n = ticks as usize * self.spt;
            self.codec.conceal(n, &mut self.scratch);
            kind = Playout::Concealed;
        }
        self.cursor = ts + ticks;
        if kind == Playout::Audio && self.cfg.codec == CodecKind::G729 && e.payload.len() % 10 == 2
        {
            // RFC 3551 4.5.6: a trailing SID frame; DTX follows
            self.codec_noise = true;
            self.mode = Mode::Quiet;
        }
        let hyst = (i64::from(self.cfg.frame_ms) / 2).max(5) * self.tpm;
        let min_lag = (self.cfg.codec.sample_rate() / 400) as usize; // 2.5 ms
        if kind == Playout::Audio && delay > self.target_ticks + hyst && !self.buf.is_empty() {
            if let Some(v) = accelerate(&self.scratch, min_lag) {
                self.scratch = v;
                self.metrics.accelerated += 1;
                kind = Playout::Stretched;
            }
        } else if kind == Playout::Audio && delay + hyst < self.target_ticks {
            if let Some(v) = expand(&self.scratch, min_lag) {
                self.scratch = v;
                self.metrics.expanded += 1;
                kind = Playout::Stretched;
            }
        }
        self.pcm.extend(self.scratch.iter().copied());
        kind
    }

    fn conceal(&mut self, samples: usize) {
        self.scratch.clear();
        self.codec.conceal(samples, &mut self.scratch);
        self.pcm.extend(self.scratch.iter().copied());
        self.metrics.concealed_frames += 1;
    }

    /// Silence or comfort noise while waiting for `next_ts` (or for
    /// anything).
    fn quiet(&mut self, want: usize, frame_ticks: i64, next_ts: i64) -> Playout {
        if self.mode != Mode::Idle {
            self.cursor = (self.cursor + frame_ticks).min(next_ts.max(self.cursor));
        }
        self.fill_quiet(want)
    }

    fn fill_quiet(&mut self, want: usize) -> Playout {
        self.scratch.clear();
        self.scratch.resize(want, 0);
        let kind = if self.mode == Mode::Quiet && self.codec_noise {
            // G.729 Annex B: non-transmitted frames after a SID
            self.scratch.clear();
            self.codec.conceal(want, &mut self.scratch);
            self.metrics.cn_frames += 1;
            Playout::ComfortNoise
        } else if self.mode == Mode::Quiet && self.cfg.cn_payload_type.is_some() {
            self.cn.generate(&mut self.scratch);
            self.metrics.cn_frames += 1;
            Playout::ComfortNoise
        } else {
            self.metrics.silence_frames += 1;
            Playout::Silence
        };
        self.pcm.extend(self.scratch.iter().copied());
        kind
    }

    fn empty(&mut self, want: usize, frame_ticks: i64) -> Playout {
        match self.mode {
            Mode::Idle => self.fill_quiet(want),
            Mode::Quiet => {
                self.cursor += frame_ticks;
                self.fill_quiet(want)
            }
            Mode::Talk => {
                // underrun: conceal without advancing, so a late packet can
                // still play; after 100 ms treat the stream as silent
                self.underrun += want;
                if self.underrun > self.cfg.codec.sample_rate() as usize / 10 {
                    self.mode = Mode::Quiet;
                    self.cursor += frame_ticks;
                    return self.fill_quiet(want);
                }
                self.conceal(want);
                Playout::Concealed
            }
        }
    }
}

fn worse(a: Playout, b: Playout) -> Playout {
    let rank = |p| match p {
        Playout::Audio => 0,
        Playout::Stretched => 1,
        Playout::Silence => 2,
        Playout::ComfortNoise => 3,
        Playout::Concealed => 4,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Best pitch-like lag in `min_lag..=x.len()/2` by normalised correlation
/// of two adjacent segments.
fn best_lag(x: &[i16], min_lag: usize) -> Option<usize> {
    let max_lag = x.len() / 2;
    if min_lag == 0 || max_lag < min_lag {
        return None;
    }
    let mut best = (f64::MIN, min_lag);
    for lag in min_lag..=max_lag {
        let (mut c, mut e1, mut e2) = (0i64, 1i64, 1i64);
        for i in 0..lag {
            let a = i64::from(x[i]);
            let b = i64::from(x[i + lag]);
            c += a * b;
            e1 += a * a;
            e2 += b * b;
        }
        let score = c as f64 / ((e1 as f64) * (e2 as f64)).sqrt();
        if score > best.0 {
            best = (score, lag);
        }
    }
    Some(best.1)
}

/// Removes one period `P` by cross-fading `x[0..P]` into `x[P..2P]`
/// (length `L - P`).
pub fn accelerate(x: &[i16], min_lag: usize) -> Option<Vec<i16>> {
    let p = best_lag(x, min_lag)?;
    let mut out = Vec::with_capacity(x.len() - p);
    for i in 0..p {
        let w = i as i32;
        out.push(((i32::from(x[i]) * (p as i32 - w) + i32::from(x[i + p]) * w) / p as i32) as i16);
    }
    out.extend_from_slice(&x[2 * p..]);
    Some(out)
}

/// Inserts one period `P`: `x[0..P]`, a cross-fade from `x[P..2P]` into
/// `x[0..P]`, then `x[P..]` (length `L + P`).
pub fn expand(x: &[i16], min_lag: usize) -> Option<Vec<i16>> {
    let p = best_lag(x, min_lag)?;
    let mut out = Vec::with_capacity(x.len() + p);
    out.extend_from_slice(&x[..p]);
    for i in 0..p {
        let w = i as i32;
        out.push(((i32::from(x[p + i]) * (p as i32 - w) + i32::from(x[i]) * w) / p as i32) as i16);
    }
    out.extend_from_slice(&x[p..]);
    Some(out)
}

#[cfg(test)]
mod tests;
