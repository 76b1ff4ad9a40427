//! Comfort-noise excitation of G.729 Annex B (B.4.4, "excitation
//! generation" of the CNG module), shared by the encoder (which must keep
//! its excitation memory in step with the decoder) and the decoder.
//!
//! Per 5 ms subframe the excitation is the sum of
//! * an adaptive-codebook contribution with a random lag (40…103, random
//!   third-sample fraction) and a random gain below 0.5,
//! * a Gaussian excitation, scaled so that the total matches the target
//!   gain (B.4.4, eq. B.21),
//! * an ACELP-like pulse contribution (4 random pulses with random signs)
//!   whose gain solves the quadratic energy equation of B.4.4 (eq. B.23),
//!   falling back to a Gaussian-only excitation when that equation has no
//!   real root.

use crate::g729::basic_op::*;
use crate::g729::pitch_common::pred_lt_3;
use crate::g729::tables::annex_b::{FRAC1, G_MAX, K0};
use crate::g729::tables::{L_FRAME, L_SUBFR};
use crate::g729::util::{inv_sqrt, random};

/// Parameters of one generated subframe that the encoder needs to track
/// its taming error (`update_exc_err` of the Annex A encoder).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CngSubframe {
    /// Adaptive-codebook gain used (Q14), 0 when the Gaussian-only branch
    /// was taken.
    pub gain_pitch: i16,
    /// Integer lag of the random adaptive-codebook contribution.
    pub t0: i16,
}

/// Generates one frame (80 samples) of comfort-noise excitation with the
/// target sample gain `cur_gain` (B.4.4) into `exc[pos..pos + L_FRAME]`.
/// `exc[..pos]` must hold the past excitation (at least
/// `PIT_MAX + L_INTERPOL` samples), which the random adaptive-codebook
/// contribution reads. `seed` is the CNG random generator (B.4.4; the
/// decoder resets it to `INIT_SEED` on every speech frame).
///
/// Returns, per subframe, the adaptive gain and lag used (for the
/// encoder's taming memory).
pub fn calc_exc_rand(
    cur_gain: i16,
    exc: &mut [i16],
    pos: usize,
    seed: &mut i16,
) -> [CngSubframe; 2] {
    if cur_gain == 0 {
        exc[pos..pos + L_FRAME].fill(0);
        let silent = CngSubframe {
            gain_pitch: 0,
            t0: L_SUBFR as i16 + 1,
        };
        return [silent; 2];
    }
    let mut used = [CngSubframe::default(); 2];
    for (s, slot) in used.iter_mut().enumerate() {
        let at = pos + s * L_SUBFR;
        *slot = subframe(cur_gain, exc, at, seed);
    }
    used
}

/// Random parameters of one subframe: adaptive lag and fraction, the 4
/// pulse positions and signs, the adaptive gain.
struct RandomDraw {
    t0: i16,
    frac: i16,
    pos: [usize; 4],
    positive: [bool; 4],
    gp: i16,
}

/// Draws the random adaptive-codebook and pulse parameters (B.4.4): two
/// 16-bit draws cut into bit fields, then one for the adaptive gain.
fn draw(seed: &mut i16) -> RandomDraw {
    let mut r = random(seed);
    let mut frac = sub(r & 3, 1);
    if frac == 2 {
        frac = 0;
    }
    r = shr(r, 2);
    let t0 = add(r & 0x3f, 40);
    r = shr(r, 6);
    let p0 = (r & 7) * 5;
    r = shr(r, 3);
    let s0 = r & 1 != 0;
    r = shr(r, 1);
    let p1 = (r & 7) * 5 + 1;
    r = shr(r, 3);
    let s1 = r & 1 != 0;

    r = random(seed);
    let p2 = (r & 7) * 5 + 2;
    r = shr(r, 3);
    let s2 = r & 1 != 0;
    r = shr(r, 1);
    let field = r & 0xf;
    let p3 = (field & 1) + 3 + ((shr(field, 1) & 7) * 5);
    r = shr(r, 4);
    let s3 = r & 1 != 0;

    let gp = random(seed) & 0x1fff; // below 0.5 in Q14
    RandomDraw {
        t0,
        frac,
        pos: [p0 as usize, p1 as usize, p2 as usize, p3 as usize],
        positive: [s0, s1, s2, s3],
        gp,
    }
}

