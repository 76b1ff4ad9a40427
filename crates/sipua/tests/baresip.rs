//! `sipua` against baresip 1.0 through Kamailio (issue 7, tests 3, 4 and 6),
//! on loopback only.
//!
//! Kamailio is registrar and proxy (the `../shared/peers/kamailio`
//! configuration on its own port); baresip (the `../shared/peers/baresip`
//! recipe on its own ports) is extension 4108 and answers at once, sends a
//! 440 Hz sine, dumps what it decodes to a WAV file and logs its RTP
//! statistics and the RFC 4733 events it receives; sipua is 4107.
//!
//! - sipua calls baresip, plays a 1 kHz tone and sends DTMF 123: baresip's
//!   decoded audio holds 1 kHz, its statistics count our packets, it
//!   received 1, 2, 3; sipua's recording holds baresip's 440 Hz and its
//!   statistics count baresip's packets; sipua's BYE gets its 200.
//! - baresip calls sipua (`answer`), which answers; baresip sends DTMF 4
//!   and 5, which sipua reports as `dtmf_received`; audio both ways as
//!   above; baresip hangs up.
//!
//! Each call is captured on `lo` (dumpcap, filtered on the test's SIP
//! ports) and every SIP message sipua sent (its own `--trace`) must be in
//! the capture, and decoded by tshark with no malformed frame and no
//! expert info of warning or error severity.
//!
//! Skips, saying why, when kamailio, baresip, tshark or `../shared` is
//! absent (`scripts/test` installs the Debian packages). The two tests run
//! one after the other (each starts its own Kamailio and baresip).

mod common;

use common::baresip::{self, Baresip};
use common::interop::{
    PeerFixture, Sipua, dtmf_digits, has, one_at_a_time, sipua_args, tone_shares, wait_until,
    write_tone,
};
use common::tshark;

use std::time::Duration;

type Fixture = PeerFixture<Baresip>;

/// Kamailio, baresip as 4108, sipua's ports and the capture ([`PeerFixture`]).
fn fixture(name: &str) -> Option<Fixture> {
    PeerFixture::start(
        name,
        baresip::recipe(),
        baresip::RTP_PORTS,
        |conf, kport| {
            let b = Baresip::start(conf, "4108", kport);
            let sip_port = b.sip_port;
            (b, sip_port)
        },
    )
}

