//! LSP quantisation of the encoder (G.729 §3.2.4, Annex A A.3.2.4).
//!
//! The LSPs are converted to LSFs ω in Q13 and quantised by a switched
//! fourth-order MA predictor (2 predictors, bit L0) followed by a two-stage
//! VQ: a 7-bit first stage (L1) and a split 5+5-bit second stage (L2 for the
//! lower five coefficients, L3 for the upper five). The search minimises the
//! weighted distance of §3.2.4 with its LSF-dependent weights; candidate vectors
//! are rearranged to keep the minimum distances of §3.2.4.

use super::exact::clamp_positive;
use crate::g729::basic_op::{
    MAX_32, add, extract_h, l_mac, l_mult, l_shl, l_sub, mult, norm_s, shl, sub,
};
use crate::g729::lsp::{
    lsf_lsp2, lsp_expand_1, lsp_expand_1_2, lsp_expand_2, lsp_get_quant, lsp_lsf2, lsp_prev_extract,
};
use crate::g729::tables::{
    CONST10, CONST12, FG, FG_SUM, FG_SUM_INV, FREQ_PREV_RESET, GAP1, GAP2, LSPCB1, LSPCB2, M,
    MA_NP, MODE, NC, NC0, NC0_B, NC1, NC1_B, PI04, PI92,
};

/// The LSP quantiser with its MA-predictor memory (the last four
/// quantised first+second-stage vectors, Q13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct LspQuantizer {
    pub(crate) freq_prev: [[i16; M]; MA_NP],
}

impl Default for LspQuantizer {
    fn default() -> Self {
        Self {
            freq_prev: [FREQ_PREV_RESET; MA_NP],
        }
    }
}

/// Weighting coefficients of the LSF distance (§3.2.4), normalised
/// so that the largest has no leading headroom.
pub(crate) fn get_wegt(flsp: &[i16; M]) -> [i16; M] {
    let mut buf = [0i16; M];
    buf[0] = sub(flsp[1], PI04 + 8192);
    for i in 1..M - 1 {
        buf[i] = sub(sub(flsp[i + 1], flsp[i - 1]), 8192);
    }
    buf[M - 1] = sub(PI92 - 8192, flsp[M - 2]);

    let mut wegt = [0i16; M];
    for (w, &b) in wegt.iter_mut().zip(buf.iter()) {
        *w = if b > 0 {
            2048
        } else {
            let sq = extract_h(l_shl(l_mult(b, b), 2));
            let t = extract_h(l_shl(l_mult(sq, CONST10), 2));
            add(t, 2048)
        };
    }
    // Coefficients 5 and 6 (indices 4, 5) get the extra factor 1.2.
    wegt[4] = extract_h(l_shl(l_mult(wegt[4], CONST12), 1));
    wegt[5] = extract_h(l_shl(l_mult(wegt[5], CONST12), 1));

    let mut max = 0i16;
    for &w in &wegt {
        if sub(w, max) > 0 {
            max = w;
        }
    }
    let sft = norm_s(max);
    for w in wegt.iter_mut() {
        *w = shl(*w, sft);
    }
    wegt
}

/// `sub` of the Recommendation: the difference limited to 16 bits.
#[inline(always)]
fn sat_diff(a: i16, b: i16) -> i32 {
    (a as i32 - b as i32).clamp(i16::MIN as i32, i16::MAX as i32)
}

/// Per-coefficient minimum and maximum of a codebook (compile time).
const fn column_range<const N: usize>(cb: &[[i16; M]; N]) -> [(i16, i16); M] {
    let mut out = [(i16::MAX, i16::MIN); M];
    let mut i = 0;
    while i < N {
        let mut j = 0;
        while j < M {
            if cb[i][j] < out[j].0 {
                out[j].0 = cb[i][j];
            }
            if cb[i][j] > out[j].1 {
                out[j].1 = cb[i][j];
            }
            j += 1;
        }
        i += 1;
    }
    out
}

const LSPCB1_RANGE: [(i16, i16); M] = column_range(&LSPCB1);
const LSPCB2_RANGE: [(i16, i16); M] = column_range(&LSPCB2);

/// Codebook stored coefficient-major, so that the distances to all entries
/// accumulate in parallel (compile time).
const fn transpose<const N: usize>(cb: &[[i16; M]; N]) -> [[i16; N]; M] {
    let mut out = [[0i16; N]; M];
    let mut i = 0;
    while i < N {
        let mut j = 0;
        while j < M {
            out[j][i] = cb[i][j];
            j += 1;
        }
        i += 1;
    }
    out
}

const LSPCB1_T: [[i16; NC0]; M] = transpose(&LSPCB1);
const LSPCB2_T: [[i16; NC1]; M] = transpose(&LSPCB2);