/// One subframe of comfort-noise excitation at `exc[at..at + L_SUBFR]`.
fn subframe(cur_gain: i16, exc: &mut [i16], at: usize, seed: &mut i16) -> CngSubframe {
    let d = draw(seed);
    let mut gp = d.gp;
    let gp2 = shl(gp, 1); // Q15

    // Gaussian excitation, normalised to alpha·cur_gain·sqrt(L_SUBFR/Eg)
    // with alpha = 0.5 (B.4.4).
    let mut excg = [0i16; L_SUBFR];
    let mut l_acc = 0i32;
    for v in excg.iter_mut() {
        *v = gauss(seed);
        l_acc = l_mac(l_acc, *v, *v);
    }
    let l_acc = inv_sqrt(l_shr(l_acc, 1)); // Q30
    let (hi, lo) = l_extract(l_acc);
    let scaled_gain = add(cur_gain, mult_r(cur_gain, FRAC1));
    let l_acc = mpy_32_16(hi, lo, scaled_gain);
    let sh = norm_l(l_acc);
    let fact = extract_h(l_shl(l_acc, sh));
    let sh = sub(sh, 14);
    for v in excg.iter_mut() {
        *v = shr_r(mult_r(*v, fact), sh);
    }

    // Random adaptive contribution plus the Gaussian part.
    pred_lt_3(exc, at, d.t0, d.frac, L_SUBFR);
    let cur = &mut exc[at..at + L_SUBFR];
    let mut max = 0i16;
    for (c, &g) in cur.iter_mut().zip(excg.iter()) {
        *c = add(mult_r(*c, gp2), g);
        let a = abs_s(*c);
        if a > max {
            max = a;
        }
    }
    let mut sh = if max == 0 {
        0
    } else {
        sub(3, norm_s(max)).max(0)
    };
    let mut excs = [0i16; L_SUBFR];
    for (s, &c) in excs.iter_mut().zip(cur.iter()) {
        *s = shr(c, sh);
    }

    // Pulse gain g from 4·g² + 2·b·g + c = 0 (B.4.4, eq. B.23), all terms
    // scaled by 2^(−2·sh).
    let mut l_ener = 0i32;
    for &s in &excs {
        l_ener = l_mac(l_ener, s, s);
    }
    let mut inter_exc = 0i16;
    for k in 0..4 {
        let v = excs[d.pos[k]];
        inter_exc = if d.positive[k] {
            add(inter_exc, v)
        } else {
            sub(inter_exc, v)
        };
    }
    // k = cur_gain² · L_SUBFR
    let t = extract_l(l_shr(l_mult(cur_gain, L_SUBFR as i16), 6));
    let l_k = l_mult(cur_gain, t);
    let mut l_acc = l_shr(l_k, add(1, shl(sh, 1)));
    l_acc = l_sub(l_acc, l_ener);
    inter_exc = shr(inter_exc, 1);
    l_acc = l_mac(l_acc, inter_exc, inter_exc);
    sh = add(sh, 1);

    if l_acc < 0 {
        // No real root: drop the adaptive part, keep the Gaussian one.
        cur.copy_from_slice(&excg);
        let bits = d.pos.iter().fold(0i16, |acc, &p| acc | abs_s(excg[p]));
        sh = if bits & 0x4000 == 0 { 1 } else { 2 };
        inter_exc = 0;
        for k in 0..4 {
            let v = shr(excg[d.pos[k]], sh);
            inter_exc = if d.positive[k] {
                add(inter_exc, v)
            } else {
                sub(inter_exc, v)
            };
        }
        let (hi, lo) = l_extract(l_k);
        l_acc = mpy_32_16(hi, lo, K0);
        l_acc = l_shr(l_acc, sub(shl(sh, 1), 1));
        l_acc = l_mac(l_acc, inter_exc, inter_exc);
        gp = 0;
    }

    let root = sqrt_half(l_acc);
    let mut x1 = sub(root, inter_exc);
    let x2 = negate(add(inter_exc, root));
    if abs_s(x2) < abs_s(x1) {
        x1 = x2;
    }
    let g = shr_r(x1, sub(2, sh)).clamp(-G_MAX, G_MAX);
    for k in 0..4 {
        let p = d.pos[k];
        cur[p] = if d.positive[k] {
            add(cur[p], g)
        } else {
            sub(cur[p], g)
        };
    }
    CngSubframe {
        gain_pitch: gp,
        t0: d.t0,
    }
}

