//! The transport rules of RFC 3261 section 18 and RFC 3581, as pure
//! functions over messages and addresses.
//!
//! The core knows three transports: UDP, TCP and TLS. TLS records are
//! encrypted and decrypted by the driver; the core sees a reliable stream,
//! exactly like TCP, and only writes `TLS` in the Via.
//!
//! Rewriting the top Via (18.1.1 transport switch, 18.2.1 `received` and
//! RFC 3581 `rport`) is done by printing the message again with a new first
//! Via value and parsing the result ([`replace_top_via`]): `sip-proto`
//! messages are immutable views over their bytes.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;
use sip_proto::headers::{TypedHeader, Via};
use sip_proto::{Host, Message, ParseError};

/// The DSCP every SIP signalling transmit carries unless configured
/// otherwise (CS5, decimal 40, as the MiVoice profile asks).
pub const DEFAULT_DSCP: u8 = 40;

/// A request larger than this many bytes goes over a congestion-controlled
/// transport when the path MTU is unknown (RFC 3261 section 18.1.1).
pub const UDP_SIZE_LIMIT: usize = 1300;

/// A transport the core can send on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Transport {
    /// Unreliable datagrams: the transaction layer retransmits.
    Udp,
    /// A reliable stream: no retransmissions, zero Timers D, I, J and K.
    Tcp,
    /// TCP with TLS done by the driver; reliable like TCP.
    Tls,
}

impl Transport {
    /// Whether the transport delivers reliably (RFC 3261 section 17: no
    /// retransmission by the transaction layer).
    pub fn is_reliable(self) -> bool {
        !matches!(self, Transport::Udp)
    }

    /// The transport token of a Via sent-protocol (section 20.42).
    pub fn via_token(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
        }
    }

    /// The transport a Via token names, case-insensitively.
    pub fn from_via_token(token: &str) -> Option<Transport> {
        [Transport::Udp, Transport::Tcp, Transport::Tls]
            .into_iter()
            .find(|t| t.via_token().eq_ignore_ascii_case(token))
    }

    /// The default port (section 18.1.1): 5060, or 5061 for TLS.
    pub fn default_port(self) -> u16 {
        match self {
            Transport::Tls => 5061,
            _ => 5060,
        }
    }
}

/// One message for the driver to put on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Transmit {
    /// UDP, or the stream (TCP/TLS) to `destination`.
    pub transport: Transport,
    /// Where to send. For a response over a reliable transport this is the
    /// far end of the connection the request came on (section 18.2.2).
    pub destination: SocketAddr,
    /// The local address to send from, when it matters: a response goes out
    /// from the address and port its request arrived on (RFC 3581 section 4).
    pub source: Option<SocketAddr>,
    /// The DSCP to mark the packet with.
    pub dscp: u8,
    /// The message bytes.
    pub data: Bytes,
}

/// The message-size rule of RFC 3261 section 18.1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SizeRule {
    /// The path MTU when known; requests within 200 bytes of it leave UDP.
    pub path_mtu: Option<usize>,
    /// Override: keep UDP whatever the size (the MiVoice profile does, as
    /// the PBX expects all signalling on UDP).
    pub keep_udp: bool,
}

impl SizeRule {
    /// The largest request that stays on UDP.
    pub fn limit(&self) -> usize {
        self.path_mtu
            .map_or(UDP_SIZE_LIMIT, |mtu| mtu.saturating_sub(200))
    }

    /// The transport to use for a request of `len` bytes that the TU asked
    /// to send over `requested`: TCP instead of UDP when the request is too
    /// large, unless the override is set.
    pub fn transport_for(&self, requested: Transport, len: usize) -> Transport {
        if requested == Transport::Udp && !self.keep_udp && len > self.limit() {
            Transport::Tcp
        } else {
            requested
        }
    }
}

/// Writes a Via value for a request this element sends (sections 8.1.1.7
/// and 18.1.1): `SIP/2.0/<transport> host[:port];branch=<branch>[;rport]`.
/// `host` is the sent-by host (an IPv6 address goes in brackets).
pub fn via_value(
    transport: Transport,
    host: &str,
    port: Option<u16>,
    branch: &str,
    rport: bool,
) -> String {
    let mut s = String::with_capacity(48 + host.len() + branch.len());
    push_via_branch_head(&mut s, transport, host, port);
    s.push_str(branch);
    if rport {
        s.push_str(";rport");
    }
    s
}

