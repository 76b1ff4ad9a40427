//! Lints captured SIP messages: `sipcheck FILE...`.
//!
//! Prints `OK <file> <METHOD|status-code> headers=<n> body=<n>` or
//! `ERR <file>: <error> at byte <n>` per file, and exits with status 1 if
//! any file failed. Besides framing and the core headers, every header the
//! crate knows must parse, and requests must carry the mandatory headers.

use std::process::ExitCode;

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: sipcheck FILE...");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for file in &files {
        let data = match std::fs::read(file) {
            Ok(d) => d,
            Err(e) => {
                println!("ERR {file}: cannot read: {e}");
                failed = true;
                continue;
            }
        };
        match sip_proto::lint::check(data) {
            Ok(m) => println!("OK {file} {}", sip_proto::lint::summary(&m)),
            Err(e) => {
                println!("ERR {file}: {}", e);
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
