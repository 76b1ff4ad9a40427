//! `sipua` against Kamailio as registrar and proxy with digest auth, on
//! loopback only (issue 7): registration and a wrong password (test 1);
//! two `sipua` registering and calling each other with a tone that must
//! arrive in PCMU, PCMA, G.722 and G.729, hanging up from either side
//! (test 2); the same registration and call over TCP (test 7) and TLS.
//! Over UDP and TCP every SIP message both phones send is captured on `lo`
//! and decoded by tshark with no malformed frame or expert warning (test 6).
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

use common::interop::{has, tone_shares, write_tone};
use common::kamailio::{Kamailio, KamailioTls, have_kamailio, recipe};
use common::tshark::{self, Capture};
use common::{events, free_pair, free_port, wait};
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

    let ok = tshark::run_sipua_captured(
        &[
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
        ],
        &[port],
    );
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

    let bad = tshark::run_sipua_captured(
        &[
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
        ],
        &[port],
    );
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

/// One call through Kamailio: 4108 answers (registering first), 4107 calls
/// it playing a tone; `callee_hangs_up` chooses who sends the BYE. Checks
/// the exit codes, that each side connected with the codec and ended, the
/// tone and (UDP, TCP) the capture; returns Kamailio's location table
/// while B was registered.
fn call_through(
    k: &Kamailio,
    transport: &str,
    codec: &str,
    callee_hangs_up: bool,
    extra: &[String],
) -> String {
    let dir = std::env::temp_dir().join(format!(
        "sipua-kam-{}-{transport}-{codec}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let (tone, heard) = (dir.join("tone.wav"), dir.join("heard.wav"));
    write_tone(&tone, 1000.0, 2);
    let _ = std::fs::remove_file(&heard);
    let port = match transport {
        "tls" => k.tls_port().expect("Kamailio with TLS"),
        _ => k.port(),
    };
    let server = format!("mitel.test; 127.0.0.1:{port}");
    let codecs = format!("{codec}=1");
    let common = |port: u16, media: u16, user: &str| -> Vec<String> {
        [
            "--local",
            &format!("127.0.0.1:{port}"),
            "--servers",
            &server,
            "--transport",
            transport,
            "--user",
            user,
            "--password",
            "1234",
            "--codecs",
            &codecs,
            "--media-port",
            &media.to_string(),
            "--events",
            "json",
            "--timeout",
            "20",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(extra.iter().cloned())
        .collect()
    };
    let (a_port, b_port) = (free_port(), free_port());
    // Over UDP and TCP every SIP message both phones send is captured on
    // `lo` and must decode cleanly in tshark (issue 7 test 6), when tshark
    // is here (TLS is encrypted on the wire: not decodable).
    let mut capture = (transport != "tls" && tshark::have_tshark())
        .then(|| Capture::start(&dir, &[port, a_port, b_port]));
    let b_trace = dir.join("callee.pcap");
    let mut b_args = common(b_port, free_pair(), "4108");
    b_args.extend(["--trace", b_trace.to_str().expect("utf-8")].map(String::from));
    b_args.extend(
        [
            "answer",
            "--auto",
            "--record",
            heard.to_str().expect("utf-8"),
        ]
        .map(String::from),
    );
    if callee_hangs_up {
        b_args.extend(["--hangup-after", "2"].map(String::from));
    }
    let b = Command::new(env!("CARGO_BIN_EXE_sipua"))
        .args(&b_args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sipua B");
    // B is reachable once Kamailio holds its binding.
    let until = Instant::now() + Duration::from_secs(10);
    while !k.has_binding("4108") {
        assert!(
            Instant::now() < until,
            "4108 never registered:\n{}",
            k.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let bound = k.bindings();
    let trace = dir.join("caller.pcap");
    let mut a_args = common(a_port, free_pair(), "4107");
    a_args.extend(["--trace", trace.to_str().expect("utf-8")].map(String::from));
    let hold = if callee_hangs_up { "10" } else { "2" };
    a_args.extend(
        [
            "call",
            "4108",
            "--hold-for",
            hold,
            "--play",
            tone.to_str().expect("utf-8"),
        ]
        .map(String::from),
    );
    let a = Command::new(env!("CARGO_BIN_EXE_sipua"))
        .args(&a_args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sipua A");
    let (code_a, out_a, err_a) = wait(a, 25);
    let (code_b, out_b, err_b) = wait(b, 15);
    let ctx = format!(
        "{transport} {codec}\ncaller:\n{out_a}\n{err_a}\nanswerer:\n{out_b}\n{err_b}\nkamailio:\n{}",
        k.log()
    );
    assert_eq!((code_a, code_b), (0, 0), "{ctx}");
    let (ea, eb) = (events(&out_a), events(&out_b));
    let name = match codec {
        "pcmu" => "PCMU",
        "pcma" => "PCMA",
        "g722" => "G722",
        _ => "G729",
    };
    for ev in [&ea, &eb] {
        assert!(has(ev, "call_state", "state", "connected"), "{ctx}");
        assert!(has(ev, "media", "codec", name), "{name} negotiated: {ctx}");
        assert!(has(ev, "call_state", "state", "terminated"), "{ctx}");
    }
    assert!(has(&eb, "registered", "", ""), "B registered first: {ctx}");
    // The caller's own trace, read back by `sipua parse` (UDP datagrams,
    // or the TCP stream framed again): every message passes the lint.
    let lint = sipua(&["parse", trace.to_str().expect("utf-8")]);
    let lint_out = String::from_utf8_lossy(&lint.stdout);
    assert_eq!(lint.status.code(), Some(0), "{lint_out}");
    for m in [" INVITE ", " 407 ", " ACK ", " BYE ", " 200 "] {
        assert!(lint_out.contains(m), "{m} in the trace:\n{lint_out}");
    }
    if let Some(cap) = capture.as_mut() {
        let (_, a_summary) = tshark::assert_sipua_messages_clean(cap, &trace, a_port);
        let (_, b_summary) = tshark::assert_sipua_messages_clean(cap, &b_trace, b_port);
        eprintln!("{codec} caller {a_summary}\n{codec} callee {b_summary}");
    }
    let (on, off, _) = tone_shares(&heard, 1000.0, 1500.0);
    assert!(
        on > 0.3 && off < 0.02,
        "{transport} {codec}: 1 kHz share {on}, 1.5 kHz share {off}"
    );
    bound
}

#[test]
fn two_sipua_call_through_kamailio_and_the_tone_arrives_in_every_codec() {
    let (Some(recipe), true) = (recipe(), have_kamailio()) else {
        return;
    };
    let k = Kamailio::start(&recipe, 25160, &[]);
    for (codec, callee_hangs_up) in [
        ("pcmu", false),
        ("pcma", true),
        ("g722", false),
        ("g729", true),
    ] {
        call_through(&k, "udp", codec, callee_hangs_up, &[]);
        // The next call needs B's binding gone (it unregistered) or renewed.
        let until = Instant::now() + Duration::from_secs(5);
        while k.has_binding("4108") && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[test]
fn registration_and_a_call_over_tcp() {
    let (Some(recipe), true) = (recipe(), have_kamailio()) else {
        return;
    };
    let k = Kamailio::start(&recipe, 25260, &[]);
    let bound = call_through(&k, "tcp", "pcmu", false, &[]);
    // Kamailio holds B's binding as a TCP contact, received on its TCP socket.
    assert!(
        bound.contains("transport=tcp") && bound.contains("tcp:127.0.0.1:25260"),
        "{bound}"
    );
    // Challenged, accepted, and the unbinding at the end (its nonce reused).
    let n = k.registers_from("4108");
    assert!((3..=4).contains(&n), "{n} REGISTERs from 4108");
}

/// A test CA and a certificate it signed for `mitel.test`, as PEM: (CA
/// certificate, server certificate, server key).
fn test_pki() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "sip-handset test CA");
    let ca_cert = ca.self_signed(&ca_key).expect("CA");
    let key = KeyPair::generate().expect("key");
    let leaf = CertificateParams::new(vec!["mitel.test".to_string()]).expect("params");
    let cert = leaf.signed_by(&key, &ca_cert, &ca_key).expect("cert");
    (ca_cert.pem(), cert.pem(), key.serialize_pem())
}

/// SIP over TLS (RFC 3261 section 26.2.1) with Kamailio: both phones
/// register over TLS, checking Kamailio's certificate against the test CA
/// for the SIP domain `mitel.test` (RFC 5922), and call each other; B
/// presents the same certificate for the connection Kamailio opens to it.
/// A phone that does not trust the CA cannot register at all.
#[test]
fn registration_and_a_call_over_tls() {
    let (Some(recipe), true) = (recipe(), have_kamailio()) else {
        return;
    };
    if !std::path::Path::new("/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so").exists() {
        eprintln!(
            "SKIP: Kamailio's tls module is absent (scripts/test installs kamailio-tls-modules)"
        );
        return;
    }
    let (ca, cert, key) = test_pki();
    let dir = std::env::temp_dir().join(format!("sipua-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).expect("pem");
        p.to_str().expect("utf-8").to_string()
    };
    let (ca_file, cert_file, key_file) = (
        path("ca.pem", &ca),
        path("cert.pem", &cert),
        path("key.pem", &key),
    );
    let k = Kamailio::start_tls(
        &recipe,
        25360,
        KamailioTls {
            port: 25361,
            cert_pem: &cert,
            key_pem: &key,
        },
    );
    let tls_args: Vec<String> = [
        "--tls-ca",
        &ca_file,
        "--tls-cert",
        &cert_file,
        "--tls-key",
        &key_file,
    ]
    .map(String::from)
    .to_vec();
    let bound = call_through(&k, "tls", "pcma", true, &tls_args);
    assert!(
        bound.contains("transport=tls") && bound.contains("tls:127.0.0.1:25361"),
        "{bound}"
    );

    // Trusting another CA: the handshake fails, no REGISTER reaches
    // Kamailio, registration fails.
    let (other_ca, _, _) = test_pki();
    let other = path("other-ca.pem", &other_ca);
    let before = k.registers_from("4109");
    let out = sipua(&[
        "--local",
        &format!("127.0.0.1:{}", free_port()),
        "--servers",
        "mitel.test; 127.0.0.1:25361",
        "--transport",
        "tls",
        "--tls-ca",
        &other,
        "--user",
        "4109",
        "--password",
        "1234",
        "--timeout",
        "15",
        "register",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(k.registers_from("4109"), before, "nothing got through");
}
