//! Two transaction layers exchanging bytes over a simulated lossy UDP link
//! with a virtual clock: transactions complete despite seeded losses.

#![allow(clippy::field_reassign_with_default)] // configs read better as edits of the default

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use sip_proto::{Message, MessageBuilder};
use ua_core::transaction::key::BranchGenerator;
use ua_core::{LayerConfig, Time, Timer, TransactionLayer, Transport, TxKey, TxOutput};

const LATENCY: Duration = Duration::from_millis(20);

#[derive(Clone, Copy, PartialEq, Debug)]
enum Side {
    Client,
    Server,
}

/// What the server TU does with a new request.
#[derive(Clone, Copy)]
enum Script {
    /// Answer 200 at once.
    Ok,
    /// Ring, then answer 486 after a second.
    RingThenBusy,
    /// Ring and wait; a CANCEL gets 200 and the INVITE 487 (section 9.2).
    RingUntilCancelled,
}

struct Sim {
    now: Time,
    client: TransactionLayer,
    server: TransactionLayer,
    /// (deliver at, to, sent from, bytes)
    wire: Vec<(Time, Side, SocketAddr, bytes::Bytes)>,
    rng: BranchGenerator,
    loss_percent: u64,
    /// Chance that a delivered datagram arrives twice.
    dup_percent: u64,
    /// Extra random delay (ms) per datagram: reorders the link.
    jitter_ms: u64,
    dropped: usize,
    delivered: usize,
    script: Script,
    /// Server TU actions due later: (at, key, status, request).
    pending: Vec<(Time, TxKey, u16, Message)>,
    client_events: Vec<(Time, TxOutput)>,
    server_events: Vec<(Time, TxOutput)>,
    /// Server TU: INVITEs it is ringing for.
    invites: Vec<(TxKey, Message)>,
    /// Client TU: cancel this INVITE at this time.
    cancel_at: Option<(Time, TxKey)>,
}

impl Sim {
    fn new(seed: u64, loss_percent: u64, script: Script) -> Self {
        Sim {
            now: Time::ZERO,
            client: TransactionLayer::new(LayerConfig::default(), seed),
            server: TransactionLayer::new(LayerConfig::default(), seed ^ 0xff),
            wire: Vec::new(),
            rng: BranchGenerator::new(seed.wrapping_mul(31).wrapping_add(7)),
            loss_percent,
            dup_percent: 0,
            jitter_ms: 0,
            dropped: 0,
            delivered: 0,
            script,
            pending: Vec::new(),
            client_events: Vec::new(),
            server_events: Vec::new(),
            invites: Vec::new(),
            cancel_at: None,
        }
    }