/// Whether |x[j] − cb[j]| ≤ `limit` for every codebook entry and every
/// coefficient of `cols` (then `sub` cannot saturate and the squares of
/// `cols.len()` differences sum within 32 bits).
fn differences_within(
    x: &[i16; M],
    range: &[(i16, i16); M],
    cols: core::ops::Range<usize>,
    limit: i32,
) -> bool {
    cols.into_iter().all(|j| {
        let (lo, hi) = range[j];
        x[j] as i32 - hi as i32 >= -limit && x[j] as i32 - lo as i32 <= limit
    })
}

/// Index of the smallest of the distances `2·sum` (saturated at `MAX_32`,
/// strict comparison, first wins), as the reference's search loop picks it.
fn argmin_doubled(sums: &[i32]) -> usize {
    let mut best = 0usize;
    let mut dmin = MAX_32 as i64;
    for (i, &s) in sums.iter().enumerate() {
        let d = (2 * s as i64).min(MAX_32 as i64);
        if d < dmin {
            dmin = d;
            best = i;
        }
    }
    best
}

/// First stage: the codebook entry nearest (plain squared error) to the
/// prediction residual `rbuf`.
///
/// The distance is a saturating sum of non-negative terms, so it equals the
/// exact sum clamped to `MAX_32`; a clamped distance never wins the strict
/// comparison against the running minimum, exactly as in the reference.
/// When every difference is at most 14654 in magnitude the ten squares sum
/// within 31 bits and all 128 distances accumulate in parallel.
fn pre_select(rbuf: &[i16; M]) -> usize {
    if differences_within(rbuf, &LSPCB1_RANGE, 0..M, 14654) {
        let mut sums = [0i32; NC0];
        for (&r, col) in rbuf.iter().zip(LSPCB1_T.iter()) {
            for (s, &c) in sums.iter_mut().zip(col.iter()) {
                // Fits in 16 bits here: a 16×16-bit square.
                let t = r.wrapping_sub(c) as i32;
                *s += t * t;
            }
        }
        return argmin_doubled(&sums);
    }
    let mut cand = 0usize;
    let mut dmin = MAX_32;
    for (i, cb) in LSPCB1.iter().enumerate() {
        let mut dist = 0i64;
        for (&r, &c) in rbuf.iter().zip(cb.iter()) {
            let t = sat_diff(r, c);
            dist += (t * t) as i64;
        }
        let dist = clamp_positive(2 * dist);
        if dist < dmin {
            dmin = dist;
            cand = i;
        }
    }
    cand
}

/// Second stage for coefficients `range` (0..5 or 5..10): the weighted
/// nearest entry of the second-stage codebook to `rbuf − lspcb1[cand]`.
///
/// The weights are positive, so `mult(w, t)·t ≥ 0` (and at most t²) and the
/// saturating distance is again the clamped exact sum; with differences of
/// at most 20724 the five terms sum within 31 bits.
fn select_second(
    rbuf: &[i16; M],
    first: &[i16; M],
    wegt: &[i16; M],
    range: core::ops::Range<usize>,
) -> usize {
    let mut buf = [0i16; M];
    for j in range.clone() {
        buf[j] = sub(rbuf[j], first[j]);
    }
    if differences_within(&buf, &LSPCB2_RANGE, range.clone(), 20724) {
        let mut sums = [0i32; NC1];
        for j in range {
            let (b, w) = (buf[j] as i32, wegt[j] as i32);
            for (s, &c) in sums.iter_mut().zip(LSPCB2_T[j].iter()) {
                // `mult(w, t)·t` with both factors within 16 bits here.
                let t = (b as i16).wrapping_sub(c) as i32;
                let tw = ((w * t) >> 15) as i16 as i32;
                *s += tw * t;
            }
        }
        return argmin_doubled(&sums);
    }
    let mut index = 0usize;
    let mut dmin = MAX_32;
    for (k, cb) in LSPCB2.iter().enumerate() {
        let mut dist = 0i64;
        for j in range.clone() {
            let t = sat_diff(buf[j], cb[j]);
            let tw = (wegt[j] as i32 * t) >> 15;
            dist += (tw * t) as i64;
        }
        let dist = clamp_positive(2 * dist);
        if dist < dmin {
            dmin = dist;
            index = k;
        }
    }
    index
}

/// Weighted distance between the candidate and the target, both
/// taken back through the predictor gain `fg_sum`.
fn get_tdist(wegt: &[i16; M], buf: &[i16; M], rbuf: &[i16; M], fg_sum: &[i16; M]) -> i32 {
    let mut dist = 0i32;
    for j in 0..M {
        let t = mult(sub(buf[j], rbuf[j]), fg_sum[j]);
        let tw = extract_h(l_shl(l_mult(wegt[j], t), 4));
        dist = l_mac(dist, tw, t);
    }
    dist
}

