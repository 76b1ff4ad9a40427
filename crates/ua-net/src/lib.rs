//! Runs a [`ua_core::UserAgent`] on real sockets: SIP over UDP and TCP.
//!
//! The core is Sans-IO; this driver owns what it must not: the sockets, the
//! clock and the loop. It feeds every datagram, every chunk of stream bytes
//! (the agent frames them) and every expired deadline to the agent, sends what the agent transmits, and hands its events and
//! the agent itself to the application through [`Driver::step`].
//!
//! Calls carry audio: for each call whose media the agent negotiated, the
//! driver runs an RTP stream ([`media`]) between the call's
//! [`audio::AudioSource`] and [`audio::AudioSink`] (silence and a null
//! sink unless the application sets others with [`Driver::set_audio`]),
//! and reports what the media does as [`NetEvent::Media`] (start, DTMF
//! received, statistics, stop).
//!
//! SIP goes out with the DSCP the agent puts on each transmit (IP_TOS /
//! IPV6_TCLASS on the UDP socket and on each TCP/TLS connection), RTP and
//! RTCP with 46 (EF).
//!
//! TCP ([`stream`]): the driver listens on the same port as UDP and opens
//! a connection to a destination the first time the agent sends there over
//! TCP; connections that fail or close are reported to the agent. TLS is
//! rustls over the same connections ([`Driver::set_tls`]).
//!
//! DNS ([`dns`]): the agent's SRV, A and AAAA questions (RFC 3263) are
//! answered with hickory-resolver in the background, so a slow name server
//! never holds up SIP or media.

pub mod audio;
pub mod dns;
pub mod media;
pub mod stream;
pub mod trace;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::mpsc;
use tokio::time::Instant;
use ua_core::{CallId, CallState, DnsAnswer, Event, Input, Output, Time, Transport, UserAgent};

pub use media::{CallAudio, CallStats, MediaEvent};

/// What [`Driver::step`] reports: the agent's events and the media's.
#[derive(Debug, Clone, PartialEq)]
pub enum NetEvent {
    /// From the user agent.
    Agent(Event),
    /// From a call's media task.
    Media(MediaEvent),
}

/// A call's media as the driver tracks it.
#[derive(Debug, Default)]
struct CallMedia {
    /// The last negotiated stream.
    params: Option<sdp::MediaParams>,
    /// The call is up (early media or connected): media may run.
    up: bool,
    /// The endpoints the application chose, until the task takes them.
    audio: Option<CallAudio>,
    /// The running task.
    task: Option<media::MediaHandle>,
    /// Starting it failed; not retried.
    failed: bool,
}

/// The next incoming connection, or never when there is no listener.
async fn accept(
    listener: Option<&TcpListener>,
) -> std::io::Result<(tokio::net::TcpStream, SocketAddr)> {
    match listener {
        Some(l) => l.accept().await,
        None => std::future::pending().await,
    }
}

/// Stream connections the driver keeps at once; further incoming ones are
/// closed at once (the agent frames at most 256, see `ua_core`).
const MAX_CONNECTIONS: usize = 512;

/// Largest UDP datagram we accept (RFC 3261 section 18.1.1 allows up to 65,535).
const MAX_DATAGRAM: usize = 65_535;

