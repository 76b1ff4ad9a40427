//! What the sipp-based tests share: whether sipp is there, and a sipp UAS
//! that runs one scenario once (`-m 1`, bounded by timeouts) and is killed
//! on drop if it is still running.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether sipp runs here; says why a test skips when it does not.
pub fn have_sipp() -> bool {
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
        let until = Instant::now() + Duration::from_secs(20);
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
}

impl Drop for Sipp {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