/// Approximately N(0,1)·512 sample: the sum of 12 uniform 16-bit draws,
/// scaled by 2^−7 (B.4.4).
#[inline]
fn gauss(seed: &mut i16) -> i16 {
    let mut l = 0i32;
    for _ in 0..12 {
        l = l_add(l, l_deposit_l(random(seed)));
    }
    extract_l(l_shr(l, 7))
}

/// `sqrt(num/2)` by 14 steps of bitwise restoring square root (B.4.4).
#[inline]
fn sqrt_half(num: i32) -> i16 {
    let mut rez = 0i16;
    let mut bit = 0x4000i16;
    for _ in 0..14 {
        let cand = add(rez, bit);
        if l_sub(num, l_mult(cand, cand)) >= 0 {
            rez = cand;
        }
        bit = shr(bit, 1);
    }
    rez
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::g729::tables::annex_b::INIT_SEED;
    use crate::g729::tables::{L_INTERPOL, PIT_MAX};

    const HIST: usize = PIT_MAX as usize + L_INTERPOL;

    #[test]
    fn zero_gain_is_silence() {
        let mut exc = [7i16; HIST + L_FRAME];
        let mut seed = INIT_SEED;
        let r = calc_exc_rand(0, &mut exc, HIST, &mut seed);
        assert!(exc[HIST..].iter().all(|&v| v == 0));
        assert_eq!(seed, INIT_SEED);
        assert_eq!(r[0].t0, 41);
    }

    #[test]
    fn every_gain_is_bounded_and_deterministic() {
        for &g in crate::g729::tables::annex_b::TAB_SIDGAIN
            .iter()
            .chain([i16::MAX].iter())
        {
            let mut exc = [0i16; HIST + L_FRAME];
            let mut seed = INIT_SEED;
            for _ in 0..20 {
                calc_exc_rand(g, &mut exc, HIST, &mut seed);
                exc.copy_within(L_FRAME.., 0);
            }
            let mut exc2 = exc;
            let (mut s1, mut s2) = (seed, seed);
            let a = calc_exc_rand(g, &mut exc, HIST, &mut s1);
            let b = calc_exc_rand(g, &mut exc2, HIST, &mut s2);
            assert_eq!(a, b);
            assert_eq!(exc, exc2);
            assert!(
                a.iter()
                    .all(|s| (40..=103).contains(&s.t0) && s.gain_pitch < 8192)
            );
        }
    }

    #[test]
    fn sqrt_half_matches_float() {
        for &n in &[0i32, 2, 1000, 1 << 20, 123_456_789, i32::MAX] {
            let want = ((n as f64) / 2.0).sqrt().floor() as i32;
            let got = sqrt_half(n) as i32;
            assert!(
                (got - want).abs() <= 1 || (want >= 32767 && got >= 32766),
                "{n}: {got} vs {want}"
            );
        }
    }
}
