//! Client transactions (RFC 3261 sections 17.1.1, 17.1.2, RFC 6026 section 7.2).

#![allow(clippy::field_reassign_with_default)] // configs read better as edits of the default

mod common;

use common::*;
use sip_proto::{HeaderName, Message};
use ua_core::{Dispatch, LayerConfig, Time, Timer, Transport, TxKey, TxOutput};

const BR: &str = "z9hG4bKclient1";

fn at(ms: u64) -> Time {
    Time::from_millis(ms)
}

fn responses(h: &Harness) -> Vec<(u64, u16)> {
    h.events()
        .into_iter()
        .filter_map(|(t, o)| match o {
            TxOutput::Response { response, .. } => Some((t, response.status().unwrap())),
            _ => None,
        })
        .collect()
}

#[test]
fn invite_udp_timer_a_doubles_and_timer_b_fires_at_64_t1() {
    let mut h = Harness::new(LayerConfig::default());
    let key = h
        .layer
        .send_request(Time::ZERO, invite(BR), Transport::Udp, addr(BOB))
        .unwrap();
    h.run_until(100_000);
    assert_eq!(
        h.transmit_times(),
        [0, 500, 1500, 3500, 7500, 15500, 31500],
        "Timer A: T1, 2*T1, 4*T1, ... (section 17.1.1.2)"
    );
    let ev = h.events();
    assert_eq!(
        ev,
        [
            (
                32000,
                TxOutput::Timeout {
                    key: key.clone(),
                    timer: Timer::B
                }
            ),
            (32000, TxOutput::Terminated { key: key.clone() }),
        ]
    );
    assert!(h.layer.is_empty());
    // Every transmit goes to the destination, over UDP, marked DSCP 40.
    for (_, t) in h.transmits() {
        assert_eq!(
            (t.transport, t.destination, t.dscp),
            (Transport::Udp, addr(BOB), 40)
        );
    }
}

#[test]
fn invite_over_tcp_and_tls_is_not_retransmitted() {
    for transport in [Transport::Tcp, Transport::Tls] {
        let mut h = Harness::new(LayerConfig::default());
        let req = request("INVITE", BR, transport.via_token(), 1);
        h.layer
            .send_request(Time::ZERO, req, transport, addr(BOB))
            .unwrap();
        h.run_until(100_000);
        assert_eq!(h.transmit_times(), [0]);
        assert!(matches!(
            h.events()[0],
            (
                32000,
                TxOutput::Timeout {
                    timer: Timer::B,
                    ..
                }
            )
        ));
    }
}

#[test]
fn non_invite_timer_e_backs_off_to_t2_and_timer_f_fires() {
    let mut h = Harness::new(LayerConfig::default());
    let key = h
        .layer
        .send_request(
            Time::ZERO,
            request("OPTIONS", BR, "UDP", 1),
            Transport::Udp,
            addr(BOB),
        )
        .unwrap();
    h.run_until(100_000);
    let times = h.transmit_times();
    let gaps: Vec<u64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(
        gaps,
        [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]
    );
    assert_eq!(times.last(), Some(&31500));
    assert_eq!(
        h.events(),
        [
            (
                32000,
                TxOutput::Timeout {
                    key: key.clone(),
                    timer: Timer::F
                }
            ),
            (32000, TxOutput::Terminated { key }),
        ]
    );
}

