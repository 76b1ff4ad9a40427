//! Parsing and printing (RFC 8866): every line type, leniency, strict errors.

use bytes::Bytes;
use sdp::{Direction, ParseErrorReason, SessionDescription, TypedAttribute};

/// Every line type, session and media level, IPv6, multicast, port/count.
const FULL: &str = "v=0\r\n\
o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\n\
s=Call to John Smith\r\n\
i=SDP Offer #1\r\n\
u=http://www.jdoe.example.com/home.html\r\n\
e=Jane Doe <jane@jdoe.example.com>\r\n\
p=+1 617 555-6011\r\n\
c=IN IP4 198.51.100.1\r\n\
b=CT:128\r\n\
t=3724394400 3724398000\r\n\
r=604800 3600 0 90000\r\n\
r=7d 1h 0 25h\r\n\
t=0 0\r\n\
z=2882844526 -1h 2898848070 0\r\n\
k=prompt\r\n\
a=recvonly\r\n\
a=x-unknown:keep me\r\n\
a=tool:tester\r\n\
m=audio 49170 RTP/AVP 0 8 101\r\n\
i=voice\r\n\
c=IN IP6 2001:db8::1\r\n\
b=AS:64\r\n\
k=clear:secret\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=zzz\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-15,16\r\n\
a=ptime:20\r\n\
a=maxptime:40\r\n\
a=sendonly\r\n\
a=rtcp:53020 IN IP6 2001:db8::1\r\n\
a=rtcp-mux\r\n\
a=ssrc:314159 cname:user@example.com\r\n\
a=mid:audio1\r\n\
a=aaa:1\r\n\
m=video 51372/2 RTP/AVP 99\r\n\
c=IN IP4 233.252.0.1/127/3\r\n\
c=IN IP4 233.252.0.10/127\r\n\
a=rtpmap:99 h263-1998/90000\r\n";