/// A user agent bound to a UDP socket.
#[derive(Debug)]
pub struct Driver {
    /// The agent; the application calls its commands between steps.
    pub ua: UserAgent,
    socket: UdpSocket,
    local: SocketAddr,
    start: Instant,
    buf: Vec<u8>,
    media: BTreeMap<CallId, CallMedia>,
    media_tx: mpsc::UnboundedSender<MediaEvent>,
    media_rx: mpsc::UnboundedReceiver<MediaEvent>,
    media_seed: u64,
    sip_dscp: Option<u8>,
    trace: Option<trace::SipTrace>,
    audio_dscp: u8,
    /// Incoming TCP connections, on the UDP socket's port.
    listener: Option<TcpListener>,
    /// TCP and TLS connections by peer.
    conns: BTreeMap<(SocketAddr, Transport), stream::Connection>,
    /// TLS, once set up ([`Driver::set_tls`]).
    tls: Option<stream::TlsSetup>,
    next_conn: u64,
    stream_tx: mpsc::UnboundedSender<stream::StreamEvent>,
    stream_rx: mpsc::UnboundedReceiver<stream::StreamEvent>,
    dns: dns::Dns,
    dns_tx: mpsc::UnboundedSender<(u64, DnsAnswer)>,
    dns_rx: mpsc::UnboundedReceiver<(u64, DnsAnswer)>,
}

impl Driver {
    /// Binds `local` (UDP, and TCP on the same port) and drives `ua` there.
    /// A TCP port already taken only costs incoming TCP (logged).
    pub async fn bind(ua: UserAgent, local: SocketAddr) -> std::io::Result<Driver> {
        let socket = UdpSocket::bind(local).await?;
        let local = socket.local_addr()?;
        let listener = match TcpListener::bind(local).await {
            Ok(l) => Some(l),
            Err(e) => {
                tracing::warn!("TCP {local} not bound, no incoming TCP: {e}");
                None
            }
        };
        let (stream_tx, stream_rx) = mpsc::unbounded_channel();
        let (dns_tx, dns_rx) = mpsc::unbounded_channel();
        let (media_tx, media_rx) = mpsc::unbounded_channel();
        let media_seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(7, |d| d.as_nanos() as u64)
            ^ u64::from(local.port());
        Ok(Driver {
            ua,
            socket,
            local,
            start: Instant::now(),
            buf: vec![0; MAX_DATAGRAM],
            media: BTreeMap::new(),
            media_tx,
            media_rx,
            media_seed,
            sip_dscp: None,
            trace: None,
            audio_dscp: media::DSCP_EF,
            listener,
            conns: BTreeMap::new(),
            tls: None,
            next_conn: 0,
            stream_tx,
            stream_rx,
            dns: dns::Dns::system(),
            dns_tx,
            dns_rx,
        })
    }

    /// Enables SIP over TLS: connections for `Transport::Tls` transmits
    /// use `tls`; when it has our certificate, the listening port takes TLS
    /// instead of plain TCP (a phone speaks one of the two).
    pub fn set_tls(&mut self, tls: stream::TlsSetup) {
        self.tls = Some(tls);
    }

    /// Sends every DNS question (SRV, A, AAAA) to the name server at
    /// `server` instead of the system's.
    pub fn set_dns_server(&mut self, server: SocketAddr) {
        self.dns = dns::Dns::with_server(server);
    }

    /// The DSCP of the RTP and RTCP of calls started from now on (46, EF,
    /// by default; values above 63 are cut to 6 bits).
    pub fn set_audio_dscp(&mut self, dscp: u8) {
        self.audio_dscp = dscp & 0x3f;
    }

    /// Writes every SIP message sent and received from now on to `path`
    /// as pcap ([`trace::SipTrace`]).
    pub fn trace_to(&mut self, path: impl AsRef<std::path::Path>) -> std::io::Result<()> {
        self.trace = Some(trace::SipTrace::create(path)?);
        Ok(())
    }

    /// Marks the SIP socket with `dscp` (the agent's call-control DSCP,
    /// carried on every transmit) when it changes.
    fn mark(&mut self, dscp: u8) {
        if self.sip_dscp == Some(dscp) {
            return;
        }
        let sock = socket2::SockRef::from(&self.socket);
        let tos = u32::from(dscp) << 2;
        let r = if self.local.is_ipv4() {
            sock.set_tos_v4(tos)
        } else {
            sock.set_tclass_v6(tos)
        };
        match r {
            Ok(()) => self.sip_dscp = Some(dscp),
            Err(e) => {
                tracing::debug!("DSCP {dscp} not set on the SIP socket: {e}");
                self.sip_dscp = Some(dscp); // do not retry on every send
            }
        }
    }

