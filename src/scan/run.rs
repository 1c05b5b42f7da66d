//! A whole scan as one library call: targets in, [`Inventory`] out.
//!
//! [`run`] walks each planned target, carries unchanged assets forward
//! ([`Incremental`]), reads the rest through the sources and the classify stage, and
//! assembles the inventory. It prints nothing and writes only the findings file it is
//! handed: the binary decides what to show and which files to write.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::db::{redact_url, scan_database_incremental, DbOptions};
use super::findings::FindingsWriter;
use super::incremental::{split_unchanged, AssetId, Incremental};
use super::plan::{Target, TargetKind};
use super::shard::Shard;
use super::{walk_reports, FileScanner, ScanOptions};
use crate::detect::Engine;
use crate::error::ConfigError;
use crate::inventory::{now_rfc3339, AssetReport, Inventory, ScanInfo};
use crate::source::walk::{walk, FileEntry, WalkOptions};

/// Everything a scan needs to know, resolved from the flags and the manifest.
#[derive(Clone, Debug)]
pub struct ScanConfig {
    /// What to read.
    pub targets: Vec<Target>,
    /// Worker threads (the global rayon pool is sized by the caller).
    pub threads: usize,
    /// Include hidden files and directories.
    pub hidden: bool,
    /// Do not honour `.gitignore`/`.ignore` files.
    pub no_ignore: bool,
    /// Follow symbolic links.
    pub follow_links: bool,
    /// Skip files larger than this many bytes.
    pub max_filesize: Option<u64>,
    /// Read every row of every table, databases included.
    pub full: bool,
    /// Seed of the row samples.
    pub seed: u64,
    /// Longest line or value scanned.
    pub line_cap: usize,
    /// Tables of one database read at once.
    pub db_concurrency: usize,
    /// Scan views too.
    pub views: bool,
    /// Longest database statement.
    pub statement_timeout: Duration,
    /// Only the assets this shard owns.
    pub shard: Option<Shard>,
    /// The settings recorded in the inventory.
    pub settings: BTreeMap<String, String>,
    /// The manifest's path, recorded in the inventory.
    pub manifest: Option<String>,
}

/// Told about progress through the file trees (a progress bar, a log line).
pub trait Progress: Sync {
    /// A tree's files are about to be read.
    fn start(&self, _files: u64, _bytes: u64) {}
    /// One file is done.
    fn file_done(&self, _entry: &FileEntry) {}
    /// The tree is done.
    fn finish(&self) {}
}

/// No progress reporting.
pub struct Quiet;

impl Progress for Quiet {}

/// Where a scan's side outputs go while it runs.
pub struct Outputs<'a> {
    /// The findings file (`--findings`), when asked for.
    pub findings: Option<&'a FindingsWriter>,
    /// Progress through the file trees.
    pub progress: &'a dyn Progress,
}

/// What every target of one scan is read with: the engine, the settings, the target
/// itself and where the findings and progress go.
pub(super) struct TargetPass<'a> {
    pub engine: &'a Engine,
    pub config: &'a ScanConfig,
    pub target: &'a Target,
    pub outputs: &'a Outputs<'a>,
}

