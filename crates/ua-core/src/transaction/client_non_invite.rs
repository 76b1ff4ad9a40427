//! The non-INVITE client transaction (RFC 3261 section 17.1.2, Figure 6).

use std::time::Duration;

use bytes::Bytes;
use sip_proto::Message;

use super::{Action, Ctx, Timer, earliest};
use crate::time::Time;

/// The states of Figure 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientNonInviteState {
    /// Request sent; Timer E retransmits (UDP) with backoff capped at T2.
    Trying,
    /// A provisional arrived; Timer E retransmits every T2 (UDP).
    Proceeding,
    /// A final response arrived; Timer K absorbs retransmissions.
    Completed,
    /// Done; the layer destroys the transaction.
    Terminated,
}

/// A non-INVITE client transaction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientNonInvite {
    state: ClientNonInviteState,
    wire: Bytes,
    timer_e: Option<(Time, Duration)>,
    timer_f: Option<Time>,
    timer_k: Option<Time>,
}

impl ClientNonInvite {
    /// Enters Trying: sends the request, starts Timer F and, on an
    /// unreliable transport, Timer E (section 17.1.2.2).
    pub(crate) fn new(ctx: Ctx<'_>, wire: Bytes, out: &mut Vec<Action>) -> Self {
        let t = &ctx.cfg.timers;
        out.push(Action::Send(wire.clone()));
        ClientNonInvite {
            state: ClientNonInviteState::Trying,
            wire,
            timer_e: (!ctx.reliable).then(|| (ctx.now + t.t1, t.t1)),
            timer_f: Some(ctx.now + t.t1_x64()),
            timer_k: None,
        }
    }

    /// The current state.
    pub fn state(&self) -> ClientNonInviteState {
        self.state
    }

    pub(crate) fn next_deadline(&self) -> Option<Time> {
        self.earliest().map(|(t, _)| t)
    }

    fn earliest(&self) -> Option<(Time, Timer)> {
        earliest(&[
            (self.timer_e.map(|(t, _)| t), Timer::E),
            (self.timer_f, Timer::F),
            (self.timer_k, Timer::K),
        ])
    }

    fn terminate(&mut self) {
        self.state = ClientNonInviteState::Terminated;
        self.timer_e = None;
        self.timer_f = None;
        self.timer_k = None;
    }

    /// A response matched this transaction (section 17.1.3).
    pub(crate) fn on_response(&mut self, ctx: Ctx<'_>, resp: Box<Message>, out: &mut Vec<Action>) {
        let Some(code) = resp.status() else { return };
        use ClientNonInviteState::*;
        match (self.state, code) {
            (Trying | Proceeding, 100..=199) => {
                self.state = Proceeding;
                out.push(Action::Response(resp));
            }
            (Trying | Proceeding, _) => {
                out.push(Action::Response(resp));
                self.timer_e = None;
                self.timer_f = None;
                if ctx.reliable {
                    // Timer K is zero on reliable transports.
                    self.terminate();
                } else {
                    self.state = Completed;
                    self.timer_k = Some(ctx.now + ctx.cfg.timers.t4);
                }
            }
            // Completed: retransmissions are absorbed.
            _ => {}
        }
    }

    /// Fires every timer due at `ctx.now`, in deadline order.
    pub(crate) fn on_timer(&mut self, ctx: Ctx<'_>, out: &mut Vec<Action>) {
        let t = &ctx.cfg.timers;
        while let Some((at, which)) = self.earliest() {
            if at > ctx.now {
                break;
            }
            match which {
                Timer::E => {
                    out.push(Action::Send(self.wire.clone()));
                    let last = self.timer_e.map_or(t.t1, |(_, d)| d);
                    let next = if self.state == ClientNonInviteState::Proceeding {
                        t.t2
                    } else {
                        t.backoff_capped(last)
                    };
                    // A saturated clock must not re-fire forever.
                    let at = ctx.now + next;
                    self.timer_e = (at > ctx.now).then_some((at, next));
                }
                Timer::F => {
                    out.push(Action::Timeout(Timer::F));
                    self.terminate();
                }
                _ => self.terminate(),
            }
        }
    }

    /// A transport error on send (section 17.1.4).
    pub(crate) fn on_transport_error(&mut self) {
        self.terminate();
    }
}
