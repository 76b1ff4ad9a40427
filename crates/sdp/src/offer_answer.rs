//! The RFC 3264 offer/answer engine, with the handset's codec policy.
//!
//! A [`Negotiator`] is a plain value (Sans-IO): it holds the local
//! capabilities ([`Config`]), the last descriptions sent and received, and
//! whether an offer of ours is outstanding. It never reads a clock or draws
//! random numbers; the `o=` session id comes in from the caller.
//!
//! * [`Negotiator::create_offer`] makes an initial offer or a re-offer
//!   (RFC 3264 sections 5 and 8), [`Negotiator::hold`] and
//!   [`Negotiator::resume`] make hold/resume re-offers (section 8.4,
//!   RFC 6337 section 5.3).
//! * [`Negotiator::answer_offer`] answers a remote offer (section 6).
//! * [`Negotiator::receive_answer`] takes the answer to our offer (section 7).
//!
//! Each completed exchange yields [`MediaParams`], the small value the media
//! layer needs, or `None` when the audio stream is closed (port 0).
//!
//! Our `o=` line keeps its session id, and its version goes up by one only
//! when the description we send differs from the previous one (RFC 3264
//! section 8; RFC 4317 section 2.5 shows an unchanged answer keeping its
//! version).
//!
//! The handset runs one audio stream. In an offer it accepts the first active
//! RTP/AVP audio stream that has a codec in common and rejects every other
//! stream (video, a second audio stream, unknown media) with port 0 in the
//! same position (RFC 3264 sections 6 and 8.2).

use std::borrow::Cow;
use std::net::IpAddr;

use bytestring::ByteString;

use crate::attributes::{Direction, EventList, PackedTyped, RawTyped};
use crate::codec::{Codec, CodecPriorities, FormatKind, identify};
use crate::print::Out;
use crate::session::{
    Media, MediaList, Range, RawAttribute, RawConnection, RawMedia, RawOrigin, RawTiming,
    SessionDescription, Span,
};

/// Whose preference orders the codecs in our answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum CodecOrder {
    /// Our configured priorities.
    #[default]
    Local,
    /// The offerer's order (RFC 3264 section 6.1 recommends it, so that both
    /// directions end up with the same codec).
    Offerer,
}

/// Local capabilities and policy knobs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    /// The `o=` user name (`-` when there is none).
    pub username: String,
    /// The `s=` text.
    pub session_name: String,
    /// Where we receive media (`c=`) and the `o=` address.
    pub address: IpAddr,
    /// Our RTP port for audio (RTCP is the port above).
    pub port: u16,
    /// Codec priorities: 0 disables a codec, 1 is the highest.
    pub codecs: CodecPriorities,
    /// The telephone-event (RFC 4733) payload type we offer; `None` disables
    /// telephone-events. In answers we use whatever payload type the peer offers.
    pub telephone_event: Option<u8>,
    /// The telephone-events we handle (`a=fmtp:<pt> 0-15`).
    pub telephone_events: EventList,
    /// The packetisation time we ask for (`a=ptime`), in milliseconds.
    pub ptime: u32,
    /// Whether we run G.729 Annex B (VAD/CNG); without it we send
    /// `a=fmtp:18 annexb=no` (RFC 4856 section 2.1.9).
    pub g729_annexb: bool,
    /// Whose order the codecs in our answer follow.
    pub codec_order: CodecOrder,
    /// MiVoice "Renegotiate SDP to Enforce Symmetric Codec": answer with
    /// exactly one audio codec (plus telephone-event).
    pub symmetric_codec: bool,
    /// MiVoice "Limit to one Offer/Answer per INVITE": the user agent reads
    /// this flag; the engine only reports whether an offer is outstanding.
    pub one_offer_answer_per_invite: bool,
    /// Legacy RFC 2543 hold: also put `c=IN IP4 0.0.0.0` in hold offers (and
    /// allow an unspecified local address). Off by default, because MiVoice
    /// wants "Prevent the Use of IP Address 0.0.0.0 in SDP Messages".
    pub allow_zero_address: bool,
}

impl Config {
    /// The handset defaults (G.711u = 1, G.711a = 2, G.729A = 0, G.722 = 0,
    /// telephone-event 101 for events 0-15, 20 ms, our priority order) for
    /// media at `address:port`.
    pub fn new(address: IpAddr, port: u16) -> Self {
        Self {
            username: "-".to_owned(),
            session_name: "-".to_owned(),
            address,
            port,
            codecs: CodecPriorities::default(),
            telephone_event: Some(101),
            telephone_events: EventList::dtmf(),
            ptime: 20,
            g729_annexb: false,
            codec_order: CodecOrder::Local,
            symmetric_codec: false,
            one_offer_answer_per_invite: false,
            allow_zero_address: false,
        }
    }
}

/// Why an exchange failed. The negotiator's state is unchanged unless the
/// variant says otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum NegotiationError {
    /// No offered stream has a codec we support (the user agent answers
    /// 488 Not Acceptable Here), or the answer names none of our codecs.
    #[error("no codec in common")]
    NoCommonCodec,
    /// We have no codec enabled.
    #[error("no local codec is enabled")]
    NoLocalCodecs,
    /// An offer of ours is outstanding (glare: the user agent answers 491).
    #[error("an offer is already outstanding")]
    OfferOutstanding,
    /// An answer arrived but we made no offer.
    #[error("no offer is outstanding")]
    NoOfferOutstanding,
    /// The answer does not have one stream per offered stream (RFC 3264
    /// section 6). The outstanding offer is dropped.
    #[error("the answer has {answer} media streams, the offer had {offer}")]
    StreamCountMismatch {
        /// Streams in our offer.
        offer: usize,
        /// Streams in the answer.
        answer: usize,
    },
    /// An answer stream has another media type than the offered one
    /// (RFC 3264 section 6.1). The outstanding offer is dropped.
    #[error("answer stream {index} has media type `{answer}`, the offer had `{offer}`")]
    MediaTypeMismatch {
        /// The stream's position.
        index: usize,
        /// The offered media type.
        offer: String,
        /// The answered media type.
        answer: String,
    },
    /// The accepted stream has no `c=` line at either level.
    #[error("media stream {0} has no connection address")]
    MissingConnection(usize),
    /// The local address is `0.0.0.0` or `::` and [`Config::allow_zero_address`] is off.
    #[error("local media address is unspecified (0.0.0.0) and that is not allowed")]
    UnspecifiedLocalAddress,
    /// Internal: our own description did not parse (a bug).
    #[error("internal error: generated SDP does not parse: {0}")]
    Internal(#[from] crate::ParseError),
}

