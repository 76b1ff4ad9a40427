//! The codec interface shared by G.711, G.722 and G.729 Annex A.
//!
//! A codec turns a frame of PCM into an RTP payload, an RTP payload back
//! into PCM, and conceals a lost frame. Frames are `ptime` long; the number
//! of samples depends on the audio rate ([`CodecKind::sample_rate`]), the
//! RTP timestamp advance on the RTP clock ([`CodecKind::rtp_clock_rate`]),
//! and the two differ for G.722 (RFC 3551 section 4.5.2).
//!
//! G.729 fits the same shape: 10 ms frames of 80 samples, 10-octet speech
//! frames and a 2-octet SID in one payload (RFC 3551 section 4.5.6), and
//! concealment by the decoder's own erasure handling. A SID frame is
//! decoded as Annex B comfort noise; a lost frame inside a DTX period
//! continues the comfort noise (Annex B B.5).

use crate::g711::{self, Law};
use crate::g722::{G722Decoder, G722Encoder, Mode};
use crate::g729::{G729Decoder, bits::FRAME_OCTETS as G729_FRAME, encoder::G729Encoder};
use crate::plc::Plc;
use thiserror::Error;

/// What a codec could not do with its input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Error)]
pub enum CodecError {
    /// The PCM frame length is not a whole number of codec units.
    #[error("{codec}: PCM frame of {len} samples is not a multiple of {unit}")]
    FrameLength {
        /// Codec name.
        codec: &'static str,
        /// Samples given.
        len: usize,
        /// Required multiple.
        unit: usize,
    },
    /// A payload whose length is no whole number of codec frames.
    #[error("{codec}: payload of {len} octets is not a whole number of frames")]
    PayloadLength {
        /// Codec name.
        codec: &'static str,
        /// Octets given.
        len: usize,
    },
    /// An empty payload.
    #[error("{codec}: empty payload")]
    EmptyPayload {
        /// Codec name.
        codec: &'static str,
    },
}

/// The codecs this crate implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodecKind {
    /// G.711 µ-law, static payload type 0.
    Pcmu,
    /// G.711 A-law, static payload type 8.
    Pcma,
    /// G.722 64 kbit/s, static payload type 9.
    G722,
    /// G.729 Annex A 8 kbit/s, static payload type 18 (10 ms frames of
    /// 10 octets, RFC 3551 section 4.5.6).
    G729,
}

impl CodecKind {
    /// Every codec kind.
    pub const ALL: [CodecKind; 4] = [
        CodecKind::Pcmu,
        CodecKind::Pcma,
        CodecKind::G722,
        CodecKind::G729,
    ];
    /// The SDP encoding name (RFC 3551 Table 4).
    pub fn encoding_name(self) -> &'static str {
        match self {
            CodecKind::Pcmu => "PCMU",
            CodecKind::Pcma => "PCMA",
            CodecKind::G722 => "G722",
            CodecKind::G729 => "G729",
        }
    }
    /// The static RTP payload type (RFC 3551 Table 4).
    pub fn static_payload_type(self) -> u8 {
        match self {
            CodecKind::Pcmu => 0,
            CodecKind::Pcma => 8,
            CodecKind::G722 => 9,
            CodecKind::G729 => 18,
        }
    }
    /// Audio sampling rate in Hz.
    pub fn sample_rate(self) -> u32 {
        match self {
            CodecKind::G722 => 16000,
            _ => 8000,
        }
    }
    /// RTP timestamp clock rate in Hz: 8000 for all, G.722 included
    /// (RFC 3551 section 4.5.2).
    pub fn rtp_clock_rate(self) -> u32 {
        8000
    }
    /// Looks a codec up by SDP encoding name (case-insensitive) and clock.
    pub fn from_rtpmap(name: &str, clock: u32) -> Option<Self> {
        CodecKind::ALL
            .into_iter()
            .find(|k| k.encoding_name().eq_ignore_ascii_case(name) && k.rtp_clock_rate() == clock)
    }
    /// Looks a codec up by static payload type.
    pub fn from_static_payload_type(pt: u8) -> Option<Self> {
        CodecKind::ALL
            .into_iter()
            .find(|k| k.static_payload_type() == pt)
    }
    /// PCM samples in a frame of `ptime_ms`.
    pub fn frame_samples(self, ptime_ms: u32) -> usize {
        (self.sample_rate() * ptime_ms / 1000) as usize
    }
    /// RTP timestamp units in a frame of `ptime_ms`.
    pub fn frame_ticks(self, ptime_ms: u32) -> u32 {
        self.rtp_clock_rate() * ptime_ms / 1000
    }
    /// PCM samples a payload of `len` octets decodes to. For G.729: 80 per
    /// 10-octet speech frame, plus 80 for a trailing 2-octet SID frame.
    pub fn payload_samples(self, len: usize) -> usize {
        match self {
            CodecKind::G722 => 2 * len,
            CodecKind::G729 => 80 * (len / G729_FRAME) + if len % G729_FRAME == 2 { 80 } else { 0 },
            _ => len,
        }
    }
    /// RTP timestamp units covered by a payload of `len` octets.
    pub fn payload_ticks(self, len: usize) -> u32 {
        match self {
            CodecKind::G729 => self.payload_samples(len) as u32,
            // one octet per RTP tick for G.711 and G.722 (8 kHz clock)
            _ => len as u32,
        }
    }
}

