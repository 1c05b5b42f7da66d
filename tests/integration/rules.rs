//! The built-in rule pack through the real binary: listing, the acceptance table,
//! every rule's own examples, and user packs.

use std::collections::BTreeSet;

use piimap::detect::examples::check_examples;
use piimap::detect::Engine;

use crate::util::{json, run, stderr, stdout, tempdir, write};

#[test]
fn every_rule_passes_its_own_examples() {
    let engine = Engine::with_rules(None).expect("built-in rules compile");
    let failures = check_examples(&engine, |_| true);
    let report: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(
        failures.is_empty(),
        "{} example(s) failed:\n{}",
        failures.len(),
        report.join("\n")
    );
}

#[test]
fn every_rule_has_three_examples_each_way() {
    let engine = Engine::with_rules(None).unwrap();
    for d in engine.detectors() {
        assert!(
            d.spec.examples.matches.len() >= 3,
            "{}: fewer than 3 examples.match",
            d.spec.id
        );
        assert!(
            d.spec.examples.no_match.len() >= 3,
            "{}: fewer than 3 examples.no_match",
            d.spec.id
        );
    }
}

#[test]
fn list_json_covers_45_detectors_and_30_types() {
    let list = json(&["rules", "list", "--format", "json"], 0);
    let list = list.as_array().expect("array");
    let types: BTreeSet<&str> = list
        .iter()
        .map(|d| d["data_type"].as_str().unwrap())
        .collect();
    assert!(list.len() >= 45, "{} detectors", list.len());
    assert!(types.len() >= 30, "{} data types: {types:?}", types.len());
    for d in list {
        assert!(
            d["ccpa"].as_array().is_some_and(|a| !a.is_empty()),
            "{} has no CCPA category",
            d["id"]
        );
        assert!(
            d["fideslang"]
                .as_str()
                .is_some_and(|s| s.starts_with("user.")),
            "{} has no fideslang key",
            d["id"]
        );
    }
}