#[test]
fn every_line_type() {
    let d = SessionDescription::parse(FULL).unwrap();
    assert_eq!(d.version(), 0);
    let o = d.origin();
    assert_eq!(
        (
            o.username,
            o.session_id,
            o.session_version,
            o.net_type,
            o.addr_type,
            o.address
        ),
        (
            "jdoe",
            "3724394400",
            "3724394405",
            "IN",
            "IP4",
            "198.51.100.1"
        )
    );
    assert_eq!(o.session_version_u64(), Some(3724394405));
    assert_eq!(d.session_name(), "Call to John Smith");
    assert_eq!(d.information(), Some("SDP Offer #1"));
    assert_eq!(d.uri(), Some("http://www.jdoe.example.com/home.html"));
    assert_eq!(
        d.emails().collect::<Vec<_>>(),
        ["Jane Doe <jane@jdoe.example.com>"]
    );
    assert_eq!(d.phones().collect::<Vec<_>>(), ["+1 617 555-6011"]);
    let c = d.connection().unwrap();
    assert_eq!(c.ip(), Some("198.51.100.1".parse().unwrap()));
    let b: Vec<_> = d.bandwidths().map(|b| (b.bw_type, b.value)).collect();
    assert_eq!(b, [("CT", 128)]);
    let t: Vec<_> = d.timings().collect();
    assert_eq!(t.len(), 2);
    assert_eq!((t[0].start(), t[0].stop()), (3724394400, 3724398000));
    assert_eq!(
        t[0].repeats().collect::<Vec<_>>(),
        ["604800 3600 0 90000", "7d 1h 0 25h"]
    );
    assert_eq!(t[1].repeats().count(), 0);
    assert_eq!(d.zone(), Some("2882844526 -1h 2898848070 0"));
    assert_eq!(d.key(), Some("prompt"));
    // unknown attributes kept, in order
    let names: Vec<_> = d.attributes().map(|a| a.name()).collect();
    assert_eq!(names, ["recvonly", "x-unknown", "tool"]);
    assert_eq!(d.attributes().nth(1).unwrap().value(), Some("keep me"));
    assert_eq!(d.direction(), Some(Direction::RecvOnly));

    assert_eq!(d.media_count(), 2);
    let a = d.media_at(0).unwrap();
    assert_eq!(
        (a.media_type(), a.port(), a.port_count(), a.proto()),
        ("audio", 49170, None, "RTP/AVP")
    );
    assert_eq!(a.formats().collect::<Vec<_>>(), ["0", "8", "101"]);
    assert_eq!(a.payload_types().collect::<Vec<_>>(), [0, 8, 101]);
    assert_eq!(a.information(), Some("voice"));
    let ac = a.connection().unwrap();
    assert_eq!(
        (ac.addr_type, ac.ip()),
        ("IP6", Some("2001:db8::1".parse().unwrap()))
    );
    assert_eq!(a.bandwidths().next().unwrap().value, 64);
    assert_eq!(a.key(), Some("clear:secret"));
    let names: Vec<_> = a.attributes().map(|a| a.name()).collect();
    assert_eq!(
        names,
        [
            "rtpmap", "zzz", "rtpmap", "fmtp", "ptime", "maxptime", "sendonly", "rtcp", "rtcp-mux",
            "ssrc", "mid", "aaa"
        ]
    );
    assert_eq!(a.rtpmap(101).unwrap().encoding, "telephone-event");
    let ev = a.fmtp("101").unwrap().telephone_events().unwrap();
    assert_eq!(ev.ranges(), &[(0, 16)]);
    assert_eq!(a.ptime(), Some(20));
    assert_eq!(
        a.direction(),
        Direction::SendOnly,
        "media level wins over session level"
    );
    assert!(a.rtcp_mux());
    assert_eq!(a.rtcp_port(), Some(53020));
    assert_eq!(a.mid(), Some("audio1"));
    let typed: Vec<_> = a.attributes().map(|x| x.typed()).collect();
    assert!(matches!(typed[5], TypedAttribute::Maxptime(40)));
    assert!(
        matches!(typed[9], TypedAttribute::Ssrc(s) if s.ssrc == 314159 && s.attribute == "cname")
    );
    assert!(matches!(
        typed[1],
        TypedAttribute::Other {
            name: "zzz",
            value: None
        }
    ));

    let v = d.media_at(1).unwrap();
    assert_eq!((v.port(), v.port_count()), (51372, Some(2)));
    let cs: Vec<_> = v.connections().map(|c| (c.address, c.host())).collect();
    assert_eq!(
        cs,
        [
            ("233.252.0.1/127/3", "233.252.0.1"),
            ("233.252.0.10/127", "233.252.0.10")
        ]
    );
    assert_eq!(v.direction(), Direction::RecvOnly, "session level applies");
    assert_eq!(v.ptime(), None);
}

#[test]
fn prints_canonical_text_and_round_trips() {
    let d = SessionDescription::parse(FULL).unwrap();
    assert_eq!(
        d.to_string(),
        FULL,
        "already canonical input prints unchanged"
    );
    let again = SessionDescription::parse(d.to_bytes()).unwrap();
    assert_eq!(again, d);
}

#[test]
fn zero_copy_slices_share_the_buffer() {
    let buf = Bytes::from(FULL.as_bytes().to_vec());
    let d = SessionDescription::parse(buf.clone()).unwrap();
    let name = d.media_at(0).unwrap().rtpmap(0).unwrap().encoding;
    let slice = d.slice(name).unwrap();
    assert_eq!(&slice[..], b"PCMU");
    assert_eq!(name.as_ptr(), buf[FULL.find("PCMU").unwrap()..].as_ptr());
    assert!(
        d.slice("PCMU").is_none(),
        "a string from elsewhere is not a slice"
    );
}

