//! Adaptive-codebook helpers shared by encoder and decoder: the fractional
//! (1/3 resolution) long-term predictor (§3.7.1 eq. 40, `Pred_lt_3`),
//! decoding of the pitch-lag index (§3.7.2 / §4.1.3, `Dec_lag3`) and the
//! parity bit protecting the first-subframe pitch index (§3.7.2 / §4.1.2).

use super::basic_op::*;
use super::filter::{dot, max_abs};
use super::simd;
use super::tables::{INTER_3L, L_INTER10, UP_SAMP};

/// Adaptive-codebook vector by interpolating the past excitation
/// (`Pred_lt_3`): writes `exc[pos..pos + len]` from
/// `exc[pos − t0 − 10 ..]`, with fractional delay `frac` ∈ {−1, 0, 1}
/// (thirds). Works in place: when `t0 < len` the newly written samples are
/// reused, as the Recommendation requires.
///
/// Needs `pos ≥ t0 + L_INTER10 + 1` (the excitation history of
/// `PIT_MAX + L_INTERPOL` samples guarantees it) and `pos + len ≤ exc.len()`.
#[inline]
pub fn pred_lt_3(exc: &mut [i16], pos: usize, t0: i16, frac: i16, len: usize) {
    let mut frac = negate(frac);
    let mut x0 = pos - t0 as usize;
    if frac < 0 {
        frac = add(frac, UP_SAMP as i16);
        x0 -= 1;
    }
    let c1 = frac as usize;
    let c2 = (UP_SAMP as i16 - frac) as usize;

    // The 20 taps applied to exc[x0 + j − 9 ..= x0 + j + 10], in order,
    // then 4 zero taps: 24 lanes for the SSE2 dot product.
    let mut kernel = [0i16; 2 * L_INTER10 + 4];
    let mut sum_c = 0i32;
    for i in 0..L_INTER10 {
        kernel[L_INTER10 - 1 - i] = INTER_3L[c1 + i * UP_SAMP];
        kernel[L_INTER10 + i] = INTER_3L[c2 + i * UP_SAMP];
        sum_c +=
            (INTER_3L[c1 + i * UP_SAMP] as i32).abs() + (INTER_3L[c2 + i * UP_SAMP] as i32).abs();
    }
    // Largest magnitude among the samples read so far. While
    // 2·max·Σ|c| < 2^31 no partial sum of the L_mac chain can saturate, so
    // plain integer arithmetic is exact.
    // (max·Σ|c| < 2^30 ⇔ max ≤ (2^30 − 1) / Σ|c|, Σ|c| > 0.)
    let limit = ((1 << 30) - 1) / sum_c;
    let mut max_abs = max_abs(&exc[x0 + 1 - L_INTER10..pos]) as i32;
    let mut j = 0;
    // Eight outputs at a time (SSE2, across outputs) while a block reads
    // only samples before it: output j reads up to exc[x0 + j + 10], so
    // the block j..j + 8 needs x0 + j + 17 < pos + j. `max_abs` covers
    // every sample such a block reads.
    if pos - x0 > 17 {
        let taps: &[i16; 2 * L_INTER10] = kernel[..2 * L_INTER10].try_into().expect("taps");
        while j + 8 <= len && max_abs <= limit {
            let base = x0 + j + 1 - L_INTER10;
            let w: &[i16; 2 * L_INTER10 + 7] = exc[base..base + 2 * L_INTER10 + 7]
                .try_into()
                .expect("block window");
            let sums = simd::fir8(taps, w);
            let out: &mut [i16; 8] = (&mut exc[pos + j..pos + j + 8]).try_into().expect("block");
            for (o, &s) in out.iter_mut().zip(&sums) {
                // round(L_shl(s, 1)) with |s| < 2^30: (2s + 2^15) >> 16,
                // saturating only above.
                *o = ((s + 0x4000) >> 15).min(MAX_16 as i32) as i16;
                max_abs = max_abs.max((*o as i32).abs());
            }
            j += 8;
        }
    }
    for j in j..len {
        let base = x0 + j + 1 - L_INTER10;
        let s = if max_abs <= limit {
            if let Some(w) = exc.get(base..base + kernel.len()) {
                // The 4 samples under the zero taps may be anything.
                let w: &[i16; 2 * L_INTER10 + 4] = w.try_into().expect("window");
                simd::dot(&kernel, w) << 1
            } else {
                let w: &[i16; 2 * L_INTER10] =
                    exc[base..base + 2 * L_INTER10].try_into().expect("window");
                let k: &[i16; 2 * L_INTER10] = kernel[..2 * L_INTER10].try_into().expect("taps");
                dot(k, w) << 1
            }
        } else {
            let x1 = x0 + j; // x1[-i] = exc[x1 - i]
            let x2 = x1 + 1; // x2[i]  = exc[x2 + i]
            let mut s = 0i32;
            for i in 0..L_INTER10 {
                let k = i * UP_SAMP;
                s = l_mac(s, exc[x1 - i], INTER_3L[c1 + k]);
                s = l_mac(s, exc[x2 + i], INTER_3L[c2 + k]);
            }
            s
        };
        let v = round16(s);
        exc[pos + j] = v;
        max_abs = max_abs.max((v as i32).abs());
    }
}

