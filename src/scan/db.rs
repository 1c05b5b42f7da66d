//! Databases as sources: PostgreSQL (tokio-postgres) and SQLite (rusqlite, read-only).
//!
//! Each table becomes one asset (`postgres://host:port/db/schema.table`, credentials
//! never included; `sqlite:path/table`), its columns fields, classified with the same
//! engine and [`super::AssetCollector`] as files.
//!
//! PostgreSQL tables are scanned by a bounded number of worker threads
//! ([`DbOptions::concurrency`]), each with its own current-thread tokio runtime and its
//! own read-only session, taking tables from a shared queue. A table that fails
//! (permission denied, timeout) is recorded and the others go on; a connection lost
//! mid-table is re-opened and the table retried once. A database that cannot be reached
//! at all is one failed asset named by its redacted address.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::batch::{Behind, CellBatch};
use super::findings::{AssetKind, FindingRecord, FindingsBatch, FindingsWriter};
use super::AssetCollector;
use crate::detect::column::{FieldState, ScanScratch};
use crate::detect::{DetectorIdx, Engine, Scanner};
use crate::inventory::{AssetReport, FieldReport, SkippedColumn, Status};
use crate::source::csv::Sampling;
use crate::source::db::postgres::{self, Connector, PgTable, Session, SessionSettings};
use crate::source::db::sqlite;
use crate::source::db::url::{self as dburl, DbUrl, PgUrl};
use crate::source::db::{
    Column, ColumnKind, NameFilter, ReadError, TableFilter, TableRead, TableSink,
};
use crate::source::{Anomaly, FieldId, Location, RecordSink};

/// Settings for scanning databases.
#[derive(Clone, Debug)]
pub struct DbOptions {
    /// Rows per table: a deterministic sample, or every row (`full`).
    pub sampling: Sampling,
    /// Tables scanned at once per database.
    pub concurrency: usize,
    /// Only `schema.table` / `schema.table.column` matching one of these globs.
    pub include: Vec<String>,
    /// Never `schema.table` / `schema.table.column` matching these globs.
    pub exclude: Vec<String>,
    /// Also scan views and materialized views.
    pub views: bool,
    /// `statement_timeout` for every query.
    pub statement_timeout: Duration,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Only tables whose asset id falls in this shard (`--shard K/N`).
    pub shard: Option<super::shard::Shard>,
    /// The previous run's state (`--state`): PostgreSQL tables whose columns and write
    /// counters are unchanged are not read again; their reports are carried forward.
    pub previous: Option<std::sync::Arc<super::state::ScanState>>,
}

/// What a database scan produced, for incremental runs.
#[derive(Debug, Default)]
pub struct DbScan {
    /// One report per table (or one failed asset for the database).
    pub reports: Vec<AssetReport>,
    /// Fingerprint of each PostgreSQL table scanned or carried, by asset id.
    pub fingerprints: Vec<(String, String)>,
    /// Asset ids carried forward unchanged from the previous run.
    pub carried: Vec<String>,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            sampling: Sampling {
                rows: 10_000,
                full: false,
                seed: 0,
            },
            concurrency: 4,
            include: Vec::new(),
            exclude: Vec::new(),
            views: false,
            statement_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            shard: None,
            previous: None,
        }
    }
}

/// Scans every table of the database at `url` (`postgres://…`, `postgresql://…` or
/// `sqlite:PATH`). Never fails as a whole: a connection failure is one failed asset.
pub fn scan_database(
    engine: &Engine,
    url: &str,
    opts: &DbOptions,
    findings: Option<&FindingsWriter>,
) -> Vec<AssetReport> {
    scan_database_incremental(engine, url, opts, findings).reports
}

