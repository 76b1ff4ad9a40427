//! ITU-T fixed-point basic operators (the arithmetic in which G.729 and its
//! annexes are specified, ITU-T G.729 §5 "bit-exact description" and the
//! ITU-T basic-operator set), plus the 32-bit double-precision helpers
//! (`L_Extract`, `L_Comp`, `Mpy_32`, `Mpy_32_16`, `Div_32`).
//!
//! Semantics follow the Recommendation exactly: 16-bit (`i16`) and 32-bit
//! (`i32`) two's-complement values, saturation on overflow, arithmetic
//! shifts, negative shift counts reversing the shift direction.
//!
//! # The overflow flag
//!
//! The reference description keeps a global `Overflow` flag that saturating
//! operators set. Here there is no global: every operator that can saturate
//! has a plain form (flag discarded) and an `_o` form taking `&mut bool`
//! which is set to `true` when the operation saturated (it is never cleared
//! by the operator; the caller clears it, as the reference does with
//! `Overflow = 0`). Use the `_o` forms only where the algorithm reads the
//! flag. In G.729 Annex A those places are:
//!
//! * decoder, synthesis filter of each subframe (§4.1.6 / `Syn_filt` in
//!   `Decod_ld8a`): an overflow triggers scaling of the excitation history by
//!   1/4 and re-synthesis;
//! * encoder, open-loop pitch search (A.3.4, `Pitch_ol_fast`): energy
//!   overflow selects a scaled signal;
//! * encoder, autocorrelation (§3.2.1, `Autocorr`): overflow restarts with a
//!   scaled window;
//! * encoder, LP→LSP conversion (A.3.2.3, `Az_lsp`/`Chebps_11`): overflow
//!   selects the lower-precision Chebyshev evaluation.
//!
//! The carry-using operators (`L_add_c`, `L_sub_c`, `L_macNs`, `L_msuNs`)
//! are not provided: no Annex A decoder path uses them.
//!
//! Every operator is `#[inline(always)]`; the flag computation of the plain
//! forms is dead code after inlining.

/// Largest 16-bit value.
pub const MAX_16: i16 = i16::MAX;
/// Smallest 16-bit value.
pub const MIN_16: i16 = i16::MIN;
/// Largest 32-bit value.
pub const MAX_32: i32 = i32::MAX;
/// Smallest 32-bit value.
pub const MIN_32: i32 = i32::MIN;

// ---------------------------------------------------------------------------
// Flag-returning cores. Each returns (result, saturated).
// ---------------------------------------------------------------------------

#[inline(always)]
fn sat16(x: i32) -> (i16, bool) {
    if x > MAX_16 as i32 {
        (MAX_16, true)
    } else if x < MIN_16 as i32 {
        (MIN_16, true)
    } else {
        (x as i16, false)
    }
}

#[inline(always)]
fn add_f(a: i16, b: i16) -> (i16, bool) {
    sat16(a as i32 + b as i32)
}

#[inline(always)]
fn sub_f(a: i16, b: i16) -> (i16, bool) {
    sat16(a as i32 - b as i32)
}

#[inline(always)]
fn mult_f(a: i16, b: i16) -> (i16, bool) {
    sat16((a as i32 * b as i32) >> 15)
}

#[inline(always)]
fn mult_r_f(a: i16, b: i16) -> (i16, bool) {
    sat16((a as i32 * b as i32 + 0x4000) >> 15)
}

#[inline(always)]
fn l_mult_f(a: i16, b: i16) -> (i32, bool) {
    let p = a as i32 * b as i32;
    if p == 0x4000_0000 {
        (MAX_32, true)
    } else {
        (p << 1, false)
    }
}

#[inline(always)]
fn l_add_f(a: i32, b: i32) -> (i32, bool) {
    match a.checked_add(b) {
        Some(v) => (v, false),
        None => (if a < 0 { MIN_32 } else { MAX_32 }, true),
    }
}

