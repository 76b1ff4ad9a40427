//! Receiver statistics for one RTP source (RFC 3550 appendix A).
//!
//! * A.1: sequence-number validation with probation, wrap counting
//!   (`cycles`) and restart detection;
//! * A.3: expected / lost packets and the fraction lost per interval;
//! * A.8: interarrival jitter, with both transit terms in RTP timestamp
//!   units.
//!
//! Time is an input: arrivals are given in milliseconds of the driver's
//! monotonic clock and converted to the media clock.

use crate::rtcp::ReportBlock;

const RTP_SEQ_MOD: u32 = 1 << 16;
/// Largest forward jump still treated as in-order (A.1).
pub const MAX_DROPOUT: u16 = 3000;
/// Largest backward jump treated as reordering (A.1).
pub const MAX_MISORDER: u16 = 100;
/// Sequential packets needed before a source is valid (A.1).
pub const MIN_SEQUENTIAL: u8 = 2;

/// What [`ReceiverStats::update`] decided about one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqStatus {
    /// Counted: the source is valid and the sequence number acceptable.
    Valid,
    /// The source is still on probation (A.1); the packet is not counted.
    Probation,
    /// A very large jump; one more sequential packet re-synchronises.
    BadJump,
    /// The packet re-synchronised the source after a restart; statistics
    /// were reset.
    Restarted,
}

/// Per-source reception state (the `source` structure of A.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReceiverStats {
    clock_rate: u32,
    max_seq: u16,
    cycles: u32,
    base_seq: u32,
    bad_seq: u32,
    probation: u8,
    received: u32,
    expected_prior: u32,
    received_prior: u32,
    transit: Option<u32>,
    /// Jitter scaled by 16 (the integer form of A.8).
    jitter_q4: u32,
    last_sr: Option<(u32, u64)>,
}

impl ReceiverStats {
    /// New state for a source first seen with sequence number `seq`
    /// (A.1: `init_seq`, `max_seq = seq - 1`, `probation = MIN_SEQUENTIAL`).
    pub fn new(seq: u16, clock_rate: u32) -> Self {
        let mut s = Self {
            clock_rate: clock_rate.max(1),
            max_seq: 0,
            cycles: 0,
            base_seq: 0,
            bad_seq: 0,
            probation: MIN_SEQUENTIAL,
            received: 0,
            expected_prior: 0,
            received_prior: 0,
            transit: None,
            jitter_q4: 0,
            last_sr: None,
        };
        s.init_seq(seq);
        s.max_seq = seq.wrapping_sub(1);
        s
    }

    fn init_seq(&mut self, seq: u16) {
        self.base_seq = u32::from(seq);
        self.max_seq = seq;
        self.bad_seq = RTP_SEQ_MOD + 1;
        self.cycles = 0;
        self.received = 0;
        self.received_prior = 0;
        self.expected_prior = 0;
    }

    /// `update_seq` of A.1.
    pub fn update_seq(&mut self, seq: u16) -> SeqStatus {
        let udelta = seq.wrapping_sub(self.max_seq);
        if self.probation > 0 {
            if seq == self.max_seq.wrapping_add(1) {
                self.probation -= 1;
                self.max_seq = seq;
                if self.probation == 0 {
                    self.init_seq(seq);
                    self.received += 1;
                    return SeqStatus::Valid;
                }
            } else {
                self.probation = MIN_SEQUENTIAL - 1;
                self.max_seq = seq;
            }
            return SeqStatus::Probation;
        }
        let mut status = SeqStatus::Valid;
        if udelta < MAX_DROPOUT {
            if seq < self.max_seq {
                self.cycles = self.cycles.wrapping_add(RTP_SEQ_MOD);
            }
            self.max_seq = seq;
        } else if u32::from(udelta) <= RTP_SEQ_MOD - u32::from(MAX_MISORDER) {
            if u32::from(seq) == self.bad_seq {
                self.init_seq(seq);
                self.transit = None;
                self.jitter_q4 = 0;
                status = SeqStatus::Restarted;
            } else {
                self.bad_seq = (u32::from(seq) + 1) & (RTP_SEQ_MOD - 1);
                return SeqStatus::BadJump;
            }
        }
        // else: duplicate or reordered packet, counted
        self.received = self.received.wrapping_add(1);
        status
    }

