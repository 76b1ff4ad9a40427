//! The real-world messages and the PROTOS c07-sip robustness suite, read
//! from `../shared/corpus` at test time (third-party data, not vendored).

use std::path::{Path, PathBuf};
use std::time::Instant;

use sip_proto::{Message, ParseErrorKind, ParseOptions};

fn corpus(name: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP: {} is absent; this test needs ../shared beside the repository",
            dir.display()
        );
        None
    }
}

/// Strict reading: framing, core headers, every known header, mandatory headers.
fn strict(data: Vec<u8>, options: ParseOptions) -> Result<Message, sip_proto::ParseError> {
    let m = Message::parse_with(data, options)?;
    m.check_all_headers()?;
    m.check_mandatory()?;
    Ok(m)
}

/// Every message that INDEX.md marks valid parses; those whose note reports a
/// Content-Length larger than the body parse only with `truncated_body_ok`,
/// and are rejected without it. The invalid ones are counted.
#[test]
fn realworld_messages() {
    let Some(dir) = corpus("realworld") else {
        return;
    };
    let index = std::fs::read_to_string(dir.join("INDEX.md")).expect("INDEX.md");
    let (mut valid, mut invalid_rejected, mut invalid_accepted) = (0, 0, Vec::new());
    for line in index
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains(".sip |"))
    {
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        let (file, verdict) = (cols[1], cols[7]);
        let data = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let is_valid = verdict.starts_with("valid") || verdict.starts_with("accept liberally");
        let short_body =
            verdict.contains("Content-Length mismatch") || verdict.contains("LF is read as CRLF");
        if is_valid {
            let lenient = ParseOptions {
                truncated_body_ok: true,
            };
            let m = Message::parse_with(data.clone(), lenient)
                .unwrap_or_else(|e| panic!("{file} ({verdict}) must parse: {e}"));
            assert!(m.method().is_some() || m.status().is_some());
            match Message::parse(data.clone()) {
                Ok(_) => {}
                Err(e) if short_body => assert!(
                    matches!(e.kind, ParseErrorKind::BodyTooShort { .. }),
                    "{file}: {e}"
                ),
                Err(e) => panic!("{file} ({verdict}) must parse strictly: {e}"),
            }
            // Reprinting keeps the meaning.
            let again =
                Message::parse(m.to_bytes()).unwrap_or_else(|e| panic!("{file}: reprint: {e}"));
            assert_eq!(m, again, "{file}");
            valid += 1;
        } else if strict(data, ParseOptions::default()).is_err() {
            invalid_rejected += 1;
        } else {
            invalid_accepted.push(file);
        }
    }
    eprintln!(
        "realworld: {valid} valid parsed; invalid: {invalid_rejected} rejected, {} accepted {:?}",
        invalid_accepted.len(),
        invalid_accepted
    );
    assert!(valid >= 40, "INDEX.md lists the valid messages");
    // The invalid ones whose fault a SIP parser can see must be rejected;
    // kam-sg's faults are in its SDP and its CR CR LF line ends, which read as folding.
    assert!(
        invalid_accepted
            .iter()
            .all(|f| ["kam-sg.sip", "sofia-ocs-401-kerberos-ntlm.sip"].contains(f)),
        "{invalid_accepted:?}"
    );
}

/// All PROTOS c07-sip cases: no panic, no hang, memory bounded by the input.
/// Case 0 is the valid reference INVITE.
#[test]
fn protos_c07_sip_robustness() {
    let Some(dir) = corpus("protos-c07-sip") else {
        return;
    };
    let cases = std::fs::read_to_string(dir.join("CASES.tsv")).expect("CASES.tsv");
    let (mut accepted, mut rejected) = (0usize, 0usize);
    let mut slowest = (0u128, String::new());
    for row in cases.lines().skip(1) {
        let file = row.split('\t').nth(1).expect("file column");
        let data = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let len = data.len();
        let t = Instant::now();
        let result = std::panic::catch_unwind(|| {
            let parsed = Message::parse(data);
            if let Ok(m) = &parsed {
                // The parse-time cache agrees with parsing the text again.
                use sip_proto::headers::{Contact, FromHeader, ToHeader, Via};
                assert_eq!(
                    m.vias().collect::<Vec<_>>(),
                    m.get_all::<Via>().map(Result::unwrap).collect::<Vec<_>>()
                );
                assert_eq!(
                    m.contacts().collect::<Vec<_>>(),
                    m.get_all::<Contact>()
                        .map(Result::unwrap)
                        .collect::<Vec<_>>()
                );
                assert_eq!(m.from_header(), m.get::<FromHeader>().map(Result::unwrap));
                assert_eq!(m.to_header(), m.get::<ToHeader>().map(Result::unwrap));
                // Exercise every typed accessor and the printer too.
                let _ = m.check_all_headers();
                let _ = m.check_mandatory();
                let printed = m.to_bytes();
                assert!(
                    printed.len() <= 2 * len + 64,
                    "printed size bounded by the input"
                );
                let again = Message::parse(printed).expect("a parsed message reprints parseably");
                assert_eq!(&again, m);
            }
            parsed.is_ok()
        });
        let ok = result.unwrap_or_else(|_| panic!("{file}: parser panicked"));
        let us = t.elapsed().as_micros();
        if us > slowest.0 {
            slowest = (us, file.to_string());
        }
        if file == "case-0000.sip" {
            assert!(ok, "the valid reference case parses");
        }
        if ok { accepted += 1 } else { rejected += 1 }
    }
    eprintln!(
        "PROTOS c07-sip: {} cases, {accepted} accepted, {rejected} rejected; slowest {} ({} us, debug build)",
        accepted + rejected,
        slowest.1,
        slowest.0
    );
    assert_eq!(accepted + rejected, 4527);
}
