//! `sipua register` against registrars played by sipp with scenarios
//! written for this project (`tests/scenarios/`, issue 7 test 5): a
//! registrar that challenges with qop=auth and answers 200 without any
//! expiry, a 423 Interval Too Brief, a first server that does not answer
//! (failover), and a secondary that answers 301 naming the primary
//! (failback at once). Every peer runs on loopback with `-m 1` and
//! timeouts; the two failover tests wait for Timer F (64*T1 = 32 s) and
//! run in parallel. Skips, saying why, when sipp is absent (`scripts/test`
//! installs Debian's `sip-tester`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Sipp, have_sipp};

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(name)
}

/// Runs `sipua register` and returns (exit code, stdout + stderr). Its
/// SIP to the servers' ports is captured on `lo` and checked by tshark
/// (issue 7 test 6).
fn register(local: &str, servers: &str, timeout: u64) -> (i32, String) {
    let peers: Vec<u16> = servers
        .split(';')
        .filter_map(|p| p.trim().parse::<std::net::SocketAddr>().ok())
        .map(|a| a.port())
        .collect();
    let out = common::tshark::run_sipua_captured(
        &[
            "--local",
            local,
            "--servers",
            servers,
            "--user",
            "4107",
            "--password",
            "1234",
            "--timeout",
            &timeout.to_string(),
            "register",
        ],
        &peers,
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn qop_challenge_and_a_200_without_expiry_keeps_the_requested_3600() {
    if !have_sipp() {
        return;
    }
    let sipp = Sipp::start(&scenario("registrar_qop_no_expires.xml"), 5181, &[]);
    let (code, out) = register("127.0.0.1:5182", "mitel.test; 127.0.0.1:5181", 15);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3600"), "the requested expiry is kept:\n{out}");
    assert_eq!(
        sipp.finish(),
        0,
        "sipp verified qop=auth, nc and the digest"
    );
}

#[test]
fn interval_too_brief_is_retried_with_min_expires() {
    if !have_sipp() {
        return;
    }
    let sipp = Sipp::start(&scenario("registrar_423.xml"), 5183, &[]);
    let (code, out) = register("127.0.0.1:5184", "mitel.test; 127.0.0.1:5183", 15);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("7200"), "{out}");
    assert_eq!(sipp.finish(), 0, "sipp saw Expires: 7200 in the retry");
}

#[test]
fn a_silent_first_server_is_failed_over() {
    if !have_sipp() {
        return;
    }
    // Nothing listens on 5185: the REGISTER there times out (Timer F).
    let sipp = Sipp::start(&scenario("registrar_qop_no_expires.xml"), 5186, &[]);
    let (code, out) = register(
        "127.0.0.1:5187",
        "mitel.test; 127.0.0.1:5185; 127.0.0.1:5186",
        50,
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("127.0.0.1:5186"),
        "registered at the second:\n{out}"
    );
    assert_eq!(sipp.finish(), 0);
}

#[test]
fn a_301_from_the_secondary_sends_the_phone_to_the_primary_at_once() {
    if !have_sipp() {
        return;
    }
    // The primary (5188) is silent when the phone starts, so the phone
    // fails over to the secondary (5189) after Timer F. The primary comes
    // back the moment the phone reports the failover; the secondary, asked
    // to register the phone, answers 301 naming the primary, and the phone
    // must register there at once (not after a probe interval).
    use std::io::BufRead;
    let secondary = Sipp::start(
        &scenario("secondary_301.xml"),
        5189,
        &["-key", "primary", "127.0.0.1:5188"],
    );
    let dir = std::env::temp_dir().join(format!("sipua-301-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let trace = dir.join("sipua.pcap");
    let mut capture = common::tshark::have_tshark()
        .then(|| common::tshark::Capture::start(&dir, &[5188, 5189, 5190]));
    let mut phone = Command::new(env!("CARGO_BIN_EXE_sipua"))
        .arg("--trace")
        .arg(&trace)
        .args([
            "--local",
            "127.0.0.1:5190",
            "--servers",
            "mitel.test; 127.0.0.1:5188; 127.0.0.1:5189",
            "--user",
            "4107",
            "--password",
            "1234",
            "--timeout",
            "50",
            "register",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sipua runs");
    let stdout = phone.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("ailover") {
                let _ = tx.send(());
            }
            lines.push(line);
        }
        lines.join("\n")
    });
    let failed_over = rx.recv_timeout(Duration::from_secs(45)).is_ok();
    let primary =
        failed_over.then(|| Sipp::start(&scenario("registrar_qop_no_expires.xml"), 5188, &[]));
    // "At once": the phone must be done well before its next probe of the
    // primary would be due (the probe interval is the expiry, 3600 s), so a
    // bounded wait tells the two apart without timing anything.
    let until = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Some(status) = phone.try_wait().expect("wait") {
            break status.code().unwrap_or(-1);
        }
        if Instant::now() > until {
            let _ = phone.kill();
            break -2;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = reader.join().expect("reader");
    assert!(failed_over, "no failover reported:\n{out}");
    if let Some(cap) = capture.as_mut() {
        let (_, summary) = common::tshark::assert_sipua_messages_clean(cap, &trace, 5190);
        eprintln!("{summary}");
    }
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("127.0.0.1:5188"), "{out}");
    assert_eq!(
        secondary.finish(),
        0,
        "the secondary answered one REGISTER with 301"
    );
    assert_eq!(
        primary.expect("started").finish(),
        0,
        "the primary registered the phone"
    );
}

/// RFC 3263 on the wire: `--servers mitel.test` names only a domain, so the
/// phone asks DNS (here a name server of the test's, given with `--dns`)
/// for `_sip._udp.mitel.test` SRV, then the A record of the best target,
/// and registers there: at the sipp registrar on the SRV record's port.
#[test]
fn a_domain_alone_is_resolved_by_srv_and_a_then_registered() {
    use common::dns::{DnsServer, Entry};
    if !have_sipp() {
        return;
    }
    let lo = std::net::Ipv4Addr::LOCALHOST;
    let dns = DnsServer::start(vec![
        Entry::Srv("_sip._udp.mitel.test", 10, 0, 5192, "pbx1.mitel.test"),
        Entry::Srv("_sip._udp.mitel.test", 20, 0, 5193, "pbx2.mitel.test"),
        Entry::A("pbx1.mitel.test", lo),
        Entry::A("pbx2.mitel.test", lo),
    ]);
    let sipp = Sipp::start(&scenario("registrar_qop_no_expires.xml"), 5192, &[]);
    let dns_addr = dns.addr.to_string();
    let out = common::tshark::run_sipua_captured(
        &[
            "--local",
            "127.0.0.1:5194",
            "--servers",
            "mitel.test",
            "--dns",
            &dns_addr,
            "--user",
            "4107",
            "--password",
            "1234",
            "--timeout",
            "15",
            "register",
        ],
        &[5192, 5193],
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let asked = dns.asked();
    assert_eq!(out.status.code(), Some(0), "{text}\nDNS asked: {asked:?}");
    assert!(text.contains("registered at 127.0.0.1:5192"), "{text}");
    assert_eq!(
        asked.first().map(String::as_str),
        Some("SRV _sip._udp.mitel.test"),
        "{asked:?}"
    );
    assert!(asked.iter().any(|q| q == "A pbx1.mitel.test"), "{asked:?}");
    assert_eq!(sipp.finish(), 0);
}
