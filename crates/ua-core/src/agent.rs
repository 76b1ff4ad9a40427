//! The user agent: accounts, their registrations and servers, wired to the
//! transaction layer, behind the Sans-IO surface of DESIGN.md
//! (`handle_input`, `handle_timeout`, `poll_output`, `poll_timeout`).
//!
//! This first part covers what a handset does before any call: register
//! every account (digest, 423, refresh), fail over to the next server when
//! the current one does not answer, probe the primary with OPTIONS and fail
//! back, follow a 301/302 from a secondary back to the primary at once, and
//! answer OPTIONS. Calls come next and plug into the same dispatch.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use sip_proto::headers::Contact;
use sip_proto::{HeaderName, Message, MessageBuilder, Method};

use sip_proto::framer::{Frame, Framer, PONG};

use crate::call::{Call, CallId, CallState};
use crate::registration::{RegAction, RegState, Registration, RegistrationConfig};
use crate::resolver::{DnsAnswer, DnsQuery, Resolution, ResolveStep};
use crate::servers::{Failover, FailoverAction, ServerList, ServerListError};
use crate::time::Time;
use crate::transaction::key::TxKey;
use crate::transaction::{Dispatch, LayerConfig, TransactionLayer, TxOutput};
use crate::transport::{Transmit, Transport};

/// The methods we implement, for Allow. Methods join it as their features
/// land (NOTIFY, REFER, UPDATE, INFO with hold, transfer and MWI).
pub const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS";

/// Index of an account in [`AgentConfig::accounts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub usize);

/// One line of the handset (seed 2.8): extension, credentials and servers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountConfig {
    /// The user part of the AOR, e.g. the extension `6001`.
    pub user: String,
    /// The digest user name; the extension when `None`.
    pub auth_username: Option<String>,
    /// The digest password.
    pub password: String,
    /// `"domain; ip1[:port]; ip2[:port]"` (seed 2.8 "SIP server").
    pub servers: String,
    /// Requested registration expiry in seconds.
    pub expires: u32,
    /// The transport to the servers.
    pub transport: Transport,
}

impl AccountConfig {
    /// A line with the handset defaults: digest user name = extension,
    /// 3600 s registrations, UDP.
    pub fn new(user: &str, password: &str, servers: &str) -> Self {
        AccountConfig {
            user: user.to_string(),
            auth_username: None,
            password: password.to_string(),
            servers: servers.to_string(),
            expires: 3600,
            transport: Transport::Udp,
        }
    }
}

/// The agent's settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AgentConfig {
    /// Our address as the servers should reach it (Via sent-by, Contact).
    pub local: SocketAddr,
    /// The lines.
    pub accounts: Vec<AccountConfig>,
    /// Transaction layer settings (timers, DSCP 40, size rule).
    pub layer: LayerConfig,
    /// User-Agent header value.
    pub user_agent: String,
    /// First RTP port for calls (each call takes the next even port).
    pub media_port_base: u16,
    /// Send INVITEs without SDP (late offer): the peer offers in its 2xx
    /// and our answer goes in the ACK. Off by default, as on the handset.
    pub late_offer: bool,
    /// Codec priorities our offers and answers use (seed 2.8: 0 disables
    /// a codec, 1 is the highest priority).
    pub codecs: sdp::CodecPriorities,
}

impl AgentConfig {
    /// Settings with the defaults: transaction layer per RFC 3261 with DSCP
    /// 40, this crate's User-Agent, media from port 40000.
    pub fn new(local: SocketAddr, accounts: Vec<AccountConfig>) -> Self {
        AgentConfig {
            local,
            accounts,
            layer: LayerConfig::default(),
            user_agent: concat!("sip-handset/", env!("CARGO_PKG_VERSION")).to_string(),
            media_port_base: 40000,
            late_offer: false,
            codecs: sdp::CodecPriorities::default(),
        }
    }
}

