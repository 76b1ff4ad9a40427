//! Fuzz checks for `ua-core`: arbitrary datagrams into a user agent that has
//! a call up, and arbitrary bytes on its stream connections.

use std::net::SocketAddr;

use ua_core::{
    AccountConfig, AccountId, AgentConfig, CallState, Event, Input, Output, Time, Transport,
    UserAgent,
};

/// The targets of this module.
pub const TARGETS: &[crate::Target] = &[("ua_datagrams", ua_datagrams), ("ua_stream", ua_stream)];

const A: &str = "192.0.2.10:5060";
const B: &str = "192.0.2.20:5060";

fn agent(local: &str, user: &str, peer: &str) -> UserAgent {
    let account = AccountConfig::new(user, "pw", &format!("example.com; {peer}"));
    UserAgent::new(
        AgentConfig::new(local.parse().expect("address"), vec![account]),
        1,
    )
    .expect("agent")
}

/// Delivers A's output to B and B's to A until quiet; returns B's events.
fn pump(a: &mut UserAgent, b: &mut UserAgent, now: Time) -> Vec<Event> {
    let (sa, sb): (SocketAddr, SocketAddr) = (A.parse().expect("A"), B.parse().expect("B"));
    let mut events = Vec::new();
    for _ in 0..1000 {
        let mut moved = false;
        while let Some(o) = a.poll_output() {
            moved = true;
            if let Output::Transmit(t) = o {
                b.handle_input(
                    now,
                    Input::Message {
                        from: sa,
                        to: sb,
                        transport: t.transport,
                        data: t.data,
                    },
                );
            }
        }
        while let Some(o) = b.poll_output() {
            moved = true;
            match o {
                Output::Transmit(t) => a.handle_input(
                    now,
                    Input::Message {
                        from: sb,
                        to: sa,
                        transport: t.transport,
                        data: t.data,
                    },
                ),
                Output::Event(e) => events.push(e),
                Output::DnsQuery(_) | Output::Close { .. } => {}
            }
        }
        if !moved {
            break;
        }
    }
    events
}

/// Sets up a call from A to B, then feeds `data` to B as datagrams from A
/// (split at each `0xff` byte) with the clock moving between them. Nothing
/// may panic, the call must survive or end with an event, and B's state
/// must stay bounded by what it was sent.
pub fn ua_datagrams(data: &[u8]) {
    let mut a = agent(A, "6001", B);
    let mut b = agent(B, "6002", A);
    let mut now = Time::ZERO;
    let _ = a.call(now, AccountId(0), "6002");
    let events = pump(&mut a, &mut b, now);
    let Some(incoming) = events.iter().find_map(|e| match e {
        Event::IncomingCall { call, .. } => Some(*call),
        _ => None,
    }) else {
        panic!("the call did not arrive");
    };
    b.answer(now, incoming);
    pump(&mut a, &mut b, now);
    assert_eq!(b.call_state(incoming), Some(&CallState::Connected));
    let datagrams = data.split(|&x| x == 0xff).take(64);
    let mut count = 0;
    for d in datagrams {
        count += 1;
        now = Time::from_millis(now.as_millis() + 100);
        b.handle_input(
            now,
            Input::Message {
                from: A.parse().expect("A"),
                to: B.parse().expect("B"),
                transport: Transport::Udp,
                data: bytes::Bytes::copy_from_slice(d),
            },
        );
        b.handle_timeout(now);
        pump(&mut a, &mut b, now);
    }
    let (txs, calls, links) = b.footprint();
    assert!(
        txs <= count + 4,
        "{txs} transactions after {count} datagrams"
    );
    assert!(calls <= count + 1, "{calls} calls after {count} datagrams");
    assert!(
        links <= 3 * (count + 2),
        "{links} links after {count} datagrams"
    );
    // Time heals: every transaction ends.
    now = Time::from_millis(now.as_millis() + 200_000);
    b.handle_timeout(now);
    pump(&mut a, &mut b, now);
    now = Time::from_millis(now.as_millis() + 200_000);
    b.handle_timeout(now);
    pump(&mut a, &mut b, now);
    assert_eq!(b.footprint().0, 0, "transactions left after 400 s");
}

/// Arbitrary bytes on TCP connections into an agent with a call up: `data`
/// is cut at each `0xff` into reads, spread over three connections (the
/// byte after each cut picks the connection, and a `0xfe` there closes it).
/// Nothing may panic, the call must stay up (stream junk is not the call's
/// business), and every framer must be gone once its connection closes.
pub fn ua_stream(data: &[u8]) {
    let mut a = agent(A, "6001", B);
    let mut b = agent(B, "6002", A);
    let now = Time::ZERO;
    let _ = a.call(now, AccountId(0), "6002");
    let events = pump(&mut a, &mut b, now);
    let Some(incoming) = events.iter().find_map(|e| match e {
        Event::IncomingCall { call, .. } => Some(*call),
        _ => None,
    }) else {
        panic!("the call did not arrive");
    };
    b.answer(now, incoming);
    pump(&mut a, &mut b, now);
    let to: SocketAddr = B.parse().expect("B");
    let peers: [SocketAddr; 3] = [
        "192.0.2.30:40000".parse().expect("peer"),
        "192.0.2.31:40001".parse().expect("peer"),
        "[2001:db8::5]:40002".parse().expect("peer"),
    ];
    for chunk in data.split(|&x| x == 0xff).take(256) {
        let (selector, bytes) = chunk.split_first().unwrap_or((&0, &[]));
        let from = peers[usize::from(*selector) % peers.len()];
        let input = if *selector == 0xfe {
            Input::StreamClosed {
                from,
                to,
                transport: Transport::Tcp,
            }
        } else {
            Input::Stream {
                from,
                to,
                transport: Transport::Tcp,
                data: bytes::Bytes::copy_from_slice(bytes),
            }
        };
        b.handle_input(now, input);
        while b.poll_output().is_some() {}
    }
    assert_eq!(b.call_state(incoming), Some(&CallState::Connected));
    for from in peers {
        b.handle_input(
            now,
            Input::StreamClosed {
                from,
                to,
                transport: Transport::Tcp,
            },
        );
    }
    assert!(b.footprint().1 <= 1 + 256, "calls bounded by messages");
}