#[test]
fn lenient_with_sloppy_peers() {
    // bare LF, trailing spaces and tabs, blank lines, double spaces, no s=, no t=
    let text = "v=0\no=-  1 2 IN IP4 10.0.0.1 \t\nc=IN IP4 10.0.0.1  \n\nm=audio  4000 RTP/AVP 0   8\na=rtpmap:0 PCMU/8000   \n";
    let d = SessionDescription::parse(text).unwrap();
    assert_eq!(d.session_name(), "-");
    assert_eq!(d.origin().session_version, "2");
    let m = d.media_at(0).unwrap();
    assert_eq!(m.port(), 4000);
    assert_eq!(m.formats().collect::<Vec<_>>(), ["0", "8"]);
    assert_eq!(m.rtpmap(0).unwrap().clock_rate, 8000);
    assert_eq!(
        d.to_string(),
        "v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
         m=audio 4000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n"
    );
    // equal to its canonical form
    assert_eq!(SessionDescription::parse(d.to_bytes()).unwrap(), d);
    // session-level lines out of order are accepted
    let d = SessionDescription::parse(
        "v=0\r\na=sendonly\r\nt=0 0\r\ns=x\r\nc=IN IP4 1.2.3.4\r\no=- 1 1 IN IP4 1.2.3.4\r\n",
    )
    .unwrap();
    assert_eq!(d.session_name(), "x");
    assert!(
        d.to_string()
            .starts_with("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=x\r\nc=")
    );
    // Cisco: o= without numbers
    let d =
        SessionDescription::parse("v=0\r\no=Cisco-SIPUA (null) (null) IN IP4 1.2.3.4\r\ns=-\r\n")
            .unwrap();
    assert_eq!(
        (d.origin().session_id, d.origin().session_id_u64()),
        ("(null)", None)
    );
    // Cisco: c= after the m= line
    let d = SessionDescription::parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\n").unwrap();
    assert_eq!(
        d.media_at(0).unwrap().connection().unwrap().host(),
        "1.2.3.4"
    );
}

fn error_of(text: &str) -> (usize, ParseErrorReason) {
    let e = SessionDescription::parse(text.to_owned()).unwrap_err();
    (e.line, e.reason)
}

#[test]
fn strict_errors_say_line_and_reason() {
    use ParseErrorReason as R;
    let head = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n";
    assert_eq!(error_of(""), (1, R::MissingVersion));
    assert_eq!(
        error_of("o=- 1 1 IN IP4 1.2.3.4\r\n"),
        (1, R::MissingVersion)
    );
    assert_eq!(error_of("v=0\r\ns=-\r\n"), (0, R::MissingOrigin));
    assert_eq!(error_of("v=x\r\n").0, 1);
    assert_eq!(
        error_of(&format!("{head}garbage\r\n")),
        (5, R::NotATypeLine)
    );
    assert_eq!(
        error_of(&format!("{head}x=1\r\n")),
        (5, R::UnknownType('x'))
    );
    assert_eq!(
        error_of(&format!("{head}s=again\r\n")),
        (5, R::Duplicate('s'))
    );
    assert_eq!(
        error_of(&format!("{head}o=- 1 1 IN IP4 1.2.3.4\r\n")),
        (5, R::Duplicate('o'))
    );
    assert_eq!(
        error_of(&format!("{head}m=audio 1 RTP/AVP 0\r\nt=0 0\r\n")),
        (6, R::Misplaced('t'))
    );
    assert_eq!(error_of("v=0\r\nr=1 2 3\r\n"), (2, R::Misplaced('r')));
    assert!(matches!(
        error_of("v=0\r\no=- 1 IN IP4 1.2.3.4\r\n"),
        (2, R::Field { line_type: 'o', .. })
    ));
    assert!(matches!(
        error_of(&format!("{head}c=IN IP4\r\n")),
        (5, R::Field { line_type: 'c', .. })
    ));
    assert!(matches!(
        error_of(&format!("{head}b=AS\r\n")),
        (5, R::Field { line_type: 'b', .. })
    ));
    assert!(matches!(
        error_of(&format!("{head}t=now 0\r\n")),
        (5, R::Field { line_type: 't', .. })
    ));
    assert!(matches!(
        error_of(&format!("{head}m=audio 70000 RTP/AVP 0\r\n")),
        (5, R::Field { line_type: 'm', .. })
    ));
    assert!(matches!(
        error_of(&format!("{head}m=audio 7/x RTP/AVP 0\r\n")),
        (5, R::Field { line_type: 'm', .. })
    ));
    assert!(matches!(
        error_of(&format!("{head}m=audio\r\n")),
        (5, R::Field { line_type: 'm', .. })
    ));
    assert!(matches!(
        error_of(&format!("{head}m=audio 1 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n")),
        (6, R::Attribute(_))
    ));
    assert!(matches!(
        error_of(&format!("{head}a=ptime:fast\r\n")),
        (5, R::Attribute(_))
    ));
    assert!(matches!(
        error_of(&format!("{head}a=:x\r\n")),
        (5, R::Field { line_type: 'a', .. })
    ));
    for (line, reason) in [
        ("b=AS 64:1", "space in bandwidth type"),
        ("b= AS:64", "space in bandwidth type"),
        ("b=A\tS:64", "space in bandwidth type"),
        ("b=AS 64", "expected `<bwtype>:<bandwidth>`"),
        ("b=:64", "expected `<bwtype>:<bandwidth>`"),
        ("b=AS64", "expected `<bwtype>:<bandwidth>`"),
        ("b=AS:", "bandwidth must be a decimal number"),
        ("b=AS:6 4", "bandwidth must be a decimal number"),
    ] {
        let e = SessionDescription::parse(format!("{head}{line}\r\n")).unwrap_err();
        assert_eq!(
            (e.line, e.reason),
            (
                5,
                R::Field {
                    line_type: 'b',
                    reason
                }
            ),
            "{line}"
        );
    }
    let e = SessionDescription::parse(Bytes::from_static(b"v=0\r\no=\xff\r\n")).unwrap_err();
    assert_eq!((e.line, e.reason.clone()), (2, R::NotUtf8));
    assert_eq!(e.to_string(), "SDP line 2: not valid UTF-8");
    // A text that parses line by line but is not UTF-8 (checked after the
    // lines) still names the line.
    let mut bad = format!("{head}m=audio 1 RTP/AVP 0\r\na=x:").into_bytes();
    bad.extend_from_slice(b"\xc3(\r\na=y\r\n");
    let e = SessionDescription::parse(bad).unwrap_err();
    assert_eq!((e.line, e.reason.clone()), (6, R::NotUtf8));
    // UTF-8 beyond ASCII is kept and read back as written.
    let sdp: SessionDescription =
        format!("{head}a=tool:caf\u{e9} \u{20ac}\r\nm=audio 1 RTP/AVP 0\r\n")
            .parse()
            .unwrap();
    assert_eq!(
        sdp.attributes().next().and_then(|a| a.value()),
        Some("caf\u{e9} \u{20ac}")
    );
    assert_eq!(sdp.media().next().map(|m| m.proto()), Some("RTP/AVP"));
    let e = SessionDescription::parse(format!("{head}x=1\r\n")).unwrap_err();
    assert_eq!(e.to_string(), "SDP line 5: unknown line type `x`");
}

