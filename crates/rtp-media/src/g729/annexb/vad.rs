//! Voice activity detection of G.729 Annex B (B.3).
//!
//! Per frame the detector extracts four parameters (B.3.1): the full-band
//! energy `Ef`, the low-band energy `El` (below 1 kHz), the spectral
//! distortion `ΔS` between the frame's LSFs and their running mean, and the
//! zero-crossing rate `ZC`. Their differences with running background-noise
//! averages feed the multi-boundary initial decision of B.3.5 (`make_dec`),
//! which is then smoothed in four stages (B.3.6); the averages are updated
//! only in frames that look like background noise (B.3.7).

use crate::g729::basic_op::*;
use crate::g729::tables::M;
use crate::g729::tables::annex_b::{FACTOR_FX, INIT_COUNT, INIT_FRAME, LBF_CORR, NP, SHIFT_FX};
use crate::g729::util::log2;

/// First and last sample (exclusive/inclusive) of the zero-crossing count
/// in the analysis window (B.3.1.4: the current frame, samples 120…200).
const ZC_START: usize = 120;
const ZC_END: usize = 200;

/// State of the Annex B voice activity detector (B.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Vad {
    /// Running means of the background noise: LSFs, energies, ZC (B.3.7).
    mean_lsf: [i16; M],
    mean_e: i16,
    mean_se: i16,
    mean_sle: i16,
    mean_szc: i16,
    /// Minimum energy tracking over the last 128 frames (B.3.2).
    min_buffer: [i16; 16],
    prev_min: i16,
    next_min: i16,
    min: i16,
    prev_energy: i16,
    count_sil: i16,
    count_update: i16,
    count_ext: i16,
    flag: bool,
    v_flag: bool,
    less_count: i16,
}

impl Default for Vad {
    fn default() -> Self {
        Self::new()
    }
}

/// Full-band or low-band energy (B.3.1.1–B.3.1.2, eq. B.1–B.2) in the
/// Q11 log domain: `10·log10(x·2^(exp_r0 − 2) / L_WINDOW)`, with `log2`
/// scaled by `10·log10(2)` (9864 in Q15) and the constant `10·log10(240)`
/// (4875 in Q11) removed.
fn energy_db(acc: i32, exp_r0: i16) -> i16 {
    let (exp, frac) = log2(acc);
    let mut acc0 = mpy_32_16(exp, frac, 9864);
    let i = sub(sub(exp_r0, 1), 1);
    acc0 = l_mac(acc0, 9864, i);
    acc0 = l_shl(acc0, 11);
    sub(extract_h(acc0), 4875)
}

impl Vad {
    /// Reset state (B.3).
    pub fn new() -> Self {
        Self {
            mean_lsf: [0; M],
            mean_e: 0,
            mean_se: 0,
            mean_sle: 0,
            mean_szc: 0,
            min_buffer: [0; 16],
            prev_min: 0,
            next_min: 0,
            min: MAX_16,
            prev_energy: 0,
            count_sil: 0,
            count_update: 0,
            count_ext: 0,
            flag: true,
            v_flag: false,
            less_count: 0,
        }
    }

