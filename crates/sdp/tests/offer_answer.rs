//! The offer/answer engine (RFC 3264, RFC 6337) with the handset's codec
//! policy, exercised with RFC 4317's examples where they fit.
//!
//! RFC 4317 mostly uses iLBC, which the handset does not speak; where an
//! example only offers iLBC, the test says so and swaps it for PCMU.

#[path = "data/rfc4317.rs"]
mod rfc4317;

use sdp::{
    Codec, CodecOrder, Config, Direction, Host, NegotiationError, Negotiator, SessionDescription,
};

fn example(section: &str, label: &str) -> SessionDescription {
    let (_, _, text) = rfc4317::EXAMPLES
        .iter()
        .find(|(s, l, _)| s.starts_with(section) && *l == label)
        .unwrap_or_else(|| panic!("no RFC 4317 example {section} {label}"));
    SessionDescription::parse(*text).unwrap()
}

/// An RFC 4317 example with iLBC (97) swapped for PCMU (0).
fn example_pcmu(section: &str, label: &str) -> SessionDescription {
    let text = example(section, label)
        .to_string()
        .replace("RTP/AVP 97", "RTP/AVP 0")
        .replace("a=rtpmap:97 iLBC/8000", "a=rtpmap:0 PCMU/8000");
    SessionDescription::parse(text).unwrap()
}

fn sdp(text: &str) -> SessionDescription {
    SessionDescription::parse(text.to_owned()).unwrap()
}

fn config() -> Config {
    Config::new("192.0.2.20".parse().unwrap(), 4000)
}

fn neg(cfg: Config) -> Negotiator {
    Negotiator::new(cfg, 1000)
}

/// An offer from a peer at 198.51.100.7 with the given m=audio payload types
/// and extra media-level lines.
fn offer(fmts: &str, extra: &str) -> SessionDescription {
    sdp(&format!(
        "v=0\r\no=peer 7 7 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n\
         m=audio 30000 RTP/AVP {fmts}\r\n{extra}"
    ))
}

fn audio_formats(d: &SessionDescription) -> Vec<String> {
    let m = d
        .media()
        .find(|m| m.media_type() == "audio" && m.port() != 0)
        .unwrap();
    m.formats().map(str::to_owned).collect()
}

fn audio_direction(d: &SessionDescription) -> Direction {
    d.media()
        .find(|m| m.media_type() == "audio")
        .unwrap()
        .direction()
}

#[test]
fn rfc4317_examples_parse_print_and_round_trip() {
    assert_eq!(rfc4317::EXAMPLES.len(), 54);
    for (section, label, text) in rfc4317::EXAMPLES {
        let d =
            SessionDescription::parse(*text).unwrap_or_else(|e| panic!("{section} {label}: {e}"));
        assert_eq!(d.to_string(), *text, "{section} {label} prints as written");
        assert_eq!(SessionDescription::parse(d.to_bytes()).unwrap(), d);
    }
    let d = example("2.8", "Answer");
    let video = d.media_at(1).unwrap();
    assert_eq!(
        video.connection().unwrap().host(),
        "otherhost.biloxi.example.com"
    );
    assert_eq!(
        d.media_at(0).unwrap().connection().unwrap().host(),
        "host.biloxi.example.com"
    );
}

#[test]
fn rfc4317_2_1_answer_lists_common_codecs_and_rejects_video_in_place() {
    let mut n = neg(config());
    let a = n.answer_offer(&example("2.1", "Offer")).unwrap();
    assert_eq!(
        a.sdp.to_string(),
        "v=0\r\no=- 1000 1000 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n\
         m=audio 4000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
         a=ptime:20\r\na=sendrecv\r\nm=video 0 RTP/AVP 31\r\n"
    );
    let m = a.media.unwrap();
    assert_eq!(m.remote_host, Host::Name("host.atlanta.example.com".into()));
    assert_eq!((m.remote_port, m.remote_rtcp_port), (49170, 49171));
    assert_eq!(
        (
            m.codec,
            m.payload_type,
            m.local_payload_type,
            m.clock_rate,
            m.ptime
        ),
        (Codec::Pcmu, 0, 0, 8000, 20)
    );
    assert_eq!(m.telephone_event, None, "not offered");
    assert_eq!(
        (m.local_direction, m.remote_direction),
        (Direction::SendRecv, Direction::SendRecv)
    );
    // iLBC (97) is never in the answer: only codecs both sides support
    assert!(!a.sdp.to_string().contains("iLBC"));
}

