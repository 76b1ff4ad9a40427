//! What the tests against real peers share: the `../shared/peers`
//! recipes, whether a peer program is installed, stopping a peer by process
//! group, ports that are free for UDP and TCP, bounded waits, tone files
//! and their check, a `sipua` process whose JSON events can be read while
//! it runs, and the start of every baresip and linphone test
//! ([`PeerFixture`]).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `../shared/peers/<name>` when `file` is in it; else says why the test skips.
pub fn shared_peer(name: &str, file: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/peers")
        .join(name);
    if p.join(file).exists() {
        Some(p.canonicalize().expect("path"))
    } else {
        eprintln!(
            "SKIP: {} is absent; this test needs ../shared beside the repository",
            p.join(file).display()
        );
        None
    }
}

/// Whether `program` runs (`program arg`); says why the test skips if not.
pub fn have(program: &str, arg: &str, package: &str) -> bool {
    let ok = Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !ok {
        eprintln!(
            "SKIP: {program} is not installed (Debian package {package}; scripts/test installs it)"
        );
    }
    ok
}

/// Sends `first` to the process group of `child` (started with
/// `process_group(0)`), waits up to `grace` for it to exit, then SIGKILLs
/// the group. Never touches anything but that group.
pub fn stop_group(child: &mut Child, first: &str, grace: Duration) {
    let group = format!("-{}", child.id());
    let kill = |signal: &str| {
        let _ = Command::new("kill")
            .args([signal, "--", &group])
            .stderr(Stdio::null())
            .status();
    };
    if matches!(child.try_wait(), Ok(Some(_))) {
        kill("-KILL"); // a forked child may still hold a port
        return;
    }
    kill(first);
    let until = Instant::now() + grace;
    while Instant::now() < until {
        if matches!(child.try_wait(), Ok(Some(_))) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    kill("-KILL");
    let _ = child.wait();
}

/// A port free on 127.0.0.1 for both UDP and TCP right now.
pub fn free_port_udp_tcp() -> u16 {
    loop {
        let p = super::free_port();
        if TcpListener::bind(("127.0.0.1", p)).is_ok() {
            return p;
        }
    }
}

/// An even free RTP port (RTCP on +1) outside `avoid` (the peers' RTP
/// ranges, so the peer cannot take ours).
pub fn free_pair_outside(avoid: &[std::ops::RangeInclusive<u16>]) -> u16 {
    loop {
        let p = super::free_pair();
        if !avoid.iter().any(|r| r.contains(&p) || r.contains(&(p + 1))) {
            return p;
        }
    }
}

/// Polls `f` every 50 ms for at most `secs`; whether it became true.
pub fn wait_until(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + Duration::from_secs(secs);
    loop {
        if f() {
            return true;
        }
        if Instant::now() > until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Writes `secs` of a sine at `freq` Hz, 8 kHz mono 16-bit, to `path`.
pub fn write_tone(path: &Path, freq: f64, secs: u32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("tone file");
    for i in 0..8000 * secs {
        let t = f64::from(i) / 8000.0;
        w.write_sample((12000.0 * (2.0 * std::f64::consts::PI * freq * t).sin()) as i16)
            .expect("sample");
    }
    w.finalize().expect("tone file");
}

/// In the loudest second of the WAV file at `path` (first channel): the
/// Goertzel share of the energy at `freq` and at `off` (a frequency that
/// must be absent), and the length in seconds.
pub fn tone_shares(path: &Path, freq: f64, off: f64) -> (f64, f64, f64) {
    let r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = r.spec();
    let ch = usize::from(spec.channels);
    let rate = spec.sample_rate;
    let x: Vec<i16> = r
        .into_samples::<i16>()
        .map(|s| s.expect("sample"))
        .step_by(ch)
        .collect();
    let best = x
        .chunks(rate as usize)
        .filter(|c| c.len() == rate as usize)
        .max_by(|a, b| {
            let e = |c: &[i16]| c.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>();
            e(a).total_cmp(&e(b))
        })
        .unwrap_or(&[]);
    let rate = f64::from(rate);
    (
        super::goertzel_share(best, rate, freq),
        super::goertzel_share(best, rate, off),
        x.len() as f64 / rate,
    )
}

/// A `sipua` run whose stdout (`--events json`) goes to a file, so a test
/// can wait for an event while it runs. Killed on drop.
pub struct Sipua {
    child: Option<Child>,
    out: PathBuf,
    err: PathBuf,
}

impl Sipua {
    /// Starts `sipua ARGS`, its stdout and stderr in `dir/NAME.out|err`.
    pub fn spawn(dir: &Path, name: &str, args: &[String]) -> Sipua {
        let out = dir.join(format!("{name}.out"));
        let err = dir.join(format!("{name}.err"));
        let child = Command::new(env!("CARGO_BIN_EXE_sipua"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).expect("stdout file"))
            .stderr(std::fs::File::create(&err).expect("stderr file"))
            .spawn()
            .expect("sipua starts");
        Sipua {
            child: Some(child),
            out,
            err,
        }
    }

    /// The complete JSON lines printed so far.
    pub fn events(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(&self.out).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits at most `secs` for an event `name` whose `key` is `value`
    /// (any when `key` is empty).
    pub fn wait_event(&self, secs: u64, name: &str, key: &str, value: &str) -> bool {
        wait_until(secs, || {
            self.events()
                .iter()
                .any(|v| v["event"] == name && (key.is_empty() || v[key] == value))
        })
    }

    /// Waits at most `secs` for the exit (killing it after): the exit
    /// code (-1 when killed), the events, stdout and stderr.
    pub fn finish(&mut self, secs: u64) -> (i32, Vec<serde_json::Value>, String) {
        let mut child = self.child.take().expect("running");
        let code = super::wait_for_exit(&mut child, secs).map_or(-1, |s| s.code().unwrap_or(-1));
        let out = std::fs::read_to_string(&self.out).unwrap_or_default();
        let err = std::fs::read_to_string(&self.err).unwrap_or_default();
        (
            code,
            super::events(&out),
            format!("stdout:\n{out}\nstderr:\n{err}"),
        )
    }
}

impl Drop for Sipua {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The digits of the `dtmf_received` events, in order.
pub fn dtmf_digits(events: &[serde_json::Value]) -> String {
    events
        .iter()
        .filter(|v| v["event"] == "dtmf_received")
        .filter_map(|v| v["digit"].as_str().map(str::to_string))
        .collect()
}

/// The final `call_stats` event: (packets sent, packets received).
pub fn final_stats(events: &[serde_json::Value]) -> Option<(u64, u64)> {
    events
        .iter()
        .find(|v| v["event"] == "call_stats" && v["final"] == true)
        .map(|v| {
            (
                v["packets_sent"].as_u64().unwrap_or(0),
                v["packets_received"].as_u64().unwrap_or(0),
            )
        })
}

/// The global options of a `sipua` registered as `user` (password 1234)
/// on Kamailio at `127.0.0.1:kamailio_port`, bound to `127.0.0.1:local`,
/// RTP from `media`, JSON events, its SIP trace in `trace`, giving up
/// after `timeout` seconds.
pub fn sipua_args(
    local: u16,
    kamailio_port: u16,
    user: &str,
    media: u16,
    trace: &Path,
    timeout: u64,
) -> Vec<String> {
    [
        "--local",
        &format!("127.0.0.1:{local}"),
        "--servers",
        &format!("mitel.test; 127.0.0.1:{kamailio_port}"),
        "--user",
        user,
        "--password",
        "1234",
        "--media-port",
        &media.to_string(),
        "--events",
        "json",
        "--timeout",
        &timeout.to_string(),
        "--trace",
        trace.to_str().expect("utf-8 path"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// A fresh directory for one test's files.
pub fn test_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sipua-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("test dir");
    dir
}

/// One test against a full user agent at a time in a test binary: they
/// share the peers' fixed RTP port ranges.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether `events` hold an `name` event whose `key` is `val` (any, when
/// `key` is empty).
pub fn has(events: &[serde_json::Value], name: &str, key: &str, val: &str) -> bool {
    events
        .iter()
        .any(|v| v["event"] == name && (key.is_empty() || v[key] == val))
}

/// What every baresip and linphone test starts from: Kamailio on a free
/// port, the peer registered there, a free SIP port and an RTP pair
/// (outside the peer's RTP range) for sipua, and a capture of the three
/// SIP ports on `lo`.
pub struct PeerFixture<P> {
    pub dir: PathBuf,
    pub k: super::kamailio::Kamailio,
    pub peer: P,
    pub kport: u16,
    pub port: u16,
    pub media: u16,
    pub cap: super::tshark::Capture,
}

impl<P> PeerFixture<P> {
    /// Starts it all in `test_dir(name)`: `start` gets the peer's recipe
    /// and Kamailio's port and returns the peer and its SIP port. `None`
    /// (the test skips, saying why) when Kamailio, tshark or the peer's
    /// recipe is missing.
    pub fn start(
        name: &str,
        recipe: Option<PathBuf>,
        rtp_range: std::ops::RangeInclusive<u16>,
        start: impl FnOnce(&Path, u16) -> (P, u16),
    ) -> Option<PeerFixture<P>> {
        let krecipe = super::kamailio::recipe()?;
        let recipe = recipe?;
        if !(super::kamailio::have_kamailio() && super::tshark::have_tshark()) {
            return None;
        }
        let dir = test_dir(name);
        let kport = free_port_udp_tcp();
        let k = super::kamailio::Kamailio::start(&krecipe, kport, &[]);
        let (peer, peer_port) = start(&recipe, kport);
        let (port, media) = (free_port_udp_tcp(), free_pair_outside(&[rtp_range]));
        let cap = super::tshark::Capture::start(&dir, &[kport, peer_port, port]);
        Some(PeerFixture {
            dir,
            k,
            peer,
            kport,
            port,
            media,
            cap,
        })
    }
}
