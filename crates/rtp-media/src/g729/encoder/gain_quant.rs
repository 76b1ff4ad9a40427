//! Gain quantisation of the encoder (G.729 §3.9, Annex A A.3.9).
//!
//! The adaptive-codebook gain g_p and the fixed-codebook gain correction γ
//! are vector-quantised together with a two-stage conjugate-structure
//! codebook (3 + 4 bits, `GBK1`/`GBK2`). The fixed-codebook gain is predicted
//! from the energies of the past four quantised corrections (§3.9.1); the
//! search minimises the weighted error of §3.9 expanded into five
//! correlation terms, over the candidates pre-selected around the
//! unquantised optimum (§3.9.2).

use super::exact::{clamp_positive, energy, mac_chain};
use crate::g729::basic_op::{
    MAX_32, add, div_s, extract_h, extract_l, l_add, l_deposit_h, l_deposit_l, l_extract, l_mult,
    l_shl, l_shr, l_sub, mpy_32_16, mult, negate, norm_l, round16, shr, sub,
};
use crate::g729::gain_common::{gain_predict, gain_update};
use crate::g729::tables::{
    COEF, GBK1, GBK2, GP0999, GPCLIP2, INIT_PAST_QUA_EN, INV_COEF, L_COEF, L_SUBFR, MAP1, MAP2,
    NCAN1, NCAN2, NCODE1, NCODE2, THR1, THR2,
};

/// Correlations of the gain search as mantissa/exponent pairs, in the order
/// <y1,y1>, −2<x,y1>, <y2,y2>, −2<x,y2>, 2<y1,y2>.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct GainCorrelations {
    pub(crate) coeff: [i16; 5],
    pub(crate) exp: [i16; 5],
}

/// Fills the three correlations involving the filtered fixed-codebook
/// vector `y2` (Q12): <y2,y2>, −2<x,y2> and 2<y1,y2>.
pub(crate) fn corr_xy2(
    xn: &[i16; L_SUBFR],
    y1: &[i16; L_SUBFR],
    y2: &[i16; L_SUBFR],
    g: &mut GainCorrelations,
) {
    let mut scaled = [0i16; L_SUBFR];
    for (s, &v) in scaled.iter_mut().zip(y2.iter()) {
        *s = shr(v, 3);
    }

    // <y2,y2>: non-negative terms, the saturating sum is the clamped one.
    let e_y2 = energy(&scaled);
    let acc = clamp_positive(1 + e_y2);
    let exp = norm_l(acc);
    g.coeff[2] = round16(l_shl(acc, exp));
    g.exp[2] = add(exp, 19 - 16);

    let acc = mac_chain(1, xn, &scaled, energy(xn), e_y2);
    let exp = norm_l(acc);
    g.coeff[3] = negate(round16(l_shl(acc, exp)));
    g.exp[3] = sub(add(exp, 10 - 16), 1);

    let acc = mac_chain(1, y1, &scaled, energy(y1), e_y2);
    let exp = norm_l(acc);
    g.coeff[4] = round16(l_shl(acc, exp));
    g.exp[4] = sub(add(exp, 10 - 16), 1);
}

/// The gain quantiser with its predictor memory (past quantised energies
/// of the correction factor, Q10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct GainQuantizer {
    past_qua_en: [i16; 4],
}

impl Default for GainQuantizer {
    fn default() -> Self {
        Self {
            past_qua_en: INIT_PAST_QUA_EN,
        }
    }
}

/// `(a·b − c·d)` style difference of two mantissa/exponent products,
/// aligned to the smaller exponent and halved for headroom; returns the
/// normalised mantissa and its exponent.
fn aligned_difference(l1: i32, e1: i16, l2: i32, e2: i16) -> (i16, i16) {
    let (l, exp) = if sub(e1, e2) > 0 {
        (
            l_sub(l_shr(l1, add(sub(e1, e2), 1)), l_shr(l2, 1)),
            sub(e2, 1),
        )
    } else {
        (
            l_sub(l_shr(l1, 1), l_shr(l2, add(sub(e2, e1), 1))),
            sub(e1, 1),
        )
    };
    let sft = norm_l(l);
    (extract_h(l_shl(l, sft)), sub(add(exp, sft), 16))
}

