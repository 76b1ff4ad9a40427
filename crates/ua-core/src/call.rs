//! Basic calls (RFC 3261 sections 13-15, RFC 3264 offer/answer through the
//! `sdp` negotiator): outgoing INVITE with an offer, provisional and early
//! media, 2xx and its ACK, digest on 401/407, CANCEL and the CANCEL/2xx
//! race, incoming INVITE with 180 and answer/reject, 2xx retransmission
//! until the ACK (13.3.1.4), 488 when no codec matches, BYE both ways.

use std::net::SocketAddr;
use std::time::Duration;

use sdp::{MediaParams, Negotiator, SessionDescription};
use sip_proto::auth::{DigestInput, DigestPolicy, Password, Secret};
use sip_proto::headers::{Contact, Route};
use sip_proto::{HeaderName, Message, MessageBuilder, Method, TypedHeader};

use crate::agent::{ALLOW, AccountId, AgentError, Detached, Event, Output, Pending, UserAgent};
use crate::dialog::{Dialog, DialogState};
use crate::time::Time;
use crate::transaction::key::TxKey;
use crate::transport::Transport;

/// A call's handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

/// Where a call stands, as the application sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallState {
    /// INVITE sent, nothing heard yet.
    Calling,
    /// Incoming, ringing here.
    Incoming,
    /// 180 received.
    Ringing,
    /// 183 with SDP: early media.
    EarlyMedia,
    /// Answered and acknowledged.
    Connected,
    /// Over: the status that ended it (200 for a BYE) and its reason.
    Terminated {
        /// The status code.
        status: u16,
        /// The reason phrase or what happened.
        reason: String,
    },
}

/// A call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Call {
    pub(crate) account: AccountId,
    pub(crate) outgoing: bool,
    pub(crate) state: CallState,
    pub(crate) negotiator: Negotiator,
    /// The INVITE as last sent (outgoing) or received (incoming); let go
    /// once the call is up and its INVITE transaction is over, so an idle
    /// call keeps only its dialog and media state.
    pub(crate) invite: Option<Box<Message>>,
    /// The CSeq number of that INVITE (the ACK for its 2xx reuses it).
    pub(crate) invite_seq: u32,
    pub(crate) invite_key: Option<TxKey>,
    pub(crate) dialog: Option<Dialog>,
    /// Early dialogs of other forks (section 13.2.2.4), at most
    /// [`MAX_FORKS`]; dropped when a 2xx confirms one dialog.
    pub(crate) forks: Vec<Dialog>,
    pub(crate) local_tag: String,
    pub(crate) peer: SocketAddr,
    pub(crate) transport: Transport,
    pub(crate) challenged: bool,
    pub(crate) cancelled: bool,
    /// Our 2xx, retransmitted until the ACK (section 13.3.1.4).
    pub(crate) ok: Option<Box<(Message, Time, Duration)>>,
    pub(crate) ok_deadline: Option<Time>,
    pub(crate) media: Option<MediaParams>,
    /// The answer our ACK carries when the offer came in a 2xx (late offer
    /// on our INVITE), kept so that every ACK for a retransmitted 2xx is the same.
    pub(crate) ack_body: Option<bytes::Bytes>,
}

impl Call {
    /// A call in `state` (Calling for ours, Incoming for the peer's) with
    /// its INVITE on transaction `key`; no dialog, answer or media yet.
    #[allow(clippy::too_many_arguments)]
    fn new(
        account: AccountId,
        state: CallState,
        negotiator: Negotiator,
        invite: Message,
        key: TxKey,
        local_tag: String,
        peer: SocketAddr,
        transport: Transport,
    ) -> Call {
        Call {
            account,
            outgoing: state == CallState::Calling,
            state,
            negotiator,
            invite_seq: invite.cseq().map_or(1, |cs| cs.seq),
            invite: Some(Box::new(invite)),
            invite_key: Some(key),
            dialog: None,
            forks: Vec::new(),
            local_tag,
            peer,
            transport,
            challenged: false,
            cancelled: false,
            ok: None,
            ok_deadline: None,
            media: None,
            ack_body: None,
        }
    }
}

/// Early dialogs kept per outgoing call: a forking proxy may create many;
/// beyond this many, further forks' provisional responses only update the state.
pub const MAX_FORKS: usize = 8;

impl UserAgent {
    fn emit(&mut self, e: Event) {
        self.out.push_back(Output::Event(e));
    }

    fn set_state(&mut self, id: CallId, state: CallState) {
        if let Some(c) = self.calls.get_mut(&id) {
            if c.state == state {
                return;
            }
            c.state = state.clone();
            self.emit(Event::CallState { call: id, state });
        }
    }

    fn media_event(&mut self, id: CallId, params: Option<MediaParams>) {
        if let (Some(c), Some(p)) = (self.calls.get_mut(&id), params) {
            if c.media.as_ref() == Some(&p) {
                return;
            }
            c.media = Some(p.clone());
            self.emit(Event::Media {
                call: id,
                params: p,
            });
        }
    }

