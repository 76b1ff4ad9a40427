//! Server transactions (RFC 3261 sections 17.2.1-17.2.3, 9.2, RFC 6026
//! section 7.1) and section 18.2 as the layer applies it.

#![allow(clippy::field_reassign_with_default)] // configs read better as edits of the default

mod common;

use common::*;
use sip_proto::{Message, Method};
use ua_core::transaction::TxState;
use ua_core::transaction::server_invite::ServerInviteState;
use ua_core::{Dispatch, LayerConfig, Time, Timer, Transport, TxKey, TxOutput};

const BR: &str = "z9hG4bKserver1";

fn new_request(h: &mut Harness, ms: u64, req: Message, transport: Transport) -> (TxKey, Message) {
    let d = h.recv(ms, req, transport, ALICE);
    let Dispatch::NewRequest(key) = d else {
        panic!("expected a new transaction, got {d:?}")
    };
    let request = h
        .log
        .iter()
        .rev()
        .find_map(|(_, o)| match o {
            TxOutput::Request { key: k, request } if *k == key => Some(request.clone()),
            _ => None,
        })
        .unwrap();
    (key, *request)
}

fn statuses(h: &Harness) -> Vec<(u64, u16)> {
    h.transmits()
        .into_iter()
        .filter_map(|(t, x)| Message::parse(x.data).unwrap().status().map(|s| (t, s)))
        .collect()
}

fn send(h: &mut Harness, ms: u64, key: &TxKey, resp: Message) {
    h.run_until(ms);
    h.layer.send_response(h.now, key, resp).unwrap();
    h.drain();
}

#[test]
fn non_invite_server_resends_last_response_and_timer_j() {
    let mut h = Harness::new(LayerConfig::default());
    let req = request("OPTIONS", BR, "UDP", 1);
    let (key, stamped) = new_request(&mut h, 0, req.clone(), Transport::Udp);
    // Trying: a retransmission is absorbed, not passed up.
    assert_eq!(
        h.recv(500, req.clone(), Transport::Udp, ALICE),
        Dispatch::Matched(key.clone())
    );
    assert!(statuses(&h).is_empty());
    send(&mut h, 600, &key, response(&stamped, 183, Some("b")));
    h.recv(1500, req.clone(), Transport::Udp, ALICE);
    send(&mut h, 2000, &key, response(&stamped, 200, Some("b")));
    h.recv(3500, req.clone(), Transport::Udp, ALICE);
    // Further finals are discarded in Completed.
    h.run_until(3600);
    assert!(
        h.layer
            .send_response(h.now, &key, response(&stamped, 500, Some("b")))
            .is_err()
    );
    h.run_until(100_000);
    assert_eq!(
        statuses(&h),
        [(600, 183), (1500, 183), (2000, 200), (3500, 200)]
    );
    assert_eq!(h.terminated_at(&key), Some(34_000), "Timer J = 64*T1");
    let reqs = h
        .events()
        .iter()
        .filter(|(_, o)| matches!(o, TxOutput::Request { .. }))
        .count();
    assert_eq!(reqs, 1);
    // Responses go to the source with the DSCP.
    for (_, t) in h.transmits() {
        assert_eq!(
            (t.destination, t.dscp, t.transport),
            (addr(ALICE), 40, Transport::Udp)
        );
    }
}

#[test]
fn non_invite_server_over_tcp_has_zero_timer_j() {
    let mut h = Harness::new(LayerConfig::default());
    let (key, stamped) = new_request(&mut h, 0, request("BYE", BR, "TCP", 2), Transport::Tcp);
    send(&mut h, 10, &key, response(&stamped, 200, None));
    assert_eq!(h.terminated_at(&key), Some(10));
    assert!(h.layer.is_empty());
}

#[test]
fn non_invite_server_unanswered_ends_after_64_t1() {
    let mut h = Harness::new(LayerConfig::default());
    let (key, _) = new_request(&mut h, 0, request("INFO", BR, "UDP", 2), Transport::Udp);
    h.run_until(100_000);
    assert_eq!(
        h.events()[1..],
        [
            (
                32_000,
                TxOutput::Timeout {
                    key: key.clone(),
                    timer: Timer::Guard
                }
            ),
            (32_000, TxOutput::Terminated { key })
        ]
    );
}

