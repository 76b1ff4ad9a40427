//! RTCP (RFC 3550 section 6): sender and receiver reports, SDES CNAME, BYE,
//! compound packets.
//!
//! RTCP runs at a few packets per second, so the parsed form is owned
//! ([`RtcpPacket`]); parsing still never panics and checks the compound
//! validity rules of RFC 3550 appendix A.2. APP (204) and packet types this
//! crate does not interpret (feedback, XR) are reported as
//! [`RtcpPacket::Other`] and skipped.

use thiserror::Error;

/// RTCP packet type SR (RFC 3550 section 12.1).
pub const PT_SR: u8 = 200;
/// RTCP packet type RR.
pub const PT_RR: u8 = 201;
/// RTCP packet type SDES.
pub const PT_SDES: u8 = 202;
/// RTCP packet type BYE.
pub const PT_BYE: u8 = 203;
/// RTCP packet type APP.
pub const PT_APP: u8 = 204;
/// SDES item type CNAME (section 6.5.1).
pub const SDES_CNAME: u8 = 1;

/// Why a datagram is not a valid compound RTCP packet, or cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Error)]
pub enum RtcpError {
    /// Fewer bytes than a part needs.
    #[error("RTCP truncated at byte {offset}: {what} needs {need} bytes, {have} remain")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Offset of that part.
        offset: usize,
        /// Bytes needed.
        need: usize,
        /// Bytes remaining.
        have: usize,
    },
    /// Version not 2.
    #[error("RTCP version {version} at byte {offset} (expected 2)")]
    BadVersion {
        /// Version found.
        version: u8,
        /// Offset of the packet header.
        offset: usize,
    },
    /// A compound packet must start with SR or RR (appendix A.2).
    #[error("compound RTCP starts with packet type {0}, not SR or RR")]
    FirstNotReport(u8),
    /// Only the last packet of a compound may be padded (appendix A.2).
    #[error("RTCP packet at byte {0} has the padding bit but is not the last")]
    PaddingNotLast(usize),
    /// Padding count is zero or larger than the packet body.
    #[error("RTCP padding count {count} at byte {offset} is invalid")]
    BadPadding {
        /// Padding count octet.
        count: u8,
        /// Its offset.
        offset: usize,
    },
    /// The report count does not fit the packet length.
    #[error("RTCP packet at byte {offset}: {count} items do not fit its length")]
    CountMismatch {
        /// Offset of the packet header.
        offset: usize,
        /// The count field.
        count: u8,
    },
    /// More than 31 items (5-bit count) in one packet to write.
    #[error("{0} items in one RTCP packet; at most 31 fit")]
    TooManyItems(usize),
    /// An SDES/BYE text is longer than 255 bytes.
    #[error("RTCP text of {0} bytes is longer than 255")]
    TextTooLong(usize),
    /// Empty input.
    #[error("empty RTCP datagram")]
    Empty,
}

/// One reception report block (section 6.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ReportBlock {
    /// SSRC of the source reported on.
    pub ssrc: u32,
    /// Fraction lost since the last report, in 1/256.
    pub fraction_lost: u8,
    /// Cumulative packets lost (signed 24-bit, clamped).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received.
    pub highest_seq: u32,
    /// Interarrival jitter, RTP timestamp units.
    pub jitter: u32,
    /// Middle 32 bits of the NTP timestamp of the last SR received.
    pub last_sr: u32,
    /// Delay since the last SR, in 1/65536 s.
    pub delay_since_last_sr: u32,
}

/// Sender info of an SR (section 6.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SenderInfo {
    /// 64-bit NTP timestamp.
    pub ntp: u64,
    /// RTP timestamp for the same instant.
    pub rtp_timestamp: u32,
    /// Packets sent.
    pub packet_count: u32,
    /// Payload octets sent.
    pub octet_count: u32,
}

/// One parsed or to-be-built RTCP packet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RtcpPacket {
    /// Sender report (PT 200).
    SenderReport {
        /// Sender's SSRC.
        ssrc: u32,
        /// Sender info block.
        info: SenderInfo,
        /// Reception reports.
        reports: Vec<ReportBlock>,
    },
    /// Receiver report (PT 201).
    ReceiverReport {
        /// Reporter's SSRC.
        ssrc: u32,
        /// Reception reports.
        reports: Vec<ReportBlock>,
    },
    /// Source description (PT 202): the CNAME of each chunk (other items are
    /// skipped; a chunk without CNAME has an empty one).
    Sdes {
        /// (SSRC/CSRC, CNAME bytes) per chunk.
        chunks: Vec<(u32, Vec<u8>)>,
    },
    /// Goodbye (PT 203).
    Bye {
        /// Sources leaving.
        ssrcs: Vec<u32>,
        /// Optional reason.
        reason: Option<Vec<u8>>,
    },
    /// A packet type not interpreted here (APP, feedback, XR...), skipped.
    Other {
        /// Its packet type.
        packet_type: u8,
        /// Its length in bytes.
        len: usize,
    },
}

