//! G.729 Annex A encoder (ITU-T G.729 §3 with the reduced-complexity
//! algorithms of Annex A, A.3).
//!
//! Each 10 ms frame of 80 samples at 8 kHz becomes the 11 parameters of
//! Table 8 (80 bits): the LSP indices (L0 L1, L2 L3), the pitch delay of the
//! first subframe P1 with its parity bit P0, the fixed-codebook position and
//! sign indices C1 S1, the gain indices GA1 GB1, and for the second subframe
//! the relative delay P2, C2 S2 and GA2 GB2.
//!
//! Processing per frame (Annex A A.3 and Figure A.1):
//!
//! 1. high-pass pre-filter (`preproc`, §3.1);
//! 2. LP analysis on a 240-sample window with 40 samples look-ahead, LSP
//!    conversion and quantisation, interpolation for the first subframe
//!    (`lpc`, `lsp_quant`, §3.2);
//! 3. perceptual weighting with the quantised filter (A.3.3) and open-loop
//!    pitch on the weighted speech (`pitch_search`, A.3.4);
//! 4. per subframe: target signal, closed-loop fractional pitch, fixed
//!    codebook search (`acelp`, A.3.8), joint gain quantisation
//!    (`gain_quant`, §3.9) with the taming safeguard (`taming`), and the
//!    memory updates of §3.10.
//!
//! The state is a plain value (`Clone`, `Eq`, `Hash`); encoding allocates
//! nothing.

mod acelp;
mod exact;
mod gain_quant;
pub(crate) mod lpc;
pub(crate) mod lsp_quant;
mod pitch_search;
mod preproc;
mod taming;

use crate::g729::annexb::FrameType;
use crate::g729::annexb::dtx::{DtxEncoder, NoiseFrame};
use crate::g729::annexb::sid::SidParams;
use crate::g729::annexb::vad::Vad;
use crate::g729::basic_op::{
    add, extract_h, l_extract, l_mac, l_mult, l_shl, mpy_32, mult, negate, round16, sub,
};
use crate::g729::bits::{
    FRAME_OCTETS, Params, SID_OCTETS, SerialFrame, prm2bits, write_serial_frame,
};
use crate::g729::filter::{residu, syn_filt, syn_filt_in_place, weight_az};
use crate::g729::lsp::{int_qlpc, lsp_lsf};
use crate::g729::pitch_common::parity_pitch;
use crate::g729::tables::annex_b::{INIT_SEED, LAG_H as AB_LAG_H, LAG_L as AB_LAG_L, NP};
use crate::g729::tables::{
    GAMMA1, GPCLIP, INIT_LSP_OLD, L_FRAME, L_INTERPOL, L_SUBFR, L_TOTAL, M, MP1, PIT_MAX, PIT_MIN,
    PRM_SIZE, SHARPMAX, SHARPMIN,
};

use gain_quant::{GainCorrelations, GainQuantizer, corr_xy2};
use lpc::Levinson;
use lsp_quant::LspQuantizer;
use preproc::PreFilter;
use taming::Taming;

const PMAX: usize = PIT_MAX as usize;
/// Weighted-speech buffer: PIT_MAX past samples and the current frame.
const WSP_LEN: usize = PMAX + L_FRAME;
/// Excitation buffer: PIT_MAX + L_INTERPOL past samples and the current frame.
const EXC_LEN: usize = PMAX + L_INTERPOL + L_FRAME;
/// Start of the current frame in the excitation buffer.
const EXC_CUR: usize = PMAX + L_INTERPOL;
/// Start of the current frame in the speech buffer (the last 40 samples are
/// the look-ahead).
const SPEECH_CUR: usize = L_TOTAL - L_FRAME - 40;
/// Start of the new samples in the speech buffer.
const SPEECH_NEW: usize = L_TOTAL - L_FRAME;

/// Coefficient of the tilt term of the open-loop weighting filter (0.7, Q15,
/// A.3.3).
const TILT_07: i16 = 22938;

