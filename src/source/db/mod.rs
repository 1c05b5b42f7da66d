//! Databases as sources: PostgreSQL ([`postgres`]), SQLite ([`sqlite`]) and MySQL/MariaDB
//! ([`mysql`]), read-only,
//! each behind the [`Database`] seam.
//!
//! A database opens read-only [`Session`]s; a session discovers tables and their
//! columns, decides how each column is examined ([`ColumnKind`]: as text, as JSON
//! flattened into paths, as array elements, or skipped with a reason), chooses rows
//! deterministically and pushes every value into a [`RecordSink`], and fingerprints
//! tables for incremental runs. The one table driver (`crate::scan::db`) applies the
//! filters, the shard, the incremental carry-forward and the concurrency for every kind.
//!
//! To add a kind of database (MySQL, …): write `db/NAME.rs` implementing [`Database`]
//! and [`Session`], and add its line to [`KINDS`].

pub mod lookup;
pub mod mysql;
pub mod postgres;
pub mod sqlite;
mod sqlite_lookup;
pub mod url;

use std::any::Any;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::{FieldId, Location, RecordSink, Sampling};
pub use lookup::{
    ForeignKey, IndexForm, IndexedColumn, OnRow, Predicate, RowFilter, RowQuery, RowsRead,
    TableKeys,
};

/// One kind of database, by the start of its URLs.
pub struct Kind {
    /// What its URLs start with (`postgres://`, `sqlite:`).
    pub scheme: &'static str,
    /// Its name in reports (an asset's `format`).
    pub format: &'static str,
    /// Opens the database a URL names (no connection yet).
    pub open: Opener,
}

/// Opens the database a URL names (no connection yet); the error names it by its
/// redacted URL only.
pub type Opener = fn(url: &str, limits: Limits) -> Result<Box<dyn Database>, ReadError>;

/// The kinds of database piimap reads: one line per kind.
pub const KINDS: &[Kind] = &[
    Kind {
        scheme: "postgres://",
        format: "postgres",
        open: postgres::open,
    },
    Kind {
        scheme: "postgresql://",
        format: "postgres",
        open: postgres::open,
    },
    Kind {
        scheme: "sqlite:",
        format: "sqlite",
        open: sqlite::open_url,
    },
    Kind {
        scheme: "mysql://",
        format: "mysql",
        open: mysql::open,
    },
    Kind {
        scheme: "mariadb://",
        format: "mysql",
        open: mysql::open,
    },
];

/// The kind of database `url` names, if piimap reads it.
pub fn kind_of(url: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| url.starts_with(k.scheme))
}

/// Opens the database `url` names. The error names the database by its redacted URL
/// only, with the report format to file it under.
pub fn open(
    url: &str,
    limits: Limits,
) -> Result<Box<dyn Database>, (Cow<'static, str>, ReadError)> {
    match kind_of(url) {
        Some(kind) => (kind.open)(url, limits).map_err(|e| (Cow::Borrowed(kind.format), e)),
        None => Err((
            unknown_format(url),
            ReadError::config(format!(
                "unsupported database URL {} (expected {})",
                url::redact(url),
                schemes()
            )),
        )),
    }
}

/// The report format of a URL no kind reads: its scheme (`oracle://…` → `oracle`) when
/// it has a plausible one, else `database`.
fn unknown_format(url: &str) -> Cow<'static, str> {
    let scheme = url.split_once(':').map_or("", |(s, _)| s);
    let plausible = !scheme.is_empty()
        && scheme.len() <= 32
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if plausible {
        Cow::Owned(scheme.to_ascii_lowercase())
    } else {
        Cow::Borrowed("database")
    }
}

/// The schemes piimap reads, for messages: `a, b or c`.
fn schemes() -> String {
    let names: Vec<&str> = KINDS.iter().map(|k| k.scheme).collect();
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Time limits for every session.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Longest a statement may run.
    pub statement_timeout: Duration,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
}

/// A database to scan: where it is, and how to open sessions on it. Shared by the
/// driver's worker threads, each of which opens its own session.
pub trait Database: Send + Sync {
    /// The database's address without credentials (`postgres://host:port/db`,
    /// `sqlite:PATH`), the prefix of its assets' ids.
    fn address(&self) -> String;
    /// Its name in reports (`postgres`, `sqlite`).
    fn format(&self) -> &'static str;
    /// Opens a read-only session. The error names the database by its address only.
    fn connect(&self) -> Result<Box<dyn Session>, ReadError>;
}

