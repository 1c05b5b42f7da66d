//! `piimap notice`: the disclosure documents from an inventory and the manifest.

use std::io::Write;

use piimap::exit::ExitCode;
use piimap::inventory::Inventory;
use piimap::notice::{self, DocumentFormat, NoticeModel};

use super::{load_engine, load_manifest, Knowledge, UsageError};
use crate::cli::{Cli, NoticeArgs, NoticeFormat};

pub fn run(cli: &Cli, args: &NoticeArgs) -> anyhow::Result<ExitCode> {
    let engine = load_engine(cli)?;
    let manifest = load_manifest(&engine, &args.config)?;
    let path = args
        .inventory
        .as_ref()
        .ok_or_else(|| UsageError("--inventory is required".into()))?;
    let inventory = Inventory::load(path).map_err(UsageError)?;
    let knowledge = Knowledge::load()?;
    if let Some(dir) = &args.templates {
        if !dir.is_dir() {
            return Err(
                UsageError(format!("--templates {}: not a directory", dir.display())).into(),
            );
        }
    }
    let langs = super::notice_languages(&args.lang, Some(&manifest), args.templates.as_deref())?;
    // SOURCE_DATE_EPOCH fixes the date for reproducible documents.
    let today = notice::today();
    let (history, history_warnings) = match &args.history {
        Some(dir) => notice::load_history(dir, &today),
        None => (Vec::new(), Vec::new()),
    };
    let model = knowledge.notice_model(&engine, (&inventory, &manifest), &today, &history);
    let documents: Vec<&notice::Document> = match notice::find(&args.kind) {
        Some(d) => vec![d],
        // `--kind all`: the pages the law asks for only in some cases, when they apply.
        None => notice::DOCUMENTS
            .iter()
            .filter(|d| (d.applies)(&model))
            .collect(),
    };
    let mut formats: Vec<DocumentFormat> = args
        .format
        .iter()
        .map(|f| match f {
            NoticeFormat::Md => DocumentFormat::Md,
            NoticeFormat::Html => DocumentFormat::Html,
            NoticeFormat::Json => DocumentFormat::Json,
        })
        .collect();
    if formats.is_empty() {
        formats = vec![DocumentFormat::Md, DocumentFormat::Html];
    }
    // A document asked for alone in a format it lacks is written in its own.
    if let [d] = documents[..] {
        if formats.iter().all(|f| !d.has(*f)) && formats.contains(&DocumentFormat::Html) {
            if let (Some(note), false) = (d.format_note, cli.quiet) {
                eprintln!("note: {note}");
            }
            formats.push(d.outputs[0].format);
        }
    }
    let (rendered, lang_warnings) = render_langs(cli, args, &model, &documents, &formats, &langs)?;
    notice::write_rendered(&args.out, &rendered)?;

    if !cli.quiet {
        let mut err = std::io::stderr().lock();
        let lines = model.warning_lines();
        for w in history_warnings.iter().chain(&lines).chain(&lang_warnings) {
            writeln!(err, "warning: {}", super::terminal(w))?;
        }
    }
    let mut out = super::stdout(cli);
    for r in &rendered {
        writeln!(out, "wrote {}", args.out.join(&r.file).display())?;
    }
    if !model.warnings.is_empty() || !lang_warnings.is_empty() {
        writeln!(
            out,
            "{} warning(s): the drafts list them at the top; review before publishing",
            model.warnings.len() + lang_warnings.len()
        )?;
    }
    out.flush()?;
    Ok(ExitCode::Success)
}

/// The documents in every language of `--lang`: English as they are; another language
/// the documents it has templates for (asked for by `--kind`, one it lacks is an error;
/// with `--kind all` the others are left out, with a note). `notice.json` once, English.
fn render_langs(
    cli: &Cli,
    args: &NoticeArgs,
    model: &NoticeModel,
    documents: &[&notice::Document],
    formats: &[DocumentFormat],
    langs: &[notice::Language],
) -> anyhow::Result<(Vec<notice::Rendered>, Vec<String>)> {
    let templates = args.templates.as_deref();
    let mut rendered = Vec::new();
    let mut warnings = Vec::new();
    let mut json_written = false;
    let mut seen = std::collections::BTreeSet::new();
    for lang in langs.iter().filter(|l| seen.insert(l.code().to_string())) {
        if lang.is_english() {
            rendered.extend(notice::render_documents(
                model, documents, formats, templates,
            )?);
            json_written = formats.contains(&DocumentFormat::Json);
            continue;
        }
        let (docs, left_out): (Vec<&notice::Document>, Vec<&notice::Document>) = documents
            .iter()
            .partition(|d| notice::translated(d, lang, templates));
        if args.kind != "all" && !left_out.is_empty() {
            let have: Vec<&str> = notice::DOCUMENTS
                .iter()
                .filter(|d| notice::translated(d, lang, templates))
                .filter_map(|d| d.kind)
                .collect();
            return Err(UsageError(format!(
                "--kind {} has no templates in --lang {} (rules/templates/{}/); translated: {}",
                args.kind,
                lang.code(),
                lang.code(),
                have.join(", ")
            ))
            .into());
        }
        if !left_out.is_empty() && !cli.quiet {
            let names: Vec<&str> = left_out.iter().map(|d| d.name).collect();
            eprintln!(
                "note: --lang {}: not translated, left out: {} (add --lang en for them)",
                lang.code(),
                names.join(", ")
            );
        }
        let (r, w) = notice::render_documents_in(model, &docs, formats, templates, lang)?;
        rendered.extend(r);
        warnings.extend(w);
    }
    if formats.contains(&DocumentFormat::Json) && !json_written {
        rendered.extend(notice::render_documents(
            model,
            &[],
            &[DocumentFormat::Json],
            templates,
        )?);
    }
    Ok((rendered, warnings))
}