#[test]
fn equality_and_hash_follow_content_not_layout() {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};
    let a = SessionDescription::parse("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\n").unwrap();
    let b =
        SessionDescription::parse("v=0\r\no=-   1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n").unwrap();
    let c = SessionDescription::parse("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n").unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let h = |d: &SessionDescription| {
        let mut s = DefaultHasher::new();
        d.hash(&mut s);
        s.finish()
    };
    assert_eq!(h(&a), h(&b));
    assert!(format!("{a:?}").contains("o=- 1 1 IN IP4 1.2.3.4"));
}

#[test]
fn payload_types_are_the_numeric_formats_below_128() {
    let d = SessionDescription::parse(
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n\
         m=audio 1 RTP/AVP 0 08\t0000000101 00000000101 128 x 12a 127 -1 +5 255 99999999999\r\n",
    )
    .unwrap();
    let m = d.media_at(0).unwrap();
    assert_eq!(m.payload_types().collect::<Vec<_>>(), [0, 8, 101, 127]);
    assert_eq!(m.formats().count(), 12);
}

#[test]
fn attribute_names_with_white_space_are_rejected_with_their_line() {
    let head = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\n";
    for bad in [
        "a=rtp map:0 PCMU/8000",
        "a=abcdefgh ijk:l",
        "a=abc\tdefghij:k",
        "a=x y",
        "a=abcdefghij k",
        "a=send recv",
        "a=:x",
    ] {
        let (line, reason) = error_of(&format!("{head}{bad}\r\n"));
        assert_eq!(line, 6, "{bad}");
        assert!(
            matches!(reason, ParseErrorReason::Field { line_type: 'a', .. }),
            "{bad}: {reason:?}"
        );
    }
    // White space after the name's colon belongs to the value.
    assert!(SessionDescription::parse(format!("{head}a=x-y:a b\r\na=tool: t 1\r\n")).is_ok());
}