/// What [`via_value`] writes before the branch value: the protocol,
/// sent-by and `;branch=`.
pub(crate) fn push_via_branch_head(
    s: &mut String,
    transport: Transport,
    host: &str,
    port: Option<u16>,
) {
    for part in ["SIP/2.0/", transport.via_token(), " ", host] {
        s.push_str(part);
    }
    if let Some(p) = port {
        s.push(':');
        push_u16(s, p);
    }
    s.push_str(";branch=");
}

/// Characters a parameter value may hold without quotes (token and host),
/// as a table (this runs for every parameter of every stamped Via).
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'!'
                    | b'%'
                    | b'*'
                    | b'_'
                    | b'+'
                    | b'`'
                    | b'\''
                    | b'~'
                    | b':'
                    | b'['
                    | b']'
            );
        c += 1;
    }
    t
};

/// Whether a parameter value may be written without quotes.
fn plain_value(v: &str) -> bool {
    !v.is_empty() && v.bytes().all(|c| PLAIN[c as usize])
}

/// Prints `via` again with `transport` as its transport token and the
/// parameters in `set` replaced (kept in place when present, appended
/// otherwise). A `None` value writes a flag parameter.
pub fn rebuild_via(via: &Via<'_>, transport: &str, set: &[(&str, Option<&str>)]) -> String {
    // Pushed piece by piece: this runs for every request received.
    let mut s = String::with_capacity(96);
    for part in [via.protocol, "/", via.version, "/", transport, " "] {
        s.push_str(part);
    }
    match &via.host {
        Host::V4(a) => sip_proto::uri::push_ipv4(&mut s, a),
        other => {
            let _ = write!(s, "{other}");
        }
    }
    if let Some(p) = via.port {
        s.push(':');
        push_u16(&mut s, p);
    }
    // Which of `set` the Via had (a handful at most: a bit mask, no allocation).
    let mut used = 0u128;
    let set = &set[..set.len().min(128)];
    let write_param = |s: &mut String, name: &str, value: Option<&str>| {
        s.push(';');
        s.push_str(name);
        match value {
            Some(v) if plain_value(v) => {
                s.push('=');
                s.push_str(v);
            }
            Some(v) => {
                let _ = write!(s, "=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
            }
            None => {}
        }
    };
    for (name, value) in via.params.iter() {
        match set.iter().position(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some(k) if used & (1 << k) != 0 => {}
            Some(k) => {
                used |= 1 << k;
                write_param(&mut s, set[k].0, set[k].1);
            }
            None => write_param(&mut s, name, value),
        }
    }
    for (k, (name, value)) in set.iter().enumerate() {
        if used & (1 << k) == 0 {
            write_param(&mut s, name, *value);
        }
    }
    s
}

/// Prints `msg` again with its topmost Via value replaced by `new_top`, and
/// parses the result. Every Via value is written on a line of its own, at
/// the place of the first Via line; other header lines are copied as they
/// are (folding included) and Content-Length is recomputed.
pub fn replace_top_via(msg: &Message, new_top: &str) -> Result<Message, ParseError> {
    use sip_proto::HeaderName;
    let mut out = String::with_capacity(msg.as_bytes().len() + 64);
    match (msg.method(), msg.request_uri_str(), msg.status()) {
        (Some(m), Some(uri), _) => {
            let _ = write!(out, "{m} {uri} SIP/2.0\r\n");
        }
        (_, _, Some(code)) => {
            let _ = write!(out, "SIP/2.0 {code} {}\r\n", msg.reason().unwrap_or(""));
        }
        // A parsed message is a request or a response; parse a copy anyway.
        _ => return Message::parse(Bytes::copy_from_slice(msg.as_bytes())),
    }
    let mut vias_done = false;
    for f in msg.fields() {
        match f.known {
            Some(HeaderName::Via) => {
                if !vias_done {
                    vias_done = true;
                    for (i, v) in msg.values(HeaderName::Via).enumerate() {
                        let v = if i == 0 { new_top } else { v };
                        let _ = write!(out, "Via: {v}\r\n");
                    }
                }
            }
            Some(HeaderName::ContentLength) => {}
            _ => {
                let _ = write!(out, "{}: {}\r\n", f.name, f.value);
            }
        }
    }
    if !vias_done {
        let _ = write!(out, "Via: {new_top}\r\n");
    }
    let body = msg.body_bytes();
    let _ = write!(out, "Content-Length: {}\r\n\r\n", body.len());
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    Message::parse(bytes)
}

/// The source address as the Via grammar writes it in `received`
/// (no brackets for IPv6; IPv4-mapped IPv6 shown as IPv4).
fn received_text(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(a) => sip_proto::uri::ipv4_text(&a, &mut [0; 15]).to_string(),
        v6 => v6.to_string(),
    }
}

