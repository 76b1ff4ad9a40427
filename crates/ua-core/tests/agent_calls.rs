//! Basic calls between two user agents on an in-memory network with a
//! virtual clock: answer, reject, cancel, BYE, 488, and a call under loss
//! and duplication. Each agent's "server" is the other agent, so requests
//! go straight across.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use sip_proto::Message;
use ua_core::{
    AccountConfig, AccountId, AgentConfig, CallId, CallState, Event, Input, Output, Time,
    Transport, UserAgent,
};

const A: &str = "192.0.2.10:5060";
const B: &str = "192.0.2.20:5060";

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn agent(local: &str, user: &str, peer: &str, seed: u64) -> UserAgent {
    let account = AccountConfig::new(user, "pw", &format!("example.com; {peer}"));
    UserAgent::new(AgentConfig::new(sa(local), vec![account]), seed).unwrap()
}

/// Two agents and the wire between them.
struct Net {
    agents: BTreeMap<SocketAddr, UserAgent>,
    events: BTreeMap<SocketAddr, Vec<Event>>,
    now: Time,
    /// Seeded loss and duplication, in percent.
    loss: u32,
    dup: u32,
    rng: u64,
    delivered: usize,
}

impl Net {
    fn new(seed: u64) -> Net {
        let mut agents = BTreeMap::new();
        agents.insert(sa(A), agent(A, "6001", B, seed));
        agents.insert(sa(B), agent(B, "6002", A, seed + 1));
        Net {
            agents,
            events: BTreeMap::new(),
            now: Time::ZERO,
            loss: 0,
            dup: 0,
            rng: seed | 1,
            delivered: 0,
        }
    }