/// A read-only session on a database, used by one thread.
pub trait Session {
    /// The tables (and with `views`, the views) with their columns, comments and row
    /// estimates. The error message says what could not be read.
    fn discover(&mut self, views: bool) -> Result<Vec<Table>, ReadError>;
    /// Reads `columns` (examined columns of `table`) into `sink`, a deterministic
    /// sample or every row as `sampling` says, and says how.
    fn read_table(&mut self, read: TableRequest<'_>) -> Result<TableRead, ReadError>;
    /// A fingerprint of each table for incremental runs (`None`: this kind has none,
    /// and the table is always read).
    fn fingerprints(&mut self, tables: &[&Table]) -> Vec<Option<Fingerprint>> {
        vec![None; tables.len()]
    }
    /// Whether the session can no longer be used (the driver then opens another).
    fn is_closed(&self) -> bool {
        false
    }
    /// The primary key (or row address), leading index columns and foreign keys of each
    /// of `tables`, from the catalog, in the same order (for `piimap find`: rows are
    /// named by key, indexes chosen, foreign keys followed one hop). A kind without it
    /// answers [`lookup::unsupported`].
    fn keys(&mut self, tables: &[&Table]) -> Result<Vec<TableKeys>, ReadError> {
        let _ = tables;
        Err(lookup::unsupported("reading keys and foreign keys"))
    }
    /// Runs one parameterised, read-only lookup (see [`lookup`]) under the statement
    /// timeout, calling `row` with each returned row's values (as text, `None` for
    /// NULL) in `query.select` order. A timeout is an error of kind `timeout`.
    fn lookup(&mut self, query: &RowQuery<'_>, row: &mut OnRow<'_>) -> Result<RowsRead, ReadError> {
        let _ = (query, row);
        Err(lookup::unsupported("looking rows up"))
    }
}

/// What a table looks like now, to tell whether it changed since the last run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// The fingerprint remembered in the state file.
    pub value: String,
    /// Whether an equal fingerprint means the table is unchanged (false for a view, or
    /// when the write counters could not be read: the table is read again).
    pub comparable: bool,
}

/// A table (or view) found by [`Session::discover`].
#[derive(Clone, Debug)]
pub struct Table {
    /// Its name in asset ids (`schema.table`; a SQLite table's name).
    pub qualified: String,
    /// The spellings `--include` / `--exclude` globs are matched against.
    pub aliases: Vec<String>,
    /// Columns in order.
    pub columns: Vec<Column>,
    /// What the database itself needs to read it (an oid, a rowid alias, …).
    pub native: Arc<dyn Any + Send + Sync>,
}

impl Table {
    /// The database's own description of the table, if it is of type `T`.
    pub fn native<T: 'static>(&self) -> Option<&T> {
        self.native.downcast_ref::<T>()
    }

    /// The database's own description of the table for the kind that reads it, or an
    /// error naming that kind (`kind`) when the table came from another.
    pub fn native_for<T: 'static>(&self, kind: &str) -> Result<&T, ReadError> {
        self.native::<T>()
            .ok_or_else(|| ReadError::new("query", format!("not a {kind} table")))
    }
}

/// How a column's values are examined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// One text value per row (text, numbers, dates, addresses … rendered as text).
    Text,
    /// A JSON document per row, flattened into `column.key.sub` fields.
    Json,
    /// Several values per row (array elements), each a value of the column.
    Elements,
    /// Not examined, with the reason (recorded in the asset's `skipped_columns`).
    Skip(String),
}

/// Separator the PostgreSQL reader puts between array elements (ASCII unit separator).
pub const ELEMENT_SEPARATOR: u8 = 0x1f;

/// One column of a table.
#[derive(Clone, Debug)]
pub struct Column {
    /// The column name as stored.
    pub name: String,
    /// The declared type, for messages.
    pub type_name: String,
    /// How its values are examined.
    pub kind: ColumnKind,
    /// A comment on the column (PostgreSQL `COMMENT ON COLUMN`), used as a name hint.
    pub comment: Option<String>,
    /// How the reader selects it (PostgreSQL: a text expression; unused by SQLite).
    pub expr: String,
}

/// What [`Session::read_table`] is asked to read: the examined columns of one table,
/// sampled or in full, into a sink. One value, so that every kind's reader takes the
/// same thing and the generic driver builds it once.
pub struct TableRequest<'a> {
    /// The table, as [`Session::discover`] found it.
    pub table: &'a Table,
    /// Its examined columns, in the order their values are pushed.
    pub columns: &'a [&'a Column],
    /// A deterministic sample or every row.
    pub sampling: Sampling,
    /// Where the values go.
    pub sink: &'a mut dyn RecordSink,
}

