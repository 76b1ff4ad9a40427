//! Fixed (algebraic) codebook search of Annex A (G.729 §3.8, A.3.8).
//!
//! The 17-bit codebook has four signed unit pulses in a 40-sample subframe,
//! one per track: track 0 at positions 0, 5, …, 35; track 1 at 1, 6, …, 36;
//! track 2 at 2, 7, …, 37; track 3 at 3, 8, …, 38 or 4, 9, …, 39 (one bit
//! chooses). The signs follow the backward-filtered target d(n) (§3.8.1);
//! Annex A replaces the nested search by a depth-first tree search over
//! pairs of tracks (A.3.8.1).
//!
//! Correlations φ(i, j) of the (pitch-sharpened) impulse response (eq. 50)
//! are kept per pair of tracks as 8×8 matrices with the pulse signs folded
//! in; only the pairs the search uses are stored.

use crate::g729::basic_op::{
    MAX_16, MAX_32, MIN_16, add, extract_h, l_mac, l_msu, l_mult, mult, negate, norm_l, round16,
    shl, shr, sub,
};
use crate::g729::tables::{C_1_2, C_1_4, C_1_8, C_1_16, L_SUBFR, NB_POS};

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
/// Marker for partial sums that belong to no stored pair.
const UNUSED: u16 = u16::MAX;

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

/// Where the partial sum Σ_{m=0}^{n} h(m)·h(m+d) is stored: it is φ(p, q)
/// for the positions q = 39 − n and p = q − d (eq. 50 with the sum
/// reversed). Built once at compile time.
const COR_DEST: [[u16; L_SUBFR]; L_SUBFR] = {
    let mut t = [[UNUSED; L_SUBFR]; L_SUBFR];
    let mut d = 0;
    while d < L_SUBFR {
        let mut n = 0;
        while n < L_SUBFR - d {
            let q = L_SUBFR - 1 - n;
            let p = q - d;
            let (tp, tq) = (p % TRACKS, q % TRACKS);
            if d == 0 {
                t[d][n] = (tp * NB_POS + p / TRACKS) as u16;
            } else if tp != tq && tp + tq != 7 {
                let (a, ia, b, ib) = if tp < tq {
                    (tp, p / TRACKS, tq, q / TRACKS)
                } else {
                    (tq, q / TRACKS, tp, p / TRACKS)
                };
                t[d][n] =
                    (CROSS_BASE + pair_slot(a, b) * NB_POS * NB_POS + ia * NB_POS + ib) as u16;
            }
            n += 1;
        }
        d += 1;
    }
    t
};

/// Correlation tables for the codebook search: φ(p, p) per track
/// (`diag`), then one 8×8 matrix per pair of [`PAIRS`] with
/// `cross(a, b)[i·8 + j]` = φ(a + 5i, b + 5j).
struct Correlations {
    rr: [i16; CROSS_BASE + PAIRS.len() * NB_POS * NB_POS],
}

impl Correlations {
    #[inline(always)]
    fn diag(&self, t: usize) -> &[i16] {
        &self.rr[t * NB_POS..(t + 1) * NB_POS]
    }

    #[inline(always)]
    fn cross(&self, a: usize, b: usize) -> &[i16] {
        let base = CROSS_BASE + pair_slot(a, b) * NB_POS * NB_POS;
        &self.rr[base..base + NB_POS * NB_POS]
    }
}

/// Computes φ(p, q) = Σ_{n=0}^{39−max(p,q)} h(n)·h(n+|p−q|) for every pair
/// the search needs (eq. 50), with h scaled for precision first.
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

    let mut c = Correlations {
        rr: [0; CROSS_BASE + PAIRS.len() * NB_POS * NB_POS],
    };
    // With the scaled energy within 32 bits every partial sum is bounded
    // (Cauchy–Schwarz) and plain arithmetic is exact.
    let e: i64 = h.iter().map(|&v| 2 * (v as i64) * (v as i64)).sum();
    let exact = e <= MAX_32 as i64;
    for (d, dest) in COR_DEST.iter().enumerate() {
        let mut acc = 0i32;
        for n in 0..L_SUBFR - d {
            if exact {
                acc += h[n] as i32 * h[n + d] as i32;
            } else {
                acc = l_mac(acc, h[n], h[n + d]);
            }
            let slot = dest[n];
            if slot != UNUSED {
                c.rr[slot as usize] = if exact {
                    ((acc << 1) >> 16) as i16
                } else {
                    extract_h(acc)
                };
            }
        }
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
/// `t0` is shorter than a subframe (§3.8, eq. 48).
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
            if sub(dn[p], max) > 0 && p != prev {
                max = dn[p];
                *slot = p;
            }
        }
        prev = *slot;
    }
    out
}