/// Appends `v` in decimal (no `fmt` machinery).
fn push_u16(s: &mut String, v: u16) {
    sip_proto::push_decimal(s, v.into());
}

/// Whether a sent-by host is the IP address `ip`.
fn host_is(host: &Host<'_>, ip: IpAddr) -> bool {
    match (host, ip.to_canonical()) {
        (Host::V4(a), IpAddr::V4(b)) => *a == b,
        (Host::V6(a), IpAddr::V6(b)) => *a == b,
        _ => false,
    }
}

/// The top Via value after RFC 3261 section 18.2.1 and RFC 3581 section 4,
/// for a request that arrived from `source`, or `None` when it needs no
/// change.
///
/// `received` is added when sent-by is a domain name or a different IP
/// address, and always when the Via asks for `rport`; an empty `rport` is
/// filled with the source port.
pub fn stamped_top_via(msg: &Message, source: SocketAddr) -> Option<String> {
    stamp_via(&msg.top_via()?, source)
}

/// [`stamped_top_via`] for the top Via `via`.
fn stamp_via(via: &Via<'_>, source: SocketAddr) -> Option<String> {
    stamp_via_as(via, source, wants_rport(via))
}

/// [`stamp_via`], given whether the Via asks for `rport` ([`wants_rport`]).
fn stamp_via_as(via: &Via<'_>, source: SocketAddr, want_rport: bool) -> Option<String> {
    let differs = !host_is(&via.host, source.ip());
    if !differs && !want_rport {
        return None;
    }
    let mut v4 = [0; 15];
    let v6;
    let received = match source.ip().to_canonical() {
        IpAddr::V4(a) => sip_proto::uri::ipv4_text(&a, &mut v4),
        ip => {
            v6 = received_text(ip);
            &v6
        }
    };
    let mut digits = [0; 20];
    let port = sip_proto::decimal_text(source.port().into(), &mut digits);
    let set = [("received", Some(received)), ("rport", Some(port))];
    let set = if want_rport { &set[..] } else { &set[..1] };
    Some(rebuild_via(via, via.transport, set))
}

/// Whether the Via asks for `rport` (RFC 3581 section 4: present, no value).
fn wants_rport(via: &Via<'_>) -> bool {
    via.params.get("rport") == Some(None)
}

/// Applies [`stamped_top_via`] to a received request: the message the TU
/// sees, and whose Via its responses copy. The new value is spliced into
/// the received bytes in place of the old one, everything else as received.
pub fn stamp_received(msg: &Message, source: SocketAddr) -> Result<Message, ParseError> {
    match stamped_top_via(msg, source) {
        Some(v) => msg.with_top_via(&v),
        None => Ok(msg.clone()),
    }
}

/// What the server transport learns from a request received over
/// `transport` from `source`: its top Via as [`stamped_top_via`] rewrites
/// it (`None` when it needs no change), and where its responses go,
/// [`response_target`] of that Via when it is an address (`None` without a
/// Via or when a name must be resolved). The new value is printed from the
/// parsed Via by [`rebuild_via`]; where it has to be read back (the target
/// of a request without an empty `rport`) and would not parse, the request
/// is treated as unstamped.
///
/// The request itself is left as received: responses get the stamped Via
/// when they are built ([`MessageBuilder::response_to_via`]), which spares
/// splicing it into the request (RFC 3261 section 18.2.1 only asks that
/// the responses carry it). A UDP request with an empty `rport` and no
/// `maddr` is answered to its source (RFC 3581 section 4) without reading
/// the new Via back.
///
/// [`MessageBuilder::response_to_via`]: sip_proto::MessageBuilder::response_to_via
pub fn receipt(
    msg: &Message,
    transport: Transport,
    source: SocketAddr,
) -> (Option<String>, Option<SocketAddr>) {
    let Some(via) = msg.top_via() else {
        return (None, None);
    };
    let addr = |t: ResponseTarget| match t {
        ResponseTarget::Addr(a) => Some(a),
        ResponseTarget::Resolve { .. } => None,
    };
    // (Read once: `rport` is rarely the first parameter, so each look is
    // a scan of the parameters.)
    let want_rport = wants_rport(&via);
    let Some(stamp) = stamp_via_as(&via, source, want_rport) else {
        return (None, addr(response_target(&via, transport, source)));
    };
    if transport.is_reliable() {
        return (Some(stamp), Some(source));
    }
    if want_rport && via.maddr().is_none() {
        // received = the source's address as the Via writes it
        let ip = source.ip().to_canonical();
        return (Some(stamp), Some(SocketAddr::new(ip, source.port())));
    }
    let to = match Via::parse(&stamp) {
        Ok(v) => addr(response_target(&v, transport, source)),
        Err(_) => return (None, addr(response_target(&via, transport, source))),
    };
    (Some(stamp), to)
}