/// Something the application must know.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Event {
    /// An account's registration changed at `server`.
    Registration {
        /// The account.
        account: AccountId,
        /// The server it is registered (or failing) at.
        server: SocketAddr,
        /// The new state.
        state: RegState,
    },
    /// The account moved from one server to another.
    Failover {
        /// The account.
        account: AccountId,
        /// The server that failed.
        from: SocketAddr,
        /// The server now in use.
        to: SocketAddr,
    },
    /// The account went back to its primary server.
    Failback {
        /// The account.
        account: AccountId,
        /// The primary.
        to: SocketAddr,
    },
    /// Every server of the account failed.
    AllServersFailed {
        /// The account.
        account: AccountId,
    },
    /// A call arrived.
    IncomingCall {
        /// Its handle.
        call: CallId,
        /// The account it arrived on.
        account: AccountId,
        /// The caller's URI (From).
        from: String,
        /// The caller's display name.
        display_name: Option<String>,
        /// P-Asserted-Identity, when the PBX asserted one.
        asserted_identity: Option<String>,
        /// The number called (Request-URI).
        called: String,
    },
    /// A call changed state.
    CallState {
        /// The call.
        call: CallId,
        /// Its new state.
        state: CallState,
    },
    /// The negotiated media changed: what the media layer must run.
    Media {
        /// The call.
        call: CallId,
        /// The negotiated stream.
        params: sdp::MediaParams,
    },
}

/// What the driver receives from [`UserAgent::poll_output`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Output {
    /// Bytes to send.
    Transmit(Transmit),
    /// Something for the application.
    Event(Event),
    /// A DNS question (RFC 3263); answer it with [`Input::Dns`].
    DnsQuery(DnsQuery),
    /// Close this stream connection: its bytes cannot be framed (RFC 3261
    /// section 18.3: a message without Content-Length, one too large).
    Close {
        /// The far end.
        peer: SocketAddr,
        /// Our end.
        local: SocketAddr,
        /// TCP or TLS.
        transport: Transport,
        /// What was wrong.
        reason: String,
    },
}

/// Stream connections the agent frames at once; bytes of a further one are
/// refused with [`Output::Close`].
pub const MAX_STREAMS: usize = 256;

/// What the driver feeds in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Input {
    /// A datagram (UDP) or a framed stream message (TCP/TLS).
    Message {
        /// The peer.
        from: SocketAddr,
        /// Our address it arrived on.
        to: SocketAddr,
        /// How it arrived.
        transport: Transport,
        /// The bytes.
        data: Bytes,
    },
    /// Bytes read from a TCP or TLS connection (TLS already decrypted), in
    /// any chunking: the agent frames them (RFC 3261 section 18.3) and
    /// answers RFC 5626 keep-alive pings.
    Stream {
        /// The far end of the connection.
        from: SocketAddr,
        /// Our end.
        to: SocketAddr,
        /// TCP or TLS.
        transport: Transport,
        /// The bytes.
        data: Bytes,
    },
    /// A stream connection closed: its partial message is dropped and
    /// client transactions sent over it fail (section 18.4).
    StreamClosed {
        /// The far end.
        from: SocketAddr,
        /// Our end.
        to: SocketAddr,
        /// TCP or TLS.
        transport: Transport,
    },
    /// Sending to `destination` failed (ICMP unreachable, connection
    /// refused or reset; section 18.4): its client transactions fail, which
    /// fails an account over to its next server.
    TransportError {
        /// Where we could not send.
        destination: SocketAddr,
        /// Over what.
        transport: Transport,
    },
    /// The answer to [`Output::DnsQuery`] `id`.
    Dns {
        /// The query's id.
        id: u64,
        /// What the driver found.
        answer: DnsAnswer,
    },
}

/// Errors of the commands.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum AgentError {
    /// No such account.
    #[error("no account {0:?}")]
    NoAccount(AccountId),
    /// The account's server list does not parse.
    #[error("account {0:?}: {1}")]
    Servers(AccountId, ServerListError),
    /// A message or description could not be built (a bad target URI, an
    /// SDP configuration the negotiator refuses).
    #[error("cannot build the request: {0}")]
    Build(String),
    /// The transaction layer refused the request.
    #[error("transaction layer: {0}")]
    Transaction(#[from] crate::transaction::TxError),
}