/// Running best of a search stage: squared correlation `sq` over energy
/// `alp`, compared by cross-multiplication.
struct Best {
    sq: i16,
    alp: i16,
}

impl Best {
    fn new() -> Self {
        Self { sq: -1, alp: 1 }
    }

    /// `sq2/alp2 > sq/alp`, evaluated as the Recommendation does.
    #[inline(always)]
    fn better(&self, sq2: i16, alp2: i16) -> bool {
        l_msu(l_mult(self.alp, sq2), self.sq, alp2) > 0
    }
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

    // Fold the signs into the cross-correlations: ×MAX_16 when the pulses
    // agree, ×MIN_16 when they differ (the Recommendation's rounding).
    for (k, &(a, b)) in PAIRS.iter().enumerate() {
        let m =
            &mut rr.rr[CROSS_BASE + k * NB_POS * NB_POS..CROSS_BASE + (k + 1) * NB_POS * NB_POS];
        for i in 0..NB_POS {
            let pa = positive[pos(a, i)];
            for j in 0..NB_POS {
                let s = if positive[pos(b, j)] == pa {
                    MAX_16
                } else {
                    MIN_16
                };
                m[i * NB_POS + j] = mult(m[i * NB_POS + j], s);
            }
        }
    }

    let rr = &*rr;
    let dn = &*dn;
    let mut psk = -1i16;
    let mut alpk = 1i16;
    let (mut ip0, mut ip1, mut ip2, mut ip3) = (0usize, 1usize, 2usize, 3usize);
    // Persist across the stages as in the Recommendation's search.
    let (mut ix, mut iy) = (0usize, 0usize);
    let mut ps = 0i16;
    let mut tmp = [0i16; NB_POS];

