//! Filters on LP coefficients (Q12, `a[0] = 1.0`, order `M = 10`):
//! synthesis 1/A(z) (§3.10 / §4.1.6), inverse filter A(z) (residual,
//! §3.6), convolution with an impulse response (§3.7), bandwidth expansion
//! A(z/γ) (§3.3 / Annex A A.4.2).

use super::basic_op::*;
use super::simd;
use super::tables::{M, MP1};

/// Longest block the synthesis filter accepts (the reference uses a
/// 100-sample scratch buffer including the `M` memory samples).
pub const SYN_FILT_MAX: usize = 100 - M;

/// Plain dot product `Σ a[k]·b[k]` in 32 bits (SSE2 on x86_64, see
/// [`simd::dot`]). Callers guarantee by a magnitude bound that it cannot
/// overflow.
#[inline(always)]
pub(crate) fn dot<const N: usize>(a: &[i16; N], b: &[i16; N]) -> i32 {
    simd::dot(a, b)
}

/// `Σ |a[j]|` over the coefficients.
///
/// Exactness argument of the fast paths below: a chain `L_mac`/`L_msu` of
/// products `a[j]·v[j]` never saturates (neither a product nor a partial
/// sum) when `Σ |a[j]|·|v[j]| < 2^30`; the plain integer sum is then
/// exactly the saturating result and no overflow flag would be set.
#[inline(always)]
fn sum_abs(a: &[i16]) -> i64 {
    a.iter().map(|&v| (v as i64).abs()).sum()
}

/// Largest magnitude in `v` (0 for an empty slice). Written as separate
/// 16-bit max/min reductions, which vectorise on baseline SSE2.
#[inline(always)]
pub(crate) fn max_abs(v: &[i16]) -> i64 {
    let (mut hi, mut lo) = (0i16, 0i16);
    for &x in v {
        hi = hi.max(x);
        lo = lo.min(x);
    }
    (hi as i64).max(-(lo as i64))
}

/// `L_shl(s, 3)` then `round` with the overflow flag, in one step: `s·8`
/// in 64 bits; the result is `(s·8 + 2^15) >> 16` clamped to 16 bits, and
/// the flag is set exactly when `L_shl` saturates (`s·8` outside 32 bits)
/// or the rounding addition does (`s·8 + 2^15 > MAX_32`).
#[inline(always)]
fn shl3_round_o(ovf: &mut bool, s: i32) -> i16 {
    let t = (s as i64) << 3;
    *ovf |= (t - MIN_32 as i64) as u64 > (MAX_32 as i64 - 0x8000 - MIN_32 as i64) as u64;
    ((t + 0x8000) >> 16).clamp(MIN_16 as i64, MAX_16 as i64) as i16
}

/// One output of the synthesis recursion on the exact fast path:
/// `p = x·a[0] − Σ_{j≥2} a[j]·y[−j]` (plain sum), `y1` the previous output.
/// The chain value is `s = 2·t` with `t = p − a[1]·y1`; `L_shl(s, 3)` and
/// `round` give `(16·t + 2^15) >> 16 = (t + 2^11) >> 12`, saturated, and
/// set the flag when `16·t` leaves `[MIN_32, MAX_32 − 2^15]`
/// (property-tested against the operator sequence below). The previous
/// output enters last, so the recursion's latency is one multiply and a
/// few adds per sample.
#[inline(always)]
fn syn_out(ovf: &mut bool, p: i32, a1: i32, y1: i32) -> i32 {
    let t = p - a1 * y1;
    *ovf |= (t.wrapping_add(1 << 27) as u32) > (1 << 28) - 2049;
    ((t + 0x800) >> 12).clamp(MIN_16 as i32, MAX_16 as i32)
}

