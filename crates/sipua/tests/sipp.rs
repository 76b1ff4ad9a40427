//! `sipua` against sipp on loopback, with sipp's own scenarios from
//! `../shared/peers/sipp` (read at test time): digest registration checked
//! by sipp's `<verifyauth>`, and a complete call (INVITE, 100, 180, 200 with
//! SDP, ACK, BYE, 200). Each run is bounded (`-m 1`, timeouts) and uses its
//! own ports. Skips, saying why, when sipp or the scenarios are absent
//! (`scripts/test` installs Debian's `sip-tester`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

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

fn sipua(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sipua"))
        .args(args)
        .output()
        .expect("sipua runs");
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
    let (code, out) = sipua(&[
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
    ]);
    let sipp_code = uas.finish();
    assert_eq!(code, 0, "sipua output:\n{out}");
    assert!(
        out.contains("Registered { expires: 120"),
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
    let (code, out) = sipua(&[
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
    ]);
    let sipp_code = uas.finish();
    assert_eq!(code, 0, "sipua output:\n{out}");
    assert!(out.contains("state: Ringing"), "{out}");
    assert!(
        out.contains("codec: Pcmu"),
        "PCMU negotiated with sipp's answer:\n{out}"
    );
    assert!(out.contains("state: Connected"), "{out}");
    assert_eq!(
        sipp_code, 0,
        "sipp saw INVITE, ACK and BYE as its scenario expects"
    );
}