    /// Call `id` gets the `id`-th even port from the base (wrapping after 1000 calls).
    fn new_negotiator(&mut self, id: CallId) -> Negotiator {
        let slot = (id.0.saturating_sub(1) % 1000) as u16;
        let port = self.config.media_port_base.saturating_add(2 * slot);
        let mut cfg = sdp::Config::new(self.config.local.ip(), port);
        cfg.codecs = self.config.codecs;
        Negotiator::new(cfg, self.next_random() & 0x7fff_ffff_ffff)
    }

    fn via(&mut self, transport: Transport) -> String {
        let port = self.config.local.port();
        self.layer
            .new_via(transport, &self.local_host, Some(port), true)
    }

    /// Our Contact value, `<` [`contact_uri`](crate::agent::contact_uri)
    /// `>`, in parts for [`MessageBuilder::header_parts`] (written into
    /// the message, no string of its own).
    fn contact_parts(&self, account: AccountId) -> [&str; 6] {
        let config = &self.accounts[account.0].config;
        [
            "<sip:",
            &config.user,
            "@",
            &self.local_hostport,
            crate::agent::transport_param(config.transport),
            ">",
        ]
    }

    /// Places a call from `account` to `target`: a SIP URI, or digits that
    /// become `sip:digits@domain`. The INVITE goes to the account's current
    /// server with our SDP offer.
    pub fn call(
        &mut self,
        now: Time,
        account: AccountId,
        target: &str,
    ) -> Result<CallId, AgentError> {
        let acc = self
            .accounts
            .get(account.0)
            .ok_or(AgentError::NoAccount(account))?;
        let server = acc
            .failover
            .current()
            .ok_or(AgentError::NoAccount(account))?;
        let transport = acc.config.transport;
        let id = CallId(self.next_call);
        self.next_call += 1;
        let mut negotiator = self.new_negotiator(id);
        // Late offer (knob): the INVITE goes without SDP; the offer then
        // comes in the 2xx and our answer in the ACK (section 13.2.1).
        let offer = if self.config.late_offer {
            None
        } else {
            Some(
                negotiator
                    .create_offer_kept()
                    .map_err(|e| AgentError::Build(e.to_string()))?
                    .as_bytes()
                    .clone(),
            )
        };
        let local_tag = self.new_tag();
        let call_id = self.new_call_id();
        let via = self.via(transport);
        // The account again, borrowed now the mutable steps are done (no
        // copies of its domain and user).
        let acc = &self.accounts[account.0];
        let (domain, user) = (&acc.domain, &acc.config.user);
        let uri = if target.contains(':') {
            target.to_string()
        } else {
            let mut u = String::with_capacity(5 + target.len() + domain.len());
            for part in ["sip:", target, "@", domain] {
                u.push_str(part);
            }
            u
        };
        let mut b = MessageBuilder::request_str(&Method::Invite, &uri)
            .header_str(HeaderName::Via, &via)
            .header_str(HeaderName::MaxForwards, "70")
            .header_parts(
                HeaderName::From,
                &["<sip:", user, "@", domain, ">;tag=", &local_tag],
            )
            .header_parts(HeaderName::To, &["<", &uri, ">"])
            .header_str(HeaderName::CallId, &call_id)
            .header_str(HeaderName::CSeq, "1 INVITE")
            .header_parts(HeaderName::Contact, &self.contact_parts(account))
            .header_str(HeaderName::Allow, ALLOW)
            .header_str(HeaderName::UserAgent, &self.config.user_agent);
        if let Some(offer) = offer {
            b = b.body("application/sdp", offer);
        }
        let invite = b.build().map_err(|e| AgentError::Build(e.to_string()))?;
        let key = self
            .layer
            .send_request(now, invite.clone(), transport, server)?;
        self.calls.insert(
            id,
            Box::new(Call::new(
                account,
                CallState::Calling,
                negotiator,
                invite,
                key.clone(),
                local_tag,
                server,
                transport,
            )),
        );
        self.call_tx.insert(key, id);
        self.index_dialog(id);
        self.emit(Event::CallState {
            call: id,
            state: CallState::Calling,
        });
        self.drain(now);
        Ok(id)
    }

    /// The dialog of a call, once it has one.
    pub fn dialog_of(&self, id: CallId) -> Option<&Dialog> {
        self.calls.get(&id)?.dialog.as_ref()
    }

    /// Where our SDP asks the peer to send a call's RTP (our `c=` address
    /// and `m=` port; RTCP goes to the port + 1): the driver binds its
    /// media socket there.
    pub fn local_media_addr(&self, id: CallId) -> Option<SocketAddr> {
        let cfg = self.calls.get(&id)?.negotiator.config();
        Some(SocketAddr::new(cfg.address, cfg.port))
    }

    /// The state of a call.
    pub fn call_state(&self, id: CallId) -> Option<&CallState> {
        self.calls.get(&id).map(|c| &c.state)
    }