#[inline(always)]
fn syn_filt_core(
    a: &[i16; MP1],
    x: &[i16],
    tmp: &mut [i16; M + SYN_FILT_MAX],
    mem: &[i16; M],
) -> bool {
    let mut ovf = false;
    tmp[..M].copy_from_slice(mem);
    // The two latest outputs stay in registers; the eight older ones are
    // read back with one 16-byte load (SSE2 dot). They were stored at
    // least three samples earlier: a wide load over the 16-bit store of
    // the previous sample would stall on store forwarding every sample.
    let mut ar = [0i16; M - 2];
    for k in 0..M - 2 {
        ar[k] = a[M - k];
    }
    let (a0, a1, a2) = (a[0] as i32, a[1] as i32, a[2] as i32);
    let (mut y1, mut y2) = (tmp[M - 1] as i32, tmp[M - 2] as i32);
    let a0_abs = (a0 as i64).abs();
    let sa = sum_abs(&a[1..]);
    if max_abs(x) * a0_abs + sa * 32768 < 1 << 30 {
        // No output can exceed 32768 in magnitude, so this bound covers
        // every sample of the block: the L_msu chain cannot saturate (see
        // `sum_abs`) and the plain sum is exact.
        for (i, &xi) in x.iter().enumerate() {
            let older: &[i16; M - 2] = tmp[i..i + M - 2].try_into().expect("M-2 window");
            let p = xi as i32 * a0 - dot(&ar, older) - a2 * y2;
            let y = syn_out(&mut ovf, p, a1, y1);
            tmp[M + i] = y as i16;
            (y2, y1) = (y1, y);
        }
        return ovf;
    }
    // Bound on the magnitude of every past output read so far.
    let mut max_y = max_abs(mem);
    for (i, &xi) in x.iter().enumerate() {
        let y = if (xi as i64).abs() * a0_abs + sa * max_y < 1 << 30 {
            // Exact fast path (see `sum_abs`).
            let older: &[i16; M - 2] = tmp[i..i + M - 2].try_into().expect("M-2 window");
            let p = xi as i32 * a0 - dot(&ar, older) - a2 * y2;
            syn_out(&mut ovf, p, a1, y1)
        } else {
            let past = &tmp[i..i + M];
            let mut s = l_mult_o(&mut ovf, xi, a[0]);
            for j in 1..=M {
                s = l_msu_o(&mut ovf, s, a[j], past[M - j]);
            }
            shl3_round_o(&mut ovf, s) as i32
        };
        tmp[M + i] = y as i16;
        (y2, y1) = (y1, y);
        max_y = max_y.max((y as i64).abs());
    }
    ovf
}

/// Synthesis filter 1/A(z) (`Syn_filt`): `y = x` filtered, starting from
/// the filter memory `mem` (the last `M` outputs, oldest first). With
/// `update`, `mem` receives the last `M` outputs.
///
/// Returns `true` when any operation saturated (the reference's `Overflow`
/// flag, which the decoder reads, §4.1.6). `x.len() == y.len() ≤
/// SYN_FILT_MAX` (panics otherwise: a programming error).
#[inline]
pub fn syn_filt(
    a: &[i16; MP1],
    x: &[i16],
    y: &mut [i16],
    mem: &mut [i16; M],
    update: bool,
) -> bool {
    let lg = x.len();
    assert!(lg == y.len() && lg <= SYN_FILT_MAX, "syn_filt length");
    let mut tmp = [0i16; M + SYN_FILT_MAX];
    let ovf = syn_filt_core(a, x, &mut tmp, mem);
    y.copy_from_slice(&tmp[M..M + lg]);
    if update && lg >= M {
        mem.copy_from_slice(&y[lg - M..]);
    }
    ovf
}

/// [`syn_filt`] with the output written over the input.
#[inline]
pub fn syn_filt_in_place(a: &[i16; MP1], xy: &mut [i16], mem: &mut [i16; M], update: bool) -> bool {
    let lg = xy.len();
    assert!(lg <= SYN_FILT_MAX, "syn_filt length");
    let mut tmp = [0i16; M + SYN_FILT_MAX];
    let ovf = syn_filt_core(a, xy, &mut tmp, mem);
    xy.copy_from_slice(&tmp[M..M + lg]);
    if update && lg >= M {
        mem.copy_from_slice(&xy[lg - M..]);
    }
    ovf
}

/// LP residual through A(z) (`Residu`): `y[i] = Σ a[j]·x[M + i − j]`.
/// `x` carries `M` samples of history before the block:
/// `x.len() == y.len() + M`.
#[inline]
pub fn residu(a: &[i16; MP1], x: &[i16], y: &mut [i16]) {
    assert_eq!(x.len(), y.len() + M, "residu history");
    // Exact fast path when no partial sum can saturate (see `sum_abs`).
    let fast = sum_abs(a) * max_abs(x) < 1 << 30;
    // Reversed coefficients: y[i] = Σ_k ar[k]·x[i + k]; 5 zero taps make
    // 16 lanes for the SSE2 dot product.
    let mut ar = [0i16; 16];
    for k in 0..MP1 {
        ar[k] = a[M - k];
    }
    for (i, yi) in y.iter_mut().enumerate() {
        let s = if fast {
            match x.get(i..i + 16) {
                // The 5 samples under the zero taps may be anything.
                Some(w) => simd::dot(&ar, w.try_into().expect("16-lane window")) << 1,
                None => {
                    let w: &[i16; MP1] = x[i..i + MP1].try_into().expect("MP1 window");
                    let k: &[i16; MP1] = ar[..MP1].try_into().expect("MP1 taps");
                    dot(k, w) << 1
                }
            }
        } else {
            let w = &x[i..i + MP1];
            let mut s = l_mult(w[M], a[0]);
            for j in 1..=M {
                s = l_mac(s, a[j], w[M - j]);
            }
            s
        };
        *yi = round16(l_shl(s, 3));
    }
}