    /// VAD decision of one frame (`true` = active voice).
    ///
    /// * `rc` — second reflection coefficient of the frame (Q15);
    /// * `lsf` — unquantised LSFs (normalised, Q15);
    /// * `r_h` — lag-windowed autocorrelations r(0..=12), high words, with
    ///   `r0_lo` the low word of r(0) and `exp_r0` its exponent;
    /// * `sigpp` — the pre-processed 240-sample analysis window;
    /// * `frm_count` — frame counter (1 for the first frame, wrapping from
    ///   32767 to 256);
    /// * `prev`, `pprev` — the decisions of the last two frames.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn decide(
        &mut self,
        rc: i16,
        lsf: &[i16; M],
        r_h: &[i16; NP + 1],
        r0_lo: i16,
        exp_r0: i16,
        sigpp: &[i16],
        frm_count: i16,
        prev: bool,
        pprev: bool,
    ) -> bool {
        // B.3.1: parameters.
        let energy = energy_db(l_comp(r_h[0], r0_lo), exp_r0);
        let mut acc0 = 0i32;
        for i in 1..=NP {
            acc0 = l_mac(acc0, r_h[i], LBF_CORR[i]);
        }
        acc0 = l_shl(acc0, 1);
        acc0 = l_mac(acc0, r_h[0], LBF_CORR[0]);
        let energy_low = energy_db(acc0, exp_r0);

        let mut acc0 = 0i32;
        for i in 0..M {
            let j = sub(lsf[i], self.mean_lsf[i]);
            acc0 = l_mac(acc0, j, j);
        }
        let sd = extract_h(acc0);

        let mut zc = 0i16;
        for i in ZC_START + 1..=ZC_END {
            if mult(sigpp[i - 1], sigpp[i]) < 0 {
                zc = add(zc, 410);
            }
        }

        // B.3.2: long-term minimum of the energy.
        if frm_count < 129 {
            if energy < self.min {
                self.min = energy;
                self.prev_min = energy;
            }
            if frm_count & 7 == 0 {
                let i = sub(shr(frm_count, 3), 1) as usize;
                self.min_buffer[i] = self.min;
                self.min = MAX_16;
            }
        }
        if frm_count & 7 == 0 {
            self.prev_min = *self.min_buffer.iter().min().expect("16 entries");
        }
        if frm_count >= 129 {
            if frm_count & 7 == 1 {
                self.min = self.prev_min;
                self.next_min = MAX_16;
            }
            if energy < self.min {
                self.min = energy;
            }
            if energy < self.next_min {
                self.next_min = energy;
            }
            if frm_count & 7 == 0 {
                self.min_buffer.copy_within(1.., 0);
                self.min_buffer[15] = self.next_min;
                self.prev_min = *self.min_buffer.iter().min().expect("16 entries");
            }
        }

        let init_frame = INIT_FRAME as i16;
        let mut marker = false;
        if frm_count <= init_frame {
            // B.3.3: initialisation of the running averages.
            if energy < 3072 {
                marker = false;
                self.less_count = self.less_count.wrapping_add(1);
            } else {
                marker = true;
                self.mean_e = extract_h(l_mac(l_deposit_h(self.mean_e), energy, 1024));
                self.mean_szc = extract_h(l_mac(l_deposit_h(self.mean_szc), zc, 1024));
                for i in 0..M {
                    self.mean_lsf[i] =
                        extract_h(l_mac(l_deposit_h(self.mean_lsf[i]), lsf[i], 1024));
                }
            }
        }

        if frm_count >= init_frame {
            if frm_count == init_frame {
                let lc = self.less_count as usize;
                let (f, s) = (FACTOR_FX[lc], SHIFT_FX[lc]);
                self.mean_e = extract_h(l_shl(l_mult(self.mean_e, f), s));
                self.mean_szc = extract_h(l_shl(l_mult(self.mean_szc, f), s));
                for v in self.mean_lsf.iter_mut() {
                    *v = extract_h(l_shl(l_mult(*v, f), s));
                }
                self.mean_se = sub(self.mean_e, 2048);
                self.mean_sle = sub(self.mean_e, 2458);
            }

            // B.3.4–B.3.5: differences and the initial decision.
            let dse = sub(self.mean_se, energy);
            let dsle = sub(self.mean_sle, energy_low);
            let dszc = sub(self.mean_szc, zc);
            marker = if energy < 3072 {
                false
            } else {
                make_dec(dsle, dse, sd, dszc)
            };

            // B.3.6: smoothing.
            self.v_flag = false;
            if prev && !marker && add(dse, 410) < 0 && energy > 3072 {
                marker = true;
                self.v_flag = true;
            }
            if self.flag {
                if pprev && prev && !marker && abs_s(sub(self.prev_energy, energy)) <= 614 {
                    self.count_ext = self.count_ext.wrapping_add(1);
                    marker = true;
                    self.v_flag = true;
                    if self.count_ext > 4 {
                        self.count_ext = 0;
                        self.flag = false;
                    }
                }
            } else {
                self.flag = true;
            }
            if !marker {
                self.count_sil = self.count_sil.wrapping_add(1);
            }
            if marker && self.count_sil > 10 && sub(energy, self.prev_energy) <= 614 {
                marker = false;
                self.count_sil = 0;
            }
            if marker {
                self.count_sil = 0;
            }
            if sub(energy, 614) < self.mean_se && frm_count > 128 && !self.v_flag && rc < 19661 {
                marker = false;
            }

            // B.3.7: update of the background-noise averages.
            if sub(energy, 614) < self.mean_se && rc < 24576 && sd < 83 {
                self.count_update = self.count_update.wrapping_add(1);
                let cu = self.count_update;
                let (coef, c_coef, coefzc, c_coefzc, coefsd, c_coefsd) = if cu < INIT_COUNT {
                    (24576, 8192, 26214, 6554, 19661, 13017)
                } else if cu < INIT_COUNT + 10 {
                    (31130, 1638, 30147, 2621, 21299, 11469)
                } else if cu < INIT_COUNT + 20 {
                    (31785, 983, 30802, 1966, 22938, 9830)
                } else if cu < INIT_COUNT + 30 {
                    (32440, 328, 31457, 1311, 24576, 8192)
                } else if cu < INIT_COUNT + 40 {
                    (32604, 164, 32440, 328, 24576, 8192)
                } else {
                    (32604, 164, 32702, 66, 24576, 8192)
                };
                self.mean_se = extract_h(l_mac(l_mult(coef, self.mean_se), c_coef, energy));
                self.mean_sle = extract_h(l_mac(l_mult(coef, self.mean_sle), c_coef, energy_low));
                self.mean_szc = extract_h(l_mac(l_mult(coefzc, self.mean_szc), c_coefzc, zc));
                for i in 0..M {
                    self.mean_lsf[i] =
                        extract_h(l_mac(l_mult(coefsd, self.mean_lsf[i]), c_coefsd, lsf[i]));
                }
            }
            if frm_count > 128
                && ((self.mean_se < self.min && sd < 83) || sub(self.mean_se, self.min) > 2048)
            {
                self.mean_se = self.min;
                self.count_update = 0;
            }
        }
        self.prev_energy = energy;
        marker
    }
}