    /// Feeds one packet: sequence validation (A.1) and, for counted
    /// packets, the jitter estimate (A.8) from its RTP timestamp and its
    /// arrival time `now_ms`.
    pub fn update(&mut self, now_ms: u64, seq: u16, rtp_ts: u32) -> SeqStatus {
        let st = self.update_seq(seq);
        if matches!(st, SeqStatus::Valid | SeqStatus::Restarted) {
            let arrival = (u128::from(now_ms) * u128::from(self.clock_rate) / 1000) as u32;
            let transit = arrival.wrapping_sub(rtp_ts);
            if let Some(prev) = self.transit {
                let d = (transit.wrapping_sub(prev) as i32).unsigned_abs();
                // J += (|D| - J) / 16, kept scaled by 16 (A.8)
                self.jitter_q4 = self
                    .jitter_q4
                    .wrapping_add(d)
                    .wrapping_sub((self.jitter_q4 + 8) >> 4);
            }
            self.transit = Some(transit);
        }
        st
    }

    /// Extended highest sequence number received (A.3).
    pub fn extended_max(&self) -> u32 {
        self.cycles.wrapping_add(u32::from(self.max_seq))
    }
    /// Packets expected (A.3); 0 while the source is on probation, whose
    /// packets are not counted (A.1): otherwise the first packet of a new
    /// source would show as one lost until the second arrives.
    pub fn expected(&self) -> u32 {
        if self.probation > 0 {
            return 0;
        }
        self.extended_max()
            .wrapping_sub(self.base_seq)
            .wrapping_add(1)
    }
    /// Packets received and counted.
    pub fn received(&self) -> u32 {
        self.received
    }
    /// Cumulative packets lost, clamped to the signed 24-bit range of a
    /// report block (A.3; negative when duplicates arrive).
    pub fn cumulative_lost(&self) -> i32 {
        let lost = i64::from(self.expected()) - i64::from(self.received);
        lost.clamp(-0x80_0000, 0x7F_FFFF) as i32
    }
    /// Interarrival jitter in RTP timestamp units (A.8).
    pub fn jitter(&self) -> u32 {
        self.jitter_q4 >> 4
    }
    /// Whether the source has passed probation.
    pub fn is_valid(&self) -> bool {
        self.probation == 0
    }

    /// Records a sender report from this source (for LSR/DLSR).
    pub fn on_sender_report(&mut self, now_ms: u64, ntp: u64) {
        self.last_sr = Some(((ntp >> 16) as u32, now_ms));
    }

