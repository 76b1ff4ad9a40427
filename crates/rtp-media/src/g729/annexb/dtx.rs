//! Encoder side of the discontinuous transmission of G.729 Annex B (B.4):
//! for every frame the VAD declares inactive, decide between a SID frame
//! and no transmission (B.4.1–B.4.2), compute and quantise the SID
//! parameters (B.4.3), and generate the comfort-noise excitation with the
//! decoder's generator so that the encoder's memories stay in step with
//! the decoder (B.4.4).
//!
//! The filter of a SID frame is derived from autocorrelations averaged
//! over the last frames (B.4.1, eq. B.10–B.11); the stationarity tests use
//! the Itakura-like distance of B.4.2 (eq. B.12–B.14).

use super::cng::{CngSubframe, calc_exc_rand};
use super::sid::SidParams;
use super::sid_quant::{lsfq_noise, qua_sidgain};
use crate::g729::basic_op::*;
use crate::g729::encoder::lpc::{Autocorrelation, Levinson, az_lsp};
use crate::g729::lsp::{FreqPrev, int_qlpc};
use crate::g729::tables::annex_b::{
    A_GAIN0, A_GAIN1, FR_SID_MIN, FRAC_THRESH1, FRAC_THRESH2, NB_CURACF, NB_GAIN, NB_SUMACF,
    SIZ_ACF, SIZ_SUMACF, TAB_SIDGAIN,
};
use crate::g729::tables::{M, MP1};

/// What the DTX decision made of an inactive frame (B.4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoiseFrame {
    /// A SID frame with these parameters.
    Sid(SidParams),
    /// Nothing is transmitted.
    NoTx,
}

/// Encoder DTX/CNG state (B.4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DtxEncoder {
    /// Quantised LSPs of the last SID frame.
    lsp_sid_q: [i16; M],
    /// Past average filter and the reference filter's autocorrelation
    /// (with its scaling) for the Itakura distance.
    past_coeff: [i16; MP1],
    r_coeff: [i16; MP1],
    sh_r_coeff: i16,
    /// Autocorrelations of the last `NB_CURACF` frames and their scalings.
    acf: [i16; SIZ_ACF],
    sh_acf: [i16; NB_CURACF],
    /// Sums of `NB_CURACF` autocorrelations, the last `NB_SUMACF` of them.
    sum_acf: [i16; SIZ_SUMACF],
    sh_sum_acf: [i16; NB_SUMACF],
    /// Residual energies of the last frames and their scalings.
    ener: [i16; NB_GAIN],
    sh_ener: [i16; NB_GAIN],
    fr_cur: i16,
    cur_gain: i16,
    nb_ener: i16,
    sid_gain: i16,
    flag_chang: bool,
    prev_energy: i16,
    count_fr0: i16,
}

impl Default for DtxEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl DtxEncoder {
    /// Reset state (B.4).
    pub fn new() -> Self {
        Self {
            lsp_sid_q: [0; M],
            past_coeff: [0; MP1],
            r_coeff: [0; MP1],
            sh_r_coeff: 0,
            acf: [0; SIZ_ACF],
            sh_acf: [40; NB_CURACF],
            sum_acf: [0; SIZ_SUMACF],
            sh_sum_acf: [40; NB_SUMACF],
            ener: [0; NB_GAIN],
            sh_ener: [40; NB_GAIN],
            fr_cur: 0,
            cur_gain: 0,
            nb_ener: 0,
            sid_gain: 0,
            flag_chang: false,
            prev_energy: 0,
            count_fr0: 0,
        }
    }

    /// Stores the frame's (not lag-windowed) autocorrelation `r_h` with
    /// exponent `exp_r` (B.4.1), every frame; every `NB_CURACF` frames of
    /// active voice the running sum is advanced.
    pub(crate) fn update(&mut self, r_h: &[i16; MP1], exp_r: i16, vad: bool) {
        self.acf.copy_within(0..SIZ_ACF - MP1, MP1);
        self.sh_acf.copy_within(0..NB_CURACF - 1, 1);
        self.sh_acf[0] = negate(add(16, exp_r));
        self.acf[..MP1].copy_from_slice(r_h);
        self.fr_cur = add(self.fr_cur, 1);
        if self.fr_cur == NB_CURACF as i16 {
            self.fr_cur = 0;
            if vad {
                self.update_sum_acf();
            }
        }
    }

