//! G.722 7 kHz audio at 64 kbit/s (ITU-T G.722), with the 56 and 48 kbit/s
//! decoder modes, written from the Recommendation's block descriptions.
//!
//! Structure (G.722 section 1.4 and the block diagrams of sections 3 and
//! 4):
//!
//! * a 24-tap quadrature mirror filter pair splits 16 kHz input into a
//!   lower and a higher sub-band at 8 kHz (transmit QMF, section 3.1) and
//!   joins them again (receive QMF, section 4.4);
//! * each sub-band has an ADPCM coder with a backward-adaptive predictor of
//!   two poles and six zeros (blocks `FILTEP`, `FILTEZ`, `UPPOL1`,
//!   `UPPOL2`, `UPZERO`), a logarithmic scale factor (`LOGSCL`, `SCALEL`,
//!   `LOGSCH`, `SCALEH`) and a quantiser: 6 bits (60 levels) in the lower
//!   band, 2 bits in the higher band;
//! * the lower-band decoder reconstructs with 6, 5 or 4 bits (modes 1, 2, 3:
//!   64, 56, 48 kbit/s, section 4.2); the predictor and the scale factor
//!   always use the 4 most significant bits, so encoder and decoder stay in
//!   step whatever bits the channel steals.
//!
//! All arithmetic is the Recommendation's 16-bit fixed point: products are
//! shifted right arithmetically (floor), sums limited to the 16-bit range
//! where the blocks say so.
//!
//! The ITU test configuration of Appendix II bypasses the QMF:
//! [`G722Encoder::encode_core`] and [`G722Decoder::decode_core`] expose it,
//! and the tests run all Appendix II sequences and the full-codec sequences
//! from `../shared/codec-vectors/g722`.
//!
//! RTP (RFC 3551 section 4.5.2): one octet per pair of 16 kHz samples, and
//! the RTP clock runs at 8000 Hz although audio is sampled at 16 kHz.

/// Lower-band decoder mode (G.722 section 1.3, Table 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Mode 1: 64 kbit/s, 6 bits for the lower band.
    #[default]
    Mode1,
    /// Mode 2: 56 kbit/s, 5 bits.
    Mode2,
    /// Mode 3: 48 kbit/s, 4 bits.
    Mode3,
}

/// Transmit/receive QMF coefficients h(0)..h(11) (G.722 Table 11); the
/// filter is symmetric, h(23 - i) = h(i).
const QMF: [i32; 12] = [3, -11, -11, 53, 12, -156, 32, 362, -210, -805, 951, 3876];

#[inline(always)]
fn h(i: usize) -> i32 {
    if i < 12 { QMF[i] } else { QMF[23 - i] }
}

/// Lower-band quantiser decision levels (QUANTL, Table 14, normalised).
const Q6: [i32; 30] = [
    0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940,
    1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919,
];
/// 6-bit codes for negative / positive differences per interval (Table 14).
const ILN: [u8; 31] = [
    0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11,
    10, 9, 8, 7, 6, 5, 4,
];
const ILP: [u8; 31] = [
    0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39,
    38, 37, 36, 35, 34, 33, 32,
];
/// 6-bit inverse quantiser output levels QQ6 (Table 14), interval 1..30.
const QQ6: [i32; 30] = [
    17, 54, 91, 130, 170, 211, 254, 300, 347, 396, 447, 501, 558, 618, 682, 750, 822, 899, 982,
    1072, 1170, 1279, 1399, 1535, 1689, 1873, 2088, 2376, 2738, 3101,
];
/// 5-bit levels QQ5 (Table 15), 4-bit levels QQ4 (Table 16).
const QQ5: [i32; 15] = [
    35, 110, 190, 276, 370, 473, 587, 714, 858, 1023, 1219, 1458, 1765, 2195, 2919,
];
const QQ4: [i32; 7] = [150, 323, 530, 786, 1121, 1612, 2557];
/// Log scale factor multipliers, lower band, by |4-bit level| (Table 17),
/// and higher band (Table 20).
const WL: [i32; 8] = [-60, -30, 58, 172, 334, 538, 1198, 3042];
const WH: [i32; 2] = [798, -214];
/// Inverse-log table ILB (Table 18): 2048 * 2^(i/32).
const ILB: [i32; 32] = [
    2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
    2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
];
/// Higher-band 2-bit levels QQ2 (Table 19), by code IH = 0..3.
const QM2: [i32; 4] = [-926 * 8, -202 * 8, 926 * 8, 202 * 8];

