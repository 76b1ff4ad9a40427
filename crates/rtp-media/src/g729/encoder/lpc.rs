//! Linear-prediction analysis of the encoder (G.729 §3.2.1–§3.2.3 with the
//! Annex A simplifications of A.3.2):
//!
//! * windowing with the 240-sample asymmetric window and autocorrelation
//!   r(0..10) in double precision (§3.2.1);
//! * 60 Hz lag window (§3.2.1);
//! * Levinson–Durbin recursion (§3.2.2), keeping the previous filter when the
//!   recursion becomes unstable;
//! * LP → LSP conversion by a root search of the sum and difference
//!   polynomials F1, F2 on a 50-point cosine grid with Chebyshev evaluation
//!   (§3.2.3; Annex A A.3.2.3 halves the grid and bisects twice).

use super::exact;
use crate::g729::basic_op::{
    MAX_32, abs_s, add, add_o, div_32, div_s, extract_h, extract_l, l_abs, l_add, l_comp,
    l_extract, l_mac, l_mac_o, l_msu, l_msu_o, l_mult, l_mult_o, l_negate, l_shl, l_shr, l_sub,
    mpy_32, mpy_32_16, mult_r, negate, norm_l, norm_s, round16, shl, shr, sub, sub_o,
};
use crate::g729::tables::{GRID, GRID_POINTS, HAMWINDOW, L_WINDOW, LAG_H, LAG_L, M, MP1, NC};

/// Autocorrelation in double precision: `(hi, lo)` per lag, r(0) normalised.
pub(crate) struct Autocorrelation {
    pub(crate) hi: [i16; MP1],
    pub(crate) lo: [i16; MP1],
}

/// Windowed autocorrelation r(0..=M) of the 240-sample analysis buffer
/// (§3.2.1). If the energy overflows, the windowed signal is divided by 4 and
/// the energy recomputed until it fits.
pub(crate) fn autocorr(x: &[i16; L_WINDOW]) -> Autocorrelation {
    let mut y = [0i16; L_WINDOW];
    for ((yv, &xv), &w) in y.iter_mut().zip(x.iter()).zip(HAMWINDOW.iter()) {
        *yv = mult_r(xv, w);
    }

    // r(0) with overflow check. All terms are non-negative, so the
    // saturating accumulation overflows exactly when the exact sum exceeds
    // MAX_32 (a `-32768²` product alone already does).
    let energy = loop {
        let mut sum = 1i64;
        for &v in &y {
            sum += 2 * (v as i64) * (v as i64);
        }
        if sum <= MAX_32 as i64 {
            break sum as i32;
        }
        for v in y.iter_mut() {
            *v = shr(*v, 2);
        }
    };

    let mut r = Autocorrelation {
        hi: [0; MP1],
        lo: [0; MP1],
    };
    let norm = norm_l(energy);
    (r.hi[0], r.lo[0]) = l_extract(l_shl(energy, norm));
    // r(1..=M): by Cauchy–Schwarz every partial sum is bounded by r(0),
    // which fits, so the accumulation cannot saturate and is exact in
    // plain 32-bit arithmetic.
    for lag in 1..=M {
        let sum = exact::dot(&y[..L_WINDOW - lag], &y[lag..]);
        (r.hi[lag], r.lo[lag]) = l_extract(l_shl(sum, norm));
    }
    r
}