#[test]
fn non_invite_proceeding_retransmits_every_t2() {
    let mut h = Harness::new(LayerConfig::default());
    let req = request("REGISTER", BR, "UDP", 1);
    h.layer
        .send_request(Time::ZERO, req.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    h.run_until(600);
    let d = h.layer.handle_message(
        at(600),
        response(&req, 100, None),
        Transport::Udp,
        addr(BOB),
    );
    assert!(matches!(d, Dispatch::Matched(_)));
    h.run_until(20_000);
    // E was due at 1500 (set in Trying); from then on T2.
    assert_eq!(h.transmit_times(), [0, 500, 1500, 5500, 9500, 13500, 17500]);
    assert_eq!(responses(&h), [(600, 100)]);
}

#[test]
fn non_invite_completed_absorbs_retransmissions_until_timer_k() {
    let mut h = Harness::new(LayerConfig::default());
    let req = request("OPTIONS", BR, "UDP", 1);
    let key = h
        .layer
        .send_request(Time::ZERO, req.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    h.run_until(700);
    let ok = response(&req, 200, Some("bob"));
    h.layer
        .handle_message(at(700), ok.clone(), Transport::Udp, addr(BOB));
    h.run_until(800);
    // The retransmitted 200 matches but is not passed up again.
    assert!(matches!(
        h.layer
            .handle_message(at(800), ok.clone(), Transport::Udp, addr(BOB)),
        Dispatch::Matched(_)
    ));
    h.run_until(60_000);
    assert_eq!(
        h.transmit_times(),
        [0, 500],
        "no retransmission after the final response"
    );
    assert_eq!(responses(&h), [(700, 200)]);
    assert_eq!(h.terminated_at(&key), Some(5700), "Timer K = T4");
    // After Terminated the same response is stray.
    assert!(matches!(
        h.layer
            .handle_message(at(60_000), ok, Transport::Udp, addr(BOB)),
        Dispatch::Stray(_)
    ));
}

#[test]
fn reliable_transports_use_zero_timer_k_and_d() {
    let mut h = Harness::new(LayerConfig::default());
    let req = request("OPTIONS", BR, "TCP", 1);
    let key = h
        .layer
        .send_request(Time::ZERO, req.clone(), Transport::Tcp, addr(BOB))
        .unwrap();
    h.layer.handle_message(
        at(10),
        response(&req, 200, Some("b")),
        Transport::Tcp,
        addr(BOB),
    );
    h.drain();
    assert_eq!(h.terminated_at(&key), Some(0));
    assert!(h.layer.is_empty());

    let inv = request("INVITE", "z9hG4bKinv", "TCP", 2);
    let key = h
        .layer
        .send_request(Time::ZERO, inv.clone(), Transport::Tcp, addr(BOB))
        .unwrap();
    h.layer.handle_message(
        at(10),
        response(&inv, 486, Some("b")),
        Transport::Tcp,
        addr(BOB),
    );
    h.drain();
    // The ACK is still generated on reliable transports; Timer D is zero.
    assert_eq!(
        h.sent().last().unwrap().method(),
        Some(&sip_proto::Method::Ack)
    );
    assert!(h.terminated_at(&key).is_some());
    assert!(h.layer.is_empty());
}

#[test]
fn ack_for_non_2xx_is_built_per_17_1_1_3() {
    let mut h = Harness::new(LayerConfig::default());
    let inv = invite(BR);
    let key = h
        .layer
        .send_request(Time::ZERO, inv.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    h.recv(
        100,
        response(&inv, 180, Some("99sa0xk")),
        Transport::Udp,
        BOB,
    );
    let busy = response(&inv, 486, Some("99sa0xk"));
    h.recv(200, busy.clone(), Transport::Udp, BOB);
    let sent = h.sent();
    assert_eq!(sent.len(), 2);
    let ack = &sent[1];
    assert_eq!(ack.method(), Some(&sip_proto::Method::Ack));
    assert_eq!(ack.request_uri_str(), inv.request_uri_str());
    let vias: Vec<&str> = ack.values(HeaderName::Via).collect();
    assert_eq!(
        vias,
        [inv.values(HeaderName::Via).next().unwrap()],
        "a single Via, the INVITE's top one"
    );
    assert_eq!(
        ack.values(HeaderName::Route).collect::<Vec<_>>(),
        inv.values(HeaderName::Route).collect::<Vec<_>>()
    );
    assert_eq!(
        ack.values(HeaderName::From).next(),
        inv.values(HeaderName::From).next()
    );
    assert_eq!(
        ack.to_header().unwrap().tag(),
        Some("99sa0xk"),
        "To of the response"
    );
    assert_eq!(ack.call_id(), inv.call_id());
    let cseq = ack.cseq().unwrap();
    assert_eq!((cseq.seq, cseq.method), (1, sip_proto::Method::Ack));
    assert_eq!(ack.body_bytes(), b"");
    // The 486 went to the TU once; its retransmission only re-sends the ACK.
    h.recv(1000, busy.clone(), Transport::Udp, BOB);
    h.run_until(100_000);
    assert_eq!(responses(&h), [(100, 180), (200, 486)]);
    let sent = h.sent();
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[2], sent[1]);
    assert_eq!(
        h.transmit_times(),
        [0, 200, 1000],
        "no Timer A after a response"
    );
    assert_eq!(h.terminated_at(&key), Some(32200), "Timer D = 32 s");
}

#[test]
fn accepted_passes_every_2xx_to_the_tu_and_never_acks() {
    let mut h = Harness::new(LayerConfig::default());
    let inv = invite(BR);
    let key = h
        .layer
        .send_request(Time::ZERO, inv.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    let ok = response(&inv, 200, Some("b1"));
    h.recv(300, ok.clone(), Transport::Udp, BOB);
    // A retransmission and a 2xx from another fork branch.
    h.recv(800, ok.clone(), Transport::Udp, BOB);
    h.recv(900, response(&inv, 200, Some("b2")), Transport::Udp, BOB);
    h.run_until(100_000);
    assert_eq!(responses(&h), [(300, 200), (800, 200), (900, 200)]);
    assert_eq!(
        h.transmit_times(),
        [0],
        "the transaction sends no ACK for 2xx"
    );
    assert_eq!(h.terminated_at(&key), Some(32300), "Timer M = 64*T1");
}

#[test]
fn provisional_stops_timer_a_and_timer_b_and_the_guard_bounds_proceeding() {
    let mut h = Harness::new(LayerConfig::default());
    let inv = invite(BR);
    let key = h
        .layer
        .send_request(Time::ZERO, inv.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    h.run_until(600);
    h.layer.handle_message(
        at(600),
        response(&inv, 180, Some("t")),
        Transport::Udp,
        addr(BOB),
    );
    h.run_until(1_000_000);
    assert_eq!(h.transmit_times(), [0, 500]);
    assert_eq!(
        h.events()[1..],
        [
            (
                180_600,
                TxOutput::Timeout {
                    key: key.clone(),
                    timer: Timer::Guard
                }
            ),
            (180_600, TxOutput::Terminated { key }),
        ]
    );
    let mut cfg = LayerConfig::default();
    cfg.invite_guard = None;
    let mut h = Harness::new(cfg);
    h.layer
        .send_request(Time::ZERO, inv.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    h.layer.handle_message(
        at(0),
        response(&inv, 180, Some("t")),
        Transport::Udp,
        addr(BOB),
    );
    assert_eq!(h.layer.poll_timeout(), None, "Proceeding waits for the TU");
}

#[test]
fn stray_and_foreign_responses() {
    let mut h = Harness::new(LayerConfig::default());
    let inv = invite(BR);
    h.layer
        .send_request(Time::ZERO, inv.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    // Same branch, other CSeq method: a CANCEL transaction's response, none here.
    let cancel = request("CANCEL", BR, "UDP", 1);
    assert!(matches!(
        h.layer.handle_message(
            at(1),
            response(&cancel, 200, None),
            Transport::Udp,
            addr(BOB)
        ),
        Dispatch::Stray(_)
    ));
    // Same branch, sent-by not ours (section 18.1.2).
    let other = Message::parse(
        response(&inv, 180, None)
            .to_string()
            .replace("192.0.2.1:5060", "198.51.100.7:5060")
            .into_bytes(),
    )
    .unwrap();
    assert_eq!(
        h.layer
            .handle_message(at(2), other, Transport::Udp, addr(BOB)),
        Dispatch::Dropped(ua_core::DropReason::SentByMismatch)
    );
    h.drain();
    assert!(h.events().is_empty());
}

#[test]
fn cancel_is_its_own_client_transaction() {
    let mut h = Harness::new(LayerConfig::default());
    let inv = invite(BR);
    let ik = h
        .layer
        .send_request(Time::ZERO, inv.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    h.layer.handle_message(
        at(100),
        response(&inv, 180, Some("t")),
        Transport::Udp,
        addr(BOB),
    );
    let cancel = request("CANCEL", BR, "UDP", 1);
    let ck = h
        .layer
        .send_request(at(200), cancel.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    assert_ne!(ik, ck);
    assert_eq!(h.layer.len(), 2);
    h.layer.handle_message(
        at(300),
        response(&cancel, 200, Some("t")),
        Transport::Udp,
        addr(BOB),
    );
    h.layer.handle_message(
        at(310),
        response(&inv, 487, Some("t")),
        Transport::Udp,
        addr(BOB),
    );
    h.drain();
    let got: Vec<_> = h
        .events()
        .into_iter()
        .filter_map(|(_, o)| match o {
            TxOutput::Response { key, response } => Some((key, response.status().unwrap())),
            _ => None,
        })
        .collect();
    assert_eq!(got, [(ik.clone(), 180), (ck, 200), (ik, 487)]);
}

#[test]
fn size_rule_switches_large_udp_requests_to_tcp_unless_overridden() {
    let big = |branch: &str| {
        parse(&format!(
            "MESSAGE sip:bob@192.0.2.2 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch={branch}
Max-Forwards: 70
From: <sip:alice@example.com>;tag=a
To: <sip:bob@example.com>
Call-ID: big
CSeq: 1 MESSAGE
Content-Type: text/plain
Content-Length: 1400

{}",
            "x".repeat(1400)
        ))
    };
    let mut h = Harness::new(LayerConfig::default());
    let key = h
        .layer
        .send_request(Time::ZERO, big(BR), Transport::Udp, addr(BOB))
        .unwrap();
    h.run_until(10_000);
    let t = h.transmits();
    assert_eq!(t.len(), 1, "TCP: no retransmissions");
    assert_eq!(t[0].1.transport, Transport::Tcp);
    let sent = Message::parse(t[0].1.data.clone()).unwrap();
    assert_eq!(
        sent.top_via().unwrap().transport,
        "TCP",
        "the top Via follows the switch"
    );
    assert_eq!(sent.top_via().unwrap().branch(), Some(BR));
    assert_eq!(sent.body_bytes().len(), 1400);
    // Responses still match the transaction.
    let d = h.layer.handle_message(
        at(10_000),
        response(&sent, 200, Some("x")),
        Transport::Tcp,
        addr(BOB),
    );
    assert_eq!(d, Dispatch::Matched(key));

    let mut cfg = LayerConfig::default();
    cfg.size_rule.keep_udp = true;
    cfg.dscp = 46;
    let mut h = Harness::new(cfg);
    h.layer
        .send_request(Time::ZERO, big(BR), Transport::Udp, addr(BOB))
        .unwrap();
    h.run_until(600);
    let t = h.transmits();
    assert_eq!(t.len(), 2);
    assert!(
        t.iter()
            .all(|(_, t)| t.transport == Transport::Udp && t.dscp == 46)
    );
}

#[test]
fn transport_error_terminates_client_transactions() {
    let mut h = Harness::new(LayerConfig::default());
    let key = h
        .layer
        .send_request(Time::ZERO, invite(BR), Transport::Udp, addr(BOB))
        .unwrap();
    h.layer.handle_transport_error(at(5), &key);
    h.drain();
    assert_eq!(
        h.events(),
        [
            (0, TxOutput::TransportError { key: key.clone() }),
            (0, TxOutput::Terminated { key })
        ]
    );
    assert!(h.layer.is_empty());
}

#[test]
fn send_request_rejects_what_is_not_a_transaction() {
    use ua_core::TxError;
    let mut h = Harness::new(LayerConfig::default());
    let ack = request("ACK", BR, "UDP", 1);
    assert_eq!(
        h.layer
            .send_request(Time::ZERO, ack, Transport::Udp, addr(BOB)),
        Err(TxError::AckIsNotATransaction)
    );
    let old = request("OPTIONS", "abc", "UDP", 1);
    assert_eq!(
        h.layer
            .send_request(Time::ZERO, old, Transport::Udp, addr(BOB)),
        Err(TxError::MissingBranch)
    );
    let resp = response(&invite(BR), 200, None);
    assert_eq!(
        h.layer
            .send_request(Time::ZERO, resp, Transport::Udp, addr(BOB)),
        Err(TxError::NotARequest)
    );
    h.layer
        .send_request(Time::ZERO, invite(BR), Transport::Udp, addr(BOB))
        .unwrap();
    assert_eq!(
        h.layer
            .send_request(Time::ZERO, invite(BR), Transport::Udp, addr(BOB)),
        Err(TxError::Duplicate)
    );
    let mut cfg = LayerConfig::default();
    cfg.max_transactions = 1;
    let mut h = Harness::new(cfg);
    h.layer
        .send_request(Time::ZERO, invite(BR), Transport::Udp, addr(BOB))
        .unwrap();
    assert_eq!(
        h.layer.send_request(
            Time::ZERO,
            invite("z9hG4bKother"),
            Transport::Udp,
            addr(BOB)
        ),
        Err(TxError::TooManyTransactions)
    );
}

#[test]
fn the_end_of_the_clock_does_not_loop() {
    let mut h = Harness::new(LayerConfig::default());
    let start = Time::from_millis(u64::MAX - 700);
    h.layer
        .send_request(start, invite(BR), Transport::Udp, addr(BOB))
        .unwrap();
    h.layer
        .send_request(
            start,
            request("OPTIONS", "z9hG4bKo", "UDP", 2),
            Transport::Udp,
            addr(BOB),
        )
        .unwrap();
    for _ in 0..3 {
        h.layer.handle_timeout(Time::from_millis(u64::MAX));
    }
    h.drain();
    assert!(h.transmits().len() >= 4);
}

#[test]
fn state_is_clone_eq_hash_debug() {
    fn assert_traits<T: Clone + Eq + std::hash::Hash + std::fmt::Debug>() {}
    assert_traits::<ua_core::TransactionLayer>();
    assert_traits::<ua_core::TxOutput>();
    assert_traits::<ua_core::Dispatch>();
    assert_traits::<ua_core::LayerConfig>();
    assert_traits::<ua_core::Transmit>();
    assert_traits::<ua_core::TxKey>();
    assert_traits::<ua_core::BranchGenerator>();
    assert_traits::<ua_core::Time>();
    assert_traits::<ua_core::TimerConfig>();
    assert_traits::<ua_core::transport::ResponseTarget>();
    // Same seed, same inputs: equal (and equally hashed) layers.
    let run = || {
        let mut l = ua_core::TransactionLayer::new(LayerConfig::default(), 5);
        let b = l.new_branch();
        let req = request("OPTIONS", &b, "UDP", 1);
        l.send_request(Time::ZERO, req, Transport::Udp, addr(BOB))
            .unwrap();
        l.handle_timeout(Time::from_millis(500));
        l
    };
    assert_eq!(run(), run());
}

fn cancel_outputs(h: &Harness) -> Vec<(u64, Message)> {
    h.transmits()
        .into_iter()
        .map(|(t, x)| (t, Message::parse(x.data).unwrap()))
        .filter(|(_, m)| m.method() == Some(&sip_proto::Method::Cancel))
        .collect()
}

#[test]
fn cancel_after_a_provisional_is_built_per_9_1_and_sent_like_the_invite() {
    let mut h = Harness::new(LayerConfig::default());
    let inv = invite(BR);
    let ik = h
        .layer
        .send_request(Time::ZERO, inv.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    h.recv(100, response(&inv, 180, Some("t")), Transport::Udp, BOB);
    h.run_until(2000);
    let ck = h.layer.cancel(h.now, &ik).unwrap();
    assert_eq!(h.layer.cancel(h.now, &ik), Err(ua_core::TxError::Duplicate));
    h.drain();
    let cancels = cancel_outputs(&h);
    assert_eq!(cancels.len(), 1);
    let (at, c) = &cancels[0];
    assert_eq!(*at, 2000);
    assert_eq!(c.request_uri_str(), inv.request_uri_str());
    assert_eq!(
        c.values(HeaderName::Via).collect::<Vec<_>>(),
        [inv.values(HeaderName::Via).next().unwrap()]
    );
    for name in [
        HeaderName::From,
        HeaderName::To,
        HeaderName::CallId,
        HeaderName::Route,
    ] {
        assert_eq!(
            c.values(name).collect::<Vec<_>>(),
            inv.values(name).collect::<Vec<_>>(),
            "{name}"
        );
    }
    let cseq = c.cseq().unwrap();
    assert_eq!((cseq.seq, cseq.method), (1, sip_proto::Method::Cancel));
    assert!(c.values(HeaderName::Require).next().is_none());
    let (_, t) = h.transmits().last().cloned().unwrap();
    assert_eq!((t.transport, t.destination), (Transport::Udp, addr(BOB)));
    assert_eq!(TxKey::client_for_request(c), Some(ck.clone()));
    // The CANCEL retransmits on its own (Timer E); 200 completes it.
    h.run_until(2600);
    assert_eq!(cancel_outputs(&h).len(), 2);
    assert_eq!(
        h.recv(2700, response(c, 200, Some("t")), Transport::Udp, BOB),
        Dispatch::Matched(ck.clone())
    );
    assert_eq!(
        h.recv(2800, response(&inv, 487, Some("t")), Transport::Udp, BOB),
        Dispatch::Matched(ik.clone())
    );
    h.run_until(100_000);
    assert_eq!(responses(&h), [(100, 180), (2700, 200), (2800, 487)]);
    assert_eq!(h.terminated_at(&ck), Some(7700), "Timer K");
    assert_eq!(h.terminated_at(&ik), Some(34_800), "Timer D");
}

#[test]
fn cancel_before_any_provisional_waits_for_one() {
    let mut h = Harness::new(LayerConfig::default());
    let inv = invite(BR);
    let ik = h
        .layer
        .send_request(Time::ZERO, inv.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    h.run_until(100);
    let ck = h.layer.cancel(h.now, &ik).unwrap();
    h.run_until(1000);
    assert!(
        cancel_outputs(&h).is_empty(),
        "section 9.1: not before a provisional"
    );
    assert!(!h.layer.keys().any(|k| *k == ck));
    h.recv(1200, response(&inv, 100, None), Transport::Udp, BOB);
    assert_eq!(
        cancel_outputs(&h)
            .iter()
            .map(|(t, _)| *t)
            .collect::<Vec<_>>(),
        [1200]
    );
    assert!(h.layer.keys().any(|k| *k == ck));

    // A final response first: the held CANCEL is dropped.
    let mut h = Harness::new(LayerConfig::default());
    let ik = h
        .layer
        .send_request(Time::ZERO, inv.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    h.layer.cancel(Time::ZERO, &ik).unwrap();
    h.recv(300, response(&inv, 486, Some("t")), Transport::Udp, BOB);
    h.run_until(100_000);
    assert!(cancel_outputs(&h).is_empty());
    assert!(h.layer.is_empty());
}

#[test]
fn cancel_after_a_final_response_is_refused_and_an_unanswered_cancel_gives_up() {
    let mut h = Harness::new(LayerConfig::default());
    let inv = invite(BR);
    let ik = h
        .layer
        .send_request(Time::ZERO, inv.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    h.recv(100, response(&inv, 603, Some("t")), Transport::Udp, BOB);
    assert_eq!(
        h.layer.cancel(h.now, &ik),
        Err(ua_core::TxError::InvalidState)
    );

    // Section 9.1: no final response 64*T1 after the CANCEL.
    let mut h = Harness::new(LayerConfig::default());
    let ik = h
        .layer
        .send_request(Time::ZERO, inv.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    h.recv(100, response(&inv, 180, Some("t")), Transport::Udp, BOB);
    h.run_until(1000);
    h.layer.cancel(h.now, &ik).unwrap();
    h.run_until(200_000);
    assert!(h.events().contains(&(
        33_000,
        TxOutput::Timeout {
            key: ik.clone(),
            timer: Timer::Guard
        }
    )));
    assert_eq!(h.terminated_at(&ik), Some(33_000));
}

#[test]
fn cancel_follows_the_invite_onto_tcp() {
    let mut h = Harness::new(LayerConfig::default());
    let big = parse(&format!(
        "INVITE sip:bob@192.0.2.2 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch={BR}\nMax-Forwards: 70\n\
         From: <sip:a@example.com>;tag=a\nTo: <sip:b@example.com>\nCall-ID: big-invite\nCSeq: 5 INVITE\n\
         Content-Type: application/sdp\nContent-Length: 1500\n\n{}",
        "a".repeat(1500)
    ));
    let ik = h
        .layer
        .send_request(Time::ZERO, big, Transport::Udp, addr(BOB))
        .unwrap();
    assert_eq!(h.layer.route_of(&ik), Some((Transport::Tcp, addr(BOB))));
    h.drain();
    let sent = h.sent()[0].clone();
    h.recv(100, response(&sent, 180, Some("t")), Transport::Tcp, BOB);
    let ck = h.layer.cancel(h.now, &ik).unwrap();
    h.drain();
    let (_, t) = h.transmits().last().cloned().unwrap();
    assert_eq!(
        t.transport,
        Transport::Tcp,
        "section 9.1: same transport as the INVITE"
    );
    let c = Message::parse(t.data).unwrap();
    assert_eq!(c.top_via().unwrap().transport, "TCP");
    assert_eq!(c.body_bytes(), b"");
    assert_eq!(h.layer.route_of(&ck), Some((Transport::Tcp, addr(BOB))));
}

#[test]
fn the_top_via_names_the_transport_used() {
    let mut h = Harness::new(LayerConfig::default());
    // The TU wrote UDP but sends over TLS.
    h.layer
        .send_request(
            Time::ZERO,
            request("OPTIONS", BR, "UDP", 1),
            Transport::Tls,
            addr(BOB),
        )
        .unwrap();
    h.drain();
    let sent = &h.sent()[0];
    assert_eq!(sent.top_via().unwrap().transport, "TLS");
    assert_eq!(sent.top_via().unwrap().branch(), Some(BR));
    assert_eq!(h.transmits()[0].1.transport, Transport::Tls);
}

#[test]
fn multicast_requests_carry_maddr_and_ttl_and_take_the_first_response() {
    let mut h = Harness::new(LayerConfig::default());
    let group = addr("224.0.1.75:5060");
    let key = h
        .layer
        .send_request(
            Time::ZERO,
            request("REGISTER", BR, "UDP", 1),
            Transport::Udp,
            group,
        )
        .unwrap();
    h.drain();
    let sent = h.sent()[0].clone();
    let via = sent.top_via().unwrap();
    assert_eq!((via.maddr(), via.ttl()), (Some("224.0.1.75"), Some(1)));
    assert_eq!(h.transmits()[0].1.destination, group);
    // Section 17.1.3: the first response is used, the others are retransmissions.
    h.recv(
        100,
        response(&sent, 200, Some("r1")),
        Transport::Udp,
        "192.0.2.50:5060",
    );
    h.recv(
        110,
        response(&sent, 200, Some("r2")),
        Transport::Udp,
        "192.0.2.51:5060",
    );
    assert_eq!(responses(&h), [(100, 200)]);
    assert!(h.layer.keys().any(|k| *k == key));
}

#[test]
fn rfc3581_nat_refresh_retransmits_the_invite_while_proceeding() {
    let mut cfg = LayerConfig::default();
    cfg.invite_nat_refresh = Some(std::time::Duration::from_secs(20));
    let with_rport = parse(&invite(BR).to_string().replace(";branch=", ";rport;branch="));
    let mut h = Harness::new(cfg.clone());
    let key = h
        .layer
        .send_request(Time::ZERO, with_rport.clone(), Transport::Udp, addr(BOB))
        .unwrap();
    h.recv(
        100,
        response(&with_rport, 180, Some("t")),
        Transport::Udp,
        BOB,
    );
    h.run_until(65_000);
    assert_eq!(h.transmit_times(), [0, 20_100, 40_100, 60_100]);
    h.recv(
        65_000,
        response(&with_rport, 200, Some("t")),
        Transport::Udp,
        BOB,
    );
    h.run_until(200_000);
    assert_eq!(
        h.transmit_times().len(),
        4,
        "no refresh after the final response"
    );
    assert_eq!(h.terminated_at(&key), Some(97_000));

    // Without rport in the Via, or over TCP: no refresh.
    let mut h = Harness::new(cfg);
    h.layer
        .send_request(Time::ZERO, invite(BR), Transport::Udp, addr(BOB))
        .unwrap();
    h.recv(
        100,
        response(&invite(BR), 180, Some("t")),
        Transport::Udp,
        BOB,
    );
    h.run_until(65_000);
    assert_eq!(h.transmit_times(), [0]);
}
