//! `piimap scan`: files and directories, `--text`, or stdin.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use piimap::detect::{Engine, Finding};
use piimap::exit::ExitCode;
use piimap::inventory::{now_rfc3339, write_atomic, Inventory};
use piimap::manifest::Manifest;
use piimap::output::tables;
use piimap::policy::parse_fail_on;
use piimap::scan::findings::{AssetKind, FindingRecord, FindingsBatch, FindingsWriter};
use piimap::scan::incremental::Incremental;
use piimap::scan::plan::{plan, PlanRequest, Target, TargetKind, DEFAULT_DB_SAMPLE_ROWS};
use piimap::scan::state::{ScanState, StateStamp};
use piimap::scan::{Outputs, Progress, ScanConfig};
use piimap::source::walk::FileEntry;
use serde_json::json;

use super::{load_engine, UsageError};
use crate::cli::{Cli, OutputFormat, ScanArgs};

pub fn run(cli: &Cli, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    if args.paths.is_empty() && args.db.is_empty() && args.config.is_none() {
        refuse_flags(args, TEXT_MODE_FLAGS, "when scanning --text or stdin")?;
        let engine = load_engine(cli)?;
        return scan_text_inputs(cli, &engine, args);
    }
    // A language without templates (--lang, or the manifest's with --notice) is refused
    // before the scan, not after it.
    let engine = load_engine(cli)?;
    let manifest = match (&args.config, args.notice) {
        (Some(config), true) => Some(super::load_manifest(&engine, config)?),
        _ => None,
    };
    super::notice_languages(&args.lang, manifest.as_ref(), None)?;
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

/// The scan's configuration: the flags and the manifest resolved into targets and
/// settings.
fn scan_config(
    cli: &Cli,
    engine: &Engine,
    args: &ScanArgs,
    manifest: Option<(&Manifest, &Path)>,
    threads: usize,
) -> anyhow::Result<ScanConfig> {
    let request = PlanRequest {
        paths: args.paths.clone(),
        dbs: args.db.clone(),
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        sample_rows: asked_sample_rows(args),
    };
    let targets = plan(&request, manifest).map_err(usage)?;
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
        .any(|t| matches!(t.kind, TargetKind::Paths(_) | TargetKind::Objects(_)))
    {
        refuse_unused(
            args,
            FILE_FLAGS,
            "file trees (paths, or a manifest source of kind files)",
        )?;
    }
    Ok(ScanConfig {
        threads,
        hidden: args.hidden,
        no_ignore: args.no_ignore,
        follow_links: args.follow,
        max_filesize: args.max_filesize,
        full: args.full,
        seed: args.seed,
        line_cap: args.line_cap as usize,
        db_concurrency: args.db_concurrency,
        views: args.views,
        statement_timeout: std::time::Duration::from_secs(args.statement_timeout),
        shard: args.shard,
        settings: inventory_settings(cli, engine, args),
        manifest: args.config.as_ref().map(|p| p.display().to_string()),
        targets,
    })
}

/// `--sample-rows`, when it was given (files are otherwise read in full).
fn asked_sample_rows(args: &ScanArgs) -> Option<usize> {
    args.given
        .iter()
        .any(|g| g == "sample_rows")
        .then_some(args.sample_rows)
}

/// A library configuration error as the usage error (exit 2) it is.
fn usage(e: piimap::error::ConfigError) -> anyhow::Error {
    match e {
        piimap::error::ConfigError::Usage(m) => UsageError(m).into(),
        other => other.into(),
    }
}

/// The settings the inventory records: those that change results, how rows were
/// sampled, the shard and the rule pack.
fn inventory_settings(cli: &Cli, engine: &Engine, args: &ScanArgs) -> BTreeMap<String, String> {
    let mut settings = result_settings(engine, args);
    // Files are read in full unless sampling was asked for; databases are sampled.
    let rows = match asked_sample_rows(args) {
        Some(n) => n.to_string(),
        None => format!("files: all rows; databases: {DEFAULT_DB_SAMPLE_ROWS}"),
    };
    settings.insert("sample_rows".into(), rows);
    if let Some(shard) = args.shard {
        settings.insert("shard".into(), shard.to_string());
    }
    settings.insert(
        "rules".into(),
        cli.rules
            .as_ref()
            .map_or("built-in".into(), |p| format!("built-in + {}", p.display())),
    );
    settings
}

/// The incremental state of `--state FILE`, when asked for.
fn incremental(
    cli: &Cli,
    engine: &Engine,
    args: &ScanArgs,
    targets: &[Target],
) -> anyhow::Result<Option<Incremental>> {
    let Some(path) = &args.state else {
        return Ok(None);
    };
    let read = ScanState::load(path)
        .with_context(|| format!("reading the state file {}", path.display()))?;
    let stamp = state_stamp(cli, engine, args, targets)?;
    Ok(Some(Incremental::new(read, stamp, args.verify)))
}

/// Runs a scan of paths, databases or the manifest's sources, and writes every output
/// file asked for (--out, --notice, --history, --state, --findings); printing is left to
/// the caller.
pub fn execute(cli: &Cli, engine: &Engine, args: &ScanArgs) -> anyhow::Result<Scanned> {
    let threads = resolve_threads(args.threads);
    start_pool(threads)?;
    let fail_on = parse_fail_on(&args.fail_on).map_err(UsageError)?;
    let manifest = match &args.config {
        Some(path) => Some(super::load_manifest(engine, path)?),
        None => None,
    };
    let manifest_dir = super::manifest_dir(args.config.as_deref());
    let with_dir = manifest.as_ref().map(|m| (m, manifest_dir.as_path()));
    let config = scan_config(cli, engine, args, with_dir, threads)?;
    let mut incremental = incremental(cli, engine, args, &config.targets)?;
    let findings = open_findings(args)?;
    let progress = ProgressBar::new(cli.quiet);
    let outputs = Outputs {
        findings: findings.as_ref(),
        progress: &progress,
    };
    let mut inventory =
        piimap::scan::run(engine, &config, incremental.as_mut(), &outputs).map_err(usage)?;
    let mut violations = Vec::new();
    if let Some(m) = &manifest {
        let today = inventory.scan.started_at[..10].to_string();
        let (map, found) = super::assess(engine, m, &inventory, &today)?;
        violations = found;
        inventory.data_map = Some(map);
    }
    write_scan_files(args, engine, manifest.as_ref(), &inventory, &violations)?;
    if let (Some(path), Some(inc)) = (&args.state, incremental) {
        inc.into_state()
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

/// The findings file of `--findings FILE` in its `--findings-format`, when asked for.
fn open_findings(args: &ScanArgs) -> anyhow::Result<Option<FindingsWriter>> {
    args.findings
        .as_ref()
        .map(|path| {
            FindingsWriter::create(path, args.findings_format.into())
                .with_context(|| format!("creating {}", path.display()))
        })
        .transpose()
}

/// `--out` (inventory files, and the disclosures with `--notice`) and `--history`.
fn write_scan_files(
    args: &ScanArgs,
    engine: &Engine,
    manifest: Option<&Manifest>,
    inventory: &Inventory,
    violations: &[piimap::policy::Violation],
) -> anyhow::Result<()> {
    if let Some(dir) = &args.out {
        write_outputs(dir, inventory, violations)?;
        if let (true, Some(m)) = (args.notice, manifest) {
            let knowledge = super::Knowledge::load()?;
            let langs = super::notice_languages(&args.lang, Some(m), None)?;
            let warnings = piimap::notice::write_all(
                inventory,
                m,
                engine.taxonomy(),
                &knowledge.vocab,
                engine.catalog(),
                dir,
                None,
                &piimap::notice::today(),
                &langs,
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
            piimap::output::escape::write_json_pretty(w, inventory).map_err(std::io::Error::other)
        })
        .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Prints a scan's result on stdout: the summary table (with the incremental counts and
/// the violations), or the inventory as JSON.
fn print_scan(cli: &Cli, args: &ScanArgs, scanned: &Scanned) -> anyhow::Result<()> {
    let (inventory, violations) = (&scanned.inventory, &scanned.violations);
    let mut out = super::stdout(cli);
    match args.format {
        OutputFormat::Json => {
            piimap::output::escape::write_json_pretty(&mut out, inventory)?;
            writeln!(out)?;
        }
        OutputFormat::Table => {
            out.write_all(piimap::output::summary_table(inventory).as_bytes())?;
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
        piimap::output::escape::write_json_pretty(&mut *w, inventory)
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
        w.write_all(piimap::output::markdown::inventory_markdown(inventory, violations).as_bytes())
    })
    .with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(dir = %dir.display(), "inventory written");
    Ok(())
}

/// The terminal's progress bar over a tree's bytes: only on a terminal, never with -q.
struct ProgressBar {
    quiet: bool,
    bar: std::sync::Mutex<Option<indicatif::ProgressBar>>,
    done: AtomicU64,
    total: AtomicU64,
}

impl ProgressBar {
    fn new(quiet: bool) -> Self {
        ProgressBar {
            quiet,
            bar: std::sync::Mutex::new(None),
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
        }
    }

    fn bar(&self) -> Option<indicatif::ProgressBar> {
        self.bar.lock().ok().and_then(|b| b.clone())
    }
}

impl Progress for ProgressBar {
    fn start(&self, files: u64, bytes: u64) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(files, Ordering::Relaxed);
        if self.quiet || !std::io::stderr().is_terminal() || files == 0 {
            return;
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
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(pb);
        }
    }

    fn file_done(&self, entry: &FileEntry) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(pb) = self.bar() {
            pb.inc(entry.size);
            pb.set_message(format!(
                "{done}/{} files",
                self.total.load(Ordering::Relaxed)
            ));
        }
        tracing::debug!(path = %entry.path.display(), bytes = entry.size, "scanned");
    }

    fn finish(&self) {
        if let Some(pb) = self.bar.lock().ok().and_then(|mut b| b.take()) {
            pb.finish_and_clear();
        }
    }
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
    let findings = open_findings(args)?;
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
        OutputFormat::Json => {
            piimap::output::escape::write_json_pretty(
                &mut out,
                &json!({ "findings": rows, "summary": by_type }),
            )?;
            writeln!(out)?;
        }
        OutputFormat::Table => {
            writeln!(
                out,
                "{:<10} {:>6}  {:<20} {:<26} {:>5}  VALUE (masked)",
                "ASSET", "LINE", "DATA TYPE", "RULE", "CONF"
            )?;
            for r in &rows {
                writeln!(
                    out,
                    "{:<10} {:>6}  {:<20} {:<26} {:>5}  {}",
                    piimap::output::escape::fit(r["asset"].as_str().unwrap_or_default(), 10),
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
        OutputFormat::Json => {
            piimap::output::escape::write_json_pretty(&mut out, &inventory)?;
            writeln!(out)?;
        }
        OutputFormat::Table => {
            out.write_all(piimap::output::summary_table(&inventory).as_bytes())?
        }
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