/// Autocorrelation for Annex B (B.3.1): r(0..=M) as [`autocorr`], plus
/// r(M+1), r(M+2) (double precision, same normalisation) for the VAD's
/// low-band energy, and the exponent of r(0) (`exp_R0`: r(0) of the
/// windowed input is `(hi, lo) · 2^(exp_R0 − 1)`, counting the `/4`
/// rescalings on overflow).
pub(crate) fn autocorr_ext(x: &[i16; L_WINDOW]) -> (Autocorrelation, [(i16, i16); 2], i16) {
    let mut y = [0i16; L_WINDOW];
    for ((yv, &xv), &w) in y.iter_mut().zip(x.iter()).zip(HAMWINDOW.iter()) {
        *yv = mult_r(xv, w);
    }
    let mut exp_r0 = 1i16;
    let energy = loop {
        let mut sum = 1i64;
        for &v in &y {
            sum += 2 * (v as i64) * (v as i64);
        }
        if sum <= MAX_32 as i64 {
            break sum as i32;
        }
        for v in y.iter_mut() {
            *v = shr(*v, 2);
        }
        exp_r0 = add(exp_r0, 4);
    };
    let mut r = Autocorrelation {
        hi: [0; MP1],
        lo: [0; MP1],
    };
    let norm = norm_l(energy);
    (r.hi[0], r.lo[0]) = l_extract(l_shl(energy, norm));
    exp_r0 = sub(exp_r0, norm);
    for lag in 1..=M {
        let sum = exact::dot(&y[..L_WINDOW - lag], &y[lag..]);
        (r.hi[lag], r.lo[lag]) = l_extract(l_shl(sum, norm));
    }
    let mut ext = [(0i16, 0i16); 2];
    for (k, e) in ext.iter_mut().enumerate() {
        let lag = M + 1 + k;
        let sum = exact::dot(&y[..L_WINDOW - lag], &y[lag..]);
        *e = l_extract(l_shl(sum, norm));
    }
    (r, ext, exp_r0)
}

/// Applies the lag window to r(1..=M) (§3.2.1).
pub(crate) fn lag_window(r: &mut Autocorrelation) {
    for i in 1..=M {
        let x = mpy_32(r.hi[i], r.lo[i], LAG_H[i - 1], LAG_L[i - 1]);
        (r.hi[i], r.lo[i]) = l_extract(x);
    }
}

/// Levinson–Durbin recursion (§3.2.2) with the fallback memory the
/// Recommendation keeps for unstable frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Levinson {
    /// Last stable LP filter, Q12.
    old_a: [i16; MP1],
    /// First two reflection coefficients of that filter, Q15.
    old_rc: [i16; 2],
}

impl Default for Levinson {
    fn default() -> Self {
        let mut old_a = [0; MP1];
        old_a[0] = 4096;
        Self {
            old_a,
            old_rc: [0; 2],
        }
    }
}

/// Reflection coefficient `-num/alpha` of the recursion, with `num` in Q31
/// and `alpha` normalised in double precision.
#[inline]
fn reflection(num: i32, alpha_hi: i16, alpha_lo: i16) -> i32 {
    let k = div_32(l_abs(num), alpha_hi, alpha_lo);
    if num > 0 { l_negate(k) } else { k }
}

/// `alpha·(1 − k²)` for a reflection coefficient `k` in double precision.
#[inline]
fn shrink_alpha(alpha_hi: i16, alpha_lo: i16, k_hi: i16, k_lo: i16) -> i32 {
    let kk = l_abs(mpy_32(k_hi, k_lo, k_hi, k_lo));
    let (hi, lo) = l_extract(l_sub(MAX_32, kk));
    mpy_32(alpha_hi, alpha_lo, hi, lo)
}

impl Levinson {
    /// Computes the LP coefficients a(0..=M) in Q12 (a(0) = 1) and the
    /// reflection coefficients from the autocorrelations.
    ///
    /// Coefficients are carried in Q27 double precision; when a reflection
    /// coefficient reaches |k| > 32750/32768 the previous filter is returned.
    pub(crate) fn solve(&mut self, r: &Autocorrelation) -> ([i16; MP1], [i16; M]) {
        let (a, rc, _) = self.solve_err(r);
        (a, rc)
    }

