//! `piimap scan`: files and directories, `--text`, or stdin.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use piimap::detect::{Engine, Finding};
use piimap::exit::ExitCode;
use piimap::inventory::datamap::DataMap;
use piimap::inventory::{now_rfc3339, write_atomic, AssetReport, Inventory, ScanInfo, Status};
use piimap::manifest::Manifest;
use piimap::policy::{check, parse_fail_on};
use piimap::report::tables;
use piimap::scan::db::{redact_url, scan_database_incremental, DbOptions};
use piimap::scan::findings::FindingsWriter;
use piimap::scan::state::{ScanState, StateEntry, STATE_VERSION};
use piimap::scan::{walk_reports, FileScanner, ScanOptions};
use piimap::source::csv::Sampling;
use piimap::source::walk::{walk, FileEntry, WalkOptions};
use serde_json::json;

use super::{load_engine, UsageError};
use crate::cli::{Cli, Format, ScanArgs};

pub fn run(cli: &Cli, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let engine = load_engine(cli)?;
    if args.paths.is_empty() && args.db.is_empty() && args.config.is_none() {
        return scan_text_inputs(&engine, args);
    }
    if args.line_cap < 1024 {
        return Err(UsageError("--line-cap must be at least 1K".into()).into());
    }
    // The global pool, so work started from the database threads (columns classified
    // in parallel) also runs on `-j` threads.
    let threads = args.threads.unwrap_or(0);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .context("starting worker threads")?;
    scan_paths(cli, &engine, args)
}

/// One thing to scan: a file tree or a database, possibly as a manifest source.
struct Target {
    source: Option<String>,
    kind: TargetKind,
    include: Vec<String>,
    exclude: Vec<String>,
    sample_rows: usize,
}

enum TargetKind {
    Paths(Vec<PathBuf>),
    Db(String),
}

/// Resolves `env:VAR` in a manifest URL.
fn resolve_env(value: &str) -> anyhow::Result<String> {
    match value.strip_prefix("env:") {
        Some(var) => std::env::var(var).map_err(|_| {
            UsageError(format!(
                "environment variable {var} (named in the manifest) is not set"
            ))
            .into()
        }),
        None => Ok(value.to_string()),
    }
}

/// What to scan: the paths and databases given, or else the manifest's sources.
fn plan(args: &ScanArgs, manifest: Option<(&Manifest, &Path)>) -> anyhow::Result<Vec<Target>> {
    let mut targets = Vec::new();
    if !args.paths.is_empty() || !args.db.is_empty() || manifest.is_none() {
        if !args.paths.is_empty() {
            targets.push(Target {
                source: None,
                kind: TargetKind::Paths(args.paths.clone()),
                include: args.include.clone(),
                exclude: args.exclude.clone(),
                sample_rows: args.sample_rows,
            });
        }
        for url in &args.db {
            targets.push(Target {
                source: None,
                kind: TargetKind::Db(url.clone()),
                include: args.include.clone(),
                exclude: args.exclude.clone(),
                sample_rows: args.sample_rows,
            });
        }
        return Ok(targets);
    }
    let Some((m, dir)) = manifest else {
        return Ok(targets);
    };
    for (name, src) in &m.sources {
        let include = [src.include.clone(), args.include.clone()].concat();
        let exclude = [src.exclude.clone(), args.exclude.clone()].concat();
        let sample_rows = src.sample_rows.unwrap_or(args.sample_rows);
        let kind = match src.kind.get_ref().as_str() {
            "files" => {
                let path = src.path.as_deref().ok_or_else(|| {
                    UsageError(format!("manifest source `{name}` (files) has no path"))
                })?;
                TargetKind::Paths(vec![dir.join(path)])
            }
            "sqlite" => match (&src.url, &src.path) {
                (Some(url), _) => TargetKind::Db(resolve_env(url.get_ref())?),
                (None, Some(path)) => {
                    TargetKind::Db(format!("sqlite:{}", dir.join(path).display()))
                }
                (None, None) => {
                    return Err(UsageError(format!(
                        "manifest source `{name}` (sqlite) has no path or url"
                    ))
                    .into())
                }
            },
            _ => {
                let url = src.url.as_ref().ok_or_else(|| {
                    UsageError(format!("manifest source `{name}` (postgres) has no url"))
                })?;
                TargetKind::Db(resolve_env(url.get_ref())?)
            }
        };
        targets.push(Target {
            source: Some(name.clone()),
            kind,
            include,
            exclude,
            sample_rows,
        });
    }
    Ok(targets)
}