/// Pre-selection of the gain codebooks (§3.9.2): the first candidates of
/// each stage, NCAN1 of GBK1 and NCAN2 of GBK2, around the unquantised
/// optimum `best_gain` ([0] g_p in Q9, [1] g_c in Q2) given the predicted
/// gain `gcode0` (Q4).
fn gbk_presel(best_gain: [i16; 2], gcode0: i16) -> (usize, usize) {
    // x = (best_gain[1] − (coef00·best_gain[0] + coef11)·gcode0) · inv_coef
    let l_cfbg = l_mult(COEF[0][0], best_gain[0]);
    let mut l_acc = l_shr(L_COEF[1][1], 15);
    l_acc = l_add(l_cfbg, l_acc);
    let acc_h = extract_h(l_acc);
    let l_preg = l_mult(acc_h, gcode0);
    l_acc = l_shl(l_deposit_l(best_gain[1]), 7);
    l_acc = l_sub(l_acc, l_preg);
    let acc_h = extract_h(l_shl(l_acc, 2));
    let l_tmp_x = l_mult(acc_h, INV_COEF);

    // y = (coef10·(−coef01 + best_gain[0]·coef00)·gcode0 − coef00·best_gain[1]) · inv_coef
    l_acc = l_shr(L_COEF[0][1], 10);
    l_acc = l_sub(l_cfbg, l_acc);
    let acc_h = mult(extract_h(l_acc), gcode0);
    let l_tmp = l_mult(acc_h, COEF[1][0]);
    let l_preg = l_mult(COEF[0][0], best_gain[1]);
    l_acc = l_sub(l_tmp, l_shr(l_preg, 3));
    let acc_h = extract_h(l_shl(l_acc, 2));
    let l_tmp_y = l_mult(acc_h, INV_COEF);

    const SFT_Y: i16 = (14 + 4 + 1) - 16;
    const SFT_X: i16 = (15 + 4 + 1) - 15;

    let above = |l: i32, thr: i16, sft: i16| l_sub(l, l_shr(l_mult(thr, gcode0), sft));
    let mut cand1 = 0usize;
    let mut cand2 = 0usize;
    if gcode0 > 0 {
        while cand1 < NCODE1 - NCAN1 && above(l_tmp_y, THR1[cand1], SFT_Y) > 0 {
            cand1 += 1;
        }
        while cand2 < NCODE2 - NCAN2 && above(l_tmp_x, THR2[cand2], SFT_X) > 0 {
            cand2 += 1;
        }
    } else {
        while cand1 < NCODE1 - NCAN1 && above(l_tmp_y, THR1[cand1], SFT_Y) < 0 {
            cand1 += 1;
        }
        while cand2 < NCODE2 - NCAN2 && above(l_tmp_x, THR2[cand2], SFT_X) < 0 {
            cand2 += 1;
        }
    }
    (cand1, cand2)
}