    /// Answers an incoming call with 200 OK and our SDP answer.
    pub fn answer(&mut self, now: Time, id: CallId) -> bool {
        let Some(c) = self.calls.get(&id) else {
            return false;
        };
        if c.outgoing || c.state != CallState::Incoming {
            return false;
        }
        let Some(sdp) = c
            .negotiator
            .local_description()
            .map(|d| d.as_bytes().clone())
        else {
            return false;
        };
        // The INVITE borrowed, not cloned: the response only copies its headers.
        let contact = self.contact_parts(c.account);
        let Some(invite) = c.invite.as_deref() else {
            return false;
        };
        let key = c.invite_key.clone();
        let ok = match &key {
            Some(k) => self
                .layer
                .response_to(k, invite, 200, "", Some(&c.local_tag)),
            None => MessageBuilder::response_to(invite, 200, "", Some(&c.local_tag)),
        };
        let Ok(ok) = ok
            .record_route_from(invite)
            .header_parts(HeaderName::Contact, &contact)
            .header_str(HeaderName::Allow, ALLOW)
            .body("application/sdp", sdp)
            .build()
        else {
            return false;
        };
        if let Some(key) = key {
            let _ = self.layer.send_response(now, &key, ok.clone());
        }
        let t1 = self.config.layer.timers.t1;
        let c = self.calls.get_mut(&id).expect("call exists");
        c.ok = Some(Box::new((ok, now.saturating_add(t1), t1)));
        c.ok_deadline = Some(now.saturating_add(t1 * 64));
        self.unacked.insert(id);
        self.drain(now);
        true
    }

    /// Rejects an incoming call (486 Busy Here, 480, 603 ...).
    pub fn reject(&mut self, now: Time, id: CallId, status: u16) -> bool {
        let Some(c) = self.calls.get(&id) else {
            return false;
        };
        if c.outgoing || c.state != CallState::Incoming {
            return false;
        }
        let (invite, key, local_tag) =
            (c.invite.clone(), c.invite_key.clone(), c.local_tag.clone());
        if let (Some(key), Some(invite)) = (key, invite)
            && let Ok(r) = self
                .layer
                .response_to(&key, &invite, status, "", Some(&local_tag))
                .build()
        {
            let _ = self.layer.send_response(now, &key, r);
        }
        self.end(id, status, sip_proto::reason_phrase(status));
        self.drain(now);
        true
    }

    /// Cancels an outgoing call not yet answered (section 9.1): the CANCEL
    /// goes once the INVITE has a provisional response. If a 2xx crosses
    /// it, the call is ACKed and ended with BYE (RFC 5407 section 3.1.2).
    /// `false` for any other call; [`Self::hangup`] ends those.
    pub fn cancel(&mut self, now: Time, id: CallId) -> bool {
        let cancellable = self.calls.get(&id).is_some_and(|c| {
            c.outgoing
                && !c.cancelled
                && matches!(
                    c.state,
                    CallState::Calling | CallState::Ringing | CallState::EarlyMedia
                )
        });
        cancellable && self.hangup(now, id)
    }

    /// Ends a call: BYE when established, CANCEL while an outgoing call
    /// rings, 480 to an incoming call not yet answered.
    pub fn hangup(&mut self, now: Time, id: CallId) -> bool {
        let Some(c) = self.calls.get(&id) else {
            return false;
        };
        let (state, outgoing, invite_key) = (c.state.clone(), c.outgoing, c.invite_key.clone());
        match (&state, outgoing) {
            (CallState::Connected, _) => {
                self.send_bye(now, id);
                self.end(id, 200, "BYE sent");
            }
            (CallState::Incoming, false) => {
                self.reject(now, id, 480);
            }
            (CallState::Calling | CallState::Ringing | CallState::EarlyMedia, true) => {
                if let Some(key) = invite_key {
                    let _ = self.layer.cancel(now, &key);
                }
                if let Some(call) = self.calls.get_mut(&id) {
                    call.cancelled = true;
                }
            }
            _ => return false,
        }
        self.drain(now);
        true
    }

