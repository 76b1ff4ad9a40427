//! `sipua` against sipp on loopback, with sipp's own scenarios from
//! `../shared/peers/sipp` (read at test time): digest registration checked
//! by sipp's `<verifyauth>`, and a complete call (INVITE, 100, 180, 200 with
//! SDP, ACK, BYE, 200). Each run is bounded (`-m 1`, timeouts) and uses its
//! own ports. Skips, saying why, when sipp or the scenarios are absent
//! (`scripts/test` installs Debian's `sip-tester`).

mod common;

use std::path::{Path, PathBuf};

use common::{Sipp, have_sipp};

fn scenario(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/peers/sipp")
        .join(name);
    if p.is_file() {
        Some(p)
    } else {
        eprintln!(
            "SKIP: {} is absent; this test needs ../shared beside the repository",
            p.display()
        );
        None
    }
}

/// Runs sipua against the sipp on `peer`, its SIP captured on `lo` and
/// checked by tshark (issue 7 test 6).
fn sipua(args: &[&str], peer: u16) -> (i32, String) {
    let out = common::tshark::run_sipua_captured(args, &[peer]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn registers_with_digest_at_sipp() {
    let Some(sc) = scenario("uas_register_digest.xml") else {
        return;
    };
    if !have_sipp() {
        return;
    }
    let uas = Sipp::start(&sc, 5171, &[]);
    let (code, out) = sipua(
        &[
            "--local",
            "127.0.0.1:5162",
            "--servers",
            "mitel.test; 127.0.0.1:5171",
            "--user",
            "4107",
            "--password",
            "1234",
            "--timeout",
            "15",
            "register",
        ],
        5171,
    );
    let sipp_code = uas.finish();
    assert_eq!(code, 0, "sipua output:\n{out}");
    assert!(
        out.contains("for 120 s"),
        "the Contact expires sipp grants:\n{out}"
    );
    assert_eq!(
        sipp_code, 0,
        "sipp verified our digest and saw its scenario through"
    );
}

#[test]
fn calls_sipp_and_hangs_up() {
    let Some(sc) = scenario("uas_answer_sdp.xml") else {
        return;
    };
    if !have_sipp() {
        return;
    }
    let uas = Sipp::start(&sc, 5170, &["-mi", "127.0.0.1", "-mp", "16300"]);
    let (code, out) = sipua(
        &[
            "--local",
            "127.0.0.1:5163",
            "--servers",
            "mitel.test; 127.0.0.1:5170",
            "--user",
            "4107",
            "--timeout",
            "15",
            "call",
            "4108",
            "--hold-for",
            "1",
        ],
        5170,
    );
    let sipp_code = uas.finish();
    assert_eq!(code, 0, "sipua output:\n{out}");
    assert!(out.contains("call 1: ringing"), "{out}");
    assert!(
        out.contains("media PCMU (payload type 0)"),
        "PCMU negotiated with sipp's answer:\n{out}"
    );
    assert!(out.contains("call 1: connected"), "{out}");
    assert_eq!(
        sipp_code, 0,
        "sipp saw INVITE, ACK and BYE as its scenario expects"
    );
}

/// Issue 7 test 5, the answering UAS: a sipp scenario written for the
/// project checks our offer (PCMA and telephone-event listed) and answers
/// PCMA alone with telephone-event 101, echoing RTP. We must send PCMA,
/// and our RFC 4733 digits come back through the echo and are reported.
#[test]
fn calls_a_g711_uas_with_telephone_event_and_dtmf_comes_back_through_the_echo() {
    let sc =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/uas_g711_telephone_event.xml");
    if !have_sipp() {
        return;
    }
    let media = common::free_pair();
    let uas = Sipp::start(
        &sc,
        5172,
        &["-mi", "127.0.0.1", "-mp", &media.to_string(), "-rtp_echo"],
    );
    let ours = common::free_pair().to_string();
    let out = common::tshark::run_sipua_captured(
        &[
            "--local",
            "127.0.0.1:5165",
            // The outbound-proxy form: an address alone; the
            // domain comes from the target URI.
            "--server",
            "127.0.0.1:5172",
            "--user",
            "4107",
            "--codecs",
            "pcmu=1,pcma=2",
            "--media-port",
            &ours,
            "--events",
            "json",
            "--timeout",
            "15",
            "call",
            "sip:4108@mitel.test",
            "--hold-for",
            "3",
            "--dtmf",
            "159#",
        ],
        &[5172],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let ctx = format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let sipp_code = uas.finish();
    assert_eq!(out.status.code(), Some(0), "{ctx}");
    assert_eq!(
        sipp_code, 0,
        "sipp checked the offer and saw ACK and BYE: {ctx}"
    );
    let ev = common::events(&stdout);
    assert!(
        ev.iter()
            .any(|v| v["event"] == "media" && v["codec"] == "PCMA" && v["payload_type"] == 8),
        "the answered codec is used: {ctx}"
    );
    let digits: String = ev
        .iter()
        .filter(|v| v["event"] == "dtmf_received")
        .filter_map(|v| v["digit"].as_str().map(str::to_string))
        .collect();
    assert_eq!(digits, "159#", "{ctx}");
    let stats = ev
        .iter()
        .rfind(|v| v["event"] == "call_stats")
        .unwrap_or_else(|| panic!("call_stats: {ctx}"));
    assert!(
        stats["packets_received"].as_u64().unwrap_or(0) > 50,
        "{stats}"
    );
}