#[test]
fn rfc4317_2_4_second_audio_stream_is_rejected_in_place() {
    let mut n = neg(config());
    let a = n.answer_offer(&example("2.4", "Offer")).unwrap();
    assert_eq!(a.sdp.media_count(), 2);
    let second = a.sdp.media_at(1).unwrap();
    assert_eq!(
        (second.media_type(), second.port(), second.formats().next()),
        ("audio", 0, Some("98"))
    );
    assert_eq!(audio_formats(&a.sdp), ["0"]);
}

#[test]
fn rfc4317_2_6_first_usable_audio_stream_is_accepted() {
    // Bob accepts the second stream (iLBC); we speak PCMU, so we accept the first.
    let mut n = neg(config());
    let a = n.answer_offer(&example("2.6", "Offer")).unwrap();
    let ports: Vec<_> = a.sdp.media().map(|m| m.port()).collect();
    assert_eq!(ports, [4000, 0]);
    assert_eq!(a.media.unwrap().codec, Codec::Pcmu);
}

#[test]
fn codec_order_knob_our_priority_or_offerers() {
    let o = offer("8 0", "");
    // our priority (pcmu=1, pcma=2)
    let a = neg(config()).answer_offer(&o).unwrap();
    assert_eq!(audio_formats(&a.sdp), ["0", "8"]);
    // RFC 3264 6.1: the answerer sends the offer's most preferred common codec
    assert_eq!(a.media.unwrap().codec, Codec::Pcma);
    // offerer's order
    let mut cfg = config();
    cfg.codec_order = CodecOrder::Offerer;
    let a = neg(cfg).answer_offer(&o).unwrap();
    assert_eq!(audio_formats(&a.sdp), ["8", "0"]);
    // priorities reordered by configuration
    let mut cfg = config();
    cfg.codecs = "pcma=1,pcmu=2".parse().unwrap();
    let a = neg(cfg).answer_offer(&offer("0 8", "")).unwrap();
    assert_eq!(audio_formats(&a.sdp), ["8", "0"]);
}

#[test]
fn symmetric_codec_answers_exactly_one_codec_plus_telephone_event() {
    let o = offer(
        "8 0 18 101",
        "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n",
    );
    let mut cfg = config();
    cfg.symmetric_codec = true;
    let a = neg(cfg.clone()).answer_offer(&o).unwrap();
    assert_eq!(audio_formats(&a.sdp), ["0", "101"]);
    let m = a.media.unwrap();
    assert_eq!(
        (m.codec, m.payload_type, m.telephone_event),
        (Codec::Pcmu, 0, Some(101))
    );
    cfg.codec_order = CodecOrder::Offerer;
    let a = neg(cfg).answer_offer(&o).unwrap();
    assert_eq!(audio_formats(&a.sdp), ["8", "101"]);
    assert_eq!(a.media.unwrap().codec, Codec::Pcma);
}

#[test]
fn static_and_dynamic_payload_types() {
    let mut cfg = config();
    cfg.codecs = "pcmu=1,pcma=2,g729=3,g722=4".parse().unwrap();
    // PCMA at a dynamic payload type
    let a = neg(cfg.clone())
        .answer_offer(&offer("96", "a=rtpmap:96 PCMA/8000\r\n"))
        .unwrap();
    assert_eq!(audio_formats(&a.sdp), ["96"]);
    assert!(a.sdp.to_string().contains("a=rtpmap:96 PCMA/8000\r\n"));
    assert_eq!(a.media.unwrap().payload_type, 96);
    // static G.722 with its 8000 Hz RTP clock
    let a = neg(cfg.clone()).answer_offer(&offer("9", "")).unwrap();
    assert!(a.sdp.to_string().contains("a=rtpmap:9 G722/8000\r\n"));
    let m = a.media.unwrap();
    assert_eq!((m.codec, m.clock_rate), (Codec::G722, 8000));
    // G.722.1 is not G.722
    let only_g7221 = offer(
        "102",
        "a=rtpmap:102 G7221/16000\r\na=fmtp:102 bitrate=32000\r\n",
    );
    let mut g722_only = cfg.clone();
    g722_only.codecs = "g722=1".parse().unwrap();
    assert_eq!(
        neg(g722_only.clone())
            .answer_offer(&only_g7221)
            .unwrap_err(),
        NegotiationError::NoCommonCodec
    );
    let both = offer(
        "102 9",
        "a=rtpmap:102 G7221/16000\r\na=rtpmap:9 G722/8000\r\n",
    );
    let a = neg(g722_only).answer_offer(&both).unwrap();
    assert_eq!(audio_formats(&a.sdp), ["9"]);
    // an rtpmap overrides the static meaning of a number
    let a = neg(cfg)
        .answer_offer(&offer("0 8", "a=rtpmap:0 G7221/16000\r\n"))
        .unwrap();
    assert_eq!(audio_formats(&a.sdp), ["8"]);
}

