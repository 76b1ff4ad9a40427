//! What the sipp-based tests share: whether sipp is there, and a sipp UAS
//! that runs one scenario once (`-m 1`, bounded by timeouts) and is killed
//! on drop if it is still running; Kamailio (`kamailio`); baresip,
//! linphone and tshark captures (`baresip`, `linphone`, `tshark`, with what
//! they share in `interop`).

#![allow(dead_code)] // each test binary uses a part

pub mod baresip;
pub mod dns;
pub mod interop;
pub mod kamailio;
pub mod linphone;
pub mod tshark;

use std::net::UdpSocket;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether sipp runs here; says why a test skips when it does not.
pub fn have_sipp() -> bool {
    interop::have("sipp", "-v", "sip-tester")
}

/// A sipp UAS for one call or registration.
pub struct Sipp(Option<Child>);

impl Sipp {
    /// Starts `scenario` on 127.0.0.1:`port` with `extra` arguments and
    /// gives it 300 ms to bind.
    pub fn start(scenario: &Path, port: u16, extra: &[&str]) -> Sipp {
        let dir = std::env::temp_dir().join(format!("sipua-sipp-{port}"));
        let _ = std::fs::create_dir_all(&dir);
        let child = Command::new("sipp")
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
                "60s",
                "-timeout_error",
                "-nostdin",
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sipp starts");
        std::thread::sleep(Duration::from_millis(300));
        Sipp(Some(child))
    }

    /// Waits (at most 20 s) for sipp to end; its exit code (0: the
    /// scenario ran through and every check in it held; -2: killed).
    pub fn finish(mut self) -> i32 {
        let mut child = self.0.take().expect("running");
        match wait_for_exit(&mut child, 20) {
            Some(status) => status.code().unwrap_or(-1),
            None => -2,
        }
    }
}

impl Drop for Sipp {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A UDP port free on 127.0.0.1 right now.
pub fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An even free UDP port whose successor is free too (RTP and RTCP).
pub fn free_pair() -> u16 {
    loop {
        let p = free_port();
        if p.is_multiple_of(2) && p < 65534 && UdpSocket::bind(("127.0.0.1", p + 1)).is_ok() {
            return p;
        }
    }
}

/// The share of the energy of `x` (sampled at `rate`) at frequency `f`
/// (Goertzel filter): close to 0.5 for a pure tone at `f`, near 0 without it.
pub fn goertzel_share(x: &[i16], rate: f64, f: f64) -> f64 {
    let c = 2.0 * (2.0 * std::f64::consts::PI * f / rate).cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    let mut energy = 0.0;
    for &v in x {
        let v = f64::from(v) / 32768.0;
        energy += v * v;
        let s0 = v + c * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let n = x.len() as f64;
    (s1 * s1 + s2 * s2 - c * s1 * s2) / (n * n) / (energy / n).max(1e-12)
}

/// Waits at most `secs` for `child`, killing it after; its exit code
/// (-1 when killed), stdout and stderr.
pub fn wait(mut child: std::process::Child, secs: u64) -> (i32, String, String) {
    let until = Instant::now() + Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > until {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The `--events json` lines of `stdout`, each checked to carry an "event".
pub fn events(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("{l}: {e}"))
        })
        .inspect(|v| assert!(v["event"].is_string(), "{v}"))
        .collect()
}

/// Waits at most `secs` for `child` to exit; kills it after that. Its exit
/// status, or `None` when it had to be killed.
pub fn wait_for_exit(child: &mut Child, secs: u64) -> Option<std::process::ExitStatus> {
    let until = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