/// What a client transaction of ours is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Pending {
    Register(AccountId),
    Probe(AccountId),
    /// A request that outlives its call (the BYE that ends it, the BYE to a
    /// losing fork), kept so that a 401/407 can be answered once (section 22.2).
    Detached(Box<Detached>),
}

/// A request no call waits for; see [`Pending::Detached`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Detached {
    pub(crate) account: AccountId,
    pub(crate) request: Message,
    pub(crate) peer: SocketAddr,
    pub(crate) transport: Transport,
    pub(crate) challenged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Account {
    pub(crate) config: AccountConfig,
    pub(crate) domain: String,
    pub(crate) registration: Registration,
    pub(crate) failover: Failover,
    /// The domain must be resolved (no addresses configured).
    pub(crate) use_dns: bool,
    /// The resolution under way, if any.
    pub(crate) resolution: Option<Resolution>,
    /// The registration state last reported in an event.
    pub(crate) reported: Option<RegState>,
}

/// The Sans-IO user agent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserAgent {
    pub(crate) config: AgentConfig,
    pub(crate) layer: TransactionLayer,
    pub(crate) accounts: Vec<Account>,
    pub(crate) pending: BTreeMap<TxKey, Pending>,
    pub(crate) out: VecDeque<Output>,
    rng: u64,
    /// Boxed: a call is large, and B-tree nodes are allocated for eleven.
    pub(crate) calls: BTreeMap<CallId, Box<Call>>,
    pub(crate) call_tx: BTreeMap<TxKey, CallId>,
    /// Calls by a hash of (Call-ID, our tag), for requests within their dialogs.
    pub(crate) dialogs: BTreeSet<(u64, CallId)>,
    pub(crate) next_call: u64,
    /// Answered incoming calls whose ACK has not come: the only calls with
    /// timers (2xx retransmission, 64*T1 give-up).
    pub(crate) unacked: BTreeSet<CallId>,
    /// Framers of the stream connections, by (far end, our end, transport).
    streams: BTreeMap<(SocketAddr, SocketAddr, Transport), Framer>,
    next_dns: u64,
    /// Our address as a URI and Via host (`[...]` for IPv6), and with the
    /// port: formatted once, written into nearly every message.
    pub(crate) local_host: String,
    pub(crate) local_hostport: String,
}

impl UserAgent {
    /// A new agent. `seed` is all its randomness (tags, Call-IDs,
    /// branches, cnonces): the same seed and inputs give the same bytes.
    pub fn new(config: AgentConfig, seed: u64) -> Result<UserAgent, AgentError> {
        let mut ua = UserAgent {
            layer: TransactionLayer::new(config.layer.clone(), seed ^ 0x5bd1_e995),
            accounts: Vec::new(),
            pending: BTreeMap::new(),
            out: VecDeque::new(),
            rng: seed,
            calls: BTreeMap::new(),
            call_tx: BTreeMap::new(),
            dialogs: BTreeSet::new(),
            next_call: 1,
            unacked: BTreeSet::new(),
            streams: BTreeMap::new(),
            next_dns: 1,
            local_host: host_text(config.local.ip()),
            local_hostport: config.local.to_string(),
            config,
        };
        for (k, acc) in ua.config.accounts.clone().into_iter().enumerate() {
            let id = AccountId(k);
            let default_port = if acc.transport == Transport::Tls {
                5061
            } else {
                5060
            };
            let list = ServerList::parse(&acc.servers, default_port)
                .map_err(|e| AgentError::Servers(id, e))?;
            // A domain that is an IP literal needs no DNS (RFC 3263 section 4.2).
            let mut addresses = list.addresses.clone();
            if addresses.is_empty()
                && let Ok(ip) = list.domain.parse::<std::net::IpAddr>()
            {
                addresses.push(SocketAddr::new(ip, acc.transport.default_port()));
            }
            let use_dns = addresses.is_empty();
            let local = ua.config.local;
            let mut reg = RegistrationConfig::new(
                &format!("sip:{}", list.domain),
                &format!("sip:{}@{}", acc.user, list.domain),
                &contact_uri(&acc.user, &local.to_string(), acc.transport),
                acc.auth_username.as_deref().unwrap_or(&acc.user),
                &acc.password,
            );
            reg.expires = acc.expires;
            let call_id = ua.new_call_id();
            let tag = format!("{:08x}", ua.next_random() as u32);
            let reg_seed = ua.next_random();
            ua.accounts.push(Account {
                registration: Registration::new(reg, &call_id, &tag, reg_seed),
                failover: Failover::new(addresses, Duration::from_secs(acc.expires.max(32).into())),
                use_dns,
                resolution: None,
                reported: None,
                domain: list.domain,
                config: acc,
            });
        }
        Ok(ua)
    }