    /// [`Self::solve`] that also returns the residual energy of the
    /// prediction (`alpha` denormalised, Annex B B.4.1), or `None` when the
    /// recursion was unstable and the previous filter was returned.
    pub(crate) fn solve_err(&mut self, r: &Autocorrelation) -> ([i16; MP1], [i16; M], Option<i16>) {
        let (rh, rl) = (&r.hi, &r.lo);
        let mut rc = [0i16; M];
        let mut ah = [0i16; MP1];
        let mut al = [0i16; MP1];
        let mut anh = [0i16; MP1];
        let mut anl = [0i16; MP1];

        // First order: k = -r(1)/r(0).
        let k = reflection(l_comp(rh[1], rl[1]), rh[0], rl[0]);
        let (mut kh, mut kl) = l_extract(k);
        rc[0] = kh;
        (ah[1], al[1]) = l_extract(l_shr(k, 4));

        let alpha = shrink_alpha(rh[0], rl[0], kh, kl);
        let mut alp_exp = norm_l(alpha);
        let (mut alp_h, mut alp_l) = l_extract(l_shl(alpha, alp_exp));

        for i in 2..=M {
            // r(i) + sum_{j<i} r(j)·a(i-j), with a in Q27.
            let mut t0 = 0i32;
            for j in 1..i {
                t0 = l_add(t0, mpy_32(rh[j], rl[j], ah[i - j], al[i - j]));
            }
            t0 = l_shl(t0, 4);
            t0 = l_add(t0, l_comp(rh[i], rl[i]));

            let k = l_shl(reflection(t0, alp_h, alp_l), alp_exp);
            (kh, kl) = l_extract(k);
            rc[i - 1] = kh;

            if sub(abs_s(kh), 32750) > 0 {
                // Unstable: keep the previous filter.
                rc[0] = self.old_rc[0];
                rc[1] = self.old_rc[1];
                return (self.old_a, rc, None);
            }

            for j in 1..i {
                let t = l_add(mpy_32(kh, kl, ah[i - j], al[i - j]), l_comp(ah[j], al[j]));
                (anh[j], anl[j]) = l_extract(t);
            }
            (anh[i], anl[i]) = l_extract(l_shr(k, 4));

            let alpha = shrink_alpha(alp_h, alp_l, kh, kl);
            let j = norm_l(alpha);
            (alp_h, alp_l) = l_extract(l_shl(alpha, j));
            alp_exp = add(alp_exp, j);

            ah[1..=i].copy_from_slice(&anh[1..=i]);
            al[1..=i].copy_from_slice(&anl[1..=i]);
        }

        let err = shr(alp_h, alp_exp);
        let mut a = [0i16; MP1];
        a[0] = 4096;
        for i in 1..=M {
            a[i] = round16(l_shl(l_comp(ah[i], al[i]), 1));
        }
        self.old_a = a;
        self.old_rc = [rc[0], rc[1]];
        (a, rc, Some(err))
    }
}

/// Chebyshev evaluation C(x) of a half polynomial `f` (f[0] = 1) at
/// x = cos(ω) (§3.2.3), computed in Q(`q`) double precision with
/// `q` = 24 for Q11 coefficients and 23 for Q10 ones. Result in Q14.
fn chebps(x: i16, f: &[i16; NC + 1], q10: bool) -> i16 {
    chebps_plain(x, f, q10).unwrap_or_else(|| chebps_saturating(x, f, q10))
}

/// `Mpy_32_16` of a double-precision value and `L_Extract`, without
/// saturation (callers keep the operands small).
#[inline(always)]
fn mpy_plain(hi: i32, lo: i32, n: i32) -> i32 {
    2 * hi * n + 2 * ((lo * n) >> 15)
}

/// [`chebps`] in plain arithmetic while every intermediate b_k stays below
/// 2^13 in its high word (|b| < 32): then each step is at most about 2^30
/// in magnitude and no operator of the Recommendation's sequence can
/// saturate, so the result is exact. Returns `None` when a b_k grows
/// larger; only the final scaling saturates by design and uses `L_shl`.
#[inline]
fn chebps_plain(x: i16, f: &[i16; NC + 1], q10: bool) -> Option<i16> {
    const LIMIT: i32 = 1 << 13;
    let (one_hi, two_x, out_shift) = if q10 { (128, 256, 7) } else { (256, 512, 6) };
    let x = x as i32;
    let split = |t: i32| {
        let hi = t >> 16;
        (hi, (t >> 1) - (hi << 15))
    };
    let (mut b2_h, mut b2_l) = (one_hi, 0i32);
    let (mut b1_h, mut b1_l) = split(2 * x * two_x + 8192 * f[1] as i32);
    if b1_h.abs() >= LIMIT {
        return None;
    }
    for &fi in &f[2..NC] {
        let t0 = 2 * mpy_plain(b1_h, b1_l, x) - 65536 * b2_h - 2 * b2_l + 8192 * fi as i32;
        (b2_h, b2_l) = (b1_h, b1_l);
        (b1_h, b1_l) = split(t0);
        if b1_h.abs() >= LIMIT {
            return None;
        }
    }
    let t0 = mpy_plain(b1_h, b1_l, x) - 65536 * b2_h - 2 * b2_l + 4096 * f[NC] as i32;
    Some(extract_h(l_shl(t0, out_shift)))
}

