//! Builders and printing: `parse(print(m)) == m` for generated messages, the
//! typed values survive the trip, responses follow RFC 3261 section 8.2.6,
//! and arbitrary input never panics.

use proptest::prelude::*;
use sip_proto::headers::*;
use sip_proto::{HeaderName, Message, MessageBuilder, Method, Uri};

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9.!%*_+`'~-]{0,12}"
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,10}(\\.[a-z][a-z0-9-]{0,8}){0,3}",
        (any::<u8>(), any::<u8>(), any::<u8>(), 1u8..255)
            .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
        any::<[u16; 8]>().prop_map(|s| format!("[{}]", std::net::Ipv6Addr::from(s))),
    ]
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Invite),
        Just(Method::Register),
        Just(Method::Options),
        Just(Method::Bye),
        Just(Method::Notify),
        Just(Method::Refer),
        "[A-Z]{3,10}".prop_map(|m| Method::from_token(&m)),
    ]
}

#[derive(Debug, Clone)]
struct Gen {
    method: Method,
    user: String,
    host: String,
    port: Option<u16>,
    vias: Vec<(String, String, Option<u16>, String)>,
    display: Option<String>,
    from_tag: String,
    to_tag: Option<String>,
    call_id: String,
    cseq: u32,
    max_forwards: u32,
    contact_expires: Option<u32>,
    extra: Vec<(String, String)>,
    body: Vec<u8>,
}

fn message_gen() -> impl Strategy<Value = Gen> {
    (
        (
            method(),
            "[a-z0-9._-]{1,10}",
            host(),
            proptest::option::of(1u16..),
        ),
        proptest::collection::vec(
            (
                prop_oneof!["UDP", "TCP", "TLS", "WS"],
                host(),
                proptest::option::of(1u16..),
                "[A-Za-z0-9]{1,16}",
            ),
            1..4,
        ),
        (
            proptest::option::of("[ -~]{0,20}"),
            token(),
            proptest::option::of(token()),
            "[A-Za-z0-9.-]{1,20}(@[a-z0-9.]{1,10})?",
        ),
        (any::<u32>(), 0u32..=255, proptest::option::of(any::<u32>())),
        proptest::collection::vec(("X-[A-Za-z0-9-]{1,10}", "[!-~]([ -~]{0,30}[!-~])?"), 0..4),
        proptest::collection::vec(any::<u8>(), 0..200),
    )
        .prop_map(
            |(
                (method, user, host, port),
                vias,
                (display, from_tag, to_tag, call_id),
                (cseq, max_forwards, contact_expires),
                extra,
                body,
            )| Gen {
                method,
                user,
                host,
                port,
                vias,
                display,
                from_tag,
                to_tag,
                call_id,
                cseq,
                max_forwards,
                contact_expires,
                extra,
                body,
            },
        )
}

/// The accessors served from the parse-time cache agree with parsing the
/// header text again.
fn cached_equals_reparsed(m: &Message) {
    let vias: Vec<Via<'_>> = m.get_all::<Via>().map(Result::unwrap).collect();
    assert_eq!(m.vias().collect::<Vec<_>>(), vias);
    assert_eq!(m.top_via(), vias.first().copied());
    let contacts: Vec<Contact<'_>> = m.get_all::<Contact>().map(Result::unwrap).collect();
    assert_eq!(m.contacts().collect::<Vec<_>>(), contacts);
    assert_eq!(m.from_header(), m.get::<FromHeader>().map(Result::unwrap));
    assert_eq!(m.to_header(), m.get::<ToHeader>().map(Result::unwrap));
    assert_eq!(m.call_id(), m.get::<CallId>().map(|c| c.unwrap().0));
    assert_eq!(m.cseq(), m.get::<CSeq>().map(Result::unwrap));
    assert_eq!(
        m.max_forwards(),
        m.get::<MaxForwards>().map(|c| c.unwrap().0)
    );
    assert_eq!(
        m.content_length(),
        m.get::<ContentLength>().map(|c| c.unwrap().0)
    );
}

fn quote(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

fn build(g: &Gen) -> Message {
    let port = g.port.map(|p| format!(":{p}")).unwrap_or_default();
    let uri = format!("sip:{}@{}{}", g.user, g.host, port);
    let mut b = MessageBuilder::request(&g.method, &uri);
    for (t, h, p, branch) in &g.vias {
        let p = p.map(|p| format!(":{p}")).unwrap_or_default();
        b = b.header(
            HeaderName::Via,
            format!("SIP/2.0/{t} {h}{p};branch=z9hG4bK{branch};rport"),
        );
    }
    let display = g
        .display
        .as_deref()
        .map(|d| format!("{} ", quote(d)))
        .unwrap_or_default();
    b = b
        .header(
            HeaderName::From,
            format!("{display}<sip:alice@example.com>;tag={}", g.from_tag),
        )
        .header(
            HeaderName::To,
            match &g.to_tag {
                Some(t) => format!("<{uri}>;tag={t}"),
                None => format!("<{uri}>"),
            },
        )
        .header(HeaderName::CallId, &g.call_id)
        .typed(&CSeq {
            seq: g.cseq,
            method: g.method.clone(),
        })
        .typed(&MaxForwards(g.max_forwards));
    if let Some(e) = g.contact_expires {
        b = b.header(
            HeaderName::Contact,
            format!("<sip:alice@192.0.2.1:5060;transport=tcp>;expires={e}"),
        );
    }
    for (n, v) in &g.extra {
        b = b.header_raw(n, v);
    }
    if !g.body.is_empty() {
        b = b.body("application/octet-stream", g.body.clone());
    }
    b.build().expect("a generated message builds")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_messages_round_trip(g in message_gen()) {
        let m = build(&g);
        let printed = m.to_bytes();
        let again = Message::parse(printed.clone()).unwrap();
        prop_assert_eq!(&again, &m);
        cached_equals_reparsed(&again);
        prop_assert_eq!(again.to_bytes(), printed, "printing is a fixed point");
        // The typed values are the generated ones.
        prop_assert_eq!(again.method(), Some(&g.method));
        prop_assert_eq!(again.cseq().unwrap(), CSeq { seq: g.cseq, method: g.method.clone() });
        prop_assert_eq!(again.max_forwards(), Some(g.max_forwards));
        prop_assert_eq!(again.call_id(), Some(g.call_id.as_str()));
        prop_assert_eq!(again.from_header().unwrap().tag(), Some(g.from_tag.as_str()));
        prop_assert_eq!(again.to_header().unwrap().tag(), g.to_tag.as_deref());
        if let Some(d) = &g.display {
            prop_assert_eq!(again.from_header().unwrap().display.unwrap().text(), d.as_str());
        }
        let vias: Vec<Via<'_>> = again.get_all::<Via>().map(Result::unwrap).collect();
        prop_assert_eq!(vias.len(), g.vias.len());
        for (v, (t, h, p, branch)) in vias.iter().zip(&g.vias) {
            prop_assert_eq!(v.transport, t.as_str());
            prop_assert_eq!(Some(v.host), sip_proto::Host::parse(h));
            prop_assert_eq!(v.port, *p);
            prop_assert_eq!(v.branch().unwrap(), format!("z9hG4bK{branch}"));
            prop_assert_eq!(v.rport(), Some(None));
        }
        let ruri = again.request_uri().unwrap();
        let Uri::Sip(u) = ruri else { panic!("sip uri") };
        prop_assert_eq!(u.user, Some(g.user.as_str()));
        prop_assert_eq!(u.port, g.port);
        prop_assert_eq!(again.contacts().next().and_then(|c| c.expires()), g.contact_expires);
        for (n, v) in &g.extra {
            prop_assert!(again.values_by_name(n).any(|x| x == v));
        }
        prop_assert_eq!(again.body_bytes(), &g.body[..]);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(m) = Message::parse(data) {
            cached_equals_reparsed(&m);
            let _ = m.check_all_headers();
            let again = Message::parse(m.to_bytes()).unwrap();
            prop_assert_eq!(again, m);
        }
    }

    #[test]
    fn mutated_messages_never_panic(g in message_gen(), pos in any::<usize>(), byte in any::<u8>(), cut in any::<usize>()) {
        let mut data = build(&g).to_bytes().to_vec();
        let p = pos % data.len();
        data[p] = byte;
        data.truncate(cut % (data.len() + 1));
        if let Ok(m) = Message::parse(data) {
            cached_equals_reparsed(&m);
            let _ = m.check_all_headers();
            let _ = m.check_mandatory();
            let again = Message::parse(m.to_bytes()).unwrap();
            prop_assert_eq!(again, m);
        }
    }
}

#[test]
fn folded_and_compact_headers_reprint_canonically() {
    let raw = b"NOTIFY sip:alice@192.0.2.1 SIP/2.0\r\n\
        v: SIP/2.0/UDP pbx.example.com;branch=z9hG4bK1,\r\n SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK2\r\n\
        f: <sip:6000@pbx.example.com>;tag=a\r\nt: <sip:alice@example.com>;tag=b\r\n\
        i: 1@x\r\nCSeq: 2 NOTIFY\r\nMax-Forwards: 70\r\no: message-summary\r\n\
        Subscription-State: active;\r\n\texpires=3600\r\nc: application/simple-message-summary\r\n\
        l: 23\r\n\r\nMessages-Waiting: yes\r\n";
    let m = Message::parse(&raw[..]).unwrap();
    let printed = m.to_bytes();
    let text = std::str::from_utf8(&printed).unwrap();
    assert!(text.contains("\r\nVia: SIP/2.0/UDP pbx.example.com;branch=z9hG4bK1, SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK2\r\n"));
    assert!(text.contains("\r\nSubscription-State: active; expires=3600\r\n"));
    assert!(text.contains("\r\nEvent: message-summary\r\n"));
    assert!(text.contains("\r\nContent-Length: 23\r\n"));
    assert_eq!(Message::parse(printed).unwrap(), m);
    let s = m.get::<SubscriptionState>().unwrap().unwrap();
    assert_eq!(s.expires(), Some(3600));
    assert_eq!(m.get_all::<Via>().count(), 2);
}

#[test]
fn response_to_request_rfc3261_8_2_6() {
    let req = Message::parse(
        &b"INVITE sip:bob@biloxi.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds\r\n\
        Via: SIP/2.0/UDP proxy.atlanta.com;branch=z9hG4bK1\r\n\
        Max-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.com>\r\n\
        From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n\
        Call-ID: a84b4c76e66710@pc33.atlanta.com\r\nCSeq: 314159 INVITE\r\n\
        Record-Route: <sip:proxy.atlanta.com;lr>\r\nTimestamp: 54\r\n\
        Contact: <sip:alice@pc33.atlanta.com>\r\nContent-Length: 0\r\n\r\n"[..],
    )
    .unwrap();
    let resp = MessageBuilder::response_to(&req, 180, "", Some("a6c85cf"))
        .record_route_from(&req)
        .header(HeaderName::Contact, "<sip:bob@192.0.2.4>")
        .build()
        .unwrap();
    assert_eq!((resp.status(), resp.reason()), (Some(180), Some("Ringing")));
    let vias: Vec<&str> = resp.values(HeaderName::Via).collect();
    assert_eq!(vias, req.values(HeaderName::Via).collect::<Vec<_>>());
    assert_eq!(resp.from_header(), req.from_header());
    assert_eq!(resp.to_header().unwrap().tag(), Some("a6c85cf"));
    assert_eq!(resp.call_id(), req.call_id());
    assert_eq!(resp.cseq(), req.cseq());
    assert_eq!(resp.values(HeaderName::Timestamp).next(), Some("54"));
    assert_eq!(
        resp.values(HeaderName::RecordRoute).next(),
        Some("<sip:proxy.atlanta.com;lr>")
    );
    // A To that already has a tag keeps it.
    let again =
        MessageBuilder::response_to(&resp_as_request_with_tag(&req), 200, "OK", Some("other"))
            .build()
            .unwrap();
    assert_eq!(again.to_header().unwrap().tag(), Some("existing"));
}

fn resp_as_request_with_tag(req: &Message) -> Message {
    let text = String::from_utf8(req.to_bytes().to_vec()).unwrap();
    Message::parse(
        text.replace(
            "To: Bob <sip:bob@biloxi.com>",
            "To: Bob <sip:bob@biloxi.com>;tag=existing",
        )
        .into_bytes(),
    )
    .unwrap()
}

#[test]
fn builder_keeps_values_on_one_line() {
    let m = MessageBuilder::request(&Method::Options, "sip:a@b")
        .header_raw("X-Evil", "a\r\nInjected: yes")
        .build()
        .unwrap();
    assert!(m.values_by_name("Injected").next().is_none());
    assert_eq!(m.values_by_name("X-Evil").next(), Some("a  Injected: yes"));
}

#[test]
fn top_via_replaced_in_place() {
    let raw = b"OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport, SIP/2.0/UDP proxy;branch=z9hG4bK0\r\nVia: SIP/2.0/TCP p2;branch=z9hG4bKx\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    let m = Message::parse(&raw[..]).unwrap();
    let stamped = m
        .with_top_via("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport=5062;received=192.0.2.7")
        .unwrap();
    let vias: Vec<Via<'_>> = stamped.vias().collect();
    assert_eq!(vias.len(), 3);
    assert_eq!(vias[0].rport(), Some(Some(5062)));
    assert_eq!(vias[0].received(), Some("192.0.2.7"));
    assert_eq!(
        vias[1].host,
        sip_proto::Host::Name("proxy"),
        "the rest of the folded line is kept"
    );
    assert_eq!(stamped.call_id(), m.call_id());
    assert!(m.with_top_via("garbage").is_err());
}

#[test]
fn body_framing_errors_come_before_core_header_errors() {
    use sip_proto::ParseErrorKind;
    let base = "INVITE sip:bob@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@b>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n";
    let parse = |extra: &str, body: &str| {
        let text = format!("{base}{extra}\r\n{body}");
        Message::parse(text.into_bytes()).map(|_| ())
    };
    let at = |needle: &str, extra: &str| base.len() + extra.find(needle).unwrap();
    // Valid: the Content-Length frames the body.
    assert_eq!(parse("Content-Length: 2\r\n", "ab"), Ok(()));
    // A bad Via before a bad Content-Length: the Content-Length error.
    let extra = "Via: ???\r\nContent-Length: x\r\n";
    let e = parse(extra, "").unwrap_err();
    assert!(
        matches!(
            e.kind,
            ParseErrorKind::InvalidHeader {
                name: HeaderName::ContentLength,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.offset, at("x\r", extra));
    // Conflicting lengths around a bad CSeq.
    let extra = "Content-Length: 1\r\nCSeq: x\r\nl: 2\r\n";
    let e = parse(extra, "ab").unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::ConflictingContentLength);
    assert_eq!(e.offset, at("2\r", extra));
    // A body shorter than declared, after a bad From.
    let extra = "From: nonsense <\r\nContent-Length: 9\r\n";
    let e = parse(extra, "ab").unwrap_err();
    assert!(
        matches!(
            e.kind,
            ParseErrorKind::BodyTooShort {
                declared: 9,
                available: 2
            }
        ),
        "{e:?}"
    );
    // With the lengths in order, the core header error.
    let extra = "Via: ???\r\nContent-Length: 2\r\n";
    let e = parse(extra, "ab").unwrap_err();
    assert!(
        matches!(
            e.kind,
            ParseErrorKind::InvalidHeader {
                name: HeaderName::Via,
                ..
            }
        ),
        "{e:?}"
    );
}
