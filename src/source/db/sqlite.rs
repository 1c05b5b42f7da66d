//! SQLite, read-only, with rusqlite (bundled).
//!
//! The file is opened through a `file:` URI with `mode=ro` and `SQLITE_OPEN_READ_ONLY`
//! (not `immutable=1`, which is unsafe for a file another process is writing), and the
//! session is set `query_only`. Tables come from `sqlite_master` (`sqlite_%` internal
//! tables skipped); columns from `pragma_table_info`, examined by declared type: BLOB
//! columns are skipped and recorded, `JSON` columns flattened, everything else read as
//! text (SQLite is dynamically typed: numbers are rendered as text, stray BLOB values are
//! counted and recorded).
//!
//! Sampling is deterministic: a table with at most N rows is read whole; otherwise a
//! seeded reservoir sample of N rowids is drawn from `SELECT rowid` and those rows are
//! fetched (`WITHOUT ROWID` tables and views: a seeded reservoir over whole rows).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::{
    quote_ident, Column, ColumnKind, Database, Limits, ReadError, RecordSink, RowPusher, Table,
    TableRead, TableRequest,
};
use crate::source::sample::Reservoir;

/// Rowids fetched per `WHERE rowid IN (…)` query.
const FETCH_CHUNK: usize = 500;

/// A table or view of a SQLite database.
#[derive(Clone, Debug)]
pub struct SqliteTable {
    /// Its name.
    pub name: String,
    /// `table` or `view`.
    pub kind: String,
    /// The rowid alias usable on it (`rowid`, `_rowid_` or `oid` not shadowed by a
    /// column), or None (`WITHOUT ROWID`, views, virtual tables).
    pub rowid: Option<&'static str>,
}

fn query_err(what: &str, e: &rusqlite::Error) -> ReadError {
    ReadError {
        kind: "query",
        message: format!("{what}: {e}"),
        connection_lost: false,
        rows_scanned: 0,
    }
}

/// A `file:` URI for `path` with `mode=ro` (every byte outside the unreserved set is
/// percent-encoded, so `?`, `#` and `%` in file names are safe).
fn read_only_uri(path: &Path) -> String {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().into_owned().into_bytes();
    let mut uri = String::from("file:");
    for b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?mode=ro");
    uri
}