/// Encode a frame, decode a payload, conceal a lost frame.
pub trait AudioCodec: std::fmt::Debug {
    /// Which codec this is.
    fn kind(&self) -> CodecKind;
    /// Encodes one frame of PCM at [`CodecKind::sample_rate`], appending
    /// the payload to `out`; returns the payload length.
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<usize, CodecError>;
    /// Decodes one payload, appending PCM to `out`; returns the number of
    /// samples appended.
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> Result<usize, CodecError>;
    /// Appends `samples` samples that conceal a lost frame.
    fn conceal(&mut self, samples: usize, out: &mut Vec<i16>);
}

/// G.711 with pitch-repetition concealment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct G711Codec {
    law: Law,
    plc: Plc,
}

impl G711Codec {
    /// A G.711 codec for `law`.
    pub fn new(law: Law) -> Self {
        Self {
            law,
            plc: Plc::new(8000),
        }
    }
}

impl AudioCodec for G711Codec {
    fn kind(&self) -> CodecKind {
        match self.law {
            Law::Ulaw => CodecKind::Pcmu,
            Law::Alaw => CodecKind::Pcma,
        }
    }
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<usize, CodecError> {
        let start = out.len();
        out.resize(start + pcm.len(), 0);
        g711::encode(self.law, pcm, &mut out[start..]);
        Ok(pcm.len())
    }
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> Result<usize, CodecError> {
        if payload.is_empty() {
            return Err(CodecError::EmptyPayload {
                codec: self.kind().encoding_name(),
            });
        }
        let start = out.len();
        out.resize(start + payload.len(), 0);
        g711::decode(self.law, payload, &mut out[start..]);
        self.plc.good_frame(&mut out[start..]);
        Ok(payload.len())
    }
    fn conceal(&mut self, samples: usize, out: &mut Vec<i16>) {
        let start = out.len();
        out.resize(start + samples, 0);
        self.plc.conceal(&mut out[start..]);
    }
}

/// G.722 (mode 1 encoder, any-mode decoder) with pitch-repetition
/// concealment at 16 kHz. During a loss the ADPCM decoder state is kept;
/// its backward adaptation re-converges on the next good packets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct G722Codec {
    enc: G722Encoder,
    dec: G722Decoder,
    plc: Plc,
}

impl Default for G722Codec {
    fn default() -> Self {
        Self::new()
    }
}

impl G722Codec {
    /// A G.722 codec (64 kbit/s).
    pub fn new() -> Self {
        Self {
            enc: G722Encoder::new(),
            dec: G722Decoder::new(Mode::Mode1),
            plc: Plc::new(16000),
        }
    }
}

impl AudioCodec for G722Codec {
    fn kind(&self) -> CodecKind {
        CodecKind::G722
    }
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<usize, CodecError> {
        if pcm.len() % 2 != 0 {
            return Err(CodecError::FrameLength {
                codec: "G722",
                len: pcm.len(),
                unit: 2,
            });
        }
        let start = out.len();
        out.resize(start + pcm.len() / 2, 0);
        Ok(self.enc.encode(pcm, &mut out[start..]))
    }
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> Result<usize, CodecError> {
        if payload.is_empty() {
            return Err(CodecError::EmptyPayload { codec: "G722" });
        }
        let start = out.len();
        out.resize(start + 2 * payload.len(), 0);
        let n = self.dec.decode(payload, &mut out[start..]);
        self.plc.good_frame(&mut out[start..]);
        Ok(n)
    }
    fn conceal(&mut self, samples: usize, out: &mut Vec<i16>) {
        let start = out.len();
        out.resize(start + samples, 0);
        self.plc.conceal(&mut out[start..]);
    }
}