    /// A fresh tag (section 19.3): 32 random bits from the seed.
    pub(crate) fn new_tag(&mut self) -> String {
        let mut s = String::with_capacity(8);
        push_hex(&mut s, self.next_random() & 0xffff_ffff, 8);
        s
    }

    /// A fresh Call-ID (section 8.1.1.4): 64 random bits at our address.
    pub(crate) fn new_call_id(&mut self) -> String {
        let mut s = String::with_capacity(17 + self.local_host.len());
        push_hex(&mut s, self.next_random(), 16);
        s.push('@');
        s.push_str(&self.local_host);
        s
    }

    pub(crate) fn next_random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The configuration the agent runs with.
    pub fn config(&self) -> &AgentConfig {
        &self.config
    }

    /// Live transactions, calls and call-transaction links: what the agent
    /// holds. For tests and monitoring: it must not grow with past traffic.
    pub fn footprint(&self) -> (usize, usize, usize) {
        (
            self.layer.len(),
            self.calls.len(),
            self.call_tx.len() + self.pending.len() + self.dialogs.len(),
        )
    }

    /// The registration state of an account.
    pub fn registration(&self, account: AccountId) -> Option<&RegState> {
        self.accounts.get(account.0).map(|a| a.registration.state())
    }

    /// The server an account uses now.
    pub fn current_server(&self, account: AccountId) -> Option<SocketAddr> {
        self.accounts.get(account.0)?.failover.current()
    }

    /// Registers an account at its current server. An account configured
    /// with a domain alone first resolves it ([`Output::DnsQuery`]) and
    /// registers when the answers are in.
    pub fn register(&mut self, now: Time, account: AccountId) -> Result<(), AgentError> {
        let acc = self
            .accounts
            .get_mut(account.0)
            .ok_or(AgentError::NoAccount(account))?;
        if acc.use_dns && acc.failover.current().is_none() {
            if acc.resolution.is_none() {
                let id = self.next_dns;
                self.next_dns += 1;
                let (r, step) = Resolution::start(&acc.domain, acc.config.transport, id);
                acc.resolution = Some(r);
                if let ResolveStep::Query(q) = step {
                    self.out.push_back(Output::DnsQuery(q));
                }
            }
            return Ok(());
        }
        let builder = acc.registration.register();
        self.send_register(now, account, builder)
    }

    /// Unregisters an account (`Expires: 0`).
    pub fn unregister(&mut self, now: Time, account: AccountId) -> Result<(), AgentError> {
        let acc = self
            .accounts
            .get_mut(account.0)
            .ok_or(AgentError::NoAccount(account))?;
        let builder = acc.registration.unregister();
        self.send_register(now, account, builder)
    }

