//! Output injection (issue 12, defects 3 and 6): column names, JSON keys and file names
//! are attacker-controlled. One fixture full of hostile names, with real PII under them so
//! they reach the inventory, goes through every output piimap writes — the stdout table,
//! JSON, `--out` (inventory.json/.csv/.md/.parquet), `--notice` (notice.md/.html,
//! notice-at-collection.md/.html, ropa.md/.csv, report.html, notice.json) and `diff` —
//! and none may carry a raw control character, a live `<script>`, a broken Markdown table
//! row or a CSV cell a spreadsheet would run as a formula.

use std::path::{Path, PathBuf};

use crate::util::{bin, stderr, stdout, tempdir, write};

/// 2026-11-29T00:00:00Z.
const EPOCH: &str = "1795910400";

/// The hostile column names and keys.
const HEADERS: &[&str] = &[
    "=HYPERLINK(\"http://x\",\"y\")",
    "<script>alert(1)</script>",
    "a|b",
    "red\x1b[31mcolumn\x1b[0m",
    "multi\nline",
    "+cmd",
    "@SUM(1)",
    "-2+3",
    "[click](javascript:alert(1))",
    "c1\u{9b}31m\u{85}",
    "cr\rover",
];

/// The headers of `hostile.csv`: the CSV reader takes a first row with `@` or a
/// number-like cell for data, so `@SUM(1)` and `-2+3` are JSON keys only.
fn csv_headers() -> Vec<&'static str> {
    HEADERS
        .iter()
        .copied()
        .filter(|h| !h.contains('@') && !h.starts_with('-'))
        .collect()
}

/// A file name carrying an ESC sequence, markup and a pipe.
const EVIL_FILE: &str = "evil\x1b]0;pwned\x07<b>|name.csv";

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The fixture: `data/` with hostile CSV, JSON lines and file names, and a manifest.
fn fixture(dir: &Path) -> PathBuf {
    let mut csv = csv_headers()
        .iter()
        .map(|h| quote(h))
        .collect::<Vec<_>>()
        .join(",");
    csv.push('\n');
    let mut jsonl = String::new();
    for i in 0..30 {
        let row: Vec<String> = (0..csv_headers().len())
            .map(|c| format!("user{i}.col{c}@example.com"))
            .collect();
        csv.push_str(&row.join(","));
        csv.push('\n');
        let obj: serde_json::Map<String, serde_json::Value> = HEADERS
            .iter()
            .enumerate()
            .map(|(c, h)| (h.to_string(), format!("json{i}.k{c}@example.org").into()))
            .collect();
        jsonl.push_str(&serde_json::Value::Object(obj).to_string());
        jsonl.push('\n');
    }
    write(dir, "data/hostile.csv", &csv);
    write(dir, "data/hostile.jsonl", &jsonl);
    let simple: String = std::iter::once("email\n".to_string())
        .chain((0..30).map(|i| format!("person{i}@example.net\n")))
        .collect();
    write(dir, &format!("data/{EVIL_FILE}"), &simple);
    write(dir, "data/=1+1.csv", &simple);
    write(
        dir,
        "piimap.toml",
        r#"[organisation]
legal_name = "Hostile <script>alert(2)</script> & Co"
privacy_email = "privacy@hostile.example"
toll_free_phone = "+1-800-555-0100"
request_form_url = "https://hostile.example/request"
privacy_policy_url = "https://hostile.example/privacy"
address = "1 Main St"
dpo_contact = "dpo@hostile.example"
security_measures = ["encryption"]
last_updated = "2026-11-01"

[sources.files]
kind = "files"
path = "data"
data_types = ["email"]
purposes = ["account_management"]
data_subjects = ["customers"]
source_categories = ["directly_from_consumer"]
retention = "2 years"
recipients = []
"#,
    )
}

/// Runs piimap in `dir` with a fixed date; returns (exit code, stdout, stderr).
fn piimap(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let o = bin()
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(args)
        .output()
        .unwrap();
    (o.status.code(), stdout(&o), stderr(&o))
}

/// No raw control character except newline and tab (CR, ESC, BEL, C1, …).
fn assert_no_controls(what: &str, text: &str) {
    if let Some((i, c)) = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && c != '\n' && c != '\t')
    {
        let from = text[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
        panic!(
            "{what}: raw control character {c:?} at byte {i}: …{:?}",
            &text[from..(i + 4).min(text.len())]
        );
    }
}

/// No raw C0 control character except newline and tab: what serde_json guarantees.
fn assert_no_c0(what: &str, text: &str) {
    assert_no_controls(
        what,
        &text.replace(|c: char| ('\u{7f}'..='\u{9f}').contains(&c), ""),
    );
}

/// No live markup: no `<script`, and in Markdown no link forged from data (`](` after
/// an unescaped `]` pointing at `javascript:`).
fn assert_no_markup(what: &str, text: &str) {
    let lower = text.to_lowercase();
    assert!(!lower.contains("<script"), "{what}: <script> survived");
    if !what.contains(".md") {
        return;
    }
    for (i, _) in lower.match_indices("](javascript") {
        assert!(
            i > 0 && &text[i - 1..i] == "\\",
            "{what}: forged link at {i}: {}",
            &text[i.saturating_sub(40)..i + 12]
        );
    }
}

