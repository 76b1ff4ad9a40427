//! N complete calls (INVITE, 180, 200, ACK, BYE, 200) between two `ua-core`
//! agents in memory, the clock advanced 40 s after each so every
//! transaction ends: a steady loop to profile, e.g.
//!
//! `valgrind --tool=callgrind target/release/examples/ua_calls 1000`
//!
//! (instructions per call = total / N, the set-up being negligible).

use std::collections::BTreeMap;
use std::net::SocketAddr;

use ua_core::{
    AccountConfig, AccountId, AgentConfig, CallId, Event, Input, Output, Time, UserAgent,
};

const A: &str = "192.0.2.10:5060";
const B: &str = "192.0.2.20:5060";

fn agent(local: &str, user: &str, peer: &str) -> UserAgent {
    let account = AccountConfig::new(user, "pw", &format!("example.com; {peer}"));
    UserAgent::new(AgentConfig::new(local.parse().unwrap(), vec![account]), 1).unwrap()
}

fn pump(agents: &mut BTreeMap<SocketAddr, UserAgent>, now: Time) -> Vec<CallId> {
    let mut incoming = Vec::new();
    loop {
        let mut moved = false;
        for at in [A.parse::<SocketAddr>().unwrap(), B.parse().unwrap()] {
            while let Some(out) = agents.get_mut(&at).unwrap().poll_output() {
                moved = true;
                match out {
                    Output::Event(Event::IncomingCall { call, .. }) => incoming.push(call),
                    Output::Transmit(t) => {
                        let dst = agents.get_mut(&t.destination).unwrap();
                        dst.handle_input(
                            now,
                            Input::Message {
                                from: at,
                                to: t.destination,
                                transport: t.transport,
                                data: t.data,
                            },
                        );
                    }
                    _ => {}
                }
            }
        }
        if !moved {
            return incoming;
        }
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let (a, b): (SocketAddr, SocketAddr) = (A.parse().unwrap(), B.parse().unwrap());
    let mut agents = BTreeMap::new();
    agents.insert(a, agent(A, "6001", B));
    agents.insert(b, agent(B, "6002", A));
    let mut now = Time::ZERO;
    let settle = |agents: &mut BTreeMap<SocketAddr, UserAgent>, now: &mut Time| {
        *now = Time::from_millis(now.as_millis() + 40_000);
        for ua in agents.values_mut() {
            ua.handle_timeout(*now);
        }
        pump(agents, *now);
    };
    for _ in 0..n {
        let call = agents
            .get_mut(&a)
            .unwrap()
            .call(now, AccountId(0), "6002")
            .unwrap();
        let incoming = pump(&mut agents, now)[0];
        agents.get_mut(&b).unwrap().answer(now, incoming);
        pump(&mut agents, now);
        agents.get_mut(&a).unwrap().hangup(now, call);
        pump(&mut agents, now);
        settle(&mut agents, &mut now);
    }
}
