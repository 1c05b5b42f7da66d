//! The one table driver: every kind of database behind [`crate::source::db::Database`]
//! (PostgreSQL, SQLite, …) is scanned here, the same way.
//!
//! Each table becomes one asset (`postgres://host:port/db/schema.table`, credentials
//! never included; `sqlite:path/table`), its columns fields, classified with the same
//! engine and [`super::AssetCollector`] as files. The driver applies, once for every
//! kind: the `--include` / `--exclude` globs, the `--shard`, the incremental
//! carry-forward of unchanged tables (by the database's [`Fingerprint`]s), and the
//! concurrency.
//!
//! Tables are scanned by a bounded number of worker threads
//! ([`DbOptions::concurrency`]), each with its own read-only session, taking tables
//! from a shared queue; a table's batches are classified on a helper thread while the
//! next rows arrive. A table that fails (permission denied, timeout) is recorded and the
//! others go on; a connection lost mid-table is re-opened and the table retried once. A
//! database that cannot be reached at all is one failed asset named by its redacted
//! address.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::batch::BatchedCollector;
use super::findings::FindingsWriter;
use super::AssetCollector;
use crate::detect::Engine;
use crate::inventory::{AssetReport, SkippedColumn, Status};
use crate::source::db::sqlite::Sqlite;
use crate::source::db::url as dburl;
use crate::source::db::{
    self, Column, ColumnKind, Database, Fingerprint, Limits, NameFilter, ReadError, Session, Table,
    TableFilter, TableRead, TableRequest,
};
use crate::source::Sampling;

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
    /// The previous run's state (`--state`): tables whose fingerprint (PostgreSQL:
    /// columns and write counters) is unchanged are not read again; their reports are
    /// carried forward.
    pub previous: Option<std::sync::Arc<super::state::ScanState>>,
}

/// What a database scan produced, for incremental runs.
#[derive(Debug, Default)]
pub struct DbScan {
    /// One report per table (or one failed asset for the database).
    pub reports: Vec<AssetReport>,
    /// Fingerprint of each table scanned or carried, by asset id (for the kinds of
    /// database that fingerprint tables).
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

impl DbOptions {
    fn limits(&self) -> Limits {
        Limits {
            statement_timeout: self.statement_timeout,
            connect_timeout: self.connect_timeout,
        }
    }
}

/// Scans every table of the database at `url` (any scheme of
/// [`crate::source::db::KINDS`]). Never fails as a whole: a connection failure is one
/// failed asset.
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
    match db::open(url, opts.limits()) {
        Ok(database) => scan_with(engine, database.as_ref(), opts, findings),
        Err((format, e)) => DbScan {
            reports: vec![failed_database(
                &redact_url(url),
                &format,
                e.kind,
                e.message,
            )],
            ..DbScan::default()
        },
    }
}

/// Scans a SQLite database file found by the file walker.
pub fn scan_sqlite_file(
    engine: &Engine,
    path: &Path,
    opts: &DbOptions,
    findings: Option<&FindingsWriter>,
) -> Vec<AssetReport> {
    scan_with(engine, &Sqlite::new(path), opts, findings).reports
}

/// A database URL with any password (and user info) removed, for logs and reports.
pub fn redact_url(url: &str) -> String {
    dburl::redact(url)
}

/// One failed asset standing for a whole database.
fn failed_database(id: &str, format: &str, kind: &str, message: String) -> AssetReport {
    let mut r = AssetReport::new(
        id.to_string(),
        id.to_string(),
        crate::inventory::AssetKind::Database,
        format,
    );
    r.fail(kind, message, false);
    r
}

/// A table's collector: its cells classified in batches (see [`super::batch`]).
type TableCollector<'e> = BatchedCollector<'e>;

/// A table to scan, and whether all its columns are (or only included ones).
struct Job {
    table: Table,
    whole: bool,
}

