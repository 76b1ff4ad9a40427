//! Runs a [`ua_core::UserAgent`] on a real UDP socket.
//!
//! The core is Sans-IO; this driver owns what it must not: the socket, the
//! clock and the loop. It feeds every datagram and every expired deadline
//! to the agent, sends what the agent transmits, and hands its events and
//! the agent itself to the application through [`Driver::step`].
//!
//! TCP/TLS (with `sip_proto::framer`), DSCP marking and DNS are the next
//! steps; the agent already carries the DSCP on every transmit.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::time::Instant;
use ua_core::{DnsAnswer, DnsKind, DnsQuery, Event, Input, Output, Time, Transport, UserAgent};

/// How long one DNS lookup may take before it counts as failed.
const DNS_TIMEOUT: Duration = Duration::from_secs(5);

/// Answers the agent's DNS question with the system resolver. A and AAAA
/// go through `getaddrinfo` (tokio's `lookup_host`); SRV needs a DNS client
/// library and is answered `Failed` for now, so the agent falls back to the
/// domain's own addresses (RFC 3263 section 4.2).
async fn resolve(q: &DnsQuery) -> DnsAnswer {
    if q.kind == DnsKind::Srv {
        return DnsAnswer::Failed;
    }
    let lookup = tokio::net::lookup_host((q.name.as_str(), 0));
    match tokio::time::timeout(DNS_TIMEOUT, lookup).await {
        Ok(Ok(addrs)) => {
            let v6 = q.kind == DnsKind::Aaaa;
            let ips: Vec<_> = addrs
                .map(|a| a.ip())
                .filter(|ip| ip.is_ipv6() == v6)
                .collect();
            if ips.is_empty() {
                DnsAnswer::Failed
            } else {
                DnsAnswer::Addresses(ips)
            }
        }
        _ => DnsAnswer::Failed,
    }
}

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
}

impl Driver {
    /// Binds `local` and drives `ua` there.
    pub async fn bind(ua: UserAgent, local: SocketAddr) -> std::io::Result<Driver> {
        let socket = UdpSocket::bind(local).await?;
        let local = socket.local_addr()?;
        Ok(Driver {
            ua,
            socket,
            local,
            start: Instant::now(),
            buf: vec![0; MAX_DATAGRAM],
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The agent's clock: milliseconds since the driver started.
    pub fn now(&self) -> Time {
        Time::from_millis(self.start.elapsed().as_millis() as u64)
    }

    /// Sends whatever the agent has queued and returns its events.
    pub async fn flush(&mut self) -> std::io::Result<Vec<Event>> {
        let mut events = Vec::new();
        while let Some(out) = self.ua.poll_output() {
            match out {
                Output::Transmit(t) if t.transport == Transport::Udp => {
                    // A send error is the agent's transport error to handle; log and go on.
                    if let Err(e) = self.socket.send_to(&t.data, t.destination).await {
                        eprintln!("send to {} failed: {e}", t.destination);
                    }
                }
                Output::Transmit(t) => eprintln!(
                    "{:?} to {} is not driven yet; dropped",
                    t.transport, t.destination
                ),
                Output::Event(e) => events.push(e),
                Output::DnsQuery(q) => {
                    let answer = resolve(&q).await;
                    let now = self.now();
                    self.ua.handle_input(now, Input::Dns { id: q.id, answer });
                }
                Output::Close {
                    peer,
                    transport,
                    reason,
                    ..
                } => eprintln!("closing {transport:?} connection to {peer}: {reason}"),
            }
        }
        Ok(events)
    }

    /// Waits for the next datagram or deadline (at most `max_wait`), feeds
    /// it to the agent, sends its output, and returns its events.
    pub async fn step(&mut self, max_wait: Duration) -> std::io::Result<Vec<Event>> {
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
                self.ua.handle_input(now, Input::Message { from, to: self.local, transport: Transport::Udp, data });
            }
            _ = tokio::time::sleep_until(deadline) => {
                let now = self.now();
                self.ua.handle_timeout(now);
            }
        }
        events.extend(self.flush().await?);
        Ok(events)
    }
}