    fn send_register(
        &mut self,
        now: Time,
        account: AccountId,
        builder: MessageBuilder,
    ) -> Result<(), AgentError> {
        let acc = &self.accounts[account.0];
        let Some(server) = acc.failover.current() else {
            return Err(AgentError::NoAccount(account));
        };
        let transport = acc.config.transport;
        let via = self.layer.new_via(
            transport,
            &self.local_host,
            Some(self.config.local.port()),
            true,
        );
        let request = builder
            .header(HeaderName::Via, via)
            .header(HeaderName::MaxForwards, 70)
            .header(HeaderName::UserAgent, &self.config.user_agent)
            .build()
            .map_err(|_| AgentError::NoAccount(account))?;
        let key = self.layer.send_request(now, request, transport, server)?;
        self.pending.insert(key, Pending::Register(account));
        // Registering / Unregistering, once per attempt (a retry with
        // credentials is the same attempt).
        let acc = &mut self.accounts[account.0];
        let state = acc.registration.state().clone();
        if matches!(state, RegState::Registering | RegState::Unregistering)
            && acc.reported.as_ref() != Some(&state)
        {
            acc.reported = Some(state.clone());
            self.out.push_back(Output::Event(Event::Registration {
                account,
                server,
                state,
            }));
        }
        self.drain(now);
        Ok(())
    }

    fn send_probe(&mut self, now: Time, account: AccountId, target: SocketAddr) {
        let acc = &self.accounts[account.0];
        let transport = acc.config.transport;
        let (domain, user) = (acc.domain.clone(), acc.config.user.clone());
        let via = self.layer.new_via(
            transport,
            &self.local_host,
            Some(self.config.local.port()),
            true,
        );
        let (call_id, tag) = (self.new_call_id(), self.new_tag());
        let built = MessageBuilder::request(&Method::Options, format_args!("sip:{domain}"))
            .header(HeaderName::Via, via)
            .header(HeaderName::MaxForwards, 70)
            .header(
                HeaderName::From,
                format_args!("<sip:{user}@{domain}>;tag={tag}"),
            )
            .header(HeaderName::To, format_args!("<sip:{domain}>"))
            .header(HeaderName::CallId, call_id)
            .header(HeaderName::CSeq, "1 OPTIONS")
            .build();
        if let Ok(request) = built
            && let Ok(key) = self.layer.send_request(now, request, transport, target)
        {
            self.pending.insert(key, Pending::Probe(account));
        }
    }

    /// Feeds a message from the network.
    pub fn handle_input(&mut self, now: Time, input: Input) {
        match input {
            Input::Message {
                from,
                to,
                transport,
                data,
            } => {
                // A stray response or unparsable bytes are discarded (RFC 6026
                // section 8.9); everything else surfaces through the layer's outputs.
                let _: Dispatch = self
                    .layer
                    .handle_bytes(now, data, transport, from, Some(to));
            }
            Input::Stream {
                from,
                to,
                transport,
                data,
            } => self.stream_bytes(now, from, to, transport, &data),
            Input::StreamClosed {
                from,
                to,
                transport,
            } => {
                self.streams.remove(&(from, to, transport));
                self.fail_route(now, from, transport);
            }
            Input::TransportError {
                destination,
                transport,
            } => self.fail_route(now, destination, transport),
            Input::Dns { id, answer } => self.dns_answer(now, id, answer),
        }
        self.drain(now);
    }

    /// Frames stream bytes and feeds each whole message to the layer.
    fn stream_bytes(
        &mut self,
        now: Time,
        from: SocketAddr,
        to: SocketAddr,
        transport: Transport,
        data: &[u8],
    ) {
        let key = (from, to, transport);
        if !self.streams.contains_key(&key) && self.streams.len() >= MAX_STREAMS {
            self.out.push_back(Output::Close {
                peer: from,
                local: to,
                transport,
                reason: format!("more than {MAX_STREAMS} connections"),
            });
            return;
        }
        let framer = self.streams.entry(key).or_default();
        framer.push(data);
        let mut frames = Vec::new();
        let mut failure = None;
        while let Some(f) = framer.next_frame() {
            match f {
                Ok(frame) => frames.push(frame),
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            }
        }
        if framer.is_idle() && framer.buffered() == 0 {
            // Nothing pending: keep no buffer for an idle connection.
            self.streams.remove(&key);
        }
        for frame in frames {
            match frame {
                Frame::Message(bytes) => {
                    let _: Dispatch =
                        self.layer
                            .handle_bytes(now, bytes, transport, from, Some(to));
                }
                // RFC 5626 section 4.4.1: a ping gets a pong.
                Frame::Ping => self.out.push_back(Output::Transmit(Transmit {
                    transport,
                    destination: from,
                    source: Some(to),
                    dscp: self.config.layer.dscp,
                    data: Bytes::from_static(PONG),
                })),
                Frame::Pong => {}
            }
        }
        if let Some(reason) = failure {
            self.streams.remove(&key);
            self.out.push_back(Output::Close {
                peer: from,
                local: to,
                transport,
                reason,
            });
        }
    }