    /// One inactive frame (B.4.2–B.4.4): the DTX decision and SID
    /// parameters, then `L_FRAME` samples of comfort-noise excitation at
    /// `exc[pos..]` (history before `pos`), the interpolated LP filters of
    /// both subframes in `aq`, and the new `lsp_old_q`. `past_vad` is the
    /// previous frame's VAD decision. Returns the decision and the adaptive
    /// gains and lags of the generated excitation (for the taming memory).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn noise_frame(
        &mut self,
        exc: &mut [i16],
        pos: usize,
        past_vad: bool,
        lsp_old_q: &mut [i16; M],
        aq: &mut [i16; 2 * MP1],
        freq_prev: &mut FreqPrev,
        seed: &mut i16,
        levinson: &mut Levinson,
    ) -> (NoiseFrame, [CngSubframe; 2]) {
        self.ener.copy_within(0..NB_GAIN - 1, 1);
        self.sh_ener.copy_within(0..NB_GAIN - 1, 1);

        // Current filter from the last NB_CURACF autocorrelations.
        let (cur_acf, sh) = calc_sum_acf(&self.acf, &self.sh_acf);
        self.sh_ener[0] = sh;
        let mut cur_coeff = [0i16; MP1];
        cur_coeff[0] = 4096;
        if cur_acf[0] == 0 {
            self.ener[0] = 0;
        } else {
            let (a, _, err) = levinson.solve_err(&Autocorrelation {
                hi: cur_acf,
                lo: [0; MP1],
            });
            cur_coeff = a;
            if let Some(e) = err {
                self.ener[0] = e;
            }
        }

        // DTX decision (B.4.2).
        let energyq;
        let cur_igain;
        let sid;
        if past_vad {
            sid = true;
            self.count_fr0 = 0;
            self.nb_ener = 1;
            (cur_igain, energyq) = qua_sidgain(&self.ener, &self.sh_ener, 1);
        } else {
            self.nb_ener = add(self.nb_ener, 1).min(NB_GAIN as i16);
            (cur_igain, energyq) = qua_sidgain(&self.ener, &self.sh_ener, self.nb_ener as usize);
            if cmp_filt(
                &self.r_coeff,
                self.sh_r_coeff,
                &cur_acf,
                self.ener[0],
                FRAC_THRESH1,
            ) {
                self.flag_chang = true;
            }
            if sub(abs_s(sub(self.prev_energy, energyq)), 2) > 0 {
                self.flag_chang = true;
            }
            self.count_fr0 = add(self.count_fr0, 1);
            if self.count_fr0 < FR_SID_MIN {
                sid = false;
            } else {
                sid = self.flag_chang;
                self.count_fr0 = FR_SID_MIN;
            }
        }

        let mut frame = NoiseFrame::NoTx;
        if sid {
            self.count_fr0 = 0;
            self.flag_chang = false;
            // Past average filter (B.4.1) becomes the reference.
            self.past_coeff = self.calc_pastfilt(levinson);
            (self.r_coeff, self.sh_r_coeff) = calc_rcoeff(&self.past_coeff);
            // Stationary: send the average filter, else the current one.
            let lpc = if !cmp_filt(
                &self.r_coeff,
                self.sh_r_coeff,
                &cur_acf,
                self.ener[0],
                FRAC_THRESH2,
            ) {
                self.past_coeff
            } else {
                (self.r_coeff, self.sh_r_coeff) = calc_rcoeff(&cur_coeff);
                cur_coeff
            };
            let lsp_new = az_lsp(&lpc, lsp_old_q);
            let (mut p, lspq) = lsfq_noise(&lsp_new, freq_prev);
            self.lsp_sid_q = lspq;
            self.prev_energy = energyq;
            p.gain = cur_igain as u8;
            self.sid_gain = TAB_SIDGAIN[cur_igain as usize];
            frame = NoiseFrame::Sid(p);
        }

        // Comfort-noise excitation (B.4.4, eq. B.20 smoothing).
        self.cur_gain = if past_vad {
            self.sid_gain
        } else {
            add(
                mult_r(self.cur_gain, A_GAIN0),
                mult_r(self.sid_gain, A_GAIN1),
            )
        };
        let used = calc_exc_rand(self.cur_gain, exc, pos, seed);
        int_qlpc(lsp_old_q, &self.lsp_sid_q, aq);
        *lsp_old_q = self.lsp_sid_q;
        if self.fr_cur == 0 {
            self.update_sum_acf();
        }
        (frame, used)
    }

    /// Average filter of the last `NB_SUMACF` autocorrelation sums
    /// (B.4.1, eq. B.11).
    fn calc_pastfilt(&self, levinson: &mut Levinson) -> [i16; MP1] {
        let (s, _) = calc_sum_acf(&self.sum_acf, &self.sh_sum_acf);
        if s[0] == 0 {
            let mut c = [0i16; MP1];
            c[0] = 4096;
            return c;
        }
        levinson
            .solve_err(&Autocorrelation {
                hi: s,
                lo: [0; MP1],
            })
            .0
    }

    fn update_sum_acf(&mut self) {
        self.sum_acf.copy_within(0..SIZ_SUMACF - MP1, MP1);
        self.sh_sum_acf.copy_within(0..NB_SUMACF - 1, 1);
        let (s, sh) = calc_sum_acf(&self.acf, &self.sh_acf);
        self.sum_acf[..MP1].copy_from_slice(&s);
        self.sh_sum_acf[0] = sh;
    }
}

