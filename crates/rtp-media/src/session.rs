//! Per-call media state: [`MediaSession`], Sans-IO.
//!
//! Built from the negotiated SDP summary ([`MediaConfig`]: codec, payload
//! type, ptime, telephone-event and CN payload types, our direction). The
//! driver feeds it:
//!
//! * capture frames ([`MediaSession::send_audio`]): one RTP packet per
//!   frame, or an RFC 4733 event packet while a digit is being sent;
//!   nothing while our direction is `recvonly`/`inactive`;
//! * received datagrams ([`MediaSession::receive_rtp`],
//!   [`MediaSession::receive_rtcp`]): telephone events go to the DTMF
//!   receiver, audio and CN to the jitter buffer and the RFC 3550
//!   statistics;
//! * the audio clock ([`MediaSession::pull_audio`]) and timer expiry
//!   ([`MediaSession::handle_timeout`]).
//!
//! and drains [`MediaSession::poll_output`]: transmits (each marked DSCP 46,
//! Expedited Forwarding, for the driver to apply) and events (DTMF
//! received, remote SSRC change, statistics, BYE). RTCP SR/RR with SDES
//! CNAME go out at the RFC 3550 section 6.2 interval (appendix A.7),
//! randomised from the seed.

use crate::codec::{AudioCodec, Codec, CodecError, CodecKind};
use crate::dtmf::{DtmfError, DtmfEvent, DtmfReceiver, DtmfSender};
use crate::g729::bits::FRAME_OCTETS as G729_FRAME;
use crate::jitter::{JitterBuffer, JitterConfig, JitterMetrics, Playout};
use crate::rtcp::{self, RtcpError, RtcpPacket, SenderInfo};
use crate::rtp::{RtpError, RtpHeader, RtpPacket};
use crate::stats::ReceiverStats;
use std::collections::VecDeque;
use thiserror::Error;

/// DSCP for voice: Expedited Forwarding (RFC 3246).
pub const DSCP_EF: u8 = 46;

/// Our media direction (RFC 3264 section 5.1 / RFC 4566 attributes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// Send and receive.
    #[default]
    SendRecv,
    /// Send only (e.g. we put the call on hold with music).
    SendOnly,
    /// Receive only (the far end put us on hold).
    RecvOnly,
    /// Neither.
    Inactive,
}

impl Direction {
    /// Whether we may send RTP.
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }
    /// Whether we play what we receive.
    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }
}

/// The negotiated media of one call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaConfig {
    /// Audio codec.
    pub codec: CodecKind,
    /// Its payload type.
    pub payload_type: u8,
    /// Packet time (ms).
    pub ptime_ms: u32,
    /// `telephone-event` payload type, if negotiated.
    pub telephone_event_pt: Option<u8>,
    /// `CN` payload type, if negotiated.
    pub cn_payload_type: Option<u8>,
    /// Our direction.
    pub direction: Direction,
    /// SDES CNAME.
    pub cname: String,
    /// Seed for SSRC, initial sequence number and timestamp, RTCP timing,
    /// comfort noise.
    pub seed: u64,
    /// DSCP to mark every transmit with.
    pub dscp: u8,
    /// G.729 Annex B negotiated (`a=fmtp:18 annexb=yes` or no fmtp);
    /// ignored by the other codecs.
    pub g729_annexb: bool,
    /// Offset added to `now` (ms) to form the NTP timestamp of sender
    /// reports (the driver knows the wall clock; we do not).
    pub ntp_offset_ms: u64,
}

impl MediaConfig {
    /// A configuration with 20 ms ptime, DSCP 46, sendrecv.
    pub fn new(codec: CodecKind, payload_type: u8, cname: impl Into<String>, seed: u64) -> Self {
        Self {
            codec,
            payload_type,
            ptime_ms: 20,
            telephone_event_pt: None,
            cn_payload_type: None,
            direction: Direction::SendRecv,
            cname: cname.into(),
            seed,
            dscp: DSCP_EF,
            ntp_offset_ms: 0,
            g729_annexb: false,
        }
    }