/// The `c=` and `b=` lines share one vector: each section keeps its own,
/// in order, also when a `c=` line follows a `b=` line of its section, and
/// a bandwidth beyond 32 bits reads back whole.
#[test]
fn connection_and_bandwidth_lines_stay_in_their_sections() {
    let text = "v=0\r\n\
o=- 1 1 IN IP4 192.0.2.1\r\n\
s=-\r\n\
c=IN IP4 192.0.2.1\r\n\
b=AS:18446744073709551615\r\n\
b=CT:4294967296\r\n\
t=0 0\r\n\
m=audio 4000 RTP/AVP 0\r\n\
b=AS:64\r\n\
c=IN IP4 192.0.2.2\r\n\
b=TIAS:64000\r\n\
c=IN IP4 192.0.2.3\r\n\
m=audio 4002 RTP/AVP 0\r\n\
m=video 4004 RTP/AVP 99\r\n\
c=IN IP6 2001:db8::1\r\n\
b=AS:5000000000\r\n";
    let d = SessionDescription::parse(Bytes::from(text)).unwrap();
    let bws = |b: Vec<sdp::Bandwidth<'_>>| {
        b.iter()
            .map(|b| (b.bw_type.to_owned(), b.value))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        bws(d.bandwidths().collect()),
        [("AS".to_owned(), u64::MAX), ("CT".to_owned(), 1 << 32)]
    );
    let m0 = d.media_at(0).unwrap();
    let addrs: Vec<_> = m0.connections().map(|c| c.address).collect();
    assert_eq!(addrs, ["192.0.2.2", "192.0.2.3"]);
    assert_eq!(m0.connections().len(), 2);
    assert_eq!(
        bws(m0.bandwidths().collect()),
        [("AS".to_owned(), 64), ("TIAS".to_owned(), 64000)]
    );
    assert_eq!(m0.connection().unwrap().address, "192.0.2.2");
    let m1 = d.media_at(1).unwrap();
    assert_eq!(m1.connections().len(), 0);
    assert_eq!(m1.bandwidths().len(), 0);
    assert_eq!(m1.connection().unwrap().address, "192.0.2.1");
    let m2 = d.media_at(2).unwrap();
    let addrs: Vec<_> = m2.connections().map(|c| c.address).collect();
    assert_eq!(addrs, ["2001:db8::1"]);
    assert_eq!(
        bws(m2.bandwidths().collect()),
        [("AS".to_owned(), 5_000_000_000)]
    );
    // Printed in canonical order (c= before b=), and read back the same.
    let printed = d.to_string();
    assert!(printed.contains(
        "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.2\r\nc=IN IP4 192.0.2.3\r\nb=AS:64\r\nb=TIAS:64000\r\n"
    ));
    let again = SessionDescription::parse(Bytes::from(printed.clone())).unwrap();
    assert_eq!(again.to_string(), printed);
}

#[test]
fn rtpmap_and_fmtp_values_with_white_space_at_the_line_end() {
    // The line loop trims every line's end, so the typed readers do not
    // trim the value again; the result must equal reading the bare value.
    for tail in ["", " ", "\t", " \t ", "\r", " \r", "\t\r"] {
        let text = format!(
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 5 RTP/AVP 96 0\r\n\
             a=rtpmap:96 opus/48000/2{tail}\r\na=fmtp:96 stereo=1; x=2{tail}\r\n\
             a=rtpmap:0 PCMU/8000{tail}\n"
        );
        let d = SessionDescription::parse(Bytes::from(text)).unwrap();
        let m = d.media_at(0).unwrap();
        let typed: Vec<_> = m.attributes().map(|a| a.typed()).collect();
        let bare = [
            ("rtpmap", "96 opus/48000/2"),
            ("fmtp", "96 stereo=1; x=2"),
            ("rtpmap", "0 PCMU/8000"),
        ];
        for (got, (name, value)) in typed.iter().zip(bare) {
            assert_eq!(
                Ok(*got),
                TypedAttribute::parse(name, Some(value)),
                "{tail:?}"
            );
        }
        assert_eq!(m.rtpmap(96).unwrap().params, Some("2"), "{tail:?}");
        assert_eq!(m.fmtp("96").unwrap().params, "stereo=1; x=2", "{tail:?}");
        assert_eq!(m.rtpmap(0).unwrap().params, None, "{tail:?}");
        assert_eq!(typed.len(), 3);
    }
}
