//! `piimap scan`: files and directories, `--text`, or stdin.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::sync::atomic::Ordering;
use std::time::Instant;

use anyhow::Context;
use piimap::detect::{Engine, Finding};
use piimap::exit::ExitCode;
use piimap::inventory::{now_rfc3339, write_atomic, Inventory, ScanInfo};
use piimap::scan::db::{redact_url, scan_database, DbOptions};
use piimap::scan::findings::FindingsWriter;
use piimap::scan::{walk_reports, FileScanner, ScanOptions};
use piimap::source::csv::Sampling;
use piimap::source::walk::{walk, WalkOptions};
use serde_json::json;

use super::{load_engine, UsageError};
use crate::cli::{Cli, Format, ScanArgs};

pub fn run(cli: &Cli, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let engine = load_engine(cli)?;
    if args.paths.is_empty() && args.db.is_empty() {
        return scan_text_inputs(&engine, args);
    }
    if args.line_cap < 1024 {
        return Err(UsageError("--line-cap must be at least 1K".into()).into());
    }
    let threads = args.threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("starting worker threads")?;
    pool.install(|| scan_paths(cli, &engine, args))
}

fn scan_paths(cli: &Cli, engine: &Engine, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let started_at = now_rfc3339();
    let walk_opts = WalkOptions {
        hidden: args.hidden,
        no_ignore: args.no_ignore,
        follow_links: args.follow,
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        max_filesize: args.max_filesize,
        threads: args.threads.unwrap_or(0),
    };
    let walked = if args.paths.is_empty() {
        Default::default()
    } else {
        walk(&args.paths, &walk_opts).map_err(UsageError)?
    };
    tracing::info!(
        files = walked.files.len(),
        skipped = walked.skipped.len(),
        errors = walked.errors.len(),
        "walked"
    );

    let findings = match &args.findings {
        Some(path) => Some(
            FindingsWriter::create(path).with_context(|| format!("creating {}", path.display()))?,
        ),
        None => None,
    };
    let opts = ScanOptions {
        sampling: Sampling {
            rows: args.sample_rows,
            full: args.full,
            seed: args.seed,
        },
        line_cap: args.line_cap as usize,
        ..ScanOptions::default()
    };
    let scanner = FileScanner::new(engine, opts, findings.as_ref());
    let total_bytes: u64 = walked.files.iter().map(|f| f.size).sum();
    let progress = progress_bar(cli.quiet, total_bytes, walked.files.len() as u64);
    let files_done = std::sync::atomic::AtomicU64::new(0);
    let files_total = walked.files.len();
    let on_done = |entry: &piimap::source::walk::FileEntry| {
        let done = files_done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(pb) = &progress {
            pb.inc(entry.size);
            pb.set_message(format!("{done}/{files_total} files"));
        }
        tracing::debug!(path = %entry.path.display(), bytes = entry.size, "scanned");
    };
    let mut assets = scanner.scan_all(&walked.files, &on_done);
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    assets.extend(walk_reports(&walked.skipped, &walked.errors));
    let db_opts = DbOptions {
        sampling: Sampling {
            rows: args.sample_rows,
            full: args.full,
            seed: args.seed,
        },
        concurrency: args.db_concurrency.max(1),
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        views: args.views,
        statement_timeout: std::time::Duration::from_secs(args.statement_timeout.max(1)),
        ..DbOptions::default()
    };
    for url in &args.db {
        tracing::info!(db = %redact_url(url), "scanning database");
        assets.extend(scan_database(engine, url, &db_opts, findings.as_ref()));
    }
    for a in &assets {
        for e in a.errors.iter().filter(|e| e.fatal) {
            tracing::warn!(asset = %a.asset, kind = %e.kind, "{}", e.message);
        }
    }

    let mut settings = BTreeMap::new();
    settings.insert("sample_rows".into(), args.sample_rows.to_string());
    settings.insert("seed".into(), args.seed.to_string());
    settings.insert("full".into(), args.full.to_string());
    settings.insert(
        "min_confidence".into(),
        format!("{:.2}", engine.threshold()),
    );
    settings.insert(
        "rules".into(),
        cli.rules
            .as_ref()
            .map_or("built-in".into(), |p| format!("built-in + {}", p.display())),
    );
    let info = ScanInfo {
        roots: args
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .chain(args.db.iter().map(|u| redact_url(u)))
            .collect(),
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        bytes: scanner.bytes_done.load(Ordering::Relaxed),
        settings,
        ..ScanInfo::default()
    };
    let inventory = Inventory::new(info, assets);

    if let Some(dir) = &args.out {
        let path = dir.join("inventory.json");
        write_atomic(&path, |w| {
            serde_json::to_writer_pretty(&mut *w, &inventory).map_err(std::io::Error::other)?;
            w.write_all(b"\n")
        })
        .with_context(|| format!("writing {}", path.display()))?;
        tracing::info!(path = %path.display(), "inventory written");
    }
    if let Some(writer) = findings {
        let n = writer.finish().context("writing the findings file")?;
        tracing::info!(findings = n, "findings written");
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &inventory)?;
            writeln!(out)?;
        }
        Format::Table => out.write_all(piimap::report::summary_table(&inventory).as_bytes())?,
    }
    Ok(if inventory.has_failures() {
        ExitCode::Partial
    } else {
        ExitCode::Success
    })
}

