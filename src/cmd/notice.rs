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
    // SOURCE_DATE_EPOCH fixes the date for reproducible documents.
    let today = notice::today();
    let (history, history_warnings) = match &args.history {
        Some(dir) => notice::load_history(dir, &today),
        None => (Vec::new(), Vec::new()),
    };
    let model = NoticeModel::build(
        &inventory,
        &manifest,
        engine.taxonomy(),
        &knowledge.vocab,
        engine.catalog(),
        &today,
        &history,
    );
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
    let rendered =
        notice::render_documents(&model, &documents, &formats, args.templates.as_deref())?;
    notice::write_rendered(&args.out, &rendered)?;

    if !cli.quiet {
        let mut err = std::io::stderr().lock();
        for w in history_warnings.iter().chain(&model.warning_lines()) {
            writeln!(err, "warning: {}", super::terminal(w))?;
        }
    }
    let mut out = super::stdout(cli);
    for r in &rendered {
        writeln!(out, "wrote {}", args.out.join(&r.file).display())?;
    }
    if !model.warnings.is_empty() {
        writeln!(
            out,
            "{} warning(s): the drafts list them at the top; review before publishing",
            model.warnings.len()
        )?;
    }
    out.flush()?;
    Ok(ExitCode::Success)
}