/// As [`scan_database`], also returning table fingerprints and what was carried forward
/// from `opts.previous`.
pub fn scan_database_incremental(
    engine: &Engine,
    url: &str,
    opts: &DbOptions,
    findings: Option<&FindingsWriter>,
) -> DbScan {
    match dburl::parse(url) {
        Ok(DbUrl::Postgres(pg)) => scan_postgres(engine, pg, opts, findings),
        Ok(DbUrl::Sqlite(path)) => DbScan {
            reports: scan_sqlite(engine, &path, opts, findings),
            ..DbScan::default()
        },
        Err(message) => {
            let format = if url.starts_with("sqlite:") {
                "sqlite"
            } else {
                "postgres"
            };
            DbScan {
                reports: vec![failed_database(&redact_url(url), format, "config", message)],
                ..DbScan::default()
            }
        }
    }
}

/// A table's fingerprint for incremental runs: its columns (names and types) and its
/// write counters.
fn table_fingerprint(t: &PgTable, writes: Option<i64>) -> String {
    let cols: Vec<String> = t
        .columns
        .iter()
        .map(|c| format!("{}:{}", c.name, c.type_name))
        .collect();
    let hash = super::shard::stable_hash(&cols.join("\u{1f}"));
    format!(
        "columns={hash:016x};writes={}",
        writes.map_or_else(|| "unknown".to_string(), |w| w.to_string())
    )
}

/// Scans a SQLite database file found by the file walker.
pub fn scan_sqlite_file(
    engine: &Engine,
    path: &Path,
    opts: &DbOptions,
    findings: Option<&FindingsWriter>,
) -> Vec<AssetReport> {
    scan_sqlite(engine, path, opts, findings)
}

/// A database URL with any password (and user info) removed, for logs and reports.
pub fn redact_url(url: &str) -> String {
    dburl::redact(url)
}

/// One failed asset standing for a whole database.
fn failed_database(id: &str, format: &str, kind: &str, message: String) -> AssetReport {
    let mut r = AssetReport::new(id.to_string(), id.to_string(), "database", format);
    r.fail(kind, message, false);
    r
}

/// Field ids of columns classified with their comment as extra name evidence.
const HINTED: FieldId = 1 << 31;

/// The [`AssetCollector`] of one table, plus the columns whose comment adds name
/// evidence: those are tallied with the hint text `"{column} {comment}"` but reported
/// (and written to the findings file) under the column name.
struct TableCollector<'e> {
    /// `None` while the helper thread holds it.
    inner: Option<AssetCollector<'e>>,
    engine: &'e Engine,
    asset: String,
    keep: bool,
    hinted: Vec<(String, FieldState)>,
    scanner: Option<Scanner<'e>>,
    scratch: ScanScratch,
    /// Findings of hinted columns, until the findings file is at hand.
    pending: FindingsBatch,
    /// Cells waiting to be classified (see [`super::batch`]).
    batch: CellBatch,
    /// The helper thread classifying batches behind the reader, if any.
    behind: Option<Behind<'e>>,
    /// Rows read and anomalies met since the collector was last at hand.
    rows_pending: u64,
    anomalies_pending: Vec<(Anomaly, Location)>,
    /// Field ids already interned by the collector: a JSON column names its keys on
    /// every row, and asking the collector would wait for the helper each time.
    known_fields: std::collections::HashMap<String, FieldId, foldhash::fast::RandomState>,
}

impl<'e> TableCollector<'e> {
    fn new(engine: &'e Engine, asset: &str, keep: bool) -> Self {
        TableCollector {
            inner: Some(AssetCollector::new(engine, asset, keep).for_table()),
            engine,
            asset: asset.to_string(),
            keep,
            hinted: Vec::new(),
            scanner: None,
            scratch: ScanScratch::default(),
            pending: FindingsBatch::default(),
            batch: CellBatch::default(),
            behind: None,
            rows_pending: 0,
            anomalies_pending: Vec::new(),
            known_fields: Default::default(),
        }
    }

