//! The transaction layer (RFC 3261 section 17, amended by RFC 6026), driven
//! Sans-IO style.
//!
//! [`TransactionLayer`] owns every live transaction in a `BTreeMap` keyed by
//! [`TxKey`]. The driver and the TU feed it:
//!
//! * [`send_request`](TransactionLayer::send_request) — the TU starts a
//!   client transaction;
//! * [`cancel`](TransactionLayer::cancel) — the TU cancels an INVITE
//!   (section 9.1);
//! * [`send_response`](TransactionLayer::send_response) — the TU answers
//!   through a server transaction;
//! * [`handle_message`](TransactionLayer::handle_message) — a message from
//!   the network: matched to a transaction (sections 17.1.3, 17.2.3) or
//!   reported as new request / ACK without transaction / stray response;
//! * [`handle_timeout`](TransactionLayer::handle_timeout) — the clock reached
//!   [`poll_timeout`](TransactionLayer::poll_timeout);
//! * [`handle_transport_error`](TransactionLayer::handle_transport_error).
//!
//! and drains [`poll_output`](TransactionLayer::poll_output) for transmits
//! and TU events. A `Transmit` is always queued before the timer that would
//! retransmit it can fire.
//!
//! Bounds: terminated transactions are removed at once, and at most
//! `LayerConfig::max_transactions` live (plus at most one CANCEL per INVITE
//! client transaction, see [`cancel`](TransactionLayer::cancel)); a new
//! request beyond that is
//! reported as [`TxOutput::Overloaded`] so the TU can answer 503 with
//! [`send_stateless_response`](TransactionLayer::send_stateless_response).
//! Two guards beyond the RFC keep every transaction finite even when the TU
//! never answers: a non-INVITE server transaction ends 64*T1 after creation
//! if it is still unanswered (the client's Timer F has fired by then), and
//! `invite_guard` (Timer C's 3 minutes by default) limits the Proceeding
//! state of both INVITE machines. Both report [`Timer::Guard`].

pub mod cancel;
pub mod client_invite;
pub mod client_non_invite;
pub mod key;
pub mod server_invite;
pub mod server_non_invite;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use sip_proto::{HeaderName, Host, Message, MessageBuilder, Method, ParseError};

use crate::time::{Time, TimerConfig};
use crate::transport::{
    self, DEFAULT_DSCP, ResponseTarget, SizeRule, Transmit, Transport, rebuild_via, replace_top_via,
};
use client_invite::{ClientInvite, ClientInviteState};
use client_non_invite::{ClientNonInvite, ClientNonInviteState};
use key::{AsKeyRef, KeyRef};
use key::{BranchGenerator, ServerKey, TxKey};
use server_invite::{ServerInvite, ServerInviteState};
use server_non_invite::{ServerNonInvite, ServerNonInviteState};

/// The timers of RFC 3261 Table 4 and RFC 6026, plus the layer's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// INVITE request retransmit (UDP).
    A,
    /// INVITE transaction timeout.
    B,
    /// Wait for response retransmits (client INVITE Completed).
    D,
    /// Non-INVITE request retransmit (UDP).
    E,
    /// Non-INVITE transaction timeout.
    F,
    /// INVITE final response retransmit (UDP).
    G,
    /// Wait for ACK.
    H,
    /// Wait for ACK retransmits.
    I,
    /// Wait for non-INVITE request retransmits.
    J,
    /// Wait for non-INVITE response retransmits.
    K,
    /// Accepted INVITE server transaction (RFC 6026).
    L,
    /// Accepted INVITE client transaction (RFC 6026).
    M,
    /// The delayed 100 Trying of the INVITE server transaction.
    Trying,
    /// The layer's own limit on waiting for a final response (see the
    /// module documentation).
    Guard,
    /// RFC 3581 section 3: INVITE retransmission in Proceeding to keep a
    /// NAT binding open (see `LayerConfig::invite_nat_refresh`).
    NatRefresh,
}

/// The earliest set timer of a list.
pub(crate) fn earliest(list: &[(Option<Time>, Timer)]) -> Option<(Time, Timer)> {
    list.iter().filter_map(|(t, n)| t.map(|t| (t, *n))).min()
}

/// Configuration of a [`TransactionLayer`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LayerConfig {
    /// T1, T2, T4.
    pub timers: TimerConfig,
    /// DSCP of every transmit (40 by default).
    pub dscp: u8,
    /// The most live transactions; new server transactions beyond it are
    /// refused with [`TxOutput::Overloaded`].
    pub max_transactions: usize,
    /// The section 18.1.1 size rule and its keep-UDP override.
    pub size_rule: SizeRule,
    /// How long the INVITE server transaction waits for the TU before it
    /// sends 100 Trying itself (section 17.2.1); zero sends it at once.
    pub trying_delay: Duration,
    /// Longest time an INVITE transaction may stay in Proceeding before the
    /// layer gives up with [`Timer::Guard`]; `None` waits forever.
    pub invite_guard: Option<Duration>,
    /// RFC 3581 section 3: a client behind a NAT SHOULD retransmit its
    /// INVITE "every 20 seconds or so", even after a provisional, to keep
    /// the binding fresh. When set, an INVITE sent over UDP with `rport` in
    /// its top Via is retransmitted at this interval while Proceeding.
    /// Off by default.
    pub invite_nat_refresh: Option<Duration>,
}

impl Default for LayerConfig {
    fn default() -> Self {
        LayerConfig {
            timers: TimerConfig::default(),
            dscp: DEFAULT_DSCP,
            max_transactions: 4096,
            size_rule: SizeRule::default(),
            trying_delay: Duration::from_millis(200),
            invite_guard: Some(Duration::from_secs(180)),
            invite_nat_refresh: None,
        }
    }
}