    /// BYE on the call's dialog. It is sent detached from the call, which
    /// ends now: a challenge to it is still answered (section 22.2).
    fn send_bye(&mut self, now: Time, id: CallId) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        let (transport, peer, account) = (c.transport, c.peer, c.account);
        let Some(dialog) = c.dialog.as_mut() else {
            return;
        };
        let Ok(b) = dialog.request(Method::Bye) else {
            return;
        };
        let via = self.via(transport);
        if let Ok(bye) = b
            .header_str(HeaderName::Via, &via)
            .header_str(HeaderName::MaxForwards, "70")
            .build()
        {
            self.send_detached(now, account, bye, peer, transport);
        }
    }

    fn send_ack(&mut self, id: CallId) {
        let Some(c) = self.calls.get(&id) else { return };
        let Some(dialog) = c.dialog.as_ref() else {
            return;
        };
        let (transport, peer) = (c.transport, c.peer);
        let mut b = dialog.ack(c.invite_seq);
        if let Some(answer) = &c.ack_body {
            b = b.body("application/sdp", answer.clone());
        }
        let via = self.via(transport);
        if let Ok(ack) = b
            .header_str(HeaderName::Via, &via)
            .header_str(HeaderName::MaxForwards, "70")
            .build()
        {
            self.layer.send_stateless(&ack, transport, peer);
        }
    }

    /// Ends a call: reports it and forgets it. Late messages of its dialog
    /// then find no call (a BYE gets 481), and its transactions finish on
    /// their own; the agent's memory does not grow with past calls.
    /// Whether a request from the peer belongs to one of our calls' dialogs.
    pub(crate) fn dialog_exists(&self, request: &Message) -> bool {
        self.call_for(request).is_some()
    }

    /// The call whose dialog a request from the peer belongs to, found by
    /// (Call-ID, our tag) and checked against the whole dialog id.
    fn call_for(&self, request: &Message) -> Option<CallId> {
        let h = dialog_hash(request.call_id()?, request.to_header()?.tag()?);
        self.dialogs
            .range((h, CallId(0))..=(h, CallId(u64::MAX)))
            .map(|&(_, id)| id)
            .find(|id| {
                self.calls
                    .get(id)
                    .and_then(|c| c.dialog.as_ref())
                    .is_some_and(|d| d.matches(request))
            })
    }

    fn index_dialog(&mut self, id: CallId) {
        if let Some(c) = self.calls.get(&id)
            && let Some(call_id) = c.invite.as_deref().and_then(Message::call_id)
        {
            self.dialogs
                .insert((dialog_hash(call_id, &c.local_tag), id));
        }
    }

    fn end(&mut self, id: CallId, status: u16, reason: &str) {
        self.unacked.remove(&id);
        if let Some(c) = self.calls.remove(&id) {
            // What `set_state` does, without the copy of the reason the
            // call would keep: it goes now.
            let ended = matches!(&c.state, CallState::Terminated { status: s, reason: r }
                if *s == status && r == reason);
            if !ended {
                self.emit(Event::CallState {
                    call: id,
                    state: CallState::Terminated {
                        status,
                        reason: reason.to_string(),
                    },
                });
            }
            let call_id = c
                .dialog
                .as_ref()
                .map(|d| d.id.call_id.as_str())
                .or_else(|| c.invite.as_deref().and_then(Message::call_id));
            if let Some(call_id) = call_id {
                self.dialogs
                    .remove(&(dialog_hash(call_id, &c.local_tag), id));
            }
        }
    }

    /// A response on a client transaction of a call.
    pub(crate) fn call_response(&mut self, now: Time, id: CallId, key: &TxKey, response: &Message) {
        let Some(c) = self.calls.get(&id) else {
            return;
        };
        let status = response.status().unwrap_or(0);
        let is_invite = response
            .cseq()
            .is_some_and(|cs| cs.method == Method::Invite);
        if !is_invite {
            return; // BYE and CANCEL answers need no action.
        }
        let (cancelled, state, account) = (c.cancelled, c.state.clone(), c.account);
        let remote_tag = response.to_header().and_then(|t| t.tag());
        if (101..300).contains(&status)
            && let Some(tag) = remote_tag
            && !self.track_dialog(now, id, status, tag, response)
        {
            return; // a 2xx of a losing fork: ACKed and BYEd
        }
        let body = response.body_bytes();
        let sdp = (!body.is_empty())
            .then(|| parse_sdp(response).ok())
            .flatten();
        match status {
            180 => self.set_state(id, CallState::Ringing),
            181..=199 => {
                if let Some(answer) = sdp
                    && self
                        .calls
                        .get(&id)
                        .is_some_and(|c| c.negotiator.offer_outstanding())
                {
                    let media = self
                        .calls
                        .get_mut(&id)
                        .and_then(|c| c.negotiator.receive_answer_owned(answer).ok().flatten());
                    self.set_state(id, CallState::EarlyMedia);
                    self.media_event(id, media);
                }
            }
            200..=299 => {
                let mut failed = None;
                if let Some(remote) = sdp {
                    failed = self.sdp_in_2xx(id, remote);
                }
                // The ACK is ours for a 2xx, every time one arrives (13.2.2.4).
                self.send_ack(id);
                if cancelled {
                    // CANCEL lost the race with the 2xx: ACK, then BYE.
                    self.set_state(id, CallState::Connected);
                    self.send_bye(now, id);
                    self.end(id, 487, "cancelled; answered anyway, BYE sent");
                } else if let Some((status, reason)) = failed {
                    // An offer in the 2xx we cannot answer, or an answer we
                    // cannot use: the session is not wanted; ACK (above),
                    // then BYE (section 13.2.2.4).
                    self.set_state(id, CallState::Connected);
                    self.send_bye(now, id);
                    self.end(id, status, reason);
                } else {
                    self.set_state(id, CallState::Connected);
                }
            }
            401 | 407 if !self.calls.get(&id).is_some_and(|c| c.challenged) => {
                self.retry_with_credentials(now, id, key, response)
            }
            300..=699 => {
                // MiVoice answers 404 to an INVITE from a handset it does not
                // consider registered: register again at once.
                if status == 404 && !cancelled {
                    let _ = self.register(now, account);
                }
                let reason = if cancelled {
                    "cancelled"
                } else {
                    response.reason().unwrap_or("")
                };
                if !matches!(state, CallState::Terminated { .. }) {
                    self.end(id, status, reason);
                }
            }
            _ => {}
        }
    }

    /// Early and confirmed dialogs of an outgoing call (sections 12.1.2 and
    /// 13.2.2.4), one per remote tag: a forking proxy may send responses
    /// from several UAS. The first 2xx confirms its dialog and drops the
    /// other early ones; a 2xx from another fork after that is ACKed and
    /// its dialog ended with a BYE at once. Returns `false` for such a
    /// losing 2xx, which the call must not act on.
    fn track_dialog(
        &mut self,
        now: Time,
        id: CallId,
        status: u16,
        tag: &str,
        response: &Message,
    ) -> bool {
        let Some(c) = self.calls.get_mut(&id) else {
            return false;
        };
        let current = c.dialog.as_ref().map(|d| d.id.remote_tag.as_str());
        let confirmed = c
            .dialog
            .as_ref()
            .is_some_and(|d| d.state == DialogState::Confirmed);
        if current == Some(tag) {
            if let (true, Some(d)) = (status >= 200, c.dialog.as_mut()) {
                let _ = d.confirm(response);
            }
            return true;
        }
        if confirmed {
            if status >= 200 {
                self.end_losing_fork(now, id, response);
                return false;
            }
            return true; // a late provisional of another fork: nothing to do
        }
        // A dialog of another fork, or the first one.
        let known = c.forks.iter().position(|d| d.id.remote_tag == tag);
        let fork = match known {
            Some(k) => Some(c.forks.swap_remove(k)),
            None => c
                .invite
                .as_ref()
                .and_then(|i| Dialog::from_uac_response(i, response).ok()),
        };
        let Some(mut fork) = fork else {
            return true;
        };
        if status >= 200 {
            let _ = fork.confirm(response);
            c.dialog = Some(fork);
            c.forks.clear();
        } else if c.dialog.is_none() {
            c.dialog = Some(fork);
        } else if c.forks.len() < MAX_FORKS {
            c.forks.push(fork);
        }
        true
    }

    /// A 2xx from a fork that lost (section 13.2.2.4): ACK it, then BYE it.
    /// The BYE outlives the call's interest, so it is kept as a detached
    /// request that can still answer a challenge.
    fn end_losing_fork(&mut self, now: Time, id: CallId, response: &Message) {
        let Some(c) = self.calls.get(&id) else { return };
        let Some(Ok(mut d)) = c
            .invite
            .as_ref()
            .map(|i| Dialog::from_uac_response(i, response))
        else {
            return;
        };
        let (transport, peer, account, cseq) = (c.transport, c.peer, c.account, c.invite_seq);
        let via = self.via(transport);
        if let Ok(ack) = d
            .ack(cseq)
            .header(HeaderName::Via, via)
            .header(HeaderName::MaxForwards, 70)
            .build()
        {
            self.layer.send_stateless(&ack, transport, peer);
        }
        let Ok(b) = d.request(Method::Bye) else {
            return;
        };
        let via = self.via(transport);
        if let Ok(bye) = b
            .header(HeaderName::Via, via)
            .header(HeaderName::MaxForwards, 70)
            .header(
                HeaderName::Reason,
                "SIP;cause=200;text=\"another fork answered first\"",
            )
            .build()
        {
            self.send_detached(now, account, bye, peer, transport);
        }
    }

    /// Sends a request no call waits for (a BYE): its answer is only
    /// looked at for a digest challenge.
    pub(crate) fn send_detached(
        &mut self,
        now: Time,
        account: AccountId,
        request: Message,
        peer: SocketAddr,
        transport: Transport,
    ) {
        if let Ok(key) = self
            .layer
            .send_request(now, request.clone(), transport, peer)
        {
            self.pending.insert(
                key,
                Pending::Detached(Box::new(Detached {
                    account,
                    request,
                    peer,
                    transport,
                    challenged: false,
                })),
            );
        }
    }

    /// SDP in a 2xx to our INVITE: the answer to our offer, or (late offer)
    /// the peer's offer, answered in the ACK. Returns the status that ends
    /// the call when an offer cannot be answered.
    fn sdp_in_2xx(
        &mut self,
        id: CallId,
        remote: SessionDescription,
    ) -> Option<(u16, &'static str)> {
        let c = self.calls.get_mut(&id)?;
        if c.negotiator.offer_outstanding() {
            return match c.negotiator.receive_answer_owned(remote) {
                Ok(media) => {
                    self.media_event(id, media);
                    None
                }
                // RFC 3264 section 6: an answer names only offered formats.
                // One we cannot use leaves a call without media: end it.
                Err(_) => Some((488, "the answer in the 2xx has no codec we offered")),
            };
        }
        if c.ack_body.is_some() || c.dialog.as_ref().is_none() {
            return None; // a retransmitted 2xx: the same ACK goes again
        }
        if c.invite.as_ref().is_some_and(|i| i.body_bytes().is_empty()) {
            match c.negotiator.answer_offer_owned(remote) {
                Ok((sdp, media)) => {
                    c.ack_body = Some(sdp.as_bytes().clone());
                    self.media_event(id, media);
                }
                Err(e) => return Some((e.sip_status(), "no common codec in the offer of the 2xx")),
            }
        }
        None
    }

    /// The INVITE again with credentials for the challenge in `response`.
    fn retry_with_credentials(&mut self, now: Time, id: CallId, key: &TxKey, response: &Message) {
        let Some(c) = self.calls.get(&id) else {
            return;
        };
        let Some(invite) = c.invite.clone() else {
            return;
        };
        let (account, transport, peer) = (c.account, c.transport, c.peer);
        let status = response.status().unwrap_or(0);
        let Some(invite) = self.with_credentials(account, &invite, response, transport) else {
            self.end(id, status, "cannot answer the challenge");
            return;
        };
        self.call_tx.remove(key);
        if let Ok(new_key) = self
            .layer
            .send_request(now, invite.clone(), transport, peer)
        {
            self.call_tx.insert(new_key.clone(), id);
            if let Some(call) = self.calls.get_mut(&id) {
                call.invite_seq = invite.cseq().map_or(call.invite_seq, |cs| cs.seq);
                call.invite = Some(Box::new(invite));
                call.invite_key = Some(new_key);
                call.challenged = true;
            }
        }
    }

    /// `request` again, answering the digest challenge of `response` (a 401
    /// or 407) with the account's credentials (section 22.2): the same
    /// Call-ID, From and To, CSeq one higher, a new branch, and an
    /// Authorization or Proxy-Authorization header. `None` when the
    /// challenge cannot be answered (no digest challenge, unknown algorithm).
    pub(crate) fn with_credentials(
        &mut self,
        account: AccountId,
        request: &Message,
        response: &Message,
        transport: Transport,
    ) -> Option<Message> {
        let proxy = response.status() == Some(407);
        let acc = self.accounts.get(account.0)?;
        let user = acc
            .config
            .auth_username
            .clone()
            .unwrap_or_else(|| acc.config.user.clone());
        let password = acc.config.password.clone();
        let name = if proxy {
            HeaderName::ProxyAuthenticate
        } else {
            HeaderName::WwwAuthenticate
        };
        let challenge = sip_proto::auth::select_challenge(response.values(name), |_| true).ok()?;
        let method = request.method()?.clone();
        let uri = request.request_uri_str()?.to_string();
        let cnonce = format!("{:016x}", self.next_random());
        let secret = Secret::Password(Password::new(password));
        let input = DigestInput {
            username: &user,
            secret: &secret,
            method: method.as_str(),
            uri: &uri,
            body: request.body_bytes(),
            cnonce: &cnonce,
            nc: sip_proto::auth::NonceCount::FIRST,
        };
        let creds = challenge.respond(&input, &DigestPolicy::default()).ok()?;
        let cseq = request.cseq().map_or(1, |cs| cs.seq + 1);
        let via = self.via(transport);
        let mut b = MessageBuilder::request(&method, &uri).header(HeaderName::Via, via);
        for f in request.fields() {
            match f.known {
                Some(
                    HeaderName::Via
                    | HeaderName::CSeq
                    | HeaderName::ContentLength
                    | HeaderName::ContentType
                    | HeaderName::Authorization
                    | HeaderName::ProxyAuthorization,
                ) => {}
                Some(k) => b = b.header(k, f.value),
                None => b = b.header_raw(f.name, f.value),
            }
        }
        let auth_name = if proxy {
            HeaderName::ProxyAuthorization
        } else {
            HeaderName::Authorization
        };
        b = b
            .header(HeaderName::CSeq, format_args!("{cseq} {method}"))
            .header(auth_name, creds);
        if !request.body_bytes().is_empty() {
            let ctype = request
                .values(HeaderName::ContentType)
                .next()
                .unwrap_or("application/sdp")
                .to_string();
            b = b.body(&ctype, request.body());
        }
        b.build().ok()
    }

    /// A client transaction of a call failed (Timer B/F or transport error).
    /// An INVITE that got no answer from the account's current server also
    /// moves the account to its next server (seed "Failover"): the server
    /// is gone, and the next call should not wait for it again.
    pub(crate) fn call_failure(&mut self, now: Time, id: CallId, key: &TxKey) {
        let Some(c) = self.calls.get(&id) else {
            return;
        };
        let is_invite = c.invite_key.as_ref() == Some(key);
        if !is_invite || matches!(c.state, CallState::Connected | CallState::Terminated { .. }) {
            return;
        }
        let (account, peer) = (c.account, c.peer);
        self.end(id, 408, "no answer from the server");
        let acc = &mut self.accounts[account.0];
        if acc.failover.current() == Some(peer) {
            let step = acc.failover.on_failure(now);
            self.apply_failover(now, account, Some(peer), step, false);
        }
    }

    /// A new request on a server transaction: INVITE, ACK-less requests of
    /// a dialog (BYE), CANCEL. Returns `false` when it is not for a call.
    pub(crate) fn call_request(
        &mut self,
        now: Time,
        key: &TxKey,
        request: &Message,
        source: SocketAddr,
        transport: Transport,
    ) -> bool {
        match request.method() {
            Some(Method::Invite) if request.to_header().is_some_and(|t| t.tag().is_none()) => {
                self.incoming_invite(now, key, request, source, transport);
                true
            }
            Some(Method::Bye) => {
                let found = self.call_for(request);
                let status = if found.is_some() { 200 } else { 481 };
                if let Ok(r) = self
                    .layer
                    .response_to(key, request, status, "", None)
                    .build()
                {
                    let _ = self.layer.send_response(now, key, r);
                }
                if let Some(id) = found {
                    if let Some(d) = self.calls.get_mut(&id).and_then(|c| c.dialog.as_mut()) {
                        let _ = d.receive_request(request);
                    }
                    self.end(id, 200, "BYE received");
                }
                true
            }
            Some(Method::Cancel) => {
                let target = self.layer.cancel_target(request);
                let call = target.as_ref().and_then(|t| {
                    self.calls
                        .iter()
                        .find(|(_, c)| c.invite_key.as_ref() == Some(t) && !c.outgoing)
                        .map(|(id, _)| *id)
                });
                let status = if call.is_some() { 200 } else { 481 };
                if let Ok(r) = self
                    .layer
                    .response_to(key, request, status, "", None)
                    .build()
                {
                    let _ = self.layer.send_response(now, key, r);
                }
                // A call we already answered is not cancelled: the CANCEL
                // crossed our 2xx (RFC 5407 section 3.1.2); the caller ACKs
                // and sends BYE.
                if let (Some(id), Some(t)) = (call, target)
                    && self
                        .calls
                        .get(&id)
                        .is_some_and(|c| c.state == CallState::Incoming && c.ok.is_none())
                {
                    let (invite, tag) = {
                        let c = &self.calls[&id];
                        (c.invite.clone(), c.local_tag.clone())
                    };
                    if let Some(invite) = invite
                        && let Ok(r) = self
                            .layer
                            .response_to(&t, &invite, 487, "", Some(&tag))
                            .build()
                    {
                        let _ = self.layer.send_response(now, &t, r);
                    }
                    self.end(id, 487, "cancelled by the caller");
                }
                true
            }
            _ => false,
        }
    }

    fn incoming_invite(
        &mut self,
        now: Time,
        key: &TxKey,
        request: &Message,
        source: SocketAddr,
        transport: Transport,
    ) {
        let id = CallId(self.next_call);
        self.next_call += 1;
        let local_tag = self.new_tag();
        let account = self.account_for(request);
        let mut negotiator = self.new_negotiator(id);
        let answered = if request.body_bytes().is_empty() {
            // Late offer (section 13.2.1): our offer goes in the 2xx and the
            // answer comes in the ACK; no media until then.
            negotiator.create_offer_kept().map(|_| None)
        } else {
            match parse_sdp(request) {
                Ok(o) => negotiator.answer_offer_owned(o).map(|(_, media)| media),
                Err(_) => Err(sdp::NegotiationError::NoOfferOutstanding),
            }
        };
        let media = match answered {
            Ok(m) => m,
            Err(e) => {
                let status = e.sip_status();
                if let Ok(r) = self
                    .layer
                    .response_to(key, request, status, "", Some(&local_tag))
                    .header(HeaderName::Warning, "304 - \"Media type not available\"")
                    .build()
                {
                    let _ = self.layer.send_response(now, key, r);
                }
                return;
            }
        };
        let dialog =
            Dialog::from_uas_request(request, &local_tag, (self.next_random() as u32) & 0x7fff)
                .ok();
        let peer = request
            .contacts()
            .find_map(|c| match c {
                Contact::Addr(a) => a.uri.as_sip().and_then(|u| u.socket_addr(5060)),
                Contact::Wildcard => None,
            })
            .unwrap_or(source);
        // Requests of the dialog follow its route set; the first route names the next hop.
        let peer = dialog
            .as_ref()
            .and_then(|d| d.route_set.first())
            .and_then(|r| Route::parse(r).ok()?.0.uri.as_sip()?.socket_addr(5060))
            .unwrap_or(peer);
        self.calls.insert(
            id,
            Box::new(Call {
                dialog,
                ..Call::new(
                    account,
                    CallState::Incoming,
                    negotiator,
                    request.clone(),
                    key.clone(),
                    local_tag,
                    peer,
                    transport,
                )
            }),
        );
        self.call_tx.insert(key.clone(), id);
        self.index_dialog(id);
        // 180 at once: the PBX then knows the handset alerts. (Our tag
        // read back from the call: no copy of it kept for this.)
        let contact = self.contact_parts(account);
        if let Ok(ringing) = self
            .layer
            .response_to(key, request, 180, "", Some(&self.calls[&id].local_tag))
            .record_route_from(request)
            .header_parts(HeaderName::Contact, &contact)
            .build()
        {
            let _ = self.layer.send_response(now, key, ringing);
        }
        let from = request.from_header();
        self.emit(Event::IncomingCall {
            call: id,
            account,
            from: from
                .map(|f| crate::text::uri_string(&f.uri))
                .unwrap_or_default(),
            display_name: from.and_then(|f| f.display.map(|d| d.text().into_owned())),
            asserted_identity: request
                .values(HeaderName::PAssertedIdentity)
                .next()
                .map(str::to_string),
            called: request.request_uri_str().unwrap_or_default().to_string(),
        });
        self.media_event(id, media);
    }

    fn account_for(&self, request: &Message) -> AccountId {
        let user = request
            .request_uri()
            .and_then(|u| u.as_sip().and_then(|s| s.user));
        let found = self
            .accounts
            .iter()
            .position(|a| Some(a.config.user.as_str()) == user);
        AccountId(found.unwrap_or(0))
    }

    /// An ACK for one of our 2xx: the call is up. When our 2xx carried the
    /// offer (the INVITE had none), the ACK carries the answer; an ACK
    /// without one, or with one we cannot use, ends the call with a BYE
    /// (section 13.3.1.4, RFC 3264 section 5).
    pub(crate) fn call_ack(&mut self, now: Time, ack: &Message) {
        let found = self.call_for(ack).filter(|id| !self.calls[id].outgoing);
        let Some(id) = found else { return };
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        if c.ok.is_none() {
            return; // a retransmitted ACK
        }
        c.ok = None;
        c.ok_deadline = None;
        self.unacked.remove(&id);
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        if c.negotiator.offer_outstanding() {
            let answer = (!ack.body_bytes().is_empty())
                .then(|| parse_sdp(ack).ok())
                .flatten();
            match answer.map(|a| c.negotiator.receive_answer_owned(a)) {
                Some(Ok(media)) => {
                    self.set_state(id, CallState::Connected);
                    self.media_event(id, media);
                }
                _ => {
                    self.set_state(id, CallState::Connected);
                    self.send_bye(now, id);
                    self.end(id, 488, "no usable answer in the ACK");
                }
            }
            return;
        }
        self.set_state(id, CallState::Connected);
    }

    /// 2xx retransmission (section 13.3.1.4: T1 doubling up to T2) and the
    /// 64*T1 give-up that ends an unacknowledged call with a BYE.
    pub(crate) fn call_timers(&mut self, now: Time) {
        let t2 = self.config.layer.timers.t2;
        // Only answered calls still waiting for their ACK have deadlines.
        let ids: Vec<CallId> = self.unacked.iter().copied().collect();
        for id in ids {
            let Some(c) = self.calls.get(&id) else {
                continue;
            };
            if c.ok_deadline.is_some_and(|d| now >= d) {
                // Section 13.3.1.4: no ACK: the session is over; BYE it.
                self.unacked.remove(&id);
                if let Some(call) = self.calls.get_mut(&id) {
                    call.ok = None;
                    call.ok_deadline = None;
                    if let Some(d) = call.dialog.as_mut() {
                        d.state = DialogState::Confirmed;
                    }
                }
                self.send_bye(now, id);
                self.end(id, 408, "no ACK for our 2xx");
                continue;
            }
            if let Some((ok, at, interval)) = c.ok.as_deref().cloned()
                && now >= at
            {
                let (transport, peer) = (c.transport, c.peer);
                match c.invite_key.clone() {
                    Some(key) if self.layer.send_response(now, &key, ok.clone()).is_ok() => {}
                    _ => self.layer.send_stateless(&ok, transport, peer),
                }
                let next = (interval * 2).min(t2);
                if let Some(call) = self.calls.get_mut(&id) {
                    call.ok = Some(Box::new((ok, now.saturating_add(next), next)));
                }
            }
        }
    }

    /// A call's transaction ended. Once its INVITE transaction is over and
    /// the call is up, nothing needs the INVITE any more (no retransmitted
    /// 2xx to ACK, no fork to answer, no challenge to retry): let it go.
    pub(crate) fn invite_done(&mut self, id: CallId, key: &TxKey) {
        if let Some(c) = self.calls.get_mut(&id)
            && c.invite_key.as_ref() == Some(key)
            && c.state == CallState::Connected
            && c.ok.is_none()
        {
            c.invite = None;
            c.invite_key = None;
            c.forks = Vec::new();
        }
    }

    /// The earliest call deadline.
    pub(crate) fn call_timeout(&self) -> Option<Time> {
        self.unacked
            .iter()
            .filter_map(|id| self.calls.get(id))
            .flat_map(|c| [c.ok.as_ref().map(|o| o.1), c.ok_deadline])
            .flatten()
            .min()
    }
}