/// G.729 Annex A encoder state for one direction of a call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct G729Encoder {
    pre: PreFilter,
    /// Pre-processed speech: the 240-sample LP analysis window (120 past
    /// samples, the current frame, 40 samples of look-ahead).
    speech: [i16; L_TOTAL],
    /// Weighted speech history and current frame.
    wsp: [i16; WSP_LEN],
    /// Excitation history and current frame.
    exc: [i16; EXC_LEN],
    /// Unquantised LSPs of the previous frame (Q15).
    lsp_old: [i16; M],
    /// Quantised LSPs of the previous frame (Q15).
    lsp_old_q: [i16; M],
    /// Memory of the weighting filter for the open-loop weighted speech.
    mem_w: [i16; M],
    /// Memory of the weighted synthesis filter for the target signal.
    mem_w0: [i16; M],
    /// Pitch sharpening factor (last quantised pitch gain, Q14).
    sharp: i16,
    levinson: Levinson,
    lsp_q: LspQuantizer,
    gain_q: GainQuantizer,
    taming: Taming,
    /// Annex B VAD/DTX state, when enabled.
    annex_b: Option<AnnexB>,
}

/// Encoder-side Annex B state: the VAD, the DTX/CNG module and the frame
/// history they need (B.3, B.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AnnexB {
    vad: Vad,
    dtx: DtxEncoder,
    /// VAD decisions of the previous two frames.
    past_vad: bool,
    ppast_vad: bool,
    /// Comfort-noise generator, reset on every speech frame.
    seed: i16,
    /// Frame counter of the VAD (1 for the first frame, 32767 → 256).
    frame: i16,
}

/// One encoded frame of the Annex A+B encoder (Annex B B.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EncodedFrame {
    /// An 80-bit speech frame.
    Speech(Params),
    /// A 15-bit SID frame.
    Sid(SidParams),
    /// Nothing is transmitted (DTX).
    NoTx,
}

impl EncodedFrame {
    /// The frame type of Annex B.
    pub fn frame_type(&self) -> FrameType {
        match self {
            EncodedFrame::Speech(_) => FrameType::Speech,
            EncodedFrame::Sid(_) => FrameType::Sid,
            EncodedFrame::NoTx => FrameType::NoTx,
        }
    }

    /// The RFC 3551 §4.5.6 payload: written to `out`, returns its length
    /// (10 octets for speech, 2 for SID, 0 for no transmission).
    pub fn to_payload(&self, out: &mut [u8; FRAME_OCTETS]) -> usize {
        match self {
            EncodedFrame::Speech(p) => {
                *out = prm2bits(p);
                FRAME_OCTETS
            }
            EncodedFrame::Sid(p) => {
                out[..SID_OCTETS].copy_from_slice(&p.to_octets());
                SID_OCTETS
            }
            EncodedFrame::NoTx => 0,
        }
    }

    /// The frame in the ITU serial representation.
    pub fn to_serial(&self) -> SerialFrame {
        match self {
            EncodedFrame::Speech(p) => SerialFrame::Speech(prm2bits(p)),
            EncodedFrame::Sid(p) => SerialFrame::Sid(p.to_octets()),
            EncodedFrame::NoTx => SerialFrame::NoTx,
        }
    }
}

impl Default for G729Encoder {
    fn default() -> Self {
        Self::new()
    }
}

impl G729Encoder {
    /// A freshly initialised encoder (the reset state of the Recommendation).
    pub fn new() -> Self {
        Self {
            pre: PreFilter::default(),
            speech: [0; L_TOTAL],
            wsp: [0; WSP_LEN],
            exc: [0; EXC_LEN],
            lsp_old: INIT_LSP_OLD,
            lsp_old_q: INIT_LSP_OLD,
            mem_w: [0; M],
            mem_w0: [0; M],
            sharp: SHARPMIN,
            levinson: Levinson::default(),
            lsp_q: LspQuantizer::default(),
            gain_q: GainQuantizer::default(),
            taming: Taming::default(),
            annex_b: None,
        }
    }

    /// An encoder with the Annex B VAD and DTX switched on (`vad = true`)
    /// or off (then identical to [`Self::new`]).
    pub fn with_vad(vad: bool) -> Self {
        let mut e = Self::new();
        if vad {
            e.annex_b = Some(AnnexB {
                vad: Vad::new(),
                dtx: DtxEncoder::new(),
                past_vad: true,
                ppast_vad: true,
                seed: INIT_SEED,
                frame: 0,
            });
        }
        e
    }

    /// A G.729A+B encoder (VAD/DTX on): `with_vad(true)`.
    pub fn new_annex_b() -> Self {
        Self::with_vad(true)
    }

