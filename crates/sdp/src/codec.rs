//! The audio codecs the handset speaks and how SDP names them
//! (RFC 3551 section 6 table 4, RFC 4733, RFC 4856 section 2.1.9).
//!
//! A format in an `m=` line is identified by its `a=rtpmap` when there is one
//! (encoding names compare case-insensitively), else by the RFC 3551 static
//! payload type table: 0 PCMU, 8 PCMA, 9 G722, 18 G729, all with an 8000 Hz
//! RTP clock. G.722 keeps the 8000 Hz clock RFC 1890 assigned by mistake
//! (RFC 3551 section 4.5.2) even though it samples at 16 kHz. `G7221`
//! (G.722.1, e.g. `a=rtpmap:102 G7221/16000`) is a different codec and never
//! matches G.722.

use std::fmt;
use std::str::FromStr;

use crate::session::Media;

/// A voice codec this crate can negotiate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Codec {
    /// G.711 µ-law, static payload type 0.
    Pcmu,
    /// G.711 A-law, static payload type 8.
    Pcma,
    /// G.729 / G.729A, static payload type 18.
    G729,
    /// G.722 (64 kbit/s, 16 kHz audio, 8000 Hz RTP clock), static payload type 9.
    G722,
}

impl Codec {
    /// Every codec, in the order used to break priority ties.
    pub const ALL: [Codec; 4] = [Codec::Pcmu, Codec::Pcma, Codec::G729, Codec::G722];

    /// The RFC 3551 static payload type.
    pub const fn static_payload_type(self) -> u8 {
        match self {
            Self::Pcmu => 0,
            Self::Pcma => 8,
            Self::G729 => 18,
            Self::G722 => 9,
        }
    }

    /// The `a=rtpmap` encoding name.
    pub const fn encoding_name(self) -> &'static str {
        match self {
            Self::Pcmu => "PCMU",
            Self::Pcma => "PCMA",
            Self::G729 => "G729",
            Self::G722 => "G722",
        }
    }

    /// The RTP clock rate (8000 Hz for all four, G.722 included).
    pub const fn clock_rate(self) -> u32 {
        8000
    }

    /// The codec a static payload type stands for without an `a=rtpmap`.
    pub fn from_static_payload_type(pt: u8) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.static_payload_type() == pt)
    }

    /// The codec an `a=rtpmap` encoding names, checking the clock rate and
    /// that the stream is mono.
    pub fn from_rtpmap(encoding: &str, clock_rate: u32, channels: Option<u16>) -> Option<Self> {
        if channels != Some(1) {
            return None;
        }
        Self::ALL.into_iter().find(|c| {
            c.encoding_name().eq_ignore_ascii_case(encoding) && c.clock_rate() == clock_rate
        })
    }

    /// The short name used in configuration (`pcmu`, `pcma`, `g729`, `g722`).
    pub const fn config_name(self) -> &'static str {
        match self {
            Self::Pcmu => "pcmu",
            Self::Pcma => "pcma",
            Self::G729 => "g729",
            Self::G722 => "g722",
        }
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encoding_name())
    }
}

/// What one format of an `m=` line is, as far as the negotiator cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FormatKind {
    /// A voice codec we know.
    Voice(Codec),
    /// `telephone-event` (RFC 4733) at this clock rate.
    TelephoneEvent(u32),
    /// Anything else (iLBC, Opus, G7221, CN, a video codec, ...).
    Other,
}

/// Identifies payload type `pt` of a media description.
pub fn identify(media: &Media<'_>, pt: u8) -> FormatKind {
    match media.rtpmap(pt) {
        Some(r) => {
            if r.encoding.eq_ignore_ascii_case("telephone-event") {
                FormatKind::TelephoneEvent(r.clock_rate)
            } else {
                Codec::from_rtpmap(r.encoding, r.clock_rate, r.channels())
                    .map_or(FormatKind::Other, FormatKind::Voice)
            }
        }
        None if pt < 96 => {
            Codec::from_static_payload_type(pt).map_or(FormatKind::Other, FormatKind::Voice)
        }
        None => FormatKind::Other,
    }
}

/// Codec priorities as the handset configures them (Spectralink/MiVoice
/// guide, chapter 2.8): 0 disables a codec, 1 is the highest priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CodecPriorities {
    /// G.711µ.
    pub pcmu: u8,
    /// G.711a.
    pub pcma: u8,
    /// G.729A.
    pub g729: u8,
    /// G.722.
    pub g722: u8,
}