/// Initial VAD decision (B.3.5): the 14 linear boundaries of the
/// four-dimensional parameter space (ΔS, ΔEf, ΔEl, ΔZC), each evaluated
/// as a fixed-point linear form; any boundary crossed means voice.
fn make_dec(dsle: i16, dse: i16, sd: i16, dszc: i16) -> bool {
    let hi = |x: i16| l_deposit_h(x);
    // SD vs dSZC.
    if l_add(l_shr(l_mac(l_mult(dszc, -14680), 8192, -28521), 8), hi(sd)) > 0 {
        return true;
    }
    if l_add(l_shr(l_mac(l_mult(dszc, 19065), 8192, -19446), 7), hi(sd)) > 0 {
        return true;
    }
    // dSE vs dSZC.
    if l_add(l_shr(l_mac(l_mult(dszc, 20480), 8192, 16384), 2), hi(dse)) < 0 {
        return true;
    }
    if l_add(l_shr(l_mac(l_mult(dszc, -16384), 8192, 19660), 2), hi(dse)) < 0 {
        return true;
    }
    if l_mac(l_mult(dse, 32767), 1024, 30802) < 0 {
        return true;
    }
    // dSE vs SD.
    if l_mac(l_mac(l_mult(sd, -28160), 64, 19988), dse, 512) < 0 {
        return true;
    }
    if l_mac(l_mult(sd, 32767), 32, -30199) > 0 {
        return true;
    }
    // dSLE vs dSZC (the reference compares with dSE here).
    if l_add(l_shr(l_mac(l_mult(dszc, -20480), 8192, 22938), 2), hi(dse)) < 0 {
        return true;
    }
    if l_add(l_shr(l_mac(l_mult(dszc, 23831), 4096, 31576), 2), hi(dse)) < 0 {
        return true;
    }
    if l_mac(l_mult(dse, 32767), 2048, 17367) < 0 {
        return true;
    }
    // dSLE vs SD.
    if l_mac(l_mac(l_mult(sd, -22400), 32, 25395), dsle, 256) < 0 {
        return true;
    }
    // dSLE vs dSE.
    if l_add(l_mac(l_mult(dse, -30427), 256, -29959), hi(dsle)) > 0 {
        return true;
    }
    if l_add(l_mac(l_mult(dse, -23406), 512, 28087), hi(dsle)) < 0 {
        return true;
    }
    l_mac(l_mac(l_mult(dse, 24576), 1024, 29491), dsle, 16384) < 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_of_the_initial_decision() {
        // No difference from the noise averages: noise.
        assert!(!make_dec(0, 0, 0, 0));
        // Much more energy than the noise average (ΔEf very negative): voice.
        assert!(make_dec(-8000, -8000, 0, 0));
        // Large spectral distortion: voice.
        assert!(make_dec(0, 0, 20000, 0));
    }

    #[test]
    fn quiet_start_is_noise_and_loud_start_is_voice() {
        let lsf = [0i16; M];
        let sig = [0i16; 240];
        let mut r_h = [0i16; NP + 1];
        r_h[0] = 16384;
        // A tiny r(0) exponent: energy below the 3072 (Q11) floor.
        let mut v = Vad::new();
        assert!(!v.decide(0, &lsf, &r_h, 0, -30, &sig, 1, true, true));
        assert_eq!(v.less_count, 1);
        // A loud frame during initialisation: voice, and the means move.
        let mut v = Vad::new();
        assert!(v.decide(0, &lsf, &r_h, 0, 30, &sig, 1, true, true));
        assert!(v.mean_e > 0);
    }
}
