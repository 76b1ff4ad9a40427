//! Pitch analysis of the encoder (G.729 §3.4, §3.7–§3.9 with the Annex A
//! simplifications of A.3.4 and A.3.7):
//!
//! * open-loop pitch on the weighted speech of the whole frame, searched on
//!   even samples only in three lag ranges (A.3.4);
//! * closed-loop fractional pitch: integer lag maximising the correlation of
//!   the target with the past excitation filtered backwards (A.3.7), then
//!   the fractions −1/3, 0, +1/3 around it;
//! * the adaptive-codebook gain (§3.7.3) and the lag encoding of
//!   §3.7.2 (8 bits in the first subframe, 5 bits relative in the second).

use super::exact::{clamp_positive, correlation_fits, dot, dot_saturating, energy};
use crate::g729::basic_op::{
    MAX_32, MIN_32, abs_s, add, div_s, extract_l, l_abs, l_extract, l_mac, l_mac_o, l_shl, l_shr,
    l_sub, mpy_32, mult, norm_l, round16, shl, shr, sub,
};
use crate::g729::pitch_common::pred_lt_3;
use crate::g729::tables::{L_FRAME, L_SUBFR, PIT_MAX, PIT_MIN};
use crate::g729::util::inv_sqrt;

const PMAX: usize = PIT_MAX as usize;

/// Number of samples of the open-loop analysis on each sample parity.
const HALF: usize = L_FRAME / 2;

/// The scaled weighted speech split by sample parity, so that the
/// every-second-sample correlations of A.3.4 run over contiguous data.
struct Decimated {
    /// Samples at even buffer indices 0, 2, …, 222.
    even: [i16; (PMAX + L_FRAME).div_ceil(2)],
    /// Samples at odd buffer indices 1, 3, …, 221.
    odd: [i16; (PMAX + L_FRAME) / 2],
    /// Whether no partial sum of any correlation can saturate (both parity
    /// classes have energy within 32 bits, so Cauchy–Schwarz bounds every
    /// partial sum), allowing exact plain arithmetic.
    exact: bool,
}

impl Decimated {
    fn new(scal: &[i16; PMAX + L_FRAME]) -> Self {
        let mut d = Self {
            even: [0; (PMAX + L_FRAME).div_ceil(2)],
            odd: [0; (PMAX + L_FRAME) / 2],
            exact: false,
        };
        for (k, pair) in scal.chunks(2).enumerate() {
            d.even[k] = pair[0];
            if let Some(&o) = pair.get(1) {
                d.odd[k] = o;
            }
        }
        d.exact = energy(&d.even) <= MAX_32 as i64 && energy(&d.odd) <= MAX_32 as i64;
        d
    }

    /// The current frame's every-second samples (buffer indices 143, 145, …).
    fn current(&self) -> &[i16] {
        &self.odd[PMAX / 2..PMAX / 2 + HALF]
    }

    /// The every-second samples delayed by `t` (buffer indices 143 − t, …).
    fn delayed(&self, t: usize) -> &[i16] {
        let start = PMAX - t;
        if start % 2 == 1 {
            &self.odd[start / 2..start / 2 + HALF]
        } else {
            &self.even[start / 2..start / 2 + HALF]
        }
    }

    /// Correlation of the current frame with its past at lag `t`.
    fn corr(&self, t: usize) -> i32 {
        let (a, b) = (self.current(), self.delayed(t));
        if self.exact {
            dot(a, b)
        } else {
            dot_saturating(0, a, b)
        }
    }
}

/// Correlation maximum normalised by the square root of the energy of the
/// delayed signal (A.3.4), for the lag `t` of a section.
fn normalised_max(d: &Decimated, t: usize, max: i32) -> i16 {
    // Non-negative terms: the saturating sum is the clamped exact sum.
    let e = clamp_positive(1 + energy(d.delayed(t)));
    let inv = inv_sqrt(e);
    let (max_h, max_l) = l_extract(max);
    let (e_h, e_l) = l_extract(inv);
    extract_l(mpy_32(max_h, max_l, e_h, e_l))
}

