//! The user agent against test registrars on an in-memory network with a
//! virtual clock: digest registration, refresh, failover when the primary
//! is silent, failback by OPTIONS probe and by 301 from the secondary,
//! OPTIONS answered, and determinism for a seed.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use sip_proto::auth::{Algorithm, Challenge, Password, Qop, Secret};
use sip_proto::headers::Authorization;
use sip_proto::{HeaderName, Message, MessageBuilder, Method, TypedHeader};
use ua_core::registration::RegState;
use ua_core::{
    AccountConfig, AccountId, AgentConfig, Event, Input, Output, Time, Transport, UserAgent,
};

const UA: &str = "192.0.2.10:5060";
const PRIMARY: &str = "192.0.2.1:5060";
const SECONDARY: &str = "192.0.2.2:5060";

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A registrar that challenges, checks digest credentials and grants
/// bindings, like MiVoice (no Expires in the 200 OK unless `grant` is set).
#[derive(Default)]
struct Registrar {
    up: bool,
    /// Answer REGISTER with 301 to this contact (a secondary whose primary is back).
    redirect_to: Option<String>,
    grant: Option<u32>,
    registered: BTreeMap<String, u32>,
    seen: Vec<Method>,
    /// SHA-256 challenges instead of MD5.
    sha256: bool,
    /// Challenges without qop (the RFC 2069 form).
    no_qop: bool,
    /// Answer 403 to every REGISTER with credentials.
    forbid: bool,
    /// Answer 423 with this Min-Expires to shorter requests.
    min_expires: Option<u32>,
}

impl Registrar {
    fn answer(&mut self, req: &Message) -> Option<Message> {
        if !self.up {
            return None;
        }
        let method = req.method()?.clone();
        self.seen.push(method.clone());
        let b = match method {
            Method::Options => MessageBuilder::response_to(req, 200, "", Some("r1")),
            Method::Register => {
                if let Some(to) = &self.redirect_to {
                    MessageBuilder::response_to(req, 301, "", Some("r1"))
                        .header(HeaderName::Contact, format!("<sip:{to}>"))
                } else {
                    let requested: u32 = req
                        .values(HeaderName::Expires)
                        .next()
                        .and_then(|e| e.parse().ok())
                        .unwrap_or(3600);
                    let has_creds = req.values(HeaderName::Authorization).next().is_some();
                    if self.forbid && has_creds {
                        return MessageBuilder::response_to(req, 403, "", Some("r1"))
                            .build()
                            .ok();
                    }
                    if let Some(min) = self.min_expires
                        && requested != 0
                        && requested < min
                    {
                        return MessageBuilder::response_to(req, 423, "", Some("r1"))
                            .header(HeaderName::MinExpires, min)
                            .build()
                            .ok();
                    }
                    let algorithm = if self.sha256 {
                        Algorithm::Sha256
                    } else {
                        Algorithm::Md5
                    };
                    let authorized =
                        req.values(HeaderName::Authorization)
                            .next()
                            .is_some_and(|v| {
                                let creds = Authorization::parse(v).expect("credentials parse").0;
                                creds.username == "6001"
                                    && creds.algorithm() == algorithm
                                    && creds.qop.is_some() != self.no_qop
                                    && creds
                                        .verify(
                                            &Secret::Password(Password::new("1234")),
                                            "REGISTER",
                                            b"",
                                        )
                                        .unwrap_or(false)
                            });
                    if authorized {
                        let expires: u32 = req
                            .values(HeaderName::Expires)
                            .next()
                            .and_then(|e| e.parse().ok())
                            .unwrap_or(3600);
                        self.registered
                            .insert(req.contacts().next().unwrap().to_string(), expires);
                        let mut b = MessageBuilder::response_to(req, 200, "", Some("r1"));
                        if let Some(g) = self.grant {
                            b = b.header(HeaderName::Expires, g);
                        }
                        b
                    } else {
                        let mut c = Challenge::new("mivb", "nonce-1", algorithm);
                        c.qop = (!self.no_qop).then(|| vec![Qop::Auth]);
                        MessageBuilder::response_to(req, 401, "", Some("r1"))
                            .header(HeaderName::WwwAuthenticate, c)
                    }
                }
            }
            _ => MessageBuilder::response_to(req, 501, "", Some("r1")),
        };
        b.build().ok()
    }
}

