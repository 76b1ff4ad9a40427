//! The one SIMD kernel of the G.729 code: a 16-bit dot product with 32-bit
//! wrapping accumulation, `Σ a[k]·b[k]` over `N` lanes. On x86_64 it is
//! SSE2 `pmaddwd` on each whole group of 8 lanes (baseline on that target,
//! so no run-time detection) and scalar on the rest; elsewhere, and as the
//! test oracle, the scalar twin [`dot_scalar`]. The two give the same `i32` for every input (a test
//! below checks random and extreme inputs): `pmaddwd` forms each pair sum
//! `a[2k]·b[2k] + a[2k+1]·b[2k+1]` modulo 2^32 and `paddd` wraps, as
//! `wrapping_add` does.
//!
//! Callers use it where a magnitude bound proves that the saturating ITU
//! sequence it replaces cannot saturate, so the wrapping sum never wraps.

/// Scalar twin of [`dot`]: products summed with wrapping 32-bit adds.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
pub(crate) fn dot_scalar<const N: usize>(a: &[i16; N], b: &[i16; N]) -> i32 {
    a.iter()
        .zip(b)
        .fold(0i32, |s, (&x, &y)| s.wrapping_add(x as i32 * y as i32))
}

/// `Σ a[k]·b[k]` with wrapping 32-bit accumulation (see the module note).
#[inline(always)]
pub(crate) fn dot<const N: usize>(a: &[i16; N], b: &[i16; N]) -> i32 {
    #[cfg(target_arch = "x86_64")]
    {
        x86::dot_sse2(a, b)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        dot_scalar(a, b)
    }
}

/// Scalar twin of [`fir8`].
#[cfg(any(test, not(target_arch = "x86_64")))]
pub(crate) fn fir8_scalar<const T: usize, const W: usize>(
    taps: &[i16; T],
    x: &[i16; W],
) -> [i32; 8] {
    std::array::from_fn(|j| {
        taps.iter()
            .zip(&x[j..j + T])
            .fold(0i32, |s, (&c, &v)| s.wrapping_add(c as i32 * v as i32))
    })
}