impl NegotiationError {
    /// The SIP response a user agent sends when this error comes from an
    /// offer it received (RFC 3261 section 21.4.26, RFC 3261 section 14.2).
    pub fn sip_status(&self) -> u16 {
        match self {
            Self::OfferOutstanding => 491,
            Self::Internal(_) | Self::UnspecifiedLocalAddress | Self::NoLocalCodecs => 500,
            _ => 488,
        }
    }
}

/// Where the remote end receives media: a literal address or a host name
/// (RFC 4317's examples use names like `host.biloxi.example.com`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// An IP address.
    Ip(IpAddr),
    /// A domain name, to resolve.
    Name(String),
}

/// The result of a negotiation: everything the media layer needs for the
/// audio stream.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MediaParams {
    /// Where to send RTP.
    pub remote_host: Host,
    /// The remote RTP port.
    pub remote_port: u16,
    /// The remote RTCP port (`a=rtcp`, else RTP port + 1).
    pub remote_rtcp_port: u16,
    /// The codec we send.
    pub codec: Codec,
    /// The payload type we send it with (the peer's numbering).
    pub payload_type: u8,
    /// The payload type we receive it with (our numbering).
    pub local_payload_type: u8,
    /// The RTP clock rate (8000 for all our codecs, G.722 included).
    pub clock_rate: u32,
    /// Packetisation time to send with, in ms (the peer's `a=ptime`, else ours).
    pub ptime: u32,
    /// The telephone-event payload type to send with, if negotiated.
    pub telephone_event: Option<u8>,
    /// The telephone-event payload type we receive, if negotiated.
    pub local_telephone_event: Option<u8>,
    /// Whether G.729 Annex B is on (only meaningful for G.729).
    pub g729_annexb: bool,
    /// What we do: send and/or receive. A peer at `c=0.0.0.0` is never sent to.
    pub local_direction: Direction,
    /// What the peer does, with `c=0.0.0.0` read as "does not receive".
    pub remote_direction: Direction,
}

impl MediaParams {
    /// Whether the peer has put us on hold (it does not receive from us:
    /// `a=sendonly`, `a=inactive` or `c=0.0.0.0`).
    pub fn held_by_peer(&self) -> bool {
        !self.remote_direction.receives()
    }
}

/// What [`Negotiator::answer_offer`] returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Answer {
    /// The answer to send.
    pub sdp: SessionDescription,
    /// The negotiated audio stream, or `None` when no stream is active.
    pub media: Option<MediaParams>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Pending {
    audio_slot: usize,
    hold_before: bool,
}

/// The offer/answer state of one session (one SIP dialog).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Negotiator {
    config: Config,
    session_id: u64,
    version: u64,
    // (Boxed: a description is about 470 bytes, and a negotiator lives
    // inline in its user agent's boxed call, which they would take past
    // the allocator's small-block sizes.)
    local: Option<Box<SessionDescription>>,
    remote: Option<Box<SessionDescription>>,
    pending: Option<Pending>,
    audio_slot: Option<usize>,
    hold: bool,
    media: Option<MediaParams>,
}

/// One m= line we are about to write.
#[derive(Clone, Debug)]
enum Slot {
    Audio(AudioLine),
    Rejected {
        media: String,
        proto: String,
        format: String,
    },
}

#[derive(Clone, Debug)]
struct AudioLine {
    formats: Vec<(u8, Codec)>,
    telephone_event: Option<(u8, EventList)>,
    annexb: bool,
    direction: Direction,
}

fn rejected(m: &Media<'_>) -> Slot {
    Slot::Rejected {
        media: m.media_type().to_owned(),
        proto: m.proto().to_owned(),
        format: m.formats().next().unwrap_or("0").to_owned(),
    }
}

fn host_of(m: &Media<'_>, index: usize) -> Result<(Host, bool), NegotiationError> {
    let c = m
        .connection()
        .ok_or(NegotiationError::MissingConnection(index))?;
    // (The address read once: `is_unspecified` would read it again.)
    match c.ip() {
        Some(ip) => Ok((Host::Ip(ip), ip.is_unspecified())),
        None => Ok((Host::Name(c.host().to_owned()), false)),
    }
}

/// The direction the peer effectively has: its attribute, minus "receive"
/// when it gave the black-hole address (RFC 3264 section 8.4, RFC 6337 section 5.4).
fn remote_effective(m: &Media<'_>, black_hole: bool) -> Direction {
    let d = m.direction();
    if black_hole {
        Direction::from_flags(d.sends(), false)
    } else {
        d
    }
}

