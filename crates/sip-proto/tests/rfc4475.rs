//! RFC 4475 torture messages (copied from the RFC's Appendix A.1 archive,
//! which is RFC text): each behaves as the RFC prescribes.

use sip_proto::headers::*;
use sip_proto::{HeaderName, Host, Message, Method, ParseError, ParseErrorKind, Uri, unescape};

fn load(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/rfc4475/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ok(name: &str) -> Message {
    Message::parse(load(name)).unwrap_or_else(|e| panic!("{name} must parse: {e}"))
}

/// Parse, then check every known header and the mandatory ones: what a
/// strict UAS does before it answers.
fn strict(name: &str) -> Result<Message, ParseError> {
    let m = Message::parse(load(name))?;
    m.check_all_headers()?;
    m.check_mandatory()?;
    Ok(m)
}

fn sip<'a>(u: &Uri<'a>) -> sip_proto::SipUri<'a> {
    *u.as_sip().expect("a SIP URI")
}

// 3.1.1 Valid messages.

#[test]
fn wsinv_short_tortuous_invite() {
    let m = ok("wsinv.dat");
    strict("wsinv.dat").unwrap();
    assert_eq!(m.method(), Some(&Method::Invite));
    assert_eq!(
        m.request_uri_str(),
        Some("sip:vivekg@chair-dnrc.example.com;unknownparam")
    );
    assert_eq!(m.to_header().unwrap().tag(), Some("1918181833n"));
    let from = m.from_header().unwrap();
    assert_eq!(from.display.unwrap().text(), "J Rosenberg \\\"");
    assert_eq!(from.tag(), Some("98asjd8"));
    assert_eq!(m.max_forwards(), Some(68));
    assert_eq!(
        m.cseq().unwrap(),
        CSeq {
            seq: 9,
            method: Method::Invite
        }
    );
    assert_eq!(m.call_id(), Some("wsinv.ndaksdj@192.0.2.1"));
    let vias: Vec<Via<'_>> = m.get_all::<Via>().map(Result::unwrap).collect();
    assert_eq!(vias.len(), 3);
    assert_eq!(vias[0].branch(), Some("390skdjuw"));
    assert_eq!(vias[1].transport, "TCP");
    assert_eq!(vias[1].host, Host::Name("spindle.example.com"));
    assert_eq!(vias[2].branch(), Some("z9hG4bK30239"));
    assert_eq!(m.values(HeaderName::Subject).next(), Some(""));
    assert_eq!(
        m.values_by_name("UnknownHeaderWithUnusualValue").next(),
        Some(";;,,;;,;")
    );
    let nf = m.values_by_name("newfangledheader").next().unwrap();
    assert!(nf.starts_with("newfangled value") && nf.ends_with("continued newfangled value"));
    let route = m.get::<Route>().unwrap().unwrap();
    assert!(sip(&route.uri).lr());
    let contact = m.contacts().next().unwrap();
    assert_eq!(
        contact.addr().unwrap().display.unwrap().text(),
        "Quoted string \"\""
    );
    assert_eq!(contact.q_milli(), Some(330));
    assert_eq!(
        contact.addr().unwrap().params.get("newparam"),
        Some(Some("newvalue"))
    );
    assert_eq!(m.body_bytes().len(), 150);
}