/// [`chebps`] with the saturating operators throughout.
fn chebps_saturating(x: i16, f: &[i16; NC + 1], q10: bool) -> i16 {
    // b2 = 1.0, b1 = 2x + f[1].
    let (one_hi, two_x, out_shift) = if q10 { (128, 256, 7) } else { (256, 512, 6) };
    let (mut b2_h, mut b2_l) = (one_hi, 0i16);
    let t0 = l_mac(l_mult(x, two_x), f[1], 4096);
    let (mut b1_h, mut b1_l) = l_extract(t0);

    for &fi in &f[2..NC] {
        let mut t0 = l_shl(mpy_32_16(b1_h, b1_l, x), 1);
        t0 = l_mac(t0, b2_h, -32768);
        t0 = l_msu(t0, b2_l, 1);
        t0 = l_mac(t0, fi, 4096);
        (b2_h, b2_l) = (b1_h, b1_l);
        (b1_h, b1_l) = l_extract(t0);
    }

    let mut t0 = mpy_32_16(b1_h, b1_l, x);
    t0 = l_mac(t0, b2_h, -32768);
    t0 = l_msu(t0, b2_l, 1);
    t0 = l_mac(t0, f[NC], 2048);
    extract_h(l_shl(t0, out_shift))
}

/// Builds F1 and F2 (§3.2.3) from a(1..=M) scaled by 2^(-1-extra):
/// Q11 normally (`scale` = 16384), Q10 when Q11 overflows (`scale` = 8192).
/// Returns the polynomials and whether any step saturated.
fn sum_diff_polynomials(a: &[i16; MP1], scale: i16) -> ([i16; NC + 1], [i16; NC + 1], bool) {
    let one = if scale == 16384 { 2048 } else { 1024 };
    let mut f1 = [0i16; NC + 1];
    let mut f2 = [0i16; NC + 1];
    f1[0] = one;
    f2[0] = one;
    let mut ovf = false;
    for i in 0..NC {
        let t0 = l_mult_o(&mut ovf, a[i + 1], scale);
        let t0 = l_mac_o(&mut ovf, t0, a[M - i], scale);
        f1[i + 1] = sub_o(&mut ovf, extract_h(t0), f1[i]);
        let t0 = l_mult_o(&mut ovf, a[i + 1], scale);
        let t0 = l_msu_o(&mut ovf, t0, a[M - i], scale);
        f2[i + 1] = add_o(&mut ovf, extract_h(t0), f2[i]);
    }
    (f1, f2, ovf)
}