    /// Whether the Annex B VAD/DTX is on.
    pub fn vad_enabled(&self) -> bool {
        self.annex_b.is_some()
    }

    /// Encodes one 10 ms frame of 16-bit linear PCM at 8 kHz into its 11
    /// parameters. Every frame is coded as speech; with Annex B enabled the
    /// VAD and DTX memories are still updated (as the reference encoder
    /// does with DTX disabled), but [`Self::encode_dtx`] is the entry point
    /// that honours the VAD decision.
    pub fn encode_frame(&mut self, pcm: &[i16; L_FRAME]) -> Params {
        match self.encode_inner(pcm, false) {
            EncodedFrame::Speech(p) => p,
            // Unreachable: without DTX every frame is speech.
            _ => [0; PRM_SIZE],
        }
    }

    /// Encodes one frame with Annex B discontinuous transmission (when the
    /// encoder was built with [`Self::with_vad`]`(true)`): a speech frame,
    /// a SID frame or nothing (B.4). Without Annex B every frame is speech.
    pub fn encode_dtx(&mut self, pcm: &[i16; L_FRAME]) -> EncodedFrame {
        self.encode_inner(pcm, true)
    }

    fn encode_inner(&mut self, pcm: &[i16; L_FRAME], dtx: bool) -> EncodedFrame {
        let mut prm: Params = [0; PRM_SIZE];

        self.speech[SPEECH_NEW..].copy_from_slice(pcm);
        self.pre.process(&mut self.speech[SPEECH_NEW..]);

        // --- LP analysis and quantisation (§3.2). ---
        let lsp_new;
        if let Some(b) = self.annex_b.as_mut() {
            b.frame = if b.frame == i16::MAX {
                256
            } else {
                b.frame + 1
            };
            // Annex B B.3: two more lags for the VAD and the exponent of r(0).
            let (mut r, ext, exp_r0) = lpc::autocorr_ext(&self.speech);
            let rh_nbe = r.hi;
            lpc::lag_window(&mut r);
            let mut r_h = [0i16; NP + 1];
            r_h[..MP1].copy_from_slice(&r.hi);
            for (k, &(hi, lo)) in ext.iter().enumerate() {
                let x = mpy_32(hi, lo, AB_LAG_H[M + k], AB_LAG_L[M + k]);
                r_h[MP1 + k] = l_extract(x).0;
            }
            let (a, rc) = self.levinson.solve(&r);
            lsp_new = lpc::az_lsp(&a, &self.lsp_old);
            let mut lsf_new = [0i16; M];
            lsp_lsf(&lsp_new, &mut lsf_new);
            let vad = b.vad.decide(
                rc[1],
                &lsf_new,
                &r_h,
                r.lo[0],
                exp_r0,
                &self.speech,
                b.frame,
                b.past_vad,
                b.ppast_vad,
            );
            b.dtx.update(&rh_nbe, exp_r0, vad);
            if !vad && dtx {
                return self.noise_frame();
            }
            let b = self.annex_b.as_mut().expect("annex b");
            b.seed = INIT_SEED;
            b.ppast_vad = b.past_vad;
            b.past_vad = vad;
        } else {
            let mut r = lpc::autocorr(&self.speech);
            lpc::lag_window(&mut r);
            let (a, _rc) = self.levinson.solve(&r);
            lsp_new = lpc::az_lsp(&a, &self.lsp_old);
        }
        let (lsp_new_q, lsp_words) = self.lsp_q.quantize(&lsp_new);
        prm[0] = lsp_words[0];
        prm[1] = lsp_words[1];

        // Quantised filters of the two subframes and their weighted versions.
        let mut aq = [0i16; 2 * MP1];
        int_qlpc(&self.lsp_old_q, &lsp_new_q, &mut aq);
        let mut ap = [0i16; 2 * MP1];
        for sf in 0..2 {
            let (src, dst) = (
                &aq[sf * MP1..(sf + 1) * MP1],
                &mut ap[sf * MP1..(sf + 1) * MP1],
            );
            weight_az(
                src.try_into().expect("MP1"),
                GAMMA1,
                dst.try_into().expect("MP1"),
            );
        }
        self.lsp_old = lsp_new;
        self.lsp_old_q = lsp_new_q;

        // --- Weighted speech and open-loop pitch (A.3.3, A.3.4). ---
        for sf in 0..2 {
            let off = sf * L_SUBFR;
            let a: &[i16; MP1] = aq[sf * MP1..(sf + 1) * MP1].try_into().expect("MP1");
            residu(
                a,
                &self.speech[SPEECH_CUR + off - M..SPEECH_CUR + off + L_SUBFR],
                &mut self.exc[EXC_CUR + off..EXC_CUR + off + L_SUBFR],
            );
        }
        for sf in 0..2 {
            let off = sf * L_SUBFR;
            let apw = &ap[sf * MP1..(sf + 1) * MP1];
            let mut ap1 = [0i16; MP1];
            ap1[0] = 4096;
            for i in 1..=M {
                ap1[i] = sub(apw[i], mult(apw[i - 1], TILT_07));
            }
            syn_filt(
                &ap1,
                &self.exc[EXC_CUR + off..EXC_CUR + off + L_SUBFR],
                &mut self.wsp[PMAX + off..PMAX + off + L_SUBFR],
                &mut self.mem_w,
                true,
            );
        }
        let t_op = pitch_search::pitch_ol_fast(&self.wsp);

        // Closed-loop search range of the first subframe.
        let mut t0_min = sub(t_op, 3);
        if sub(t0_min, PIT_MIN) < 0 {
            t0_min = PIT_MIN;
        }
        let mut t0_max = add(t0_min, 6);
        if sub(t0_max, PIT_MAX) > 0 {
            t0_max = PIT_MAX;
            t0_min = sub(t0_max, 6);
        }

        // --- Subframe loop. ---
        let mut k = 2;
        for sf in 0..2 {
            let off = sf * L_SUBFR;
            let cur = EXC_CUR + off;
            let apw: &[i16; MP1] = ap[sf * MP1..(sf + 1) * MP1].try_into().expect("MP1");

            // Impulse response of the weighted synthesis filter.
            let mut h1 = [0i16; L_SUBFR];
            let mut impulse = [0i16; L_SUBFR];
            impulse[0] = 4096;
            syn_filt(apw, &impulse, &mut h1, &mut [0; M], false);

            // Target for the pitch search.
            let mut xn = [0i16; L_SUBFR];
            let mut mem = self.mem_w0;
            syn_filt(apw, &self.exc[cur..cur + L_SUBFR], &mut xn, &mut mem, false);

            // Closed-loop pitch and lag encoding.
            let first = sf == 0;
            let (t0, t0_frac) =
                pitch_search::pitch_fr3_fast(&mut self.exc, cur, &xn, &h1, t0_min, t0_max, first);
            let index = pitch_search::enc_lag3(t0, t0_frac, &mut t0_min, &mut t0_max, first);
            prm[k] = index;
            k += 1;
            if first {
                prm[k] = parity_pitch(index);
                k += 1;
            }

            // Filtered adaptive vector and pitch gain.
            let mut y1 = [0i16; L_SUBFR];
            syn_filt(
                apw,
                &self.exc[cur..cur + L_SUBFR],
                &mut y1,
                &mut [0; M],
                false,
            );
            let (mut gain_pit, gp_coeff) = pitch_search::g_pitch(&xn, &y1);
            let tame = self.taming.test_err(t0, t0_frac);
            if tame && sub(gain_pit, GPCLIP) > 0 {
                gain_pit = GPCLIP;
            }

            // Target for the fixed-codebook search.
            let mut xn2 = [0i16; L_SUBFR];
            for i in 0..L_SUBFR {
                let t = l_shl(l_mult(y1[i], gain_pit), 1);
                xn2[i] = sub(xn[i], extract_h(t));
            }

            let cb = acelp::acelp_code_a(&xn2, &mut h1, t0, self.sharp);
            prm[k] = cb.index;
            prm[k + 1] = cb.sign;
            k += 2;

            // Gain quantisation.
            let mut g = GainCorrelations::default();
            g.coeff[0] = gp_coeff[0];
            g.exp[0] = negate(gp_coeff[1]);
            g.coeff[1] = negate(gp_coeff[2]);
            g.exp[1] = negate(add(gp_coeff[3], 1));
            corr_xy2(&xn, &y1, &cb.y, &mut g);
            let (gain_index, gain_pit, gain_code) = self.gain_q.quantize(&cb.code, &g, tame);
            prm[k] = gain_index;
            k += 1;

            self.sharp = gain_pit.clamp(SHARPMIN, SHARPMAX);

            // Total excitation and memory updates (§3.10).
            for i in 0..L_SUBFR {
                let mut t = l_mult(self.exc[cur + i], gain_pit);
                t = l_mac(t, cb.code[i], gain_code);
                self.exc[cur + i] = round16(l_shl(t, 1));
            }
            self.taming.update(gain_pit, t0);
            for (j, i) in (L_SUBFR - M..L_SUBFR).enumerate() {
                let temp = extract_h(l_shl(l_mult(y1[i], gain_pit), 1));
                let kk = extract_h(l_shl(l_mult(cb.y[i], gain_code), 2));
                self.mem_w0[j] = sub(xn[i], add(temp, kk));
            }
        }

        // Shift the buffers by one frame.
        self.speech.copy_within(L_FRAME.., 0);
        self.wsp.copy_within(L_FRAME.., 0);
        self.exc.copy_within(L_FRAME.., 0);
        EncodedFrame::Speech(prm)
    }