/// Where a response goes (RFC 3261 section 18.2.2 with RFC 3581 section 4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResponseTarget {
    /// Send to this address (for a reliable transport: the connection whose
    /// far end this is).
    Addr(SocketAddr),
    /// Needs the server procedures of RFC 3263 section 5 (a host name in
    /// sent-by or maddr): the driver resolves it.
    Resolve {
        /// The host to resolve.
        host: String,
        /// The port to use.
        port: u16,
    },
}

fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(s);
    s.parse().ok()
}

/// The destination of a response whose top Via is `via`, to a request
/// received over `transport` from `source` (section 18.2.2):
///
/// 1. reliable transport: the connection the request came on (`source`);
/// 2. `maddr`: that address, port of sent-by or 5060;
/// 3. `received` and a valued `rport`: those (RFC 3581);
/// 4. `received`: that address, port of sent-by or 5060;
/// 5. otherwise sent-by (resolved per RFC 3263 section 5 if a name).
pub fn response_target(via: &Via<'_>, transport: Transport, source: SocketAddr) -> ResponseTarget {
    if transport.is_reliable() {
        return ResponseTarget::Addr(source);
    }
    let port = via.port.unwrap_or(5060);
    if let Some(maddr) = via.maddr() {
        return match parse_ip(maddr) {
            Some(ip) => ResponseTarget::Addr(SocketAddr::new(ip, port)),
            None => ResponseTarget::Resolve {
                host: maddr.to_owned(),
                port,
            },
        };
    }
    if let Some(ip) = via.received().and_then(parse_ip) {
        let port = match via.rport() {
            Some(Some(rport)) => rport,
            _ => port,
        };
        return ResponseTarget::Addr(SocketAddr::new(ip, port));
    }
    match via.host {
        Host::V4(a) => ResponseTarget::Addr(SocketAddr::new(IpAddr::V4(a), port)),
        Host::V6(a) => ResponseTarget::Addr(SocketAddr::new(IpAddr::V6(a), port)),
        Host::Name(n) => ResponseTarget::Resolve {
            host: n.to_owned(),
            port,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(via: &str) -> Message {
        Message::parse(
            format!(
                "INVITE sip:bob@biloxi.com SIP/2.0\r\nVia: {via}\r\nVia: SIP/2.0/UDP second.example.com\r\n\
                 To: <sip:bob@biloxi.com>\r\nFrom: <sip:a@b>;tag=1\r\nCall-ID: x\r\n\
                 CSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n"
            )
            .into_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn received_added_for_domain_sent_by() {
        // The example of RFC 3261 section 18.2.1.
        let m = req("SIP/2.0/UDP bobspc.biloxi.com:5060");
        let src: SocketAddr = "192.0.2.4:5060".parse().unwrap();
        let s = stamp_received(&m, src).unwrap();
        assert_eq!(
            s.values(sip_proto::HeaderName::Via).next(),
            Some("SIP/2.0/UDP bobspc.biloxi.com:5060;received=192.0.2.4")
        );
        assert_eq!(s.vias().count(), 2);
        assert_eq!(s.body_bytes(), b"v=0\n");
        assert_eq!(s.cseq(), m.cseq());
    }

    #[test]
    fn rport_filled_and_received_forced() {
        // RFC 3581 section 4: received even when equal to sent-by.
        let m = req("SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff");
        let s = stamped_top_via(&m, "10.1.1.1:4540".parse().unwrap()).unwrap();
        assert_eq!(
            s,
            "SIP/2.0/UDP 10.1.1.1:4540;rport=4540;branch=z9hG4bKkjshdyff;received=10.1.1.1"
        );
        let s = stamped_top_via(&m, "192.0.2.1:9988".parse().unwrap()).unwrap();
        assert_eq!(
            s,
            "SIP/2.0/UDP 10.1.1.1:4540;rport=9988;branch=z9hG4bKkjshdyff;received=192.0.2.1"
        );
        // Same address, no rport: untouched.
        let m = req("SIP/2.0/UDP 10.1.1.1:4540;branch=z9hG4bKkjshdyff");
        assert_eq!(stamped_top_via(&m, "10.1.1.1:4540".parse().unwrap()), None);
    }

    #[test]
    fn receipt_is_stamp_then_response_target() {
        let vias = [
            "SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKa",
            "SIP/2.0/UDP 10.1.1.1:4540;branch=z9hG4bKa",
            "SIP/2.0/UDP 10.1.1.1;branch=z9hG4bKa;rport",
            "SIP/2.0/UDP host.example.com:4540;rport;branch=z9hG4bKa",
            "SIP/2.0/UDP host.example.com;branch=z9hG4bKa",
            "SIP/2.0/UDP 10.1.1.1:4540;rport=7000;branch=z9hG4bKa",
            "SIP/2.0/UDP 10.1.1.1:4540;rport;maddr=239.1.1.1;branch=z9hG4bKa",
            "SIP/2.0/UDP 10.1.1.1:4540;rport;maddr=mc.example.com;branch=z9hG4bKa",
            "SIP/2.0/UDP [2001:db8::1]:4540;rport;branch=z9hG4bKa",
            "SIP/2.0/UDP [2001:db8::1];branch=z9hG4bKa",
            "SIP/2.0/UDP 10.1.1.1:4540;received=192.0.2.9;branch=z9hG4bKa",
        ];
        let sources = [
            "10.1.1.1:4540",
            "192.0.2.1:9988",
            "[2001:db8::1]:4540",
            "[2001:db8::2]:5062",
            "[::ffff:192.0.2.1]:9988",
        ];
        for via in vias {
            let m = req(via);
            for src in sources {
                let src: SocketAddr = src.parse().unwrap();
                for t in [Transport::Udp, Transport::Tcp, Transport::Tls] {
                    // the old way: the stamp spliced into the request, the
                    // target read from the request's new top Via
                    let stamped = stamp_received(&m, src).unwrap();
                    let target = match stamped.top_via().map(|v| response_target(&v, t, src)) {
                        Some(ResponseTarget::Addr(a)) => Some(a),
                        _ => None,
                    };
                    let (stamp, to) = receipt(&m, t, src);
                    let top = stamped.values(sip_proto::HeaderName::Via).next();
                    let changed = top != m.values(sip_proto::HeaderName::Via).next();
                    assert_eq!(stamp.is_some(), changed, "{via} from {src}");
                    if let Some(s) = &stamp {
                        assert_eq!(Some(s.as_str()), top, "{via} from {src}");
                    }
                    assert_eq!(to, target, "{via} from {src} over {t:?}");
                }
            }
        }
    }

    #[test]
    fn size_rule() {
        let r = SizeRule::default();
        assert_eq!(r.transport_for(Transport::Udp, 1300), Transport::Udp);
        assert_eq!(r.transport_for(Transport::Udp, 1301), Transport::Tcp);
        assert_eq!(r.transport_for(Transport::Tls, 9000), Transport::Tls);
        let keep = SizeRule {
            keep_udp: true,
            ..r
        };
        assert_eq!(keep.transport_for(Transport::Udp, 9000), Transport::Udp);
        let mtu = SizeRule {
            path_mtu: Some(1000),
            ..r
        };
        assert_eq!(mtu.transport_for(Transport::Udp, 801), Transport::Tcp);
        assert_eq!(mtu.transport_for(Transport::Udp, 800), Transport::Udp);
    }

    #[test]
    fn plain_values_are_tokens_and_hosts() {
        for c in 0..=255u8 {
            let old = c.is_ascii_alphanumeric() || b"-.!%*_+`'~:[]".contains(&c);
            assert_eq!(PLAIN[c as usize], old, "{c}");
        }
        assert!(!plain_value(""));
        assert!(plain_value("z9hG4bK-1.2"));
        assert!(!plain_value("a b"));
    }

    #[test]
    fn quoted_params_survive() {
        let m = req("SIP/2.0/UDP h;branch=z9hG4bK1;x=\"a b\"");
        let v = m.top_via().unwrap();
        assert_eq!(
            rebuild_via(&v, "TCP", &[]),
            "SIP/2.0/TCP h;branch=z9hG4bK1;x=\"a b\""
        );
    }
}