struct Net {
    ua: UserAgent,
    now: Time,
    servers: BTreeMap<SocketAddr, Registrar>,
    events: Vec<Event>,
    sent_to: Vec<SocketAddr>,
}

impl Net {
    fn new(seed: u64) -> Net {
        let account = AccountConfig::new(
            "6001",
            "1234",
            &format!("mivb.example.com; {PRIMARY}; {SECONDARY}"),
        );
        let config = AgentConfig::new(sa(UA), vec![account]);
        let mut servers = BTreeMap::new();
        servers.insert(
            sa(PRIMARY),
            Registrar {
                up: true,
                ..Default::default()
            },
        );
        servers.insert(
            sa(SECONDARY),
            Registrar {
                up: true,
                ..Default::default()
            },
        );
        Net {
            ua: UserAgent::new(config, seed).unwrap(),
            now: Time::ZERO,
            servers,
            events: Vec::new(),
            sent_to: Vec::new(),
        }
    }

    /// Delivers everything in flight until the network is quiet.
    fn pump(&mut self) {
        let mut rounds = 0;
        while let Some(out) = self.ua.poll_output() {
            rounds += 1;
            assert!(rounds < 10_000, "message storm");
            match out {
                Output::Event(e) => self.events.push(e),
                other @ (Output::DnsQuery(_) | Output::Close { .. }) => {
                    panic!("no DNS or streams here: {other:?}")
                }
                Output::Transmit(t) => {
                    assert_eq!(t.dscp, 40, "SIP signalling carries DSCP 40");
                    self.sent_to.push(t.destination);
                    let msg = Message::parse(t.data.clone()).expect("we send parseable messages");
                    if msg.is_request()
                        && let Some(resp) = self
                            .servers
                            .get_mut(&t.destination)
                            .and_then(|r| r.answer(&msg))
                    {
                        self.ua.handle_input(
                            self.now,
                            Input::Message {
                                from: t.destination,
                                to: sa(UA),
                                transport: Transport::Udp,
                                data: resp.to_bytes(),
                            },
                        );
                    }
                }
            }
        }
    }

    /// Runs the clock to `until`, firing every deadline on the way.
    fn run_until(&mut self, until: Time) {
        self.pump();
        while let Some(t) = self.ua.poll_timeout() {
            if t > until {
                break;
            }
            self.now = self.now.max(t);
            self.ua.handle_timeout(self.now);
            self.pump();
        }
        self.now = until;
    }

    fn registered_at(&self) -> Vec<SocketAddr> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Registration {
                    server,
                    state: RegState::Registered { .. },
                    ..
                } => Some(*server),
                _ => None,
            })
            .collect()
    }
}

const ACC: AccountId = AccountId(0);

#[test]
fn registers_with_digest_and_refreshes() {
    let mut net = Net::new(1);
    net.ua.register(net.now, ACC).unwrap();
    net.pump();
    assert_eq!(net.registered_at(), [sa(PRIMARY)]);
    assert!(
        matches!(
            net.ua.registration(ACC),
            Some(RegState::Registered { expires: 3600, .. })
        ),
        "MiVoice grants no expiry: we keep 3600"
    );
    assert_eq!(net.servers[&sa(PRIMARY)].registered.len(), 1);
    // One hour later the binding has been refreshed (at 90 %), without a new challenge round failing.
    net.run_until(Time::from_millis(3_600_000));
    assert_eq!(net.registered_at(), [sa(PRIMARY), sa(PRIMARY)]);
    let registers = net.servers[&sa(PRIMARY)]
        .seen
        .iter()
        .filter(|m| **m == Method::Register)
        .count();
    assert!(
        (3..=4).contains(&registers),
        "{registers} REGISTERs: initial, authorized, refresh"
    );
}

