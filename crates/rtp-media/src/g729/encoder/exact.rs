//! Exact shortcuts for saturating accumulations.
//!
//! The Recommendation accumulates products with the saturating `L_mac`.
//! Where a bound shows that no partial sum can leave the 32-bit range, the
//! saturating chain equals plain integer arithmetic, which is much faster
//! and vectorises. The bound used is Cauchy–Schwarz: for any subset S,
//! |Σ_S 2·a·b| ≤ √(Σ 2a² · Σ 2b²), so if the product of the two energies is
//! at most `MAX_32²`, every partial sum of every correlation between the two
//! signals fits (and no `L_mult(-32768, -32768)` can occur, since that alone
//! needs both energies ≥ 2^31). Sums of non-negative terms saturate exactly
//! when the exact total exceeds `MAX_32`, so they are computed exactly and
//! clamped.
//!
//! Each shortcut has its saturating fallback next to it in the caller; the
//! unit tests of the callers compare both on inputs that saturate.

use crate::g729::basic_op::MAX_32;

/// Σ 2·v² in 64 bits: the value a saturating `L_mac(v, v)` chain approaches.
#[inline]
pub(crate) fn energy(v: &[i16]) -> i64 {
    let mut e = 0i64;
    for &x in v {
        e += (x as i32 * x as i32) as i64;
    }
    2 * e
}

/// Whether correlations between two signals of energies `ea` and `eb` (as
/// returned by [`energy`]) can be computed without saturation.
#[inline]
pub(crate) fn correlation_fits(ea: i64, eb: i64) -> bool {
    (ea as i128) * (eb as i128) <= (MAX_32 as i128) * (MAX_32 as i128)
}

/// Σ 2·a·b in plain arithmetic; exact when [`correlation_fits`] holds for
/// the two signals.
#[inline(always)]
pub(crate) fn dot(a: &[i16], b: &[i16]) -> i32 {
    let mut s = 0i32;
    for (&x, &y) in a.iter().zip(b.iter()) {
        s = s.wrapping_add(x as i32 * y as i32);
    }
    s.wrapping_shl(1)
}

/// The `L_mac` chain `start + Σ 2·a·b` (for signals of energies `ea`,
/// `eb` as returned by [`energy`]): in plain arithmetic when every partial
/// sum provably fits (|start| + √(ea·eb) ≤ `MAX_32`), else saturating.
#[inline]
pub(crate) fn mac_chain(start: i32, a: &[i16], b: &[i16], ea: i64, eb: i64) -> i32 {
    let room = (MAX_32 as i128) - (start as i128).abs();
    if (ea as i128) * (eb as i128) <= room * room {
        start + dot(a, b)
    } else {
        dot_saturating(start, a, b)
    }
}

/// The saturating `L_mac` chain `Σ 2·a·b` starting from `acc`, as the
/// Recommendation computes it.
#[inline]
pub(crate) fn dot_saturating(mut acc: i32, a: &[i16], b: &[i16]) -> i32 {
    for (&x, &y) in a.iter().zip(b.iter()) {
        acc = crate::g729::basic_op::l_mac(acc, x, y);
    }
    acc
}

/// A saturating sum of non-negative terms: the exact sum clamped to `MAX_32`.
#[inline]
pub(crate) fn clamp_positive(sum: i64) -> i32 {
    sum.min(MAX_32 as i64) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::g729::basic_op::{l_mac, l_mac_o};
    use proptest::prelude::*;

    /// Signals of one of several amplitude ranges, up to full scale.
    fn signal(len: usize) -> impl Strategy<Value = Vec<i16>> {
        prop_oneof![
            prop::collection::vec(-300i16..300, len),
            prop::collection::vec(-6000i16..6000, len),
            prop::collection::vec(any::<i16>(), len),
            prop::collection::vec(prop_oneof![Just(i16::MIN), Just(i16::MAX), Just(0i16)], len),
        ]
    }

    proptest! {
        /// When the bound holds, every partial sum of the plain
        /// accumulation equals the saturating chain.
        #[test]
        fn dot_is_exact_under_the_bound(a in signal(40), b in signal(40)) {
            if correlation_fits(energy(&a), energy(&b)) {
                for n in 0..=a.len() {
                    prop_assert_eq!(dot(&a[..n], &b[..n]), dot_saturating(0, &a[..n], &b[..n]));
                }
            }
        }

        /// The chain with a start value, against the saturating one.
        #[test]
        fn mac_chain_matches_saturating(a in signal(40), b in signal(40), start in prop_oneof![Just(0i32), Just(1), any::<i32>()]) {
            prop_assert_eq!(
                mac_chain(start, &a, &b, energy(&a), energy(&b)),
                dot_saturating(start, &a, &b)
            );
        }

        /// Sums of squares: clamped exact sum and overflow flag.
        #[test]
        fn energy_matches_saturating_chain(v in signal(60), start in 0i32..2) {
            let mut ovf = false;
            let mut acc = start;
            for &x in &v {
                acc = l_mac_o(&mut ovf, acc, x, x);
            }
            let exact = start as i64 + energy(&v);
            prop_assert_eq!(acc, clamp_positive(exact));
            prop_assert_eq!(ovf, exact > MAX_32 as i64);
        }
    }

    #[test]
    fn bound_rejects_the_saturating_product() {
        let a = [i16::MIN; 1];
        assert!(!correlation_fits(energy(&a), energy(&a)));
        assert_eq!(dot_saturating(0, &a, &a), l_mac(0, i16::MIN, i16::MIN));
    }
}