    /// Builds a report block for `ssrc` and starts a new interval (A.3).
    pub fn report_block(&mut self, now_ms: u64, ssrc: u32) -> ReportBlock {
        let expected = self.expected();
        let expected_interval = expected.wrapping_sub(self.expected_prior);
        self.expected_prior = expected;
        let received_interval = self.received.wrapping_sub(self.received_prior);
        self.received_prior = self.received;
        let lost_interval = i64::from(expected_interval) - i64::from(received_interval);
        let fraction_lost = if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            ((lost_interval << 8) / i64::from(expected_interval)).min(255) as u8
        };
        let (last_sr, delay_since_last_sr) = match self.last_sr {
            Some((lsr, at)) => (
                lsr,
                (now_ms.saturating_sub(at).saturating_mul(65536) / 1000).min(u64::from(u32::MAX))
                    as u32,
            ),
            None => (0, 0),
        };
        ReportBlock {
            ssrc,
            fraction_lost,
            cumulative_lost: self.cumulative_lost(),
            highest_seq: self.extended_max(),
            jitter: self.jitter(),
            last_sr,
            delay_since_last_sr,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(s: &mut ReceiverStats, seqs: impl IntoIterator<Item = u16>) {
        for q in seqs {
            s.update_seq(q);
        }
    }

    #[test]
    fn probation_then_valid() {
        let mut s = ReceiverStats::new(100, 8000);
        assert_eq!(s.update_seq(100), SeqStatus::Probation);
        assert_eq!(s.update_seq(101), SeqStatus::Valid);
        assert!(s.is_valid());
        assert_eq!(s.expected(), 1);
        assert_eq!(s.received(), 1);
    }

    #[test]
    fn no_loss_reported_during_probation() {
        // Statistics taken between a new source's first and second packet:
        // nothing counted yet, so nothing lost.
        let mut s = ReceiverStats::new(100, 8000);
        assert_eq!(s.update_seq(100), SeqStatus::Probation);
        assert_eq!((s.expected(), s.received()), (0, 0));
        assert_eq!(s.cumulative_lost(), 0);
        let rb = s.report_block(0, 9);
        assert_eq!((rb.cumulative_lost, rb.fraction_lost), (0, 0));
        assert_eq!(s.update_seq(101), SeqStatus::Valid);
        assert_eq!((s.expected(), s.received(), s.cumulative_lost()), (1, 1, 0));
        feed(&mut s, [102, 104]);
        assert_eq!(s.cumulative_lost(), 1);
        assert_eq!(s.report_block(0, 9).fraction_lost, (256 / 4) as u8);
    }

    #[test]
    fn wrap_and_loss() {
        let mut s = ReceiverStats::new(65530, 8000);
        feed(&mut s, 65530..=65535);
        feed(&mut s, [0, 1, 3, 4, 6]); // 2 and 5 lost
        assert_eq!(s.extended_max(), 65536 + 6);
        assert_eq!(s.expected(), 12);
        assert_eq!(s.received(), 10);
        assert_eq!(s.cumulative_lost(), 2);
        let rb = s.report_block(0, 9);
        assert_eq!(rb.fraction_lost, (2 * 256 / 12) as u8);
        assert_eq!(rb.highest_seq, 65536 + 6);
        // next interval: no loss
        feed(&mut s, 7..=16);
        assert_eq!(s.report_block(0, 9).fraction_lost, 0);
    }

    #[test]
    fn duplicates_make_negative_loss_and_restart_resyncs() {
        let mut s = ReceiverStats::new(10, 8000);
        feed(&mut s, [10, 11, 12, 12, 12]);
        assert_eq!(s.cumulative_lost(), -2);
        assert_eq!(s.update_seq(40000), SeqStatus::BadJump);
        assert_eq!(s.update_seq(40001), SeqStatus::Restarted);
        assert_eq!(s.expected(), 1);
        assert_eq!(s.received(), 1);
        // reordered packet within MAX_MISORDER is counted, no cycle added
        feed(&mut s, [40002, 40003]);
        assert_eq!(s.update_seq(39990), SeqStatus::Valid);
        assert_eq!(s.extended_max(), 40003);
    }

    #[test]
    fn jitter_constant_delay_is_zero_and_alternating_delay_converges() {
        let mut s = ReceiverStats::new(0, 8000);
        for i in 0..50u16 {
            s.update(u64::from(i) * 20 + 40, i, u32::from(i) * 160);
        }
        assert_eq!(s.jitter(), 0);
        // delays alternating 0 / 10 ms: |D| = 80 units every packet
        let mut s = ReceiverStats::new(0, 8000);
        for i in 0..500u16 {
            let extra = if i % 2 == 0 { 0 } else { 10 };
            s.update(u64::from(i) * 20 + extra, i, u32::from(i) * 160);
        }
        assert!((78..=80).contains(&s.jitter()), "jitter {}", s.jitter());
    }

    #[test]
    fn lsr_dlsr() {
        let mut s = ReceiverStats::new(0, 8000);
        s.on_sender_report(1000, 0x1122_3344_5566_7788);
        let rb = s.report_block(1500, 1);
        assert_eq!(rb.last_sr, 0x3344_5566);
        assert_eq!(rb.delay_since_last_sr, 32768);
    }
}
