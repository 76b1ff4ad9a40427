//! Call flows against a scripted proxy: the test plays the proxy (and the
//! phones behind it) message by message, so each rule of RFC 3261 shows in
//! the exact bytes the agent sends.
//!
//! - forking (section 13.2.2.4): two early dialogs, the first 2xx wins, a
//!   later 2xx from the other fork is ACKed and BYEd;
//! - late offer (section 13.2.1): an INVITE without SDP gets our offer in
//!   the 2xx and the answer in the ACK; our own late-offer INVITE answers
//!   the 2xx's offer in the ACK;
//! - digest on a BYE (section 22.2): a 407 to the BYE is answered once;
//! - several accounts: calls go out through their own server, incoming
//!   calls name the account they arrived on.

use std::net::SocketAddr;

use sdp::{Negotiator, SessionDescription};
use sip_proto::auth::{Password, Secret};
use sip_proto::headers::ProxyAuthorization;
use sip_proto::{HeaderName, Message, MessageBuilder, Method, TypedHeader};
use ua_core::{
    AccountConfig, AccountId, AgentConfig, CallId, CallState, Event, Input, Output, Time,
    Transport, UserAgent,
};

const UA: &str = "192.0.2.10:5060";
const PROXY: &str = "192.0.2.1:5060";
const ACC: AccountId = AccountId(0);

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

struct Bench {
    ua: UserAgent,
    now: Time,
    events: Vec<Event>,
}

impl Bench {
    fn new(late_offer: bool) -> Bench {
        let account = AccountConfig::new("6001", "1234", &format!("example.com; {PROXY}"));
        let mut config = AgentConfig::new(sa(UA), vec![account]);
        config.late_offer = late_offer;
        Bench {
            ua: UserAgent::new(config, 11).unwrap(),
            now: Time::ZERO,
            events: Vec::new(),
        }
    }

    /// Everything the agent sends to the proxy now, parsed; events kept.
    fn sent(&mut self) -> Vec<Message> {
        let mut v = Vec::new();
        while let Some(o) = self.ua.poll_output() {
            match o {
                Output::Transmit(t) => {
                    assert_eq!(t.destination, sa(PROXY));
                    v.push(Message::parse(t.data).expect("the agent sends valid SIP"));
                }
                Output::Event(e) => self.events.push(e),
                other => panic!("no DNS or streams here: {other:?}"),
            }
        }
        v
    }

    fn deliver(&mut self, m: Message) {
        self.ua.handle_input(
            self.now,
            Input::Message {
                from: sa(PROXY),
                to: sa(UA),
                transport: Transport::Udp,
                data: m.to_bytes(),
            },
        );
    }

    fn states(&self, call: CallId) -> Vec<CallState> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::CallState { call: c, state } if *c == call => Some(state.clone()),
                _ => None,
            })
            .collect()
    }

    fn media_events(&self) -> usize {
        self.events
            .iter()
            .filter(|e| matches!(e, Event::Media { .. }))
            .count()
    }
}

fn only(mut v: Vec<Message>, what: &str) -> Message {
    assert_eq!(v.len(), 1, "expected one {what}, got {v:?}");
    v.remove(0)
}

fn method(m: &Message) -> Method {
    m.method().expect("a request").clone()
}

fn to_tag(m: &Message) -> String {
    m.to_header()
        .and_then(|t| t.tag().map(str::to_string))
        .unwrap_or_default()
}

/// A phone behind the proxy answering the agent's offer.
fn answer_sdp(offer: &Message, port: u16) -> bytes::Bytes {
    let offer = SessionDescription::parse(offer.body()).expect("offer parses");
    let mut n = Negotiator::new(sdp::Config::new("192.0.2.50".parse().unwrap(), port), 77);
    n.answer_offer(&offer).expect("answerable").sdp.to_bytes()
}

/// A phone behind the proxy making an offer of its own.
fn offer_sdp(port: u16) -> (Negotiator, bytes::Bytes) {
    let mut n = Negotiator::new(sdp::Config::new("192.0.2.50".parse().unwrap(), port), 78);
    let o = n.create_offer().unwrap().to_bytes();
    (n, o)
}

fn response(req: &Message, status: u16, tag: &str, contact: &str) -> MessageBuilder {
    MessageBuilder::response_to(req, status, "", Some(tag))
        .header(HeaderName::Contact, format!("<sip:{contact}>"))
}