    /// The configuration of a call from the result of the SDP offer/answer
    /// ([`sdp::MediaParams`]): codec (G.729 with its `annexb` value
    /// included), payload type, ptime, telephone-event payload type and
    /// direction (we only send if the peer receives).
    ///
    /// One payload type serves both directions here: the one we send with.
    /// All our codecs have static payload types, so the peer's numbering
    /// and ours agree for audio.
    pub fn from_negotiated(p: &sdp::MediaParams, cname: impl Into<String>, seed: u64) -> Self {
        let codec = match p.codec {
            sdp::Codec::Pcmu => CodecKind::Pcmu,
            sdp::Codec::Pcma => CodecKind::Pcma,
            sdp::Codec::G722 => CodecKind::G722,
            sdp::Codec::G729 => CodecKind::G729,
        };
        let sends = p.local_direction.sends() && p.remote_direction.receives();
        let receives = p.local_direction.receives();
        let mut cfg = Self::new(codec, p.payload_type, cname, seed);
        // G.729 packs whole 10 ms frames (RFC 3551 section 4.5.6).
        cfg.ptime_ms = if codec == CodecKind::G729 {
            (p.ptime / 10).max(1) * 10
        } else {
            p.ptime.max(1)
        };
        cfg.telephone_event_pt = p.telephone_event;
        cfg.direction = match (sends, receives) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        };
        cfg.g729_annexb = codec == CodecKind::G729 && p.g729_annexb;
        cfg
    }
}

/// What a transmit carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransmitKind {
    /// RTP, to the remote RTP address.
    Rtp,
    /// RTCP, to the remote RTCP address.
    Rtcp,
}

/// A datagram for the driver to send.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Transmit {
    /// RTP or RTCP.
    pub kind: TransmitKind,
    /// DSCP to set on the socket (46 = EF).
    pub dscp: u8,
    /// The datagram.
    pub data: Vec<u8>,
}

/// Reception and transmission figures.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MediaStats {
    /// Our SSRC.
    pub ssrc: u32,
    /// RTP packets sent.
    pub packets_sent: u32,
    /// Payload octets sent.
    pub octets_sent: u32,
    /// Current remote SSRC.
    pub remote_ssrc: Option<u32>,
    /// Packets received (RFC 3550 A.1 counting).
    pub packets_received: u32,
    /// Cumulative lost (A.3).
    pub cumulative_lost: i32,
    /// Interarrival jitter in RTP units (A.8).
    pub jitter: u32,
    /// Round-trip time from the last RR about us (ms).
    pub rtt_ms: Option<u32>,
    /// Fraction lost the far end reported about us (1/256).
    pub remote_fraction_lost: Option<u8>,
    /// Jitter-buffer metrics.
    pub jitter_buffer: JitterMetrics,
}

/// Something the application should know.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MediaEvent {
    /// A telephone event started (reported once per press).
    DtmfBegin(DtmfEvent),
    /// A telephone event ended, with its duration (reported once).
    DtmfReceived(DtmfEvent),
    /// The remote SSRC changed (`old` is `None` for the first one).
    RemoteSsrcChanged {
        /// Previous SSRC.
        old: Option<u32>,
        /// New SSRC.
        new: u32,
    },
    /// The far end sent BYE.
    RemoteBye {
        /// SSRCs leaving.
        ssrcs: Vec<u32>,
    },
    /// Periodic statistics (with every RTCP report sent).
    Statistics(MediaStats),
}

/// Output of the session.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MediaOutput {
    /// Send a datagram.
    Transmit(Transmit),
    /// Tell the application.
    Event(MediaEvent),
}

