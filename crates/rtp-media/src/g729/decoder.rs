//! G.729 Annex A decoder (G.729 §4 with the Annex A changes of A.4).
//!
//! Per frame: LSP dequantisation (§4.1.1) and interpolation (§4.1.2 via
//! §3.2.5); per subframe: pitch-lag decoding with the parity check on the
//! first subframe (§4.1.2–4.1.3), adaptive-codebook vector (§4.1.3), fixed
//! codebook with pitch sharpening (§4.1.4), gain decoding (§4.1.5),
//! excitation and LP synthesis with the overflow rescue (§4.1.6); then the
//! Annex A post-filter (A.4.2) and the high-pass post-processing (§4.3).
//! Frame erasures (the caller's bad-frame indicator) are concealed as in
//! §4.4.
//!
//! With G.729 Annex B the same decoder also handles SID and
//! non-transmitted frames (B.5, see [`super::annexb`]): comfort noise
//! replaces the speech synthesis, the pitch post-filter is off for noise
//! frames, and an erasure inside a DTX period is decoded as a
//! non-transmitted frame.

use super::annexb::sid::SidParams;
use super::annexb::{CngDecoder, FrameType};
use super::basic_op::*;
use super::bits::{FRAME_OCTETS, Params, SID_OCTETS, SerialFrame, bits2prm};
use super::filter::syn_filt;
use super::gain_common::{gain_predict, gain_update, gain_update_erasure};
use super::lsp::{LspDecoder, int_qlpc};
use super::pitch_common::{check_parity_pitch, dec_lag3, pred_lt_3};
use super::postfilter::{PostFilter, PostProcess};
use super::tables::annex_b::INIT_SEED;
use super::tables::{
    GBK1, GBK2, IMAP1, IMAP2, INIT_LSP_OLD, INIT_PAST_QUA_EN, INIT_RANDOM_SEED, L_FRAME,
    L_INTERPOL, L_SUBFR, M, MP1, NCODE2_B, PIT_MAX, PIT_MIN, SHARPMAX, SHARPMIN,
};
use super::util::random;

/// Samples of excitation history kept before the current frame.
const EXC_HIST: usize = PIT_MAX as usize + L_INTERPOL;

/// Decoder state of one G.729 Annex A (+B) stream: a plain value of about
/// 1.6 KB (no heap, no allocation per frame).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct G729Decoder {
    /// Past excitation (`EXC_HIST` samples) followed by the current frame.
    old_exc: [i16; EXC_HIST + L_FRAME],
    lsp_old: [i16; M],
    mem_syn: [i16; M],
    /// Pitch sharpening factor of the previous subframe (Q14).
    sharp: i16,
    /// Integer pitch lag used for concealment.
    old_t0: i16,
    /// Last decoded gains (kept for concealment): code gain Q1, pitch gain Q14.
    gain_code: i16,
    gain_pitch: i16,
    lsp: LspDecoder,
    past_qua_en: [i16; 4],
    /// Seed of the concealment random generator.
    seed: i16,
    /// `M` samples of last frame's synthesis, then the current frame.
    synth: [i16; M + L_FRAME],
    post_filter: PostFilter,
    post_process: PostProcess,
    /// Annex B comfort-noise state.
    cng: CngDecoder,
}

impl Default for G729Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl G729Decoder {
    /// A decoder in its reset state.
    pub fn new() -> Self {
        Self {
            old_exc: [0; EXC_HIST + L_FRAME],
            lsp_old: INIT_LSP_OLD,
            mem_syn: [0; M],
            sharp: SHARPMIN,
            old_t0: 60,
            gain_code: 0,
            gain_pitch: 0,
            lsp: LspDecoder::new(),
            past_qua_en: INIT_PAST_QUA_EN,
            seed: INIT_RANDOM_SEED,
            synth: [0; M + L_FRAME],
            post_filter: PostFilter::new(),
            post_process: PostProcess::new(),
            cng: CngDecoder::new(),
        }
    }