/// What the layer hands to the driver and the TU.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TxOutput {
    /// Bytes to send.
    Transmit(Transmit),
    /// A new request: a server transaction `key` was created for it. The
    /// request's top Via carries `received`/`rport` (section 18.2.1). For a
    /// CANCEL, [`TransactionLayer::cancel_target`] finds the transaction it
    /// cancels (section 9.2).
    Request {
        /// The new server transaction.
        key: TxKey,
        /// The request as received (boxed: outputs move through queues).
        /// Its top Via as stamped per section 18.2.1 goes into the
        /// responses: [`TransactionLayer::response_to`] writes it, and
        /// [`TransactionLayer::send_response`] puts it into a response
        /// built without it.
        request: Box<Message>,
    },
    /// A response for client transaction `key` (provisional, final, and in
    /// the Accepted state every 2xx).
    Response {
        /// The client transaction.
        key: TxKey,
        /// The response.
        response: Box<Message>,
    },
    /// An ACK for the TU: one matching an INVITE server transaction in the
    /// Accepted state (`key` set, RFC 6026 section 7.1), or one that matches
    /// no transaction, as the ACK for a 2xx does (`key` `None`, section 18.2.1).
    Ack {
        /// The INVITE server transaction, if one matched.
        key: Option<TxKey>,
        /// The ACK as received (an ACK gets no response, so nothing is
        /// stamped).
        request: Box<Message>,
    },
    /// A transaction timed out: Timer B or F (no response), Timer H (no
    /// ACK for a non-2xx: a transaction failure), or the layer's guard.
    Timeout {
        /// The transaction.
        key: TxKey,
        /// Which timer.
        timer: Timer,
    },
    /// Sending for this transaction failed (sections 17.1.4, 17.2.4).
    TransportError {
        /// The transaction.
        key: TxKey,
    },
    /// The transaction reached Terminated and was destroyed.
    Terminated {
        /// The transaction.
        key: TxKey,
    },
    /// A new request was refused: too many live transactions. The TU may
    /// answer it statelessly (503).
    Overloaded {
        /// The request, as stamped.
        request: Box<Message>,
        /// The transport it came on.
        transport: Transport,
        /// Where it came from.
        source: SocketAddr,
    },
}

/// What [`TransactionLayer::handle_message`] did with a message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dispatch {
    /// It matched transaction `key` (a response, a retransmission, an ACK).
    Matched(TxKey),
    /// A new server transaction `key`; [`TxOutput::Request`] is queued.
    NewRequest(TxKey),
    /// An ACK without transaction; [`TxOutput::Ack`] is queued.
    AckToTu,
    /// A response that matches no client transaction. RFC 6026 section
    /// 8.9: it is discarded; it is returned for logging.
    Stray(Box<Message>),
    /// Refused for lack of room; [`TxOutput::Overloaded`] is queued.
    Overloaded,
    /// Not processed.
    Dropped(DropReason),
}

/// Why a message was dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum DropReason {
    /// The bytes do not parse.
    #[error("unparsable message: {0}")]
    Malformed(ParseError),
    /// A header transaction matching needs (Via, CSeq, Call-ID, From, To)
    /// is missing.
    #[error("missing Via, CSeq, Call-ID, From or To")]
    MissingHeaders,
    /// A response whose top Via sent-by is not the one this client wrote
    /// (section 18.1.2).
    #[error("response sent-by does not match the request")]
    SentByMismatch,
    /// An RFC 2543 request that collides with another transaction's id.
    #[error("request collides with an existing transaction")]
    Conflict,
}

/// Errors of the TU-facing calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum TxError {
    /// `send_request` was given a response.
    #[error("not a request")]
    NotARequest,
    /// `send_response` was given a request.
    #[error("not a response")]
    NotAResponse,
    /// ACK has no client transaction; use `send_stateless`.
    #[error("ACK is sent outside transactions")]
    AckIsNotATransaction,
    /// The top Via lacks an RFC 3261 branch (section 8.1.1.7).
    #[error("top Via lacks a z9hG4bK branch")]
    MissingBranch,
    /// A transaction with that key exists.
    #[error("transaction exists")]
    Duplicate,
    /// `max_transactions` reached.
    #[error("too many transactions")]
    TooManyTransactions,
    /// No such transaction (or not a server transaction).
    #[error("no such transaction")]
    NoTransaction,
    /// The transaction cannot send this response in its state.
    #[error("response not allowed in this state")]
    InvalidState,
    /// No address to send the response to (needs RFC 3263 resolution).
    #[error("response destination needs resolution")]
    Unroutable,
    /// Rewriting the message failed.
    #[error("message could not be rewritten")]
    Rewrite,
}

/// The state of a transaction, for inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxState {
    /// INVITE client transaction.
    ClientInvite(ClientInviteState),
    /// Non-INVITE client transaction.
    ClientNonInvite(ClientNonInviteState),
    /// INVITE server transaction.
    ServerInvite(ServerInviteState),
    /// Non-INVITE server transaction.
    ServerNonInvite(ServerNonInviteState),
}

/// What a state machine asks the layer to do.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Action {
    Send(Bytes),
    Response(Box<Message>),
    Ack(Box<Message>),
    Timeout(Timer),
}

/// What a state machine needs from its surroundings for one step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub now: Time,
    pub cfg: &'a LayerConfig,
    pub reliable: bool,
    /// Server: the request's top Via as stamped on receipt, for the
    /// responses the machine builds itself (100 Trying).
    pub stamp: Option<&'a str>,
}

