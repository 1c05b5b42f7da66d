//! The checklists of `rules/checklists/` (the CCPA policy's 44 points, the notice at
//! collection, the Art. 30 record, the GDPR Art. 13/14 notice, the California workforce
//! notice): each demo document checked against its own (model facts present in
//! `notice.json` and printed in the document); HR data kept out of the consumer notice
//! at collection; the `--kind` values and `scan --notice`; and the minimal manifest of
//! `tests/fixtures/gdpr-minimal/` showing every "needs review" path.
//!
//! The checklist results are printed: `cargo test --test integration gdpr -- --nocapture`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::notice::pin_mtimes;
use crate::util::{bin, repo, stderr, stdout, tempdir};

/// 2026-11-29T00:00:00Z.
const EPOCH: &str = "1795910400";

fn scan(config: &Path, out: &Path) -> PathBuf {
    let o = bin()
        .current_dir(repo())
        .args([
            "scan",
            "--config",
            config.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "scan: {}", stderr(&o));
    let inv = out.join("inventory.json");
    pin_mtimes(&inv);
    inv
}

fn notice(inv: &Path, config: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "notice",
        "--inventory",
        inv.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = bin()
        .current_dir(repo())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    o
}

const ALL: &[&str] = &["--format", "md", "--format", "html", "--format", "json"];

fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

fn demo() -> PathBuf {
    repo().join("examples/demo/piimap.toml")
}

fn minimal() -> PathBuf {
    repo().join("tests/fixtures/gdpr-minimal/piimap.toml")
}

/// The values a checklist path reaches in `v`, or why it cannot reach them.
fn reach(v: &Value, path: &str) -> Result<Vec<Value>, String> {
    let mut cur = vec![v.clone()];
    for seg in path.split('.') {
        let (field, sel) = match seg.find('[') {
            Some(i) => (&seg[..i], Some(&seg[i + 1..seg.len() - 1])),
            None => (seg, None),
        };
        let mut next = Vec::new();
        for x in &cur {
            let y = x.get(field).filter(|y| !y.is_null());
            let y = y.ok_or_else(|| format!("`{field}` is missing in {path}"))?;
            match sel {
                None => next.push(y.clone()),
                Some(sel) => {
                    let items = y
                        .as_array()
                        .ok_or_else(|| format!("`{field}` is not a list"))?;
                    for it in items {
                        let keep = match sel.strip_prefix('?') {
                            None => true,
                            Some(cond) => match cond.split_once('=') {
                                Some((k, val)) => it.get(k).and_then(Value::as_str) == Some(val),
                                None => truthy(it.get(cond).unwrap_or(&Value::Null)),
                            },
                        };
                        if keep {
                            next.push(it.clone());
                        }
                    }
                }
            }
        }
        cur = next;
    }
    Ok(cur)
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

/// One checklist item's result: `Ok(true)` passed, `Ok(false)` not applicable.
fn check_item(item: &toml::Value, model: &Value, doc: &str) -> Result<bool, String> {
    let doc_lc = doc.replace('\\', "").to_lowercase();
    let strs = |k: &str| -> Vec<String> {
        item.get(k)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    // `applies_if`: the item applies only when this path reaches a true or non-empty value.
    if let Some(cond) = item.get("applies_if").and_then(|v| v.as_str()) {
        let values = reach(model, cond).unwrap_or_default();
        if !values.iter().any(truthy) {
            return Ok(false);
        }
    }
    for a in strs("absent") {
        if doc_lc.contains(&a.to_lowercase()) {
            return Err(format!("{a:?} is in the document"));
        }
    }
    // `within`: every value the facts reach is also a value of this path.
    let within = match item.get("within").and_then(|v| v.as_str()) {
        Some(path) => Some(reach(model, path)?),
        None => None,
    };
    let optional = item.get("applicable_if_any").and_then(|v| v.as_bool()) == Some(false);
    let in_document = item.get("in_document").and_then(|v| v.as_bool()) != Some(false);
    let mut reached = 0;
    let mut applicable = strs("facts").is_empty();
    for path in strs("facts") {
        let values = reach(model, &path)?;
        if values.is_empty() && !optional {
            return Err(format!("{path}: no value"));
        }
        applicable |= !values.is_empty();
        for v in &values {
            if !truthy(v) {
                return Err(format!("{path}: empty or false ({v})"));
            }
            if within.as_ref().is_some_and(|w| !w.contains(v)) {
                return Err(format!("{path}: {v} is not among the `within` values"));
            }
            if let (Some(s), true) = (v.as_str(), in_document) {
                if !doc_lc.contains(&s.to_lowercase()) {
                    return Err(format!("{path}: {s:?} is not in the document"));
                }
            }
        }
        reached += values.len();
    }
    if !applicable {
        return Ok(false);
    }
    if let Some(min) = item.get("min_count").and_then(|v| v.as_integer()) {
        if (reached as i64) < min {
            return Err(format!("{reached} values, fewer than {min}"));
        }
    }
    for t in strs("text") {
        if !doc_lc.contains(&t.to_lowercase()) {
            return Err(format!("{t:?} is not in the document"));
        }
    }
    Ok(true)
}

/// Checks the document of checklist `name` in `dir`; returns one line per item and the
/// number of failures.
fn run_checklist(name: &str, dir: &Path) -> (Vec<String>, usize) {
    let text =
        std::fs::read_to_string(repo().join(format!("rules/checklists/{name}.toml"))).unwrap();
    let list: toml::Value = toml::from_str(&text).unwrap();
    let file = list["file"].as_str().unwrap();
    let doc = read(dir, file);
    let model: Value = serde_json::from_str(&read(dir, "notice.json")).unwrap();
    let mut lines = Vec::new();
    let mut failed = 0;
    for item in list["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let req = item["requirement"].as_str().unwrap();
        let line = match check_item(item, &model, &doc) {
            Ok(true) => format!("pass  {id}: {req}"),
            Ok(false) => format!("n/a   {id}: {req} (nothing in the data calls for it)"),
            Err(e) => {
                failed += 1;
                format!("FAIL  {id}: {req}: {e}")
            }
        };
        lines.push(line);
    }
    (lines, failed)
}

/// Each demo document meets every item of its checklist (or the item does not apply),
/// and the checker fails the same documents drafted from the minimal manifest.
#[test]
fn demo_documents_meet_their_checklists() {
    let dir = tempdir();
    let inv = scan(&demo(), &dir.path().join("scan"));
    let out = dir.path().join("demo");
    notice(&inv, &demo(), &out, ALL);
    let mut report = String::new();
    for name in [
        "ccpa-policy",
        "notice-at-collection",
        "ropa",
        "gdpr-notice",
        "workforce-notice",
    ] {
        let (lines, failed) = run_checklist(name, &out);
        report.push_str(&format!(
            "{name}: {} items, {failed} failed\n  {}\n",
            lines.len(),
            lines.join("\n  ")
        ));
        assert_eq!(failed, 0, "{report}");
    }
    eprintln!("{report}");
    // The same checklists fail on the minimal manifest's drafts: the checker can fail.
    let mdir = dir.path().join("min");
    let minv = scan(&minimal(), &dir.path().join("mscan"));
    notice(&minv, &minimal(), &mdir, ALL);
    let (lines, failed) = run_checklist("gdpr-notice", &mdir);
    assert!(failed >= 10, "{}", lines.join("\n"));
    let (lines, failed) = run_checklist("workforce-notice", &mdir);
    assert!(failed >= 3, "{}", lines.join("\n"));
    let (lines, failed) = run_checklist("ccpa-policy", &mdir);
    eprintln!(
        "minimal ccpa-policy: {failed} failed\n  {}",
        lines.join("\n  ")
    );
    assert!(failed >= 5, "{}", lines.join("\n"));
    let (lines, failed) = run_checklist("ropa", &mdir);
    assert!(failed >= 2, "{}", lines.join("\n"));
}

/// The employees source is HR (data_subjects = ["employees"]): its SSNs, job titles and
/// payroll purpose are in the workforce notice, not in the consumer notice at collection;
/// the privacy policy lists every category collected (§7011(e)(1)(A), checklist 6, 8, 9),
/// so they are there too, in a workforce table of their own after the consumer one. The
/// Art. 30 record and the GDPR notice still cover it.
#[test]
fn hr_data_goes_to_the_workforce_notice_and_its_own_policy_table() {
    let dir = tempdir();
    let inv = scan(&demo(), &dir.path().join("scan"));
    let out = dir.path().join("demo");
    notice(&inv, &demo(), &out, ALL);
    let model: Value = serde_json::from_str(&read(&out, "notice.json")).unwrap();
    assert_eq!(
        model["workforce"]["sources"],
        serde_json::json!(["employees"])
    );
    let workforce_heading =
        "Personal information about our employees, job applicants and contractors";
    for f in ["notice.md", "notice-at-collection.md", "notice.html"] {
        let text = read(&out, f);
        let (consumer_part, workforce_part) = match text.split_once(workforce_heading) {
            Some((c, w)) => (c, w),
            None => (text.as_str(), ""),
        };
        assert_eq!(
            workforce_part.is_empty(),
            f == "notice-at-collection.md",
            "{f}: the policy has a workforce table, the notice at collection none"
        );
        for hr in ["Social Security numbers", "job titles"] {
            assert!(
                f == "notice-at-collection.md" || workforce_part.contains(hr),
                "{f}: the workforce table lacks {hr:?}"
            );
        }
        let consumer_part = consumer_part
            .split_once("## Personal information we collect")
            .or_else(|| consumer_part.split_once(">Personal information we collect<"))
            .map_or(consumer_part, |(_, rest)| rest);
        for hr in [
            "Social Security numbers",
            "job titles",
            "to manage employment, payroll and benefits",
        ] {
            assert!(
                !consumer_part.contains(hr),
                "{f}: the consumer part holds {hr:?}"
            );
        }
    }
    let consumer: Vec<&str> = model["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["letter"].as_str().unwrap())
        .collect();
    assert!(
        !consumer.contains(&"I") && !consumer.contains(&"L"),
        "{consumer:?}"
    );
    let wf = read(&out, "workforce-notice.md");
    for hr in [
        "Social Security numbers",
        "job titles",
        "to manage employment, payroll and benefits",
        "7 years after employment ends",
    ] {
        assert!(wf.contains(hr), "{hr:?}: {wf}");
    }
    for consumer_only in [
        "IP addresses",
        "credit and debit card numbers",
        "90 days",
        "Social networks",
    ] {
        assert!(!wf.contains(consumer_only), "{consumer_only:?} in {wf}");
    }
    // `[workforce] shares = false` answers for HR data; the consumer `shares = true` is the pixel.
    assert!(
        wf.contains("**We do not sell the personal information of our employees"),
        "{wf}"
    );
    assert!(read(&out, "ropa.md").contains("## Processing activity: Employees"));
    let gdpr = read(&out, "gdpr-notice.md");
    assert!(gdpr.contains("| Employees | Employees |"), "{gdpr}");
    // The report still shows every source.
    assert!(read(&out, "report.html").contains("Social Security"));
}

/// `--kind gdpr` and `--kind workforce` write just their document; `scan --notice`
/// writes both with the others.
#[test]
fn kinds_gdpr_and_workforce_and_scan_notice_write_the_documents() {
    let dir = tempdir();
    let inv = scan(&demo(), &dir.path().join("scan"));
    for (kind, file) in [("gdpr", "gdpr-notice"), ("workforce", "workforce-notice")] {
        let out = dir.path().join(kind);
        notice(
            &inv,
            &demo(),
            &out,
            &["--kind", kind, "--format", "md", "--format", "html"],
        );
        let mut files: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files, [format!("{file}.html"), format!("{file}.md")]);
    }
    let out = dir.path().join("scan-notice");
    let o = bin()
        .current_dir(repo())
        .args([
            "scan",
            "--config",
            demo().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--notice",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in [
        "gdpr-notice.md",
        "gdpr-notice.html",
        "workforce-notice.md",
        "workforce-notice.html",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
}

/// The minimal manifest answers almost nothing: every missing answer of both notices is
/// a warning and a "⚠" in the draft, and nothing is invented.
#[test]
fn minimal_manifest_shows_every_needs_review_path() {
    let dir = tempdir();
    let inv = scan(&minimal(), &dir.path().join("scan"));
    let out = dir.path().join("min");
    let o = notice(&inv, &minimal(), &out, ALL);
    let model: Value = serde_json::from_str(&read(&out, "notice.json")).unwrap();
    let codes: Vec<&str> = model["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    for code in [
        "gdpr_address_missing",
        "gdpr_contact_missing",
        "gdpr_dpo_missing",
        "gdpr_eu_representative_missing",
        "gdpr_uk_representative_missing",
        "gdpr_authority_missing",
        "gdpr_automated_unanswered",
        "gdpr_safeguards_copy_missing",
        "gdpr_transfers_unanswered",
        "gdpr_safeguard_missing:Example Mailer",
        "gdpr_legal_basis_missing:hr_administration",
        "gdpr_legal_basis_missing:marketing",
        "gdpr_legitimate_interests_missing:security",
        "gdpr_special_condition_missing:hr_administration",
        "gdpr_article10_basis_missing:hr_administration",
        "gdpr_requirement_missing:marketing",
        "gdpr_retention_missing:hr",
        "gdpr_source_missing:hr",
        "workforce:answer_missing:disclosures.sells",
        "workforce:answer_missing:disclosures.shares",
        "workforce:answer_missing:disclosures.sensitive_pi_use",
        "workforce:retention_missing:A",
    ] {
        assert!(codes.contains(&code), "{code} not in {codes:?}");
    }
    let err = stderr(&o);
    assert!(
        err.contains("gdpr.purposes.hr_administration.legal_basis"),
        "{err}"
    );
    let g = read(&out, "gdpr-notice.md");
    for needs in [
        "| Address | ⚠ needs review: not declared |",
        "| Data protection officer (Art. 13(1)(b)) | ⚠ needs review: not declared |",
        "- **Legal basis (Art. 6(1)):** ⚠ needs review: not declared",
        "- **Legitimate interests pursued (Art. 13(1)(d)):** ⚠ needs review: not declared",
        "condition (Art. 9(2)): ⚠ needs review: not declared",
        "on a basis that is ⚠ not declared (needs review)",
        "- **Must you provide it? (Art. 13(2)(e)):** ⚠ needs review: not declared",
        "safeguard: ⚠ needs review: not declared",
        "A copy of the safeguards: ⚠ needs review",
        "⚠ Needs review: some recipients declare no transfer",
        "⚠ Needs review: whether it applies depends on legal bases not yet declared.",
        "(Art. 77): ⚠ needs review: no authority named.",
        "⚠ Needs review: it is not declared whether decisions based solely on automated processing",
        "| Hr | Employees | ",
        "| ⚠ not declared | ⚠ not declared |",
        "Data brokers; Public records (publicly accessible sources)",
        "we did not obtain that personal data from\nyou (Art. 14)",
    ] {
        assert!(g.contains(needs), "{needs:?} not in:\n{g}");
    }
    // Nothing negative is claimed without an answer.
    for claim in [
        "We do not make decisions",
        "None of the purposes above rests",
    ] {
        assert!(!g.contains(claim), "{claim:?}");
    }
    let w = read(&out, "workforce-notice.md");
    assert!(w.contains("⚠ statement withheld"), "{w}");
    assert!(!w.contains("We do not sell"), "{w}");
    assert!(w.contains("⚠ Not declared"), "{w}");
    // The HR source is workforce: its health data is in the policy's workforce table
    // only (the policy lists every category collected), never in the consumer one.
    let policy = read(&out, "notice.md");
    let (consumer, workforce) = policy
        .split_once("### Personal information about our employees")
        .expect("a workforce table in the policy");
    assert!(
        !consumer.contains("health and medical information"),
        "{policy}"
    );
    assert!(
        workforce.contains("health and medical information"),
        "{policy}"
    );
    assert!(w.contains("health and medical information"), "{w}");
}