/// G.729 Annex A with the Annex B decoder ([`crate::g729`]): 10-octet
/// frames per 80 samples, loss concealment by the decoder's own
/// frame-erasure procedure (G.729 §4.4).
///
/// Decoding always understands Annex B: a 2-octet SID frame at the end of a
/// payload (RFC 3551 section 4.5.6) is decoded as comfort noise (Annex B
/// B.5), and a lost frame after a SID frame (inside a DTX period)
/// continues the comfort noise instead of concealing speech. Whether
/// Annex B was negotiated (`annexb=yes`, [`G729Codec::with_annexb`]) only
/// concerns what the encoder may send: with it, [`G729Codec::encode_dtx`]
/// runs the VAD and DTX and gives SID frames and untransmitted frames
/// (Annex B B.3–B.4), which the media session packs per RFC 3551 section
/// 4.5.6; [`AudioCodec::encode`] always codes speech.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct G729Codec {
    enc: G729Encoder,
    dec: G729Decoder,
    annexb: bool,
}

impl G729Codec {
    /// A G.729 Annex A codec (`annexb=no`).
    pub fn new() -> Self {
        Self::default()
    }
    /// A G.729 codec for a negotiated `annexb` fmtp value: with `true` the
    /// encoder runs the Annex B VAD.
    pub fn with_annexb(annexb: bool) -> Self {
        Self {
            enc: G729Encoder::with_vad(annexb),
            annexb,
            ..Self::default()
        }
    }

    /// Encodes `pcm` (a multiple of 80 samples) with VAD/DTX: for each
    /// 10 ms frame, appends its RFC 3551 payload to `out` (10 octets of
    /// speech, 2 of SID, none when DTX sends nothing) and its length to
    /// `lens`. Without Annex B every frame is speech.
    pub fn encode_dtx(
        &mut self,
        pcm: &[i16],
        out: &mut Vec<u8>,
        lens: &mut Vec<usize>,
    ) -> Result<(), CodecError> {
        if pcm.len() % 80 != 0 {
            return Err(CodecError::FrameLength {
                codec: "G729",
                len: pcm.len(),
                unit: 80,
            });
        }
        let mut buf = [0u8; G729_FRAME];
        for frame in pcm.chunks_exact(80) {
            let frame: &[i16; 80] = frame.try_into().expect("80 samples");
            let n = if self.annexb {
                self.enc.encode_payload(frame, &mut buf)
            } else {
                buf = self.enc.encode(frame);
                G729_FRAME
            };
            out.extend_from_slice(&buf[..n]);
            lens.push(n);
        }
        Ok(())
    }
    /// Whether Annex B (VAD/DTX/CNG) was negotiated.
    pub fn annexb(&self) -> bool {
        self.annexb
    }
}

impl AudioCodec for G729Codec {
    fn kind(&self) -> CodecKind {
        CodecKind::G729
    }
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<usize, CodecError> {
        if pcm.len() % 80 != 0 {
            return Err(CodecError::FrameLength {
                codec: "G729",
                len: pcm.len(),
                unit: 80,
            });
        }
        for frame in pcm.chunks_exact(80) {
            let frame: &[i16; 80] = frame.try_into().expect("80 samples");
            out.extend_from_slice(&self.enc.encode(frame));
        }
        Ok(pcm.len() / 80 * G729_FRAME)
    }
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> Result<usize, CodecError> {
        if payload.is_empty() {
            return Err(CodecError::EmptyPayload { codec: "G729" });
        }
        let rest = payload.len() % G729_FRAME;
        if rest != 0 && rest != 2 {
            return Err(CodecError::PayloadLength {
                codec: "G729",
                len: payload.len(),
            });
        }
        let mut pcm = [0i16; 80];
        for frame in payload.chunks_exact(G729_FRAME) {
            let frame: &[u8; G729_FRAME] = frame.try_into().expect("10 octets");
            self.dec.decode_frame(frame, false, &mut pcm);
            out.extend_from_slice(&pcm);
        }
        if rest == 2 {
            let sid: &[u8; 2] = payload[payload.len() - 2..].try_into().expect("2 octets");
            self.dec.decode_sid(sid, &mut pcm);
            out.extend_from_slice(&pcm);
        }
        Ok(CodecKind::G729.payload_samples(payload.len()))
    }
    /// Conceals in whole 10 ms decoder frames; a request that is no
    /// multiple of 80 samples gets the start of the last concealed frame.
    /// After speech this is the G.729 erasure concealment (§4.4); after a
    /// SID frame (a DTX period, Annex B B.5) the comfort noise goes on.
    fn conceal(&mut self, samples: usize, out: &mut Vec<i16>) {
        let mut pcm = [0i16; 80];
        let mut left = samples;
        while left > 0 {
            self.dec.decode_erased(&mut pcm);
            let n = left.min(80);
            out.extend_from_slice(&pcm[..n]);
            left -= n;
        }
    }
}