#[test]
fn invite_server_sends_100_trying_after_200_ms_unless_the_tu_answers() {
    let mut h = Harness::new(LayerConfig::default());
    let (_key, _) = new_request(&mut h, 0, invite(BR), Transport::Udp);
    h.run_until(1000);
    assert_eq!(statuses(&h), [(200, 100)]);
    let trying = &h.sent()[0];
    assert_eq!(
        trying.to_header().unwrap().tag(),
        None,
        "no To tag in 100 (section 17.2.1)"
    );

    // The TU rings within 200 ms: no 100.
    let mut h = Harness::new(LayerConfig::default());
    let (key, stamped) = new_request(&mut h, 0, invite(BR), Transport::Udp);
    send(&mut h, 150, &key, response(&stamped, 180, Some("b")));
    h.run_until(1000);
    assert_eq!(statuses(&h), [(150, 180)]);

    // trying_delay zero: at once.
    let mut cfg = LayerConfig::default();
    cfg.trying_delay = std::time::Duration::ZERO;
    let mut h = Harness::new(cfg);
    new_request(&mut h, 0, invite(BR), Transport::Udp);
    assert_eq!(statuses(&h), [(0, 100)]);
}

#[test]
fn invite_retransmission_in_proceeding_resends_the_last_provisional() {
    let mut h = Harness::new(LayerConfig::default());
    let inv = invite(BR);
    let (key, stamped) = new_request(&mut h, 0, inv.clone(), Transport::Udp);
    // Early retransmission before anything was sent: the 100 goes at once.
    h.recv(100, inv.clone(), Transport::Udp, ALICE);
    send(&mut h, 300, &key, response(&stamped, 180, Some("b")));
    h.recv(500, inv.clone(), Transport::Udp, ALICE);
    send(&mut h, 600, &key, response(&stamped, 183, Some("b")));
    h.recv(1500, inv.clone(), Transport::Udp, ALICE);
    assert_eq!(
        statuses(&h),
        [(100, 100), (300, 180), (500, 180), (600, 183), (1500, 183)]
    );
    let reqs = h
        .events()
        .iter()
        .filter(|(_, o)| matches!(o, TxOutput::Request { .. }))
        .count();
    assert_eq!(reqs, 1, "retransmissions are not new requests");
}

#[test]
fn invite_server_timer_g_backs_off_and_timer_h_reports_the_missing_ack() {
    let mut h = Harness::new(LayerConfig::default());
    let (key, stamped) = new_request(&mut h, 0, invite(BR), Transport::Udp);
    send(&mut h, 100, &key, response(&stamped, 486, Some("b")));
    h.run_until(100_000);
    let finals: Vec<u64> = statuses(&h)
        .into_iter()
        .filter(|(_, s)| *s == 486)
        .map(|(t, _)| t)
        .collect();
    let gaps: Vec<u64> = finals.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(finals[0], 100);
    assert_eq!(gaps[..4], [500, 1000, 2000, 4000], "Timer G: T1 doubling");
    assert!(gaps[4..].iter().all(|g| *g == 4000), "capped at T2");
    assert_eq!(*finals.last().unwrap(), 31_600);
    assert_eq!(
        h.events()[1..],
        [
            (
                32_100,
                TxOutput::Timeout {
                    key: key.clone(),
                    timer: Timer::H
                }
            ),
            (32_100, TxOutput::Terminated { key })
        ]
    );
}

