//! Kamailio as registrar and proxy with digest auth, on loopback only, for
//! the tests that need a server.
//!
//! Kamailio runs with the interop configuration of
//! `../shared/peers/kamailio` (users 4107, 4108, 4109 with password 1234,
//! realm `mitel.test`, MD5 with qop=auth), copied into a temporary
//! directory with its own port so it cannot clash with anything else on
//! the machine; its log can be read to count what it saw. A guard kills it
//! (and its forked workers) even when an assertion fails.

use std::net::UdpSocket;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the interop configuration lives (else says why the test skips).
pub fn recipe() -> Option<PathBuf> {
    super::interop::shared_peer("kamailio", "kamailio.cfg")
}

/// Whether kamailio runs here (else says why the test skips).
pub fn have_kamailio() -> bool {
    super::interop::have("kamailio", "-v", "kamailio")
}

/// A running Kamailio; killed on drop.
pub struct Kamailio {
    child: Child,
    dir: PathBuf,
    port: u16,
    tls_port: Option<u16>,
}

/// TLS for [`Kamailio::start_tls`]: the port and the server's PEM
/// certificate and key.
pub struct KamailioTls<'a> {
    pub port: u16,
    pub cert_pem: &'a str,
    pub key_pem: &'a str,
}

impl Drop for Kamailio {
    /// Kamailio forks worker processes: the whole process group gets
    /// SIGTERM (the main process takes its children down, as the recipe's
    /// stop.sh does), then SIGKILL if anything is left after 5 s.
    fn drop(&mut self) {
        super::interop::stop_group(&mut self.child, "-TERM", Duration::from_secs(5));
    }
}

impl Kamailio {
    /// Starts the interop configuration on 127.0.0.1:`port` (UDP and TCP)
    /// and waits (at most 10 s) until it answers OPTIONS.
    pub fn start(recipe: &Path, port: u16, extra: &[&str]) -> Kamailio {
        Self::start_with(recipe, port, extra, None)
    }

    /// The same, and SIP over TLS on `tls.port` (Debian's
    /// kamailio-tls-modules; client certificates are not asked for).
    pub fn start_tls(recipe: &Path, port: u16, tls: KamailioTls<'_>) -> Kamailio {
        Self::start_with(recipe, port, &[], Some(tls))
    }

