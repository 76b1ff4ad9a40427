//! Property tests: arbitrary interleavings of requests, responses,
//! duplicates, reordering, TU answers, transport errors and time never
//! panic, keep the layer bounded, never leave a due timer behind, and every
//! transaction terminates once time runs far enough.

#![allow(clippy::field_reassign_with_default)] // configs read better as edits of the default

mod common;

use common::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

use sip_proto::{Message, MessageBuilder, Method};
use ua_core::{LayerConfig, Time, TransactionLayer, Transport, TxKey, TxOutput};

const METHODS: [&str; 6] = ["INVITE", "ACK", "BYE", "OPTIONS", "CANCEL", "REGISTER"];
const BRANCHES: [&str; 4] = ["z9hG4bKa1", "z9hG4bKb2", "z9hG4bKc3", ""];
const STATUSES: [u16; 8] = [100, 180, 200, 202, 302, 486, 487, 503];
const CAP: usize = 8;

#[derive(Debug, Clone)]
enum Op {
    /// The TU starts a client transaction.
    Send {
        method: usize,
        branch: usize,
        tcp: bool,
    },
    /// A request from the network.
    Request {
        method: usize,
        branch: usize,
        cseq: u32,
        to_tag: bool,
        tcp: bool,
        src: u8,
    },
    /// A response from the network.
    Response {
        method: usize,
        branch: usize,
        status: usize,
        to_tag: bool,
    },
    /// Deliver again a message seen before (duplicates and reordering).
    Replay(usize),
    /// The TU answers the n-th live server transaction.
    Answer { tx: usize, status: usize },
    /// The TU cancels the n-th live client INVITE.
    Cancel(usize),
    /// The driver reports a send failure for the n-th live transaction.
    Fail(usize),
    /// Bytes that are not SIP.
    Garbage(Vec<u8>),
    /// Time passes.
    Advance(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..METHODS.len(), 0..3usize, any::<bool>()).prop_map(|(method, branch, tcp)| Op::Send {
            method,
            branch,
            tcp
        }),
        (
            0..METHODS.len(),
            0..BRANCHES.len(),
            1..4u32,
            any::<bool>(),
            any::<bool>(),
            0..3u8
        )
            .prop_map(|(method, branch, cseq, to_tag, tcp, src)| Op::Request {
                method,
                branch,
                cseq,
                to_tag,
                tcp,
                src
            }),
        (
            0..METHODS.len(),
            0..BRANCHES.len(),
            0..STATUSES.len(),
            any::<bool>()
        )
            .prop_map(|(method, branch, status, to_tag)| Op::Response {
                method,
                branch,
                status,
                to_tag
            }),
        (0..64usize).prop_map(Op::Replay),
        (0..16usize, 0..STATUSES.len()).prop_map(|(tx, status)| Op::Answer { tx, status }),
        (0..16usize).prop_map(Op::Fail),
        (0..16usize).prop_map(Op::Cancel),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(Op::Garbage),
        prop_oneof![0..1000u32, 0..70_000u32].prop_map(Op::Advance),
    ]
}

fn via(branch: &str, transport: &str) -> String {
    if branch.is_empty() {
        format!("SIP/2.0/{transport} 192.0.2.1:5060")
    } else {
        format!("SIP/2.0/{transport} 192.0.2.1:5060;branch={branch}")
    }
}

fn make_request(method: &str, branch: &str, cseq: u32, to_tag: bool, transport: &str) -> Message {
    parse(&format!(
        "{method} sip:bob@192.0.2.2 SIP/2.0\nVia: {}\nMax-Forwards: 70\n\
         From: <sip:alice@example.com>;tag=a\nTo: <sip:bob@example.com>{}\n\
         Call-ID: prop\nCSeq: {cseq} {method}\n\n",
        via(branch, transport),
        if to_tag { ";tag=b" } else { "" }
    ))
}

fn make_response(method: &str, branch: &str, status: u16, to_tag: bool) -> Message {
    let req = make_request(method, branch, 1, false, "UDP");
    MessageBuilder::response_to(&req, status, "", to_tag.then_some("b"))
        .build()
        .unwrap()
}

/// What the TU has seen of each live transaction.
#[derive(Default)]
struct Tu {
    live: BTreeMap<TxKey, Seen>,
    /// CANCEL transactions the TU asked for; they start when the layer
    /// sends them (section 9.1 may hold them back).
    cancel_keys: std::collections::BTreeSet<TxKey>,
}