// Named after the four machines of section 17.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Machine {
    ClientInvite(ClientInvite),
    ClientNonInvite(ClientNonInvite),
    ServerInvite(ServerInvite),
    ServerNonInvite(ServerNonInvite),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Entry {
    transport: Transport,
    /// Where this transaction's messages go; `None` for a server
    /// transaction whose response destination needs resolution.
    destination: Option<SocketAddr>,
    /// The local address a server transaction's request arrived on.
    local: Option<SocketAddr>,
    /// Client: the sent-by of the request's top Via (section 18.1.2).
    sent_by: Option<(SentByHost, Option<u16>)>,
    /// Client INVITE: a CANCEL waiting for the first provisional (9.1).
    /// (Boxed: rare, and inline it would take the entry past the
    /// allocator's small-block sizes.)
    pending_cancel: Option<Box<Message>>,
    /// Server: the request's top Via with `received`/`rport` (sections
    /// 18.2.1, RFC 3581 section 4) when it needed them; every response
    /// carries it as its top Via.
    /// (A `String` as written: shrinking it to a `Box<str>` took glibc's
    /// `realloc`.)
    stamp: Option<String>,
    machine: Machine,
}

impl Entry {
    fn next_deadline(&self) -> Option<Time> {
        match &self.machine {
            Machine::ClientInvite(m) => m.next_deadline(),
            Machine::ClientNonInvite(m) => m.next_deadline(),
            Machine::ServerInvite(m) => m.next_deadline(),
            Machine::ServerNonInvite(m) => m.next_deadline(),
        }
    }

    fn is_terminated(&self) -> bool {
        match &self.machine {
            Machine::ClientInvite(m) => m.state() == ClientInviteState::Terminated,
            Machine::ClientNonInvite(m) => m.state() == ClientNonInviteState::Terminated,
            Machine::ServerInvite(m) => m.state() == ServerInviteState::Terminated,
            Machine::ServerNonInvite(m) => m.state() == ServerNonInviteState::Terminated,
        }
    }

    fn state(&self) -> TxState {
        match &self.machine {
            Machine::ClientInvite(m) => TxState::ClientInvite(m.state()),
            Machine::ClientNonInvite(m) => TxState::ClientNonInvite(m.state()),
            Machine::ServerInvite(m) => TxState::ServerInvite(m.state()),
            Machine::ServerNonInvite(m) => TxState::ServerNonInvite(m.state()),
        }
    }

    /// A client transaction's context.
    fn ctx<'a>(&self, now: Time, cfg: &'a LayerConfig) -> Ctx<'a> {
        Ctx {
            now,
            cfg,
            reliable: self.transport.is_reliable(),
            stamp: None,
        }
    }
}

/// A client transaction's sent-by host: an IPv4 address kept as it is
/// (no string of its own for the common case), anything else as
/// [`host_key`](crate::text::host_key) writes it (lower case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SentByHost {
    V4(std::net::Ipv4Addr),
    Text(String),
}

fn sent_by_of(msg: &Message) -> Option<(SentByHost, Option<u16>)> {
    let v = msg.top_via()?;
    let host = match v.host {
        Host::V4(a) => SentByHost::V4(a),
        _ => SentByHost::Text(crate::text::host_key(&v.host)),
    };
    Some((host, v.port))
}

/// Whether `msg`'s top Via has the sent-by [`sent_by_of`] gave
/// `sent_by` (compared without writing the host out again).
fn sent_by_is(sent_by: &(SentByHost, Option<u16>), msg: &Message) -> bool {
    let Some(v) = msg.top_via() else {
        return false;
    };
    v.port == sent_by.1
        && match (&v.host, &sent_by.0) {
            (Host::V4(a), SentByHost::V4(b)) => a == b,
            // An address against a name: compared as text, as before.
            (Host::V4(a), SentByHost::Text(t)) => {
                sip_proto::uri::ipv4_text(a, &mut [0; 15]) == t.as_str()
            }
            (_, SentByHost::V4(b)) => {
                crate::text::host_key(&v.host) == sip_proto::uri::ipv4_text(b, &mut [0; 15])
            }
            // `t` is in lower case already.
            (Host::Name(n), SentByHost::Text(t)) => n.eq_ignore_ascii_case(t),
            (Host::V6(_), SentByHost::Text(t)) => crate::text::host_key(&v.host) == *t,
        }
}

/// The transaction layer: every live transaction, the output queue and the
/// branch generator. A plain value: `Clone + Eq + Hash + Debug`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TransactionLayer {
    config: LayerConfig,
    branches: BranchGenerator,
    /// Boxed: an entry holds whole messages, and B-tree nodes move and
    /// allocate their values eleven at a time.
    txs: BTreeMap<TxKey, Box<Entry>>,
    out: VecDeque<TxOutput>,
    /// The machines' actions while one input is handled; empty between
    /// inputs (kept to spare an allocation per input).
    actions: Vec<Action>,
}

