//! Annex A post-filter (A.4.2, replacing G.729 §4.2) and the output
//! high-pass post-processing (§4.3).
//!
//! Per subframe: residual of the synthesis through A(z/γ2); long-term
//! (pitch) post-filter with an integer delay searched around the decoded
//! lag (A.4.2.1); tilt compensation 1 − μ·k1'·z⁻¹ with k1' from the impulse
//! response of A(z/γ2)/A(z/γ1) (A.4.2.3); short-term synthesis through
//! 1/A(z/γ1) (A.4.2.2); adaptive gain control (A.4.2.4).

use super::basic_op::*;
use super::filter::{dot, max_abs, residu, syn_filt, syn_filt_in_place, weight_az};
use super::tables::{
    A100, AGC_FAC, AGC_FAC1, B100, GAMMA1_PST, GAMMA2_PST, GAMMAP, GAMMAP_2,
    INIT_POSTFILTER_PAST_GAIN, INV_GAMMAP, L_FRAME, L_H, L_SUBFR, M, MP1, MU, PIT_MAX,
};
use super::util::inv_sqrt;

const PM: usize = PIT_MAX as usize;

/// State of the Annex A post-filter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PostFilter {
    /// Residual history through A(z/γ2): `PIT_MAX` past samples, then the
    /// current subframe.
    res2: [i16; PM + L_SUBFR],
    /// The same scaled by 1/4 (for the correlation search).
    scal_res2: [i16; PM + L_SUBFR],
    /// Memory of 1/A(z/γ1).
    mem_syn_pst: [i16; M],
    /// Memory of the tilt-compensation filter.
    mem_pre: i16,
    /// AGC gain of the previous sample (Q12).
    past_gain: i16,
}

impl Default for PostFilter {
    fn default() -> Self {
        Self::new()
    }
}

impl PostFilter {
    /// Reset state.
    pub fn new() -> Self {
        Self {
            res2: [0; PM + L_SUBFR],
            scal_res2: [0; PM + L_SUBFR],
            mem_syn_pst: [0; M],
            mem_pre: 0,
            past_gain: INIT_POSTFILTER_PAST_GAIN,
        }
    }

    /// Post-filters one frame. `syn` holds `M` samples of the previous
    /// frame's (unfiltered) synthesis followed by the current frame's
    /// synthesis; `az` the two subframe LP filters; `t` the two decoded
    /// integer pitch lags. With `pitch` false (Annex B noise frames, B.5)
    /// the long-term post-filter is bypassed. The filtered frame is written
    /// to `out`; the history part of `syn` is updated for the next frame.
    pub fn filter(
        &mut self,
        syn: &mut [i16; M + L_FRAME],
        az: &[i16; 2 * MP1],
        t: &[i16; 2],
        pitch: bool,
        out: &mut [i16; L_FRAME],
    ) {
        for (sub_idx, i_subfr) in [0usize, L_SUBFR].into_iter().enumerate() {
            let a: &[i16; MP1] = az[sub_idx * MP1..(sub_idx + 1) * MP1]
                .try_into()
                .expect("MP1 slice");
            let mut t0_min = sub(t[sub_idx], 3);
            let mut t0_max = add(t0_min, 6);
            if t0_max > PIT_MAX {
                t0_max = PIT_MAX;
                t0_min = sub(t0_max, 6);
            }

            let mut ap3 = [0i16; MP1];
            let mut ap4 = [0i16; MP1];
            weight_az(a, GAMMA2_PST, &mut ap3);
            weight_az(a, GAMMA1_PST, &mut ap4);

            // Residual of the synthesis through A(z/γ2) (needs M past samples).
            residu(
                &ap3,
                &syn[i_subfr..i_subfr + M + L_SUBFR],
                &mut self.res2[PM..],
            );
            for j in 0..L_SUBFR {
                self.scal_res2[PM + j] = shr(self.res2[PM + j], 2);
            }

            let mut res2_pst = [0i16; L_SUBFR];
            if pitch {
                self.pitch_postfilter(t0_min, t0_max, &mut res2_pst);
            } else {
                res2_pst.copy_from_slice(&self.res2[PM..]);
            }

            // Impulse response of A(z/γ2)/A(z/γ1), 22 samples, for the tilt.
            let mut h = [0i16; L_H];
            h[..MP1].copy_from_slice(&ap3);
            let mut zero_mem = [0i16; M];
            let _ = syn_filt_in_place(&ap4, &mut h, &mut zero_mem, false);

            let mut l_tmp = l_mult(h[0], h[0]);
            for &hi in &h[1..L_H] {
                l_tmp = l_mac(l_tmp, hi, hi);
            }
            let temp1 = extract_h(l_tmp);
            let mut l_tmp = l_mult(h[0], h[1]);
            for i in 1..L_H - 1 {
                l_tmp = l_mac(l_tmp, h[i], h[i + 1]);
            }
            let mut temp2 = extract_h(l_tmp);
            if temp2 <= 0 {
                temp2 = 0;
            } else {
                temp2 = mult(temp2, MU);
                temp2 = div_s(temp2, temp1);
            }
            self.preemphasis(&mut res2_pst, temp2);

            let out_sub: &mut [i16] = &mut out[i_subfr..i_subfr + L_SUBFR];
            let _ = syn_filt(&ap4, &res2_pst, out_sub, &mut self.mem_syn_pst, true);

            self.agc(&syn[M + i_subfr..M + i_subfr + L_SUBFR], out_sub);

            self.res2.copy_within(L_SUBFR.., 0);
            self.scal_res2.copy_within(L_SUBFR.., 0);
        }
        syn.copy_within(L_FRAME.., 0);
    }