/// Best lag of `lags` for the correlation of the frame with its past
/// (strictly greater wins, so the first maximum is kept).
fn best_lag(
    d: &Decimated,
    lags: impl Iterator<Item = usize>,
    mut max: i32,
    mut best: usize,
) -> (usize, i32) {
    for t in lags {
        let sum = d.corr(t);
        if l_sub(sum, max) > 0 {
            max = sum;
            best = t;
        }
    }
    (best, max)
}

/// Open-loop pitch lag (Annex A A.3.4) from the weighted speech buffer
/// `wsp`, which holds PIT_MAX past samples followed by the current frame.
pub(crate) fn pitch_ol_fast(wsp: &[i16; PMAX + L_FRAME]) -> i16 {
    // Scale the signal to avoid overflow, or to gain precision when weak.
    // The energy terms are non-negative, so the saturating sum overflows
    // exactly when the exact sum exceeds MAX_32.
    let mut sum = 0i64;
    for &v in wsp.iter().step_by(2) {
        sum += 2 * (v as i64) * (v as i64);
    }
    let mut scal = [0i16; PMAX + L_FRAME];
    if sum > MAX_32 as i64 {
        for (s, &v) in scal.iter_mut().zip(wsp.iter()) {
            *s = shr(v, 3);
        }
    } else if sum < 1 << 20 {
        for (s, &v) in scal.iter_mut().zip(wsp.iter()) {
            *s = shl(v, 3);
        }
    } else {
        scal = *wsp;
    }
    let d = Decimated::new(&scal);

    // Section 1: lags 20..39.
    let (t1, max) = best_lag(&d, 20..40, MIN_32, 20);
    let mut max1 = normalised_max(&d, t1, max);

    // Section 2: lags 40..79.
    let (t2, max) = best_lag(&d, 40..80, MIN_32, 40);
    let mut max2 = normalised_max(&d, t2, max);

    // Section 3: even lags 80..142, then the two neighbours of the best.
    let (t3, max) = best_lag(&d, (80..143).step_by(2), MIN_32, 80);
    let (t3, max) = best_lag(&d, [t3 + 1, t3 - 1].into_iter(), max, t3);
    let max3 = normalised_max(&d, t3, max);

    let (t1, t2, t3) = (t1 as i16, t2 as i16, t3 as i16);

    // Favour submultiples (A.3.4): lag 2·T2 or 3·T2 near T3, 2·T1 or 3·T1
    // near T2.
    let mut i = sub(shl(t2, 1), t3);
    if sub(abs_s(i), 5) < 0 {
        max2 = add(max2, shr(max3, 2));
    }
    i = add(i, t2);
    if sub(abs_s(i), 7) < 0 {
        max2 = add(max2, shr(max3, 2));
    }
    let mut i = sub(shl(t1, 1), t2);
    if sub(abs_s(i), 5) < 0 {
        max1 = add(max1, mult(max2, 6554));
    }
    i = add(i, t1);
    if sub(abs_s(i), 7) < 0 {
        max1 = add(max1, mult(max2, 6554));
    }

    let mut best = t1;
    if sub(max1, max2) < 0 {
        max1 = max2;
        best = t2;
    }
    if sub(max1, max3) < 0 {
        best = t3;
    }
    best
}

/// Backward-filtered target d(n) = Σ x(i)·h(i−n) (§3.8.1), scaled so
/// that its maximum magnitude fits in 13 bits.
pub(crate) fn cor_h_x(h: &[i16; L_SUBFR], x: &[i16; L_SUBFR]) -> [i16; L_SUBFR] {
    let mut y32 = [0i32; L_SUBFR];
    if correlation_fits(energy(h), energy(x)) {
        for (i, y) in y32.iter_mut().enumerate() {
            *y = dot(&x[i..], h);
        }
    } else {
        for (i, y) in y32.iter_mut().enumerate() {
            *y = dot_saturating(0, &x[i..], h);
        }
    }
    let mut max = 0i32;
    for &y in &y32 {
        let a = l_abs(y);
        if a > max {
            max = a;
        }
    }
    let mut j = norm_l(max);
    if sub(j, 16) > 0 {
        j = 16;
    }
    let j = sub(18, j);
    let mut d = [0i16; L_SUBFR];
    for (dv, &y) in d.iter_mut().zip(y32.iter()) {
        *dv = extract_l(l_shr(y, j));
    }
    d
}

