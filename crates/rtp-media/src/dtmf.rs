//! RFC 4733 telephone events (DTMF): sender and receiver.
//!
//! Payload (section 2.3): `event` (8 bits), `E` end bit, `R` reserved,
//! `volume` (6 bits, -dBm0), `duration` (16 bits, RTP timestamp units of the
//! event's clock, which for G.722 is still 8000 Hz).
//!
//! The [`DtmfSender`] is ticked once per packet interval by the media
//! session, which owns the RTP sequence number and clock:
//! the first packet carries the marker bit, every packet of an event keeps
//! the event's start timestamp, the duration grows each interval, the final
//! packet is sent three times with the E bit (section 2.5.1.4), and events
//! longer than 0xFFFF units are split into segments (section 2.5.1.3).
//!
//! The [`DtmfReceiver`] reports each key press once, keyed on
//! (SSRC, timestamp, event) (section 2.5.2.2): retransmitted end packets,
//! reordered packets and presses whose first packets were lost (no marker)
//! are all handled, and segments of a long event are joined
//! (section 2.5.2.3). Events never go through the audio jitter buffer.

use std::collections::VecDeque;
use thiserror::Error;

/// Largest duration one packet can express (section 2.5.1.3).
pub const MAX_SEGMENT: u32 = 0xFFFF;
/// How many times the final packet is sent (section 2.5.1.4).
pub const END_REPEATS: u8 = 3;

/// A malformed telephone-event payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum DtmfError {
    /// The payload is not a non-empty multiple of 4 octets.
    #[error("telephone-event payload of {0} bytes is not a non-empty multiple of 4")]
    BadLength(usize),
}

/// One decoded event report (section 2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventReport {
    /// Event code (0-9, 10 = `*`, 11 = `#`, 12-15 = A-D, 16 = flash).
    pub event: u8,
    /// E bit.
    pub end: bool,
    /// Volume, 0..=63 (-dBm0).
    pub volume: u8,
    /// Duration in RTP timestamp units.
    pub duration: u16,
}

impl EventReport {
    /// Parses one 4-octet report.
    pub fn parse(b: [u8; 4]) -> Self {
        Self {
            event: b[0],
            end: b[1] & 0x80 != 0,
            volume: b[1] & 0x3F,
            duration: u16::from_be_bytes([b[2], b[3]]),
        }
    }
    /// Encodes the report (R bit zero).
    pub fn to_bytes(self) -> [u8; 4] {
        let d = self.duration.to_be_bytes();
        [
            self.event,
            (u8::from(self.end) << 7) | (self.volume & 0x3F),
            d[0],
            d[1],
        ]
    }
}

/// The character a DTMF event code stands for (section 3.2), if any.
pub fn event_char(event: u8) -> Option<char> {
    b"0123456789*#ABCD".get(event as usize).map(|&c| c as char)
}

/// The event code for a DTMF character.
pub fn char_event(c: char) -> Option<u8> {
    b"0123456789*#ABCD"
        .iter()
        .position(|&x| x as char == c.to_ascii_uppercase())
        .map(|p| p as u8)
}

/// A packet the sender wants transmitted (the session adds the RTP
/// header with its own sequence number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DtmfPacket {
    /// Marker bit.
    pub marker: bool,
    /// RTP timestamp: the start of the event or segment.
    pub timestamp: u32,
    /// The 4-octet payload.
    pub payload: [u8; 4],
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Active {
    event: u8,
    volume: u8,
    start_ts: u32,
    /// Total event duration to send, in ticks.
    total: u32,
    /// Ticks elapsed since the event started.
    elapsed: u32,
    /// Offset of the current segment from the event start.
    seg_start: u32,
    first: bool,
    /// Remaining repeats of `last`, and whether the event is over after
    /// them.
    repeat: u8,
    finished: bool,
    last: Option<DtmfPacket>,
}