    /// The DSCP the SIP socket carries, once the first message went out.
    pub fn sip_dscp(&self) -> Option<u8> {
        let sock = socket2::SockRef::from(&self.socket);
        let tos = if self.local.is_ipv4() {
            sock.tos_v4()
        } else {
            sock.tclass_v6()
        };
        self.sip_dscp.and(tos.ok()).map(|t| (t >> 2) as u8)
    }

    /// Sets the audio endpoints of `call`: what we send and where what we
    /// receive goes. Before the media starts they wait for it; while it
    /// runs they replace the current ones (whose sink is finished).
    pub fn set_audio(&mut self, call: CallId, audio: CallAudio) {
        let m = self.media.entry(call).or_default();
        match &m.task {
            Some(t) => {
                t.send(media::Command::Audio(audio.source, audio.sink));
            }
            None => m.audio = Some(audio),
        }
    }

    /// Queues RFC 4733 digits (`0-9*#A-D`, others skipped) of `duration_ms`
    /// each on `call`'s RTP stream. `false` when its media does not run.
    pub fn send_dtmf(&mut self, call: CallId, digits: &str, duration_ms: u32) -> bool {
        let digits: Vec<char> = digits
            .chars()
            .filter(|&c| rtp_media::dtmf::char_event(c).is_some())
            .collect();
        match self.media.get(&call).and_then(|m| m.task.as_ref()) {
            Some(t) => t.send(media::Command::Dtmf(digits, duration_ms)),
            None => false,
        }
    }

    /// The latest media figures of `call`, while its media runs.
    pub fn call_stats(&self, call: CallId) -> Option<CallStats> {
        self.media.get(&call)?.task.as_ref().map(|t| t.stats())
    }

    /// Whether `call`'s media runs.
    pub fn media_running(&self, call: CallId) -> bool {
        self.media.get(&call).is_some_and(|m| m.task.is_some())
    }

    /// Follows the agent's events: start a call's media once it is
    /// negotiated and the call is up, update it on a new negotiation, stop
    /// it when the call ends.
    fn track_media(&mut self, e: &Event) {
        let call = match e {
            Event::Media { call, params } => {
                let m = self.media.entry(*call).or_default();
                if let Some(t) = &m.task {
                    t.send(media::Command::Update(Box::new(params.clone())));
                }
                m.params = Some(params.clone());
                *call
            }
            Event::CallState {
                call,
                state: CallState::Connected | CallState::EarlyMedia,
            } => {
                self.media.entry(*call).or_default().up = true;
                *call
            }
            Event::CallState {
                call,
                state: CallState::Terminated { .. },
            } => {
                if let Some(m) = self.media.remove(call)
                    && let Some(t) = m.task
                {
                    t.stop();
                }
                return;
            }
            _ => return,
        };
        self.start_media(call);
    }

