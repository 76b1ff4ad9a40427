//! linphone-daemon 5.1 (Debian `linphone-cli`) as a headless peer, from the
//! recipe in `../shared/peers/linphone`: `--auto-answer`, controlled over
//! its unix socket (`/tmp/<pipe>`, one command per line, answers ending in
//! a blank line), its log (level message) holding the SIP trace, the DTMF
//! it received (`Receiving dtmf D.`) and oRTP's statistics at the end of
//! each call. With no sound card it sends audio only while a WAV file is
//! played into the call (`incall-player-start`), and the daemon dies
//! (SIGSEGV, seen here) when that file ends during the call: play files
//! longer than the call.
//!
//! The recipe's `linphonerc` is copied into a temporary directory (which is
//! also its HOME) and rewritten with this run's ports: SIP on
//! `127.0.0.1:<sip_port>` (UDP only), RTP in [`RTP_PORTS`], identity
//! `sip:USER@mitel.test` registered and routed through Kamailio on
//! `127.0.0.1:<kamailio_port>`. Stopped on drop (`quit`, then SIGTERM and
//! SIGKILL of its process group); its directory is removed then, unless
//! the test failed.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::interop::{free_port_udp_tcp, have, shared_peer, stop_group, wait_until};

/// linphone's RTP port range here (sipua's media port is chosen outside it).
pub const RTP_PORTS: std::ops::RangeInclusive<u16> = 37000..=37099;

/// The recipe's `linphonerc`, or `None` (with a SKIP line) when `../shared`
/// or linphone-daemon is missing.
pub fn recipe() -> Option<PathBuf> {
    let dir = shared_peer("linphone", "linphonerc")?;
    have("linphone-daemon", "--help", "linphone-cli").then(|| dir.join("linphonerc"))
}

/// A running linphone-daemon.
pub struct Linphone {
    child: Child,
    dir: PathBuf,
    pipe: String,
    conn: std::sync::Mutex<Option<UnixStream>>,
    pub sip_port: u16,
}

