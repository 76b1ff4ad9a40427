//! The INVITE client transaction (RFC 3261 section 17.1.1, Figure 5 as
//! replaced by RFC 6026 section 8.4).

use std::time::Duration;

use bytes::Bytes;
use sip_proto::{HeaderName, Message, Method};

use super::{Action, Ctx, Timer, earliest};
use crate::time::Time;

/// The states of Figure 5 (RFC 6026).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientInviteState {
    /// INVITE sent, no response yet; Timer A retransmits (UDP).
    Calling,
    /// A provisional response arrived; waiting for a final one.
    Proceeding,
    /// A 300-699 arrived and was ACKed; Timer D absorbs retransmissions.
    Completed,
    /// A 2xx arrived (RFC 6026); Timer M keeps passing 2xx to the TU.
    Accepted,
    /// Done; the layer destroys the transaction.
    Terminated,
}

/// An INVITE client transaction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientInvite {
    state: ClientInviteState,
    request: Message,
    wire: Bytes,
    ack: Option<Bytes>,
    /// Timer A: deadline and the interval that set it.
    timer_a: Option<(Time, Duration)>,
    timer_b: Option<Time>,
    timer_d: Option<Time>,
    timer_m: Option<Time>,
    /// Optional limit on Proceeding (see `LayerConfig::invite_guard`).
    guard: Option<Time>,
    /// RFC 3581 NAT refresh while Proceeding, if enabled for this request.
    refresh: Option<Time>,
}

impl ClientInvite {
    /// Enters Calling: sends the INVITE, starts Timer A (unreliable only)
    /// and Timer B (section 17.1.1.2).
    pub(crate) fn new(ctx: Ctx<'_>, request: Message, wire: Bytes, out: &mut Vec<Action>) -> Self {
        let t = &ctx.cfg.timers;
        out.push(Action::Send(wire.clone()));
        ClientInvite {
            state: ClientInviteState::Calling,
            request,
            wire,
            ack: None,
            timer_a: (!ctx.reliable).then(|| (ctx.now + t.t1, t.t1)),
            timer_b: Some(ctx.now + t.t1_x64()),
            timer_d: None,
            timer_m: None,
            guard: None,
            refresh: None,
        }
    }

    /// The current state.
    pub fn state(&self) -> ClientInviteState {
        self.state
    }

    /// The INVITE as sent.
    pub fn request(&self) -> &Message {
        &self.request
    }

    /// A CANCEL went out (section 9.1): without a final response within
    /// 64*T1 the transaction is given up ([`Timer::Guard`]).
    pub(crate) fn on_cancel_sent(&mut self, ctx: Ctx<'_>) {
        let limit = ctx.now + ctx.cfg.timers.t1_x64();
        self.guard = Some(self.guard.map_or(limit, |g| g.min(limit)));
    }

    pub(crate) fn next_deadline(&self) -> Option<Time> {
        self.earliest().map(|(t, _)| t)
    }

    fn earliest(&self) -> Option<(Time, Timer)> {
        earliest(&[
            (self.timer_a.map(|(t, _)| t), Timer::A),
            (self.timer_b, Timer::B),
            (self.timer_d, Timer::D),
            (self.timer_m, Timer::M),
            (self.guard, Timer::Guard),
            (self.refresh, Timer::NatRefresh),
        ])
    }

    fn terminate(&mut self) {
        self.state = ClientInviteState::Terminated;
        self.timer_a = None;
        self.timer_b = None;
        self.timer_d = None;
        self.timer_m = None;
        self.guard = None;
        self.refresh = None;
    }