    fn start_with(
        recipe: &Path,
        port: u16,
        extra: &[&str],
        tls: Option<KamailioTls<'_>>,
    ) -> Kamailio {
        let dir = std::env::temp_dir().join(format!("sipua-kamailio-{port}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("run dir");
        let mut cfg = std::fs::read_to_string(recipe.join("kamailio.cfg"))
            .expect("cfg")
            .replace(
                "listen=udp:127.0.0.1:5060",
                &format!("listen=udp:127.0.0.1:{port}"),
            )
            .replace(
                "listen=tcp:127.0.0.1:5060",
                &format!("listen=tcp:127.0.0.1:{port}"),
            );
        assert!(
            cfg.contains(&format!("127.0.0.1:{port}")),
            "listen lines moved"
        );
        let tls_port = tls.as_ref().map(|t| t.port);
        if let Some(t) = tls {
            let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
            std::fs::write(&cert, t.cert_pem).expect("cert");
            std::fs::write(&key, t.key_pem).expect("key");
            let tls_cfg = dir.join("tls.cfg");
            std::fs::write(
                &tls_cfg,
                format!(
                    "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\n\
                     require_certificate = no\nprivate_key = {}\ncertificate = {}\n\n\
                     [client:default]\nmethod = TLSv1.2+\nverify_certificate = no\n\
                     require_certificate = no\n",
                    key.display(),
                    cert.display()
                ),
            )
            .expect("tls.cfg");
            let before = cfg.len();
            cfg = cfg
                .replace("enable_tls=no", "enable_tls=yes")
                .replace(
                    &format!("listen=tcp:127.0.0.1:{port}"),
                    &format!(
                        "listen=tcp:127.0.0.1:{port}\nlisten=tls:127.0.0.1:{}",
                        t.port
                    ),
                )
                .replace(
                    "loadmodule \"xlog.so\"",
                    &format!(
                        "loadmodule \"xlog.so\"\nloadmodule \"tls.so\"\n\
                         modparam(\"tls\", \"config\", \"{}\")",
                        tls_cfg.display()
                    ),
                );
            assert!(
                cfg.len() > before && cfg.contains("enable_tls=yes"),
                "the TLS lines found their places"
            );
        }
        std::fs::write(dir.join("kamailio.cfg"), cfg).expect("cfg copy");
        let log = std::fs::File::create(dir.join("kamailio.log")).expect("log");
        let mut args: Vec<String> = [
            "-f",
            dir.join("kamailio.cfg").to_str().expect("utf-8 path"),
            "-DD",
            "-E",
            "-m",
            "64",
            "-M",
            "8",
            "-Y",
            dir.to_str().expect("utf-8 path"),
            "-A",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(format!("DBURL=\"text://{}\"", recipe.join("db").display()));
        args.push("-A".into());
        args.push(format!(
            "CTLSOCK=\"unix:{}\"",
            dir.join("kamailio_ctl").display()
        ));
        for e in extra {
            args.push("-A".into());
            args.push((*e).into());
        }
        let child = Command::new("kamailio")
            .args(&args)
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("kamailio starts");
        let mut k = Kamailio {
            child,
            dir,
            port,
            tls_port,
        };
        let until = Instant::now() + Duration::from_secs(10);
        while !k.answers_options() {
            if let Some(status) = k.child.try_wait().expect("wait") {
                panic!("kamailio exited ({status}); log:\n{}", k.log());
            }
            assert!(
                Instant::now() < until,
                "kamailio did not answer within 10 s:\n{}",
                k.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        k
    }

    pub fn answers_options(&self) -> bool {
        let sock = UdpSocket::bind("127.0.0.1:0").expect("probe socket");
        sock.set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let local = sock.local_addr().expect("addr");
        let probe = format!(
            "OPTIONS sip:127.0.0.1:{p} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKprobe{p}\r\n\
             From: <sip:probe@127.0.0.1>;tag=probe\r\nTo: <sip:127.0.0.1:{p}>\r\nCall-ID: probe-{p}\r\n\
             CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
            p = self.port
        );
        if sock
            .send_to(probe.as_bytes(), ("127.0.0.1", self.port))
            .is_err()
        {
            return false;
        }
        let mut buf = [0u8; 2048];
        matches!(sock.recv_from(&mut buf), Ok((n, _)) if buf[..n].starts_with(b"SIP/2.0 200"))
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("kamailio.log")).unwrap_or_default()
    }

    /// The port it listens on (UDP and TCP).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port it takes TLS on, if it does.
    pub fn tls_port(&self) -> Option<u16> {
        self.tls_port
    }

    /// Kamailio's location table as `kamcmd ul.dump` prints it (empty when
    /// kamcmd fails).
    pub fn bindings(&self) -> String {
        let out = Command::new("kamcmd")
            .arg("-s")
            .arg(format!("unix:{}", self.dir.join("kamailio_ctl").display()))
            .arg("ul.dump")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output();
        match out {
            Ok(o) => String::from_utf8_lossy(&o.stdout).into_owned(),
            Err(_) => String::new(),
        }
    }

    /// Whether extension `user` has a registered contact.
    pub fn has_binding(&self, user: &str) -> bool {
        self.bindings().contains(&format!("AoR: {user}"))
    }

    /// REGISTERs Kamailio's auth route saw from extension `user`.
    pub fn registers_from(&self, user: &str) -> usize {
        self.log()
            .lines()
            .filter(|l| l.contains("AUTH REGISTER from") && l.contains(&format!("sip:{user}@")))
            .count()
    }
}
