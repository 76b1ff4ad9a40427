//! Line spectral pairs: dequantisation with switched MA prediction
//! (G.729 §3.2.4, decoder §4.1.1), the LSF/LSP conversions of Annex A
//! (A.3.2.3/A.3.2.4), LSP → LP conversion (§3.2.6) and the interpolation of
//! the quantised LP filter between subframes (§3.2.5).
//!
//! LSFs ("lsf", Q13, radians in `[0, π)`) and LSPs ("lsp", Q15, cosines)
//! are fixed arrays of `M = 10` values.

use super::basic_op::*;
use super::tables::{
    FG, FG_SUM, FG_SUM_INV, FREQ_PREV_RESET, GAP1, GAP2, GAP3, L_LIMIT, LSPCB1, LSPCB2, M, M_LIMIT,
    MA_NP, MP1, NC, SLOPE, SLOPE_ACOS, SLOPE_COS, TABLE, TABLE2,
};

/// Memory of the MA predictor: the quantiser outputs of the last 4 frames (Q13).
pub type FreqPrev = [[i16; M]; MA_NP];

/// Rearrangement of the LSF vector so that neighbouring coefficients keep a
/// minimum distance `gap` (Q13), over coefficients `1..M` (§3.2.4, eq. 20,
/// `Lsp_expand_1_2`).
#[inline]
pub fn lsp_expand_1_2(buf: &mut [i16; M], gap: i16) {
    expand_range(buf, gap, 1, M);
}

/// The same rearrangement over the lower half only (`j = 1..NC`,
/// `Lsp_expand_1`), used by the encoder's codebook search.
#[inline]
pub fn lsp_expand_1(buf: &mut [i16; M], gap: i16) {
    expand_range(buf, gap, 1, NC);
}

/// The same rearrangement over the upper half (`j = NC..M`, `Lsp_expand_2`).
#[inline]
pub fn lsp_expand_2(buf: &mut [i16; M], gap: i16) {
    expand_range(buf, gap, NC, M);
}

#[inline(always)]
fn expand_range(buf: &mut [i16; M], gap: i16, from: usize, to: usize) {
    for j in from..to {
        let diff = sub(buf[j - 1], buf[j]);
        let tmp = shr(add(diff, gap), 1);
        if tmp > 0 {
            buf[j - 1] = sub(buf[j - 1], tmp);
            buf[j] = add(buf[j], tmp);
        }
    }
}

/// Adds the MA prediction to the quantised residual (§3.2.4 eq. 19,
/// `Lsp_prev_compose`):
/// `lsp[j] = fg_sum[j]·ele[j] + Σ_k fg[k][j]·freq_prev[k][j]`.
#[inline]
pub fn lsp_prev_compose(
    lsp_ele: &[i16; M],
    lsp: &mut [i16; M],
    fg: &[[i16; M]; MA_NP],
    freq_prev: &FreqPrev,
    fg_sum: &[i16; M],
) {
    for j in 0..M {
        let mut acc = l_mult(lsp_ele[j], fg_sum[j]);
        for k in 0..MA_NP {
            acc = l_mac(acc, freq_prev[k][j], fg[k][j]);
        }
        lsp[j] = extract_h(acc);
    }
}

/// Inverse of [`lsp_prev_compose`]: removes the MA prediction from an LSF
/// vector (`Lsp_prev_extract`; encoder target, decoder erasure update §4.4.1).
#[inline]
pub fn lsp_prev_extract(
    lsp: &[i16; M],
    lsp_ele: &mut [i16; M],
    fg: &[[i16; M]; MA_NP],
    freq_prev: &FreqPrev,
    fg_sum_inv: &[i16; M],
) {
    for j in 0..M {
        let mut t = l_deposit_h(lsp[j]);
        for k in 0..MA_NP {
            t = l_msu(t, freq_prev[k][j], fg[k][j]);
        }
        let temp = extract_h(t);
        let t = l_mult(temp, fg_sum_inv[j]);
        lsp_ele[j] = extract_h(l_shl(t, 3));
    }
}

