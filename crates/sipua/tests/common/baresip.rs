//! baresip 1.0 (Debian `baresip-core`) as a headless peer, from the recipe
//! in `../shared/peers/baresip`: auto-answer, a 440 Hz sine (`ausine`) as
//! its microphone, no sound card, the audio of each call both ways dumped
//! to WAV files (`sndfile`: `*-enc.wav` what it sent, `*-dec.wav` what it
//! decoded), its SIP trace and RTP statistics in its log, controlled over
//! `ctrl_tcp` (netstring-framed JSON).
//!
//! The recipe's `conf/` is copied into a temporary directory and rewritten
//! with this run's ports: SIP on `127.0.0.1:<sip_port>`, RTP in
//! [`RTP_PORTS`], the control socket on its own port, the UDP console off,
//! and one account `<sip:USER@mitel.test>` registered through Kamailio on
//! `127.0.0.1:<kamailio_port>` as outbound proxy. Stopped on drop (SIGTERM,
//! so it un-registers, then SIGKILL of its process group); its directory
//! is removed then, unless the test failed.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::interop::{free_port_udp_tcp, have, shared_peer, stop_group, wait_until};

/// baresip's RTP port range here (sipua's media port is chosen outside it).
pub const RTP_PORTS: std::ops::RangeInclusive<u16> = 36000..=36099;

/// The recipe's `conf` directory, or `None` (with a SKIP line) when
/// `../shared` or baresip is missing.
pub fn recipe() -> Option<PathBuf> {
    let dir = shared_peer("baresip", "conf/config")?;
    have("baresip", "-h", "baresip-core").then(|| dir.join("conf"))
}

/// A running baresip.
pub struct Baresip {
    child: Child,
    dir: PathBuf,
    ctrl_port: u16,
    pub sip_port: u16,
}