#[test]
fn g729_annexb_is_honoured() {
    let mut cfg = config();
    cfg.codecs = "g729=1".parse().unwrap();
    // absent fmtp means annexb=yes; we do not run Annex B, so we say no
    let a = neg(cfg.clone()).answer_offer(&offer("18", "")).unwrap();
    assert!(
        a.sdp
            .to_string()
            .contains("a=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\n")
    );
    assert!(!a.media.unwrap().g729_annexb);
    // with Annex B on: absent (=yes) gives yes, annexb=no gives no
    cfg.g729_annexb = true;
    let a = neg(cfg.clone()).answer_offer(&offer("18", "")).unwrap();
    assert!(!a.sdp.to_string().contains("annexb"));
    assert!(a.media.unwrap().g729_annexb);
    let a = neg(cfg.clone())
        .answer_offer(&offer("18", "a=fmtp:18 annexb=no\r\n"))
        .unwrap();
    assert!(a.sdp.to_string().contains("a=fmtp:18 annexb=no"));
    assert!(!a.media.unwrap().g729_annexb);
    // our offer says annexb=no when we do not run it
    cfg.g729_annexb = false;
    let o = neg(cfg).create_offer().unwrap();
    assert!(o.to_string().contains(
        "m=audio 4000 RTP/AVP 18 101\r\na=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\n"
    ));
    // and the answer's annexb is read when we are the offerer
    let mut cfg = config();
    cfg.codecs = "g729=1".parse().unwrap();
    cfg.g729_annexb = true;
    let mut n = neg(cfg);
    n.create_offer().unwrap();
    let m = n
        .receive_answer(&offer("18", "a=fmtp:18 annexb=no\r\n"))
        .unwrap()
        .unwrap();
    assert!(!m.g729_annexb);
}

#[test]
fn telephone_event_payload_type_is_whatever_the_peer_offers() {
    let o = offer(
        "0 96",
        "a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15,16\r\n",
    );
    let a = neg(config()).answer_offer(&o).unwrap();
    let text = a.sdp.to_string();
    assert!(text.contains("m=audio 4000 RTP/AVP 0 96\r\n"));
    assert!(text.contains("a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\n"));
    let m = a.media.unwrap();
    assert_eq!(
        (m.telephone_event, m.local_telephone_event),
        (Some(96), Some(96))
    );
    // a 16 kHz telephone-event does not go with our 8 kHz codecs
    let o = offer("0 97", "a=rtpmap:97 telephone-event/16000\r\n");
    let a = neg(config()).answer_offer(&o).unwrap();
    assert_eq!(audio_formats(&a.sdp), ["0"]);
    assert_eq!(a.media.unwrap().telephone_event, None);
    // telephone-event disabled locally
    let mut cfg = config();
    cfg.telephone_event = None;
    let a = neg(cfg)
        .answer_offer(&offer("0 101", "a=rtpmap:101 telephone-event/8000\r\n"))
        .unwrap();
    assert_eq!(audio_formats(&a.sdp), ["0"]);
}

