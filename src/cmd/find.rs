//! `piimap find`: resolve the flags, run [`piimap::find::search`], write what was asked
//! for and print a masked summary.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use piimap::exit::ExitCode;
use piimap::find::ident::{self, IdentKind, Identifier};
use piimap::find::report::{kind_name, Context as ReportContext};
use piimap::find::{self, DbOptions, Plan, Report, RequestKind};
use piimap::inventory::{write_atomic, Inventory};
use piimap::output::escape;
use piimap::scan::plan::{plan, PlanRequest, TargetKind};

use super::{load_rules, Knowledge, UsageError};
use crate::cli::{Cli, FindArgs, FindPlan, OutputFormat};

/// The identifiers given by flags and by `--identifiers FILE`, parsed.
fn identifiers(
    args: &FindArgs,
    region: phonenumber::country::Id,
) -> anyhow::Result<Vec<Identifier>> {
    let mut raw: Vec<(IdentKind, String)> = Vec::new();
    for (kind, values) in [
        (IdentKind::Email, &args.email),
        (IdentKind::Phone, &args.phone),
        (IdentKind::Name, &args.name),
        (IdentKind::Ssn, &args.ssn),
        (IdentKind::Ip, &args.ip),
        (IdentKind::CustomerId, &args.customer_id),
    ] {
        raw.extend(values.iter().map(|v| (kind, v.clone())));
    }
    if let Some(path) = &args.identifiers {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        raw.extend(
            ident::from_json(&text).map_err(|e| UsageError(format!("{}: {e}", path.display())))?,
        );
    }
    if raw.is_empty() {
        return Err(UsageError("give at least one identifier (--email, --phone, --name, --ssn, --ip, --customer-id or --identifiers FILE)".into()).into());
    }
    raw.into_iter()
        .map(|(k, v)| Identifier::parse(k, &v, region).map_err(|e| UsageError(e).into()))
        .collect()
}

/// The inventory of `--inventory`, or the latest of `--history`.
fn inventory(args: &FindArgs) -> anyhow::Result<Option<Inventory>> {
    if let Some(p) = &args.inventory {
        return Ok(Some(Inventory::load(p).map_err(UsageError)?));
    }
    if let Some(dir) = &args.history {
        let (mut kept, warnings) = piimap::notice::load_history(dir, &piimap::notice::today());
        for w in warnings {
            tracing::warn!("{}", escape::terminal_text(&w));
        }
        return match kept.pop() {
            Some(h) => Ok(Some(h.inventory)),
            None => Err(UsageError(format!(
                "--history {}: no inventory-YYYY-MM-DD.json of the last 12 months",
                dir.display()
            ))
            .into()),
        };
    }
    if args.everywhere {
        return Ok(None);
    }
    Err(UsageError(
        "give --inventory FILE or --history DIR (where each data type lives), or --everywhere"
            .into(),
    )
    .into())
}

pub fn run(cli: &Cli, args: &FindArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    // The taxonomy and the catalog only: the built-in ones unless --rules layers a pack
    // (loading the detectors would cost more than an indexed lookup).
    let (taxonomy, catalog) = match &cli.rules {
        Some(_) => {
            let engine = load_rules(cli)?;
            (engine.taxonomy().clone(), engine.catalog().clone())
        }
        None => (
            piimap::taxonomy::Taxonomy::builtin().context("loading the taxonomy")?,
            piimap::knowledge::Catalog::builtin().context("loading the recipient catalog")?,
        ),
    };
    let knowledge = Knowledge::load()?;
    let manifest = match &args.config {
        Some(p) => Some(
            piimap::manifest::Manifest::load(p, &taxonomy, &knowledge.vocab, &catalog)
                .map_err(|e| UsageError(e.to_string()))?,
        ),
        None => None,
    };
    let code = args
        .region
        .clone()
        .or_else(|| {
            manifest
                .as_ref()
                .map(|m| m.organisation.default_region.clone())
                .filter(|r| !r.is_empty())
        })
        .unwrap_or_else(|| "US".into());
    let region = ident::region(&code)
        .ok_or_else(|| UsageError(format!("--region {code}: not a region code (US, DE, …)")))?;
    let ids = identifiers(args, region)?;
    let inventory = inventory(args)?;
    let manifest_dir = super::manifest_dir(args.config.as_deref());
    let request = PlanRequest {
        paths: args.paths.clone(),
        dbs: args.db.clone(),
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        sample_rows: None,
    };
    let targets = plan(
        &request,
        manifest.as_ref().map(|m| (m, manifest_dir.as_path())),
    )
    .map_err(|e| UsageError(e.to_string()))?;
    if targets.is_empty() {
        return Err(UsageError(
            "nothing to search: give paths, --db URL, or a --config with sources".into(),
        )
        .into());
    }
    refuse_object_stores(&targets)?;
    let req = find::Request {
        identifiers: ids.clone(),
        targets: targets
            .iter()
            .map(|t| find::Target {
                source: t.source.clone(),
                include: t.include.clone(),
                exclude: t.exclude.clone(),
                kind: match &t.kind {
                    TargetKind::Paths(p) => find::TargetKind::Paths(p.clone()),
                    TargetKind::Db(u) => find::TargetKind::Db(u.clone()),
                    TargetKind::Objects(_) => unreachable!("refused above"),
                },
            })
            .collect(),
        plan: Plan::new(inventory.as_ref(), &ids, args.everywhere),
        db: DbOptions {
            hops: args.hops,
            exhaustive: args.exhaustive,
            row_limit: args.max_rows,
            export: args.export.is_some(),
        },
        limits: piimap::source::db::Limits {
            statement_timeout: Duration::from_secs(args.statement_timeout),
            connect_timeout: Duration::from_secs(10),
        },
        walk: piimap::source::walk::WalkOptions {
            hidden: args.hidden,
            no_ignore: args.no_ignore,
            ..Default::default()
        },
        line_cap: piimap::source::text::DEFAULT_LINE_CAP,
    };
    let found = find::search(&req);
    let map = match (&manifest, &inventory) {
        (Some(m), Some(inv)) => {
            let k = piimap::inventory::assess::Knowledge {
                taxonomy: &taxonomy,
                vocab: &knowledge.vocab,
                catalog: &catalog,
            };
            Some(piimap::inventory::assess(inv, m, k, &piimap::notice::today()).map)
        }
        _ => None,
    };
    let kind = if args.plan == Some(FindPlan::Delete) {
        RequestKind::Delete
    } else {
        RequestKind::Know
    };
    let ctx = ReportContext {
        taxonomy: &taxonomy,
        vocab: &knowledge.vocab,
        manifest: manifest.as_ref(),
        map: map.as_ref(),
    };
    let report = Report::build(
        kind,
        &ids,
        &found,
        &ctx,
        started.elapsed().as_millis() as u64,
    );
    if let Some(dir) = &args.out {
        write_outputs(dir, args, &report, &found, &req.plan, manifest.as_ref())?;
    }
    if let Some(dir) = &args.export {
        find::export::write(dir, &found.export, &report)
            .with_context(|| format!("writing the export into {}", dir.display()))?;
    }
    if let Some(path) = &args.log {
        find::log::LogEntry::new(&ids, &report, &found.sources)
            .append(path)
            .with_context(|| format!("appending to the request log {}", path.display()))?;
    }
    print(cli, args, &report)?;
    Ok(if report.errors.is_empty() {
        ExitCode::Success
    } else {
        ExitCode::Partial
    })
}