fn types_found(text: &str) -> Vec<String> {
    let out = json(&["rules", "test", "--format", "json", text], 0);
    out[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["data_type"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn acceptance_table() {
    assert!(types_found("4111 1111 1111 1111").contains(&"credit_card".to_string()));
    assert!(!types_found("4111 1111 1111 1112").contains(&"credit_card".to_string()));
    assert!(
        types_found("4111 1111 1111 1112").is_empty(),
        "{:?}",
        types_found("4111 1111 1111 1112")
    );
    assert!(!types_found("000-12-3456").contains(&"ssn".to_string()));
    assert!(!types_found("123-45-6789").contains(&"ssn".to_string()));
    assert!(types_found("GB82 WEST 1234 5698 7654 32").contains(&"bank_account".to_string()));
    assert!(!types_found("version 10.2.3.4").contains(&"ip_address".to_string()));
    assert!(
        types_found("Failed password for root from 203.0.113.45 port 22 ssh2")
            .contains(&"ip_address".to_string())
    );
}

#[test]
fn rules_test_explains_and_masks() {
    let o = run(&["rules", "test", "card number 4111 1111 1111 1111"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("credit_card"), "{text}");
    assert!(text.contains("**** **** **** 1111"), "{text}");
    assert!(text.contains("validator luhn_card passed"), "{text}");
    assert!(text.contains("context"), "{text}");
    assert!(
        !text.contains("4111 1111 1111 1111"),
        "raw value echoed: {text}"
    );
}

#[test]
fn rules_test_with_unknown_rule_is_a_usage_error() {
    let o = run(&["rules", "test", "--rule", "no-such-rule", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-rule"));
}

#[test]
fn user_pack_adds_and_overrides_by_id() {
    let dir = tempdir();
    write(
        dir.path(),
        "detectors/acme.toml",
        r#"
[[detector]]
id = "acme-employee-id"
data_type = "national_id"
description = "ACME employee badge numbers"
confidence = 0.9
patterns = ['\bACME-[0-9]{6}\b']
mask = "last2"
[detector.examples]
match = ["badge ACME-123456", "ACME-000001 entered", "id=ACME-999999"]
no_match = ["ACME-12345", "ACME-1234567", "acme rocket"]
"#,
    );
    let o = run(&["rules", "check", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let found = json(
        &[
            "--rules",
            dir.path().to_str().unwrap(),
            "rules",
            "test",
            "--format",
            "json",
            "badge ACME-123456",
        ],
        0,
    );
    assert_eq!(found[0]["findings"][0]["rule"], "acme-employee-id");
    assert_eq!(found[0]["findings"][0]["masked"], "****-****56");
}

#[test]
fn bad_user_pack_names_file_rule_and_regex_error() {
    let dir = tempdir();
    write(
        dir.path(),
        "bad.toml",
        "[[detector]]\nid = \"oops\"\ndata_type = \"email\"\npatterns = ['[a-z']\n",
    );
    let o = run(&["rules", "check", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("bad.toml")
            && err.contains("`oops`")
            && err.contains("unclosed character class"),
        "{err}"
    );

    write(
        dir.path(),
        "bad.toml",
        "[[detector]]\nid = \"oops\"\ndata_typo = \"email\"\n",
    );
    let o = run(&["rules", "check", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("data_typo"), "{}", stderr(&o));

    // Scanning with a broken pack is a fatal error with the same message, not a panic.
    let o = run(&[
        "--rules",
        dir.path().to_str().unwrap(),
        "scan",
        "--text",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("bad.toml"), "{}", stderr(&o));
}

#[test]
fn failing_user_examples_are_reported() {
    let dir = tempdir();
    write(
        dir.path(),
        "x.toml",
        "[[detector]]\nid = \"zz\"\ndata_type = \"national_id\"\nconfidence = 0.9\npatterns = ['\\bZZ[0-9]{4}\\b']\n[detector.examples]\nmatch = [\"ZZ12\"]\nno_match = [\"ZZ1234\"]\n",
    );
    let o = run(&["rules", "check", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("examples.match not found") && err.contains("examples.no_match found"),
        "{err}"
    );
}

#[test]
fn help_and_version() {
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Exit codes"));
    let o = run(&["--version"]);
    assert!(stdout(&o).starts_with("piimap "));
    let o = run(&["no-such-command"]);
    assert_eq!(o.status.code(), Some(2));
}

/// A user pack holding `taxonomy.toml` and `recipients.toml` next to its detectors adds
/// a data type the built-in taxonomy lacks and a vendor the catalog lacks: both reach
/// the inventory of a scan.
#[test]
fn user_pack_adds_data_types_and_vendors() {
    let pack = tempdir();
    write(
        pack.path(),
        "detectors/loyalty.toml",
        r#"
[[detector]]
id = "acme-loyalty-number"
data_type = "loyalty_number"
description = "ACME loyalty card numbers"
confidence = 0.9
patterns = ['\bLY[0-9]{8}\b']
mask = "last2"
[detector.examples]
match = ["card LY12345678", "LY00000001 joined", "loyalty=LY99999999"]
no_match = ["LY1234567", "LY123456789", "ly rocket"]
"#,
    );
    write(
        pack.path(),
        "taxonomy.toml",
        r#"
[types.loyalty_number]
label = "Loyalty card number"
example = "loyalty card numbers"
ccpa = ["D"]
fideslang = "user.financial.loyalty"
fideslang_custom = true
family = "commercial"
mask = "last2"
"#,
    );
    write(
        pack.path(),
        "recipients.toml",
        r#"
[[recipient]]
id = "acme_metrics"
name = "ACME Metrics"
category = "data_analytics_providers"
domains = ["acme-metrics.example"]
"#,
    );
    let data = tempdir();
    let mut csv = String::from("member,beacon\n");
    for i in 0..20 {
        csv.push_str(&format!(
            "LY{:08},https://collect.acme-metrics.example/p?id={i}\n",
            10_000_000 + i * 7919
        ));
    }
    write(data.path(), "members.csv", &csv);
    let pack_dir = pack.path().to_str().unwrap();
    let o = run(&["rules", "check", pack_dir]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let inv = json(
        &[
            "--rules",
            pack_dir,
            "scan",
            "--format",
            "json",
            data.path().to_str().unwrap(),
        ],
        0,
    );
    let asset = &inv["assets"][0];
    let member = asset["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "member")
        .unwrap_or_else(|| panic!("no member field: {asset}"));
    assert_eq!(
        member["types"][0]["data_type"], "loyalty_number",
        "{member}"
    );
    let recipients: Vec<&str> = asset["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(recipients.contains(&"acme_metrics"), "{recipients:?}");

    // A type with a letter the statute does not have is refused, naming file and type.
    write(
        pack.path(),
        "taxonomy.toml",
        "[types.loyalty_number]\nlabel = \"x\"\nexample = \"x\"\nccpa = [\"Z\"]\nfideslang = \"x\"\n",
    );
    let o = run(&["--rules", pack_dir, "scan", "--text", "x"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("taxonomy.toml") && err.contains("`Z`"),
        "{err}"
    );
}