#[test]
fn no_common_codec_is_a_488_error_and_changes_nothing() {
    let mut n = neg(config());
    // RFC 4317 3.1 offer: PCMU and iLBC; disable PCMU and PCMA
    n.config_mut().codecs = "g729=1".parse().unwrap();
    let before = n.clone();
    let e = n.answer_offer(&example("3.1", "Offer")).unwrap_err();
    assert_eq!(e, NegotiationError::NoCommonCodec);
    assert_eq!(e.sip_status(), 488);
    assert_eq!(n, before);
    // a video-only offer
    let video = sdp(
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=video 5000 RTP/AVP 31\r\n",
    );
    assert_eq!(
        neg(config()).answer_offer(&video).unwrap_err(),
        NegotiationError::NoCommonCodec
    );
    // SRTP audio is not RTP/AVP
    let srtp = sdp(
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 5000 RTP/SAVP 0\r\n",
    );
    assert_eq!(
        neg(config()).answer_offer(&srtp).unwrap_err(),
        NegotiationError::NoCommonCodec
    );
}

#[test]
fn answer_directions_follow_rfc3264_6_1() {
    for (offered, answered) in [
        ("a=sendonly\r\n", Direction::RecvOnly),
        ("a=recvonly\r\n", Direction::SendOnly),
        ("a=inactive\r\n", Direction::Inactive),
        ("a=sendrecv\r\n", Direction::SendRecv),
        ("", Direction::SendRecv),
    ] {
        let a = neg(config()).answer_offer(&offer("0", offered)).unwrap();
        assert_eq!(audio_direction(&a.sdp), answered, "offer {offered:?}");
        let m = a.media.unwrap();
        assert_eq!(m.local_direction, answered);
        assert_eq!(m.remote_direction, answered.reversed());
    }
    // session-level direction applies too (RFC 8866 6.7)
    let o = sdp(
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\na=sendonly\r\nm=audio 5000 RTP/AVP 0\r\n",
    );
    let a = neg(config()).answer_offer(&o).unwrap();
    assert_eq!(audio_direction(&a.sdp), Direction::RecvOnly);
    assert!(a.media.unwrap().held_by_peer());
    // RFC 4317 2.4: the second (sendonly) stream; 3.2: Bob holds the first
    let a = neg(config())
        .answer_offer(&example_pcmu("3.2", "Second-Offer"))
        .unwrap();
    assert_eq!(a.sdp.media_at(0).unwrap().direction(), Direction::RecvOnly);
}

/// We call, the peer answers, both sendrecv.
fn established() -> Negotiator {
    let mut n = neg(config());
    let o = n.create_offer().unwrap();
    assert_eq!(
        o.to_string(),
        "v=0\r\no=- 1000 1000 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n\
         m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n"
    );
    assert!(n.offer_outstanding());
    let m = n
        .receive_answer(&offer("0 101", "a=rtpmap:101 telephone-event/8000\r\n"))
        .unwrap()
        .unwrap();
    assert_eq!((m.codec, m.telephone_event), (Codec::Pcmu, Some(101)));
    assert!(!n.offer_outstanding());
    n
}

#[test]
fn hold_offers_sendonly_and_resume_sendrecv() {
    let mut n = established();
    let h = n.hold().unwrap();
    assert!(n.is_on_hold());
    assert_eq!(audio_direction(&h), Direction::SendOnly);
    assert_eq!(h.origin().session_version, "1001", "changed: version + 1");
    assert_eq!(h.origin().session_id, "1000");
    assert!(
        !h.to_string().contains("0.0.0.0"),
        "MiVoice: never c=0.0.0.0"
    );
    let m = n
        .receive_answer(&offer("0", "a=recvonly\r\n"))
        .unwrap()
        .unwrap();
    assert_eq!(
        (m.local_direction, m.remote_direction),
        (Direction::SendOnly, Direction::RecvOnly)
    );
    // while we hold, a peer's sendrecv re-offer is answered sendonly (RFC 6337 5.3)
    let a = n.answer_offer(&offer("0", "")).unwrap();
    assert_eq!(audio_direction(&a.sdp), Direction::SendOnly);
    assert_eq!(a.sdp.origin().session_version, "1002");
    // and a peer's sendonly re-offer (double hold) is answered inactive
    let a = n.answer_offer(&offer("0", "a=sendonly\r\n")).unwrap();
    assert_eq!(audio_direction(&a.sdp), Direction::Inactive);
    let r = n.resume().unwrap();
    assert!(!n.is_on_hold());
    assert_eq!(audio_direction(&r), Direction::SendRecv);
    assert_eq!(r.origin().session_version, "1004");
}

