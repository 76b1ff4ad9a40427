//! The servers of an account: the handset's server list, DNS SRV ordering
//! (RFC 3263 section 4.4, RFC 2782) and the failover/failback state.
//!
//! The handset takes its servers as `"domain; ip1[:port]; ip2[:port]"`
//! (addresses in preference order) or as a domain alone, resolved with SRV.
//! Failover moves to the next server when a request to the current one
//! times out or hits a transport error; while on a secondary, the primary
//! is probed with OPTIONS and, when it answers, the account goes back.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::time::Time;

/// Why a server list was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ServerListError {
    /// Nothing but separators.
    #[error("empty server list")]
    Empty,
    /// An entry that is neither `ip[:port]` nor `[ipv6][:port]`.
    #[error("invalid server address {entry:?} (entry {index})")]
    InvalidAddress {
        /// The entry as written.
        entry: String,
        /// Its position, from 0 (the domain).
        index: usize,
    },
    /// The domain is not a host name.
    #[error("invalid domain {0:?}")]
    InvalidDomain(String),
}

/// The SIP domain and, when given, explicit server addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerList {
    /// The domain used in URIs (To, From, Request-URI of REGISTER).
    pub domain: String,
    /// Addresses in preference order; empty means "resolve the domain".
    pub addresses: Vec<SocketAddr>,
}

impl ServerList {
    /// Parses `"domain; ip1[:port]; ip2[:port]"` or `"domain"`. Ports
    /// default to `default_port` (5060 for UDP/TCP, 5061 for TLS).
    pub fn parse(text: &str, default_port: u16) -> Result<ServerList, ServerListError> {
        let mut parts = text.split(';').map(str::trim).filter(|p| !p.is_empty());
        let domain = parts.next().ok_or(ServerListError::Empty)?;
        if sip_proto::Host::parse(domain).is_none() && domain.parse::<IpAddr>().is_err() {
            return Err(ServerListError::InvalidDomain(domain.to_string()));
        }
        let addresses = parts
            .enumerate()
            .map(|(k, entry)| {
                parse_addr(entry, default_port).ok_or(ServerListError::InvalidAddress {
                    entry: entry.to_string(),
                    index: k + 1,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ServerList {
            domain: domain.to_string(),
            addresses,
        })
    }

    /// Whether the servers must be found with DNS (no address was given).
    pub fn needs_dns(&self) -> bool {
        self.addresses.is_empty()
    }
}

fn parse_addr(entry: &str, default_port: u16) -> Option<SocketAddr> {
    if let Ok(sa) = entry.parse::<SocketAddr>() {
        return Some(sa);
    }
    let bare = entry
        .strip_prefix('[')
        .and_then(|e| e.strip_suffix(']'))
        .unwrap_or(entry);
    bare.parse::<IpAddr>()
        .ok()
        .map(|ip| SocketAddr::new(ip, default_port))
}

impl fmt::Display for ServerList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.domain)?;
        for a in &self.addresses {
            write!(f, "; {a}")?;
        }
        Ok(())
    }
}

/// One SRV record (RFC 2782).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SrvRecord {
    /// Lower is tried first.
    pub priority: u16,
    /// Relative share within one priority.
    pub weight: u16,
    /// The port.
    pub port: u16,
    /// The target host.
    pub target: String,
}

/// Orders SRV records as RFC 2782 says: by priority, and within one
/// priority by weighted random choice (weight 0 records first in the
/// running sum, so they are picked rarely but can be). `random` supplies
/// the randomness, keeping the core deterministic for a given seed. A
/// target of `.` means the service is not offered and is dropped.
pub fn order_srv(mut records: Vec<SrvRecord>, random: &mut impl FnMut() -> u32) -> Vec<SrvRecord> {
    records.retain(|r| r.target != ".");
    records.sort_by_key(|r| (r.priority, r.weight));
    let mut out = Vec::with_capacity(records.len());
    while !records.is_empty() {
        let priority = records[0].priority;
        let end = records
            .iter()
            .position(|r| r.priority != priority)
            .unwrap_or(records.len());
        let mut group: Vec<SrvRecord> = records.drain(..end).collect();
        while !group.is_empty() {
            let total: u32 = group.iter().map(|r| u32::from(r.weight)).sum();
            let pick = if total == 0 {
                0
            } else {
                random() % (total + 1)
            };
            let mut sum = 0;
            let k = group
                .iter()
                .position(|r| {
                    sum += u32::from(r.weight);
                    sum >= pick
                })
                .unwrap_or(0);
            out.push(group.remove(k));
        }
    }
    out
}

