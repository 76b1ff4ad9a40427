//! Locating SIP servers (RFC 3263 section 4) without doing any I/O: the
//! agent asks for DNS records as outputs ([`DnsQuery`]) and the driver
//! answers with inputs ([`DnsAnswer`]).
//!
//! For an account whose server list is a domain alone, [`Resolution`] asks
//! for the SRV records of the transport (`_sip._udp`, `_sip._tcp`,
//! `_sips._tcp`; section 4.2), orders them per RFC 2782 with the agent's
//! seeded randomness ([`order_srv`]), then asks for each target's A (and,
//! when it has none, AAAA) records. Without usable SRV records it falls
//! back to the domain's own A/AAAA records on the transport's default port
//! (section 4.2). The addresses found, in order, become the account's
//! failover list. A domain that is an IP literal needs no DNS at all.

use std::net::{IpAddr, SocketAddr};

use crate::servers::{SrvRecord, order_srv};
use crate::transport::Transport;

/// SRV targets followed per resolution; a longer answer is cut here.
pub const MAX_SRV_TARGETS: usize = 8;

/// Addresses kept per resolution.
pub const MAX_ADDRESSES: usize = 16;

/// The record type asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DnsKind {
    /// SRV (RFC 2782).
    Srv,
    /// IPv4 addresses.
    A,
    /// IPv6 addresses.
    Aaaa,
}

/// A DNS question for the driver. Its answer comes back as
/// [`crate::Input::Dns`] with the same `id`; the driver must always answer
/// (with [`DnsAnswer::Failed`] on error or timeout), or the account waits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DnsQuery {
    /// Matches the answer to the question.
    pub id: u64,
    /// The name, e.g. `_sip._udp.example.com`.
    pub name: String,
    /// The record type.
    pub kind: DnsKind,
}

/// What the driver found.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DnsAnswer {
    /// SRV records, in any order.
    Srv(Vec<SrvRecord>),
    /// A or AAAA records.
    Addresses(Vec<IpAddr>),
    /// No such name, no records, or the lookup failed.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Step {
    /// Waiting for the SRV answer.
    Srv,
    /// Waiting for target `index`'s A (`v6` false) or AAAA records.
    Target { index: usize, v6: bool },
    /// Finished.
    Done,
}

/// One resolution of a domain into an ordered list of server addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Resolution {
    domain: String,
    transport: Transport,
    /// (host, port) to resolve, in order: the SRV targets, or the domain.
    targets: Vec<(String, u16)>,
    found: Vec<SocketAddr>,
    step: Step,
    /// The id of the question outstanding.
    waiting: u64,
}

/// What the resolution needs next.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResolveStep {
    /// Ask this.
    Query(DnsQuery),
    /// Finished: the addresses in preference order (possibly none).
    Done(Vec<SocketAddr>),
    /// The answer was not for this resolution.
    Ignored,
}

impl Resolution {
    /// Starts resolving `domain` for `transport`; the first question gets id
    /// `id`.
    pub fn start(domain: &str, transport: Transport, id: u64) -> (Resolution, ResolveStep) {
        let service = match transport {
            Transport::Udp => "_sip._udp",
            Transport::Tcp => "_sip._tcp",
            Transport::Tls => "_sips._tcp",
        };
        let r = Resolution {
            domain: domain.to_string(),
            transport,
            targets: Vec::new(),
            found: Vec::new(),
            step: Step::Srv,
            waiting: id,
        };
        let q = ResolveStep::Query(DnsQuery {
            id,
            name: format!("{service}.{domain}"),
            kind: DnsKind::Srv,
        });
        (r, q)
    }

    /// The id of the question this resolution waits for.
    pub fn waiting_for(&self) -> Option<u64> {
        (self.step != Step::Done).then_some(self.waiting)
    }

    /// Takes the answer to question `id`; `next_id` numbers a follow-up
    /// question and `random` orders SRV records of equal priority.
    pub fn on_answer(
        &mut self,
        id: u64,
        answer: DnsAnswer,
        next_id: u64,
        random: &mut impl FnMut() -> u32,
    ) -> ResolveStep {
        if self.waiting_for() != Some(id) {
            return ResolveStep::Ignored;
        }
        match (self.step.clone(), answer) {
            (Step::Srv, DnsAnswer::Srv(records)) if !records.is_empty() => {
                let mut ordered = order_srv(records, random);
                ordered.truncate(MAX_SRV_TARGETS);
                self.targets = ordered.into_iter().map(|r| (r.target, r.port)).collect();
                if self.targets.is_empty() {
                    // Only "." targets: the service is explicitly not offered.
                    return self.finish();
                }
            }
            (Step::Srv, _) => {
                // No SRV records: the domain itself on the default port (4.2).
                self.targets = vec![(self.domain.clone(), self.transport.default_port())];
            }
            (Step::Target { index, v6 }, answer) => {
                let port = self.targets[index].1;
                let addrs = match answer {
                    DnsAnswer::Addresses(a) => a,
                    _ => Vec::new(),
                };
                let none = addrs.is_empty();
                for ip in addrs {
                    let sa = SocketAddr::new(ip, port);
                    if self.found.len() < MAX_ADDRESSES && !self.found.contains(&sa) {
                        self.found.push(sa);
                    }
                }
                if none && !v6 {
                    return self.ask(index, true, next_id);
                }
                return self.ask(index + 1, false, next_id);
            }
            (Step::Done, _) => return ResolveStep::Ignored,
        }
        self.ask(0, false, next_id)
    }