/// Opens a database file read-only.
pub fn open(path: &Path) -> Result<Connection, String> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(read_only_uri(path), flags)
        .map_err(|e| format!("cannot open {} read-only: {e}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .and_then(|_| conn.execute_batch("PRAGMA query_only = 1"))
        .map_err(|e| format!("cannot set up {}: {e}", path.display()))?;
    Ok(conn)
}

/// How a column is examined, from its declared type.
fn kind_of(declared: &str) -> ColumnKind {
    let u = declared.to_ascii_uppercase();
    if u.contains("BLOB") || u == "JSONB" {
        ColumnKind::Skip(format!(
            "declared {}: binary values are not examined",
            if declared.is_empty() {
                "BLOB"
            } else {
                declared
            }
        ))
    } else if u.contains("JSON") && !u.contains("INT") {
        ColumnKind::Json
    } else {
        ColumnKind::Text
    }
}

/// Tables (and with `views`, views) outside SQLite's internal `sqlite_%` tables.
pub fn discover(conn: &Connection, views: bool) -> Result<Vec<Table>, String> {
    let kinds = if views { "'table','view'" } else { "'table'" };
    let mut stmt = conn
        .prepare(&format!(
            "SELECT name, type, coalesce(sql, '') FROM sqlite_master \
             WHERE type IN ({kinds}) AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        ))
        .map_err(|e| format!("cannot list tables: {e}"))?;
    let listed: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .and_then(|rows| rows.collect())
        .map_err(|e| format!("cannot list tables: {e}"))?;
    let mut tables = Vec::with_capacity(listed.len());
    for (name, kind, sql) in listed {
        let mut cols = conn
            .prepare("SELECT name, coalesce(type, '') FROM pragma_table_info(?1) ORDER BY cid")
            .map_err(|e| format!("cannot list columns of {name}: {e}"))?;
        let columns: Vec<Column> = cols
            .query_map([&name], |r| {
                let col: String = r.get(0)?;
                let declared: String = r.get(1)?;
                Ok(Column {
                    kind: kind_of(&declared),
                    name: col,
                    type_name: declared,
                    comment: None,
                    expr: String::new(),
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| format!("cannot list columns of {name}: {e}"))?;
        let normalized = sql
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_uppercase();
        let rowid = if kind != "table"
            || normalized.contains("WITHOUT ROWID")
            || normalized.starts_with("CREATE VIRTUAL")
        {
            None
        } else {
            ["rowid", "_rowid_", "oid"]
                .into_iter()
                .find(|alias| !columns.iter().any(|c| c.name.eq_ignore_ascii_case(alias)))
        };
        tables.push(Table {
            aliases: vec![name.clone(), format!("main.{name}")],
            qualified: name.clone(),
            columns,
            native: Arc::new(SqliteTable { name, kind, rowid }),
        });
    }
    Ok(tables)
}

/// Pushes one SQLite row (the examined columns start at `offset`).
fn push_row(
    row: &rusqlite::Row<'_>,
    offset: usize,
    width: usize,
    index: u64,
    pusher: &mut RowPusher,
    sink: &mut dyn RecordSink,
    blobs: &mut [u64],
) -> rusqlite::Result<()> {
    let mut buf = String::new();
    for i in 0..width {
        let v = row.get_ref(offset + i)?;
        push_value(v, i, index, pusher, sink, blobs, &mut buf);
    }
    sink.rows(1);
    Ok(())
}

fn push_value(
    v: ValueRef<'_>,
    i: usize,
    index: u64,
    pusher: &mut RowPusher,
    sink: &mut dyn RecordSink,
    blobs: &mut [u64],
    buf: &mut String,
) {
    use std::fmt::Write;
    match v {
        ValueRef::Null => pusher.push(sink, i, None, index),
        ValueRef::Integer(n) => {
            buf.clear();
            let _ = write!(buf, "{n}");
            pusher.push(sink, i, Some(buf.as_bytes()), index);
        }
        ValueRef::Real(x) => {
            buf.clear();
            let _ = write!(buf, "{x}");
            pusher.push(sink, i, Some(buf.as_bytes()), index);
        }
        ValueRef::Text(t) => pusher.push(sink, i, Some(t), index),
        ValueRef::Blob(_) => {
            blobs[i] += 1;
            pusher.push(sink, i, None, index);
        }
    }
}

/// An owned value, for the whole-row reservoir.
#[derive(Clone)]
enum Owned {
    Null,
    Int(i64),
    Real(f64),
    Text(Vec<u8>),
    Blob,
}

impl Owned {
    fn of(v: ValueRef<'_>) -> Owned {
        match v {
            ValueRef::Null => Owned::Null,
            ValueRef::Integer(n) => Owned::Int(n),
            ValueRef::Real(x) => Owned::Real(x),
            ValueRef::Text(t) => Owned::Text(t.to_vec()),
            ValueRef::Blob(_) => Owned::Blob,
        }
    }

    fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Owned::Null => ValueRef::Null,
            Owned::Int(n) => ValueRef::Integer(*n),
            Owned::Real(x) => ValueRef::Real(*x),
            Owned::Text(t) => ValueRef::Text(t),
            Owned::Blob => ValueRef::Blob(&[]),
        }
    }
}

/// A table being read: its columns, where their values go, and the BLOB values met.
struct TableReader<'a> {
    conn: &'a Connection,
    /// The quoted table name.
    from: String,
    /// The quoted examined columns, `1` when there are none.
    select_list: String,
    width: usize,
    pusher: RowPusher,
    sink: &'a mut dyn RecordSink,
    /// BLOB values seen (not examined), by index into the examined columns.
    blobs: Vec<u64>,
    /// Rows pushed so far.
    pushed: u64,
}

impl TableReader<'_> {
    fn fail(&self, what: &str, e: rusqlite::Error) -> ReadError {
        let mut err = query_err(what, &e);
        err.rows_scanned = self.pushed;
        err
    }

    fn select(&self) -> String {
        format!("SELECT {} FROM {}", self.select_list, self.from)
    }

    /// Pushes one row of a query whose columns are the examined columns.
    fn push(&mut self, row: &rusqlite::Row<'_>) -> rusqlite::Result<()> {
        let index = self.pushed;
        push_row(
            row,
            0,
            self.width,
            index,
            &mut self.pusher,
            self.sink,
            &mut self.blobs,
        )?;
        self.pushed += 1;
        Ok(())
    }

    /// Streams every row of the table (bounded memory).
    fn stream_all(&mut self) -> Result<(), ReadError> {
        let conn = self.conn;
        let mut stmt = conn
            .prepare(&self.select())
            .map_err(|e| self.fail("preparing the query", e))?;
        let mut rows = stmt.query([]).map_err(|e| self.fail("reading rows", e))?;
        loop {
            match rows.next() {
                Ok(Some(row)) => self.push(row).map_err(|e| self.fail("reading rows", e))?,
                Ok(None) => return Ok(()),
                Err(e) => return Err(self.fail("reading rows", e)),
            }
        }
    }

    /// A seeded reservoir over the rowids, then those rows fetched in rowid order.
    fn sample_by_rowid(&mut self, rowid: &str, n: u64, seed: u64) -> Result<String, ReadError> {
        let conn = self.conn;
        let mut reservoir = Reservoir::new(n as usize, seed);
        {
            let mut stmt = conn
                .prepare(&format!("SELECT {rowid} FROM {}", self.from))
                .map_err(|e| self.fail("listing rowids", e))?;
            let mut rows = stmt.query([]).map_err(|e| self.fail("listing rowids", e))?;
            while let Some(row) = rows.next().map_err(|e| self.fail("listing rowids", e))? {
                let id: i64 = row.get(0).map_err(|e| self.fail("listing rowids", e))?;
                reservoir.offer(|| id);
            }
        }
        let seen = reservoir.seen();
        let mut ids = reservoir.into_items();
        ids.sort_unstable();
        for chunk in ids.chunks(FETCH_CHUNK) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!(
                "SELECT {} FROM {} WHERE {rowid} IN ({marks}) ORDER BY {rowid}",
                self.select_list, self.from
            );
            let mut stmt = conn
                .prepare_cached(&sql)
                .map_err(|e| self.fail("reading sampled rows", e))?;
            let mut rows = stmt
                .query(rusqlite::params_from_iter(chunk.iter()))
                .map_err(|e| self.fail("reading sampled rows", e))?;
            while let Some(row) = rows
                .next()
                .map_err(|e| self.fail("reading sampled rows", e))?
            {
                self.push(row)
                    .map_err(|e| self.fail("reading sampled rows", e))?;
            }
        }
        Ok(format!(
            "reservoir sample of {} of {seen} rowids (seed {seed}), rows fetched by rowid",
            self.pushed
        ))
    }

    /// No rowid (`WITHOUT ROWID` table, view, virtual table): a seeded reservoir over
    /// whole rows.
    fn sample_rows(&mut self, kind: &str, n: u64, seed: u64) -> Result<String, ReadError> {
        let conn = self.conn;
        let width = self.width;
        let mut reservoir: Reservoir<Vec<Owned>> = Reservoir::new(n as usize, seed);
        {
            let mut stmt = conn
                .prepare(&self.select())
                .map_err(|e| self.fail("reading rows", e))?;
            let mut rows = stmt.query([]).map_err(|e| self.fail("reading rows", e))?;
            while let Some(row) = rows.next().map_err(|e| self.fail("reading rows", e))? {
                let mut err = None;
                reservoir.offer(|| {
                    (0..width)
                        .map(|i| match row.get_ref(i) {
                            Ok(v) => Owned::of(v),
                            Err(e) => {
                                err = Some(e);
                                Owned::Null
                            }
                        })
                        .collect()
                });
                if let Some(e) = err {
                    return Err(self.fail("reading rows", e));
                }
            }
        }
        let seen = reservoir.seen();
        let mut buf = String::new();
        for row in reservoir.into_items() {
            for (i, v) in row.iter().enumerate() {
                let index = self.pushed;
                push_value(
                    v.as_ref(),
                    i,
                    index,
                    &mut self.pusher,
                    self.sink,
                    &mut self.blobs,
                    &mut buf,
                );
            }
            self.sink.rows(1);
            self.pushed += 1;
        }
        Ok(format!(
            "reservoir sample of {} of {seen} rows (seed {seed}; the {kind} has no usable rowid, so every row was read)",
            self.pushed
        ))
    }
}

/// Reads `columns` (the examined columns of `table`) into `sink`.
pub fn read_table(
    conn: &Connection,
    table: &SqliteTable,
    read: TableRequest<'_>,
) -> Result<TableRead, ReadError> {
    let (columns, sampling, sink) = (read.columns, read.sampling, read.sink);
    let n = sampling.rows.max(1) as u64;
    let seed = sampling.seed;
    let pusher = RowPusher::new(columns, sink);
    let list: Vec<String> = columns.iter().map(|c| quote_ident(&c.name)).collect();
    let mut reader = TableReader {
        conn,
        from: quote_ident(&table.name),
        select_list: if list.is_empty() {
            "1".to_string()
        } else {
            list.join(", ")
        },
        width: columns.len(),
        pusher,
        sink,
        blobs: vec![0; columns.len()],
        pushed: 0,
    };
    let (rows_total, method) = if sampling.full {
        reader.stream_all()?;
        let pushed = reader.pushed;
        (pushed, format!("full: every row ({pushed} rows)"))
    } else {
        let count: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {}", reader.from), [], |r| {
                r.get(0)
            })
            .map_err(|e| reader.fail("counting rows", e))?;
        let count = count.max(0) as u64;
        if count <= n {
            reader.stream_all()?;
            let pushed = reader.pushed;
            (count.max(pushed), format!("all rows ({pushed} rows)"))
        } else if let Some(rowid) = table.rowid {
            (count, reader.sample_by_rowid(rowid, n, seed)?)
        } else {
            (count, reader.sample_rows(&table.kind, n, seed)?)
        }
    };
    let blobs = |n| format!("{n} BLOB value(s) not examined (the column's other values were)");
    Ok(TableRead::new(
        rows_total,
        reader.pushed,
        method,
        super::skipped_values(columns, &reader.blobs, blobs),
    ))
}

