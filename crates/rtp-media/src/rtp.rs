//! RTP data packets (RFC 3550 section 5.1, profile RFC 3551).
//!
//! [`RtpPacket`] is a borrowed, validated, zero-copy view over a datagram:
//! [`RtpPacket::parse`] checks the fixed header, CSRC list, header extension
//! (section 5.3.1) and padding (section 5.1, `P` bit) once, then every
//! accessor is O(1) and allocation-free. [`RtpHeader`] writes a packet into a
//! caller-supplied buffer.

use thiserror::Error;

/// Length of the fixed RTP header (RFC 3550 section 5.1).
pub const FIXED_HEADER_LEN: usize = 12;
/// The only RTP version this crate speaks.
pub const RTP_VERSION: u8 = 2;

/// Why a datagram is not a well-formed RTP packet, or cannot be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum RtpError {
    /// Fewer bytes than the part being read needs.
    #[error("RTP packet truncated: {what} needs {need} bytes, packet has {have}")]
    Truncated {
        /// The part of the packet that does not fit.
        what: &'static str,
        /// Bytes needed up to and including that part.
        need: usize,
        /// Bytes available.
        have: usize,
    },
    /// The version field (byte 0, bits 0-1) is not 2.
    #[error("RTP version {0} at byte 0 (expected 2)")]
    BadVersion(u8),
    /// The padding count (last octet) is zero or runs into the header.
    #[error(
        "RTP padding count {count} at byte {offset} is invalid (payload has {available} bytes)"
    )]
    BadPadding {
        /// The padding count octet.
        count: u8,
        /// Offset of that octet.
        offset: usize,
        /// Bytes between the header end and the end of the packet.
        available: usize,
    },
    /// More than 15 CSRCs were given to the writer.
    #[error("{0} CSRCs given; RTP allows at most 15")]
    TooManyCsrcs(usize),
    /// The header extension data is not a whole number of 32-bit words.
    #[error("RTP extension data of {0} bytes is not a multiple of 4")]
    ExtensionNotAligned(usize),
    /// The output buffer is too small for the packet being written.
    #[error("output buffer of {have} bytes is too small for a {need}-byte RTP packet")]
    BufferTooSmall {
        /// Bytes needed.
        need: usize,
        /// Bytes given.
        have: usize,
    },
}

/// A validated, borrowed RTP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RtpPacket<'a> {
    buf: &'a [u8],
    payload_start: usize,
    payload_end: usize,
}