#[test]
fn fails_over_when_the_primary_is_silent_and_fails_back_by_probe() {
    let mut net = Net::new(2);
    net.servers.get_mut(&sa(PRIMARY)).unwrap().up = false;
    net.ua.register(net.now, ACC).unwrap();
    // Timer F (64*T1 = 32 s) ends the REGISTER to the primary.
    net.run_until(Time::from_millis(40_000));
    assert!(
        net.events.contains(&Event::Failover {
            account: ACC,
            from: sa(PRIMARY),
            to: sa(SECONDARY)
        }),
        "{:?}",
        net.events
    );
    assert_eq!(net.registered_at(), [sa(SECONDARY)]);
    assert_eq!(net.ua.current_server(ACC), Some(sa(SECONDARY)));
    // The primary comes back; the next probe (one registration interval later) finds it.
    net.servers.get_mut(&sa(PRIMARY)).unwrap().up = true;
    net.run_until(Time::from_millis(3_700_000));
    assert!(
        net.events.contains(&Event::Failback {
            account: ACC,
            to: sa(PRIMARY)
        }),
        "{:?}",
        net.events
    );
    assert_eq!(net.ua.current_server(ACC), Some(sa(PRIMARY)));
    assert_eq!(*net.registered_at().last().unwrap(), sa(PRIMARY));
    assert!(
        net.servers[&sa(PRIMARY)].seen.contains(&Method::Options),
        "probed with OPTIONS"
    );
}

#[test]
fn secondary_redirect_sends_the_account_home_at_once() {
    let mut net = Net::new(3);
    net.servers.get_mut(&sa(PRIMARY)).unwrap().up = false;
    net.ua.register(net.now, ACC).unwrap();
    net.run_until(Time::from_millis(40_000));
    assert_eq!(net.ua.current_server(ACC), Some(sa(SECONDARY)));
    // The primary is back and the secondary says so with a 301 on the next REGISTER.
    net.servers.get_mut(&sa(PRIMARY)).unwrap().up = true;
    net.servers.get_mut(&sa(SECONDARY)).unwrap().redirect_to = Some(PRIMARY.into());
    net.ua.register(net.now, ACC).unwrap();
    net.pump();
    assert!(net.events.contains(&Event::Failback {
        account: ACC,
        to: sa(PRIMARY)
    }));
    assert_eq!(
        *net.registered_at().last().unwrap(),
        sa(PRIMARY),
        "re-registered at once, not minutes later"
    );
}

#[test]
fn all_servers_silent_is_reported() {
    let mut net = Net::new(4);
    for r in net.servers.values_mut() {
        r.up = false;
    }
    net.ua.register(net.now, ACC).unwrap();
    net.run_until(Time::from_millis(100_000));
    assert!(
        net.events
            .contains(&Event::AllServersFailed { account: ACC }),
        "{:?}",
        net.events
    );
    assert!(net.events.iter().any(|e| matches!(
        e,
        Event::Registration {
            state: RegState::Failed { status: 408, .. },
            ..
        }
    )));
}

#[test]
fn answers_options_with_capabilities() {
    let mut net = Net::new(5);
    let options = "OPTIONS sip:6001@192.0.2.10 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKopt1\r\n\
        From: <sip:pbx@mivb.example.com>;tag=p\r\nTo: <sip:6001@mivb.example.com>\r\nCall-ID: o1@pbx\r\n\
        CSeq: 7 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    net.ua.handle_input(
        net.now,
        Input::Message {
            from: sa(PRIMARY),
            to: sa(UA),
            transport: Transport::Udp,
            data: options.into(),
        },
    );
    let Some(Output::Transmit(t)) = net.ua.poll_output() else {
        panic!("a response")
    };
    let r = Message::parse(t.data).unwrap();
    assert_eq!(r.status(), Some(200));
    assert!(r.values(HeaderName::Allow).any(|m| m == "INVITE"));
    assert_eq!(r.values(HeaderName::Accept).next(), Some("application/sdp"));
    assert_eq!(t.destination, sa(PRIMARY));
}