    fn roll(&mut self) -> u32 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng % 100) as u32
    }

    fn ua(&mut self, at: &str) -> &mut UserAgent {
        self.agents.get_mut(&sa(at)).unwrap()
    }

    fn pump(&mut self) {
        self.pump_with(|_| {});
    }

    /// Delivers everything in flight until the network is quiet, losing
    /// and duplicating as configured, and showing every transmit to `seen`.
    fn pump_with(&mut self, mut seen: impl FnMut(&ua_core::Transmit)) {
        for _ in 0..10_000 {
            let mut moved = false;
            for at in [sa(A), sa(B)] {
                while let Some(out) = self.agents.get_mut(&at).unwrap().poll_output() {
                    moved = true;
                    match out {
                        Output::Event(e) => self.events.entry(at).or_default().push(e),
                        other @ (Output::DnsQuery(_) | Output::Close { .. }) => {
                            panic!("no DNS or streams here: {other:?}")
                        }
                        Output::Transmit(t) => {
                            seen(&t);
                            let copies = if self.roll() < self.loss {
                                0
                            } else if self.roll() < self.dup {
                                2
                            } else {
                                1
                            };
                            for _ in 0..copies {
                                self.delivered += 1;
                                let now = self.now;
                                if let Some(dst) = self.agents.get_mut(&t.destination) {
                                    let data = t.data.clone();
                                    dst.handle_input(
                                        now,
                                        Input::Message {
                                            from: at,
                                            to: t.destination,
                                            transport: t.transport,
                                            data,
                                        },
                                    );
                                }
                            }
                        }
                    }
                }
            }
            if !moved {
                return;
            }
        }
        panic!("message storm");
    }

    /// Runs the clock forward by `ms`, firing deadlines on the way.
    fn run(&mut self, ms: u64) {
        let until = Time::from_millis(self.now.as_millis() + ms);
        self.pump();
        loop {
            let next = self
                .agents
                .values()
                .filter_map(UserAgent::poll_timeout)
                .min();
            match next {
                Some(t) if t <= until => {
                    self.now = self.now.max(t);
                    let now = self.now;
                    for ua in self.agents.values_mut() {
                        ua.handle_timeout(now);
                    }
                    self.pump();
                }
                _ => break,
            }
        }
        self.now = until;
    }

    /// A calls B; returns the call on both sides once B rings.
    fn ring(&mut self) -> (CallId, CallId) {
        let now = self.now;
        let call = self.ua(A).call(now, ACC, "6002").unwrap();
        self.run(100);
        (call, self.incoming(B).expect("B sees the call"))
    }

    /// `call` ended at `at` with `status`, and the agent forgot it.
    fn assert_ended(&mut self, at: &str, call: CallId, status: u16) {
        assert!(
            self.states(at).iter().any(terminated(status)),
            "{:?}",
            self.states(at)
        );
        assert_eq!(
            self.ua(at).call_state(call),
            None,
            "a finished call is forgotten"
        );
    }

    fn incoming(&self, at: &str) -> Option<CallId> {
        self.events.get(&sa(at))?.iter().find_map(|e| match e {
            Event::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
    }

    fn states(&self, at: &str) -> Vec<CallState> {
        self.events
            .get(&sa(at))
            .map(|v| {
                v.iter()
                    .filter_map(|e| match e {
                        Event::CallState { state, .. } => Some(state.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn media(&self, at: &str) -> Vec<sdp::MediaParams> {
        self.events
            .get(&sa(at))
            .map(|v| {
                v.iter()
                    .filter_map(|e| {
                        if let Event::Media { params, .. } = e {
                            Some(params.clone())
                        } else {
                            None
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

const ACC: AccountId = AccountId(0);

fn terminated(status: u16) -> impl Fn(&CallState) -> bool {
    move |s| matches!(s, CallState::Terminated { status: x, .. } if *x == status)
}

#[test]
fn call_answered_then_hung_up_by_the_caller() {
    let mut net = Net::new(1);
    let now = net.now;
    let call = net.ua(A).call(now, ACC, "6002").unwrap();
    net.run(100);
    let incoming = net.incoming(B).expect("B sees the call");
    let ev = &net.events[&sa(B)];
    assert!(ev.iter().any(|e| matches!(e, Event::IncomingCall { from, called, .. } if from == "sip:6001@example.com" && called == "sip:6002@example.com")));
    assert_eq!(net.states(A), [CallState::Calling, CallState::Ringing]);
    let now = net.now;
    assert!(net.ua(B).answer(now, incoming));
    net.run(100);
    assert_eq!(net.ua(A).call_state(call), Some(&CallState::Connected));
    assert_eq!(
        net.ua(B).call_state(incoming),
        Some(&CallState::Connected),
        "B saw the ACK"
    );
    // Both sides run PCMU (the handset's first choice) to each other's ports.
    let (ma, mb) = (net.media(A), net.media(B));
    assert_eq!(ma.last().unwrap().codec, sdp::Codec::Pcmu);
    assert_eq!(mb.last().unwrap().codec, sdp::Codec::Pcmu);
    assert_eq!(
        ma.last().unwrap().remote_port,
        40000,
        "B's first call takes the base port"
    );
    let now = net.now;
    assert!(net.ua(A).hangup(now, call));
    net.run(100);
    assert!(
        net.states(B).iter().any(terminated(200)),
        "{:?}",
        net.states(B)
    );
    assert!(net.states(A).iter().any(terminated(200)));
}

#[test]
fn call_rejected_busy() {
    let mut net = Net::new(2);
    let (call, incoming) = net.ring();
    let now = net.now;
    assert!(net.ua(B).reject(now, incoming, 486));
    net.run(1000);
    net.assert_ended(A, call, 486);
    // The non-2xx was ACKed by the transaction: B stops retransmitting it.
    let before = net.delivered;
    net.run(40_000);
    assert_eq!(net.delivered, before, "quiet after the ACK");
}

#[test]
fn caller_cancels_while_ringing() {
    let mut net = Net::new(3);
    let (call, incoming) = net.ring();
    let now = net.now;
    assert!(net.ua(A).hangup(now, call));
    net.run(1000);
    net.assert_ended(B, incoming, 487);
    net.assert_ended(A, call, 487);
}

#[test]
fn cancel_crossing_the_2xx_ends_with_ack_then_bye() {
    // RFC 5407 section 3.1.2 (CANCEL and 2xx cross): B answers while A's
    // CANCEL is on the way. B's INVITE is already answered, so the CANCEL
    // gets 200 and no 487; A ACKs the 2xx and then ends the call with BYE.
    for seed in [30, 31, 32] {
        let mut net = Net::new(seed);
        let (call, incoming) = net.ring();
        let now = net.now;
        assert!(net.ua(B).answer(now, incoming));
        assert!(net.ua(A).cancel(now, call));
        let mut seen = Vec::new();
        net.pump_with(|t| {
            let m = Message::parse(t.data.clone()).unwrap();
            seen.push(match m.method() {
                Some(method) => method.to_string(),
                None => format!("{} {}", m.status().unwrap(), m.cseq().unwrap().method),
            });
        });
        net.run(1000);
        for needed in [
            "CANCEL",
            "200 INVITE",
            "200 CANCEL",
            "ACK",
            "BYE",
            "200 BYE",
        ] {
            assert!(
                seen.iter().any(|s| s == needed),
                "{needed} missing from {seen:?}"
            );
        }
        assert!(!seen.iter().any(|s| s == "487 INVITE"), "{seen:?}");
        net.assert_ended(A, call, 487);
        assert!(net.states(B).contains(&CallState::Connected));
        net.assert_ended(B, incoming, 200);
    }
}

#[test]
fn cancel_is_only_for_outgoing_calls_not_yet_answered() {
    let mut net = Net::new(33);
    let (call, incoming) = net.ring();
    let now = net.now;
    assert!(
        !net.ua(B).cancel(now, incoming),
        "an incoming call is rejected, not cancelled"
    );
    net.ua(B).answer(now, incoming);
    net.run(100);
    let now = net.now;
    assert!(
        !net.ua(A).cancel(now, call),
        "an answered call is hung up, not cancelled"
    );
    assert_eq!(net.ua(A).call_state(call), Some(&CallState::Connected));
}

#[test]
fn callee_hangs_up_with_bye() {
    let mut net = Net::new(4);
    let (call, incoming) = net.ring();
    let now = net.now;
    net.ua(B).answer(now, incoming);
    net.run(100);
    let now = net.now;
    assert!(net.ua(B).hangup(now, incoming));
    net.run(100);
    net.assert_ended(A, call, 200);
}

#[test]
fn no_common_codec_gets_488() {
    let mut net = Net::new(5);
    // An offer with G.722.1 only, which the handset does not do.
    let sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.99\r\ns=-\r\nc=IN IP4 192.0.2.99\r\nt=0 0\r\nm=audio 5004 RTP/AVP 102\r\na=rtpmap:102 G7221/16000\r\n";
    let invite = format!(
        "INVITE sip:6002@192.0.2.20 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bKx488\r\nMax-Forwards: 70\r\n\
         From: <sip:9@example.com>;tag=x\r\nTo: <sip:6002@example.com>\r\nCall-ID: c488@x\r\nCSeq: 1 INVITE\r\n\
         Contact: <sip:9@192.0.2.99>\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    let now = net.now;
    net.ua(B).handle_input(
        now,
        Input::Message {
            from: sa("192.0.2.99:5060"),
            to: sa(B),
            transport: Transport::Udp,
            data: invite.into(),
        },
    );
    let mut statuses = Vec::new();
    while let Some(o) = net.ua(B).poll_output() {
        if let Output::Transmit(t) = o {
            statuses.push(Message::parse(t.data).unwrap().status());
        }
    }
    assert_eq!(statuses, [Some(488)]);
    assert!(net.incoming(B).is_none());
}

#[test]
fn call_completes_under_loss_and_duplication() {
    for seed in 10..30 {
        let mut net = Net::new(seed);
        net.loss = 20;
        net.dup = 10;
        let now = net.now;
        let call = net.ua(A).call(now, ACC, "6002").unwrap();
        net.run(3000);
        let Some(incoming) = net.incoming(B) else {
            // All INVITE copies were lost within 3 s: Timer A keeps trying.
            net.run(30_000);
            assert!(
                net.incoming(B).is_some() || net.states(A).iter().any(terminated(408)),
                "seed {seed}"
            );
            continue;
        };
        let now = net.now;
        net.ua(B).answer(now, incoming);
        net.run(40_000);
        let a = net.ua(A).call_state(call).cloned();
        let b = net.ua(B).call_state(incoming).cloned();
        assert_eq!(
            a,
            Some(CallState::Connected),
            "seed {seed}: A {a:?}, B {b:?}"
        );
        // B is up, or gave up on an ACK that every copy of was lost (13.3.1.4).
        assert!(
            b == Some(CallState::Connected) || net.states(B).iter().any(terminated(408)),
            "seed {seed}: B {b:?}"
        );
        // Exactly one IncomingCall despite duplicated INVITEs.
        let incomings = net.events[&sa(B)]
            .iter()
            .filter(|e| matches!(e, Event::IncomingCall { .. }))
            .count();
        assert_eq!(incomings, 1, "seed {seed}");
    }
}

#[test]
fn agent_mid_call_clones_hashes_and_replays() {
    let run = || {
        let mut net = Net::new(7);
        let (call, incoming) = net.ring();
        let now = net.now;
        net.ua(B).answer(now, incoming);
        net.run(100);
        (net, call)
    };
    let ((x, call), (y, _)) = (run(), run());
    assert_eq!(x.agents, y.agents, "same seed, same inputs, same state");
    use std::hash::{Hash, Hasher};
    let h = |n: &Net| {
        let mut s = std::collections::hash_map::DefaultHasher::new();
        n.agents.hash(&mut s);
        s.finish()
    };
    assert_eq!(h(&x), h(&y));
    // A clone taken mid-call carries on exactly as the original: the
    // value is the whole state.
    let mut original = x.agents[&sa(A)].clone();
    let mut copy = original.clone();
    let later = Time::from_millis(x.now.as_millis() + 5);
    let outputs = |ua: &mut UserAgent| {
        assert!(ua.hangup(later, call));
        std::iter::from_fn(|| ua.poll_output()).collect::<Vec<_>>()
    };
    let (a, b) = (outputs(&mut original), outputs(&mut copy));
    assert!(
        a.iter().any(|o| matches!(o, Output::Transmit(_))),
        "the BYE goes out"
    );
    assert_eq!(a, b);
    assert_eq!(original, copy);
}

#[test]
fn not_found_to_an_invite_triggers_registration() {
    let mut net = Net::new(8);
    let (call, incoming) = net.ring();
    let now = net.now;
    net.ua(B).reject(now, incoming, 404);
    // Catch what A sends next: a REGISTER to its server (B here).
    let mut sent = Vec::new();
    net.pump_with(|t| sent.push(Message::parse(t.data.clone()).unwrap()));
    net.assert_ended(A, call, 404);
    assert!(
        sent.iter()
            .any(|m| m.method() == Some(&sip_proto::Method::Register)),
        "re-registers at once"
    );
}

#[test]
fn state_does_not_grow_with_past_calls() {
    let mut net = Net::new(11);
    for _ in 0..50 {
        let now = net.now;
        let call = net.ua(A).call(now, ACC, "6002").unwrap();
        net.run(100);
        let incoming = *net.events[&sa(B)]
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::IncomingCall { call, .. } => Some(call),
                _ => None,
            })
            .unwrap();
        let now = net.now;
        net.ua(B).answer(now, incoming);
        net.run(100);
        let now = net.now;
        net.ua(A).hangup(now, call);
        net.run(40_000);
    }
    for at in [A, B] {
        let (txs, calls, links) = net.ua(at).footprint();
        assert_eq!((txs, calls, links), (0, 0, 0), "{at}");
    }
}

/// Feeds B a request from A and returns B's response status.
fn answer_to(net: &mut Net, text: &str) -> Option<u16> {
    let now = net.now;
    net.ua(B).handle_input(
        now,
        Input::Message {
            from: sa(A),
            to: sa(B),
            transport: Transport::Udp,
            data: text.to_string().into(),
        },
    );
    let mut status = None;
    while let Some(o) = net.ua(B).poll_output() {
        if let Output::Transmit(t) = o {
            status = status.or(Message::parse(t.data).ok().and_then(|m| m.status()));
        }
    }
    status
}

#[test]
fn unsupported_requests_get_the_right_answers() {
    let mut net = Net::new(12);
    let (call, incoming) = net.ring();
    let now = net.now;
    net.ua(B).answer(now, incoming);
    net.run(100);
    // A re-INVITE in the call: 488, and the call stays up (RFC 3261 14.2).
    let in_dialog = |method: &str, to_tag: &str, from_tag: &str, call_id: &str| {
        format!(
            "{method} sip:6002@192.0.2.20 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK{method}x\r\n\
             From: <sip:6001@example.com>;tag={from_tag}\r\nTo: <sip:6002@example.com>;tag={to_tag}\r\n\
             Call-ID: {call_id}\r\nCSeq: 77 {method}\r\nContact: <sip:6001@192.0.2.10>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        )
    };
    // The dialog's identity as B knows it, from the INVITE A sent.
    let (call_id, from_tag, to_tag) = {
        let d = net.ua(A).dialog_of(call).expect("A's dialog");
        (
            d.id.call_id.clone(),
            d.id.local_tag.clone(),
            d.id.remote_tag.clone(),
        )
    };
    assert_eq!(
        answer_to(&mut net, &in_dialog("INVITE", &to_tag, &from_tag, &call_id)),
        Some(488)
    );
    assert_eq!(net.ua(B).call_state(incoming), Some(&CallState::Connected));
    // Unknown dialog: 481. A method we know but do not do: 405. Unknown: 501.
    assert_eq!(
        answer_to(&mut net, &in_dialog("BYE", "nope", "nope", "other@x")),
        Some(481)
    );
    let out_of_dialog = |method: &str| {
        format!(
            "{method} sip:6002@192.0.2.20 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK{method}y\r\n\
             From: <sip:6001@example.com>;tag=f\r\nTo: <sip:6002@example.com>\r\nCall-ID: od-{method}@x\r\n\
             CSeq: 1 {method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        )
    };
    assert_eq!(answer_to(&mut net, &out_of_dialog("SUBSCRIBE")), Some(405));
    assert_eq!(answer_to(&mut net, &out_of_dialog("FROBNICATE")), Some(501));
}

#[test]
fn configured_codecs_are_negotiated_and_local_media_addr_matches_the_sdp() {
    let mut net = Net::new(41);
    for (at, base) in [(A, 41000u16), (B, 42000u16)] {
        let ua = net.ua(at);
        let mut config = AgentConfig::new(sa(at), vec![]);
        let peer = if at == A { B } else { A };
        let user = if at == A { "6001" } else { "6002" };
        config.accounts = vec![AccountConfig::new(
            user,
            "pw",
            &format!("example.com; {peer}"),
        )];
        config.media_port_base = base;
        config.codecs = sdp::CodecPriorities {
            pcmu: 0,
            pcma: 0,
            g729: 0,
            g722: 1,
        };
        *ua = UserAgent::new(config, 41).unwrap();
    }
    let (call, incoming) = net.ring();
    assert_eq!(
        net.ua(A).local_media_addr(call),
        Some(sa("192.0.2.10:41000"))
    );
    assert_eq!(
        net.ua(B).local_media_addr(incoming),
        Some(sa("192.0.2.20:42000"))
    );
    let now = net.now;
    assert!(net.ua(B).answer(now, incoming));
    net.run(100);
    let (ma, mb) = (net.media(A), net.media(B));
    assert_eq!(ma.last().unwrap().codec, sdp::Codec::G722);
    assert_eq!(mb.last().unwrap().codec, sdp::Codec::G722);
    assert_eq!(ma.last().unwrap().remote_port, 42000, "A sends to B's port");
    assert_eq!(mb.last().unwrap().remote_port, 41000, "B sends to A's port");
}

/// RFC 3264 section 6: an answer lists only formats of the offer. A 2xx
/// whose answer names none of ours (our offer PCMU/PCMA, the answer G.722)
/// leaves the call without media: it is ACKed, then ended with BYE, and
/// reported terminated with 488.
#[test]
fn a_2xx_answer_without_any_offered_codec_is_acked_and_byed() {
    let mut a = agent(A, "6001", B, 40);
    let call = a.call(Time::ZERO, ACC, "6002").unwrap();
    let mut invite = None;
    while let Some(o) = a.poll_output() {
        if let Output::Transmit(t) = o {
            invite = Some(Message::parse(t.data).unwrap());
        }
    }
    let invite = invite.expect("INVITE sent");
    let answer = "v=0\r\no=b 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n\
                  m=audio 40000 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n";
    let ok = sip_proto::MessageBuilder::response_to(&invite, 200, "OK", Some("b-tag"))
        .header(sip_proto::HeaderName::Contact, "<sip:6002@192.0.2.20:5060>")
        .body("application/sdp", answer)
        .build()
        .unwrap();
    a.handle_input(
        Time::from_millis(50),
        Input::Message {
            from: sa(B),
            to: sa(A),
            transport: Transport::Udp,
            data: ok.to_bytes(),
        },
    );
    let mut sent = Vec::new();
    let mut states = Vec::new();
    while let Some(o) = a.poll_output() {
        match o {
            Output::Transmit(t) => sent.push(
                Message::parse(t.data)
                    .unwrap()
                    .method()
                    .unwrap()
                    .to_string(),
            ),
            Output::Event(Event::CallState { call: c, state }) if c == call => states.push(state),
            Output::Event(Event::Media { .. }) => panic!("no media from an unusable answer"),
            _ => {}
        }
    }
    assert_eq!(sent, ["ACK", "BYE"]);
    assert!(states.iter().any(terminated(488)), "{states:?}");
}