    /// Classifies full batches on a helper thread of `scope` from now on.
    fn classify_behind<'scope>(&mut self, scope: &'scope std::thread::Scope<'scope, '_>)
    where
        'e: 'scope,
    {
        self.behind = Some(Behind::start(scope));
    }

    /// The collector, once the batches handed over (if any) are classified.
    fn collector(&mut self) -> &mut AssetCollector<'e> {
        if self.inner.is_none() {
            let collector = self
                .behind
                .as_mut()
                .and_then(Behind::take_back)
                .expect("the thread classifying a batch panicked");
            self.inner = Some(collector);
        }
        let inner = self.inner.as_mut().expect("collector at hand");
        if self.rows_pending > 0 {
            RecordSink::rows(inner, std::mem::take(&mut self.rows_pending));
        }
        for (kind, at) in self.anomalies_pending.drain(..) {
            inner.anomaly(kind, at);
        }
        inner
    }

    /// Classifies the gathered cells: handed to the helper when there is one, else here.
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        if let Some(behind) = self.behind.as_mut() {
            if let Some(inner) = self.inner.take() {
                if let Err(inner) = behind.hand_over(inner) {
                    self.inner = Some(*inner);
                }
            }
            if self.inner.is_none() {
                let full = std::mem::take(&mut self.batch);
                match behind.send(full) {
                    Ok(empty) => {
                        self.batch = empty;
                        return;
                    }
                    // The helper is gone (it can only have panicked): classify here.
                    Err(full) => self.batch = full,
                }
            }
        }
        let mut batch = std::mem::take(&mut self.batch);
        batch.classify_into(self.collector());
        self.batch = batch;
    }

    fn drain_findings(&mut self, writer: &FindingsWriter) {
        self.flush();
        self.collector().drain_findings(writer);
        writer.write_batch(&mut self.pending);
    }

    fn finish_into(mut self, report: &mut AssetReport) {
        self.flush();
        self.collector();
        let inner = self.inner.take().expect("collector at hand");
        inner.finish_into(report);
        for (name, state) in &self.hinted {
            let r = state.report(self.engine);
            if let Some(n) = report.stats.values_read.as_mut() {
                *n += r.values_checked;
            }
            if !r.verdicts.is_empty() {
                report.fields.push(FieldReport {
                    field: Some(name.clone()),
                    values_checked: r.values_checked,
                    types: r.verdicts,
                });
            }
        }
        report.fields.sort_by(|a, b| a.field.cmp(&b.field));
    }
}

impl TableSink for TableCollector<'_> {
    fn field_with_hint(&mut self, name: &str, hint: &str) -> FieldId {
        let plain = self.engine.field_context(name);
        let hint_name = format!("{name} {hint}");
        let both = self.engine.field_context(&hint_name);
        let same = (0..self.engine.detectors().len())
            .all(|d| plain.status(d as DetectorIdx) == both.status(d as DetectorIdx));
        if same {
            return RecordSink::field(self, name);
        }
        if let Some(i) = self.hinted.iter().position(|(n, _)| n == name) {
            return HINTED | i as FieldId;
        }
        self.hinted
            .push((name.to_string(), FieldState::new(self.engine, &hint_name)));
        HINTED | (self.hinted.len() - 1) as FieldId
    }
}

