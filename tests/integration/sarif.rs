//! `--findings-format sarif`: the log validates against the official SARIF 2.1.0 schema
//! (vendored in tests/sarif/), points at the right file, line and column, holds masked
//! values only, and an empty scan is still a valid log.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::util::{bin, stderr, stdout, tempdir, write};

/// Values planted in the files; none may appear in the log.
const EMAIL_IN_TEXT: &str = "jane.roe@example.com";
const CARD_IN_TEXT: &str = "4111 1111 1111 1111";
const EMAIL_IN_CSV: &str = "ann.lee@example.org";
const EMAIL_IN_TABLE: &str = "kim.park@example.net";

/// The text file: the card sits after a non-ASCII word, so its column in code points
/// differs from its byte offset.
const NOTES: &str =
    "nothing here\nstill nothing\ncontact jane.roe@example.com, café card 4111 1111 1111 1111\n";

/// Runs piimap in `dir` (so walked paths are relative), asserting exit 0.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    let o = bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("piimap runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "piimap {args:?}\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    o
}

/// Validates `log` against the vendored schema, panicking with every error.
fn assert_valid_sarif(log: &Value) {
    let schema_path = crate::util::repo().join("tests/sarif/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(&schema_path).unwrap()).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    // Registered under its own $id, so nothing is fetched.
    let url = schema["$id"]
        .as_str()
        .expect("the schema has an $id")
        .to_string();
    compiler.add_resource(&url, schema).expect("schema loads");
    let index = compiler
        .compile(&url, &mut schemas)
        .expect("schema compiles");
    if let Err(e) = schemas.validate(log, index) {
        panic!("not valid SARIF 2.1.0: {e:#}\n{log:#}");
    }
}

/// The 1-based column, in code points, where `needle` starts on `line`.
fn column_of(line: &str, needle: &str) -> u64 {
    let at = line.find(needle).expect("planted");
    line[..at].chars().count() as u64 + 1
}

/// The results of a log whose artifact URI is `uri`.
fn results_for<'a>(log: &'a Value, uri: &str) -> Vec<&'a Value> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri)
        .collect()
}

fn plant(dir: &Path) {
    write(dir, "docs/notes.txt", NOTES);
    write(
        dir,
        "exports/my people.csv",
        format!("id,name,email\n1,Ann,{EMAIL_IN_CSV}\n2,Bob,none\n3,Cy,none\n"),
    );
    let db = dir.join("crm.sqlite");
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT);")
        .unwrap();
    c.execute(
        "INSERT INTO customers (email) VALUES (?1)",
        rusqlite::params![EMAIL_IN_TABLE],
    )
    .unwrap();
}

