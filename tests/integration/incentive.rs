//! The notice of financial incentive (11 CCR §7016), the §7102 request metrics, retention
//! checked against the data, and the accessibility check of every HTML document
//! (`.ci/axe/check.mjs`: axe-core, the stacked category tables, print layout).

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::util::{bin, repo, stderr, stdout, tempdir, write};

/// 2026-11-29T00:00:00Z.
const EPOCH: &str = "1795910400";

fn piimap(args: &[&str]) -> Output {
    bin()
        .current_dir(repo())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(args)
        .output()
        .unwrap()
}

fn scan(config: &Path, out: &Path) -> PathBuf {
    let o = piimap(&[
        "scan",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        matches!(o.status.code(), Some(0 | 3)),
        "scan: {}",
        stderr(&o)
    );
    let inv = out.join("inventory.json");
    crate::notice::pin_mtimes(&inv);
    inv
}

fn notice(inv: &Path, config: &Path, out: &Path) -> Output {
    notice_in(inv, config, out, "en")
}

/// [`notice`] in the languages `langs` (`--lang`).
fn notice_in(inv: &Path, config: &Path, out: &Path, langs: &str) -> Output {
    let o = piimap(&[
        "notice",
        "--lang",
        langs,
        "--inventory",
        inv.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--format",
        "md",
        "--format",
        "html",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "notice: {}", stderr(&o));
    o
}

fn check(inv: &Path, config: &Path, fail_on: &str) -> Output {
    piimap(&[
        "check",
        "--inventory",
        inv.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--fail-on",
        fail_on,
    ])
}

fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

/// The demo manifest with `[[financial_incentives]]` (and everything after it) removed,
/// written next to the demo's data so its relative paths still resolve.
fn demo_without_programme(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(repo().join("examples/demo/piimap.toml")).unwrap();
    let at = text
        .find("[[financial_incentives]]")
        .expect("the demo declares a programme");
    let rest = &text[at..];
    let end = rest.find("[[dispositions]]").unwrap();
    let text = format!("{}{}", &text[..at], &rest[end..]).replace(
        "path = \"data/",
        &format!("path = \"{}/", repo().join("examples/demo/data").display()),
    );
    write(dir, "piimap.toml", text)
}

/// §7016: the demo's loyalty programme is drafted as its own notice with the five
/// §7016(d) items, linked from the policy, and the policy no longer contradicts itself
/// ("we will not charge you a different price" next to a price difference).
#[test]
fn ccr_7016_notice_of_financial_incentive_is_drafted_and_linked() {
    let dir = tempdir();
    let inv = scan(
        &repo().join("examples/demo/piimap.toml"),
        &dir.path().join("scan"),
    );
    let out = dir.path().join("out");
    notice(&inv, &repo().join("examples/demo/piimap.toml"), &out);
    let md = read(&out, "notice-of-financial-incentive.md");
    for heading in [
        "## Trailhead Rewards",
        "### Summary",
        "### Material terms",
        "### How to opt in",
        "### Your right to withdraw",
        "### How the incentive relates to the value of your data",
    ] {
        assert!(md.contains(&format!("\n{heading}\n")), "{heading}:\n{md}");
    }
    assert!(md.contains("- D. Commercial information"), "{md}");
    assert!(md.contains(
        "**Our good-faith estimate of the value of your data:** $14 per member per year"
    ));
    assert!(md.contains("**How we calculated it:** The average yearly value"));
    assert!(!md.contains("statement withheld"), "{md}");
    let html = read(&out, "notice-of-financial-incentive.html");
    assert!(html.contains("<h2 id=\"programme-trailhead-rewards\">Trailhead Rewards</h2>"));

    let policy = read(&out, "notice.md");
    assert!(policy.contains("[Notice of Financial Incentive](notice-of-financial-incentive.md)"));
    assert!(policy
        .contains("you used your rights, except through the financial incentives described below"));
    assert!(!policy.contains("add or link the notice of financial incentive"));
    let policy_html = read(&out, "notice.html");
    assert!(policy_html.contains(
        "<a href=\"notice-of-financial-incentive.html\">Notice of Financial Incentive</a>"
    ));
    let model: Value = serde_json::from_str(&read(&out, "notice.json")).unwrap();
    assert_eq!(model["incentives"]["applies"], true);
    assert!(!model["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"]
            .as_str()
            .unwrap()
            .starts_with("financial_incentive")));
}

/// A `loyalty_tier` column with no programme declared: a warning in the drafts, a
/// check finding of kind `incentive` (exit 3 with `--fail-on incentive`), and no notice.
#[test]
fn loyalty_columns_without_a_declared_programme_are_flagged() {
    let dir = tempdir();
    let config = demo_without_programme(dir.path());
    let inv = scan(&config, &dir.path().join("scan"));
    let out = dir.path().join("out");
    let o = notice(&inv, &config, &out);
    assert!(!out.join("notice-of-financial-incentive.md").exists());
    assert!(!stdout(&o).contains("notice-of-financial-incentive"));
    let err = stderr(&o);
    assert!(
        err.contains(
            "suggests a loyalty or rewards programme (Loyalty programme membership in file:"
        ) && err.contains("customers.csv (loyalty_tier)"),
        "{err}"
    );
    let policy = read(&out, "notice.md");
    assert!(!policy.contains("Notice of Financial Incentive]("));
    // organisation.financial_incentive = true in the demo, with nothing described.
    assert!(
        policy.contains("⚠ statement withheld: answer [[financial_incentives]]"),
        "{policy}"
    );

    let o = check(&inv, &config, "incentive");
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(stdout(&o).contains("FAIL [incentive] Loyalty programme membership in file:"));
    let o = check(&inv, &repo().join("examples/demo/piimap.toml"), "incentive");
    assert_eq!(o.status.code(), Some(0), "declared: {}", stdout(&o));
}

/// A small tree: a log whose first line is from 2020, a CSV with a `created_at`
/// column, and a CSV with no date at all (its file time is the fallback).
fn retention_tree(dir: &Path, log_retention: &str) -> PathBuf {
    write(
        dir,
        "logs/app.log",
        "2020-01-05T08:00:00Z level=info user=ann@example.com\n2026-11-20T08:00:00Z level=info user=bob@example.com\n",
    );
    write(
        dir,
        "crm/contacts.csv",
        "email,created_at\nann@example.com,2026-06-01 10:00:00\nbob@example.com,2026-09-15T12:00:00Z\ncy@example.com,2026-10-01\n",
    );
    write(
        dir,
        "crm/plain.csv",
        "email,name\ndee@example.com,Dee Lane\n",
    );
    let d = dir.display();
    write(
        dir,
        "piimap.toml",
        format!(
            "[sources.logs]\nkind = \"files\"\npath = \"{d}/logs\"\ndata_types = [\"email\"]\nretention = \"{log_retention}\"\n\n[sources.crm]\nkind = \"files\"\npath = \"{d}/crm\"\ndata_types = [\"email\", \"person_name\"]\nretention = \"18 months\"\n"
        ),
    )
}

/// The oldest record of each asset is observed and says what it was read from; an
/// asset older than its declared period is a `retention` violation (exit 3).
#[test]
fn retention_is_checked_against_the_oldest_record() {
    let dir = tempdir();
    let config = retention_tree(dir.path(), "90 days");
    let inv = scan(&config, &dir.path().join("scan"));
    let inventory: Value = serde_json::from_str(&std::fs::read_to_string(&inv).unwrap()).unwrap();
    let oldest = |suffix: &str| -> Value {
        inventory["assets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"].as_str().unwrap().ends_with(suffix))
            .unwrap_or_else(|| panic!("{suffix}"))["stats"]["oldest_record"]
            .clone()
    };
    assert_eq!(oldest("app.log")["basis"], "log_line");
    assert_eq!(oldest("app.log")["at"], "2020-01-05T08:00:00Z");
    assert_eq!(oldest("contacts.csv")["basis"], "column");
    assert_eq!(oldest("contacts.csv")["field"], "created_at");
    assert_eq!(oldest("contacts.csv")["at"], "2026-06-01T10:00:00Z");
    assert_eq!(oldest("plain.csv")["basis"], "file_mtime");

    let o = check(&inv, &config, "retention");
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(3), "{out}{}", stderr(&o));
    assert!(
        out.contains("FAIL [retention]")
            && out.contains("app.log holds a record 2520 days old (log line timestamp: 2020-01-05), but source `logs` keeps data for 90 days (\"90 days\")"),
        "{out}"
    );
    assert_eq!(
        out.matches("[retention]").count(),
        1,
        "crm is within 18 months: {out}"
    );

    // Seven years cover 2020; free text that names no period is a warning, not a
    // violation.
    for (retention, warned) in [
        ("7 years", false),
        ("until the customer asks us to delete it", true),
    ] {
        let config = retention_tree(dir.path(), retention);
        let o = check(&inv, &config, "retention");
        assert_eq!(o.status.code(), Some(0), "{retention}: {}", stdout(&o));
        assert_eq!(
            stderr(&o).contains("sources.logs.retention (\"until the customer asks us to delete it\") names no period"),
            warned,
            "{}",
            stderr(&o)
        );
    }

    // report.html shows declared against observed retention per source; the notice
    // itself does not change.
    let config = retention_tree(dir.path(), "90 days");
    let out = dir.path().join("out");
    notice(&inv, &config, &out);
    let report = read(&out, "report.html");
    assert!(report.contains("<h2 id=\"retention\">Retention: declared against observed</h2>"));
    assert!(report.contains("<td>2020-01-05</td><td>log line timestamp</td><td>2520</td><td><strong class=\"review\">⚠ older than the period</strong></td>") || report.contains("older than the period"), "{report}");
    assert!(report.contains("timestamp column created_at"));
    assert!(!read(&out, "notice.md").contains("2520"));
}

