//! `Via` (RFC 3261 sections 18.2.1, 20.42; RFC 3581 rport).

use std::fmt;

use nom::{Parser, bytes::complete::take_while1, combinator::recognize, sequence::delimited};

use super::{HeaderError, HeaderErrorKind, PResult, Params, TypedHeader, complete, params};
use crate::grammar::{is_lws, sep, sws, token};
use crate::name::HeaderName;
use crate::uri::{Host, parse_port};

/// The branch prefix of RFC 3261 transaction ids (section 8.1.1.7).
pub const MAGIC_COOKIE: &str = "z9hG4bK";

/// One `Via` value: `SIP/2.0/UDP host:port;branch=...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Via<'a> {
    /// protocol-name, normally `SIP`.
    pub protocol: &'a str,
    /// protocol-version, normally `2.0`.
    pub version: &'a str,
    /// The transport token as written (`UDP`, `TCP`, `TLS`, `SCTP`, `WS`, ...).
    pub transport: &'a str,
    /// sent-by host.
    pub host: Host<'a>,
    /// sent-by port.
    pub port: Option<u16>,
    /// via-params.
    pub params: Params<'a>,
}

impl<'a> Via<'a> {
    /// The `branch` parameter.
    pub fn branch(&self) -> Option<&'a str> {
        self.params.get("branch").flatten()
    }

    /// Whether the branch carries the RFC 3261 magic cookie and something
    /// after it (RFC 4475 3.2.1: a bare `z9hG4bK` is no transaction id).
    pub fn has_rfc3261_branch(&self) -> bool {
        self.branch()
            .is_some_and(|b| b.len() > MAGIC_COOKIE.len() && b.starts_with(MAGIC_COOKIE))
    }

    /// The `received` parameter.
    pub fn received(&self) -> Option<&'a str> {
        self.params.get("received").flatten()
    }

    /// The `rport` parameter (RFC 3581): `Some(None)` when present without a value.
    pub fn rport(&self) -> Option<Option<u16>> {
        self.params.get("rport").map(|v| v.and_then(parse_port))
    }

    /// The `maddr` parameter.
    pub fn maddr(&self) -> Option<&'a str> {
        self.params.get("maddr").flatten()
    }

    /// The `ttl` parameter.
    pub fn ttl(&self) -> Option<u8> {
        self.params.get("ttl").flatten()?.parse().ok()
    }

    /// Whether the transport is `name`, case-insensitively.
    pub fn transport_is(&self, name: &str) -> bool {
        self.transport.eq_ignore_ascii_case(name)
    }
}

fn sent_by(i: &str) -> PResult<'_, &str> {
    recognize((take_while1(|c: char| {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '[' | ']' | ':')
    }),))
    .parse(i)
}

fn via_parm(i: &str) -> PResult<'_, (&str, &str, &str, &str, Params<'_>)> {
    let (i, _) = sws(i)?;
    let (i, protocol) = token(i)?;
    let (i, version) = delimited(sep('/'), token, sep('/')).parse(i)?;
    let (i, transport) = token(i)?;
    let (i, _) = take_while1(is_lws).parse(i)?;
    let (i, sent_by) = sent_by(i)?;
    let (i, params) = params(i)?;
    Ok((i, (protocol, version, transport, sent_by, params)))
}

impl<'a> TypedHeader<'a> for Via<'a> {
    const NAME: HeaderName = HeaderName::Via;
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let (protocol, version, transport, sent_by, params) =
            complete(value, "SIP/2.0/transport host;params", via_parm)?;
        let at = value.len() - value[value.find(sent_by).unwrap_or(0)..].len();
        // Split host and port: an IPv6 reference keeps its colons inside brackets.
        let (host_s, port_s) = if sent_by.starts_with('[') {
            match sent_by.find(']') {
                Some(e) => (&sent_by[..=e], sent_by[e + 1..].strip_prefix(':')),
                None => (sent_by, None),
            }
        } else {
            match sent_by.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (sent_by, None),
            }
        };
        let host = Host::parse(host_s).ok_or(HeaderError::new(
            HeaderErrorKind::Expected("sent-by host"),
            at,
        ))?;
        let port = match port_s {
            Some(p) => Some(parse_port(p).ok_or(HeaderError::new(
                HeaderErrorKind::Expected("port"),
                at + host_s.len() + 1,
            ))?),
            None => None,
        };
        Ok(Via {
            protocol,
            version,
            transport,
            host,
            port,
            params,
        })
    }
}

impl fmt::Display for Via<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{} {}",
            self.protocol, self.version, self.transport, self.host
        )?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        self.params.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_via_with_lws_around_slashes() {
        let v = Via::parse("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw").unwrap();
        assert_eq!((v.protocol, v.version, v.transport), ("SIP", "2.0", "UDP"));
        assert_eq!(v.host, Host::V4("192.0.2.2".parse().unwrap()));
        assert_eq!(v.branch(), Some("390skdjuw"));
        assert!(!v.has_rfc3261_branch());
        assert_eq!(v.to_string(), "SIP/2.0/UDP 192.0.2.2;branch=390skdjuw");
    }

    #[test]
    fn rport_received_ipv6() {
        let v = Via::parse(
            "SIP/2.0/TCP [2001:db8::9:1]:5070;branch=z9hG4bKx;rport;received=2001:db8::9:255",
        )
        .unwrap();
        assert_eq!(v.host, Host::V6("2001:db8::9:1".parse().unwrap()));
        assert_eq!(v.port, Some(5070));
        assert_eq!(v.rport(), Some(None));
        assert_eq!(v.received(), Some("2001:db8::9:255"));
        assert!(v.has_rfc3261_branch());
        let v = Via::parse("SIP/2.0/UDP 10.0.0.1;rport=5062;maddr=224.2.0.1;ttl=16").unwrap();
        assert_eq!(v.rport(), Some(Some(5062)));
        assert_eq!(v.maddr(), Some("224.2.0.1"));
        assert_eq!(v.ttl(), Some(16));
    }

    #[test]
    fn rejects_stray_separators() {
        // RFC 4475 3.1.2.1
        assert!(Via::parse("SIP/2.0/UDP 192.0.2.15;;,;,,").is_err());
        assert!(Via::parse("SIP/2.0/UDP").is_err());
        assert!(Via::parse("SIP/2.0/UDP host:99999").is_err());
        assert_eq!(Via::parse("").unwrap_err().kind, HeaderErrorKind::Empty);
    }
}
