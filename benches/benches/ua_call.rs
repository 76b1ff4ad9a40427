//! `ua_call`: complete calls (INVITE, 180, 200, ACK, BYE, 200) between two
//! user agents in memory, and the memory an established, idle call holds
//! (growth of resident memory over many calls, both ends together).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::net::SocketAddr;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ua_core::{
    AccountConfig, AccountId, AgentConfig, CallId, Event, Input, Output, Time, UserAgent,
};

/// Resident memory of this process in bytes (Linux `/proc/self/statm`).
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

const A: &str = "192.0.2.10:5060";
const B: &str = "192.0.2.20:5060";

fn agent(local: &str, user: &str, peer: &str) -> UserAgent {
    let account = AccountConfig::new(user, "pw", &format!("example.com; {peer}"));
    UserAgent::new(AgentConfig::new(local.parse().unwrap(), vec![account]), 1).unwrap()
}

struct Pair {
    agents: BTreeMap<SocketAddr, UserAgent>,
    now: Time,
}

impl Pair {
    fn new() -> Pair {
        let mut agents = BTreeMap::new();
        agents.insert(A.parse().unwrap(), agent(A, "6001", B));
        agents.insert(B.parse().unwrap(), agent(B, "6002", A));
        Pair {
            agents,
            now: Time::ZERO,
        }
    }

    /// Delivers everything; returns the calls that arrived at B.
    fn pump(&mut self) -> Vec<CallId> {
        let mut incoming = Vec::new();
        loop {
            let mut moved = false;
            for at in [A.parse::<SocketAddr>().unwrap(), B.parse().unwrap()] {
                while let Some(out) = self.agents.get_mut(&at).unwrap().poll_output() {
                    moved = true;
                    match out {
                        Output::Event(Event::IncomingCall { call, .. }) => incoming.push(call),
                        Output::Event(_) | Output::DnsQuery(_) | Output::Close { .. } => {}
                        Output::Transmit(t) => {
                            let now = self.now;
                            let dst = self.agents.get_mut(&t.destination).unwrap();
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
                    }
                }
            }
            if !moved {
                return incoming;
            }
        }
    }

    fn ua(&mut self, at: &str) -> &mut UserAgent {
        self.agents.get_mut(&at.parse().unwrap()).unwrap()
    }

    /// Sets up a call and returns (caller's id, callee's id).
    fn establish(&mut self) -> (CallId, CallId) {
        let now = self.now;
        let call = self.ua(A).call(now, AccountId(0), "6002").unwrap();
        let incoming = self.pump()[0];
        self.ua(B).answer(now, incoming);
        self.pump();
        (call, incoming)
    }

    /// One complete call: INVITE, 180, 200, ACK, BYE, 200; then the clock
    /// runs past the transactions' wait states so nothing piles up.
    fn full_call(&mut self) {
        let (call, _) = self.establish();
        let now = self.now;
        self.ua(A).hangup(now, call);
        self.pump();
        self.advance(40_000);
    }

    /// Runs the clock past the transactions' wait states (Timers D, J, K, L).
    fn advance(&mut self, ms: u64) {
        self.now = Time::from_millis(self.now.as_millis() + ms);
        let now = self.now;
        for ua in self.agents.values_mut() {
            ua.handle_timeout(now);
        }
        self.pump();
    }
}

fn ua_call(c: &mut Criterion) {
    let mut g = c.benchmark_group("ua_call");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ours/full_call", |b| {
        let mut pair = Pair::new();
        b.iter(|| {
            pair.full_call();
            black_box(&pair);
        })
    });
    g.finish();

    // Memory held by established, idle calls: resident growth over many.
    let mut pair = Pair::new();
    pair.establish();
    const N: u64 = 20_000;
    let before = resident_bytes();
    for k in 0..N {
        pair.establish();
        if k % 100 == 99 {
            // Let finished transactions go, so only the calls remain.
            pair.advance(40_000);
        }
    }
    match (before, resident_bytes()) {
        (Some(b), Some(a)) => println!(
            "ua_call/ours/idle_call_bytes: {} bytes per established call, both ends together ({N} calls, resident growth)",
            a.saturating_sub(b) / N
        ),
        _ => println!("ua_call/ours/idle_call_bytes: unavailable (no /proc/self/statm)"),
    }
}

criterion_group!(benches, ua_call);
criterion_main!(benches);