    /// A response matched this transaction (section 17.1.3).
    pub(crate) fn on_response(&mut self, ctx: Ctx<'_>, resp: Box<Message>, out: &mut Vec<Action>) {
        let Some(code) = resp.status() else { return };
        use ClientInviteState::*;
        match (self.state, code) {
            (Calling | Proceeding, 100..=199) => {
                // Retransmissions cease once anything is heard.
                self.timer_a = None;
                self.timer_b = None;
                if self.state == Calling {
                    self.guard = ctx.cfg.invite_guard.map(|g| ctx.now + g);
                    self.refresh = self.nat_refresh_interval(ctx).map(|d| ctx.now + d);
                }
                self.state = Proceeding;
                out.push(Action::Response(resp));
            }
            (Calling | Proceeding, 200..=299) => {
                // RFC 6026 section 7.2: Accepted, Timer M; the TU ACKs.
                self.timer_a = None;
                self.timer_b = None;
                self.guard = None;
                self.refresh = None;
                self.state = Accepted;
                self.timer_m = Some(ctx.now + ctx.cfg.timers.t1_x64());
                out.push(Action::Response(resp));
            }
            (Calling | Proceeding, _) => {
                self.timer_a = None;
                self.timer_b = None;
                self.guard = None;
                self.refresh = None;
                self.ack = build_ack(&self.request, &resp).map(|m| super::wire(&m));
                if let Some(ack) = &self.ack {
                    out.push(Action::Send(ack.clone()));
                }
                out.push(Action::Response(resp));
                if ctx.reliable {
                    self.terminate();
                } else {
                    self.state = Completed;
                    self.timer_d = Some(ctx.now + ctx.cfg.timers.timer_d_unreliable());
                }
            }
            (Accepted, 200..=299) => out.push(Action::Response(resp)),
            (Completed, 300..) => {
                // A retransmitted final response: ACK again, not to the TU.
                if let Some(ack) = &self.ack {
                    out.push(Action::Send(ack.clone()));
                }
            }
            _ => {}
        }
    }

    /// Fires every timer due at `ctx.now`, in deadline order.
    pub(crate) fn on_timer(&mut self, ctx: Ctx<'_>, out: &mut Vec<Action>) {
        while let Some((at, which)) = self.earliest() {
            if at > ctx.now {
                break;
            }
            match which {
                Timer::A => {
                    out.push(Action::Send(self.wire.clone()));
                    let next = self
                        .timer_a
                        .map_or(ctx.cfg.timers.t1, |(_, d)| d.saturating_mul(2));
                    // A saturated clock must not re-fire forever.
                    let at = ctx.now + next;
                    self.timer_a = (at > ctx.now).then_some((at, next));
                }
                Timer::B => {
                    out.push(Action::Timeout(Timer::B));
                    self.terminate();
                }
                Timer::Guard => {
                    out.push(Action::Timeout(Timer::Guard));
                    self.terminate();
                }
                Timer::NatRefresh => {
                    out.push(Action::Send(self.wire.clone()));
                    self.refresh = self
                        .nat_refresh_interval(ctx)
                        .map(|d| ctx.now + d)
                        .filter(|at| *at > ctx.now);
                }
                _ => self.terminate(),
            }
        }
    }

    /// The RFC 3581 refresh interval, if enabled and this INVITE asked for
    /// `rport` over an unreliable transport.
    fn nat_refresh_interval(&self, ctx: Ctx<'_>) -> Option<std::time::Duration> {
        let asked = self.request.top_via()?.params.has("rport");
        (asked && !ctx.reliable).then_some(ctx.cfg.invite_nat_refresh?)
    }

    /// A transport error on send (section 17.1.4): the layer informs the TU.
    pub(crate) fn on_transport_error(&mut self) {
        self.terminate();
    }
}

/// The ACK for a non-2xx final response (section 17.1.1.3): Request-URI,
/// Call-ID, From and the single Via of the original request, its Route
/// values, the To of the response, CSeq number of the INVITE with method ACK.
pub fn build_ack(invite: &Message, resp: &Message) -> Option<Message> {
    super::cancel::hop_by_hop(invite, Method::Ack, resp.values(HeaderName::To).next()?)
}
