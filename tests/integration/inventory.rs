//! The inventory on the demo project: manifest, policy checks, dispositions, diff,
//! incremental runs and the table outputs.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{bin, repo, stderr, stdout, tempdir};

/// Copies the demo project (manifest and data) into `dir`.
fn demo_copy(dir: &Path) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                copy(&p, &to.join(e.file_name()));
            } else {
                std::fs::copy(&p, to.join(e.file_name())).unwrap();
            }
        }
    }
    let demo = repo().join("examples/demo");
    copy(&demo.join("data"), &dir.join("data"));
    std::fs::copy(demo.join("piimap.toml"), dir.join("piimap.toml")).unwrap();
    dir.join("piimap.toml")
}

fn scan(config: &Path, extra: &[&str]) -> (i32, Value, String) {
    let o = bin()
        .args([
            "scan",
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
        ])
        .args(extra)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&o), stderr(&o)));
    (o.status.code().unwrap(), v, stderr(&o))
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// (data type, presence) pairs of the data map.
fn presence(inv: &Value) -> Vec<(String, String)> {
    let map = &inv["data_map"];
    assert!(map.is_object(), "a manifest gives a data map");
    map["data_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["data_type"].as_str().unwrap().to_string(),
                t["presence"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn demo_data_map_joins_scan_and_manifest() {
    let dir = tempdir();
    let config = demo_copy(dir.path());
    let (code, inv, err) = scan(&config, &[]);
    assert_eq!(code, 0, "{err}");
    let types = presence(&inv);
    assert!(
        types.contains(&("email".into(), "found_and_declared".into())),
        "{types:?}"
    );
    assert!(
        types.contains(&("ssn".into(), "found_and_declared".into())),
        "{types:?}"
    );
    let map = &inv["data_map"];
    // Every asset knows its manifest source.
    for a in inv["assets"].as_array().unwrap() {
        assert!(a["source"].is_string(), "{} has no source", a["id"]);
    }
    // CCPA roll-up with statutory names, and sensitive PI in category L.
    let cats: Vec<&str> = map["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(cats.contains(&"Identifiers"), "{cats:?}");
    let l = map["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["letter"] == "L")
        .expect("sensitive PI category");
    assert!(l["data_types"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "ssn"));
    // Observed recipients: the Stripe and Google Analytics calls and the Meta pixel are
    // all declared, the pixel as sharing.
    let recipients = map["recipients"].as_array().unwrap();
    let meta = recipients
        .iter()
        .find(|r| r["id"] == "facebook")
        .expect("the pixel is observed");
    assert_eq!(meta["declared"], true);
    assert_eq!(meta["shared"], true);
    assert_eq!(meta["observed"], true);
    assert_eq!(meta["advertising"], true);
    let stripe = recipients.iter().find(|r| r["id"] == "stripe").unwrap();
    assert_eq!(
        (stripe["declared"].as_bool(), stripe["observed"].as_bool()),
        (Some(true), Some(true))
    );
}

fn check(inventory: &Path, config: &Path, fail_on: &str) -> (i32, Value) {
    let o = bin()
        .args([
            "check",
            "--inventory",
            inventory.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--fail-on",
            fail_on,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|_| panic!("{}{}", stdout(&o), stderr(&o))),
    )
}

#[test]
fn removing_a_declaration_fails_the_check_naming_asset_and_field() {
    let dir = tempdir();
    let config = demo_copy(dir.path());
    let out = dir.path().join("out");
    let (code, _, err) = scan(&config, &["--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let inventory = out.join("inventory.json");
    let (code, _) = check(&inventory, &config, "undeclared");
    assert_eq!(code, 0, "the demo declares everything it holds");

    edit(
        &config,
        "\"street_address\", \"postal_code\"",
        "\"postal_code\"",
    );
    let (code, v) = check(&inventory, &config, "undeclared");
    assert_eq!(code, 3);
    let undeclared: Vec<&Value> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "undeclared")
        .collect();
    assert_eq!(undeclared.len(), 1, "{undeclared:?}");
    assert_eq!(undeclared[0]["subject"], "street_address");
    assert!(undeclared[0]["asset"]
        .as_str()
        .unwrap()
        .ends_with("customers.csv"));
    assert_eq!(undeclared[0]["field"], "street_address");
    // The same through `scan --fail-on`.
    let (code, _, _) = scan(&config, &["--fail-on", "undeclared"]);
    assert_eq!(code, 3);
}

#[test]
fn an_undeclared_vendor_in_the_logs_is_reported() {
    let dir = tempdir();
    let config = demo_copy(dir.path());
    // The demo without its declaration of the Meta pixel, which its logs still show.
    let text = std::fs::read_to_string(&config).unwrap();
    let start = text
        .find("[recipients.facebook]")
        .expect("declared in the demo");
    let end = start + text[start..].find("\n\n").unwrap();
    let text = format!("{}{}", &text[..start], &text[end..]).replacen(
        "recipients = [\"google_analytics\", \"stripe\", \"facebook\"]",
        "recipients = [\"google_analytics\", \"stripe\"]",
        1,
    );
    let text = match text.find("recipient = \"facebook\"") {
        Some(at) => {
            let s = text[..at].rfind("[[dispositions]]").unwrap();
            let e = at + text[at..].find("\n\n").unwrap_or(text.len() - at);
            format!("{}{}", &text[..s], &text[e..])
        }
        None => text,
    };
    std::fs::write(&config, text).unwrap();
    let out = dir.path().join("out");
    scan(&config, &["--out", out.to_str().unwrap()]);
    let (code, v) = check(&out.join("inventory.json"), &config, "recipients");
    assert_eq!(code, 3);
    let r: Vec<&Value> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "recipients")
        .collect();
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0]["subject"], "facebook");
    assert!(
        r[0]["message"].as_str().unwrap().contains("app.log.gz"),
        "{}",
        r[0]["message"]
    );
    // Declaring it (as a third party the data is shared with) clears both checks.
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[recipients.facebook]\nname = \"Meta\"\nrole = \"third_party\"\ncategory = \"social_networks\"\npurposes = [\"cross_context_behavioral_advertising\"]\nshared_for_cross_context_advertising = true\n");
    std::fs::write(&config, text).unwrap();
    let (code, v) = check(&out.join("inventory.json"), &config, "recipients,sale");
    assert_eq!(code, 0, "{v}");
}

#[test]
fn a_disposition_suppresses_a_finding() {
    let dir = tempdir();
    let config = demo_copy(dir.path());
    edit(
        &config,
        "[\"email\", \"phone\", \"message_content\"]",
        "[\"email\", \"message_content\"]",
    );
    let out = dir.path().join("out");
    scan(&config, &["--out", out.to_str().unwrap()]);
    let inventory = out.join("inventory.json");
    let (code, v) = check(&inventory, &config, "undeclared");
    assert_eq!(code, 3, "the phone in support tickets is undeclared: {v}");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(
        "\n[[dispositions]]\nasset = \"sqlite:**/support_tickets\"\nfield = \"message\"\ndata_type = \"phone\"\nstatus = \"false_positive\"\nreason = \"ticket reference numbers\"\nreviewer = \"qa@trailhead.example\"\nexpires = \"2099-01-01\"\n",
    );
    std::fs::write(&config, &text).unwrap();
    let (code, v) = check(&inventory, &config, "undeclared");
    assert_eq!(code, 0, "{v}");
    // Still visible as dismissed in the data map.
    let (_, inv, _) = scan(&config, &[]);
    let phone = inv["data_map"]["data_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["data_type"] == "phone")
        .unwrap();
    assert!(
        phone["dismissed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["disposition"]
                .as_str()
                .unwrap()
                .starts_with("false_positive")),
        "{phone}"
    );
    // An expired disposition no longer applies.
    std::fs::write(&config, text.replace("2099-01-01", "2001-01-01")).unwrap();
    let (code, _) = check(&inventory, &config, "undeclared");
    assert_eq!(code, 3);
}

#[test]
fn diff_shows_a_column_added_between_runs() {
    let dir = tempdir();
    let config = demo_copy(dir.path());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    scan(&config, &["--out", a.to_str().unwrap()]);
    let csv = dir.path().join("data/exports/customers.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        out.push_str(line);
        let extra = if i == 0 {
            ",backup_email\n".to_string()
        } else {
            format!(",backup{i}@example.org\n")
        };
        out.push_str(&extra);
    }
    std::fs::write(&csv, out).unwrap();
    scan(&config, &["--out", b.to_str().unwrap()]);
    let o = bin()
        .args([
            "diff",
            a.join("inventory.json").to_str().unwrap(),
            b.join("inventory.json").to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    let added: Vec<&str> = d["added"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(added.len(), 1, "{d}");
    assert!(
        added[0].ends_with("customers.csv#backup_email"),
        "{added:?}"
    );
    assert!(d["removed"]["fields"].as_array().unwrap().is_empty());
    let o = bin()
        .args([
            "diff",
            a.join("inventory.json").to_str().unwrap(),
            b.join("inventory.json").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("+ field: ") && stdout(&o).contains("backup_email"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_second_run_with_state_rescans_only_the_touched_file() {
    let dir = tempdir();
    let config = demo_copy(dir.path());
    let state = dir.path().join("state.json");
    let s = state.to_str().unwrap();
    let (_, first, _) = scan(&config, &["--state", s]);
    assert_eq!(first["scan"]["carried"].as_array().map_or(0, Vec::len), 0);
    // Touch one file (content and mtime change).
    std::thread::sleep(std::time::Duration::from_millis(20));
    let log = dir.path().join("data/logs/access.log");
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str("203.0.113.77 - - [12/Oct/2026:11:00:00 +0000] \"GET / HTTP/1.1\" 200 10 \"-\" \"curl/8\"\n");
    std::fs::write(&log, text).unwrap();
    let (code, second, err) = scan(&config, &["--state", s]);
    assert_eq!(code, 0, "{err}");
    let rescanned: Vec<&str> = second["scan"]["rescanned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(rescanned.len(), 1, "{rescanned:?}");
    assert!(
        rescanned[0].contains("access.log") && rescanned[0].ends_with("changed"),
        "{rescanned:?}"
    );
    // app.log.gz, customers.csv, orders.jsonl, and shop.db once per source reading it
    // (employees, support, catalog).
    assert_eq!(
        second["scan"]["carried"].as_array().unwrap().len(),
        6,
        "{}",
        second["scan"]
    );
    // Carried results are the same results.
    let fields = |v: &Value, name: &str| {
        v["assets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["asset"].as_str().unwrap().ends_with(name))
            .unwrap()["fields"]
            .clone()
    };
    assert_eq!(
        fields(&first, "customers.csv"),
        fields(&second, "customers.csv")
    );
}

#[test]
fn a_failed_asset_says_so_and_claims_nothing() {
    let dir = tempdir();
    let config = demo_copy(dir.path());
    // A truncated gzip in the logs source.
    let gz = dir.path().join("data/logs/app.log.gz");
    let bytes = std::fs::read(&gz).unwrap();
    std::fs::write(&gz, &bytes[..bytes.len() / 2]).unwrap();
    let out = dir.path().join("out");
    let (code, inv, _) = scan(&config, &["--out", out.to_str().unwrap()]);
    assert_eq!(code, 4);
    let a = inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["asset"].as_str().unwrap().ends_with("app.log.gz"))
        .unwrap();
    assert!(matches!(a["status"].as_str(), Some("failed" | "partial")));
    let md = std::fs::read_to_string(out.join("inventory.md")).unwrap();
    assert!(
        md.contains("Not (fully) scanned") && md.contains("app.log.gz"),
        "{md}"
    );
    let csv = std::fs::read_to_string(out.join("inventory.csv")).unwrap();
    let row = csv
        .lines()
        .find(|l| l.contains("app.log.gz"))
        .expect("a row for the failed asset");
    assert!(row.contains("partial") || row.contains("failed"), "{row}");
    assert!(inv["data_map"]["coverage"]["failed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f.as_str().unwrap().contains("app.log.gz")));
}

#[test]
fn table_outputs_read_back_through_polars() {
    use polars::prelude::*;
    let dir = tempdir();
    let config = demo_copy(dir.path());
    let out = dir.path().join("out");
    let (_, inv, _) = scan(&config, &["--out", out.to_str().unwrap()]);
    let expected: usize = inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            a["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["types"].as_array().unwrap().len())
                .sum::<usize>()
        })
        .sum();
    assert!(expected > 10);
    let pq = ParquetReader::new(std::fs::File::open(out.join("inventory.parquet")).unwrap())
        .finish()
        .unwrap();
    assert_eq!(pq.height(), expected);
    let csv = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(out.join("inventory.csv")))
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(csv.height(), expected);
    assert!(pq
        .get_column_names()
        .iter()
        .any(|c| c.as_str() == "data_type"));
}

#[test]
fn init_writes_a_valid_starter_and_bad_manifests_are_located() {
    let dir = tempdir();
    let path = dir.path().join("piimap.toml");
    let o = bin()
        .args(["init", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = bin()
        .args(["init", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "no silent overwrite");
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/a.log"), "mail ann@example.com\n").unwrap();
    let (code, _, err) = scan(&path, &[]);
    assert!(code == 0 || code == 3, "{err}");
    edit(
        &path,
        "retention = \"For as long",
        "retension = \"For as long",
    );
    let o = bin()
        .args(["scan", "--config", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("sources.customer_files") && err.contains("did you mean `retention`"),
        "{err}"
    );
    let line = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .position(|l| l.starts_with("retension"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("piimap.toml:{line}:1")),
        "error names the line: {err}"
    );
}