/// Sum of `N` scaled autocorrelation vectors `acf[i·MP1..]·2^−sh[i]`,
/// renormalised; returns the sum and its scaling.
fn calc_sum_acf<const N: usize>(acf: &[i16], sh_acf: &[i16; N]) -> ([i16; MP1], i16) {
    let sh0 = add(*sh_acf.iter().min().expect("N ≥ 1"), 14);
    let mut tab = [0i32; MP1];
    for i in 0..N {
        let temp = sub(sh0, sh_acf[i]);
        for j in 0..MP1 {
            let t = l_shl(l_deposit_l(acf[i * MP1 + j]), temp);
            tab[j] = l_add(tab[j], t);
        }
    }
    let temp = norm_l(tab[0]);
    let mut sum = [0i16; MP1];
    for i in 0..MP1 {
        sum[i] = extract_h(l_shl(tab[i], temp));
    }
    (sum, add(sh0, sub(temp, 16)))
}

/// Autocorrelation of the LP coefficients, normalised (B.4.2, eq. B.13).
fn calc_rcoeff(coeff: &[i16; MP1]) -> ([i16; MP1], i16) {
    let mut acc = 0i32;
    for &c in coeff {
        acc = l_mac(acc, c, c);
    }
    let sh1 = norm_l(acc);
    let mut r = [0i16; MP1];
    r[0] = round16(l_shl(acc, sh1));
    for i in 1..=M {
        let mut acc = 0i32;
        for j in 0..=M - i {
            acc = l_mac(acc, coeff[j], coeff[j + i]);
        }
        r[i] = round16(l_shl(acc, sh1));
    }
    (r, sh1)
}

/// Itakura distance test (B.4.2, eq. B.12): `true` when the filter with
/// autocorrelation `r_coeff` predicts the frame with autocorrelation `acf`
/// worse than `alpha·(1 + thresh)`, `alpha` being the frame's residual
/// energy.
fn cmp_filt(
    r_coeff: &[i16; MP1],
    sh_r_coeff: i16,
    acf: &[i16; MP1],
    alpha: i16,
    thresh: i16,
) -> bool {
    let mut sh = [0i16; 2];
    let mut ind = 1usize;
    let dist = loop {
        // The reference restarts with one more bit of headroom on either
        // side, alternately, whenever the accumulation saturates; without
        // saturation the accumulation is exact.
        let t1 = shr(r_coeff[0], sh[0]);
        let t2 = shr(acf[0], sh[1]);
        let mut exact = i64::from(t1) * i64::from(t2); // L_mult then L_shr 1
        let mut ovf = t1 == i16::MIN && t2 == i16::MIN;
        for i in 1..=M {
            let t1 = shr(r_coeff[i], sh[0]);
            let t2 = shr(acf[i], sh[1]);
            let p = 2 * i64::from(t1) * i64::from(t2);
            if p > i64::from(i32::MAX) {
                ovf = true;
            }
            exact += p;
            if exact > i64::from(i32::MAX) || exact < i64::from(i32::MIN) {
                ovf = true;
            }
        }
        if ovf {
            sh[ind] = add(sh[ind], 1);
            ind = 1 - ind;
        } else {
            break exact as i32;
        }
    };
    let t = mult_r(alpha, thresh);
    let mut l_thr = l_add(l_deposit_l(t), l_deposit_l(alpha));
    let shift = sub(add(sh_r_coeff, 9), add(sh[0], sh[1]));
    l_thr = l_shl(l_thr, shift);
    l_sub(dist, l_thr) > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sum_of_equal_acfs_doubles() {
        let mut acf = [0i16; 2 * MP1];
        for j in 0..MP1 {
            acf[j] = 16384 - 1000 * j as i16;
            acf[MP1 + j] = acf[j];
        }
        let (one, sh1) = calc_sum_acf(&acf[..MP1], &[3]);
        let (two, sh2) = calc_sum_acf(&acf, &[3, 3]);
        // Same mantissa, one bit less of negative scaling.
        assert_eq!(one, two);
        assert_eq!(sh2, sh1 - 1);
    }

    #[test]
    fn distance_test_is_monotonic_in_the_residual_energy() {
        let mut flat = [0i16; MP1];
        flat[0] = 4096;
        let (r, sh) = calc_rcoeff(&flat);
        let mut acf = [0i16; MP1];
        for (i, v) in acf.iter_mut().enumerate() {
            *v = 16384 - 1400 * i as i16;
        }
        // No residual energy: any positive distance is a change.
        assert!(cmp_filt(&r, sh, &acf, 0, FRAC_THRESH1));
        // A huge residual energy: never a change.
        assert!(!cmp_filt(&r, sh, &acf, i16::MAX, FRAC_THRESH1));
        // Changing once means changing for every smaller energy.
        let mut changed = true;
        for alpha in (0..=i16::MAX).step_by(97) {
            let c = cmp_filt(&r, sh, &acf, alpha, FRAC_THRESH2);
            assert!(changed || !c, "alpha {alpha}");
            changed = c;
        }
    }
}
