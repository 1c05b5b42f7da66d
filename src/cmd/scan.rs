//! `piimap scan`: files and directories, `--text`, or stdin.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use piimap::detect::{Engine, Finding};
use piimap::exit::ExitCode;
use piimap::inventory::{now_rfc3339, write_atomic, AssetReport, Inventory, ScanInfo, Status};
use piimap::manifest::Manifest;
use piimap::policy::parse_fail_on;
use piimap::report::tables;
use piimap::scan::db::{redact_url, scan_database_incremental, DbOptions};
use piimap::scan::findings::{AssetKind, FindingRecord, FindingsBatch, FindingsWriter};
use piimap::scan::state::{ScanState, StateEntry, StateStamp};
use piimap::scan::{walk_reports, FileScanner, ScanOptions};
use piimap::source::csv::Sampling;
use piimap::source::walk::{walk, FileEntry, WalkOptions};
use serde_json::json;

use super::{load_engine, UsageError};
use crate::cli::{Cli, Format, ScanArgs};

pub fn run(cli: &Cli, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    if args.paths.is_empty() && args.db.is_empty() && args.config.is_none() {
        refuse_flags(args, TEXT_MODE_FLAGS, "when scanning --text or stdin")?;
        let engine = load_engine(cli)?;
        return scan_text_inputs(cli, &engine, args);
    }
    let engine = load_engine(cli)?;
    let scanned = execute(cli, &engine, args)?;
    print_scan(cli, args, &scanned)?;
    Ok(scanned.exit_code())
}

/// The flags `--text` and stdin scans use; any other flag given is refused.
const TEXT_MODE_FLAGS: &[&str] = &["text", "format", "findings", "findings_format"];
/// Flags that only mean something for databases.
const DB_FLAGS: &[&str] = &["db_concurrency", "views", "statement_timeout"];
/// Flags that only mean something for file trees.
const FILE_FLAGS: &[&str] = &["hidden", "no_ignore", "follow", "max_filesize"];

/// A usage error for each flag given on the command line that is not in `allowed`.
fn refuse_flags(args: &ScanArgs, allowed: &[&str], when: &str) -> anyhow::Result<()> {
    match args.given.iter().find(|id| !allowed.contains(&id.as_str())) {
        Some(id) => Err(UsageError(format!(
            "--{} has no effect {when}; drop it",
            id.replace('_', "-")
        ))
        .into()),
        None => Ok(()),
    }
}

/// A usage error when one of `flags` was given but nothing it applies to is scanned.
fn refuse_unused(args: &ScanArgs, flags: &[&str], applies_to: &str) -> anyhow::Result<()> {
    match args.given.iter().find(|id| flags.contains(&id.as_str())) {
        Some(id) => Err(UsageError(format!(
            "--{} only applies to {applies_to}, and none is scanned; drop it",
            id.replace('_', "-")
        ))
        .into()),
        None => Ok(()),
    }
}

/// Worker threads for `-j N` (validated 1–[`MAX_THREADS`] by the parser): more than
/// four per core is lowered to four per core, with a warning.
fn resolve_threads(requested: Option<usize>) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let ceiling = cores * 4;
    match requested {
        None => cores,
        Some(n) if n > ceiling => {
            tracing::warn!(
                "-j {n}: using {ceiling} threads (4 per core on {cores} core(s)); more only adds contention"
            );
            ceiling
        }
        Some(n) => n,
    }
}

