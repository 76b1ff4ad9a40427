//! SDP bodies of real SIP messages from the shared corpus
//! (`/work/shared/corpus/realworld`, read at test time, not copied here).
//! Every body must parse (or fail with a line-numbered error, never panic),
//! print canonically and round-trip, and offers must get an answer or a
//! typed error.

use std::path::Path;

use sdp::{Config, Negotiator, SessionDescription};

const CORPUS: &str = "../../../shared/corpus/realworld";

fn body(msg: &[u8]) -> Option<&[u8]> {
    let crlf = msg.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = msg.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    let start = match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    let b = &msg[start..];
    b.starts_with(b"v=").then_some(b)
}

#[test]
fn real_world_sdp_bodies() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("{} not present; skipped", dir.display());
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    let (mut ok, mut bad, mut answered) = (0, 0, 0);
    for path in paths {
        let msg = std::fs::read(&path).unwrap();
        let Some(b) = body(&msg) else { continue };
        match SessionDescription::parse(b.to_vec()) {
            Ok(d) => {
                ok += 1;
                let again = SessionDescription::parse(d.to_bytes()).unwrap();
                assert_eq!(again, d, "{}", path.display());
                let mut n = Negotiator::new(Config::new("192.0.2.20".parse().unwrap(), 4000), 1);
                match n.answer_offer(&d) {
                    Ok(a) => {
                        answered += 1;
                        eprintln!(
                            "{}: answered {:?}",
                            path.display(),
                            a.media.map(|m| m.codec)
                        );
                    }
                    Err(e) => eprintln!("{}: {e}", path.display()),
                }
            }
            Err(e) => {
                bad += 1;
                eprintln!("{}: {e}", path.display());
                assert!(e.line >= 1);
            }
        }
    }
    eprintln!("real-world SDP: {ok} parsed, {bad} rejected, {answered} answered");
    assert!(ok >= 10, "expected most real bodies to parse");
}
