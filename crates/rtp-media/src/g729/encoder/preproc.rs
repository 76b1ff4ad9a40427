//! Pre-processing of the input speech (G.729 §3.1, unchanged in Annex A):
//! a second-order pole/zero high-pass filter with a 140 Hz cut-off that also
//! divides the signal by two.
//!
//! The numerator coefficients are stored halved in Q12 (`B140`), the
//! denominator ones in Q12 (`A140`, signs folded in), and the two past
//! outputs are kept in double precision (`hi`, `lo`) as the Recommendation's
//! fixed-point description does.

use crate::g729::basic_op::{l_add, l_extract, l_mac, l_shl, mpy_32_16, round16};
use crate::g729::tables::{A140, B140};

/// State of the 140 Hz high-pass pre-filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct PreFilter {
    /// y[n-1] in double precision.
    y1: (i16, i16),
    /// y[n-2] in double precision.
    y2: (i16, i16),
    /// x[n-1].
    x1: i16,
    /// x[n-2].
    x2: i16,
}

impl PreFilter {
    /// Filters `signal` in place (§3.1).
    pub(crate) fn process(&mut self, signal: &mut [i16]) {
        for s in signal.iter_mut() {
            let x0 = *s;
            let mut acc = mpy_32_16(self.y1.0, self.y1.1, A140[1]);
            acc = l_add(acc, mpy_32_16(self.y2.0, self.y2.1, A140[2]));
            acc = l_mac(acc, x0, B140[0]);
            acc = l_mac(acc, self.x1, B140[1]);
            acc = l_mac(acc, self.x2, B140[2]);
            // Q12 coefficients: back to Q15 (saturating).
            acc = l_shl(acc, 3);
            *s = round16(acc);
            self.x2 = self.x1;
            self.x1 = x0;
            self.y2 = self.y1;
            self.y1 = l_extract(acc);
        }
    }
}