#[test]
fn sarif_log_is_valid_masked_and_points_at_lines_and_columns() {
    let dir = tempdir();
    plant(dir.path());
    run_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--findings",
            "out/findings.sarif",
            "--findings-format",
            "sarif",
            "-q",
        ],
    );
    let raw = std::fs::read_to_string(dir.path().join("out/findings.sarif")).unwrap();
    for planted in [EMAIL_IN_TEXT, CARD_IN_TEXT, EMAIL_IN_CSV, EMAIL_IN_TABLE] {
        assert!(!raw.contains(planted), "raw value {planted:?} in the log");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "findings.sarif")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let log: Value = serde_json::from_str(&raw).unwrap();
    assert_valid_sarif(&log);

    // The text file: line 3, and the columns of both values on it.
    let line3 = NOTES.lines().nth(2).unwrap();
    let text = results_for(&log, "docs/notes.txt");
    let region_of = |rule: &str| -> &Value {
        let r = text
            .iter()
            .find(|r| r["ruleId"] == rule)
            .unwrap_or_else(|| panic!("no {rule} result in {text:#?}"));
        &r["locations"][0]["physicalLocation"]["region"]
    };
    assert_eq!(region_of("email")["startLine"], 3);
    assert_eq!(
        region_of("email")["startColumn"],
        column_of(line3, EMAIL_IN_TEXT)
    );
    assert_eq!(region_of("credit_card")["startLine"], 3);
    assert_eq!(
        region_of("credit_card")["startColumn"],
        column_of(line3, CARD_IN_TEXT)
    );
    let message = text[0]["message"]["text"].as_str().unwrap();
    assert!(message.contains(text[0]["properties"]["dataType"].as_str().unwrap()));

    // The CSV: the record's line (the header is line 1), percent-encoded path, and no
    // column (an offset inside a cell is not a column of the file).
    let csv = results_for(&log, "exports/my%20people.csv");
    assert_eq!(csv.len(), 1, "{csv:#?}");
    let location = &csv[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(location["region"]["startLine"], 2);
    assert!(location["region"].get("startColumn").is_none());
    assert_eq!(csv[0]["properties"]["field"], "email");

    // The SQLite table: a logical location, no file region.
    let results = log["runs"][0]["results"].as_array().unwrap();
    let table: Vec<&Value> = results
        .iter()
        .filter(|r| r["locations"][0].get("logicalLocations").is_some())
        .collect();
    assert_eq!(table.len(), 1, "{table:#?}");
    let logical = &table[0]["locations"][0]["logicalLocations"][0];
    assert_eq!(logical["name"], "email");
    assert_eq!(logical["kind"], "column");
    assert!(logical["fullyQualifiedName"]
        .as_str()
        .unwrap()
        .ends_with("customers.email"));
    assert!(table[0]["locations"][0].get("physicalLocation").is_none());

    // Every result's rule is listed once in tool.driver.rules, with its data type.
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "sorted, each once");
    for r in results {
        let rule = rules
            .iter()
            .find(|x| x["id"] == r["ruleId"])
            .expect("listed");
        assert_eq!(rule["properties"]["dataType"], r["properties"]["dataType"]);
        assert!(!rule["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty());
    }

    // The same scan as JSON lines has exactly as many findings.
    run_in(
        dir.path(),
        &["scan", ".", "--findings", "out/findings.jsonl", "-q"],
    );
    let lines = std::fs::read_to_string(dir.path().join("out/findings.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), results.len());
}

#[test]
fn an_empty_scan_is_a_valid_sarif_log_with_no_results() {
    let dir = tempdir();
    write(dir.path(), "readme.txt", "nothing personal here\n");
    run_in(
        dir.path(),
        &[
            "scan",
            "readme.txt",
            "--findings",
            "empty.sarif",
            "--findings-format",
            "sarif",
            "-q",
        ],
    );
    let log: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("empty.sarif")).unwrap()).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
    assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "piimap");
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"],
        Value::Array(Vec::new())
    );
}

#[test]
fn text_input_findings_are_valid_sarif_with_a_logical_location() {
    let dir = tempdir();
    run_in(
        dir.path(),
        &[
            "scan",
            "--text",
            &format!("write to {EMAIL_IN_TEXT}"),
            "--findings",
            "t.sarif",
            "--findings-format",
            "sarif",
            "-q",
        ],
    );
    let raw = std::fs::read_to_string(dir.path().join("t.sarif")).unwrap();
    assert!(!raw.contains(EMAIL_IN_TEXT));
    let log: Value = serde_json::from_str(&raw).unwrap();
    assert_valid_sarif(&log);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "email");
    assert_eq!(
        result["locations"][0]["logicalLocations"][0]["name"],
        "<text 1>"
    );
    assert_eq!(result["properties"]["line"], 1);
}

#[test]
fn findings_format_without_findings_is_a_usage_error() {
    let dir = tempdir();
    write(dir.path(), "a.txt", "x\n");
    let o = bin()
        .current_dir(dir.path())
        .args(["scan", "a.txt", "--findings-format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--findings"), "{}", stderr(&o));
    let o = bin()
        .args(["scan", "--text", "x", "--findings-format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
#[should_panic(expected = "not valid SARIF 2.1.0")]
fn the_schema_check_can_fail() {
    // A log valid but for one level SARIF does not know: the check must reject it, or
    // the tests above prove nothing.
    let mut log = serde_json::json!({
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "piimap" } },
            "results": [{ "ruleId": "email", "level": "error", "message": { "text": "x" } }]
        }]
    });
    assert_valid_sarif(&log);
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    assert_valid_sarif(&log);
}
