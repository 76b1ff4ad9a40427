//! Fixed (algebraic) codebook search of Annex A (G.729 §3.8, A.3.8).
//!
//! The 17-bit codebook has four signed unit pulses in a 40-sample subframe,
//! one per track: track 0 at positions 0, 5, …, 35; track 1 at 1, 6, …, 36;
//! track 2 at 2, 7, …, 37; track 3 at 3, 8, …, 38 or 4, 9, …, 39 (one bit
//! chooses). The signs follow the backward-filtered target d(n) (§3.8.1);
//! Annex A replaces the nested search by a depth-first tree search over
//! pairs of tracks (A.3.8.1).
//!
//! Correlations φ(i, j) of the (pitch-sharpened) impulse response
//! are kept per pair of tracks as 8×8 matrices with the pulse signs folded
//! in; only the pairs the search uses are stored.

use crate::g729::basic_op::{
    MAX_16, MAX_32, MIN_16, add, extract_h, l_mac, mult, negate, norm_l, shl, shr, sub,
};
use crate::g729::tables::{L_SUBFR, NB_POS};

use super::exact;
use super::pitch_search::cor_h_x;

/// Number of tracks counting the two halves of the fourth pulse separately.
const TRACKS: usize = 5;
/// Pairs of tracks whose cross-correlations the search uses, in storage
/// order; (3, 4) is absent because those tracks hold the same pulse.
const PAIRS: [(usize, usize); 9] = [
    (0, 1),
    (0, 2),
    (0, 3),
    (0, 4),
    (1, 2),
    (1, 3),
    (1, 4),
    (2, 3),
    (2, 4),
];
/// Offset of the cross-correlation matrices in [`Correlations::rr`].
const CROSS_BASE: usize = TRACKS * NB_POS;
/// Slot of track pair (a, b), a < b, in [`PAIRS`].
const fn pair_slot(a: usize, b: usize) -> usize {
    let mut k = 0;
    while k < PAIRS.len() {
        if PAIRS[k].0 == a && PAIRS[k].1 == b {
            return k;
        }
        k += 1;
    }
    usize::MAX
}

/// Number of stored correlations: the diagonals and the pair matrices.
const DIM_RR: usize = CROSS_BASE + PAIRS.len() * NB_POS * NB_POS;
const _: () = assert!(DIM_RR == crate::g729::tables::DIM_RR);

/// [`pair_slot`] as a table.
const PAIR_SLOT: [[usize; TRACKS]; TRACKS] = {
    let mut t = [[usize::MAX; TRACKS]; TRACKS];
    let mut k = 0;
    while k < PAIRS.len() {
        t[PAIRS[k].0][PAIRS[k].1] = k;
        k += 1;
    }
    t
};

/// Slot of φ(p, q), q ≥ p, in [`Correlations::rr`], if it is stored.
const fn rr_slot(p: usize, q: usize) -> Option<usize> {
    let (tp, tq) = (p % TRACKS, q % TRACKS);
    if p == q {
        Some(tp * NB_POS + p / TRACKS)
    } else if tp != tq && tp + tq != 7 {
        let (a, ia, b, ib) = if tp < tq {
            (tp, p / TRACKS, tq, q / TRACKS)
        } else {
            (tq, q / TRACKS, tp, p / TRACKS)
        };
        Some(CROSS_BASE + pair_slot(a, b) * NB_POS * NB_POS + ia * NB_POS + ib)
    } else {
        None
    }
}

/// Source of each stored correlation: φ(p, q) with q ≥ p is the partial
/// sum Σ_{m=0}^{n} h(m)·h(m+d) (reversed), d = q − p,
/// n = 39 − q. `COR_SOURCE[slot]` is `tri(d) + n`, the index of that
/// partial sum in a packed lag-major table. Built at compile time.
/// Start of lag d in the packed table of partial sums (lag d has 40 − d).
const fn tri(d: usize) -> usize {
    d * L_SUBFR - d * (d.saturating_sub(1)) / 2
}

/// Length of the packed table of partial sums.
const TRI_LEN: usize = tri(L_SUBFR);