    /// Long-term post-filter (A.4.2.1): integer delay in `[t0_min, t0_max]`
    /// maximising the correlation of the (scaled) residual, then
    /// `(1 + g·z^−T)/(1 + g)`-style mixing, switched off when the prediction
    /// gain is below 3 dB.
    fn pitch_postfilter(&self, t0_min: i16, t0_max: i16, out: &mut [i16; L_SUBFR]) {
        let sig = &self.res2;
        let scal = &self.scal_res2;
        let cur: &[i16; L_SUBFR] = scal[PM..].try_into().expect("subframe");
        let lagged = |t: i16| -> &[i16; L_SUBFR] {
            let d = PM - t as usize;
            scal[d..d + L_SUBFR].try_into().expect("subframe")
        };
        // With |v| ≤ 5000, 1 + Σ 2·v·w over 40 terms stays below 2^31: the
        // L_mac chains cannot saturate and plain sums are exact.
        let fast = max_abs(&scal[PM - t0_max as usize..]) <= 5000;
        let corr_of = |a: &[i16; L_SUBFR], b: &[i16; L_SUBFR], init: i32| -> i32 {
            if fast {
                init + (dot(a, b) << 1)
            } else {
                a.iter().zip(b).fold(init, |acc, (&x, &y)| l_mac(acc, x, y))
            }
        };
        let mut cor_max = MIN_32;
        let mut t0 = t0_min;
        for i in t0_min..=t0_max {
            let corr = corr_of(cur, lagged(i), 0);
            if l_sub(corr, cor_max) > 0 {
                cor_max = corr;
                t0 = i;
            }
        }
        let d = PM - t0 as usize;
        let ener = corr_of(lagged(t0), lagged(t0), 1);
        let ener0 = corr_of(cur, cur, 1);
        if cor_max < 0 {
            cor_max = 0;
        }
        let temp = cor_max.max(ener).max(ener0);
        let j = norm_l(temp);
        let mut cmax = round16(l_shl(cor_max, j));
        let mut en = round16(l_shl(ener, j));
        let en0 = round16(l_shl(ener0, j));

        let temp = l_sub(l_mult(cmax, cmax), l_shr(l_mult(en, en0), 1));
        if temp < 0 {
            out.copy_from_slice(&sig[PM..]);
            return;
        }
        let (g0, gain) = if cmax > en {
            (INV_GAMMAP, GAMMAP_2)
        } else {
            cmax = shr(mult(cmax, GAMMAP), 1);
            en = shr(en, 1);
            let i = add(cmax, en);
            if i > 0 {
                let gain = div_s(cmax, i);
                (sub(32767, gain), gain)
            } else {
                (32767, 0)
            }
        };
        for i in 0..L_SUBFR {
            out[i] = add(mult(g0, sig[PM + i]), mult(gain, sig[d + i]));
        }
    }

    /// Tilt compensation `1 − g·z⁻¹` in place (A.4.2.3).
    fn preemphasis(&mut self, signal: &mut [i16; L_SUBFR], g: i16) {
        let last = signal[L_SUBFR - 1];
        for i in (1..L_SUBFR).rev() {
            signal[i] = sub(signal[i], mult(g, signal[i - 1]));
        }
        signal[0] = sub(signal[0], mult(g, self.mem_pre));
        self.mem_pre = last;
    }

