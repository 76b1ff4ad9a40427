//! Property tests: `parse(print(s)) == s`, the parser reads back exactly the
//! fields a generated description holds, and no input panics.

use proptest::prelude::*;
use sdp::SessionDescription;

#[derive(Clone, Debug)]
struct MediaModel {
    media: String,
    port: u16,
    count: Option<u16>,
    proto: String,
    formats: Vec<String>,
    info: Option<String>,
    conns: Vec<(String, String, String)>,
    bws: Vec<(String, u64)>,
    key: Option<String>,
    attrs: Vec<(String, Option<String>)>,
}

#[derive(Clone, Debug)]
struct Model {
    version: u32,
    origin: [String; 6],
    name: String,
    info: Option<String>,
    uri: Option<String>,
    emails: Vec<String>,
    phones: Vec<String>,
    conn: Option<(String, String, String)>,
    bws: Vec<(String, u64)>,
    timings: Vec<(u64, u64, Vec<String>)>,
    zone: Option<String>,
    key: Option<String>,
    attrs: Vec<(String, Option<String>)>,
    media: Vec<MediaModel>,
}

fn token() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9./+_-]{1,8}"
}

/// Free text: no line ends, no trailing white space, may be empty, may be UTF-8.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[a-zA-Z0-9 :/=é€ü-]{0,10}[a-z0-9é]"]
}

fn digits() -> impl Strategy<Value = String> {
    "[0-9]{1,20}"
}

fn conn() -> impl Strategy<Value = (String, String, String)> {
    (
        Just("IN".to_owned()),
        prop_oneof![Just("IP4".to_owned()), Just("IP6".to_owned())],
        prop_oneof![
            "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
            "2001:db8::[0-9a-f]{1,4}",
            "[a-z]{1,6}\\.example\\.com",
            "233\\.252\\.0\\.[0-9]{1,2}/127(/[1-3])?",
        ],
    )
}

fn attr() -> impl Strategy<Value = (String, Option<String>)> {
    prop_oneof![
        ("x-[a-z0-9-]{1,6}", proptest::option::of(text())),
        (0u8..128, "[A-Za-z0-9-]{1,10}", 1u32..100_000)
            .prop_map(|(pt, n, c)| ("rtpmap".to_owned(), Some(format!("{pt} {n}/{c}")))),
        (0u8..128, "[a-z0-9=;,-]{0,12}").prop_map(|(pt, p)| (
            "fmtp".to_owned(),
            Some(if p.is_empty() {
                pt.to_string()
            } else {
                format!("{pt} {p}")
            })
        )),
        (1u32..1000).prop_map(|p| ("ptime".to_owned(), Some(p.to_string()))),
        (1u32..1000).prop_map(|p| ("maxptime".to_owned(), Some(p.to_string()))),
        prop_oneof![
            Just("sendrecv"),
            Just("sendonly"),
            Just("recvonly"),
            Just("inactive"),
            Just("rtcp-mux")
        ]
        .prop_map(|n| (n.to_owned(), None)),
        (any::<u16>()).prop_map(|p| ("rtcp".to_owned(), Some(p.to_string()))),
        (any::<u32>(), "[a-z]{1,5}")
            .prop_map(|(s, a)| ("ssrc".to_owned(), Some(format!("{s} {a}:v")))),
        token().prop_map(|m| ("mid".to_owned(), Some(m))),
    ]
}

fn media() -> impl Strategy<Value = MediaModel> {
    (
        (
            prop_oneof![Just("audio".to_owned()), Just("video".to_owned()), token()],
            any::<u16>(),
            proptest::option::of(1u16..10),
            prop_oneof![Just("RTP/AVP".to_owned()), token()],
            proptest::collection::vec(token(), 0..5),
        ),
        (
            proptest::option::of(text()),
            proptest::collection::vec(conn(), 0..3),
            proptest::collection::vec((token(), any::<u64>()), 0..2),
            proptest::option::of(text()),
            proptest::collection::vec(attr(), 0..8),
        ),
    )
        .prop_map(
            |((media, port, count, proto, formats), (info, conns, bws, key, attrs))| MediaModel {
                media,
                port,
                count,
                proto,
                formats,
                info,
                conns,
                bws,
                key,
                attrs,
            },
        )
}