impl RecordSink for TableCollector<'_> {
    fn field(&mut self, name: &str) -> FieldId {
        if let Some(&id) = self.known_fields.get(name) {
            return id;
        }
        let id = self.collector().field(name);
        self.known_fields.insert(name.to_string(), id);
        id
    }

    fn cell(&mut self, field: FieldId, value: &[u8], at: Location) {
        if field & HINTED == 0 {
            self.batch.push(field, value, at);
            if self.batch.is_full() {
                self.flush();
            }
            return;
        }
        let engine = self.engine;
        let scanner = self.scanner.get_or_insert_with(|| engine.scanner());
        let (name, state) = &mut self.hinted[(field & !HINTED) as usize];
        state.observe(scanner, value, &mut self.scratch);
        if self.keep {
            for f in &self.scratch.findings {
                let masked = f.masked(value);
                let spec = &engine.detector(f.detector).spec;
                self.pending.push(&FindingRecord {
                    asset: &self.asset,
                    asset_kind: AssetKind::Table,
                    field: Some(name),
                    line: at.line,
                    column: None,
                    row: at.row,
                    data_type: engine.data_type(f.detector),
                    rule: &spec.id,
                    rule_description: &spec.description,
                    confidence: crate::detect::finding::round2(f.confidence),
                    masked: masked.as_str(),
                });
            }
        }
    }

    fn text(&mut self, text: &[u8], first_line: u64) {
        self.flush();
        self.collector().text(text, first_line);
    }

    fn rows(&mut self, n: u64) {
        // Counted here: the collector may be on the helper thread.
        self.rows_pending += n;
    }

    fn anomaly(&mut self, kind: Anomaly, at: Location) {
        // Counted when the collector is next at hand: it may be on the helper thread.
        self.anomalies_pending.push((kind, at));
        if self.anomalies_pending.len() >= 4096 {
            self.collector(); // bounded: fetch it now and count them
        }
    }
}

/// The columns of a table to examine, and the skipped ones with their reason.
struct ColumnPlan<'t> {
    examined: Vec<&'t Column>,
    skipped: Vec<SkippedColumn>,
}

fn plan_columns<'t>(
    columns: &'t [Column],
    filter: &NameFilter,
    names: &[&str],
    whole: bool,
) -> ColumnPlan<'t> {
    let mut plan = ColumnPlan {
        examined: Vec::new(),
        skipped: Vec::new(),
    };
    for c in columns {
        if !filter.column(names, whole, &c.name) {
            plan.skipped.push(SkippedColumn {
                column: c.name.clone(),
                reason: "excluded by --include/--exclude".into(),
            });
            continue;
        }
        match &c.kind {
            ColumnKind::Skip(reason) => plan.skipped.push(SkippedColumn {
                column: c.name.clone(),
                reason: reason.clone(),
            }),
            _ => plan.examined.push(c),
        }
    }
    plan
}

/// Builds a table's report from its read and collector.
fn table_report(
    id: String,
    format: &str,
    started: Instant,
    read: Result<TableRead, ReadError>,
    mut collector: TableCollector<'_>,
    skipped: Vec<SkippedColumn>,
    findings: Option<&FindingsWriter>,
) -> AssetReport {
    let mut report = AssetReport::new(id.clone(), id, "table", format);
    if let Some(w) = findings {
        collector.drain_findings(w);
    }
    collector.finish_into(&mut report);
    match read {
        Ok(r) => {
            report.stats.rows = r.rows_total;
            report.stats.rows_scanned = r.rows_scanned;
            report.stats.sampling = r.method;
        }
        Err(e) => {
            report.stats.rows_scanned = e.rows_scanned;
            report.stats.sampling = if e.rows_scanned > 0 {
                format!("interrupted after {} rows", e.rows_scanned)
            } else {
                "not read".into()
            };
            report.fail(e.kind, e.message, e.rows_scanned > 0);
            if report.status == Status::Failed {
                // Nothing was read: the asset must not look classified.
                report.fields.clear();
            }
        }
    }
    report.stats.skipped_columns = skipped;
    report.stats.duration_ms = started.elapsed().as_millis() as u64;
    report
}

fn warn_invalid(filter: &NameFilter) {
    for p in &filter.invalid {
        tracing::warn!(pattern = %p, "not a valid glob for database tables; ignored");
    }
}

// ---------------------------------------------------------------------------------------
// PostgreSQL

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

struct PgJob {
    table: PgTable,
    whole: bool,
}