    /// Every client transaction sent to `destination` over `transport`
    /// fails at once (section 18.4).
    fn fail_route(&mut self, now: Time, destination: SocketAddr, transport: Transport) {
        let keys: Vec<TxKey> = self
            .layer
            .keys()
            .filter(|k| self.layer.route_of(k) == Some((transport, destination)))
            .cloned()
            .collect();
        for k in keys {
            self.layer.handle_transport_error(now, &k);
        }
    }

    /// An answer for an account's resolution: the next question, or the
    /// servers found (then register there), or none (report it).
    fn dns_answer(&mut self, now: Time, id: u64, answer: DnsAnswer) {
        let Some(k) = self.accounts.iter().position(|a| {
            a.resolution
                .as_ref()
                .is_some_and(|r| r.waiting_for() == Some(id))
        }) else {
            return;
        };
        let next_id = self.next_dns;
        self.next_dns += 1;
        let mut seeds = [0u32; 16];
        for s in &mut seeds {
            *s = self.next_random() as u32;
        }
        let mut draws = seeds.into_iter().cycle();
        let mut random = || draws.next().unwrap_or(0);
        let acc = &mut self.accounts[k];
        let Some(r) = acc.resolution.as_mut() else {
            return;
        };
        match r.on_answer(id, answer, next_id, &mut random) {
            ResolveStep::Query(q) => self.out.push_back(Output::DnsQuery(q)),
            ResolveStep::Done(found) => {
                acc.resolution = None;
                let interval = Duration::from_secs(acc.config.expires.max(32).into());
                if found.is_empty() {
                    self.out.push_back(Output::Event(Event::AllServersFailed {
                        account: AccountId(k),
                    }));
                } else {
                    acc.failover = Failover::new(found, interval);
                    let _ = self.register(now, AccountId(k));
                }
            }
            ResolveStep::Ignored => {}
        }
    }

    /// Advances time: transaction timers, registration refreshes, probes.
    pub fn handle_timeout(&mut self, now: Time) {
        self.layer.handle_timeout(now);
        self.call_timers(now);
        for k in 0..self.accounts.len() {
            let id = AccountId(k);
            if let RegAction::Send(b) = self.accounts[k].registration.handle_timeout(now) {
                let _ = self.send_register(now, id, b);
            }
            if let FailoverAction::Probe(target) = self.accounts[k].failover.handle_timeout(now) {
                self.send_probe(now, id, target);
            }
        }
        self.drain(now);
    }

    /// The earliest deadline, if any.
    pub fn poll_timeout(&self) -> Option<Time> {
        let accounts = self
            .accounts
            .iter()
            .flat_map(|a| [a.registration.poll_timeout(), a.failover.poll_timeout()]);
        [self.layer.poll_timeout(), self.call_timeout()]
            .into_iter()
            .chain(accounts)
            .flatten()
            .min()
    }