    /// Decodes one 10-octet RFC 3551 frame (any 10 octets are accepted).
    /// With `bfi` (bad frame indicator, e.g. a lost packet) the content of
    /// `frame` is ignored and the frame is concealed.
    pub fn decode_frame(
        &mut self,
        frame: &[u8; FRAME_OCTETS],
        bfi: bool,
        out: &mut [i16; L_FRAME],
    ) {
        self.decode_params(&bits2prm(frame), bfi, out);
    }

    /// Conceals one lost frame (same as `decode_frame` with `bfi`). After
    /// speech this is the G.729 concealment (§4.4); inside an Annex B DTX
    /// period (after a SID or non-transmitted frame) the frame is decoded
    /// as a non-transmitted one, i.e. comfort noise continues (B.5.1).
    pub fn decode_erased(&mut self, out: &mut [i16; L_FRAME]) {
        self.decode_params(&[0; 11], true, out);
    }

    /// Decodes one 2-octet Annex B SID frame (RFC 3551 §4.5.6 / Table B.2;
    /// the reserved 16th bit is ignored) as comfort noise (B.5).
    pub fn decode_sid(&mut self, sid: &[u8; SID_OCTETS], out: &mut [i16; L_FRAME]) {
        self.decode_noise(Some(&SidParams::from_octets(sid)), false, out);
    }

    /// Decodes one Annex B non-transmitted frame (a 10 ms DTX gap):
    /// comfort noise continues with the parameters of the last SID frame
    /// (B.5). A no-transmission frame straight after speech (its SID frame
    /// was lost) estimates the noise gain from the last speech frame.
    pub fn decode_no_tx(&mut self, out: &mut [i16; L_FRAME]) {
        self.decode_noise(None, false, out);
    }

    /// Decodes one frame of the ITU serial format of G.729A+B (speech,
    /// SID, non-transmitted or erased).
    pub fn decode_serial_frame(&mut self, frame: &SerialFrame, out: &mut [i16; L_FRAME]) {
        match frame {
            SerialFrame::Speech(o) => self.decode_frame(o, false, out),
            SerialFrame::Sid(o) => self.decode_sid(o, out),
            SerialFrame::NoTx => self.decode_no_tx(out),
            SerialFrame::Erased { .. } => self.decode_erased(out),
        }
    }

    /// Type of the last decoded frame (an erased frame counts as speech
    /// after speech and as non-transmitted inside a DTX period).
    pub fn last_frame_type(&self) -> FrameType {
        self.cng.past_ftyp
    }

    /// Decodes one frame given its 11 parameters (see [`Params`]); the
    /// parity bit P0 is checked here. Out-of-range parameter values are
    /// masked to their field widths. With `bfi` inside a DTX period the
    /// frame is decoded as non-transmitted (B.5.1).
    pub fn decode_params(&mut self, prm: &Params, bfi: bool, out: &mut [i16; L_FRAME]) {
        if bfi && self.cng.past_ftyp != FrameType::Speech {
            self.decode_noise(None, true, out);
            return;
        }
        let mut az = [0i16; 2 * MP1];
        let mut t2 = [0i16; 2];
        self.cng.seed = INIT_SEED;
        self.synthesise(prm, bfi, &mut az, &mut t2);
        self.finish_frame(FrameType::Speech, bfi, &az, &t2, out);
    }

    /// Noise frame (B.5): SID parameters if `sid`, comfort-noise excitation
    /// and LP synthesis. `bfi` marks an erasure inside a DTX period.
    fn decode_noise(&mut self, sid: Option<&SidParams>, bfi: bool, out: &mut [i16; L_FRAME]) {
        let mut az = [0i16; 2 * MP1];
        self.cng.noise_frame(
            sid,
            self.lsp.freq_prev_mut(),
            &mut self.old_exc,
            EXC_HIST,
            &mut self.lsp_old,
            &mut az,
        );
        for s in 0..2 {
            let a: &[i16; MP1] = az[s * MP1..(s + 1) * MP1].try_into().expect("MP1 slice");
            self.synth_subframe(a, s * L_SUBFR);
        }
        self.sharp = SHARPMIN;
        let t2 = [self.old_t0; 2];
        let ftyp = if sid.is_some() {
            FrameType::Sid
        } else {
            FrameType::NoTx
        };
        self.finish_frame(ftyp, bfi, &az, &t2, out);
    }

