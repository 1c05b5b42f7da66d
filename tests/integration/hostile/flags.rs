//! Absurd and careless command lines: every one gets a clear usage error (exit 2) or
//! does what it says, quickly; no flag is silently ignored; `-q` means quiet; a scan
//! that read nothing never passes for a clean one; incremental state knows the rules;
//! `dispose` records a reviewed finding.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{bin, stderr, stdout, tempdir, write};

/// Runs piimap with `args`, killing it (and failing the test) after `secs`: a hang is a
/// defect, never a slow pass.
fn run_within(args: &[&str], secs: u64) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("piimap starts");
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("piimap {args:?} still running after {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn small_csv(dir: &Path) -> PathBuf {
    write(
        dir,
        "people.csv",
        "name,email\nAnn Lee,ann.lee@example.com\nBo Chan,bo.chan@example.org\n",
    )
}

#[test]
fn absurd_numbers_and_combinations_are_usage_errors() {
    let dir = tempdir();
    let csv = small_csv(dir.path());
    let csv = csv.to_str().unwrap();
    let db = format!("sqlite:{}", dir.path().join("none.db").display());
    let cases: &[(&[&str], &str)] = &[
        (&["-j", "0"], "--threads"),
        (&["-j", "5000"], "--threads"),
        (&["-j", "-1"], "-1"),
        (&["-j", "99999999999999999999999"], "--threads"),
        (&["--sample-rows", "0"], "--sample-rows"),
        (&["--sample-rows", "99999999999999999999"], "--sample-rows"),
        (&["--sample-rows", "-5"], "-5"),
        (&["--shard", "3/2"], "K < N"),
        (&["--shard", "0/0"], "K < N"),
        (&["--shard", "1"], "K/N"),
        (&["--min-confidence", "2"], "0.0–1.0"),
        (&["--min-confidence", "-0.5"], "-0.5"),
        (&["--min-confidence", "NaN"], "0.0–1.0"),
        (&["--line-cap", "10"], "1K–64M"),
        (&["--line-cap", "99999G"], "1K–64M"),
        (&["--line-cap", "99999999999T"], "too large"),
        (&["--db-concurrency", "0"], "--db-concurrency"),
        (&["--db-concurrency", "100000"], "--db-concurrency"),
        (&["--statement-timeout", "0"], "--statement-timeout"),
        (&["--full", "--sample-rows", "5"], "--full"),
        (&["--full", "--seed", "5"], "--full"),
        (&["--fail-on", "any"], "--config"),
        (&["--verify"], "--state"),
        (&["--notice"], "--config"),
        (&["--views"], "only applies to databases"),
        (&["--statement-timeout", "5"], "only applies to databases"),
    ];
    for (extra, says) in cases {
        let mut args = vec!["scan", csv];
        args.extend_from_slice(extra);
        let o = run_within(&args, 20);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?} must be a usage error\nstdout: {}\nstderr: {}",
            stdout(&o),
            stderr(&o)
        );
        assert!(
            stderr(&o).contains(says),
            "{args:?}: the error must say {says:?}: {}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty(), "{args:?} printed a result");
    }
    // File-tree flags with only a database to scan.
    let o = run_within(&["scan", "--db", &db, "--max-filesize", "1M"], 20);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("only applies to file trees"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn text_and_stdin_scans_refuse_flags_they_cannot_honour() {
    let dir = tempdir();
    let out = dir.path().join("out");
    for extra in [
        &["--out", out.to_str().unwrap()][..],
        &["--sample-rows", "5"],
        &["--state", "s.json"],
        &["--include", "*.csv"],
        &["-j", "2"],
        &["--line-cap", "4K"],
    ] {
        let mut args = vec!["scan", "--text", "card 4111 1111 1111 1111"];
        args.extend_from_slice(extra);
        let o = run_within(&args, 20);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("has no effect"),
            "{args:?}: {}",
            stderr(&o)
        );
        // stdin: the same rule.
        let mut args = vec!["scan"];
        args.extend_from_slice(extra);
        let o = run_within(&args, 20);
        assert_eq!(o.status.code(), Some(2), "stdin {args:?}: {}", stderr(&o));
    }
    assert!(!out.exists(), "nothing was written");
}

