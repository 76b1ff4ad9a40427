//! Bitstream formats of G.729 (§3.10 / Table 8 bit allocation, Annex A
//! uses the same 80-bit frame):
//!
//! * the 11 parameters of a speech frame ([`Params`]);
//! * the RFC 3551 §4.5.6 payload: 10 octets per speech frame, parameters in
//!   transmission order, MSB first (2 octets for an Annex B SID frame);
//! * the ITU serial test-vector format: 16-bit little-endian words, a sync
//!   word `0x6B21`, a size word (80, 16 or 0) and one word per bit
//!   (`0x007F` = 0, `0x0081` = 1; a `0x0000` bit word marks an erased frame).

use super::tables::{BITSNO, PRM_SIZE};
use thiserror::Error;

/// Octets of one speech frame in an RTP payload.
pub const FRAME_OCTETS: usize = 10;
/// Octets of one Annex B SID frame in an RTP payload.
pub const SID_OCTETS: usize = 2;
/// ITU serial sync word.
pub const SYNC_WORD: u16 = 0x6B21;
/// ITU serial word for a 0 bit.
pub const BIT_0: u16 = 0x007F;
/// ITU serial word for a 1 bit.
pub const BIT_1: u16 = 0x0081;

/// The 11 transmitted parameters of a speech frame, in transmission order:
/// `[L0L1, L2L3, P1, P0, C1, S1, GA1GB1, P2, C2, S2, GA2GB2]` with widths
/// 8, 10, 8, 1, 13, 4, 7, 5, 13, 4, 7 bits.
pub type Params = [i16; PRM_SIZE];

/// Unpacks a 10-octet RFC 3551 frame into parameters (`bits2prm`).
/// Every 10-octet input is valid.
pub fn bits2prm(octets: &[u8; FRAME_OCTETS]) -> Params {
    let mut prm = [0i16; PRM_SIZE];
    let mut pos = 0usize;
    for (p, &n) in prm.iter_mut().zip(BITSNO.iter()) {
        let mut v = 0i16;
        for _ in 0..n {
            let bit = (octets[pos / 8] >> (7 - pos % 8)) & 1;
            v = (v << 1) | bit as i16;
            pos += 1;
        }
        *p = v;
    }
    prm
}

/// Packs parameters into a 10-octet RFC 3551 frame (`prm2bits`). Each
/// parameter is truncated to its field width.
pub fn prm2bits(prm: &Params) -> [u8; FRAME_OCTETS] {
    let mut out = [0u8; FRAME_OCTETS];
    let mut pos = 0usize;
    for (&p, &n) in prm.iter().zip(BITSNO.iter()) {
        for b in (0..n).rev() {
            if (p >> b) & 1 != 0 {
                out[pos / 8] |= 0x80 >> (pos % 8);
            }
            pos += 1;
        }
    }
    out
}

/// One frame of the ITU serial format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SerialFrame {
    /// An 80-bit speech frame, packed as RFC 3551 octets.
    Speech([u8; FRAME_OCTETS]),
    /// A 16-bit (15 bits + pad) Annex B SID frame, packed as 2 octets.
    Sid([u8; SID_OCTETS]),
    /// No transmission (Annex B DTX): size word 0.
    NoTx,
    /// An erased frame: a bit word was `0x0000` (speech or SID), or a
    /// size-0 frame had a sync word other than `0x6B21`. `size` is the
    /// size word (80, 16 or 0).
    Erased {
        /// The frame's size word.
        size: u16,
    },
}

/// Errors of the ITU serial reader.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SerialError {
    /// The input ended inside a frame header or body.
    #[error("truncated serial frame at byte {offset}")]
    Truncated {
        /// Byte offset of the frame.
        offset: usize,
    },
    /// The size word is not 80, 16 or 0.
    #[error("invalid serial size word {size} at byte {offset}")]
    BadSize {
        /// The size word read.
        size: u16,
        /// Byte offset of the frame.
        offset: usize,
    },
    /// A bit word is none of 0x007F, 0x0081, 0x0000.
    #[error("invalid serial bit word {word:#06x} at byte {offset}")]
    BadBitWord {
        /// The word read.
        word: u16,
        /// Byte offset of the word.
        offset: usize,
    },
}

/// Reader over an ITU serial bitstream held in memory.
#[derive(Clone, Debug)]
pub struct SerialReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> SerialReader<'a> {
    /// Reads frames from `data` (16-bit little-endian words).
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    fn word(&self, at: usize) -> Option<u16> {
        let b = self.data.get(at..at + 2)?;
        Some(u16::from_le_bytes([b[0], b[1]]))
    }
}