impl<'a> TableRequest<'a> {
    /// The table's own description for the kind that reads it (`kind` names that kind
    /// in the error when the table came from another).
    pub fn native<T: 'static>(&self, kind: &str) -> Result<&'a T, ReadError> {
        let table: &'a Table = self.table;
        table.native_for::<T>(kind)
    }
}

/// What reading one table did.
#[derive(Clone, Debug, Default)]
pub struct TableRead {
    /// Rows in the table: exact when every row was read, otherwise an estimate.
    pub rows_total: u64,
    /// Rows whose values were classified.
    pub rows_scanned: u64,
    /// How the rows were chosen, stated plainly (never a silent "first N rows").
    pub method: String,
    /// Examined columns some of whose values were not (`column`, why), e.g. stray
    /// BLOB values in a SQLite text column.
    pub partly_skipped: Vec<(String, String)>,
}

impl TableRead {
    /// What a reader that read `rows_scanned` rows of `rows_total` by `method` did,
    /// `partly_skipped` as [`skipped_values`] says.
    pub fn new(
        rows_total: u64,
        rows_scanned: u64,
        method: String,
        partly_skipped: Vec<(String, String)>,
    ) -> Self {
        TableRead {
            rows_total,
            rows_scanned,
            method,
            partly_skipped,
        }
    }
}

/// The examined columns some of whose values could not be examined: `skipped[i]`
/// values of `columns[i]`, each column with `why(n)` ([`TableRead::partly_skipped`]).
pub fn skipped_values(
    columns: &[&Column],
    skipped: &[u64],
    why: fn(u64) -> String,
) -> Vec<(String, String)> {
    columns
        .iter()
        .zip(skipped)
        .filter(|(_, &n)| n > 0)
        .map(|(c, &n)| (c.name.clone(), why(n)))
        .collect()
}

/// A failed read: what kind of failure, a message without credentials or values, and
/// how far the read got.
#[derive(Clone, Debug)]
pub struct ReadError {
    /// `permission`, `timeout`, `connection`, `query`, …
    pub kind: &'static str,
    /// What happened.
    pub message: String,
    /// Whether the connection was lost (the caller may reconnect and retry once).
    pub connection_lost: bool,
    /// Rows classified before the error (their results are kept as `partial`).
    pub rows_scanned: u64,
}

impl ReadError {
    /// A failure of kind `kind` before any row was read, the connection intact.
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        ReadError {
            kind,
            message: message.into(),
            connection_lost: false,
            rows_scanned: 0,
        }
    }

    /// A bad URL or setting.
    pub fn config(message: impl Into<String>) -> Self {
        ReadError::new("config", message)
    }
}

/// Connects a networked session with `connect` on a current-thread tokio runtime of its
/// own (each session drives its own, so sessions on different threads never share one).
/// `connector` is the kind's connection settings, or why they could not be built (TLS).
pub fn connect_on_own_runtime<'c, C, S, F>(
    connector: &'c Result<C, String>,
    connect: impl FnOnce(&'c C) -> F,
) -> Result<(tokio::runtime::Runtime, S), ReadError>
where
    F: std::future::Future<Output = Result<S, String>>,
{
    let connector = connector
        .as_ref()
        .map_err(|m| ReadError::new("tls", m.clone()))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ReadError::new("io", format!("cannot start the async runtime: {e}")))?;
    let session = rt
        .block_on(connect(connector))
        .map_err(|m| ReadError::new("connect", m))?;
    Ok((rt, session))
}

/// Runs `fut`, a request to a database server, turning its error (named by `describe`:
/// kind, message, whether the connection was lost) or no reply within `limit` into a
/// [`ReadError`] saying what was being done. A server that stops answering fails the
/// request instead of hanging the scan.
pub async fn within_reply<T, E>(
    limit: Duration,
    what: &str,
    fut: impl std::future::Future<Output = Result<T, E>>,
    describe: fn(&E) -> (&'static str, String, bool),
) -> Result<T, ReadError> {
    match tokio::time::timeout(limit, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            let (kind, message, lost) = describe(&e);
            Err(ReadError {
                kind,
                message: format!("{what}: {message}"),
                connection_lost: lost,
                rows_scanned: 0,
            })
        }
        Err(_) => Err(ReadError {
            kind: "timeout",
            message: format!(
                "{what}: no reply from the server within {}s",
                limit.as_secs()
            ),
            connection_lost: true,
            rows_scanned: 0,
        }),
    }
}