const COR_SOURCE: [u16; DIM_RR] = {
    let mut t = [0u16; DIM_RR];
    let mut q = 0;
    while q < L_SUBFR {
        let mut p = 0;
        while p <= q {
            if let Some(slot) = rr_slot(p, q) {
                t[slot] = (tri(q - p) + (L_SUBFR - 1 - q)) as u16;
            }
            p += 1;
        }
        q += 1;
    }
    t
};

/// Correlation tables for the codebook search: φ(p, p) per track
/// (`diag`), then one 8×8 matrix per pair of [`PAIRS`] with
/// `cross(a, b)[i·8 + j]` = φ(a + 5i, b + 5j).
struct Correlations {
    rr: [i16; DIM_RR],
}

impl Correlations {
    #[inline(always)]
    fn diag(&self, t: usize) -> &[i16] {
        &self.rr[t * NB_POS..(t + 1) * NB_POS]
    }

    #[inline(always)]
    fn cross(&self, a: usize, b: usize) -> &[i16] {
        let base = CROSS_BASE + PAIR_SLOT[a][b] * NB_POS * NB_POS;
        &self.rr[base..base + NB_POS * NB_POS]
    }
}

/// Computes φ(p, q) = Σ_{n=0}^{39−max(p,q)} h(n)·h(n+|p−q|) for every pair
/// the search needs, with h scaled for precision first.
fn cor_h(hin: &[i16; L_SUBFR]) -> Correlations {
    // Non-negative terms: the saturating energy is the clamped exact one.
    let e_in: i64 = hin.iter().map(|&v| 2 * (v as i64) * (v as i64)).sum();
    let cor = e_in.min(MAX_32 as i64) as i32;
    let mut h = [0i16; L_SUBFR];
    if sub(extract_h(cor), 32000) > 0 {
        for (d, &s) in h.iter_mut().zip(hin.iter()) {
            *d = shr(s, 1);
        }
    } else {
        let k = shr(norm_l(cor), 1);
        for (d, &s) in h.iter_mut().zip(hin.iter()) {
            *d = shl(s, k);
        }
    }

    // For each lag d the running L_mac chain Σ_{m≤n} h(m)·h(m+d) of the
    // Recommendation, stored at the scheduled points. With the scaled
    // energy within 32 bits every partial sum is bounded (Cauchy–Schwarz)
    // and plain arithmetic is exact; otherwise the saturating chain is run.
    let exact = exact::energy(&h) <= MAX_32 as i64;
    // partial[tri(d) + n] = the running sum after term n, as extract_h
    // sees it (the ×2 of L_mac folded into the final shift).
    let mut partial = [0i32; TRI_LEN];
    for d in 0..L_SUBFR {
        let len = L_SUBFR - d;
        let row = &mut partial[tri(d)..tri(d) + len];
        let mut acc = 0i32;
        if exact {
            for ((&a, &b), r) in h[..len].iter().zip(h[d..].iter()).zip(row.iter_mut()) {
                acc += a as i32 * b as i32;
                *r = acc;
            }
        } else {
            for ((&a, &b), r) in h[..len].iter().zip(h[d..].iter()).zip(row.iter_mut()) {
                acc = l_mac(acc, a, b);
                *r = acc >> 1;
            }
        }
    }
    let mut c = Correlations { rr: [0; DIM_RR] };
    for (v, &src) in c.rr.iter_mut().zip(COR_SOURCE.iter()) {
        *v = (partial[src as usize] >> 15) as i16;
    }
    c
}

/// Result of the fixed-codebook search of one subframe.
pub(crate) struct AcelpResult {
    /// 13-bit position index (C).
    pub(crate) index: i16,
    /// 4-bit sign index (S).
    pub(crate) sign: i16,
    /// Codevector c(n) in Q13 with the pitch sharpening applied.
    pub(crate) code: [i16; L_SUBFR],
    /// Codevector filtered through the weighted synthesis filter, Q12.
    pub(crate) y: [i16; L_SUBFR],
}

