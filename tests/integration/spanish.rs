//! `--lang es`: the California privacy policy and the notice at collection in Spanish,
//! from `rules/templates/es/` — the demo's documents render with `lang="es"`, print the
//! statutory terms of `terms.toml` (each without a published Spanish source marked
//! "⚠ revisión legal" and listed in a warning), escape data-derived strings, leave the
//! English documents byte for byte as they are, and a language or a document without
//! templates is a clear error. The axe-core check of the Spanish pages is
//! `incentive::every_html_document_passes_axe_and_the_layout_checks`.

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

fn demo_inventory(dir: &Path) -> PathBuf {
    let out = dir.join("scan");
    let o = piimap(&[
        "scan",
        "--config",
        "examples/demo/piimap.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "scan: {}", stderr(&o));
    let inv = out.join("inventory.json");
    crate::notice::pin_mtimes(&inv);
    inv
}

fn notice(inv: &Path, config: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "notice",
        "--inventory",
        inv.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    piimap(&args)
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn terms() -> toml::Value {
    toml::from_str(&read(&repo(), "rules/templates/es/terms.toml")).unwrap()
}

/// How `terms.toml` prints the entry `section.key`: its `text`, or its `proposed`
/// rendering with the review marker.
fn printed(terms: &toml::Value, section: &str, key: &str) -> String {
    let e = &terms[section][key];
    match e.get("text") {
        Some(t) => t.as_str().unwrap().to_string(),
        None => terms["patterns"]["review"]
            .as_str()
            .unwrap()
            .replace("{en}", e["en"].as_str().unwrap())
            .replace("{proposed}", e["proposed"].as_str().unwrap()),
    }
}

#[test]
fn the_demo_in_spanish_prints_the_terms_of_the_data() {
    let dir = tempdir();
    let inv = demo_inventory(dir.path());
    let config = repo().join("examples/demo/piimap.toml");
    let out = dir.path().join("es");
    let o = notice(
        &inv,
        &config,
        &out,
        &[
            "--lang", "es", "--format", "md", "--format", "html", "--format", "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    // Only the translated documents, and the (English) model.
    assert_eq!(
        files,
        [
            "notice-at-collection.es.html",
            "notice-at-collection.es.md",
            "notice.es.html",
            "notice.es.md",
            "notice.json"
        ]
    );
    assert!(
        stderr(&o).contains("not translated, left out: notice-of-financial-incentive, gdpr-ropa, opt-out-notice, gdpr-notice, workforce-notice, us-state-notice, report"),
        "{}",
        stderr(&o)
    );
    let model: Value = serde_json::from_str(&read(&out, "notice.json")).unwrap();
    let terms = terms();
    for file in ["notice.es.html", "notice-at-collection.es.html"] {
        let html = read(&out, file);
        assert!(html.contains("<html lang=\"es\">"), "{file}");
        assert!(!html.contains("lang=\"en\""), "{file}");
    }
    let policy = read(&out, "notice.es.md");
    let nac = read(&out, "notice-at-collection.es.md");
    for doc in [&policy, &nac] {
        assert!(doc.contains("**Última actualización:** 1 de noviembre de 2026"));
        // Every category by its statutory name as terms.toml prints it.
        for c in model["categories"].as_array().unwrap() {
            let letter = c["letter"].as_str().unwrap();
            let name = printed(&terms, "categories", letter);
            assert!(
                doc.contains(&format!("**{letter}. {name}**")),
                "{letter}: {name}"
            );
            // Its purposes and examples in Spanish, from the data.
            for p in c["purposes"].as_array().unwrap() {
                let es = printed(&terms, "purposes", p["key"].as_str().unwrap());
                assert!(doc.contains(&es), "{es}");
            }
            for e in c["examples"].as_array().unwrap() {
                let es = printed(&terms, "phrases", e["data_type"].as_str().unwrap());
                assert!(doc.contains(&es), "{es}");
            }
        }
        // The (ae) wording, with its marker: no Spanish text of it is published.
        let ssn = printed(&terms, "sensitive", "(ae)(1)(A)");
        assert!(ssn.starts_with("⚠ revisión legal: «A consumer"), "{ssn}");
        // Each (ae) item the consumer documents hold (the demo's SSNs are workforce data,
        // in the workforce notice), by its printed wording.
        for item in model["sensitive"]["items"].as_array().unwrap() {
            let wording = printed(&terms, "sensitive", item["item"].as_str().unwrap());
            assert!(doc.contains(&wording), "{wording}");
        }
        // The link title of §1798.135(a)(1), from the data, with its marker.
        assert!(doc.contains(&printed(&terms, "statutory", "do_not_sell_link")));
        // Each marked term is listed in the warning at the top.
        assert!(doc.contains("términos legales no tienen una traducción oficial publicada"));
        assert!(doc.contains("«Identifiers»; "));
        // The English prose of the templates is gone.
        for english in [
            "Last updated",
            "Needs review",
            "We collect",
            "Personal information we collect",
        ] {
            assert!(!doc.contains(english), "{english}");
        }
    }
    // The policy lists the workforce categories too, in a table of their own, with the
    // data subjects and the (ae) wording in Spanish; the notice at collection does not.
    let (_, workforce) = policy
        .split_once("### Información personal sobre nuestros empleados")
        .expect("the policy's workforce table");
    assert!(workforce.contains("personal (empleados)"), "{workforce}");
    assert!(workforce.contains("**I. "), "{workforce}");
    let ssn = printed(&terms, "sensitive", "(ae)(1)(A)");
    assert!(workforce.contains(&format!(
        "**{ssn}** (§1798.140(ae)(1)(A)), sobre nuestro personal"
    )));
    assert!(!nac.contains("sobre nuestros empleados"));
    for right in [
        "right_to_know",
        "right_to_delete",
        "right_to_correct",
        "right_to_opt_out",
        "right_no_discrimination",
    ] {
        assert!(
            policy.contains(&printed(&terms, "statutory", right)),
            "{right}"
        );
    }
    // The warning is on stderr too.
    assert!(
        stderr(&o).contains("términos legales no tienen una traducción oficial publicada"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("«Commercial information»"));
}

#[test]
fn english_is_byte_identical_and_both_languages_write_side_by_side() {
    let dir = tempdir();
    let inv = demo_inventory(dir.path());
    let config = repo().join("examples/demo/piimap.toml");
    let plain = dir.path().join("plain");
    let both = dir.path().join("both");
    assert_eq!(notice(&inv, &config, &plain, &[]).status.code(), Some(0));
    let o = notice(&inv, &config, &both, &["--lang", "en,es"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for e in std::fs::read_dir(&plain).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert_eq!(read(&plain, &name), read(&both, &name), "{name}");
    }
    assert!(
        both.join("notice.es.html").exists() && both.join("notice-at-collection.es.md").exists()
    );
    // `scan --notice --lang es`: the English set as always, plus the Spanish documents.
    let scan = dir.path().join("scan-es");
    let o = piimap(&[
        "scan",
        "--config",
        "examples/demo/piimap.toml",
        "--out",
        scan.to_str().unwrap(),
        "--notice",
        "--lang",
        "es",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in [
        "notice.md",
        "report.html",
        "ropa.csv",
        "notice.es.md",
        "notice.es.html",
        "notice-at-collection.es.html",
    ] {
        assert!(scan.join(f).exists(), "{f}");
    }
    assert!(read(&scan, "notice.es.html").contains("<html lang=\"es\">"));
}

#[test]
fn data_derived_strings_are_escaped_in_spanish_too() {
    let dir = tempdir();
    let inv = demo_inventory(dir.path());
    let base = read(&repo(), "examples/demo/piimap.toml")
        .replace(
            "path = \"data/",
            &format!("path = \"{}/", repo().join("examples/demo/data").display()),
        )
        .replacen(
            "legal_name = \"Trailhead Outfitters, Inc.\"",
            "legal_name = \"Trailhead <script>alert(1)</script> | [x](javascript:y) & Co\"",
            1,
        );
    assert!(base.contains("<script>"));
    let config = write(dir.path(), "piimap.toml", base);
    let out = dir.path().join("out");
    let o = notice(&inv, &config, &out, &["--lang", "es"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["notice.es.html", "notice-at-collection.es.html"] {
        let html = read(&out, f);
        assert!(!html.contains("<script>"), "{f}");
        assert!(
            html.contains("Trailhead &lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
            "{f}"
        );
    }
    for f in ["notice.es.md", "notice-at-collection.es.md"] {
        let md = read(&out, f);
        assert!(
            !md.contains("<script>") && !md.contains("[x](javascript"),
            "{f}"
        );
        assert!(
            md.contains("Trailhead &lt;script&gt;alert(1)&lt;/script&gt; \\| \\[x\\]"),
            "{f}"
        );
    }
}

#[test]
fn a_language_or_a_document_without_templates_is_an_error() {
    let dir = tempdir();
    let inv = demo_inventory(dir.path());
    let config = repo().join("examples/demo/piimap.toml");
    let out = dir.path().join("out");
    let o = notice(&inv, &config, &out, &["--lang", "fr"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("--lang fr: there are no templates for this language (no rules/templates/fr/terms.toml); available: en, es"),
        "{}",
        stderr(&o)
    );
    let o = notice(
        &inv,
        &config,
        &out,
        &["--lang", "es", "--kind", "ccpa-opt-out"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--kind ccpa-opt-out has no templates in --lang es (rules/templates/es/); translated: ccpa-policy, ccpa-notice-at-collection"),
        "{}",
        stderr(&o)
    );
    // Nothing was written.
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().next().is_none());
    // One document alone, in Spanish.
    let o = notice(
        &inv,
        &config,
        &out,
        &["--lang", "es", "--kind", "ccpa-notice-at-collection"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.join("notice-at-collection.es.md").exists() && !out.join("notice.es.md").exists());
    let o = piimap(&[
        "scan",
        "--config",
        "examples/demo/piimap.toml",
        "--out",
        dir.path().join("s").to_str().unwrap(),
        "--notice",
        "--lang",
        "xx",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no templates for this language"),
        "{}",
        stderr(&o)
    );
}

/// The manifest's `organisation.languages` (11 CCR §7003(b): the languages the business
/// uses with consumers) chooses the languages when `--lang` is not given; `--lang`
/// overrides it; a language without templates is refused, naming the manifest key, and
/// `scan --notice` refuses it before scanning.
#[test]
fn the_manifest_languages_choose_the_languages_without_lang() {
    let dir = tempdir();
    let inv = demo_inventory(dir.path());
    let demo = std::fs::read_to_string(repo().join("examples/demo/piimap.toml")).unwrap();
    let with = |langs: &str| {
        let text = demo.replacen(
            "[organisation]\n",
            &format!("[organisation]\nlanguages = [{langs}]\n"),
            1,
        );
        assert_ne!(text, demo);
        write(dir.path(), &format!("piimap-{}.toml", langs.len()), &text)
    };
    let both = with("\"en\", \"es\"");
    let out = dir.path().join("both");
    let o = notice(&inv, &both, &out, &["--format", "md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.join("notice.md").exists() && out.join("notice.es.md").exists());
    let out = dir.path().join("english");
    let o = notice(&inv, &both, &out, &["--format", "md", "--lang", "en"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.join("notice.md").exists() && !out.join("notice.es.md").exists());
    let french = with("\"fr\"");
    let o = notice(&inv, &french, &dir.path().join("fr"), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("organisation.languages fr: there are no templates for this language"),
        "{}",
        stderr(&o)
    );
    let o = piimap(&[
        "scan",
        "--config",
        french.to_str().unwrap(),
        "--out",
        dir.path().join("scan-fr").to_str().unwrap(),
        "--notice",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("organisation.languages fr:"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("scan-fr").exists(), "nothing is scanned");
}