#[test]
fn hold_when_the_peer_already_holds_us_offers_inactive() {
    let mut n = neg(config());
    // the peer calls us and holds (RFC 4317 3.1 answer direction, as an offer)
    let a = n.answer_offer(&offer("0", "a=sendonly\r\n")).unwrap();
    assert!(a.media.unwrap().held_by_peer());
    let h = n.hold().unwrap();
    assert_eq!(audio_direction(&h), Direction::Inactive);
}

#[test]
fn never_emits_zero_address_unless_legacy_knob() {
    let mut cfg = config();
    cfg.address = "0.0.0.0".parse().unwrap();
    let mut n = neg(cfg.clone());
    assert_eq!(
        n.create_offer().unwrap_err(),
        NegotiationError::UnspecifiedLocalAddress
    );
    assert_eq!(
        n.answer_offer(&offer("0", "")).unwrap_err(),
        NegotiationError::UnspecifiedLocalAddress
    );
    assert!(!n.offer_outstanding());
    // legacy RFC 2543 hold
    let mut cfg = config();
    cfg.allow_zero_address = true;
    let mut n = neg(cfg);
    n.create_offer().unwrap();
    n.receive_answer(&offer("0", "")).unwrap();
    let h = n.hold().unwrap();
    assert_eq!(h.connection().unwrap().address, "0.0.0.0");
    assert_eq!(h.origin().address, "192.0.2.20");
}

#[test]
fn remote_zero_address_is_hold_rfc4317_5_2() {
    // RFC 4317 5.2 (iLBC swapped for PCMU): Alice offers c=0.0.0.0, then a real address.
    let mut n = neg(config());
    let a = n.answer_offer(&example_pcmu("5.2", "Offer")).unwrap();
    // RFC 6337 5.4: the answer's direction follows the attribute, not the address
    assert_eq!(audio_direction(&a.sdp), Direction::SendRecv);
    let m = a.media.unwrap();
    assert!(m.held_by_peer());
    assert_eq!(m.remote_host, Host::Ip("0.0.0.0".parse().unwrap()));
    assert!(!m.local_direction.sends(), "nothing is sent to 0.0.0.0");
    assert!(m.local_direction.receives());
    let v1 = a.sdp.origin().session_version.to_owned();
    let a = n
        .answer_offer(&example_pcmu("5.2", "Second-Offer"))
        .unwrap();
    let m = a.media.unwrap();
    assert!(!m.held_by_peer());
    assert_eq!(m.local_direction, Direction::SendRecv);
    assert_eq!(m.remote_host, Host::Name("host.atlanta.example.com".into()));
    // as in RFC 4317 5.2, the unchanged answer keeps its version
    assert_eq!(a.sdp.origin().session_version, v1);
}

#[test]
fn remote_zero_address_in_an_answer_rfc4317_5_3() {
    let mut n = neg(config());
    n.create_offer().unwrap();
    let m = n
        .receive_answer(&example_pcmu("5.3", "Answer"))
        .unwrap()
        .unwrap();
    assert!(m.held_by_peer());
    assert_eq!(m.local_direction, Direction::RecvOnly);
    // Bob's second offer with a real address; our answer
    let a = n
        .answer_offer(&example_pcmu("5.3", "Second-Offer"))
        .unwrap();
    assert!(!a.media.unwrap().held_by_peer());
}

#[test]
fn port_zero_in_the_answer_closes_the_stream() {
    let mut n = neg(config());
    n.create_offer().unwrap();
    let closed = offer("0", "")
        .to_string()
        .replace("m=audio 30000", "m=audio 0");
    assert_eq!(n.receive_answer(&sdp(&closed)).unwrap(), None);
    assert_eq!(n.media(), None);
    assert!(!n.offer_outstanding());
    // an offered stream with port 0 is answered with port 0
    let o = sdp(&closed);
    let a = neg(config()).answer_offer(&o).unwrap();
    assert_eq!(a.sdp.media_at(0).unwrap().port(), 0);
    assert_eq!(a.media, None);
}