/// Fixed-codebook search of a subframe (§3.8 with A.3.8).
///
/// `x` is the target after the adaptive contribution is removed, `h` the
/// impulse response of the weighted synthesis filter (Q12); it is modified
/// in place by the pitch sharpening with `pitch_sharp` (Q14) when the lag
/// `t0` is shorter than a subframe (§3.8).
pub(crate) fn acelp_code_a(
    x: &[i16; L_SUBFR],
    h: &mut [i16; L_SUBFR],
    t0: i16,
    pitch_sharp: i16,
) -> AcelpResult {
    let sharp = shl(pitch_sharp, 1);
    let t0 = t0 as usize;
    if t0 < L_SUBFR {
        for i in t0..L_SUBFR {
            h[i] = add(h[i], mult(h[i - t0], sharp));
        }
    }

    let mut rr = cor_h(h);
    let mut dn = cor_h_x(h, x);
    let mut res = d4i40_17_fast(&mut dn, &mut rr, h);

    if t0 < L_SUBFR {
        for i in t0..L_SUBFR {
            res.code[i] = add(res.code[i], mult(res.code[i - t0], sharp));
        }
    }
    res
}

/// Position of track `t`, index `i` within the track.
#[inline(always)]
fn pos(t: usize, i: usize) -> usize {
    t + TRACKS * i
}

/// The two positions of track `t` with the largest |d(n)| (the first wins
/// ties), the second distinct from the first.
fn two_best(dn: &[i16; L_SUBFR], t: usize) -> [usize; 2] {
    let mut out = [t; 2];
    let mut prev = usize::MAX;
    for slot in out.iter_mut() {
        let mut max = -1i16;
        for p in (t..L_SUBFR).step_by(TRACKS) {
            if dn[p] > max && p != prev {
                max = dn[p];
                *slot = p;
            }
        }
        prev = *slot;
    }
    out
}

/// The track of a position.
#[inline(always)]
fn track(pos: usize) -> usize {
    pos % TRACKS
}

/// φ(t_k, q) for the eight positions t_k = t + 5k of track `t` and a
/// position `q` on another track.
#[inline(always)]
fn phi_track(rr: &Correlations, t: usize, q: usize) -> [i32; NB_POS] {
    let (tq, jq) = (track(q), q / TRACKS);
    let mut out = [0i32; NB_POS];
    if t < tq {
        let m = rr.cross(t, tq);
        for (k, o) in out.iter_mut().enumerate() {
            *o = m[k * NB_POS + jq] as i32;
        }
    } else {
        let row = &rr.cross(tq, t)[jq * NB_POS..(jq + 1) * NB_POS];
        for (o, &v) in out.iter_mut().zip(row.iter()) {
            *o = v as i32;
        }
    }
    out
}

/// |d(n)| of the eight positions of track `t`.
#[inline(always)]
fn dn_track(dn: &[i16; L_SUBFR], t: usize) -> [i32; NB_POS] {
    let mut out = [0i32; NB_POS];
    for (k, o) in out.iter_mut().enumerate() {
        *o = dn[pos(t, k)] as i32;
    }
    out
}

/// The search criterion of a candidate: squared correlation `sq` (Q15 of
/// the square) and energy `alp`, both as the Recommendation rounds them.
#[derive(Clone, Copy)]
struct Criterion {
    sq: i32,
    alp: i32,
}

impl Criterion {
    /// The starting point of each search stage.
    const START: Self = Self { sq: -1, alp: 1 };

    /// `sq'/alp' > sq/alp`, the sign of `L_msu(L_mult(alp, sq'), sq, alp')`
    /// (saturation keeps the sign, and neither product saturates since
    /// `sq ≥ −1`), computed exactly.
    #[inline(always)]
    fn beaten_by(self, other: Criterion) -> bool {
        // |alp| ≤ 2^15 and −1 ≤ sq < 2^15: both products fit in 31 bits.
        self.alp * other.sq > self.sq * other.alp
    }
}

/// Candidate from the sum of pulse correlations `ps` and the energy `alp2`
/// (Q-format of the accumulator): `sq = ps²` in Q15, `alp = round(alp2)`.
#[inline(always)]
fn criterion(ps: i32, alp2: i32) -> Criterion {
    Criterion {
        sq: (ps * ps) >> 15,
        alp: (alp2 + 0x8000) >> 16,
    }
}