/// The cells of a Markdown table row, split on unescaped `|`.
fn md_cells(line: &str) -> usize {
    let (mut pipes, mut backslashes) = (0, 0);
    for c in line.chars() {
        if c == '|' && backslashes % 2 == 0 {
            pipes += 1;
        }
        backslashes = if c == '\\' { backslashes + 1 } else { 0 };
    }
    pipes
}

/// Every Markdown table keeps its shape: each row has the header's number of unescaped
/// pipes, and a table ends with a blank line (a newline from the data would end a row
/// early and leave a stray line). Returns the number of table rows seen.
fn assert_md_tables(what: &str, md: &str) -> usize {
    let lines: Vec<&str> = md.lines().collect();
    let mut rows = 0;
    let mut i = 0;
    while i + 1 < lines.len() {
        let sep = lines[i + 1].trim();
        if lines[i].starts_with('|') && sep.starts_with("| ---") {
            let want = md_cells(lines[i]);
            let mut j = i + 2;
            while j < lines.len() && lines[j].starts_with('|') {
                assert_eq!(
                    md_cells(lines[j]),
                    want,
                    "{what}: table row {} has a different shape: {:?}",
                    j + 1,
                    lines[j]
                );
                assert!(lines[j].trim_end().ends_with('|'), "{what}: {:?}", lines[j]);
                rows += 1;
                j += 1;
            }
            assert!(
                j == lines.len() || lines[j].trim().is_empty(),
                "{what}: the table before line {} ends with a stray line {:?}",
                j + 1,
                lines[j]
            );
            i = j;
        } else {
            i += 1;
        }
    }
    rows
}

/// Every cell of a CSV file, parsed with the csv crate: none may start a formula or
/// carry a raw control character. Returns all cells.
fn assert_csv(what: &str, text: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut cells = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap_or_else(|e| panic!("{what}: not CSV: {e}"));
        for cell in rec.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{what}: cell {cell:?} starts a formula"
            );
            assert_no_controls(what, cell);
            cells.push(cell.to_string());
        }
    }
    cells
}

