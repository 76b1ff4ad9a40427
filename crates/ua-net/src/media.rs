//! One RTP stream per call: sockets, clock and a [`MediaSession`].
//!
//! When the agent has negotiated a call's media ([`ua_core::Event::Media`])
//! and the call is up (early media or connected), the driver starts a media
//! task: it binds the RTP socket at the address our SDP offered or answered
//! ([`ua_core::UserAgent::local_media_addr`]) and the RTCP socket at the
//! port + 1, marks both DSCP 46 (EF), and every packet time (20 ms unless
//! negotiated otherwise) takes a frame from the call's [`AudioSource`],
//! sends it, pulls a frame from the jitter buffer into the call's
//! [`AudioSink`] and runs the session's RTCP timer. Received RTP and RTCP
//! go to the session. The task reports [`MediaEvent`]s (start, DTMF
//! received, statistics, stop) and stops with the call.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rtp_media::codec::CodecKind;
use rtp_media::session::{
    Direction, MediaConfig, MediaEvent as SessionEvent, MediaOutput, MediaSession, MediaStats,
    TransmitKind,
};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};
use ua_core::CallId;

use crate::audio::{AudioSink, AudioSource, NullSink, Silence};

/// DSCP for voice (RFC 3246 Expedited Forwarding), as the session marks it.
pub const DSCP_EF: u8 = rtp_media::session::DSCP_EF;

/// A call's media figures, as the application sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallStats {
    /// RTP packets sent (audio and telephone events).
    pub packets_sent: u32,
    /// RTP packets received (RFC 3550 A.1 counting).
    pub packets_received: u32,
    /// Packets lost (RFC 3550 A.3, cumulative; negative with duplicates).
    pub lost: i32,
    /// Interarrival jitter in milliseconds (RFC 3550 A.8).
    pub jitter_ms: u32,
    /// Round-trip time from RTCP, when known.
    pub rtt_ms: Option<u32>,
}

impl CallStats {
    fn from_session(s: &MediaStats, clock_rate: u32) -> CallStats {
        CallStats {
            packets_sent: s.packets_sent,
            packets_received: s.packets_received,
            lost: s.cumulative_lost,
            jitter_ms: s.jitter / (clock_rate / 1000).max(1),
            rtt_ms: s.rtt_ms,
        }
    }
}

/// What a call's media task tells the application.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaEvent {
    /// RTP runs: the codec, its payload type and where we send.
    Started {
        /// The call.
        call: CallId,
        /// The codec we send.
        codec: sdp::Codec,
        /// Its payload type.
        payload_type: u8,
        /// Our RTP address.
        local: SocketAddr,
        /// Where RTP goes (`None`: the peer gave a name we do not resolve).
        remote: Option<SocketAddr>,
        /// Whether the RTP socket carries the audio DSCP (46 by default).
        dscp: bool,
    },
    /// An RFC 4733 digit ended at the far end.
    DtmfReceived {
        /// The call.
        call: CallId,
        /// `0-9`, `*`, `#`, `A-D`.
        digit: char,
        /// How long it was held.
        duration_ms: u32,
    },
    /// Periodic figures (with every RTCP report we send).
    Stats {
        /// The call.
        call: CallId,
        /// The figures.
        stats: CallStats,
    },
    /// The media stopped (the call ended); the final figures.
    Stopped {
        /// The call.
        call: CallId,
        /// The figures.
        stats: CallStats,
    },
    /// The media could not start (the RTP port is taken, ...).
    Failed {
        /// The call.
        call: CallId,
        /// What went wrong.
        error: String,
    },
}

pub(crate) enum Command {
    Dtmf(Vec<char>, u32),
    Audio(Box<dyn AudioSource>, Box<dyn AudioSink>),
    Update(Box<sdp::MediaParams>),
    Stop,
}

/// A running media task, as the driver holds it.
#[derive(Debug)]
pub(crate) struct MediaHandle {
    commands: mpsc::UnboundedSender<Command>,
    stats: Arc<Mutex<CallStats>>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Dtmf(d, ms) => write!(f, "Dtmf({d:?}, {ms})"),
            Command::Audio(..) => f.write_str("Audio"),
            Command::Update(p) => write!(f, "Update({p:?})"),
            Command::Stop => f.write_str("Stop"),
        }
    }
}