    /// Adaptive gain control (A.4.2.4): matches the output energy to the
    /// input energy with a smoothed per-sample gain.
    fn agc(&mut self, sig_in: &[i16], sig_out: &mut [i16]) {
        let s = energy_q2(sig_out);
        if s == 0 {
            self.past_gain = 0;
            return;
        }
        let mut exp = sub(norm_l(s), 1);
        let gain_out = round16(l_shl(s, exp));

        let s = energy_q2(sig_in);
        let g0 = if s == 0 {
            0
        } else {
            let i = norm_l(s);
            let gain_in = round16(l_shl(s, i));
            exp = sub(exp, i);
            let mut s = l_deposit_l(div_s(gain_out, gain_in));
            s = l_shl(s, 7);
            s = l_shr(s, exp);
            let s = inv_sqrt(s);
            let i = round16(l_shl(s, 9));
            mult(i, AGC_FAC1)
        };
        let mut gain = self.past_gain;
        for v in sig_out.iter_mut() {
            gain = mult(gain, AGC_FAC);
            gain = add(gain, g0);
            *v = agc_scale(*v, gain);
        }
        self.past_gain = gain;
    }
}

/// `extract_h(L_shl(L_mult(v, gain), 3))`: `(16·v·gain) >> 16` saturated
/// is `(v·gain) >> 12` clamped to 16 bits, for all `v`, `gain` (`L_mult`'s
/// one saturating case, −2^15·−2^15, clamps to `MAX_16` either way).
#[inline(always)]
fn agc_scale(v: i16, gain: i16) -> i16 {
    ((v as i32 * gain as i32) >> 12).clamp(MIN_16 as i32, MAX_16 as i32) as i16
}

/// `u` saturated to 32 bits, out of line (rare).
#[cold]
#[inline(never)]
fn saturate_32(u: i64) -> i32 {
    u.clamp(MIN_32 as i64, MAX_32 as i64) as i32
}

/// `Σ L_mac` of `(v >> 2)²` over a subframe (the AGC energies), exact.
#[inline(always)]
fn energy_q2(v: &[i16]) -> i32 {
    let mut q = [0i16; L_SUBFR];
    for (d, &x) in q.iter_mut().zip(v) {
        *d = shr(x, 2);
    }
    if max_abs(&q) <= 5000 {
        dot(&q, &q) << 1
    } else {
        q.iter().fold(0i32, |acc, &x| l_mac(acc, x, x))
    }
}

/// Output post-processing (§4.3): 2nd-order 100 Hz high-pass with the
/// output doubled (the decoder works at half scale), recursive part in
/// double precision.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PostProcess {
    /// The last two outputs of the recursive part, as the 32-bit values
    /// whose double-precision split (`L_Extract`: `hi = y >> 16`,
    /// `lo = (y >> 1) & 0x7fff`) the reference keeps.
    y2: i32,
    y1: i32,
    x0: i16,
    x1: i16,
}

