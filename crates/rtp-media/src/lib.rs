//! Sans-IO media for the SIP handset: RTP/RTCP (RFC 3550/3551), receiver
//! statistics, G.711 with run-time selected SIMD, G.722, RFC 4733
//! telephone events, an adaptive jitter buffer with loss concealment,
//! comfort noise (RFC 3389), a 3-way mixer and the per-call
//! [`MediaSession`](session::MediaSession).
//!
//! Nothing here reads a clock, opens a socket or spawns a thread: time and
//! random seeds are inputs.

pub mod cn;
pub mod codec;
pub mod dtmf;
pub mod g711;
pub mod g722;
pub mod jitter;
pub mod mixer;
pub mod plc;
pub mod rtcp;
pub mod rtp;
pub mod session;
pub mod stats;
