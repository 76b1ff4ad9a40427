//! `sipua` against sipp on loopback, with sipp's own scenarios from
//! `../shared/peers/sipp` (read at test time): digest registration checked
//! by sipp's `<verifyauth>`, and a complete call (INVITE, 100, 180, 200 with
//! SDP, ACK, BYE, 200). Each run is bounded (`-m 1`, timeouts) and uses its
//! own ports. Skips, saying why, when sipp or the scenarios are absent
//! (`scripts/test` installs Debian's `sip-tester`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

fn have_sipp() -> bool {
    let ok = Command::new("sipp")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !ok {
        eprintln!(
            "SKIP: sipp is not installed (Debian package sip-tester; scripts/test installs it)"
        );
    }
    ok
}

/// Starts a sipp UAS that handles one call and exits.
fn sipp_uas(scenario: &Path, port: u16, extra: &[&str]) -> Child {
    let dir = std::env::temp_dir().join(format!("sipua-sipp-{port}"));
    let _ = std::fs::create_dir_all(&dir);
    Command::new("sipp")
        .current_dir(&dir)
        .arg("-sf")
        .arg(scenario)
        .args([
            "-i",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-m",
            "1",
            "-timeout",
            "20s",
            "-timeout_error",
            "-nostdin",
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sipp starts")
}

/// Waits for sipp to end (bounded) and returns its exit code.
fn finish(mut child: Child) -> i32 {
    let until = Instant::now() + Duration::from_secs(25);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code().unwrap_or(-1);
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            return -2;
        }
        std::thread::sleep(Duration::from_millis(50));
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
    let uas = sipp_uas(&sc, 5171, &[]);
    std::thread::sleep(Duration::from_millis(300));
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
    let sipp_code = finish(uas);
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
    let uas = sipp_uas(&sc, 5170, &["-mi", "127.0.0.1", "-mp", "16300"]);
    std::thread::sleep(Duration::from_millis(300));
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
    let sipp_code = finish(uas);
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