fn be32(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn parse_block(b: &[u8]) -> ReportBlock {
    let lost = be32(b, 4) & 0x00FF_FFFF;
    // sign-extend the 24-bit cumulative loss
    let cumulative_lost = ((lost << 8) as i32) >> 8;
    ReportBlock {
        ssrc: be32(b, 0),
        fraction_lost: b[4],
        cumulative_lost,
        highest_seq: be32(b, 8),
        jitter: be32(b, 12),
        last_sr: be32(b, 16),
        delay_since_last_sr: be32(b, 20),
    }
}

fn parse_blocks(body: &[u8], count: u8, offset: usize) -> Result<Vec<ReportBlock>, RtcpError> {
    if body.len() < 24 * count as usize {
        return Err(RtcpError::CountMismatch { offset, count });
    }
    Ok(body
        .chunks_exact(24)
        .take(count as usize)
        .map(parse_block)
        .collect())
}

/// Parses a compound RTCP packet (RFC 3550 section 6.1, validity checks of
/// appendix A.2).
pub fn parse_compound(buf: &[u8]) -> Result<Vec<RtcpPacket>, RtcpError> {
    if buf.is_empty() {
        return Err(RtcpError::Empty);
    }
    let mut out = Vec::new();
    let mut off = 0;
    while off < buf.len() {
        let have = buf.len() - off;
        if have < 4 {
            return Err(RtcpError::Truncated {
                what: "RTCP header",
                offset: off,
                need: 4,
                have,
            });
        }
        let b0 = buf[off];
        let version = b0 >> 6;
        if version != 2 {
            return Err(RtcpError::BadVersion {
                version,
                offset: off,
            });
        }
        let count = b0 & 0x1F;
        let pt = buf[off + 1];
        if off == 0 && pt != PT_SR && pt != PT_RR {
            return Err(RtcpError::FirstNotReport(pt));
        }
        let len = 4 * (u16::from_be_bytes([buf[off + 2], buf[off + 3]]) as usize + 1);
        if len > have {
            return Err(RtcpError::Truncated {
                what: "RTCP packet",
                offset: off,
                need: len,
                have,
            });
        }
        let mut body = &buf[off + 4..off + len];
        if b0 & 0x20 != 0 {
            if off + len != buf.len() {
                return Err(RtcpError::PaddingNotLast(off));
            }
            let p = buf[off + len - 1];
            if p == 0 || p as usize > body.len() {
                return Err(RtcpError::BadPadding {
                    count: p,
                    offset: off + len - 1,
                });
            }
            body = &body[..body.len() - p as usize];
        }
        let pkt = match pt {
            PT_SR => {
                if body.len() < 24 {
                    return Err(RtcpError::Truncated {
                        what: "sender info",
                        offset: off + 4,
                        need: 24,
                        have: body.len(),
                    });
                }
                let info = SenderInfo {
                    ntp: (u64::from(be32(body, 4)) << 32) | u64::from(be32(body, 8)),
                    rtp_timestamp: be32(body, 12),
                    packet_count: be32(body, 16),
                    octet_count: be32(body, 20),
                };
                RtcpPacket::SenderReport {
                    ssrc: be32(body, 0),
                    info,
                    reports: parse_blocks(&body[24..], count, off)?,
                }
            }
            PT_RR => {
                if body.len() < 4 {
                    return Err(RtcpError::Truncated {
                        what: "RR SSRC",
                        offset: off + 4,
                        need: 4,
                        have: body.len(),
                    });
                }
                RtcpPacket::ReceiverReport {
                    ssrc: be32(body, 0),
                    reports: parse_blocks(&body[4..], count, off)?,
                }
            }
            PT_SDES => RtcpPacket::Sdes {
                chunks: parse_sdes(body, count, off)?,
            },
            PT_BYE => {
                if body.len() < 4 * count as usize {
                    return Err(RtcpError::CountMismatch { offset: off, count });
                }
                let ssrcs = (0..count as usize).map(|i| be32(body, 4 * i)).collect();
                let rest = &body[4 * count as usize..];
                let reason = match rest.first() {
                    Some(&n) if n > 0 => {
                        if rest.len() < 1 + n as usize {
                            return Err(RtcpError::Truncated {
                                what: "BYE reason",
                                offset: off + 4 + 4 * count as usize,
                                need: 1 + n as usize,
                                have: rest.len(),
                            });
                        }
                        Some(rest[1..1 + n as usize].to_vec())
                    }
                    _ => None,
                };
                RtcpPacket::Bye { ssrcs, reason }
            }
            other => RtcpPacket::Other {
                packet_type: other,
                len,
            },
        };
        out.push(pkt);
        off += len;
    }
    Ok(out)
}

fn parse_sdes(body: &[u8], count: u8, offset: usize) -> Result<Vec<(u32, Vec<u8>)>, RtcpError> {
    let mut chunks = Vec::with_capacity(count as usize);
    let mut i = 0;
    for _ in 0..count {
        if body.len() < i + 4 {
            return Err(RtcpError::CountMismatch { offset, count });
        }
        let ssrc = be32(body, i);
        i += 4;
        let mut cname = Vec::new();
        loop {
            let Some(&ty) = body.get(i) else {
                return Err(RtcpError::Truncated {
                    what: "SDES item",
                    offset: offset + 4 + i,
                    need: 1,
                    have: 0,
                });
            };
            if ty == 0 {
                // end of list; skip to the next 32-bit boundary
                i = (i + 4) & !3;
                break;
            }
            let Some(&n) = body.get(i + 1) else {
                return Err(RtcpError::Truncated {
                    what: "SDES item length",
                    offset: offset + 4 + i,
                    need: 2,
                    have: 1,
                });
            };
            let end = i + 2 + n as usize;
            if end > body.len() {
                return Err(RtcpError::Truncated {
                    what: "SDES item text",
                    offset: offset + 4 + i,
                    need: 2 + n as usize,
                    have: body.len() - i,
                });
            }
            if ty == SDES_CNAME {
                cname = body[i + 2..end].to_vec();
            }
            i = end;
        }
        chunks.push((ssrc, cname));
    }
    Ok(chunks)
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_block(out: &mut Vec<u8>, b: &ReportBlock) {
    put32(out, b.ssrc);
    let lost = b.cumulative_lost.clamp(-0x80_0000, 0x7F_FFFF) as u32 & 0x00FF_FFFF;
    put32(out, (u32::from(b.fraction_lost) << 24) | lost);
    put32(out, b.highest_seq);
    put32(out, b.jitter);
    put32(out, b.last_sr);
    put32(out, b.delay_since_last_sr);
}

/// Appends one packet to `out` (RFC 3550 sections 6.4-6.6).
pub fn write_packet(p: &RtcpPacket, out: &mut Vec<u8>) -> Result<(), RtcpError> {
    let start = out.len();
    let (count, pt) = match p {
        RtcpPacket::SenderReport {
            ssrc,
            info,
            reports,
        } => {
            check_count(reports.len())?;
            out.extend_from_slice(&[0; 4]);
            put32(out, *ssrc);
            put32(out, (info.ntp >> 32) as u32);
            put32(out, info.ntp as u32);
            put32(out, info.rtp_timestamp);
            put32(out, info.packet_count);
            put32(out, info.octet_count);
            reports.iter().for_each(|b| put_block(out, b));
            (reports.len(), PT_SR)
        }
        RtcpPacket::ReceiverReport { ssrc, reports } => {
            check_count(reports.len())?;
            out.extend_from_slice(&[0; 4]);
            put32(out, *ssrc);
            reports.iter().for_each(|b| put_block(out, b));
            (reports.len(), PT_RR)
        }
        RtcpPacket::Sdes { chunks } => {
            check_count(chunks.len())?;
            if let Some((_, c)) = chunks.iter().find(|(_, c)| c.len() > 255) {
                return Err(RtcpError::TextTooLong(c.len()));
            }
            out.extend_from_slice(&[0; 4]);
            for (ssrc, cname) in chunks {
                put32(out, *ssrc);
                out.push(SDES_CNAME);
                out.push(cname.len() as u8);
                out.extend_from_slice(cname);
                // null item(s) to the next 32-bit boundary (at least one)
                out.push(0);
                while (out.len() - start) % 4 != 0 {
                    out.push(0);
                }
            }
            (chunks.len(), PT_SDES)
        }
        RtcpPacket::Bye { ssrcs, reason } => {
            check_count(ssrcs.len())?;
            out.extend_from_slice(&[0; 4]);
            ssrcs.iter().for_each(|s| put32(out, *s));
            if let Some(r) = reason {
                if r.len() > 255 {
                    out.truncate(start);
                    return Err(RtcpError::TextTooLong(r.len()));
                }
                out.push(r.len() as u8);
                out.extend_from_slice(r);
                while (out.len() - start) % 4 != 0 {
                    out.push(0);
                }
            }
            (ssrcs.len(), PT_BYE)
        }
        RtcpPacket::Other { .. } => return Ok(()),
    };
    let words = ((out.len() - start) / 4 - 1) as u16;
    out[start] = 0x80 | count as u8;
    out[start + 1] = pt;
    out[start + 2..start + 4].copy_from_slice(&words.to_be_bytes());
    Ok(())
}

fn check_count(n: usize) -> Result<(), RtcpError> {
    if n > 31 {
        Err(RtcpError::TooManyItems(n))
    } else {
        Ok(())
    }
}

/// Builds a compound packet from `packets` (the caller puts SR or RR first,
/// then SDES, as section 6.1 requires).
pub fn write_compound(packets: &[RtcpPacket]) -> Result<Vec<u8>, RtcpError> {
    let mut out = Vec::with_capacity(128);
    for p in packets {
        write_packet(p, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Vec<RtcpPacket> {
        vec![
            RtcpPacket::SenderReport {
                ssrc: 1,
                info: SenderInfo {
                    ntp: 0x0102_0304_0506_0708,
                    rtp_timestamp: 9,
                    packet_count: 10,
                    octet_count: 11,
                },
                reports: vec![ReportBlock {
                    ssrc: 2,
                    fraction_lost: 3,
                    cumulative_lost: -5,
                    highest_seq: 70000,
                    jitter: 12,
                    last_sr: 13,
                    delay_since_last_sr: 14,
                }],
            },
            RtcpPacket::Sdes {
                chunks: vec![(1, b"user@host".to_vec()), (7, b"abc".to_vec())],
            },
            RtcpPacket::Bye {
                ssrcs: vec![1],
                reason: Some(b"hangup".to_vec()),
            },
        ]
    }

    #[test]
    fn compound_round_trip() {
        let pk = sample();
        let bytes = write_compound(&pk).unwrap();
        assert_eq!(bytes.len() % 4, 0);
        assert_eq!(parse_compound(&bytes).unwrap(), pk);
    }

    #[test]
    fn rr_then_app_skipped() {
        let mut bytes = write_compound(&[RtcpPacket::ReceiverReport {
            ssrc: 5,
            reports: vec![],
        }])
        .unwrap();
        bytes.extend_from_slice(&[0x80, PT_APP, 0, 2, 0, 0, 0, 5, b'n', b'a', b'm', b'e']);
        let p = parse_compound(&bytes).unwrap();
        assert_eq!(
            p[1],
            RtcpPacket::Other {
                packet_type: PT_APP,
                len: 12
            }
        );
    }

    #[test]
    fn rejects_invalid_compounds() {
        assert_eq!(parse_compound(&[]), Err(RtcpError::Empty));
        let sdes = write_compound(&[RtcpPacket::Sdes {
            chunks: vec![(1, vec![])],
        }])
        .unwrap();
        assert_eq!(
            parse_compound(&sdes),
            Err(RtcpError::FirstNotReport(PT_SDES))
        );
        let mut rr = write_compound(&[RtcpPacket::ReceiverReport {
            ssrc: 5,
            reports: vec![],
        }])
        .unwrap();
        rr[0] |= 1; // claims one report block
        assert!(matches!(
            parse_compound(&rr),
            Err(RtcpError::CountMismatch { .. })
        ));
        rr[0] = 0x40;
        assert!(matches!(
            parse_compound(&rr),
            Err(RtcpError::BadVersion { version: 1, .. })
        ));
        let mut both = write_compound(&[
            RtcpPacket::ReceiverReport {
                ssrc: 5,
                reports: vec![],
            },
            RtcpPacket::Bye {
                ssrcs: vec![5],
                reason: None,
            },
        ])
        .unwrap();
        both[0] |= 0x20;
        assert_eq!(parse_compound(&both), Err(RtcpError::PaddingNotLast(0)));
        both[0] &= !0x20;
        assert!(matches!(
            parse_compound(&both[..10]),
            Err(RtcpError::Truncated { .. })
        ));
    }

    proptest! {
        #[test]
        fn parse_never_panics(mut data in proptest::collection::vec(any::<u8>(), 0..128)) {
            if data.len() > 2 { data[0] = 0x80 | (data[0] & 0x3F); data[1] = 200 + data[1] % 2; }
            let _ = parse_compound(&data);
        }

        #[test]
        fn rr_round_trip(ssrc: u32, blocks in proptest::collection::vec((any::<u32>(), any::<u8>(), -0x80_0000i32..0x80_0000, any::<u32>()), 0..31)) {
            let reports: Vec<_> = blocks.iter().map(|&(s, f, l, h)| ReportBlock { ssrc: s, fraction_lost: f, cumulative_lost: l, highest_seq: h, ..Default::default() }).collect();
            let p = vec![RtcpPacket::ReceiverReport { ssrc, reports }];
            prop_assert_eq!(parse_compound(&write_compound(&p).unwrap()).unwrap(), p);
        }
    }
}