/// Which server an account uses, and when to look back at the primary.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Failover {
    servers: Vec<SocketAddr>,
    current: usize,
    probe_interval: Duration,
    next_probe: Option<Time>,
    probe_outstanding: bool,
}

/// What a failover step asks of the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailoverAction {
    /// Register at this server now; new requests go there.
    UseServer(SocketAddr),
    /// Every server failed: report it and retry later from the primary.
    Exhausted,
    /// Send OPTIONS to the primary to see whether it is back.
    Probe(SocketAddr),
    /// Nothing to do.
    None,
}

impl Failover {
    /// Servers in preference order (the first is the primary). While on a
    /// secondary the primary is probed every `probe_interval` (the handset
    /// uses its registration interval).
    pub fn new(servers: Vec<SocketAddr>, probe_interval: Duration) -> Self {
        Failover {
            servers,
            current: 0,
            probe_interval,
            next_probe: None,
            probe_outstanding: false,
        }
    }

    /// The server in use.
    pub fn current(&self) -> Option<SocketAddr> {
        self.servers.get(self.current).copied()
    }

    /// Whether we are away from the primary.
    pub fn on_secondary(&self) -> bool {
        self.current > 0
    }

    /// A REGISTER, INVITE or SUBSCRIBE to the current server timed out or
    /// hit a transport error: move to the next one.
    pub fn on_failure(&mut self, now: Time) -> FailoverAction {
        if self.current + 1 >= self.servers.len() {
            self.current = 0;
            self.next_probe = None;
            return FailoverAction::Exhausted;
        }
        self.current += 1;
        self.next_probe = Some(now.saturating_add(self.probe_interval));
        self.probe_outstanding = false;
        FailoverAction::UseServer(self.servers[self.current])
    }

    /// When the next probe of the primary is due.
    pub fn poll_timeout(&self) -> Option<Time> {
        self.next_probe.filter(|_| !self.probe_outstanding)
    }

    /// Probes the primary when due.
    pub fn handle_timeout(&mut self, now: Time) -> FailoverAction {
        match (self.next_probe, self.servers.first()) {
            (Some(at), Some(&primary))
                if now >= at && self.on_secondary() && !self.probe_outstanding =>
            {
                self.probe_outstanding = true;
                FailoverAction::Probe(primary)
            }
            _ => FailoverAction::None,
        }
    }

    /// The primary answered the probe (any response counts: it is alive)
    /// or the probe timed out (`answered` false: probe again later).
    pub fn on_probe_result(&mut self, now: Time, answered: bool) -> FailoverAction {
        self.probe_outstanding = false;
        if answered && self.on_secondary() {
            return self.fail_back();
        }
        self.next_probe = Some(now.saturating_add(self.probe_interval));
        FailoverAction::None
    }

    /// A secondary says the primary is back (MiVoice answers 301/302 to
    /// REGISTER or OPTIONS): go to `target` if it is one of ours, else to
    /// the primary, at once.
    pub fn on_redirect(&mut self, target: Option<SocketAddr>) -> FailoverAction {
        match target.and_then(|t| self.servers.iter().position(|s| *s == t)) {
            Some(k) => {
                self.current = k;
                self.next_probe = None;
                self.probe_outstanding = false;
                FailoverAction::UseServer(self.servers[k])
            }
            None => self.fail_back(),
        }
    }