    /// The next output.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    pub(crate) fn drain(&mut self, now: Time) {
        while let Some(o) = self.layer.poll_output() {
            match o {
                TxOutput::Transmit(t) => self.out.push_back(Output::Transmit(t)),
                TxOutput::Response { key, response } => match self.call_tx.get(&key).copied() {
                    Some(call) => self.call_response(now, call, &key, &response),
                    None => self.on_response(now, &key, &response),
                },
                TxOutput::Timeout { key, .. } | TxOutput::TransportError { key, .. } => {
                    match self.call_tx.get(&key).copied() {
                        Some(call) => self.call_failure(now, call, &key),
                        None => self.on_failure(now, &key),
                    }
                }
                TxOutput::Request { key, request } => {
                    // Where a call's in-dialog requests go when the INVITE names no
                    // reachable Contact: the server the account uses.
                    let fallback = self.accounts.first().and_then(|a| a.failover.current());
                    let transport = request
                        .top_via()
                        .and_then(|v| Transport::from_via_token(v.transport))
                        .unwrap_or(Transport::Udp);
                    let handled = match fallback {
                        Some(src) => self.call_request(now, &key, &request, src, transport),
                        None => false,
                    };
                    if !handled {
                        self.on_request(now, &key, &request);
                    }
                }
                TxOutput::Ack { request, .. } => self.call_ack(now, &request),
                TxOutput::Terminated { key } => {
                    self.pending.remove(&key);
                    if let Some(id) = self.call_tx.remove(&key) {
                        self.invite_done(id, &key);
                    }
                }
                _ => {}
            }
        }
    }

    /// Requests no call took: OPTIONS is answered (section 11.2); a
    /// re-INVITE gets 488 and the session stays as it was (section 14.2,
    /// hold comes with the next features); a request for an unknown dialog
    /// gets 481 (12.2.2); a method we know but do not do gets 405 with Allow
    /// (8.2.1); an unknown method 501 (8.2.1).
    fn on_request(&mut self, now: Time, key: &TxKey, request: &Message) {
        let tag = self.new_tag();
        let in_dialog = request.to_header().is_some_and(|t| t.tag().is_some());
        let response = match request.method() {
            Some(Method::Options) => self
                .layer
                .response_to(key, request, 200, "", Some(&tag))
                .header(HeaderName::Allow, ALLOW)
                .header(HeaderName::Accept, "application/sdp")
                .header(HeaderName::UserAgent, &self.config.user_agent),
            Some(Method::Invite) if in_dialog && self.dialog_exists(request) => self
                .layer
                .response_to(key, request, 488, "", None)
                .header(HeaderName::Warning, "399 - \"re-INVITE not supported yet\""),
            _ if in_dialog => self.layer.response_to(key, request, 481, "", None),
            Some(Method::Extension(_)) => self
                .layer
                .response_to(key, request, 501, "", Some(&tag))
                .header(HeaderName::Allow, ALLOW),
            _ => self
                .layer
                .response_to(key, request, 405, "", Some(&tag))
                .header(HeaderName::Allow, ALLOW),
        };
        if let Ok(r) = response.build() {
            let _ = self.layer.send_response(now, key, r);
        }
    }

    fn on_response(&mut self, now: Time, key: &TxKey, response: &Message) {
        let status = response.status().unwrap_or(0);
        // Only a challenged detached request needs its whole message back
        // (taken out of the map); the others are ids.
        let pending = match self.pending.get(key) {
            Some(Pending::Detached(d)) if matches!(status, 401 | 407) && !d.challenged => {
                self.pending.remove(key)
            }
            Some(Pending::Detached(_)) | None => None,
            Some(p) => Some(p.clone()),
        };
        match pending {
            Some(Pending::Register(id)) if status >= 200 => {
                let server = self.accounts[id.0].failover.current();
                // A 301/302 from a secondary: the primary is back (MiVoice).
                if matches!(status, 301 | 302) && self.accounts[id.0].failover.on_secondary() {
                    let action = self.accounts[id.0]
                        .failover
                        .on_redirect(redirect_target(response));
                    self.apply_failover(now, id, server, action, true);
                    return;
                }
                let action = self.accounts[id.0].registration.on_response(now, response);
                self.apply_reg_action(now, id, server, action);
            }
            Some(Pending::Detached(d)) => {
                if let Some(again) =
                    self.with_credentials(d.account, &d.request, response, d.transport)
                    && let Ok(k) = self
                        .layer
                        .send_request(now, again.clone(), d.transport, d.peer)
                {
                    self.pending.insert(
                        k,
                        Pending::Detached(Box::new(Detached {
                            request: again,
                            challenged: true,
                            ..*d
                        })),
                    );
                }
            }
            Some(Pending::Probe(id)) if status >= 200 => {
                let from = self.accounts[id.0].failover.current();
                if matches!(status, 301 | 302) {
                    let action = self.accounts[id.0]
                        .failover
                        .on_redirect(redirect_target(response));
                    self.apply_failover(now, id, from, action, true);
                } else {
                    let action = self.accounts[id.0].failover.on_probe_result(now, true);
                    self.apply_failover(now, id, from, action, true);
                }
            }
            _ => {}
        }
    }

    fn on_failure(&mut self, now: Time, key: &TxKey) {
        match self.pending.remove(key) {
            Some(Pending::Register(id)) => {
                let from = self.accounts[id.0].failover.current();
                let action = self.accounts[id.0].registration.on_transaction_failure();
                self.apply_reg_action(now, id, from, action);
                let step = self.accounts[id.0].failover.on_failure(now);
                self.apply_failover(now, id, from, step, false);
            }
            Some(Pending::Probe(id)) => {
                self.accounts[id.0].failover.on_probe_result(now, false);
            }
            Some(Pending::Detached(_)) | None => {}
        }
    }

    fn apply_reg_action(
        &mut self,
        now: Time,
        id: AccountId,
        server: Option<SocketAddr>,
        action: RegAction,
    ) {
        match action {
            RegAction::Send(b) => {
                let _ = self.send_register(now, id, b);
            }
            RegAction::Changed(state) => {
                self.accounts[id.0].reported = Some(state.clone());
                if let Some(server) = server {
                    self.out.push_back(Output::Event(Event::Registration {
                        account: id,
                        server,
                        state,
                    }));
                }
            }
            RegAction::None => {}
        }
    }

    pub(crate) fn apply_failover(
        &mut self,
        now: Time,
        id: AccountId,
        from: Option<SocketAddr>,
        action: FailoverAction,
        back: bool,
    ) {
        match action {
            FailoverAction::UseServer(to) => {
                if back {
                    self.out
                        .push_back(Output::Event(Event::Failback { account: id, to }));
                } else if let Some(from) = from {
                    self.out.push_back(Output::Event(Event::Failover {
                        account: id,
                        from,
                        to,
                    }));
                }
                let _ = self.register(now, id);
            }
            FailoverAction::Exhausted => self
                .out
                .push_back(Output::Event(Event::AllServersFailed { account: id })),
            FailoverAction::Probe(_) | FailoverAction::None => {}
        }
    }
}