impl Default for CodecPriorities {
    /// The handset defaults: G.711u = 1, G.711a = 2, G.729A = 0, G.722 = 0.
    fn default() -> Self {
        Self {
            pcmu: 1,
            pcma: 2,
            g729: 0,
            g722: 0,
        }
    }
}

impl CodecPriorities {
    /// The priority of a codec (0 = disabled).
    pub fn get(&self, codec: Codec) -> u8 {
        match codec {
            Codec::Pcmu => self.pcmu,
            Codec::Pcma => self.pcma,
            Codec::G729 => self.g729,
            Codec::G722 => self.g722,
        }
    }

    /// Sets the priority of a codec.
    pub fn set(&mut self, codec: Codec, priority: u8) {
        match codec {
            Codec::Pcmu => self.pcmu = priority,
            Codec::Pcma => self.pcma = priority,
            Codec::G729 => self.g729 = priority,
            Codec::G722 => self.g722 = priority,
        }
    }

    /// Whether a codec is enabled.
    pub fn enabled(&self, codec: Codec) -> bool {
        self.get(codec) != 0
    }

    /// The enabled codecs, highest priority first (ties in [`Codec::ALL`] order).
    pub fn ordered(&self) -> Vec<Codec> {
        let mut v: Vec<Codec> = Codec::ALL
            .into_iter()
            .filter(|&c| self.enabled(c))
            .collect();
        v.sort_by_key(|&c| self.get(c));
        v
    }
}

/// A `pcmu=1,pcma=2,g729=0,g722=0` list could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad codec priority list: {0}")]
pub struct CodecListError(pub String);

impl FromStr for CodecPriorities {
    type Err = CodecListError;

    /// Reads `name=priority` pairs separated by commas, starting from all
    /// codecs disabled; names are `pcmu`, `pcma`, `g729`, `g722`.
    fn from_str(s: &str) -> Result<Self, CodecListError> {
        let mut p = Self {
            pcmu: 0,
            pcma: 0,
            g729: 0,
            g722: 0,
        };
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (name, prio) = item
                .split_once('=')
                .ok_or_else(|| CodecListError(format!("`{item}` is not name=priority")))?;
            let codec = Codec::ALL
                .into_iter()
                .find(|c| c.config_name().eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| CodecListError(format!("unknown codec `{name}`")))?;
            let prio = prio
                .trim()
                .parse()
                .map_err(|_| CodecListError(format!("bad priority in `{item}`")))?;
            p.set(codec, prio);
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SessionDescription;

    #[test]
    fn static_and_dynamic_identification() {
        let sdp = SessionDescription::parse(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n\
             m=audio 4000 RTP/AVP 0 8 18 9 102 101 97 96\r\n\
             a=rtpmap:102 G7221/16000\r\na=fmtp:102 bitrate=32000\r\n\
             a=rtpmap:101 telephone-event/8000\r\na=rtpmap:97 pcma/8000\r\n\
             a=rtpmap:96 G722/8000/2\r\n",
        )
        .unwrap();
        let m = sdp.media().next().unwrap();
        assert_eq!(identify(&m, 0), FormatKind::Voice(Codec::Pcmu));
        assert_eq!(identify(&m, 8), FormatKind::Voice(Codec::Pcma));
        assert_eq!(identify(&m, 18), FormatKind::Voice(Codec::G729));
        assert_eq!(identify(&m, 9), FormatKind::Voice(Codec::G722));
        // G.722.1 is not G.722.
        assert_eq!(identify(&m, 102), FormatKind::Other);
        assert_eq!(identify(&m, 101), FormatKind::TelephoneEvent(8000));
        assert_eq!(identify(&m, 97), FormatKind::Voice(Codec::Pcma));
        // stereo G722 is not what we speak
        assert_eq!(identify(&m, 96), FormatKind::Other);
        assert_eq!(Codec::from_rtpmap("G722", 16000, Some(1)), None);
        assert_eq!(Codec::G722.clock_rate(), 8000);
    }

    #[test]
    fn priorities() {
        let p = CodecPriorities::default();
        assert_eq!(p.ordered(), vec![Codec::Pcmu, Codec::Pcma]);
        let p: CodecPriorities = "pcmu=2,pcma=0,g729=1,g722=3".parse().unwrap();
        assert_eq!(p.ordered(), vec![Codec::G729, Codec::Pcmu, Codec::G722]);
        assert!("opus=1".parse::<CodecPriorities>().is_err());
        assert!("pcmu".parse::<CodecPriorities>().is_err());
    }
}
