//! Loopback captures checked by Wireshark's dissectors (issue 7, test 6),
//! after `../shared/peers/tshark` (`capture.sh`, `sip_check.sh`).
//!
//! [`Capture`] runs `dumpcap` on `lo` with a capture filter on the test's
//! own SIP ports (bounded: it stops itself after 3 minutes, and is stopped
//! on drop). [`sip_check`] then decodes the capture with tshark, SIP
//! forced on those ports, and lists every SIP message, every SIP/SDP frame
//! with a malformed-packet marker or expert info of warning or error
//! severity, and the UDP payloads on those ports that were not dissected
//! as SIP at all (a broken start line does that). Wireshark's SIP
//! dissector is lenient, so this is a second opinion, not a validator.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::interop::{have, stop_group, wait_until};

/// Whether tshark and dumpcap run here (says why the test skips if not).
pub fn have_tshark() -> bool {
    have("tshark", "-v", "tshark") && have("dumpcap", "-v", "tshark")
}

/// A running capture on `lo`.
pub struct Capture {
    child: Option<Child>,
    file: PathBuf,
    ports: Vec<u16>,
}

impl Drop for Capture {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            stop_group(&mut c, "-INT", Duration::from_secs(5));
        }
    }
}

impl Capture {
    /// Captures UDP and TCP to or from any of `ports` on `lo` into `dir/lo.pcap`,
    /// and waits (at most 10 s) until dumpcap says it is capturing.
    pub fn start(dir: &Path, ports: &[u16]) -> Capture {
        let file = dir.join("lo.pcap");
        let _ = std::fs::remove_file(&file);
        let filter = ports
            .iter()
            .map(|p| format!("udp port {p} or tcp port {p}"))
            .collect::<Vec<_>>()
            .join(" or ");
        let mut child = Command::new("dumpcap")
            .args(["-i", "lo", "-f", &filter, "-P", "-a", "duration:180", "-w"])
            .arg(&file)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dumpcap starts");
        let said = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&said);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let mut cap = Capture {
            child: Some(child),
            file,
            ports: ports.to_vec(),
        };
        let ok = wait_until(10, || {
            said.lock().unwrap().contains("Capturing on")
                || !matches!(cap.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
        });
        assert!(
            ok && said.lock().unwrap().contains("Capturing on"),
            "dumpcap did not start capturing on lo within 10 s: {}",
            said.lock().unwrap()
        );
        cap
    }

    /// Stops the capture (SIGINT: dumpcap writes out what it has) and
    /// returns the file.
    pub fn stop(&mut self) -> PathBuf {
        // Let the last datagrams of the test reach the capture buffer.
        std::thread::sleep(Duration::from_millis(300));
        if let Some(mut c) = self.child.take() {
            stop_group(&mut c, "-INT", Duration::from_secs(5));
        }
        self.file.clone()
    }

    pub fn ports(&self) -> &[u16] {
        &self.ports
    }
}

/// One SIP message as tshark decoded it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SipMessage {
    pub src_port: u16,
    pub dst_port: u16,
    /// The request or status line.
    pub first_line: String,
    pub call_id: String,
    pub cseq: String,
}

/// What tshark made of a capture.
#[derive(Debug)]
pub struct SipCheck {
    pub messages: Vec<SipMessage>,
    /// SIP/SDP frames with a malformed marker or expert info of warning or
    /// error severity: (source port, "frame N: protocols: messages").
    pub flagged: Vec<(u16, String)>,
    /// UDP payloads on the SIP ports (longer than a keep-alive) that were
    /// not dissected as SIP: their source ports.
    pub undissected: Vec<u16>,
}

impl SipCheck {
    /// The messages sent from `port`.
    pub fn sent_from(&self, port: u16) -> Vec<&SipMessage> {
        self.messages
            .iter()
            .filter(|m| m.src_port == port)
            .collect()
    }