#[test]
fn hostile_names_are_inert_in_every_output() {
    let dir = tempdir();
    let config = fixture(dir.path());
    let config = config.to_str().unwrap();
    let out = dir.path().join("out");
    let out_s = out.to_str().unwrap();

    // --out and --notice: every file.
    let (code, _, err) = piimap(
        dir.path(),
        &["scan", "--config", config, "--out", out_s, "--notice"],
    );
    assert_eq!(code, Some(0), "scan --out --notice: {err}");
    assert_no_controls("scan --out --notice stderr", &err);
    let read =
        |f: &str| std::fs::read_to_string(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));

    // The hostile names did reach the inventory (else this test proves nothing).
    let inv: serde_json::Value = serde_json::from_str(&read("inventory.json")).unwrap();
    let fields_of = |file: &str| -> Vec<String> {
        inv["assets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["asset"].as_str().unwrap().ends_with(file))
            .flat_map(|a| a["fields"].as_array().unwrap().iter())
            .filter(|f| !f["types"].as_array().unwrap().is_empty())
            .filter_map(|f| f["field"].as_str().map(str::to_string))
            .collect()
    };
    let (csv_fields, json_fields) = (fields_of("hostile.csv"), fields_of("hostile.jsonl"));
    for h in csv_headers() {
        assert!(
            csv_fields.iter().any(|f| f == h),
            "{h:?} not in hostile.csv: {csv_fields:?}"
        );
    }
    for h in HEADERS {
        assert!(
            json_fields.iter().any(|f| f == h),
            "{h:?} not in hostile.jsonl: {json_fields:?}"
        );
    }
    let assets: Vec<&str> = inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["asset"].as_str().unwrap())
        .collect();
    assert!(assets.iter().any(|a| a.contains(EVIL_FILE)), "{assets:?}");

    // JSON: serde_json escapes C0 (`\u001b`) in inventory.json; notice.json goes through
    // output::escape::JsonFormatter, which escapes DEL and C1 as well.
    let text = read("inventory.json");
    assert_no_c0("inventory.json", &text);
    assert!(text.contains("red\\u001b[31mcolumn"));
    let text = read("notice.json");
    assert_no_controls("notice.json", &text);
    serde_json::from_str::<serde_json::Value>(&text).unwrap();

    // Markdown.
    for f in [
        "inventory.md",
        "notice.md",
        "notice-at-collection.md",
        "ropa.md",
    ] {
        let text = read(f);
        assert_no_controls(f, &text);
        assert_no_markup(f, &text);
        assert!(assert_md_tables(f, &text) > 0, "{f} has no table");
    }
    // Without a manifest, inventory.md lists every finding (with one, the data map
    // shows the first four places of each type).
    let plain = dir.path().join("plain");
    let (code, table, err) = piimap(
        &dir.path().join("data"),
        &[
            "scan",
            "=1+1.csv",
            "hostile.csv",
            "hostile.jsonl",
            EVIL_FILE,
            "--out",
            plain.to_str().unwrap(),
            "--format",
            "table",
        ],
    );
    assert_eq!(code, Some(0), "scan data: {err}");
    assert_no_controls("scan --format table stderr", &err);
    let md = std::fs::read_to_string(plain.join("inventory.md")).unwrap();
    assert_no_controls("inventory.md (no manifest)", &md);
    assert_no_markup("inventory.md (no manifest)", &md);
    assert!(assert_md_tables("inventory.md (no manifest)", &md) >= 2 * HEADERS.len());
    for want in [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "a\\|b",
        "red\\x1b\\[31mcolumn\\x1b\\[0m",
        "multi line",
        "\\[click\\](javascript:alert(1))",
        "c1\\u{9b}31m\\u{85}",
        "evil\\x1b\\]0;pwned\\x07&lt;b&gt;\\|name.csv",
    ] {
        assert!(md.contains(want), "inventory.md lacks {want:?}:\n{md}");
    }
    let ropa = read("ropa.md");
    assert!(
        ropa.contains("evil\\x1b\\]0;pwned\\x07&lt;b&gt;\\|name.csv"),
        "{ropa}"
    );
    assert!(read("notice.md").contains(
        "# California Privacy Notice of Hostile &lt;script&gt;alert(2)&lt;/script&gt; &amp; Co\n"
    ));

    // HTML.
    for f in ["notice.html", "notice-at-collection.html", "report.html"] {
        let text = read(f);
        assert_no_controls(f, &text);
        assert_no_markup(f, &text);
    }
    let report = read("report.html");
    assert!(report.contains("red\\x1b[31mcolumn"), "report.html");

    // CSV.
    assert_csv("inventory.csv", &read("inventory.csv"));
    let cells = assert_csv(
        "inventory.csv (no manifest)",
        &std::fs::read_to_string(plain.join("inventory.csv")).unwrap(),
    );
    for want in [
        "'=HYPERLINK(\"http://x\",\"y\")",
        "'+cmd",
        "'@SUM(1)",
        "'-2+3",
        "multi\\nline",
        "cr\\rover",
    ] {
        assert!(
            cells.iter().any(|c| c == want),
            "inventory.csv lacks {want:?}"
        );
    }
    assert!(cells.iter().any(|c| c == "'=1+1.csv"), "the asset =1+1.csv");
    let ropa_cells = assert_csv("ropa.csv", &read("ropa.csv"));
    assert!(ropa_cells
        .iter()
        .any(|c| c.contains("evil\\x1b]0;pwned\\x07")));

    // Parquet is a machine format: raw, but written.
    assert!(
        std::fs::metadata(out.join("inventory.parquet"))
            .unwrap()
            .len()
            > 0
    );

    // stdout: the table (of the scan without a manifest, above) and the JSON.
    assert_no_controls("scan --format table", &table);
    assert!(table.contains("red\\x1b[31mcolumn"), "{table}");
    assert!(table.contains("multi\\nline"), "{table}");
    let header = table.lines().next().unwrap();
    assert!(header.starts_with("ASSET"), "{table}");
    let (code, json, err) = piimap(
        dir.path(),
        &["scan", "--config", config, "--format", "json"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_no_c0("scan --format json", &json);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["assets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["asset"].as_str().unwrap().contains(EVIL_FILE)));

    // diff: against the same inventory with no assets.
    let mut old = inv.clone();
    old["assets"] = serde_json::json!([]);
    let old_path = write(dir.path(), "old.json", serde_json::to_string(&old).unwrap());
    let (code, text, err) = piimap(
        dir.path(),
        &[
            "diff",
            old_path.to_str().unwrap(),
            out.join("inventory.json").to_str().unwrap(),
        ],
    );
    assert!(matches!(code, Some(0 | 3)), "diff: {code:?} {err}");
    assert_no_controls("diff", &text);
    assert!(text.contains("red\\x1b[31mcolumn"), "{text}");
    assert!(
        text.lines()
            .all(|l| l.starts_with("+ ") || l.starts_with("- ")),
        "{text}"
    );
}

/// serde_json alone writes DEL and C1 controls (`\u{9b}` is CSI to some terminals) raw:
/// every JSON output goes through `piimap::output::escape::write_json_pretty`.
#[test]
fn json_outputs_escape_c1_controls() {
    let dir = tempdir();
    let config = fixture(dir.path());
    let config = config.to_str().unwrap();
    let out = dir.path().join("out");
    let (code, json, err) = piimap(
        dir.path(),
        &[
            "scan",
            "--config",
            config,
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_no_controls("scan --format json", &json);
    let text = std::fs::read_to_string(out.join("inventory.json")).unwrap();
    assert_no_controls("inventory.json", &text);
    assert!(text.contains("c1\\u009b31m\\u0085"), "escaped C1");
}