impl PostProcess {
    /// Reset state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Filters `signal` in place.
    pub fn process(&mut self, signal: &mut [i16]) {
        // Exact fast path. Each step of the reference chain (two
        // `Mpy_32_16`, an `L_add`, three `L_mac`) adds a term bounded by
        // 2·|hi|·|A100[k]| + 2·|A100[k]| (the low word is in [0, 2^15), so
        // `mult(lo, a)` < |a|) or 2·|x|·|B100[k]|, and no product
        // saturates (no factor is −2^15). When the sum of the bounds of all
        // terms is below 2^31 no partial sum can saturate and plain
        // arithmetic gives the same value; the input part is bounded per
        // block, the recursive part per sample from the state. Then
        // `Mpy_32_16(hi, lo, a) = 2·(hi·a + (lo·a >> 15)) = 2·((y >> 1)·a
        // >> 15)`, as `(y >> 1) = hi·2^15 + lo`.
        let [_, a1, a2] = A100.map(|v| v as i64);
        let [b0, b1, b2] = B100.map(|v| v as i64);
        let max_x = max_abs(signal)
            .max((self.x0 as i64).abs())
            .max((self.x1 as i64).abs());
        let x_bound = 2 * max_x * (b0.abs() + b1.abs() + b2.abs());
        let y_limit = (MAX_32 as i64 - x_bound - 2 * (a1.abs() + a2.abs())) / 2;
        let (mut y1, mut y2) = (self.y1, self.y2);
        for v in signal.iter_mut() {
            let x2 = self.x1;
            self.x1 = self.x0;
            self.x0 = *v;
            let y_bound =
                ((y1 >> 16) as i64).abs() * a1.abs() + ((y2 >> 16) as i64).abs() * a2.abs();
            let l_tmp = if y_bound < y_limit {
                let yp = (((y1 >> 1) as i64 * a1) >> 15) + (((y2 >> 1) as i64 * a2) >> 15);
                let x = self.x0 as i64 * b0 + self.x1 as i64 * b1 + x2 as i64 * b2;
                // L_shl(2·(yp + x), 2), saturating. The recursion is bound
                // by latency: a predicted branch keeps the rare saturation
                // off the critical path (a clamp would put two selects on
                // it).
                let u = (yp + x) << 3;
                if u as i32 as i64 == u {
                    u as i32
                } else {
                    saturate_32(u)
                }
            } else {
                let (h1, l1) = l_extract(y1);
                let (h2, l2) = l_extract(y2);
                let mut l_tmp = mpy_32_16(h1, l1, A100[1]);
                l_tmp = l_add(l_tmp, mpy_32_16(h2, l2, A100[2]));
                l_tmp = l_mac(l_tmp, self.x0, B100[0]);
                l_tmp = l_mac(l_tmp, self.x1, B100[1]);
                l_tmp = l_mac(l_tmp, x2, B100[2]);
                l_shl(l_tmp, 2)
            };
            // round(L_shl(l_tmp, 1)), both saturating.
            *v =
                ((((l_tmp as i64) << 1) + 0x8000) >> 16).clamp(MIN_16 as i64, MAX_16 as i64) as i16;
            (y2, y1) = (y1, l_tmp);
        }
        (self.y1, self.y2) = (y1, y2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference `Post_Process` with the operator sequence of the
    /// Recommendation and the state as double-precision words.
    fn post_process_reference(
        y: [i32; 2],
        x: [i16; 2],
        signal: &mut [i16],
    ) -> ([i32; 2], [i16; 2]) {
        let (mut y1_hi, mut y1_lo) = l_extract(y[0]);
        let (mut y2_hi, mut y2_lo) = l_extract(y[1]);
        let [mut x0, mut x1] = x;
        for v in signal.iter_mut() {
            let x2 = x1;
            x1 = x0;
            x0 = *v;
            let mut l_tmp = mpy_32_16(y1_hi, y1_lo, A100[1]);
            l_tmp = l_add(l_tmp, mpy_32_16(y2_hi, y2_lo, A100[2]));
            l_tmp = l_mac(l_tmp, x0, B100[0]);
            l_tmp = l_mac(l_tmp, x1, B100[1]);
            l_tmp = l_mac(l_tmp, x2, B100[2]);
            l_tmp = l_shl(l_tmp, 2);
            *v = round16(l_shl(l_tmp, 1));
            y2_hi = y1_hi;
            y2_lo = y1_lo;
            (y1_hi, y1_lo) = l_extract(l_tmp);
        }
        ([l_comp(y1_hi, y1_lo), l_comp(y2_hi, y2_lo)], [x0, x1])
    }

    #[test]
    fn agc_scaling_at_the_edges() {
        let edges = [MIN_16, MIN_16 + 1, -4096, -1, 0, 1, 4095, 4096, MAX_16];
        for v in edges {
            for gain in edges {
                assert_eq!(
                    agc_scale(v, gain),
                    extract_h(l_shl(l_mult(v, gain), 3)),
                    "{v} {gain}"
                );
            }
        }
    }

    proptest! {
        /// The AGC output scaling against its operator sequence.
        #[test]
        fn agc_scaling_equals_the_operators(v in any::<i16>(), gain in any::<i16>()) {
            let want = extract_h(l_shl(l_mult(v, gain), 3));
            prop_assert_eq!(agc_scale(v, gain), want);
        }

        /// Fast and saturating paths against the reference: quiet to
        /// full-scale input, any state.
        #[test]
        fn post_process_equals_the_reference(
            shift in 0u32..4,
            y in any::<[i32; 2]>(),
            x in any::<[i16; 2]>(),
            raw in proptest::collection::vec(any::<i16>(), 1..100),
        ) {
            let mut want: Vec<i16> = raw.iter().map(|&v| v >> (2 * shift)).collect();
            let mut got = want.clone();
            // The state as `L_Extract` keeps it (bit 0 is dropped).
            let y = y.map(|v| l_comp(l_extract(v).0, l_extract(v).1));
            let (want_y, want_x) = post_process_reference(y, x, &mut want);
            let mut p = PostProcess { y1: y[0], y2: y[1], x0: x[0], x1: x[1] };
            p.process(&mut got);
            prop_assert_eq!(got, want);
            // The state compared as the double-precision words it stands for.
            prop_assert_eq!(
                ([l_extract(p.y1), l_extract(p.y2)], [p.x0, p.x1]),
                (want_y.map(l_extract), want_x)
            );
        }
    }
}
