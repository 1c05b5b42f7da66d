//! `piimap notice diff OLD NEW`: the redline of two notice models.

use std::io::Write;
use std::path::Path;

use piimap::exit::ExitCode;
use piimap::inventory::Inventory;
use piimap::notice;
use piimap::notice::diff::{self, Side};

use super::{load_engine, load_manifest, Knowledge, UsageError};
use crate::cli::{Cli, NoticeDiffArgs, NoticeFormat};

/// The date in a `scan --history` file name (`inventory-2026-11-01.json`).
fn dated(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let date = name.strip_prefix("inventory-")?.strip_suffix(".json")?;
    notice::history::is_date(date).then(|| date.to_string())
}

/// One side as a serialised model: a notice.json as it is, an inventory drafted with
/// `config`.
fn side(cli: &Cli, path: &Path, config: &Path) -> anyhow::Result<(serde_json::Value, Side)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| UsageError(format!("{}: not JSON: {e}", path.display())))?;
    let file = path.display().to_string();
    if value["schema"].as_str() == Some(notice::model::SCHEMA) {
        let date = value["today"].as_str().unwrap_or_default().to_string();
        return Ok((
            value,
            Side {
                file,
                input: "notice".into(),
                date,
            },
        ));
    }
    let inventory = Inventory::load(path).map_err(UsageError)?;
    let engine = load_engine(cli)?;
    let manifest = load_manifest(&engine, config)?;
    let knowledge = Knowledge::load()?;
    let date = dated(path).unwrap_or_else(notice::today);
    let model = knowledge.notice_model(&engine, (&inventory, &manifest), &date, &[]);
    let side = Side {
        file,
        input: "inventory".into(),
        date,
    };
    Ok((serde_json::to_value(&model)?, side))
}

pub fn run(cli: &Cli, args: &NoticeDiffArgs) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.templates {
        if !dir.is_dir() {
            return Err(
                UsageError(format!("--templates {}: not a directory", dir.display())).into(),
            );
        }
    }
    let old_config = args.old_config.as_deref().unwrap_or(&args.config);
    let (old, old_side) = side(cli, &args.old, old_config)?;
    let (new, new_side) = side(cli, &args.new, &args.config)?;
    let d = diff::diff(&old, old_side, &new, new_side);
    let want = |f: NoticeFormat| args.format.is_empty() || args.format.contains(&f);
    let rendered = diff::render_diff(
        &d,
        want(NoticeFormat::Md),
        want(NoticeFormat::Html),
        want(NoticeFormat::Json),
        args.templates.as_deref(),
    )?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| UsageError(format!("--out {}: {e}", args.out.display())))?;
    notice::write_rendered(&args.out, &rendered)?;
    let mut out = super::stdout(cli);
    for r in &rendered {
        writeln!(out, "wrote {}", args.out.join(&r.file).display())?;
    }
    writeln!(out, "{} change(s) to the disclosures", d.changes.len())?;
    out.flush()?;
    Ok(ExitCode::Success)
}