/// Any codec of this crate, as one value (state is `Clone + Eq + Hash`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Codec {
    /// PCMU or PCMA.
    G711(G711Codec),
    /// G722.
    G722(Box<G722Codec>),
    /// G729 (Annex A, with the Annex B decoder).
    G729(Box<G729Codec>),
}

impl Codec {
    /// A fresh codec of `kind`.
    pub fn new(kind: CodecKind) -> Self {
        match kind {
            CodecKind::Pcmu => Codec::G711(G711Codec::new(Law::Ulaw)),
            CodecKind::Pcma => Codec::G711(G711Codec::new(Law::Alaw)),
            CodecKind::G722 => Codec::G722(Box::default()),
            CodecKind::G729 => Codec::G729(Box::default()),
        }
    }
    /// A fresh codec of `kind`; for G.729 with the negotiated `annexb`
    /// value (ignored by the other codecs).
    pub fn with_g729_annexb(kind: CodecKind, annexb: bool) -> Self {
        match kind {
            CodecKind::G729 => Codec::G729(Box::new(G729Codec::with_annexb(annexb))),
            _ => Codec::new(kind),
        }
    }
    fn inner(&mut self) -> &mut dyn AudioCodec {
        match self {
            Codec::G711(c) => c,
            Codec::G722(c) => c.as_mut(),
            Codec::G729(c) => c.as_mut(),
        }
    }
}

