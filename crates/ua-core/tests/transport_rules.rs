//! RFC 3261 sections 18.1.1, 18.2.1, 18.2.2 and RFC 3581 as pure functions.

#![allow(clippy::field_reassign_with_default)] // configs read better as edits of the default

mod common;

use common::*;
use sip_proto::HeaderName;
use ua_core::Transport;
use ua_core::transport::{
    ResponseTarget, SizeRule, response_target, stamp_received, stamped_top_via, via_value,
};

fn target(via: &str, transport: Transport, source: &str) -> ResponseTarget {
    let m = parse(&format!(
        "SIP/2.0 200 OK\nVia: {via}\nFrom: <sip:a@h>;tag=1\nTo: <sip:b@h>\nCall-ID: x\nCSeq: 1 OPTIONS\n\n"
    ));
    response_target(&m.top_via().unwrap(), transport, addr(source))
}

#[test]
fn reliable_responses_use_the_connection() {
    assert_eq!(
        target(
            "SIP/2.0/TCP 10.0.0.1:5070;received=192.0.2.9;branch=z9hG4bK1",
            Transport::Tcp,
            "192.0.2.9:40001"
        ),
        ResponseTarget::Addr(addr("192.0.2.9:40001"))
    );
    assert_eq!(
        target(
            "SIP/2.0/TLS pc.example.com;branch=z9hG4bK1",
            Transport::Tls,
            "192.0.2.9:40002"
        ),
        ResponseTarget::Addr(addr("192.0.2.9:40002"))
    );
}

#[test]
fn maddr_wins_over_received() {
    assert_eq!(
        target(
            "SIP/2.0/UDP 10.0.0.1:5070;maddr=224.0.1.75;ttl=1;received=192.0.2.9",
            Transport::Udp,
            "192.0.2.9:1"
        ),
        ResponseTarget::Addr(addr("224.0.1.75:5070"))
    );
    assert_eq!(
        target(
            "SIP/2.0/UDP 10.0.0.1;maddr=sip.example.com",
            Transport::Udp,
            "192.0.2.9:1"
        ),
        ResponseTarget::Resolve {
            host: "sip.example.com".into(),
            port: 5060
        }
    );
}

#[test]
fn received_with_and_without_rport() {
    // RFC 3581 section 4: received + rport.
    assert_eq!(
        target(
            "SIP/2.0/UDP 10.1.1.1:4540;received=192.0.2.1;rport=9988;branch=z9hG4bK1",
            Transport::Udp,
            "192.0.2.1:9988"
        ),
        ResponseTarget::Addr(addr("192.0.2.1:9988"))
    );
    // Section 18.2.2: received + sent-by port, or 5060.
    assert_eq!(
        target(
            "SIP/2.0/UDP pc.example.com:5070;received=192.0.2.4",
            Transport::Udp,
            "192.0.2.4:33333"
        ),
        ResponseTarget::Addr(addr("192.0.2.4:5070"))
    );
    assert_eq!(
        target(
            "SIP/2.0/UDP pc.example.com;received=192.0.2.4",
            Transport::Udp,
            "192.0.2.4:33333"
        ),
        ResponseTarget::Addr(addr("192.0.2.4:5060"))
    );
    assert_eq!(
        target(
            "SIP/2.0/UDP [2001:db8::1]:5062;received=2001:db8::9;rport=7000",
            Transport::Udp,
            "[2001:db8::9]:7000"
        ),
        ResponseTarget::Addr(addr("[2001:db8::9]:7000"))
    );
}

#[test]
fn sent_by_last() {
    assert_eq!(
        target(
            "SIP/2.0/UDP 192.0.2.7:5090;branch=z9hG4bK1",
            Transport::Udp,
            "192.0.2.7:5090"
        ),
        ResponseTarget::Addr(addr("192.0.2.7:5090"))
    );
    assert_eq!(
        target(
            "SIP/2.0/UDP pc.example.com:5090;branch=z9hG4bK1",
            Transport::Udp,
            "192.0.2.7:5090"
        ),
        ResponseTarget::Resolve {
            host: "pc.example.com".into(),
            port: 5090
        }
    );
}