/// Signed inverse-quantiser tables (levels times 8, as the INVQAL/INVQBL
/// blocks use them), indexed by the 6-, 5- or 4-bit code.
struct Tables {
    qm6: [i32; 64],
    qm5: [i32; 32],
    qm4: [i32; 16],
    /// Scale-factor multiplier WL by 4-bit code.
    wl4: [i32; 16],
}

const fn build_tables() -> Tables {
    let mut qm6 = [0i32; 64];
    let mut qm5 = [0i32; 32];
    let mut qm4 = [0i32; 16];
    let mut wl4 = [0i32; 16];
    // Codes 0..3 are never sent by an encoder; they decode like the
    // smallest negative level (Table 14 note: codes 0000xx).
    qm6[0] = -QQ6[0] * 8;
    qm6[1] = -QQ6[0] * 8;
    qm6[2] = -QQ6[0] * 8;
    qm6[3] = -QQ6[0] * 8;
    let mut mil = 1;
    while mil <= 30 {
        qm6[ILN[mil] as usize] = -QQ6[mil - 1] * 8;
        qm6[ILP[mil] as usize] = QQ6[mil - 1] * 8;
        mil += 1;
    }
    // 5-bit: code c5 = IL >> 1. Intervals pair up: level k covers 6-bit
    // intervals 2k-1, 2k.
    qm5[0] = -QQ5[0] * 8;
    qm5[1] = -QQ5[0] * 8;
    let mut k = 1;
    while k <= 15 {
        let neg = ILN[2 * k - 1] as usize >> 1;
        let neg2 = ILN[2 * k] as usize >> 1;
        let pos = ILP[2 * k - 1] as usize >> 1;
        qm5[neg] = -QQ5[k - 1] * 8;
        qm5[neg2] = -QQ5[k - 1] * 8;
        qm5[pos] = QQ5[k - 1] * 8;
        k += 1;
    }
    // 4-bit: c4 = IL >> 2; level 0 for the two innermost intervals, then
    // QQ4 for each group of four.
    let mut c = 0;
    while c < 64 {
        let c4 = c >> 2;
        let lvl = qm6[c];
        // find magnitude index of the 6-bit level
        let mag = if lvl < 0 { -lvl } else { lvl } / 8;
        let mut m = 0;
        while m < 30 && QQ6[m] != mag {
            m += 1;
        }
        // intervals 1-2 -> 0, 3-6 -> QQ4[0], 7-10 -> QQ4[1] ...
        let mil = m + 1;
        let idx4: i32 = if c < 4 || mil <= 2 {
            -1
        } else {
            ((mil - 3) / 4) as i32
        };
        if idx4 < 0 {
            qm4[c4] = 0;
            wl4[c4] = WL[0];
        } else {
            let v = QQ4[idx4 as usize] * 8;
            qm4[c4] = if lvl < 0 { -v } else { v };
            wl4[c4] = WL[idx4 as usize + 1];
        }
        c += 1;
    }
    Tables { qm6, qm5, qm4, wl4 }
}

static T: Tables = build_tables();