/// An inventory written before the oldest record was observed still loads and checks.
#[test]
fn old_inventories_without_oldest_records_still_load() {
    let dir = tempdir();
    let config = retention_tree(dir.path(), "90 days");
    let inv = scan(&config, &dir.path().join("scan"));
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&inv).unwrap()).unwrap();
    for a in v["assets"].as_array_mut().unwrap() {
        a["stats"].as_object_mut().unwrap().remove("oldest_record");
    }
    std::fs::write(&inv, serde_json::to_string(&v).unwrap()).unwrap();
    let o = check(&inv, &config, "retention");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

/// §7102: over the threshold, the policy carries the metrics table counted from the
/// request log; below it, nothing.
#[test]
fn ccr_7102_metrics_table_from_a_request_log() {
    let dir = tempdir();
    let inv = scan(
        &repo().join("examples/demo/piimap.toml"),
        &dir.path().join("scan"),
    );
    write(
        dir.path(),
        "requests.jsonl",
        "{\"ts\":\"2025-02-01T09:00:00Z\",\"request\":\"delete\",\"outcome\":\"complied\",\"days\":7}\n{\"ts\":\"2025-03-01T09:00:00Z\",\"request\":\"delete\",\"outcome\":\"denied_unverified\",\"days\":3}\n",
    );
    let base = std::fs::read_to_string(repo().join("examples/demo/piimap.toml"))
        .unwrap()
        .replace(
            "path = \"data/",
            &format!("path = \"{}/", repo().join("examples/demo/data").display()),
        );
    let config = write(
        dir.path(),
        "piimap.toml",
        format!("{base}\n[request_metrics]\nover_10m_consumers = true\nlog = \"requests.jsonl\"\n"),
    );
    let out = dir.path().join("out");
    notice(&inv, &config, &out);
    let md = read(&out, "notice.md");
    assert!(md.contains("## Requests we received in 2025"), "{md}");
    assert!(
        md.contains("| Requests to delete | 2 | 1 | 1 | 5 |"),
        "{md}"
    );

    let quiet = write(dir.path(), "quiet.toml", base);
    let out = dir.path().join("quiet");
    notice(&inv, &quiet, &out);
    assert!(!read(&out, "notice.md").contains("Requests we received"));
}