/// Pulse-correlation sums: |d(n)| ≤ 8192 after the 13-bit normalisation of
/// `cor_h_x`, so only a sum of four values of exactly 8192 reaches the
/// 16-bit limit, where `add` saturates.
#[inline(always)]
fn ps_add(a: i32, b: i32) -> i32 {
    (a + b).min(i16::MAX as i32)
}

/// Search state carried across the stages of the depth-first search, as in
/// the Recommendation (a stage that never improves keeps the previous
/// choice).
struct SearchState {
    ps: i32,
    ix: usize,
    iy: usize,
}

/// First level of a depth-first search (A.3.8.1): one of the two best
/// positions of track `ta`, combined with every position of track `tb`.
/// Leaves the chosen pair in `st` and returns its energy (rounded).
///
/// Arithmetic bound: with |φ| ≤ 2^15 the energy
/// φ(a,a)/4 + φ(a,b)/2 + φ(b,b)/4 stays within `MIN_32..=MAX_32` in the
/// Q of the accumulator, so the saturating chain equals plain arithmetic.
fn stage_pair(
    rr: &Correlations,
    dn: &[i16; L_SUBFR],
    ta: usize,
    tb: usize,
    st: &mut SearchState,
) -> i32 {
    let dnb = dn_track(dn, tb);
    let mut best = Criterion::START;
    for i0 in two_best(dn, ta) {
        let ps1 = dn[i0] as i32;
        let alp1 = rr.diag(ta)[i0 / TRACKS] as i32 * 16384;
        let cross = phi_track(rr, tb, i0);
        for k in 0..NB_POS {
            let ps2 = ps_add(ps1, dnb[k]);
            let alp2 = alp1 + cross[k] * 32768 + rr.diag(tb)[k] as i32 * 16384;
            let c = criterion(ps2, alp2);
            if best.beaten_by(c) {
                best = c;
                st.ps = ps2;
                st.ix = i0;
                st.iy = pos(tb, k);
            }
        }
    }
    best.alp
}

/// Second level: with pulses `i0`, `i1` fixed (energy `alp`, correlation
/// `st.ps`), every position of track `tc` combined with every position of
/// track `td`. Returns the criterion of the best quadruple; the two new
/// positions are left in `st.ix`, `st.iy`.
///
/// Arithmetic bound: the terms are alp/4, φ/8 (four of them), φ/16 and the
/// rounded inner-track vector (|·| ≤ 20480) / 2; their extreme sums are
/// exactly `MIN_32` and just below `MAX_32`, so plain arithmetic is exact.
#[allow(clippy::too_many_arguments)]
fn stage_quad(
    rr: &Correlations,
    dn: &[i16; L_SUBFR],
    tc: usize,
    td: usize,
    i0: usize,
    i1: usize,
    alp: i32,
    st: &mut SearchState,
) -> Criterion {
    debug_assert!(tc < td);
    let ps0 = st.ps;
    let alp0 = alp * 16384;
    let dnd = dn_track(dn, td);
    // round(φ(q,q)/8 + φ(q,i0)/4 + φ(q,i1)/4) for the positions q of track
    // td, kept as its /2 contribution.
    let (d0, d1) = (phi_track(rr, td, i0), phi_track(rr, td, i1));
    let mut rrv = [0i32; NB_POS];
    for k in 0..NB_POS {
        let s = d0[k] * 16384 + d1[k] * 16384 + rr.diag(td)[k] as i32 * 8192;
        rrv[k] = ((s + 0x8000) >> 16) * 32768;
    }
    let (c0, c1) = (phi_track(rr, tc, i0), phi_track(rr, tc, i1));
    let cross = rr.cross(tc, td);
    let mut best = Criterion::START;
    for m in 0..NB_POS {
        let ps1 = ps_add(ps0, dn[pos(tc, m)] as i32);
        let alp1 = alp0 + c0[m] * 8192 + c1[m] * 8192 + rr.diag(tc)[m] as i32 * 4096;
        let row = &cross[m * NB_POS..(m + 1) * NB_POS];
        // The eight candidates of track td (independent, vectorises), then
        // the sequential comparison of the Recommendation.
        let mut cand = [Criterion::START; NB_POS];
        for k in 0..NB_POS {
            let ps2 = ps_add(ps1, dnd[k]);
            cand[k] = criterion(ps2, alp1 + row[k] as i32 * 8192 + rrv[k]);
        }
        for (k, &c) in cand.iter().enumerate() {
            if best.beaten_by(c) {
                best = c;
                st.ix = pos(tc, m);
                st.iy = pos(td, k);
            }
        }
    }
    best
}

