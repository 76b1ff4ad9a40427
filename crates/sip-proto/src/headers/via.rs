//! `Via` (RFC 3261 sections 18.2.1, 20.42; RFC 3581 rport).

use std::fmt;

use super::{HeaderError, HeaderErrorKind, Params, TypedHeader, params, skip_lws};
use crate::grammar::{HOST, TOKEN, run};
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
    #[inline]
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

    /// sent-by as compared by transaction matching (RFC 3261 section
    /// 17.2.3): the host lower-cased and the port, 5060 (5061 for TLS)
    /// when absent.
    pub fn sent_by(&self) -> (String, u16) {
        let default = if self.transport_is("TLS") { 5061 } else { 5060 };
        (
            self.host.to_string().to_ascii_lowercase(),
            self.port.unwrap_or(default),
        )
    }

    /// Whether the transport is `name`, case-insensitively.
    pub fn transport_is(&self, name: &str) -> bool {
        self.transport.eq_ignore_ascii_case(name)
    }
}

impl<'a> TypedHeader<'a> for Via<'a> {
    const NAME: HeaderName = HeaderName::Via;
    /// `sent-protocol LWS sent-by *( SEMI via-params )`, LWS allowed around
    /// the slashes and the colon (RFC 3261 section 25.1).
    fn parse(value: &'a str) -> Result<Self, HeaderError> {
        let b = value.as_bytes();
        let expected = |what, at| Err(HeaderError::new(HeaderErrorKind::Expected(what), at));
        let mut k = skip_lws(b, 0);
        if k == b.len() {
            return Err(HeaderError::new(HeaderErrorKind::Empty, 0));
        }
        let mut parts = [""; 3];
        for (n, part) in parts.iter_mut().enumerate() {
            if n > 0 {
                if b.get(k) != Some(&b'/') {
                    return expected("/", k);
                }
                k = skip_lws(b, k + 1);
            }
            let len = run(&b[k..], TOKEN);
            if len == 0 {
                return expected(["protocol-name", "protocol-version", "transport"][n], k);
            }
            *part = &value[k..k + len];
            k = skip_lws(b, k + len);
        }
        let [protocol, version, transport] = parts;
        if k == b.len() || !matches!(b[k - 1], b' ' | b'\t' | b'\r' | b'\n') {
            return expected("LWS sent-by", k);
        }
        let host_len = if b[k] == b'[' {
            crate::grammar::find_byte(&b[k..], b']').map_or(0, |e| e + 1)
        } else {
            run(&b[k..], HOST)
        };
        let host = if b[k] == b'[' {
            Host::parse(&value[k..k + host_len])
        } else if host_len == 0 {
            None
        } else {
            // Only host bytes, as `Host::parse` would check again.
            Host::from_scanned(&value[k..k + host_len])
        }
        .ok_or(HeaderError::new(
            HeaderErrorKind::Expected("sent-by host"),
            k,
        ))?;
        k += host_len;
        let mut port = None;
        let c = skip_lws(b, k);
        if b.get(c) == Some(&b':') {
            let p = skip_lws(b, c + 1);
            let len = b[p..].iter().take_while(|d| d.is_ascii_digit()).count();
            port = Some(
                parse_port(&value[p..p + len])
                    .ok_or(HeaderError::new(HeaderErrorKind::Expected("port"), p))?,
            );
            k = p + len;
        }
        let (rest, params) = params(&value[k..]).unwrap_or((&value[k..], Params::default()));
        let r = skip_lws(rest.as_bytes(), 0);
        if r != rest.len() {
            let at = value.len() - rest.len() + r;
            let kind = if rest.as_bytes()[r] == b';' {
                HeaderErrorKind::InvalidParam
            } else {
                HeaderErrorKind::Trailing
            };
            return Err(HeaderError::new(kind, at));
        }
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
    fn sent_by_normalised() {
        let v = Via::parse("SIP/2.0/TLS PBX.Example.COM;branch=z9hG4bK1").unwrap();
        assert_eq!(v.sent_by(), ("pbx.example.com".to_string(), 5061));
        let v = Via::parse("SIP/2.0/UDP [2001:DB8::1]:5070;branch=z9hG4bK1").unwrap();
        assert_eq!(v.sent_by(), ("[2001:db8::1]".to_string(), 5070));
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