fn scan_paths(cli: &Cli, engine: &Engine, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let started_at = now_rfc3339();
    let fail_on = parse_fail_on(&args.fail_on).map_err(UsageError)?;
    let manifest = match &args.config {
        Some(path) => Some(super::load_manifest(engine, path)?),
        None => None,
    };
    let manifest_dir = args
        .config
        .as_ref()
        .and_then(|p| p.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if manifest.is_none() && !fail_on.is_empty() {
        return Err(
            UsageError("--fail-on needs --config (the manifest to check against)".into()).into(),
        );
    }
    let targets = plan(args, manifest.as_ref().map(|m| (m, manifest_dir.as_path())))?;
    if targets.is_empty() {
        return Err(UsageError(
            "nothing to scan: give paths, --db URL, or a --config with sources".into(),
        )
        .into());
    }
    let state = match &args.state {
        Some(p) => Some(
            ScanState::load(p)
                .with_context(|| format!("reading the state file {}", p.display()))?,
        ),
        None => None,
    };
    let mut new_state = ScanState {
        version: STATE_VERSION,
        ..ScanState::default()
    };
    let findings = match &args.findings {
        Some(path) => Some(
            FindingsWriter::create(path).with_context(|| format!("creating {}", path.display()))?,
        ),
        None => None,
    };
    let mut assets = Vec::new();
    let (mut rescanned, mut carried) = (Vec::new(), Vec::new());
    let mut bytes = 0u64;
    for target in &targets {
        let sampling = Sampling {
            rows: target.sample_rows,
            full: args.full,
            seed: args.seed,
        };
        let mut produced = match &target.kind {
            TargetKind::Paths(roots) => {
                let walk_opts = WalkOptions {
                    hidden: args.hidden,
                    no_ignore: args.no_ignore,
                    follow_links: args.follow,
                    include: target.include.clone(),
                    exclude: target.exclude.clone(),
                    max_filesize: args.max_filesize,
                    threads: args.threads.unwrap_or(0),
                };
                let mut walked = walk(roots, &walk_opts).map_err(UsageError)?;
                if let Some(shard) = args.shard {
                    let owned = |p: &Path| shard.owns(&format!("file:{}", p.display()));
                    walked.files.retain(|f| owned(&f.path));
                    walked.skipped.retain(|s| owned(&s.path));
                    walked.errors.retain(|(p, _)| owned(p));
                }
                tracing::info!(
                    files = walked.files.len(),
                    skipped = walked.skipped.len(),
                    errors = walked.errors.len(),
                    "walked"
                );
                // Incremental: carry unchanged files forward.
                let mut to_scan = Vec::new();
                let mut out = Vec::new();
                for f in walked.files {
                    let key = format!("file:{}", f.path.display());
                    let fp = piimap::scan::state::file_fingerprint(&f.path, args.verify)
                        .unwrap_or_default();
                    match state.as_ref().and_then(|s| s.unchanged(&key, &fp)) {
                        Some(reports) if !fp.is_empty() => {
                            carried.push(format!(
                                "{}: unchanged ({})",
                                f.path.display(),
                                if args.verify {
                                    "size, mtime, sha256"
                                } else {
                                    "size, mtime"
                                }
                            ));
                            new_state.entries.insert(
                                key,
                                StateEntry {
                                    fingerprint: fp,
                                    reports: reports.to_vec(),
                                },
                            );
                            out.extend(reports.iter().cloned());
                        }
                        _ => {
                            if state.is_some() {
                                let why =
                                    if state.as_ref().is_some_and(|s| s.entries.contains_key(&key))
                                    {
                                        "changed"
                                    } else {
                                        "new"
                                    };
                                rescanned.push(format!("{}: {why}", f.path.display()));
                            }
                            to_scan.push((f, key, fp));
                        }
                    }
                }
                let opts = ScanOptions {
                    sampling,
                    line_cap: args.line_cap as usize,
                    ..ScanOptions::default()
                };
                let scanner = FileScanner::new(engine, opts, findings.as_ref());
                let total_bytes: u64 = to_scan.iter().map(|(f, _, _)| f.size).sum();
                let progress = progress_bar(cli.quiet, total_bytes, to_scan.len() as u64);
                let files_done = AtomicU64::new(0);
                let files_total = to_scan.len();
                let on_done = |entry: &FileEntry| {
                    let done = files_done.fetch_add(1, Ordering::Relaxed) + 1;
                    if let Some(pb) = &progress {
                        pb.inc(entry.size);
                        pb.set_message(format!("{done}/{files_total} files"));
                    }
                    tracing::debug!(path = %entry.path.display(), bytes = entry.size, "scanned");
                };
                let files: Vec<FileEntry> = to_scan.iter().map(|(f, _, _)| f.clone()).collect();
                let scanned = scanner.scan_all(&files, &on_done);
                if let Some(pb) = progress {
                    pb.finish_and_clear();
                }
                bytes += scanner.bytes_done.load(Ordering::Relaxed);
                // Remember what each file produced (a SQLite file gives several reports).
                for (f, key, fp) in &to_scan {
                    let prefix_file = format!("file:{}", f.path.display());
                    let prefix_sqlite = format!("sqlite:{}/", f.path.display());
                    let mine: Vec<AssetReport> = scanned
                        .iter()
                        .filter(|r| r.id == prefix_file || r.id.starts_with(&prefix_sqlite))
                        .cloned()
                        .collect();
                    // Failed reads are not remembered: the next run tries again.
                    if !fp.is_empty()
                        && mine
                            .iter()
                            .all(|r| matches!(r.status, Status::Scanned | Status::Skipped))
                    {
                        new_state.entries.insert(
                            key.clone(),
                            StateEntry {
                                fingerprint: fp.clone(),
                                reports: mine,
                            },
                        );
                    }
                }
                out.extend(scanned);
                out.extend(walk_reports(&walked.skipped, &walked.errors));
                out
            }
            TargetKind::Db(url) => {
                let db_opts = DbOptions {
                    sampling,
                    concurrency: args.db_concurrency.max(1),
                    include: target.include.clone(),
                    exclude: target.exclude.clone(),
                    views: args.views,
                    statement_timeout: std::time::Duration::from_secs(
                        args.statement_timeout.max(1),
                    ),
                    shard: args.shard,
                    previous: state.as_ref().map(|s| std::sync::Arc::new(s.clone())),
                    ..DbOptions::default()
                };
                tracing::info!(db = %redact_url(url), "scanning database");
                // A SQLite database is one file: unchanged file, unchanged tables.
                let sqlite_file = url
                    .strip_prefix("sqlite:")
                    .map(|p| p.trim_start_matches("//").to_string());
                let key_fp = sqlite_file
                    .as_ref()
                    .filter(|_| state.is_some())
                    .and_then(|p| {
                        let fp = piimap::scan::state::file_fingerprint(Path::new(p), args.verify)
                            .ok()?;
                        Some((format!("db:{url}"), fp))
                    });
                match key_fp
                    .as_ref()
                    .and_then(|(k, fp)| Some((k, fp, state.as_ref()?.unchanged(k, fp)?)))
                {
                    Some((key, fp, reports)) => {
                        carried.push(format!(
                            "{}: unchanged ({})",
                            redact_url(url),
                            if args.verify {
                                "size, mtime, sha256"
                            } else {
                                "size, mtime"
                            }
                        ));
                        new_state.entries.insert(
                            key.clone(),
                            StateEntry {
                                fingerprint: fp.clone(),
                                reports: reports.to_vec(),
                            },
                        );
                        reports.to_vec()
                    }
                    None => {
                        let scanned =
                            scan_database_incremental(engine, url, &db_opts, findings.as_ref());
                        // PostgreSQL tables: remember each table's fingerprint and report.
                        for (id, fp) in &scanned.fingerprints {
                            let mine: Vec<AssetReport> = scanned
                                .reports
                                .iter()
                                .filter(|r| r.id == *id)
                                .cloned()
                                .collect();
                            if !mine.is_empty()
                                && mine
                                    .iter()
                                    .all(|r| matches!(r.status, Status::Scanned | Status::Skipped))
                            {
                                new_state.entries.insert(
                                    id.clone(),
                                    StateEntry {
                                        fingerprint: fp.clone(),
                                        reports: mine,
                                    },
                                );
                            }
                            if scanned.carried.contains(id) {
                                carried
                                    .push(format!("{id}: unchanged (columns and write counters)"));
                            } else {
                                let why =
                                    if state.as_ref().is_some_and(|s| s.entries.contains_key(id)) {
                                        "changed"
                                    } else {
                                        "new"
                                    };
                                rescanned.push(format!("{id}: {why}"));
                            }
                        }
                        let reports = scanned.reports;
                        if let Some((key, fp)) = key_fp {
                            let why =
                                if state.as_ref().is_some_and(|s| s.entries.contains_key(&key)) {
                                    "changed"
                                } else {
                                    "new"
                                };
                            rescanned.push(format!("{}: {why}", redact_url(url)));
                            if reports
                                .iter()
                                .all(|r| matches!(r.status, Status::Scanned | Status::Skipped))
                            {
                                new_state.entries.insert(
                                    key,
                                    StateEntry {
                                        fingerprint: fp,
                                        reports: reports.clone(),
                                    },
                                );
                            }
                        }
                        reports
                    }
                }
            }
        };
        for r in &mut produced {
            if target.source.is_some() {
                r.source = target.source.clone();
            }
        }
        assets.extend(produced);
    }
    for a in &assets {
        for e in a.errors.iter().filter(|e| e.fatal) {
            tracing::warn!(asset = %a.asset, kind = %e.kind, "{}", e.message);
        }
    }

    let mut settings = BTreeMap::new();
    settings.insert("sample_rows".into(), args.sample_rows.to_string());
    settings.insert("seed".into(), args.seed.to_string());
    if let Some(shard) = args.shard {
        settings.insert("shard".into(), shard.to_string());
    }
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
    let roots = targets
        .iter()
        .flat_map(|t| match &t.kind {
            TargetKind::Paths(p) => p
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
            TargetKind::Db(u) => vec![redact_url(u)],
        })
        .collect();
    let info = ScanInfo {
        roots,
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        bytes,
        settings,
        rescanned,
        carried,
        manifest: args.config.as_ref().map(|p| p.display().to_string()),
        ..ScanInfo::default()
    };
    let mut inventory = Inventory::new(info, assets);
    let mut violations = Vec::new();
    if let Some(m) = &manifest {
        let knowledge = super::Knowledge::load()?;
        let today = &inventory.scan.started_at[..10];
        let map = DataMap::build(
            &inventory,
            m,
            engine.taxonomy(),
            &knowledge.vocab,
            engine.catalog(),
            today,
        );
        violations = check(&map, m, engine.taxonomy());
        inventory.data_map = Some(map);
    }

    if let Some(dir) = &args.out {
        write_outputs(dir, &inventory, &violations)?;
        if let (true, Some(m)) = (args.notice, &manifest) {
            let knowledge = super::Knowledge::load()?;
            let warnings = piimap::notice::write_all(
                &inventory,
                m,
                engine.taxonomy(),
                &knowledge.vocab,
                engine.catalog(),
                dir,
                None,
                &piimap::notice::today(),
            )
            .context("writing the disclosure documents")?;
            for w in &warnings {
                tracing::warn!("notice: {w}");
            }
        }
    }
    if let Some(dir) = &args.history {
        let path = dir.join(format!(
            "inventory-{}.json",
            &inventory.scan.started_at[..10]
        ));
        write_atomic(&path, |w| {
            serde_json::to_writer_pretty(w, &inventory).map_err(std::io::Error::other)
        })
        .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.state {
        new_state
            .save(path)
            .with_context(|| format!("writing the state file {}", path.display()))?;
    }
    if let Some(writer) = findings {
        let n = writer.finish().context("writing the findings file")?;
        tracing::info!(findings = n, "findings written");
    }
    let selected: Vec<&piimap::policy::Violation> = violations
        .iter()
        .filter(|v| fail_on.contains(&v.kind))
        .collect();
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &inventory)?;
            writeln!(out)?;
        }
        Format::Table => {
            out.write_all(piimap::report::summary_table(&inventory).as_bytes())?;
            if !inventory.scan.carried.is_empty() || !inventory.scan.rescanned.is_empty() {
                writeln!(
                    out,
                    "incremental: {} rescanned, {} carried forward unchanged",
                    inventory.scan.rescanned.len(),
                    inventory.scan.carried.len()
                )?;
            }
            if !violations.is_empty() {
                writeln!(out, "\n{} policy violation(s):", violations.len())?;
                for v in &violations {
                    writeln!(out, "  [{}] {}", v.kind, v.message)?;
                }
            }
        }
    }
    Ok(if !selected.is_empty() {
        ExitCode::Violations
    } else if inventory.has_failures() {
        ExitCode::Partial
    } else {
        ExitCode::Success
    })
}