fn model() -> impl Strategy<Value = Model> {
    (
        (
            0u32..3,
            (token(), digits(), digits(), token(), token(), token()),
            text(),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::collection::vec(text(), 0..2),
            proptest::collection::vec(text(), 0..2),
        ),
        (
            proptest::option::of(conn()),
            proptest::collection::vec((token(), any::<u64>()), 0..2),
            proptest::collection::vec(
                (
                    any::<u64>(),
                    any::<u64>(),
                    proptest::collection::vec(text(), 0..2),
                ),
                1..3,
            ),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::collection::vec(attr(), 0..5),
            proptest::collection::vec(media(), 0..4),
        ),
    )
        .prop_map(
            |(
                (version, o, name, info, uri, emails, phones),
                (conn, bws, timings, zone, key, attrs, media),
            )| Model {
                version,
                origin: [o.0, o.1, o.2, o.3, o.4, o.5],
                name,
                info,
                uri,
                emails,
                phones,
                conn,
                bws,
                timings,
                zone,
                key,
                attrs,
                media,
            },
        )
}

fn render(m: &Model) -> String {
    let mut s = format!(
        "v={}\r\no={}\r\ns={}\r\n",
        m.version,
        m.origin.join(" "),
        m.name
    );
    let line = |s: &mut String, t: char, v: &str| {
        s.push(t);
        s.push('=');
        s.push_str(v);
        s.push_str("\r\n");
    };
    let attr = |s: &mut String, (n, v): &(String, Option<String>)| match v {
        Some(v) => line(s, 'a', &format!("{n}:{v}")),
        None => line(s, 'a', n),
    };
    if let Some(i) = &m.info {
        line(&mut s, 'i', i);
    }
    if let Some(u) = &m.uri {
        line(&mut s, 'u', u);
    }
    m.emails.iter().for_each(|e| line(&mut s, 'e', e));
    m.phones.iter().for_each(|p| line(&mut s, 'p', p));
    if let Some((n, a, c)) = &m.conn {
        line(&mut s, 'c', &format!("{n} {a} {c}"));
    }
    m.bws
        .iter()
        .for_each(|(t, v)| line(&mut s, 'b', &format!("{t}:{v}")));
    for (a, b, rs) in &m.timings {
        line(&mut s, 't', &format!("{a} {b}"));
        rs.iter().for_each(|r| line(&mut s, 'r', r));
    }
    if let Some(z) = &m.zone {
        line(&mut s, 'z', z);
    }
    if let Some(k) = &m.key {
        line(&mut s, 'k', k);
    }
    m.attrs.iter().for_each(|a| attr(&mut s, a));
    for md in &m.media {
        let mut ml = format!("{} {}", md.media, md.port);
        if let Some(c) = md.count {
            ml.push_str(&format!("/{c}"));
        }
        ml.push(' ');
        ml.push_str(&md.proto);
        for f in &md.formats {
            ml.push(' ');
            ml.push_str(f);
        }
        line(&mut s, 'm', &ml);
        if let Some(i) = &md.info {
            line(&mut s, 'i', i);
        }
        for (n, a, c) in &md.conns {
            line(&mut s, 'c', &format!("{n} {a} {c}"));
        }
        md.bws
            .iter()
            .for_each(|(t, v)| line(&mut s, 'b', &format!("{t}:{v}")));
        if let Some(k) = &md.key {
            line(&mut s, 'k', k);
        }
        md.attrs.iter().for_each(|a| attr(&mut s, a));
    }
    s
}

fn attrs_of<'a>(it: impl Iterator<Item = sdp::Attribute<'a>>) -> Vec<(String, Option<String>)> {
    it.map(|a| (a.name().to_owned(), a.value().map(str::to_owned)))
        .collect()
}

