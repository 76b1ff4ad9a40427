//! The non-INVITE server transaction (RFC 3261 section 17.2.2, Figure 8).

use bytes::Bytes;
use sip_proto::Message;

use super::{Action, Ctx, Timer, TxError, earliest};
use crate::time::Time;

/// The states of Figure 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerNonInviteState {
    /// Request passed to the TU; retransmissions are discarded.
    Trying,
    /// A provisional was sent; retransmissions get it again.
    Proceeding,
    /// A final response was sent; Timer J absorbs retransmissions.
    Completed,
    /// Done; the layer destroys the transaction.
    Terminated,
}

/// A non-INVITE server transaction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerNonInvite {
    state: ServerNonInviteState,
    last_response: Option<Bytes>,
    timer_j: Option<Time>,
    /// The client gives up after Timer F = 64*T1; a TU that has not
    /// answered by then never will usefully, so the transaction ends.
    guard: Option<Time>,
}

impl ServerNonInvite {
    /// Enters Trying.
    pub(crate) fn new(ctx: Ctx<'_>) -> Self {
        ServerNonInvite {
            state: ServerNonInviteState::Trying,
            last_response: None,
            timer_j: None,
            guard: Some(ctx.now + ctx.cfg.timers.t1_x64()),
        }
    }

    /// The current state.
    pub fn state(&self) -> ServerNonInviteState {
        self.state
    }

    pub(crate) fn next_deadline(&self) -> Option<Time> {
        self.earliest().map(|(t, _)| t)
    }

    fn earliest(&self) -> Option<(Time, Timer)> {
        earliest(&[(self.timer_j, Timer::J), (self.guard, Timer::Guard)])
    }

    fn terminate(&mut self) {
        self.state = ServerNonInviteState::Terminated;
        self.timer_j = None;
        self.guard = None;
    }

    /// A retransmission of the request matched (section 17.2.3).
    pub(crate) fn on_request(&mut self, out: &mut Vec<Action>) {
        match self.state {
            ServerNonInviteState::Proceeding | ServerNonInviteState::Completed => {
                if let Some(r) = &self.last_response {
                    out.push(Action::Send(r.clone()));
                }
            }
            // Trying: discarded until the TU answers.
            _ => {}
        }
    }

    /// The TU passes a response (section 17.2.2).
    pub(crate) fn on_tu_response(
        &mut self,
        ctx: Ctx<'_>,
        resp: &Message,
        out: &mut Vec<Action>,
    ) -> Result<(), TxError> {
        use ServerNonInviteState::*;
        let code = resp.status().ok_or(TxError::NotAResponse)?;
        if !matches!(self.state, Trying | Proceeding) {
            // Further final responses are discarded in Completed.
            return Err(TxError::InvalidState);
        }
        let wire = super::wire(resp);
        out.push(Action::Send(wire.clone()));
        self.last_response = Some(wire);
        if code < 200 {
            self.state = Proceeding;
        } else if ctx.reliable {
            // Timer J is zero on reliable transports.
            self.terminate();
        } else {
            self.state = Completed;
            self.guard = None;
            self.timer_j = Some(ctx.now + ctx.cfg.timers.t1_x64());
        }
        Ok(())
    }

    /// Fires every timer due at `ctx.now`.
    pub(crate) fn on_timer(&mut self, ctx: Ctx<'_>, out: &mut Vec<Action>) {
        if let Some((at, which)) = self.earliest()
            && at <= ctx.now
        {
            if which == Timer::Guard {
                out.push(Action::Timeout(Timer::Guard));
            }
            self.terminate();
        }
    }

    /// A transport error on send: Figure 8 terminates.
    pub(crate) fn on_transport_error(&mut self) {
        self.terminate();
    }
}