struct PgScan<'a> {
    engine: &'a Engine,
    connector: &'a Connector,
    opts: &'a DbOptions,
    filter: &'a NameFilter,
    findings: Option<&'a FindingsWriter>,
    address: String,
    reply: Duration,
}

impl PgScan<'_> {
    /// Scans one table; its batches are classified on a helper thread while the next
    /// rows arrive.
    fn scan_table(
        &self,
        rt: &tokio::runtime::Runtime,
        session: &mut Option<Session>,
        job: &PgJob,
    ) -> AssetReport {
        std::thread::scope(|scope| self.scan_table_in(scope, rt, session, job))
    }

    fn scan_table_in<'scope>(
        &'scope self,
        scope: &'scope std::thread::Scope<'scope, '_>,
        rt: &tokio::runtime::Runtime,
        session: &mut Option<Session>,
        job: &PgJob,
    ) -> AssetReport {
        let started = Instant::now();
        let t = &job.table;
        let qualified = t.qualified();
        let id = format!("{}/{qualified}", self.address);
        let names = [qualified.as_str()];
        let plan = plan_columns(&t.columns, self.filter, &names, job.whole);
        let mut retried = false;
        loop {
            let mut collector = TableCollector::new(self.engine, &id, self.findings.is_some());
            collector.classify_behind(scope);
            if session.as_ref().is_none_or(|s| s.client.is_closed()) {
                match rt.block_on(self.connector.connect()) {
                    Ok(s) => *session = Some(s),
                    Err(message) => {
                        let err = ReadError {
                            kind: "connection",
                            message,
                            connection_lost: true,
                            rows_scanned: 0,
                        };
                        return table_report(
                            id,
                            "postgres",
                            started,
                            Err(err),
                            collector,
                            plan.skipped,
                            self.findings,
                        );
                    }
                }
            }
            let s = session.as_mut().expect("connected");
            let read = rt.block_on(postgres::read_table(
                s,
                t,
                &plan.examined,
                self.opts.sampling,
                &mut collector,
                self.reply,
            ));
            match read {
                Err(e) if e.connection_lost => {
                    *session = None;
                    if e.kind == "connection" && !retried {
                        tracing::warn!(table = %id, "connection lost; reconnecting and retrying the table once");
                        retried = true;
                        continue;
                    }
                    let mut e = e;
                    if retried {
                        e.message.push_str(" (after one retry)");
                    }
                    return table_report(
                        id,
                        "postgres",
                        started,
                        Err(e),
                        collector,
                        plan.skipped,
                        self.findings,
                    );
                }
                read => {
                    if let Ok(r) = &read {
                        tracing::debug!(table = %id, rows = r.rows_scanned, ms = started.elapsed().as_millis() as u64, method = %r.method, "table scanned");
                    }
                    return table_report(
                        id,
                        "postgres",
                        started,
                        read,
                        collector,
                        plan.skipped,
                        self.findings,
                    );
                }
            }
        }
    }
}