#[inline(always)]
fn l_sub_f(a: i32, b: i32) -> (i32, bool) {
    match a.checked_sub(b) {
        Some(v) => (v, false),
        None => (if a < 0 { MIN_32 } else { MAX_32 }, true),
    }
}

#[inline(always)]
fn l_mac_f(acc: i32, a: i16, b: i16) -> (i32, bool) {
    let (p, o1) = l_mult_f(a, b);
    let (r, o2) = l_add_f(acc, p);
    (r, o1 | o2)
}

#[inline(always)]
fn l_msu_f(acc: i32, a: i16, b: i16) -> (i32, bool) {
    let (p, o1) = l_mult_f(a, b);
    let (r, o2) = l_sub_f(acc, p);
    (r, o1 | o2)
}

/// Arithmetic right shift of a 16-bit value by a non-negative count.
#[inline(always)]
fn shr_pos(a: i16, n: i32) -> i16 {
    if n >= 15 {
        if a < 0 { -1 } else { 0 }
    } else {
        a >> n
    }
}

#[inline(always)]
fn shl_pos_f(a: i16, n: i32) -> (i16, bool) {
    if a == 0 {
        return (0, false);
    }
    if n > 15 {
        return (if a > 0 { MAX_16 } else { MIN_16 }, true);
    }
    let r = (a as i32) << n;
    if r != (r as i16) as i32 {
        (if a > 0 { MAX_16 } else { MIN_16 }, true)
    } else {
        (r as i16, false)
    }
}

#[inline(always)]
fn shl_f(a: i16, n: i16) -> (i16, bool) {
    if n < 0 {
        (shr_pos(a, -(n as i32)), false)
    } else {
        shl_pos_f(a, n as i32)
    }
}

#[inline(always)]
fn shr_f(a: i16, n: i16) -> (i16, bool) {
    if n < 0 {
        shl_pos_f(a, -(n as i32))
    } else {
        (shr_pos(a, n as i32), false)
    }
}

#[inline(always)]
fn l_shr_pos(a: i32, n: i32) -> i32 {
    if n >= 31 {
        if a < 0 { -1 } else { 0 }
    } else {
        a >> n
    }
}

#[inline(always)]
fn l_shl_pos_f(a: i32, n: i32) -> (i32, bool) {
    // The reference doubles step by step and saturates as soon as a doubling
    // would leave 32 bits; that happens exactly when `a·2^n` is out of range.
    if n >= 31 {
        return if a == 0 {
            (0, false)
        } else if a == -1 && n == 31 {
            (MIN_32, false)
        } else {
            (if a > 0 { MAX_32 } else { MIN_32 }, true)
        };
    }
    if a > MAX_32 >> n {
        (MAX_32, true)
    } else if a < MIN_32 >> n {
        (MIN_32, true)
    } else {
        (a << n, false)
    }
}

#[inline(always)]
fn l_shl_f(a: i32, n: i16) -> (i32, bool) {
    if n <= 0 {
        (l_shr_pos(a, -(n as i32)), false)
    } else {
        l_shl_pos_f(a, n as i32)
    }
}

#[inline(always)]
fn l_shr_f(a: i32, n: i16) -> (i32, bool) {
    if n < 0 {
        l_shl_pos_f(a, -(n as i32))
    } else {
        (l_shr_pos(a, n as i32), false)
    }
}

#[inline(always)]
fn round_f(a: i32) -> (i16, bool) {
    let (r, o) = l_add_f(a, 0x8000);
    ((r >> 16) as i16, o)
}

#[inline(always)]
fn mac_r_f(acc: i32, a: i16, b: i16) -> (i16, bool) {
    let (r, o1) = l_mac_f(acc, a, b);
    let (v, o2) = round_f(r);
    (v, o1 | o2)
}