/// axe-core reports no violation on any HTML document (the demo's, and a variant with
/// the metrics table and withheld items, each in English and in Spanish), the category
/// tables stack under 600 px and every table fits the printed page: `.ci/axe/check.mjs`
/// in headless Chromium.
#[test]
fn every_html_document_passes_axe_and_the_layout_checks() {
    let script = repo().join(".ci/axe/check.mjs");
    let ready = Path::new("/usr/bin/chromium").exists()
        && repo().join(".ci/axe/node_modules/axe-core").exists()
        && std::process::Command::new("node")
            .arg("--version")
            .output()
            .is_ok();
    if !ready {
        if std::env::var_os("CI").is_some() {
            panic!("the accessibility check needs Chromium, Node.js and .ci/axe/node_modules: .ci/run runs `bash .ci/axe.sh --install`");
        }
        eprintln!("skipped: run `bash .ci/axe.sh --install` first");
        return;
    }
    let dir = tempdir();
    let inv = scan(
        &repo().join("examples/demo/piimap.toml"),
        &dir.path().join("scan"),
    );
    let demo = dir.path().join("demo");
    // The Spanish pages (`--lang es`) are checked beside the English ones.
    notice_in(
        &inv,
        &repo().join("examples/demo/piimap.toml"),
        &demo,
        "en,es",
    );
    assert!(
        demo.join("notice.es.html").exists() && demo.join("notice-at-collection.es.html").exists()
    );
    let base = std::fs::read_to_string(repo().join("examples/demo/piimap.toml")).unwrap();
    let variant = write(
        dir.path(),
        "variant.toml",
        format!("{base}\n[[financial_incentives]]\nname = \"Referral credit\"\n\n[request_metrics]\nover_10m_consumers = true\nyear = 2025\n[request_metrics.figures]\nknow = {{ received = 3, complied = 2, denied = 1, days = 4 }}\n"),
    );
    let other = dir.path().join("variant");
    notice_in(&inv, &variant, &other, "en,es");
    assert!(read(&other, "notice.es.md").contains("Solicitudes recibidas en 2025"));
    assert!(read(&other, "notice.md").contains("Requests we received in 2025"));
    // The GDPR and workforce notices of the minimal manifest: every "needs review" path.
    let minimal_config = repo().join("tests/fixtures/gdpr-minimal/piimap.toml");
    let minimal_inv = scan(&minimal_config, &dir.path().join("minimal-scan"));
    let minimal = dir.path().join("minimal");
    notice(&minimal_inv, &minimal_config, &minimal);
    for page in ["gdpr-notice.html", "workforce-notice.html"] {
        assert!(
            demo.join(page).exists() && minimal.join(page).exists(),
            "{page}"
        );
    }
    // The redline between the two (notice diff), and the US state notice of a manifest
    // that answers nothing (every "needs review" marker).
    let redline = dir.path().join("diff");
    let o = piimap(&[
        "notice",
        "diff",
        demo.join("notice.json").to_str().unwrap(),
        other.join("notice.json").to_str().unwrap(),
        "--format",
        "html",
        "--out",
        redline.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bare_config = write(
        dir.path(),
        "minimal.toml",
        "[organisation]\nlegal_name = \"Minimal Co\"\n\n[us_states]\n",
    );
    let bare = dir.path().join("minimal-states");
    let o = piimap(&[
        "notice",
        "--inventory",
        inv.to_str().unwrap(),
        "--config",
        bare_config.to_str().unwrap(),
        "--kind",
        "us-states",
        "--format",
        "html",
        "--out",
        bare.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(demo.join("us-state-notice.html").exists());
    let o = std::process::Command::new("timeout")
        .arg("300")
        .arg("node")
        .arg(&script)
        .arg(&demo)
        .arg(&other)
        .arg(&minimal)
        .arg(&redline)
        .arg(&bare)
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    // Every HTML file of both runs was checked, and none failed.
    let pages = [&demo, &other, &minimal, &redline, &bare]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "html")
        })
        .count();
    assert!(
        out.contains(&format!("{pages} passed, 0 failed")),
        "{pages} pages: {out}"
    );
}