/// Opens a `sqlite:PATH` (or `sqlite://PATH`) database (see [`super::KINDS`]).
pub fn open_url(url: &str, limits: Limits) -> Result<Box<dyn Database>, ReadError> {
    let rest = url.strip_prefix("sqlite:").unwrap_or(url);
    let path = rest.strip_prefix("//").unwrap_or(rest);
    if path.is_empty() {
        return Err(ReadError::config(
            "sqlite: URL without a path (use sqlite:PATH)",
        ));
    }
    let mut db = Sqlite::new(Path::new(path));
    db.timeout = limits.statement_timeout;
    Ok(Box::new(db))
}

/// A SQLite database file, opened read-only by each session.
pub struct Sqlite {
    path: PathBuf,
    /// Longest a lookup may run (SQLite has no statement timeout: it is interrupted).
    timeout: std::time::Duration,
}

impl Sqlite {
    /// The database in the file at `path` (a SQLite file met in a file tree, or named
    /// by a `sqlite:` URL).
    pub fn new(path: &Path) -> Self {
        Sqlite {
            path: path.to_path_buf(),
            timeout: std::time::Duration::from_secs(60),
        }
    }
}

impl Database for Sqlite {
    fn address(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    fn format(&self) -> &'static str {
        "sqlite"
    }

