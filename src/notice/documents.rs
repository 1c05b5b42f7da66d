//! The documents piimap drafts, as one table: [`DOCUMENTS`] gives each document its
//! `--kind` name, the files it is written as and how each is rendered. The CLI, the
//! rendering and [`write_all`] all read it, so adding a document is one template (or
//! renderer) plus one row here.

use std::path::Path;

use anyhow::Context as _;
use minijinja::Value;

use super::lang::Language;
use super::model::NoticeModel;
use super::templates::{environment, render};
use crate::inventory::{write_atomic, Inventory};
use crate::knowledge::{Catalog, Vocabulary};
use crate::manifest::Manifest;
use crate::output::escape;
use crate::taxonomy::Taxonomy;

/// An output format of the documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentFormat {
    /// Markdown (and CSV for the record of processing activities).
    Md,
    /// Standalone HTML.
    Html,
    /// `notice.json`: the model with its evidence.
    Json,
}

/// How one file of a document is produced from the model.
#[derive(Clone, Copy, Debug)]
pub enum Renderer {
    /// A minijinja template of `rules/templates/` (a `--templates DIR` file of the same
    /// name wins).
    Template(&'static str),
    /// Rust code, for formats a template cannot write safely (CSV).
    Code(fn(&NoticeModel) -> anyhow::Result<String>),
}

/// One file a document is written as.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    /// The format that asks for it.
    pub format: DocumentFormat,
    /// File name inside the output directory.
    pub file: &'static str,
    /// How it is produced.
    pub renderer: Renderer,
}

/// A document piimap drafts.
#[derive(Debug)]
pub struct Document {
    /// Stable name (the `documents` of a warning).
    pub name: &'static str,
    /// Its `piimap notice --kind` value; `None` when only `--kind all` writes it.
    pub kind: Option<&'static str>,
    /// One line for `--help`.
    pub summary: &'static str,
    /// The files, in the order they are written.
    pub outputs: &'static [Output],
    /// Printed when the document is asked for alone in a format it lacks (then it is
    /// written in its first format).
    pub format_note: Option<&'static str>,
    /// Whether `--kind all` writes it for this model (a page the law asks for only in
    /// some cases, a notice of financial incentive only when a programme is declared);
    /// asked for by its own `--kind`, it is always written.
    pub applies: fn(&NoticeModel) -> bool,
}

/// [`Document::applies`] of the documents every business needs.
fn always(_: &NoticeModel) -> bool {
    true
}

impl Document {
    /// The files of this document for `format`.
    pub fn outputs_in(&self, format: DocumentFormat) -> impl Iterator<Item = &Output> {
        self.outputs.iter().filter(move |o| o.format == format)
    }

    /// Whether the document has a file in `format`.
    pub fn has(&self, format: DocumentFormat) -> bool {
        self.outputs_in(format).next().is_some()
    }
}