    /// End of every frame: saves the excitation energy of a good frame for
    /// Annex B, shifts the excitation history, post-filters (the pitch
    /// post-filter only on speech frames, B.5) and post-processes.
    fn finish_frame(
        &mut self,
        ftyp: FrameType,
        bfi: bool,
        az: &[i16; 2 * MP1],
        t2: &[i16; 2],
        out: &mut [i16; L_FRAME],
    ) {
        if !bfi {
            self.cng.save_energy(&self.old_exc[EXC_HIST..]);
        }
        self.old_exc.copy_within(L_FRAME.., 0);
        self.cng.past_ftyp = ftyp;
        self.post_filter
            .filter(&mut self.synth, az, t2, ftyp == FrameType::Speech, out);
        self.post_process.process(out);
    }

    /// LP synthesis of one subframe of `old_exc` into `synth`; on overflow
    /// the whole excitation buffer is scaled by 1/4 and the subframe
    /// synthesised again (§4.1.6).
    fn synth_subframe(&mut self, a: &[i16; MP1], i_subfr: usize) {
        let pos = EXC_HIST + i_subfr;
        let out = &mut self.synth[M + i_subfr..M + i_subfr + L_SUBFR];
        let mut mem = self.mem_syn;
        let overflow = syn_filt(a, &self.old_exc[pos..pos + L_SUBFR], out, &mut mem, false);
        if overflow {
            for v in self.old_exc.iter_mut() {
                *v = shr(*v, 2);
            }
            let _ = syn_filt(
                a,
                &self.old_exc[pos..pos + L_SUBFR],
                out,
                &mut self.mem_syn,
                true,
            );
        } else {
            self.mem_syn.copy_from_slice(&out[L_SUBFR - M..]);
        }
    }

    /// The speech-frame decoder (`Decod_ld8a`): writes the synthesis into
    /// `self.synth[M..]`, the two subframe LP filters into `az` and the two
    /// integer pitch lags into `t2`.
    fn synthesise(&mut self, prm: &Params, bfi: bool, az: &mut [i16; 2 * MP1], t2: &mut [i16; 2]) {
        let parity_error = check_parity_pitch(prm[2] & 0xff, prm[3] & 1) != 0;

        let lsp_new = self.lsp.decode(prm[0] & 0xff, prm[1] & 0x3ff, bfi);
        int_qlpc(&self.lsp_old, &lsp_new, az);
        self.lsp_old = lsp_new;

        let mut t0: i16 = 0;
        for (s, i_subfr) in [0usize, L_SUBFR].into_iter().enumerate() {
            // Subframe parameters: pitch, code positions, signs, gains.
            let (p_pitch, p_code, p_sign, p_gain) = if s == 0 {
                (prm[2] & 0xff, prm[4], prm[5], prm[6])
            } else {
                (prm[7] & 0x1f, prm[8], prm[9], prm[10])
            };
            let bad_pitch = bfi || (s == 0 && parity_error);
            let t0_frac;
            if !bad_pitch {
                (t0, t0_frac) = dec_lag3(p_pitch, PIT_MIN, PIT_MAX, s == 0, t0);
                self.old_t0 = t0;
            } else {
                t0 = self.old_t0;
                t0_frac = 0;
                self.old_t0 = add(self.old_t0, 1);
                if self.old_t0 > PIT_MAX {
                    self.old_t0 = PIT_MAX;
                }
            }
            t2[s] = t0;

            let pos = EXC_HIST + i_subfr;
            pred_lt_3(&mut self.old_exc, pos, t0, t0_frac, L_SUBFR);

            // Fixed codebook (random indices when the frame is lost).
            let (index, sign) = if bfi {
                let index = random(&mut self.seed) & 0x1fff;
                let sign = random(&mut self.seed) & 0x000f;
                (index, sign)
            } else {
                (p_code & 0x1fff, p_sign & 0x000f)
            };
            let mut code = [0i16; L_SUBFR];
            decod_acelp(sign, index, &mut code);

            // Pitch sharpening of the innovation for lags below 40.
            let j = shl(self.sharp, 1);
            if (t0 as usize) < L_SUBFR {
                for i in t0 as usize..L_SUBFR {
                    code[i] = add(code[i], mult(code[i - t0 as usize], j));
                }
            }

            self.dec_gain(p_gain & 0x7f, &code, bfi);

            self.sharp = self.gain_pitch.clamp(SHARPMIN, SHARPMAX);

            // Total excitation.
            let exc: &mut [i16; L_SUBFR] = (&mut self.old_exc[pos..pos + L_SUBFR])
                .try_into()
                .expect("subframe");
            total_excitation(exc, &code, self.gain_pitch, self.gain_code);

            let a: &[i16; MP1] = az[s * MP1..(s + 1) * MP1].try_into().expect("MP1 slice");
            self.synth_subframe(a, i_subfr);
        }
    }