/// QUANTL: the first interval `mil` in 1..=29 with `wd < Q6[mil]*DETL >> 12`,
/// or 30. The thresholds grow with `mil`, so a binary search finds the
/// same interval as the Recommendation's linear scan.
#[inline(always)]
fn quantl_interval(wd: i32, det: i32) -> usize {
    let (mut lo, mut hi) = (1usize, 30usize);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if wd >= (Q6[mid] * det) >> 12 {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

#[inline(always)]
fn sat16(x: i32) -> i32 {
    x.clamp(-32768, 32767)
}

/// Adaptive predictor of one sub-band (two poles, six zeros) and its scale
/// factor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Band {
    /// Predicted signal value (PREDIC output).
    s: i32,
    /// Zero-section output (FILTEZ).
    sz: i32,
    /// Reconstructed signal, delayed by 1 and 2 samples.
    r: [i32; 3],
    /// Partially reconstructed signal, delayed by 1 and 2.
    p: [i32; 3],
    /// Pole coefficients a1, a2.
    a: [i32; 3],
    /// Zero coefficients b1..b6.
    b: [i32; 7],
    /// Quantised difference, delayed by 1..6.
    d: [i32; 7],
    /// Log scale factor.
    nb: i32,
    /// Scale factor.
    det: i32,
}

impl Band {
    fn new(det: i32) -> Self {
        Self {
            s: 0,
            sz: 0,
            r: [0; 3],
            p: [0; 3],
            a: [0; 3],
            b: [0; 7],
            d: [0; 7],
            nb: 0,
            det,
        }
    }

    /// LOGSCL/SCALEL (lower band, `max_nb = 18432`, `shift_base = 8`) or
    /// LOGSCH/SCALEH (higher band, 22528, 10).
    #[inline(always)]
    fn scale(&mut self, w: i32, max_nb: i32, shift_base: i32) {
        let nbp = (((self.nb * 32512) >> 15) + w).clamp(0, max_nb);
        self.nb = nbp;
        let wd1 = ILB[((nbp >> 6) & 31) as usize];
        let sh = shift_base - (nbp >> 11);
        let wd3 = if sh >= 0 { wd1 >> sh } else { wd1 << -sh };
        self.det = wd3 << 2;
    }

    /// RECONS, PARREC, UPPOL2, UPPOL1, UPZERO, DELAYA, FILTEP, FILTEZ,
    /// PREDIC for one quantised difference `d`.
    #[inline(always)]
    fn adapt(&mut self, d: i32) {
        let r0 = sat16(self.s + d);
        let p0 = sat16(self.sz + d);
        // UPPOL2
        let sg0 = p0 >> 15;
        let sg1 = self.p[1] >> 15;
        let sg2 = self.p[2] >> 15;
        let wd1 = sat16(self.a[1] << 2);
        let wd2 = if sg0 == sg1 { (-wd1).min(32767) } else { wd1 };
        let wd3 = (wd2 >> 7) + if sg0 == sg2 { 128 } else { -128 };
        let a2 = (wd3 + ((self.a[2] * 32512) >> 15)).clamp(-12288, 12288);
        // UPPOL1
        let wd1 = if sg0 == sg1 { 192 } else { -192 };
        let lim = 15360 - a2;
        let a1 = sat16(wd1 + ((self.a[1] * 32640) >> 15)).clamp(-lim, lim);
        // UPZERO
        let step = if d == 0 { 0 } else { 128 };
        let sgd = d >> 15;
        for i in 1..7 {
            let wd2 = if self.d[i] >> 15 == sgd { step } else { -step };
            self.b[i] = sat16(wd2 + ((self.b[i] * 32640) >> 15));
        }
        // DELAYA
        for i in (2..7).rev() {
            self.d[i] = self.d[i - 1];
        }
        self.d[1] = d;
        self.r[2] = self.r[1];
        self.r[1] = r0;
        self.p[2] = self.p[1];
        self.p[1] = p0;
        self.a[1] = a1;
        self.a[2] = a2;
        // FILTEP
        let wd1 = (self.a[1] * sat16(self.r[1] + self.r[1])) >> 15;
        let wd2 = (self.a[2] * sat16(self.r[2] + self.r[2])) >> 15;
        let sp = sat16(wd1 + wd2);
        // FILTEZ
        let mut sz = 0;
        for i in 1..7 {
            sz += (self.b[i] * sat16(self.d[i] + self.d[i])) >> 15;
        }
        self.sz = sat16(sz);
        // PREDIC
        self.s = sat16(sp + self.sz);
    }
}

/// The sub-band ADPCM state shared by encoder and decoder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Core {
    low: Band,
    high: Band,
}

impl Core {
    fn new() -> Self {
        Self {
            low: Band::new(32),
            high: Band::new(8),
        }
    }

    fn adapt_low(&mut self, il: u8) -> i32 {
        let c4 = (il >> 2) as usize;
        let dlt = (self.low.det * T.qm4[c4]) >> 15;
        self.low.scale(T.wl4[c4], 18432, 8);
        self.low.adapt(dlt);
        dlt
    }

    fn adapt_high(&mut self, ih: u8) {
        let dh = (self.high.det * QM2[ih as usize]) >> 15;
        self.high.scale(WH[(ih & 1) as usize], 22528, 10);
        self.high.adapt(dh);
    }
}

/// G.722 encoder state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct G722Encoder {
    core: Core,
    /// Input history x(j)..x(j-23), newest first.
    x: [i32; 24],
}

impl Default for G722Encoder {
    fn default() -> Self {
        Self::new()
    }
}

impl G722Encoder {
    /// An encoder in the reset state.
    pub fn new() -> Self {
        Self {
            core: Core::new(),
            x: [0; 24],
        }
    }

    /// Resets the ADPCM state (Appendix II reset) and the QMF delay line.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Encodes one sub-band sample pair (Appendix II configuration 1: the
    /// QMF is bypassed); returns the 8-bit codeword `IH << 6 | IL`.
    pub fn encode_core(&mut self, xl: i16, xh: i16) -> u8 {
        // Lower band: SUBTRA, QUANTL
        let el = sat16(i32::from(xl) - self.core.low.s);
        let wd = if el >= 0 { el } else { -(el + 1) };
        let det = self.core.low.det;
        let mil = quantl_interval(wd, det);
        let il = if el < 0 { ILN[mil] } else { ILP[mil] };
        self.core.adapt_low(il);
        // Higher band: SUBTRA, QUANTH
        let eh = sat16(i32::from(xh) - self.core.high.s);
        let wd = if eh >= 0 { eh } else { -(eh + 1) };
        let mih = if wd >= (564 * self.core.high.det) >> 12 {
            2
        } else {
            1
        };
        let ih: u8 = match (eh < 0, mih) {
            (true, 1) => 1,
            (true, _) => 0,
            (false, 1) => 3,
            (false, _) => 2,
        };
        self.core.adapt_high(ih);
        (ih << 6) | il
    }

