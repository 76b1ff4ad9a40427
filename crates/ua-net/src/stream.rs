//! SIP over TCP (RFC 3261 section 18): one task per connection.
//!
//! The agent frames stream bytes itself (`Input::Stream`), so a
//! connection here only moves bytes: it reads whatever arrives and reports
//! it, and writes the messages the driver hands it, in order. Outgoing
//! connections are opened on the first message to a destination (section
//! 18.1.1: the transport layer opens one when none exists) and queue what
//! is sent before the connection is up; incoming ones come from the
//! driver's listener. When a connection cannot be opened, or breaks, the
//! driver hears of it and tells the agent (`Input::TransportError`,
//! `Input::StreamClosed`), which fails the transactions sent over it
//! (section 18.4) and so fails an account over to its next server.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// How long opening a connection may take before the destination counts
/// as unreachable (the transaction's own timer would fire later; a refused
/// connection is reported at once).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Bytes read at once.
const READ_CHUNK: usize = 16 * 1024;

/// What a connection task reports to the driver.
#[derive(Debug)]
pub enum StreamEvent {
    /// The connection `id` is up between `local` and `peer`.
    Connected {
        /// The connection.
        id: u64,
        /// The far end.
        peer: SocketAddr,
        /// Our end.
        local: SocketAddr,
    },
    /// Bytes read from connection `id`.
    Data {
        /// The connection.
        id: u64,
        /// The far end.
        peer: SocketAddr,
        /// Our end.
        local: SocketAddr,
        /// What arrived, in any chunking.
        data: Bytes,
    },
    /// Connection `id` is gone (closed by the peer, broken, or dropped by us).
    Closed {
        /// The connection.
        id: u64,
        /// The far end.
        peer: SocketAddr,
        /// Our end (unknown when it never came up).
        local: Option<SocketAddr>,
        /// Why, for the log.
        reason: String,
    },
}

/// The driver's handle on a connection: dropping it closes the connection
/// once what was queued has been written.
#[derive(Debug)]
pub struct Connection {
    /// Tells this connection's events from those of an earlier one to the
    /// same peer.
    pub id: u64,
    /// Our end, once known.
    pub local: Option<SocketAddr>,
    tx: mpsc::UnboundedSender<Bytes>,
}

impl Connection {
    /// Queues `data` to be written; `false` when the connection is gone.
    pub fn send(&self, data: Bytes) -> bool {
        self.tx.send(data).is_ok()
    }
}

/// Opens a connection to `peer` in the background.
pub fn connect(
    id: u64,
    peer: SocketAddr,
    events: mpsc::UnboundedSender<StreamEvent>,
) -> Connection {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let stream = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(peer)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                let reason = format!("connect: {e}");
                let _ = events.send(StreamEvent::Closed {
                    id,
                    peer,
                    local: None,
                    reason,
                });
                return;
            }
            Err(_) => {
                let reason = format!("connect: no answer in {CONNECT_TIMEOUT:?}");
                let _ = events.send(StreamEvent::Closed {
                    id,
                    peer,
                    local: None,
                    reason,
                });
                return;
            }
        };
        run(id, stream, peer, rx, events).await;
    });
    Connection {
        id,
        local: None,
        tx,
    }
}

/// Runs a connection the listener accepted.
pub fn accepted(
    id: u64,
    stream: TcpStream,
    peer: SocketAddr,
    events: mpsc::UnboundedSender<StreamEvent>,
) -> Connection {
    let local = stream.local_addr().ok();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(id, stream, peer, rx, events));
    Connection { id, local, tx }
}

/// Reads and writes until either side ends; reports `Closed` once.
async fn run(
    id: u64,
    stream: TcpStream,
    peer: SocketAddr,
    mut rx: mpsc::UnboundedReceiver<Bytes>,
    events: mpsc::UnboundedSender<StreamEvent>,
) {
    let local = match stream.local_addr() {
        Ok(l) => l,
        Err(e) => {
            let _ = events.send(StreamEvent::Closed {
                id,
                peer,
                local: None,
                reason: format!("local address: {e}"),
            });
            return;
        }
    };
    // SIP messages are small and latency matters more than segment count.
    let _ = stream.set_nodelay(true);
    let _ = events.send(StreamEvent::Connected { id, peer, local });
    let (mut read, mut write) = stream.into_split();
    let mut buf = vec![0u8; READ_CHUNK];
    let reason = loop {
        tokio::select! {
            r = read.read(&mut buf) => match r {
                Ok(0) => break "closed by the peer".to_string(),
                Ok(n) => {
                    let data = Bytes::copy_from_slice(&buf[..n]);
                    if events.send(StreamEvent::Data { id, peer, local, data }).is_err() {
                        break "driver gone".to_string();
                    }
                }
                Err(e) => break format!("read: {e}"),
            },
            m = rx.recv() => match m {
                Some(data) => {
                    if let Err(e) = write.write_all(&data).await {
                        break format!("write: {e}");
                    }
                }
                None => {
                    let _ = write.shutdown().await;
                    break "closed by us".to_string();
                }
            },
        }
    };
    let _ = events.send(StreamEvent::Closed {
        id,
        peer,
        local: Some(local),
        reason,
    });
}
