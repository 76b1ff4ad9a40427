//! `sipua` against linphone 5.1 (linphone-daemon) through Kamailio (issue 7,
//! tests 3, 4 and 6), on loopback only.
//!
//! Kamailio is registrar and proxy (the `../shared/peers/kamailio`
//! configuration on its own port); linphone-daemon (the
//! `../shared/peers/linphone` recipe on its own ports) is extension 4109
//! and answers at once; with no sound card it sends audio only while a WAV
//! file is played into the call (here a 600 Hz tone); its log holds oRTP's
//! RTP statistics and the DTMF it received. sipua is 4107.
//!
//! - sipua calls linphone, plays a 1 kHz tone and sends DTMF 123: linphone
//!   counts our packets and received 1, 2, 3; sipua's recording holds
//!   linphone's 600 Hz and its statistics count linphone's packets;
//!   sipua's BYE gets its 200.
//! - linphone calls sipua (`answer`), which answers; linphone plays its
//!   tone and sends DTMF 4 and 5, which sipua reports as `dtmf_received`;
//!   linphone counts our packets; linphone hangs up.
//!
//! Each call is captured on `lo` (dumpcap, filtered on the test's SIP
//! ports) and every SIP message sipua sent (its own `--trace`) must be in
//! the capture, and decoded by tshark with no malformed frame and no
//! expert info of warning or error severity.
//!
//! Skips, saying why, when kamailio, linphone-daemon, tshark or
//! `../shared` is absent (`scripts/test` installs the Debian packages).
//! The two tests run one after the other (each starts its own Kamailio
//! and linphone).

mod common;

use common::interop::{
    PeerFixture, Sipua, dtmf_digits, final_stats, has, one_at_a_time, sipua_args, tone_shares,
    wait_until, write_tone,
};
use common::linphone::{self, Linphone};
use common::tshark;

use std::time::Duration;

type Fixture = PeerFixture<Linphone>;

/// Kamailio, linphone as 4109, sipua's ports and the capture ([`PeerFixture`]).
fn fixture(name: &str) -> Option<Fixture> {
    PeerFixture::start(
        name,
        linphone::recipe(),
        linphone::RTP_PORTS,
        |rc, kport| {
            let l = Linphone::start(rc, "4109", kport);
            let sip_port = l.sip_port;
            (l, sip_port)
        },
    )
}

const STREAMS_RUNNING: &str = "LinphoneCallStreamsRunning";
const RTP_STATISTICS: &str = "AUDIO SESSION'S RTP STATISTICS";

