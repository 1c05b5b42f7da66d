//! Disclosure documents: the CCPA/CPRA privacy-policy section, the CCPA notice at
//! collection, the GDPR Art. 30(1) record of processing activities, and the data
//! engineer's report — drafted from the inventory joined with the manifest.
//!
//! The flow is: [`NoticeModel::build`] (rebuilds the data map, resolves vocabulary keys to
//! labels, decides which statements may be made and collects warnings) → templates
//! (`rules/templates/*.j2`, minijinja, embedded in the binary; a `--templates DIR` file of
//! the same name wins) → files written atomically. The model is the templates' only
//! input and is written as `notice.json`, so legal teams can restyle the documents
//! without touching Rust (README, "Disclosure documents").
//!
//! Honesty rules enforced here, not in templates: every category claimed carries its
//! evidence; found-but-undeclared and declared-but-not-found types stay in the draft with a
//! marker; the "we do not sell or share" statement is refused when identifiers or network
//! activity flow to an advertising or social recipient without a sold/shared declaration;
//! missing organisation facts become warnings. Only masked or catalog text reaches the
//! documents: examples are the taxonomy's phrases ("email addresses"), never values.

use std::path::Path;

use anyhow::Context as _;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};

use crate::inventory::datamap::Presence;
use crate::inventory::{write_atomic, Inventory};
use crate::knowledge::{Catalog, Vocabulary};
use crate::manifest::Manifest;
use crate::taxonomy::Taxonomy;

pub mod history;
pub mod model;
pub mod report;

pub use history::{load_history, HistoryInventory};
pub use model::{NoticeModel, Warning, DO_NOT_SELL_TEXT, LIMIT_TEXT};

/// A document piimap drafts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    /// The CCPA/CPRA privacy-policy section (`notice.md`, `notice.html`).
    Policy,
    /// The CCPA notice at collection (`notice-at-collection.md`, `.html`).
    NoticeAtCollection,
    /// The GDPR Art. 30(1) record (`ropa.md`, `ropa.csv`).
    Ropa,
    /// The data engineer's report (`report.html`).
    Report,
}

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Markdown (and CSV for the record of processing activities).
    Md,
    /// Standalone HTML.
    Html,
    /// `notice.json`: the model with its evidence.
    Json,
}

/// The template names, in `rules/templates/`.
pub const TEMPLATES: &[&str] = &[
    "ccpa-policy.md.j2",
    "ccpa-policy.html.j2",
    "notice-at-collection.md.j2",
    "notice-at-collection.html.j2",
    "ropa.md.j2",
    "report.html.j2",
    "notice.css",
];

/// One generated file.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// File name inside the output directory.
    pub file: String,
    /// Its contents.
    pub contents: String,
}

/// Today's date in UTC (YYYY-MM-DD), or the date of `SOURCE_DATE_EPOCH` when that is set
/// (reproducible output, as in reproducible builds).
pub fn today() -> String {
    if let Some(secs) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        let (y, m, d) = crate::validate::civil_from_days(secs.div_euclid(86_400));
        return format!("{y:04}-{m:02}-{d:02}");
    }
    crate::inventory::now_rfc3339()[..10].to_string()
}

fn seq(value: &Value) -> Result<Vec<Value>, Error> {
    if value.is_undefined() || value.is_none() {
        return Ok(Vec::new());
    }
    Ok(value.try_iter()?.collect())
}

fn text_of(v: &Value) -> String {
    match v.get_attr("label") {
        Ok(l) if !l.is_undefined() && !l.is_none() => l.to_string(),
        _ => v.to_string(),
    }
}

/// `items|labels` → "a, b, c" (the `label` of each item, or the item itself).
fn labels_filter(value: Value, sep: Option<String>) -> Result<String, Error> {
    let sep = sep.unwrap_or_else(|| ", ".into());
    Ok(seq(&value)?
        .iter()
        .map(text_of)
        .collect::<Vec<_>>()
        .join(&sep))
}

/// `items|sentence` → "a, b and c".
fn sentence_filter(value: Value, conj: Option<String>) -> Result<String, Error> {
    let conj = conj.unwrap_or_else(|| "and".into());
    let items: Vec<String> = seq(&value)?.iter().map(text_of).collect();
    Ok(match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} {conj} {}", items[..n - 1].join(", "), items[n - 1]),
    })
}

