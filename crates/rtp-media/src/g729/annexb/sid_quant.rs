//! Encoder-side SID parameter quantisation of G.729 Annex B (B.4.3): the
//! SID energy quantiser over the averaged residual energies (B.4.3.1) and
//! the noise LSF quantiser (B.4.3.2), a two-stage VQ on 32- and 16-entry
//! subsets of the G.729 LSF codebooks with a switched MA predictor, searched
//! with a candidate-list (M-best) strategy.

use super::sid::{SidParams, noise_lsp, quant_energy};
use crate::g729::basic_op::*;
use crate::g729::encoder::lsp_quant::get_wegt;
use crate::g729::lsp::{FreqPrev, lsp_expand_1_2, lsp_lsf2, lsp_prev_extract};
use crate::g729::tables::annex_b::{
    FACT, MARG, MP, NB_GAIN, NOISE_FG, NOISE_FG_SUM, NOISE_FG_SUM_INV, PTRTAB_1, PTRTAB_2,
};
use crate::g729::tables::{GAP3, L_LIMIT, LSPCB1, LSPCB2, M, M_LIMIT, MODE, NC};

/// Candidates kept after the first stage of the noise LSF search.
const CAND1: usize = 4;
/// Sizes of the two noise LSF stages (B.4.3.2).
const SIZE1: usize = 32;
const SIZE2: usize = 16;

/// Quantises the average of the last `nb_ener` (1 or 2) residual energies
/// `ener[i]·2^sh_ener[i]` to the 5-bit SID gain index (B.4.3.1, eq. B.15).
/// Returns `(index, quantised energy in dB)`.
pub fn qua_sidgain(ener: &[i16; NB_GAIN], sh_ener: &[i16; NB_GAIN], nb_ener: usize) -> (i16, i16) {
    let mut sh1 = sh_ener[..nb_ener]
        .iter()
        .copied()
        .min()
        .expect("nb_ener ≥ 1");
    sh1 = add(sh1, 16 - MARG[nb_ener]);
    let mut l_x = 0i32;
    for i in 0..nb_ener {
        let l_acc = l_shl(l_deposit_l(ener[i]), sub(sh1, sh_ener[i]));
        l_x = l_add(l_x, l_acc);
    }
    let (hi, lo) = l_extract(l_x);
    let l_x = mpy_32_16(hi, lo, FACT[nb_ener]);
    quant_energy(l_x, sh1)
}

/// Noise LSF quantisation (B.4.3.2): quantises the LSPs `lsp` (Q15) of
/// the SID filter. Returns the SID LSF fields (gain left 0) and the
/// quantised LSPs; updates the MA predictor memory shared with the speech
/// LSP quantiser.
pub fn lsfq_noise(lsp: &[i16; M], freq_prev: &mut FreqPrev) -> (SidParams, [i16; M]) {
    let mut lsf = [0i16; M];
    lsp_lsf2(lsp, &mut lsf);
    // Spacing of about 100 Hz.
    if lsf[0] < L_LIMIT {
        lsf[0] = L_LIMIT;
    }
    for i in 0..M - 1 {
        if sub(lsf[i + 1], lsf[i]) < 2 * GAP3 {
            lsf[i + 1] = add(lsf[i], 2 * GAP3);
        }
    }
    if lsf[M - 1] > M_LIMIT {
        lsf[M - 1] = M_LIMIT;
    }
    if lsf[M - 1] < lsf[M - 2] {
        lsf[M - 2] = sub(lsf[M - 1], GAP3);
    }
    let weight = get_wegt(&lsf);

    // Prediction errors under both predictors.
    let mut errlsf = [[0i16; M]; MODE];
    for (mode, e) in errlsf.iter_mut().enumerate() {
        lsp_prev_extract(&lsf, e, &NOISE_FG[mode], freq_prev, &NOISE_FG_SUM_INV[mode]);
    }

    // First stage: the 4 best (predictor, entry) pairs of the weighted
    // squared error.
    let mut sum1 = [0i16; MODE * SIZE1];
    for p in 0..MODE {
        for m in 0..SIZE1 {
            let cb = &LSPCB1[PTRTAB_1[m] as usize];
            let mut acc = 0i32;
            for l in 0..M {
                let t = sub(errlsf[p][l], cb[l]);
                acc = l_mac(acc, t, t);
            }
            sum1[p * SIZE1 + m] = mult(extract_h(acc), MP[p]);
        }
    }
    let mut cand = [[0i16; M]; CAND1];
    let mut cand_mode = [0usize; CAND1];
    let mut cand_idx = [0usize; CAND1];
    for q in 0..CAND1 {
        let (p, m) = pick_min(&sum1, SIZE1);
        sum1[p * SIZE1 + m] = MAX_16;
        let cb = &LSPCB1[PTRTAB_1[m] as usize];
        for l in 0..M {
            cand[q][l] = sub(errlsf[p][l], cb[l]);
        }
        cand_mode[q] = p;
        cand_idx[q] = m;
    }

    // Second stage: best (candidate, entry) under the weighted error
    // scaled by the squared predictor sum.
    let mut sum2 = [0i16; CAND1 * SIZE2];
    for p in 0..CAND1 {
        let fgs = &NOISE_FG_SUM[cand_mode[p]];
        for m in 0..SIZE2 {
            let mut acc = 0i32;
            for l in 0..M {
                let half = usize::from(l >= NC);
                let cb = &LSPCB2[PTRTAB_2[half][m] as usize];
                let mut t1 = extract_h(l_shl(l_mult(fgs[l], fgs[l]), 2));
                t1 = mult(t1, weight[l]);
                let t2 = sub(cand[p][l], cb[l]);
                t1 = extract_h(l_shl(l_mult(t1, t2), 3));
                acc = l_mac(acc, t1, t2);
            }
            sum2[p * SIZE2 + m] = extract_h(acc);
        }
    }
    let (p, c2) = pick_min(&sum2, SIZE2);
    let c1 = cand_idx[p];
    let mode = cand_mode[p];

    let mut buf = LSPCB1[PTRTAB_1[c1] as usize];
    for l in 0..M {
        let half = usize::from(l >= NC);
        buf[l] = add(buf[l], LSPCB2[PTRTAB_2[half][c2] as usize][l]);
    }
    lsp_expand_1_2(&mut buf, 10);
    let lspq = noise_lsp(&buf, mode, freq_prev);
    let params = SidParams {
        mode: mode as u8,
        lsf1: c1 as u8,
        lsf2: c2 as u8,
        gain: 0,
    };
    (params, lspq)
}

/// First strict minimum of `sums` (row-major, `width` per row), as
/// `(row, column)`; `(0, 0)` when every entry is `MAX_16`.
fn pick_min(sums: &[i16], width: usize) -> (usize, usize) {
    let mut min = MAX_16;
    let mut at = 0;
    for (k, &s) in sums.iter().enumerate() {
        if s < min {
            min = s;
            at = k;
        }
    }
    (at / width, at % width)
}