#[test]
fn same_seed_same_bytes_and_state_is_hashable() {
    let run = |seed| {
        let mut net = Net::new(seed);
        net.ua.register(net.now, ACC).unwrap();
        let mut bytes = Vec::new();
        while let Some(o) = net.ua.poll_output() {
            if let Output::Transmit(t) = o {
                bytes.push(t.data);
            }
        }
        (bytes, net.ua)
    };
    let (a, ua_a) = run(9);
    let (b, ua_b) = run(9);
    assert_eq!(a, b);
    assert_eq!(ua_a, ua_b);
    let (c, _) = run(10);
    assert_ne!(a, c, "another seed gives other tags and branches");
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    ua_a.clone().hash(&mut h);
    let _ = h.finish();
}

fn failed_status(events: &[Event]) -> Vec<u16> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Registration {
                state: RegState::Failed { status, .. },
                ..
            } => Some(*status),
            _ => None,
        })
        .collect()
}

#[test]
fn registers_with_sha256_and_with_md5_without_qop() {
    for (sha256, no_qop) in [(true, false), (false, true), (true, true)] {
        let mut net = Net::new(7);
        for r in net.servers.values_mut() {
            r.sha256 = sha256;
            r.no_qop = no_qop;
        }
        net.ua.register(net.now, ACC).unwrap();
        net.pump();
        assert_eq!(
            net.registered_at(),
            [sa(PRIMARY)],
            "sha256={sha256} no_qop={no_qop}: {:?}",
            net.events
        );
    }
}

#[test]
fn forbidden_ends_in_a_failure_event_without_a_retry_storm() {
    let mut net = Net::new(8);
    net.servers.get_mut(&sa(PRIMARY)).unwrap().forbid = true;
    net.ua.register(net.now, ACC).unwrap();
    net.pump();
    assert_eq!(failed_status(&net.events), [403]);
    let states: Vec<_> = net
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Registration { state, .. } => Some(state.clone()),
            _ => None,
        })
        .collect();
    assert!(
        matches!(
            &states[..],
            [RegState::Registering, RegState::Failed { .. }]
        ),
        "registering once (the retry with credentials is the same attempt), then failed: {states:?}"
    );
    assert!(net.registered_at().is_empty());
    let registers = |net: &Net| {
        net.servers[&sa(PRIMARY)]
            .seen
            .iter()
            .filter(|m| **m == Method::Register)
            .count()
    };
    assert_eq!(
        registers(&net),
        2,
        "the first REGISTER and the one with credentials"
    );
    // Ten minutes on, still no storm.
    net.run_until(Time::from_millis(600_000));
    assert!(registers(&net) <= 3, "{} REGISTERs", registers(&net));
    assert!(
        net.sent_to.iter().all(|s| *s == sa(PRIMARY)),
        "a 403 is not a failover"
    );
}

#[test]
fn interval_too_brief_is_retried_with_min_expires() {
    let mut net = Net::new(9);
    net.servers.get_mut(&sa(PRIMARY)).unwrap().min_expires = Some(7200);
    net.ua.register(net.now, ACC).unwrap();
    net.pump();
    assert_eq!(net.registered_at(), [sa(PRIMARY)]);
    assert_eq!(
        net.servers[&sa(PRIMARY)]
            .registered
            .values()
            .copied()
            .collect::<Vec<_>>(),
        [7200]
    );
}

#[test]
fn an_unanswered_invite_fails_the_account_over() {
    let mut net = Net::new(10);
    net.ua.register(net.now, ACC).unwrap();
    net.pump();
    assert_eq!(net.registered_at(), [sa(PRIMARY)]);
    net.servers.get_mut(&sa(PRIMARY)).unwrap().up = false;
    let call = net.ua.call(net.now, ACC, "7000").unwrap();
    net.pump();
    // Timer B: 64*T1 = 32 s without any answer.
    net.run_until(Time::from_millis(net.now.as_millis() + 33_000));
    assert!(
        net.events.iter().any(|e| matches!(
            e,
            Event::CallState { call: c, state: ua_core::CallState::Terminated { status: 408, .. } } if *c == call
        )),
        "{:?}",
        net.events
    );
    assert!(net.events.iter().any(|e| matches!(
        e,
        Event::Failover { from, to, .. } if *from == sa(PRIMARY) && *to == sa(SECONDARY)
    )));
    assert_eq!(net.registered_at(), [sa(PRIMARY), sa(SECONDARY)]);
    assert_eq!(net.ua.current_server(ACC), Some(sa(SECONDARY)));
}