impl TransactionLayer {
    /// A layer with `config`; `seed` drives the branch generator.
    pub fn new(config: LayerConfig, seed: u64) -> Self {
        let mut config = config;
        // Retransmit intervals must move time forward.
        config.timers.t1 = config.timers.t1.max(Duration::from_millis(1));
        config.invite_nat_refresh = config
            .invite_nat_refresh
            .map(|d| d.max(Duration::from_millis(1)));
        config.timers.t2 = config.timers.t2.max(config.timers.t1);
        TransactionLayer {
            config,
            branches: BranchGenerator::new(seed),
            txs: BTreeMap::new(),
            out: VecDeque::new(),
            actions: Vec::new(),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &LayerConfig {
        &self.config
    }

    /// A fresh `z9hG4bK` branch for a new request's Via (section 8.1.1.7).
    pub fn new_branch(&mut self) -> String {
        self.branches.next_branch()
    }

    /// A top Via value for a new request with a fresh branch (sections
    /// 8.1.1.7, 18.1.1; `rport` asks for RFC 3581 handling).
    pub fn new_via(
        &mut self,
        transport: Transport,
        host: &str,
        port: Option<u16>,
        rport: bool,
    ) -> String {
        // `via_value` with the branch written in place (no string of its
        // own).
        let mut s = String::with_capacity(48 + host.len() + key::MAGIC_COOKIE.len() + 16);
        transport::push_via_branch_head(&mut s, transport, host, port);
        self.branches.push_branch(&mut s);
        if rport {
            s.push_str(";rport");
        }
        s
    }

    /// The number of live transactions.
    pub fn len(&self) -> usize {
        self.txs.len()
    }

    /// Whether no transaction is live.
    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    /// The keys of the live transactions, in order.
    pub fn keys(&self) -> impl Iterator<Item = &TxKey> + '_ {
        self.txs.keys()
    }

    /// The state of transaction `key`, if it is live.
    pub fn state(&self, key: &TxKey) -> Option<TxState> {
        self.txs.get(key).map(|e| e.state())
    }

    /// The next output, if any.
    pub fn poll_output(&mut self) -> Option<TxOutput> {
        self.out.pop_front()
    }

    /// The earliest deadline of any transaction timer.
    pub fn poll_timeout(&self) -> Option<Time> {
        self.txs.values().filter_map(|e| e.next_deadline()).min()
    }

    fn transmit(
        &self,
        transport: Transport,
        destination: SocketAddr,
        source: Option<SocketAddr>,
        data: Bytes,
    ) -> TxOutput {
        TxOutput::Transmit(Transmit {
            transport,
            destination,
            source,
            dscp: self.config.dscp,
            data,
        })
    }

    /// Turns a machine's actions into outputs, and removes the transaction
    /// if it terminated.
    fn apply(&mut self, key: &TxKey, mut actions: Vec<Action>) {
        let Some(entry) = self.txs.get(key) else {
            actions.clear();
            self.actions = actions;
            return;
        };
        let (transport, destination, local) = (entry.transport, entry.destination, entry.local);
        // The machine has moved already: the actions do not change it.
        let done = entry.is_terminated();
        for a in actions.drain(..) {
            let o = match a {
                Action::Send(data) => match destination {
                    Some(d) => self.transmit(transport, d, local, data),
                    None => TxOutput::TransportError { key: key.clone() },
                },
                Action::Response(response) => TxOutput::Response {
                    key: key.clone(),
                    response,
                },
                Action::Ack(request) => TxOutput::Ack {
                    key: Some(key.clone()),
                    request,
                },
                Action::Timeout(timer) => TxOutput::Timeout {
                    key: key.clone(),
                    timer,
                },
            };
            self.out.push_back(o);
        }
        self.actions = actions;
        if done && let Some((key, _)) = self.txs.remove_entry(key) {
            // The map's own key goes out: no copy of the branch.
            self.out.push_back(TxOutput::Terminated { key });
        }
    }

    /// Starts a client transaction for `request` (sections 17.1.1, 17.1.2)
    /// and queues its first transmission to `destination`.
    ///
    /// The request's top Via must carry a `z9hG4bK` branch (see
    /// [`new_branch`](Self::new_branch) and [`transport::via_value`]). Over
    /// UDP a request larger than the size rule allows is sent over TCP
    /// instead, with the Via transport changed (section 18.1.1), unless
    /// `size_rule.keep_udp` is set. A top Via naming another transport than
    /// the one used is corrected the same way, and a request to a multicast
    /// group gets `maddr` (and `ttl=1` for IPv4) in its top Via.
    pub fn send_request(
        &mut self,
        now: Time,
        request: Message,
        transport: Transport,
        destination: SocketAddr,
    ) -> Result<TxKey, TxError> {
        let method = request.method().ok_or(TxError::NotARequest)?.clone();
        if method == Method::Ack {
            return Err(TxError::AckIsNotATransaction);
        }
        if !request.top_via().is_some_and(|v| v.has_rfc3261_branch()) {
            return Err(TxError::MissingBranch);
        }
        let key = TxKey::client_for_request(&request).ok_or(TxError::MissingBranch)?;
        if self.txs.contains_key(&key) {
            return Err(TxError::Duplicate);
        }
        if self.txs.len() >= self.config.max_transactions {
            return Err(TxError::TooManyTransactions);
        }
        let mut request = request;
        let mut bytes = wire(&request);
        let chosen = self.config.size_rule.transport_for(transport, bytes.len());
        let via_matches = request
            .top_via()
            .is_some_and(|v| Transport::from_via_token(v.transport) == Some(chosen));
        // Section 18.1.1: a request to a multicast group names it in maddr
        // (with ttl=1 for IPv4).
        let multicast = destination.ip().is_multicast();
        let group = if multicast {
            destination.ip().to_string()
        } else {
            String::new()
        };
        let mut edits: Vec<(&str, Option<&str>)> = Vec::new();
        if multicast {
            edits.push(("maddr", Some(&group)));
            if destination.is_ipv4() {
                edits.push(("ttl", Some("1")));
            }
        }
        if !via_matches || !edits.is_empty() {
            // Section 18.1.1: the top Via names the transport actually used.
            let via = request.top_via().ok_or(TxError::MissingBranch)?;
            let new_via = rebuild_via(&via, chosen.via_token(), &edits);
            request = replace_top_via(&request, &new_via).map_err(|_| TxError::Rewrite)?;
            bytes = wire(&request);
        }
        let entry_sent_by = sent_by_of(&request);
        let mut actions = std::mem::take(&mut self.actions);
        let ctx = Ctx {
            now,
            cfg: &self.config,
            reliable: chosen.is_reliable(),
            stamp: None,
        };
        let machine = if method == Method::Invite {
            Machine::ClientInvite(ClientInvite::new(ctx, request, bytes, &mut actions))
        } else {
            Machine::ClientNonInvite(ClientNonInvite::new(ctx, bytes, &mut actions))
        };
        self.txs.insert(
            key.clone(),
            Box::new(Entry {
                transport: chosen,
                destination: Some(destination),
                local: None,
                sent_by: entry_sent_by,
                pending_cancel: None,
                stamp: None,
                machine,
            }),
        );
        self.apply(&key, actions);
        Ok(key)
    }

    /// Cancels the INVITE of client transaction `invite` (section 9.1).
    ///
    /// Builds the CANCEL with [`cancel::build_cancel`] from the INVITE as
    /// sent and returns the key of its own (non-INVITE) client transaction.
    /// It goes to the INVITE's destination over the INVITE's transport. While
    /// the INVITE has had no provisional response the CANCEL is held and sent
    /// when the first one arrives (dropped if a final one comes instead).
    /// Once it is sent the INVITE transaction gives up 64*T1 later if no
    /// final response arrives ([`Timer::Guard`]). A CANCEL transaction does
    /// not count against `max_transactions`: there is at most one per INVITE.
    pub fn cancel(&mut self, now: Time, invite: &TxKey) -> Result<TxKey, TxError> {
        let TxKey::Client { branch, .. } = invite else {
            return Err(TxError::NoTransaction);
        };
        let key = TxKey::Client {
            branch: branch.clone(),
            method: Method::Cancel,
        };
        let cancel_live = self.txs.contains_key(&key);
        let entry = self.txs.get_mut(invite).ok_or(TxError::NoTransaction)?;
        let Machine::ClientInvite(m) = &entry.machine else {
            return Err(TxError::NoTransaction);
        };
        if entry.pending_cancel.is_some() || cancel_live {
            return Err(TxError::Duplicate);
        }
        let state = m.state();
        let cancel = cancel::build_cancel(m.request()).ok_or(TxError::Rewrite)?;
        match state {
            ClientInviteState::Calling => {
                entry.pending_cancel = Some(Box::new(cancel));
                Ok(key)
            }
            ClientInviteState::Proceeding => {
                self.start_cancel(now, invite, cancel);
                Ok(key)
            }
            // A final response came: the CANCEL would be a no-op.
            _ => Err(TxError::InvalidState),
        }
    }

    fn start_cancel(&mut self, now: Time, invite: &TxKey, cancel: Message) {
        let Some(entry) = self.txs.get_mut(invite) else {
            return;
        };
        let (transport, destination, sent_by) =
            (entry.transport, entry.destination, entry.sent_by.clone());
        let ctx = entry.ctx(now, &self.config);
        if let Machine::ClientInvite(m) = &mut entry.machine {
            m.on_cancel_sent(ctx);
        }
        let Some(key) = TxKey::client_for_request(&cancel) else {
            return;
        };
        if self.txs.contains_key(&key) {
            return;
        }
        let mut actions = std::mem::take(&mut self.actions);
        let machine =
            Machine::ClientNonInvite(ClientNonInvite::new(ctx, wire(&cancel), &mut actions));
        self.txs.insert(
            key.clone(),
            Box::new(Entry {
                transport,
                destination,
                local: None,
                sent_by,
                pending_cancel: None,
                stamp: None,
                machine,
            }),
        );
        self.apply(&key, actions);
    }

    /// The transport and destination a client transaction sends to (after
    /// the section 18.1.1 size rule).
    pub fn route_of(&self, key: &TxKey) -> Option<(Transport, SocketAddr)> {
        let e = self.txs.get(key)?;
        Some((e.transport, e.destination?))
    }

    /// Passes the TU's `response` to server transaction `key` (sections
    /// 17.2.1, 17.2.2). The destination follows section 18.2.2 from the
    /// request's top Via as stamped on receipt, and a response whose top Via
    /// is not that stamp (built from the request as received) gets it.
    ///
    /// 2xx retransmissions of the UAS core (section 13.3.1.4) go through
    /// here while the transaction is Accepted; after Timer L they go out with
    /// [`send_stateless_response`](Self::send_stateless_response).
    pub fn send_response(
        &mut self,
        now: Time,
        key: &TxKey,
        response: Message,
    ) -> Result<(), TxError> {
        if response.status().is_none() {
            return Err(TxError::NotAResponse);
        }
        let entry = self.txs.get_mut(key).ok_or(TxError::NoTransaction)?;
        // A response built without the stamp (`MessageBuilder::response_to`
        // on the request as received) gets it here.
        let response = match entry.stamp.as_deref() {
            Some(s) if response.values(HeaderName::Via).next() != Some(s) => {
                response.with_top_via(s).unwrap_or(response)
            }
            _ => response,
        };
        let ctx = Ctx {
            now,
            cfg: &self.config,
            reliable: entry.transport.is_reliable(),
            stamp: entry.stamp.as_deref(),
        };
        let mut actions = std::mem::take(&mut self.actions);
        match &mut entry.machine {
            Machine::ServerInvite(m) => m.on_tu_response(ctx, &response, &mut actions)?,
            Machine::ServerNonInvite(m) => m.on_tu_response(ctx, &response, &mut actions)?,
            _ => return Err(TxError::NoTransaction),
        }
        self.apply(key, actions);
        Ok(())
    }

    /// A response to `request`, the request of server transaction `key`
    /// ([`MessageBuilder::response_to`]), whose top Via is the request's as
    /// stamped on receipt (section 18.2.1, RFC 3581 section 4): the TU sees
    /// the request as it came, and its responses carry `received` and
    /// `rport` without the request being rewritten.
    pub fn response_to(
        &self,
        key: &TxKey,
        request: &Message,
        code: u16,
        reason: &str,
        to_tag: Option<&str>,
    ) -> MessageBuilder {
        let stamp = self.txs.get(key).and_then(|e| e.stamp.as_deref());
        MessageBuilder::response_to_via(request, code, reason, to_tag, stamp)
    }

    /// Sends a message outside any transaction: the ACK for a 2xx (section
    /// 13.2.2.4) or anything else the TU handles end to end.
    pub fn send_stateless(
        &mut self,
        message: &Message,
        transport: Transport,
        destination: SocketAddr,
    ) {
        let t = self.transmit(transport, destination, None, wire(message));
        self.out.push_back(t);
    }

    /// Sends a response without a server transaction (e.g. 503 for an
    /// [`TxOutput::Overloaded`] request), to the section 18.2.2 destination
    /// from its top Via.
    pub fn send_stateless_response(
        &mut self,
        response: &Message,
        transport: Transport,
        source: SocketAddr,
        local: Option<SocketAddr>,
    ) -> Result<(), TxError> {
        let via = response.top_via().ok_or(TxError::Unroutable)?;
        match transport::response_target(&via, transport, source) {
            ResponseTarget::Addr(d) => {
                let t = self.transmit(transport, d, local, wire(response));
                self.out.push_back(t);
                Ok(())
            }
            ResponseTarget::Resolve { .. } => Err(TxError::Unroutable),
        }
    }

    /// Parses `data` (one datagram, or one message a stream framer such as
    /// [`sip_proto::framer::Framer`] cut from a TCP/TLS stream) and handles
    /// it as [`handle_message_on`](Self::handle_message_on).
    pub fn handle_bytes(
        &mut self,
        now: Time,
        data: impl Into<Bytes>,
        transport: Transport,
        source: SocketAddr,
        local: Option<SocketAddr>,
    ) -> Dispatch {
        match Message::parse_boxed(data) {
            // Boxed at once: it goes up boxed, and a message is large
            // (608 bytes) to move through the calls below.
            Ok(m) => self.dispatch(now, m, transport, source, local),
            Err(e) => Dispatch::Dropped(DropReason::Malformed(e)),
        }
    }

    /// A message from the network, received over `transport` from `source`.
    pub fn handle_message(
        &mut self,
        now: Time,
        msg: Message,
        transport: Transport,
        source: SocketAddr,
    ) -> Dispatch {
        self.handle_message_on(now, msg, transport, source, None)
    }

    /// As [`handle_message`](Self::handle_message), also naming the local
    /// address the message arrived on: responses leave from it (RFC 3581).
    pub fn handle_message_on(
        &mut self,
        now: Time,
        msg: Message,
        transport: Transport,
        source: SocketAddr,
        local: Option<SocketAddr>,
    ) -> Dispatch {
        self.dispatch(now, Box::new(msg), transport, source, local)
    }

    /// [`handle_message_on`](Self::handle_message_on) for a boxed message.
    fn dispatch(
        &mut self,
        now: Time,
        msg: Box<Message>,
        transport: Transport,
        source: SocketAddr,
        local: Option<SocketAddr>,
    ) -> Dispatch {
        if msg.top_via().is_none()
            || msg.cseq().is_none()
            || msg.call_id().is_none()
            || msg.from_header().is_none()
            || msg.to_header().is_none()
        {
            return Dispatch::Dropped(DropReason::MissingHeaders);
        }
        if msg.is_request() {
            self.handle_request(now, msg, transport, source, local)
        } else {
            self.handle_response(now, msg)
        }
    }

    fn handle_response(&mut self, now: Time, msg: Box<Message>) -> Dispatch {
        // The key (section 17.1.3: the top Via's branch and the CSeq
        // method) looked up as borrowed text; the map's own key is taken.
        let key = match (msg.top_via().and_then(|v| v.branch()), msg.cseq()) {
            (Some(branch), Some(cseq)) => {
                let probe = KeyRef::Client(branch, &cseq.method);
                self.txs
                    .get_key_value(&probe as &dyn AsKeyRef)
                    .map(|(k, _)| k.clone())
            }
            _ => None,
        };
        let Some(key) = key else {
            return Dispatch::Stray(msg);
        };
        let Some(entry) = self.txs.get_mut(&key) else {
            return Dispatch::Stray(msg);
        };
        if let Some(sent_by) = &entry.sent_by
            && !sent_by_is(sent_by, &msg)
        {
            return Dispatch::Dropped(DropReason::SentByMismatch);
        }
        let ctx = entry.ctx(now, &self.config);
        let mut actions = std::mem::take(&mut self.actions);
        let mut release = None;
        match &mut entry.machine {
            Machine::ClientInvite(m) => {
                m.on_response(ctx, msg, &mut actions);
                match m.state() {
                    // The first provisional releases a held CANCEL (9.1)...
                    ClientInviteState::Proceeding => release = entry.pending_cancel.take(),
                    // ...and a final response makes it pointless.
                    _ => entry.pending_cancel = None,
                }
            }
            Machine::ClientNonInvite(m) => m.on_response(ctx, msg, &mut actions),
            _ => return Dispatch::Stray(msg),
        }
        self.apply(&key, actions);
        if let Some(cancel) = release {
            self.start_cancel(now, &key, *cancel);
        }
        Dispatch::Matched(key)
    }

    fn handle_request(
        &mut self,
        now: Time,
        msg: Box<Message>,
        transport: Transport,
        source: SocketAddr,
        local: Option<SocketAddr>,
    ) -> Dispatch {
        // The key comes from the request as sent, before stamping.
        let Some(key) = TxKey::server_for_request(&msg) else {
            return Dispatch::Dropped(DropReason::MissingHeaders);
        };
        let is_ack = msg.method() == Some(&Method::Ack);
        // Section 18.2.1's `received`/`rport` serve the responses, which copy
        // the top Via; an ACK has none, so it goes up as it came.
        if let Some(entry) = self.txs.get_mut(&key) {
            let rfc2543 = matches!(&key, TxKey::Server(s) if s.is_rfc2543());
            if let Machine::ServerInvite(m) = &mut entry.machine {
                if rfc2543 {
                    // Section 17.2.3: the INVITE's To tag must be the
                    // original's; an ACK's To tag that of our response.
                    let tag = msg.to_header().and_then(|t| t.tag().map(str::to_owned));
                    let expected = if is_ack {
                        m.final_to_tag().map(str::to_owned)
                    } else {
                        m.request()
                            .to_header()
                            .and_then(|t| t.tag().map(str::to_owned))
                    };
                    if tag != expected && !(is_ack && expected.is_none()) {
                        return if is_ack {
                            self.out.push_back(TxOutput::Ack {
                                key: None,
                                request: msg,
                            });
                            Dispatch::AckToTu
                        } else {
                            Dispatch::Dropped(DropReason::Conflict)
                        };
                    }
                }
                let ctx = Ctx {
                    now,
                    cfg: &self.config,
                    reliable: entry.transport.is_reliable(),
                    stamp: entry.stamp.as_deref(),
                };
                let mut actions = std::mem::take(&mut self.actions);
                m.on_request(ctx, msg, is_ack, &mut actions);
                self.apply(&key, actions);
                return Dispatch::Matched(key);
            }
            if let Machine::ServerNonInvite(m) = &mut entry.machine {
                let mut actions = std::mem::take(&mut self.actions);
                m.on_request(&mut actions);
                self.apply(&key, actions);
                return Dispatch::Matched(key);
            }
            return Dispatch::Dropped(DropReason::Conflict);
        }
        if is_ack {
            self.out.push_back(TxOutput::Ack {
                key: None,
                request: msg,
            });
            return Dispatch::AckToTu;
        }
        if self.txs.len() >= self.config.max_transactions {
            // A stateless answer copies the Via: stamp it here (rare).
            let msg = match transport::stamp_received(&msg, source) {
                Ok(stamped) => Box::new(stamped),
                Err(_) => msg,
            };
            self.out.push_back(TxOutput::Overloaded {
                request: msg,
                transport,
                source,
            });
            return Dispatch::Overloaded;
        }
        let (stamp, destination) = transport::receipt(&msg, transport, source);
        let ctx = Ctx {
            now,
            cfg: &self.config,
            reliable: transport.is_reliable(),
            stamp: stamp.as_deref(),
        };
        let mut actions = std::mem::take(&mut self.actions);
        let machine = if msg.method() == Some(&Method::Invite) {
            Machine::ServerInvite(ServerInvite::new(ctx, (*msg).clone(), &mut actions))
        } else {
            Machine::ServerNonInvite(ServerNonInvite::new(ctx))
        };
        self.txs.insert(
            key.clone(),
            Box::new(Entry {
                transport,
                destination,
                local,
                sent_by: None,
                pending_cancel: None,
                stamp,
                machine,
            }),
        );
        self.out.push_back(TxOutput::Request {
            key: key.clone(),
            request: msg,
        });
        self.apply(&key, actions);
        Dispatch::NewRequest(key)
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Time) {
        let due: Vec<TxKey> = self
            .txs
            .iter()
            .filter(|(_, e)| e.next_deadline().is_some_and(|t| t <= now))
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            let Some(entry) = self.txs.get_mut(&key) else {
                continue;
            };
            let ctx = Ctx {
                now,
                cfg: &self.config,
                reliable: entry.transport.is_reliable(),
                stamp: entry.stamp.as_deref(),
            };
            let mut actions = std::mem::take(&mut self.actions);
            match &mut entry.machine {
                Machine::ClientInvite(m) => m.on_timer(ctx, &mut actions),
                Machine::ClientNonInvite(m) => m.on_timer(ctx, &mut actions),
                Machine::ServerInvite(m) => m.on_timer(ctx, &mut actions),
                Machine::ServerNonInvite(m) => m.on_timer(ctx, &mut actions),
            }
            self.apply(&key, actions);
        }
    }