    fn pump(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(o) = self.client.poll_output() {
                progressed = true;
                self.output(Side::Client, o);
            }
            while let Some(o) = self.server.poll_output() {
                progressed = true;
                self.output(Side::Server, o);
            }
            if !progressed {
                break;
            }
        }
    }

    fn output(&mut self, from: Side, o: TxOutput) {
        match o {
            TxOutput::Transmit(t) => {
                let (to, src) = match from {
                    Side::Client => (Side::Server, addr(ALICE)),
                    Side::Server => (Side::Client, addr(BOB)),
                };
                assert_eq!(
                    t.destination,
                    if to == Side::Server {
                        addr(BOB)
                    } else {
                        addr(ALICE)
                    }
                );
                if self.rng.next_u64() % 100 < self.loss_percent {
                    self.dropped += 1;
                } else {
                    let copies = if self.rng.next_u64() % 100 < self.dup_percent {
                        2
                    } else {
                        1
                    };
                    for _ in 0..copies {
                        let jitter = self.rng.next_u64() % (self.jitter_ms + 1);
                        let at = self.now + LATENCY + Duration::from_millis(jitter);
                        self.wire.push((at, to, src, t.data.clone()));
                    }
                }
            }
            other => {
                if from == Side::Server {
                    if let TxOutput::Request { key, request } = &other {
                        match self.script {
                            Script::Ok => {
                                let r = MessageBuilder::response_to(request, 200, "", Some("srv"))
                                    .build()
                                    .unwrap();
                                self.server.send_response(self.now, key, r).unwrap();
                            }
                            Script::RingUntilCancelled
                                if request.method() == Some(&sip_proto::Method::Cancel) =>
                            {
                                let target = self.server.cancel_target(request);
                                let code = if target.is_some() { 200 } else { 481 };
                                let r = MessageBuilder::response_to(request, code, "", Some("srv"))
                                    .build()
                                    .unwrap();
                                self.server.send_response(self.now, key, r).unwrap();
                                if let Some(invite) = target
                                    && let Some(inv) = self
                                        .invites
                                        .iter()
                                        .find(|(k, _)| *k == invite)
                                        .map(|(_, m)| m.clone())
                                {
                                    let r = MessageBuilder::response_to(&inv, 487, "", Some("srv"))
                                        .build()
                                        .unwrap();
                                    // The INVITE may have been answered already.
                                    let _ = self.server.send_response(self.now, &invite, r);
                                }
                            }
                            Script::RingUntilCancelled => {
                                let r = MessageBuilder::response_to(request, 180, "", Some("srv"))
                                    .build()
                                    .unwrap();
                                self.server.send_response(self.now, key, r).unwrap();
                                self.invites.push((key.clone(), Message::clone(request)));
                            }
                            Script::RingThenBusy => {
                                let r = MessageBuilder::response_to(request, 180, "", Some("srv"))
                                    .build()
                                    .unwrap();
                                self.server.send_response(self.now, key, r).unwrap();
                                self.pending.push((
                                    self.now + Duration::from_secs(1),
                                    key.clone(),
                                    486,
                                    Message::clone(request),
                                ));
                            }
                        }
                    }
                    self.server_events.push((self.now, other));
                } else {
                    self.client_events.push((self.now, other));
                }
            }
        }
    }

    fn next_event(&self) -> Option<Time> {
        [
            self.client.poll_timeout(),
            self.server.poll_timeout(),
            self.wire.iter().map(|w| w.0).min(),
            self.pending.iter().map(|p| p.0).min(),
            self.cancel_at.as_ref().map(|c| c.0),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn run(&mut self) {
        self.pump();
        let mut steps = 0;
        while let Some(t) = self.next_event() {
            steps += 1;
            assert!(steps < 10_000);
            self.now = self.now.max(t);
            // Deliver everything due, in send order.
            let (due, rest): (Vec<_>, Vec<_>) = self.wire.drain(..).partition(|w| w.0 <= self.now);
            self.wire = rest;
            for (_, to, src, data) in due {
                self.delivered += 1;
                let layer = if to == Side::Server {
                    &mut self.server
                } else {
                    &mut self.client
                };
                layer.handle_bytes(self.now, data, Transport::Udp, src, None);
                self.pump();
            }
            let (due, rest): (Vec<_>, Vec<_>) =
                self.pending.drain(..).partition(|p| p.0 <= self.now);
            self.pending = rest;
            for (_, key, status, req) in due {
                let r = MessageBuilder::response_to(&req, status, "", Some("srv"))
                    .build()
                    .unwrap();
                let _ = self.server.send_response(self.now, &key, r);
                self.pump();
            }
            if let Some((at, invite)) = self.cancel_at.clone()
                && at <= self.now
            {
                self.cancel_at = None;
                // Section 9.1: held by the layer until a provisional arrived.
                self.client.cancel(self.now, &invite).unwrap();
                self.pump();
            }
            self.client.handle_timeout(self.now);
            self.server.handle_timeout(self.now);
            self.pump();
        }
    }

    fn client_finals(&self) -> Vec<u16> {
        self.client_events
            .iter()
            .filter_map(|(_, o)| match o {
                TxOutput::Response { response, .. } => response.status().filter(|s| *s >= 200),
                _ => None,
            })
            .collect()
    }

    fn timeouts(events: &[(Time, TxOutput)]) -> Vec<Timer> {
        events
            .iter()
            .filter_map(|(_, o)| match o {
                TxOutput::Timeout { timer, .. } => Some(*timer),
                _ => None,
            })
            .collect()
    }
}

fn client_request(sim: &mut Sim, method: &str) -> Message {
    let branch = sim.client.new_branch();
    parse(&format!(
        "{method} sip:bob@192.0.2.2 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch={branch}\n\
         Max-Forwards: 70\nFrom: <sip:alice@example.com>;tag=a\nTo: <sip:bob@example.com>\n\
         Call-ID: two-peer\nCSeq: 1 {method}\nContact: <sip:alice@192.0.2.1>\n\n"
    ))
}

#[test]
fn non_invite_completes_despite_losses() {
    let mut total_dropped = 0;
    for seed in 0..40 {
        let mut sim = Sim::new(seed, 30, Script::Ok);
        let req = client_request(&mut sim, "OPTIONS");
        sim.client
            .send_request(Time::ZERO, req, Transport::Udp, addr(BOB))
            .unwrap();
        sim.run();
        assert_eq!(
            sim.client_finals(),
            [200],
            "seed {seed}: exactly one final to the TU"
        );
        assert!(Sim::timeouts(&sim.client_events).is_empty(), "seed {seed}");
        assert_eq!(
            sim.server_events
                .iter()
                .filter(|(_, o)| matches!(o, TxOutput::Request { .. }))
                .count(),
            1,
            "seed {seed}: retransmissions never reach the server TU"
        );
        assert!(sim.client.is_empty() && sim.server.is_empty());
        total_dropped += sim.dropped;
    }
    assert!(
        total_dropped > 20,
        "the link really lost packets ({total_dropped})"
    );
}

#[test]
fn invite_486_ack_completes_despite_losses() {
    let mut total_dropped = 0;
    for seed in 0..40 {
        let mut sim = Sim::new(seed, 30, Script::RingThenBusy);
        let req = client_request(&mut sim, "INVITE");
        sim.client
            .send_request(Time::ZERO, req, Transport::Udp, addr(BOB))
            .unwrap();
        sim.run();
        assert_eq!(sim.client_finals(), [486], "seed {seed}");
        assert!(Sim::timeouts(&sim.client_events).is_empty(), "seed {seed}");
        // The server saw the ACK: no Timer H failure.
        assert!(
            !Sim::timeouts(&sim.server_events).contains(&Timer::H),
            "seed {seed}: ACK never arrived"
        );
        assert!(sim.client.is_empty() && sim.server.is_empty());
        total_dropped += sim.dropped;
    }
    assert!(
        total_dropped > 20,
        "the link really lost packets ({total_dropped})"
    );
}

#[test]
fn lossless_invite_exchange_bytes() {
    let mut sim = Sim::new(1, 0, Script::RingThenBusy);
    let req = client_request(&mut sim, "INVITE");
    sim.client
        .send_request(Time::ZERO, req, Transport::Udp, addr(BOB))
        .unwrap();
    sim.run();
    // INVITE, 100? (no: 180 within 200 ms), 180, 486, ACK — four datagrams.
    assert_eq!(sim.delivered, 4);
    assert_eq!(sim.client_finals(), [486]);
}

#[test]
fn invite_cancel_487_completes_despite_losses() {
    let mut total_dropped = 0;
    for seed in 0..40 {
        let mut sim = Sim::new(seed, 30, Script::RingUntilCancelled);
        let req = client_request(&mut sim, "INVITE");
        let key = sim
            .client
            .send_request(Time::ZERO, req, Transport::Udp, addr(BOB))
            .unwrap();
        sim.cancel_at = Some((Time::from_millis(1500), key.clone()));
        sim.run();
        let finals: Vec<(TxKey, u16)> = sim
            .client_events
            .iter()
            .filter_map(|(_, o)| match o {
                TxOutput::Response { key, response } if response.status() >= Some(200) => {
                    Some((key.clone(), response.status().unwrap()))
                }
                _ => None,
            })
            .collect();
        let invite_finals: Vec<u16> = finals
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, s)| *s)
            .collect();
        assert_eq!(invite_finals, [487], "seed {seed}: {finals:?}");
        // The CANCEL got its 200 unless every try of it was lost (Timer F).
        let cancel_done = finals
            .iter()
            .any(|(k, s)| k.method() == &sip_proto::Method::Cancel && *s == 200);
        let cancel_timeout = Sim::timeouts(&sim.client_events).contains(&Timer::F);
        assert!(cancel_done || cancel_timeout, "seed {seed}");
        assert!(
            !Sim::timeouts(&sim.server_events).contains(&Timer::H),
            "seed {seed}: ACK for 487 lost"
        );
        assert!(sim.client.is_empty() && sim.server.is_empty());
        total_dropped += sim.dropped;
    }
    assert!(total_dropped > 20);
}