    /// Gain decoding (§4.1.5, `Dec_gain`), with the erasure attenuation of
    /// §4.4.2 (pitch gain ×0.9 capped at 0.9, code gain ×0.98).
    fn dec_gain(&mut self, index: i16, code: &[i16; L_SUBFR], bfi: bool) {
        if bfi {
            self.gain_pitch = mult(self.gain_pitch, 29491);
            if self.gain_pitch > 29491 {
                self.gain_pitch = 29491;
            }
            self.gain_code = mult(self.gain_code, 32111);
            gain_update_erasure(&mut self.past_qua_en);
            return;
        }
        let index1 = IMAP1[(shr(index, NCODE2_B) & 7) as usize] as usize;
        let index2 = IMAP2[(index & 15) as usize] as usize;
        self.gain_pitch = add(GBK1[index1][0], GBK2[index2][0]);

        let (gcode0, exp_gcode0) = gain_predict(&self.past_qua_en, code);
        let l_gbk12 = l_add(l_deposit_l(GBK1[index1][1]), l_deposit_l(GBK2[index2][1]));
        let tmp = extract_l(l_shr(l_gbk12, 1));
        let l_acc = l_mult(tmp, gcode0);
        let l_acc = l_shl(l_acc, add(negate(exp_gcode0), -12 - 1 + 1 + 16));
        self.gain_code = extract_h(l_acc);
        gain_update(&mut self.past_qua_en, l_gbk12);
    }
}

/// Total excitation `exc = round(L_shl(L_mac(L_mult(exc, gp), code, gc),
/// 1))`. Unless a gain is −2^15 (where `L_mult` of −2^15·−2^15 saturates
/// to `MAX_32` instead of giving 2^31; decoded gains are never negative),
/// each step's saturation is a clamp of the exact value and the clamps
/// compose: the result is `(4·(exc·gp + code·gc) + 2^15) >> 16 =
/// (exc·gp + code·gc + 2^13) >> 14` clamped to 16 bits, which vectorises.
#[inline(always)]
fn total_excitation(exc: &mut [i16; L_SUBFR], code: &[i16; L_SUBFR], gp: i16, gc: i16) {
    if gp == MIN_16 || gc == MIN_16 {
        for (e, &c) in exc.iter_mut().zip(code) {
            *e = round16(l_shl(l_mac(l_mult(*e, gp), c, gc), 1));
        }
        return;
    }
    for (e, &c) in exc.iter_mut().zip(code) {
        let s = *e as i32 * gp as i32 + c as i32 * gc as i32;
        *e = ((s + 0x2000) >> 14).clamp(MIN_16 as i32, MAX_16 as i32) as i16;
    }
}