/// The audio endpoints of a call.
#[derive(Debug)]
pub struct CallAudio {
    /// What we send.
    pub source: Box<dyn AudioSource>,
    /// Where what we receive goes.
    pub sink: Box<dyn AudioSink>,
}

impl Default for CallAudio {
    /// Silence out, received audio discarded.
    fn default() -> Self {
        CallAudio {
            source: Box::new(Silence),
            sink: Box::new(NullSink),
        }
    }
}

impl MediaHandle {
    pub(crate) fn send(&self, c: Command) -> bool {
        self.commands.send(c).is_ok()
    }

    pub(crate) fn stats(&self) -> CallStats {
        self.stats.lock().map(|s| *s).unwrap_or_default()
    }

    /// Stops the task (it sends its final RTCP with BYE and reports
    /// [`MediaEvent::Stopped`]).
    pub(crate) fn stop(self) {
        if !self.send(Command::Stop) {
            self.task.abort();
        }
    }
}

/// The `rtp-media` configuration for a negotiated stream.
pub fn media_config(p: &sdp::MediaParams, cname: &str, seed: u64) -> MediaConfig {
    let codec = codec_kind(p.codec);
    let mut cfg = MediaConfig::new(codec, p.payload_type, cname, seed);
    cfg.ptime_ms = if codec == CodecKind::G729 {
        (p.ptime / 10).max(1) * 10
    } else {
        p.ptime.clamp(10, 200)
    };
    cfg.telephone_event_pt = p.telephone_event;
    cfg.direction = direction(p);
    cfg.ntp_offset_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64 + 2_208_988_800_000);
    cfg
}

fn direction(p: &sdp::MediaParams) -> Direction {
    let sends = p.local_direction.sends() && p.remote_direction.receives();
    let receives = p.local_direction.receives();
    match (sends, receives) {
        (true, true) => Direction::SendRecv,
        (true, false) => Direction::SendOnly,
        (false, true) => Direction::RecvOnly,
        (false, false) => Direction::Inactive,
    }
}

/// The `rtp-media` codec for an SDP codec.
pub fn codec_kind(c: sdp::Codec) -> CodecKind {
    match c {
        sdp::Codec::Pcmu => CodecKind::Pcmu,
        sdp::Codec::Pcma => CodecKind::Pcma,
        sdp::Codec::G722 => CodecKind::G722,
        sdp::Codec::G729 => CodecKind::G729,
    }
}

fn remote_addrs(p: &sdp::MediaParams) -> Option<(SocketAddr, SocketAddr)> {
    match &p.remote_host {
        sdp::Host::Ip(ip) if !ip.is_unspecified() => Some((
            SocketAddr::new(*ip, p.remote_port),
            SocketAddr::new(*ip, p.remote_rtcp_port),
        )),
        _ => None,
    }
}

/// Binds a UDP socket at `addr` with DSCP `dscp` (IP_TOS / IPV6_TCLASS).
/// Returns the socket and whether the marking took.
pub fn bind_udp(addr: SocketAddr, dscp: u8) -> std::io::Result<(UdpSocket, bool)> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    let tos = u32::from(dscp) << 2;
    let marked = match addr.ip() {
        IpAddr::V4(_) => socket.set_tos_v4(tos),
        IpAddr::V6(_) => socket.set_tclass_v6(tos),
    };
    if let Err(e) = &marked {
        tracing::debug!(%addr, "DSCP {dscp} not set: {e}");
    }
    socket.bind(&addr.into())?;
    socket.set_nonblocking(true)?;
    let socket = UdpSocket::from_std(socket.into())?;
    Ok((socket, marked.is_ok()))
}

pub(crate) struct Spawn {
    pub call: CallId,
    pub local: SocketAddr,
    pub params: sdp::MediaParams,
    pub cname: String,
    pub seed: u64,
    pub audio: CallAudio,
    pub clock: Instant,
    pub events: mpsc::UnboundedSender<MediaEvent>,
    pub dscp: u8,
}