fn scan_postgres(
    engine: &Engine,
    pg: PgUrl,
    opts: &DbOptions,
    findings: Option<&FindingsWriter>,
) -> DbScan {
    let failed = |r: AssetReport| DbScan {
        reports: vec![r],
        ..DbScan::default()
    };
    let address = pg.address();
    let settings = SessionSettings {
        statement_timeout: opts.statement_timeout,
        connect_timeout: opts.connect_timeout,
    };
    let reply = settings.reply_timeout();
    let connector = match Connector::new(pg, settings) {
        Ok(c) => c,
        Err(m) => return failed(failed_database(&address, "postgres", "tls", m)),
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            return failed(failed_database(
                &address,
                "postgres",
                "io",
                format!("cannot start the async runtime: {e}"),
            ))
        }
    };
    let session = match rt.block_on(connector.connect()) {
        Ok(s) => s,
        Err(m) => return failed(failed_database(&address, "postgres", "connect", m)),
    };
    tracing::info!(db = %address, tls = session.tls, server_version = session.server_version, "connected");
    let tables = match rt.block_on(postgres::discover(&session, opts.views, reply)) {
        Ok(t) => t,
        Err(e) => {
            return failed(failed_database(
                &address,
                "postgres",
                e.kind,
                format!("cannot read the catalog of {address}: {}", e.message),
            ))
        }
    };
    let filter = NameFilter::new(&opts.include, &opts.exclude);
    warn_invalid(&filter);
    let jobs: Vec<PgJob> = tables
        .into_iter()
        .filter_map(|t| {
            let q = t.qualified();
            let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
            match filter.table(&[q.as_str()], &cols) {
                TableFilter::Excluded => None,
                TableFilter::Included { whole } => Some(PgJob { table: t, whole }),
            }
        })
        .collect();
    // Sharding and incremental runs: keep only this shard's tables, and carry forward
    // the tables whose columns and write counters did not change since the last run.
    let mut out = DbScan::default();
    let mut jobs: Vec<PgJob> = jobs
        .into_iter()
        .filter(|j| {
            opts.shard
                .is_none_or(|sh| sh.owns(&format!("{address}/{}", j.table.qualified())))
        })
        .collect();
    if opts.previous.is_some() {
        let counters = rt
            .block_on(postgres::write_counters(&session, reply))
            .unwrap_or_default();
        let previous = opts.previous.as_deref();
        jobs.retain(|j| {
            let id = format!("{address}/{}", j.table.qualified());
            let fp = table_fingerprint(&j.table, counters.get(&j.table.oid).copied());
            let unchanged = counters.contains_key(&j.table.oid) && j.table.relkind != 'v';
            let carried = previous
                .and_then(|p| p.unchanged(&id, &fp))
                .filter(|_| unchanged);
            out.fingerprints.push((id.clone(), fp));
            match carried {
                Some(reports) => {
                    out.reports.extend(reports.iter().cloned());
                    out.carried.push(id);
                    false
                }
                None => true,
            }
        });
    }
    tracing::info!(db = %address, tables = jobs.len(), carried = out.carried.len(), "tables to scan");
    if jobs.is_empty() {
        return out;
    }
    let scan = PgScan {
        engine,
        connector: &connector,
        opts,
        filter: &filter,
        findings,
        address,
        reply,
    };
    let workers = opts.concurrency.max(1).min(jobs.len());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<AssetReport>> = Mutex::new(Vec::with_capacity(jobs.len()));
    let work = |rt: &tokio::runtime::Runtime, mut session: Option<Session>| loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = jobs.get(i) else { break };
        let report = scan.scan_table(rt, &mut session, job);
        results
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(report);
    };
    std::thread::scope(|s| {
        for _ in 1..workers {
            s.spawn(|| {
                // Each extra worker opens its own session; if it cannot, the others
                // (at least the first, already connected) carry on.
                let Ok(rt) = runtime() else { return };
                match rt.block_on(scan.connector.connect()) {
                    Ok(session) => work(&rt, Some(session)),
                    Err(m) => tracing::warn!("an extra database worker could not connect: {m}"),
                }
            });
        }
        work(&rt, Some(session));
    });
    out.reports
        .extend(results.into_inner().unwrap_or_else(|p| p.into_inner()));
    out
}

// ---------------------------------------------------------------------------------------
// SQLite

