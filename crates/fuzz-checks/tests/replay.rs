//! Replays `fuzz/corpus/<target>/*` and `fuzz/regressions/<target>/*` through
//! each target's check, so CI re-checks the fuzzers' findings on stable Rust.

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

#[test]
fn every_target_has_a_fuzz_binary_and_a_seed_corpus() {
    for (name, _) in fuzz_checks::targets() {
        let src = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        assert!(src.is_file(), "{} is missing", src.display());
        let corpus = fuzz_dir().join("corpus").join(name);
        let n = std::fs::read_dir(&corpus)
            .map(|d| d.count())
            .unwrap_or_else(|e| panic!("{}: {e}", corpus.display()));
        assert!(n > 0, "{} has no seed inputs", corpus.display());
    }
}

#[test]
fn replay_corpora() {
    let mut total = 0usize;
    for (name, check) in fuzz_checks::targets() {
        for dir in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(fuzz_dir().join(dir).join(name)) else {
                continue;
            };
            let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
            paths.sort();
            for path in paths {
                let data = std::fs::read(&path).expect("readable corpus file");
                let outcome = std::panic::catch_unwind(|| check(&data));
                assert!(
                    outcome.is_ok(),
                    "{name}: {} fails its check",
                    path.display()
                );
                total += 1;
            }
        }
    }
    eprintln!("replayed {total} fuzz inputs");
}