/// Decodes a pitch index (`Dec_lag3`) into `(t0, t0_frac)`.
///
/// First subframe (`first == true`): 8-bit index, lags 19⅓..85 in thirds,
/// 85..143 integer. Second subframe: 5-bit index relative to
/// `t0_first` (the integer lag of the first subframe), within
/// `[t0_min, t0_min + 9]` clamped to `[pit_min, pit_max]`.
#[inline]
pub fn dec_lag3(index: i16, pit_min: i16, pit_max: i16, first: bool, t0_first: i16) -> (i16, i16) {
    if first {
        if index < 197 {
            let t0 = add(mult(add(index, 2), 10923), 19);
            let i = add(add(t0, t0), t0);
            (t0, add(sub(index, i), 58))
        } else {
            (sub(index, 112), 0)
        }
    } else {
        let mut t0_min = sub(t0_first, 5);
        if t0_min < pit_min {
            t0_min = pit_min;
        }
        let mut t0_max = add(t0_min, 9);
        if t0_max > pit_max {
            t0_max = pit_max;
            t0_min = sub(t0_max, 9);
        }
        let i = sub(mult(add(index, 2), 10923), 1);
        let t0 = add(i, t0_min);
        let i3 = add(add(i, i), i);
        (t0, sub(sub(index, 2), i3))
    }
}

/// Parity bit of the 6 most significant bits of the 8-bit first-subframe
/// pitch index (`Parity_Pitch`; the transmitted P0 bit).
#[inline]
pub fn parity_pitch(pitch_index: i16) -> i16 {
    let mut temp = shr(pitch_index, 1);
    let mut sum = 1i16;
    for _ in 0..=5 {
        temp = shr(temp, 1);
        sum = add(sum, temp & 1);
    }
    sum & 1
}

/// Checks the received parity bit (`Check_Parity_Pitch`): 0 = consistent,
/// 1 = parity error.
#[inline]
pub fn check_parity_pitch(pitch_index: i16, parity: i16) -> i16 {
    add(parity_pitch(pitch_index), parity) & 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_decoding_ranges() {
        assert_eq!(dec_lag3(0, 20, 143, true, 0), (19, 1));
        assert_eq!(dec_lag3(1, 20, 143, true, 0), (20, -1));
        assert_eq!(dec_lag3(2, 20, 143, true, 0), (20, 0));
        assert_eq!(dec_lag3(196, 20, 143, true, 0), (85, -1));
        assert_eq!(dec_lag3(197, 20, 143, true, 0), (85, 0));
        assert_eq!(dec_lag3(255, 20, 143, true, 0), (143, 0));
        // Second subframe, relative to 60: t0_min = 55.
        assert_eq!(dec_lag3(0, 20, 143, false, 60), (54, 1));
        assert_eq!(dec_lag3(2, 20, 143, false, 60), (55, 0));
        // Near PIT_MAX the window is clamped: t0_min = 134.
        assert_eq!(dec_lag3(2, 20, 143, false, 143), (134, 0));
    }

    #[test]
    fn parity_bit() {
        // 6 MSBs of an 8-bit index are bits 7..2; parity = 1 + their xor.
        for idx in 0i16..256 {
            let ones = ((idx >> 2) & 0x3f).count_ones() as i16;
            assert_eq!(parity_pitch(idx), (1 + ones) & 1);
            assert_eq!(check_parity_pitch(idx, parity_pitch(idx)), 0);
            assert_eq!(check_parity_pitch(idx, 1 - parity_pitch(idx)), 1);
        }
    }

    /// The reference sequence with saturating operators only.
    fn pred_lt_3_reference(exc: &mut [i16], pos: usize, t0: i16, frac: i16, len: usize) {
        let mut frac = negate(frac);
        let mut x0 = pos - t0 as usize;
        if frac < 0 {
            frac = add(frac, UP_SAMP as i16);
            x0 -= 1;
        }
        for j in 0..len {
            let (x1, x2) = (x0 + j, x0 + j + 1);
            let mut s = 0i32;
            for i in 0..L_INTER10 {
                let k = i * UP_SAMP;
                s = l_mac(s, exc[x1 - i], INTER_3L[frac as usize + k]);
                s = l_mac(s, exc[x2 + i], INTER_3L[UP_SAMP - frac as usize + k]);
            }
            exc[pos + j] = round16(s);
        }
    }

    #[test]
    fn fast_path_equals_saturating_sequence() {
        let mut seed = 7u32;
        for case in 0..300 {
            let amp = [100i32, 10000, 20000, 32767][case % 4];
            let mut exc = [0i16; 234];
            for v in exc.iter_mut().take(154) {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                *v = ((seed >> 8) as i32 % (2 * amp + 1) - amp) as i16;
            }
            let t0 = 19 + (case as i16 * 7) % 125;
            let frac = (case as i16 % 3) - 1;
            let mut want = exc;
            pred_lt_3_reference(&mut want, 154, t0, frac, 40);
            pred_lt_3(&mut exc, 154, t0, frac, 40);
            assert_eq!(exc, want, "case {case} t0 {t0} frac {frac}");
        }
    }

    #[test]
    fn interpolation_has_unit_dc_gain() {
        for frac in [-1i16, 0, 1] {
            let mut exc = [0i16; 200];
            exc[..160].fill(1000);
            // A short lag reuses freshly written samples.
            pred_lt_3(&mut exc, 160, 20, frac, 40);
            for j in 0..40 {
                assert!(
                    (exc[160 + j] - 1000).abs() <= 8,
                    "{frac} {j}: {}",
                    exc[160 + j]
                );
            }
        }
    }
}