    /// How a call of the UA on `port` ended on the wire: `"sent"` when it
    /// sent a BYE and a 200 for a BYE came back to it, `"received"` when a
    /// BYE came to it and it sent a 200 for it; `None` otherwise.
    pub fn clean_bye(&self, port: u16) -> Option<&'static str> {
        let is_bye = |m: &&SipMessage| m.first_line.starts_with("BYE ");
        let ok_bye =
            |m: &&SipMessage| m.first_line.starts_with("SIP/2.0 200") && m.cseq.ends_with("BYE");
        let from = |m: &&SipMessage| m.src_port == port;
        let to = |m: &&SipMessage| m.dst_port == port;
        let any = |f: &dyn Fn(&&SipMessage) -> bool| self.messages.iter().any(|m| f(&m));
        if any(&|m| from(m) && is_bye(m)) && any(&|m| to(m) && ok_bye(m)) {
            Some("sent")
        } else if any(&|m| to(m) && is_bye(m)) && any(&|m| from(m) && ok_bye(m)) {
            Some("received")
        } else {
            None
        }
    }
}

fn tshark(pcap: &Path, sip_ports: &[u16], filter: &str, fields: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-n").arg("-r").arg(pcap);
    for p in sip_ports {
        cmd.args(["-d", &format!("udp.port=={p},sip")]);
        cmd.args(["-d", &format!("tcp.port=={p},sip")]);
    }
    cmd.args(["-Y", filter, "-T", "fields", "-E", "separator=|"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.stderr(Stdio::piped()).output().expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark -r {}: {}",
        pcap.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('|').map(str::to_string).collect())
        .collect()
}

/// Decodes `pcap` with SIP on `sip_ports` (see the module doc).
pub fn sip_check(pcap: &Path, sip_ports: &[u16]) -> SipCheck {
    let port = |s: &str| s.parse::<u16>().unwrap_or(0);
    let messages = tshark(
        pcap,
        sip_ports,
        "sip",
        &[
            "udp.srcport",
            "udp.dstport",
            "sip.Request-Line",
            "sip.Status-Line",
            "sip.Call-ID",
            "sip.CSeq",
            "tcp.srcport",
            "tcp.dstport",
        ],
    )
    .into_iter()
    .map(|f| SipMessage {
        src_port: port(&f[0]).max(port(&f[6])),
        dst_port: port(&f[1]).max(port(&f[7])),
        first_line: format!("{}{}", f[2], f[3]),
        call_id: f[4].clone(),
        cseq: f[5].clone(),
    })
    .collect();
    // 6291456 = PI_WARN (0x00600000); PI_ERROR is above it.
    let flagged = tshark(
        pcap,
        sip_ports,
        "(sip || sdp) && (_ws.malformed || _ws.expert.severity >= 6291456)",
        &[
            "udp.srcport",
            "tcp.srcport",
            "frame.number",
            "frame.protocols",
            "_ws.expert.message",
        ],
    )
    .into_iter()
    .map(|f| {
        (
            port(&f[0]).max(port(&f[1])),
            format!("frame {}: {}: {}", f[2], f[3], f[4..].join(" ")),
        )
    })
    .collect();
    let on_ports = sip_ports
        .iter()
        .map(|p| format!("udp.port=={p}"))
        .collect::<Vec<_>>()
        .join(" || ");
    let undissected = tshark(
        pcap,
        sip_ports,
        &format!("({on_ports}) && !sip && udp.length > 12"),
        &["udp.srcport"],
    )
    .into_iter()
    .map(|f| port(&f[0]))
    .collect();
    SipCheck {
        messages,
        flagged,
        undissected,
    }
}

/// Checks that every SIP message in sipua's own `--trace` (those it sent:
/// from `sipua_port`, or over TCP from the ports of its connections) is in
/// the loopback capture `cap` too, and that Wireshark flags none of the
/// captured messages sipua sent. Returns what tshark decoded and a summary
/// line (messages captured, sent by sipua, flagged).
pub fn assert_sipua_messages_clean(
    cap: &mut Capture,
    trace: &Path,
    sipua_port: u16,
) -> (SipCheck, String) {
    let ports = cap.ports().to_vec();
    let pcap = cap.stop();
    let on_wire = sip_check(&pcap, &ports);
    let own = sip_check(trace, &ports);
    // What sipua sent: from its SIP port, or to a peer's port from a port
    // that is not a peer's (its own outgoing TCP connections).
    let peers: Vec<u16> = ports.iter().copied().filter(|p| *p != sipua_port).collect();
    let is_mine = |src: u16, dst: Option<u16>| {
        src == sipua_port || (dst.is_some_and(|d| peers.contains(&d)) && !peers.contains(&src))
    };
    let mut mine: Vec<u16> = own
        .messages
        .iter()
        .filter(|m| is_mine(m.src_port, Some(m.dst_port)))
        .map(|m| m.src_port)
        .collect();
    mine.sort_unstable();
    mine.dedup();
    // On the wire (both phones may be in the capture) by those ports.
    let from_mine = |c: &SipCheck| -> Vec<SipMessage> {
        c.messages
            .iter()
            .filter(|m| mine.contains(&m.src_port))
            .cloned()
            .collect()
    };
    let mut sent = from_mine(&own);
    let in_wire_order = from_mine(&on_wire);
    let mut seen = in_wire_order.clone();
    sent.sort();
    seen.sort();
    assert!(
        !sent.is_empty(),
        "sipua's trace {} holds no message from port {sipua_port}",
        trace.display()
    );
    assert_eq!(
        seen,
        sent,
        "the loopback capture {} must hold exactly the messages of sipua's trace",
        pcap.display()
    );
    let ours: Vec<&String> = on_wire
        .flagged
        .iter()
        .filter(|(p, _)| mine.contains(p))
        .map(|(_, s)| s)
        .collect();
    assert!(
        ours.is_empty(),
        "tshark flags messages sipua sent ({}):\n{ours:#?}",
        pcap.display()
    );
    let broken = on_wire
        .undissected
        .iter()
        .filter(|p| mine.contains(p))
        .count();
    assert_eq!(
        broken,
        0,
        "datagrams from sipua that tshark did not dissect as SIP ({})",
        pcap.display()
    );
    let others = on_wire.flagged.len() - ours.len();
    if others > 0 {
        eprintln!(
            "note: tshark flags {others} frame(s) the peers sent: {:#?}",
            on_wire.flagged
        );
    }
    let lines: Vec<&str> = in_wire_order
        .iter()
        .map(|m| m.first_line.split(" sip:").next().unwrap_or(""))
        .collect();
    let summary = format!(
        "tshark: {} SIP messages captured, {} sent by sipua (all in its trace, none flagged): {}",
        on_wire.messages.len(),
        seen.len(),
        lines.join(", ")
    );
    (on_wire, summary)
}

/// Runs sipua with `args` (which must name `--local 127.0.0.1:PORT`) and
/// `--trace` added, while SIP on its port and `peer_ports` is captured on
/// `lo`; then requires every message it sent to be in the capture and
/// clean in tshark ([`assert_sipua_messages_clean`]). Without tshark the
/// call just runs (the capture check says SKIP once).
pub fn run_sipua_captured(args: &[&str], peer_ports: &[u16]) -> std::process::Output {
    let local = args
        .iter()
        .position(|a| *a == "--local")
        .and_then(|i| args.get(i + 1))
        .and_then(|a| a.parse::<std::net::SocketAddr>().ok())
        .expect("--local ADDR:PORT in the arguments")
        .port();
    let dir = std::env::temp_dir().join(format!("sipua-cap-{}-{local}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("capture dir");
    let trace = dir.join("sipua.pcap");
    let mut ports = vec![local];
    ports.extend_from_slice(peer_ports);
    let mut cap = have_tshark().then(|| Capture::start(&dir, &ports));
    let out = Command::new(env!("CARGO_BIN_EXE_sipua"))
        .args(args)
        .arg("--trace")
        .arg(&trace)
        .output()
        .expect("sipua runs");
    if let Some(cap) = cap.as_mut() {
        let (_, summary) = assert_sipua_messages_clean(cap, &trace, local);
        eprintln!("{summary}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    out
}