/// Scans every table of `database`: filters, shard, incremental carry-forward and
/// concurrency, the same for every kind of database.
pub fn scan_with(
    engine: &Engine,
    database: &dyn Database,
    opts: &DbOptions,
    findings: Option<&FindingsWriter>,
) -> DbScan {
    let address = database.address();
    let format = database.format();
    let failed = |e: ReadError| DbScan {
        reports: vec![failed_database(&address, format, e.kind, e.message)],
        ..DbScan::default()
    };
    let mut session = match database.connect() {
        Ok(s) => s,
        Err(e) => return failed(e),
    };
    tracing::info!(db = %address, "connected");
    let tables = match session.discover(opts.views) {
        Ok(t) => t,
        Err(e) => return failed(e),
    };
    let filter = NameFilter::new(&opts.include, &opts.exclude);
    warn_invalid(&filter);
    let mut jobs: Vec<Job> = tables
        .into_iter()
        .filter_map(|t| {
            let names: Vec<&str> = t.aliases.iter().map(String::as_str).collect();
            let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
            match filter.table(&names, &cols) {
                TableFilter::Excluded => None,
                TableFilter::Included { whole } => Some(Job { table: t, whole }),
            }
        })
        .filter(|j| {
            opts.shard
                .is_none_or(|sh| sh.owns(&format!("{address}/{}", j.table.qualified)))
        })
        .collect();
    let mut out = DbScan::default();
    if let Some(previous) = opts.previous.as_deref() {
        let tables: Vec<&Table> = jobs.iter().map(|j| &j.table).collect();
        let mut fingerprints = session.fingerprints(&tables).into_iter();
        jobs.retain(|j| {
            let id = format!("{address}/{}", j.table.qualified);
            let Some(Fingerprint { value, comparable }) = fingerprints.next().flatten() else {
                return true;
            };
            let carried = previous.unchanged(&id, &value).filter(|_| comparable);
            out.fingerprints.push((id.clone(), value));
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
    let driver = Driver {
        engine,
        database,
        opts,
        filter: &filter,
        findings,
        address,
    };
    out.reports.extend(driver.run(&jobs, session));
    out
}

/// What the worker threads share.
struct Driver<'a> {
    engine: &'a Engine,
    database: &'a dyn Database,
    opts: &'a DbOptions,
    filter: &'a NameFilter,
    findings: Option<&'a FindingsWriter>,
    address: String,
}

impl Driver<'_> {
    /// Scans `jobs` on up to [`DbOptions::concurrency`] workers, each with its own
    /// session (the first one is `first`).
    fn run(&self, jobs: &[Job], first: Box<dyn Session>) -> Vec<AssetReport> {
        let workers = self.opts.concurrency.max(1).min(jobs.len());
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<AssetReport>> = Mutex::new(Vec::with_capacity(jobs.len()));
        let work = |mut session: Option<Box<dyn Session>>| loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(i) else { break };
            let report = std::thread::scope(|scope| self.scan_table(scope, &mut session, job));
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
                    match self.database.connect() {
                        Ok(session) => work(Some(session)),
                        Err(e) => tracing::warn!(
                            "an extra database worker could not connect: {}",
                            e.message
                        ),
                    }
                });
            }
            work(Some(first));
        });
        results.into_inner().unwrap_or_else(|p| p.into_inner())
    }

    /// Scans one table; its batches are classified on a helper thread of `scope`
    /// while the next rows arrive. A lost connection is re-opened and the table read
    /// once more.
    fn scan_table<'scope>(
        &'scope self,
        scope: &'scope std::thread::Scope<'scope, '_>,
        session: &mut Option<Box<dyn Session>>,
        job: &Job,
    ) -> AssetReport {
        let started = Instant::now();
        let t = &job.table;
        let id = format!("{}/{}", self.address, t.qualified);
        let names: Vec<&str> = t.aliases.iter().map(String::as_str).collect();
        let plan = plan_columns(&t.columns, self.filter, &names, job.whole);
        let format = self.database.format();
        let mut retried = false;
        loop {
            let mut collector = TableCollector::new(
                AssetCollector::new(self.engine, &id, self.findings).for_table(),
            );
            collector.classify_behind(scope);
            if session.as_ref().is_none_or(|s| s.is_closed()) {
                match self.database.connect() {
                    Ok(s) => *session = Some(s),
                    Err(e) => {
                        let err = ReadError {
                            kind: "connection",
                            message: e.message,
                            connection_lost: true,
                            rows_scanned: 0,
                        };
                        return table_report(&id, format, started, Err(err), collector, plan);
                    }
                }
            }
            let s = session.as_mut().expect("connected");
            let read = s.read_table(TableRequest {
                table: t,
                columns: &plan.examined,
                sampling: self.opts.sampling,
                sink: &mut collector,
            });
            match read {
                Err(mut e) if e.connection_lost => {
                    *session = None;
                    if e.kind == "connection" && !retried {
                        tracing::warn!(table = %id, "connection lost; reconnecting and retrying the table once");
                        retried = true;
                        continue;
                    }
                    if retried {
                        e.message.push_str(" (after one retry)");
                    }
                    return table_report(&id, format, started, Err(e), collector, plan);
                }
                read => {
                    if let Ok(r) = &read {
                        tracing::debug!(table = %id, rows = r.rows_scanned, ms = started.elapsed().as_millis() as u64, method = %r.method, "table scanned");
                    }
                    return table_report(&id, format, started, read, collector, plan);
                }
            }
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
    id: &str,
    format: &str,
    started: Instant,
    read: Result<TableRead, ReadError>,
    mut collector: TableCollector<'_>,
    plan: ColumnPlan<'_>,
) -> AssetReport {
    let mut report = AssetReport::new(
        id.to_string(),
        id.to_string(),
        crate::inventory::AssetKind::Table,
        format,
    );
    let mut skipped = plan.skipped;
    collector.drain_findings();
    collector.finish_into(&mut report);
    match read {
        Ok(r) => {
            report.stats.rows = r.rows_total;
            report.stats.rows_scanned = r.rows_scanned;
            report.stats.sampling = r.method;
            skipped.extend(
                r.partly_skipped
                    .into_iter()
                    .map(|(column, reason)| SkippedColumn { column, reason }),
            );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FieldId, Location, RecordSink};

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

        let mut one_by_one = AssetCollector::new(&engine, "t", None);
        feed(&mut one_by_one, rows);
        let mut want = AssetReport::new(
            "t".into(),
            "t".into(),
            crate::inventory::AssetKind::Table,
            "postgres",
        );
        one_by_one.finish_into(&mut want);

        let got = std::thread::scope(|scope| {
            let mut table = TableCollector::new(AssetCollector::new(&engine, "t", None));
            table.classify_behind(scope);
            feed(&mut table, rows);
            let mut got = AssetReport::new(
                "t".into(),
                "t".into(),
                crate::inventory::AssetKind::Table,
                "postgres",
            );
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