#[test]
fn ack_confirms_and_timer_i_absorbs_ack_retransmissions() {
    let mut h = Harness::new(LayerConfig::default());
    let inv = invite(BR);
    let (key, stamped) = new_request(&mut h, 0, inv.clone(), Transport::Udp);
    send(&mut h, 100, &key, response(&stamped, 603, Some("b")));
    // The INVITE retransmitted in Completed gets the final response again.
    h.recv(550, inv.clone(), Transport::Udp, ALICE);
    let ack = parse(
        &inv.to_string()
            .replace("INVITE sip:", "ACK sip:")
            .replace("1 INVITE", "1 ACK")
            .replace(
                "To: Bob <sip:bob@example.com>",
                "To: Bob <sip:bob@example.com>;tag=b",
            ),
    );
    assert_eq!(
        h.recv(700, ack.clone(), Transport::Udp, ALICE),
        Dispatch::Matched(key.clone())
    );
    assert_eq!(
        h.layer.state(&key),
        Some(TxState::ServerInvite(ServerInviteState::Confirmed))
    );
    assert_eq!(
        h.recv(800, ack.clone(), Transport::Udp, ALICE),
        Dispatch::Matched(key.clone())
    );
    h.run_until(100_000);
    assert_eq!(
        statuses(&h),
        [(100, 603), (550, 603), (600, 603)],
        "G stops at the ACK"
    );
    assert_eq!(h.terminated_at(&key), Some(5700), "Timer I = T4");
    // No ACK reached the TU: the transaction absorbed them.
    assert!(
        !h.events()
            .iter()
            .any(|(_, o)| matches!(o, TxOutput::Ack { .. }))
    );

    // Reliable: no Timer G, Timer I zero.
    let mut h = Harness::new(LayerConfig::default());
    let inv = request("INVITE", BR, "TCP", 1);
    let (key, stamped) = new_request(&mut h, 0, inv.clone(), Transport::Tcp);
    send(&mut h, 100, &key, response(&stamped, 603, Some("b")));
    let ack = parse(
        &inv.to_string()
            .replace("INVITE sip:", "ACK sip:")
            .replace("1 INVITE", "1 ACK"),
    );
    h.recv(5000, ack, Transport::Tcp, ALICE);
    assert_eq!(statuses(&h), [(100, 603)]);
    assert_eq!(h.terminated_at(&key), Some(5000));
}

#[test]
fn accepted_absorbs_invite_retransmissions_and_passes_acks_up() {
    let mut h = Harness::new(LayerConfig::default());
    let inv = invite(BR);
    let (key, stamped) = new_request(&mut h, 0, inv.clone(), Transport::Udp);
    let ok = response(&stamped, 200, Some("b"));
    send(&mut h, 100, &key, ok.clone());
    assert_eq!(
        h.layer.state(&key),
        Some(TxState::ServerInvite(ServerInviteState::Accepted))
    );
    // A retransmitted INVITE: absorbed, nothing sent, nothing to the TU.
    assert_eq!(
        h.recv(500, inv.clone(), Transport::Udp, ALICE),
        Dispatch::Matched(key.clone())
    );
    // The TU retransmits its 2xx through the transaction.
    send(&mut h, 600, &key, ok.clone());
    // The ACK for the 2xx has its own branch: no transaction, to the TU.
    let ack2xx = parse(
        &inv.to_string()
            .replace("INVITE sip:", "ACK sip:")
            .replace("1 INVITE", "1 ACK")
            .replace(BR, "z9hG4bKack2xx"),
    );
    assert_eq!(
        h.recv(700, ack2xx, Transport::Udp, ALICE),
        Dispatch::AckToTu
    );
    h.run_until(100_000);
    assert_eq!(statuses(&h), [(100, 200), (600, 200)]);
    assert_eq!(h.terminated_at(&key), Some(32_100), "Timer L = 64*T1");
    let ev: Vec<_> = h
        .events()
        .into_iter()
        .map(|(t, o)| (t, std::mem::discriminant(&o)))
        .collect();
    assert_eq!(ev.len(), 3);
    assert!(matches!(
        h.events()[1],
        (700, TxOutput::Ack { key: None, .. })
    ));
    // An INVITE after Timer L is a new request again.
    assert!(matches!(
        h.recv(100_001, inv, Transport::Udp, ALICE),
        Dispatch::NewRequest(_)
    ));
}

