//! The INVITE server transaction (RFC 3261 section 17.2.1, Figure 7 as
//! replaced by RFC 6026 section 8.6).
//!
//! 100 Trying: the transaction sends it itself when the TU has not sent a
//! response within `LayerConfig::trying_delay` (200 ms by default, the
//! bound section 17.2.1 gives; zero sends it at once). A retransmitted
//! INVITE that arrives before any provisional gets the 100 immediately.

use std::time::Duration;

use bytes::Bytes;
use sip_proto::{Message, MessageBuilder};

use super::{Action, Ctx, Timer, TxError, earliest};
use crate::time::Time;

/// The states of Figure 7 (RFC 6026).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerInviteState {
    /// INVITE passed to the TU; provisionals go out unreliably.
    Proceeding,
    /// A 300-699 was sent; Timer G retransmits (UDP), Timer H waits for ACK.
    Completed,
    /// The ACK arrived; Timer I absorbs further ACKs.
    Confirmed,
    /// A 2xx was sent (RFC 6026); Timer L absorbs INVITE retransmissions.
    Accepted,
    /// Done; the layer destroys the transaction.
    Terminated,
}

/// An INVITE server transaction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerInvite {
    state: ServerInviteState,
    request: Message,
    last_provisional: Option<Bytes>,
    last_final: Option<Bytes>,
    /// The To tag of the final response, for RFC 2543 ACK matching.
    final_to_tag: Option<String>,
    timer_trying: Option<Time>,
    timer_g: Option<(Time, Duration)>,
    timer_h: Option<Time>,
    timer_i: Option<Time>,
    timer_l: Option<Time>,
    guard: Option<Time>,
}

impl ServerInvite {
    /// Enters Proceeding with `request` (as received; `ctx.stamp` is its top
    /// Via as stamped per section 18.2.1).
    pub(crate) fn new(ctx: Ctx<'_>, request: Message, out: &mut Vec<Action>) -> Self {
        let mut tx = ServerInvite {
            state: ServerInviteState::Proceeding,
            request,
            last_provisional: None,
            last_final: None,
            final_to_tag: None,
            timer_trying: Some(ctx.now + ctx.cfg.trying_delay),
            timer_g: None,
            timer_h: None,
            timer_i: None,
            timer_l: None,
            guard: ctx.cfg.invite_guard.map(|g| ctx.now + g),
        };
        if ctx.cfg.trying_delay.is_zero() {
            tx.send_trying(ctx.stamp, out);
        }
        tx
    }

    /// The current state.
    pub fn state(&self) -> ServerInviteState {
        self.state
    }

    /// The request that created the transaction.
    pub fn request(&self) -> &Message {
        &self.request
    }

    /// The To tag of the final response sent, if any.
    pub(crate) fn final_to_tag(&self) -> Option<&str> {
        self.final_to_tag.as_deref()
    }

    pub(crate) fn next_deadline(&self) -> Option<Time> {
        self.earliest().map(|(t, _)| t)
    }

    fn earliest(&self) -> Option<(Time, Timer)> {
        earliest(&[
            (self.timer_trying, Timer::Trying),
            (self.timer_g.map(|(t, _)| t), Timer::G),
            (self.timer_h, Timer::H),
            (self.timer_i, Timer::I),
            (self.timer_l, Timer::L),
            (self.guard, Timer::Guard),
        ])
    }

    fn terminate(&mut self) {
        self.state = ServerInviteState::Terminated;
        self.timer_trying = None;
        self.timer_g = None;
        self.timer_h = None;
        self.timer_i = None;
        self.timer_l = None;
        self.guard = None;
    }

    fn send_trying(&mut self, stamp: Option<&str>, out: &mut Vec<Action>) {
        self.timer_trying = None;
        // Section 17.2.1: no To tag in the 100 (SHOULD NOT).
        let trying = MessageBuilder::response_to_via(&self.request, 100, "", None, stamp);
        if let Ok(m) = trying.build() {
            let wire = super::wire(&m);
            out.push(Action::Send(wire.clone()));
            self.last_provisional = Some(wire);
        }
    }