/// sipua (4107) calls linphone through Kamailio with `codecs` (its default
/// priorities when `None`), plays 1 kHz and sends `dtmf`; linphone plays
/// 600 Hz. The call must use `codec` with payload type `pt`, linphone must
/// count our packets and receive the digits, our recording must hold its
/// 600 Hz, and sipua's SIP must be clean in tshark with its BYE answered.
fn sipua_calls_linphone(
    name: &str,
    codecs: Option<&str>,
    (codec, pt): (&str, u8),
    dtmf: Option<&str>,
) {
    let _serial = one_at_a_time();
    let Some(Fixture {
        dir,
        k,
        peer: l,
        kport,
        port,
        media,
        mut cap,
    }) = fixture(name)
    else {
        return;
    };

    let tone = dir.join("tone1k.wav");
    write_tone(&tone, 1000.0, 6);
    let theirs = dir.join("tone600.wav");
    write_tone(&theirs, 600.0, 20); // longer than the call (see common::linphone)
    let heard = dir.join("heard.wav");
    let trace = dir.join("sipua.pcap");
    let mut args = sipua_args(port, kport, "4107", media, &trace, 20);
    if let Some(c) = codecs {
        args.extend(["--codecs", c].map(String::from));
    }
    let (tone, heard_path) = (tone.to_str().unwrap(), heard.to_str().unwrap());
    args.extend(
        [
            "call",
            "4109",
            "--hold-for",
            "4",
            "--play",
            tone,
            "--record",
            heard_path,
        ]
        .map(String::from),
    );
    if let Some(d) = dtmf {
        args.extend(["--dtmf", d].map(String::from));
    }
    let mut ua = Sipua::spawn(&dir, "caller", &args);
    assert!(
        l.wait_log(10, STREAMS_RUNNING, 1),
        "linphone answers: {:?}\nlinphone:\n{}",
        ua.events(),
        l.log()
    );
    l.command(&format!("incall-player-start {}", theirs.display()));
    let (code, ev, out) = ua.finish(30);
    assert_eq!(code, 0, "{out}\nkamailio:\n{}", k.log());
    assert!(has(&ev, "call_state", "state", "connected"), "{out}");
    assert!(
        ev.iter()
            .any(|v| v["event"] == "media" && v["codec"] == codec && v["payload_type"] == pt),
        "{codec} (payload type {pt}) negotiated: {out}"
    );
    assert!(has(&ev, "call_state", "state", "terminated"), "{out}");

    assert!(
        l.wait_log(5, RTP_STATISTICS, 1),
        "linphone's RTP statistics:\n{}",
        l.log()
    );
    let l_received = l.rtp_received().expect("linphone's received packets");
    let (sent, received) = final_stats(&ev).expect("final call_stats");
    let digits = l.dtmf_received();
    let (our_600, our_off, our_secs) = tone_shares(&heard, 600.0, 1000.0);
    eprintln!(
        "sipua -> linphone in {codec}: sipua sent {sent} RTP packets, received {received}; \
         linphone received {l_received}; linphone's DTMF {digits:?}; \
         sipua recorded {our_secs:.1} s, 600 Hz share {our_600:.3} (1 kHz {our_off:.3})"
    );
    assert!(l_received > 50, "linphone received {l_received} packets");
    assert!(received > 50, "sipua received {received} packets");
    assert_eq!(
        digits,
        dtmf.unwrap_or(""),
        "the RFC 4733 events linphone received"
    );
    assert!(
        our_600 > 0.3 && our_off < 0.02,
        "sipua's recording is linphone's 600 Hz: share {our_600}, 1 kHz {our_off}"
    );

    drop(l);
    let (wire, summary) = tshark::assert_sipua_messages_clean(&mut cap, &trace, port);
    eprintln!("{summary}");
    assert_eq!(
        wire.clean_bye(port),
        Some("sent"),
        "sipua's BYE and its 200 on the wire: {:#?}",
        wire.messages
    );
    drop(k);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sipua_calls_linphone_audio_both_ways_dtmf_and_bye() {
    sipua_calls_linphone("linphone-out", None, ("PCMU", 0), Some("123"));
}

/// G.729 against a third-party codec: sipua offers G.729 alone, linphone
/// (whose mediastreamer2 uses bcg729) answers it; linphone's 600 Hz tone,
/// encoded by bcg729, must come out of our G.729 decoder.
#[test]
fn sipua_calls_linphone_in_g729_and_decodes_its_tone() {
    sipua_calls_linphone("linphone-g729", Some("g729=1"), ("G729", 18), None);
}

#[test]
fn linphone_calls_sipua_which_answers_and_reports_its_dtmf() {
    let _serial = one_at_a_time();
    let Some(Fixture {
        dir,
        k,
        peer: l,
        kport,
        port,
        media,
        mut cap,
    }) = fixture("linphone-in")
    else {
        return;
    };

    let tone = dir.join("tone1k.wav");
    write_tone(&tone, 1000.0, 8);
    let theirs = dir.join("tone600.wav");
    write_tone(&theirs, 600.0, 20); // longer than the call (see common::linphone)
    let heard = dir.join("heard.wav");
    let trace = dir.join("sipua.pcap");
    let mut args = sipua_args(port, kport, "4107", media, &trace, 25);
    args.extend(
        [
            "answer",
            "--play",
            tone.to_str().unwrap(),
            "--record",
            heard.to_str().unwrap(),
        ]
        .map(String::from),
    );
    let mut ua = Sipua::spawn(&dir, "answerer", &args);
    assert!(
        ua.wait_event(10, "registered", "", ""),
        "sipua registers: {:?}",
        ua.events()
    );
    l.command("call sip:4107@mitel.test");
    assert!(
        ua.wait_event(10, "rtp_started", "", "") && l.wait_log(10, STREAMS_RUNNING, 1),
        "sipua answers: {:?}\nlinphone:\n{}",
        ua.events(),
        l.log()
    );
    l.command(&format!("incall-player-start {}", theirs.display()));
    // Some audio first, then two digits, each let to finish.
    std::thread::sleep(Duration::from_millis(1000));
    for d in ["4", "5"] {
        l.command(&format!("dtmf {d}"));
        std::thread::sleep(Duration::from_millis(600));
    }
    wait_until(5, || dtmf_digits(&ua.events()).len() >= 2);
    std::thread::sleep(Duration::from_millis(500));
    l.command("terminate");
    let (code, ev, out) = ua.finish(15);
    assert_eq!(code, 0, "{out}\nlinphone:\n{}", l.log());
    assert!(
        has(&ev, "incoming_call", "from", "sip:4109@mitel.test"),
        "{out}"
    );
    assert!(has(&ev, "call_state", "state", "connected"), "{out}");
    assert!(has(&ev, "call_state", "state", "terminated"), "{out}");

    assert!(
        l.wait_log(5, RTP_STATISTICS, 1),
        "linphone's RTP statistics:\n{}",
        l.log()
    );
    let l_received = l.rtp_received().expect("linphone's received packets");
    let (sent, received) = final_stats(&ev).expect("final call_stats");
    let digits = dtmf_digits(&ev);
    let (our_600, our_off, our_secs) = tone_shares(&heard, 600.0, 1000.0);
    eprintln!(
        "linphone -> sipua: sipua sent {sent} RTP packets, received {received}; \
         linphone received {l_received}; sipua's dtmf_received {digits:?}; \
         sipua recorded {our_secs:.1} s, 600 Hz share {our_600:.3} (1 kHz {our_off:.3})"
    );
    assert_eq!(digits, "45", "sipua's dtmf_received events: {out}");
    assert!(l_received > 50, "linphone received {l_received} packets");
    assert!(received > 50, "sipua received {received} packets");
    assert!(
        our_600 > 0.3 && our_off < 0.02,
        "sipua's recording is linphone's 600 Hz: share {our_600}, 1 kHz {our_off}"
    );

    drop(l);
    let (wire, summary) = tshark::assert_sipua_messages_clean(&mut cap, &trace, port);
    eprintln!("{summary}");
    assert_eq!(
        wire.clean_bye(port),
        Some("received"),
        "linphone's BYE reached sipua and sipua's 200 went back: {:#?}",
        wire.messages
    );
    drop(k);
    std::fs::remove_dir_all(&dir).ok();
}
