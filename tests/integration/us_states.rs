//! The US state privacy laws notice and `piimap notice diff`: the demo's notice checked
//! against its checklist (`rules/checklists/us-state-notice.toml`), a minimal manifest
//! that shows every "⚠ needs review" path, and the redline of two demo inventories taken
//! before and after adding a source with a new recipient and a new category.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde::Deserialize;
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

fn ok(o: &Output) -> String {
    assert!(
        matches!(o.status.code(), Some(0 | 3)),
        "{}\n{}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// The demo manifest with absolute source paths (so a copy elsewhere still finds the
/// data), and `append` added.
fn demo_copy(dir: &Path, append: &str) -> PathBuf {
    let demo = std::fs::read_to_string(repo().join("examples/demo/piimap.toml")).unwrap();
    let data = repo().join("examples/demo/data");
    let text = demo.replace("path = \"data/", &format!("path = \"{}/", data.display()));
    write(dir, "piimap.toml", format!("{text}{append}"))
}

fn scan(config: &Path, out: &Path, history: Option<&Path>) -> PathBuf {
    let mut args = vec![
        "scan",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    if let Some(h) = history {
        args.extend(["--history", h.to_str().unwrap()]);
    }
    ok(&piimap(&args));
    out.join("inventory.json")
}

fn us_notice(inv: &Path, config: &Path, out: &Path) -> (String, Output) {
    let o = piimap(&[
        "notice",
        "--inventory",
        inv.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--kind",
        "us-states",
        "--format",
        "md",
        "--format",
        "html",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (
        std::fs::read_to_string(out.join("us-state-notice.md")).unwrap(),
        o,
    )
}

#[derive(Deserialize)]
struct Checklist {
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    id: String,
    requirement: String,
    section: String,
    patterns: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
}

/// The text under a "## " heading, up to the next one.
fn section<'a>(md: &'a str, heading: &str) -> Option<&'a str> {
    let start = md.find(&format!("\n## {heading}\n"))? + heading.len() + 4;
    let end = md[start..].find("\n## ").map_or(md.len(), |e| start + e);
    Some(&md[start..end])
}

/// Each checklist item against the document: (id, requirement, failures).
fn check(md: &str, list: &Checklist) -> Vec<(String, String, Vec<String>)> {
    list.items
        .iter()
        .map(|item| {
            let mut failures = Vec::new();
            let text = if item.section.is_empty() {
                Some(md)
            } else {
                section(md, &item.section)
            };
            match text {
                None => failures.push(format!("no section \"{}\"", item.section)),
                Some(text) => {
                    for p in &item.patterns {
                        if !regex::Regex::new(p).unwrap().is_match(text) {
                            failures.push(format!("missing /{p}/"));
                        }
                    }
                }
            }
            for p in &item.absent {
                if regex::Regex::new(p).unwrap().is_match(md) {
                    failures.push(format!("present /{p}/"));
                }
            }
            (item.id.clone(), item.requirement.clone(), failures)
        })
        .collect()
}

fn checklist() -> Checklist {
    let text =
        std::fs::read_to_string(repo().join("rules/checklists/us-state-notice.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

#[test]
fn the_demo_us_state_notice_meets_its_checklist() {
    let dir = tempdir();
    let config = repo().join("examples/demo/piimap.toml");
    let inv = scan(&config, &dir.path().join("scan"), None);
    let (md, o) = us_notice(&inv, &config, &dir.path().join("notice"));
    let list = checklist();
    let results = check(&md, &list);
    for (id, req, failures) in &results {
        let verdict = if failures.is_empty() { "pass" } else { "FAIL" };
        eprintln!("{verdict:4} {id}: {req} {failures:?}");
    }
    let failed: Vec<_> = results.iter().filter(|r| !r.2.is_empty()).collect();
    assert!(failed.is_empty(), "{failed:#?}\n{md}");
    assert_eq!(results.len(), 12);
    // Applicability follows the declared volumes: Virginia's 118,000 consumers pass
    // 100,000, Montana's 9,000 pass nothing, Maryland's 38,000 pass its 35,000.
    let model: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("notice/notice.json")).unwrap(),
    )
    .unwrap();
    let states = model["us_states"]["states"].as_array().unwrap();
    let applies = |code: &str| {
        states.iter().find(|s| s["code"] == code).unwrap()["applies"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(states.len(), 17);
    assert_eq!(
        (applies("VA"), applies("MT"), applies("MD")),
        ("yes".into(), "no".into(), "yes".into())
    );
    // Every covered state has its sensitive-data definition, and the demo's appeal
    // contact and state deadlines are printed.
    let sensitive = section(&md, "Sensitive data").unwrap();
    for s in model["us_states"]["covered"].as_array().unwrap() {
        assert!(
            sensitive.contains(&format!("**{}**", s.as_str().unwrap())),
            "{s}"
        );
    }
    let appeals = section(&md, "Appeals").unwrap();
    assert!(appeals.contains("privacy-appeals@trailhead.example"));
    assert!(appeals.contains("Virginia: 60 days") && appeals.contains("Colorado: 45 days"));
    // The workforce source is left out of a consumer notice.
    assert!(!section(&md, "Personal data we process")
        .unwrap()
        .contains("Social Security"));
    assert!(!stderr(&o).contains("warning:"), "{}", stderr(&o));
}

/// A manifest with only a name, one source and an empty `[us_states]`: every statement
/// the notice cannot rest on an answer is "⚠ needs review", with a warning.
#[test]
fn a_minimal_manifest_shows_every_needs_review_path() {
    let dir = tempdir();
    write(
        dir.path(),
        "data/patients.csv",
        "email,ethnicity,card_number\nann@example.com,Hispanic or Latino,4111111111111111\nbob@example.org,Asian,5500005555555559\ncy@example.net,White,4012888888881881\n",
    );
    let config = write(
        dir.path(),
        "piimap.toml",
        "[organisation]\nlegal_name = \"Minimal Co\"\n\n[us_states]\n\n[sources.patients]\nkind = \"files\"\npath = \"data\"\ndata_types = [\"email\", \"race_ethnicity\", \"credit_card\"]\n",
    );
    let inv = scan(&config, &dir.path().join("scan"), None);
    let (md, o) = us_notice(&inv, &config, &dir.path().join("notice"));
    let err = stderr(&o);
    for (text, warning) in [
        (
            "⚠ needs review: answer us_states.consumers.VA in piimap.toml",
            "whether these state laws apply cannot be decided",
        ),
        (
            "⚠ needs review: answer us_states.small_business in piimap.toml",
            "Texas (us_states.small_business)",
        ),
        (
            "⚠ needs review: answer us_states.annual_revenue_usd in piimap.toml",
            "Utah (us_states.annual_revenue_usd)",
        ),
        (
            "⚠ needs review: answer disclosures.sells in piimap.toml",
            "disclosures.sells",
        ),
        (
            "⚠ needs review: answer disclosures.shares in piimap.toml",
            "disclosures.shares",
        ),
        (
            "⚠ needs review: answer us_states.profiling in piimap.toml",
            "answer us_states.profiling",
        ),
        (
            "⚠ needs review: answer us_states.appeal_contact in piimap.toml",
            "answer us_states.appeal_contact",
        ),
        (
            "⚠ needs review: answer us_states.sensitive_data_consent in piimap.toml",
            "answer us_states.sensitive_data_consent",
        ),
        (
            "⚠ needs review: answer us_states.authorized_agent in piimap.toml",
            "answer us_states.authorized_agent",
        ),
        (
            "⚠ needs review: answer organisation.opt_out_signals in piimap.toml",
            "answer organisation.opt_out_signals",
        ),
        (
            "⚠ needs review: no recipient is declared as a third party",
            "no recipient is declared as a third party",
        ),
        ("⚠ needs review: Payment card number", "only in some cases"),
        (
            "⚠ needs review: answer organisation.privacy_email in piimap.toml",
            "",
        ),
    ] {
        assert!(md.contains(text), "draft lacks {text:?}:\n{md}");
        assert!(err.contains(warning), "no warning {warning:?}:\n{err}");
    }
    // The checklist fails where an answer is missing (it can fail).
    let failed: Vec<String> = check(&md, &checklist())
        .into_iter()
        .filter(|r| !r.2.is_empty())
        .map(|r| r.0)
        .collect();
    for id in [
        "appeal",
        "sensitive-consent",
        "sale-and-targeted-advertising",
        "nothing-withheld",
        "how-to-exercise",
    ] {
        assert!(failed.iter().any(|f| f == id), "{id}: {failed:?}");
    }
    // Ethnicity is sensitive in every state: held, not conditional.
    assert!(
        md.contains("racial or ethnic origin — we hold Racial or ethnic origin"),
        "{md}"
    );
    // Nothing is claimed as a fact: no sale, targeted advertising or profiling statement.
    for claim in [
        "We do not sell",
        "We sell",
        "We do not process personal data for targeted",
        "We do not profile",
        "We process sensitive data only with your consent",
        "We do not share personal data with third parties",
    ] {
        assert!(!md.contains(claim), "{claim}");
    }
    // Without [us_states] at all, `--kind all` does not write it, and no warning of the
    // other drafts is about it.
    let none = write(
        dir.path(),
        "none.toml",
        "[organisation]\nlegal_name = \"Minimal Co\"\n\n[sources.patients]\nkind = \"files\"\npath = \"data\"\ndata_types = [\"email\", \"race_ethnicity\", \"credit_card\"]\n",
    );
    let out = dir.path().join("all");
    let o = piimap(&[
        "notice",
        "--inventory",
        inv.to_str().unwrap(),
        "--config",
        none.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!out.join("us-state-notice.md").exists());
    assert!(!stderr(&o).contains("us_states"), "{}", stderr(&o));
}

/// The redline of two demo inventories, before and after a store-visits source with a
/// new recipient (Mailchimp) and a new category (geolocation) was added.
#[test]
fn notice_diff_of_two_demo_inventories_cites_the_new_source_and_recipient() {
    let dir = tempdir();
    let before = demo_copy(dir.path(), "");
    let old_hist = dir.path().join("hist-old");
    scan(&before, &dir.path().join("scan-old"), Some(&old_hist));
    let kept = std::fs::read_dir(&old_hist)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let history = dir.path().join("history");
    std::fs::create_dir_all(&history).unwrap();
    let old_inv = history.join("inventory-2026-06-01.json");
    std::fs::rename(&kept, &old_inv).unwrap();

    let visits = write(
        dir.path(),
        "visits/store_visits.csv",
        "email,last_location,mailchimp_subscriber_id\nann@example.com,\"40.7127753,-74.0059728\",a1b2c3d4e5\nbob@example.org,\"37.7869710,-122.3996770\",f6a7b8c9d0\ncy@example.net,\"-33.8688197,151.2092955\",0a1b2c3d4e\n",
    );
    let after_text = format!(
        "\n[sources.store_visits]\nkind = \"files\"\npath = \"{}\"\ndata_types = [\"email\", \"precise_geolocation\"]\npurposes = [\"marketing\"]\ndata_subjects = [\"customers\"]\nsource_categories = [\"consumer_devices\"]\nretention = \"13 months\"\nrecipients = [\"mailchimp\"]\n\n[recipients.mailchimp]\nname = \"Mailchimp\"\nrole = \"service_provider\"\ncategory = \"email_and_marketing_automation\"\npurposes = [\"marketing\"]\ndata_types = [\"email\"]\nsold = false\nshared_for_cross_context_advertising = false\n",
        visits.parent().unwrap().display()
    );
    let after_dir = dir.path().join("after");
    std::fs::create_dir_all(&after_dir).unwrap();
    let after = demo_copy(&after_dir, &after_text);
    let new_inv = scan(&after, &dir.path().join("scan-new"), None);

    let out = dir.path().join("diff");
    let o = piimap(&[
        "notice",
        "diff",
        old_inv.to_str().unwrap(),
        new_inv.to_str().unwrap(),
        "--old-config",
        before.to_str().unwrap(),
        "--config",
        after.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let printed = ok(&o);
    assert!(
        printed.contains("notice-diff.md")
            && printed.contains("notice-diff.html")
            && printed.contains("notice-diff.json"),
        "{printed}"
    );
    let d: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("notice-diff.json")).unwrap())
            .unwrap();
    assert_eq!(d["schema"], "piimap.notice-diff/1");
    assert_eq!(d["old"]["date"], "2026-06-01");
    let changes = d["changes"].as_array().unwrap();
    let find = |kind: &str, op: &str, subject: &str| -> &Value {
        changes
            .iter()
            .find(|c| {
                c["kind"] == kind
                    && c["op"] == op
                    && c["subject"].as_str().unwrap().contains(subject)
            })
            .unwrap_or_else(|| panic!("no {kind} {op} {subject}: {changes:#?}"))
    };
    let causes = |c: &Value| -> Vec<String> {
        c["causes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    let geo = find("category", "added", "Geolocation");
    let gc = causes(geo);
    assert!(
        gc.iter().any(
            |c| c.contains("declared in sources.store_visits (a source added to the manifest)")
        ),
        "{gc:?}"
    );
    assert!(
        gc.iter()
            .any(|c| c.contains("store_visits.csv (last_location)")),
        "{gc:?}"
    );
    let mc = find("recipient", "added", "Mailchimp");
    assert!(
        causes(mc)
            .iter()
            .any(|c| c == "manifest: declares recipients.mailchimp (service provider)"),
        "{:?}",
        causes(mc)
    );
    let sens = find("sensitive", "added", "(ae)(1)(C)");
    assert!(
        causes(sens).iter().any(|c| c.contains("store_visits")),
        "{:?}",
        causes(sens)
    );
    let ret = find("retention", "added", "store_visits");
    assert_eq!(ret["new"], "13 months");
    // Nothing was removed: the old sources are all still there.
    assert!(changes.iter().all(|c| c["op"] != "removed"), "{changes:#?}");
    let md = std::fs::read_to_string(out.join("notice-diff.md")).unwrap();
    assert!(
        md.contains("- **Added** — ")
            && md.contains("  - because manifest: declares recipients.mailchimp"),
        "{md}"
    );
    let html = std::fs::read_to_string(out.join("notice-diff.html")).unwrap();
    assert!(
        html.contains("<ins>") && html.contains("Mailchimp"),
        "{html}"
    );

    // The reverse comparison of the two notice.json models removes what was added.
    let (m_old, m_new) = (dir.path().join("m-old"), dir.path().join("m-new"));
    for (inv, cfg, out) in [(&old_inv, &before, &m_old), (&new_inv, &after, &m_new)] {
        let o = piimap(&[
            "notice",
            "--inventory",
            inv.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let back = dir.path().join("back");
    ok(&piimap(&[
        "notice",
        "diff",
        m_new.join("notice.json").to_str().unwrap(),
        m_old.join("notice.json").to_str().unwrap(),
        "--format",
        "html",
        "--out",
        back.to_str().unwrap(),
    ]));
    let html = std::fs::read_to_string(back.join("notice-diff.html")).unwrap();
    assert!(html.contains("<del>") && html.contains("Removed"), "{html}");
    assert!(!back.join("notice-diff.md").exists());
}
