//! SID (silence insertion descriptor) parameters of G.729 Annex B: the
//! 15-bit frame layout (B.4.3, Table B.2), the noise LSF dequantiser
//! (B.4.3.2 / B.5.2) and the SID energy quantiser (B.4.3.1), shared by
//! the encoder and the decoder.

use crate::g729::basic_op::*;
use crate::g729::bits::SID_OCTETS;
use crate::g729::lsp::{FreqPrev, lsf_lsp2, lsp_prev_compose, lsp_prev_update, lsp_stability};
use crate::g729::tables::annex_b::{FACT, NOISE_FG, NOISE_FG_SUM, PTRTAB_1, PTRTAB_2, TAB_SIDGAIN};
use crate::g729::tables::{LSPCB1, LSPCB2, M, NC};
use crate::g729::util::log2;

/// The four parameters of a SID frame (Table B.2), in transmission order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SidParams {
    /// MA predictor switch (1 bit).
    pub mode: u8,
    /// First-stage noise LSF index (5 bits, into the 32-entry subset of
    /// the first-stage codebook).
    pub lsf1: u8,
    /// Second-stage noise LSF index (4 bits).
    pub lsf2: u8,
    /// Energy (gain) index (5 bits).
    pub gain: u8,
}

impl SidParams {
    /// Unpacks a 2-octet RFC 3551 SID payload (MSB first; the 16th bit is
    /// reserved and ignored). Every input is valid.
    pub fn from_octets(o: &[u8; SID_OCTETS]) -> Self {
        let w = u16::from_be_bytes(*o);
        Self {
            mode: (w >> 15) as u8 & 1,
            lsf1: (w >> 10) as u8 & 0x1f,
            lsf2: (w >> 6) as u8 & 0x0f,
            gain: (w >> 1) as u8 & 0x1f,
        }
    }

    /// Packs into 2 octets (reserved bit 0). Fields are truncated to their
    /// widths.
    pub fn to_octets(&self) -> [u8; SID_OCTETS] {
        let w = (u16::from(self.mode & 1) << 15)
            | (u16::from(self.lsf1 & 0x1f) << 10)
            | (u16::from(self.lsf2 & 0x0f) << 6)
            | (u16::from(self.gain & 0x1f) << 1);
        w.to_be_bytes()
    }

    /// The decoded SID gain (B.4.3.1, the dequantised energy as a sample
    /// gain, `tab_Sidgain`).
    pub fn sid_gain(&self) -> i16 {
        TAB_SIDGAIN[(self.gain & 0x1f) as usize]
    }
}

/// Noise LSF dequantisation (B.4.3.2): the first stage is a 32-entry
/// subset of the G.729 first-stage codebook, the second a 16-entry subset
/// of each half of the second-stage codebook, combined with the MA
/// predictor of the speech LSF quantiser (switched between the speech
/// predictor and a noise predictor). Updates the shared predictor memory
/// `freq_prev` and returns the LSPs (Q15, cosine domain).
/// The last steps of the noise LSF quantiser, shared by the decoder and
/// the encoder's own reconstruction (B.4.3): MA prediction with the noise
/// predictor `mode` over the expanded codebook vector `buf`, predictor
/// memory update, stability check, and conversion to LSPs (Q15, cosine
/// domain).
pub(crate) fn noise_lsp(buf: &[i16; M], mode: usize, freq_prev: &mut FreqPrev) -> [i16; M] {
    let mut lsfq = [0i16; M];
    lsp_prev_compose(
        buf,
        &mut lsfq,
        &NOISE_FG[mode],
        freq_prev,
        &NOISE_FG_SUM[mode],
    );
    lsp_prev_update(buf, freq_prev);
    lsp_stability(&mut lsfq);
    let mut lsp = [0i16; M];
    lsf_lsp2(&lsfq, &mut lsp);
    lsp
}

