//! `piimap notice`: the disclosure documents drafted from the demo inventory — golden
//! files, the CCPA checklist, the refused "we do not sell or share" statement, warnings,
//! history, template overrides, escaping, no raw value in any document, and the HTML as
//! headless Chromium renders it.
//!
//! Regenerate the golden files with `PIIMAP_BLESS=1 cargo test --test integration notice`.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::util::{bin, repo, stderr, stdout, tempdir, write};

/// 2026-11-29T00:00:00Z: every document is drafted "today" = 2026-11-29.
const EPOCH: &str = "1795910400";

/// The files `notice --kind all --format md --format html --format json` writes.
const ALL_FILES: &[&str] = &[
    "notice.md",
    "notice.html",
    "notice-at-collection.md",
    "notice-at-collection.html",
    "notice-of-financial-incentive.md",
    "notice-of-financial-incentive.html",
    "ropa.md",
    "ropa.csv",
    "do-not-sell-or-share.md",
    "do-not-sell-or-share.html",
    "gdpr-notice.md",
    "gdpr-notice.html",
    "workforce-notice.md",
    "workforce-notice.html",
    "us-state-notice.md",
    "us-state-notice.html",
    "notice.json",
    "report.html",
];

/// Scans the demo with its manifest (cwd = repository root, so asset paths are relative
/// to it) and returns the temp dir holding `inventory.json`.
fn demo_inventory() -> (tempfile::TempDir, PathBuf) {
    let dir = tempdir();
    let o = bin()
        .current_dir(repo())
        .args([
            "scan",
            "--config",
            "examples/demo/piimap.toml",
            "--out",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "scan: {}", stderr(&o));
    let inv = dir.path().join("inventory.json");
    pin_mtimes(&inv);
    (dir, inv)
}

/// A file's modification time (the oldest-record fallback of files with no timestamp
/// column) is when the checkout wrote it: pinned, so the documents do not depend on it.
pub fn pin_mtimes(inventory: &Path) {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(inventory).unwrap()).unwrap();
    for a in v["assets"].as_array_mut().unwrap() {
        let o = &mut a["stats"]["oldest_record"];
        if o["basis"] == "file_mtime" {
            o["at"] = "2026-09-01T00:00:00Z".into();
        }
    }
    std::fs::write(inventory, serde_json::to_string(&v).unwrap()).unwrap();
}

/// Runs `piimap notice` with a fixed date; asserts success.
fn notice(inventory: &Path, config: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "notice".to_string(),
        "--inventory".into(),
        inventory.display().to_string(),
        "--config".into(),
        config.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let o = bin()
        .current_dir(repo())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "piimap {args:?}\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    o
}

fn all_formats() -> Vec<&'static str> {
    vec!["--format", "md", "--format", "html", "--format", "json"]
}

fn demo_manifest() -> PathBuf {
    repo().join("examples/demo/piimap.toml")
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn json_of(dir: &Path) -> Value {
    serde_json::from_str(&read(dir, "notice.json")).unwrap()
}

/// A manifest derived from the demo's by text replacements (each must apply).
/// The demo manifest with its Meta pixel undeclared (no `[recipients.facebook]`, no
/// disposition for it, `shares = false`): the pixel is still seen in the logs, so the
/// drafts must withhold "we have not sold or shared" and ask for review.
fn undeclared_pixel_text() -> String {
    let demo = std::fs::read_to_string(demo_manifest()).unwrap();
    let block = |text: &str, start: &str, end: &str| -> String {
        let s = text
            .find(start)
            .unwrap_or_else(|| panic!("no {start:?} in the demo"));
        let e = s + text[s..].find(end).unwrap_or(text.len() - s);
        format!("{}{}", &text[..s], &text[e..])
    };
    let text = block(
        &demo,
        "# The Meta pixel on the checkout page: Meta",
        "# The loyalty",
    );
    let text = block(&text, "[[dispositions]]\nasset = \"file:**/app.log.gz\"\nfield = \"customer_email\"\nrecipient = \"facebook\"", "\n\n[[");
    let edits = [
        (
            "shares = true                                 # the Meta pixel on the checkout page (declared below)",
            "shares = false                                # none shared for cross-context behavioral advertising",
        ),
        (
            "recipients = [\"google_analytics\", \"stripe\", \"facebook\"]",
            "recipients = [\"google_analytics\", \"stripe\"]",
        ),
    ];
    let mut text = text;
    for (from, to) in edits {
        assert!(text.contains(from), "the demo manifest has no {from:?}");
        text = text.replacen(from, to, 1);
    }
    assert!(!text.contains("facebook"), "{text}");
    text
}

/// [`undeclared_pixel_text`] written to `dir`.
fn review_manifest(dir: &Path) -> PathBuf {
    write(dir, "piimap.toml", undeclared_pixel_text())
}

/// The undeclared-pixel demo with `edits` applied and `append` added.
fn demo_manifest_variant(dir: &Path, edits: &[(&str, &str)], append: &str) -> PathBuf {
    let mut text = undeclared_pixel_text();
    for (from, to) in edits {
        assert!(text.contains(from), "the demo manifest has no {from:?}");
        text = text.replacen(from, to, 1);
    }
    text.push_str(append);
    write(dir, "piimap.toml", text)
}

/// The first differing lines of two texts, for a readable failure.
fn diff(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut out = String::new();
    let mut shown = 0;
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i).copied(), a.get(i).copied());
        if x != y {
            out.push_str(&format!(
                "line {}:\n  - {}\n  + {}\n",
                i + 1,
                x.unwrap_or("<end of file>"),
                y.unwrap_or("<end of file>")
            ));
            shown += 1;
            if shown == 12 {
                out.push_str("  …\n");
                break;
            }
        }
    }
    out
}