fn progress_bar(quiet: bool, bytes: u64, files: u64) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() || files == 0 {
        return None;
    }
    let pb = indicatif::ProgressBar::with_draw_target(
        Some(bytes),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    pb.set_style(style);
    pb.set_message(format!("{files} file(s)"));
    Some(pb)
}

fn scan_text_inputs(engine: &Engine, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let inputs: Vec<(String, Vec<u8>)> = if args.text.is_empty() {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf)?;
        vec![("<stdin>".to_string(), buf)]
    } else {
        args.text
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("<text {}>", i + 1), t.as_bytes().to_vec()))
            .collect()
    };
    let mut rows = Vec::new();
    let mut scanner = engine.scanner();
    for (asset, bytes) in &inputs {
        let mut found: Vec<Finding> = Vec::new();
        scanner.scan_text(bytes, &mut found);
        found.sort_by_key(|f| f.start);
        let mut line = 1usize;
        let mut counted_to = 0usize;
        for f in &found {
            line += memchr::memchr_iter(b'\n', &bytes[counted_to..f.start]).count();
            counted_to = f.start;
            let d = engine.detector(f.detector);
            rows.push(json!({
                "asset": asset,
                "field": null,
                "line": line,
                "data_type": d.spec.data_type,
                "rule": d.spec.id,
                "confidence": piimap::detect::finding::round2(f.confidence),
                "masked": f.masked,
            }));
        }
    }
    let mut out = std::io::stdout().lock();
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &rows {
        *by_type
            .entry(r["data_type"].as_str().unwrap_or_default())
            .or_default() += 1;
    }
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &json!({ "findings": rows, "summary": by_type }),
            )?;
            writeln!(out)?;
        }
        Format::Table => {
            writeln!(
                out,
                "{:<10} {:>6}  {:<20} {:<26} {:>5}  VALUE (masked)",
                "ASSET", "LINE", "DATA TYPE", "RULE", "CONF"
            )?;
            for r in &rows {
                writeln!(
                    out,
                    "{:<10} {:>6}  {:<20} {:<26} {:>5}  {}",
                    r["asset"].as_str().unwrap_or_default(),
                    r["line"],
                    r["data_type"].as_str().unwrap_or_default(),
                    r["rule"].as_str().unwrap_or_default(),
                    r["confidence"],
                    r["masked"].as_str().unwrap_or_default()
                )?;
            }
            let summary: Vec<String> = by_type.iter().map(|(t, n)| format!("{t}: {n}")).collect();
            writeln!(
                out,
                "\n{} finding(s){}{}",
                rows.len(),
                if summary.is_empty() { "" } else { " — " },
                summary.join(", ")
            )?;
        }
    }
    Ok(ExitCode::Success)
}