impl AudioCodec for Codec {
    fn kind(&self) -> CodecKind {
        match self {
            Codec::G711(c) => c.kind(),
            Codec::G722(c) => c.kind(),
            Codec::G729(c) => c.kind(),
        }
    }
    fn encode(&mut self, pcm: &[i16], out: &mut Vec<u8>) -> Result<usize, CodecError> {
        self.inner().encode(pcm, out)
    }
    fn decode(&mut self, payload: &[u8], out: &mut Vec<i16>) -> Result<usize, CodecError> {
        self.inner().decode(payload, out)
    }
    fn conceal(&mut self, samples: usize, out: &mut Vec<i16>) {
        self.inner().conceal(samples, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_sizes_and_clocks() {
        assert_eq!(CodecKind::Pcmu.frame_samples(20), 160);
        assert_eq!(CodecKind::G722.frame_samples(20), 320);
        // RFC 3551 4.5.2: G.722's RTP clock is 8000 Hz
        assert_eq!(CodecKind::G722.frame_ticks(20), 160);
        assert_eq!(CodecKind::G722.payload_ticks(160), 160);
        assert_eq!(CodecKind::from_rtpmap("g722", 8000), Some(CodecKind::G722));
        assert_eq!(CodecKind::from_rtpmap("PCMA", 16000), None);
        assert_eq!(
            CodecKind::from_static_payload_type(0),
            Some(CodecKind::Pcmu)
        );
    }

    #[test]
    fn g729_frames_payloads_and_concealment() {
        let k = CodecKind::G729;
        assert_eq!(CodecKind::from_static_payload_type(18), Some(k));
        assert_eq!(CodecKind::from_rtpmap("g729", 8000), Some(k));
        assert_eq!(k.frame_samples(20), 160);
        assert_eq!(k.frame_ticks(20), 160);
        assert_eq!(k.payload_samples(20), 160);
        assert_eq!(k.payload_samples(22), 240); // two speech frames + SID
        assert_eq!(k.payload_ticks(10), 80);

        let mut c = Codec::new(k);
        let mut direct = G729Decoder::new();
        let pcm: Vec<i16> = (0..800)
            .map(|i| ((i as f64 * 0.07).sin() * 6000.0) as i16)
            .collect();
        let mut decoded = Vec::new();
        let mut expect = Vec::new();
        for f in pcm.chunks(160) {
            let mut payload = Vec::new();
            assert_eq!(c.encode(f, &mut payload).unwrap(), 20);
            assert_eq!(k.payload_samples(payload.len()), 160);
            assert_eq!(c.decode(&payload, &mut decoded).unwrap(), 160);
            let mut o = [0i16; 80];
            for fr in payload.chunks_exact(10) {
                direct.decode_frame(fr.try_into().unwrap(), false, &mut o);
                expect.extend_from_slice(&o);
            }
        }
        assert_eq!(decoded, expect);
        // The codec reproduces the input's energy (it is lossy and delayed).
        let e_in: f64 = pcm[400..].iter().map(|&v| f64::from(v).powi(2)).sum();
        let e_out: f64 = decoded[400..].iter().map(|&v| f64::from(v).powi(2)).sum();
        assert!(e_out > e_in / 4.0 && e_out < e_in * 4.0, "{e_in} {e_out}");

        let mut lost = Vec::new();
        c.conceal(160, &mut lost);
        assert_eq!(lost.len(), 160);
        let mut sid = Vec::new();
        assert_eq!(c.decode(&[0u8; 12], &mut sid).unwrap(), 160);
        assert_eq!(sid.len(), 160);
        assert!(matches!(
            c.decode(&[0u8; 7], &mut sid),
            Err(CodecError::PayloadLength { len: 7, .. })
        ));
        assert!(c.encode(&[0i16; 100], &mut Vec::new()).is_err());
        assert!(c.decode(&[], &mut sid).is_err());
    }

    #[test]
    fn g729_sid_frames_give_comfort_noise_and_losses_in_dtx_continue_it() {
        let mut c = Codec::with_g729_annexb(CodecKind::G729, true);
        assert!(matches!(&c, Codec::G729(g) if g.annexb()));
        let pcm: Vec<i16> = (0..400)
            .map(|i| ((i as f64 * 0.07).sin() * 3000.0) as i16)
            .collect();
        let mut out = Vec::new();
        for f in pcm.chunks(80) {
            let mut p = Vec::new();
            c.encode(f, &mut p).unwrap();
            c.decode(&p, &mut out).unwrap();
        }
        // A SID alone (RFC 3551 Figure 5: tstseq1a frame 0), then a speech
        // frame followed by a SID in one payload.
        let mut noise = Vec::new();
        assert_eq!(c.decode(&[0x34, 0x40], &mut noise).unwrap(), 80);
        // After a SID the decoder is in a DTX period: losses are noise frames.
        for _ in 0..10 {
            c.conceal(80, &mut noise);
        }
        assert_eq!(noise.len(), 880);
        let e: f64 = noise.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / 880.0;
        assert!(
            e > 0.0 && e.sqrt() < 2000.0,
            "comfort noise rms {}",
            e.sqrt()
        );
        let mut g = match &c {
            Codec::G729(g) => g.dec.clone(),
            _ => unreachable!(),
        };
        assert_eq!(g.last_frame_type(), crate::g729::annexb::FrameType::NoTx);
        let mut o = [0i16; 80];
        g.decode_sid(&[0x34, 0x40], &mut o);
        assert_eq!(g.last_frame_type(), crate::g729::annexb::FrameType::Sid);
        let mut both = Vec::new();
        assert_eq!(c.decode(&[0u8; 12], &mut both).unwrap(), 160);
    }

    #[test]
    fn every_codec_round_trips_a_frame() {
        for kind in [CodecKind::Pcmu, CodecKind::Pcma, CodecKind::G722] {
            let mut c = Codec::new(kind);
            let n = kind.frame_samples(20);
            let pcm: Vec<i16> = (0..n * 10)
                .map(|i| ((i as f64 * 0.05).sin() * 6000.0) as i16)
                .collect();
            let mut decoded = Vec::new();
            for f in pcm.chunks(n) {
                let mut payload = Vec::new();
                let len = c.encode(f, &mut payload).unwrap();
                assert_eq!(kind.payload_samples(len), n);
                c.decode(&payload, &mut decoded).unwrap();
            }
            assert_eq!(decoded.len(), pcm.len());
            // compare the last frame, allowing for codec delay and noise
            let delay = if kind == CodecKind::G722 { 22 } else { 0 };
            let err: f64 = pcm[pcm.len() - n..]
                .iter()
                .zip(&decoded[decoded.len() - n + delay..])
                .map(|(a, b)| f64::from(a - b).powi(2))
                .sum::<f64>()
                / n as f64;
            assert!(err.sqrt() < 600.0, "{kind:?} rms error {}", err.sqrt());
            let mut lost = Vec::new();
            c.conceal(n, &mut lost);
            assert_eq!(lost.len(), n);
            assert!(c.decode(&[], &mut lost).is_err());
        }
    }
}