impl Drop for Linphone {
    fn drop(&mut self) {
        // `quit` un-registers; SIGINT is not enough for the daemon.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.try_command("quit");
        }
        self.conn.lock().unwrap_or_else(|e| e.into_inner()).take();
        stop_group(&mut self.child, "-TERM", Duration::from_secs(3));
        let _ = std::fs::remove_file(format!("/tmp/{}", self.pipe));
        // Kept for a look when the test failed.
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// `rc` with `key=` set to `value` in the `[section]` (added when absent).
fn set_key(rc: &str, section: &str, key: &str, value: &str) -> String {
    let mut out = Vec::new();
    let mut done = false;
    let mut in_section = false;
    for l in rc.lines() {
        if l.starts_with('[') {
            if in_section && !done {
                out.push(format!("{key}={value}"));
                done = true;
            }
            in_section = l == format!("[{section}]");
        }
        if in_section && l.split('=').next() == Some(key) {
            out.push(format!("{key}={value}"));
            done = true;
            continue;
        }
        out.push(l.to_string());
    }
    if in_section && !done {
        out.push(format!("{key}={value}"));
        done = true;
    }
    assert!(done, "the recipe's linphonerc has no [{section}]");
    out.join("\n") + "\n"
}

impl Linphone {
    /// Starts linphone-daemon as extension `user` (password 1234) on
    /// Kamailio at `127.0.0.1:kamailio_port`, and waits (at most 15 s) for
    /// the registration.
    pub fn start(rc: &Path, user: &str, kamailio_port: u16) -> Linphone {
        let sip_port = free_port_udp_tcp();
        let dir = std::env::temp_dir().join(format!("sipua-linphone-{sip_port}"));
        let _ = std::fs::remove_dir_all(&dir);
        // liblinphone hangs at start-up without this directory.
        std::fs::create_dir_all(dir.join("home/.local/share/linphone")).expect("run dir");
        let proxy = format!("<sip:127.0.0.1:{kamailio_port};transport=udp>");
        let mut cfg = std::fs::read_to_string(rc).expect("linphonerc");
        for (section, key, value) in [
            ("sip", "sip_port", sip_port.to_string()),
            ("sip", "sip_tcp_port", "0".to_string()),
            ("sip", "sip_tls_port", "0".to_string()),
            (
                "rtp",
                "audio_rtp_port",
                format!("{}-{}", RTP_PORTS.start(), RTP_PORTS.end()),
            ),
            ("proxy_0", "reg_proxy", proxy.clone()),
            ("proxy_0", "reg_route", proxy),
            (
                "proxy_0",
                "reg_identity",
                format!("\"{user}\" <sip:{user}@mitel.test>"),
            ),
            ("auth_info_0", "username", user.to_string()),
            ("auth_info_0", "userid", user.to_string()),
        ] {
            cfg = set_key(&cfg, section, key, &value);
        }
        std::fs::write(dir.join("linphonerc"), cfg).expect("linphonerc copy");
        let pipe = format!("sipua-linphone-{sip_port}.sock");
        let _ = std::fs::remove_file(format!("/tmp/{pipe}"));
        let child = Command::new("linphone-daemon")
            .arg("--config")
            .arg(dir.join("linphonerc"))
            .args(["--pipe", &pipe, "--log"])
            .arg(dir.join("linphone.log"))
            .args(["--auto-answer", "--disable-stats-events"])
            .env("HOME", dir.join("home"))
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.join("daemon.out")).expect("out"))
            .stderr(Stdio::null())
            .spawn()
            .expect("linphone-daemon starts");
        let mut l = Linphone {
            child,
            dir,
            pipe,
            conn: std::sync::Mutex::new(None),
            sip_port,
        };
        let ok = wait_until(15, || {
            l.log().contains("LinphoneRegistrationOk") || !matches!(l.child.try_wait(), Ok(None))
        });
        assert!(
            ok && l.log().contains("LinphoneRegistrationOk"),
            "linphone-daemon did not register within 15 s:\n{}",
            l.log()
        );
        l
    }

    pub fn log(&self) -> String {
        let bytes = std::fs::read(self.dir.join("linphone.log")).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The daemon's socket, connected once (it serves one client at a time
    /// and refuses others meanwhile); retried for up to 5 s.
    fn connection(&self) -> std::io::Result<std::sync::MutexGuard<'_, Option<UnixStream>>> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        if conn.is_none() {
            let until = Instant::now() + Duration::from_secs(5);
            let s = loop {
                match UnixStream::connect(format!("/tmp/{}", self.pipe)) {
                    Ok(s) => break s,
                    Err(e) if Instant::now() > until => return Err(e),
                    Err(_) => std::thread::sleep(Duration::from_millis(100)),
                }
            };
            s.set_read_timeout(Some(Duration::from_millis(200)))?;
            *conn = Some(s);
        }
        Ok(conn)
    }

    fn try_command(&self, cmd: &str) -> std::io::Result<String> {
        let mut conn = self.connection()?;
        let s = conn.as_mut().expect("connected");
        s.write_all(format!("{cmd}\n").as_bytes())?;
        let mut buf = Vec::new();
        let until = Instant::now() + Duration::from_secs(5);
        let mut closed = false;
        while Instant::now() < until {
            let mut chunk = [0u8; 4096];
            match s.read(&mut chunk) {
                Ok(0) => {
                    closed = true;
                    break;
                }
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                // 200 ms of quiet after the status line: the answer is whole
                // (some end in one newline, some in two).
                Err(_) if String::from_utf8_lossy(&buf).contains("Status:") => break,
                Err(_) => {}
            }
        }
        if closed {
            *conn = None;
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// Sends one daemon command and returns its answer (bounded: 5 s);
    /// panics unless the answer says `Status: Ok`.
    pub fn command(&self, cmd: &str) -> String {
        let answer = self
            .try_command(cmd)
            .unwrap_or_else(|e| panic!("linphone pipe /tmp/{}: {e}", self.pipe));
        assert!(
            answer.contains("Status: Ok"),
            "linphone {cmd}: {answer}\nlog:\n{}",
            self.log()
        );
        answer
    }

    /// Waits at most `secs` until `needle` is in the log `count` times.
    pub fn wait_log(&self, secs: u64, needle: &str, count: usize) -> bool {
        wait_until(secs, || self.log().matches(needle).count() >= count)
    }

    /// The RTP packets linphone counted as received in its last call (oRTP's
    /// statistics, logged when the call's streams stop).
    pub fn rtp_received(&self) -> Option<u64> {
        self.log().lines().rev().find_map(|l| {
            let rest = l.split("ortp-message-received").nth(1)?;
            let rest = rest.trim().strip_suffix("packets")?.trim();
            rest.parse().ok()
        })
    }

    /// The DTMF digits linphone received, in order (`Receiving dtmf D.`).
    pub fn dtmf_received(&self) -> String {
        self.log()
            .lines()
            .filter_map(|l| l.split("Receiving dtmf ").nth(1))
            .filter_map(|r| r.chars().next())
            .collect()
    }
}
