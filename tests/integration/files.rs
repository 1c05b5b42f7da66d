//! `piimap scan PATH…` on fixture trees and on the real sample datasets in
//! `../shared/datasets` (read in place, never copied into the repository).

use serde_json::Value;

use crate::util::{bin, dataset, json, repo, run, stderr, stdout, tempdir, write};

/// The data types the inventory lists for `field` of the asset whose path ends with `asset`.
fn types_of(inv: &Value, asset: &str, field: Option<&str>) -> Vec<String> {
    let a = inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["asset"].as_str().unwrap().ends_with(asset))
        .unwrap_or_else(|| panic!("no asset {asset}"));
    a["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["field"].as_str() == field)
        .flat_map(|f| {
            f["types"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["data_type"].as_str().unwrap().to_string())
        })
        .collect()
}

fn asset<'a>(inv: &'a Value, suffix: &str) -> &'a Value {
    inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["asset"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no asset {suffix}"))
}

fn fixtures() -> String {
    repo().join("tests/fixtures/files").display().to_string()
}

#[test]
fn fixture_tree_is_classified_and_bad_files_do_not_stop_the_others() {
    let out = tempdir();
    let findings = out.path().join("findings.jsonl");
    let o = run(&[
        "scan",
        &fixtures(),
        "--out",
        out.path().to_str().unwrap(),
        "--findings",
        findings.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(4),
        "a failed asset makes the run partial\n{}",
        stderr(&o)
    );
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    let on_disk: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("inventory.json")).unwrap()).unwrap();
    assert_eq!(inv, on_disk, "stdout JSON and inventory.json agree");
    assert_eq!(inv["schema"], "piimap.inventory/1");

    // Known PII columns.
    for (field, ty) in [
        ("email", "email"),
        ("phone", "phone"),
        ("ssn", "ssn"),
        ("card_number", "credit_card"),
        ("first_name", "person_name"),
        ("last_name", "person_name"),
        ("street_address", "street_address"),
        ("notes", "email"),
    ] {
        let got = types_of(&inv, "customers.csv", Some(field));
        assert!(
            got.first().map(String::as_str) == Some(ty),
            "{field}: expected {ty}, got {got:?}"
        );
    }
    // Decoys: order ids, SKUs, prices, UUIDs, 16-digit non-Luhn numbers.
    for field in [
        "order_id",
        "sku",
        "price",
        "request_uuid",
        "ref_number",
        "id",
    ] {
        assert!(
            types_of(&inv, "customers.csv", Some(field)).is_empty(),
            "decoy {field} classified: {:?}",
            types_of(&inv, "customers.csv", Some(field))
        );
    }
    // Nested JSON lines field by its dotted path.
    assert!(
        types_of(&inv, "events.jsonl", Some("user.contact.email")).contains(&"email".to_string())
    );
    assert!(types_of(&inv, "events.jsonl", Some("client.ip")).contains(&"ip_address".to_string()));

    // Binary skipped; bad files reported, not fatal to the others.
    assert_eq!(asset(&inv, "blob.bin")["status"], "skipped");
    let truncated = asset(&inv, "truncated.log.gz");
    assert!(
        matches!(truncated["status"].as_str(), Some("partial" | "failed")),
        "{truncated}"
    );
    assert!(
        truncated["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("deflate"),
        "{truncated}"
    );
    let ragged = asset(&inv, "ragged.csv");
    assert_eq!(ragged["status"], "scanned");
    assert!(
        ragged["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "ragged_rows"),
        "{ragged}"
    );
    assert!(types_of(&inv, "ragged.csv", Some("email")).contains(&"email".to_string()));
    let utf8 = asset(&inv, "invalid_utf8.log");
    assert!(
        utf8["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "invalid_utf8" && e["count"] == 1),
        "{utf8}"
    );
    assert!(types_of(&inv, "invalid_utf8.log", None).contains(&"credit_card".to_string()));
    let empty = asset(&inv, "empty.csv");
    assert_eq!(empty["status"], "scanned");
    assert_eq!(empty["errors"][0]["kind"], "empty");

    // Findings file: gzip log line numbers are right, tabular rows are 0-based.
    let lines: Vec<Value> = std::fs::read_to_string(&findings)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let log_lines: Vec<u64> = lines
        .iter()
        .filter(|f| f["asset"].as_str().unwrap().ends_with("app.log.gz"))
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(log_lines, vec![3, 77, 150]);
    let first_csv = lines
        .iter()
        .find(|f| f["asset"].as_str().unwrap().ends_with("customers.csv") && f["field"] == "email")
        .unwrap();
    assert_eq!(first_csv["row"], 0);
    assert_eq!(first_csv["line"], 2);
    for f in &lines {
        for key in [
            "asset",
            "field",
            "line",
            "row",
            "data_type",
            "rule",
            "confidence",
            "masked",
        ] {
            assert!(f.get(key).is_some(), "finding without {key}: {f}");
        }
    }
    // Atomic writes leave no temporary files behind.
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn version_strings_are_not_ip_addresses() {
    let dir = tempdir();
    write(
        dir.path(),
        "app.log",
        "2026-01-05 INFO upgraded to version 10.2.3.4\n2026-01-05 INFO build 1.2.3.4 deployed\n",
    );
    let inv = json(
        &["scan", dir.path().to_str().unwrap(), "--format", "json"],
        0,
    );
    assert!(!types_of(&inv, "app.log", None).contains(&"ip_address".to_string()));
}

#[test]
fn a_100mb_line_is_capped_and_counted() {
    let dir = tempdir();
    let mut line = vec![b'x'; 100 << 20];
    line.extend_from_slice(b" card 4111 1111 1111 1111\nnext line mail ann@example.com\n");
    write(dir.path(), "huge.log", &line);
    let inv = json(
        &["scan", dir.path().to_str().unwrap(), "--format", "json"],
        0,
    );
    let a = asset(&inv, "huge.log");
    assert!(
        a["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "truncated_lines" && e["count"] == 1),
        "{a}"
    );
    // The part past the cap is not scanned; the next line is.
    assert_eq!(types_of(&inv, "huge.log", None), vec!["email".to_string()]);
}

#[test]
fn many_small_files() {
    let dir = tempdir();
    for i in 0..100_000u32 {
        let sub = dir.path().join(format!("d{}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir(&sub).unwrap();
        }
        let body = if i % 25_000 == 7 {
            format!("user{i}@example.com\n")
        } else {
            format!("line {i}\n")
        };
        std::fs::write(sub.join(format!("f{i}.txt")), body).unwrap();
    }
    let inv = json(
        &["scan", dir.path().to_str().unwrap(), "--format", "json"],
        0,
    );
    assert_eq!(inv["scan"]["assets_scanned"], 100_000);
    assert_eq!(inv["summary"]["email"]["assets"], 4);
}

#[test]
fn symlink_loops_and_fifos_do_not_hang_or_stop_the_scan() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "d/ok.log", "mail ann@example.com\n");
    std::os::unix::fs::symlink(p.join("d"), p.join("d/loop")).unwrap();
    let has_fifo = std::process::Command::new("mkfifo")
        .arg(p.join("d/pipe"))
        .status()
        .is_ok_and(|s| s.success());
    let o = run(&["scan", p.to_str().unwrap(), "--follow", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(4),
        "the loop is an error: {}",
        stderr(&o)
    );
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(types_of(&inv, "ok.log", None), vec!["email".to_string()]);
    if has_fifo {
        assert_eq!(asset(&inv, "pipe")["status"], "skipped");
    }
    // Without --follow the link is skipped, not followed: nothing fails.
    let inv = json(&["scan", p.to_str().unwrap(), "--format", "json"], 0);
    assert_eq!(asset(&inv, "loop")["status"], "skipped");
}

#[test]
fn unreadable_files_are_reported_per_asset() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "ok.log", "mail ann@example.com\n");
    let secret = write(p, "secret.log", "mail bob@example.com\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    let root = std::fs::read(&secret).is_ok();
    let o = if root {
        // Root reads anything: run piimap as an unprivileged user to get a real EACCES.
        let mut cmd = std::process::Command::new("setpriv");
        cmd.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_piimap"),
            "scan",
            p.to_str().unwrap(),
            "--format",
            "json",
        ]);
        cmd.env("NO_COLOR", "1");
        cmd.output().expect("setpriv (util-linux) runs")
    } else {
        bin()
            .args(["scan", p.to_str().unwrap(), "--format", "json"])
            .output()
            .unwrap()
    };
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = asset(&inv, "secret.log");
    assert_eq!(s["status"], "failed");
    assert!(
        s["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("ermission denied"),
        "{s}"
    );
    assert!(
        s["fields"].as_array().unwrap().is_empty(),
        "a failed asset claims nothing"
    );
    assert_eq!(types_of(&inv, "ok.log", None), vec!["email".to_string()]);
}

#[test]
fn sampling_is_deterministic_and_full_reads_everything() {
    let dir = tempdir();
    let mut csv = String::from("id,email\n");
    for i in 0..5000 {
        csv.push_str(&format!("{i},user{i}@example.com\n"));
    }
    write(dir.path(), "t.csv", &csv);
    let d = dir.path().to_str().unwrap();
    let a = json(
        &[
            "scan",
            d,
            "--sample-rows",
            "100",
            "--seed",
            "7",
            "--format",
            "json",
        ],
        0,
    );
    let b = json(
        &[
            "scan",
            d,
            "--sample-rows",
            "100",
            "--seed",
            "7",
            "--format",
            "json",
        ],
        0,
    );
    let stats = |v: &Value| asset(v, "t.csv")["stats"].clone();
    assert_eq!(stats(&a)["rows_scanned"], 100);
    assert_eq!(stats(&a)["rows"], 5000);
    assert!(stats(&a)["sampling"].as_str().unwrap().contains("seed 7"));
    assert_eq!(
        asset(&a, "t.csv")["fields"],
        asset(&b, "t.csv")["fields"],
        "same seed, same sample"
    );
    let full = json(&["scan", d, "--full", "--format", "json"], 0);
    assert_eq!(stats(&full)["rows_scanned"], 5000);
    assert_eq!(stats(&full)["sampling"], "full");
}

/// A rare leak deep in a file is never skipped: files are read to the end by default
/// (sampling is opt-in), and every asset says what was read.
#[test]
fn files_are_read_in_full_by_default_and_say_what_was_read() {
    let dir = tempdir();
    let mut jsonl = String::new();
    let mut csv = String::from("id,note\n");
    for i in 1..=20_000u32 {
        if i == 15_000 {
            jsonl.push_str("{\"level\":\"info\",\"msg\":\"ssn 536-22-8726 on file\"}\n");
            csv.push_str("15000,customer ssn 536-22-8726\n");
        } else {
            jsonl.push_str(&format!(
                "{{\"level\":\"info\",\"msg\":\"request {i} done\"}}\n"
            ));
            csv.push_str(&format!("{i},ok\n"));
        }
    }
    write(dir.path(), "events.jsonl", &jsonl);
    write(dir.path(), "notes.csv", &csv);
    let d = dir.path().to_str().unwrap();
    let inv = json(&["scan", d, "--format", "json"], 0);
    for (file, field) in [("events.jsonl", "msg"), ("notes.csv", "note")] {
        assert!(
            types_of(&inv, file, Some(field)).contains(&"ssn".to_string()),
            "{file}: the SSN in row 15,000 is found: {}",
            asset(&inv, file)
        );
        let stats = &asset(&inv, file)["stats"];
        assert_eq!(stats["rows_scanned"], 20_000, "{file}");
        assert_eq!(stats["coverage"], "all 20000 rows", "{file}");
    }
    assert_eq!(
        inv["scan"]["settings"]["sample_rows"],
        "files: all rows; databases: 10000"
    );
    // Sampling stays available as an opt-in, and says so.
    let sampled = json(&["scan", d, "--sample-rows", "1000", "--format", "json"], 0);
    let coverage = asset(&sampled, "events.jsonl")["stats"]["coverage"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(coverage.starts_with("1000 of 20000 rows ("), "{coverage}");
}

#[test]
fn walking_flags() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "a.log", "mail ann@example.com\n");
    write(p, ".hidden.log", "mail bob@example.com\n");
    write(p, "skip/b.log", "mail cy@example.com\n");
    write(p, ".ignore", "skip/\n");
    let d = p.to_str().unwrap();
    let count = |args: &[&str]| {
        json(&[&["scan", d, "--format", "json"], args].concat(), 0)["assets"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count(&[]), 1);
    assert_eq!(
        count(&["--hidden"]),
        3,
        "--hidden also reads .ignore itself"
    );
    assert_eq!(count(&["--no-ignore"]), 2);
    assert_eq!(count(&["--no-ignore", "--exclude", "**/skip/**"]), 1);
    assert_eq!(count(&["--no-ignore", "--include", "b.*"]), 1);
}

fn scan_dataset(rel: &str) -> Option<Value> {
    let Some(path) = dataset(rel) else {
        eprintln!("skipping: ../shared/datasets/{rel} is not present");
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ../shared/datasets/{rel}"
        );
        return None;
    };
    Some(json(
        &["scan", path.to_str().unwrap(), "--format", "json"],
        0,
    ))
}

#[test]
fn chinook_csv_export() {
    let Some(inv) = scan_dataset("chinook/csv") else {
        return;
    };
    for (file, field, ty) in [
        ("customer.csv", "email", "email"),
        ("customer.csv", "phone", "phone"),
        ("customer.csv", "first_name", "person_name"),
        ("customer.csv", "last_name", "person_name"),
        ("customer.csv", "address", "street_address"),
        ("customer.csv", "postal_code", "postal_code"),
        ("employee.csv", "email", "email"),
        ("employee.csv", "birth_date", "date_of_birth"),
        ("employee.csv", "title", "job_title"),
    ] {
        assert!(
            types_of(&inv, file, Some(field)).contains(&ty.to_string()),
            "chinook {file}.{field}: {:?}",
            types_of(&inv, file, Some(field))
        );
    }
    // Catalogue columns hold no personal information.
    for (file, field) in [
        ("track.csv", "name"),
        ("genre.csv", "name"),
        ("album.csv", "title"),
        ("media_type.csv", "name"),
    ] {
        assert!(
            types_of(&inv, file, Some(field)).is_empty(),
            "chinook {file}.{field}: {:?}",
            types_of(&inv, file, Some(field))
        );
    }
}

#[test]
fn pagila_csv_export() {
    let Some(inv) = scan_dataset("pagila/csv") else {
        return;
    };
    for (file, field, ty) in [
        ("customer.csv", "email", "email"),
        ("customer.csv", "first_name", "person_name"),
        ("customer.csv", "last_name", "person_name"),
        ("staff.csv", "email", "email"),
        ("staff.csv", "password", "credential"),
        ("address.csv", "address", "street_address"),
        ("address.csv", "phone", "phone"),
    ] {
        assert!(
            types_of(&inv, file, Some(field)).contains(&ty.to_string()),
            "pagila {file}.{field}: {:?}",
            types_of(&inv, file, Some(field))
        );
    }
    for (file, field) in [
        ("film.csv", "title"),
        ("film.csv", "description"),
        ("category.csv", "name"),
        ("language.csv", "name"),
    ] {
        assert!(
            types_of(&inv, file, Some(field)).is_empty(),
            "pagila {file}.{field}: {:?}",
            types_of(&inv, file, Some(field))
        );
    }
}

#[test]
fn elastic_apache_access_log_per_field() {
    let Some(inv) = scan_dataset("elastic_apache_logs") else {
        return;
    };
    let a = asset(&inv, "apache_logs.gz");
    assert_eq!(a["line_format"], "access_log");
    assert_eq!(a["stats"]["rows"], 10_000);
    assert!(types_of(&inv, "apache_logs.gz", Some("client_ip")).contains(&"ip_address".to_string()));
    assert!(types_of(&inv, "apache_logs.gz", Some("referrer")).contains(&"url".to_string()));
    assert!(
        types_of(&inv, "apache_logs.gz", Some("user_agent")).contains(&"user_agent".to_string())
    );
}

#[test]
fn loghub_openssh_ip_addresses_on_their_lines() {
    let Some(path) = dataset("loghub/OpenSSH_2k.log") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have the loghub sample"
        );
        return;
    };
    let out = tempdir();
    let findings = out.path().join("f.jsonl");
    let o = run(&[
        "scan",
        path.to_str().unwrap(),
        "--findings",
        findings.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(types_of(&inv, "OpenSSH_2k.log", None).contains(&"ip_address".to_string()));
    // Line 2 is "Invalid user webmaster from 173.234.31.186".
    let text = std::fs::read_to_string(&findings).unwrap();
    let line2: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|f| f["line"] == 2)
        .collect();
    assert!(
        line2
            .iter()
            .any(|f| f["data_type"] == "ip_address" && f["masked"] == "173.*.*.*"),
        "{line2:?}"
    );
}