    /// An inactive frame under DTX (Annex B B.4): SID decision and
    /// parameters, comfort-noise excitation, and the update of the weighted
    /// speech and filter memories with that excitation.
    fn noise_frame(&mut self) -> EncodedFrame {
        let b = self.annex_b.as_mut().expect("annex b");
        let mut aq = [0i16; 2 * MP1];
        let (frame, used) = b.dtx.noise_frame(
            &mut self.exc,
            EXC_CUR,
            b.past_vad,
            &mut self.lsp_old_q,
            &mut aq,
            &mut self.lsp_q.freq_prev,
            &mut b.seed,
            &mut self.levinson,
        );
        for s in &used {
            self.taming.update(s.gain_pitch, s.t0);
        }
        b.ppast_vad = b.past_vad;
        b.past_vad = false;

        for sf in 0..2 {
            let off = sf * L_SUBFR;
            let a: &[i16; MP1] = aq[sf * MP1..(sf + 1) * MP1].try_into().expect("MP1");
            let mut xn = [0i16; L_SUBFR];
            residu(
                a,
                &self.speech[SPEECH_CUR + off - M..SPEECH_CUR + off + L_SUBFR],
                &mut xn,
            );
            let mut ap_t = [0i16; MP1];
            weight_az(a, GAMMA1, &mut ap_t);
            let mut ap1 = [0i16; MP1];
            ap1[0] = 4096;
            for i in 1..=M {
                ap1[i] = sub(ap_t[i], mult(ap_t[i - 1], TILT_07));
            }
            syn_filt(
                &ap1,
                &xn,
                &mut self.wsp[PMAX + off..PMAX + off + L_SUBFR],
                &mut self.mem_w,
                true,
            );
            for i in 0..L_SUBFR {
                xn[i] = sub(xn[i], self.exc[EXC_CUR + off + i]);
            }
            syn_filt_in_place(&ap_t, &mut xn, &mut self.mem_w0, true);
        }
        self.sharp = SHARPMIN;

        self.speech.copy_within(L_FRAME.., 0);
        self.wsp.copy_within(L_FRAME.., 0);
        self.exc.copy_within(L_FRAME.., 0);
        match frame {
            NoiseFrame::Sid(p) => EncodedFrame::Sid(p),
            NoiseFrame::NoTx => EncodedFrame::NoTx,
        }
    }
}