    for t3 in [3usize, 4] {
        // --- Search A: pulse pair (track 2, track t3), then (0, 1). ---
        let mut best = Best::new();
        for i0 in two_best(dn, 2) {
            let j = i0 / TRACKS;
            let ps1 = dn[i0];
            let alp1 = l_mult(rr.diag(2)[j], C_1_4);
            for k in 0..NB_POS {
                let i1 = pos(t3, k);
                let ps2 = add(ps1, dn[i1]);
                let mut alp2 = l_mac(alp1, rr.cross(2, t3)[j * NB_POS + k], C_1_2);
                alp2 = l_mac(alp2, rr.diag(t3)[k], C_1_4);
                let sq2 = mult(ps2, ps2);
                let alp_16 = round16(alp2);
                if best.better(sq2, alp_16) {
                    best = Best {
                        sq: sq2,
                        alp: alp_16,
                    };
                    ps = ps2;
                    ix = i0;
                    iy = i1;
                }
            }
        }
        let (i0, i1) = (ix, iy);
        let (j0, j1) = (i0 / TRACKS, i1 / TRACKS);

        let ps0 = ps;
        let alp0 = l_mult(best.alp, C_1_4);
        let mut best = Best::new();
        for (k, v) in tmp.iter_mut().enumerate() {
            let mut s = l_mult(rr.cross(1, 2)[k * NB_POS + j0], C_1_4);
            s = l_mac(s, rr.cross(1, t3)[k * NB_POS + j1], C_1_4);
            s = l_mac(s, rr.diag(1)[k], C_1_8);
            *v = round16(s);
        }
        for m in 0..NB_POS {
            let i2 = pos(0, m);
            let ps1 = add(ps0, dn[i2]);
            let mut alp1 = l_mac(alp0, rr.cross(0, 2)[m * NB_POS + j0], C_1_8);
            alp1 = l_mac(alp1, rr.cross(0, t3)[m * NB_POS + j1], C_1_8);
            alp1 = l_mac(alp1, rr.diag(0)[m], C_1_16);
            for (k, &tv) in tmp.iter().enumerate() {
                let i3 = pos(1, k);
                let ps2 = add(ps1, dn[i3]);
                let mut alp2 = l_mac(alp1, rr.cross(0, 1)[m * NB_POS + k], C_1_8);
                alp2 = l_mac(alp2, tv, C_1_2);
                let sq2 = mult(ps2, ps2);
                let alp_16 = round16(alp2);
                if best.better(sq2, alp_16) {
                    best = Best {
                        sq: sq2,
                        alp: alp_16,
                    };
                    ix = i2;
                    iy = i3;
                }
            }
        }
        if l_msu(l_mult(alpk, best.sq), psk, best.alp) > 0 {
            psk = best.sq;
            alpk = best.alp;
            ip2 = i0;
            ip3 = i1;
            ip0 = ix;
            ip1 = iy;
        }

        // --- Search B: pulse pair (track t3, track 0), then (1, 2). ---
        let mut best = Best::new();
        for i0 in two_best(dn, t3) {
            let j = i0 / TRACKS;
            let ps1 = dn[i0];
            let alp1 = l_mult(rr.diag(t3)[j], C_1_4);
            for m in 0..NB_POS {
                let i1 = pos(0, m);
                let ps2 = add(ps1, dn[i1]);
                let mut alp2 = l_mac(alp1, rr.cross(0, t3)[m * NB_POS + j], C_1_2);
                alp2 = l_mac(alp2, rr.diag(0)[m], C_1_4);
                let sq2 = mult(ps2, ps2);
                let alp_16 = round16(alp2);
                if best.better(sq2, alp_16) {
                    best = Best {
                        sq: sq2,
                        alp: alp_16,
                    };
                    ps = ps2;
                    ix = i0;
                    iy = i1;
                }
            }
        }
        let (i0, i1) = (ix, iy);
        let (j0, j1) = (i0 / TRACKS, i1 / TRACKS);

        let ps0 = ps;
        let alp0 = l_mult(best.alp, C_1_4);
        let mut best = Best::new();
        for (k, v) in tmp.iter_mut().enumerate() {
            let mut s = l_mult(rr.cross(2, t3)[k * NB_POS + j0], C_1_4);
            s = l_mac(s, rr.cross(0, 2)[j1 * NB_POS + k], C_1_4);
            s = l_mac(s, rr.diag(2)[k], C_1_8);
            *v = round16(s);
        }
        for m in 0..NB_POS {
            let i2 = pos(1, m);
            let ps1 = add(ps0, dn[i2]);
            let mut alp1 = l_mac(alp0, rr.cross(1, t3)[m * NB_POS + j0], C_1_8);
            alp1 = l_mac(alp1, rr.cross(0, 1)[j1 * NB_POS + m], C_1_8);
            alp1 = l_mac(alp1, rr.diag(1)[m], C_1_16);
            for (k, &tv) in tmp.iter().enumerate() {
                let i3 = pos(2, k);
                let ps2 = add(ps1, dn[i3]);
                let mut alp2 = l_mac(alp1, rr.cross(1, 2)[m * NB_POS + k], C_1_8);
                alp2 = l_mac(alp2, tv, C_1_2);
                let sq2 = mult(ps2, ps2);
                let alp_16 = round16(alp2);
                if best.better(sq2, alp_16) {
                    best = Best {
                        sq: sq2,
                        alp: alp_16,
                    };
                    ix = i2;
                    iy = i3;
                }
            }
        }
        if l_msu(l_mult(alpk, best.sq), psk, best.alp) > 0 {
            psk = best.sq;
            alpk = best.alp;
            ip3 = i0;
            ip0 = i1;
            ip1 = ix;
            ip2 = iy;
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