impl Drop for Baresip {
    fn drop(&mut self) {
        stop_group(&mut self.child, "-TERM", Duration::from_secs(3));
        // Kept for a look when the test failed.
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// `cfg` with the value of the line whose key is `key` set to `value`.
fn set_key(cfg: &str, key: &str, value: &str) -> String {
    let mut found = false;
    let out: Vec<String> = cfg
        .lines()
        .map(|l| {
            if l.split_whitespace().next() == Some(key) {
                found = true;
                format!("{key}\t\t{value}")
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(found, "the recipe's config has no {key} line");
    out.join("\n") + "\n"
}

impl Baresip {
    /// Starts baresip as extension `user` (password 1234) registered to
    /// Kamailio at `127.0.0.1:kamailio_port`, and waits (at most 10 s) for
    /// the REGISTER's 200.
    pub fn start(conf: &Path, user: &str, kamailio_port: u16) -> Baresip {
        let sip_port = free_port_udp_tcp();
        let ctrl_port = free_port_udp_tcp();
        let dir = std::env::temp_dir().join(format!("sipua-baresip-{sip_port}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("conf")).expect("run dir");
        std::fs::create_dir_all(dir.join("wav")).expect("wav dir");

        let mut cfg = std::fs::read_to_string(conf.join("config")).expect("config");
        for (key, value) in [
            ("sip_listen", format!("127.0.0.1:{sip_port}")),
            (
                "rtp_ports",
                format!("{}-{}", RTP_PORTS.start(), RTP_PORTS.end()),
            ),
            ("snd_path", dir.join("wav").display().to_string()),
            ("ctrl_tcp_listen", format!("127.0.0.1:{ctrl_port}")),
        ] {
            cfg = set_key(&cfg, key, &value);
        }
        // No UDP console: one port less to choose.
        let before = cfg.len();
        cfg = cfg
            .lines()
            .filter(|l| !l.starts_with("module\t\t\tcons.so") && !l.starts_with("cons_listen"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(cfg.len() < before, "the recipe's config moved cons.so");
        std::fs::write(dir.join("conf/config"), cfg).expect("config copy");

        // The recipe's account line, as `user` at mitel.test through Kamailio.
        let accounts = std::fs::read_to_string(conf.join("accounts")).expect("accounts");
        let line = accounts
            .lines()
            .find(|l| l.starts_with("<sip:"))
            .expect("an account line");
        let rest = &line[line.find('>').expect("<aor>") + 1..];
        let rest = rest.replace("auth_user=4108", &format!("auth_user={user}"));
        assert!(rest.contains(&format!("auth_user={user}")), "{rest}");
        assert!(rest.contains("answermode=auto"), "{rest}");
        let account = format!(
            "<sip:{user}@mitel.test;transport=udp>{rest};outbound=\"sip:127.0.0.1:{kamailio_port};transport=udp\"\n"
        );
        std::fs::write(dir.join("conf/accounts"), account).expect("accounts copy");
        std::fs::write(dir.join("conf/contacts"), "").expect("contacts");

        let log = std::fs::File::create(dir.join("baresip.log")).expect("log");
        let child = Command::new("baresip")
            .args(["-4", "-s", "-f"])
            .arg(dir.join("conf"))
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("baresip starts");
        let mut b = Baresip {
            child,
            dir,
            ctrl_port,
            sip_port,
        };
        let ok = wait_until(10, || {
            b.log().contains("{0/UDP/v4} 200 OK") || !matches!(b.child.try_wait(), Ok(None))
        });
        assert!(
            ok && b.log().contains("{0/UDP/v4} 200 OK"),
            "baresip did not register within 10 s:\n{}",
            b.log()
        );
        b
    }

    pub fn log(&self) -> String {
        let bytes = std::fs::read(self.dir.join("baresip.log")).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Sends one ctrl_tcp command and waits (at most 5 s) for its response:
    /// whether baresip accepted it, and the response's data.
    pub fn command(&self, command: &str, params: &str) -> (bool, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.ctrl_port)).expect("ctrl_tcp");
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let msg = serde_json::json!({"command": command, "params": params, "token": "t"});
        let body = msg.to_string();
        s.write_all(format!("{}:{body},", body.len()).as_bytes())
            .expect("send");
        let mut buf = Vec::new();
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            let mut chunk = [0u8; 4096];
            match s.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(_) => {}
            }
            // Netstrings: LEN ":" JSON ","
            while let Some(colon) = buf.iter().position(|&c| c == b':') {
                let Ok(len) = std::str::from_utf8(&buf[..colon])
                    .unwrap_or("x")
                    .parse::<usize>()
                else {
                    panic!("ctrl_tcp framing: {}", String::from_utf8_lossy(&buf));
                };
                if buf.len() < colon + len + 2 {
                    break;
                }
                let v: serde_json::Value =
                    serde_json::from_slice(&buf[colon + 1..colon + 1 + len]).expect("json");
                buf.drain(..colon + len + 2);
                if v["response"] == true {
                    return (
                        v["ok"] == true,
                        v["data"].as_str().unwrap_or("").to_string(),
                    );
                }
            }
        }
        panic!("baresip: no response to {command} {params} within 5 s");
    }

    /// Waits at most `secs` for `needle` in the log.
    pub fn wait_log(&self, secs: u64, needle: &str) -> bool {
        wait_until(secs, || self.log().contains(needle))
    }

    /// The audio RTP statistics baresip prints when a call ends (the last
    /// call's): packets (transmitted, received).
    pub fn rtp_packets(&self) -> Option<(u64, u64)> {
        let log = self.log();
        let line = log.lines().rev().find(|l| l.starts_with("packets:"))?;
        let n: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|w| w.parse().ok())
            .collect();
        (n.len() == 2).then(|| (n[0], n[1]))
    }

    /// The RFC 4733 events baresip received, one digit per completed event
    /// (its log line `received event: 'D' (end=1)`).
    pub fn dtmf_received(&self) -> String {
        self.log()
            .lines()
            .filter_map(|l| l.strip_prefix("received event: '"))
            .filter(|l| l.ends_with("(end=1)"))
            .filter_map(|l| l.chars().next())
            .collect()
    }

    /// The WAV files of what baresip decoded from the far end.
    pub fn decoded_wavs(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.dir.join("wav"))
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.to_string_lossy().ends_with("-dec.wav"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }
}