/// Why an input was refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Error)]
pub enum MediaError {
    /// Malformed RTP.
    #[error("RTP: {0}")]
    Rtp(#[from] RtpError),
    /// Malformed RTCP.
    #[error("RTCP: {0}")]
    Rtcp(#[from] RtcpError),
    /// Malformed telephone event.
    #[error("telephone-event: {0}")]
    Dtmf(#[from] DtmfError),
    /// A payload type that was not negotiated.
    #[error("RTP payload type {0} was not negotiated")]
    UnknownPayloadType(u8),
    /// Codec failure.
    #[error("codec: {0}")]
    Codec(#[from] CodecError),
    /// Telephone events were not negotiated.
    #[error("telephone-event was not negotiated")]
    NoTelephoneEvent,
    /// A capture frame of the wrong length.
    #[error("capture frame has {got} samples, expected {want}")]
    FrameLength {
        /// Given.
        got: usize,
        /// Expected.
        want: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Remote {
    ssrc: u32,
    stats: ReceiverStats,
}

/// At most this many outputs wait; older transmits are dropped beyond it.
const MAX_OUTPUTS: usize = 1024;

/// Per-call media state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaSession {
    cfg: MediaConfig,
    encoder: Codec,
    ssrc: u32,
    seq: u16,
    ts: u32,
    marker_next: bool,
    sent_since_report: bool,
    packets_sent: u32,
    octets_sent: u32,
    jb: JitterBuffer,
    dtmf_tx: DtmfSender,
    dtmf_rx: DtmfReceiver,
    remote: Option<Remote>,
    outputs: VecDeque<MediaOutput>,
    rng: u64,
    next_rtcp: Option<u64>,
    avg_rtcp_size: u32,
    /// (middle 32 bits of NTP, now) of our last SR, for RTT.
    last_sr_sent: Option<(u32, u64)>,
    rtt_ms: Option<u32>,
    remote_fraction_lost: Option<u8>,
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl MediaSession {
    /// A session for `cfg`.
    pub fn new(cfg: MediaConfig) -> Self {
        let mut rng = cfg.seed;
        let ssrc = splitmix(&mut rng) as u32;
        let seq = splitmix(&mut rng) as u16;
        let ts = splitmix(&mut rng) as u32;
        let mut jcfg = JitterConfig::new(cfg.codec, cfg.payload_type);
        jcfg.cn_payload_type = cfg.cn_payload_type;
        jcfg.frame_ms = cfg.ptime_ms;
        jcfg.seed = splitmix(&mut rng);
        Self {
            encoder: Codec::with_g729_annexb(cfg.codec, cfg.g729_annexb),
            ssrc,
            seq,
            ts,
            marker_next: true,
            sent_since_report: false,
            packets_sent: 0,
            octets_sent: 0,
            jb: JitterBuffer::new(jcfg),
            dtmf_tx: DtmfSender::new(cfg.codec.frame_ticks(cfg.ptime_ms)),
            dtmf_rx: DtmfReceiver::new(),
            remote: None,
            outputs: VecDeque::new(),
            rng,
            next_rtcp: None,
            avg_rtcp_size: 100,
            last_sr_sent: None,
            rtt_ms: None,
            remote_fraction_lost: None,
            cfg,
        }
    }

    /// Our SSRC.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// The configuration.
    pub fn config(&self) -> &MediaConfig {
        &self.cfg
    }

    /// PCM samples per capture/playout frame.
    pub fn frame_samples(&self) -> usize {
        self.cfg.codec.frame_samples(self.cfg.ptime_ms)
    }

    /// Changes our direction (hold / resume after a re-INVITE).
    pub fn set_direction(&mut self, d: Direction) {
        if d.sends() && !self.cfg.direction.sends() {
            self.marker_next = true;
        }
        self.cfg.direction = d;
    }

    fn push(&mut self, o: MediaOutput) {
        if self.outputs.len() >= MAX_OUTPUTS {
            if let Some(i) = self
                .outputs
                .iter()
                .position(|o| matches!(o, MediaOutput::Transmit(_)))
            {
                self.outputs.remove(i);
            } else {
                self.outputs.pop_front();
            }
        }
        self.outputs.push_back(o);
    }

    fn transmit(&mut self, kind: TransmitKind, data: Vec<u8>) {
        let dscp = self.cfg.dscp;
        self.push(MediaOutput::Transmit(Transmit { kind, dscp, data }));
    }

    /// Queues a DTMF digit (`0-9*#A-D`) of `duration_ms` at `volume`
    /// (-dBm0, 10 is typical).
    pub fn send_dtmf(
        &mut self,
        digit: char,
        duration_ms: u32,
        volume: u8,
    ) -> Result<bool, MediaError> {
        if self.cfg.telephone_event_pt.is_none() {
            return Err(MediaError::NoTelephoneEvent);
        }
        let Some(ev) = crate::dtmf::char_event(digit) else {
            return Ok(false);
        };
        // RFC 4733 durations are in the event clock (8000 Hz, G.722 too)
        let ticks = (self.cfg.codec.rtp_clock_rate() / 1000).saturating_mul(duration_ms);
        Ok(self.dtmf_tx.send(ev, volume, ticks))
    }

    /// One captured frame (`frame_samples` long) at `now`: produces an RTP
    /// packet if our direction allows sending (an event packet instead of
    /// audio while a digit is being sent).
    pub fn send_audio(&mut self, now: u64, pcm: &[i16]) -> Result<(), MediaError> {
        let want = self.frame_samples();
        if pcm.len() != want {
            return Err(MediaError::FrameLength {
                got: pcm.len(),
                want,
            });
        }
        self.schedule_rtcp(now);
        let frame_ticks = self.cfg.codec.frame_ticks(self.cfg.ptime_ms);
        if !self.cfg.direction.sends() {
            self.ts = self.ts.wrapping_add(frame_ticks);
            return Ok(());
        }
        let dtmf = match self.cfg.telephone_event_pt {
            Some(pt) => self.dtmf_tx.tick(self.ts).map(|ev| (ev, pt)),
            None => None,
        };
        if dtmf.is_none()
            && let Codec::G729(g) = &mut self.encoder
            && g.annexb()
        {
            return self.send_g729_dtx(pcm, frame_ticks);
        }
        let (marker, ts, pt) = match dtmf {
            Some((ev, pt)) => {
                self.marker_next = true; // audio after the event starts a talkspurt
                (ev.marker, ev.timestamp, pt)
            }
            None => (
                std::mem::replace(&mut self.marker_next, false),
                self.ts,
                self.cfg.payload_type,
            ),
        };
        let h = RtpHeader {
            marker,
            payload_type: pt,
            sequence: self.seq,
            timestamp: ts,
            ssrc: self.ssrc,
            ..Default::default()
        };
        // zero-copy build: header first, then the payload encoded in place
        let mut data = vec![0u8; h.header_len()];
        h.write_header(&mut data)?;
        let payload_len = match dtmf {
            Some((ev, _)) => {
                data.extend_from_slice(&ev.payload);
                ev.payload.len()
            }
            None => self.encoder.encode(pcm, &mut data)?,
        };
        self.seq = self.seq.wrapping_add(1);
        self.ts = self.ts.wrapping_add(frame_ticks);
        self.packets_sent = self.packets_sent.wrapping_add(1);
        self.octets_sent = self.octets_sent.wrapping_add(payload_len as u32);
        self.sent_since_report = true;
        self.transmit(TransmitKind::Rtp, data);
        Ok(())
    }

    /// One captured frame of G.729 with Annex B negotiated: the VAD and
    /// DTX decide per 10 ms whether speech, a SID frame or nothing goes
    /// out, and the frames are packed per RFC 3551 section 4.5.6: speech
    /// frames of consecutive 10 ms then at most one SID frame, last. A
    /// frame not transmitted ends the packet (the timestamp of a packet is
    /// that of its first frame, so a packet holds no gap); a frame period
    /// of nothing sends no packet at all. The first packet after a silence
    /// carries the marker bit (RFC 3551 section 4.1).
    fn send_g729_dtx(&mut self, pcm: &[i16], frame_ticks: u32) -> Result<(), MediaError> {
        let Codec::G729(g) = &mut self.encoder else {
            unreachable!("only called for G.729");
        };
        let mut payload = Vec::with_capacity(pcm.len() / 8);
        let mut lens = Vec::with_capacity(pcm.len() / 80);
        g.encode_dtx(pcm, &mut payload, &mut lens)?;
        // (timestamp, marker, octet range) of each packet to send.
        let mut packets: Vec<(u32, bool, std::ops::Range<usize>)> = Vec::new();
        let mut open: Option<(u32, bool, usize)> = None;
        let mut at = 0;
        for (i, &n) in lens.iter().enumerate() {
            let ts = self.ts.wrapping_add(80 * i as u32);
            if n == 0 {
                if let Some((t, m, start)) = open.take() {
                    packets.push((t, m, start..at));
                }
                self.marker_next = true;
                continue;
            }
            let (t, m, start) = *open.get_or_insert_with(|| {
                // Speech after silence starts a talkspurt; a SID does not.
                let m = n == G729_FRAME && std::mem::replace(&mut self.marker_next, false);
                (ts, m, at)
            });
            at += n;
            if n != G729_FRAME {
                // A SID frame is the last of its packet, and silence follows.
                packets.push((t, m, start..at));
                open = None;
                self.marker_next = true;
            }
        }
        if let Some((t, m, start)) = open {
            packets.push((t, m, start..at));
        }
        for (ts, marker, range) in packets {
            let h = RtpHeader {
                marker,
                payload_type: self.cfg.payload_type,
                sequence: self.seq,
                timestamp: ts,
                ssrc: self.ssrc,
                ..Default::default()
            };
            let mut data = vec![0u8; h.header_len()];
            h.write_header(&mut data)?;
            data.extend_from_slice(&payload[range.clone()]);
            self.seq = self.seq.wrapping_add(1);
            self.packets_sent = self.packets_sent.wrapping_add(1);
            self.octets_sent = self.octets_sent.wrapping_add(range.len() as u32);
            self.sent_since_report = true;
            self.transmit(TransmitKind::Rtp, data);
        }
        self.ts = self.ts.wrapping_add(frame_ticks);
        Ok(())
    }

    /// A received RTP datagram.
    pub fn receive_rtp(&mut self, now: u64, data: &[u8]) -> Result<(), MediaError> {
        let p = RtpPacket::parse(data)?;
        self.schedule_rtcp(now);
        let pt = p.payload_type();
        let is_te = self.cfg.telephone_event_pt == Some(pt);
        if !is_te && pt != self.cfg.payload_type && self.cfg.cn_payload_type != Some(pt) {
            return Err(MediaError::UnknownPayloadType(pt));
        }
        let ssrc = p.ssrc();
        if self.remote.as_ref().is_none_or(|r| r.ssrc != ssrc) {
            let old = self.remote.as_ref().map(|r| r.ssrc);
            if let Some(o) = old {
                self.dtmf_rx.forget(o);
            }
            self.remote = Some(Remote {
                ssrc,
                stats: ReceiverStats::new(p.sequence(), self.cfg.codec.rtp_clock_rate()),
            });
            self.push(MediaOutput::Event(MediaEvent::RemoteSsrcChanged {
                old,
                new: ssrc,
            }));
        }
        if let Some(r) = &mut self.remote {
            if is_te {
                // Every packet of an RFC 4733 event carries the event's
                // start timestamp (section 2.5.1.2), so its transit time
                // says nothing about the network: count it for loss, leave
                // it out of the RFC 3550 A.8 interarrival jitter.
                r.stats.update_seq(p.sequence());
            } else {
                r.stats.update(now, p.sequence(), p.timestamp());
            }
        }
        if is_te {
            let u = self.dtmf_rx.receive(ssrc, p.timestamp(), p.payload())?;
            if let Some(b) = u.began {
                self.push(MediaOutput::Event(MediaEvent::DtmfBegin(b)));
            }
            if let Some(e) = u.ended {
                self.push(MediaOutput::Event(MediaEvent::DtmfReceived(e)));
            }
            return Ok(());
        }
        if self.cfg.direction.receives() {
            self.jb.insert(now, &p);
        }
        Ok(())
    }

    /// Fills one playout frame at the audio clock.
    pub fn pull_audio(&mut self, now: u64, out: &mut [i16]) -> Playout {
        self.jb.pull(now, out)
    }

    /// A received RTCP datagram.
    pub fn receive_rtcp(&mut self, now: u64, data: &[u8]) -> Result<(), MediaError> {
        let pkts = rtcp::parse_compound(data)?;
        self.avg_rtcp_size = ((data.len() as u32 + 28) + 15 * self.avg_rtcp_size) / 16;
        for p in pkts {
            match p {
                RtcpPacket::SenderReport {
                    ssrc,
                    info,
                    reports,
                } => {
                    if let Some(r) = self.remote.as_mut().filter(|r| r.ssrc == ssrc) {
                        r.stats.on_sender_report(now, info.ntp);
                    }
                    self.on_reports(now, &reports);
                }
                RtcpPacket::ReceiverReport { reports, .. } => self.on_reports(now, &reports),
                RtcpPacket::Bye { ssrcs, .. } => {
                    self.push(MediaOutput::Event(MediaEvent::RemoteBye { ssrcs }))
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn ntp(&self, now: u64) -> u64 {
        let ms = now.saturating_add(self.cfg.ntp_offset_ms);
        ((ms / 1000) << 32) | (((ms % 1000) << 32) / 1000)
    }

    fn on_reports(&mut self, now: u64, reports: &[rtcp::ReportBlock]) {
        for b in reports.iter().filter(|b| b.ssrc == self.ssrc) {
            self.remote_fraction_lost = Some(b.fraction_lost);
            if b.last_sr != 0 {
                // RFC 3550 section 6.4.1: RTT = A - LSR - DLSR
                let a = (self.ntp(now) >> 16) as u32;
                let rtt = a
                    .wrapping_sub(b.last_sr)
                    .wrapping_sub(b.delay_since_last_sr);
                if rtt < 0x8000_0000 {
                    self.rtt_ms = Some((u64::from(rtt) * 1000 / 65536) as u32);
                }
            }
        }
    }

    fn schedule_rtcp(&mut self, now: u64) {
        if self.next_rtcp.is_none() {
            self.next_rtcp = Some(now.saturating_add(self.rtcp_interval(true)));
        }
    }

    /// RFC 3550 appendix A.7 `rtcp_interval` for a two-party call, in ms,
    /// randomised by a factor in [0.5, 1.5] and compensated by e - 3/2.
    fn rtcp_interval(&mut self, initial: bool) -> u64 {
        let members = 2.0f64;
        let senders = f64::from(u8::from(self.sent_since_report) + u8::from(self.remote.is_some()));
        // session bandwidth: codec rate plus IP/UDP/RTP headers, 5 % for RTCP
        let pps = 1000.0 / f64::from(self.cfg.ptime_ms.max(1));
        let bytes = self.cfg.codec.frame_ticks(self.cfg.ptime_ms) as f64 + 40.0;
        let mut rtcp_bw = 0.05 * pps * bytes;
        let mut n = members;
        let min_time = if initial { 2.5 } else { 5.0 };
        if senders <= members * 0.25 {
            if self.sent_since_report {
                rtcp_bw *= 0.25;
                n = senders;
            } else {
                rtcp_bw *= 0.75;
                n -= senders;
            }
        }
        let t = (f64::from(self.avg_rtcp_size) * n / rtcp_bw).max(min_time);
        let r = (splitmix(&mut self.rng) >> 11) as f64 / (1u64 << 53) as f64;
        let t = t * (0.5 + r) / (std::f64::consts::E - 1.5);
        (t * 1000.0) as u64
    }

    /// The next deadline, if any.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.next_rtcp
    }

    /// Handles timers: sends the RTCP report when due.
    pub fn handle_timeout(&mut self, now: u64) {
        if self.next_rtcp.is_some_and(|t| now >= t) {
            self.send_report(now, false);
            self.next_rtcp = Some(now.saturating_add(self.rtcp_interval(false)));
        }
    }

    fn report_packets(&mut self, now: u64, bye: bool) -> Vec<RtcpPacket> {
        let reports: Vec<_> = self
            .remote
            .as_mut()
            .map(|r| r.stats.report_block(now, r.ssrc))
            .into_iter()
            .collect();
        let first = if self.sent_since_report {
            let ntp = self.ntp(now);
            self.last_sr_sent = Some(((ntp >> 16) as u32, now));
            let info = SenderInfo {
                ntp,
                rtp_timestamp: self.ts,
                packet_count: self.packets_sent,
                octet_count: self.octets_sent,
            };
            RtcpPacket::SenderReport {
                ssrc: self.ssrc,
                info,
                reports,
            }
        } else {
            RtcpPacket::ReceiverReport {
                ssrc: self.ssrc,
                reports,
            }
        };
        self.sent_since_report = false;
        let mut v = vec![
            first,
            RtcpPacket::Sdes {
                chunks: vec![(self.ssrc, self.cname_bytes())],
            },
        ];
        if bye {
            v.push(RtcpPacket::Bye {
                ssrcs: vec![self.ssrc],
                reason: None,
            });
        }
        v
    }

    fn cname_bytes(&self) -> Vec<u8> {
        let b = self.cfg.cname.as_bytes();
        b[..b.len().min(255)].to_vec()
    }

    fn send_report(&mut self, now: u64, bye: bool) {
        let pk = self.report_packets(now, bye);
        if let Ok(data) = rtcp::write_compound(&pk) {
            self.avg_rtcp_size = ((data.len() as u32 + 28) + 15 * self.avg_rtcp_size) / 16;
            self.transmit(TransmitKind::Rtcp, data);
        }
        let s = self.stats();
        self.push(MediaOutput::Event(MediaEvent::Statistics(s)));
    }

    /// Ends the session: a final report with BYE; no more timers.
    pub fn close(&mut self, now: u64) {
        self.send_report(now, true);
        self.next_rtcp = None;
    }

    /// Current statistics.
    pub fn stats(&self) -> MediaStats {
        let (remote_ssrc, packets_received, cumulative_lost, jitter) = match &self.remote {
            Some(r) => (
                Some(r.ssrc),
                r.stats.received(),
                r.stats.cumulative_lost(),
                r.stats.jitter(),
            ),
            None => (None, 0, 0, 0),
        };
        MediaStats {
            ssrc: self.ssrc,
            packets_sent: self.packets_sent,
            octets_sent: self.octets_sent,
            remote_ssrc,
            packets_received,
            cumulative_lost,
            jitter,
            rtt_ms: self.rtt_ms,
            remote_fraction_lost: self.remote_fraction_lost,
            jitter_buffer: self.jb.metrics(),
        }
    }

    /// The next output.
    pub fn poll_output(&mut self) -> Option<MediaOutput> {
        self.outputs.pop_front()
    }
}

#[cfg(test)]
mod tests;
