//! Local 3-way conference mixing (mix-minus) for the handset.
//!
//! Each tick takes one frame from the local microphone and one from each
//! remote leg (decoded, concealed or comfort noise: the jitter buffer always
//! delivers a frame). Mixing happens at the highest rate involved (16 kHz
//! when any leg is G.722, else 8 kHz) in 32-bit arithmetic:
//! `S = mic + A + B`, `to_A = S - A`, `to_B = S - B`, `speaker = S - mic`,
//! which is exact mix-minus: nobody hears themselves.
//!
//! Sums that exceed 16 bits go through a per-output limiter (instant attack,
//! slow release, gain interpolated across the frame) instead of being hard
//! clipped, so loud talkers are turned down rather than distorted. Legs at
//! another rate are converted by a 7-tap half-band filter
//! (`[-1, 0, 9, 16, 9, 0, -1] / 32`) in both directions.

use thiserror::Error;

/// Mixer set-up errors.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Error)]
pub enum MixerError {
    /// Only 8000 and 16000 Hz are supported.
    #[error("unsupported sample rate {0} Hz (8000 or 16000)")]
    Rate(u32),
    /// A frame has the wrong length.
    #[error("frame {index} has {got} samples, expected {want}")]
    FrameLength {
        /// 0 = microphone, 1.. = legs.
        index: usize,
        /// Samples given.
        got: usize,
        /// Samples expected.
        want: usize,
    },
    /// Wrong number of leg frames.
    #[error("{got} leg frames for {want} legs")]
    LegCount {
        /// Frames given.
        got: usize,
        /// Legs configured.
        want: usize,
    },
}

/// Rate converter between 8 and 16 kHz (or a pass-through).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Converter {
    up: bool,
    down: bool,
    hist: Vec<i32>,
}

impl Converter {
    fn new(from: u32, to: u32) -> Self {
        Self {
            up: to > from,
            down: to < from,
            hist: vec![0; 6],
        }
    }

    fn run(&mut self, input: impl ExactSizeIterator<Item = i32>, out: &mut Vec<i32>) {
        out.clear();
        if !self.up && !self.down {
            out.extend(input);
            return;
        }
        let mut ext = std::mem::take(&mut self.hist);
        let h = ext.len();
        ext.extend(input);
        if self.up {
            // y[2n] = x[n-2], y[2n+1] = (-x[n-3] + 9x[n-2] + 9x[n-1] - x[n]) / 16
            for n in h..ext.len() {
                out.push(ext[n - 2]);
                out.push((-ext[n - 3] + 9 * ext[n - 2] + 9 * ext[n - 1] - ext[n]) >> 4);
            }
        } else {
            // y[m] = (-x[2m-6] + 9x[2m-4] + 16x[2m-3] + 9x[2m-2] - x[2m]) / 32
            let mut n = h;
            while n + 1 < ext.len() {
                let i = n + 1;
                out.push(
                    (-ext[i - 6] + 9 * ext[i - 4] + 16 * ext[i - 3] + 9 * ext[i - 2] - ext[i]) >> 5,
                );
                n += 2;
            }
        }
        self.hist = ext.split_off(ext.len() - h);
    }
}

/// Gain limiter of one output.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Limiter {
    /// Current gain in Q15 (32768 = unity).
    gain: i32,
}

/// Peak level the limiter keeps outputs under.
pub const LIMIT: i32 = 32000;
/// Gain recovery per frame (Q15), about 0.5 dB per 20 ms.
const RELEASE: i32 = 1900;

impl Limiter {
    fn apply(&mut self, x: &[i32], out: &mut Vec<i16>) {
        let peak = x.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0) as i64;
        let need = if peak > i64::from(LIMIT) {
            (i64::from(LIMIT) * 32768 / peak) as i32
        } else {
            32768
        };
        let (g0, g1) = if need < self.gain {
            (need, need) // attack at once
        } else {
            (self.gain, (self.gain + RELEASE).min(need))
        };
        self.gain = g1;
        out.clear();
        if g0 == 32768 && g1 == 32768 {
            out.extend(x.iter().map(|&v| v.clamp(-32768, 32767) as i16));
            return;
        }
        // gain ramps linearly from g0 to g1 across the frame (Q15, 16-bit fraction)
        let n = x.len().max(1) as i64;
        let step = ((i64::from(g1 - g0)) << 16) / n;
        let mut g = i64::from(g0) << 16;
        out.extend(x.iter().map(|&v| {
            let s = ((i64::from(v) * (g >> 16)) >> 15).clamp(-32768, 32767) as i16;
            g += step;
            s
        }));
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Leg {
    rate: u32,
    inbound: Converter,
    outbound: Converter,
    limiter: Limiter,
}

/// Mix-minus mixer for the microphone and N remote legs (N = 2 for a
/// 3-way call; any N works).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConferenceMixer {
    frame_ms: u32,
    mix_rate: u32,
    mic_rate: u32,
    mic_in: Converter,
    speaker_out: Converter,
    speaker_limiter: Limiter,
    legs: Vec<Leg>,
    sum: Vec<i32>,
    mic: Vec<i32>,
    ins: Vec<Vec<i32>>,
    tmp: Vec<i32>,
    tmp2: Vec<i32>,
}