#[inline(always)]
fn be16(b: &[u8], i: usize) -> u16 {
    u16::from_be_bytes([b[i], b[i + 1]])
}
#[inline(always)]
fn be32(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

impl<'a> RtpPacket<'a> {
    /// Validates `buf` as one RTP packet (RFC 3550 section 5.1 and the
    /// header checks of appendix A.1: version 2, CSRC list, extension and
    /// padding within the packet).
    #[inline]
    pub fn parse(buf: &'a [u8]) -> Result<Self, RtpError> {
        let len = buf.len();
        if len < FIXED_HEADER_LEN {
            return Err(RtpError::Truncated {
                what: "fixed header",
                need: FIXED_HEADER_LEN,
                have: len,
            });
        }
        let b0 = buf[0];
        let version = b0 >> 6;
        if version != RTP_VERSION {
            return Err(RtpError::BadVersion(version));
        }
        let mut off = FIXED_HEADER_LEN + 4 * (b0 & 0x0F) as usize;
        if len < off {
            return Err(RtpError::Truncated {
                what: "CSRC list",
                need: off,
                have: len,
            });
        }
        if b0 & 0x10 != 0 {
            if len < off + 4 {
                return Err(RtpError::Truncated {
                    what: "extension header",
                    need: off + 4,
                    have: len,
                });
            }
            let words = be16(buf, off + 2) as usize;
            off += 4 + 4 * words;
            if len < off {
                return Err(RtpError::Truncated {
                    what: "extension data",
                    need: off,
                    have: len,
                });
            }
        }
        let mut end = len;
        if b0 & 0x20 != 0 {
            let count = buf[len - 1];
            let available = len - off;
            if count == 0 || count as usize > available {
                return Err(RtpError::BadPadding {
                    count,
                    offset: len - 1,
                    available,
                });
            }
            end -= count as usize;
        }
        Ok(Self {
            buf,
            payload_start: off,
            payload_end: end,
        })
    }

    /// The whole datagram.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.buf
    }
    /// Version field (always 2 after parsing).
    #[inline]
    pub fn version(&self) -> u8 {
        self.buf[0] >> 6
    }
    /// `P`: the packet carries padding.
    #[inline]
    pub fn has_padding(&self) -> bool {
        self.buf[0] & 0x20 != 0
    }
    /// `X`: a header extension follows the CSRC list.
    #[inline]
    pub fn has_extension(&self) -> bool {
        self.buf[0] & 0x10 != 0
    }
    /// `CC`: the number of CSRC identifiers.
    #[inline]
    pub fn csrc_count(&self) -> u8 {
        self.buf[0] & 0x0F
    }
    /// `M`: the marker bit (RFC 3551: first packet of a talkspurt).
    #[inline]
    pub fn marker(&self) -> bool {
        self.buf[1] & 0x80 != 0
    }
    /// `PT`: the payload type.
    #[inline]
    pub fn payload_type(&self) -> u8 {
        self.buf[1] & 0x7F
    }
    /// Sequence number.
    #[inline]
    pub fn sequence(&self) -> u16 {
        be16(self.buf, 2)
    }
    /// RTP timestamp.
    #[inline]
    pub fn timestamp(&self) -> u32 {
        be32(self.buf, 4)
    }
    /// Synchronisation source.
    #[inline]
    pub fn ssrc(&self) -> u32 {
        be32(self.buf, 8)
    }
    /// Contributing sources, in packet order.
    pub fn csrcs(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        let buf = self.buf;
        (0..self.csrc_count() as usize).map(move |i| be32(buf, FIXED_HEADER_LEN + 4 * i))
    }
    /// The header extension (section 5.3.1): the 16-bit profile-defined value
    /// and the extension data (a multiple of 4 bytes), if `X` is set.
    pub fn extension(&self) -> Option<(u16, &'a [u8])> {
        if !self.has_extension() {
            return None;
        }
        let off = FIXED_HEADER_LEN + 4 * self.csrc_count() as usize;
        let profile = be16(self.buf, off);
        Some((profile, &self.buf[off + 4..self.payload_start]))
    }
    /// The payload, without padding.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buf[self.payload_start..self.payload_end]
    }
    /// Byte offset of the payload in the datagram.
    #[inline]
    pub fn payload_offset(&self) -> usize {
        self.payload_start
    }
    /// Number of padding octets (including the count octet).
    #[inline]
    pub fn padding_len(&self) -> usize {
        self.buf.len() - self.payload_end
    }
}

/// The header fields of an RTP packet to write (RFC 3550 section 5.1).
///
/// `version` is always 2. Writing allocates nothing: [`RtpHeader::write`]
/// fills a caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RtpHeader<'a> {
    /// Marker bit.
    pub marker: bool,
    /// Payload type (7 bits; higher bits are masked off).
    pub payload_type: u8,
    /// Sequence number.
    pub sequence: u16,
    /// RTP timestamp.
    pub timestamp: u32,
    /// Synchronisation source.
    pub ssrc: u32,
    /// Contributing sources (at most 15).
    pub csrcs: &'a [u32],
    /// Header extension: profile value and data (a multiple of 4 bytes).
    pub extension: Option<(u16, &'a [u8])>,
    /// Padding octets to append (0 = none; otherwise 1..=255 including the
    /// count octet).
    pub padding: u8,
}