/// Binds the sockets and starts the task. A bind failure is returned (and
/// the call goes on without media).
pub(crate) fn spawn(s: Spawn) -> std::io::Result<MediaHandle> {
    let (rtp, dscp) = bind_udp(s.local, s.dscp)?;
    let rtcp_addr = SocketAddr::new(s.local.ip(), s.local.port().wrapping_add(1));
    let (rtcp, _) = bind_udp(rtcp_addr, s.dscp)?;
    let (tx, rx) = mpsc::unbounded_channel();
    let stats = Arc::new(Mutex::new(CallStats::default()));
    let remote = remote_addrs(&s.params);
    let _ = s.events.send(MediaEvent::Started {
        call: s.call,
        codec: s.params.codec,
        payload_type: s.params.payload_type,
        local: s.local,
        remote: remote.map(|r| r.0),
        dscp,
    });
    tracing::info!(
        call = s.call.0,
        local = %s.local,
        remote = ?remote.map(|r| r.0),
        codec = ?s.params.codec,
        "media started"
    );
    let mut cfg = media_config(&s.params, &s.cname, s.seed);
    cfg.dscp = s.dscp;
    let task = Task {
        call: s.call,
        session: MediaSession::new(cfg),
        dscp: s.dscp,
        params: s.params,
        cname: s.cname,
        seed: s.seed,
        remote,
        audio: s.audio,
        clock: s.clock,
        events: s.events,
        stats: stats.clone(),
        rx,
        dtmf: VecDeque::new(),
    };
    let task = tokio::spawn(task.run(rtp, rtcp));
    Ok(MediaHandle {
        commands: tx,
        stats,
        task,
    })
}

struct Task {
    call: CallId,
    session: MediaSession,
    params: sdp::MediaParams,
    cname: String,
    seed: u64,
    remote: Option<(SocketAddr, SocketAddr)>,
    audio: CallAudio,
    clock: Instant,
    events: mpsc::UnboundedSender<MediaEvent>,
    stats: Arc<Mutex<CallStats>>,
    rx: mpsc::UnboundedReceiver<Command>,
    dtmf: VecDeque<(char, u32)>,
    dscp: u8,
}

impl Task {
    fn now(&self) -> u64 {
        self.clock.elapsed().as_millis() as u64
    }

    fn rate(&self) -> u32 {
        codec_kind(self.params.codec).sample_rate()
    }

    fn clock_rate(&self) -> u32 {
        codec_kind(self.params.codec).rtp_clock_rate()
    }

