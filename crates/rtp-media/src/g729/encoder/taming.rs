//! Taming procedure of the G.729 encoder (the pitch-gain limiting that
//! keeps a decoder which lost frames from diverging; ITU-T reference
//! `TAMING.C`, used unchanged by Annex A): the encoder tracks an estimate
//! of the worst-case accumulated excitation error per 40-sample zone of the
//! past excitation. When the zones a lag reads from exceed a threshold, the
//! pitch gain is limited (to 0.95 for the unquantised gain, below 1 in the
//! gain codebook search).

use crate::g729::basic_op::{add, l_add, l_extract, l_shl, l_sub, mpy_32_16, sub};
use crate::g729::tables::{INIT_TAMING_L_EXC_ERR, L_INTER10, L_SUBFR, L_THRESH_ERR, TAB_ZONE};

/// Excitation-error memory of the four most recent subframes, Q14.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Taming {
    l_exc_err: [i32; 4],
}

impl Default for Taming {
    fn default() -> Self {
        Self {
            l_exc_err: [INIT_TAMING_L_EXC_ERR; 4],
        }
    }
}

impl Taming {
    /// Whether the lag `t0` (with fraction `t0_frac`) reads from a zone
    /// whose accumulated error exceeds the threshold, i.e. whether the pitch
    /// gain must be tamed.
    pub(crate) fn test_err(&self, t0: i16, t0_frac: i16) -> bool {
        let t1 = if t0_frac > 0 { add(t0, 1) } else { t0 };
        let i = sub(t1, (L_SUBFR + L_INTER10) as i16).max(0);
        let zone1 = TAB_ZONE[i as usize] as usize;
        let zone2 = TAB_ZONE[add(t1, L_INTER10 as i16 - 2) as usize] as usize;

        let mut maxloc = -1i32;
        for i in (zone1..=zone2).rev() {
            if l_sub(self.l_exc_err[i], maxloc) > 0 {
                maxloc = self.l_exc_err[i];
            }
        }
        l_sub(maxloc, L_THRESH_ERR) > 0
    }

    /// Updates the error memory after the subframe's excitation is known,
    /// with the quantised pitch gain `gain_pit` (Q14) and integer lag `t0`.
    pub(crate) fn update(&mut self, gain_pit: i16, t0: i16) {
        let propagate = |err: i32| {
            let (hi, lo) = l_extract(err);
            l_add(0x4000, l_shl(mpy_32_16(hi, lo, gain_pit), 1))
        };
        let mut worst = -1i32;
        let n = sub(t0, L_SUBFR as i16);
        if n < 0 {
            // The lag reaches into the current subframe: the error goes
            // through the pitch loop twice.
            let t = propagate(self.l_exc_err[0]);
            if l_sub(t, worst) > 0 {
                worst = t;
            }
            let t = propagate(t);
            if l_sub(t, worst) > 0 {
                worst = t;
            }
        } else {
            let zone1 = TAB_ZONE[n as usize] as usize;
            let zone2 = TAB_ZONE[sub(t0, 1) as usize] as usize;
            for i in zone1..=zone2 {
                let t = propagate(self.l_exc_err[i]);
                if l_sub(t, worst) > 0 {
                    worst = t;
                }
            }
        }
        self.l_exc_err.copy_within(0..3, 1);
        self.l_exc_err[0] = worst;
    }
}
