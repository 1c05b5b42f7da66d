//! Helpers: run the real `piimap` binary and look at what it printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The piimap binary cargo built for these tests.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_piimap"));
    cmd.env_remove("RUST_LOG")
        .env_remove("PIIMAP_RULES")
        .env("NO_COLOR", "1");
    cmd
}

/// Runs piimap with `args`.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("piimap runs")
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs piimap and parses its stdout as JSON, asserting exit code `code`.
pub fn json(args: &[&str], code: i32) -> serde_json::Value {
    let o = run(args);
    assert_eq!(
        o.status.code(),
        Some(code),
        "piimap {args:?}\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("piimap {args:?}: not JSON ({e}): {}", stdout(&o)))
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/datasets/<rel>` beside the repository root, if present.
pub fn dataset(rel: &str) -> Option<PathBuf> {
    let p = repo().join("..").join("shared").join("datasets").join(rel);
    p.exists().then_some(p)
}

/// A fresh temporary directory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Writes `contents` to `dir/rel`, creating parents.
pub fn write(dir: &Path, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, contents).unwrap();
    p
}