    /// The driver could not send for transaction `key` (ICMP error,
    /// connection failure; section 18.4). Client transactions and the
    /// non-INVITE server transaction terminate (sections 17.1.4, Figure 8);
    /// the INVITE server transaction stays in its state (RFC 6026 section
    /// 7.1). The TU is told in every case.
    pub fn handle_transport_error(&mut self, _now: Time, key: &TxKey) {
        let Some(entry) = self.txs.get_mut(key) else {
            return;
        };
        match &mut entry.machine {
            Machine::ClientInvite(m) => m.on_transport_error(),
            Machine::ClientNonInvite(m) => m.on_transport_error(),
            Machine::ServerInvite(_) => {}
            Machine::ServerNonInvite(m) => m.on_transport_error(),
        }
        self.out
            .push_back(TxOutput::TransportError { key: key.clone() });
        self.apply(key, Vec::new());
    }

    /// Destroys transaction `key` at the TU's request (e.g. section 9.1:
    /// no final response 64*T1 after a CANCEL). Queues `Terminated`.
    pub fn terminate(&mut self, key: &TxKey) {
        if self.txs.remove(key).is_some() {
            self.out
                .push_back(TxOutput::Terminated { key: key.clone() });
        }
    }

    /// The server transaction a received CANCEL cancels (section 9.2): the
    /// one its request would match were its method that of the original
    /// request (anything but CANCEL or ACK).
    pub fn cancel_target(&self, cancel: &Message) -> Option<TxKey> {
        if cancel.method() != Some(&Method::Cancel) {
            return None;
        }
        let invite = TxKey::Server(ServerKey::for_request(cancel, Some(Method::Invite))?);
        if self.txs.contains_key(&invite) {
            return Some(invite);
        }
        // A CANCEL of a non-INVITE request (allowed, if pointless).
        let probe = ServerKey::for_request(cancel, None)?;
        self.txs
            .keys()
            .find(|k| match (k, &probe) {
                (
                    TxKey::Server(ServerKey::Rfc3261 {
                        branch,
                        sent_by,
                        method,
                    }),
                    ServerKey::Rfc3261 {
                        branch: b,
                        sent_by: s,
                        ..
                    },
                ) => branch == b && sent_by == s && *method != Method::Cancel,
                (
                    TxKey::Server(ServerKey::Rfc2543 {
                        request_uri,
                        to_tag,
                        from_tag,
                        call_id,
                        cseq,
                        method,
                        top_via,
                    }),
                    ServerKey::Rfc2543 {
                        request_uri: u,
                        to_tag: t,
                        from_tag: f,
                        call_id: c,
                        cseq: n,
                        top_via: v,
                        ..
                    },
                ) => {
                    request_uri == u
                        && to_tag == t
                        && from_tag == f
                        && call_id == c
                        && cseq == n
                        && top_via == v
                        && *method != Method::Cancel
                }
                _ => false,
            })
            .cloned()
    }
}