/// Closed-loop pitch search of a subframe (Annex A A.3.7).
///
/// `exc` is the excitation buffer and `pos` the start of the current
/// subframe in it (PIT_MAX + L_INTERPOL past samples are available). On
/// return `exc[pos..pos+40]` holds the adaptive-codebook vector of the chosen
/// lag. Returns `(T0, fraction)` with fraction in {−1, 0, 1}.
pub(crate) fn pitch_fr3_fast(
    exc: &mut [i16],
    pos: usize,
    xn: &[i16; L_SUBFR],
    h: &[i16; L_SUBFR],
    t0_min: i16,
    t0_max: i16,
    first_subframe: bool,
) -> (i16, i16) {
    let dn = cor_h_x(h, xn);
    let e_dn = energy(&dn);

    // Integer lags: the correlations read exc[pos − t0_max .. pos − t0_min + 40].
    let window = &exc[pos - t0_max as usize..pos - t0_min as usize + L_SUBFR];
    let exact = correlation_fits(e_dn, energy(window));
    let corr_at = |exc: &[i16], start: usize| {
        let seg = &exc[start..start + L_SUBFR];
        if exact {
            dot(&dn, seg)
        } else {
            dot_saturating(0, &dn, seg)
        }
    };
    let mut max = MIN_32;
    let mut t0 = t0_min;
    for t in t0_min..=t0_max {
        let corr = corr_at(exc, pos - t as usize);
        if l_sub(corr, max) > 0 {
            max = corr;
            t0 = t;
        }
    }

    // Correlation of d(n) with the interpolated vector now in exc[pos..].
    let frac_corr = |exc: &[i16]| {
        let seg = &exc[pos..pos + L_SUBFR];
        if correlation_fits(e_dn, energy(seg)) {
            dot(&dn, seg)
        } else {
            dot_saturating(0, &dn, seg)
        }
    };

    pred_lt_3(exc, pos, t0, 0, L_SUBFR);
    let mut max = frac_corr(exc);
    let mut frac = 0i16;

    // In the first subframe lags above 84 have integer resolution only.
    if first_subframe && sub(t0, 84) > 0 {
        return (t0, frac);
    }

    let mut best = [0i16; L_SUBFR];
    best.copy_from_slice(&exc[pos..pos + L_SUBFR]);

    pred_lt_3(exc, pos, t0, -1, L_SUBFR);
    let corr = frac_corr(exc);
    if l_sub(corr, max) > 0 {
        max = corr;
        frac = -1;
        best.copy_from_slice(&exc[pos..pos + L_SUBFR]);
    }

    pred_lt_3(exc, pos, t0, 1, L_SUBFR);
    let corr = frac_corr(exc);
    if l_sub(corr, max) > 0 {
        frac = 1;
    } else {
        exc[pos..pos + L_SUBFR].copy_from_slice(&best);
    }
    (t0, frac)
}

/// Adaptive-codebook gain g_p = <x,y>/<y,y> in Q14, bounded to [0, 1.2]
/// (§3.7.3). Also returns the correlations needed by the gain
/// quantiser as mantissa/exponent pairs: `[yy, 15−exp_yy, xy, 15−exp_xy]`.
pub(crate) fn g_pitch(xn: &[i16; L_SUBFR], y1: &[i16; L_SUBFR]) -> (i16, [i16; 4]) {
    // <y1,y1>; on overflow redo with y1/4. Non-negative terms: the chain
    // overflows exactly when the exact sum exceeds MAX_32.
    let e_y1 = energy(y1);
    let (yy, exp_yy) = if e_y1 < MAX_32 as i64 {
        let s = (1 + e_y1) as i32;
        let e = norm_l(s);
        (round16(l_shl(s, e)), e)
    } else {
        let mut scaled = [0i16; L_SUBFR];
        for (d, &v) in scaled.iter_mut().zip(y1.iter()) {
            *d = shr(v, 2);
        }
        let s = clamp_positive(1 + energy(&scaled));
        let e = norm_l(s);
        (round16(l_shl(s, e)), sub(e, 4))
    };

    // <xn,y1>; on overflow redo with y1/4. No overflow is possible when the
    // energies bound every partial sum.
    let mut overflow = false;
    let s = if correlation_fits(energy(xn), e_y1) {
        dot(xn, y1)
    } else {
        let mut s = 0i32;
        for (&x, &y) in xn.iter().zip(y1.iter()) {
            s = l_mac_o(&mut overflow, s, x, y);
        }
        s
    };
    let (xy, exp_xy) = if !overflow {
        let e = norm_l(s);
        (round16(l_shl(s, e)), e)
    } else {
        let mut s = 0i32;
        for (&x, &y) in xn.iter().zip(y1.iter()) {
            s = l_mac(s, x, shr(y, 2));
        }
        let e = norm_l(s);
        (round16(l_shl(s, e)), sub(e, 2))
    };

    let mut coeff = [yy, sub(15, exp_yy), xy, sub(15, exp_xy)];
    if xy <= 0 {
        coeff[3] = -15;
        return (0, coeff);
    }

    let gain = div_s(shr(xy, 1), yy);
    let gain = shr(gain, sub(exp_xy, exp_yy));
    (gain.min(19661), coeff)
}