/// Depth-first search of the 4-pulse codebook (A.3.8.1).
///
/// `dn` is turned into |d(n)| and `rr` gets the signs folded in.
fn d4i40_17_fast(
    dn: &mut [i16; L_SUBFR],
    rr: &mut Correlations,
    h: &[i16; L_SUBFR],
) -> AcelpResult {
    // Pulse signs follow d(n).
    let mut positive = [true; L_SUBFR];
    for (d, p) in dn.iter_mut().zip(positive.iter_mut()) {
        if *d < 0 {
            *p = false;
            *d = negate(*d);
        }
    }

    // Fold the signs into the cross-correlations: `mult` by MAX_16 when the
    // pulses agree, by MIN_16 when they differ (the Recommendation's
    // rounding: ×32767/32768, or negation saturating −32768 to 32767).
    let mut sign = [[0i32; NB_POS]; TRACKS];
    for (t, row) in sign.iter_mut().enumerate() {
        for (k, s) in row.iter_mut().enumerate() {
            *s = if positive[pos(t, k)] { 1 } else { -1 };
        }
    }
    for (k, &(a, b)) in PAIRS.iter().enumerate() {
        let m = &mut rr.rr[CROSS_BASE + k * NB_POS * NB_POS..][..NB_POS * NB_POS];
        for (row, &sa) in m.chunks_exact_mut(NB_POS).zip(sign[a].iter()) {
            for (v, &sb) in row.iter_mut().zip(sign[b].iter()) {
                let f = if sa == sb {
                    MAX_16 as i32
                } else {
                    MIN_16 as i32
                };
                // `mult(v, f)`: only −32768·−32768 saturates.
                *v = ((*v as i32 * f) >> 15).min(MAX_16 as i32) as i16;
            }
        }
    }

    let rr = &*rr;
    let dn = &*dn;
    let mut best = Criterion::START;
    let (mut ip0, mut ip1, mut ip2, mut ip3) = (0usize, 1usize, 2usize, 3usize);
    let mut st = SearchState {
        ps: 0,
        ix: 0,
        iy: 0,
    };

    for t3 in [3usize, 4] {
        // Pulses of tracks 2 and t3 first, then tracks 0 and 1.
        let alp = stage_pair(rr, dn, 2, t3, &mut st);
        let (i0, i1) = (st.ix, st.iy);
        let c = stage_quad(rr, dn, 0, 1, i0, i1, alp, &mut st);
        if best.beaten_by(c) {
            best = c;
            (ip0, ip1, ip2, ip3) = (st.ix, st.iy, i0, i1);
        }

        // Pulses of tracks t3 and 0 first, then tracks 1 and 2.
        let alp = stage_pair(rr, dn, t3, 0, &mut st);
        let (i0, i1) = (st.ix, st.iy);
        let c = stage_quad(rr, dn, 1, 2, i0, i1, alp, &mut st);
        if best.beaten_by(c) {
            best = c;
            (ip0, ip1, ip2, ip3) = (i1, st.ix, st.iy, i0);
        }
    }

    // Build the codevector (Q13) and its filtered version (Q12).
    let pulses = [ip0, ip1, ip2, ip3];
    let mut code = [0i16; L_SUBFR];
    for &p in &pulses {
        code[p] = if positive[p] {
            shr(MAX_16, 2)
        } else {
            shr(MIN_16, 2)
        };
    }
    let mut y = [0i16; L_SUBFR];
    if positive[ip0] {
        y[ip0..].copy_from_slice(&h[..L_SUBFR - ip0]);
    } else {
        for (d, &s) in y[ip0..].iter_mut().zip(h.iter()) {
            *d = negate(s);
        }
    }
    for &p in &pulses[1..] {
        if positive[p] {
            for (d, &s) in y[p..].iter_mut().zip(h.iter()) {
                *d = add(*d, s);
            }
        } else {
            for (d, &s) in y[p..].iter_mut().zip(h.iter()) {
                *d = sub(*d, s);
            }
        }
    }

    let mut sign = 0i16;
    for (bit, &p) in pulses.iter().enumerate() {
        if positive[p] {
            sign += 1 << bit;
        }
    }
    // Track 3 index: 2·(position/5) + (0 for track 3, 1 for track 4).
    let i3 = 2 * (ip3 / TRACKS) + (ip3 % TRACKS - 3);
    let index = (ip0 / TRACKS) + ((ip1 / TRACKS) << 3) + ((ip2 / TRACKS) << 6) + (i3 << 9);
    AcelpResult {
        index: index as i16,
        sign,
        code,
        y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::g729::basic_op::{l_msu, l_mult, round16};
    use crate::g729::tables::{C_1_2, C_1_4, C_1_8, C_1_16};
    use proptest::prelude::*;

    /// Cor_h with the saturating running sums, element by element.
    fn ref_cor_h(hin: &[i16; L_SUBFR]) -> Correlations {
        let mut cor = 0i32;
        for &v in hin {
            cor = l_mac(cor, v, v);
        }
        let mut h = [0i16; L_SUBFR];
        for (d, &s) in h.iter_mut().zip(hin.iter()) {
            *d = if sub(extract_h(cor), 32000) > 0 {
                shr(s, 1)
            } else {
                shl(s, shr(norm_l(cor), 1))
            };
        }
        let mut c = Correlations { rr: [0; DIM_RR] };
        for q in 0..L_SUBFR {
            for p in 0..=q {
                if let Some(slot) = rr_slot(p, q) {
                    let mut acc = 0i32;
                    for m in 0..L_SUBFR - q {
                        acc = l_mac(acc, h[m], h[m + q - p]);
                    }
                    c.rr[slot] = extract_h(acc);
                }
            }
        }
        c
    }

    /// φ lookup for the reference search (any track order).
    fn rphi(rr: &Correlations, p: usize, q: usize) -> i16 {
        let (p, q) = if p <= q { (p, q) } else { (q, p) };
        rr.rr[rr_slot(p, q).expect("stored pair")]
    }

    /// The depth-first search with the saturating operators throughout.
    fn ref_search(dn: &mut [i16; L_SUBFR], rr: &mut Correlations) -> ([usize; 4], [bool; L_SUBFR]) {
        let mut positive = [true; L_SUBFR];
        for (d, p) in dn.iter_mut().zip(positive.iter_mut()) {
            if *d < 0 {
                *p = false;
                *d = negate(*d);
            }
        }
        for q in 0..L_SUBFR {
            for p in 0..q {
                if let Some(slot) = rr_slot(p, q) {
                    let s = if positive[p] == positive[q] {
                        MAX_16
                    } else {
                        MIN_16
                    };
                    rr.rr[slot] = mult(rr.rr[slot], s);
                }
            }
        }
        let better = |alp: i16, sq: i16, sq2: i16, alp2: i16| l_msu(l_mult(alp, sq2), sq, alp2) > 0;
        let (mut psk, mut alpk) = (-1i16, 1i16);
        let mut ip = [0usize, 1, 2, 3];
        let (mut ix, mut iy, mut ps) = (0usize, 0usize, 0i16);
        for t3 in [3usize, 4] {
            for (ta, tb, tc, td) in [(2, t3, 0, 1), (t3, 0, 1, 2)] {
                let (mut sq, mut alp) = (-1i16, 1i16);
                for i0 in two_best(dn, ta) {
                    let alp1 = l_mult(rphi(rr, i0, i0), C_1_4);
                    for i1 in (tb..L_SUBFR).step_by(TRACKS) {
                        let ps2 = add(dn[i0], dn[i1]);
                        let alp2 = l_mac(
                            l_mac(alp1, rphi(rr, i0, i1), C_1_2),
                            rphi(rr, i1, i1),
                            C_1_4,
                        );
                        let (sq2, alp_16) = (mult(ps2, ps2), round16(alp2));
                        if better(alp, sq, sq2, alp_16) {
                            (sq, ps, alp, ix, iy) = (sq2, ps2, alp_16, i0, i1);
                        }
                    }
                }
                let (i0, i1) = (ix, iy);
                let ps0 = ps;
                let alp0 = l_mult(alp, C_1_4);
                (sq, alp) = (-1, 1);
                for i2 in (tc..L_SUBFR).step_by(TRACKS) {
                    let ps1 = add(ps0, dn[i2]);
                    let mut alp1 = l_mac(alp0, rphi(rr, i2, i0), C_1_8);
                    alp1 = l_mac(alp1, rphi(rr, i2, i1), C_1_8);
                    alp1 = l_mac(alp1, rphi(rr, i2, i2), C_1_16);
                    for i3 in (td..L_SUBFR).step_by(TRACKS) {
                        let mut s = l_mult(rphi(rr, i3, i0), C_1_4);
                        s = l_mac(s, rphi(rr, i3, i1), C_1_4);
                        s = l_mac(s, rphi(rr, i3, i3), C_1_8);
                        let ps2 = add(ps1, dn[i3]);
                        let mut alp2 = l_mac(alp1, rphi(rr, i2, i3), C_1_8);
                        alp2 = l_mac(alp2, round16(s), C_1_2);
                        let (sq2, alp_16) = (mult(ps2, ps2), round16(alp2));
                        if better(alp, sq, sq2, alp_16) {
                            (sq, alp, ix, iy) = (sq2, alp_16, i2, i3);
                        }
                    }
                }
                if better(alpk, psk, sq, alp) {
                    (psk, alpk) = (sq, alp);
                    ip = if ta == 2 {
                        [ix, iy, i0, i1]
                    } else {
                        [i1, ix, iy, i0]
                    };
                }
            }
        }
        (ip, positive)
    }

    /// Impulse responses of several amplitudes, up to full scale (where the
    /// correlations saturate).
    fn response() -> impl Strategy<Value = [i16; L_SUBFR]> {
        prop_oneof![
            prop::array::uniform32(-2000i16..2000),
            prop::array::uniform32(-12000i16..12000),
            prop::array::uniform32(any::<i16>()),
        ]
        .prop_flat_map(|head| {
            prop::array::uniform8(-3000i16..3000).prop_map(move |tail| {
                let mut h = [0i16; L_SUBFR];
                h[..32].copy_from_slice(&head);
                h[32..].copy_from_slice(&tail);
                h
            })
        })
    }

    proptest! {
        #[test]
        fn cor_h_matches_reference(h in response()) {
            prop_assert_eq!(cor_h(&h).rr, ref_cor_h(&h).rr);
        }

        /// The plain-arithmetic search picks the same codevector as the
        /// saturating one.
        #[test]
        fn search_matches_reference(h in response(), x in prop::array::uniform32(any::<i16>()), x2 in prop::array::uniform8(any::<i16>())) {
            let mut xt = [0i16; L_SUBFR];
            xt[..32].copy_from_slice(&x);
            xt[32..].copy_from_slice(&x2);
            let mut dn = cor_h_x(&h, &xt);
            let mut dn_ref = dn;
            let mut rr = cor_h(&h);
            let mut rr_ref = ref_cor_h(&h);
            let got = d4i40_17_fast(&mut dn, &mut rr, &h);
            let (ip, positive) = ref_search(&mut dn_ref, &mut rr_ref);
            let i3 = 2 * (ip[3] / TRACKS) + (ip[3] % TRACKS - 3);
            let index = (ip[0] / TRACKS) + ((ip[1] / TRACKS) << 3) + ((ip[2] / TRACKS) << 6) + (i3 << 9);
            prop_assert_eq!(got.index, index as i16);
            let sign: i16 = (0..4).map(|b| i16::from(positive[ip[b]]) << b).sum();
            prop_assert_eq!(got.sign, sign);
        }
    }
}