#[test]
fn one_offer_answer_per_invite_flag_and_outstanding_offer() {
    let mut cfg = config();
    cfg.one_offer_answer_per_invite = true;
    let mut n = neg(cfg);
    assert!(n.one_offer_answer_per_invite());
    assert!(!n.offer_outstanding());
    n.create_offer().unwrap();
    assert!(n.offer_outstanding());
    assert_eq!(
        n.create_offer().unwrap_err(),
        NegotiationError::OfferOutstanding
    );
    // glare: the user agent answers 491
    let e = n.answer_offer(&offer("0", "")).unwrap_err();
    assert_eq!(
        (e.clone(), e.sip_status()),
        (NegotiationError::OfferOutstanding, 491)
    );
    assert_eq!(n.hold().unwrap_err(), NegotiationError::OfferOutstanding);
    n.receive_answer(&offer("0", "")).unwrap();
    assert!(!n.offer_outstanding());
    assert_eq!(
        n.receive_answer(&offer("0", "")).unwrap_err(),
        NegotiationError::NoOfferOutstanding
    );
    // a refused hold offer restores the hold state
    n.hold().unwrap();
    n.offer_rejected();
    assert!(!n.is_on_hold() && !n.offer_outstanding());
}

#[test]
fn version_increments_only_when_the_description_changes() {
    let mut n = established();
    let again = n.create_offer().unwrap();
    assert_eq!(
        again.origin().session_version,
        "1000",
        "same offer, same version"
    );
    n.receive_answer(&offer("0", "")).unwrap();
    n.config_mut().ptime = 30;
    let changed = n.create_offer().unwrap();
    assert_eq!(changed.origin().session_version, "1001");
    assert_eq!(n.version(), 1001);
    assert_eq!(n.session_id(), 1000);
}

#[test]
fn rfc4317_2_5_same_offer_gets_same_answer_version() {
    // Alice (us) answers Bob's second offer with the same SDP, same version.
    let mut n = neg(config());
    let o1 = example("2.5", "Offer")
        .to_string()
        .replace("97", "0")
        .replace("iLBC", "PCMU");
    let a1 = n.answer_offer(&sdp(&o1)).unwrap();
    let o2 = example("2.5", "Second-Offer")
        .to_string()
        .replace("97", "0")
        .replace("iLBC", "PCMU");
    let a2 = n.answer_offer(&sdp(&o2)).unwrap();
    assert_eq!(a1.sdp, a2.sdp);
    assert_eq!(
        a2.media.unwrap().remote_host,
        Host::Name("newhost.biloxi.example.com".into())
    );
}

#[test]
fn re_offer_keeps_every_m_line_in_place() {
    // RFC 4317 2.2: after video was declined, the re-offer keeps it with port 0
    let mut n = neg(config());
    n.answer_offer(&example("2.1", "Offer")).unwrap();
    let o = n.create_offer().unwrap();
    let lines: Vec<_> = o.media().map(|m| (m.media_type(), m.port())).collect();
    assert_eq!(lines, [("audio", 4000), ("video", 0)]);
    // the answer must match the count and the types
    let bad = offer("0", "");
    assert_eq!(
        n.receive_answer(&bad).unwrap_err(),
        NegotiationError::StreamCountMismatch {
            offer: 2,
            answer: 1
        }
    );
    // RFC 4317 2.6: audio accepted in the second slot stays there
    let mut n = neg(config());
    let mut two = example("2.6", "Offer").to_string();
    two = two.replacen(
        "m=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000",
        "m=audio 49170 RTP/AVP 97\r\na=rtpmap:97 iLBC/8000",
        1,
    );
    two = two.replacen(
        "RTP/AVP 97 101\r\na=rtpmap:97 iLBC/8000",
        "RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000",
        1,
    );
    let a = n.answer_offer(&sdp(&two)).unwrap();
    assert_eq!(
        a.sdp.media().map(|m| m.port()).collect::<Vec<_>>(),
        [0, 4000]
    );
    let o = n.create_offer().unwrap();
    assert_eq!(o.media().map(|m| m.port()).collect::<Vec<_>>(), [0, 4000]);
}

