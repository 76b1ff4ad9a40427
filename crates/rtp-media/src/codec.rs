//! The codec interface shared by G.711, G.722 and (later) G.729.
//!
//! A codec turns a frame of PCM into an RTP payload, an RTP payload back
//! into PCM, and conceals a lost frame. Frames are `ptime` long; the number
//! of samples depends on the audio rate ([`CodecKind::sample_rate`]), the
//! RTP timestamp advance on the RTP clock ([`CodecKind::rtp_clock_rate`]),
//! and the two differ for G.722 (RFC 3551 section 4.5.2).
//!
//! G.729 fits the same shape: 10 ms frames of 80 samples, 10-octet speech
//! frames and a 2-octet SID in one payload (RFC 3551 section 4.5.6), and
//! concealment by the decoder's own erasure handling.

use crate::g711::{self, Law};
use crate::g722::{G722Decoder, G722Encoder, Mode};
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
}

impl CodecKind {
    /// The SDP encoding name (RFC 3551 Table 4).
    pub fn encoding_name(self) -> &'static str {
        match self {
            CodecKind::Pcmu => "PCMU",
            CodecKind::Pcma => "PCMA",
            CodecKind::G722 => "G722",
        }
    }
    /// The static RTP payload type (RFC 3551 Table 4).
    pub fn static_payload_type(self) -> u8 {
        match self {
            CodecKind::Pcmu => 0,
            CodecKind::Pcma => 8,
            CodecKind::G722 => 9,
        }
    }
    /// Audio sampling rate in Hz.
    pub fn sample_rate(self) -> u32 {
        match self {
            CodecKind::G722 => 16000,
            _ => 8000,
        }
    }
    /// RTP timestamp clock rate in Hz: 8000 for all three, G.722 included
    /// (RFC 3551 section 4.5.2).
    pub fn rtp_clock_rate(self) -> u32 {
        8000
    }
    /// Looks a codec up by SDP encoding name (case-insensitive) and clock.
    pub fn from_rtpmap(name: &str, clock: u32) -> Option<Self> {
        [CodecKind::Pcmu, CodecKind::Pcma, CodecKind::G722]
            .into_iter()
            .find(|k| k.encoding_name().eq_ignore_ascii_case(name) && k.rtp_clock_rate() == clock)
    }
    /// Looks a codec up by static payload type.
    pub fn from_static_payload_type(pt: u8) -> Option<Self> {
        [CodecKind::Pcmu, CodecKind::Pcma, CodecKind::G722]
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
    /// PCM samples a payload of `len` octets decodes to.
    pub fn payload_samples(self, len: usize) -> usize {
        match self {
            CodecKind::G722 => 2 * len,
            _ => len,
        }
    }
    /// RTP timestamp units covered by a payload of `len` octets.
    pub fn payload_ticks(self, len: usize) -> u32 {
        len as u32 // one octet per RTP tick for all three (8 kHz clock)
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

/// Any codec of this crate, as one value (state is `Clone + Eq + Hash`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Codec {
    /// PCMU or PCMA.
    G711(G711Codec),
    /// G722.
    G722(Box<G722Codec>),
}

impl Codec {
    /// A fresh codec of `kind`.
    pub fn new(kind: CodecKind) -> Self {
        match kind {
            CodecKind::Pcmu => Codec::G711(G711Codec::new(Law::Ulaw)),
            CodecKind::Pcma => Codec::G711(G711Codec::new(Law::Alaw)),
            CodecKind::G722 => Codec::G722(Box::default()),
        }
    }
    fn inner(&mut self) -> &mut dyn AudioCodec {
        match self {
            Codec::G711(c) => c,
            Codec::G722(c) => c.as_mut(),
        }
    }
}

impl AudioCodec for Codec {
    fn kind(&self) -> CodecKind {
        match self {
            Codec::G711(c) => c.kind(),
            Codec::G722(c) => c.kind(),
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