#[inline(always)]
fn msu_r_f(acc: i32, a: i16, b: i16) -> (i16, bool) {
    let (r, o1) = l_msu_f(acc, a, b);
    let (v, o2) = round_f(r);
    (v, o1 | o2)
}

#[inline(always)]
fn mpy_32_f(hi1: i16, lo1: i16, hi2: i16, lo2: i16) -> (i32, bool) {
    let (l, o1) = l_mult_f(hi1, hi2);
    let (m1, o2) = mult_f(hi1, lo2);
    let (l, o3) = l_mac_f(l, m1, 1);
    let (m2, o4) = mult_f(lo1, hi2);
    let (l, o5) = l_mac_f(l, m2, 1);
    (l, o1 | o2 | o3 | o4 | o5)
}

#[inline(always)]
fn mpy_32_16_f(hi: i16, lo: i16, n: i16) -> (i32, bool) {
    let (l, o1) = l_mult_f(hi, n);
    let (m, o2) = mult_f(lo, n);
    let (l, o3) = l_mac_f(l, m, 1);
    (l, o1 | o2 | o3)
}

macro_rules! with_flag {
    ($(#[$doc:meta])* $plain:ident, $flagged:ident, $core:ident, ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        $(#[$doc])*
        #[inline(always)]
        pub fn $plain($($arg: $ty),*) -> $ret {
            $core($($arg),*).0
        }
        #[doc = concat!("[`", stringify!($plain), "`] that also sets `*overflow` when it saturates.")]
        #[inline(always)]
        pub fn $flagged(overflow: &mut bool, $($arg: $ty),*) -> $ret {
            let (v, o) = $core($($arg),*);
            *overflow |= o;
            v
        }
    };
}

with_flag!(
    /// `add`: 16-bit saturating addition.
    add, add_o, add_f, (a: i16, b: i16) -> i16
);
with_flag!(
    /// `sub`: 16-bit saturating subtraction.
    sub, sub_o, sub_f, (a: i16, b: i16) -> i16
);
with_flag!(
    /// `mult`: `(a·b) >> 15`, saturated (only −1·−1 saturates).
    mult, mult_o, mult_f, (a: i16, b: i16) -> i16
);
with_flag!(
    /// `mult_r`: `(a·b + 2^14) >> 15`, saturated.
    mult_r, mult_r_o, mult_r_f, (a: i16, b: i16) -> i16
);
with_flag!(
    /// `L_mult`: `2·a·b` as 32 bits; `0x8000·0x8000` saturates to `MAX_32`.
    l_mult, l_mult_o, l_mult_f, (a: i16, b: i16) -> i32
);
with_flag!(
    /// `L_add`: 32-bit saturating addition.
    l_add, l_add_o, l_add_f, (a: i32, b: i32) -> i32
);
with_flag!(
    /// `L_sub`: 32-bit saturating subtraction.
    l_sub, l_sub_o, l_sub_f, (a: i32, b: i32) -> i32
);
with_flag!(
    /// `L_mac`: `L_add(acc, L_mult(a, b))`.
    l_mac, l_mac_o, l_mac_f, (acc: i32, a: i16, b: i16) -> i32
);
with_flag!(
    /// `L_msu`: `L_sub(acc, L_mult(a, b))`.
    l_msu, l_msu_o, l_msu_f, (acc: i32, a: i16, b: i16) -> i32
);
with_flag!(
    /// `shl`: 16-bit left shift with saturation; a negative count shifts right.
    shl, shl_o, shl_f, (a: i16, n: i16) -> i16
);
with_flag!(
    /// `shr`: 16-bit arithmetic right shift; a negative count shifts left
    /// with saturation. Counts ≥ 15 give 0 or −1.
    shr, shr_o, shr_f, (a: i16, n: i16) -> i16
);
with_flag!(
    /// `L_shl`: 32-bit left shift with saturation; a negative count shifts right.
    l_shl, l_shl_o, l_shl_f, (a: i32, n: i16) -> i32
);
with_flag!(
    /// `L_shr`: 32-bit arithmetic right shift; a negative count shifts left
    /// with saturation. Counts ≥ 31 give 0 or −1.
    l_shr, l_shr_o, l_shr_f, (a: i32, n: i16) -> i32
);
with_flag!(
    /// `round`: `extract_h(L_add(a, 0x8000))`.
    round16, round16_o, round_f, (a: i32) -> i16
);
with_flag!(
    /// `mac_r`: `round(L_mac(acc, a, b))`.
    mac_r, mac_r_o, mac_r_f, (acc: i32, a: i16, b: i16) -> i16
);
with_flag!(
    /// `msu_r`: `round(L_msu(acc, a, b))`.
    msu_r, msu_r_o, msu_r_f, (acc: i32, a: i16, b: i16) -> i16
);
with_flag!(
    /// `Mpy_32`: product of two double-precision (hi, lo) numbers,
    /// `hi1·hi2 + (hi1·lo2)>>15 + (lo1·hi2)>>15`, all ×2.
    mpy_32, mpy_32_o, mpy_32_f, (hi1: i16, lo1: i16, hi2: i16, lo2: i16) -> i32
);
with_flag!(
    /// `Mpy_32_16`: product of a double-precision (hi, lo) number and a 16-bit
    /// number, `hi·n + (lo·n)>>15`, all ×2.
    mpy_32_16, mpy_32_16_o, mpy_32_16_f, (hi: i16, lo: i16, n: i16) -> i32
);

/// `abs_s`: 16-bit absolute value; `MIN_16` gives `MAX_16`.
#[inline(always)]
pub fn abs_s(a: i16) -> i16 {
    if a == MIN_16 { MAX_16 } else { a.abs() }
}

/// `negate`: 16-bit negation; `MIN_16` gives `MAX_16`.
#[inline(always)]
pub fn negate(a: i16) -> i16 {
    if a == MIN_16 { MAX_16 } else { -a }
}

/// `L_negate`: 32-bit negation; `MIN_32` gives `MAX_32`.
#[inline(always)]
pub fn l_negate(a: i32) -> i32 {
    if a == MIN_32 { MAX_32 } else { -a }
}

/// `L_abs`: 32-bit absolute value; `MIN_32` gives `MAX_32`.
#[inline(always)]
pub fn l_abs(a: i32) -> i32 {
    if a == MIN_32 { MAX_32 } else { a.abs() }
}

/// `extract_h`: the upper 16 bits.
#[inline(always)]
pub fn extract_h(a: i32) -> i16 {
    (a >> 16) as i16
}

/// `extract_l`: the lower 16 bits (wrapping).
#[inline(always)]
pub fn extract_l(a: i32) -> i16 {
    a as i16
}

/// `L_deposit_h`: `a << 16`.
#[inline(always)]
pub fn l_deposit_h(a: i16) -> i32 {
    (a as i32) << 16
}

/// `L_deposit_l`: sign-extend to 32 bits.
#[inline(always)]
pub fn l_deposit_l(a: i16) -> i32 {
    a as i32
}

/// `norm_s`: left shifts needed to normalise a 16-bit value (0 for 0, 15 for −1).
#[inline(always)]
pub fn norm_s(a: i16) -> i16 {
    if a == 0 {
        0
    } else if a == -1 {
        15
    } else {
        let v = if a < 0 { !a } else { a };
        (v.leading_zeros() as i16) - 1
    }
}

/// `norm_l`: left shifts needed to normalise a 32-bit value (0 for 0, 31 for −1).
#[inline(always)]
pub fn norm_l(a: i32) -> i16 {
    if a == 0 {
        0
    } else if a == -1 {
        31
    } else {
        let v = if a < 0 { !a } else { a };
        (v.leading_zeros() as i16) - 1
    }
}

/// `shr_r`: `shr` with rounding (adds the last bit shifted out). Counts > 15
/// give 0; negative counts behave as `shl` (saturating, no rounding).
#[inline(always)]
pub fn shr_r(a: i16, n: i16) -> i16 {
    if n > 15 {
        return 0;
    }
    let mut out = shr(a, n);
    if n > 0 && (a as i32) & (1 << (n - 1)) != 0 {
        out = out.wrapping_add(1);
    }
    out
}

/// `L_shr_r`: `L_shr` with rounding. Counts > 31 give 0; negative counts
/// behave as `L_shl`.
#[inline(always)]
pub fn l_shr_r(a: i32, n: i16) -> i32 {
    if n > 31 {
        return 0;
    }
    let mut out = l_shr(a, n);
    if n > 0 && a & (1i32 << (n - 1)) != 0 {
        out = out.wrapping_add(1);
    }
    out
}

/// `div_s`: fractional division `num/den` in Q15 for `0 ≤ num ≤ den`, `den > 0`;
/// `div_s(x, x) = MAX_16`.
///
/// The reference aborts the program on arguments outside that domain. Here
/// such inputs never panic: a zero or negative denominator, or `num > den`,
/// give `MAX_16`, a negative numerator gives 0. The G.729 algorithm never
/// calls it outside the domain.
#[inline(always)]
pub fn div_s(num: i16, den: i16) -> i16 {
    if num <= 0 {
        return 0;
    }
    if den <= 0 || num >= den {
        return MAX_16;
    }
    let mut l_num = num as i32;
    let l_den = den as i32;
    let mut out: i32 = 0;
    for _ in 0..15 {
        l_num <<= 1;
        out <<= 1;
        if l_num >= l_den {
            l_num -= l_den;
            out += 1;
        }
    }
    out as i16
}

/// `L_Extract`: split a 32-bit value into double-precision `(hi, lo)` with
/// `value = hi·2^16 + lo·2` (lo in [0, 2^15)).
#[inline(always)]
pub fn l_extract(l: i32) -> (i16, i16) {
    let hi = extract_h(l);
    let lo = extract_l(l_msu(l_shr(l, 1), hi, 16384));
    (hi, lo)
}

/// `L_Comp`: rebuild a 32-bit value from double precision: `hi·2^16 + lo·2`.
#[inline(always)]
pub fn l_comp(hi: i16, lo: i16) -> i32 {
    l_mac(l_deposit_h(hi), lo, 1)
}

/// `Div_32`: `l_num / (denom_hi, denom_lo)` in double precision (Newton
/// iteration on `1/denom` seeded with `div_s(0x3fff, denom_hi)`).
/// Requires `0 < l_num < denom` and a normalised denominator, as in the
/// reference; other inputs do not panic but give meaningless results.
#[inline(always)]
pub fn div_32(l_num: i32, denom_hi: i16, denom_lo: i16) -> i32 {
    let approx = div_s(0x3fff, denom_hi);
    let l32 = mpy_32_16(denom_hi, denom_lo, approx);
    let l32 = l_sub(MAX_32, l32);
    let (hi, lo) = l_extract(l32);
    let l32 = mpy_32_16(hi, lo, approx);
    let (hi, lo) = l_extract(l32);
    let (n_hi, n_lo) = l_extract(l_num);
    let l32 = mpy_32(n_hi, n_lo, hi, lo);
    l_shl(l32, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference `L_shl`: step-by-step doubling with early saturation.
    fn l_shl_ref(mut a: i32, n: i16) -> (i32, bool) {
        if n <= 0 {
            return (l_shr(a, -n), false);
        }
        for _ in 0..n {
            if a > 0x3fff_ffff {
                return (MAX_32, true);
            } else if a < -0x4000_0000 {
                return (MIN_32, true);
            }
            a *= 2;
        }
        (a, false)
    }

    #[test]
    fn add_sub_saturate_and_flag() {
        assert_eq!(add(MAX_16, 1), MAX_16);
        assert_eq!(add(MIN_16, -1), MIN_16);
        assert_eq!(add(100, -300), -200);
        assert_eq!(sub(MIN_16, 1), MIN_16);
        assert_eq!(sub(0, MIN_16), MAX_16);
        assert_eq!(sub(5, 7), -2);
        let mut o = false;
        assert_eq!(add_o(&mut o, 1, 2), 3);
        assert!(!o);
        add_o(&mut o, MAX_16, MAX_16);
        assert!(o);
        // The flag is sticky.
        add_o(&mut o, 1, 1);
        assert!(o);
    }

    #[test]
    fn mult_family() {
        assert_eq!(mult(MIN_16, MIN_16), MAX_16);
        assert_eq!(mult(16384, 16384), 8192);
        assert_eq!(mult(-1, 1), -1); // arithmetic shift rounds towards −∞
        assert_eq!(mult(MAX_16, MIN_16), -32767);
        assert_eq!(mult_r(MIN_16, MIN_16), MAX_16);
        assert_eq!(mult_r(-1, 1), 0);
        assert_eq!(mult_r(3, 16384), 2);
        assert_eq!(l_mult(MIN_16, MIN_16), MAX_32);
        assert_eq!(l_mult(MAX_16, MAX_16), 0x7ffe_0002);
        assert_eq!(l_mult(MIN_16, MAX_16), -0x7fff_0000);
        let mut o = false;
        l_mult_o(&mut o, MIN_16, MIN_16);
        assert!(o);
        let mut o = false;
        mult_o(&mut o, MIN_16, MIN_16);
        assert!(o);
    }

    #[test]
    fn l_add_sub_mac_msu() {
        assert_eq!(l_add(MAX_32, 1), MAX_32);
        assert_eq!(l_add(MIN_32, -1), MIN_32);
        assert_eq!(l_sub(MIN_32, 1), MIN_32);
        assert_eq!(l_sub(0, MIN_32), MAX_32);
        assert_eq!(l_sub(-1, MAX_32), MIN_32);
        assert_eq!(l_mac(MAX_32, 1, 1), MAX_32);
        assert_eq!(l_mac(10, 3, 4), 34);
        assert_eq!(l_msu(MIN_32, 1, 1), MIN_32);
        assert_eq!(l_msu(10, 3, 4), -14);
        // L_mac saturates the product first, then the sum.
        assert_eq!(l_mac(-1, MIN_16, MIN_16), 0x7fff_fffe);
        assert_eq!(l_msu(0, MIN_16, MIN_16), -MAX_32);
        let mut o = false;
        assert_eq!(l_mac_o(&mut o, 0, MIN_16, MIN_16), MAX_32);
        assert!(o);
        let mut o = false;
        l_msu_o(&mut o, MIN_32, 1, 1);
        assert!(o);
        let mut o = false;
        l_add_o(&mut o, 5, 6);
        l_sub_o(&mut o, 5, 6);
        assert!(!o);
    }

    #[test]
    fn negate_abs() {
        assert_eq!(negate(MIN_16), MAX_16);
        assert_eq!(negate(5), -5);
        assert_eq!(abs_s(MIN_16), MAX_16);
        assert_eq!(abs_s(-7), 7);
        assert_eq!(l_negate(MIN_32), MAX_32);
        assert_eq!(l_negate(-9), 9);
        assert_eq!(l_abs(MIN_32), MAX_32);
        assert_eq!(l_abs(-9), 9);
    }

    #[test]
    fn shifts_16() {
        assert_eq!(shl(1, 14), 16384);
        assert_eq!(shl(1, 15), MAX_16);
        assert_eq!(shl(-1, 15), MIN_16);
        assert_eq!(shl(-1, 16), MIN_16);
        assert_eq!(shl(0, 40), 0);
        assert_eq!(shl(3, 100), MAX_16);
        assert_eq!(shl(-3, 100), MIN_16);
        assert_eq!(shl(0x4000, 1), MAX_16);
        assert_eq!(shl(-0x4000, 1), MIN_16);
        assert_eq!(shl(-8, -2), -2);
        assert_eq!(shl(-1, -20), -1);
        assert_eq!(shr(-1, 1), -1);
        assert_eq!(shr(-5, 1), -3);
        assert_eq!(shr(MIN_16, 15), -1);
        assert_eq!(shr(MAX_16, 15), 0);
        assert_eq!(shr(MAX_16, 200), 0);
        assert_eq!(shr(MIN_16, 200), -1);
        assert_eq!(shr(3, -2), 12);
        assert_eq!(shr(0x4000, -1), MAX_16);
        let mut o = false;
        shr_o(&mut o, 0x4000, -1);
        assert!(o);
        let mut o = false;
        shl_o(&mut o, 1, 3);
        shr_o(&mut o, MIN_16, 3);
        assert!(!o);
        shl_o(&mut o, 2, 14);
        assert!(o);
    }

    #[test]
    fn shifts_32() {
        assert_eq!(l_shl(1, 30), 0x4000_0000);
        assert_eq!(l_shl(1, 31), MAX_32);
        assert_eq!(l_shl(-1, 31), MIN_32);
        assert_eq!(l_shl(-1, 40), MIN_32);
        assert_eq!(l_shl(0, 40), 0);
        assert_eq!(l_shl(0x4000_0000, 1), MAX_32);
        assert_eq!(l_shl(-0x4000_0000, 1), MIN_32);
        assert_eq!(l_shl(-0x4000_0001, 1), MIN_32);
        assert_eq!(l_shl(-16, -2), -4);
        assert_eq!(l_shr(-1, 1), -1);
        assert_eq!(l_shr(MIN_32, 31), -1);
        assert_eq!(l_shr(MAX_32, 31), 0);
        assert_eq!(l_shr(MAX_32, 100), 0);
        assert_eq!(l_shr(MIN_32, 100), -1);
        assert_eq!(l_shr(3, -29), 0x6000_0000);
        assert_eq!(l_shr(3, -30), MAX_32);
        // Exhaustive comparison against the step-by-step reference definition.
        let vals = [
            0,
            1,
            -1,
            2,
            -2,
            0x3fff_ffff,
            0x4000_0000,
            -0x4000_0000,
            -0x4000_0001,
            MAX_32,
            MIN_32,
            12345,
            -12345,
            0x0001_0000,
            -0x0001_0000,
            0x00ff_ffff,
            -0x0100_0000,
        ];
        for &v in &vals {
            for n in -40i16..40 {
                let mut o = false;
                let r = l_shl_o(&mut o, v, n);
                assert_eq!((r, o), l_shl_ref(v, n), "l_shl({v}, {n})");
            }
        }
    }

    #[test]
    fn rounding_ops() {
        assert_eq!(round16(0x7fff_8000), MAX_16);
        assert_eq!(round16(0x0001_8000), 2);
        assert_eq!(round16(0x0001_7fff), 1);
        assert_eq!(round16(-0x8001), -1);
        assert_eq!(round16(MIN_32), MIN_16);
        let mut o = false;
        round16_o(&mut o, MAX_32);
        assert!(o);
        assert_eq!(mac_r(0, 16384, 2), 1);
        assert_eq!(msu_r(0, 16384, 2), -1);
        assert_eq!(mac_r(MAX_32, 1, 1), MAX_16);
        assert_eq!(shr_r(3, 1), 2);
        assert_eq!(shr_r(-3, 1), -1);
        assert_eq!(shr_r(MAX_16, 15), 1);
        assert_eq!(shr_r(MAX_16, 16), 0);
        assert_eq!(shr_r(5, 0), 5);
        assert_eq!(shr_r(3, -2), 12);
        assert_eq!(l_shr_r(3, 1), 2);
        assert_eq!(l_shr_r(-3, 1), -1);
        assert_eq!(l_shr_r(MAX_32, 31), 1);
        assert_eq!(l_shr_r(MAX_32, 32), 0);
        assert_eq!(l_shr_r(MIN_32, 31), -1);
        assert_eq!(l_shr_r(7, -1), 14);
    }

    #[test]
    fn extract_deposit() {
        assert_eq!(extract_h(0x1234_5678), 0x1234);
        assert_eq!(extract_l(0x1234_5678), 0x5678);
        assert_eq!(extract_l(0x0000_8000), MIN_16);
        assert_eq!(extract_h(-1), -1);
        assert_eq!(l_deposit_h(MIN_16), MIN_32);
        assert_eq!(l_deposit_h(1), 0x10000);
        assert_eq!(l_deposit_l(-2), -2);
    }

    #[test]
    fn normalisation() {
        assert_eq!(norm_s(0), 0);
        assert_eq!(norm_s(-1), 15);
        assert_eq!(norm_s(1), 14);
        assert_eq!(norm_s(MAX_16), 0);
        assert_eq!(norm_s(MIN_16), 0);
        assert_eq!(norm_s(0x2000), 1);
        assert_eq!(norm_s(-0x2000), 2);
        assert_eq!(norm_s(-0x2001), 1);
        assert_eq!(norm_l(0), 0);
        assert_eq!(norm_l(-1), 31);
        assert_eq!(norm_l(1), 30);
        assert_eq!(norm_l(MAX_32), 0);
        assert_eq!(norm_l(MIN_32), 0);
        assert_eq!(norm_l(-0x4000_0000), 1);
        assert_eq!(norm_l(0x0000_ffff), 15);
        // The result always normalises: x << norm lies in [2^30, 2^31) or its negative.
        for x in [3i32, 77, -77, 0x1234_5678, -0x1234_5678, 65535] {
            let y = l_shl(x, norm_l(x));
            assert!(!(-0x4000_0000..0x4000_0000).contains(&y), "{x}");
        }
    }

    #[test]
    fn division() {
        assert_eq!(div_s(1, 1), MAX_16);
        assert_eq!(div_s(MAX_16, MAX_16), MAX_16);
        assert_eq!(div_s(0, 100), 0);
        assert_eq!(div_s(1, 2), 16384);
        assert_eq!(div_s(1, 3), 10922);
        assert_eq!(div_s(0x3fff, 0x4000), 32766);
        assert_eq!(div_s(16384, 32767), 16384);
        // Out-of-domain inputs do not panic.
        assert_eq!(div_s(5, 0), MAX_16);
        assert_eq!(div_s(-5, 3), 0);
        assert_eq!(div_s(9, 3), MAX_16);
    }

    #[test]
    fn double_precision() {
        for l in [
            0i32,
            1,
            -1,
            0x1234_5678,
            -0x1234_5678,
            MAX_32,
            MIN_32 + 1,
            65536,
            -65536,
        ] {
            let (hi, lo) = l_extract(l);
            assert!((0..0x8000).contains(&(lo as i32)), "{l}");
            // L_Comp drops the last bit.
            assert_eq!(l_comp(hi, lo), l & !1, "{l}");
        }
        // 0.5 * 0.5 = 0.25
        let (h, l) = l_extract(0x4000_0000);
        assert_eq!(mpy_32(h, l, h, l), 0x2000_0000);
        assert_eq!(mpy_32_16(h, l, 16384), 0x2000_0000);
        // 0.25 / 0.5 = 0.5 (Div_32 is accurate to a few LSBs)
        let q = div_32(0x2000_0000, h, l);
        assert!((q - 0x4000_0000).abs() < 64, "{q:#x}");
        let (h, l) = l_extract(0x6000_0000);
        let q = div_32(0x2000_0000, h, l); // 1/3
        assert!((q - 0x2aaa_aaaa).abs() < 64, "{q:#x}");
    }
}
