//! `piimap check`, `piimap diff` and `piimap init`: the nightly-job commands around an
//! inventory.

use std::io::Write;

use piimap::exit::ExitCode;
use piimap::inventory::datamap::DataMap;
use piimap::inventory::diff::InventoryDiff;
use piimap::inventory::Inventory;
use piimap::policy::{check, parse_fail_on};

use super::{load_engine, load_manifest, Knowledge, UsageError};
use crate::cli::{CheckArgs, Cli, DiffArgs, Format, InitArgs};

pub fn run_check(cli: &Cli, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let fail_on = parse_fail_on(&args.fail_on).map_err(UsageError)?;
    let engine = load_engine(cli)?;
    let manifest = load_manifest(&engine, &args.config)?;
    let inventory = Inventory::load(&args.inventory).map_err(UsageError)?;
    let knowledge = Knowledge::load()?;
    let today = piimap::inventory::now_rfc3339();
    let map = DataMap::build(
        &inventory,
        &manifest,
        engine.taxonomy(),
        &knowledge.vocab,
        engine.catalog(),
        &today[..10],
    );
    let violations = check(&map, &manifest, engine.taxonomy());
    let selected: Vec<_> = violations
        .iter()
        .filter(|v| fail_on.contains(&v.kind))
        .collect();
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({ "violations": violations, "failing": selected.len() }),
            )?;
            writeln!(out)?;
        }
        Format::Table => {
            if violations.is_empty() {
                writeln!(out, "no policy violations")?;
            }
            for v in &violations {
                let mark = if fail_on.contains(&v.kind) {
                    "FAIL"
                } else {
                    "note"
                };
                writeln!(out, "{mark} [{}] {}", v.kind, v.message)?;
            }
        }
    }
    Ok(if selected.is_empty() {
        ExitCode::Success
    } else {
        ExitCode::Violations
    })
}

pub fn run_diff(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let old = Inventory::load(&args.old).map_err(UsageError)?;
    let new = Inventory::load(&args.new).map_err(UsageError)?;
    let diff = InventoryDiff::between(&old, &new);
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &diff)?;
            writeln!(out)?;
        }
        Format::Table => out.write_all(diff.to_text().as_bytes())?,
    }
    Ok(ExitCode::Success)
}

pub fn run_init(args: &InitArgs) -> anyhow::Result<ExitCode> {
    if args.path.exists() && !args.force {
        return Err(UsageError(format!(
            "{} exists (use --force to overwrite)",
            args.path.display()
        ))
        .into());
    }
    piimap::inventory::write_atomic(&args.path, |w| {
        w.write_all(piimap::manifest::STARTER.as_bytes())
    })?;
    println!(
        "wrote {} — edit it, then run: piimap scan --config {}",
        args.path.display(),
        args.path.display()
    );
    Ok(ExitCode::Success)
}