#[test]
fn forked_call_first_2xx_wins_and_the_late_fork_is_acked_and_byed() {
    let mut b = Bench::new(false);
    let call = b.ua.call(b.now, ACC, "7000").unwrap();
    let invite = only(b.sent(), "INVITE");
    assert_eq!(method(&invite), Method::Invite);

    // Two phones ring: two early dialogs.
    b.deliver(
        response(&invite, 180, "fork-x", "7000@192.0.2.51")
            .build()
            .unwrap(),
    );
    b.deliver(
        response(&invite, 180, "fork-y", "7000@192.0.2.52")
            .build()
            .unwrap(),
    );
    assert!(
        b.sent().is_empty(),
        "provisional responses are not acknowledged"
    );
    assert_eq!(b.states(call), [CallState::Calling, CallState::Ringing]);

    // Fork y answers first.
    let ok_y = response(&invite, 200, "fork-y", "7000@192.0.2.52")
        .body("application/sdp", answer_sdp(&invite, 30000))
        .build()
        .unwrap();
    b.deliver(ok_y.clone());
    let ack = only(b.sent(), "ACK");
    assert_eq!(method(&ack), Method::Ack);
    assert_eq!(to_tag(&ack), "fork-y");
    assert_eq!(ack.request_uri_str(), Some("sip:7000@192.0.2.52"));
    assert_eq!(b.ua.call_state(call), Some(&CallState::Connected));
    assert_eq!(b.ua.dialog_of(call).unwrap().id.remote_tag, "fork-y");
    assert_eq!(b.media_events(), 1);

    // Then fork x answers too: ACK it, then BYE it; the call stays on y.
    let ok_x = response(&invite, 200, "fork-x", "7000@192.0.2.51")
        .body("application/sdp", answer_sdp(&invite, 30002))
        .build()
        .unwrap();
    b.deliver(ok_x);
    let sent = b.sent();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(method(&sent[0]), Method::Ack);
    assert_eq!(method(&sent[1]), Method::Bye);
    for m in &sent {
        assert_eq!(to_tag(m), "fork-x");
        assert_eq!(m.request_uri_str(), Some("sip:7000@192.0.2.51"));
    }
    assert_eq!(b.ua.call_state(call), Some(&CallState::Connected));
    assert_eq!(b.ua.dialog_of(call).unwrap().id.remote_tag, "fork-y");
    assert_eq!(b.media_events(), 1, "the losing fork's SDP changes nothing");

    // A retransmission of the winner's 2xx gets the same ACK again.
    b.deliver(ok_y);
    let again = only(b.sent(), "ACK");
    assert_eq!(again.to_bytes().len(), ack.to_bytes().len());
    assert_eq!(to_tag(&again), "fork-y");
    assert_eq!(again.cseq(), ack.cseq());

    // The BYE to the losing fork is answered and forgotten.
    let bye_x = &sent[1];
    b.deliver(
        MessageBuilder::response_to(bye_x, 200, "", None)
            .build()
            .unwrap(),
    );
    assert!(b.sent().is_empty());
}

/// An INVITE without SDP from 7000 at the proxy (dialog `late-N`).
fn late_invite(n: &str) -> Message {
    MessageBuilder::request(&Method::Invite, "sip:6001@192.0.2.10:5060")
        .header(
            HeaderName::Via,
            format!("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKlate{n}"),
        )
        .header(HeaderName::MaxForwards, 69)
        .header(HeaderName::From, "<sip:7000@example.com>;tag=caller")
        .header(HeaderName::To, "<sip:6001@example.com>")
        .header(HeaderName::CallId, format!("late-{n}@192.0.2.1"))
        .header(HeaderName::CSeq, "1 INVITE")
        .header(HeaderName::Contact, "<sip:7000@192.0.2.1:5060>")
        .build()
        .unwrap()
}

/// The caller's ACK for our 2xx `ok` to [`late_invite`] `n`, with `answer`
/// as its SDP when given.
fn late_ack(n: &str, ok: &Message, answer: Option<bytes::Bytes>) -> Message {
    let mut b = MessageBuilder::request(&Method::Ack, "sip:6001@192.0.2.10:5060")
        .header(
            HeaderName::Via,
            format!("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKlate{n}ack"),
        )
        .header(HeaderName::MaxForwards, 69)
        .header(HeaderName::From, "<sip:7000@example.com>;tag=caller")
        .header(
            HeaderName::To,
            format!("<sip:6001@example.com>;tag={}", to_tag(ok)),
        )
        .header(HeaderName::CallId, format!("late-{n}@192.0.2.1"))
        .header(HeaderName::CSeq, "1 ACK");
    if let Some(sdp) = answer {
        b = b.body("application/sdp", sdp);
    }
    b.build().unwrap()
}

