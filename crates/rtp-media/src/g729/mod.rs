//! ITU-T G.729 Annex A (CS-ACELP, 8 kbit/s, 10 ms frames of 80 samples),
//! with the Annex B decoder (SID frames, comfort noise, DTX).
//!
//! Bit-exact fixed-point implementation: every computation follows the
//! arithmetic sequence of the Recommendation (its fixed-point C description
//! is normative), expressed with the operators of [`basic_op`].
//!
//! | module | what | reference |
//! |---|---|---|
//! | [`basic_op`] | ITU fixed-point operators, per-instance overflow flag | G.729 §5, basic operators |
//! | [`tables`] | constant tables and `#define`s (generated) | G.729 / Annex A tables |
//! | [`util`] | Log2, Pow2, Inv_sqrt, Random | G.729 §3.9, §4.4 |
//! | [`lsp`] | LSP dequantisation, LSF↔LSP, LSP→LP, interpolation | §3.2.3–3.2.6, §4.1.1, A.3.2 |
//! | [`filter`] | synthesis, residual, convolution, A(z/γ) | §3.6, §3.10, §4.1.6 |
//! | [`pitch_common`] | fractional long-term prediction, lag decoding, parity | §3.7, §4.1.2–4.1.3 |
//! | [`gain_common`] | MA gain prediction and its memory | §3.9.1, §4.4.2 |
//! | [`bits`] | parameters ⇄ RFC 3551 octets, ITU serial format | §3.10 Table 8, RFC 3551 §4.5.6 |
//! | [`decoder`] | the Annex A decoder with concealment | §4, §4.4, Annex A A.4 |
//! | [`postfilter`] | Annex A post-filter and post-processing | A.4.2, §4.3 |
//! | [`encoder`] | the Annex A encoder | G.729 §3, Annex A A.3 |
//! | [`annexb`] | Annex B: SID frames, comfort noise, DTX decoding | Annex B B.4–B.5 |
//!
//! ```
//! use rtp_media::g729::G729Decoder;
//!
//! let mut dec = G729Decoder::new();
//! let mut pcm = [0i16; 80];
//! // One 10-octet RTP frame (RFC 3551 §4.5.6) → 10 ms of 8 kHz audio.
//! dec.decode_frame(&[0x1a, 0xc1, 0x00, 0xa0, 0x00, 0xfa, 0xc2, 0xff, 0xfd, 0x50], false, &mut pcm);
//! // A lost packet: the decoder conceals it (G.729 §4.4).
//! dec.decode_erased(&mut pcm);
//! // Annex B: a 2-octet SID frame starts comfort noise (B.5), which goes on
//! // through the DTX gap (no packets) and through losses inside it.
//! dec.decode_sid(&[0x34, 0x40], &mut pcm);
//! dec.decode_no_tx(&mut pcm);
//! dec.decode_erased(&mut pcm);
//! ```

// DSP loops index several arrays with the same sample index, as the
// Recommendation's equations do; iterator rewrites would obscure them.
#![allow(clippy::needless_range_loop)]
pub mod annexb;
pub mod basic_op;
pub mod bits;
pub mod decoder;
pub mod encoder;
pub mod filter;
pub mod gain_common;
pub mod lsp;
pub mod pitch_common;
pub mod postfilter;
mod simd;
pub mod tables;
pub mod util;

pub use bits::{Params, SerialError, SerialFrame, SerialReader};
pub use decoder::G729Decoder;