#[test]
fn answer_payload_types_may_differ_from_the_offer_rfc4317_2_3() {
    // like RFC 4317 2.3 (97 → 99): the offerer sends with the answer's numbers
    let mut n = neg(config());
    n.create_offer().unwrap();
    let m = n
        .receive_answer(&offer(
            "99 100",
            "a=rtpmap:99 PCMA/8000\r\na=rtpmap:100 telephone-event/8000\r\na=ptime:30\r\n",
        ))
        .unwrap()
        .unwrap();
    assert_eq!(
        (m.codec, m.payload_type, m.local_payload_type),
        (Codec::Pcma, 99, 8)
    );
    assert_eq!(
        (m.telephone_event, m.local_telephone_event),
        (Some(100), Some(101))
    );
    assert_eq!(m.ptime, 30);
    // an answer with none of our codecs
    let mut n = neg(config());
    n.create_offer().unwrap();
    assert_eq!(
        n.receive_answer(&offer("97", "a=rtpmap:97 iLBC/8000\r\n"))
            .unwrap_err(),
        NegotiationError::NoCommonCodec
    );
}

#[test]
fn rfc4317_5_1_no_media_then_audio_added() {
    let mut n = neg(config());
    let a = n.answer_offer(&example("5.1", "Offer")).unwrap();
    assert_eq!((a.sdp.media_count(), a.media), (0, None));
    let a2 = n
        .answer_offer(&example_pcmu("5.1", "Second-Offer"))
        .unwrap();
    assert_eq!(a2.sdp.media_count(), 1);
    assert_eq!(a2.sdp.origin().session_version, "1001");
    assert_eq!(a2.media.unwrap().remote_port, 49170);
}

#[test]
fn ipv6_local_and_remote() {
    let mut cfg = config();
    cfg.address = "2001:db8::2".parse().unwrap();
    let mut n = neg(cfg);
    let o = sdp(
        "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=rtcp:5005\r\n",
    );
    let a = n.answer_offer(&o).unwrap();
    assert!(a.sdp.to_string().contains("c=IN IP6 2001:db8::2\r\n"));
    assert!(
        a.sdp
            .to_string()
            .contains("o=- 1000 1000 IN IP6 2001:db8::2\r\n")
    );
    let m = a.media.unwrap();
    assert_eq!(m.remote_host, Host::Ip("2001:db8::1".parse().unwrap()));
    assert_eq!(m.remote_rtcp_port, 5005);
}

#[test]
fn handset_default_codec_priorities() {
    let cfg = config();
    assert_eq!(
        (
            cfg.codecs.pcmu,
            cfg.codecs.pcma,
            cfg.codecs.g729,
            cfg.codecs.g722
        ),
        (1, 2, 0, 0)
    );
    // G.729 and G.722 are disabled by default
    assert_eq!(
        neg(cfg.clone())
            .answer_offer(&offer("18 9", ""))
            .unwrap_err(),
        NegotiationError::NoCommonCodec
    );
    let mut cfg = cfg;
    cfg.codecs = "pcmu=0,pcma=0".parse().unwrap();
    assert_eq!(
        neg(cfg).create_offer().unwrap_err(),
        NegotiationError::NoLocalCodecs
    );
}

/// `answer_offer_owned`, `receive_answer_owned` and `create_offer_kept`
/// (which keep the caller's description, and hand out ours, without a
/// copy) do what the copying calls do: the same results and the same
/// negotiator state, over every RFC 4317 example (whether it answers or
/// fails), as offer and as answer.
#[test]
fn owned_offer_and_answer_calls_match_the_borrowing_ones() {
    for (section, label, text) in rfc4317::EXAMPLES {
        let remote = SessionDescription::parse(*text).unwrap();
        let (mut a, mut b) = (neg(config()), neg(config()));
        let borrowed = a.answer_offer(&remote);
        let owned = b
            .answer_offer_owned(remote.clone())
            .map(|(sdp, media)| (sdp.clone(), media));
        assert_eq!(
            borrowed.map(|a| (a.sdp, a.media)),
            owned,
            "{section} {label}"
        );
        assert_eq!(a, b, "{section} {label}");
        let (mut a, mut b) = (neg(config()), neg(config()));
        let offer = a.create_offer().unwrap();
        assert_eq!(b.create_offer_kept().unwrap(), &offer);
        assert_eq!(a, b, "{section} {label}");
        let borrowed = a.receive_answer(&remote);
        let owned = b.receive_answer_owned(remote.clone());
        assert_eq!(borrowed, owned, "{section} {label}");
        assert_eq!(a, b, "{section} {label}");
    }
}
