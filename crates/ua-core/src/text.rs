//! Writing URIs, hosts and numbers into strings piece by piece, without
//! the `fmt` machinery (these run for every message a call sends or
//! receives). Each writer produces exactly what the `Display` of the
//! `sip-proto` type would; the tests compare them.

use sip_proto::{Host, Uri, push_decimal};

/// Appends a host as `Host`'s `Display` writes it.
pub(crate) fn push_host(s: &mut String, h: &Host<'_>) {
    match h {
        Host::Name(n) => s.push_str(n),
        Host::V4(a) => sip_proto::uri::push_ipv4(s, a),
        Host::V6(_) => {
            use std::fmt::Write as _;
            let _ = write!(s, "{h}");
        }
    }
}

/// Appends a URI as `Uri`'s `Display` writes it.
pub(crate) fn push_uri(s: &mut String, u: &Uri<'_>) {
    match u {
        Uri::Sip(u) => {
            s.push_str(if u.secure { "sips:" } else { "sip:" });
            if let Some(user) = u.user {
                s.push_str(user);
                if let Some(p) = u.password {
                    s.push(':');
                    s.push_str(p);
                }
                s.push('@');
            }
            push_host(s, &u.host);
            if let Some(p) = u.port {
                s.push(':');
                push_decimal(s, p.into());
            }
            if !u.params.as_str().is_empty() {
                s.push(';');
                s.push_str(u.params.as_str());
            }
            if let Some(h) = u.headers {
                s.push('?');
                s.push_str(h);
            }
        }
        Uri::Tel(t) => {
            s.push_str("tel:");
            s.push_str(t.number);
            if !t.params.as_str().is_empty() {
                s.push(';');
                s.push_str(t.params.as_str());
            }
        }
        Uri::Other { scheme, rest } => {
            s.push_str(scheme);
            s.push(':');
            s.push_str(rest);
        }
    }
}

/// An upper bound on the length of what [`push_uri`] writes, close enough
/// for the strings dialog state keeps for the whole call (an IPv4 host
/// counts 15, a port 5: no writing out to measure).
pub(crate) fn uri_len(u: &Uri<'_>) -> usize {
    let opt = |x: Option<&str>| x.map_or(0, |x| x.len() + 1);
    let params = |p: &str| if p.is_empty() { 0 } else { p.len() + 1 };
    match u {
        Uri::Sip(u) => {
            let host = match &u.host {
                Host::Name(n) => n.len(),
                Host::V4(_) => 15,
                Host::V6(_) => 41,
            };
            5 + u.user.map_or(0, |user| user.len() + 1 + opt(u.password))
                + host
                + u.port.map_or(0, |_| 6)
                + params(u.params.as_str())
                + opt(u.headers)
        }
        Uri::Tel(t) => 4 + t.number.len() + params(t.params.as_str()),
        Uri::Other { scheme, rest } => scheme.len() + 1 + rest.len(),
    }
}

/// The URI as text.
pub(crate) fn uri_string(u: &Uri<'_>) -> String {
    let mut s = String::with_capacity(uri_len(u));
    push_uri(&mut s, u);
    s
}

/// `<uri>`.
pub(crate) fn bracketed(u: &Uri<'_>) -> String {
    let mut s = String::with_capacity(uri_len(u) + 2);
    s.push('<');
    push_uri(&mut s, u);
    s.push('>');
    s
}

/// A sent-by host as the transaction keys hold it: `Display`, lower case.
pub(crate) fn host_key(h: &Host<'_>) -> String {
    let mut s = String::with_capacity(16);
    push_host(&mut s, h);
    s.make_ascii_lowercase();
    s
}

/// [`host_key`] as a shared string, allocated once (no intermediate
/// `String` for an address or a name already in lower case).
pub(crate) fn host_key_arc(h: &Host<'_>) -> std::sync::Arc<str> {
    match h {
        Host::V4(a) => sip_proto::uri::ipv4_text(a, &mut [0; 15]).into(),
        Host::Name(n) if !n.bytes().any(|c| c.is_ascii_uppercase()) => (*n).into(),
        _ => host_key(h).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writers_match_display() {
        for text in [
            "sip:alice@atlanta.com",
            "sips:alice:secret@192.0.2.4:5061;transport=tcp;lr?subject=x&y=z",
            "sip:[2001:db8::1]:5060;maddr=239.255.255.1",
            "sip:Host.Example.COM",
            "sip:6002@192.0.2.20:65535",
            "sip:0.0.0.0:0",
            "tel:+1-201-555-0123;phone-context=x",
            "tel:7005",
            "urn:service:sos",
            "mailto:a@b",
        ] {
            let u = Uri::parse(text).unwrap();
            assert_eq!(uri_string(&u), u.to_string(), "{text}");
            let len = u.to_string().len();
            assert!((len..len + 32).contains(&uri_len(&u)), "{text}");
            assert_eq!(bracketed(&u), format!("<{u}>"));
            if let Some(s) = u.as_sip() {
                assert_eq!(host_key(&s.host), s.host.to_string().to_ascii_lowercase());
            }
        }
        for h in ["Example.COM", "example.com", "192.0.2.1", "[2001:DB8::1]"] {
            let text = format!("sip:{h}");
            let u = Uri::parse(&text).unwrap();
            let host = &u.as_sip().unwrap().host;
            assert_eq!(&*host_key_arc(host), host_key(host), "{h}");
        }
    }
}