fn check_rate(r: u32) -> Result<u32, MixerError> {
    if r == 8000 || r == 16000 {
        Ok(r)
    } else {
        Err(MixerError::Rate(r))
    }
}

impl ConferenceMixer {
    /// A mixer for a microphone/speaker at `mic_rate` and legs at
    /// `leg_rates`, with frames of `frame_ms`.
    pub fn new(mic_rate: u32, leg_rates: &[u32], frame_ms: u32) -> Result<Self, MixerError> {
        check_rate(mic_rate)?;
        for &r in leg_rates {
            check_rate(r)?;
        }
        let mix_rate = leg_rates
            .iter()
            .copied()
            .chain([mic_rate])
            .max()
            .unwrap_or(mic_rate);
        Ok(Self {
            frame_ms,
            mix_rate,
            mic_rate,
            mic_in: Converter::new(mic_rate, mix_rate),
            speaker_out: Converter::new(mix_rate, mic_rate),
            speaker_limiter: Limiter { gain: 32768 },
            legs: leg_rates
                .iter()
                .map(|&rate| Leg {
                    rate,
                    inbound: Converter::new(rate, mix_rate),
                    outbound: Converter::new(mix_rate, rate),
                    limiter: Limiter { gain: 32768 },
                })
                .collect(),
            sum: Vec::new(),
            mic: Vec::new(),
            ins: vec![Vec::new(); leg_rates.len()],
            tmp: Vec::new(),
            tmp2: Vec::new(),
        })
    }

    /// The internal mixing rate.
    pub fn mix_rate(&self) -> u32 {
        self.mix_rate
    }

    fn samples(&self, rate: u32) -> usize {
        (rate * self.frame_ms / 1000) as usize
    }

    /// Mixes one frame. `legs[i]` is what leg i's far end said; `to_legs[i]`
    /// receives what to send to leg i; `speaker` what the local user hears.
    pub fn mix(
        &mut self,
        mic: &[i16],
        legs: &[&[i16]],
        to_legs: &mut [Vec<i16>],
        speaker: &mut Vec<i16>,
    ) -> Result<(), MixerError> {
        if legs.len() != self.legs.len() || to_legs.len() != self.legs.len() {
            return Err(MixerError::LegCount {
                got: legs.len().min(to_legs.len()),
                want: self.legs.len(),
            });
        }
        let want = self.samples(self.mic_rate);
        if mic.len() != want {
            return Err(MixerError::FrameLength {
                index: 0,
                got: mic.len(),
                want,
            });
        }
        for (i, (f, l)) in legs.iter().zip(&self.legs).enumerate() {
            let want = self.samples(l.rate);
            if f.len() != want {
                return Err(MixerError::FrameLength {
                    index: i + 1,
                    got: f.len(),
                    want,
                });
            }
        }
        let n = self.samples(self.mix_rate);
        self.mic_in
            .run(mic.iter().map(|&s| i32::from(s)), &mut self.mic);
        self.sum.clear();
        self.sum.extend_from_slice(&self.mic[..n]);
        for ((f, leg), buf) in legs
            .iter()
            .zip(self.legs.iter_mut())
            .zip(self.ins.iter_mut())
        {
            leg.inbound.run(f.iter().map(|&s| i32::from(s)), buf);
            for (s, v) in self.sum.iter_mut().zip(buf.iter()) {
                *s += v;
            }
        }
        for ((leg, buf), out) in self.legs.iter_mut().zip(&self.ins).zip(to_legs.iter_mut()) {
            self.tmp.clear();
            self.tmp
                .extend(self.sum.iter().zip(buf).map(|(s, v)| s - v));
            leg.outbound.run(self.tmp.iter().copied(), &mut self.tmp2);
            leg.limiter.apply(&self.tmp2, out);
        }
        self.tmp.clear();
        self.tmp
            .extend(self.sum.iter().zip(&self.mic).map(|(s, m)| s - m));
        self.speaker_out
            .run(self.tmp.iter().copied(), &mut self.tmp2);
        self.speaker_limiter.apply(&self.tmp2, speaker);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, hz: f64, amp: f64, n: usize, t0: usize) -> Vec<i16> {
        (0..n)
            .map(|i| {
                (amp * (2.0 * std::f64::consts::PI * hz * (t0 + i) as f64 / f64::from(rate)).sin())
                    as i16
            })
            .collect()
    }

