//! Sans-IO media for the SIP handset: RTP/RTCP (RFC 3550/3551), receiver
//! statistics, G.711 with run-time selected SIMD, G.722, RFC 4733
//! telephone events, an adaptive jitter buffer with loss concealment,
//! comfort noise (RFC 3389), a 3-way mixer and the per-call
//! [`MediaSession`](session::MediaSession).
//!
//! Nothing here reads a clock, opens a socket or spawns a thread: time
//! (milliseconds of the driver's monotonic clock) and random seeds are
//! inputs, and every state type is `Clone + Eq + Hash + Debug`.
//!
//! | module | what | reference |
//! |---|---|---|
//! | [`rtp`] | zero-copy packet view and writer | RFC 3550 §5.1, §5.3.1 |
//! | [`rtcp`] | SR, RR, SDES CNAME, BYE, compound packets | RFC 3550 §6, A.2 |
//! | [`stats`] | sequence validation, loss, jitter | RFC 3550 A.1, A.3, A.8 |
//! | [`g711`] | µ-law/A-law, scalar + SSE2/AVX2/NEON | ITU-T G.711, G.191 |
//! | [`g722`] | SB-ADPCM with QMF, modes 1-3 | ITU-T G.722, Appendix II |
//! | [`codec`] | the codec trait and frame sizes | RFC 3551 §4.5 |
//! | [`plc`] | pitch-repetition concealment | G.711 Appendix I (in spirit) |
//! | [`cn`] | comfort-noise decoding | RFC 3389 |
//! | [`dtmf`] | telephone-event sender and receiver | RFC 4733 |
//! | [`jitter`] | adaptive jitter buffer | – |
//! | [`mixer`] | 3-way mix-minus with limiter | – |
//! | [`session`] | per-call media state machine | RFC 3550 §6.2, A.7 |
//!
//! ```
//! use rtp_media::codec::CodecKind;
//! use rtp_media::session::{MediaConfig, MediaOutput, MediaSession, TransmitKind};
//!
//! let mut cfg = MediaConfig::new(CodecKind::Pcmu, 0, "alice@example.com", 42);
//! cfg.telephone_event_pt = Some(101);
//! let mut alice = MediaSession::new(cfg);
//! let mut bob = MediaSession::new(MediaConfig::new(CodecKind::Pcmu, 0, "bob@example.com", 7));
//! let mic = vec![0i16; alice.frame_samples()];
//! let mut speaker = vec![0i16; bob.frame_samples()];
//! for tick in 0..10u64 {
//!     let now = tick * 20;
//!     alice.send_audio(now, &mic).unwrap();
//!     alice.handle_timeout(now);
//!     while let Some(out) = alice.poll_output() {
//!         if let MediaOutput::Transmit(t) = out {
//!             assert_eq!(t.dscp, 46); // the driver sets EF on the socket
//!             match t.kind {
//!                 TransmitKind::Rtp => bob.receive_rtp(now + 25, &t.data).unwrap(),
//!                 TransmitKind::Rtcp => bob.receive_rtcp(now + 25, &t.data).unwrap(),
//!             }
//!         }
//!     }
//!     bob.pull_audio(now, &mut speaker);
//! }
//! assert_eq!(bob.stats().remote_ssrc, Some(alice.ssrc()));
//! ```

pub mod cn;
pub mod codec;
pub mod dtmf;
pub mod g711;
pub mod g722;
pub mod g729;
pub mod jitter;
pub mod mixer;
pub mod plc;
pub mod rtcp;
pub mod rtp;
pub mod session;
pub mod stats;