#[test]
fn golden_documents_for_the_demo() {
    let (_inv_dir, inv) = demo_inventory();
    let out = tempdir();
    notice(&inv, &demo_manifest(), out.path(), &all_formats());
    let golden = repo().join("tests/golden/notice-demo");
    let bless = std::env::var_os("PIIMAP_BLESS").is_some();
    let mut failures = Vec::new();
    for file in ALL_FILES {
        let actual = read(out.path(), file);
        let path = golden.join(file);
        if bless {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "{} is missing: run PIIMAP_BLESS=1 cargo test --test integration notice",
                path.display()
            )
        });
        if expected != actual {
            failures.push(format!(
                "{file} differs from {}:\n{}",
                path.display(),
                diff(&expected, &actual)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nIf the change is intended, regenerate with PIIMAP_BLESS=1 cargo test --test integration notice",
        failures.join("\n")
    );
}

#[test]
fn ccpa_policy_meets_the_checklist_and_refuses_the_none_sold_statement() {
    let (_inv_dir, inv) = demo_inventory();
    let out = tempdir();
    let cfg = tempdir();
    let o = notice(
        &inv,
        &review_manifest(cfg.path()),
        out.path(),
        &all_formats(),
    );
    let md = read(out.path(), "notice.md");
    let html = read(out.path(), "notice.html");
    let model = json_of(out.path());

    // Document level: date (§7011(e)(4)), scope, sections.
    assert!(md.contains("**Last updated:** November 1, 2026"), "{md}");
    assert!(html.contains("<time datetime=\"2026-11-01\">November 1, 2026</time>"));
    assert!(md.contains("online") && md.contains("offline"));
    for heading in [
        "## Personal information we collect",
        "## Where we get personal information",
        "## Why we collect and use personal information",
        "### Personal information sold or shared in the preceding 12 months",
        "### Personal information disclosed for a business purpose in the preceding 12 months",
        "### Consumers under 16",
        "## Your rights",
        "## How to exercise your rights",
        "## Opt-out preference signals (Global Privacy Control)",
        "## Do Not Track",
        "## Changes to this notice",
        "## Contact us",
    ] {
        assert!(md.contains(&format!("\n{heading}\n")), "missing {heading}");
    }
    assert!(md.contains("In the preceding 12 months we have collected"));
    assert!(md.contains("| Category | Examples found | Sensitive? | Sources | Purposes | Disclosed for a business purpose to | Sold to | Shared for cross-context advertising with | Retention |"));

    // Statutory category names, exactly as the taxonomy has them.
    let taxonomy = piimap::taxonomy::Taxonomy::builtin().unwrap();
    let cats = model["categories"].as_array().unwrap();
    let letters: Vec<&str> = cats.iter().map(|c| c["letter"].as_str().unwrap()).collect();
    // The employees source is HR: its categories (I, L) are in the workforce notice.
    assert_eq!(letters, ["A", "B", "C", "D", "F", "H"]);
    for c in cats {
        let letter = c["letter"].as_str().unwrap();
        let name = taxonomy.ccpa_name(letter);
        assert_eq!(c["name"], name);
        assert!(
            md.contains(&format!("**{letter}. {name}**")),
            "{letter}. {name}"
        );
        assert!(!c["examples"].as_array().unwrap().is_empty());
        assert!(
            !c["evidence"].as_array().unwrap().is_empty(),
            "{letter} has no evidence"
        );
        assert!(!c["retention"].as_array().unwrap().is_empty());
    }
    assert!(md.contains("Personal information described in subdivision (e) of Section 1798.80"));
    // Examples drawn from the inventory. No consumer source holds sensitive PI; the SSNs
    // of the employees source are in the policy's workforce table and its sensitive
    // section, in the (ae) wording with the §7027(m) statement (checklist 6, 8, 9), and
    // in the workforce notice.
    let (consumer, workforce) = md
        .split_once("### Personal information about our employees")
        .expect("the policy's workforce table");
    assert!(consumer.contains("email addresses") && !consumer.contains("Social Security numbers"));
    let (workforce_table, sensitive) = workforce
        .split_once("\n### Sensitive personal information\n")
        .expect("a sensitive section for the workforce SSNs");
    assert!(workforce_table.contains("| **I. Professional or employment-related information** |"));
    assert!(sensitive.contains(
        "passport number** (§1798.140(ae)(1)(A)), about our workforce: Social Security numbers."
    ));
    assert!(
        sensitive.contains("allowed by 11 CCR §7027(m)"),
        "{sensitive}"
    );
    let wf = read(out.path(), "workforce-notice.md");
    assert!(wf.contains("Social Security numbers"));
    assert!(wf.contains("A consumer's social security, driver's license, state identification card, or passport number"));
    assert!(wf.contains("11 CCR\n§7027(m)"), "{wf}");
    // Sources and purposes as labels, not keys.
    assert!(md.contains("- Directly from you\n"));
    assert!(md.contains("- to process payments\n"));
    assert!(!md.contains("payment_processing"));

    // The demo logs show the Facebook pixel: "we do not sell or share" is refused.
    assert!(!md.contains("We have not sold or shared personal information"));
    assert!(!html.contains("We have not sold or shared personal information"));
    assert!(md.contains("statement withheld"));
    assert!(md.contains("Meta (Facebook, Instagram) (Social networks)"));
    let sale = &model["sale_and_sharing"];
    assert_eq!(sale["none_statement"], false);
    assert_eq!(sale["none_statement_blocked"], true);
    assert!(model["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "sale_statement_blocked"));
    assert!(stderr(&o).contains("was NOT generated"), "{}", stderr(&o));
    // The categories flowing to the pixel carry a visible marker.
    assert!(md.contains("| **A. Identifiers** ⚠ Needs review |"));
    assert!(md.contains(
        "| **F. Internet or other electronic network activity information** ⚠ Needs review |"
    ));

    // Disclosures for a business purpose, with recipient categories and purposes.
    assert!(md.contains("- **A. Identifiers** — to: Payment processors; Data analytics providers. Purposes: to process payments; to understand how our services are used."));
    // Every category sold, shared or disclosed is also in the collected list.
    let collected: Vec<&str> = letters.clone();
    for list in [&sale["categories"], &model["disclosures"]["categories"]] {
        for c in list.as_array().unwrap() {
            assert!(collected.contains(&c["letter"].as_str().unwrap()), "{c}");
        }
    }

    // Minors, rights, methods, verification, agents, GPC, DNT, contact.
    assert!(md.contains("we have no actual knowledge that we do so"));
    for right in [
        "**Right to know.**",
        "**Right to delete.**",
        "**Right to correct.**",
        "**Right to opt out of the sale or sharing of your personal information.**",
        "**Right to limit the use of your sensitive personal information.**",
        "**Right not to be discriminated or retaliated against.**",
    ] {
        assert!(md.contains(right), "{right}");
    }
    assert!(md.contains("employee, job applicant or independent contractor"));
    assert!(md.contains("the specific pieces of personal information"));
    assert!(md.contains("- Call us toll-free at +1-800-555-0142."));
    assert!(md.contains("- Email us at privacy@trailhead.example."));
    assert!(md.contains("[https://www.trailhead.example/privacy/request](https://www.trailhead.example/privacy/request)"));
    assert!(md.contains("**Verification.**") && md.contains("**Authorized agents.**"));
    assert!(md.contains("Global Privacy Control signal as a valid request"));
    assert!(md.contains("does not respond to Do Not Track signals"));
    // The exact link texts.
    assert!(md.contains("[Do Not Sell or Share My Personal Information](https://www.trailhead.example/privacy/do-not-sell-or-share)"));
    assert!(html.contains(">Do Not Sell or Share My Personal Information</a>"));
    assert!(md.contains("\"Limit the Use of My Sensitive Personal Information\""));
    // Notice at collection: third parties controlling collection, link to the policy.
    let nac = read(out.path(), "notice-at-collection.md");
    assert!(nac.contains("- Meta (Facebook, Instagram) (Social networks), an advertising or social network — ⚠ needs review: not a declared recipient"));
    assert!(nac.contains("[Privacy Policy](https://www.trailhead.example/privacy)"));
    assert!(nac.contains("[Do Not Sell or Share My Personal Information]("));
    assert!(nac.contains("| Category of personal information | What we collect | Sensitive? | Why we collect it | Sold or shared? | How long we keep it |"));
    // GDPR record: Art. 30(1)(a)–(g), named recipients, transfers.
    let ropa = read(out.path(), "ropa.md");
    for item in [
        "## (a) Controller",
        "| (b) Purposes |",
        "| (c) Categories of data subjects |",
        "| (c) Categories of personal data |",
        "| (d) Recipients |",
        "| (e) Transfers to third countries |",
        "| (f) Time limits for erasure |",
        "## (g) Technical and organisational security measures",
    ] {
        assert!(ropa.contains(item), "{item}");
    }
    assert!(ropa.contains("Stripe: United States, safeguard: EU-US Data Privacy Framework"));
    assert!(ropa.contains("| Data protection officer | dpo@trailhead.example |"));
    let csv = read(out.path(), "ropa.csv");
    assert_eq!(csv.lines().count(), 6, "{csv}");
}

#[test]
fn none_sold_statement_appears_without_the_pixel_and_a_declared_share_is_listed() {
    let (inv_dir, inv) = demo_inventory();
    // Variant 1: the same inventory without the Facebook pixel.
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(&inv).unwrap()).unwrap();
    for a in value["assets"].as_array_mut().unwrap() {
        a["recipients"]
            .as_array_mut()
            .unwrap()
            .retain(|r| r["id"] != "facebook");
    }
    let no_pixel = inv_dir.path().join("no-pixel.json");
    std::fs::write(&no_pixel, serde_json::to_string(&value).unwrap()).unwrap();
    // Without the pixel, no third party collects across websites: the answer says so.
    let no_tracking = tempdir();
    let config = demo_manifest_variant(
        no_tracking.path(),
        &[(
            "third_party_tracking = true",
            "third_party_tracking = false",
        )],
        "",
    );
    let out = tempdir();
    let o = notice(&no_pixel, &config, out.path(), &all_formats());
    let md = read(out.path(), "notice.md");
    assert!(
        md.contains(
            "**We have not sold or shared personal information in the preceding 12 months.**"
        ),
        "{md}"
    );
    assert!(read(out.path(), "notice.html").contains("<p class=\"statement\">We have not sold or shared personal information in the preceding 12 months."));
    assert!(read(out.path(), "notice-at-collection.md").contains("**We do not sell personal information, and we do not share it for cross-context behavioral\nadvertising.**"));
    assert!(!md.contains("statement withheld"));
    assert!(!md.contains("⚠"), "nothing left to review:\n{md}");
    assert!(!stderr(&o).contains("warning:"), "{}", stderr(&o));
    let model = json_of(out.path());
    assert_eq!(model["sale_and_sharing"]["none_statement"], true);
    assert_eq!(model["warnings"].as_array().unwrap().len(), 0);

    // Variant 2: the pixel declared as sharing for cross-context behavioral advertising.
    let dir = tempdir();
    let config = demo_manifest_variant(
        dir.path(),
        &[
            (
                "recipients = [\"google_analytics\", \"stripe\"]",
                "recipients = [\"google_analytics\", \"stripe\", \"facebook\"]",
            ),
            ("shares = false", "shares = true"),
        ],
        "\n[recipients.facebook]\nname = \"Meta Pixel\"\nrole = \"third_party\"\ncategory = \"social_networks\"\npurposes = [\"cross_context_behavioral_advertising\"]\ndata_types = [\"ip_address\", \"url\", \"email\"]\nshared_for_cross_context_advertising = true\n",
    );
    let out = tempdir();
    notice(&inv, &config, out.path(), &all_formats());
    let md = read(out.path(), "notice.md");
    let model = json_of(out.path());
    let sale = &model["sale_and_sharing"];
    assert_eq!(sale["shares"], true);
    assert_eq!(sale["none_statement"], false);
    assert_eq!(sale["none_statement_blocked"], false);
    let shared: Vec<&str> = sale["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["letter"].as_str().unwrap())
        .collect();
    assert_eq!(shared, ["A", "F"]);
    let collected: Vec<&str> = model["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["letter"].as_str().unwrap())
        .collect();
    assert!(shared.iter().all(|l| collected.contains(l)));
    assert!(md.contains("- **A. Identifiers** — shared for cross-context behavioral advertising with: Social networks. Purposes: to show you ads based on your activity across other businesses' websites, apps and services."), "{md}");
    assert!(!md.contains("We have not sold or shared"));
    assert!(md.contains("[Do Not Sell or Share My Personal Information]("));
    assert!(read(out.path(), "notice-at-collection.md").contains("| Shared with Social networks |"));
}

#[test]
fn missing_facts_and_review_items_are_warned_at_the_top_and_on_stderr() {
    let (_inv_dir, inv) = demo_inventory();
    let dir = tempdir();
    let config = demo_manifest_variant(
        dir.path(),
        &[
            (
                "toll_free_phone = \"+1-800-555-0142\"",
                "toll_free_phone = \"\"",
            ),
            (
                "privacy_policy_url = \"https://www.trailhead.example/privacy\"",
                "privacy_policy_url = \"\"",
            ),
            ("retention = \"90 days\"", "retention = \"\""),
            (
                "data_types = [\"ip_address\", \"url\", \"user_agent\", \"email\"]",
                "data_types = [\"ip_address\", \"url\", \"email\"]",
            ),
            (
                "\"date_of_birth\", \"loyalty_program\"]",
                "\"date_of_birth\", \"loyalty_program\", \"passport\"]",
            ),
        ],
        "",
    );
    let out = tempdir();
    let o = notice(&inv, &config, out.path(), &all_formats());
    let err = stderr(&o);
    let model = json_of(out.path());
    let codes: Vec<&str> = model["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    for code in [
        "sale_statement_blocked",
        "toll_free_missing",
        "privacy_policy_url_missing",
        "retention_missing:F",
        "found_undeclared:user_agent",
        "declared_not_found:passport",
        "erasure_limit_missing:web_logs",
    ] {
        assert!(codes.contains(&code), "{code} not in {codes:?}");
    }
    assert!(
        err.contains("warning: organisation.toll_free_phone is not set"),
        "{err}"
    );
    let md = read(out.path(), "notice.md");
    let top = &md[..md.find("## Words we use").unwrap()];
    assert!(top.contains("DRAFT — review before publishing"));
    assert!(top.contains("organisation.toll_free_phone is not set"));
    assert!(top.contains("no retention period is declared for category F"));
    // Found-but-undeclared and declared-but-not-found stay, with markers.
    assert!(md.contains(
        "browser and device information (user agent) (⚠ needs review: found, not declared)"
    ));
    assert!(
        md.contains("passport numbers (⚠ declared, not found in our data)"),
        "{md}"
    );
    assert!(md.contains("| ⚠ Not declared |"));
    assert!(md.contains("the request methods above do not meet Cal. Civ. Code §1798.130(a)(1)"));
    let nac = read(out.path(), "notice-at-collection.md");
    assert!(nac.contains("organisation.privacy_policy_url is not set"));
    assert!(nac.contains("⚠ Needs review: no privacy policy URL declared"));
    // The JSON keeps the evidence of every category claimed.
    let l = model["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["letter"] == "L")
        .unwrap();
    let passport = l["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["data_type"] == "passport")
        .unwrap();
    assert_eq!(passport["presence"], "declared_not_found");
    assert_eq!(passport["declared_in"], serde_json::json!(["customers"]));
    assert!(passport["assets"].as_array().unwrap().is_empty());
    // The SSNs of the employees source (HR) are evidence of the workforce notice's L.
    let wl = model["workforce"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["letter"] == "L")
        .unwrap();
    assert!(!l["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["data_type"] == "ssn"));
    let ssn = wl["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["data_type"] == "ssn")
        .unwrap();
    assert_eq!(
        ssn["assets"][0]["asset"],
        "sqlite:examples/demo/data/shop.db/employees"
    );
    assert_eq!(ssn["assets"][0]["matched_values"], 20);

    // An online-only business needs only an email address.
    let dir = tempdir();
    let config = demo_manifest_variant(
        dir.path(),
        &[
            (
                "toll_free_phone = \"+1-800-555-0142\"",
                "toll_free_phone = \"\"",
            ),
            ("online_only = false", "online_only = true"),
        ],
        "",
    );
    let out = tempdir();
    notice(&inv, &config, out.path(), &["--format", "json"]);
    let codes = json_of(out.path())["warnings"].to_string();
    assert!(!codes.contains("toll_free_missing"), "{codes}");
    assert!(!codes.contains("request_methods_insufficient"), "{codes}");
}

#[test]
fn history_adds_types_collected_earlier_in_the_12_months() {
    let (inv_dir, inv) = demo_inventory();
    let history = tempdir();
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(&inv).unwrap()).unwrap();
    let mut old = value.clone();
    // In May, customers.csv also had a gender column; in 2024, a religion column.
    let customers = old["assets"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|a| a["asset"] == "examples/demo/data/exports/customers.csv")
        .unwrap();
    let mut field = customers["fields"][0].clone();
    field["field"] = "gender".into();
    field["types"][0]["data_type"] = "gender".into();
    field["types"][0]["examples"] = serde_json::json!([]);
    customers["fields"]
        .as_array_mut()
        .unwrap()
        .push(field.clone());
    std::fs::write(
        history.path().join("inventory-2026-05-01.json"),
        serde_json::to_string(&old).unwrap(),
    )
    .unwrap();
    field["field"] = "religion".into();
    field["types"][0]["data_type"] = "religion".into();
    value["assets"][0]["fields"]
        .as_array_mut()
        .unwrap()
        .push(field);
    std::fs::write(
        history.path().join("inventory-2024-06-01.json"),
        serde_json::to_string(&value).unwrap(),
    )
    .unwrap();
    let out = tempdir();
    notice(
        &inv,
        &demo_manifest(),
        out.path(),
        &[
            "--format",
            "json",
            "--format",
            "md",
            "--history",
            history.path().to_str().unwrap(),
        ],
    );
    let model = json_of(out.path());
    assert_eq!(model["history"][0]["date"], "2026-05-01");
    assert_eq!(
        model["history"][0]["added_data_types"],
        serde_json::json!(["gender"])
    );
    assert_eq!(
        model["history"].as_array().unwrap().len(),
        1,
        "2024 is outside the 12 months"
    );
    let c = model["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["letter"] == "C")
        .unwrap();
    let gender = c["examples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["data_type"] == "gender")
        .expect("gender collected in May is disclosed");
    assert_eq!(gender["historical_only"], true);
    assert_eq!(gender["presence"], "found_undeclared");
    let ev = c["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["data_type"] == "gender")
        .unwrap();
    assert_eq!(ev["assets"][0]["inventory_date"], "2026-05-01");
    assert_eq!(
        ev["assets"][0]["asset"],
        "file:examples/demo/data/exports/customers.csv"
    );
    let md = read(out.path(), "notice.md");
    assert!(
        md.contains("sex or gender (⚠ needs review: found, not declared) (earlier in the period)"),
        "{md}"
    );
    assert!(!md.to_lowercase().contains("religio"));
    drop(inv_dir);
}

#[test]
fn templates_can_be_overridden_and_html_is_escaped() {
    let (_inv_dir, inv) = demo_inventory();
    let dir = tempdir();
    let config = demo_manifest_variant(
        dir.path(),
        &[(
            "legal_name = \"Trailhead Outfitters, Inc.\"",
            "legal_name = \"Trailhead <script>alert(1)</script> & Co\"",
        )],
        "",
    );
    let templates = tempdir();
    write(
        templates.path(),
        "ccpa-policy.md.j2",
        "Custom policy of {{ organisation.name }}: {{ categories|map(attribute='letter')|join(',') }}\n",
    );
    let out = tempdir();
    notice(
        &inv,
        &config,
        out.path(),
        &[
            "--kind",
            "ccpa-policy",
            "--templates",
            templates.path().to_str().unwrap(),
        ],
    );
    // An override is escaped like the built-in templates (every value in a .md.j2).
    assert_eq!(
        read(out.path(), "notice.md"),
        "Custom policy of Trailhead &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co: A,B,C,D,F,H\n"
    );
    let html = read(out.path(), "notice.html");
    assert!(
        html.contains("Trailhead &lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; Co"),
        "{}",
        &html[..600]
    );
    assert!(!html.contains("<script>"));
    // Only the asked-for kind was written.
    assert!(!out.path().join("ropa.md").exists());
    assert!(!out.path().join("report.html").exists());

    // A broken override fails with the template's name.
    write(
        templates.path(),
        "ccpa-policy.md.j2",
        "{{ no_such_field }}\n",
    );
    let o = bin()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args([
            "notice",
            "--inventory",
            inv.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--kind",
            "ccpa-policy",
            "--out",
            out.path().to_str().unwrap(),
            "--templates",
            templates.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("ccpa-policy.md.j2"), "{}", stderr(&o));
}

#[test]
fn write_all_writes_every_document_atomically() {
    let (_inv_dir, inv) = demo_inventory();
    let inventory = piimap::inventory::Inventory::load(&inv).unwrap();
    let taxonomy = piimap::taxonomy::Taxonomy::builtin().unwrap();
    let vocab = piimap::knowledge::Vocabulary::builtin().unwrap();
    let catalog = piimap::knowledge::Catalog::builtin().unwrap();
    let cfg = tempdir();
    let review = review_manifest(cfg.path());
    let manifest = piimap::manifest::Manifest::load(&review, &taxonomy, &vocab, &catalog).unwrap();
    let out = tempdir();
    let warnings = piimap::notice::write_all(
        &inventory,
        &manifest,
        &taxonomy,
        &vocab,
        &catalog,
        out.path(),
        None,
        "2026-11-29",
        &[],
    )
    .unwrap();
    // The refused statement, the undeclared pixel, and (for the US state notice) the
    // list of third parties that the undeclared pixel leaves to review.
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings[0].contains("was NOT generated"));
    assert!(warnings
        .iter()
        .any(|w| w.contains("the list of third parties needs review")));
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = ALL_FILES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(names, expected, "no temporary file is left behind");
    // The library and the command draft the same documents.
    let cli = tempdir();
    notice(&inv, &review, cli.path(), &all_formats());
    for f in ALL_FILES {
        assert_eq!(read(out.path(), f), read(cli.path(), f), "{f}");
    }
}

/// Raw values: the fixture generator's list and the demo's own customers.
fn raw_values() -> Vec<String> {
    let mut values: Vec<String> =
        std::fs::read_to_string(repo().join("tests/fixtures/pii-values.txt"))
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
    let mut rdr =
        csv::Reader::from_path(repo().join("examples/demo/data/exports/customers.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (email, phone, street, dob, stripe) = (
        col("email"),
        col("phone"),
        col("street_address"),
        col("date_of_birth"),
        col("stripe_customer_id"),
    );
    for rec in rdr.records() {
        let rec = rec.unwrap();
        for i in [email, phone, street, dob, stripe] {
            values.push(rec[i].to_string());
        }
    }
    values
}

#[test]
fn no_raw_value_appears_in_any_document() {
    let values = raw_values();
    assert!(values.len() > 500);
    assert!(values.iter().any(|v| v.ends_with("@example.com")));
    let mut docs: Vec<(String, String)> = Vec::new();
    // The demo.
    let (_inv_dir, inv) = demo_inventory();
    let out = tempdir();
    let o = notice(&inv, &demo_manifest(), out.path(), &all_formats());
    docs.push(("demo stderr".into(), stderr(&o)));
    for f in ALL_FILES {
        docs.push((format!("demo {f}"), read(out.path(), f)));
    }
    // The fixtures (every detector's raw values), with a manifest declaring nothing.
    let scan_dir = tempdir();
    let o = bin()
        .args([
            "scan",
            repo().join("tests/fixtures/files").to_str().unwrap(),
            "--out",
            scan_dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let config = write(
        scan_dir.path(),
        "piimap.toml",
        "[organisation]\nlegal_name = \"Fixture Co\"\n",
    );
    let out = tempdir();
    let o = notice(
        &scan_dir.path().join("inventory.json"),
        &config,
        out.path(),
        &all_formats(),
    );
    docs.push(("fixtures stderr".into(), stderr(&o)));
    // Every file written (the opt-out and limit pages only when they apply).
    for f in std::fs::read_dir(out.path()).unwrap() {
        let f = f.unwrap().file_name().to_string_lossy().into_owned();
        docs.push((format!("fixtures {f}"), read(out.path(), &f)));
    }
    assert!(!out.path().join("notice-of-financial-incentive.md").exists());
    let fixtures_md = &docs
        .iter()
        .find(|(n, _)| n == "fixtures notice.md")
        .unwrap()
        .1;
    assert!(
        fixtures_md.contains("⚠ Needs review"),
        "undeclared findings are marked"
    );
    for (name, text) in &docs {
        for v in &values {
            assert!(!text.contains(v.as_str()), "{name} contains a raw value");
        }
    }
}

/// Structural accessibility checks on the HTML documents (WCAG-minded, no browser).
#[test]
fn html_documents_are_standalone_and_accessible() {
    let (_inv_dir, inv) = demo_inventory();
    let out = tempdir();
    notice(&inv, &demo_manifest(), out.path(), &all_formats());
    for f in [
        "notice.html",
        "notice-at-collection.html",
        "do-not-sell-or-share.html",
        "notice-of-financial-incentive.html",
        "report.html",
    ] {
        let html = read(out.path(), f);
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
            "{f}"
        );
        assert!(
            html.contains("<meta charset=\"utf-8\">") && html.contains("<title>"),
            "{f}"
        );
        assert_eq!(html.matches("<h1").count(), 1, "{f}: one h1");
        for bad in ["<script", "<link", "src=\"http", "@import", "url("] {
            assert!(!html.contains(bad), "{f}: external asset or script ({bad})");
        }
        // Every table header cell has a scope; every table a caption.
        for th in html
            .split("<th")
            .skip(1)
            .filter(|t| t.starts_with([' ', '>']))
        {
            let tag = &th[..th.find('>').unwrap()];
            assert!(tag.contains("scope="), "{f}: <th{tag}> has no scope");
        }
        assert_eq!(
            html.matches("<table").count(),
            html.matches("<caption").count(),
            "{f}"
        );
        // Headings never skip a level.
        let mut last = 1;
        for part in html.split("<h").skip(1) {
            let Some(level) = part.chars().next().and_then(|c| c.to_digit(10)) else {
                continue;
            };
            assert!(level <= last + 1, "{f}: h{level} after h{last}");
            last = level;
        }
    }
}

/// Renders notice.html and report.html in headless Chromium: the DOM as rendered has the
/// expected headings and the SVG diagram, and a screenshot is produced.
#[test]
fn html_renders_in_headless_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        if std::env::var_os("CI").is_some() {
            panic!("/usr/bin/chromium is missing on CI: .ci/run must install the Debian package `chromium`");
        }
        eprintln!("skipped: /usr/bin/chromium is not installed (apt-get install -y chromium)");
        return;
    }
    let (_inv_dir, inv) = demo_inventory();
    let out = tempdir();
    let cfg = tempdir();
    notice(
        &inv,
        &review_manifest(cfg.path()),
        out.path(),
        &all_formats(),
    );
    let profile = tempdir();
    let run = |extra: &[String], page: &str| -> Output {
        let url = format!("file://{}", out.path().join(page).display());
        // `timeout` (coreutils) bounds a hung browser.
        let o = std::process::Command::new("timeout")
            .arg("120")
            .arg(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-dev-shm-usage",
                &format!("--user-data-dir={}", profile.path().display()),
                "--window-size=1280,2000",
            ])
            .args(extra)
            .arg(&url)
            .output()
            .unwrap();
        assert!(o.status.success(), "chromium {page}: {}", stderr(&o));
        o
    };
    for (page, headings) in [
        (
            "notice.html",
            vec![
                "California Privacy Notice of Trailhead Outfitters, Inc.",
                "Personal information we collect",
                "Your rights",
                "How to exercise your rights",
                "Draft — review before publishing",
            ],
        ),
        (
            "report.html",
            vec![
                "Data map report — Trailhead Outfitters, Inc.",
                "Categories by source and asset",
                "Top assets by sensitive personal information",
                "Recipients: where data flows",
                "Scan coverage and errors",
            ],
        ),
    ] {
        let dom = stdout(&run(&["--dump-dom".to_string()], page));
        for h in headings {
            assert!(
                dom.contains(&format!(">{h}</h1>")) || dom.contains(&format!(">{h}</h2>")),
                "{page}: heading {h:?} not rendered"
            );
        }
        if page == "report.html" {
            assert!(dom.contains("<svg") && dom.contains("Meta (Facebook, Instagram)"));
        }
        let png = out.path().join(format!("{page}.png"));
        run(&[format!("--screenshot={}", png.display())], page);
        let bytes = std::fs::read(&png).unwrap();
        assert!(
            bytes.len() > 10_000 && bytes.starts_with(b"\x89PNG"),
            "{page}: screenshot"
        );
    }
}

/// 11 CCR §7012(e)(2): a category shared for cross-context behavioral advertising is
/// used for it, so the purposes printed for it include the sharing recipient's declared
/// purposes, and only for the categories that recipient receives.
#[test]
fn a_shared_category_states_the_purpose_of_the_sharing() {
    let (_inv_dir, inv) = demo_inventory();
    let out = tempdir();
    notice(&inv, &demo_manifest(), out.path(), &all_formats());
    let model = json_of(out.path());
    let mut shared = 0;
    for c in model["categories"].as_array().unwrap() {
        let purposes: Vec<&str> = c["purposes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["key"].as_str().unwrap())
            .collect();
        let advertising = purposes.contains(&"cross_context_behavioral_advertising");
        assert_eq!(
            advertising,
            c["shared"] == true,
            "{}: {purposes:?}",
            c["letter"]
        );
        shared += usize::from(advertising);
    }
    assert!(
        shared > 0,
        "the demo shares identifiers and internet activity with Meta"
    );
    let nac = read(out.path(), "notice-at-collection.md");
    assert!(nac.contains("to show you ads based on your activity across other businesses"));
}