/// Eight outputs of an FIR filter at once: `out[j] = Σ_k taps[k]·x[j + k]`
/// for `j < 8`, wrapping 32-bit accumulation, `T` even and `W = T + 7`.
/// On x86_64 each pair of taps is one `pmaddwd` per four outputs, on the
/// interleaved pairs `(x[j + k], x[j + k + 1])`.
#[inline(always)]
pub(crate) fn fir8<const T: usize, const W: usize>(taps: &[i16; T], x: &[i16; W]) -> [i32; 8] {
    const { assert!(T % 2 == 0 && W == T + 7, "fir8: T even, W = T + 7") };
    #[cfg(target_arch = "x86_64")]
    {
        x86::fir8_sse2(taps, x)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        fir8_scalar(taps, x)
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// SSE2 [`super::fir8`].
    #[inline(always)]
    pub(super) fn fir8_sse2<const T: usize, const W: usize>(
        taps: &[i16; T],
        x: &[i16; W],
    ) -> [i32; 8] {
        let mut out = [0i32; 8];
        // SAFETY: SSE2 is part of the x86_64 baseline. For each even
        // `k ≤ T − 2` the two 16-byte reads cover x[k ..= k + 8] ⊂
        // x[..T + 7] = x[..W] (checked at compile time by `fir8`); the
        // stores write the 8 elements of `out`; loadu/storeu need no
        // alignment.
        unsafe {
            let (mut lo, mut hi) = (_mm_setzero_si128(), _mm_setzero_si128());
            for k in (0..T).step_by(2) {
                let pair = (taps[k] as u16 as i32) | ((taps[k + 1] as i32) << 16);
                let c = _mm_set1_epi32(pair);
                let v0 = _mm_loadu_si128(x.as_ptr().add(k).cast());
                let v1 = _mm_loadu_si128(x.as_ptr().add(k + 1).cast());
                lo = _mm_add_epi32(lo, _mm_madd_epi16(_mm_unpacklo_epi16(v0, v1), c));
                hi = _mm_add_epi32(hi, _mm_madd_epi16(_mm_unpackhi_epi16(v0, v1), c));
            }
            _mm_storeu_si128(out.as_mut_ptr().cast(), lo);
            _mm_storeu_si128(out.as_mut_ptr().add(4).cast(), hi);
        }
        out
    }

    /// SSE2 `pmaddwd` dot product over the first `N − N % 8` lanes, the
    /// rest scalar.
    #[inline(always)]
    pub(super) fn dot_sse2<const N: usize>(a: &[i16; N], b: &[i16; N]) -> i32 {
        // SAFETY: SSE2 is part of the x86_64 baseline, so the intrinsics
        // are available on every CPU this code can run on. For each `k`,
        // `k + 8 ≤ N`, so both 16-byte reads lie inside the arrays borrowed
        // above; `loadu` has no alignment requirement.
        let head = unsafe {
            let mut acc = _mm_setzero_si128();
            for k in (0..N - N % 8).step_by(8) {
                let va = _mm_loadu_si128(a.as_ptr().add(k).cast());
                let vb = _mm_loadu_si128(b.as_ptr().add(k).cast());
                acc = _mm_add_epi32(acc, _mm_madd_epi16(va, vb));
            }
            let hi = _mm_shuffle_epi32(acc, 0b01_00_11_10);
            let acc = _mm_add_epi32(acc, hi);
            let hi = _mm_shuffle_epi32(acc, 0b10_11_00_01);
            _mm_cvtsi128_si32(_mm_add_epi32(acc, hi))
        };
        a[N - N % 8..]
            .iter()
            .zip(&b[N - N % 8..])
            .fold(head, |s, (&x, &y)| s.wrapping_add(x as i32 * y as i32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check<const N: usize>(a: &[i16; N], b: &[i16; N]) {
        assert_eq!(dot(a, b), dot_scalar(a, b), "{a:?} {b:?}");
    }

    #[test]
    fn extremes_equal_the_scalar_twin() {
        for va in [i16::MIN, i16::MAX, -1, 0, 1] {
            for vb in [i16::MIN, i16::MAX, -1, 0, 1] {
                check(&[va; 8], &[vb; 8]);
                check(&[va; 16], &[vb; 16]);
                check(&[va; 40], &[vb; 40]);
            }
        }
        // One lane pair at −32768² sums to 2^31, which wraps.
        let mut a = [0i16; 8];
        a[..2].fill(i16::MIN);
        check(&a, &a);
    }

    #[test]
    fn fir8_extremes_equal_the_scalar_twin() {
        for c in [i16::MIN, i16::MAX, -1, 0, 1] {
            for v in [i16::MIN, i16::MAX, -1, 0, 1] {
                assert_eq!(fir8(&[c; 20], &[v; 27]), fir8_scalar(&[c; 20], &[v; 27]));
                assert_eq!(fir8(&[c; 12], &[v; 19]), fir8_scalar(&[c; 12], &[v; 19]));
            }
        }
    }

    proptest! {
        #[test]
        fn fir8_equals_the_scalar_twin_20(
            taps in any::<[i16; 20]>(),
            x in proptest::collection::vec(any::<i16>(), 27),
        ) {
            let x: [i16; 27] = x.try_into().unwrap();
            prop_assert_eq!(fir8(&taps, &x), fir8_scalar(&taps, &x));
        }

        #[test]
        fn fir8_equals_the_scalar_twin_12(taps in any::<[i16; 12]>(), x in any::<[i16; 19]>()) {
            prop_assert_eq!(fir8(&taps, &x), fir8_scalar(&taps, &x));
        }

        #[test]
        fn equals_the_scalar_twin_16(a in any::<[i16; 16]>(), b in any::<[i16; 16]>()) {
            check(&a, &b);
        }

        #[test]
        fn equals_the_scalar_twin_11(a in any::<[i16; 11]>(), b in any::<[i16; 11]>()) {
            check(&a, &b);
        }

        #[test]
        fn equals_the_scalar_twin_20(a in any::<[i16; 20]>(), b in any::<[i16; 20]>()) {
            check(&a, &b);
        }

        #[test]
        fn equals_the_scalar_twin_24(a in any::<[i16; 24]>(), b in any::<[i16; 24]>()) {
            check(&a, &b);
        }

        #[test]
        fn equals_the_scalar_twin_40(a in proptest::collection::vec(any::<i16>(), 40), b in proptest::collection::vec(any::<i16>(), 40)) {
            let a: [i16; 40] = a.try_into().unwrap();
            let b: [i16; 40] = b.try_into().unwrap();
            check(&a, &b);
        }
    }
}