/// Parses a message's SDP body from its own copy of the bytes: the
/// negotiator keeps the description, and a slice of the message would keep
/// the whole message buffer alive with it.
fn parse_sdp(msg: &Message) -> Result<SessionDescription, sdp::ParseError> {
    SessionDescription::parse(bytes::Bytes::copy_from_slice(msg.body_bytes()))
}

/// The key of the dialog index: FNV-1a over Call-ID and our tag. Lookups
/// check the whole dialog id, so a collision costs a comparison, not a
/// wrong match.
pub(crate) fn dialog_hash(call_id: &str, local_tag: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in call_id.bytes().chain([0]).chain(local_tag.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
#[cfg(test)]
mod size {
    /// Calls are kept boxed, but an idle call's inline size still counts
    /// against the per-dialog memory budget (issue 6: 4 KB): the INVITE and
    /// the 2xx under retransmission are boxed and dropped when done. Within
    /// 1,024 bytes the box is also one of glibc's per-thread cached sizes
    /// (at most 1,032 bytes), whose allocation and release are cheap (the
    /// negotiator's descriptions are boxed for that).
    #[test]
    fn an_idle_call_stays_small() {
        assert!(
            size_of::<super::Call>() <= 1024,
            "{}",
            size_of::<super::Call>()
        );
    }
}