/// Shifts the MA predictor memory and stores the newest quantiser output
/// (`Lsp_prev_update`).
#[inline]
pub fn lsp_prev_update(lsp_ele: &[i16; M], freq_prev: &mut FreqPrev) {
    for k in (1..MA_NP).rev() {
        freq_prev[k] = freq_prev[k - 1];
    }
    freq_prev[0] = *lsp_ele;
}

/// Stability of the quantised LSFs (§3.2.4): ordering, lower limit
/// `L_LIMIT`, minimum distance `GAP3`, upper limit `M_LIMIT`
/// (`Lsp_stability`).
#[inline]
pub fn lsp_stability(buf: &mut [i16; M]) {
    for j in 0..M - 1 {
        if (buf[j + 1] as i32) - (buf[j] as i32) < 0 {
            buf.swap(j, j + 1);
        }
    }
    if buf[0] < L_LIMIT {
        buf[0] = L_LIMIT;
    }
    for j in 0..M - 1 {
        let diff = (buf[j + 1] as i32) - (buf[j] as i32);
        if diff - (GAP3 as i32) < 0 {
            buf[j + 1] = add(buf[j], GAP3);
        }
    }
    if buf[M - 1] > M_LIMIT {
        buf[M - 1] = M_LIMIT;
    }
}

/// Reconstruction of the quantised LSFs (Q13) from the codebook indices
/// (`code0` first stage 0..128, `code1`/`code2` second-stage low/high halves
/// 0..32) and the MA predictor `mode` (0/1); updates the predictor memory
/// (§3.2.4, `Lsp_get_quant`). Indices are masked into range.
#[inline]
pub fn lsp_get_quant(
    code0: usize,
    code1: usize,
    code2: usize,
    mode: usize,
    freq_prev: &mut FreqPrev,
    lspq: &mut [i16; M],
) {
    let (c0, c1, c2, mode) = (code0 & 127, code1 & 31, code2 & 31, mode & 1);
    let mut buf = [0i16; M];
    for j in 0..NC {
        buf[j] = add(LSPCB1[c0][j], LSPCB2[c1][j]);
    }
    for j in NC..M {
        buf[j] = add(LSPCB1[c0][j], LSPCB2[c2][j]);
    }
    lsp_expand_1_2(&mut buf, GAP1);
    lsp_expand_1_2(&mut buf, GAP2);
    lsp_prev_compose(&buf, lspq, &FG[mode], freq_prev, &FG_SUM[mode]);
    lsp_prev_update(&buf, freq_prev);
    lsp_stability(lspq);
}

/// Decoder-side LSP dequantiser state (§4.1.1 and the erasure rule of
/// §4.4.1): the MA predictor memory plus the last good LSF vector and
/// predictor mode, used when a frame is erased.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LspDecoder {
    freq_prev: FreqPrev,
    prev_ma: usize,
    prev_lsf: [i16; M],
}

impl Default for LspDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl LspDecoder {
    /// Reset state: every predictor memory row and the last LSF vector equal
    /// `FREQ_PREV_RESET`, mode 0.
    pub fn new() -> Self {
        Self {
            freq_prev: [FREQ_PREV_RESET; MA_NP],
            prev_ma: 0,
            prev_lsf: FREQ_PREV_RESET,
        }
    }

    /// The MA predictor memory, shared with the Annex B noise LSF
    /// dequantiser (B.4.3.2), which updates it during DTX periods.
    pub fn freq_prev_mut(&mut self) -> &mut FreqPrev {
        &mut self.freq_prev
    }