#[test]
fn stamping_on_receipt() {
    let req = |via: &str| {
        parse(&format!(
            "OPTIONS sip:b@h SIP/2.0\nVia: {via}\nVia: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp\n\
             From: <sip:a@h>;tag=1\nTo: <sip:b@h>\nCall-ID: x\nCSeq: 1 OPTIONS\n\n"
        ))
    };
    // Same IP, no rport: nothing to add.
    assert_eq!(
        stamped_top_via(
            &req("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1"),
            addr("192.0.2.1:5060")
        ),
        None
    );
    // Different IP: received only (port is not compared, section 18.2.1).
    assert_eq!(
        stamped_top_via(
            &req("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1"),
            addr("192.0.2.8:6000")
        )
        .as_deref(),
        Some("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;received=192.0.2.8")
    );
    // A received already there is replaced, not doubled.
    assert_eq!(
        stamped_top_via(
            &req("SIP/2.0/UDP h.example.com;received=1.2.3.4;branch=z9hG4bK1"),
            addr("192.0.2.8:6000")
        )
        .as_deref(),
        Some("SIP/2.0/UDP h.example.com;received=192.0.2.8;branch=z9hG4bK1")
    );
    // IPv6 sources are written without brackets; IPv4-mapped as IPv4.
    assert_eq!(
        stamped_top_via(&req("SIP/2.0/UDP h;rport"), addr("[2001:db8::5]:7")).as_deref(),
        Some("SIP/2.0/UDP h;rport=7;received=2001:db8::5")
    );
    assert_eq!(
        stamped_top_via(
            &req("SIP/2.0/UDP 192.0.2.1"),
            addr("[::ffff:192.0.2.1]:5060")
        ),
        None
    );
    // Only the top Via changes; the message otherwise survives.
    let m = req("SIP/2.0/TCP pc.example.com;branch=z9hG4bK1;rport");
    let s = stamp_received(&m, addr("192.0.2.3:41000")).unwrap();
    let vias: Vec<&str> = s.values(HeaderName::Via).collect();
    assert_eq!(
        vias,
        [
            "SIP/2.0/TCP pc.example.com;branch=z9hG4bK1;rport=41000;received=192.0.2.3",
            "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp"
        ]
    );
    assert_eq!(s.call_id(), m.call_id());
    assert_eq!(s.from_header(), m.from_header());
}

#[test]
fn size_rule_and_override() {
    let rule = SizeRule::default();
    assert_eq!(rule.limit(), 1300);
    assert_eq!(rule.transport_for(Transport::Udp, 1301), Transport::Tcp);
    assert_eq!(rule.transport_for(Transport::Udp, 1300), Transport::Udp);
    let keep = SizeRule {
        keep_udp: true,
        ..rule
    };
    assert_eq!(keep.transport_for(Transport::Udp, 60_000), Transport::Udp);
}

#[test]
fn via_for_requests() {
    assert_eq!(
        via_value(Transport::Udp, "192.0.2.1", Some(5060), "z9hG4bKabc", true),
        "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport"
    );
    assert_eq!(
        via_value(Transport::Tls, "[2001:db8::1]", None, "z9hG4bKabc", false),
        "SIP/2.0/TLS [2001:db8::1];branch=z9hG4bKabc"
    );
    assert!(
        Transport::Tls.is_reliable()
            && Transport::Tcp.is_reliable()
            && !Transport::Udp.is_reliable()
    );
    assert_eq!(Transport::from_via_token("tls"), Some(Transport::Tls));
    assert_eq!(Transport::Tls.default_port(), 5061);
}

#[test]
fn layer_vias_have_fresh_cookie_branches() {
    let mut l = ua_core::TransactionLayer::new(ua_core::LayerConfig::default(), 11);
    let a = l.new_via(Transport::Udp, "192.0.2.1", Some(5060), true);
    let b = l.new_via(Transport::Udp, "192.0.2.1", Some(5060), true);
    assert_ne!(a, b);
    assert!(a.starts_with("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK") && a.ends_with(";rport"));
    // Deterministic from the seed.
    let mut m = ua_core::TransactionLayer::new(ua_core::LayerConfig::default(), 11);
    assert_eq!(m.new_via(Transport::Udp, "192.0.2.1", Some(5060), true), a);
}
