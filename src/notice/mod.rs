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
use minijinja::value::ValueKind;
use minijinja::{
    AutoEscape, Environment, Error, ErrorKind, HtmlEscape, Output, State, UndefinedBehavior, Value,
};

use crate::inventory::datamap::Presence;
use crate::inventory::{write_atomic, Inventory};
use crate::knowledge::{Catalog, Vocabulary};
use crate::manifest::Manifest;
use crate::report::escape;
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

/// `text|cell`: safe inside a Markdown table cell. In a Markdown template (`*.md.j2`)
/// the environment's formatter already escapes every printed value for a table cell
/// ([`escape::markdown_cell`]), so there the filter leaves the text alone (escaping it
/// twice would show `&amp;amp;`); elsewhere (a `--templates` override with another
/// extension) it escapes pipes and backslashes, joins lines and makes control characters
/// visible.
fn cell_filter(state: &State, value: Value) -> String {
    let s = value.to_string();
    if state.auto_escape() == AutoEscape::Custom(MARKDOWN) {
        return s;
    }
    let s = s
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ");
    escape::terminal(&s).into_owned()
}

/// `url|url`: the URL when it is `http(s):`, `mailto:` or `tel:`, else "" (never a
/// `javascript:` link from a manifest), with the characters that could end a link or an
/// attribute percent-encoded ([`escape::link_target`]).
fn url_filter(value: Value) -> String {
    let s = value.to_string();
    let lower = s.trim().to_ascii_lowercase();
    if ["https://", "http://", "mailto:", "tel:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        escape::link_target(s.trim()).into_owned()
    } else {
        String::new()
    }
}

/// The auto-escape mode of Markdown templates, handled by [`formatter`].
const MARKDOWN: &str = "markdown";

/// Which escaping a template gets, by name: `*.md.j2` (and `*.md`) Markdown, `*.html.j2`
/// HTML (minijinja's default rules for everything else).
fn auto_escape_for(name: &str) -> AutoEscape {
    let base = name.strip_suffix(".j2").unwrap_or(name);
    if base.ends_with(".md") {
        AutoEscape::Custom(MARKDOWN)
    } else {
        minijinja::default_auto_escape_callback(name)
    }
}

/// Prints a value into a template. Every printed value is escaped for the template's
/// format, so a template author cannot forget it:
///
/// * Markdown templates: [`escape::markdown_cell`] (HTML, links, table breaks, control
///   characters), safe inside a table cell and anywhere inline;
/// * HTML templates: control characters made visible ([`escape::terminal`]; HTML
///   escaping alone leaves an ESC byte in place), then HTML-escaped;
/// * anything else: control characters made visible.
///
/// A value marked safe (`|safe`, a macro's or a `{% set %}` block's output, already
/// escaped when it was rendered) is printed as it is, except that control characters
/// are still made visible (its own newlines are kept).
fn formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), Error> {
    let mode = state.auto_escape();
    if matches!(
        value.kind(),
        ValueKind::Undefined | ValueKind::None | ValueKind::Bool | ValueKind::Number
    ) || !matches!(
        mode,
        AutoEscape::None | AutoEscape::Html | AutoEscape::Custom(MARKDOWN)
    ) {
        // Nothing to escape in these, or a mode (JSON) minijinja handles itself.
        return minijinja::escape_formatter(out, state, value);
    }
    let text = value.to_string();
    let written = if value.is_safe() {
        out.write_str(&escape::terminal_text(&text))
    } else {
        match mode {
            AutoEscape::Custom(MARKDOWN) => out.write_str(&escape::markdown_cell(&text)),
            AutoEscape::Html => write!(out, "{}", HtmlEscape(&escape::terminal(&text))),
            _ => out.write_str(&escape::terminal_text(&text)),
        }
    };
    written.map_err(Error::from)
}

/// The template environment: built-in templates, overridden by file name from `dir`.
/// Every printed value is escaped for the template's format, so a template cannot
/// forget it: [`escape::markdown_cell`] for `*.md.j2`, HTML escaping plus visible control
/// characters ([`escape::terminal`]) for `*.html.j2`.
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
    env.set_auto_escape_callback(auto_escape_for);
    env.set_formatter(formatter);
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