    /// Decodes the two LSP fields (`l0l1` = 8 bits: mode bit and L1;
    /// `l2l3` = 10 bits: L2 and L3) into LSPs (Q15, cosine domain)
    /// (`D_lsp`/`Lsp_iqua_cs`). With `erased`, the previous LSFs are
    /// repeated and the predictor memory is updated as if they had been
    /// received (§4.4.1).
    pub fn decode(&mut self, l0l1: i16, l2l3: i16, erased: bool) -> [i16; M] {
        let mut lsf = [0i16; M];
        if !erased {
            let mode = (shr(l0l1, 7) & 1) as usize;
            let code0 = (l0l1 & 127) as usize;
            let code1 = (shr(l2l3, 5) & 31) as usize;
            let code2 = (l2l3 & 31) as usize;
            lsp_get_quant(code0, code1, code2, mode, &mut self.freq_prev, &mut lsf);
            self.prev_lsf = lsf;
            self.prev_ma = mode;
        } else {
            lsf = self.prev_lsf;
            let mut buf = [0i16; M];
            lsp_prev_extract(
                &self.prev_lsf,
                &mut buf,
                &FG[self.prev_ma],
                &self.freq_prev,
                &FG_SUM_INV[self.prev_ma],
            );
            lsp_prev_update(&buf, &mut self.freq_prev);
        }
        let mut lsp = [0i16; M];
        lsf_lsp2(&lsf, &mut lsp);
        lsp
    }
}

/// LSF (Q13, radians) → LSP (Q15, cosine) by table lookup and linear
/// interpolation (Annex A A.3.2.4, `Lsf_lsp2`).
#[inline]
pub fn lsf_lsp2(lsf: &[i16; M], lsp: &mut [i16; M]) {
    for i in 0..M {
        let freq = mult(lsf[i], 20861); // 1/(2π) in Q17
        let ind = shr(freq, 8).clamp(0, 63) as usize;
        let offset = freq & 0x00ff;
        let t = l_mult(SLOPE_COS[ind], offset);
        lsp[i] = add(TABLE2[ind], extract_l(l_shr(t, 13)));
    }
}

/// LSP (Q15) → LSF (Q13, radians) (Annex A A.3.2.4, `Lsp_lsf2`).
#[inline]
pub fn lsp_lsf2(lsp: &[i16; M], lsf: &mut [i16; M]) {
    let mut ind: usize = 63;
    for i in (0..M).rev() {
        while TABLE2[ind] < lsp[i] {
            ind -= 1;
            if ind == 0 {
                break;
            }
        }
        let offset = sub(lsp[i], TABLE2[ind]);
        let t = l_mult(SLOPE_ACOS[ind], offset);
        let freq = add(shl(ind as i16, 9), extract_l(l_shr(t, 12)));
        lsf[i] = mult(freq, 25736); // 2π in Q12
    }
}

/// Normalised LSF (Q15, `[0, 0.5]`) → LSP (Q15) (G.729 §3.2.3, `Lsf_lsp`).
#[inline]
pub fn lsf_lsp(lsf: &[i16; M], lsp: &mut [i16; M]) {
    for i in 0..M {
        let ind = shr(lsf[i], 8).clamp(0, 63) as usize;
        let offset = lsf[i] & 0x00ff;
        let t = l_mult(sub(TABLE[ind + 1], TABLE[ind]), offset);
        lsp[i] = add(TABLE[ind], extract_l(l_shr(t, 9)));
    }
}

/// LSP (Q15) → normalised LSF (Q15) (G.729 §3.2.3, `Lsp_lsf`).
#[inline]
pub fn lsp_lsf(lsp: &[i16; M], lsf: &mut [i16; M]) {
    let mut ind: usize = 63;
    for i in (0..M).rev() {
        while ind > 0 && TABLE[ind] < lsp[i] {
            ind -= 1;
        }
        let t = l_mult(sub(lsp[i], TABLE[ind]), SLOPE[ind]);
        let tmp = round16(l_shl(t, 3));
        lsf[i] = add(tmp, shl(ind as i16, 8));
    }
}

/// Coefficients of F1(z) (even LSPs) or F2(z) (odd LSPs), Q24
/// (§3.2.6 eq. 25, `Get_lsp_pol`). `lsp` holds the 5 cosines used.
#[inline(always)]
fn get_lsp_pol(lsp: [i16; 5], f: &mut [i32; 6]) {
    f[0] = l_mult(4096, 2048); // 1.0 in Q24
    f[1] = l_msu(0, lsp[0], 512); // −2·lsp[0] in Q24
    for i in 2..=5 {
        f[i] = f[i - 2];
        for j in (2..=i).rev() {
            // f[j] += f[j-2] − 2·lsp·f[j-1]
            let (hi, lo) = l_extract(f[j - 1]);
            let t0 = l_shl(mpy_32_16(hi, lo, lsp[i - 1]), 1);
            f[j] = l_add(f[j], f[j - 2]);
            f[j] = l_sub(f[j], t0);
        }
        f[1] = l_msu(f[1], lsp[i - 1], 512);
    }
}