impl GainQuantizer {
    /// Quantises the gains of a subframe (§3.9). `code` is the fixed
    /// codevector (Q13), `g` the five correlations; with `taming` the pitch
    /// gain is kept below 1 (§3.8 taming procedure). Returns the 7-bit index
    /// `GA·16 + GB`, the quantised pitch gain (Q14) and code gain (Q1).
    pub(crate) fn quantize(
        &mut self,
        code: &[i16; L_SUBFR],
        g: &GainCorrelations,
        taming: bool,
    ) -> (i16, i16, i16) {
        let (gcode0, exp_gcode0) = gain_predict(&self.past_qua_en, code);
        let (c, e) = (&g.coeff, &g.exp);

        // Denominator 4·c0·c2 − c4² and its inverse.
        let l_tmp1 = l_mult(c[0], c[2]);
        let exp1 = add(add(e[0], e[2]), 1 - 2);
        let l_tmp2 = l_mult(c[4], c[4]);
        let exp2 = add(add(e[4], e[4]), 1);
        let (l_tmp, exp) = if sub(exp1, exp2) > 0 {
            (l_sub(l_shr(l_tmp1, sub(exp1, exp2)), l_tmp2), exp2)
        } else {
            (l_sub(l_tmp1, l_shr(l_tmp2, sub(exp2, exp1))), exp1)
        };
        let sft = norm_l(l_tmp);
        let denom = extract_h(l_shl(l_tmp, sft));
        let exp_denom = sub(add(exp, sft), 16);
        let inv_denom = negate(div_s(16384, denom));
        let exp_inv_denom = sub(14 + 15, exp_denom);

        // Unquantised optimum g_p (Q9) = (2·c2·c1 − c3·c4)·inv.
        let (nume, exp_nume) = aligned_difference(
            l_mult(c[2], c[1]),
            add(e[2], e[1]),
            l_mult(c[3], c[4]),
            add(add(e[3], e[4]), 1),
        );
        let sft = sub(add(exp_nume, exp_inv_denom), 9 + 16 - 1);
        let mut best_gain = [0i16; 2];
        best_gain[0] = extract_h(l_shr(l_mult(nume, inv_denom), sft));
        if taming && sub(best_gain[0], GPCLIP2) > 0 {
            best_gain[0] = GPCLIP2;
        }

        // Unquantised optimum g_c (Q2) = (2·c0·c3 − c1·c4)·inv.
        let (nume, exp_nume) = aligned_difference(
            l_mult(c[0], c[3]),
            add(e[0], e[3]),
            l_mult(c[1], c[4]),
            add(add(e[1], e[4]), 1),
        );
        let sft = sub(add(exp_nume, exp_inv_denom), 2 + 16 - 1);
        best_gain[1] = extract_h(l_shr(l_mult(nume, inv_denom), sft));

        // gcode0 in Q4 for the pre-selection.
        let gcode0_org = if sub(exp_gcode0, 4) >= 0 {
            shr(gcode0, sub(exp_gcode0, 4))
        } else {
            extract_h(l_shl(l_deposit_l(gcode0), sub(4 + 16, exp_gcode0)))
        };
        let (cand1, cand2) = gbk_presel(best_gain, gcode0_org);

        // Align the five terms to a common exponent, in double precision.
        let exp_min = [
            add(e[0], 13),
            add(e[1], 14),
            add(e[2], sub(crate::g729::basic_op::shl(exp_gcode0, 1), 21)),
            add(e[3], sub(exp_gcode0, 3)),
            add(e[4], sub(exp_gcode0, 4)),
        ];
        let mut e_min = exp_min[0];
        for &v in &exp_min[1..] {
            if sub(v, e_min) < 0 {
                e_min = v;
            }
        }
        let mut hi = [0i16; 5];
        let mut lo = [0i16; 5];
        for i in 0..5 {
            let j = sub(exp_min[i], e_min);
            (hi[i], lo[i]) = l_extract(l_shr(l_deposit_h(c[i]), j));
        }

        // Search the NCAN1 × NCAN2 candidate pairs.
        let mut dist_min = MAX_32;
        let mut index1 = cand1;
        let mut index2 = cand2;
        for i in cand1..cand1 + NCAN1 {
            for j in cand2..cand2 + NCAN2 {
                let g_pitch = add(GBK1[i][0], GBK2[j][0]);
                if taming && g_pitch >= GP0999 {
                    continue;
                }
                let l_sum = l_add(l_deposit_l(GBK1[i][1]), l_deposit_l(GBK2[j][1]));
                let tmp = extract_l(l_shr(l_sum, 1));
                let g_code = mult(gcode0, tmp);
                let g2_pitch = mult(g_pitch, g_pitch);
                let g2_code = mult(g_code, g_code);
                let g_pit_cod = mult(g_code, g_pitch);

                let mut d = mpy_32_16(hi[0], lo[0], g2_pitch);
                d = l_add(d, mpy_32_16(hi[1], lo[1], g_pitch));
                d = l_add(d, mpy_32_16(hi[2], lo[2], g2_code));
                d = l_add(d, mpy_32_16(hi[3], lo[3], g_code));
                d = l_add(d, mpy_32_16(hi[4], lo[4], g_pit_cod));
                if l_sub(d, dist_min) < 0 {
                    dist_min = d;
                    index1 = i;
                    index2 = j;
                }
            }
        }

        let gain_pit = add(GBK1[index1][0], GBK2[index2][0]);
        let l_gbk12 = l_add(l_deposit_l(GBK1[index1][1]), l_deposit_l(GBK2[index2][1]));
        let tmp = extract_l(l_shr(l_gbk12, 1));
        let l_acc = l_mult(tmp, gcode0);
        let l_acc = l_shl(l_acc, add(negate(exp_gcode0), -12 - 1 + 1 + 16));
        let gain_code = extract_h(l_acc);

        gain_update(&mut self.past_qua_en, l_gbk12);

        let index = MAP1[index1] * NCODE2 as i16 + MAP2[index2];
        (index, gain_pit, gain_code)
    }
}