    async fn run(mut self, rtp: UdpSocket, rtcp: UdpSocket) {
        let ptime = u64::from(self.session.config().ptime_ms.max(1));
        let mut tick = tokio::time::interval(Duration::from_millis(ptime));
        tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
        let mut rtp_buf = vec![0u8; 2048];
        let mut rtcp_buf = vec![0u8; 2048];
        let mut frame = vec![0i16; self.session.frame_samples()];
        let mut played = vec![0i16; self.session.frame_samples()];
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    let now = self.now();
                    self.queue_dtmf();
                    let rate = self.rate();
                    self.audio.source.fill(rate, &mut frame);
                    if let Err(e) = self.session.send_audio(now, &frame) {
                        tracing::warn!(call = self.call.0, "send_audio: {e}");
                    }
                    self.session.pull_audio(now, &mut played);
                    self.audio.sink.write(rate, &played);
                    self.session.handle_timeout(now);
                    self.drain(&rtp, &rtcp).await;
                }
                r = rtp.recv_from(&mut rtp_buf) => match r {
                    Ok((n, from)) => {
                        let now = self.now();
                        if let Err(e) = self.session.receive_rtp(now, &rtp_buf[..n]) {
                            tracing::debug!(call = self.call.0, %from, "RTP dropped: {e}");
                        }
                        self.drain(&rtp, &rtcp).await;
                    }
                    // ICMP port unreachable surfaces here on Linux: the peer is not there yet.
                    Err(e) => tracing::trace!(call = self.call.0, "RTP receive: {e}"),
                },
                r = rtcp.recv_from(&mut rtcp_buf) => match r {
                    Ok((n, from)) => {
                        let now = self.now();
                        if let Err(e) = self.session.receive_rtcp(now, &rtcp_buf[..n]) {
                            tracing::debug!(call = self.call.0, %from, "RTCP dropped: {e}");
                        }
                        self.drain(&rtp, &rtcp).await;
                    }
                    Err(e) => tracing::trace!(call = self.call.0, "RTCP receive: {e}"),
                },
                c = self.rx.recv() => match c {
                    Some(Command::Dtmf(digits, ms)) => {
                        self.dtmf.extend(digits.into_iter().map(|d| (d, ms)));
                    }
                    Some(Command::Audio(source, sink)) => {
                        let _ = self.audio.sink.finish();
                        self.audio = CallAudio { source, sink };
                    }
                    Some(Command::Update(p)) => self.update(*p),
                    Some(Command::Stop) | None => break,
                },
            }
        }
        let now = self.now();
        self.session.close(now);
        self.drain(&rtp, &rtcp).await;
        if let Err(e) = self.audio.sink.finish() {
            tracing::warn!(call = self.call.0, "closing the recording: {e}");
        }
        let stats = CallStats::from_session(&self.session.stats(), self.clock_rate());
        tracing::info!(call = self.call.0, ?stats, "media stopped");
        let _ = self.events.send(MediaEvent::Stopped {
            call: self.call,
            stats,
        });
    }

    /// Hands queued digits to the session's RFC 4733 sender.
    fn queue_dtmf(&mut self) {
        while let Some(&(d, ms)) = self.dtmf.front() {
            match self.session.send_dtmf(d, ms, 10) {
                Ok(true) => {
                    self.dtmf.pop_front();
                }
                Ok(false) => break, // the sender's queue is full: next tick
                Err(e) => {
                    tracing::warn!(call = self.call.0, "DTMF {d}: {e}");
                    self.dtmf.clear();
                }
            }
        }
    }

    /// A new negotiation on the call (re-INVITE: hold, resume, another
    /// codec or address).
    fn update(&mut self, p: sdp::MediaParams) {
        self.remote = remote_addrs(&p);
        let same_stream = p.codec == self.params.codec
            && p.payload_type == self.params.payload_type
            && p.ptime == self.params.ptime
            && p.telephone_event == self.params.telephone_event;
        if same_stream {
            self.session.set_direction(direction(&p));
        } else {
            self.seed = self.seed.wrapping_add(1);
            let mut cfg = media_config(&p, &self.cname, self.seed);
            cfg.dscp = self.dscp;
            self.session = MediaSession::new(cfg);
        }
        self.params = p;
    }

    async fn drain(&mut self, rtp: &UdpSocket, rtcp: &UdpSocket) {
        while let Some(out) = self.session.poll_output() {
            match out {
                MediaOutput::Transmit(t) => {
                    let Some((to_rtp, to_rtcp)) = self.remote else {
                        continue;
                    };
                    let (socket, to) = match t.kind {
                        TransmitKind::Rtp => (rtp, to_rtp),
                        TransmitKind::Rtcp => (rtcp, to_rtcp),
                    };
                    if let Err(e) = socket.send_to(&t.data, to).await {
                        tracing::trace!(call = self.call.0, %to, "send: {e}");
                    }
                }
                MediaOutput::Event(SessionEvent::DtmfReceived(ev)) => {
                    if let Some(digit) = rtp_media::dtmf::event_char(ev.event) {
                        let duration_ms = ev.duration / (self.clock_rate() / 1000).max(1);
                        tracing::info!(call = self.call.0, %digit, duration_ms, "DTMF received");
                        let _ = self.events.send(MediaEvent::DtmfReceived {
                            call: self.call,
                            digit,
                            duration_ms,
                        });
                    }
                }
                MediaOutput::Event(SessionEvent::Statistics(s)) => {
                    let stats = CallStats::from_session(&s, self.clock_rate());
                    let _ = self.events.send(MediaEvent::Stats {
                        call: self.call,
                        stats,
                    });
                }
                MediaOutput::Event(e) => tracing::debug!(call = self.call.0, ?e, "media event"),
            }
        }
        let stats = CallStats::from_session(&self.session.stats(), self.clock_rate());
        if let Ok(mut s) = self.stats.lock() {
            *s = stats;
        }
    }
}