/// LSP (Q15) → LP coefficients `a[0..=10]` (Q12, `a[0] = 4096`)
/// (§3.2.6, `Lsp_Az`).
#[inline]
pub fn lsp_az(lsp: &[i16; M], a: &mut [i16; MP1]) {
    let mut f1 = [0i32; 6];
    let mut f2 = [0i32; 6];
    get_lsp_pol([lsp[0], lsp[2], lsp[4], lsp[6], lsp[8]], &mut f1);
    get_lsp_pol([lsp[1], lsp[3], lsp[5], lsp[7], lsp[9]], &mut f2);
    for i in (1..=5).rev() {
        f1[i] = l_add(f1[i], f1[i - 1]);
        f2[i] = l_sub(f2[i], f2[i - 1]);
    }
    a[0] = 4096;
    for i in 1..=5 {
        let j = 11 - i;
        a[i] = extract_l(l_shr_r(l_add(f1[i], f2[i]), 13));
        a[j] = extract_l(l_shr_r(l_sub(f1[i], f2[i]), 13));
    }
}

/// Interpolated quantised LP filters of the two subframes (§3.2.5,
/// `Int_qlpc`): subframe 1 uses the mean of the old and new LSPs, subframe 2
/// the new LSPs. `az[0..11]` / `az[11..22]`.
#[inline]
pub fn int_qlpc(lsp_old: &[i16; M], lsp_new: &[i16; M], az: &mut [i16; 2 * MP1]) {
    let mut lsp = [0i16; M];
    for i in 0..M {
        lsp[i] = add(shr(lsp_new[i], 1), shr(lsp_old[i], 1));
    }
    let (a1, a2) = az.split_at_mut(MP1);
    lsp_az(&lsp, a1.try_into().expect("MP1 split"));
    lsp_az(lsp_new, a2.try_into().expect("MP1 split"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stability_orders_and_spaces() {
        let mut b = [100, 50, 60, 5000, 5100, 9000, 12000, 20000, 26000, 30000];
        lsp_stability(&mut b);
        for j in 0..M - 1 {
            assert!(b[j + 1] - b[j] >= GAP3 || b[M - 1] == M_LIMIT, "{b:?}");
        }
        assert!(b[0] >= L_LIMIT);
        assert!(b[M - 1] <= M_LIMIT);
    }

    #[test]
    fn lsf_lsp_round_trip() {
        let lsf = FREQ_PREV_RESET;
        let mut lsp = [0i16; M];
        lsf_lsp2(&lsf, &mut lsp);
        // cos(π/11) ≈ 0.9595 → 31440 in Q15
        assert!((lsp[0] as i32 - 31440).abs() < 40, "{lsp:?}");
        let mut back = [0i16; M];
        lsp_lsf2(&lsp, &mut back);
        for j in 0..M {
            assert!((back[j] - lsf[j]).abs() < 40, "{back:?}");
        }
    }

    #[test]
    fn lsp_az_of_start_up_lsps_is_stable_shape() {
        // The reset LSPs give a valid filter with a[0] = 1.0 (Q12).
        let lsp = crate::g729::tables::INIT_LSP_OLD;
        let mut a = [0i16; MP1];
        lsp_az(&lsp, &mut a);
        assert_eq!(a[0], 4096);
        assert!(a.iter().skip(1).any(|&x| x != 0));
    }

    #[test]
    fn erased_frame_repeats_previous_lsf() {
        let mut d = LspDecoder::new();
        let good = d.decode(0x55, 0x1aa, false);
        let rep = d.decode(0, 0, true);
        assert_eq!(good, rep);
    }
}