/// The bytes to put on the wire for `msg`: its own buffer, without printing
/// it again. Everything the layer sends was printed by
/// [`sip_proto::MessageBuilder`] (canonical form, Content-Length set), so
/// its bytes already are what [`Message::to_bytes`] would write.
pub(crate) fn wire(msg: &Message) -> Bytes {
    // Shares the message's buffer (no copy).
    msg.shared_bytes()
}

#[cfg(test)]
mod size_tests {
    /// Every transaction is a boxed entry: within glibc's per-thread cache
    /// sizes (at most 1,032 bytes a block) its allocation and release take
    /// the fast path; above them each costs a few hundred instructions more.
    #[test]
    fn entry_stays_a_small_block() {
        assert!(
            size_of::<super::Entry>() <= 1024,
            "{}",
            size_of::<super::Entry>()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `new_via` writes what `via_value` writes with `new_branch`.
    #[test]
    fn new_via_matches_via_value() {
        let (mut a, mut b) = (
            TransactionLayer::new(LayerConfig::default(), 7),
            TransactionLayer::new(LayerConfig::default(), 7),
        );
        for (t, host, port, rport) in [
            (Transport::Udp, "192.0.2.1", Some(5060), true),
            (Transport::Tcp, "host.example", None, false),
        ] {
            let branch = b.new_branch();
            assert_eq!(
                a.new_via(t, host, port, rport),
                transport::via_value(t, host, port, &branch, rport)
            );
        }
    }
}

#[cfg(test)]
mod sent_by_tests {
    use super::{Message, sent_by_is, sent_by_of};

    fn request(sent_by: &str) -> Message {
        let text = format!(
            "OPTIONS sip:b@c SIP/2.0\r\nVia: SIP/2.0/UDP {sent_by};branch=z9hG4bK1\r\n\
             From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\
             Content-Length: 0\r\n\r\n"
        );
        Message::parse(text.into_bytes()).expect("parses")
    }

    /// The kept sent-by matches a response's exactly when the hosts as
    /// `host_key` writes them (lower case) and the ports are equal, the
    /// rule before IPv4 hosts were kept as addresses; every pairing of an
    /// address, a name and an IPv6 reference.
    #[test]
    fn sent_by_matches_as_the_lower_case_text() {
        let hosts = [
            "192.0.2.1",
            "192.0.2.1:5060",
            "192.0.2.10",
            "198.51.100.1:5070",
            "Host.Example.COM",
            "host.example.com",
            "host.example.com:5060",
            "other.example.com",
            "[2001:DB8::1]",
            "[2001:db8::1]",
            "[2001:db8::1]:5060",
            "[2001:db8::2]",
        ];
        for a in hosts {
            let sent = request(a);
            let kept = sent_by_of(&sent).expect("a Via");
            for b in hosts {
                let got = request(b);
                let (va, vb) = (sent.top_via().unwrap(), got.top_via().unwrap());
                let same = crate::text::host_key(&va.host) == crate::text::host_key(&vb.host)
                    && va.port == vb.port;
                assert_eq!(sent_by_is(&kept, &got), same, "{a} against {b}");
            }
        }
    }
}