/// Every document, in the order `--kind all` writes them.
pub static DOCUMENTS: &[Document] = &[
    Document {
        name: "ccpa-policy",
        kind: Some("ccpa-policy"),
        summary: "The CCPA/CPRA privacy-policy section",
        outputs: &[
            Output {
                format: DocumentFormat::Md,
                file: "notice.md",
                renderer: Renderer::Template("ccpa-policy.md.j2"),
            },
            Output {
                format: DocumentFormat::Html,
                file: "notice.html",
                renderer: Renderer::Template("ccpa-policy.html.j2"),
            },
        ],
        format_note: None,
        applies: always,
    },
    Document {
        name: "notice-at-collection",
        kind: Some("ccpa-notice-at-collection"),
        summary: "The CCPA notice at collection (11 CCR §7012)",
        outputs: &[
            Output {
                format: DocumentFormat::Md,
                file: "notice-at-collection.md",
                renderer: Renderer::Template("notice-at-collection.md.j2"),
            },
            Output {
                format: DocumentFormat::Html,
                file: "notice-at-collection.html",
                renderer: Renderer::Template("notice-at-collection.html.j2"),
            },
        ],
        format_note: None,
        applies: always,
    },
    Document {
        name: "notice-of-financial-incentive",
        kind: Some("ccpa-financial-incentive"),
        summary: "The CCPA notice of financial incentive (11 CCR §7016), when a programme is declared",
        outputs: &[
            Output {
                format: DocumentFormat::Md,
                file: "notice-of-financial-incentive.md",
                renderer: Renderer::Template("notice-of-financial-incentive.md.j2"),
            },
            Output {
                format: DocumentFormat::Html,
                file: "notice-of-financial-incentive.html",
                renderer: Renderer::Template("notice-of-financial-incentive.html.j2"),
            },
        ],
        format_note: None,
        applies: |m| m.incentives.applies,
    },
    Document {
        name: "gdpr-ropa",
        kind: Some("gdpr-ropa"),
        summary: "The GDPR Art. 30(1) record of processing activities",
        outputs: &[
            Output {
                format: DocumentFormat::Md,
                file: "ropa.md",
                renderer: Renderer::Template("ropa.md.j2"),
            },
            Output {
                format: DocumentFormat::Md,
                file: "ropa.csv",
                renderer: Renderer::Code(super::ropa_csv::ropa_csv),
            },
        ],
        format_note: Some(
            "the record of processing activities is written as Markdown and CSV (ropa.md, ropa.csv)",
        ),
        applies: always,
    },
    Document {
        name: "opt-out-notice",
        kind: Some("ccpa-opt-out"),
        summary: "The Notice of Right to Opt-out of Sale/Sharing (11 CCR §7013), when it applies",
        outputs: &[
            Output {
                format: DocumentFormat::Md,
                file: "do-not-sell-or-share.md",
                renderer: Renderer::Template("do-not-sell-or-share.md.j2"),
            },
            Output {
                format: DocumentFormat::Html,
                file: "do-not-sell-or-share.html",
                renderer: Renderer::Template("do-not-sell-or-share.html.j2"),
            },
        ],
        format_note: None,
        applies: |m| m.choices.opt_out_page,
    },
    Document {
        name: "limit-notice",
        kind: Some("ccpa-limit"),
        summary: "The Notice of Right to Limit the use of sensitive personal information (11 CCR §7014), when it applies",
        outputs: &[
            Output {
                format: DocumentFormat::Md,
                file: "limit-sensitive.md",
                renderer: Renderer::Template("limit-sensitive.md.j2"),
            },
            Output {
                format: DocumentFormat::Html,
                file: "limit-sensitive.html",
                renderer: Renderer::Template("limit-sensitive.html.j2"),
            },
        ],
        format_note: None,
        applies: |m| m.choices.limit_page,
    },
    Document {
        name: "gdpr-notice",
        kind: Some("gdpr"),
        summary: "The GDPR / UK GDPR privacy notice (Art. 13 and 14)",
        outputs: &[
            Output {
                format: DocumentFormat::Md,
                file: "gdpr-notice.md",
                renderer: Renderer::Template("gdpr-notice.md.j2"),
            },
            Output {
                format: DocumentFormat::Html,
                file: "gdpr-notice.html",
                renderer: Renderer::Template("gdpr-notice.html.j2"),
            },
        ],
        format_note: None,
        applies: always,
    },
    Document {
        name: "workforce-notice",
        kind: Some("workforce"),
        summary: "The California notice at collection for employees, applicants and contractors, when a source holds workforce data",
        outputs: &[
            Output {
                format: DocumentFormat::Md,
                file: "workforce-notice.md",
                renderer: Renderer::Template("workforce-notice.md.j2"),
            },
            Output {
                format: DocumentFormat::Html,
                file: "workforce-notice.html",
                renderer: Renderer::Template("workforce-notice.html.j2"),
            },
        ],
        format_note: None,
        applies: |m| m.workforce.applies,
    },
    Document {
        name: "us-state-notice",
        kind: Some("us-states"),
        summary: "The US state privacy laws notice (Virginia, Colorado, Connecticut and the other comprehensive state laws), when [us_states] is declared",
        outputs: &[
            Output {
                format: DocumentFormat::Md,
                file: "us-state-notice.md",
                renderer: Renderer::Template("us-state-notice.md.j2"),
            },
            Output {
                format: DocumentFormat::Html,
                file: "us-state-notice.html",
                renderer: Renderer::Template("us-state-notice.html.j2"),
            },
        ],
        format_note: None,
        applies: |m| m.us_states.declared,
    },
    Document {
        name: "report",
        kind: None,
        summary: "The data engineer's visual report",
        outputs: &[Output {
            format: DocumentFormat::Html,
            file: "report.html",
            renderer: Renderer::Template("report.html.j2"),
        }],
        format_note: None,
        applies: always,
    },
];