#[test]
fn findings_of_a_text_scan_are_written() {
    let dir = tempdir();
    let f = dir.path().join("findings.jsonl");
    let o = run_within(
        &[
            "scan",
            "--text",
            "paid with 4111 1111 1111 1111\nmail ann.lee@example.com",
            "--findings",
            f.to_str().unwrap(),
        ],
        20,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<Value> = std::fs::read_to_string(&f)
        .expect("the findings file exists")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let types: Vec<&str> = lines
        .iter()
        .map(|l| l["data_type"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"credit_card") && types.contains(&"email"),
        "{types:?}"
    );
    let email = lines.iter().find(|l| l["data_type"] == "email").unwrap();
    assert_eq!(email["line"], 2);
    assert_eq!(email["asset"], "<text 1>");
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(
        !text.contains("4111 1111 1111 1111") && !text.contains("ann.lee@"),
        "masked only"
    );
}

#[test]
fn too_many_threads_are_lowered_with_a_warning_not_a_hang() {
    let dir = tempdir();
    let csv = small_csv(dir.path());
    let o = run_within(&["scan", csv.to_str().unwrap(), "-j", "256"], 30);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if 256 > cores * 4 {
        assert!(stderr(&o).contains("-j 256: using"), "{}", stderr(&o));
    }
    assert!(stdout(&o).contains("email"), "{}", stdout(&o));
}

#[test]
fn quiet_prints_nothing_but_still_writes_and_exits_right() {
    let dir = tempdir();
    let csv = small_csv(dir.path());
    let out = dir.path().join("out");
    let o = run_within(
        &[
            "scan",
            csv.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ],
        20,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "-q printed: {}", stdout(&o));
    assert!(out.join("inventory.json").is_file());
    let inv = out.join("inventory.json");
    let o = run_within(
        &["diff", "-q", inv.to_str().unwrap(), inv.to_str().unwrap()],
        20,
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    // A failure still shows as an error and an exit code.
    let o = run_within(
        &["scan", "-q", "--db", "postgres://nobody@127.0.0.1:1/x"],
        30,
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

/// A manifest with one files source holding `data`.
fn manifest(dir: &Path) -> PathBuf {
    write(
        dir,
        "piimap.toml",
        "# the team's manifest\n[organisation]\nlegal_name = \"Acme\"\n\n[sources.exports]\nkind = \"files\"\npath = \"data\"\ndata_types = [\"person_name\"]\n",
    )
}

#[test]
fn check_without_an_inventory_scans_the_manifest_sources() {
    let dir = tempdir();
    small_csv(&dir.path().join("data"));
    let config = manifest(dir.path());
    let o = run_within(
        &[
            "check",
            "--config",
            config.to_str().unwrap(),
            "--fail-on",
            "undeclared",
        ],
        60,
    );
    assert_eq!(o.status.code(), Some(3), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("FAIL [undeclared]"), "{}", stdout(&o));
    assert!(stdout(&o).contains("Email"), "{}", stdout(&o));
    // With nothing to scan, the error says how to get an inventory.
    let bare = write(
        dir.path(),
        "bare.toml",
        "[organisation]\nlegal_name = \"Acme\"\n",
    );
    let o = run_within(&["check", "--config", bare.to_str().unwrap()], 20);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--inventory"), "{}", stderr(&o));
}

fn asset<'a>(inv: &'a Value, suffix: &str) -> &'a Value {
    inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no asset ending {suffix}"))
}

#[test]
fn an_asset_in_which_nothing_was_read_never_passes_for_clean() {
    let dir = tempdir();
    write(dir.path(), "data/empty.csv", "name,email,ssn\n");
    write(
        dir.path(),
        "data/ok.csv",
        "id,email\n1,ann.lee@example.com\n",
    );
    let db = dir.path().join("app.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT);")
        .unwrap();
    drop(conn);
    let data = dir.path().join("data");
    let o = run_within(
        &[
            "scan",
            data.to_str().unwrap(),
            "--db",
            &format!("sqlite:{}", db.display()),
            "--format",
            "json",
        ],
        30,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    for id in ["empty.csv", "/customers"] {
        let a = asset(&inv, id);
        assert_eq!(a["status"], "empty", "{id}: {a}");
        assert!(
            a["errors"].to_string().contains("nothing was read"),
            "{id}: {a}"
        );
    }
    assert_eq!(asset(&inv, "ok.csv")["status"], "scanned");
    assert_eq!(inv["scan"]["assets_empty"], 2);
    // The summary says so too.
    let o = run_within(&["scan", data.to_str().unwrap()], 30);
    let table = stdout(&o);
    assert!(
        table.contains("empty") && table.contains("nothing was read"),
        "{table}"
    );
}

#[test]
fn a_rule_or_threshold_change_rescans_carried_assets() {
    let dir = tempdir();
    let csv = small_csv(&dir.path().join("data"));
    let state = dir.path().join("state.json");
    let scan = |extra: &[&str]| -> Value {
        let mut args = vec![
            "scan",
            csv.to_str().unwrap(),
            "--state",
            state.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let o = run_within(&args, 30);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let list = |v: &Value, k: &str| -> Vec<String> {
        v["scan"][k]
            .as_array()
            .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    scan(&[]);
    let again = scan(&[]);
    assert_eq!(list(&again, "carried").len(), 1, "{again}");
    // A user rule pack changes what detection runs on.
    let rules = dir.path().join("rules");
    write(
        &rules,
        "detectors/sku.toml",
        r#"[[detector]]
id = "acme_sku"
data_type = "device_id"
patterns = ['SKU-[0-9]{6}']
confidence = 0.8
[detector.examples]
match = ["SKU-123456", "x SKU-654321 y", "SKU-000001"]
no_match = ["SKU-12", "sku", "SKU-ABCDEF"]
"#,
    );
    let ruled = scan(&["--rules", rules.to_str().unwrap()]);
    let why = list(&ruled, "rescanned");
    assert_eq!(list(&ruled, "carried").len(), 0, "{ruled}");
    assert!(
        why.len() == 1 && why[0].ends_with("rescanned because the rule pack changed"),
        "{why:?}"
    );
    let stricter = scan(&[
        "--rules",
        rules.to_str().unwrap(),
        "--min-confidence",
        "0.9",
    ]);
    let why = list(&stricter, "rescanned");
    assert!(why[0].contains("min_confidence 0.50 → 0.90"), "{why:?}");
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["stamp"]["piimap_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(saved["stamp"]["rules"].as_str().unwrap().len(), 64);
}

#[test]
fn dispose_records_a_reviewed_finding_in_the_manifest() {
    let dir = tempdir();
    write(
        &dir.path().join("data"),
        "orders.csv",
        "order,email\n1,ann.lee@example.com\n2,bo.chan@example.org\n",
    );
    let config = manifest(dir.path());
    let out = dir.path().join("out");
    let o = run_within(
        &[
            "scan",
            "--config",
            config.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        30,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let inv = out.join("inventory.json");
    let before = std::fs::read_to_string(&config).unwrap();
    let dispose = |extra: &[&str]| {
        let mut args = vec![
            "dispose",
            "--inventory",
            inv.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--reason",
            "test addresses of the QA team",
            "--reviewer",
            "privacy@acme.example",
        ];
        args.extend_from_slice(extra);
        run_within(&args, 20)
    };
    // A glob that matches nothing is refused, and the manifest is left alone.
    let o = dispose(&["--asset", "file:**/nothing.csv", "--false-positive"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no finding"), "{}", stderr(&o));
    let o = dispose(&[
        "--asset",
        "file:**/orders.csv",
        "--accepted",
        "--expires",
        "2001-01-01",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);

    let o = dispose(&[
        "--asset",
        "file:**/orders.csv",
        "--field",
        "email",
        "--type",
        "email",
        "--false-positive",
        "--expires",
        "2099-12-31",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("1 finding(s)"), "{}", stdout(&o));
    let after = std::fs::read_to_string(&config).unwrap();
    assert!(
        after.starts_with(&before),
        "comments and layout kept:\n{after}"
    );
    assert!(after.contains("status = \"false_positive\""), "{after}");
    // The next scan applies it: the email is dismissed, no undeclared violation.
    let o = run_within(
        &[
            "scan",
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "undeclared",
        ],
        30,
    );
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    let email = inv["data_map"]["data_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["data_type"] == "email");
    assert!(
        email.is_none_or(|t| t["assets"].as_array().unwrap().is_empty()),
        "{email:?}"
    );
}