impl Negotiator {
    /// A negotiator for a new session. `session_id` is the `o=` session id
    /// (the caller's randomness; RFC 8866 section 5.2 suggests an NTP
    /// timestamp); the first version is the same number.
    pub fn new(config: Config, session_id: u64) -> Self {
        Self {
            config,
            session_id,
            version: session_id,
            local: None,
            remote: None,
            pending: None,
            audio_slot: None,
            hold: false,
            media: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Changes the configuration; takes effect in the next offer or answer.
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// The `o=` session id.
    pub fn session_id(&self) -> u64 {
        self.session_id
    }

    /// The `o=` version of the last description we sent.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Whether an offer of ours awaits its answer.
    pub fn offer_outstanding(&self) -> bool {
        self.pending.is_some()
    }

    /// The "Limit to one Offer/Answer per INVITE" knob, for the user agent.
    pub fn one_offer_answer_per_invite(&self) -> bool {
        self.config.one_offer_answer_per_invite
    }

    /// Whether we hold the call (our offers say sendonly or inactive).
    pub fn is_on_hold(&self) -> bool {
        self.hold
    }

    /// The last description we sent.
    pub fn local_description(&self) -> Option<&SessionDescription> {
        self.local.as_deref()
    }

    /// The last description we received.
    pub fn remote_description(&self) -> Option<&SessionDescription> {
        self.remote.as_deref()
    }

    /// The current negotiated audio stream, if any.
    pub fn media(&self) -> Option<&MediaParams> {
        self.media.as_ref()
    }

    fn check_address(&self) -> Result<(), NegotiationError> {
        if self.config.address.is_unspecified() && !self.config.allow_zero_address {
            Err(NegotiationError::UnspecifiedLocalAddress)
        } else {
            Ok(())
        }
    }

    fn peer_holds_us(&self) -> bool {
        self.media.as_ref().is_some_and(MediaParams::held_by_peer)
    }

    /// The direction our offers carry: sendrecv, or when we hold, sendonly
    /// (inactive when the peer already holds us, RFC 3264 section 8.4;
    /// RFC 6337 section 5.3 would still say sendonly, either is valid).
    fn offer_direction(&self) -> Direction {
        match (self.hold, self.peer_holds_us()) {
            (false, _) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (true, true) => Direction::Inactive,
        }
    }

    /// Makes an offer: the initial one, or a re-offer that keeps every
    /// earlier stream in place (RFC 3264 section 8). Fails with
    /// [`NegotiationError::OfferOutstanding`] while an offer is outstanding.
    pub fn create_offer(&mut self) -> Result<SessionDescription, NegotiationError> {
        let sdp = self.offer()?;
        self.local = Some(Box::new(sdp.clone()));
        Ok(sdp)
    }

    /// [`Negotiator::create_offer`], handing out the offer as kept (the
    /// last description we sent) instead of a copy.
    pub fn create_offer_kept(&mut self) -> Result<&SessionDescription, NegotiationError> {
        let sdp = self.offer()?;
        Ok(self.local.insert(Box::new(sdp)))
    }

    /// [`Negotiator::create_offer`] but for keeping the offer, which the
    /// caller does.
    fn offer(&mut self) -> Result<SessionDescription, NegotiationError> {
        if self.pending.is_some() {
            return Err(NegotiationError::OfferOutstanding);
        }
        self.check_address()?;
        let formats: Vec<(u8, Codec)> = self
            .config
            .codecs
            .ordered()
            .into_iter()
            .map(|c| (c.static_payload_type(), c))
            .collect();
        if formats.is_empty() {
            return Err(NegotiationError::NoLocalCodecs);
        }
        let audio = AudioLine {
            formats,
            telephone_event: self
                .config
                .telephone_event
                .map(|pt| (pt, self.config.telephone_events.clone())),
            annexb: self.config.g729_annexb,
            direction: self.offer_direction(),
        };
        let mut slots: Vec<Slot> = match &self.local {
            Some(prev) => prev.media().map(|m| rejected(&m)).collect(),
            None => Vec::new(),
        };
        let audio_slot = match self.audio_slot {
            Some(i) if i < slots.len() => {
                slots[i] = Slot::Audio(audio);
                i
            }
            _ => {
                slots.push(Slot::Audio(audio));
                slots.len() - 1
            }
        };
        let zero = self.hold && self.config.allow_zero_address;
        let (sdp, version) = self.finish(&slots, zero)?;
        self.version = version;
        self.pending = Some(Pending {
            audio_slot,
            hold_before: self.hold,
        });
        Ok(sdp)
    }

    /// Puts the call on hold: an offer with `a=sendonly` (`a=inactive` when
    /// the peer already holds us). The hold stays in effect for later offers
    /// and answers until [`Negotiator::resume`] (RFC 6337 section 5.3).
    pub fn hold(&mut self) -> Result<SessionDescription, NegotiationError> {
        self.offer_with_hold(true)
    }

    /// Sets the local hold state without making an offer, for example to
    /// answer an incoming offer as held. Later offers and answers follow it.
    pub fn set_hold(&mut self, hold: bool) {
        self.hold = hold;
    }

    /// Takes the call off hold: an offer with `a=sendrecv`.
    pub fn resume(&mut self) -> Result<SessionDescription, NegotiationError> {
        self.offer_with_hold(false)
    }

    fn offer_with_hold(&mut self, hold: bool) -> Result<SessionDescription, NegotiationError> {
        if self.pending.is_some() {
            return Err(NegotiationError::OfferOutstanding);
        }
        let before = self.hold;
        self.hold = hold;
        let r = self.create_offer();
        if let Some(p) = &mut self.pending {
            p.hold_before = before;
        } else {
            self.hold = before;
        }
        r
    }

    /// Our outstanding offer was refused (for example a re-INVITE answered
    /// with 488 or 491): forget it and go back to the hold state before it.
    /// The session continues with the last negotiated media (RFC 6337
    /// section 3.4).
    pub fn offer_rejected(&mut self) {
        if let Some(p) = self.pending.take() {
            self.hold = p.hold_before;
        }
    }

    /// Takes the answer to our outstanding offer (RFC 3264 section 7).
    ///
    /// Returns the negotiated audio stream, or `None` when the answer closed
    /// it with port 0. The offerer sends with the first of our codecs the
    /// answer lists, using the answer's payload type numbers.
    pub fn receive_answer(
        &mut self,
        answer: &SessionDescription,
    ) -> Result<Option<MediaParams>, NegotiationError> {
        self.take_answer(Cow::Borrowed(answer))
    }

    /// [`Negotiator::receive_answer`] for an answer the caller has no more
    /// use for: kept as the remote description without a copy.
    pub fn receive_answer_owned(
        &mut self,
        answer: SessionDescription,
    ) -> Result<Option<MediaParams>, NegotiationError> {
        self.take_answer(Cow::Owned(answer))
    }

    fn take_answer(
        &mut self,
        answer: Cow<'_, SessionDescription>,
    ) -> Result<Option<MediaParams>, NegotiationError> {
        let Some(pending) = self.pending.clone() else {
            return Err(NegotiationError::NoOfferOutstanding);
        };
        // Taken out and put back rather than copied (nothing below reads it
        // through `self`).
        let Some(offer) = self.local.take() else {
            return Err(NegotiationError::NoOfferOutstanding);
        };
        let r = self.answer_to(&offer, answer, pending);
        self.local = Some(offer);
        r
    }

    /// [`Negotiator::receive_answer`] for our offer `offer`.
    fn answer_to(
        &mut self,
        offer: &SessionDescription,
        answer: Cow<'_, SessionDescription>,
        pending: Pending,
    ) -> Result<Option<MediaParams>, NegotiationError> {
        if answer.media_count() != offer.media_count() {
            self.pending = None;
            return Err(NegotiationError::StreamCountMismatch {
                offer: offer.media_count(),
                answer: answer.media_count(),
            });
        }
        for (index, (o, a)) in offer.media().zip(answer.media()).enumerate() {
            if !o.media_type().eq_ignore_ascii_case(a.media_type()) {
                self.pending = None;
                return Err(NegotiationError::MediaTypeMismatch {
                    index,
                    offer: o.media_type().to_owned(),
                    answer: a.media_type().to_owned(),
                });
            }
        }
        let slot = pending.audio_slot;
        let (Some(om), Some(am)) = (offer.media_at(slot), answer.media_at(slot)) else {
            self.pending = None;
            return Err(NegotiationError::NoCommonCodec);
        };
        let params = if am.port() == 0 {
            None
        } else {
            Some(self.params_from_answer(&om, &am, slot))
        };
        self.pending = None;
        let params = match params {
            Some(Err(e)) => return Err(e),
            Some(Ok(p)) => Some(p),
            None => None,
        };
        self.remote = Some(kept(answer));
        self.audio_slot = Some(slot);
        self.media = params.clone();
        Ok(params)
    }

    fn params_from_answer(
        &self,
        om: &Media<'_>,
        am: &Media<'_>,
        slot: usize,
    ) -> Result<MediaParams, NegotiationError> {
        let ours: Vec<(u8, FormatKind)> = om
            .payload_types()
            .map(|pt| (pt, identify(om, pt)))
            .collect();
        let our_pt = |want: FormatKind| ours.iter().find(|(_, k)| *k == want).map(|(pt, _)| *pt);
        let (codec, payload_type, local_payload_type) = am
            .payload_types()
            .find_map(|pt| match identify(am, pt) {
                FormatKind::Voice(c) => our_pt(FormatKind::Voice(c)).map(|local| (c, pt, local)),
                _ => None,
            })
            .ok_or(NegotiationError::NoCommonCodec)?;
        let te = am
            .payload_types()
            .find(|&pt| identify(am, pt) == FormatKind::TelephoneEvent(8000));
        let local_te = our_pt(FormatKind::TelephoneEvent(8000));
        let (telephone_event, local_telephone_event) = match (te, local_te) {
            (Some(r), Some(l)) => (Some(r), Some(l)),
            _ => (None, None),
        };
        let annexb = codec == Codec::G729
            && self.config.g729_annexb
            && am
                .fmtp(&payload_type.to_string())
                .and_then(|f| f.g729_annexb())
                .unwrap_or(true);
        let (remote_host, black_hole) = host_of(am, slot)?;
        let remote_direction = remote_effective(am, black_hole);
        let local_direction = om.direction().intersect(remote_direction.reversed());
        Ok(MediaParams {
            remote_host,
            remote_port: am.port(),
            remote_rtcp_port: am.rtcp_port().unwrap_or(am.port().saturating_add(1)),
            codec,
            payload_type,
            local_payload_type,
            clock_rate: codec.clock_rate(),
            ptime: am.ptime().unwrap_or(self.config.ptime),
            telephone_event,
            local_telephone_event,
            g729_annexb: annexb,
            local_direction,
            remote_direction,
        })
    }

    /// Answers a remote offer (an initial offer or a re-offer; RFC 3264
    /// section 6).
    ///
    /// The answer keeps one `m=` line per offered one, in the same order. We
    /// accept the first active RTP/AVP audio stream that has a codec in
    /// common, listing only codecs both sides support (ours and the
    /// offerer's), in our priority order or the offerer's
    /// ([`Config::codec_order`]), cut to one codec with
    /// [`Config::symmetric_codec`], plus telephone-event with the offered
    /// payload type. The direction is the RFC 3264 section 6.1 mirror of the
    /// offered one, limited by our own hold. Every other stream gets port 0.
    ///
    /// With no active stream offered the answer has none either; when streams
    /// are offered but none can be accepted the result is
    /// [`NegotiationError::NoCommonCodec`] (send 488) and nothing changes.
    pub fn answer_offer(&mut self, offer: &SessionDescription) -> Result<Answer, NegotiationError> {
        let answer = self.answer(Cow::Borrowed(offer))?;
        self.local = Some(Box::new(answer.sdp.clone()));
        Ok(answer)
    }

    /// [`Negotiator::answer_offer`] for an offer the caller has no more use
    /// for, kept as the remote description without a copy; the answer is
    /// handed out as kept (the last description we sent), not copied.
    pub fn answer_offer_owned(
        &mut self,
        offer: SessionDescription,
    ) -> Result<(&SessionDescription, Option<MediaParams>), NegotiationError> {
        let Answer { sdp, media } = self.answer(Cow::Owned(offer))?;
        Ok((self.local.insert(Box::new(sdp)), media))
    }

    /// [`Negotiator::answer_offer`] but for keeping the answer, which the
    /// caller does.
    fn answer(&mut self, offer: Cow<'_, SessionDescription>) -> Result<Answer, NegotiationError> {
        if self.pending.is_some() {
            return Err(NegotiationError::OfferOutstanding);
        }
        self.check_address()?;
        let mut slots = Vec::with_capacity(offer.media_count());
        let mut accepted: Option<(usize, MediaParams)> = None;
        let mut active = false;
        for (i, m) in offer.media().enumerate() {
            if m.port() == 0 {
                slots.push(rejected(&m));
                continue;
            }
            active = true;
            if accepted.is_none()
                && m.media_type().eq_ignore_ascii_case("audio")
                && m.proto().eq_ignore_ascii_case("RTP/AVP")
            {
                if let Some((line, params)) = self.answer_audio(&m, i)? {
                    slots.push(Slot::Audio(line));
                    accepted = Some((i, params));
                    continue;
                }
            }
            slots.push(rejected(&m));
        }
        if active && accepted.is_none() {
            return Err(NegotiationError::NoCommonCodec);
        }
        let zero = self.hold && self.config.allow_zero_address;
        let (sdp, version) = self.finish(&slots, zero)?;
        self.version = version;
        self.remote = Some(kept(offer));
        let media = accepted.as_ref().map(|(_, p)| p.clone());
        if let Some((i, _)) = accepted {
            self.audio_slot = Some(i);
        }
        self.media = media.clone();
        Ok(Answer { sdp, media })
    }

    fn answer_audio(
        &self,
        m: &Media<'_>,
        index: usize,
    ) -> Result<Option<(AudioLine, MediaParams)>, NegotiationError> {
        let cfg = &self.config;
        // Voice codecs both sides support, in the offerer's order, one
        // payload type per codec.
        let mut offered: Vec<(u8, Codec)> = Vec::new();
        let mut te_pt = None;
        for pt in m.payload_types() {
            match identify(m, pt) {
                FormatKind::Voice(c)
                    if cfg.codecs.enabled(c) && !offered.iter().any(|&(_, o)| o == c) =>
                {
                    offered.push((pt, c));
                }
                FormatKind::TelephoneEvent(8000) if te_pt.is_none() => te_pt = Some(pt),
                _ => {}
            }
        }
        let Some(&(send_pt, send_codec)) = offered.first() else {
            return Ok(None);
        };
        let mut formats = offered.clone();
        if cfg.codec_order == CodecOrder::Local {
            formats.sort_by_key(|&(_, c)| cfg.codecs.get(c));
        }
        if cfg.symmetric_codec {
            formats.truncate(1);
        }
        // RFC 3264 section 6.1: the answerer sends with the offer's most
        // preferred format that is also in the answer.
        let (send_pt, send_codec) = if cfg.symmetric_codec {
            formats[0]
        } else {
            (send_pt, send_codec)
        };
        let telephone_event = match (te_pt, cfg.telephone_event) {
            (Some(pt), Some(_)) => {
                let theirs = match m.fmtp(&pt.to_string()) {
                    Some(f) => f.telephone_events().unwrap_or_default(),
                    None => EventList::dtmf(),
                };
                let both = theirs.intersect(&cfg.telephone_events);
                (!both.is_empty()).then_some((pt, both))
            }
            _ => None,
        };
        let annexb = cfg.g729_annexb
            && formats
                .iter()
                .find(|&&(_, c)| c == Codec::G729)
                .and_then(|&(pt, _)| m.fmtp(&pt.to_string()))
                .and_then(|f| f.g729_annexb())
                .unwrap_or(true);
        let (remote_host, black_hole) = host_of(m, index)?;
        let desired = if self.hold {
            Direction::SendOnly
        } else {
            Direction::SendRecv
        };
        // RFC 6337 section 5.4: the answer's direction follows the offered
        // attribute even when the offer says c=0.0.0.0.
        let direction = desired.intersect(m.direction().reversed());
        let remote_direction = remote_effective(m, black_hole);
        let local_direction = direction.intersect(remote_direction.reversed());
        let te = telephone_event.as_ref().map(|(pt, _)| *pt);
        let params = MediaParams {
            remote_host,
            remote_port: m.port(),
            remote_rtcp_port: m.rtcp_port().unwrap_or(m.port().saturating_add(1)),
            codec: send_codec,
            payload_type: send_pt,
            local_payload_type: send_pt,
            clock_rate: send_codec.clock_rate(),
            ptime: m.ptime().unwrap_or(cfg.ptime),
            telephone_event: te,
            local_telephone_event: te,
            g729_annexb: send_codec == Codec::G729 && annexb,
            local_direction,
            remote_direction,
        };
        let line = AudioLine {
            formats,
            telephone_event,
            annexb,
            direction,
        };
        Ok(Some((line, params)))
    }

    /// Renders our description; keeps the version when nothing changed since
    /// the last description we sent, else increments it.
    fn finish(
        &self,
        slots: &[Slot],
        zero: bool,
    ) -> Result<(SessionDescription, u64), NegotiationError> {
        let sdp = self.describe(self.version, slots, zero)?;
        match &self.local {
            None => Ok((sdp, self.version)),
            Some(prev) if **prev == sdp => Ok((sdp, self.version)),
            Some(_) => {
                let v = self.version.wrapping_add(1);
                Ok((self.describe(v, slots, zero)?, v))
            }
        }
    }

    /// Our description: the rendered text, with the fields the parser would
    /// find in it recorded while writing (the parser reads the text only
    /// when something in it is out of the ordinary, see [`Negotiator::render_layout`]).
    fn describe(
        &self,
        version: u64,
        slots: &[Slot],
        zero: bool,
    ) -> Result<SessionDescription, NegotiationError> {
        match self.render_layout(version, slots, zero) {
            (text, Some(mut sdp)) => {
                sdp.buf = ByteString::from(text);
                Ok(sdp)
            }
            (text, None) => Ok(SessionDescription::parse(text)?),
        }
    }

    #[cfg(test)]
    fn render(&self, version: u64, slots: &[Slot], zero: bool) -> String {
        self.render_layout(version, slots, zero).0
    }

    /// Renders our description, and lays it out as the parser would read
    /// it (without the buffer, which is the text): `None` when the text
    /// holds something only the parser should judge (a payload type above
    /// 127, an empty event list, an audio line without formats, a rejected
    /// line whose fields are not plain tokens, a packet time of ten digits).
    fn render_layout(
        &self,
        version: u64,
        slots: &[Slot],
        zero: bool,
    ) -> (String, Option<SessionDescription>) {
        let cfg = &self.config;
        let ip6 = cfg.address.is_ipv6();
        let at = if ip6 { " IN IP6 " } else { " IN IP4 " };
        let span = |start: usize, end: usize| Span {
            start: start as u32,
            end: end as u32,
        };
        let mut plain = true;
        // Appended piece by piece: this runs for every offer and answer.
        let mut o = Out(String::with_capacity(256));
        o.s("v=0\r\no=");
        let user = o.0.len();
        o.s(&sanitize(&cfg.username));
        let id = o.0.len() + 1;
        o.s(" ").n(self.session_id);
        let ver = o.0.len() + 1;
        o.s(" ").n(version);
        let net = o.0.len() + 1;
        o.s(at);
        let addr = o.0.len();
        o.ip(cfg.address);
        let origin = RawOrigin {
            username: span(user, id - 1),
            session_id: span(id, ver - 1),
            session_version: span(ver, net - 1),
            net_type: span(net, net + 2),
            addr_type: span(net + 3, net + 6),
            address: span(addr, o.0.len()),
        };
        o.s("\r\ns=");
        let name = o.0.len();
        o.s(&sanitize_text(&cfg.session_name));
        let session_name = span(name, o.0.len());
        o.s("\r\nc=");
        let c = o.0.len();
        o.s(&at[1..]);
        match (zero, ip6) {
            (true, true) => o.s("::"),
            (true, false) => o.s("0.0.0.0"),
            (false, _) => o.ip(cfg.address),
        };
        let connection = RawConnection {
            net_type: span(c, c + 2),
            addr_type: span(c + 3, c + 6),
            address: span(c + 7, o.0.len()),
        };
        o.s("\r\nt=0 0\r\n");
        // Exactly the attribute lines written below (the description is
        // kept for the whole call): an rtpmap per format, an fmtp per
        // G.729 without Annex B, rtpmap and fmtp for telephone-event,
        // ptime and the direction.
        let records: usize = slots
            .iter()
            .map(|s| match s {
                Slot::Rejected { .. } => 0,
                Slot::Audio(a) => {
                    let g729 = a.formats.iter().filter(|&&(_, c)| c == Codec::G729);
                    a.formats.len()
                        + if a.annexb { 0 } else { g729.count() }
                        + if a.telephone_event.is_some() { 2 } else { 0 }
                        + 2
                }
            })
            .sum();
        let mut attributes: Vec<RawAttribute> = Vec::with_capacity(records);
        let mut media = MediaList::default();
        for slot in slots {
            let first_attribute = attributes.len() as u32;
            let mut direction = None;
            let (m, port, proto, formats) = match slot {
                Slot::Rejected {
                    media,
                    proto,
                    format,
                } => {
                    plain &= token(media) && token(proto) && token(format);
                    o.s("m=");
                    let m = o.0.len();
                    o.s(media).s(" 0 ");
                    let p = o.0.len();
                    o.s(proto).s(" ");
                    let f = o.0.len();
                    o.line(format);
                    let end = o.0.len() - 2;
                    (span(m, p - 3), 0, span(p, f - 1), span(f, end))
                }
                Slot::Audio(a) => {
                    let m = o.0.len() + 2;
                    o.s("m=audio ").n(cfg.port.into());
                    let p = o.0.len() + 1;
                    o.s(" RTP/AVP");
                    let f = o.0.len() + 1;
                    plain &= !a.formats.is_empty() || a.telephone_event.is_some();
                    for (pt, _) in &a.formats {
                        o.s(" ").n((*pt).into());
                    }
                    if let Some((pt, _)) = &a.telephone_event {
                        o.s(" ").n((*pt).into());
                    }
                    let formats = span(f, o.0.len());
                    o.s("\r\n");
                    let mut rtpmap = |o: &mut Out, pt: u8, encoding: &str, rate: u32| {
                        plain &= pt < 128;
                        let a0 = o.0.len();
                        o.s("a=rtpmap:").n(pt.into()).s(" ");
                        let e = o.0.len();
                        o.s(encoding);
                        let e_end = o.0.len();
                        o.s("/").n(rate.into());
                        let end = o.0.len();
                        o.s("\r\n");
                        RawAttribute {
                            name: span(a0 + 2, a0 + 8),
                            value_end: end as u32,
                            typed: PackedTyped::pack(RawTyped::Rtpmap {
                                payload_type: pt,
                                clock_rate: rate,
                                encoding: span(e, e_end),
                                params: span(end, end),
                            }),
                        }
                    };
                    let fmtp = |o: &mut Out, pt: u8, params: &dyn Fn(&mut Out)| {
                        let a0 = o.0.len();
                        o.s("a=fmtp:").n(pt.into());
                        let f_end = o.0.len();
                        o.s(" ");
                        params(o);
                        let end = o.0.len();
                        o.s("\r\n");
                        RawAttribute {
                            name: span(a0 + 2, a0 + 6),
                            value_end: end as u32,
                            typed: PackedTyped::pack(RawTyped::Fmtp {
                                format: span(a0 + 7, f_end),
                                params: span(f_end + 1, end),
                            }),
                        }
                    };
                    for (pt, c) in &a.formats {
                        let r = rtpmap(&mut o, *pt, c.encoding_name(), c.clock_rate());
                        attributes.push(r);
                        if *c == Codec::G729 && !a.annexb {
                            attributes.push(fmtp(&mut o, *pt, &|o| {
                                o.s("annexb=no");
                            }));
                        }
                    }
                    if let Some((pt, events)) = &a.telephone_event {
                        let r = rtpmap(&mut o, *pt, "telephone-event", 8000);
                        attributes.push(r);
                        // (An empty list would leave a space the parser trims.)
                        plain &= !events.is_empty();
                        attributes.push(fmtp(&mut o, *pt, &|o| {
                            for (i, &(lo, hi)) in events.ranges().iter().enumerate() {
                                if i > 0 {
                                    o.s(",");
                                }
                                o.n(lo.into());
                                if lo != hi {
                                    o.s("-").n(hi.into());
                                }
                            }
                        }));
                    }
                    let ptime = cfg.ptime.max(1);
                    plain &= ptime < 1_000_000_000;
                    let a0 = o.0.len();
                    o.s("a=ptime:").n(ptime.into());
                    attributes.push(RawAttribute {
                        name: span(a0 + 2, a0 + 7),
                        value_end: o.0.len() as u32,
                        typed: PackedTyped::pack(RawTyped::Ptime(ptime)),
                    });
                    o.s("\r\na=");
                    let d = o.0.len();
                    o.line(a.direction.as_str());
                    attributes.push(RawAttribute {
                        name: span(d, o.0.len() - 2),
                        value_end: (o.0.len() - 2) as u32,
                        typed: PackedTyped::pack(RawTyped::Direction(a.direction)),
                    });
                    direction = Some(a.direction);
                    (span(m, m + 5), cfg.port, span(p, p + 7), formats)
                }
            };
            media.push(
                RawMedia {
                    media: m,
                    port,
                    port_count: None,
                    proto,
                    formats,
                    information: None,
                    key: None,
                    direction,
                    connections: Range::at(0),
                    bandwidths: Range::at(0),
                    attributes: Range {
                        start: first_attribute,
                        end: attributes.len() as u32,
                    },
                },
                slots.len(),
            );
        }
        if !plain || u32::try_from(o.0.len()).is_err() {
            return (o.0, None);
        }
        let sdp = SessionDescription {
            origin,
            session_name: Some(session_name),
            connection: Some(connection),
            first_timing: Some(RawTiming {
                start: 0,
                stop: 0,
                repeats: Range::at(0),
            }),
            media,
            ..SessionDescription::empty(attributes)
        };
        (o.0, Some(sdp))
    }
}

/// A field the parser reads as one token: not empty, without white space
/// or line ends.
fn token(s: &str) -> bool {
    !s.is_empty() && !s.bytes().any(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// A remote description to keep for the call: a copy of a borrowed one
/// (allocated at its size), or the caller's own with the parser's spare
/// room for attributes let go.
fn kept(d: Cow<'_, SessionDescription>) -> Box<SessionDescription> {
    match d {
        Cow::Borrowed(d) => Box::new(d.clone()),
        Cow::Owned(mut d) => {
            if d.attributes.capacity() > d.attributes.len() {
                // A new block of the size and a copy: cheaper than glibc's
                // `realloc` (what `shrink_to_fit` does).
                d.attributes = d.attributes.as_slice().to_vec();
            }
            Box::new(d)
        }
    }
}

/// A token for `o=`: no spaces, never empty (the configured name itself,
/// without a copy, when it is one already).
fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.is_empty() && !s.chars().any(char::is_whitespace) {
        return Cow::Borrowed(s);
    }
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        Cow::Borrowed("-")
    } else {
        Cow::Owned(t)
    }
}

/// One line of text for `s=` (the configured text itself when it is one).
fn sanitize_text(s: &str) -> Cow<'_, str> {
    if !s.contains(['\r', '\n']) {
        let t = s.trim();
        return Cow::Borrowed(if t.is_empty() { "-" } else { t });
    }
    let t: String = s.chars().filter(|&c| c != '\r' && c != '\n').collect();
    let t = t.trim();
    if t.is_empty() {
        Cow::Borrowed("-")
    } else {
        Cow::Owned(t.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    /// `sanitize` as it was, copying always.
    fn old_sanitize(s: &str) -> String {
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty() { "-".to_owned() } else { t }
    }

    /// `sanitize_text` as it was, copying always.
    fn old_sanitize_text(s: &str) -> String {
        let t: String = s.chars().filter(|&c| c != '\r' && c != '\n').collect();
        let t = t.trim();
        if t.is_empty() {
            "-".to_owned()
        } else {
            t.to_owned()
        }
    }

    proptest::proptest! {
        /// The borrowing sanitizers give what the copying ones gave.
        #[test]
        fn sanitizers_as_before(s in "[ -~\\t\\r\\n\\x0b\\u{e9}\\u{2028}\\u{3000}]{0,8}") {
            proptest::prop_assert_eq!(sanitize(&s), old_sanitize(&s));
            proptest::prop_assert_eq!(sanitize_text(&s), old_sanitize_text(&s));
        }
    }

    /// The renderer as it was written with `write!`, the reference for the
    /// appending one.
    fn reference(n: &Negotiator, version: u64, slots: &[Slot], zero: bool) -> String {
        let cfg = &n.config;
        let ip6 = cfg.address.is_ipv6();
        let at = if ip6 { "IP6" } else { "IP4" };
        let c_addr = match (zero, ip6) {
            (true, true) => "::".to_owned(),
            (true, false) => "0.0.0.0".to_owned(),
            (false, _) => cfg.address.to_string(),
        };
        let mut s = String::new();
        let _ = write!(
            s,
            "v=0\r\no={} {} {} IN {at} {}\r\ns={}\r\nc=IN {at} {c_addr}\r\nt=0 0\r\n",
            old_sanitize(&cfg.username),
            n.session_id,
            version,
            cfg.address,
            old_sanitize_text(&cfg.session_name),
        );
        for slot in slots {
            match slot {
                Slot::Rejected {
                    media,
                    proto,
                    format,
                } => {
                    let _ = write!(s, "m={media} 0 {proto} {format}\r\n");
                }
                Slot::Audio(a) => {
                    let _ = write!(s, "m=audio {} RTP/AVP", cfg.port);
                    for (pt, _) in &a.formats {
                        let _ = write!(s, " {pt}");
                    }
                    if let Some((pt, _)) = &a.telephone_event {
                        let _ = write!(s, " {pt}");
                    }
                    s.push_str("\r\n");
                    for (pt, c) in &a.formats {
                        let (name, rate) = (c.encoding_name(), c.clock_rate());
                        let _ = write!(s, "a=rtpmap:{pt} {name}/{rate}\r\n");
                        if *c == Codec::G729 && !a.annexb {
                            let _ = write!(s, "a=fmtp:{pt} annexb=no\r\n");
                        }
                    }
                    if let Some((pt, events)) = &a.telephone_event {
                        let _ = write!(s, "a=rtpmap:{pt} telephone-event/8000\r\n");
                        let _ = write!(s, "a=fmtp:{pt} {events}\r\n");
                    }
                    let _ = write!(s, "a=ptime:{}\r\na={}\r\n", cfg.ptime.max(1), a.direction);
                }
            }
        }
        s
    }

    /// Every field of a description as the parser records it (the
    /// description's own `Eq` compares printed text only).
    fn parts(d: &SessionDescription) -> String {
        format!(
            "{:?}",
            (
                (d.as_bytes(), d.version, &d.origin, d.session_name),
                (d.information, d.uri, &d.emails, &d.phones, d.connection),
                (d.first_timing, &d.timings, d.zone, d.key),
                (
                    d.session_bandwidths,
                    d.session_attributes,
                    d.session_direction
                ),
                (d.media.as_slice(), &d.attributes, &d.net_lines, &d.repeats),
            )
        )
    }

    /// The description `finish` makes is the parse of its text, field for
    /// field, or fails as the parse fails.
    fn check_describe(n: &Negotiator, version: u64, slots: &[Slot], zero: bool) -> bool {
        let (text, laid) = n.render_layout(version, slots, zero);
        let parsed = SessionDescription::parse(text.clone());
        match (n.describe(version, slots, zero), parsed) {
            (Ok(built), Ok(parsed)) => {
                assert_eq!(built.as_bytes(), text.as_bytes());
                assert_eq!(parts(&built), parts(&parsed), "{text:?}");
            }
            (Err(NegotiationError::Internal(a)), Err(b)) => assert_eq!(a, b),
            (built, parsed) => panic!("{text:?}: built {built:?}, parsed {parsed:?}"),
        }
        if let Some(d) = &laid {
            // Kept for the whole call: no spare room.
            assert_eq!(d.attributes.capacity(), d.attributes.len(), "{text:?}");
        }
        laid.is_some()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Over configurations and lines out of the ordinary (names with
        /// white space, control and non-ASCII characters, payload types
        /// above 127, empty event lists, any packet time, rejected lines
        /// with odd fields), `describe` gives what parsing the text gives.
        #[test]
        fn described_equals_parsed(
            username in "[ -~\t\r\n\x0b\u{e9}\u{2028}\u{3000}]{0,8}",
            session_name in "[ -~\t\r\n\x01\x0b\u{e9}\u{2028}\u{3000}]{0,8}",
            v6 in proptest::bool::ANY,
            port in proptest::num::u16::ANY,
            ptime in proptest::prop_oneof![4 => 0u32..200, 1 => proptest::num::u32::ANY],
            session_id in proptest::num::u64::ANY,
            version in proptest::num::u64::ANY,
            formats in proptest::collection::vec(
                (proptest::prop_oneof![4 => 0u8..128, 1 => 0u8..=255], 0usize..4),
                0..5,
            ),
            te in proptest::option::of(proptest::prop_oneof![4 => 0u8..128, 1 => 0u8..=255]),
            events in proptest::collection::vec((0u8..=255, 0u8..=255), 0..3),
            annexb in proptest::bool::ANY,
            direction in 0usize..4,
            rejected in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => ("[a-z]{1,6}", "[A-Z/]{1,8}", "[0-9a-z]{1,3}"),
                    1 => ("[a-z \t]{0,6}", "[A-Z/ ]{0,8}", "[0-9a-z ]{0,3}"),
                ],
                0..3,
            ),
            audio_at in 0usize..3,
            zero in proptest::bool::ANY,
        ) {
            let address: IpAddr = if v6 {
                "2001:db8::7".parse().unwrap()
            } else {
                "198.51.100.7".parse().unwrap()
            };
            let mut cfg = Config::new(address, port);
            cfg.username = username;
            cfg.session_name = session_name;
            cfg.ptime = ptime;
            let n = Negotiator::new(cfg, session_id);
            let codecs = [Codec::Pcmu, Codec::Pcma, Codec::G729, Codec::G722];
            let text: Vec<String> = events
                .into_iter()
                .map(|(lo, hi)| format!("{}-{}", lo.min(hi), lo.max(hi)))
                .collect();
            let list = EventList::parse(&text.join(",")).unwrap_or_default();
            let audio = Slot::Audio(AudioLine {
                formats: formats.into_iter().map(|(pt, c)| (pt, codecs[c])).collect(),
                telephone_event: te.map(|pt| (pt, list)),
                annexb,
                direction: [
                    Direction::SendRecv,
                    Direction::SendOnly,
                    Direction::RecvOnly,
                    Direction::Inactive,
                ][direction],
            });
            let mut slots: Vec<Slot> = rejected
                .into_iter()
                .map(|(media, proto, format)| Slot::Rejected { media, proto, format })
                .collect();
            slots.insert(audio_at.min(slots.len()), audio);
            check_describe(&n, version, &slots, zero);
        }
    }

    #[test]
    fn renders_as_the_formatting_renderer_did() {
        let addresses: [IpAddr; 5] = [
            "192.0.2.10".parse().unwrap(),
            "10.0.0.1".parse().unwrap(),
            "255.255.255.255".parse().unwrap(),
            "0.0.0.0".parse().unwrap(),
            "2001:db8::1".parse().unwrap(),
        ];
        let events = [
            EventList::dtmf(),
            EventList::parse("0-15,16").unwrap(),
            EventList::parse("7").unwrap(),
        ];
        let codecs = [Codec::Pcmu, Codec::Pcma, Codec::G729, Codec::G722];
        let mut checked = 0;
        for (i, &address) in addresses.iter().enumerate() {
            for (k, ev) in events.iter().enumerate() {
                let mut cfg = Config::new(address, [4000, 0, 65535][k % 3]);
                cfg.username = ["-", "alice smith", ""][i % 3].to_owned();
                cfg.session_name = [" call \r\n", "-", ""][k % 3].to_owned();
                cfg.ptime = [20, 0, 30][(i + k) % 3];
                let n = Negotiator::new(cfg, [0, 42, u64::MAX][i % 3]);
                for annexb in [false, true] {
                    for direction in [
                        Direction::SendRecv,
                        Direction::SendOnly,
                        Direction::Inactive,
                    ] {
                        let audio = Slot::Audio(AudioLine {
                            formats: codecs
                                .iter()
                                .enumerate()
                                .map(|(j, &c)| ([0, 8, 18, 9][j] + (k as u8) * 40, c))
                                .collect(),
                            telephone_event: (k != 2).then(|| (101, ev.clone())),
                            annexb,
                            direction,
                        });
                        let rejected = Slot::Rejected {
                            media: "video".into(),
                            proto: "RTP/AVP".into(),
                            format: "31".into(),
                        };
                        for slots in [vec![audio.clone()], vec![rejected, audio]] {
                            for zero in [false, true] {
                                for version in [0, 7, u64::MAX] {
                                    let text = n.render(version, &slots, zero);
                                    assert_eq!(text, reference(&n, version, &slots, zero));
                                    // Canonical: a user agent may send the
                                    // rendered bytes of a description as they are.
                                    let d = SessionDescription::parse(text.clone()).unwrap();
                                    assert_eq!(d.to_bytes(), text.as_bytes());
                                    // Laid out as the parser reads it, without
                                    // the parser (none of these falls back).
                                    let (_, laid) = n.render_layout(version, &slots, zero);
                                    assert!(laid.is_some());
                                    assert!(check_describe(&n, version, &slots, zero));
                                    let built = n.describe(version, &slots, zero).unwrap();
                                    assert_eq!(parts(&built), parts(&d));
                                    checked += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 5 * 3 * 2 * 3 * 2 * 2 * 3);
    }
}
