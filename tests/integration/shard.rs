//! `scan --shard K/N` + `merge` equals a single-machine scan.

use serde_json::Value;

use crate::util::{bin, json, repo, stderr, tempdir};

/// The assets and roll-up of an inventory, without timings (which differ run to run).
fn comparable(inv: &Value) -> Value {
    let mut assets = inv["assets"].clone();
    for a in assets.as_array_mut().unwrap() {
        a["stats"].as_object_mut().unwrap().remove("duration_ms");
    }
    serde_json::json!({ "assets": assets, "summary": inv["summary"] })
}

fn sharded_equals_whole(path: &str, n: u32) {
    let whole = json(&["scan", path, "--format", "json"], inv_code(path));
    let dir = tempdir();
    let mut parts = Vec::new();
    for k in 0..n {
        let out = dir.path().join(format!("part{k}"));
        let shard = format!("{k}/{n}");
        let o = bin()
            .args([
                "scan",
                path,
                "--shard",
                &shard,
                "--out",
                out.to_str().unwrap(),
                "-q",
            ])
            .output()
            .unwrap();
        assert!(matches!(o.status.code(), Some(0 | 4)), "{}", stderr(&o));
        parts.push(out.join("inventory.json"));
    }
    // Each shard scanned a strict subset.
    let sizes: Vec<usize> = parts
        .iter()
        .map(|p| {
            serde_json::from_slice::<Value>(&std::fs::read(p).unwrap()).unwrap()["assets"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(
        sizes.iter().sum::<usize>(),
        whole["assets"].as_array().unwrap().len(),
        "{sizes:?}"
    );
    let mut args = vec!["merge".to_string()];
    args.extend(parts.iter().rev().map(|p| p.display().to_string()));
    args.extend(["--format".into(), "json".into()]);
    let o = bin().args(&args).output().unwrap();
    let merged: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    assert_eq!(comparable(&merged), comparable(&whole));
}

fn inv_code(path: &str) -> i32 {
    // The fixture tree holds deliberately broken files (exit 4); the demo does not.
    if path.contains("fixtures") {
        4
    } else {
        0
    }
}

#[test]
fn sharded_demo_merges_to_the_full_scan() {
    sharded_equals_whole(repo().join("examples/demo/data").to_str().unwrap(), 3);
}

#[test]
fn sharded_fixture_corpus_merges_to_the_full_scan() {
    sharded_equals_whole(repo().join("tests/fixtures/files").to_str().unwrap(), 4);
}

#[test]
fn sharded_generated_corpus_merges_to_the_full_scan() {
    // `cargo test` builds the examples next to the test binary's directory.
    let gen = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent()?.parent().map(|d| d.join("examples/gen-corpus")))
        .filter(|p| p.exists());
    let Some(gen) = gen else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs `cargo test`, which builds the gen-corpus example"
        );
        eprintln!("skipping: the gen-corpus example is not built (run `cargo test`, not only the integration target)");
        return;
    };
    let dir = tempdir();
    let corpus = dir.path().join("corpus");
    let o = std::process::Command::new(gen)
        .args([
            "--size",
            "4MiB",
            "--seed",
            "11",
            "--out",
            corpus.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    sharded_equals_whole(corpus.to_str().unwrap(), 3);
}