/// RFC 4733 sender state machine (section 2.5.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DtmfSender {
    interval: u32,
    active: Option<Active>,
    queue: VecDeque<(u8, u8, u32)>,
}

impl DtmfSender {
    /// A sender that is ticked every `interval` RTP units (the packet
    /// interval, e.g. 160 for 20 ms at 8000 Hz).
    pub fn new(interval: u32) -> Self {
        Self {
            interval: interval.max(1),
            active: None,
            queue: VecDeque::new(),
        }
    }

    /// Whether an event is being sent.
    pub fn is_active(&self) -> bool {
        self.active.is_some()
    }

    /// Queues an event of `duration` ticks at `volume` (-dBm0). Events are
    /// sent one after another; at most 64 may wait.
    pub fn send(&mut self, event: u8, volume: u8, duration: u32) -> bool {
        if self.queue.len() >= 64 {
            return false;
        }
        self.queue
            .push_back((event, volume.min(63), duration.max(self.interval)));
        true
    }

    /// Ends the current event early (key released): its next packet is the
    /// final one.
    pub fn stop(&mut self) {
        if let Some(a) = &mut self.active {
            a.total = a.total.min(a.elapsed.saturating_add(self.interval));
        }
    }

    /// Called once per packet interval. `now_ts` is the RTP timestamp the
    /// audio would have now; a newly starting event takes it as its start.
    /// Returns the event packet to send in this interval instead of audio.
    pub fn tick(&mut self, now_ts: u32) -> Option<DtmfPacket> {
        if self.active.is_none() {
            let (event, volume, total) = self.queue.pop_front()?;
            self.active = Some(Active {
                event,
                volume,
                start_ts: now_ts,
                total,
                elapsed: 0,
                seg_start: 0,
                first: true,
                repeat: 0,
                finished: false,
                last: None,
            });
        }
        let interval = self.interval;
        let a = self.active.as_mut()?;
        a.elapsed = a
            .elapsed
            .saturating_add(interval)
            .min(a.total.max(a.elapsed));
        if a.repeat > 0 {
            a.repeat -= 1;
            let p = a.last;
            if a.repeat == 0 && a.finished {
                self.active = None;
            }
            return p;
        }
        let seg = a.elapsed - a.seg_start;
        let ts = a.start_ts.wrapping_add(a.seg_start);
        let (duration, end) = if seg > MAX_SEGMENT {
            // report the full segment without E, continue in a new one
            a.seg_start += MAX_SEGMENT;
            (MAX_SEGMENT as u16, false)
        } else {
            (seg as u16, a.elapsed >= a.total)
        };
        let rep = EventReport {
            event: a.event,
            end,
            volume: a.volume,
            duration,
        };
        let p = DtmfPacket {
            marker: a.first,
            timestamp: ts,
            payload: rep.to_bytes(),
        };
        a.first = false;
        if end || duration as u32 == MAX_SEGMENT {
            // the final packet of the event or of a segment goes three times
            a.repeat = END_REPEATS - 1;
            a.finished = end;
            a.last = Some(DtmfPacket { marker: false, ..p });
        }
        Some(p)
    }
}

/// A key press as the receiver reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DtmfEvent {
    /// SSRC of the sender.
    pub ssrc: u32,
    /// RTP timestamp of the event start.
    pub timestamp: u32,
    /// Event code.
    pub event: u8,
    /// Volume (-dBm0).
    pub volume: u8,
    /// Duration in RTP units (final for an end report, so far for a begin).
    pub duration: u32,
}

/// What one packet told the receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DtmfUpdate {
    /// A key press seen for the first time (reported once).
    pub began: Option<DtmfEvent>,
    /// A key press that ended (reported once, with its total duration).
    pub ended: Option<DtmfEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Seen {
    ssrc: u32,
    /// Timestamp of the first segment.
    ts: u32,
    /// Timestamp of the current segment.
    seg_ts: u32,
    /// Duration of the completed segments before the current one.
    base: u32,
    event: u8,
    volume: u8,
    duration: u32,
    ended: bool,
}