    fn fail_back(&mut self) -> FailoverAction {
        self.current = 0;
        self.next_probe = None;
        self.probe_outstanding = false;
        self.servers
            .first()
            .map_or(FailoverAction::Exhausted, |&p| FailoverAction::UseServer(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn handset_server_list() {
        let l = ServerList::parse(
            "mivb.example.com; 192.0.2.1; 192.0.2.2:5070; [2001:db8::1]",
            5060,
        )
        .unwrap();
        assert_eq!(l.domain, "mivb.example.com");
        assert_eq!(
            l.addresses,
            [
                sa("192.0.2.1:5060"),
                sa("192.0.2.2:5070"),
                sa("[2001:db8::1]:5060")
            ]
        );
        assert!(!l.needs_dns());
        assert_eq!(
            l.to_string(),
            "mivb.example.com; 192.0.2.1:5060; 192.0.2.2:5070; [2001:db8::1]:5060"
        );
        assert!(ServerList::parse("example.com", 5060).unwrap().needs_dns());
        assert_eq!(ServerList::parse(" ; ", 5060), Err(ServerListError::Empty));
        assert!(matches!(
            ServerList::parse("example.com; pbx.example.com", 5060),
            Err(ServerListError::InvalidAddress { index: 1, .. })
        ));
        assert!(ServerList::parse("bad domain", 5060).is_err());
    }

    #[test]
    fn srv_priority_then_weight() {
        let rec = |p, w, t: &str| SrvRecord {
            priority: p,
            weight: w,
            port: 5060,
            target: t.into(),
        };
        let records = vec![
            rec(20, 0, "backup"),
            rec(10, 60, "a"),
            rec(10, 20, "b"),
            rec(10, 20, "c"),
            rec(5, 0, "."),
        ];
        // Over many seeds, "a" (weight 60 of 100) comes first about 60 % of the time.
        let mut state = 1u32;
        let mut first_a = 0;
        for _ in 0..2000 {
            let mut rnd = || {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state
            };
            let o = order_srv(records.clone(), &mut rnd);
            assert_eq!(o.len(), 4, "the '.' target is dropped");
            assert_eq!(o[3].target, "backup", "priority 20 comes last");
            first_a += usize::from(o[0].target == "a");
        }
        assert!((1000..1400).contains(&first_a), "{first_a}");
        // Deterministic for the same random source.
        let fixed = |seq: &[u32]| {
            let mut it = seq.iter().copied().cycle();
            order_srv(records.clone(), &mut || it.next().unwrap())
        };
        assert_eq!(fixed(&[0, 5, 99]), fixed(&[0, 5, 99]));
    }

    #[test]
    fn failover_probe_and_failback() {
        let (p, s1, s2) = (
            sa("192.0.2.1:5060"),
            sa("192.0.2.2:5060"),
            sa("192.0.2.3:5060"),
        );
        let mut f = Failover::new(vec![p, s1, s2], Duration::from_secs(3600));
        assert_eq!(f.current(), Some(p));
        assert_eq!(f.on_failure(Time::ZERO), FailoverAction::UseServer(s1));
        assert!(f.on_secondary());
        // Probe the primary after the interval; a timeout means probe again later.
        assert_eq!(f.poll_timeout(), Some(Time::from_millis(3_600_000)));
        assert_eq!(
            f.handle_timeout(Time::from_millis(1000)),
            FailoverAction::None
        );
        assert_eq!(
            f.handle_timeout(Time::from_millis(3_600_000)),
            FailoverAction::Probe(p)
        );
        assert_eq!(f.poll_timeout(), None, "one probe at a time");
        assert_eq!(
            f.on_probe_result(Time::from_millis(3_632_000), false),
            FailoverAction::None
        );
        assert_eq!(f.poll_timeout(), Some(Time::from_millis(7_232_000)));
        assert_eq!(
            f.handle_timeout(Time::from_millis(7_232_000)),
            FailoverAction::Probe(p)
        );
        assert_eq!(
            f.on_probe_result(Time::from_millis(7_232_100), true),
            FailoverAction::UseServer(p)
        );
        assert!(!f.on_secondary());
        assert_eq!(f.poll_timeout(), None);
    }

    #[test]
    fn redirect_from_secondary_and_exhaustion() {
        let (p, s1) = (sa("192.0.2.1:5060"), sa("192.0.2.2:5060"));
        let mut f = Failover::new(vec![p, s1], Duration::from_secs(60));
        f.on_failure(Time::ZERO);
        // 301 naming no known server: back to the primary at once.
        assert_eq!(
            f.on_redirect(Some(sa("198.51.100.9:5060"))),
            FailoverAction::UseServer(p)
        );
        f.on_failure(Time::ZERO);
        assert_eq!(f.on_redirect(None), FailoverAction::UseServer(p));
        f.on_failure(Time::ZERO);
        assert_eq!(f.on_failure(Time::ZERO), FailoverAction::Exhausted);
        assert_eq!(f.current(), Some(p), "start again from the primary");
        assert_eq!(
            Failover::new(vec![], Duration::from_secs(1)).on_failure(Time::ZERO),
            FailoverAction::Exhausted
        );
    }
}
