//! `sipua parse FILE...`: the sipcheck lint over captured SIP.
//!
//! A file is either one SIP message (as the RFC 4475 torture files are) or
//! a pcap capture (`--trace` output, tcpdump, tshark; raw IP or Ethernet
//! link types). In a capture every UDP payload is one message, and the TCP
//! payloads of each direction are joined and framed by Content-Length
//! (RFC 3261 section 18.3) before each message is checked.
//!
//! Each message gets [`sip_proto::lint`]: it must frame and parse, every
//! header the stack knows must parse, and a request must carry the
//! mandatory headers (section 8.1.1).
//! One line per message: `OK <where> <METHOD|status> headers=<n> body=<n>`
//! or `ERR <where>: <error>`; `<where>` is the file, followed by `#<n>`
//! (the packet number, from 1) for a capture.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use bytes::Bytes;
use sip_proto::framer::{Frame, Framer};

/// Checks `files`; `true` when every message in them passed.
pub fn run(files: &[std::path::PathBuf]) -> bool {
    let mut ok = true;
    for file in files {
        for (place, result) in check_file(file) {
            match result {
                Ok(line) => println!("OK {place} {line}"),
                Err(e) => {
                    println!("ERR {place}: {e}");
                    ok = false;
                }
            }
        }
    }
    ok
}

/// The verdict on each message of `path`, with where it was.
pub fn check_file(path: &Path) -> Vec<(String, Result<String, String>)> {
    let name = path.display().to_string();
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => return vec![(name, Err(format!("cannot read: {e}")))],
    };
    if is_pcap(&data) {
        match capture_messages(&data) {
            Ok(msgs) if msgs.is_empty() => {
                vec![(name, Err("no SIP message in the capture".into()))]
            }
            Ok(msgs) => msgs
                .into_iter()
                .map(|(n, m)| (format!("{name}#{n}"), m.and_then(check)))
                .collect(),
            Err(e) => vec![(name, Err(e))],
        }
    } else {
        vec![(name, check(Bytes::from(data)))]
    }
}

/// The lint of one message ([`sip_proto::lint`]): its summary, or what is
/// wrong.
pub fn check(data: Bytes) -> Result<String, String> {
    sip_proto::lint::check(data)
        .map(|m| sip_proto::lint::summary(&m))
        .map_err(|e| e.to_string())
}

/// Both pcap byte orders, micro- and nanosecond timestamps.
fn is_pcap(data: &[u8]) -> bool {
    matches!(
        data.get(..4),
        Some([0xd4, 0xc3, 0xb2, 0xa1] | [0xa1, 0xb2, 0xc3, 0xd4] | [0x4d, 0x3c, 0xb2, 0xa1])
            | Some([0xa1, 0xb2, 0x3c, 0x4d])
    )
}

/// Packets of a capture that are SIP messages: UDP payloads that are not
/// keep-alives, and whole messages framed from each TCP direction.
/// Numbered by packet (for TCP, the packet that completed the message).
type Numbered = Vec<(usize, Result<Bytes, String>)>;