#[test]
fn cancel_matches_the_invite_server_transaction_and_is_its_own() {
    let mut h = Harness::new(LayerConfig::default());
    let (ik, inv) = new_request(&mut h, 0, invite(BR), Transport::Udp);
    send(&mut h, 50, &ik, response(&inv, 180, Some("b")));
    let cancel = request("CANCEL", BR, "UDP", 1);
    let (ck, cancel_stamped) = new_request(&mut h, 1000, cancel.clone(), Transport::Udp);
    assert_ne!(ck, ik);
    assert_eq!(ck.method(), &Method::Cancel);
    assert_eq!(h.layer.cancel_target(&cancel), Some(ik.clone()));
    assert_eq!(
        h.layer.cancel_target(&invite(BR)),
        None,
        "only a CANCEL cancels"
    );
    // A CANCEL for something else matches nothing (the TU answers 481).
    let other = request("CANCEL", "z9hG4bKnothing", "UDP", 1);
    assert_eq!(h.layer.cancel_target(&other), None);
    // Section 9.2: 200 to the CANCEL, 487 to the INVITE.
    send(&mut h, 1010, &ck, response(&cancel_stamped, 200, Some("b")));
    send(&mut h, 1020, &ik, response(&inv, 487, Some("b")));
    assert_eq!(statuses(&h), [(50, 180), (1010, 200), (1020, 487)]);
    // A retransmitted CANCEL hits the CANCEL transaction only.
    assert_eq!(
        h.recv(1500, cancel, Transport::Udp, ALICE),
        Dispatch::Matched(ck)
    );
    assert_eq!(statuses(&h).last(), Some(&(1500, 200)));
}

#[test]
fn rfc2543_fallback_matches_without_magic_cookie() {
    let mut h = Harness::new(LayerConfig::default());
    let old = |m: &str| {
        parse(&format!(
            "{m} sip:bob@192.0.2.2 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060
From: <sip:alice@example.com>;tag=a
To: <sip:bob@example.com>{}
Call-ID: old-1
CSeq: 7 {m}

",
            if m == "ACK" { ";tag=b" } else { "" }
        ))
    };
    let (key, stamped) = new_request(&mut h, 0, old("INVITE"), Transport::Udp);
    assert!(matches!(&key, TxKey::Server(s) if s.is_rfc2543()));
    assert_eq!(
        h.recv(300, old("INVITE"), Transport::Udp, ALICE),
        Dispatch::Matched(key.clone())
    );
    assert_eq!(h.layer.cancel_target(&old("CANCEL")), Some(key.clone()));
    send(&mut h, 400, &key, response(&stamped, 404, Some("b")));
    assert_eq!(
        h.recv(500, old("ACK"), Transport::Udp, ALICE),
        Dispatch::Matched(key.clone())
    );
    assert_eq!(
        h.layer.state(&key),
        Some(TxState::ServerInvite(ServerInviteState::Confirmed))
    );
    // An ACK with another To tag acknowledges something else: to the TU.
    let foreign = parse(&old("ACK").to_string().replace("tag=b", "tag=zz"));
    assert_eq!(
        h.recv(600, foreign, Transport::Udp, ALICE),
        Dispatch::AckToTu
    );
    // A different CSeq is a different transaction.
    let next = parse(&old("INVITE").to_string().replace("CSeq: 7", "CSeq: 8"));
    assert!(matches!(
        h.recv(700, next, Transport::Udp, ALICE),
        Dispatch::NewRequest(_)
    ));
}

#[test]
fn rfc2543_ack_in_accepted_goes_to_the_tu() {
    let mut h = Harness::new(LayerConfig::default());
    let text = "INVITE sip:bob@192.0.2.2 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060
From: <sip:alice@example.com>;tag=a
To: <sip:bob@example.com>
Call-ID: old-2
CSeq: 1 INVITE

";
    let (key, stamped) = new_request(&mut h, 0, parse(text), Transport::Udp);
    send(&mut h, 10, &key, response(&stamped, 200, Some("b")));
    let ack = parse(
        &text
            .replace("INVITE sip", "ACK sip")
            .replace("1 INVITE", "1 ACK")
            .replace("example.com>\n", "example.com>;tag=b\n"),
    );
    assert_eq!(
        h.recv(20, ack, Transport::Udp, ALICE),
        Dispatch::Matched(key.clone())
    );
    assert!(matches!(&h.events()[1], (20, TxOutput::Ack { key: Some(k), .. }) if *k == key));
}