/// `text|cell`: safe inside a Markdown table cell (pipes escaped, newlines joined).
fn cell_filter(value: Value) -> String {
    value
        .to_string()
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// `url|url`: the URL when it is `http(s):`, `mailto:` or `tel:`, else "" (never a
/// `javascript:` link from a manifest).
fn url_filter(value: Value) -> String {
    let s = value.to_string();
    let lower = s.trim().to_ascii_lowercase();
    if ["https://", "http://", "mailto:", "tel:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        s.trim().to_string()
    } else {
        String::new()
    }
}

/// The template environment: built-in templates, overridden by file name from `dir`.
pub fn environment(dir: Option<&Path>) -> Environment<'static> {
    let mut env = Environment::new();
    let dir = dir.map(Path::to_path_buf);
    env.set_loader(move |name| {
        if name.contains("..") || name.starts_with('/') {
            return Ok(None);
        }
        if let Some(d) = &dir {
            let p = d.join(name);
            if p.is_file() {
                return std::fs::read_to_string(&p).map(Some).map_err(|e| {
                    Error::new(
                        ErrorKind::InvalidOperation,
                        format!("cannot read template {}: {e}", p.display()),
                    )
                });
            }
        }
        Ok(crate::rules::embedded_text(&format!("templates/{name}"))
            .ok()
            .map(str::to_string))
    });
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.add_filter("labels", labels_filter);
    env.add_filter("sentence", sentence_filter);
    env.add_filter("cell", cell_filter);
    env.add_filter("url", url_filter);
    env
}

fn render(env: &Environment<'_>, name: &str, model: &Value) -> anyhow::Result<String> {
    let t = env
        .get_template(name)
        .with_context(|| format!("loading template {name}"))?;
    t.render(model)
        .map_err(|e| anyhow::anyhow!("rendering template {name}: {e}"))
}