/// Runs a whole scan. Assets that fail are reported in the inventory and the scan goes
/// on; only a tree that cannot be walked at all (a bad glob) is an error.
pub fn run(
    engine: &Engine,
    config: &ScanConfig,
    mut incremental: Option<&mut Incremental>,
    outputs: &Outputs,
) -> Result<Inventory, ConfigError> {
    let started = Instant::now();
    let started_at = now_rfc3339();
    let mut assets = Vec::new();
    let mut bytes = 0u64;
    for target in &config.targets {
        let pass = TargetPass {
            engine,
            config,
            target,
            outputs,
        };
        let inc = incremental.as_deref_mut();
        let mut produced = match &target.kind {
            TargetKind::Paths(roots) => {
                let (reports, read) = scan_tree(&pass, roots, inc)?;
                bytes += read;
                reports
            }
            TargetKind::Objects(url) => {
                let (reports, read) = super::object::scan_objects(&pass, url, inc)?;
                bytes += read;
                reports
            }
            TargetKind::Db(url) => scan_db(&pass, url, inc),
        };
        if target.source.is_some() {
            for r in &mut produced {
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
    let (rescanned, carried) = incremental.map(|i| i.lines()).unwrap_or_default();
    let info = ScanInfo {
        roots: config.targets.iter().flat_map(Target::roots).collect(),
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        bytes,
        settings: config.settings.clone(),
        rescanned,
        carried,
        manifest: config.manifest.clone(),
        ..ScanInfo::default()
    };
    Ok(Inventory::new(info, assets))
}

/// One file tree: walked, sharded, unchanged files carried forward, the rest read in
/// parallel. Returns the reports and the bytes read.
fn scan_tree(
    pass: &TargetPass,
    roots: &[std::path::PathBuf],
    mut incremental: Option<&mut Incremental>,
) -> Result<(Vec<AssetReport>, u64), ConfigError> {
    let walk_opts = WalkOptions {
        hidden: pass.config.hidden,
        no_ignore: pass.config.no_ignore,
        follow_links: pass.config.follow_links,
        include: pass.target.include.clone(),
        exclude: pass.target.exclude.clone(),
        max_filesize: pass.config.max_filesize,
        threads: pass.config.threads,
    };
    let mut walked = walk(roots, &walk_opts).map_err(ConfigError::Usage)?;
    if let Some(shard) = pass.config.shard {
        let owned = |p: &Path| shard.owns(&AssetId::File(p.to_path_buf()).key());
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
    let mut out = Vec::new();
    let to_scan = split_unchanged(
        walked.files,
        incremental.as_deref_mut(),
        &mut out,
        |f| (AssetId::File(f.path.clone()), f.path.display().to_string()),
        |f, inc| inc.fingerprint(&f.path),
    );
    let scanner = FileScanner::new(
        pass.engine,
        file_options(pass.target, pass.config),
        pass.outputs.findings,
    );
    let files: Vec<FileEntry> = to_scan.iter().map(|(f, _, _)| f.clone()).collect();
    pass.outputs
        .progress
        .start(files.len() as u64, files.iter().map(|f| f.size).sum());
    let scanned = scanner.scan_all(&files, &|entry| pass.outputs.progress.file_done(entry));
    pass.outputs.progress.finish();
    if let Some(inc) = incremental {
        // Remember what each file produced (a SQLite file gives several reports): one
        // lookup per report, not a pass over every report per file.
        let keys: Vec<String> = to_scan.iter().map(|(_, id, _)| id.key()).collect();
        let owned = reports_by_file(&scanned, keys.iter());
        for ((_, id, fp), key) in to_scan.into_iter().zip(&keys) {
            let mine = owned
                .get(key.as_str())
                .map(|rs| rs.iter().map(|r| (*r).clone()).collect())
                .unwrap_or_default();
            inc.remember(&id, fp, mine);
        }
    }
    out.extend(scanned);
    out.extend(walk_reports(&walked.skipped, &walked.errors));
    Ok((out, scanner.bytes_done.load(Ordering::Relaxed)))
}

/// How the files (or objects) of `target` are read: its sampling (every row unless
/// `--sample-rows`), the SQLite files among them sampled as databases, lines capped.
pub(super) fn file_options(target: &Target, config: &ScanConfig) -> ScanOptions {
    ScanOptions {
        sampling: target.file_sampling(config.full, config.seed),
        db_sampling: target.db_sampling(config.full, config.seed),
        line_cap: config.line_cap,
        ..ScanOptions::default()
    }
}

/// One database: a SQLite file carried forward whole when unchanged, server tables
/// carried forward by their catalog counters, the rest read.
fn scan_db(
    pass: &TargetPass,
    url: &str,
    mut incremental: Option<&mut Incremental>,
) -> Vec<AssetReport> {
    tracing::info!(db = %redact_url(url), "scanning database");
    // A SQLite database is one file: unchanged file, unchanged tables.
    let sqlite_file = url
        .strip_prefix("sqlite:")
        .map(|p| std::path::PathBuf::from(p.trim_start_matches("//")));
    let whole = match (&sqlite_file, incremental.as_deref_mut()) {
        (Some(path), Some(inc)) => {
            let id = AssetId::Database(url.to_string());
            let fp = inc.fingerprint(path);
            if let Some(reports) = inc.carry(&id, &redact_url(url), &fp) {
                return reports;
            }
            Some((id, fp))
        }
        _ => None,
    };
    let opts = DbOptions {
        sampling: pass.target.db_sampling(pass.config.full, pass.config.seed),
        concurrency: pass.config.db_concurrency,
        include: pass.target.include.clone(),
        exclude: pass.target.exclude.clone(),
        views: pass.config.views,
        statement_timeout: pass.config.statement_timeout,
        shard: pass.config.shard,
        previous: incremental
            .as_deref()
            .map(|i| std::sync::Arc::new(i.previous().clone())),
        ..DbOptions::default()
    };
    let scanned = scan_database_incremental(pass.engine, url, &opts, pass.outputs.findings);
    if let Some(inc) = incremental {
        // Server tables: remember each table's fingerprint and report.
        for (id, fp) in &scanned.fingerprints {
            let mine = scanned
                .reports
                .iter()
                .filter(|r| r.id == *id)
                .cloned()
                .collect();
            inc.table(id, fp.clone(), mine, scanned.carried.contains(id));
        }
        if let Some((id, fp)) = whole {
            inc.remember(&id, fp, scanned.reports.clone());
        }
    }
    scanned.reports
}

/// The reports of each scanned file, by its state key (`file:PATH`): a file's own report,
/// the sheets of a workbook (`file:PATH#SHEET`) and the tables of a SQLite file
/// (`sqlite:PATH/TABLE`).
fn reports_by_file<'r, 'k>(
    reports: &'r [AssetReport],
    keys: impl Iterator<Item = &'k String>,
) -> std::collections::HashMap<&'k str, Vec<&'r AssetReport>> {
    let keys: std::collections::HashSet<&'k str> = keys.map(String::as_str).collect();
    let mut out: std::collections::HashMap<&'k str, Vec<&'r AssetReport>> =
        std::collections::HashMap::new();
    for r in reports {
        let sheet_of = || {
            r.id.match_indices('#')
                .find_map(|(i, _)| keys.get(&r.id[..i]).copied())
        };
        let owner = keys
            .get(r.id.as_str())
            .copied()
            .or_else(sheet_of)
            .or_else(|| {
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