/// The document a `--kind` value names.
pub fn find(kind: &str) -> Option<&'static Document> {
    DOCUMENTS.iter().find(|d| d.kind == Some(kind))
}

/// Every built-in template: those of the documents and the stylesheet they include.
pub fn template_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = DOCUMENTS
        .iter()
        .flat_map(|d| d.outputs)
        .filter_map(|o| match o.renderer {
            Renderer::Template(t) => Some(t),
            Renderer::Code(_) => None,
        })
        .collect();
    names.extend(["notice-diff.md.j2", "notice-diff.html.j2"]);
    names.push("notice.css");
    names
}

/// One generated file.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// File name inside the output directory.
    pub file: String,
    /// Its contents.
    pub contents: String,
}

/// Renders the requested documents in the requested formats: each document's files in
/// the order of `formats`, then `notice.json` whenever [`Format::Json`] is asked for.
pub fn render_documents(
    model: &NoticeModel,
    documents: &[&Document],
    formats: &[DocumentFormat],
    templates: Option<&Path>,
) -> anyhow::Result<Vec<Rendered>> {
    let env = environment(templates);
    let ctx = Value::from_serialize(model);
    let mut out = Vec::new();
    for d in documents.iter().filter(|d| (d.applies)(model)) {
        for o in formats.iter().flat_map(|f| d.outputs_in(*f)) {
            let contents = match o.renderer {
                Renderer::Template(name) => render(&env, name, &ctx)?,
                Renderer::Code(f) => f(model)?,
            };
            out.push(Rendered {
                file: o.file.into(),
                contents,
            });
        }
    }
    if formats.contains(&DocumentFormat::Json) {
        let mut json = escape::to_json_pretty(model)?;
        json.push('\n');
        out.push(Rendered {
            file: "notice.json".into(),
            contents: json,
        });
    }
    Ok(out)
}

/// Whether every file of `d` has a template in `lang` (built in, or in `templates`). A
/// file written by code (ropa.csv) has none. English always has them.
pub fn translated(d: &Document, lang: &Language, templates: Option<&Path>) -> bool {
    lang.is_english()
        || d.outputs.iter().all(|o| match o.renderer {
            Renderer::Template(name) => {
                let t = lang.template(name);
                crate::rules::embedded_text(&format!("templates/{t}")).is_ok()
                    || templates.is_some_and(|dir| dir.join(&t).is_file())
            }
            Renderer::Code(_) => false,
        })
}

