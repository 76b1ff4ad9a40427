//! Time as an input (the Sans-IO contract) and the RFC 3261 timer constants.

use std::fmt;
use std::ops::{Add, Sub};
use std::time::Duration;

/// A point on the driver's monotonic clock, in milliseconds.
///
/// The core never reads a clock: every entry point takes the current `Time`
/// and deadlines come back from `poll_timeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time(u64);

impl Time {
    /// The origin of the clock.
    pub const ZERO: Time = Time(0);

    /// A time `ms` milliseconds after the origin.
    pub const fn from_millis(ms: u64) -> Time {
        Time(ms)
    }

    /// Milliseconds since the origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// The time `d` later, saturating at the end of the clock.
    pub fn saturating_add(self, d: Duration) -> Time {
        Time(self.0.saturating_add(millis(d)))
    }

    /// How long after `earlier` this is (zero if it is not later).
    pub fn saturating_since(self, earlier: Time) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl Add<Duration> for Time {
    type Output = Time;
    fn add(self, d: Duration) -> Time {
        self.saturating_add(d)
    }
}

impl Sub<Time> for Time {
    type Output = Duration;
    fn sub(self, earlier: Time) -> Duration {
        self.saturating_since(earlier)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

/// A duration in whole milliseconds, saturating.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// T1, T2 and T4 (RFC 3261 section 17.1.1.1, 17.1.2.2 and appendix A,
/// Table 4). Every transaction timer derives from these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimerConfig {
    /// RTT estimate; 500 ms by default.
    pub t1: Duration,
    /// Maximum retransmit interval for non-INVITE requests and INVITE
    /// responses; 4 s by default.
    pub t2: Duration,
    /// Maximum time a message stays in the network; 5 s by default.
    pub t4: Duration,
}

impl Default for TimerConfig {
    fn default() -> Self {
        TimerConfig {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
        }
    }
}

impl TimerConfig {
    /// 64*T1: Timers B, F, H, J (unreliable), L and M.
    pub fn t1_x64(&self) -> Duration {
        self.t1.saturating_mul(64)
    }

    /// Timer D for unreliable transports: "at least 32 seconds" (section
    /// 17.1.1.2); 64*T1 when that is longer, since Timer D mirrors the
    /// server's Timer H.
    pub fn timer_d_unreliable(&self) -> Duration {
        Duration::from_secs(32).max(self.t1_x64())
    }

    /// The next retransmit interval after `current`: doubled, capped at T2
    /// (Timers E and G; section 17.1.2.2 and 17.2.1).
    pub fn backoff_capped(&self, current: Duration) -> Duration {
        current.saturating_mul(2).min(self.t2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_arithmetic() {
        let c = TimerConfig::default();
        assert_eq!(c.t1_x64(), Duration::from_secs(32));
        assert_eq!(c.timer_d_unreliable(), Duration::from_secs(32));
        assert_eq!(c.backoff_capped(Duration::from_secs(2)), c.t2);
        assert_eq!(c.backoff_capped(Duration::from_secs(3)), c.t2);
        assert_eq!(c.backoff_capped(c.t1), Duration::from_secs(1));
        let t = Time::from_millis(10) + Duration::from_millis(5);
        assert_eq!(t.as_millis(), 15);
        assert_eq!(Time::from_millis(3) - t, Duration::ZERO);
        assert_eq!(
            Time::from_millis(u64::MAX) + Duration::MAX,
            Time::from_millis(u64::MAX)
        );
    }
}
