//! Embeds the built-in rule pack (`rules/`) into the binary.
//!
//! Generates `$OUT_DIR/embedded_rules.rs`: a table of `(relative path, bytes)` built with
//! `include_bytes!`, so rustc tracks every rule file and an edited rule rebuilds the crate.
//! (`include_dir` would do the embedding too, but on stable it does not tell cargo about
//! the files, and a stale built-in pack is the worst kind of bug for a rule author.)

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut files = Vec::new();
    collect(&root, &mut files);
    let mut code = String::from(
        "/// Every file of the built-in rule pack: (path relative to `rules/`, contents).\n",
    );
    code.push_str("pub static EMBEDDED_RULES: &[(&str, &[u8])] = &[\n");
    for path in &files {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // Relative to the crate being compiled, not an absolute path: a checkout elsewhere
        // sharing the target directory (CI's clone, a worktree) may reuse this file.
        let in_crate = format!("/rules/{rel}");
        writeln!(
            code,
            "    ({rel:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {in_crate:?}))),"
        )
        .unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("embedded_rules.rs");
    std::fs::write(out, code).unwrap();
}