/// LP → LSP conversion (§3.2.3, Annex A A.3.2.3). Returns the LSPs in Q15
/// (cosine domain); when fewer than M roots are found the previous frame's
/// LSPs `old_lsp` are returned instead.
pub(crate) fn az_lsp(a: &[i16; MP1], old_lsp: &[i16; M]) -> [i16; M] {
    let (mut f1, mut f2, ovf) = sum_diff_polynomials(a, 16384);
    let q10 = ovf;
    if ovf {
        // Q11 overflowed: redo the polynomials in Q10 (plain arithmetic).
        let (g1, g2, _) = sum_diff_polynomials(a, 8192);
        f1 = g1;
        f2 = g2;
    }

    let mut lsp = [0i16; M];
    let mut nf = 0usize;
    let mut use_f2 = false;
    let mut xlow = GRID[0];
    let mut ylow = chebps(xlow, &f1, q10);

    let mut j = 0usize;
    while nf < M && j < GRID_POINTS {
        j += 1;
        let coef = if use_f2 { &f2 } else { &f1 };
        let mut xhigh = xlow;
        let mut yhigh = ylow;
        xlow = GRID[j];
        ylow = chebps(xlow, coef, q10);

        if l_mult(ylow, yhigh) <= 0 {
            // Sign change: two bisections, then linear interpolation.
            for _ in 0..2 {
                let xmid = add(shr(xlow, 1), shr(xhigh, 1));
                let ymid = chebps(xmid, coef, q10);
                if l_mult(ylow, ymid) <= 0 {
                    yhigh = ymid;
                    xhigh = xmid;
                } else {
                    ylow = ymid;
                    xlow = xmid;
                }
            }

            let x = sub(xhigh, xlow);
            let mut y = sub(yhigh, ylow);
            let xint = if y == 0 {
                xlow
            } else {
                let sign = y;
                y = abs_s(y);
                let exp = norm_s(y);
                y = shl(y, exp);
                y = div_s(16383, y);
                let t0 = l_shr(l_mult(x, y), sub(20, exp));
                y = extract_l(t0);
                if sign < 0 {
                    y = negate(y);
                }
                let t0 = l_shr(l_mult(ylow, y), 11);
                sub(xlow, extract_l(t0))
            };

            lsp[nf] = xint;
            xlow = xint;
            nf += 1;
            use_f2 = !use_f2;
            let coef = if use_f2 { &f2 } else { &f1 };
            ylow = chebps(xlow, coef, q10);
        }
    }

    if nf < M { *old_lsp } else { lsp }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Autocorr with the saturating operators throughout.
    fn ref_autocorr(x: &[i16; L_WINDOW]) -> ([i16; MP1], [i16; MP1]) {
        let mut y = [0i16; L_WINDOW];
        for i in 0..L_WINDOW {
            y[i] = mult_r(x[i], HAMWINDOW[i]);
        }
        let sum = loop {
            let mut ovf = false;
            let mut sum = 1i32;
            for &v in &y {
                sum = l_mac_o(&mut ovf, sum, v, v);
            }
            if !ovf {
                break sum;
            }
            y.iter_mut().for_each(|v| *v = shr(*v, 2));
        };
        let (mut hi, mut lo) = ([0i16; MP1], [0i16; MP1]);
        let norm = norm_l(sum);
        (hi[0], lo[0]) = l_extract(l_shl(sum, norm));
        for i in 1..=M {
            let mut s = 0i32;
            for j in 0..L_WINDOW - i {
                s = l_mac(s, y[j], y[j + i]);
            }
            (hi[i], lo[i]) = l_extract(l_shl(s, norm));
        }
        (hi, lo)
    }

    proptest! {
        #[test]
        fn autocorr_matches_reference(
            x in prop_oneof![
                prop::collection::vec(-500i16..500, L_WINDOW),
                prop::collection::vec(any::<i16>(), L_WINDOW),
                prop::collection::vec(prop_oneof![Just(i16::MIN), Just(i16::MAX)], L_WINDOW),
            ]
        ) {
            let x: [i16; L_WINDOW] = x.try_into().unwrap();
            let r = autocorr(&x);
            prop_assert_eq!((r.hi, r.lo), ref_autocorr(&x));
        }

        /// The plain Chebyshev evaluation, whenever it applies, equals the
        /// saturating one, for coefficients of any size.
        #[test]
        fn chebps_plain_is_exact(
            x in any::<i16>(),
            f in prop_oneof![
                prop::array::uniform6(-4000i16..4000),
                prop::array::uniform6(any::<i16>()),
            ],
            q10 in any::<bool>(),
        ) {
            if let Some(v) = chebps_plain(x, &f, q10) {
                prop_assert_eq!(v, chebps_saturating(x, &f, q10));
            }
        }
    }

    #[test]
    fn chebps_plain_declines_large_polynomials() {
        assert_eq!(
            chebps_plain(32000, &[2048, 32767, 32767, 32767, 32767, 32767], false),
            None
        );
    }
}