/// Remembers this many recent presses for de-duplication.
const HISTORY: usize = 32;

/// RFC 4733 receiver with de-duplication (section 2.5.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DtmfReceiver {
    seen: VecDeque<Seen>,
}

impl DtmfReceiver {
    /// An empty receiver.
    pub fn new() -> Self {
        Self::default()
    }

    /// Handles one telephone-event RTP packet.
    pub fn receive(
        &mut self,
        ssrc: u32,
        timestamp: u32,
        payload: &[u8],
    ) -> Result<DtmfUpdate, DtmfError> {
        if payload.is_empty() || payload.len() % 4 != 0 {
            return Err(DtmfError::BadLength(payload.len()));
        }
        let mut upd = DtmfUpdate::default();
        let mut ts = timestamp;
        for chunk in payload.chunks_exact(4) {
            let r = EventReport::parse([chunk[0], chunk[1], chunk[2], chunk[3]]);
            let u = self.report(ssrc, ts, r);
            upd.began = upd.began.or(u.began);
            upd.ended = upd.ended.or(u.ended);
            // packed events follow one another (section 2.5.1.5)
            ts = ts.wrapping_add(u32::from(r.duration));
        }
        Ok(upd)
    }

    fn report(&mut self, ssrc: u32, ts: u32, r: EventReport) -> DtmfUpdate {
        let mut upd = DtmfUpdate::default();
        let dur = u32::from(r.duration);
        let idx = self
            .seen
            .iter()
            .position(|s| s.ssrc == ssrc && s.event == r.event && (s.ts == ts || s.seg_ts == ts));
        let idx = match idx {
            Some(i) => i,
            None => {
                // a new segment of a long event (section 2.5.2.3)?
                let cont = self.seen.iter().position(|s| {
                    s.ssrc == ssrc
                        && s.event == r.event
                        && !s.ended
                        && ts == s.seg_ts.wrapping_add(MAX_SEGMENT)
                });
                if let Some(i) = cont {
                    let s = &mut self.seen[i];
                    s.base = s.base.saturating_add(MAX_SEGMENT);
                    s.seg_ts = ts;
                    i
                } else {
                    if self.seen.len() >= HISTORY {
                        self.seen.pop_front();
                    }
                    self.seen.push_back(Seen {
                        ssrc,
                        ts,
                        seg_ts: ts,
                        base: 0,
                        event: r.event,
                        volume: r.volume,
                        duration: dur,
                        ended: false,
                    });
                    let i = self.seen.len() - 1;
                    upd.began = Some(self.event_of(i));
                    i
                }
            }
        };
        let s = &mut self.seen[idx];
        if s.ended {
            return upd; // retransmitted or late packet of a finished press
        }
        if ts == s.seg_ts {
            s.duration = s.duration.max(s.base.saturating_add(dur));
        }
        s.volume = r.volume;
        if r.end && ts == s.seg_ts {
            s.ended = true;
            upd.ended = Some(self.event_of(idx));
        }
        upd
    }

    fn event_of(&self, i: usize) -> DtmfEvent {
        let s = &self.seen[i];
        DtmfEvent {
            ssrc: s.ssrc,
            timestamp: s.ts,
            event: s.event,
            volume: s.volume,
            duration: s.duration,
        }
    }