/// sipua (4107) calls baresip through Kamailio with `codecs` (its default
/// priorities when `None`), plays 1 kHz and sends `dtmf`; the call must
/// use `codec` with payload type `pt`, baresip's decoder must hear our
/// 1 kHz, our recording (at `rate` Hz) its 440 Hz, and sipua's SIP must be
/// clean in tshark with its BYE answered.
fn sipua_calls_baresip(
    name: &str,
    codecs: Option<&str>,
    (codec, pt, rate): (&str, u8, u32),
    dtmf: Option<&str>,
) {
    let _serial = one_at_a_time();
    let Some(Fixture {
        dir,
        k,
        peer: b,
        kport,
        port,
        media,
        mut cap,
    }) = fixture(name)
    else {
        return;
    };

    let tone = dir.join("tone1k.wav");
    write_tone(&tone, 1000.0, 5);
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
            "4108",
            "--hold-for",
            "3",
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
    let (code, ev, out) = Sipua::spawn(&dir, "caller", &args).finish(30);
    assert_eq!(code, 0, "{out}\nkamailio:\n{}", k.log());
    assert!(has(&ev, "call_state", "state", "connected"), "{out}");
    assert!(
        ev.iter()
            .any(|v| v["event"] == "media" && v["codec"] == codec && v["payload_type"] == pt),
        "{codec} (payload type {pt}) negotiated: {out}"
    );
    assert!(has(&ev, "call_state", "state", "terminated"), "{out}");

    // baresip prints its RTP statistics when the call has ended.
    assert!(
        b.wait_log(5, "packets:"),
        "baresip's RTP statistics:\n{}",
        b.log()
    );
    let (b_sent, b_received) = b.rtp_packets().expect("baresip's packet counts");
    let (sent, received) = common::interop::final_stats(&ev).expect("final call_stats");
    let digits = b.dtmf_received();
    let decoded = b.decoded_wavs();
    assert_eq!(decoded.len(), 1, "one decoded-audio dump: {decoded:?}");
    let (b_1k, b_off, b_secs) = tone_shares(&decoded[0], 1000.0, 1500.0);
    let (our_440, our_off, our_secs) = tone_shares(&heard, 440.0, 1000.0);
    let our_rate = hound::WavReader::open(&heard)
        .expect("recording")
        .spec()
        .sample_rate;
    eprintln!(
        "sipua -> baresip in {codec}: sipua sent {sent} RTP packets, received {received}; \
         baresip sent {b_sent}, received {b_received}; baresip's DTMF {digits:?}; \
         baresip decoded {b_secs:.1} s, 1 kHz share {b_1k:.3} (1.5 kHz {b_off:.3}); \
         sipua recorded {our_secs:.1} s at {our_rate} Hz, 440 Hz share {our_440:.3} \
         (1 kHz {our_off:.3})"
    );
    assert!(b_received > 50, "baresip received {b_received} packets");
    assert!(received > 50, "sipua received {received} packets");
    assert_eq!(
        digits,
        dtmf.unwrap_or(""),
        "the RFC 4733 events baresip received"
    );
    assert_eq!(our_rate, rate, "{codec} audio rate");
    assert!(
        b_1k > 0.3 && b_off < 0.02,
        "baresip's decoded audio is our 1 kHz tone: share {b_1k}, 1.5 kHz {b_off}"
    );
    assert!(
        our_440 > 0.3 && our_off < 0.02,
        "sipua's recording is baresip's 440 Hz: share {our_440}, 1 kHz {our_off}"
    );

    drop(b);
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
fn sipua_calls_baresip_audio_both_ways_dtmf_and_bye() {
    sipua_calls_baresip("baresip-out", None, ("PCMU", 0, 8000), Some("123"));
}

/// G.722 against a third-party codec: sipua offers G.722 alone (RTP clock
/// 8000 Hz, audio 16 kHz), baresip answers it; each decodes the other.
#[test]
fn sipua_calls_baresip_in_g722_and_each_decodes_the_other() {
    sipua_calls_baresip("baresip-g722", Some("g722=1"), ("G722", 9, 16000), None);
}

#[test]
fn baresip_calls_sipua_which_answers_and_reports_its_dtmf() {
    let _serial = one_at_a_time();
    let Some(Fixture {
        dir,
        k,
        peer: b,
        kport,
        port,
        media,
        mut cap,
    }) = fixture("baresip-in")
    else {
        return;
    };

    let tone = dir.join("tone1k.wav");
    write_tone(&tone, 1000.0, 8);
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
    let (ok, data) = b.command("dial", "sip:4107@mitel.test");
    assert!(ok, "baresip dial: {data}");
    assert!(
        ua.wait_event(10, "rtp_started", "", ""),
        "sipua answers: {:?}\nbaresip:\n{}",
        ua.events(),
        b.log()
    );
    // Some audio first, then two digits, each let to finish.
    std::thread::sleep(Duration::from_millis(1000));
    for d in ["4", "5"] {
        let (ok, data) = b.command("sndcode", d);
        assert!(ok, "baresip sndcode {d}: {data}");
        std::thread::sleep(Duration::from_millis(600));
    }
    wait_until(5, || dtmf_digits(&ua.events()).len() >= 2);
    std::thread::sleep(Duration::from_millis(500));
    let (ok, data) = b.command("hangup", "");
    assert!(ok, "baresip hangup: {data}");
    let (code, ev, out) = ua.finish(15);
    assert_eq!(code, 0, "{out}\nbaresip:\n{}", b.log());
    assert!(
        has(&ev, "incoming_call", "from", "sip:4108@mitel.test"),
        "{out}"
    );
    assert!(has(&ev, "call_state", "state", "connected"), "{out}");
    assert!(has(&ev, "call_state", "state", "terminated"), "{out}");

    assert!(
        b.wait_log(5, "packets:"),
        "baresip's RTP statistics:\n{}",
        b.log()
    );
    let (b_sent, b_received) = b.rtp_packets().expect("baresip's packet counts");
    let (sent, received) = common::interop::final_stats(&ev).expect("final call_stats");
    let digits = dtmf_digits(&ev);
    let decoded = b.decoded_wavs();
    assert_eq!(decoded.len(), 1, "one decoded-audio dump: {decoded:?}");
    let (b_1k, b_off, b_secs) = tone_shares(&decoded[0], 1000.0, 1500.0);
    let (our_440, our_off, our_secs) = tone_shares(&heard, 440.0, 1000.0);
    eprintln!(
        "baresip -> sipua: sipua sent {sent} RTP packets, received {received}; \
         baresip sent {b_sent}, received {b_received}; sipua's dtmf_received {digits:?}; \
         baresip decoded {b_secs:.1} s, 1 kHz share {b_1k:.3} (1.5 kHz {b_off:.3}); \
         sipua recorded {our_secs:.1} s, 440 Hz share {our_440:.3} (1 kHz {our_off:.3})"
    );
    assert_eq!(digits, "45", "sipua's dtmf_received events: {out}");
    assert!(b_received > 50, "baresip received {b_received} packets");
    assert!(received > 50, "sipua received {received} packets");
    assert!(
        b_1k > 0.3 && b_off < 0.02,
        "baresip's decoded audio is our 1 kHz tone: share {b_1k}, 1.5 kHz {b_off}"
    );
    assert!(
        our_440 > 0.3 && our_off < 0.02,
        "sipua's recording is baresip's 440 Hz: share {our_440}, 1 kHz {our_off}"
    );

    drop(b);
    let (wire, summary) = tshark::assert_sipua_messages_clean(&mut cap, &trace, port);
    eprintln!("{summary}");
    assert_eq!(
        wire.clean_bye(port),
        Some("received"),
        "baresip's BYE reached sipua and sipua's 200 went back: {:#?}",
        wire.messages
    );
    drop(k);
    std::fs::remove_dir_all(&dir).ok();
}