    /// Goertzel power of `hz` in `x`, normalised per sample.
    fn power(x: &[i16], rate: u32, hz: f64) -> f64 {
        let w = 2.0 * std::f64::consts::PI * hz / f64::from(rate);
        let (mut s1, mut s2) = (0.0, 0.0);
        for &v in x {
            let s = f64::from(v) + 2.0 * w.cos() * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        (s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2).sqrt() / x.len() as f64
    }

    #[test]
    fn mix_minus_across_rates() {
        // mic 8 kHz, leg A G.711 (8 kHz), leg B G.722 (16 kHz)
        let mut m = ConferenceMixer::new(8000, &[8000, 16000], 20).unwrap();
        assert_eq!(m.mix_rate(), 16000);
        let mut outs = vec![Vec::new(), Vec::new()];
        let mut spk = Vec::new();
        let (fm, fa, fb) = (500.0, 1000.0, 1500.0);
        let mut last = (Vec::new(), Vec::new(), Vec::new());
        for f in 0..10 {
            let mic = tone(8000, fm, 8000.0, 160, f * 160);
            let a = tone(8000, fa, 8000.0, 160, f * 160);
            let b = tone(16000, fb, 8000.0, 320, f * 320);
            m.mix(&mic, &[&a, &b], &mut outs, &mut spk).unwrap();
            last = (outs[0].clone(), outs[1].clone(), spk.clone());
        }
        let (to_a, to_b, spk) = last;
        assert_eq!((to_a.len(), to_b.len(), spk.len()), (160, 320, 160));
        let on = 1000.0;
        let off = 100.0;
        // A hears mic and B, not itself
        assert!(
            power(&to_a, 8000, fm) > on
                && power(&to_a, 8000, fb) > on
                && power(&to_a, 8000, fa) < off
        );
        // B hears mic and A, not itself
        assert!(
            power(&to_b, 16000, fm) > on
                && power(&to_b, 16000, fa) > on
                && power(&to_b, 16000, fb) < off
        );
        // the local user hears A and B, not the microphone
        assert!(
            power(&spk, 8000, fa) > on && power(&spk, 8000, fb) > on && power(&spk, 8000, fm) < off
        );
    }

    #[test]
    fn limiter_scales_instead_of_clipping() {
        let mut m = ConferenceMixer::new(8000, &[8000, 8000], 20).unwrap();
        let loud = vec![30000i16; 160];
        let quiet = vec![-100i16; 160];
        let mut outs = vec![Vec::new(), Vec::new()];
        let mut spk = Vec::new();
        m.mix(&loud, &[&loud, &quiet], &mut outs, &mut spk).unwrap();
        // to leg B: mic + A = 60000 -> limited to LIMIT, not clipped at 32767
        assert!(
            outs[1].iter().all(|&s| i32::from(s) <= LIMIT && s > 31000),
            "{:?}",
            &outs[1][..4]
        );
        // the gain recovers slowly afterwards
        let soft = vec![1000i16; 160];
        m.mix(&soft, &[&soft, &quiet], &mut outs, &mut spk).unwrap();
        assert!(outs[1].iter().all(|&s| s < 2000));
        for _ in 0..40 {
            m.mix(&soft, &[&soft, &quiet], &mut outs, &mut spk).unwrap();
        }
        assert_eq!(outs[1][159], 2000);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(
            ConferenceMixer::new(44100, &[], 20),
            Err(MixerError::Rate(44100))
        );
        let mut m = ConferenceMixer::new(8000, &[8000, 8000], 20).unwrap();
        let f = vec![0i16; 160];
        let mut outs = vec![Vec::new(), Vec::new()];
        let mut spk = Vec::new();
        assert!(matches!(
            m.mix(&f[..100], &[&f, &f], &mut outs, &mut spk),
            Err(MixerError::FrameLength { index: 0, .. })
        ));
        assert!(matches!(
            m.mix(&f, &[&f], &mut outs, &mut spk),
            Err(MixerError::LegCount { .. })
        ));
    }
}