/// Pitch lag encoding (§3.7.2). In the first subframe returns the 8-bit
/// index and sets the search range of the second subframe; in the second
/// returns the 5-bit index relative to `t0_min`.
pub(crate) fn enc_lag3(
    t0: i16,
    t0_frac: i16,
    t0_min: &mut i16,
    t0_max: &mut i16,
    first_subframe: bool,
) -> i16 {
    if first_subframe {
        let index = if sub(t0, 85) <= 0 {
            add(sub(add(add(t0, t0), t0), 58), t0_frac)
        } else {
            add(t0, 112)
        };
        *t0_min = sub(t0, 5);
        if sub(*t0_min, PIT_MIN) < 0 {
            *t0_min = PIT_MIN;
        }
        *t0_max = add(*t0_min, 9);
        if sub(*t0_max, PIT_MAX) > 0 {
            *t0_max = PIT_MAX;
            *t0_min = sub(*t0_max, 9);
        }
        index
    } else {
        let i = sub(t0, *t0_min);
        let i = add(add(i, i), i);
        add(add(i, 2), t0_frac)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::g729::basic_op::l_mac_o;
    use proptest::prelude::*;

    /// Open-loop pitch with the saturating operators throughout.
    fn ref_pitch_ol(wsp: &[i16; PMAX + L_FRAME]) -> i16 {
        let mut ovf = false;
        let mut sum = 0i32;
        for &v in wsp.iter().step_by(2) {
            sum = l_mac_o(&mut ovf, sum, v, v);
        }
        let scal: Vec<i16> = wsp
            .iter()
            .map(|&v| {
                if ovf {
                    shr(v, 3)
                } else if l_sub(sum, 1 << 20) < 0 {
                    shl(v, 3)
                } else {
                    v
                }
            })
            .collect();
        let corr = |t: usize| {
            let mut s = 0i32;
            for j in (0..L_FRAME).step_by(2) {
                s = l_mac(s, scal[PMAX + j], scal[PMAX + j - t]);
            }
            s
        };
        let norm = |t: usize, max: i32| {
            let mut e = 1i32;
            for j in (0..L_FRAME).step_by(2) {
                e = l_mac(e, scal[PMAX + j - t], scal[PMAX + j - t]);
            }
            let (mh, ml) = l_extract(max);
            let (eh, el) = l_extract(inv_sqrt(e));
            extract_l(mpy_32(mh, ml, eh, el))
        };
        let best = |lags: &[usize], mut max: i32, mut t: usize| {
            for &i in lags {
                let s = corr(i);
                if l_sub(s, max) > 0 {
                    (max, t) = (s, i);
                }
            }
            (t, max)
        };
        let (t1, m) = best(&(20..40).collect::<Vec<_>>(), MIN_32, 20);
        let mut max1 = norm(t1, m);
        let (t2, m) = best(&(40..80).collect::<Vec<_>>(), MIN_32, 40);
        let mut max2 = norm(t2, m);
        let (t3, m) = best(&(80..143).step_by(2).collect::<Vec<_>>(), MIN_32, 80);
        let (t3, m) = best(&[t3 + 1, t3 - 1], m, t3);
        let max3 = norm(t3, m);
        let (t1, t2, t3) = (t1 as i16, t2 as i16, t3 as i16);
        let mut i = sub(shl(t2, 1), t3);
        if sub(abs_s(i), 5) < 0 {
            max2 = add(max2, shr(max3, 2));
        }
        i = add(i, t2);
        if sub(abs_s(i), 7) < 0 {
            max2 = add(max2, shr(max3, 2));
        }
        let mut i = sub(shl(t1, 1), t2);
        if sub(abs_s(i), 5) < 0 {
            max1 = add(max1, mult(max2, 6554));
        }
        i = add(i, t1);
        if sub(abs_s(i), 7) < 0 {
            max1 = add(max1, mult(max2, 6554));
        }
        let mut t = t1;
        if sub(max1, max2) < 0 {
            (max1, t) = (max2, t2);
        }
        if sub(max1, max3) < 0 {
            t = t3;
        }
        t
    }

    fn ref_cor_h_x(h: &[i16; L_SUBFR], x: &[i16; L_SUBFR]) -> [i16; L_SUBFR] {
        let mut y32 = [0i32; L_SUBFR];
        let mut max = 0;
        for i in 0..L_SUBFR {
            let mut s = 0i32;
            for j in i..L_SUBFR {
                s = l_mac(s, x[j], h[j - i]);
            }
            y32[i] = s;
            if l_sub(l_abs(s), max) > 0 {
                max = l_abs(s);
            }
        }
        let j = sub(18, norm_l(max).min(16));
        y32.map(|y| extract_l(l_shr(y, j)))
    }

    /// Weighted speech of various shapes: several levels, and signals that
    /// are loud on one sample parity only (the energy check of A.3.4 looks
    /// at even samples).
    fn wsp() -> impl Strategy<Value = Vec<i16>> {
        prop_oneof![
            prop::collection::vec(-100i16..100, PMAX + L_FRAME),
            prop::collection::vec(-3000i16..3000, PMAX + L_FRAME),
            prop::collection::vec(any::<i16>(), PMAX + L_FRAME),
            prop::collection::vec(any::<i16>(), PMAX + L_FRAME).prop_map(|mut v| {
                for (k, s) in v.iter_mut().enumerate() {
                    if k % 2 == 0 {
                        *s /= 256;
                    }
                }
                v
            }),
        ]
    }

    proptest! {
        #[test]
        fn open_loop_pitch_matches_reference(v in wsp()) {
            let w: [i16; PMAX + L_FRAME] = v.try_into().unwrap();
            prop_assert_eq!(pitch_ol_fast(&w), ref_pitch_ol(&w));
        }

        #[test]
        fn cor_h_x_matches_reference(h in wsp(), x in wsp()) {
            let h: [i16; L_SUBFR] = h[..L_SUBFR].try_into().unwrap();
            let x: [i16; L_SUBFR] = x[..L_SUBFR].try_into().unwrap();
            prop_assert_eq!(cor_h_x(&h, &x), ref_cor_h_x(&h, &x));
        }
    }

    #[test]
    fn lag_encoding_round_trips_with_the_decoder() {
        use crate::g729::pitch_common::dec_lag3;
        for t0 in PIT_MIN..=PIT_MAX {
            for frac in [-1i16, 0, 1] {
                // Fractions are searched up to 84 in the first subframe.
                if t0 > 84 && frac != 0 {
                    continue;
                }
                let (mut t0_min, mut t0_max) = (0, 0);
                let index = enc_lag3(t0, frac, &mut t0_min, &mut t0_max, true);
                assert_eq!(
                    dec_lag3(index, PIT_MIN, PIT_MAX, true, 0),
                    (t0, frac),
                    "t0 {t0} frac {frac}"
                );
                for t2 in t0_min..=t0_max {
                    for f2 in [-1i16, 0, 1] {
                        let i2 = enc_lag3(t2, f2, &mut t0_min.clone(), &mut t0_max.clone(), false);
                        assert_eq!(dec_lag3(i2, PIT_MIN, PIT_MAX, false, t0), (t2, f2));
                    }
                }
            }
        }
    }
}