/// Opens a connection by `open`, giving up one second after `limit` (the server's own
/// connect timeout, plus a margin): the error names the server by `address` only, so it
/// never carries a credential.
pub async fn connect_within<T, E>(
    limit: Duration,
    address: &str,
    open: impl std::future::Future<Output = Result<T, E>>,
    describe: fn(&E) -> (&'static str, String, bool),
) -> Result<T, String> {
    let limit = limit + Duration::from_secs(1);
    match tokio::time::timeout(limit, open).await {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => {
            let (_, msg, _) = describe(&e);
            Err(format!("cannot connect to {address}: {msg}"))
        }
        Err(_) => Err(format!(
            "cannot connect to {address}: no answer within {}s",
            limit.as_secs()
        )),
    }
}

/// Quotes an SQL identifier: wraps it in double quotes and doubles any embedded double
/// quote, so any name (spaces, dots, unicode, reserved words, `x"; DROP TABLE y; --`) is
/// one identifier and never SQL. Works for PostgreSQL and SQLite.
pub fn quote_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `--include` / `--exclude` globs over `schema.table` and `schema.table.column`.
#[derive(Clone, Debug, Default)]
pub struct NameFilter {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
    /// Patterns that are not valid globs (ignored, reported once by the caller).
    pub invalid: Vec<String>,
}

/// A column excluded by the filter, or the filter's view of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableFilter {
    /// The table is not scanned at all.
    Excluded,
    /// Scan the table; columns are decided by [`NameFilter::column`].
    Included {
        /// True when the table itself matched an include pattern (or there are none):
        /// all columns are scanned except excluded ones. False when only some of its
        /// columns matched include patterns.
        whole: bool,
    },
}

impl NameFilter {
    /// Compiles the patterns (globset syntax; `*` also matches dots).
    pub fn new(include: &[String], exclude: &[String]) -> Self {
        let mut invalid = Vec::new();
        let mut build = |pats: &[String]| -> Option<GlobSet> {
            if pats.is_empty() {
                return None;
            }
            let mut b = GlobSetBuilder::new();
            for p in pats {
                match Glob::new(p) {
                    Ok(g) => {
                        b.add(g);
                    }
                    Err(_) => invalid.push(p.clone()),
                }
            }
            b.build().ok()
        };
        let include = build(include);
        let exclude = build(exclude);
        NameFilter {
            include,
            exclude,
            invalid,
        }
    }

    fn any(set: &Option<GlobSet>, names: &[&str]) -> bool {
        set.as_ref()
            .is_some_and(|s| names.iter().any(|n| s.is_match(n)))
    }

    /// Whether a table is scanned. `names` are the table's qualified spellings
    /// (`public.users`; for SQLite both `users` and `main.users`); `columns` its columns.
    pub fn table(&self, names: &[&str], columns: &[&str]) -> TableFilter {
        if Self::any(&self.exclude, names) {
            return TableFilter::Excluded;
        }
        if self.include.is_none() || Self::any(&self.include, names) {
            return TableFilter::Included { whole: true };
        }
        let some_column = columns.iter().any(|c| {
            let full: Vec<String> = names.iter().map(|n| format!("{n}.{c}")).collect();
            let refs: Vec<&str> = full.iter().map(String::as_str).collect();
            Self::any(&self.include, &refs)
        });
        if some_column {
            TableFilter::Included { whole: false }
        } else {
            TableFilter::Excluded
        }
    }

    /// Whether a column of an included table is scanned.
    pub fn column(&self, table_names: &[&str], whole: bool, column: &str) -> bool {
        let full: Vec<String> = table_names
            .iter()
            .map(|n| format!("{n}.{column}"))
            .collect();
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        if Self::any(&self.exclude, &refs) {
            return false;
        }
        whole || Self::any(&self.include, &refs)
    }
}

/// Interned field ids of a table's examined columns, and how to push their values.
pub struct RowPusher {
    ids: Vec<Option<FieldId>>,
    kinds: Vec<ColumnKind>,
    names: Vec<String>,
    path: String,
}

