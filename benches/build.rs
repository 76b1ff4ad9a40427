//! Finds bcg729 (Belledonne's G.729A C library, the peer of the `g729`
//! benchmark group; Debian `libbcg729-dev`) and, when it is there, links it
//! and sets `cfg(bcg729)`. Without it the benches still build and the `g729`
//! group measures only our codec, saying why.
//!
//! Order: `BCG729_LIB_DIR` (a directory holding `libbcg729.so` or `.a`),
//! then `pkg-config libbcg729`, then the usual library directories.

use std::path::{Path, PathBuf};
use std::process::Command;

fn has_lib(dir: &Path) -> bool {
    dir.join("libbcg729.so").exists() || dir.join("libbcg729.a").exists()
}

/// Library directory from `pkg-config --libs-only-L libbcg729` (an empty
/// `-L` list means the linker's default path).
fn pkg_config() -> Option<Option<PathBuf>> {
    let out = Command::new("pkg-config")
        .args(["--libs-only-L", "libbcg729"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let dirs: Vec<PathBuf> = text
        .split_whitespace()
        .filter_map(|t| t.strip_prefix("-L"))
        .map(PathBuf::from)
        .collect();
    Some(dirs.into_iter().find(|d| has_lib(d)))
}

fn find() -> Option<Option<PathBuf>> {
    if let Some(dir) = std::env::var_os("BCG729_LIB_DIR").map(PathBuf::from) {
        return has_lib(&dir).then_some(Some(dir));
    }
    if let Some(found) = pkg_config() {
        return Some(found);
    }
    let multiarch = format!(
        "/usr/lib/{}-linux-gnu",
        std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default()
    );
    [
        multiarch.as_str(),
        "/usr/lib",
        "/usr/local/lib",
        "/usr/lib64",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|d| has_lib(d))
    .map(Some)
}

fn main() {
    println!("cargo::rustc-check-cfg=cfg(bcg729)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=BCG729_LIB_DIR");
    println!("cargo::rerun-if-env-changed=PKG_CONFIG_PATH");
    match find() {
        Some(dir) => {
            if let Some(dir) = dir {
                println!("cargo::rustc-link-search=native={}", dir.display());
            }
            println!("cargo::rustc-link-lib=bcg729");
            println!("cargo::rustc-cfg=bcg729");
        }
        None => println!(
            "cargo::warning=bcg729 not found (apt-get install libbcg729-dev, or set BCG729_LIB_DIR): the g729 benchmarks measure only our codec"
        ),
    }
}