#[test]
fn incoming_invite_without_sdp_gets_our_offer_and_the_answer_comes_in_the_ack() {
    let mut b = Bench::new(false);
    let invite = late_invite("1");
    b.deliver(invite.clone());
    let ringing = only(b.sent(), "180");
    assert_eq!(ringing.status(), Some(180));
    let call = b
        .events
        .iter()
        .find_map(|e| match e {
            Event::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .expect("incoming call");
    assert_eq!(b.media_events(), 0, "no media before an answer exists");

    assert!(b.ua.answer(b.now, call));
    let ok = only(b.sent(), "200");
    assert_eq!(ok.status(), Some(200));
    let offer = SessionDescription::parse(ok.body()).expect("our 2xx carries an offer");
    assert!(offer.to_string().contains("m=audio"));

    // The caller answers in the ACK.
    let mut caller = Negotiator::new(sdp::Config::new("192.0.2.50".parse().unwrap(), 30004), 79);
    let answer = caller.answer_offer(&offer).unwrap().sdp.to_bytes();
    let ack = late_ack("1", &ok, Some(answer));
    b.deliver(ack);
    assert!(b.sent().is_empty(), "nothing answers an ACK");
    assert_eq!(b.ua.call_state(call), Some(&CallState::Connected));
    assert_eq!(b.media_events(), 1, "media once the answer arrived");
    let params = b
        .events
        .iter()
        .find_map(|e| match e {
            Event::Media { params, .. } => Some(params.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(params.remote_port, 30004);
}

#[test]
fn incoming_late_offer_with_an_ack_lacking_the_answer_is_ended_with_bye() {
    let mut b = Bench::new(false);
    let invite = late_invite("2");
    b.deliver(invite);
    b.sent();
    let call = b
        .events
        .iter()
        .find_map(|e| match e {
            Event::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .unwrap();
    assert!(b.ua.answer(b.now, call));
    let ok = only(b.sent(), "200");
    let ack = late_ack("2", &ok, None);
    b.deliver(ack);
    let bye = only(b.sent(), "BYE");
    assert_eq!(method(&bye), Method::Bye);
    assert!(
        b.states(call)
            .iter()
            .any(|s| matches!(s, CallState::Terminated { status: 488, .. }))
    );
    assert_eq!(b.ua.call_state(call), None);
}

#[test]
fn our_late_offer_invite_answers_the_2xx_offer_in_the_ack() {
    let mut b = Bench::new(true);
    let call = b.ua.call(b.now, ACC, "7000").unwrap();
    let invite = only(b.sent(), "INVITE");
    assert!(invite.body_bytes().is_empty(), "late offer: no SDP");
    let (mut phone, offer) = offer_sdp(30006);
    let ok = response(&invite, 200, "callee", "7000@192.0.2.52")
        .body("application/sdp", offer)
        .build()
        .unwrap();
    b.deliver(ok.clone());
    let ack = only(b.sent(), "ACK");
    let answer = SessionDescription::parse(ack.body()).expect("the ACK carries our answer");
    let theirs = phone
        .receive_answer(&answer)
        .unwrap()
        .expect("media agreed");
    assert_eq!(theirs.remote_port, 40000);
    assert_eq!(b.ua.call_state(call), Some(&CallState::Connected));
    assert_eq!(b.media_events(), 1);
    // A retransmitted 2xx gets the very same ACK body.
    b.deliver(ok);
    let again = only(b.sent(), "ACK");
    assert_eq!(again.body(), ack.body());
    assert_eq!(b.media_events(), 1);
}

#[test]
fn challenged_bye_is_sent_again_with_credentials_once() {
    let mut b = Bench::new(false);
    let call = b.ua.call(b.now, ACC, "7000").unwrap();
    let invite = only(b.sent(), "INVITE");
    b.deliver(
        response(&invite, 200, "callee", "7000@192.0.2.52")
            .body("application/sdp", answer_sdp(&invite, 30000))
            .build()
            .unwrap(),
    );
    only(b.sent(), "ACK");
    assert!(b.ua.hangup(b.now, call));
    let bye = only(b.sent(), "BYE");
    let challenge = MessageBuilder::response_to(&bye, 407, "", None)
        .header(
            HeaderName::ProxyAuthenticate,
            "Digest realm=\"example.com\", nonce=\"n0nce\", qop=\"auth\", algorithm=MD5",
        )
        .build()
        .unwrap();
    b.deliver(challenge.clone());
    let bye2 = only(b.sent(), "BYE with credentials");
    assert_eq!(method(&bye2), Method::Bye);
    assert_eq!(bye2.cseq().unwrap().seq, bye.cseq().unwrap().seq + 1);
    assert_eq!(bye2.call_id(), bye.call_id());
    assert_ne!(
        bye2.top_via().unwrap().branch(),
        bye.top_via().unwrap().branch()
    );
    let creds = ProxyAuthorization::parse(
        bye2.values(HeaderName::ProxyAuthorization)
            .next()
            .expect("Proxy-Authorization"),
    )
    .unwrap()
    .0;
    assert_eq!(creds.username, "6001");
    assert!(
        creds
            .verify(&Secret::Password(Password::new("1234")), "BYE", b"")
            .unwrap()
    );
    // A second challenge is not answered again: no loop.
    b.deliver(
        MessageBuilder::response_to(&bye2, 407, "", None)
            .header(
                HeaderName::ProxyAuthenticate,
                "Digest realm=\"example.com\", nonce=\"other\", qop=\"auth\"",
            )
            .build()
            .unwrap(),
    );
    assert!(b.sent().is_empty());
}

#[test]
fn two_accounts_route_their_own_calls_and_name_the_account_of_incoming_ones() {
    let line1 = AccountConfig::new("6001", "1234", "example.com; 192.0.2.1");
    let line2 = AccountConfig::new("6002", "5678", "other.example; 192.0.2.2:5070");
    let mut ua = UserAgent::new(AgentConfig::new(sa(UA), vec![line1, line2]), 5).unwrap();
    let now = Time::ZERO;
    // Outgoing calls go to the server of the account they name, as it.
    ua.call(now, AccountId(1), "7000").unwrap();
    let mut sent = Vec::new();
    while let Some(o) = ua.poll_output() {
        if let Output::Transmit(t) = o {
            sent.push(t);
        }
    }
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].destination, sa("192.0.2.2:5070"));
    let invite = Message::parse(sent[0].data.clone()).unwrap();
    assert_eq!(invite.request_uri_str(), Some("sip:7000@other.example"));
    assert!(
        invite
            .from_header()
            .unwrap()
            .uri
            .to_string()
            .starts_with("sip:6002@other.example")
    );
    // An INVITE for the second line says so.
    let incoming = MessageBuilder::request(&Method::Invite, "sip:6002@192.0.2.10:5060")
        .header(
            HeaderName::Via,
            "SIP/2.0/UDP 192.0.2.2:5070;branch=z9hG4bKin2",
        )
        .header(HeaderName::MaxForwards, 69)
        .header(
            HeaderName::From,
            "\"Reception\" <sip:100@other.example>;tag=r",
        )
        .header(HeaderName::To, "<sip:6002@other.example>")
        .header(HeaderName::CallId, "acc2@192.0.2.2")
        .header(HeaderName::CSeq, "1 INVITE")
        .header(HeaderName::Contact, "<sip:100@192.0.2.2:5070>")
        .header(
            HeaderName::PAssertedIdentity,
            "\"Reception\" <sip:100@other.example>",
        )
        .build()
        .unwrap();
    ua.handle_input(
        now,
        Input::Message {
            from: sa("192.0.2.2:5070"),
            to: sa(UA),
            transport: Transport::Udp,
            data: incoming.to_bytes(),
        },
    );
    let event = std::iter::from_fn(|| ua.poll_output())
        .find_map(|o| match o {
            Output::Event(e @ Event::IncomingCall { .. }) => Some(e),
            _ => None,
        })
        .expect("incoming call");
    let Event::IncomingCall {
        account,
        from,
        display_name,
        asserted_identity,
        called,
        ..
    } = event
    else {
        unreachable!()
    };
    assert_eq!(account, AccountId(1));
    assert_eq!(from, "sip:100@other.example");
    assert_eq!(display_name.as_deref(), Some("Reception"));
    assert_eq!(
        asserted_identity.as_deref(),
        Some("\"Reception\" <sip:100@other.example>")
    );
    assert_eq!(called, "sip:6002@192.0.2.10:5060");
}
