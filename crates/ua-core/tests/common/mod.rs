//! A virtual-clock harness for the transaction layer tests.
#![allow(dead_code)]

use std::net::SocketAddr;

use sip_proto::{Message, MessageBuilder};
use ua_core::transport::Transmit;
use ua_core::{LayerConfig, Time, TransactionLayer, TxKey, TxOutput};

pub const ALICE: &str = "192.0.2.1:5060";
pub const BOB: &str = "192.0.2.2:5060";

pub fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// One layer, a virtual clock and every output with the time it appeared.
pub struct Harness {
    pub layer: TransactionLayer,
    pub now: Time,
    pub log: Vec<(Time, TxOutput)>,
}

impl Harness {
    pub fn new(config: LayerConfig) -> Self {
        Harness {
            layer: TransactionLayer::new(config, 42),
            now: Time::ZERO,
            log: Vec::new(),
        }
    }

    /// Moves outputs into the log; returns the new ones.
    pub fn drain(&mut self) -> Vec<TxOutput> {
        let mut new = Vec::new();
        while let Some(o) = self.layer.poll_output() {
            self.log.push((self.now, o.clone()));
            new.push(o);
        }
        new
    }

    /// Advances the clock deadline by deadline up to `until`.
    pub fn run_until(&mut self, until: u64) {
        let until = Time::from_millis(until);
        self.drain();
        while let Some(t) = self.layer.poll_timeout() {
            if t > until {
                break;
            }
            assert!(t >= self.now, "deadline in the past: {t} < {}", self.now);
            self.now = t;
            self.layer.handle_timeout(t);
            self.drain();
        }
        self.now = until;
    }

    /// Advances to `ms`, then hands `msg` to the layer.
    pub fn recv(
        &mut self,
        ms: u64,
        msg: Message,
        transport: ua_core::Transport,
        from: &str,
    ) -> ua_core::Dispatch {
        self.run_until(ms);
        let d = self
            .layer
            .handle_message(self.now, msg, transport, addr(from));
        self.drain();
        d
    }

    pub fn at(&mut self, ms: u64) -> &mut Self {
        self.run_until(ms);
        self
    }

    /// Times of the transmits in the log.
    pub fn transmit_times(&self) -> Vec<u64> {
        self.transmits().iter().map(|(t, _)| *t).collect()
    }

    pub fn transmits(&self) -> Vec<(u64, Transmit)> {
        self.log
            .iter()
            .filter_map(|(t, o)| match o {
                TxOutput::Transmit(x) => Some((t.as_millis(), x.clone())),
                _ => None,
            })
            .collect()
    }

    /// The transmitted messages, parsed.
    pub fn sent(&self) -> Vec<Message> {
        self.transmits()
            .into_iter()
            .map(|(_, t)| Message::parse(t.data).unwrap())
            .collect()
    }

    /// Non-transmit events with their times.
    pub fn events(&self) -> Vec<(u64, TxOutput)> {
        self.log
            .iter()
            .filter(|(_, o)| !matches!(o, TxOutput::Transmit(_)))
            .map(|(t, o)| (t.as_millis(), o.clone()))
            .collect()
    }

    pub fn clear(&mut self) {
        self.log.clear();
    }

    pub fn terminated_at(&self, key: &TxKey) -> Option<u64> {
        self.log.iter().find_map(|(t, o)| match o {
            TxOutput::Terminated { key: k } if k == key => Some(t.as_millis()),
            _ => None,
        })
    }
}

pub fn parse(text: &str) -> Message {
    Message::parse(
        text.replace("\r\n", "\n")
            .replace('\n', "\r\n")
            .into_bytes(),
    )
    .unwrap()
}

/// A request as a UAC at 192.0.2.1 would send it.
pub fn request(method: &str, branch: &str, transport: &str, cseq: u32) -> Message {
    parse(&format!(
        "{method} sip:bob@192.0.2.2 SIP/2.0
Via: SIP/2.0/{transport} 192.0.2.1:5060;branch={branch}
Route: <sip:proxy.example.com;lr>
Max-Forwards: 70
From: Alice <sip:alice@example.com>;tag=alice-tag
To: Bob <sip:bob@example.com>
Call-ID: call-1@192.0.2.1
CSeq: {cseq} {method}
Contact: <sip:alice@192.0.2.1>

"
    ))
}

pub fn invite(branch: &str) -> Message {
    request("INVITE", branch, "UDP", 1)
}

/// A response the UAS builds for `req`.
pub fn response(req: &Message, code: u16, to_tag: Option<&str>) -> Message {
    MessageBuilder::response_to(req, code, "", to_tag)
        .build()
        .unwrap()
}

pub fn keys_of_requests(outs: &[TxOutput]) -> Vec<TxKey> {
    outs.iter()
        .filter_map(|o| match o {
            TxOutput::Request { key, .. } => Some(key.clone()),
            _ => None,
        })
        .collect()
}
