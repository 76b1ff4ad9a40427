//! A SIP trace: every message the driver sends and receives, written as a
//! pcap file (raw IP link type) that Wireshark and tshark open, and
//! optionally as text to the log (`tracing` at debug level, target
//! `ua_net::trace`).
//!
//! The file format is written by the `pcap-file` crate and each message is
//! wrapped in IPv4/IPv6 and UDP headers by `etherparse`, with the real
//! addresses and ports of the exchange.

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
        Ok(SipTrace { writer, packets: 0 })
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
        let ts = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        let pkt = PcapPacket::new(ts, packet.len() as u32, &packet);
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