#[test]
fn invite_server_transport_error_keeps_the_state() {
    let mut h = Harness::new(LayerConfig::default());
    let inv = invite(BR);
    let (key, stamped) = new_request(&mut h, 0, inv.clone(), Transport::Udp);
    send(&mut h, 10, &key, response(&stamped, 200, Some("b")));
    h.layer.handle_transport_error(Time::from_millis(20), &key);
    h.drain();
    assert!(matches!(
        h.events().last(),
        Some((_, TxOutput::TransportError { .. }))
    ));
    // RFC 6026 section 7.1: still there to absorb the retransmission.
    assert_eq!(
        h.recv(500, inv, Transport::Udp, ALICE),
        Dispatch::Matched(key)
    );
}

#[test]
fn overload_refuses_new_server_transactions() {
    let mut cfg = LayerConfig::default();
    cfg.max_transactions = 2;
    let mut h = Harness::new(cfg);
    new_request(
        &mut h,
        0,
        request("OPTIONS", "z9hG4bK1", "UDP", 1),
        Transport::Udp,
    );
    new_request(
        &mut h,
        0,
        request("OPTIONS", "z9hG4bK2", "UDP", 2),
        Transport::Udp,
    );
    let third = request("OPTIONS", "z9hG4bK3", "UDP", 3);
    assert_eq!(
        h.recv(0, third, Transport::Udp, "198.51.100.9:40000"),
        Dispatch::Overloaded
    );
    let Some((
        _,
        TxOutput::Overloaded {
            request,
            transport,
            source,
        },
    )) = h.events().last().cloned()
    else {
        panic!()
    };
    assert_eq!(h.layer.len(), 2);
    // The TU answers 503 statelessly, to the received address (18.2.2).
    let resp = response(&request, 503, Some("x"));
    h.layer
        .send_stateless_response(&resp, transport, source, None)
        .unwrap();
    h.drain();
    let (_, t) = h.transmits().last().cloned().unwrap();
    assert_eq!(t.destination, addr("198.51.100.9:5060"));
    assert_eq!(Message::parse(t.data).unwrap().status(), Some(503));
}

#[test]
fn responses_follow_received_and_rport_and_leave_from_the_local_address() {
    let mut h = Harness::new(LayerConfig::default());
    let req = parse(
        "OPTIONS sip:bob@192.0.2.2 SIP/2.0
Via: SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKnat
From: <sip:alice@example.com>;tag=a
To: <sip:bob@example.com>
Call-ID: nat
CSeq: 1 OPTIONS

",
    );
    let local = addr("192.0.2.2:5070");
    let d = h.layer.handle_message_on(
        Time::ZERO,
        req,
        Transport::Udp,
        addr("192.0.2.1:9988"),
        Some(local),
    );
    let Dispatch::NewRequest(key) = d else {
        panic!()
    };
    h.drain();
    let Some((_, TxOutput::Request { request, .. })) = h.events().first().cloned() else {
        panic!()
    };
    // The TU sees the request as it came...
    let via = request.top_via().unwrap();
    assert_eq!(via.received(), None);
    assert_eq!(via.rport(), Some(None));
    // ...and the layer's response_to writes the stamped Via (18.2.1).
    let built = h
        .layer
        .response_to(&key, &request, 200, "", Some("b"))
        .build()
        .unwrap();
    let stamped = built.top_via().unwrap();
    assert_eq!(stamped.received(), Some("192.0.2.1"));
    assert_eq!(stamped.rport(), Some(Some(9988)));
    assert_eq!(built.vias().count(), 1);
    // A response built from the request as received gets the stamp when
    // it is sent.
    send(&mut h, 5, &key, response(&request, 200, Some("b")));
    let (_, t) = h.transmits()[0].clone();
    assert_eq!(
        t.destination,
        addr("192.0.2.1:9988"),
        "RFC 3581: received + rport"
    );
    assert_eq!(t.source, Some(local), "from where the request arrived");
    let sent = Message::parse(t.data).unwrap();
    assert_eq!(sent.top_via().unwrap().rport(), Some(Some(9988)));
    assert_eq!(sent.top_via().unwrap().received(), Some("192.0.2.1"));
    assert_eq!(sent.as_bytes(), built.as_bytes());
}