pub fn sid_lsfq_decode(p: &SidParams, freq_prev: &mut FreqPrev) -> [i16; M] {
    let mode = (p.mode & 1) as usize;
    let c1 = PTRTAB_1[(p.lsf1 & 0x1f) as usize] as usize;
    let c2 = (p.lsf2 & 0x0f) as usize;
    let lo = PTRTAB_2[0][c2] as usize;
    let hi = PTRTAB_2[1][c2] as usize;

    let mut buf = LSPCB1[c1];
    for i in 0..NC {
        buf[i] = add(buf[i], LSPCB2[lo][i]);
    }
    for i in NC..M {
        buf[i] = add(buf[i], LSPCB2[hi][i]);
    }
    // Minimum distance of 10 (Q13) between neighbours, computed in 32 bits.
    for j in 1..M {
        let mut acc = l_mult(buf[j - 1], 16384);
        acc = l_mac(acc, buf[j], -16384);
        acc = l_mac(acc, 10, 16384);
        let k = extract_h(acc);
        if k > 0 {
            buf[j - 1] = sub(buf[j - 1], k);
            buf[j] = add(buf[j], k);
        }
    }
    noise_lsp(&buf, mode, freq_prev)
}

/// Quantisation of a frame energy `l_x · 2^−sh` to the 5-bit SID gain
/// index (B.4.3.1). Returns `(index, quantised energy in dB)`.
pub fn quant_energy(l_x: i32, sh: i16) -> (i16, i16) {
    let (exp, frac) = log2(l_x);
    let e_tmp = add(shl(sub(exp, sh), 10), mult_r(frac, 1024));
    if sub(e_tmp, -2721) <= 0 {
        return (0, -12); // below −8 dB
    }
    if sub(e_tmp, 22111) > 0 {
        return (31, 66); // above 65 dB
    }
    if sub(e_tmp, 4762) <= 0 {
        // up to 14 dB: 4 dB steps
        let index = mult(add(e_tmp, 3401), 24).max(1);
        return (index, sub(shl(index, 2), 8));
    }
    // 2 dB steps
    let index = sub(shr(mult(sub(e_tmp, 340), 193), 2), 1).max(6);
    (index, add(shl(index, 1), 4))
}

/// The SID gain index of one saved frame energy `ener · 2^sh_ener` (the
/// single-energy case of B.4.3.1): used by the decoder when the first SID
/// frame after speech is lost (B.5.1) and by the encoder.
pub fn quant_saved_energy(ener: i16, sh_ener: i16) -> (i16, i16) {
    let l_acc = l_shl(l_deposit_l(ener), sh_ener);
    let (hi, lo) = l_extract(l_acc);
    quant_energy(mpy_32_16(hi, lo, FACT[0]), 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::g729::tables::{FG, FREQ_PREV_RESET, MA_NP};

    #[test]
    fn octets_round_trip_and_worked_example() {
        // ../shared/codec-vectors/README.md: tstseq1a.bit frame 0.
        let p = SidParams::from_octets(&[0x34, 0x40]);
        assert_eq!(
            p,
            SidParams {
                mode: 0,
                lsf1: 13,
                lsf2: 1,
                gain: 0
            }
        );
        assert_eq!(p.to_octets(), [0x34, 0x40]);
        for w in 0..=u16::MAX {
            let o = w.to_be_bytes();
            assert_eq!(
                SidParams::from_octets(&o).to_octets(),
                (w & 0xfffe).to_be_bytes()
            );
        }
    }

    #[test]
    fn noise_predictor_table_is_the_blend_of_the_speech_ones() {
        // B.4.3.2: the second noise predictor is 0.6·fg[0] + 0.4·fg[1].
        for i in 0..MA_NP {
            assert_eq!(NOISE_FG[0][i], FG[0][i]);
            for j in 0..M {
                let acc = l_mac(l_mult(FG[0][i][j], 19660), FG[1][i][j], 13107);
                assert_eq!(NOISE_FG[1][i][j], extract_h(acc));
            }
        }
    }

    #[test]
    fn every_sid_decodes_to_ordered_lsps() {
        for mode in 0..2 {
            for lsf1 in 0..32 {
                for lsf2 in 0..16 {
                    let mut fp = [FREQ_PREV_RESET; MA_NP];
                    let p = SidParams {
                        mode,
                        lsf1,
                        lsf2,
                        gain: 0,
                    };
                    let lsp = sid_lsfq_decode(&p, &mut fp);
                    assert!(lsp.windows(2).all(|w| w[0] > w[1]), "{lsp:?}");
                }
            }
        }
    }

    #[test]
    fn energy_quantiser_ranges() {
        assert_eq!(quant_energy(0, 0).0, 2);
        assert_eq!(quant_energy(1, 20), (0, -12));
        assert_eq!(quant_energy(i32::MAX, -10), (31, 66));
        let mut last = 0;
        for e in 1..31 {
            let (i, _) = quant_energy(1 << e, 0);
            assert!(i >= last && (0..32).contains(&i));
            last = i;
        }
    }
}