fn conns_of<'a>(it: impl Iterator<Item = sdp::Connection<'a>>) -> Vec<(String, String, String)> {
    it.map(|c| {
        (
            c.net_type.to_owned(),
            c.addr_type.to_owned(),
            c.address.to_owned(),
        )
    })
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The parser reads back every generated field; printing gives the
    /// canonical text back; `parse(print(s)) == s`.
    #[test]
    fn parse_print_round_trip(m in model()) {
        let text = render(&m);
        let d = SessionDescription::parse(text.clone()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(d.version(), m.version);
        let o = d.origin();
        prop_assert_eq!([o.username, o.session_id, o.session_version, o.net_type, o.addr_type, o.address].map(str::to_owned), m.origin.clone());
        prop_assert_eq!(d.session_name(), m.name.as_str());
        prop_assert_eq!(d.information(), m.info.as_deref());
        prop_assert_eq!(d.uri(), m.uri.as_deref());
        prop_assert_eq!(d.emails().collect::<Vec<_>>(), m.emails.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(d.phones().collect::<Vec<_>>(), m.phones.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(conns_of(d.connection().into_iter()), m.conn.clone().into_iter().collect::<Vec<_>>());
        prop_assert_eq!(d.bandwidths().map(|b| (b.bw_type.to_owned(), b.value)).collect::<Vec<_>>(), m.bws.clone());
        let t: Vec<_> = d.timings().map(|t| (t.start(), t.stop(), t.repeats().map(str::to_owned).collect::<Vec<_>>())).collect();
        prop_assert_eq!(t, m.timings.clone());
        prop_assert_eq!(d.zone(), m.zone.as_deref());
        prop_assert_eq!(d.key(), m.key.as_deref());
        prop_assert_eq!(attrs_of(d.attributes()), m.attrs.clone());
        prop_assert_eq!(d.media_count(), m.media.len());
        for (dm, mm) in d.media().zip(&m.media) {
            prop_assert_eq!(dm.media_type(), mm.media.as_str());
            prop_assert_eq!(dm.port(), mm.port);
            prop_assert_eq!(dm.port_count(), mm.count);
            prop_assert_eq!(dm.proto(), mm.proto.as_str());
            prop_assert_eq!(dm.formats().map(str::to_owned).collect::<Vec<_>>(), mm.formats.clone());
            prop_assert_eq!(dm.information(), mm.info.as_deref());
            prop_assert_eq!(conns_of(dm.connections()), mm.conns.clone());
            prop_assert_eq!(dm.bandwidths().map(|b| (b.bw_type.to_owned(), b.value)).collect::<Vec<_>>(), mm.bws.clone());
            prop_assert_eq!(dm.key(), mm.key.as_deref());
            prop_assert_eq!(attrs_of(dm.attributes()), mm.attrs.clone());
            for a in dm.attributes() {
                prop_assert_eq!(sdp::TypedAttribute::parse(a.name(), a.value()), Ok(a.typed()));
            }
        }
        let printed = d.to_string();
        prop_assert_eq!(&printed, &text);
        let again = SessionDescription::parse(printed).unwrap();
        prop_assert_eq!(again, d);
    }

    /// Arbitrary bytes never panic; whatever parses round-trips.
    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(d) = SessionDescription::parse(data) {
            let again = SessionDescription::parse(d.to_bytes()).unwrap();
            prop_assert_eq!(&again, &d);
            prop_assert_eq!(again.to_string(), d.to_string());
        }
    }

    /// SDP-shaped noise (valid head plus random lines) never panics and round-trips.
    #[test]
    fn sdp_shaped_noise(lines in proptest::collection::vec(
        (prop_oneof![Just('a'), Just('m'), Just('c'), Just('b'), Just('t'), Just('r'), Just('i'), Just('k'), Just('s'), Just('z')],
         "[ -~\t]{0,30}"), 0..12),
        lf in any::<bool>())
    {
        let eol = if lf { "\n" } else { "\r\n" };
        let mut s = format!("v=0{eol}o=- 1 1 IN IP4 1.2.3.4{eol}");
        for (t, v) in lines {
            s.push(t);
            s.push('=');
            s.push_str(&v);
            s.push_str(eol);
        }
        match SessionDescription::parse(s.clone()) {
            Ok(d) => {
                let again = SessionDescription::parse(d.to_bytes()).map_err(|e| TestCaseError::fail(format!("{e}\n{s:?}\n{d}")))?;
                prop_assert_eq!(again, d);
            }
            Err(e) => prop_assert!(e.line >= 1 && e.line <= s.lines().count() + 1, "{e}"),
        }
    }
}