#[derive(Default)]
struct Seen {
    finals_2xx: usize,
    finals_other: usize,
}

impl Tu {
    fn started(&mut self, key: TxKey) {
        assert!(
            self.live.insert(key, Seen::default()).is_none(),
            "a live key was reused"
        );
    }

    fn output(&mut self, o: TxOutput) {
        if let TxOutput::Response { key, .. }
        | TxOutput::Timeout { key, .. }
        | TxOutput::TransportError { key }
        | TxOutput::Terminated { key } = &o
            && self.cancel_keys.contains(key)
            && !self.live.contains_key(key)
        {
            self.started(key.clone());
        }
        match o {
            TxOutput::Transmit(t) => {
                assert!(
                    Message::parse(t.data).is_ok(),
                    "every transmit is a SIP message"
                );
            }
            TxOutput::Request { key, .. } => self.started(key),
            TxOutput::Response { key, response } => {
                let seen = self
                    .live
                    .get_mut(&key)
                    .expect("response for a live transaction");
                match response.status() {
                    Some(200..=299) => seen.finals_2xx += 1,
                    Some(300..) => seen.finals_other += 1,
                    _ => {}
                }
                // Sections 17.1.1.2 and 17.1.2.2: one non-2xx final at most,
                // never mixed with 2xx; non-INVITE: one final at most.
                assert!(seen.finals_other <= 1);
                assert!(seen.finals_other == 0 || seen.finals_2xx == 0);
                if key.method() != &Method::Invite {
                    assert!(seen.finals_2xx + seen.finals_other <= 1);
                }
            }
            TxOutput::Timeout { key, .. }
            | TxOutput::TransportError { key }
            | TxOutput::Ack { key: Some(key), .. } => {
                assert!(self.live.contains_key(&key), "event for a dead transaction");
            }
            TxOutput::Terminated { key } => {
                assert!(self.live.remove(&key).is_some(), "terminated twice");
            }
            TxOutput::Ack { key: None, .. } | TxOutput::Overloaded { .. } => {}
        }
    }
}

fn drain(layer: &mut TransactionLayer, tu: &mut Tu) {
    while let Some(o) = layer.poll_output() {
        tu.output(o);
    }
}