    fn ask(&mut self, index: usize, v6: bool, id: u64) -> ResolveStep {
        let Some((host, port)) = self.targets.get(index) else {
            return self.finish();
        };
        // A target written as an address needs no lookup.
        let host = host.trim_end_matches('.');
        if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse() {
            let sa = SocketAddr::new(ip, *port);
            if self.found.len() < MAX_ADDRESSES && !self.found.contains(&sa) {
                self.found.push(sa);
            }
            return self.ask(index + 1, false, id);
        }
        self.step = Step::Target { index, v6 };
        self.waiting = id;
        ResolveStep::Query(DnsQuery {
            id,
            name: host.to_string(),
            kind: if v6 { DnsKind::Aaaa } else { DnsKind::A },
        })
    }

    fn finish(&mut self) -> ResolveStep {
        self.step = Step::Done;
        ResolveStep::Done(std::mem::take(&mut self.found))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn srv(priority: u16, weight: u16, port: u16, target: &str) -> SrvRecord {
        SrvRecord {
            priority,
            weight,
            port,
            target: target.to_string(),
        }
    }

    fn query(step: &ResolveStep) -> &DnsQuery {
        match step {
            ResolveStep::Query(q) => q,
            other => panic!("expected a query, got {other:?}"),
        }
    }

    #[test]
    fn srv_then_a_records_in_priority_order() {
        let mut rnd = || 0u32;
        let (mut r, q) = Resolution::start("example.com", Transport::Udp, 1);
        assert_eq!(query(&q).name, "_sip._udp.example.com");
        assert_eq!(query(&q).kind, DnsKind::Srv);
        let s = r.on_answer(
            1,
            DnsAnswer::Srv(vec![
                srv(20, 0, 5070, "backup.example.com."),
                srv(10, 0, 5060, "pbx.example.com."),
            ]),
            2,
            &mut rnd,
        );
        assert_eq!(query(&s).name, "pbx.example.com");
        assert_eq!(query(&s).kind, DnsKind::A);
        let s = r.on_answer(2, DnsAnswer::Addresses(vec![ip("192.0.2.5")]), 3, &mut rnd);
        assert_eq!(query(&s).name, "backup.example.com");
        // No A record for the backup: AAAA is asked next.
        let s = r.on_answer(3, DnsAnswer::Failed, 4, &mut rnd);
        assert_eq!(query(&s).kind, DnsKind::Aaaa);
        let s = r.on_answer(
            4,
            DnsAnswer::Addresses(vec![ip("2001:db8::7")]),
            5,
            &mut rnd,
        );
        assert_eq!(
            s,
            ResolveStep::Done(vec![
                "192.0.2.5:5060".parse().unwrap(),
                "[2001:db8::7]:5070".parse().unwrap()
            ])
        );
        assert_eq!(r.waiting_for(), None);
        assert_eq!(
            r.on_answer(4, DnsAnswer::Failed, 6, &mut rnd),
            ResolveStep::Ignored
        );
    }

    #[test]
    fn no_srv_falls_back_to_the_domain_on_the_default_port() {
        let mut rnd = || 0u32;
        let (mut r, q) = Resolution::start("example.com", Transport::Tls, 1);
        assert_eq!(query(&q).name, "_sips._tcp.example.com");
        let s = r.on_answer(1, DnsAnswer::Failed, 2, &mut rnd);
        assert_eq!(query(&s).name, "example.com");
        let s = r.on_answer(2, DnsAnswer::Addresses(vec![ip("192.0.2.9")]), 3, &mut rnd);
        assert_eq!(
            s,
            ResolveStep::Done(vec!["192.0.2.9:5061".parse().unwrap()])
        );
    }

    #[test]
    fn stale_or_foreign_answers_are_ignored_and_nothing_found_is_done_empty() {
        let mut rnd = || 0u32;
        let (mut r, _) = Resolution::start("example.com", Transport::Tcp, 7);
        assert_eq!(
            r.on_answer(6, DnsAnswer::Failed, 8, &mut rnd),
            ResolveStep::Ignored
        );
        let s = r.on_answer(7, DnsAnswer::Srv(vec![srv(1, 0, 5060, ".")]), 8, &mut rnd);
        assert_eq!(s, ResolveStep::Done(vec![]));
    }

    #[test]
    fn long_answers_are_bounded() {
        let mut rnd = || 0u32;
        let (mut r, _) = Resolution::start("example.com", Transport::Udp, 1);
        let many = (0..100)
            .map(|k| srv(1, 0, 5060, &format!("192.0.2.{k}")))
            .collect();
        // Address targets need no lookup: the answer completes at once.
        let ResolveStep::Done(found) = r.on_answer(1, DnsAnswer::Srv(many), 2, &mut rnd) else {
            panic!("done");
        };
        assert_eq!(found.len(), MAX_SRV_TARGETS);
    }
}