    /// A retransmitted INVITE (`is_ack` false) or an ACK matched this
    /// transaction (section 17.2.3).
    pub(crate) fn on_request(
        &mut self,
        ctx: Ctx<'_>,
        req: Box<Message>,
        is_ack: bool,
        out: &mut Vec<Action>,
    ) {
        use ServerInviteState::*;
        match (self.state, is_ack) {
            (Proceeding, false) => match &self.last_provisional {
                Some(p) => out.push(Action::Send(p.clone())),
                None => self.send_trying(ctx.stamp, out),
            },
            (Completed, false) => {
                if let Some(f) = &self.last_final {
                    out.push(Action::Send(f.clone()));
                }
            }
            (Completed, true) => {
                self.timer_g = None;
                self.timer_h = None;
                if ctx.reliable {
                    // Timer I is zero on reliable transports.
                    self.terminate();
                } else {
                    self.state = Confirmed;
                    self.timer_i = Some(ctx.now + ctx.cfg.timers.t4);
                }
            }
            // RFC 6026 section 7.1: ACKs in Accepted go to the TU.
            (Accepted, true) => out.push(Action::Ack(req)),
            // Confirmed absorbs ACKs, Accepted absorbs INVITEs, and an ACK
            // before any final response has nothing to acknowledge.
            _ => {}
        }
    }

    /// The TU passes a response (section 17.2.1).
    pub(crate) fn on_tu_response(
        &mut self,
        ctx: Ctx<'_>,
        resp: &Message,
        out: &mut Vec<Action>,
    ) -> Result<(), TxError> {
        use ServerInviteState::*;
        let code = resp.status().ok_or(TxError::NotAResponse)?;
        let wire = super::wire(resp);
        match (self.state, code) {
            (Proceeding, 100..=199) => {
                self.timer_trying = None;
                out.push(Action::Send(wire.clone()));
                self.last_provisional = Some(wire);
            }
            (Proceeding, 200..=299) => {
                self.timer_trying = None;
                self.guard = None;
                self.final_to_tag = resp.to_header().and_then(|t| t.tag().map(str::to_owned));
                out.push(Action::Send(wire));
                self.state = Accepted;
                self.timer_l = Some(ctx.now + ctx.cfg.timers.t1_x64());
            }
            (Proceeding, _) => {
                self.timer_trying = None;
                self.guard = None;
                out.push(Action::Send(wire.clone()));
                self.final_to_tag = resp.to_header().and_then(|t| t.tag().map(str::to_owned));
                self.last_final = Some(wire);
                self.state = Completed;
                let t = &ctx.cfg.timers;
                self.timer_g = (!ctx.reliable).then(|| (ctx.now + t.t1, t.t1));
                self.timer_h = Some(ctx.now + t.t1_x64());
            }
            // The TU retransmits its 2xx itself (RFC 6026 section 8.7).
            (Accepted, 200..=299) => out.push(Action::Send(wire)),
            _ => return Err(TxError::InvalidState),
        }
        Ok(())
    }

    /// Fires every timer due at `ctx.now`, in deadline order.
    pub(crate) fn on_timer(&mut self, ctx: Ctx<'_>, out: &mut Vec<Action>) {
        while let Some((at, which)) = self.earliest() {
            if at > ctx.now {
                break;
            }
            match which {
                Timer::Trying => self.send_trying(ctx.stamp, out),
                Timer::G => {
                    if let Some(f) = &self.last_final {
                        out.push(Action::Send(f.clone()));
                    }
                    let last = self.timer_g.map_or(ctx.cfg.timers.t1, |(_, d)| d);
                    let next = ctx.cfg.timers.backoff_capped(last);
                    // A saturated clock must not re-fire forever.
                    let at = ctx.now + next;
                    self.timer_g = (at > ctx.now).then_some((at, next));
                }
                Timer::H => {
                    // The ACK never came: a transaction failure for the TU.
                    out.push(Action::Timeout(Timer::H));
                    self.terminate();
                }
                Timer::Guard => {
                    out.push(Action::Timeout(Timer::Guard));
                    self.terminate();
                }
                _ => self.terminate(),
            }
        }
    }
}