fn redirect_target(response: &Message) -> Option<SocketAddr> {
    response.contacts().find_map(|c| match c {
        Contact::Addr(a) => a.uri.as_sip()?.socket_addr(5060),
        Contact::Wildcard => None,
    })
}

/// Our contact address for `user` reached over `transport` (RFC 3261
/// section 19.1.1: the `transport` parameter tells others to use TCP or
/// TLS towards us; UDP is the default and goes without it).
pub(crate) fn contact_uri(user: &str, hostport: &str, transport: Transport) -> String {
    let param = transport_param(transport);
    let mut s = String::with_capacity(5 + user.len() + hostport.len() + param.len());
    s.push_str("sip:");
    s.push_str(user);
    s.push('@');
    s.push_str(hostport);
    s.push_str(param);
    s
}

/// The `transport` URI parameter of our Contact for `transport` (none
/// for UDP, the default).
pub(crate) fn transport_param(transport: Transport) -> &'static str {
    match transport {
        Transport::Udp => "",
        Transport::Tcp => ";transport=tcp",
        Transport::Tls => ";transport=tls",
    }
}

/// An IP address as the host of a SIP URI or Via (RFC 3261 section 25.1:
/// IPv6 in brackets).
pub(crate) fn host_text(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => sip_proto::uri::ipv4_text(&v4, &mut [0; 15]).to_string(),
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// Appends the low `digits` hex digits of `v`, zero-padded (without the
/// `fmt` machinery: tags and Call-IDs are made for every call).
pub(crate) fn push_hex(s: &mut String, v: u64, digits: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for k in (0..digits).rev() {
        s.push(char::from(HEX[((v >> (4 * k)) & 0xf) as usize]));
    }
}
