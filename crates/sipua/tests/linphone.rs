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
    Sipua, dtmf_digits, final_stats, free_pair_outside, free_port_udp_tcp, sipua_args, test_dir,
    tone_shares, wait_until, write_tone,
};
use common::kamailio::{self, Kamailio};
use common::linphone::{self, Linphone};
use common::tshark::{self, Capture};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// The Kamailio recipe and the linphonerc, when everything needed is here.
fn recipes() -> Option<(PathBuf, PathBuf)> {
    let k = kamailio::recipe()?;
    let l = linphone::recipe()?;
    (kamailio::have_kamailio() && tshark::have_tshark()).then_some((k, l))
}

/// What every test here starts from: Kamailio on a free port, linphone as
/// 4109 registered there, a free SIP port and RTP pair for sipua, and a
/// capture of the three SIP ports on `lo`; `None` (the test skips) when a
/// peer is missing.
struct Fixture {
    dir: PathBuf,
    k: Kamailio,
    l: Linphone,
    kport: u16,
    port: u16,
    media: u16,
    cap: Capture,
}

fn fixture(name: &str) -> Option<Fixture> {
    let (krecipe, rc) = recipes()?;
    let dir = test_dir(name);
    let kport = free_port_udp_tcp();
    let k = Kamailio::start(&krecipe, kport, &[]);
    let l = Linphone::start(&rc, "4109", kport);
    let (port, media) = (
        free_port_udp_tcp(),
        free_pair_outside(&[linphone::RTP_PORTS]),
    );
    let cap = Capture::start(&dir, &[kport, l.sip_port, port]);
    Some(Fixture {
        dir,
        k,
        l,
        kport,
        port,
        media,
        cap,
    })
}

fn has(ev: &[serde_json::Value], name: &str, key: &str, val: &str) -> bool {
    ev.iter()
        .any(|v| v["event"] == name && (key.is_empty() || v[key] == val))
}

const STREAMS_RUNNING: &str = "LinphoneCallStreamsRunning";
const RTP_STATISTICS: &str = "AUDIO SESSION'S RTP STATISTICS";

#[test]
fn sipua_calls_linphone_audio_both_ways_dtmf_and_bye() {
    let _serial = one_at_a_time();
    let Some(Fixture {
        dir,
        k,
        l,
        kport,
        port,
        media,
        mut cap,
    }) = fixture("linphone-out")
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
    args.extend(
        [
            "call",
            "4109",
            "--hold-for",
            "4",
            "--play",
            tone.to_str().unwrap(),
            "--record",
            heard.to_str().unwrap(),
            "--dtmf",
            "123",
        ]
        .map(String::from),
    );
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
    assert!(has(&ev, "media", "codec", "PCMU"), "{out}");
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
        "sipua -> linphone: sipua sent {sent} RTP packets, received {received}; \
         linphone received {l_received}; linphone's DTMF {digits:?}; \
         sipua recorded {our_secs:.1} s, 600 Hz share {our_600:.3} (1 kHz {our_off:.3})"
    );
    assert!(l_received > 50, "linphone received {l_received} packets");
    assert!(received > 50, "sipua received {received} packets");
    assert_eq!(digits, "123", "the RFC 4733 events linphone received");
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
fn linphone_calls_sipua_which_answers_and_reports_its_dtmf() {
    let _serial = one_at_a_time();
    let Some(Fixture {
        dir,
        k,
        l,
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

/// G.729 against a third-party codec: sipua offers G.729 alone, linphone
/// (whose mediastreamer2 uses bcg729) answers it; linphone's 600 Hz tone,
/// encoded by bcg729, must come out of our G.729 decoder in sipua's
/// recording, and linphone must count our G.729 packets.
#[test]
fn sipua_calls_linphone_in_g729_and_decodes_its_tone() {
    let _serial = one_at_a_time();
    let Some(Fixture {
        dir,
        k,
        l,
        kport,
        port,
        media,
        mut cap,
    }) = fixture("linphone-g729")
    else {
        return;
    };
    let tone = dir.join("tone1k.wav");
    write_tone(&tone, 1000.0, 6);
    let theirs = dir.join("tone600.wav");
    write_tone(&theirs, 600.0, 20);
    let heard = dir.join("heard.wav");
    let trace = dir.join("sipua.pcap");
    let mut args = sipua_args(port, kport, "4107", media, &trace, 20);
    args.extend(
        [
            "--codecs",
            "g729=1",
            "call",
            "4109",
            "--hold-for",
            "4",
            "--play",
            tone.to_str().unwrap(),
            "--record",
            heard.to_str().unwrap(),
        ]
        .map(String::from),
    );
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
    assert!(
        ev.iter()
            .any(|v| v["event"] == "media" && v["codec"] == "G729" && v["payload_type"] == 18),
        "G.729 negotiated: {out}"
    );
    assert!(
        l.wait_log(5, RTP_STATISTICS, 1),
        "linphone's RTP statistics:\n{}",
        l.log()
    );
    let l_received = l.rtp_received().expect("linphone's received packets");
    let (sent, received) = final_stats(&ev).expect("final call_stats");
    let (our_600, our_off, our_secs) = tone_shares(&heard, 600.0, 1000.0);
    eprintln!(
        "sipua -> linphone in G.729: sipua sent {sent} RTP packets, received {received}; \
         linphone received {l_received}; sipua recorded {our_secs:.1} s, \
         600 Hz share {our_600:.3} (1 kHz {our_off:.3})"
    );
    assert!(l_received > 50, "linphone received {l_received} packets");
    assert!(received > 50, "sipua received {received} packets");
    assert!(
        our_600 > 0.3 && our_off < 0.02,
        "our G.729 decoder gives linphone's 600 Hz: share {our_600}, 1 kHz {our_off}"
    );
    drop(l);
    let (_, summary) = tshark::assert_sipua_messages_clean(&mut cap, &trace, port);
    eprintln!("{summary}");
    drop(k);
    std::fs::remove_dir_all(&dir).ok();
}