#[test]
fn trying_carries_the_stamped_via() {
    // The 100 the INVITE server transaction sends by itself (Timer of
    // section 17.2.1) has the top Via as stamped on receipt.
    let mut h = Harness::new(LayerConfig::default());
    let req = parse(
        "INVITE sip:bob@192.0.2.2 SIP/2.0
Via: SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKtrying
Via: SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKfirst
From: <sip:alice@example.com>;tag=a
To: <sip:bob@example.com>
Call-ID: trying
CSeq: 1 INVITE

",
    );
    new_request(&mut h, 0, req, Transport::Udp);
    h.run_until(1_000);
    let (_, t) = h.transmits()[0].clone();
    assert_eq!(t.destination, addr(ALICE));
    let trying = Message::parse(t.data).unwrap();
    assert_eq!(trying.status(), Some(100));
    let vias: Vec<_> = trying.values(sip_proto::HeaderName::Via).collect();
    assert_eq!(
        vias,
        [
            "SIP/2.0/UDP 10.1.1.1:4540;rport=5060;branch=z9hG4bKtrying;received=192.0.2.1",
            "SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKfirst"
        ]
    );
}

#[test]
fn malformed_and_incomplete_messages_are_dropped() {
    let mut h = Harness::new(LayerConfig::default());
    let d = h.layer.handle_bytes(
        Time::ZERO,
        &b"garbage\r\n\r\n"[..],
        Transport::Udp,
        addr(ALICE),
        None,
    );
    assert!(matches!(
        d,
        Dispatch::Dropped(ua_core::DropReason::Malformed(_))
    ));
    let no_via = parse(
        "OPTIONS sip:b@h SIP/2.0\nFrom: <sip:a@h>;tag=1\nTo: <sip:b@h>\nCall-ID: x\nCSeq: 1 OPTIONS\n\n",
    );
    assert_eq!(
        h.layer
            .handle_message(Time::ZERO, no_via, Transport::Udp, addr(ALICE)),
        Dispatch::Dropped(ua_core::DropReason::MissingHeaders)
    );
    h.drain();
    assert!(h.log.is_empty());
    assert!(h.layer.is_empty());
}

#[test]
fn timers_h_and_l_run_on_reliable_transports_too() {
    // RFC 6026 section 8.7 / RFC 3261 section 17.2.1: "for all transports".
    let mut h = Harness::new(LayerConfig::default());
    let (key, stamped) = new_request(&mut h, 0, request("INVITE", BR, "TCP", 1), Transport::Tcp);
    send(&mut h, 10, &key, response(&stamped, 200, Some("b")));
    h.run_until(100_000);
    assert_eq!(h.terminated_at(&key), Some(32_010), "Timer L");

    let mut h = Harness::new(LayerConfig::default());
    let (key, stamped) = new_request(&mut h, 0, request("INVITE", BR, "TLS", 1), Transport::Tls);
    send(&mut h, 10, &key, response(&stamped, 480, Some("b")));
    h.run_until(100_000);
    assert_eq!(statuses(&h), [(10, 480)], "no Timer G on TLS");
    assert!(h.events().contains(&(
        32_010,
        TxOutput::Timeout {
            key: key.clone(),
            timer: Timer::H
        }
    )));
    for (_, t) in h.transmits() {
        assert_eq!((t.transport, t.destination), (Transport::Tls, addr(ALICE)));
    }
}
