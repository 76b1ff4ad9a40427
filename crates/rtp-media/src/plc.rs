//! Packet loss concealment by pitch repetition, in the spirit of ITU-T
//! G.711 Appendix I.
//!
//! Like Appendix I this keeps a history of the last 48.75 ms of good
//! output, estimates the pitch period over 5..15 ms by normalised
//! cross-correlation when a loss starts, and then replays the last pitch
//! period (using 1, then 2, then 3 periods after each 10 ms of loss, so a
//! long erasure does not sound buzzy), attenuating by 20 % per 10 ms after
//! the first 10 ms and reaching silence after 60 ms. At the first good frame
//! the synthetic signal is cross-faded into the real one.
//!
//! Two deliberate differences from Appendix I: there is no 3.75 ms output
//! delay (the jitter buffer hands frames straight to the device, and the
//! replay starts in phase, one period back, so the joint is continuous for a
//! periodic signal), and period-count changes are not overlap-added. The
//! concealer works at any sample rate (G.722 uses it at 16 kHz).

/// Pitch-repetition concealer for one stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Plc {
    rate: u32,
    /// Last good (or concealed) output, oldest first, fixed length.
    hist: Vec<i16>,
    /// Frozen copy of the history when the loss started.
    frozen: Vec<i16>,
    pitch: usize,
    /// Samples concealed in the current erasure.
    erased: usize,
    /// Synthetic continuation for the cross-fade into the next good frame.
    tail: Vec<i16>,
}

impl Plc {
    /// A concealer for audio at `rate` Hz.
    pub fn new(rate: u32) -> Self {
        let rate = rate.clamp(8000, 48000);
        let len = (390 * rate / 8000) as usize; // 48.75 ms
        Self {
            rate,
            hist: vec![0; len],
            frozen: Vec::new(),
            pitch: 0,
            erased: 0,
            tail: Vec::new(),
        }
    }

    fn ms(&self, ms: u32) -> usize {
        (self.rate * ms / 1000) as usize
    }

    /// Samples concealed since the last good frame.
    pub fn erased_samples(&self) -> usize {
        self.erased
    }

    /// The pitch period (samples) in use, 0 before any loss.
    pub fn pitch(&self) -> usize {
        self.pitch
    }

    fn push_hist(&mut self, s: &[i16]) {
        let n = self.hist.len();
        if s.len() >= n {
            self.hist.copy_from_slice(&s[s.len() - n..]);
        } else {
            self.hist.copy_within(s.len().., 0);
            self.hist[n - s.len()..].copy_from_slice(s);
        }
    }

    /// Records a good frame; after a loss, cross-fades the concealment into
    /// it (in place).
    pub fn good_frame(&mut self, frame: &mut [i16]) {
        if self.erased > 0 {
            let l = self.tail.len().min(frame.len());
            for (i, s) in frame.iter_mut().take(l).enumerate() {
                let w = (i + 1) as i32;
                let v = (i32::from(self.tail[i]) * (l as i32 + 1 - w) + i32::from(*s) * w)
                    / (l as i32 + 1);
                *s = v as i16;
            }
            self.erased = 0;
            self.tail.clear();
        }
        self.push_hist(frame);
    }

    /// Normalised cross-correlation pitch search (5..15 ms lag) over the
    /// last 20 ms of history.
    fn find_pitch(h: &[i16], rate: u32) -> usize {
        let min = (40 * rate / 8000) as usize;
        let max = (120 * rate / 8000) as usize;
        let win = (160 * rate / 8000) as usize;
        let n = h.len();
        if n < max + win {
            return max;
        }
        let seg = &h[n - win..];
        let mut best = (f64::MIN, max);
        for lag in min..=max {
            let past = &h[n - win - lag..n - lag];
            let (mut c, mut e) = (0i64, 1i64);
            for (a, b) in seg.iter().zip(past) {
                c += i64::from(*a) * i64::from(*b);
                e += i64::from(*b) * i64::from(*b);
            }
            let score = c as f64 / (e as f64).sqrt();
            if score > best.0 {
                best = (score, lag);
            }
        }
        best.1
    }

    fn synth(&self, k: usize) -> i16 {
        // k-th sample after the loss start, from 1..3 periods of history
        let p = self.pitch;
        let periods = if k < self.ms(10) {
            1
        } else if k < self.ms(20) {
            2
        } else {
            3
        };
        let span = (p * periods).min(self.frozen.len());
        let n = self.frozen.len();
        self.frozen[n - span + (k % span)]
    }

    fn gain_q15(&self, k: usize) -> i32 {
        let ten = self.ms(10).max(1);
        if k < ten {
            32768
        } else {
            let drop = (k - ten) as i64 * 32768 / (5 * ten as i64); // 20 % per 10 ms
            (32768 - drop).max(0) as i32
        }
    }

    /// Writes one concealment frame of `out.len()` samples.
    pub fn conceal(&mut self, out: &mut [i16]) {
        if self.erased == 0 {
            self.frozen = self.hist.clone();
            self.pitch = Self::find_pitch(&self.frozen, self.rate);
        }
        for (i, o) in out.iter_mut().enumerate() {
            let k = self.erased + i;
            *o = ((i32::from(self.synth(k)) * self.gain_q15(k)) >> 15) as i16;
        }
        self.erased += out.len();
        let l = (self.pitch / 4).max(self.ms(1)).min(self.ms(10));
        self.tail = (0..l)
            .map(|i| {
                let k = self.erased + i;
                ((i32::from(self.synth(k)) * self.gain_q15(k)) >> 15) as i16
            })
            .collect();
        self.push_hist(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(n: usize, period: usize, phase: usize) -> Vec<i16> {
        (0..n)
            .map(|i| {
                let t = (i + phase) as f64 / period as f64;
                (8000.0 * (2.0 * std::f64::consts::PI * t).sin()) as i16
            })
            .collect()
    }

    #[test]
    fn finds_pitch_and_continues_periodic_signal() {
        let mut plc = Plc::new(8000);
        let sig = tone(800, 80, 0);
        for f in sig.chunks(160) {
            plc.good_frame(&mut f.to_vec());
        }
        let mut out = vec![0; 80];
        plc.conceal(&mut out);
        assert_eq!(plc.pitch(), 80);
        // the replay continues the tone (first 10 ms at full gain)
        let want = tone(80, 80, 800);
        for (a, b) in out.iter().zip(&want) {
            assert!((a - b).abs() <= 2, "{a} vs {b}");
        }
    }

    #[test]
    fn fades_to_silence_after_60ms_and_recovers() {
        let mut plc = Plc::new(8000);
        for f in tone(800, 57, 0).chunks(160) {
            plc.good_frame(&mut f.to_vec());
        }
        let mut out = vec![0; 160];
        for _ in 0..4 {
            plc.conceal(&mut out);
        }
        assert!(out.iter().all(|&s| s == 0), "silent after 80 ms");
        assert_eq!(plc.erased_samples(), 640);
        let mut good = vec![1000; 160];
        plc.good_frame(&mut good);
        assert_eq!(plc.erased_samples(), 0);
        assert!(good[0] < 1000 && good[159] == 1000);
    }

    #[test]
    fn silence_history_conceals_silence() {
        let mut plc = Plc::new(16000);
        let mut out = vec![1; 320];
        plc.conceal(&mut out);
        assert!(out.iter().all(|&s| s == 0));
    }
}
