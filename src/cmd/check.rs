//! `piimap check`, `piimap diff` and `piimap init`: the nightly-job commands around an
//! inventory.

use std::io::Write;

use piimap::exit::ExitCode;
use piimap::inventory::diff::InventoryDiff;
use piimap::inventory::Inventory;
use piimap::policy::parse_fail_on;

use super::{load_engine, load_manifest, UsageError};
use crate::cli::{CheckArgs, Cli, DiffArgs, InitArgs, OutputFormat};

pub fn run_check(cli: &Cli, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let fail_on = parse_fail_on(&args.fail_on).map_err(UsageError)?;
    let engine = load_engine(cli)?;
    let manifest = load_manifest(&engine, &args.config)?;
    // Without an inventory, scan the manifest's sources now (what a nightly job expects).
    let (violations, partial) = match &args.inventory {
        Some(path) => {
            let inventory = Inventory::load(path).map_err(UsageError)?;
            // SOURCE_DATE_EPOCH fixes the date (retention ages, expired dispositions).
            let today = piimap::notice::today();
            let (_, violations) = super::assess(&engine, &manifest, &inventory, &today)?;
            (violations, false)
        }
        None => {
            if manifest.sources.is_empty() {
                return Err(UsageError(format!(
                    "{} declares no [sources] to scan: give --inventory FILE (written by `piimap scan … --out DIR`), or add sources",
                    args.config.display()
                ))
                .into());
            }
            tracing::info!(manifest = %args.config.display(), "no --inventory: scanning the manifest's sources");
            let scan_args = super::scan::manifest_scan_args(&args.config);
            let scanned = super::scan::execute(cli, &engine, &scan_args)?;
            let partial = scanned.inventory.has_failures();
            (scanned.violations, partial)
        }
    };
    if !cli.quiet {
        for (source, text) in piimap::inventory::retention::unparsed(&manifest) {
            eprintln!(
                "warning: sources.{source}.retention (\"{}\") names no period piimap can read: it is not checked against the data",
                super::terminal(&text)
            );
        }
    }
    let selected: Vec<_> = violations
        .iter()
        .filter(|v| fail_on.contains(&v.kind))
        .collect();
    let mut out = super::stdout(cli);
    match args.format {
        OutputFormat::Json => {
            piimap::output::escape::write_json_pretty(
                &mut out,
                &serde_json::json!({ "violations": violations, "failing": selected.len() }),
            )?;
            writeln!(out)?;
        }
        OutputFormat::Table => {
            if violations.is_empty() {
                writeln!(out, "no policy violations")?;
            }
            for v in &violations {
                let mark = if fail_on.contains(&v.kind) {
                    "FAIL"
                } else {
                    "note"
                };
                writeln!(out, "{mark} [{}] {}", v.kind, super::terminal(&v.message))?;
            }
            if partial {
                writeln!(
                    out,
                    "some assets could not be scanned fully: the check covers only what was read"
                )?;
            }
        }
    }
    out.flush()?;
    Ok(if !selected.is_empty() {
        ExitCode::Violations
    } else if partial {
        ExitCode::Partial
    } else {
        ExitCode::Success
    })
}

pub fn run_diff(cli: &Cli, args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let old = Inventory::load(&args.old).map_err(UsageError)?;
    let new = Inventory::load(&args.new).map_err(UsageError)?;
    let diff = InventoryDiff::between(&old, &new);
    let mut out = super::stdout(cli);
    match args.format {
        OutputFormat::Json => {
            piimap::output::escape::write_json_pretty(&mut out, &diff)?;
            writeln!(out)?;
        }
        OutputFormat::Table => out.write_all(diff.to_text().as_bytes())?,
    }
    out.flush()?;
    Ok(ExitCode::Success)
}

pub fn run_init(quiet: bool, args: &InitArgs) -> anyhow::Result<ExitCode> {
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
    if !quiet {
        println!(
            "wrote {} — edit it, then run: piimap scan --config {}",
            args.path.display(),
            args.path.display()
        );
    }
    Ok(ExitCode::Success)
}