fn check(layer: &TransactionLayer, now: Time) {
    // At most one CANCEL per client INVITE on top of the cap.
    assert!(layer.len() <= 2 * CAP, "bounded: {} live", layer.len());
    assert_eq!(&layer.clone(), layer);
    if let Some(t) = layer.poll_timeout() {
        assert!(t > now, "a due timer was left behind: {t} <= {now}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_traffic_is_bounded_and_terminates(ops in proptest::collection::vec(op(), 1..60)) {
        let mut cfg = LayerConfig::default();
        cfg.max_transactions = CAP;
        let mut layer = TransactionLayer::new(cfg, 9);
        let mut now = Time::ZERO;
        let mut tu = Tu::default();
        let mut seen: Vec<(Message, Transport, u8)> = Vec::new();
        let sources = ["192.0.2.1:5060", "192.0.2.1:40000", "198.51.100.3:5060"];
        for op in ops {
            match op {
                Op::Send { method, branch, tcp } => {
                    let t = if tcp { Transport::Tcp } else { Transport::Udp };
                    let req = make_request(METHODS[method], BRANCHES[branch], 1, false, t.via_token());
                    if let Ok(key) = layer.send_request(now, req, t, addr(BOB)) {
                        tu.started(key);
                    }
                }
                Op::Request { method, branch, cseq, to_tag, tcp, src } => {
                    let t = if tcp { Transport::Tcp } else { Transport::Udp };
                    let req = make_request(METHODS[method], BRANCHES[branch], cseq, to_tag, t.via_token());
                    seen.push((req.clone(), t, src));
                    layer.handle_message(now, req, t, addr(sources[src as usize]));
                }
                Op::Response { method, branch, status, to_tag } => {
                    let resp = make_response(METHODS[method], BRANCHES[branch], STATUSES[status], to_tag);
                    seen.push((resp.clone(), Transport::Udp, 0));
                    layer.handle_message(now, resp, Transport::Udp, addr(BOB));
                }
                Op::Replay(i) => {
                    if !seen.is_empty() {
                        let (m, t, src) = seen[i % seen.len()].clone();
                        layer.handle_message(now, m, t, addr(sources[src as usize]));
                    }
                }
                Op::Answer { tx, status } => {
                    let servers: Vec<_> = layer.keys().filter(|k| k.is_server()).cloned().collect();
                    if !servers.is_empty() {
                        let key = &servers[tx % servers.len()];
                        let req = make_request(key.method().as_str(), "z9hG4bKa1", 1, false, "UDP");
                        let resp = MessageBuilder::response_to(&req, STATUSES[status], "", Some("b")).build().unwrap();
                        let _ = layer.send_response(now, key, resp);
                    }
                }
                Op::Cancel(i) => {
                    let invites: Vec<_> = layer
                        .keys()
                        .filter(|k| !k.is_server() && k.method() == &Method::Invite)
                        .cloned()
                        .collect();
                    if !invites.is_empty() {
                        // The CANCEL transaction shows up through its outputs.
                        if let Ok(key) = layer.cancel(now, &invites[i % invites.len()]) {
                            tu.cancel_keys.insert(key);
                        }
                    }
                }
                Op::Fail(i) => {
                    let keys: Vec<_> = layer.keys().cloned().collect();
                    if !keys.is_empty() {
                        layer.handle_transport_error(now, &keys[i % keys.len()]);
                    }
                }
                Op::Garbage(bytes) => {
                    layer.handle_bytes(now, bytes, Transport::Udp, addr(ALICE), None);
                }
                Op::Advance(ms) => {
                    now = now + std::time::Duration::from_millis(u64::from(ms));
                    layer.handle_timeout(now);
                }
            }
            drain(&mut layer, &mut tu);
            layer.handle_timeout(now);
            drain(&mut layer, &mut tu);
            check(&layer, now);
        }
        // Let time run: every transaction reaches Terminated.
        let mut steps = 0;
        while let Some(t) = layer.poll_timeout() {
            steps += 1;
            prop_assert!(steps < 100_000, "timers never settle");
            now = now.max(t);
            layer.handle_timeout(now);
            drain(&mut layer, &mut tu);
            check(&layer, now);
        }
        prop_assert!(tu.live.is_empty(), "every transaction reported Terminated");
        prop_assert!(layer.is_empty(), "left: {:?}", layer.keys().collect::<Vec<_>>());
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512), tcp in any::<bool>()) {
        let mut layer = TransactionLayer::new(LayerConfig::default(), 1);
        let t = if tcp { Transport::Tcp } else { Transport::Udp };
        layer.handle_bytes(Time::ZERO, data, t, addr(ALICE), None);
        drain(&mut layer, &mut Tu::default());
    }
}

proptest! {
    /// Realistic messages with random byte edits (flips, cuts, inserts):
    /// whatever still parses is handled without panic.
    #[test]
    fn mutated_messages_never_panic(
        which in 0..4usize,
        edits in proptest::collection::vec((any::<u16>(), any::<u8>(), 0..3u8), 0..8),
    ) {
        let base = match which {
            0 => make_request("INVITE", "z9hG4bKa1", 1, false, "UDP"),
            1 => make_request("ACK", "", 1, true, "TCP"),
            2 => make_response("INVITE", "z9hG4bKa1", 486, true),
            _ => parse("OPTIONS sip:b@h SIP/2.0\nVia: SIP/2.0/UDP [2001:db8::1]:5060;rport;received=x;maddr=h;branch=z9hG4bKq\nFrom: <sip:a@h>;tag=1\nTo: <sip:b@h>\nCall-ID: x\nCSeq: 1 OPTIONS\n\n"),
        };
        let mut bytes = base.to_bytes().to_vec();
        for (pos, byte, kind) in edits {
            if bytes.is_empty() { break; }
            let at = usize::from(pos) % bytes.len();
            match kind {
                0 => bytes[at] = byte,
                1 => bytes.truncate(at),
                _ => bytes.insert(at, byte),
            }
        }
        let mut layer = TransactionLayer::new(LayerConfig::default(), 3);
        let mut tu = Tu::default();
        let key = layer.send_request(Time::ZERO, make_request("INVITE", "z9hG4bKa1", 1, false, "UDP"), Transport::Udp, addr(BOB)).unwrap();
        tu.started(key);
        for t in [Transport::Udp, Transport::Tcp] {
            layer.handle_bytes(Time::ZERO, bytes.clone(), t, addr("[2001:db8::7]:5060"), None);
            drain(&mut layer, &mut tu);
        }
        let mut now = Time::ZERO;
        while let Some(t) = layer.poll_timeout() {
            now = now.max(t);
            layer.handle_timeout(now);
            drain(&mut layer, &mut tu);
        }
        prop_assert!(layer.is_empty() && tu.live.is_empty());
    }
}
