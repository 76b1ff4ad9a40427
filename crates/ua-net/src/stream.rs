//! SIP over TCP and TLS (RFC 3261 sections 18 and 26.2.1): one task per
//! connection.
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

use std::sync::Arc;

use bytes::Bytes;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_rustls::{TlsAcceptor, TlsConnector};
use ua_core::Transport;

/// TLS for the driver's connections.
#[derive(Clone)]
pub struct TlsSetup {
    /// Outgoing connections: the roots we trust.
    pub connector: TlsConnector,
    /// The name the server's certificate must carry (the SIP domain).
    pub server_name: ServerName<'static>,
    /// Incoming connections: our certificate; without one the listener
    /// takes no TLS.
    pub acceptor: Option<TlsAcceptor>,
}

impl std::fmt::Debug for TlsSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSetup")
            .field("server_name", &self.server_name)
            .field("acceptor", &self.acceptor.is_some())
            .finish()
    }
}

impl TlsSetup {
    /// Trusts the certificates of `roots` (PEM; the system's roots when
    /// `None`) for servers named `server_name`, and answers incoming
    /// connections with `identity` (PEM certificate chain and key) if any.
    pub fn new(
        server_name: &str,
        roots: Option<&[u8]>,
        identity: Option<(&[u8], &[u8])>,
    ) -> Result<TlsSetup, String> {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::{CertificateDer, PrivateKeyDer};
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut store = rustls::RootCertStore::empty();
        match roots {
            Some(pem) => {
                for c in CertificateDer::pem_slice_iter(pem) {
                    let c = c.map_err(|e| format!("CA certificates: {e}"))?;
                    store.add(c).map_err(|e| format!("CA certificate: {e}"))?;
                }
            }
            None => {
                let found = rustls_native_certs::load_native_certs();
                for c in found.certs {
                    let _ = store.add(c);
                }
            }
        }
        if store.is_empty() {
            return Err("no CA certificate to trust".into());
        }
        let client = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(store)
            .with_no_client_auth();
        let acceptor = match identity {
            None => None,
            Some((chain, key)) => {
                let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain)
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("certificate: {e}"))?;
                let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| format!("key: {e}"))?;
                let server = rustls::ServerConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|e| e.to_string())?
                    .with_no_client_auth()
                    .with_single_cert(chain, key)
                    .map_err(|e| format!("certificate and key: {e}"))?;
                Some(TlsAcceptor::from(Arc::new(server)))
            }
        };
        let server_name = ServerName::try_from(server_name.to_string())
            .map_err(|e| format!("server name {server_name:?}: {e}"))?;
        Ok(TlsSetup {
            connector: TlsConnector::from(Arc::new(client)),
            server_name,
            acceptor,
        })
    }
}

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
        /// TCP or TLS.
        transport: Transport,
        /// The far end.
        peer: SocketAddr,
        /// Our end.
        local: SocketAddr,
    },
    /// Bytes read from connection `id`.
    Data {
        /// The connection.
        id: u64,
        /// TCP or TLS.
        transport: Transport,
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
        /// TCP or TLS.
        transport: Transport,
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
    /// What was sent before the connection was up, for the SIP trace (which
    /// needs our end's address): recorded when it connects.
    pub untraced: Vec<Bytes>,
    tx: mpsc::UnboundedSender<Bytes>,
}

impl Connection {
    /// Queues `data` to be written; `false` when the connection is gone.
    pub fn send(&self, data: Bytes) -> bool {
        self.tx.send(data).is_ok()
    }
}

/// Marks a connection's packets with `dscp` (IP_TOS / IPV6_TCLASS), as
/// every SIP transmit is (seed: Call Control DSCP 40).
fn mark(tcp: &TcpStream, peer: SocketAddr, dscp: u8) {
    let sock = socket2::SockRef::from(tcp);
    let tos = u32::from(dscp & 0x3f) << 2;
    let r = if peer.is_ipv4() {
        sock.set_tos_v4(tos)
    } else {
        sock.set_tclass_v6(tos)
    };
    if let Err(e) = r {
        tracing::debug!("DSCP {dscp} not set on the connection to {peer}: {e}");
    }
}