#[test]
fn intmeth_wide_range_of_valid_characters() {
    let m = strict("intmeth.dat").unwrap();
    let Some(Method::Extension(name)) = m.method() else {
        panic!("unknown method expected")
    };
    assert_eq!(&**name, "!interesting-Method0123456789_*+`.%indeed'~");
    assert_eq!(m.cseq().unwrap().method, m.method().unwrap().clone());
    // The To display name holds quoted-pair escapes, one of them an escaped NUL.
    let to = m.to_header().unwrap();
    let text = to.display.unwrap().text();
    assert!(text.contains('\0'), "escaped NUL kept: {text:?}");
    let ruri = sip(&m.request_uri().unwrap());
    assert_eq!(
        ruri.user,
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
    assert_eq!(
        ruri.password,
        Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
    );
    assert_eq!(ruri.host, Host::Name("example.com"));
}

#[test]
fn esc01_escapes_decoded_once() {
    let m = strict("esc01.dat").unwrap();
    let r = sip(&m.request_uri().unwrap());
    assert_eq!(&*r.user_unescaped().unwrap(), b"sips:user@example.com");
    let to = m.to_header().unwrap();
    assert_eq!(&*sip(&to.uri).user_unescaped().unwrap(), b"user");
    let from = m.from_header().unwrap();
    assert_eq!(&*sip(&from.uri).user_unescaped().unwrap(), b"I have spaces");
    let c = m.contacts().next().unwrap();
    let cu = sip(&c.addr().unwrap().uri);
    assert_eq!(&*cu.user_unescaped().unwrap(), b"caller");
    let (n, v) = cu
        .params
        .iter()
        .find(|(n, _)| unescape(n).as_ref() == b"name")
        .unwrap();
    assert_eq!(&*unescape(n), b"name");
    assert_eq!(
        &*unescape(v.unwrap()),
        b"value%41",
        "decoded once, not twice"
    );
    assert!(
        cu.params
            .iter()
            .any(|(n, v)| &*unescape(n) == b"lr" && v.is_none())
    );
}

#[test]
fn escnull_two_distinct_contacts() {
    let m = strict("escnull.dat").unwrap();
    let to = m.to_header().unwrap();
    assert_eq!(&*sip(&to.uri).user_unescaped().unwrap(), b"null-\0-null");
    let users: Vec<Vec<u8>> = m
        .contacts()
        .map(|c| {
            sip(&c.addr().unwrap().uri)
                .user_unescaped()
                .unwrap()
                .into_owned()
        })
        .collect();
    assert_eq!(users.len(), 2);
    assert_ne!(users[0], users[1]);
    assert!(users.iter().all(|u| u.contains(&0)));
}

#[test]
fn esc02_percent_that_is_not_an_escape() {
    let m = strict("esc02.dat").unwrap();
    assert_eq!(m.method(), Some(&Method::Extension("RE%47IST%45R".into())));
    assert_ne!(m.method(), Some(&Method::Register));
    let from = m.from_header().unwrap();
    assert_eq!(from.display.unwrap().text(), "%Z%45");
    assert_eq!(m.contacts().count(), 2);
}

#[test]
fn lwsdisp_no_lws_before_bracket() {
    let m = strict("lwsdisp.dat").unwrap();
    assert_eq!(m.from_header().unwrap().display.unwrap().text(), "caller");
}

#[test]
fn longreq_long_values() {
    let m = strict("longreq.dat").unwrap();
    assert_eq!(load("longreq.dat").len(), 3515);
    assert!(m.from_header().unwrap().tag().unwrap().len() > 100);
    assert!(m.to_header().unwrap().display.unwrap().text().len() > 100);
    assert!(m.call_id().unwrap().len() > 100);
    assert_eq!(m.get_all::<Via>().count(), 34, "sip33..sip1 and host");
}

#[test]
fn dblreq_trailing_octets_ignored() {
    let m = strict("dblreq.dat").unwrap();
    assert_eq!(m.method(), Some(&Method::Register));
    assert_eq!(m.body_bytes(), b"");
    assert!(m.as_bytes().len() < load("dblreq.dat").len());
    assert!(!m.as_bytes().windows(6).any(|w| w == b"INVITE"));
}

#[test]
fn semiuri_semicolon_in_user_part() {
    let m = strict("semiuri.dat").unwrap();
    let r = sip(&m.request_uri().unwrap());
    assert_eq!(&*r.user_unescaped().unwrap(), b"user;par=u@example.net");
    assert_eq!(r.host, Host::Name("example.com"));
}

#[test]
fn transports_varied_and_unknown() {
    let m = strict("transports.dat").unwrap();
    let t: Vec<&str> = m.get_all::<Via>().map(|v| v.unwrap().transport).collect();
    assert_eq!(t, ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
}

#[test]
fn mpart01_binary_multipart_body() {
    let m = strict("mpart01.dat").unwrap();
    let ct = m.get::<ContentType>().unwrap().unwrap();
    assert!(ct.0.matches("multipart", "mixed"));
    let body = m.body_bytes();
    assert_eq!(
        body.len(),
        m.get::<ContentLength>().unwrap().unwrap().0 as usize
    );
    assert!(body.contains(&0));
}

#[test]
fn unreason_and_noreason() {
    let m = strict("unreason.dat").unwrap();
    assert_eq!(m.status(), Some(200));
    assert!(!m.reason().unwrap().is_ascii());
    let m = strict("noreason.dat").unwrap();
    assert_eq!((m.status(), m.reason()), (Some(100), Some("")));
}

// 3.1.2 Invalid messages: rejected with an error that names what and where.

fn rejects(name: &str, expect: impl Fn(&ParseErrorKind) -> bool) -> ParseError {
    let e = strict(name).expect_err(name);
    assert!(expect(&e.kind), "{name}: unexpected error {e}");
    assert!(e.offset <= load(name).len(), "{name}: offset in range");
    e
}

fn bad_header(name: HeaderName) -> impl Fn(&ParseErrorKind) -> bool {
    move |k| matches!(k, ParseErrorKind::InvalidHeader { name: n, .. } if *n == name)
}

#[test]
fn invalid_messages_are_rejected() {
    let e = rejects("badinv01.dat", bad_header(HeaderName::Via));
    assert_eq!(&load("badinv01.dat")[e.offset - 1..e.offset + 2], b"5;;");
    rejects("clerr.dat", |k| {
        matches!(k, ParseErrorKind::BodyTooShort { declared: 9999, .. })
    });
    rejects("ncl.dat", bad_header(HeaderName::ContentLength));
    rejects("scalar02.dat", |k| {
        matches!(
            k,
            ParseErrorKind::InvalidHeader {
                name: HeaderName::CSeq | HeaderName::MaxForwards,
                kind: HeaderErrorKind::NumberTooLarge
            }
        )
    });
    rejects("scalarlg.dat", |k| {
        matches!(
            k,
            ParseErrorKind::InvalidHeader {
                kind: HeaderErrorKind::NumberTooLarge,
                ..
            }
        )
    });
    rejects("quotbal.dat", |k| {
        matches!(
            k,
            ParseErrorKind::InvalidHeader {
                name: HeaderName::To,
                kind: HeaderErrorKind::UnterminatedQuote
            }
        )
    });
    rejects("ltgtruri.dat", |k| {
        matches!(k, ParseErrorKind::InvalidRequestUri(_))
    });
    rejects("lwsruri.dat", |k| {
        matches!(k, ParseErrorKind::InvalidStartLine(_))
    });
    rejects("lwsstart.dat", |k| {
        matches!(k, ParseErrorKind::InvalidStartLine(_))
    });
    rejects("trws.dat", |k| {
        matches!(k, ParseErrorKind::InvalidStartLine(_))
    });
    rejects("escruri.dat", |k| *k == ParseErrorKind::RequestUriHeaders);
    rejects("baddate.dat", bad_header(HeaderName::Date));
    rejects("regbadct.dat", |k| {
        matches!(
            k,
            ParseErrorKind::InvalidHeader {
                name: HeaderName::Contact,
                kind: HeaderErrorKind::UnbracketedUri
            }
        )
    });
    rejects("badaspec.dat", bad_header(HeaderName::To));
    rejects("baddn.dat", |k| {
        matches!(
            k,
            ParseErrorKind::InvalidHeader {
                kind: HeaderErrorKind::InvalidDisplayName,
                ..
            }
        )
    });
    let e = rejects("badvers.dat", |k| *k == ParseErrorKind::UnsupportedVersion);
    assert_eq!(e.status_code(), 505);
    rejects("mismatch01.dat", |k| {
        *k == ParseErrorKind::CSeqMethodMismatch
    });
    rejects("mismatch02.dat", |k| {
        *k == ParseErrorKind::CSeqMethodMismatch
    });
    rejects("bigcode.dat", |k| *k == ParseErrorKind::InvalidStatusCode);
    rejects("test.dat", |k| {
        matches!(k, ParseErrorKind::InvalidStartLine(_))
    });
}

#[test]
fn baddate_only_matters_when_date_is_read() {
    // RFC 4475 3.1.2.12: an element to which Date does not matter may ignore it.
    let m = ok("baddate.dat");
    assert!(m.get::<Date>().unwrap().is_err());
}

// 3.2-3.4 Semantic cases: the parser exposes what the layer above needs.

#[test]
fn badbranch_exposes_missing_transaction_id() {
    let m = strict("badbranch.dat").unwrap();
    let v = m.top_via().unwrap();
    assert_eq!(v.branch(), Some("z9hG4bK"));
    assert!(!v.has_rfc3261_branch());
}

#[test]
fn insuf_and_multi01_fail_the_mandatory_check() {
    let m = ok("insuf.dat");
    assert!(matches!(
        m.check_mandatory().unwrap_err().kind,
        ParseErrorKind::MissingHeader(_)
    ));
    let m = ok("multi01.dat");
    assert!(matches!(
        m.check_mandatory().unwrap_err().kind,
        ParseErrorKind::DuplicateHeader(_)
    ));
}

#[test]
fn unknown_schemes_are_kept() {
    let m = strict("unkscm.dat").unwrap();
    assert!(matches!(m.request_uri().unwrap(), Uri::Other { .. }));
    let m = strict("novelsc.dat").unwrap();
    assert_eq!(m.request_uri().unwrap().scheme(), "soap.beep");
    let m = strict("unksm2.dat").unwrap();
    assert!(
        m.to_header().unwrap().uri.as_sip().is_none(),
        "registrar sees a non-SIP To"
    );
}

#[test]
fn bext01_requirements_exposed() {
    let m = strict("bext01.dat").unwrap();
    let req: Vec<&str> = m.get_all::<Require>().map(|r| r.unwrap().0).collect();
    assert!(!req.is_empty());
    assert!(m.get::<ProxyRequire>().is_some());
}

#[test]
fn invut_regaut01_sdp01_bcast_zeromf() {
    let m = strict("invut.dat").unwrap();
    assert!(
        !m.get::<ContentType>()
            .unwrap()
            .unwrap()
            .0
            .matches("application", "sdp")
    );
    let m = strict("regaut01.dat").unwrap();
    assert!(
        m.values(HeaderName::Authorization)
            .next()
            .unwrap()
            .starts_with("NoOneKnowsThisScheme")
    );
    let m = strict("sdp01.dat").unwrap();
    assert!(
        !m.get_all::<Accept>()
            .any(|a| a.unwrap().0.matches("application", "sdp"))
    );
    let m = strict("bcast.dat").unwrap();
    assert!(
        m.get_all::<Via>()
            .any(|v| v.unwrap().host == Host::V4("255.255.255.255".parse().unwrap()))
    );
    let m = strict("zeromf.dat").unwrap();
    assert_eq!(m.max_forwards(), Some(0));
}

#[test]
fn cparam_and_regescrt_contacts() {
    let m = strict("cparam01.dat").unwrap();
    let c = m.contacts().next().unwrap();
    assert!(
        c.addr().unwrap().params.has("unknownparam"),
        "contact-param"
    );
    let m = strict("cparam02.dat").unwrap();
    let c = m.contacts().next().unwrap();
    assert!(
        sip(&c.addr().unwrap().uri).params.has("unknownparam"),
        "URI parameter"
    );
    let m = strict("regescrt.dat").unwrap();
    let c = m.contacts().next().unwrap();
    assert!(sip(&c.addr().unwrap().uri).header("Route").is_some());
}

#[test]
fn inv2543_rfc2543_syntax() {
    let m = strict("inv2543.dat").unwrap();
    assert!(m.from_header().unwrap().tag().is_none());
    assert!(!m.top_via().unwrap().has_rfc3261_branch());
    assert!(m.max_forwards().is_none());
    assert!(
        !m.body_bytes().is_empty(),
        "body runs to the end of the datagram"
    );
}

#[test]
fn every_message_reprints_to_an_equal_message() {
    let dir = format!("{}/tests/rfc4475", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "dat") {
            continue;
        }
        if let Ok(m) = Message::parse(std::fs::read(&path).unwrap()) {
            let again = Message::parse(m.to_bytes())
                .unwrap_or_else(|e| panic!("{}: reprint fails: {e}", path.display()));
            assert_eq!(m, again, "{}", path.display());
            n += 1;
        }
    }
    assert!(n >= 30);
}