/// Writes inventory.json, .csv, .parquet and .md into `dir`, each atomically.
pub fn write_outputs(
    dir: &Path,
    inventory: &Inventory,
    violations: &[piimap::policy::Violation],
) -> anyhow::Result<()> {
    let path = dir.join("inventory.json");
    write_atomic(&path, |w| {
        serde_json::to_writer_pretty(&mut *w, inventory).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })
    .with_context(|| format!("writing {}", path.display()))?;
    let mut df = tables::inventory_frame(inventory).context("building the inventory table")?;
    let path = dir.join("inventory.csv");
    write_atomic(&path, |w| {
        tables::write_csv(&mut df, w).map_err(std::io::Error::other)
    })
    .with_context(|| format!("writing {}", path.display()))?;
    let path = dir.join("inventory.parquet");
    write_atomic(&path, |w| {
        tables::write_parquet(&mut df, w).map_err(std::io::Error::other)
    })
    .with_context(|| format!("writing {}", path.display()))?;
    let path = dir.join("inventory.md");
    write_atomic(&path, |w| {
        w.write_all(piimap::report::markdown::inventory_markdown(inventory, violations).as_bytes())
    })
    .with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(dir = %dir.display(), "inventory written");
    Ok(())
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
                "masked": f.masked(bytes),
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

/// `piimap merge`: combines partial inventories.
pub fn run_merge(cli: &Cli, args: &crate::cli::MergeArgs) -> anyhow::Result<ExitCode> {
    let mut parts = Vec::new();
    for p in &args.parts {
        parts.push(Inventory::load(p).map_err(UsageError)?);
    }
    let mut inventory =
        Inventory::merge_all(&parts).ok_or_else(|| UsageError("nothing to merge".into()))?;
    inventory.scan.settings.remove("shard");
    let mut violations = Vec::new();
    if let Some(path) = &args.config {
        let engine = load_engine(cli)?;
        let manifest = super::load_manifest(&engine, path)?;
        let knowledge = super::Knowledge::load()?;
        let today = now_rfc3339();
        let map = DataMap::build(
            &inventory,
            &manifest,
            engine.taxonomy(),
            &knowledge.vocab,
            engine.catalog(),
            &today[..10],
        );
        violations = check(&map, &manifest, engine.taxonomy());
        inventory.data_map = Some(map);
        inventory.scan.manifest = Some(path.display().to_string());
    }
    if let Some(dir) = &args.out {
        write_outputs(dir, &inventory, &violations)?;
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
