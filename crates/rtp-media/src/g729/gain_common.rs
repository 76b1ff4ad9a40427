//! Gain prediction shared by encoder and decoder (§3.9.1): MA prediction of
//! the fixed-codebook gain from the energies of past quantised gains
//! (`Gain_predict`), their update (`Gain_update`) and the update used for
//! erased frames (§4.4.2, `Gain_update_erasure`).

use super::basic_op::*;
use super::tables::PRED;
use super::util::{log2, pow2};

/// Predicted fixed-codebook gain for the innovation `code` (Q13), from the
/// past quantised energies (Q10) (`Gain_predict`). Returns
/// `(gcode0, exp_gcode0)`: the gain is `gcode0 · 2^−exp_gcode0`.
#[inline]
pub fn gain_predict(past_qua_en: &[i16; 4], code: &[i16]) -> (i16, i16) {
    let l_tmp = energy(code);
    // 127.298 − 3.0103·log2(energy), Q14 (mean energy 30 dB, code in Q13).
    let (exp, frac) = log2(l_tmp);
    let mut l_tmp = mpy_32_16(exp, frac, -24660);
    l_tmp = l_mac(l_tmp, 32588, 32);
    l_tmp = l_shl(l_tmp, 10); // Q24
    for i in 0..4 {
        l_tmp = l_mac(l_tmp, PRED[i], past_qua_en[i]);
    }
    let gcode0 = extract_h(l_tmp); // Q8 dB
    // 10^(gcode0/20) = 2^(0.166·gcode0)
    let l_tmp = l_shr(l_mult(gcode0, 5439), 8);
    let (exp, frac) = l_extract(l_tmp);
    let gcode0 = extract_l(pow2(14, frac));
    (gcode0, sub(14, exp))
}

/// `Σ L_mac(c, c)` from 0, exactly: every term is non-negative (`L_mult`
/// of −2^15 by itself saturates to `MAX_32`, itself non-negative), so the
/// partial sums only grow and the chain saturates exactly when the plain
/// 64-bit sum of the terms reaches 2^31, staying at `MAX_32` after.
#[inline(always)]
fn energy(code: &[i16]) -> i32 {
    let sum: i64 = code.iter().map(|&c| 2 * (c as i64 * c as i64)).sum();
    sum.min(MAX_32 as i64) as i32
}

/// Pushes the energy `20·log10(g)` (Q10) of the quantised correction factor
/// `l_gbk12 = gbk1[i1][1] + gbk2[i2][1]` (Q13) into the predictor memory
/// (`Gain_update`).
#[inline]
pub fn gain_update(past_qua_en: &mut [i16; 4], l_gbk12: i32) {
    past_qua_en.copy_within(0..3, 1);
    let (exp, frac) = log2(l_gbk12);
    let l_acc = l_comp(sub(exp, 13), frac);
    let tmp = extract_h(l_shl(l_acc, 13));
    past_qua_en[0] = mult(tmp, 24660);
}

/// Predictor-memory update for an erased frame (§4.4.2): the mean of the
/// memory minus 4 dB, floored at −14 dB (`Gain_update_erasure`).
#[inline]
pub fn gain_update_erasure(past_qua_en: &mut [i16; 4]) {
    let mut l_tmp = 0i32;
    for &e in past_qua_en.iter() {
        l_tmp = l_add(l_tmp, l_deposit_l(e));
    }
    let mut av = extract_l(l_shr(l_tmp, 2));
    av = sub(av, 4096);
    if av < -14336 {
        av = -14336;
    }
    past_qua_en.copy_within(0..3, 1);
    past_qua_en[0] = av;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The energy against the `L_mac` chain, from quiet to saturating.
        #[test]
        fn energy_equals_the_l_mac_chain(
            shift in 0u32..16,
            code in proptest::collection::vec(any::<i16>(), 0..60),
        ) {
            let code: Vec<i16> = code.iter().map(|&c| c >> shift).collect();
            let want = code.iter().fold(0i32, |acc, &c| l_mac(acc, c, c));
            prop_assert_eq!(energy(&code), want);
        }
    }

    #[test]
    fn energy_saturates_like_the_chain() {
        for code in [
            &[MIN_16, 0][..],
            &[0, MIN_16],
            &[MIN_16; 3],
            &[MAX_16; 3],
            &[1, MIN_16, 1],
        ] {
            let want = code.iter().fold(0i32, |acc, &c| l_mac(acc, c, c));
            assert_eq!(energy(code), want, "{code:?}");
        }
    }

    #[test]
    fn erasure_update_decays_to_floor() {
        let mut e = [0i16; 4];
        gain_update_erasure(&mut e);
        assert_eq!(e, [-4096, 0, 0, 0]);
        let mut e = [-14336i16; 4];
        gain_update_erasure(&mut e);
        assert_eq!(e, [-14336; 4]);
    }

    #[test]
    fn update_of_unit_gain_is_zero_db() {
        let mut e = [1, 2, 3, 4];
        gain_update(&mut e, 8192); // 1.0 in Q13
        assert_eq!(e, [0, 1, 2, 3]);
        let mut e = [0i16; 4];
        gain_update(&mut e, 16384); // 2.0 → 6.02 dB = 6165 in Q10
        assert!((e[0] - 6165).abs() <= 4, "{}", e[0]);
    }

    #[test]
    fn prediction_is_positive_and_normalised() {
        let mut code = [0i16; 40];
        code[0] = 8191;
        code[11] = -8192;
        code[22] = 8191;
        code[33] = -8192;
        let (g, e) = gain_predict(&[-14336; 4], &code);
        assert!((16384..=32767).contains(&g), "{g}");
        assert!(e > 0);
    }
}