/// The record of processing activities as CSV: one row per processing activity. Every
/// cell goes through [`escape::csv_cell`]: asset names and labels can come from the
/// scanned data, and a spreadsheet must not run them as formulas.
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
        let row = [
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
        ];
        w.write_record(row.iter().map(|c| escape::csv_cell(c).into_owned()))?;
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
        let mut json = escape::to_json_pretty(model)?;
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

    fn render_named(name: &str, src: &str, ctx: serde_json::Value) -> String {
        let mut env = environment(None);
        env.add_template_owned(name.to_string(), src.to_string())
            .unwrap();
        env.get_template(name)
            .unwrap()
            .render(Value::from_serialize(&ctx))
            .unwrap()
    }

    fn render_str(src: &str, ctx: serde_json::Value) -> String {
        render_named("t.html", src, ctx)
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
    }

    fn hostile() -> serde_json::Value {
        serde_json::json!({
            "x": "<script>alert(1)</script> a|b\nc [l](javascript:x) \x1b[31m & \u{9b}",
            "xs": [{"label": "<b>|"}, {"label": "\x1b]0;t\x07"}],
            "u": "https://ok.example/) [y](javascript:z)",
        })
    }

    #[test]
    fn markdown_templates_escape_every_value() {
        let md = render_named(
            "t.md.j2",
            "{{ x }}\n| {{ x|cell }} | {{ xs|labels }} | {{ ('Yes: ' ~ x)|cell }} |\n[link]({{ u|url }})\n{% macro m(v) %}<i>{{ v }}</i>{% endmacro %}{{ m(x) }}\n{{ '\x1b'|safe }}\n",
            hostile(),
        );
        let x = "&lt;script&gt;alert(1)&lt;/script&gt; a\\|b c \\[l\\](javascript:x) \\x1b\\[31m &amp; \\u{9b}";
        assert_eq!(
            md,
            format!(
                "{x}\n| {x} | &lt;b&gt;\\|, \\x1b\\]0;t\\x07 | Yes: {x} |\n[link](https://ok.example/%29%20\\[y\\]%28javascript:z%29)\n<i>{x}</i>\n\\x1b\n"
            )
        );
        // Only the template's own text is markup; no control character survives.
        assert!(!md.contains(['\x1b', '\u{9b}', '\x07']));
        // The `cell` filter outside Markdown and HTML templates.
        let txt = render_named("t.txt", "{{ x|cell }}", hostile());
        assert_eq!(
            txt,
            "<script>alert(1)</script> a\\|b c [l](javascript:x) \\x1b[31m & \\u{9b}"
        );
    }

    #[test]
    fn html_templates_escape_html_and_control_characters() {
        let html = render_str(
            "<p title=\"{{ x }}\">{{ x }}</p>{% macro m(v) %}<i>{{ v }}</i>{% endmacro %}{{ m(x) }}<a href=\"{{ u|url }}\">",
            hostile(),
        );
        assert!(!html.contains("<script>") && !html.contains(['\x1b', '\u{9b}']));
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("\\x1b[31m") && html.contains("\\u{9b}"),
            "{html}"
        );
        assert!(html.contains("<i>&lt;script&gt;"), "{html}");
        assert!(
            html.contains("href=\"https:&#x2f;&#x2f;ok.example&#x2f;%29%20[y]%28javascript:z%29\""),
            "{html}"
        );
    }

    #[test]
    fn ropa_csv_cells_cannot_start_formulas() {
        let taxonomy = Taxonomy::builtin().unwrap();
        let vocab = Vocabulary::builtin().unwrap();
        let catalog = Catalog::builtin().unwrap();
        let manifest = Manifest::parse(
            "t.toml",
            r#"
[organisation]
legal_name = "=HYPERLINK(\"http://x\",\"y\")"
dpo_contact = "@SUM(1)"
address = "-2+3"
security_measures = ["+cmd", "\tTAB", "line\u001b[31m"]

[sources.web]
kind = "files"
path = "data"
data_types = ["email"]
purposes = ["security"]
data_subjects = ["customers"]
source_categories = ["consumer_devices"]
retention = "=1+1"
"#,
            &taxonomy,
            &vocab,
            &catalog,
        )
        .unwrap();
        let inv = Inventory::new(crate::inventory::ScanInfo::default(), Vec::new());
        let model = NoticeModel::build(
            &inv,
            &manifest,
            &taxonomy,
            &vocab,
            &catalog,
            "2026-11-29",
            &[],
        );
        let text = ropa_csv(&model).unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut cells = 0;
        for rec in r.records() {
            for cell in rec.unwrap().iter() {
                cells += 1;
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?} in {text}"
                );
                assert!(!cell.contains('\x1b'), "{cell:?}");
            }
        }
        assert_eq!(cells, 32, "{text}");
        assert!(
            text.contains("'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")"),
            "{text}"
        );
        assert!(text.contains("'+cmd; \tTAB; line\\x1b[31m"), "{text}");
        assert!(text.contains(",'=1+1,"), "{text}");
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
