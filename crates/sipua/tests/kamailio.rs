//! `sipua` against Kamailio as registrar and proxy with digest auth (issue 7,
//! test 1), on loopback only.
//!
//! Kamailio runs with the interop configuration of
//! `../shared/peers/kamailio` (users 4107, 4108, 4109 with password 1234,
//! realm `mitel.test`, MD5 with qop=auth), copied into a temporary
//! directory with its own port so it cannot clash with anything else on
//! the machine, and its log is read to count the REGISTERs it saw. The test
//! starts and stops it; a guard kills it even when an assertion fails.
//! Skips, saying why, when kamailio or `../shared` is absent
//! (`scripts/test` installs Debian's `kamailio`).

mod common;

use common::kamailio::{Kamailio, have_kamailio, recipe};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn sipua(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sipua"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sipua starts");
    let until = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > until {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn registers_with_digest_and_a_wrong_password_fails_cleanly() {
    let (Some(recipe), true) = (recipe(), have_kamailio()) else {
        return;
    };
    let port = 25060;
    let k = Kamailio::start(&recipe, port, &[]);
    let server = format!("mitel.test; 127.0.0.1:{port}");

    let ok = sipua(&[
        "--local",
        "127.0.0.1:25062",
        "--servers",
        &server,
        "--user",
        "4107",
        "--password",
        "1234",
        "--timeout",
        "10",
        "register",
    ]);
    let out = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "stdout:\n{out}\nstderr:\n{}\nkamailio:\n{}",
        String::from_utf8_lossy(&ok.stderr),
        k.log()
    );
    assert!(out.to_lowercase().contains("registered"), "{out}");
    assert_eq!(
        k.registers_from("4107"),
        2,
        "one challenged, one with credentials"
    );

    let bad = sipua(&[
        "--local",
        "127.0.0.1:25064",
        "--servers",
        &server,
        "--user",
        "4108",
        "--password",
        "wrong",
        "--timeout",
        "10",
        "register",
    ]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(
        bad.status.code(),
        Some(3),
        "registration failure exits 3; stderr:\n{err}\nstdout:\n{}",
        String::from_utf8_lossy(&bad.stdout)
    );
    assert!(err.contains("registration failed"), "{err}");
    assert!(err.contains("401"), "{err}");
    let sent = k.registers_from("4108");
    assert!(
        (1..=2).contains(&sent),
        "at most two REGISTERs for a wrong password, saw {sent}"
    );
}
