//! `sipua demo` end to end: the binary runs two agents on loopback, and
//! must exit 0 with every check line saying ok, for each codec.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `sipua demo ARGS` with a time limit; returns (exit code, stdout).
fn demo(args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sipua"))
        .arg("demo")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sipua");
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > until {
            child.kill().ok();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn passes(codec: &str) {
    let (code, out) = demo(&["--codec", codec]);
    assert_eq!(code, 0, "sipua demo --codec {codec}:\n{out}");
    for check in [
        "check: tone 1000 Hz arrived at B",
        "check: DTMF from B arrived at A in order: sent \"159#\", received \"159#\": ok",
        "check: BYE clean (both calls ended 200, both RTP streams stopped): ok",
        "demo: all checks passed",
    ] {
        assert!(out.contains(check), "missing `{check}`:\n{out}");
    }
    assert!(
        out.lines()
            .filter(|l| l.starts_with("check:"))
            .all(|l| l.ends_with(": ok")),
        "{out}"
    );
    let name = match codec {
        "pcmu" => "Pcmu",
        "pcma" => "Pcma",
        "g722" => "G722",
        _ => "G729",
    };
    assert!(
        out.contains(&format!("negotiated {name} pt")),
        "the codec asked for is the one negotiated:\n{out}"
    );
}

#[test]
fn demo_pcmu() {
    passes("pcmu");
}

#[test]
fn demo_pcma() {
    passes("pcma");
}

#[test]
fn demo_g722() {
    passes("g722");
}

#[test]
fn demo_g729() {
    passes("g729");
}

#[test]
fn demo_rejects_an_unknown_codec_with_exit_2() {
    let (code, out) = demo(&["--codec", "opus"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("--codec opus"), "{out}");
}

#[test]
fn usage_errors_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_sipua"))
        .args(["register"])
        .output()
        .expect("run sipua");
    assert_eq!(
        out.status.code(),
        Some(2),
        "register without --servers/--user"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_sipua"))
        .args(["--no-such-option"])
        .output()
        .expect("run sipua");
    assert_eq!(out.status.code(), Some(2));
}