#[test]
fn windows_version_strings_in_loghub_are_not_ips() {
    let Some(path) = dataset("loghub/Windows_2k.log") else {
        return;
    };
    let inv = json(&["scan", path.to_str().unwrap(), "--format", "json"], 0);
    assert!(
        !types_of(&inv, "Windows_2k.log", None).contains(&"ip_address".to_string()),
        "{:?}",
        types_of(&inv, "Windows_2k.log", None)
    );
}

#[test]
fn thunderbird_syslog_tags_are_not_emails() {
    let Some(path) = dataset("loghub/Thunderbird_2k.log") else {
        return;
    };
    let inv = json(&["scan", path.to_str().unwrap(), "--format", "json"], 0);
    assert!(!types_of(&inv, "Thunderbird_2k.log", None).contains(&"email".to_string()));
}

/// The raw values the fixture generator wrote (kept outside the scanned tree).
fn raw_pii_values() -> Vec<String> {
    std::fs::read_to_string(repo().join("tests/fixtures/pii-values.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn no_raw_value_leaks_into_any_output() {
    let out = tempdir();
    let findings = out.path().join("findings.jsonl");
    let mut outputs = Vec::new();
    for format in ["json", "table"] {
        let o = bin()
            .args([
                "scan",
                &fixtures(),
                "-vv",
                "--out",
                out.path().to_str().unwrap(),
                "--findings",
                findings.to_str().unwrap(),
                "--format",
                format,
            ])
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        outputs.push(("stdout", stdout(&o)));
        outputs.push(("stderr", stderr(&o)));
        outputs.push((
            "inventory.json",
            std::fs::read_to_string(out.path().join("inventory.json")).unwrap(),
        ));
        outputs.push(("findings", std::fs::read_to_string(&findings).unwrap()));
    }
    // Per-rule explanations too.
    let o = run(&[
        "rules",
        "test",
        "--format",
        "json",
        "card 4111 1111 1111 1111 mail ann.lee@example.com",
    ]);
    outputs.push(("rules test", stdout(&o)));
    let values = raw_pii_values();
    assert!(values.len() > 200);
    for (name, text) in &outputs {
        assert!(
            !text.is_empty() || name.starts_with("std"),
            "{name} is empty"
        );
        for v in &values {
            assert!(
                !text.contains(v.as_str()),
                "{name} contains a raw value from the fixtures"
            );
        }
    }
}

#[test]
fn stdin_is_scanned_as_text() {
    use std::io::Write;
    let mut child = bin()
        .args(["scan", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello\ncard 4111 1111 1111 1111\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["findings"][0]["data_type"], "credit_card");
    assert_eq!(v["findings"][0]["line"], 2);
}

/// Key=value and JSON keys in logs enable the context-gated detectors exactly as a
/// column header does, and the precision rules hold: a phone column of dotted numbers
/// holds phones, `hire_date` is no employer, the user of a connection string is no
/// e-mail address; user names under ownership fields and URLs without a scheme under
/// URL-like names are found.
#[test]
fn log_field_names_work_like_column_headers() {
    let dir = tempdir();
    let mut kv = String::new();
    let mut jsonl = String::new();
    let mut csv = String::from("routing,account,dx,member_id\n");
    for i in 10..40 {
        kv.push_str(&format!(
            "ts=2026-01-01T00:00:{i}Z level=info routing=021000021 account=98765432{i} dx=I48.91 member_id=1EG4TE5MK73 msg=\"ok\"\n"
        ));
        csv.push_str(&format!("021000021,98765432{i},I48.91,1EG4TE5MK73\n"));
        jsonl.push_str(&format!(
            "{{\"ts\":\"2026-01-01T00:00:{i}Z\",\"payment\":{{\"routing\":\"021000021\"}},\"phone\":\"88.60.15.{i}\",\"hire_date\":\"2020-01-{:02}\",\"db\":\"postgres://app_user@db.internal:5432/app\",\"assigned_to\":\"jsmith{i}\",\"profile\":\"linkedin.com/in/jane-doe-{i}\"}}\n",
            i % 28 + 1
        ));
    }
    write(dir.path(), "app.log", &kv);
    write(dir.path(), "events.log", &jsonl);
    write(dir.path(), "t.csv", &csv);
    let inv = json(
        &["scan", dir.path().to_str().unwrap(), "--format", "json"],
        0,
    );
    for (field, ty) in [
        ("routing", "routing_number"),
        ("account", "bank_account"),
        ("dx", "health"),
        ("member_id", "health"),
    ] {
        let log = types_of(&inv, "app.log", Some(field));
        let table = types_of(&inv, "t.csv", Some(field));
        assert!(log.contains(&ty.to_string()), "app.log {field}: {log:?}");
        assert_eq!(log, table, "{field}: a log key works like a column header");
    }
    assert_eq!(
        types_of(&inv, "events.log", Some("payment.routing")),
        ["routing_number"]
    );
    assert_eq!(types_of(&inv, "events.log", Some("phone")), ["phone"]);
    assert!(types_of(&inv, "events.log", Some("hire_date")).is_empty());
    assert!(types_of(&inv, "events.log", Some("db")).is_empty());
    assert_eq!(
        types_of(&inv, "events.log", Some("assigned_to")),
        ["username"]
    );
    assert_eq!(types_of(&inv, "events.log", Some("profile")), ["url"]);
}
