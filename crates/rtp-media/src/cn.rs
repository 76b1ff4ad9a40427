//! Comfort noise (RFC 3389).
//!
//! A CN payload is one level byte (section 3.1: `0..=127` meaning 0 to
//! -127 dBov) followed by M quantised reflection coefficients (section 3.2:
//! `k = 258 * (N - 127) / 32768`). [`CnDecoder`] turns it into noise of that
//! level, shaped by the all-pole lattice filter the coefficients describe.
//!
//! 0 dBov is the overload of the system. RFC 3389 gives the µ-law example of
//! a ±8031 square wave; in the 16-bit domain our G.711 decoders produce,
//! that is ±32124, so a level of L -dBov has an RMS of
//! `32124 * 10^(-L/20)`.
//!
//! The noise comes from a seeded xorshift generator: same seed, same noise
//! (the Sans-IO rule: no global randomness).

/// RMS of 0 dBov in the 16-bit domain (µ-law ±8031 scaled by 4).
pub const DBOV0_RMS: f64 = 32124.0;
/// Highest model order kept (higher coefficients are ignored, as section 3
/// allows).
pub const MAX_ORDER: usize = 16;

/// Parsed CN parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CnParams {
    /// Noise level, 0..=127 (-dBov).
    pub level: u8,
    /// Reflection coefficients in Q15.
    pub k_q15: Vec<i32>,
}

impl CnParams {
    /// Parses a payload; `None` if it is empty. The MSB of the level byte
    /// is ignored and index 255 (reserved) is read as 254.
    pub fn parse(payload: &[u8]) -> Option<Self> {
        let (&level, rest) = payload.split_first()?;
        let k_q15 = rest
            .iter()
            .take(MAX_ORDER)
            .map(|&n| 258 * (i32::from(n.min(254)) - 127))
            .collect();
        Some(Self {
            level: level & 0x7F,
            k_q15,
        })
    }

    /// Level byte for a PCM frame (energy only, model order 0).
    pub fn level_of(pcm: &[i16]) -> u8 {
        if pcm.is_empty() {
            return 127;
        }
        let e: f64 = pcm
            .iter()
            .map(|&s| f64::from(s) * f64::from(s))
            .sum::<f64>()
            / pcm.len() as f64;
        if e <= 0.0 {
            return 127;
        }
        let db = 20.0 * (e.sqrt() / DBOV0_RMS).log10();
        (-db).round().clamp(0.0, 127.0) as u8
    }

    /// Encodes the payload.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = vec![self.level & 0x7F];
        v.extend(
            self.k_q15
                .iter()
                .map(|&k| ((k / 258) + 127).clamp(0, 254) as u8),
        );
        v
    }
}

/// Comfort-noise generator.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CnDecoder {
    params: CnParams,
    /// Excitation scale in Q16.
    scale_q16: i64,
    /// Lattice backward states b_0..b_{M-1} at n-1.
    b: Vec<i64>,
    rng: u64,
}

impl CnDecoder {
    /// A generator seeded with `seed` (any value; 0 is remapped).
    pub fn new(seed: u64) -> Self {
        Self {
            params: CnParams {
                level: 127,
                k_q15: Vec::new(),
            },
            scale_q16: 0,
            b: Vec::new(),
            rng: seed | 1,
        }
    }

    /// Current parameters.
    pub fn params(&self) -> &CnParams {
        &self.params
    }

    /// Applies a new CN payload; returns false (and keeps the old
    /// parameters) if it is empty.
    pub fn update(&mut self, payload: &[u8]) -> bool {
        let Some(p) = CnParams::parse(payload) else {
            return false;
        };
        let rms = DBOV0_RMS * 10f64.powf(-f64::from(p.level) / 20.0);
        // the lattice has power gain 1 / prod(1 - k^2)
        let prod: f64 = p
            .k_q15
            .iter()
            .map(|&k| 1.0 - (f64::from(k) / 32768.0).powi(2))
            .product();
        let uniform_rms = 32768.0 / 3f64.sqrt();
        self.scale_q16 = (rms * prod.max(1e-9).sqrt() / uniform_rms * 65536.0) as i64;
        if self.b.len() != p.k_q15.len() {
            self.b = vec![0; p.k_q15.len()];
        }
        self.params = p;
        true
    }

    fn noise(&mut self) -> i64 {
        // xorshift64
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        i64::from((x >> 48) as u16 as i16)
    }

    /// Fills `out` with noise.
    pub fn generate(&mut self, out: &mut [i16]) {
        let m = self.params.k_q15.len();
        for o in out.iter_mut() {
            let mut f = (self.noise() * self.scale_q16) >> 16;
            // all-pole lattice synthesis, stage M down to 1
            for i in (0..m).rev() {
                let k = i64::from(self.params.k_q15[i]);
                let b_prev = self.b[i];
                f -= (k * b_prev) >> 15;
                f = f.clamp(-(1 << 24), 1 << 24);
                if i + 1 < m {
                    self.b[i + 1] = ((k * f) >> 15) + b_prev;
                }
            }
            if m > 0 {
                self.b[0] = f;
            }
            *o = f.clamp(-32768, 32767) as i16;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rms_db(pcm: &[i16]) -> f64 {
        let e: f64 = pcm.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / pcm.len() as f64;
        20.0 * (e.sqrt() / DBOV0_RMS).log10()
    }

    #[test]
    fn white_noise_at_signalled_level() {
        for level in [20u8, 40, 60] {
            let mut d = CnDecoder::new(7);
            assert!(d.update(&[level]));
            let mut out = vec![0; 16000];
            d.generate(&mut out);
            let db = rms_db(&out);
            assert!(
                (db + f64::from(level)).abs() < 1.0,
                "level {level}: {db:.2} dBov"
            );
            assert_eq!(CnParams::level_of(&out), level);
        }
    }

    #[test]
    fn shaped_noise_keeps_level_and_is_deterministic() {
        let payload = [30u8, 200, 100, 140];
        let mut a = CnDecoder::new(99);
        a.update(&payload);
        let mut out = vec![0; 32000];
        a.generate(&mut out);
        assert!((rms_db(&out) + 30.0).abs() < 1.5, "{}", rms_db(&out));
        let mut b = CnDecoder::new(99);
        b.update(&payload);
        let mut out2 = vec![0; 32000];
        b.generate(&mut out2);
        assert_eq!(out, out2);
        assert!(!a.update(&[]));
        assert_eq!(CnParams::parse(&payload).unwrap().to_bytes(), payload);
    }
}