    fn connect(&self) -> Result<Box<dyn super::Session>, ReadError> {
        let conn = open(&self.path).map_err(|m| ReadError::new("io", m))?;
        Ok(Box::new(SqliteSession {
            conn,
            timeout: self.timeout,
        }))
    }
}

/// A read-only connection.
struct SqliteSession {
    conn: Connection,
    timeout: std::time::Duration,
}

impl super::Session for SqliteSession {
    fn discover(&mut self, views: bool) -> Result<Vec<Table>, ReadError> {
        discover(&self.conn, views).map_err(|m| ReadError::new("catalog", m))
    }

    fn read_table(&mut self, read: TableRequest<'_>) -> Result<TableRead, ReadError> {
        let t = read.native::<SqliteTable>("SQLite")?;
        read_table(&self.conn, t, read)
    }

    fn keys(&mut self, tables: &[&Table]) -> Result<Vec<super::TableKeys>, ReadError> {
        super::sqlite_lookup::keys(&self.conn, tables)
    }

    fn lookup(
        &mut self,
        query: &super::RowQuery<'_>,
        row: &mut super::OnRow<'_>,
    ) -> Result<super::RowsRead, ReadError> {
        super::sqlite_lookup::lookup(&self.conn, query, row, self.timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_escape_special_characters() {
        assert_eq!(
            read_only_uri(Path::new("/a b/c?.db")),
            "file:/a%20b/c%3F.db?mode=ro"
        );
        assert_eq!(
            read_only_uri(Path::new("rel/x#1%.db")),
            "file:rel/x%231%25.db?mode=ro"
        );
    }

    #[test]
    fn sqlite_urls() {
        let limits = Limits {
            statement_timeout: std::time::Duration::from_secs(1),
            connect_timeout: std::time::Duration::from_secs(1),
        };
        let address = |url: &str| open_url(url, limits).map(|db| db.address());
        assert_eq!(address("sqlite:data/app.db").unwrap(), "sqlite:data/app.db");
        assert_eq!(
            address("sqlite:///abs/app.db").unwrap(),
            "sqlite:/abs/app.db"
        );
        assert_eq!(address("sqlite:").err().unwrap().kind, "config");
    }

    #[test]
    fn kinds_follow_declared_types() {
        assert_eq!(kind_of("NVARCHAR(40)"), ColumnKind::Text);
        assert_eq!(kind_of("INTEGER"), ColumnKind::Text);
        assert_eq!(kind_of("DATETIME"), ColumnKind::Text);
        assert_eq!(kind_of(""), ColumnKind::Text);
        assert_eq!(kind_of("json"), ColumnKind::Json);
        assert!(matches!(kind_of("BLOB"), ColumnKind::Skip(_)));
    }
}