mod link_properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// Over a link that loses, duplicates and reorders, every
        /// transaction ends with one final response or a timeout (never
        /// both), the server TU sees each request once, and both layers
        /// end empty.
        #[test]
        fn exchanges_end_cleanly(
            seed in any::<u64>(),
            loss in 0..70u64,
            dup in 0..40u64,
            jitter in 0..400u64,
            script in 0..3u8,
        ) {
            let script = [Script::Ok, Script::RingThenBusy, Script::RingUntilCancelled][usize::from(script)];
            let mut sim = Sim::new(seed, loss, script);
            sim.dup_percent = dup;
            sim.jitter_ms = jitter;
            let method = if matches!(script, Script::Ok) { "OPTIONS" } else { "INVITE" };
            let req = client_request(&mut sim, method);
            let key = sim.client.send_request(Time::ZERO, req, Transport::Udp, addr(BOB)).unwrap();
            if matches!(script, Script::RingUntilCancelled) {
                sim.cancel_at = Some((Time::from_millis(1500), key.clone()));
            }
            // At 1.5 s the INVITE is still Calling or Proceeding, never final.
            sim.run();
            let finals: Vec<u16> = sim.client_events.iter().filter_map(|(_, o)| match o {
                TxOutput::Response { key: k, response } if *k == key => response.status().filter(|s| *s >= 200),
                _ => None,
            }).collect();
            let timed_out = sim.client_events.iter().any(|(_, o)| matches!(o, TxOutput::Timeout { key: k, .. } if *k == key));
            prop_assert!(finals.len() <= 1, "one final to the TU: {:?}", finals);
            prop_assert!(finals.len() == 1 || timed_out, "a final or a timeout");
            prop_assert!(!(finals.len() == 1 && timed_out), "not both");
            let requests = sim.server_events.iter().filter(|(_, o)| matches!(o, TxOutput::Request { request, .. } if request.method().map(|m| m.as_str()) == Some(method))).count();
            prop_assert!(requests <= 1, "the server TU saw the request {} times", requests);
            if loss == 0 {
                prop_assert_eq!(finals.len(), 1);
            }
            prop_assert!(sim.client.is_empty() && sim.server.is_empty());
        }
    }
}
