//! Answers the agent's DNS questions (RFC 3263 section 4: SRV, then A and
//! AAAA for each target) with hickory-resolver.
//!
//! By default every question goes to the system's name servers
//! (`/etc/resolv.conf`), A/AAAA looking in `/etc/hosts` first; without a
//! readable `/etc/resolv.conf` SRV fails and A/AAAA go through the system
//! resolver (`getaddrinfo`). With [`Dns::with_server`] every question goes
//! to that one server, which is how a test or a lab points the phone at its
//! own DNS.
//!
//! Each lookup is bounded ([`DNS_TIMEOUT`]); a failure, an empty answer
//! and a timeout are all [`DnsAnswer::Failed`], which the agent treats as
//! "no such records" (RFC 3263 section 4.2 then falls back to A/AAAA).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use ua_core::SrvRecord;
use ua_core::{DnsAnswer, DnsKind, DnsQuery};

/// How long one lookup may take before it counts as failed.
pub const DNS_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the driver's DNS questions go. Cheap to clone (shared resolver).
#[derive(Clone)]
pub struct Dns {
    resolver: Option<Arc<TokioResolver>>,
    /// A/AAAA through the resolver too (a configured server), not getaddrinfo.
    addresses_too: bool,
}

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dns")
            .field("resolver", &self.resolver.is_some())
            .field("addresses_too", &self.addresses_too)
            .finish()
    }
}

fn options() -> ResolverOpts {
    let mut o = ResolverOpts::default();
    o.timeout = Duration::from_secs(2);
    o.attempts = 2;
    o
}

impl Dns {
    /// The system's configuration. Without a readable `/etc/resolv.conf`
    /// SRV questions are answered `Failed` (logged once) and A/AAAA still
    /// work through `getaddrinfo`.
    pub fn system() -> Dns {
        match TokioResolver::builder_tokio() {
            Ok(b) => Dns {
                resolver: Some(Arc::new(b.with_options(options()).build())),
                addresses_too: true,
            },
            Err(e) => {
                tracing::warn!("no DNS configuration, SRV lookups will fail: {e}");
                Dns {
                    resolver: None,
                    addresses_too: false,
                }
            }
        }
    }

    /// Every question (SRV, A, AAAA) to the name server at `server`.
    pub fn with_server(server: SocketAddr) -> Dns {
        let group = NameServerConfigGroup::from_ips_clear(&[server.ip()], server.port(), true);
        let config = ResolverConfig::from_parts(None, vec![], group);
        let resolver =
            TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
                .with_options(options())
                .build();
        Dns {
            resolver: Some(Arc::new(resolver)),
            addresses_too: true,
        }
    }

    /// The answer to `q`, within [`DNS_TIMEOUT`].
    pub async fn answer(&self, q: &DnsQuery) -> DnsAnswer {
        match tokio::time::timeout(DNS_TIMEOUT, self.lookup(q)).await {
            Ok(a) => a,
            Err(_) => {
                tracing::info!(name = %q.name, kind = ?q.kind, "DNS lookup timed out");
                DnsAnswer::Failed
            }
        }
    }

    async fn lookup(&self, q: &DnsQuery) -> DnsAnswer {
        // Names from the agent are complete: no search list.
        let fqdn = if q.name.ends_with('.') {
            q.name.clone()
        } else {
            format!("{}.", q.name)
        };
        match (q.kind, &self.resolver) {
            (DnsKind::Srv, Some(r)) => match r.srv_lookup(fqdn).await {
                Ok(l) => {
                    let records: Vec<SrvRecord> = l
                        .iter()
                        .map(|s| SrvRecord {
                            priority: s.priority(),
                            weight: s.weight(),
                            port: s.port(),
                            target: s.target().to_utf8().trim_end_matches('.').to_string(),
                        })
                        .collect();
                    if records.is_empty() {
                        DnsAnswer::Failed
                    } else {
                        DnsAnswer::Srv(records)
                    }
                }
                Err(e) => {
                    tracing::debug!(name = %q.name, "SRV: {e}");
                    DnsAnswer::Failed
                }
            },
            (DnsKind::Srv, None) => DnsAnswer::Failed,
            (DnsKind::A, Some(r)) if self.addresses_too => match r.ipv4_lookup(fqdn).await {
                Ok(l) => addresses(l.iter().map(|a| IpAddr::V4(a.0)).collect()),
                Err(_) => DnsAnswer::Failed,
            },
            (DnsKind::Aaaa, Some(r)) if self.addresses_too => match r.ipv6_lookup(fqdn).await {
                Ok(l) => addresses(l.iter().map(|a| IpAddr::V6(a.0)).collect()),
                Err(_) => DnsAnswer::Failed,
            },
            (kind, _) => {
                let v6 = kind == DnsKind::Aaaa;
                match tokio::net::lookup_host((q.name.as_str(), 0)).await {
                    Ok(found) => addresses(
                        found
                            .map(|a| a.ip())
                            .filter(|ip| ip.is_ipv6() == v6)
                            .collect(),
                    ),
                    Err(_) => DnsAnswer::Failed,
                }
            }
        }
    }
}

fn addresses(ips: Vec<IpAddr>) -> DnsAnswer {
    if ips.is_empty() {
        DnsAnswer::Failed
    } else {
        DnsAnswer::Addresses(ips)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The system configuration answers a name from /etc/hosts (no DNS
    /// traffic: localhost is there on any Debian machine).
    #[tokio::test(flavor = "current_thread")]
    async fn localhost_resolves_through_the_system_configuration() {
        let q = DnsQuery {
            id: 1,
            name: "localhost".into(),
            kind: DnsKind::A,
        };
        match Dns::system().answer(&q).await {
            DnsAnswer::Addresses(ips) => {
                assert!(ips.contains(&IpAddr::from([127, 0, 0, 1])), "{ips:?}")
            }
            other => panic!("{other:?}"),
        }
    }
}