impl LspQuantizer {
    /// Quantises the LSPs `lsp` (Q15, cosine domain). Returns the quantised
    /// LSPs (Q15) and the two transmitted words `L0·2^7 + L1` and
    /// `L2·2^5 + L3`; updates the predictor memory.
    pub(crate) fn quantize(&mut self, lsp: &[i16; M]) -> ([i16; M], [i16; 2]) {
        let mut lsf = [0i16; M];
        lsp_lsf2(lsp, &mut lsf);
        let wegt = get_wegt(&lsf);

        let mut cand = [0usize; MODE];
        let mut idx_lo = [0usize; MODE];
        let mut idx_hi = [0usize; MODE];
        let mut tdist = [0i32; MODE];

        for mode in 0..MODE {
            let mut rbuf = [0i16; M];
            lsp_prev_extract(
                &lsf,
                &mut rbuf,
                &FG[mode],
                &self.freq_prev,
                &FG_SUM_INV[mode],
            );

            let c = pre_select(&rbuf);
            let first = &LSPCB1[c];
            cand[mode] = c;

            let mut buf = [0i16; M];
            let lo = select_second(&rbuf, first, &wegt, 0..NC);
            idx_lo[mode] = lo;
            for j in 0..NC {
                buf[j] = add(first[j], LSPCB2[lo][j]);
            }
            lsp_expand_1(&mut buf, GAP1);

            let hi = select_second(&rbuf, first, &wegt, NC..M);
            idx_hi[mode] = hi;
            for j in NC..M {
                buf[j] = add(first[j], LSPCB2[hi][j]);
            }
            lsp_expand_2(&mut buf, GAP1);
            lsp_expand_1_2(&mut buf, GAP2);

            tdist[mode] = get_tdist(&wegt, &buf, &rbuf, &FG_SUM[mode]);
        }

        let mode = usize::from(l_sub(tdist[1], tdist[0]) < 0);
        let words = [
            ((mode as i16) << NC0_B) | cand[mode] as i16,
            ((idx_lo[mode] as i16) << NC1_B) | idx_hi[mode] as i16,
        ];

        let mut lsf_q = [0i16; M];
        lsp_get_quant(
            cand[mode],
            idx_lo[mode],
            idx_hi[mode],
            mode,
            &mut self.freq_prev,
            &mut lsf_q,
        );

        let mut lsp_q = [0i16; M];
        lsf_lsp2(&lsf_q, &mut lsp_q);
        (lsp_q, words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::g729::basic_op::l_mac;
    use proptest::prelude::*;

    fn ref_pre_select(rbuf: &[i16; M]) -> usize {
        let (mut cand, mut dmin) = (0, MAX_32);
        for (i, cb) in LSPCB1.iter().enumerate() {
            let mut dist = 0i32;
            for j in 0..M {
                let t = sub(rbuf[j], cb[j]);
                dist = l_mac(dist, t, t);
            }
            if l_sub(dist, dmin) < 0 {
                (dmin, cand) = (dist, i);
            }
        }
        cand
    }

    fn ref_select_second(
        rbuf: &[i16; M],
        first: &[i16; M],
        wegt: &[i16; M],
        range: core::ops::Range<usize>,
    ) -> usize {
        let (mut index, mut dmin) = (0, MAX_32);
        for (k, cb) in LSPCB2.iter().enumerate() {
            let mut dist = 0i32;
            for j in range.clone() {
                let t = sub(sub(rbuf[j], first[j]), cb[j]);
                dist = l_mac(dist, mult(wegt[j], t), t);
            }
            if l_sub(dist, dmin) < 0 {
                (dmin, index) = (dist, k);
            }
        }
        index
    }

    fn vector() -> impl Strategy<Value = [i16; M]> {
        prop_oneof![
            prop::array::uniform10(-2000i16..30000),
            prop::array::uniform10(any::<i16>()),
        ]
    }

    proptest! {
        #[test]
        fn first_stage_matches_reference(rbuf in vector()) {
            prop_assert_eq!(pre_select(&rbuf), ref_pre_select(&rbuf));
        }

        /// The weights are positive whatever the input, and the second
        /// stage matches the saturating search.
        #[test]
        fn second_stage_matches_reference(lsf in vector(), rbuf in vector(), c in 0usize..128) {
            let wegt = get_wegt(&lsf);
            prop_assert!(wegt.iter().all(|&w| w > 0));
            for range in [0..NC, NC..M] {
                prop_assert_eq!(
                    select_second(&rbuf, &LSPCB1[c], &wegt, range.clone()),
                    ref_select_second(&rbuf, &LSPCB1[c], &wegt, range)
                );
            }
        }
    }
}