fn scan_sqlite(
    engine: &Engine,
    path: &Path,
    opts: &DbOptions,
    findings: Option<&FindingsWriter>,
) -> Vec<AssetReport> {
    let base = format!("sqlite:{}", path.display());
    let conn = match sqlite::open(path) {
        Ok(c) => c,
        Err(m) => return vec![failed_database(&base, "sqlite", "io", m)],
    };
    let tables = match sqlite::discover(&conn, opts.views) {
        Ok(t) => t,
        Err(m) => return vec![failed_database(&base, "sqlite", "catalog", m)],
    };
    let filter = NameFilter::new(&opts.include, &opts.exclude);
    warn_invalid(&filter);
    let mut reports = Vec::with_capacity(tables.len());
    for t in &tables {
        let main = format!("main.{}", t.name);
        let names = [t.name.as_str(), main.as_str()];
        let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        let whole = match filter.table(&names, &cols) {
            TableFilter::Excluded => continue,
            TableFilter::Included { whole } => whole,
        };
        let id = format!("{base}/{}", t.name);
        if opts.shard.is_some_and(|sh| !sh.owns(&id)) {
            continue;
        }
        let started = Instant::now();
        let mut plan = plan_columns(&t.columns, &filter, &names, whole);
        let mut collector = TableCollector::new(engine, &id, findings.is_some());
        let read = sqlite::read_table(&conn, t, &plan.examined, opts.sampling, &mut collector);
        let read = read.map(|r| {
            for (c, &n) in plan.examined.iter().zip(&r.blob_values) {
                if n > 0 {
                    plan.skipped.push(SkippedColumn {
                        column: c.name.clone(),
                        reason: format!(
                            "{n} BLOB value(s) not examined (the column's other values were)"
                        ),
                    });
                }
            }
            r.read
        });
        reports.push(table_report(
            id,
            "sqlite",
            started,
            read,
            collector,
            plan.skipped,
            findings,
        ));
    }
    reports
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Row `row` of a three-column table: emails (unique), a status (five values) and
    /// notes with a phone number now and then.
    fn row(row: u64) -> [String; 3] {
        [
            format!("user{row}@example.com"),
            ["paid", "pending", "shipped", "delivered", "cancelled"][row as usize % 5].into(),
            if row % 7 == 0 {
                format!("call me at (415) 555-{:04}", row % 10_000)
            } else {
                "leave at the door".into()
            },
        ]
    }

    fn fields_json(report: &AssetReport) -> String {
        serde_json::to_string(&report.fields).unwrap()
    }

    /// Feeds `rows` rows of [`row`] to `sink`. Halfway, a column appears (a JSON key
    /// first seen there): behind the reader, the collector is taken back from the
    /// helper with batches still in flight, then handed over again.
    fn feed(sink: &mut dyn RecordSink, rows: u64) {
        let ids: Vec<FieldId> = ["email", "status", "notes"]
            .iter()
            .map(|n| sink.field(n))
            .collect();
        for r in 0..rows {
            for (id, v) in ids.iter().zip(row(r)) {
                sink.cell(*id, v.as_bytes(), Location::default());
            }
            if r >= rows / 2 {
                let id = sink.field("client_ip");
                let ip = format!("10.0.{}.{}", r % 200, r % 250 + 1);
                sink.cell(id, ip.as_bytes(), Location::default());
            }
            sink.rows(1);
        }
    }

    #[test]
    fn batches_classified_behind_the_reader_tally_as_cell_by_cell() {
        let engine = Engine::with_rules(None).unwrap();
        // 70,000 cells: more than one batch, each field cut into lanes.
        let rows = 20_000u64;

        let mut one_by_one = AssetCollector::new(&engine, "t", false);
        feed(&mut one_by_one, rows);
        let mut want = AssetReport::new("t".into(), "t".into(), "table", "postgres");
        one_by_one.finish_into(&mut want);

        let got = std::thread::scope(|scope| {
            let mut table = TableCollector::new(&engine, "t", false);
            table.classify_behind(scope);
            feed(&mut table, rows);
            let mut got = AssetReport::new("t".into(), "t".into(), "table", "postgres");
            table.finish_into(&mut got);
            got
        });
        assert_eq!(got.stats.rows, rows);
        for column in ["\"email\"", "\"client_ip\""] {
            assert!(
                fields_json(&want).contains(column),
                "{}",
                fields_json(&want)
            );
        }
        assert_eq!(fields_json(&got), fields_json(&want));
    }
}