/// Algebraic codebook vector (§4.1.4, `Decod_ACELP`): 4 pulses of ±1 (Q13)
/// at positions from the 13-bit `index`, signs from the 4-bit `sign`.
fn decod_acelp(sign: i16, index: i16, cod: &mut [i16; L_SUBFR]) {
    let p0 = (index & 7) as usize * 5;
    let p1 = ((index >> 3) & 7) as usize * 5 + 1;
    let p2 = ((index >> 6) & 7) as usize * 5 + 2;
    let j = ((index >> 9) & 1) as usize;
    let p3 = ((index >> 10) & 7) as usize * 5 + 3 + j;
    cod.fill(0);
    for (k, p) in [p0, p1, p2, p3].into_iter().enumerate() {
        cod[p] = if (sign >> k) & 1 != 0 { 8191 } else { -8192 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Network input: any payload octets, any loss pattern, never panics,
        /// and the decoder stays a deterministic value.
        #[test]
        fn arbitrary_frames_and_losses(frames in proptest::collection::vec((any::<[u8; 10]>(), any::<bool>()), 1..30)) {
            let mut d = G729Decoder::new();
            let mut out = [0i16; L_FRAME];
            for (f, lost) in &frames {
                d.decode_frame(f, *lost, &mut out);
            }
            let mut c = d.clone();
            let mut o2 = [0i16; L_FRAME];
            d.decode_frame(&[0x5a; 10], false, &mut out);
            c.decode_frame(&[0x5a; 10], false, &mut o2);
            prop_assert_eq!(out, o2);
        }

        /// Parameter input outside the field widths is masked, never panics.
        #[test]
        fn arbitrary_parameters(prm in any::<[i16; 11]>(), bfi in any::<bool>()) {
            let mut d = G729Decoder::new();
            let mut out = [0i16; L_FRAME];
            d.decode_params(&prm, bfi, &mut out);
            d.decode_params(&prm, false, &mut out);
        }
    }

    #[test]
    fn any_frame_decodes_without_panic_and_state_is_a_value() {
        let mut d = G729Decoder::new();
        let mut out = [0i16; L_FRAME];
        let mut x: u32 = 12345;
        for n in 0..300 {
            let mut f = [0u8; 10];
            for b in f.iter_mut() {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                *b = (x >> 16) as u8;
            }
            if n % 50 == 0 {
                f = [0xff; 10];
            }
            d.decode_frame(&f, n % 7 == 3, &mut out);
        }
        let mut c = d.clone();
        assert_eq!(c, d);
        let mut o2 = [0i16; L_FRAME];
        d.decode_erased(&mut out);
        c.decode_erased(&mut o2);
        assert_eq!(out, o2);
    }

    proptest! {
        /// The vectorised total excitation against the operator sequence,
        /// any samples and gains (including −2^15).
        #[test]
        fn total_excitation_equals_the_operators(
            e in proptest::collection::vec(any::<i16>(), L_SUBFR),
            c in proptest::collection::vec(any::<i16>(), L_SUBFR),
            gp in prop_oneof![any::<i16>(), Just(MIN_16), Just(MAX_16), 0i16..16384],
            gc in prop_oneof![any::<i16>(), Just(MIN_16), Just(MAX_16), 0i16..8192],
        ) {
            let mut got: [i16; L_SUBFR] = e.clone().try_into().unwrap();
            let code: [i16; L_SUBFR] = c.try_into().unwrap();
            total_excitation(&mut got, &code, gp, gc);
            for i in 0..L_SUBFR {
                let want = round16(l_shl(l_mac(l_mult(e[i], gp), code[i], gc), 1));
                prop_assert_eq!(got[i], want, "{} {} {} {}", e[i], code[i], gp, gc);
            }
        }
    }

    #[test]
    fn acelp_pulses() {
        let mut c = [0i16; L_SUBFR];
        decod_acelp(0b0101, 0x1fff, &mut c);
        assert_eq!(c[35], 8191);
        assert_eq!(c[36], -8192);
        assert_eq!(c[37], 8191);
        assert_eq!(c[39], -8192);
        assert_eq!(c.iter().filter(|&&v| v != 0).count(), 4);
    }
}