/// Convolution `y[n] = Σ_{i≤n} x[i]·h[n−i]` with `h` in Q12 (`Convolve`);
/// length `y.len()` (≤ `x.len()`, `h.len()`).
#[inline]
pub fn convolve(x: &[i16], h: &[i16], y: &mut [i16]) {
    for (n, yn) in y.iter_mut().enumerate() {
        let mut s = 0i32;
        for i in 0..=n {
            s = l_mac(s, x[i], h[n - i]);
        }
        s = l_shl(s, 3);
        *yn = extract_h(s);
    }
}

/// Bandwidth expansion `ap[i] = a[i]·γ^i` (`Weight_Az`), γ in Q15.
#[inline]
pub fn weight_az(a: &[i16; MP1], gamma: i16, ap: &mut [i16; MP1]) {
    ap[0] = a[0];
    let mut fac = gamma;
    for i in 1..M {
        ap[i] = round16(l_mult(a[i], fac));
        fac = round16(l_mult(fac, gamma));
    }
    ap[M] = round16(l_mult(a[M], fac));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthesis_inverts_residual() {
        let a: [i16; MP1] = [4096, -2000, 800, -300, 100, 0, 0, 0, 0, 0, 0];
        let mut x = [0i16; 40 + M];
        for (i, v) in x.iter_mut().enumerate().skip(M) {
            *v = ((i as i32 * 731) % 2000 - 1000) as i16;
        }
        let mut res = [0i16; 40];
        residu(&a, &x, &mut res);
        let mut y = [0i16; 40];
        let mut mem = [0i16; M];
        let ovf = syn_filt(&a, &res, &mut y, &mut mem, true);
        assert!(!ovf);
        for i in 0..40 {
            assert!((y[i] - x[i + M]).abs() <= 2, "{i}: {} {}", y[i], x[i + M]);
        }
        assert_eq!(mem, y[30..40]);
        let mut z = res;
        let mut mem2 = [0i16; M];
        syn_filt_in_place(&a, &mut z, &mut mem2, false);
        assert_eq!(z, y);
        assert_eq!(mem2, [0; M]);
    }

    #[test]
    fn synthesis_reports_overflow() {
        let a: [i16; MP1] = [4096, -8000, 4000, 0, 0, 0, 0, 0, 0, 0, 0];
        let x = [30000i16; 40];
        let mut y = [0i16; 40];
        let mut mem = [0i16; M];
        assert!(syn_filt(&a, &x, &mut y, &mut mem, false));
        // The whole-block fast path holds here (Σ|a_j|·32768 + 30000·4096
        // < 2^30) and saturates: same outputs and flag as the reference.
        assert_eq!(syn_filt_reference(&a, &x, &mem), (y.to_vec(), true));
    }

    /// The reference sequence, always with saturating operators.
    fn syn_filt_reference(a: &[i16; MP1], x: &[i16], mem: &[i16; M]) -> (Vec<i16>, bool) {
        let mut ovf = false;
        let mut yy: Vec<i16> = mem.to_vec();
        for &xi in x {
            let mut s = l_mult_o(&mut ovf, xi, a[0]);
            for j in 1..=M {
                s = l_msu_o(&mut ovf, s, a[j], yy[yy.len() - j]);
            }
            s = l_shl_o(&mut ovf, s, 3);
            yy.push(round16_o(&mut ovf, s));
        }
        (yy[M..].to_vec(), ovf)
    }

    #[test]
    fn fast_paths_equal_the_saturating_sequence() {
        let mut seed = 1u32;
        let mut rnd = |range: i32| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((seed >> 8) as i32 % (2 * range + 1) - range) as i16
        };
        for case in 0..400 {
            let scale = [300, 3000, 32767][case % 3];
            let mut a = [0i16; MP1];
            a[0] = 4096;
            for v in a.iter_mut().skip(1) {
                *v = rnd(if case % 2 == 0 { 3000 } else { 20000 });
            }
            let x: Vec<i16> = (0..40).map(|_| rnd(scale)).collect();
            let mut mem = [0i16; M];
            for v in mem.iter_mut() {
                *v = rnd(scale);
            }
            let (want, want_ovf) = syn_filt_reference(&a, &x, &mem);
            let mut y = [0i16; 40];
            let mut m2 = mem;
            let ovf = syn_filt(&a, &x, &mut y, &mut m2, true);
            assert_eq!((&y[..], ovf), (&want[..], want_ovf), "case {case}");
            // Residual against the saturating sequence.
            let mut xh = mem.to_vec();
            xh.extend_from_slice(&x);
            let mut r = [0i16; 40];
            residu(&a, &xh, &mut r);
            for i in 0..40 {
                let mut s = l_mult(xh[i + M], a[0]);
                for j in 1..=M {
                    s = l_mac(s, a[j], xh[i + M - j]);
                }
                assert_eq!(r[i], round16(l_shl(s, 3)), "case {case} residu {i}");
            }
        }
    }

    #[test]
    fn shl3_round_equals_the_saturating_pair_at_the_edges() {
        for base in [
            0,
            MIN_32 >> 3,
            MAX_32 >> 3,
            (MAX_32 - 0x8000) >> 3,
            MIN_32,
            MAX_32,
        ] {
            for d in -20..=20 {
                let s = base.saturating_add(d);
                let mut want_o = false;
                let shifted = l_shl_o(&mut want_o, s, 3);
                let want = round16_o(&mut want_o, shifted);
                let mut o = false;
                assert_eq!((shl3_round_o(&mut o, s), o), (want, want_o), "{s}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn shl3_round_equals_the_saturating_pair(s in proptest::prelude::any::<i32>()) {
            let mut want_o = false;
            let shifted = l_shl_o(&mut want_o, s, 3);
            let want = round16_o(&mut want_o, shifted);
            let mut o = false;
            proptest::prop_assert_eq!((shl3_round_o(&mut o, s), o), (want, want_o));
        }

        /// Both fast paths (whole block, per sample) and the saturating
        /// fall-back against the reference sequence, flag included:
        /// coefficient sizes from gentle to overflowing, inputs from quiet
        /// to full scale.
        #[test]
        fn syn_filt_equals_the_saturating_sequence(
            a_scale in 0usize..4,
            x_scale in 0usize..4,
            raw_a in proptest::prelude::any::<[i16; M]>(),
            raw_x in proptest::collection::vec(proptest::prelude::any::<i16>(), 40),
            raw_mem in proptest::prelude::any::<[i16; M]>(),
        ) {
            let a_shift = [4, 2, 1, 0][a_scale];
            let x_shift = [6, 3, 1, 0][x_scale];
            let mut a = [0i16; MP1];
            a[0] = 4096;
            for (d, &r) in a[1..].iter_mut().zip(&raw_a) {
                *d = r >> a_shift;
            }
            let x: Vec<i16> = raw_x.iter().map(|&v| v >> x_shift).collect();
            let mem = raw_mem.map(|v| v >> x_shift);
            let (want, want_ovf) = syn_filt_reference(&a, &x, &mem);
            let mut y = [0i16; 40];
            let mut m2 = mem;
            let ovf = syn_filt(&a, &x, &mut y, &mut m2, true);
            proptest::prop_assert_eq!((&y[..], ovf), (&want[..], want_ovf));
            proptest::prop_assert_eq!(&m2[..], &want[30..]);
        }
    }

    #[test]
    fn convolve_with_unit_impulse_is_identity() {
        let mut h = [0i16; 40];
        h[0] = 4096;
        let x: Vec<i16> = (0..40).map(|i| (i * 100 - 2000) as i16).collect();
        let mut y = [0i16; 40];
        convolve(&x, &h, &mut y);
        assert_eq!(&y[..], &x[..]);
    }

    #[test]
    fn weight_az_powers() {
        let a = [4096i16; MP1];
        let mut ap = [0i16; MP1];
        weight_az(&a, 16384, &mut ap);
        assert_eq!(ap[0], 4096);
        assert_eq!(ap[1], 2048);
        assert_eq!(ap[2], 1024);
    }
}