impl G729Encoder {
    /// Encodes one frame into its 10-octet RTP payload (RFC 3551 §4.5.6).
    pub fn encode(&mut self, pcm: &[i16; L_FRAME]) -> [u8; FRAME_OCTETS] {
        prm2bits(&self.encode_frame(pcm))
    }

    /// Encodes one frame (with DTX when Annex B is on) and appends it to
    /// `out` in the ITU serial test format (sync word, size word 80, 16 or
    /// 0, one word per bit).
    pub fn encode_serial(&mut self, pcm: &[i16; L_FRAME], out: &mut Vec<u8>) {
        let f = self.encode_dtx(pcm);
        write_serial_frame(&f.to_serial(), out);
    }

    /// Encodes one frame (with DTX when Annex B is on) into its RFC 3551
    /// payload in `out`; returns the payload length (10, 2 or 0).
    pub fn encode_payload(&mut self, pcm: &[i16; L_FRAME], out: &mut [u8; FRAME_OCTETS]) -> usize {
        self.encode_dtx(pcm).to_payload(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::g729::tables::BITSNO;

    /// Serial framing of an encoded frame: 82 little-endian words,
    /// sync and size first, and the same bits as the RTP form.
    #[test]
    fn serial_and_rtp_forms_agree() {
        let mut pcm = [0i16; L_FRAME];
        for (i, v) in pcm.iter_mut().enumerate() {
            *v = ((i as i32 * 997) % 4001 - 2000) as i16;
        }
        let mut a = G729Encoder::new();
        let mut b = a.clone();
        let octets = a.encode(&pcm);
        let mut serial = Vec::new();
        b.encode_serial(&pcm, &mut serial);
        assert_eq!(serial.len(), 164);
        assert_eq!(&serial[..4], &[0x21, 0x6b, 80, 0]);
        for k in 0..80 {
            let word = u16::from_le_bytes([serial[4 + 2 * k], serial[5 + 2 * k]]);
            let bit = (octets[k / 8] >> (7 - k % 8)) & 1;
            assert_eq!(word, if bit == 1 { 0x81 } else { 0x7f }, "bit {k}");
        }
    }

    /// A deterministic test signal: a few seconds of speech-like bursts
    /// separated by low-level noise.
    fn bursts(frame: usize) -> [i16; L_FRAME] {
        let mut pcm = [0i16; L_FRAME];
        let mut seed = 12345u32 ^ frame as u32;
        let loud = (frame / 40) % 2 == 0;
        for (i, v) in pcm.iter_mut().enumerate() {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let noise = ((seed >> 16) as i32 & 0xff) - 128;
            let t = (frame * L_FRAME + i) as f64;
            let tone = if loud {
                (6000.0 * (t * 0.07).sin() * (1.0 + (t * 0.003).sin())) as i32
            } else {
                0
            };
            *v = (tone + noise) as i16;
        }
        pcm
    }

    #[test]
    fn vad_off_is_annex_a() {
        let mut a = G729Encoder::new();
        let mut b = G729Encoder::with_vad(false);
        assert!(!b.vad_enabled());
        for f in 0..100 {
            let pcm = bursts(f);
            assert_eq!(
                EncodedFrame::Speech(a.encode_frame(&pcm)),
                b.encode_dtx(&pcm)
            );
        }
    }

    #[test]
    fn dtx_produces_all_frame_types_and_payload_lengths() {
        let mut enc = G729Encoder::new_annex_b();
        assert!(enc.vad_enabled());
        let mut seen = [0usize; 3];
        let mut out = [0u8; FRAME_OCTETS];
        for f in 0..400 {
            let pcm = bursts(f);
            let mut twin = enc.clone();
            let frame = enc.encode_dtx(&pcm);
            let n = twin.encode_payload(&pcm, &mut out);
            assert_eq!(enc, twin);
            let (k, len) = match frame.frame_type() {
                FrameType::Speech => (0, FRAME_OCTETS),
                FrameType::Sid => (1, SID_OCTETS),
                FrameType::NoTx => (2, 0),
            };
            assert_eq!(n, len);
            seen[k] += 1;
            let mut serial = Vec::new();
            write_serial_frame(&frame.to_serial(), &mut serial);
            assert_eq!(serial.len(), 4 + 2 * [80, 16, 0][k]);
        }
        assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
    }

    #[test]
    fn encode_frame_with_vad_codes_every_frame_as_speech() {
        let mut enc = G729Encoder::new_annex_b();
        for f in 0..200 {
            let prm = enc.encode_frame(&bursts(f));
            assert!(prm.iter().all(|&p| p >= 0));
        }
    }

    #[test]
    fn silence_encodes_deterministically_and_state_clones() {
        let mut a = G729Encoder::new();
        let silence = [0i16; L_FRAME];
        let first = a.encode_frame(&silence);
        let mut b = a.clone();
        assert_eq!(a, b);
        assert_eq!(a.encode_frame(&silence), b.encode_frame(&silence));
        assert_eq!(a, b);
        assert_ne!(a, G729Encoder::new());
        assert!(
            first
                .iter()
                .zip(BITSNO.iter())
                .all(|(&p, &w)| p >= 0 && i32::from(p) < 1 << w)
        );
    }
}