/// The record of processing activities as CSV: one row per processing activity.
pub fn ropa_csv(model: &NoticeModel) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "Processing activity",
        "Controller",
        "Controller contact",
        "Data protection officer",
        "EU representative",
        "Purposes (b)",
        "Categories of data subjects (c)",
        "Categories of personal data (c)",
        "Special categories, Art. 9",
        "Criminal convictions and offences, Art. 10",
        "Recipients (d)",
        "Third-country transfers and safeguards (e)",
        "Time limits for erasure (f)",
        "Security measures (g)",
        "Evidence (assets scanned)",
        "Needs review",
    ])?;
    let r = &model.ropa;
    let contact = [r.controller_address.as_str(), r.controller_contact.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("; ");
    for a in &r.activities {
        let join = |v: Vec<String>| v.join("; ");
        w.write_record([
            a.name.clone(),
            r.controller.clone(),
            contact.clone(),
            r.dpo.clone(),
            r.representative.clone(),
            join(a.purposes.iter().map(|p| p.label.clone()).collect()),
            join(a.data_subjects.iter().map(|p| p.label.clone()).collect()),
            join(
                a.data_categories
                    .iter()
                    .map(|d| match d.presence {
                        Presence::FoundUndeclared => {
                            format!("{} (found, not declared: needs review)", d.label)
                        }
                        Presence::DeclaredNotFound => {
                            format!("{} (declared, not found)", d.label)
                        }
                        _ => d.label.clone(),
                    })
                    .collect(),
            ),
            join(a.special_categories.clone()),
            if a.article10 { "yes" } else { "no" }.into(),
            join(
                a.recipients
                    .iter()
                    .map(|x| format!("{} ({}; {})", x.name, x.category, x.role))
                    .collect(),
            ),
            join(
                a.transfers
                    .iter()
                    .map(|t| {
                        format!(
                            "{}: {} ({})",
                            t.recipient,
                            t.country,
                            if t.safeguard.is_empty() {
                                "no safeguard declared"
                            } else {
                                &t.safeguard
                            }
                        )
                    })
                    .collect(),
            ),
            a.retention.clone(),
            join(r.security_measures.clone()),
            join(a.assets.clone()),
            join(a.review_notes.clone()),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8(bytes)?)
}

/// Renders the requested documents in the requested formats. `notice.json` is written
/// whenever [`Format::Json`] is asked for; the report only exists as HTML; the record of
/// processing activities as Markdown and CSV.
pub fn render_documents(
    model: &NoticeModel,
    documents: &[Document],
    formats: &[Format],
    templates: Option<&Path>,
) -> anyhow::Result<Vec<Rendered>> {
    let env = environment(templates);
    let ctx = Value::from_serialize(model);
    let mut out = Vec::new();
    for d in documents {
        for f in formats {
            let (file, template) = match (d, f) {
                (Document::Policy, Format::Md) => ("notice.md", "ccpa-policy.md.j2"),
                (Document::Policy, Format::Html) => ("notice.html", "ccpa-policy.html.j2"),
                (Document::NoticeAtCollection, Format::Md) => {
                    ("notice-at-collection.md", "notice-at-collection.md.j2")
                }
                (Document::NoticeAtCollection, Format::Html) => {
                    ("notice-at-collection.html", "notice-at-collection.html.j2")
                }
                (Document::Ropa, Format::Md) => ("ropa.md", "ropa.md.j2"),
                (Document::Report, Format::Html) => ("report.html", "report.html.j2"),
                _ => continue,
            };
            out.push(Rendered {
                file: file.into(),
                contents: render(&env, template, &ctx)?,
            });
        }
        if *d == Document::Ropa && formats.contains(&Format::Md) {
            out.push(Rendered {
                file: "ropa.csv".into(),
                contents: ropa_csv(model)?,
            });
        }
    }
    if formats.contains(&Format::Json) {
        let mut json = serde_json::to_string_pretty(model)?;
        json.push('\n');
        out.push(Rendered {
            file: "notice.json".into(),
            contents: json,
        });
    }
    Ok(out)
}

/// Writes rendered documents into `dir`, each atomically.
pub fn write_rendered(dir: &Path, rendered: &[Rendered]) -> anyhow::Result<()> {
    for r in rendered {
        let path = dir.join(&r.file);
        write_atomic(&path, |w| w.write_all(r.contents.as_bytes()))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Every document in every format: notice.md, notice.html, notice-at-collection.md,
/// notice-at-collection.html, ropa.md, ropa.csv, notice.json and report.html, written
/// atomically into `out_dir`. `today` is YYYY-MM-DD. Returns the warnings (missing
/// organisation facts, refused statements, findings to review) for the caller to print.
#[allow(clippy::too_many_arguments)]
pub fn write_all(
    inventory: &Inventory,
    manifest: &Manifest,
    taxonomy: &Taxonomy,
    vocab: &Vocabulary,
    catalog: &Catalog,
    out_dir: &Path,
    templates: Option<&Path>,
    today: &str,
) -> anyhow::Result<Vec<String>> {
    let model = NoticeModel::build(inventory, manifest, taxonomy, vocab, catalog, today, &[]);
    let rendered = render_documents(
        &model,
        &[
            Document::Policy,
            Document::NoticeAtCollection,
            Document::Ropa,
            Document::Report,
        ],
        &[Format::Md, Format::Html, Format::Json],
        templates,
    )?;
    write_rendered(out_dir, &rendered)?;
    Ok(model.warning_lines())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_str(src: &str, ctx: serde_json::Value) -> String {
        let mut env = environment(None);
        env.add_template_owned("t.html", src.to_string()).unwrap();
        env.get_template("t.html")
            .unwrap()
            .render(Value::from_serialize(&ctx))
            .unwrap()
    }

    #[test]
    fn filters_and_escaping() {
        let ctx = serde_json::json!({
            "xs": [{"key": "a", "label": "A <b>"}, {"key": "b", "label": "B"}, {"key": "c", "label": "C"}],
            "u": "javascript:alert(1)",
            "ok": "https://example.com/?a=1&b=2",
        });
        assert_eq!(
            render_str("{{ xs|labels('; ') }}|{{ xs|sentence }}|{{ u|url }}|{{ ok|url }}", ctx),
            "A &lt;b&gt;; B; C|A &lt;b&gt;, B and C||https:&#x2f;&#x2f;example.com&#x2f;?a=1&amp;b=2"
        );
        assert_eq!(cell_filter(Value::from("a|b\nc")), "a\\|b c");
    }

    #[test]
    fn builtin_templates_all_load() {
        let env = environment(None);
        for t in TEMPLATES {
            env.get_template(t).unwrap_or_else(|e| panic!("{t}: {e}"));
        }
        assert_eq!(model::display_date("2026-11-01"), "November 1, 2026");
        assert_eq!(model::display_date("soon"), "soon");
    }
}
