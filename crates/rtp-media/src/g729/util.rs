//! Mathematical helpers of the G.729 fixed-point description: base-2
//! logarithm, power of two and inverse square root by table interpolation
//! (G.729 §3.9 gain prediction, §4.2 post-filter), and the 16-bit
//! pseudo-random generator used by frame-erasure concealment (§4.4.4).

use super::basic_op::*;
use super::tables::{TABLOG, TABPOW, TABSQR};

/// `Pow2`: `2^(exponent + fraction/2^15)` in Q0, for `0 ≤ exponent ≤ 30`
/// and a Q15 `fraction` in `[0, 1)`. Linear interpolation in `TABPOW`
/// (33 entries), result rounded by `L_shr_r`.
#[inline]
pub fn pow2(exponent: i16, fraction: i16) -> i32 {
    let l_x = l_mult(fraction, 32);
    // `& 31` only guards out-of-domain (negative) fractions; in-domain values
    // are already in 0..=31.
    let i = (extract_h(l_x) & 31) as usize;
    let a = extract_l(l_shr(l_x, 1)) & 0x7fff;
    let l_x = l_deposit_h(TABPOW[i]);
    let tmp = sub(TABPOW[i], TABPOW[i + 1]);
    let l_x = l_msu(l_x, tmp, a);
    l_shr_r(l_x, sub(30, exponent))
}

/// `Log2`: `log2(l_x)` as `(exponent, fraction)` (integer part in Q0,
/// fractional part in Q15). Non-positive inputs give `(0, 0)`.
#[inline]
pub fn log2(l_x: i32) -> (i16, i16) {
    if l_x <= 0 {
        return (0, 0);
    }
    let exp = norm_l(l_x);
    let l_x = l_shl(l_x, exp);
    let exponent = sub(30, exp);
    let l_x = l_shr(l_x, 9);
    let i = (extract_h(l_x) - 32) as usize; // 0..=31 after normalisation
    let a = extract_l(l_shr(l_x, 1)) & 0x7fff;
    let l_y = l_deposit_h(TABLOG[i]);
    let tmp = sub(TABLOG[i], TABLOG[i + 1]);
    let l_y = l_msu(l_y, tmp, a);
    (exponent, extract_h(l_y))
}

/// `Inv_sqrt`: `1/sqrt(l_x)` in Q30. Non-positive inputs give `0x3fff_ffff`.
#[inline]
pub fn inv_sqrt(l_x: i32) -> i32 {
    if l_x <= 0 {
        return 0x3fff_ffff;
    }
    let exp = norm_l(l_x);
    let mut l_x = l_shl(l_x, exp);
    let mut exp = sub(30, exp);
    if exp & 1 == 0 {
        l_x = l_shr(l_x, 1);
    }
    exp = add(shr(exp, 1), 1);
    let l_x = l_shr(l_x, 9);
    let i = (extract_h(l_x) - 16) as usize; // 0..=47 after normalisation
    let a = extract_l(l_shr(l_x, 1)) & 0x7fff;
    let l_y = l_deposit_h(TABSQR[i]);
    let tmp = sub(TABSQR[i], TABSQR[i + 1]);
    let l_y = l_msu(l_y, tmp, a);
    l_shr(l_y, exp)
}

/// `Random`: the 16-bit linear congruential generator
/// `seed = seed·31821 + 13849` (mod 2^16); returns the new seed.
#[inline]
pub fn random(seed: &mut i16) -> i16 {
    *seed = extract_l(l_add(l_shr(l_mult(*seed, 31821), 1), 13849));
    *seed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pow2_log2_inv_sqrt_follow_their_functions() {
        // 2^14 exactly, and 2^(14.5) ≈ 23170.
        assert_eq!(pow2(14, 0), 16384);
        assert!((pow2(14, 16384) - 23170).abs() <= 2);
        assert_eq!(log2(1 << 20), (20, 0));
        let (e, f) = log2(3);
        assert_eq!(e, 1);
        assert!((f as i32 - 19168).abs() < 16); // log2(1.5) = 0.58496 in Q15
        assert_eq!(log2(0), (0, 0));
        assert_eq!(log2(-5), (0, 0));
        assert_eq!(inv_sqrt(0), 0x3fff_ffff);
        // 1/sqrt(4) = 0.5 in Q30
        assert!((inv_sqrt(4) - (1 << 29)).abs() < (1 << 16));
        // round trip: pow2(log2(x)) ≈ x
        for x in [1000i32, 12345, 30000, 1 << 25] {
            let (e, f) = log2(x);
            let y = pow2(e, f);
            assert!((y - x).abs() <= x / 1000 + 1, "{x} {y}");
        }
    }

    #[test]
    fn random_sequence() {
        let mut s = 21845i16;
        let a = random(&mut s);
        // 21845·31821 + 13849 mod 2^16, as signed 16 bits
        let expect = ((21845i64 * 31821 + 13849) as u16) as i16;
        assert_eq!(a, expect);
        assert_eq!(s, a);
    }
}