impl Iterator for SerialReader<'_> {
    type Item = Result<SerialFrame, SerialError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.data.len() {
            return None;
        }
        let offset = self.pos;
        let (Some(sync), Some(size)) = (self.word(offset), self.word(offset + 2)) else {
            self.pos = self.data.len();
            return Some(Err(SerialError::Truncated { offset }));
        };
        let nbits = match size {
            80 | 16 | 0 => size as usize,
            _ => {
                self.pos = self.data.len();
                return Some(Err(SerialError::BadSize { size, offset }));
            }
        };
        let body = offset + 4;
        if self.data.len() < body + 2 * nbits {
            self.pos = self.data.len();
            return Some(Err(SerialError::Truncated { offset }));
        }
        self.pos = body + 2 * nbits;
        if nbits == 0 {
            return Some(Ok(if sync == SYNC_WORD {
                SerialFrame::NoTx
            } else {
                SerialFrame::Erased { size }
            }));
        }
        let mut octets = [0u8; FRAME_OCTETS];
        let mut erased = false;
        for k in 0..nbits {
            let at = body + 2 * k;
            match self.word(at) {
                Some(BIT_1) => octets[k / 8] |= 0x80 >> (k % 8),
                Some(BIT_0) => {}
                Some(0) => erased = true,
                Some(word) => return Some(Err(SerialError::BadBitWord { word, offset: at })),
                None => return Some(Err(SerialError::Truncated { offset })),
            }
        }
        Some(Ok(if erased {
            SerialFrame::Erased { size }
        } else if nbits == 80 {
            SerialFrame::Speech(octets)
        } else {
            SerialFrame::Sid([octets[0], octets[1]])
        }))
    }
}

/// Appends one frame in ITU serial format to `out`. Erased frames are
/// written with all bit words 0 (and, for size 0, sync `0x6B20`).
pub fn write_serial_frame(frame: &SerialFrame, out: &mut Vec<u8>) {
    let mut push = |w: u16| out.extend_from_slice(&w.to_le_bytes());
    let (sync, size, bits): (u16, u16, &[u8]) = match frame {
        SerialFrame::Speech(o) => (SYNC_WORD, 80, o),
        SerialFrame::Sid(o) => (SYNC_WORD, 16, o),
        SerialFrame::NoTx => (SYNC_WORD, 0, &[]),
        SerialFrame::Erased { size: 0 } => (SYNC_WORD - 1, 0, &[]),
        SerialFrame::Erased { size } => {
            push(SYNC_WORD);
            push(*size);
            for _ in 0..*size {
                push(0);
            }
            return;
        }
    };
    push(sync);
    push(size);
    for k in 0..size as usize {
        let bit = (bits[k / 8] >> (7 - k % 8)) & 1;
        push(if bit == 1 { BIT_1 } else { BIT_0 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Worked example of ../shared/codec-vectors/README.md (speech.bit frame 0).
    const RTP: [u8; 10] = [0x1a, 0xc1, 0x00, 0xa0, 0x00, 0xfa, 0xc2, 0xff, 0xfd, 0x50];
    const PRM: Params = [26, 772, 2, 1, 0, 15, 86, 2, 8191, 10, 80];

    #[test]
    fn rtp_packing_worked_example() {
        assert_eq!(bits2prm(&RTP), PRM);
        assert_eq!(prm2bits(&PRM), RTP);
    }

    #[test]
    fn serial_round_trip_and_errors() {
        let frames = [
            SerialFrame::Speech(RTP),
            SerialFrame::Sid([0x34, 0x40]),
            SerialFrame::NoTx,
            SerialFrame::Erased { size: 80 },
            SerialFrame::Erased { size: 0 },
        ];
        let mut buf = Vec::new();
        for f in &frames {
            write_serial_frame(f, &mut buf);
        }
        let back: Vec<_> = SerialReader::new(&buf).collect::<Result<_, _>>().unwrap();
        assert_eq!(back, frames);
        // Truncation and bad words give errors, never panics.
        let r: Vec<_> = SerialReader::new(&buf[..buf.len() - 1]).collect();
        assert!(r.last().unwrap().is_err());
        let mut bad = buf.clone();
        bad[4] = 0x55;
        assert!(matches!(
            SerialReader::new(&bad).next(),
            Some(Err(SerialError::BadBitWord { .. }))
        ));
        bad[2] = 7;
        assert!(matches!(
            SerialReader::new(&bad).next(),
            Some(Err(SerialError::BadSize { size: 7, .. }))
        ));
        assert!(matches!(
            SerialReader::new(&[1, 2, 3]).next(),
            Some(Err(SerialError::Truncated { offset: 0 }))
        ));
    }
}