impl RowPusher {
    /// Interns the examined columns (`kind` not `Skip`) in order. Columns with a comment
    /// are interned with the comment as extra name evidence.
    pub fn new(columns: &[&Column], sink: &mut dyn RecordSink) -> Self {
        let mut ids = Vec::with_capacity(columns.len());
        for c in columns {
            let id = match (&c.kind, &c.comment) {
                (ColumnKind::Skip(_), _) | (ColumnKind::Json, _) => None,
                (_, Some(comment)) if !comment.trim().is_empty() => {
                    Some(sink.field_with_hint(&c.name, comment))
                }
                _ => Some(sink.field(&c.name)),
            };
            ids.push(id);
        }
        RowPusher {
            ids,
            kinds: columns.iter().map(|c| c.kind.clone()).collect(),
            names: columns.iter().map(|c| c.name.clone()).collect(),
            path: String::new(),
        }
    }

    /// Pushes one value of column `i` (None for SQL NULL) of row `row`.
    pub fn push(&mut self, sink: &mut dyn RecordSink, i: usize, value: Option<&[u8]>, row: u64) {
        let at = Location {
            line: None,
            row: Some(row),
        };
        match &self.kinds[i] {
            ColumnKind::Skip(_) => {}
            ColumnKind::Text => {
                if let Some(id) = self.ids[i] {
                    sink.cell(id, value.unwrap_or_default(), at);
                }
            }
            ColumnKind::Elements => {
                let Some(id) = self.ids[i] else { return };
                match value {
                    None | Some(b"") => sink.cell(id, b"", at),
                    Some(v) => {
                        for element in v.split(|&b| b == ELEMENT_SEPARATOR) {
                            sink.cell(id, element, at);
                        }
                    }
                }
            }
            ColumnKind::Json => {
                let Some(v) = value else { return };
                match serde_json::from_slice::<serde_json::Value>(v) {
                    Ok(doc) => {
                        self.path.clear();
                        self.path.push_str(&self.names[i]);
                        let mut emit = |path: &str, bytes: &[u8]| {
                            let id = sink.field(path);
                            sink.cell(id, bytes, at);
                        };
                        super::json_walk::flatten_json(&doc, &mut self.path, &mut emit);
                    }
                    Err(_) => {
                        // Not JSON after all (e.g. a SQLite column declared JSON): a text value.
                        let id = sink.field(&self.names[i]);
                        sink.cell(id, v, at);
                    }
                }
            }
        }
    }
}

/// Formats a TABLESAMPLE percentage compactly (`2.5`, `0.015`, `100`).
pub fn format_percent(p: f64) -> String {
    let s = format!("{p:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "0" {
        "0.000001".into()
    } else {
        s.to_string()
    }
}

/// Rows per second, for the `full` method text.
pub fn rate(rows: u64, elapsed: std::time::Duration) -> String {
    let secs = elapsed.as_secs_f64();
    if secs <= 0.0 {
        return "n/a rows/s".into();
    }
    format!("{:.0} rows/s", rows as f64 / secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_as_one_name() {
        assert_eq!(quote_ident("users"), "\"users\"");
        assert_eq!(quote_ident("select"), "\"select\"");
        assert_eq!(
            quote_ident("x\"; DROP TABLE y; --"),
            "\"x\"\"; DROP TABLE y; --\""
        );
        assert_eq!(quote_ident("a.b c"), "\"a.b c\"");
        assert_eq!(quote_ident("Ünïcødé"), "\"Ünïcødé\"");
    }

    #[test]
    fn filter_tables_and_columns() {
        let f = NameFilter::new(&[], &["*.audit_*".into(), "*.password".into()]);
        assert_eq!(
            f.table(&["public.audit_log"], &["x"]),
            TableFilter::Excluded
        );
        assert_eq!(
            f.table(&["public.users"], &["email"]),
            TableFilter::Included { whole: true }
        );
        assert!(f.column(&["public.users"], true, "email"));
        assert!(!f.column(&["public.users"], true, "password"));

        let f = NameFilter::new(&["public.users.email".into()], &[]);
        assert_eq!(
            f.table(&["public.users"], &["id", "email"]),
            TableFilter::Included { whole: false }
        );
        assert!(f.column(&["public.users"], false, "email"));
        assert!(!f.column(&["public.users"], false, "id"));
        assert_eq!(f.table(&["public.orders"], &["id"]), TableFilter::Excluded);

        let f = NameFilter::new(&["sales.*".into()], &[]);
        assert_eq!(
            f.table(&["sales.orders"], &[]),
            TableFilter::Included { whole: true }
        );
    }

    #[test]
    fn percentages_are_compact() {
        assert_eq!(format_percent(2.5), "2.5");
        assert_eq!(format_percent(100.0), "100");
        assert_eq!(format_percent(0.015), "0.015");
        assert_eq!(format_percent(1e-9), "0.000001");
    }
}
