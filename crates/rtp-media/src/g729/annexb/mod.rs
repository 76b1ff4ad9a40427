//! G.729 Annex B: discontinuous transmission with comfort noise, for the
//! Annex A codec (G.729A+B).
//!
//! | module | what | reference |
//! |---|---|---|
//! | [`sid`] | SID frame layout, noise LSF dequantiser, SID energy quantiser | B.4.3 |
//! | [`cng`] | comfort-noise excitation (random adaptive + Gaussian + pulses) | B.4.4 |
//! | this module | decoder-side DTX state: SID/no-transmission frames, gain smoothing, erasures in DTX periods | B.5 |
//!
//! The decoder entry points are on [`G729Decoder`](crate::g729::G729Decoder):
//! `decode_serial_frame`, `decode_sid`, `decode_no_tx` (and the Annex A
//! `decode_frame` / `decode_erased`, which follow the Annex B rules once a
//! DTX period has started).

pub mod cng;
pub mod dtx;
pub mod sid;
pub mod sid_quant;
pub mod vad;

use crate::g729::basic_op::*;
use crate::g729::lsp::{FreqPrev, int_qlpc};
use crate::g729::tables::annex_b::{A_GAIN0, A_GAIN1, INIT_LSPSID, INIT_SEED, TAB_SIDGAIN};
use crate::g729::tables::{L_FRAME, M, MP1};
use sid::SidParams;

/// Type of a decoded frame (the `ftyp` of Annex B): what the bitstream
/// carried, or, for an erased frame, what it is taken to be (B.5.1: an
/// erasure after speech is an erased speech frame, an erasure inside a DTX
/// period a non-transmitted frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameType {
    /// No transmission (Annex B DTX).
    NoTx,
    /// An 80-bit speech frame.
    Speech,
    /// A 15-bit SID frame.
    Sid,
}

/// Decoder-side Annex B state (B.5): the comfort-noise generator and what
/// it needs from past frames.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CngDecoder {
    /// Type of the previous frame.
    pub(crate) past_ftyp: FrameType,
    /// Comfort-noise random generator, reset on every speech frame.
    pub(crate) seed: i16,
    /// Energy of the last good frame's excitation, mantissa and exponent
    /// (for a lost first SID frame, B.5.1).
    sid_sav: i16,
    sh_sid_sav: i16,
    /// Smoothed comfort-noise gain and the last SID gain (B.4.4 / B.5).
    cur_gain: i16,
    sid_gain: i16,
    /// LSPs of the last SID frame (Q15).
    lsp_sid: [i16; M],
}

impl Default for CngDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl CngDecoder {
    /// Reset state (as after `Init_Decod_ld8a` / `Init_Dec_cng`).
    pub fn new() -> Self {
        Self {
            past_ftyp: FrameType::Speech,
            seed: INIT_SEED,
            sid_sav: 0,
            sh_sid_sav: 1,
            cur_gain: 0,
            sid_gain: TAB_SIDGAIN[0],
            lsp_sid: INIT_LSPSID,
        }
    }

    /// Parameters of one noise frame (SID or not transmitted, B.5):
    /// updates the SID gain and LSPs from `sid` if present (the LSF
    /// predictor memory `freq_prev` is shared with the speech LSP decoder),
    /// smooths the gain, writes the comfort-noise excitation to
    /// `exc[pos..pos + L_FRAME]` and the interpolated LP filters of both
    /// subframes to `az`; `lsp_old` becomes the SID LSPs.
    pub(crate) fn noise_frame(
        &mut self,
        sid: Option<&SidParams>,
        freq_prev: &mut FreqPrev,
        exc: &mut [i16],
        pos: usize,
        lsp_old: &mut [i16; M],
        az: &mut [i16; 2 * MP1],
    ) {
        let after_speech = self.past_ftyp == FrameType::Speech;
        match sid {
            Some(p) => {
                self.sid_gain = p.sid_gain();
                self.lsp_sid = sid::sid_lsfq_decode(p, freq_prev);
            }
            None if after_speech => {
                // The first SID frame was lost: its gain is estimated from
                // the energy of the last speech frame (B.5.1).
                let (ind, _) = sid::quant_saved_energy(self.sid_sav, self.sh_sid_sav);
                self.sid_gain = TAB_SIDGAIN[(ind & 0x1f) as usize];
            }
            None => {}
        }
        // Gain smoothing: the first noise frame takes the SID gain, later
        // ones move towards it by 1/8 per frame (B.4.4, eq. B.20).
        self.cur_gain = if after_speech {
            self.sid_gain
        } else {
            add(
                mult_r(self.cur_gain, A_GAIN0),
                mult_r(self.sid_gain, A_GAIN1),
            )
        };
        cng::calc_exc_rand(self.cur_gain, exc, pos, &mut self.seed);
        int_qlpc(lsp_old, &self.lsp_sid, az);
        *lsp_old = self.lsp_sid;
    }

    /// Saves the energy of a correctly received frame's excitation
    /// `exc` (80 samples) as mantissa and exponent (B.5.1).
    pub(crate) fn save_energy(&mut self, exc: &[i16]) {
        // Every term 2·e² is non-negative, so the saturating L_mac chain
        // equals the exact sum clamped to MAX_32.
        let sum: i64 = exc[..L_FRAME]
            .iter()
            .map(|&e| i64::from(l_mult(e, e)))
            .sum();
        let l = sum.min(i64::from(i32::MAX)) as i32;
        let sh = norm_l(l);
        self.sid_sav = round16(l_shl(l, sh));
        self.sh_sid_sav = sub(16, sh);
    }
}