    /// Encodes 16 kHz PCM; two samples make one codeword. Encodes
    /// `min(pcm.len() / 2, out.len())` codewords and returns that count.
    pub fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> usize {
        let n = (pcm.len() / 2).min(out.len());
        for (pair, o) in pcm.chunks_exact(2).zip(out.iter_mut()).take(n) {
            // Transmit QMF (section 3.1): shift in two samples.
            self.x.copy_within(0..22, 2);
            self.x[1] = i32::from(pair[0]);
            self.x[0] = i32::from(pair[1]);
            let mut xa = 0i32;
            let mut xb = 0i32;
            for i in 0..12 {
                xa += h(2 * i) * self.x[2 * i];
                xb += h(2 * i + 1) * self.x[2 * i + 1];
            }
            let xl = ((xa + xb) >> 14).clamp(-16384, 16383) as i16;
            let xh = ((xa - xb) >> 14).clamp(-16384, 16383) as i16;
            *o = self.encode_core(xl, xh);
        }
        n
    }
}

/// G.722 decoder state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct G722Decoder {
    mode: Mode,
    core: Core,
    /// Receive QMF delay lines of xd = rl - rh and xs = rl + rh, newest
    /// first.
    xd: [i32; 12],
    xs: [i32; 12],
}

impl Default for G722Decoder {
    fn default() -> Self {
        Self::new(Mode::Mode1)
    }
}

impl G722Decoder {
    /// A decoder in the reset state.
    pub fn new(mode: Mode) -> Self {
        Self {
            mode,
            core: Core::new(),
            xd: [0; 12],
            xs: [0; 12],
        }
    }

    /// Resets everything but the mode.
    pub fn reset(&mut self) {
        *self = Self::new(self.mode);
    }

    /// The lower-band mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Changes the lower-band mode (it may change at any codeword).
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// Decodes one codeword with the QMF bypassed (Appendix II
    /// configuration 2); returns the reconstructed lower- and higher-band
    /// samples RL and RH, each in -16384..=16383.
    pub fn decode_core(&mut self, code: u8) -> (i16, i16) {
        let il = code & 0x3F;
        let ih = code >> 6;
        // INVQBL with the mode's resolution
        let q = match self.mode {
            Mode::Mode1 => T.qm6[il as usize],
            Mode::Mode2 => T.qm5[(il >> 1) as usize],
            Mode::Mode3 => T.qm4[(il >> 2) as usize],
        };
        let dl = (self.core.low.det * q) >> 15;
        let rl = (self.core.low.s + dl).clamp(-16384, 16383);
        self.core.adapt_low(il);
        let dh = (self.core.high.det * QM2[ih as usize]) >> 15;
        let rh = (self.core.high.s + dh).clamp(-16384, 16383);
        self.core.adapt_high(ih);
        (rl as i16, rh as i16)
    }

    /// Decodes codewords into 16 kHz PCM, two samples per codeword;
    /// decodes `min(codes.len(), out.len() / 2)` codewords and returns the
    /// number of samples written.
    pub fn decode(&mut self, codes: &[u8], out: &mut [i16]) -> usize {
        let n = codes.len().min(out.len() / 2);
        for (&c, o) in codes.iter().zip(out.chunks_exact_mut(2)).take(n) {
            let (rl, rh) = self.decode_core(c);
            let (rl, rh) = (i32::from(rl), i32::from(rh));
            self.xd.copy_within(0..11, 1);
            self.xs.copy_within(0..11, 1);
            self.xd[0] = rl - rh;
            self.xs[0] = rl + rh;
            let mut x1 = 0i32;
            let mut x2 = 0i32;
            for i in 0..12 {
                x1 += h(2 * i) * self.xd[i];
                x2 += h(2 * i + 1) * self.xs[i];
            }
            // xout = 2 * sum, scaled back to 16 bits (section 4.4)
            o[0] = (x1 >> 11).clamp(-32768, 32767) as i16;
            o[1] = (x2 >> 11).clamp(-32768, 32767) as i16;
        }
        2 * n
    }
}

#[cfg(test)]
mod tests;