/// [`render_documents`] in `lang`: each document's files from its templates under
/// `rules/templates/<lang>/`, named `NAME.<lang>.EXT`, from the model translated by
/// [`Language::localize`] (`notice.json` stays the English model: it is written only for
/// English). Every document must be [`translated`]. Returns the files and the
/// translation warnings.
pub fn render_documents_in(
    model: &NoticeModel,
    documents: &[&Document],
    formats: &[DocumentFormat],
    templates: Option<&Path>,
    lang: &Language,
) -> anyhow::Result<(Vec<Rendered>, Vec<String>)> {
    if lang.is_english() {
        return Ok((
            render_documents(model, documents, formats, templates)?,
            Vec::new(),
        ));
    }
    if let Some(d) = documents.iter().find(|d| !translated(d, lang, templates)) {
        anyhow::bail!(
            "{} has no templates in {:?} (rules/templates/{}/)",
            d.name,
            lang.code(),
            lang.code()
        );
    }
    let env = environment(templates);
    let (json, warnings) = lang.localize(model)?;
    let ctx = Value::from_serialize(&json);
    let mut out = Vec::new();
    for d in documents.iter().filter(|d| (d.applies)(model)) {
        for o in formats.iter().flat_map(|f| d.outputs_in(*f)) {
            if let Renderer::Template(name) = o.renderer {
                out.push(Rendered {
                    file: lang.file_name(o.file),
                    contents: render(&env, &lang.template(name), &ctx)?,
                });
            }
        }
    }
    Ok((out, warnings))
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

/// Every document that applies in every format (notice.md, notice.html,
/// notice-at-collection.md, notice-at-collection.html, ropa.md, ropa.csv, report.html and
/// notice.json; do-not-sell-or-share.md/.html, limit-sensitive.md/.html and the notice
/// of financial incentive when those apply; gdpr-notice.md/.html; workforce-notice.md/.html
/// when a source holds workforce data), written atomically into `out_dir`; then, for each
/// language of `langs` other than English, the documents translated into it
/// ([`translated`]), written as `NAME.<lang>.EXT`. `today` is YYYY-MM-DD. Returns the
/// warnings (missing organisation facts, refused statements, findings to review, terms
/// to review) for the caller to print.
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
    langs: &[Language],
) -> anyhow::Result<Vec<String>> {
    let model = NoticeModel::build(inventory, manifest, taxonomy, vocab, catalog, today, &[]);
    let all: Vec<&Document> = DOCUMENTS.iter().filter(|d| (d.applies)(&model)).collect();
    let rendered = render_documents(
        &model,
        &all,
        &[
            DocumentFormat::Md,
            DocumentFormat::Html,
            DocumentFormat::Json,
        ],
        templates,
    )?;
    write_rendered(out_dir, &rendered)?;
    let mut warnings = model.warning_lines();
    for lang in langs.iter().filter(|l| !l.is_english()) {
        let docs: Vec<&Document> = all
            .iter()
            .copied()
            .filter(|d| translated(d, lang, templates))
            .collect();
        let (rendered, w) = render_documents_in(
            &model,
            &docs,
            &[DocumentFormat::Md, DocumentFormat::Html],
            templates,
            lang,
        )?;
        write_rendered(out_dir, &rendered)?;
        warnings.extend(w);
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_all_load() {
        let env = environment(None);
        for t in template_names() {
            env.get_template(t).unwrap_or_else(|e| panic!("{t}: {e}"));
        }
        assert_eq!(
            super::super::model::display_date("2026-11-01"),
            "November 1, 2026"
        );
        assert_eq!(super::super::model::display_date("soon"), "soon");
    }

    #[test]
    fn every_document_has_a_unique_name_kind_and_files() {
        let mut seen = std::collections::BTreeSet::new();
        for d in DOCUMENTS {
            assert!(seen.insert(d.name), "{}", d.name);
            if let Some(k) = d.kind {
                assert!(std::ptr::eq(find(k).unwrap(), d));
            }
            assert!(!d.outputs.is_empty(), "{}", d.name);
            for o in d.outputs {
                assert!(seen.insert(o.file), "{} twice", o.file);
            }
        }
        assert!(find("all").is_none() && find("report").is_none());
    }

    /// The warnings name their documents with the table's names.
    #[test]
    fn warning_documents_are_table_names() {
        use super::super::model::doc;
        for name in [
            doc::POLICY,
            doc::NOTICE,
            doc::ROPA,
            doc::OPT_OUT,
            doc::LIMIT,
            doc::INCENTIVE,
            doc::GDPR,
            doc::WORKFORCE,
            doc::US_STATES,
        ] {
            assert!(DOCUMENTS.iter().any(|d| d.name == name), "{name}");
        }
    }
}