/// Starts the global rayon pool once (work started from database threads, such as
/// columns classified in parallel, also runs on `-j` threads).
fn start_pool(threads: usize) -> anyhow::Result<()> {
    static STARTED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    if STARTED.get().is_some() {
        return Ok(());
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .context("starting worker threads")?;
    let _ = STARTED.set(());
    Ok(())
}

/// What a scan produced, before anything is printed.
pub struct Scanned {
    /// The inventory (with the data map when a manifest was given).
    pub inventory: Inventory,
    /// Policy violations (empty without a manifest).
    pub violations: Vec<piimap::policy::Violation>,
    /// How many of them are of a `--fail-on` kind.
    pub failing: usize,
}

impl Scanned {
    /// The exit code: violations first, then partial results.
    pub fn exit_code(&self) -> ExitCode {
        if self.failing > 0 {
            ExitCode::Violations
        } else if self.inventory.has_failures() {
            ExitCode::Partial
        } else {
            ExitCode::Success
        }
    }
}

/// One thing to scan: a file tree or a database, possibly as a manifest source.
struct Target {
    source: Option<String>,
    kind: TargetKind,
    include: Vec<String>,
    exclude: Vec<String>,
    /// Rows sampled per table when sampling was asked for (`--sample-rows`, or the
    /// manifest source's `sample_rows`); `None`: files are read in full and databases
    /// sampled to [`DEFAULT_DB_SAMPLE_ROWS`].
    sample_rows: Option<usize>,
}

/// Rows sampled per database table unless `--sample-rows` or `--full` says otherwise.
const DEFAULT_DB_SAMPLE_ROWS: usize = 10_000;

impl Target {
    /// How this target's file tables (CSV, JSON lines, Parquet) are read: in full unless
    /// sampling was asked for, so a rare leak deep in a file is never skipped.
    fn file_sampling(&self, args: &ScanArgs) -> Sampling {
        Sampling {
            rows: self.sample_rows.unwrap_or(DEFAULT_DB_SAMPLE_ROWS),
            full: args.full || self.sample_rows.is_none(),
            seed: args.seed,
        }
    }

    /// How this target's database tables are read: sampled unless `--full`.
    fn db_sampling(&self, args: &ScanArgs) -> Sampling {
        Sampling {
            rows: self.sample_rows.unwrap_or(DEFAULT_DB_SAMPLE_ROWS),
            full: args.full,
            seed: args.seed,
        }
    }
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
    let asked_rows = args
        .given
        .iter()
        .any(|g| g == "sample_rows")
        .then_some(args.sample_rows);
    if !args.paths.is_empty() || !args.db.is_empty() || manifest.is_none() {
        if !args.paths.is_empty() {
            targets.push(Target {
                source: None,
                kind: TargetKind::Paths(args.paths.clone()),
                include: args.include.clone(),
                exclude: args.exclude.clone(),
                sample_rows: asked_rows,
            });
        }
        for url in &args.db {
            targets.push(Target {
                source: None,
                kind: TargetKind::Db(url.clone()),
                include: args.include.clone(),
                exclude: args.exclude.clone(),
                sample_rows: asked_rows,
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
        let sample_rows = asked_rows.or(src.sample_rows);
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

/// Runs a scan of paths, databases or the manifest's sources, and writes every output
/// file asked for (--out, --notice, --history, --state, --findings); printing is left to
/// the caller.
pub fn execute(cli: &Cli, engine: &Engine, args: &ScanArgs) -> anyhow::Result<Scanned> {
    let threads = resolve_threads(args.threads);
    start_pool(threads)?;
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
    let targets = plan(args, manifest.as_ref().map(|m| (m, manifest_dir.as_path())))?;
    if targets.is_empty() {
        return Err(UsageError(
            "nothing to scan: give paths, --db URL, or a --config with sources".into(),
        )
        .into());
    }
    if !targets.iter().any(|t| matches!(t.kind, TargetKind::Db(_))) {
        refuse_unused(
            args,
            DB_FLAGS,
            "databases (--db, or a manifest source of a database kind)",
        )?;
    }
    if !targets
        .iter()
        .any(|t| matches!(t.kind, TargetKind::Paths(_)))
    {
        refuse_unused(
            args,
            FILE_FLAGS,
            "file trees (paths, or a manifest source of kind files)",
        )?;
    }
    let stamp = state_stamp(cli, engine, args, &targets)?;
    let (state, invalidated) = match &args.state {
        Some(p) => {
            let previous = ScanState::load(p)
                .with_context(|| format!("reading the state file {}", p.display()))?;
            match previous.invalidated_by(&stamp) {
                // Nothing is carried forward; every entry it knew is rescanned, saying why.
                Some(why) => (Some(ScanState::default()), Some((previous, why))),
                None => (Some(previous), None),
            }
        }
        None => (None, None),
    };
    // Why an asset is read again: new, changed, or everything invalidated.
    let why_rescanned = |key: &str| -> String {
        if let Some((previous, why)) = &invalidated {
            if previous.entries.contains_key(key) {
                return why.clone();
            }
        }
        if state.as_ref().is_some_and(|s| s.entries.contains_key(key)) {
            "changed".into()
        } else {
            "new".into()
        }
    };
    let mut new_state = ScanState::stamped(stamp);
    let findings = match &args.findings {
        Some(path) => Some(
            FindingsWriter::create(path, args.findings_format.into())
                .with_context(|| format!("creating {}", path.display()))?,
        ),
        None => None,
    };
    let mut assets = Vec::new();
    let (mut rescanned, mut carried) = (Vec::new(), Vec::new());
    let mut bytes = 0u64;
    for target in &targets {
        let (file_sampling, db_sampling) = (target.file_sampling(args), target.db_sampling(args));
        let mut produced = match &target.kind {
            TargetKind::Paths(roots) => {
                let walk_opts = WalkOptions {
                    hidden: args.hidden,
                    no_ignore: args.no_ignore,
                    follow_links: args.follow,
                    include: target.include.clone(),
                    exclude: target.exclude.clone(),
                    max_filesize: args.max_filesize,
                    threads,
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
                    // Fingerprints only matter to an incremental run.
                    let fp = match &state {
                        Some(_) => piimap::scan::state::file_fingerprint(&f.path, args.verify)
                            .unwrap_or_default(),
                        None => String::new(),
                    };
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
                                rescanned.push(format!(
                                    "{}: {}",
                                    f.path.display(),
                                    why_rescanned(&key)
                                ));
                            }
                            to_scan.push((f, key, fp));
                        }
                    }
                }
                let opts = ScanOptions {
                    sampling: file_sampling,
                    db_sampling,
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
                // Remember what each file produced (a SQLite file gives several reports):
                // one lookup per report, not a pass over every report per file.
                if args.state.is_some() {
                    let owned = reports_by_file(&scanned, to_scan.iter().map(|(_, k, _)| k));
                    for (_, key, fp) in &to_scan {
                        let mine: Vec<AssetReport> = owned
                            .get(key.as_str())
                            .map(|rs| rs.iter().map(|r| (*r).clone()).collect())
                            .unwrap_or_default();
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
                }
                out.extend(scanned);
                out.extend(walk_reports(&walked.skipped, &walked.errors));
                out
            }
            TargetKind::Db(url) => {
                let db_opts = DbOptions {
                    sampling: db_sampling,
                    concurrency: args.db_concurrency,
                    include: target.include.clone(),
                    exclude: target.exclude.clone(),
                    views: args.views,
                    statement_timeout: std::time::Duration::from_secs(args.statement_timeout),
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
                                rescanned.push(format!("{id}: {}", why_rescanned(id)));
                            }
                        }
                        let reports = scanned.reports;
                        if let Some((key, fp)) = key_fp {
                            rescanned.push(format!("{}: {}", redact_url(url), why_rescanned(&key)));
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

    let mut settings = result_settings(engine, args);
    // Files are read in full unless sampling was asked for; databases are sampled.
    let asked = args.given.iter().any(|g| g == "sample_rows");
    settings.insert(
        "sample_rows".into(),
        if asked {
            args.sample_rows.to_string()
        } else {
            format!("files: all rows; databases: {DEFAULT_DB_SAMPLE_ROWS}")
        },
    );
    if let Some(shard) = args.shard {
        settings.insert("shard".into(), shard.to_string());
    }
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
        let today = inventory.scan.started_at[..10].to_string();
        let (map, found) = super::assess(engine, m, &inventory, &today)?;
        violations = found;
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
                tracing::warn!("notice: {}", super::terminal(w));
            }
        }
    }
    if let Some(dir) = &args.history {
        let path = dir.join(format!(
            "inventory-{}.json",
            &inventory.scan.started_at[..10]
        ));
        write_atomic(&path, |w| {
            piimap::report::escape::write_json_pretty(w, &inventory).map_err(std::io::Error::other)
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
    let failing = violations
        .iter()
        .filter(|v| fail_on.contains(&v.kind))
        .count();
    Ok(Scanned {
        inventory,
        violations,
        failing,
    })
}

/// Prints a scan's result on stdout: the summary table (with the incremental counts and
/// the violations), or the inventory as JSON.
fn print_scan(cli: &Cli, args: &ScanArgs, scanned: &Scanned) -> anyhow::Result<()> {
    let (inventory, violations) = (&scanned.inventory, &scanned.violations);
    let mut out = super::stdout(cli);
    match args.format {
        Format::Json => {
            piimap::report::escape::write_json_pretty(&mut out, inventory)?;
            writeln!(out)?;
        }
        Format::Table => {
            out.write_all(piimap::report::summary_table(inventory).as_bytes())?;
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
                for v in violations {
                    writeln!(out, "  [{}] {}", v.kind, super::terminal(&v.message))?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// The reports of each scanned file, by its state key (`file:PATH`): a file's own report,
/// and the tables of a SQLite file (`sqlite:PATH/TABLE`).
fn reports_by_file<'r, 'k>(
    reports: &'r [AssetReport],
    keys: impl Iterator<Item = &'k String>,
) -> std::collections::HashMap<&'k str, Vec<&'r AssetReport>> {
    let keys: std::collections::HashSet<&'k str> = keys.map(String::as_str).collect();
    let mut out: std::collections::HashMap<&'k str, Vec<&'r AssetReport>> =
        std::collections::HashMap::new();
    for r in reports {
        let owner = keys.get(r.id.as_str()).copied().or_else(|| {
            let rest = r.id.strip_prefix("sqlite:")?;
            rest.rmatch_indices('/')
                .find_map(|(i, _)| keys.get(format!("file:{}", &rest[..i]).as_str()).copied())
        });
        if let Some(key) = owner {
            out.entry(key).or_default().push(r);
        }
    }
    out
}

/// The settings that change what a scan finds (threshold, full reads, seed, line cap):
/// recorded in the inventory and in the state file's stamp alike.
fn result_settings(engine: &Engine, args: &ScanArgs) -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            "min_confidence".to_string(),
            format!("{:.2}", engine.threshold()),
        ),
        ("full".to_string(), args.full.to_string()),
        ("seed".to_string(), args.seed.to_string()),
        ("line_cap".to_string(), args.line_cap.to_string()),
    ])
}

/// What decides whether a state file's results still hold: the piimap version, the rule
/// pack (built-in plus --rules) and the settings that change results.
fn state_stamp(
    cli: &Cli,
    engine: &Engine,
    args: &ScanArgs,
    targets: &[Target],
) -> anyhow::Result<StateStamp> {
    let mut settings = result_settings(engine, args);
    for t in targets {
        let key = match &t.source {
            Some(name) => format!("sample_rows[{name}]"),
            None => "sample_rows".into(),
        };
        let rows = t.sample_rows.map_or("default".into(), |n| n.to_string());
        settings.insert(key, rows);
    }
    Ok(StateStamp {
        piimap_version: env!("CARGO_PKG_VERSION").into(),
        rules: piimap::rules::pack_fingerprint(cli.rules.as_deref())
            .context("hashing the rule pack")?,
        settings,
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
        piimap::report::escape::write_json_pretty(&mut *w, inventory)
            .map_err(std::io::Error::other)?;
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

/// `--text` and stdin: every finding with its line, as a table or JSON (and, with
/// `--findings`, as the same JSON lines a file scan writes).
fn scan_text_inputs(cli: &Cli, engine: &Engine, args: &ScanArgs) -> anyhow::Result<ExitCode> {
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
    let findings = match &args.findings {
        Some(path) => Some(
            FindingsWriter::create(path, args.findings_format.into())
                .with_context(|| format!("creating {}", path.display()))?,
        ),
        None => None,
    };
    let mut rows = Vec::new();
    let mut scanner = engine.scanner();
    for (asset, bytes) in &inputs {
        let mut found: Vec<Finding> = Vec::new();
        scanner.scan_text(bytes, &mut found);
        found.sort_by_key(|f| f.start);
        let mut line = 1usize;
        let mut counted_to = 0usize;
        let mut batch = FindingsBatch::default();
        for f in &found {
            line += memchr::memchr_iter(b'\n', &bytes[counted_to..f.start]).count();
            counted_to = f.start;
            let d = engine.detector(f.detector);
            let masked = f.masked(bytes);
            let confidence = piimap::detect::finding::round2(f.confidence);
            batch.push(&FindingRecord {
                asset,
                asset_kind: AssetKind::Input,
                field: None,
                line: Some(line as u64),
                column: None,
                row: None,
                data_type: &d.spec.data_type,
                rule: &d.spec.id,
                rule_description: &d.spec.description,
                confidence,
                masked: masked.as_str(),
            });
            rows.push(json!({
                "asset": asset,
                "field": null,
                "line": line,
                "data_type": d.spec.data_type,
                "rule": d.spec.id,
                "confidence": confidence,
                "masked": masked,
            }));
        }
        if let Some(w) = &findings {
            w.write_batch(&mut batch);
        }
    }
    if let Some(writer) = findings {
        let n = writer.finish().context("writing the findings file")?;
        tracing::info!(findings = n, "findings written");
    }
    let mut out = super::stdout(cli);
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &rows {
        *by_type
            .entry(r["data_type"].as_str().unwrap_or_default())
            .or_default() += 1;
    }
    match args.format {
        Format::Json => {
            piimap::report::escape::write_json_pretty(
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
                    piimap::report::escape::fit(r["asset"].as_str().unwrap_or_default(), 10),
                    r["line"],
                    super::terminal(r["data_type"].as_str().unwrap_or_default()),
                    super::terminal(r["rule"].as_str().unwrap_or_default()),
                    r["confidence"],
                    super::terminal(r["masked"].as_str().unwrap_or_default())
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
    out.flush()?;
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
        let today = now_rfc3339();
        let (map, found) = super::assess(&engine, &manifest, &inventory, &today[..10])?;
        violations = found;
        inventory.data_map = Some(map);
        inventory.scan.manifest = Some(path.display().to_string());
    }
    if let Some(dir) = &args.out {
        write_outputs(dir, &inventory, &violations)?;
    }
    let mut out = super::stdout(cli);
    match args.format {
        Format::Json => {
            piimap::report::escape::write_json_pretty(&mut out, &inventory)?;
            writeln!(out)?;
        }
        Format::Table => out.write_all(piimap::report::summary_table(&inventory).as_bytes())?,
    }
    out.flush()?;
    Ok(if inventory.has_failures() {
        ExitCode::Partial
    } else {
        ExitCode::Success
    })
}

/// The arguments of `piimap scan --config FILE` with every other flag at its default:
/// the scan `piimap check` runs when it is given no inventory.
pub fn manifest_scan_args(config: &Path) -> ScanArgs {
    use clap::{Args, FromArgMatches};
    let command = ScanArgs::augment_args(clap::Command::new("scan"));
    let matches = command
        .try_get_matches_from([
            std::ffi::OsStr::new("scan"),
            std::ffi::OsStr::new("--config"),
            config.as_os_str(),
        ])
        .expect("scan's defaults parse");
    ScanArgs::from_arg_matches(&matches).expect("scan's defaults parse")
}