/// Opens a connection to `peer` in the background (TLS when `tls` is
/// given), its packets marked with `dscp`.
pub fn connect(
    id: u64,
    peer: SocketAddr,
    tls: Option<TlsSetup>,
    dscp: u8,
    events: mpsc::UnboundedSender<StreamEvent>,
) -> Connection {
    let (tx, rx) = mpsc::unbounded_channel();
    let transport = if tls.is_some() {
        Transport::Tls
    } else {
        Transport::Tcp
    };
    tokio::spawn(async move {
        let closed = |reason: String| StreamEvent::Closed {
            id,
            transport,
            peer,
            local: None,
            reason,
        };
        let opened = async {
            let tcp = TcpStream::connect(peer)
                .await
                .map_err(|e| format!("connect: {e}"))?;
            let local = tcp
                .local_addr()
                .map_err(|e| format!("local address: {e}"))?;
            let _ = tcp.set_nodelay(true);
            mark(&tcp, peer, dscp);
            match tls {
                None => Ok((Box::new(tcp) as Box<dyn Stream>, local)),
                Some(t) => {
                    let s = t
                        .connector
                        .connect(t.server_name.clone(), tcp)
                        .await
                        .map_err(|e| format!("TLS handshake: {e}"))?;
                    Ok((Box::new(s) as Box<dyn Stream>, local))
                }
            }
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, opened).await {
            Ok(Ok((stream, local))) => run(id, transport, stream, peer, local, rx, events).await,
            Ok(Err(reason)) => {
                let _ = events.send(closed(reason));
            }
            Err(_) => {
                let _ = events.send(closed(format!("connect: no answer in {CONNECT_TIMEOUT:?}")));
            }
        }
    });
    Connection {
        id,
        local: None,
        untraced: Vec::new(),
        tx,
    }
}

/// Runs a connection the listener accepted (after the TLS handshake when
/// `acceptor` is given), its packets marked with `dscp`.
pub fn accepted(
    id: u64,
    tcp: TcpStream,
    peer: SocketAddr,
    acceptor: Option<TlsAcceptor>,
    dscp: u8,
    events: mpsc::UnboundedSender<StreamEvent>,
) -> Connection {
    let local = tcp.local_addr().ok();
    let (tx, rx) = mpsc::unbounded_channel();
    let transport = if acceptor.is_some() {
        Transport::Tls
    } else {
        Transport::Tcp
    };
    tokio::spawn(async move {
        let Some(local) = local else {
            return;
        };
        let _ = tcp.set_nodelay(true);
        mark(&tcp, peer, dscp);
        let stream: Box<dyn Stream> = match acceptor {
            None => Box::new(tcp),
            Some(a) => match tokio::time::timeout(CONNECT_TIMEOUT, a.accept(tcp)).await {
                Ok(Ok(s)) => Box::new(s),
                Ok(Err(e)) => {
                    tracing::info!("TLS handshake from {peer} failed: {e}");
                    let _ = events.send(StreamEvent::Closed {
                        id,
                        transport,
                        peer,
                        local: None,
                        reason: format!("TLS handshake: {e}"),
                    });
                    return;
                }
                Err(_) => return,
            },
        };
        run(id, transport, stream, peer, local, rx, events).await;
    });
    Connection {
        id,
        local,
        untraced: Vec::new(),
        tx,
    }
}

/// A byte stream: plain TCP or TLS over it.
trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Reads and writes until either side ends; reports `Closed` once.
async fn run(
    id: u64,
    transport: Transport,
    stream: Box<dyn Stream>,
    peer: SocketAddr,
    local: SocketAddr,
    mut rx: mpsc::UnboundedReceiver<Bytes>,
    events: mpsc::UnboundedSender<StreamEvent>,
) {
    let _ = events.send(StreamEvent::Connected {
        id,
        transport,
        peer,
        local,
    });
    let (mut read, mut write) = tokio::io::split(stream);
    let mut buf = vec![0u8; READ_CHUNK];
    let reason = loop {
        tokio::select! {
            r = read.read(&mut buf) => match r {
                Ok(0) => break "closed by the peer".to_string(),
                Ok(n) => {
                    let data = Bytes::copy_from_slice(&buf[..n]);
                    let ev = StreamEvent::Data { id, transport, peer, local, data };
                    if events.send(ev).is_err() {
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
        transport,
        peer,
        local: Some(local),
        reason,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection carries the SIP DSCP (40 → TOS byte 160).
    #[tokio::test(flavor = "current_thread")]
    async fn connections_are_marked_with_the_dscp() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let tcp = TcpStream::connect(addr).await.unwrap();
        mark(&tcp, addr, 40);
        let tos = socket2::SockRef::from(&tcp).tos_v4().unwrap();
        assert_eq!(tos, 160);
    }
}