    /// Forgets all state of `ssrc` (source changed or left).
    pub fn forget(&mut self, ssrc: u32) {
        self.seen.retain(|s| s.ssrc != ssrc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(sender: &mut DtmfSender, from_ts: u32) -> Vec<DtmfPacket> {
        let mut out = Vec::new();
        let mut ts = from_ts;
        for _ in 0..10_000 {
            if let Some(p) = sender.tick(ts) {
                out.push(p);
            } else if !sender.is_active() {
                break;
            }
            ts = ts.wrapping_add(160);
        }
        out
    }

    #[test]
    fn sender_marker_constant_ts_growing_duration_three_ends() {
        let mut s = DtmfSender::new(160);
        s.send(5, 10, 800);
        let p = run(&mut s, 1000);
        let reps: Vec<_> = p.iter().map(|p| EventReport::parse(p.payload)).collect();
        assert_eq!(p.len(), 5 + 2);
        assert!(p[0].marker && p[1..].iter().all(|p| !p.marker));
        assert!(p.iter().all(|p| p.timestamp == 1000));
        assert_eq!(
            reps.iter().map(|r| r.duration).collect::<Vec<_>>(),
            [160, 320, 480, 640, 800, 800, 800]
        );
        assert_eq!(reps.iter().filter(|r| r.end).count(), 3);
        assert!(reps[..4].iter().all(|r| !r.end));
        assert!(reps.iter().all(|r| r.event == 5 && r.volume == 10));
    }

    #[test]
    fn sender_splits_long_events_into_segments() {
        let mut s = DtmfSender::new(160 * 50); // a packet every second, for a short test
        s.send(1, 0, 0x1_8000);
        let p = run(&mut s, 0);
        let reps: Vec<_> = p.iter().map(|p| EventReport::parse(p.payload)).collect();
        let first_full = reps
            .iter()
            .position(|r| u32::from(r.duration) == MAX_SEGMENT)
            .unwrap();
        assert!(!reps[first_full].end);
        assert_eq!(p[first_full].timestamp, 0);
        let next = p.iter().position(|q| q.timestamp == MAX_SEGMENT).unwrap();
        assert!(!p[next].marker);
        assert_eq!(reps.iter().filter(|r| r.end).count(), 3);
        // the receiver joins the segments into one press of the full length
        let mut r = DtmfReceiver::new();
        let mut began = 0;
        let mut ended = Vec::new();
        for q in &p {
            let u = r.receive(7, q.timestamp, &q.payload).unwrap();
            began += usize::from(u.began.is_some());
            ended.extend(u.ended);
        }
        assert_eq!(began, 1);
        assert_eq!(ended.len(), 1);
        assert_eq!(ended[0].duration, 0x1_8000);
    }

    #[test]
    fn receiver_reports_once_despite_retransmission_reordering_and_loss() {
        let mut s = DtmfSender::new(160);
        s.send(11, 7, 960);
        s.send(11, 7, 480); // same digit again: a new press (new timestamp)
        let p = run(&mut s, 5000);
        let mut r = DtmfReceiver::new();
        // lose the first two packets, swap two, duplicate everything
        let mut order: Vec<&DtmfPacket> = p.iter().skip(2).collect();
        order.swap(1, 2);
        let mut begins = Vec::new();
        let mut ends = Vec::new();
        for q in order.iter().flat_map(|q| [*q, *q]) {
            let u = r.receive(9, q.timestamp, &q.payload).unwrap();
            begins.extend(u.began);
            ends.extend(u.ended);
        }
        assert_eq!(begins.len(), 2);
        assert_eq!(ends.len(), 2);
        assert_eq!(ends[0].duration, 960);
        assert_eq!(ends[1].duration, 480);
        assert_eq!((ends[0].event, ends[0].volume), (11, 7));
        assert_ne!(ends[0].timestamp, ends[1].timestamp);
        // a late interim packet after the end changes nothing
        let u = r.receive(9, p[0].timestamp, &p[0].payload).unwrap();
        assert_eq!(u, DtmfUpdate::default());
        // same timestamp from another SSRC is a different press
        let u = r.receive(10, p[0].timestamp, &p[0].payload).unwrap();
        assert!(u.began.is_some());
        assert_eq!(r.receive(9, 0, &[1, 2, 3]), Err(DtmfError::BadLength(3)));
    }

    #[test]
    fn chars() {
        assert_eq!(event_char(10), Some('*'));
        assert_eq!(char_event('#'), Some(11));
        assert_eq!(char_event('d'), Some(15));
        assert_eq!(event_char(16), None);
    }
}