    fn start_media(&mut self, call: CallId) {
        let Some(m) = self.media.get_mut(&call) else {
            return;
        };
        if m.task.is_some() || m.failed || !m.up {
            return;
        }
        let Some(params) = m.params.clone() else {
            return;
        };
        let Some(local) = self.ua.local_media_addr(call) else {
            return;
        };
        self.media_seed = self.media_seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let spawn = media::Spawn {
            call,
            local,
            params,
            cname: format!("sipua@{}", self.local),
            seed: self.media_seed,
            audio: m.audio.take().unwrap_or_default(),
            clock: self.start,
            events: self.media_tx.clone(),
            dscp: self.audio_dscp,
        };
        match media::spawn(spawn) {
            Ok(t) => m.task = Some(t),
            Err(e) => {
                tracing::warn!(call = call.0, %local, "media not started: {e}");
                m.failed = true;
                let _ = self.media_tx.send(MediaEvent::Failed {
                    call,
                    error: format!("RTP socket {local}: {e}"),
                });
            }
        }
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The agent's clock: milliseconds since the driver started.
    pub fn now(&self) -> Time {
        Time::from_millis(self.start.elapsed().as_millis() as u64)
    }

    /// Sends whatever the agent has queued and returns its events (and the
    /// media events already waiting).
    pub async fn flush(&mut self) -> std::io::Result<Vec<NetEvent>> {
        let mut events = Vec::new();
        while let Some(out) = self.ua.poll_output() {
            match out {
                Output::Transmit(t) if t.transport == Transport::Udp => {
                    self.mark(t.dscp);
                    if let Some(tr) = &mut self.trace {
                        tr.record(self.local, t.destination, &t.data);
                    }
                    // A send error is the agent's transport error to handle; log and go on.
                    if let Err(e) = self.socket.send_to(&t.data, t.destination).await {
                        tracing::warn!(destination = %t.destination, "SIP send failed: {e}");
                    }
                }
                Output::Transmit(t)
                    if t.transport == Transport::Tcp
                        || (t.transport == Transport::Tls && self.tls.is_some()) =>
                {
                    self.send_stream(t.destination, t.transport, t.dscp, t.data);
                }
                Output::Transmit(t) => {
                    tracing::warn!(
                        "{:?} to {} is not driven yet; dropped",
                        t.transport,
                        t.destination
                    );
                    let now = self.now();
                    self.ua.handle_input(
                        now,
                        Input::TransportError {
                            destination: t.destination,
                            transport: t.transport,
                        },
                    );
                }
                Output::Event(e) => {
                    self.track_media(&e);
                    events.push(NetEvent::Agent(e));
                }
                Output::DnsQuery(q) => {
                    // In the background; the answer comes back through step().
                    let (dns, tx) = (self.dns.clone(), self.dns_tx.clone());
                    tokio::spawn(async move {
                        let answer = dns.answer(&q).await;
                        let _ = tx.send((q.id, answer));
                    });
                }
                Output::Close {
                    peer,
                    transport,
                    reason,
                    ..
                } => {
                    tracing::info!("closing {transport:?} connection to {peer}: {reason}");
                    // Dropping the handle ends the connection's task.
                    self.conns.remove(&(peer, transport));
                }
            }
        }
        while let Ok(m) = self.media_rx.try_recv() {
            events.push(NetEvent::Media(m));
        }
        Ok(events)
    }

    /// Writes `data` on the connection to `destination`, opening one when
    /// there is none (RFC 3261 section 18.1.1).
    fn send_stream(
        &mut self,
        destination: SocketAddr,
        transport: Transport,
        dscp: u8,
        data: bytes::Bytes,
    ) {
        let key = (destination, transport);
        if !self.conns.contains_key(&key) {
            self.next_conn += 1;
            let tls = (transport == Transport::Tls)
                .then(|| self.tls.clone())
                .flatten();
            let c = stream::connect(
                self.next_conn,
                destination,
                tls,
                dscp,
                self.stream_tx.clone(),
            );
            self.conns.insert(key, c);
        }
        let Some(conn) = self.conns.get_mut(&key) else {
            return;
        };
        if let Some(tr) = &mut self.trace {
            // TLS is traced as the cleartext it carries. Before the
            // connection is up its local port is not known: the bytes are
            // traced when it connects.
            match conn.local {
                Some(local) => tr.record_stream(local, destination, &data),
                None if conn.untraced.len() < 64 => conn.untraced.push(data.clone()),
                None => {}
            }
        }
        if !conn.send(data) {
            // The task has ended; its Closed event is on its way, which
            // tells the agent. Forget it so the next send reconnects.
            self.conns.remove(&key);
        }
    }

    /// What a connection task reported.
    fn stream_event(&mut self, ev: stream::StreamEvent) {
        let now = self.now();
        match ev {
            stream::StreamEvent::Connected {
                id,
                transport,
                peer,
                local,
            } => {
                if let Some(c) = self.conns.get_mut(&(peer, transport))
                    && c.id == id
                {
                    c.local = Some(local);
                    let untraced = std::mem::take(&mut c.untraced);
                    if let Some(tr) = &mut self.trace {
                        for data in untraced {
                            tr.record_stream(local, peer, &data);
                        }
                    }
                }
                tracing::debug!("{transport:?} {local} -> {peer} connected");
            }
            stream::StreamEvent::Data {
                transport,
                peer,
                local,
                data,
                ..
            } => {
                if let Some(tr) = &mut self.trace {
                    tr.record_stream(peer, local, &data);
                }
                self.ua.handle_input(
                    now,
                    Input::Stream {
                        from: peer,
                        to: local,
                        transport,
                        data,
                    },
                );
            }
            stream::StreamEvent::Closed {
                id,
                transport,
                peer,
                local,
                reason,
            } => {
                tracing::info!("{transport:?} connection to {peer} ended: {reason}");
                let key = (peer, transport);
                if self.conns.get(&key).is_some_and(|c| c.id == id) {
                    self.conns.remove(&key);
                }
                let input = match local {
                    Some(to) => Input::StreamClosed {
                        from: peer,
                        to,
                        transport,
                    },
                    None => Input::TransportError {
                        destination: peer,
                        transport,
                    },
                };
                self.ua.handle_input(now, input);
            }
        }
    }

    /// Waits for the next datagram or deadline (at most `max_wait`), feeds
    /// it to the agent, sends its output, and returns its events.
    pub async fn step(&mut self, max_wait: Duration) -> std::io::Result<Vec<NetEvent>> {
        let mut events = self.flush().await?;
        let deadline = match self.ua.poll_timeout() {
            Some(t) => {
                let due = self.start + Duration::from_millis(t.as_millis());
                due.min(Instant::now() + max_wait)
            }
            None => Instant::now() + max_wait,
        };
        tokio::select! {
            received = self.socket.recv_from(&mut self.buf) => {
                let (n, from) = received?;
                let now = self.now();
                let data = bytes::Bytes::copy_from_slice(&self.buf[..n]);
                if let Some(tr) = &mut self.trace {
                    tr.record(from, self.local, &data);
                }
                self.ua.handle_input(now, Input::Message { from, to: self.local, transport: Transport::Udp, data });
            }
            _ = tokio::time::sleep_until(deadline) => {
                let now = self.now();
                self.ua.handle_timeout(now);
            }
            Some(m) = self.media_rx.recv() => events.push(NetEvent::Media(m)),
            Some(ev) = self.stream_rx.recv() => self.stream_event(ev),
            Some((id, answer)) = self.dns_rx.recv() => {
                let now = self.now();
                self.ua.handle_input(now, Input::Dns { id, answer });
            }
            accepted = accept(self.listener.as_ref()) => match accepted {
                Ok((tcp, peer)) if self.conns.len() >= MAX_CONNECTIONS => {
                    // Idle connections must not grow without bound: refuse.
                    tracing::warn!("TCP from {peer} refused: {MAX_CONNECTIONS} connections open");
                    drop(tcp);
                }
                Ok((tcp, peer)) => {
                    self.next_conn += 1;
                    let acceptor = self.tls.as_ref().and_then(|t| t.acceptor.clone());
                    let transport = if acceptor.is_some() { Transport::Tls } else { Transport::Tcp };
                    let dscp = self.ua.config().layer.dscp;
                    let c = stream::accepted(self.next_conn, tcp, peer, acceptor, dscp, self.stream_tx.clone());
                    // A newer connection from the same peer replaces the older one for sending.
                    self.conns.insert((peer, transport), c);
                }
                Err(e) => tracing::warn!("TCP accept: {e}"),
            },
        }
        events.extend(self.flush().await?);
        Ok(events)
    }
}
