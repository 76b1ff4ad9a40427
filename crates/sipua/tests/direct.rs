//! Two `sipua` processes, no server: one answers at its --local, the other
//! calls it straight at `sip:b@127.0.0.1:PORT`, plays a WAV tone and sends
//! DTMF; `--events json` on both. The answerer's recording holds the tone,
//! its events report the digits, both exit 0.

mod common;

use common::{events, free_pair, free_port, goertzel_share, wait};
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn direct_call_with_tone_and_dtmf_as_json_events() {
    let dir = std::env::temp_dir().join(format!("sipua-direct-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tone = dir.join("tone.wav");
    let heard = dir.join("heard.wav");
    let trace = dir.join("a.pcap");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&tone, spec).unwrap();
    for i in 0..12000 {
        let t = f64::from(i) / 8000.0;
        w.write_sample((12000.0 * (2.0 * std::f64::consts::PI * 1000.0 * t).sin()) as i16)
            .unwrap();
    }
    w.finalize().unwrap();

    let (pb, mb) = (free_port(), free_pair());
    let b = Command::new(env!("CARGO_BIN_EXE_sipua"))
        .args(["--local", &format!("127.0.0.1:{pb}")])
        .args([
            "--media-port",
            &mb.to_string(),
            "--events",
            "json",
            "--timeout",
            "20",
        ])
        .args(["answer", "--auto", "--record", heard.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let (pa, ma) = (free_port(), free_pair());
    let a = Command::new(env!("CARGO_BIN_EXE_sipua"))
        .args(["--local", &format!("127.0.0.1:{pa}")])
        .args([
            "--media-port",
            &ma.to_string(),
            "--events",
            "json",
            "--timeout",
            "20",
        ])
        .args(["--trace", trace.to_str().unwrap()])
        .args(["call", &format!("sip:b@127.0.0.1:{pb}"), "--hold-for", "2"])
        .args(["--play", tone.to_str().unwrap(), "--dtmf", "42"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (code_a, out_a, err_a) = wait(a, 25);
    let (code_b, out_b, err_b) = wait(b, 10);
    assert_eq!(code_a, 0, "caller:\n{out_a}\n{err_a}");
    assert_eq!(code_b, 0, "answerer:\n{out_b}\n{err_b}");
    let (ea, eb) = (events(&out_a), events(&out_b));
    let has = |ev: &[serde_json::Value], name: &str, key: &str, val: &str| {
        ev.iter()
            .any(|v| v["event"] == name && (key.is_empty() || v[key] == val))
    };
    assert!(has(&ea, "call_state", "state", "connected"), "{out_a}");
    assert!(has(&ea, "media", "codec", "PCMU"), "{out_a}");
    assert!(has(&eb, "incoming_call", "", ""), "{out_b}");
    assert!(has(&eb, "call_state", "state", "terminated"), "{out_b}");
    let digits: String = eb
        .iter()
        .filter(|v| v["event"] == "dtmf_received")
        .filter_map(|v| v["digit"].as_str().map(str::to_string))
        .collect();
    assert_eq!(digits, "42", "{out_b}");
    let stats = ea
        .iter()
        .find(|v| v["event"] == "call_stats" && v["final"] == true)
        .unwrap_or_else(|| panic!("final call_stats:\n{out_a}"));
    assert!(stats["packets_sent"].as_u64().unwrap() > 50, "{stats}");
    assert!(stats["packets_received"].as_u64().unwrap() > 50, "{stats}");

    // The caller's SIP trace: INVITE, 180, 200, ACK, BYE, 200 as IP/UDP packets.
    let mut r = pcap_file::pcap::PcapReader::new(std::fs::File::open(&trace).unwrap()).unwrap();
    let mut starts = Vec::new();
    while let Some(p) = r.next_packet() {
        let p = p.unwrap();
        let payload = &p.data[28..]; // IPv4 (20) + UDP (8)
        let line = String::from_utf8_lossy(payload);
        starts.push(line.split(' ').next().unwrap_or("").to_string());
    }
    for m in ["INVITE", "ACK", "BYE", "SIP/2.0"] {
        assert!(
            starts.iter().any(|s| s == m),
            "{m} in the trace: {starts:?}"
        );
    }

    let rec: Vec<i16> = hound::WavReader::open(&heard)
        .unwrap()
        .into_samples::<i16>()
        .map(Result::unwrap)
        .collect();
    // The loudest second of the recording is the tone.
    let best = rec
        .chunks(8000)
        .max_by(|x, y| {
            let e = |c: &[i16]| c.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>();
            e(x).total_cmp(&e(y))
        })
        .unwrap();
    let (on, off) = (
        goertzel_share(best, 8000.0, 1000.0),
        goertzel_share(best, 8000.0, 1500.0),
    );
    assert!(
        on > 0.3 && off < 0.02,
        "1 kHz share {on}, 1.5 kHz share {off}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
