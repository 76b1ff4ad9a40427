//! Heap bytes an established, idle call holds in a `ua-core` agent, counted
//! exactly by a counting global allocator (live bytes requested, not
//! resident pages): N calls are set up between two agents in memory, the
//! clock runs past every transaction's wait state so only the calls
//! remain, and the growth of live bytes is divided by N, per agent.
//!
//! `cargo run --release -p benches --example ua_memory [N]`
//! (the counts come from `dhat` in testing mode, which writes no file).

use std::collections::BTreeMap;
use std::net::SocketAddr;

use ua_core::{
    AccountConfig, AccountId, AgentConfig, CallId, Event, Input, Output, Time, UserAgent,
};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn live_bytes() -> isize {
    dhat::HeapStats::get().curr_bytes as isize
}

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
    let _profiler = dhat::Profiler::builder().testing().build();
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
    let establish = |agents: &mut BTreeMap<SocketAddr, UserAgent>, now: Time| {
        agents
            .get_mut(&a)
            .unwrap()
            .call(now, AccountId(0), "6002")
            .unwrap();
        let incoming = pump(agents, now)[0];
        agents.get_mut(&b).unwrap().answer(now, incoming);
        pump(agents, now);
    };
    // Warm up maps and queues, then measure.
    establish(&mut agents, now);
    settle(&mut agents, &mut now);
    let before = live_bytes();
    for k in 0..n {
        establish(&mut agents, now);
        if k % 100 == 99 {
            // Finished transactions go; only the calls remain.
            settle(&mut agents, &mut now);
        }
    }
    settle(&mut agents, &mut now);
    let grown = live_bytes() - before;
    let fp: Vec<_> = agents.values().map(UserAgent::footprint).collect();
    println!(
        "ua_memory: {} heap bytes per idle call per agent ({} per call both ends; {n} calls; footprints (transactions, calls, links) {:?})",
        grown / (2 * n as isize),
        grown / n as isize,
        fp
    );
}
