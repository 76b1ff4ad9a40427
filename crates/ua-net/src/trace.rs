//! A SIP trace: every message the driver sends and receives, written as a
//! pcap file (raw IP link type) that Wireshark and tshark open, and
//! optionally as text to the log (`tracing` at debug level, target
//! `ua_net::trace`).
//!
//! The file format is written by the `pcap-file` crate and each message is
//! wrapped in IPv4/IPv6 and UDP or TCP headers by `etherparse`, with the
//! real addresses and ports of the exchange. TCP bytes carry sequence
//! numbers counted per direction, so a dissector reassembles messages that
//! arrived in pieces; the handshake is not recorded.

use std::collections::BTreeMap;
use std::fs::File;
use std::net::SocketAddr;
use std::path::Path;
use std::time::SystemTime;

use pcap_file::DataLink;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};

/// A pcap file being written.
pub struct SipTrace {
    writer: PcapWriter<File>,
    packets: u64,
    /// Next TCP sequence number per direction (from, to).
    seq: BTreeMap<(SocketAddr, SocketAddr), u32>,
}

impl std::fmt::Debug for SipTrace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipTrace")
            .field("packets", &self.packets)
            .finish()
    }
}

impl SipTrace {
    /// Creates (truncates) `path` and writes the pcap header.
    pub fn create(path: impl AsRef<Path>) -> std::io::Result<SipTrace> {
        // Unbuffered: SIP is a few messages a second, and the file is whole
        // at every moment (a killed process leaves a readable trace).
        let file = File::create(path)?;
        let header = PcapHeader {
            datalink: DataLink::RAW,
            endianness: pcap_file::Endianness::native(),
            ..Default::default()
        };
        let writer = PcapWriter::with_header(file, header).map_err(std::io::Error::other)?;
        Ok(SipTrace {
            writer,
            packets: 0,
            seq: BTreeMap::new(),
        })
    }

    /// Records one UDP datagram from `from` to `to`.
    pub fn record(&mut self, from: SocketAddr, to: SocketAddr, data: &[u8]) {
        if tracing::enabled!(target: "ua_net::trace", tracing::Level::DEBUG) {
            tracing::debug!(
                target: "ua_net::trace",
                "{from} -> {to}\n{}",
                String::from_utf8_lossy(data)
            );
        }
        let packet = match ip_udp(from, to, data) {
            Some(p) => p,
            None => return,
        };
        self.write(&packet);
    }

    /// Records bytes sent on the TCP connection from `from` to `to`.
    pub fn record_stream(&mut self, from: SocketAddr, to: SocketAddr, data: &[u8]) {
        if tracing::enabled!(target: "ua_net::trace", tracing::Level::DEBUG) {
            tracing::debug!(
                target: "ua_net::trace",
                "{from} -> {to} (TCP)\n{}",
                String::from_utf8_lossy(data)
            );
        }
        if self.seq.len() > 4096 {
            // Long runs with many connections: forget old counters (a
            // dissector then sees a jump, not a wrong message).
            self.seq.clear();
        }
        // Each connection starts at 1 (as if its SYN took 0).
        let ack = *self.seq.get(&(to, from)).unwrap_or(&1);
        let seq = self.seq.entry((from, to)).or_insert(1);
        let this = *seq;
        *seq = seq.wrapping_add(data.len() as u32);
        // Segments as large as an IPv4 packet allows.
        for (i, chunk) in data.chunks(65_000).enumerate() {
            let s = this.wrapping_add((i * 65_000) as u32);
            if let Some(p) = ip_tcp(from, to, s, ack, chunk) {
                self.write(&p);
            }
        }
    }

    fn write(&mut self, packet: &[u8]) {
        let ts = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        let pkt = PcapPacket::new(ts, packet.len() as u32, packet);
        match self.writer.write_packet(&pkt) {
            Ok(_) => self.packets += 1,
            Err(e) => tracing::warn!("SIP trace write failed: {e}"),
        }
    }

    /// Packets written so far.
    pub fn packets(&self) -> u64 {
        self.packets
    }
}

/// `data` in a TCP segment (PSH, ACK) in IP.
fn ip_tcp(from: SocketAddr, to: SocketAddr, seq: u32, ack: u32, data: &[u8]) -> Option<Vec<u8>> {
    use etherparse::PacketBuilder;
    let builder = match (from, to) {
        (SocketAddr::V4(f), SocketAddr::V4(t)) => PacketBuilder::ipv4(
            f.ip().octets(),
            t.ip().octets(),
            64,
        )
        .tcp(f.port(), t.port(), seq, 65_535),
        (SocketAddr::V6(f), SocketAddr::V6(t)) => PacketBuilder::ipv6(
            f.ip().octets(),
            t.ip().octets(),
            64,
        )
        .tcp(f.port(), t.port(), seq, 65_535),
        _ => return None,
    };
    let builder = builder.psh().ack(ack);
    let mut out = Vec::with_capacity(builder.size(data.len()));
    builder.write(&mut out, data).ok()?;
    Some(out)
}

/// `data` in UDP in IP, as it was on the wire (mixed families cannot be
/// written and are skipped).
fn ip_udp(from: SocketAddr, to: SocketAddr, data: &[u8]) -> Option<Vec<u8>> {
    use etherparse::PacketBuilder;
    let builder = match (from, to) {
        (SocketAddr::V4(f), SocketAddr::V4(t)) => {
            PacketBuilder::ipv4(f.ip().octets(), t.ip().octets(), 64).udp(f.port(), t.port())
        }
        (SocketAddr::V6(f), SocketAddr::V6(t)) => {
            PacketBuilder::ipv6(f.ip().octets(), t.ip().octets(), 64).udp(f.port(), t.port())
        }
        _ => return None,
    };
    let mut out = Vec::with_capacity(builder.size(data.len()));
    builder.write(&mut out, data).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_read_back_as_ip_udp_with_the_addresses() {
        let path = std::env::temp_dir().join(format!("ua-net-trace-{}.pcap", std::process::id()));
        let a: SocketAddr = "127.0.0.1:5062".parse().unwrap();
        let b: SocketAddr = "127.0.0.1:5060".parse().unwrap();
        {
            let mut t = SipTrace::create(&path).unwrap();
            t.record(a, b, b"OPTIONS sip:x@y SIP/2.0\r\n\r\n");
            t.record(b, a, b"SIP/2.0 200 OK\r\n\r\n");
            assert_eq!(t.packets(), 2);
        }
        let mut r = pcap_file::pcap::PcapReader::new(File::open(&path).unwrap()).unwrap();
        assert_eq!(r.header().datalink, DataLink::RAW);
        let p = r.next_packet().unwrap().unwrap();
        let s = etherparse::SlicedPacket::from_ip(&p.data).unwrap();
        match s.transport {
            Some(etherparse::TransportSlice::Udp(u)) => {
                assert_eq!((u.source_port(), u.destination_port()), (5062, 5060));
                assert!(u.payload().starts_with(b"OPTIONS"));
            }
            other => panic!("{other:?}"),
        }
        assert!(r.next_packet().unwrap().is_ok());
        assert!(r.next_packet().is_none());
        std::fs::remove_file(&path).ok();
    }
}