impl RtpHeader<'_> {
    /// Bytes the header (with CSRCs and extension) occupies.
    #[inline]
    pub fn header_len(&self) -> usize {
        FIXED_HEADER_LEN + 4 * self.csrcs.len() + self.extension.map_or(0, |(_, d)| 4 + d.len())
    }

    /// The 12-byte fixed header (CC, X and P as this header needs), built
    /// in two big-endian words: V/P/X/CC, M/PT, sequence and timestamp in
    /// one 64-bit store, SSRC in one 32-bit store.
    #[inline(always)]
    fn fixed(&self) -> [u8; 12] {
        let b0 = (RTP_VERSION << 6)
            | (u8::from(self.padding != 0) << 5)
            | (u8::from(self.extension.is_some()) << 4)
            | (self.csrcs.len() as u8 & 0x0F);
        let b1 = (u8::from(self.marker) << 7) | (self.payload_type & 0x7F);
        let w = (u64::from(b0) << 56)
            | (u64::from(b1) << 48)
            | (u64::from(self.sequence) << 32)
            | u64::from(self.timestamp);
        let mut h = [0u8; 12];
        let (hi, lo) = h.split_at_mut(8);
        hi.copy_from_slice(&w.to_be_bytes());
        lo.copy_from_slice(&self.ssrc.to_be_bytes());
        h
    }

    /// No CSRCs and no extension: the header is the 12 fixed bytes.
    #[inline(always)]
    fn is_plain(&self) -> bool {
        self.csrcs.is_empty() && self.extension.is_none()
    }

    /// The limits a writer enforces (at most 15 CSRCs; extension data in
    /// whole 32-bit words, at most 65,535 of them).
    #[inline]
    fn check(&self) -> Result<(), RtpError> {
        if self.csrcs.len() > 15 {
            return Err(RtpError::TooManyCsrcs(self.csrcs.len()));
        }
        if let Some((_, d)) = self.extension {
            if d.len() % 4 != 0 || d.len() / 4 > u16::MAX as usize {
                return Err(RtpError::ExtensionNotAligned(d.len()));
            }
        }
        Ok(())
    }

    /// Writes the header into `h`, which is exactly [`Self::header_len`]
    /// bytes long and was checked by [`Self::check`]: one copy per part,
    /// no per-field bounds checks.
    #[inline(always)]
    fn put_header(&self, h: &mut [u8]) {
        let (fixed, rest) = h.split_at_mut(FIXED_HEADER_LEN);
        fixed.copy_from_slice(&self.fixed());
        let (csrcs, ext) = rest.split_at_mut(4 * self.csrcs.len());
        for (dst, c) in csrcs.chunks_exact_mut(4).zip(self.csrcs) {
            dst.copy_from_slice(&c.to_be_bytes());
        }
        if let Some((profile, d)) = self.extension {
            let (eh, data) = ext.split_at_mut(4);
            let word = (u32::from(profile) << 16) | (d.len() / 4) as u32;
            eh.copy_from_slice(&word.to_be_bytes());
            data.copy_from_slice(d);
        }
    }

    /// Writes only the header (fixed part, CSRCs, extension) into `out`
    /// and returns its length, so a codec can encode the payload in place
    /// right after it (zero-copy build). No padding octets are written: a
    /// non-zero `padding` only sets the `P` bit, and the caller appends the
    /// padding after its payload.
    #[inline(always)]
    pub fn write_header(&self, out: &mut [u8]) -> Result<usize, RtpError> {
        if self.is_plain() {
            let have = out.len();
            let Some(h) = out.first_chunk_mut::<FIXED_HEADER_LEN>() else {
                return Err(RtpError::BufferTooSmall {
                    need: FIXED_HEADER_LEN,
                    have,
                });
            };
            *h = self.fixed();
            return Ok(FIXED_HEADER_LEN);
        }
        self.write_header_general(out)
    }

    /// [`Self::write_header`] with CSRCs or an extension.
    #[inline(never)]
    fn write_header_general(&self, out: &mut [u8]) -> Result<usize, RtpError> {
        self.check()?;
        let need = self.header_len();
        let have = out.len();
        let Some(h) = out.get_mut(..need) else {
            return Err(RtpError::BufferTooSmall { need, have });
        };
        self.put_header(h);
        Ok(need)
    }

    /// Writes header, `payload` and padding into `out`; returns the packet
    /// length.
    #[inline(always)]
    pub fn write(&self, payload: &[u8], out: &mut [u8]) -> Result<usize, RtpError> {
        if self.is_plain() && self.padding == 0 {
            // the common case: fixed header + payload, one bounds check
            let need = FIXED_HEADER_LEN + payload.len();
            let have = out.len();
            let Some(dst) = out.get_mut(..need) else {
                return Err(RtpError::BufferTooSmall { need, have });
            };
            let (h, p) = dst.split_at_mut(FIXED_HEADER_LEN);
            h.copy_from_slice(&self.fixed());
            p.copy_from_slice(payload);
            return Ok(need);
        }
        self.write_general(payload, out)
    }

    /// [`Self::write`] with CSRCs, an extension or padding.
    #[inline(never)]
    fn write_general(&self, payload: &[u8], out: &mut [u8]) -> Result<usize, RtpError> {
        self.check()?;
        let hl = self.header_len();
        let need = hl + payload.len() + self.padding as usize;
        let have = out.len();
        let Some(dst) = out.get_mut(..need) else {
            return Err(RtpError::BufferTooSmall { need, have });
        };
        let (h, rest) = dst.split_at_mut(hl);
        self.put_header(h);
        let (p, pad) = rest.split_at_mut(payload.len());
        p.copy_from_slice(payload);
        if let Some((count, zeros)) = pad.split_last_mut() {
            zeros.fill(0);
            *count = self.padding;
        }
        Ok(need)
    }

    /// Writes the packet into a new `Vec` (convenience for non-hot paths).
    pub fn to_vec(&self, payload: &[u8]) -> Result<Vec<u8>, RtpError> {
        let mut v = vec![0; self.header_len() + payload.len() + self.padding as usize];
        let n = self.write(payload, &mut v)?;
        v.truncate(n);
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn minimal_packet() {
        let h = RtpHeader {
            marker: true,
            payload_type: 0,
            sequence: 0xBEEF,
            timestamp: 160,
            ssrc: 0x1234_5678,
            ..Default::default()
        };
        let v = h.to_vec(&[0xFF; 160]).unwrap();
        assert_eq!(v.len(), 172);
        assert_eq!(&v[..4], &[0x80, 0x80, 0xBE, 0xEF]);
        let p = RtpPacket::parse(&v).unwrap();
        assert!(p.marker());
        assert_eq!(p.sequence(), 0xBEEF);
        assert_eq!(p.timestamp(), 160);
        assert_eq!(p.ssrc(), 0x1234_5678);
        assert_eq!(p.payload().len(), 160);
        assert_eq!(p.csrcs().count(), 0);
        assert_eq!(p.extension(), None);
    }

    #[test]
    fn rejects_malformed() {
        assert!(matches!(
            RtpPacket::parse(&[0x80; 11]),
            Err(RtpError::Truncated { .. })
        ));
        let mut v = [0u8; 12];
        v[0] = 0x40;
        assert_eq!(RtpPacket::parse(&v), Err(RtpError::BadVersion(1)));
        v[0] = 0x81; // one CSRC, missing
        assert!(matches!(
            RtpPacket::parse(&v),
            Err(RtpError::Truncated {
                what: "CSRC list",
                ..
            })
        ));
        v[0] = 0x90; // extension, missing
        assert!(matches!(
            RtpPacket::parse(&v),
            Err(RtpError::Truncated {
                what: "extension header",
                ..
            })
        ));
        let mut w = [0u8; 16];
        w[0] = 0x90;
        w[14] = 0;
        w[15] = 1; // one word of extension data, missing
        assert!(matches!(
            RtpPacket::parse(&w),
            Err(RtpError::Truncated {
                what: "extension data",
                ..
            })
        ));
        let mut p = [0u8; 13];
        p[0] = 0xA0;
        p[12] = 0; // padding count 0
        assert!(matches!(
            RtpPacket::parse(&p),
            Err(RtpError::BadPadding { .. })
        ));
        p[12] = 2; // more padding than payload
        assert!(matches!(
            RtpPacket::parse(&p),
            Err(RtpError::BadPadding { .. })
        ));
        let h = RtpHeader {
            csrcs: &[0; 16],
            ..Default::default()
        };
        assert_eq!(h.to_vec(&[]), Err(RtpError::TooManyCsrcs(16)));
        let h = RtpHeader {
            extension: Some((1, &[1, 2, 3])),
            ..Default::default()
        };
        assert_eq!(h.to_vec(&[]), Err(RtpError::ExtensionNotAligned(3)));
        assert!(matches!(
            RtpHeader::default().write(&[1], &mut [0; 12]),
            Err(RtpError::BufferTooSmall { need: 13, have: 12 })
        ));
    }

    #[test]
    fn header_then_payload_in_place() {
        let h = RtpHeader {
            csrcs: &[9],
            sequence: 3,
            ..Default::default()
        };
        let mut buf = [0u8; 64];
        let n = h.write_header(&mut buf).unwrap();
        assert_eq!(n, 16);
        buf[n..n + 3].copy_from_slice(b"abc");
        let p = RtpPacket::parse(&buf[..n + 3]).unwrap();
        assert_eq!((p.sequence(), p.payload()), (3, &b"abc"[..]));
    }

    #[test]
    fn header_with_padding_writes_no_padding_octets() {
        let h = RtpHeader {
            csrcs: &[1, 2],
            extension: Some((0xBEDE, &[9, 9, 9, 9])),
            padding: 4,
            ..Default::default()
        };
        let mut buf = [0xAAu8; 40];
        assert_eq!(h.write_header(&mut buf), Ok(28));
        assert_eq!(buf[0], 0xB2); // V=2, P, X, CC=2
        assert!(buf[28..].iter().all(|&b| b == 0xAA));
        assert_eq!(
            h.write_header(&mut buf[..27]),
            Err(RtpError::BufferTooSmall { need: 28, have: 27 })
        );
        assert_eq!(
            RtpHeader::default().write_header(&mut buf[..11]),
            Err(RtpError::BufferTooSmall { need: 12, have: 11 })
        );
    }

    proptest! {
        #[test]
        fn write_header_is_the_prefix_of_write(marker: bool, pt: u8, seq: u16, ts: u32, ssrc: u32,
                      csrcs in proptest::collection::vec(any::<u32>(), 0..=15),
                      ext in proptest::option::of((any::<u16>(), proptest::collection::vec(any::<u8>(), 0..3).prop_map(|v| v.repeat(4)))),
                      payload in proptest::collection::vec(any::<u8>(), 0..40), padding: u8) {
            let h = RtpHeader { marker, payload_type: pt, sequence: seq, timestamp: ts, ssrc, csrcs: &csrcs,
                extension: ext.as_ref().map(|(p, d)| (*p, d.as_slice())), padding };
            let full = h.to_vec(&payload).unwrap();
            let mut buf = [0u8; 200];
            let n = h.write_header(&mut buf).unwrap();
            prop_assert_eq!(n, h.header_len());
            prop_assert_eq!(&buf[..n], &full[..n]);
            prop_assert!(buf[n..].iter().all(|&b| b == 0));
            prop_assert_eq!(&full[n..n + payload.len()], payload.as_slice());
        }

        #[test]
        fn round_trip(marker: bool, pt in 0u8..128, seq: u16, ts: u32, ssrc: u32,
                      csrcs in proptest::collection::vec(any::<u32>(), 0..=15),
                      ext in proptest::option::of((any::<u16>(), proptest::collection::vec(any::<u8>(), 0..5).prop_map(|v| v.repeat(4)))),
                      payload in proptest::collection::vec(any::<u8>(), 0..300), padding: u8) {
            let h = RtpHeader { marker, payload_type: pt, sequence: seq, timestamp: ts, ssrc, csrcs: &csrcs,
                extension: ext.as_ref().map(|(p, d)| (*p, d.as_slice())), padding };
            let v = h.to_vec(&payload).unwrap();
            let p = RtpPacket::parse(&v).unwrap();
            prop_assert_eq!(p.marker(), marker);
            prop_assert_eq!(p.payload_type(), pt);
            prop_assert_eq!(p.sequence(), seq);
            prop_assert_eq!(p.timestamp(), ts);
            prop_assert_eq!(p.ssrc(), ssrc);
            prop_assert_eq!(p.csrcs().collect::<Vec<_>>(), csrcs.clone());
            prop_assert_eq!(p.extension(), ext.as_ref().map(|(p, d)| (*p, d.as_slice())));
            prop_assert_eq!(p.payload(), payload.as_slice());
            prop_assert_eq!(p.padding_len(), padding as usize);
        }

        #[test]
        fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(p) = RtpPacket::parse(&data) {
                prop_assert!(p.payload_offset() + p.payload().len() + p.padding_len() == data.len());
                let _ = (p.csrcs().count(), p.extension());
            }
        }
    }
}