fn capture_messages(data: &[u8]) -> Result<Numbered, String> {
    use pcap_file::DataLink;
    use pcap_file::pcap::PcapReader;
    let mut reader = PcapReader::new(data).map_err(|e| format!("pcap: {e}"))?;
    let link = reader.header().datalink;
    let mut out = Vec::new();
    let mut streams: BTreeMap<(SocketAddr, SocketAddr), Framer> = BTreeMap::new();
    let mut n = 0;
    while let Some(p) = reader.next_packet() {
        n += 1;
        let p = p.map_err(|e| format!("pcap packet {n}: {e}"))?;
        let sliced = match link {
            DataLink::ETHERNET => etherparse::SlicedPacket::from_ethernet(&p.data),
            DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => {
                etherparse::SlicedPacket::from_ip(&p.data)
            }
            DataLink::LINUX_SLL => etherparse::SlicedPacket::from_linux_sll(&p.data),
            other => return Err(format!("pcap link type {other:?} is not read")),
        };
        let Ok(s) = sliced else { continue };
        let Some((src, dst)) = addresses(&s) else {
            continue;
        };
        match s.transport {
            Some(etherparse::TransportSlice::Udp(u)) => {
                let payload = u.payload();
                // Keep-alives (CRLF, empty, STUN) are not messages.
                if payload.iter().all(|b| b.is_ascii_whitespace())
                    || !payload[0].is_ascii_alphabetic()
                {
                    continue;
                }
                out.push((n, Ok(Bytes::copy_from_slice(payload))));
            }
            Some(etherparse::TransportSlice::Tcp(t)) if !t.payload().is_empty() => {
                let framer = streams.entry((src, dst)).or_default();
                framer.push(t.payload());
                while let Some(f) = framer.next_frame() {
                    match f {
                        Ok(Frame::Message(m)) => out.push((n, Ok(m))),
                        Ok(_) => {}
                        Err(e) => {
                            out.push((n, Err(format!("TCP {src} -> {dst}: {e}"))));
                            streams.remove(&(src, dst));
                            break;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn addresses(s: &etherparse::SlicedPacket<'_>) -> Option<(SocketAddr, SocketAddr)> {
    let (src, dst): (std::net::IpAddr, std::net::IpAddr) = match &s.net {
        Some(etherparse::InternetSlice::Ipv4(ip)) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        Some(etherparse::InternetSlice::Ipv6(ip)) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        _ => return None,
    };
    let (sp, dp) = match &s.transport {
        Some(etherparse::TransportSlice::Udp(u)) => (u.source_port(), u.destination_port()),
        Some(etherparse::TransportSlice::Tcp(t)) => (t.source_port(), t.destination_port()),
        _ => return None,
    };
    Some((SocketAddr::new(src, sp), SocketAddr::new(dst, dp)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &str = "INVITE sip:bob@example.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n\
        Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\n\
        From: <sip:alice@example.com>;tag=1928301774\r\nCall-ID: a84b4c76e66710\r\n\
        CSeq: 314159 INVITE\r\nContact: <sip:alice@192.0.2.1>\r\nContent-Length: 0\r\n\r\n";

    #[test]
    fn a_good_message_passes_and_a_bad_one_says_why() {
        assert_eq!(
            check(Bytes::from_static(INVITE.as_bytes())).unwrap(),
            "INVITE headers=8 body=0"
        );
        let no_callid = INVITE.replace("Call-ID: a84b4c76e66710\r\n", "");
        let e = check(Bytes::from(no_callid)).unwrap_err();
        assert!(e.to_lowercase().contains("call-id"), "{e}");
        let bad_cseq = INVITE.replace("CSeq: 314159 INVITE", "CSeq: x INVITE");
        assert!(check(Bytes::from(bad_cseq)).is_err());
    }

    /// A trace written by ua-net (UDP datagrams and a TCP message split in
    /// two segments) reads back message by message.
    #[test]
    fn captures_are_read_per_udp_datagram_and_per_framed_tcp_message() {
        let path = std::env::temp_dir().join(format!("sipua-lint-{}.pcap", std::process::id()));
        let a: SocketAddr = "127.0.0.1:5062".parse().unwrap();
        let b: SocketAddr = "127.0.0.1:5060".parse().unwrap();
        {
            let mut t = ua_net::trace::SipTrace::create(&path).unwrap();
            t.record(a, b, INVITE.as_bytes());
            t.record(a, b, b"\r\n\r\n");
            let (x, y) = INVITE.as_bytes().split_at(100);
            t.record_stream(a, b, x);
            t.record_stream(a, b, y);
            t.record(a, b, INVITE.replace("CSeq: 314159", "CSeq: x").as_bytes());
        }
        let got = check_file(&path);
        std::fs::remove_file(&path).ok();
        let places: Vec<&str> = got
            .iter()
            .map(|(p, _)| p.rsplit('#').next().unwrap())
            .collect();
        assert_eq!(places, ["1", "4", "5"], "{got:?}");
        assert!(got[0].1.is_ok() && got[1].1.is_ok(), "{got:?}");
        assert!(got[2].1.is_err(), "{got:?}");
    }
}
