//! Sans-IO SIP user agent core.
//!
//! This first layer holds the RFC 3261 transport rules (section 18, with
//! RFC 3581 `rport`) and the transaction layer (section 17 as amended by
//! RFC 6026). Nothing here reads a clock, opens a socket, spawns a thread or
//! draws randomness: time arrives as [`Time`] values, randomness as a seed,
//! bytes in as parsed [`sip_proto::Message`]s, and everything that leaves is
//! polled with [`TransactionLayer::poll_output`].
//!
//! Modules:
//!
//! * [`time`] — [`Time`] (milliseconds on the driver's clock) and
//!   [`TimerConfig`] (T1, T2, T4);
//! * [`transport`] — [`Transport`] (UDP, TCP, TLS), [`Transmit`], the
//!   section 18.1.1 size rule, Via construction, 18.2.1 `received` /
//!   RFC 3581 `rport` stamping and 18.2.2 response destinations;
//! * [`transaction`] — the [`TransactionLayer`] and, one module each, the
//!   transaction ids ([`transaction::key`]), the four machines
//!   ([`transaction::client_invite`], [`transaction::client_non_invite`],
//!   [`transaction::server_invite`], [`transaction::server_non_invite`]) and
//!   client CANCEL ([`transaction::cancel`]).
//!
//! ```
//! use std::net::SocketAddr;
//! use ua_core::{Time, Transport, TransactionLayer, LayerConfig, TxOutput};
//!
//! let mut layer = TransactionLayer::new(LayerConfig::default(), 7);
//! let branch = layer.new_branch();
//! let req = sip_proto::Message::parse(format!(
//!     "OPTIONS sip:bob@192.0.2.9 SIP/2.0\r\n\
//!      Via: SIP/2.0/UDP 192.0.2.1:5060;rport;branch={branch}\r\n\
//!      From: <sip:alice@192.0.2.1>;tag=a\r\nTo: <sip:bob@192.0.2.9>\r\n\
//!      Call-ID: c1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n"
//! ).into_bytes()).unwrap();
//! let dst: SocketAddr = "192.0.2.9:5060".parse().unwrap();
//! let key = layer.send_request(Time::ZERO, req, Transport::Udp, dst).unwrap();
//! assert!(matches!(layer.poll_output(), Some(TxOutput::Transmit(_))));
//! // Timer E: the first retransmission is due T1 = 500 ms later.
//! assert_eq!(layer.poll_timeout(), Some(Time::from_millis(500)));
//! # let _ = key;
//! ```

pub mod agent;
pub mod call;
pub mod dialog;
pub mod registration;
pub mod resolver;
pub mod servers;
mod text;
pub mod time;
pub mod transaction;
pub mod transport;

pub use agent::{
    AccountConfig, AccountId, AgentConfig, AgentError, Event, Input, Output, UserAgent,
};
pub use call::{CallId, CallState};
pub use dialog::{Dialog, DialogError, DialogId, DialogState};
pub use registration::{RegAction, RegState, Registration, RegistrationConfig};
pub use resolver::{DnsAnswer, DnsKind, DnsQuery};
pub use servers::{Failover, FailoverAction, ServerList, SrvRecord, order_srv};
pub use time::{Time, TimerConfig};
pub use transaction::{
    Dispatch, DropReason, LayerConfig, Timer, TransactionLayer, TxError, TxOutput, TxState,
    key::{BranchGenerator, TxKey},
};
pub use transport::{Transmit, Transport};