fn write_file(dir: &Path, name: &str, contents: &str) -> anyhow::Result<()> {
    let path = dir.join(name);
    write_atomic(&path, |w| w.write_all(contents.as_bytes()))
        .with_context(|| format!("writing {}", path.display()))
}

fn write_outputs(
    dir: &Path,
    args: &FindArgs,
    report: &Report,
    found: &find::Found,
    plan: &Plan,
    manifest: Option<&piimap::manifest::Manifest>,
) -> anyhow::Result<()> {
    let mut json = escape::to_json_pretty(report)?;
    json.push('\n');
    write_file(dir, "report.json", &json)?;
    write_file(dir, "report.md", &report.markdown())?;
    let model = find::letter::LetterModel::build(report, manifest, &piimap::notice::today());
    for (file, text) in find::letter::render(&model, args.templates.as_deref())? {
        write_file(dir, &file, &text)?;
    }
    if args.plan == Some(FindPlan::Delete) {
        let (sql, md) = find::delete::plan(found, report, plan);
        write_file(dir, "deletion-plan.sql", &sql)?;
        write_file(dir, "deletion-plan.md", &md)?;
    }
    Ok(())
}

fn print(cli: &Cli, args: &FindArgs, report: &Report) -> anyhow::Result<()> {
    let mut out = super::stdout(cli);
    if args.format == OutputFormat::Json {
        escape::write_json_pretty(&mut out, report)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(());
    }
    let t = &report.totals;
    writeln!(
        out,
        "{} in {} asset(s): {} row(s), {} line(s); name-only matches in {} asset(s)",
        if report.found { "found" } else { "not found" },
        t.assets,
        t.rows,
        t.lines,
        t.name_only_assets
    )?;
    for a in report.appearances.iter().chain(&report.name_only) {
        writeln!(
            out,
            "  {}  {}  {} {}  {} {}{}",
            super::terminal(&a.asset),
            super::terminal(a.field.as_deref().or(a.via.as_deref()).unwrap_or("-")),
            a.identifier.as_str(),
            kind_name(a.match_kind),
            a.count,
            a.unit,
            match (&a.first_seen, &a.last_seen) {
                (Some(f), Some(l)) => format!("  {} … {}", super::terminal(f), super::terminal(l)),
                _ => String::new(),
            }
        )?;
    }
    for e in &report.errors {
        writeln!(
            out,
            "  error: {} ({}): {}",
            super::terminal(&e.asset),
            super::terminal(&e.kind),
            super::terminal(&e.message)
        )?;
    }
    writeln!(
        out,
        "{} asset(s) searched, {} not searched",
        report.searched.len(),
        report.not_searched.len()
    )?;
    out.flush()?;
    Ok(())
}

/// `find` reads databases and local files only: an object-store target is a usage
/// error, never silently skipped.
fn refuse_object_stores(targets: &[piimap::scan::plan::Target]) -> Result<(), UsageError> {
    match targets.iter().find_map(|t| match &t.kind {
        TargetKind::Objects(u) => Some(piimap::source::object::redact_url(u)),
        _ => None,
    }) {
        Some(url) => Err(UsageError(format!(
            "piimap find does not search object stores yet ({url}): search a local copy of the objects"
        ))),
        None => Ok(()),
    }
}
