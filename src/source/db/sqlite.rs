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

use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::{quote_ident, Column, ColumnKind, ReadError, RecordSink, RowPusher, TableRead};
use crate::source::sample::Reservoir;
use crate::source::Sampling;

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
    /// Columns in order.
    pub columns: Vec<Column>,
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
pub fn discover(conn: &Connection, views: bool) -> Result<Vec<SqliteTable>, String> {
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
        tables.push(SqliteTable {
            name,
            kind,
            rowid,
            columns,
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

/// What reading a table did, plus BLOB values met in examined columns (per column).
pub struct SqliteRead {
    /// Rows, method.
    pub read: TableRead,
    /// BLOB values seen (not examined), by index into the examined columns.
    pub blob_values: Vec<u64>,
}

/// Reads `columns` (the examined columns of `table`) into `sink`.
pub fn read_table(
    conn: &Connection,
    table: &SqliteTable,
    columns: &[&Column],
    sampling: Sampling,
    sink: &mut dyn RecordSink,
) -> Result<SqliteRead, ReadError> {
    let t = quote_ident(&table.name);
    let n = sampling.rows.max(1) as u64;
    let seed = sampling.seed;
    let width = columns.len();
    let mut blobs = vec![0u64; width];
    let mut pusher = RowPusher::new(columns, sink);
    let list: Vec<String> = columns.iter().map(|c| quote_ident(&c.name)).collect();
    let select = if list.is_empty() {
        format!("SELECT 1 FROM {t}")
    } else {
        format!("SELECT {} FROM {t}", list.join(", "))
    };
    let mut pushed = 0u64;
    let fail = |what: &str, e: rusqlite::Error, pushed: u64| {
        let mut err = query_err(what, &e);
        err.rows_scanned = pushed;
        err
    };

    // Streams every row of `sql` (bounded memory).
    let mut stream_all = |sql: &str, pushed: &mut u64| -> Result<(), ReadError> {
        let mut stmt = conn
            .prepare(sql)
            .map_err(|e| fail("preparing the query", e, *pushed))?;
        let mut rows = stmt
            .query([])
            .map_err(|e| fail("reading rows", e, *pushed))?;
        loop {
            match rows.next() {
                Ok(Some(row)) => {
                    push_row(row, 0, width, *pushed, &mut pusher, sink, &mut blobs)
                        .map_err(|e| fail("reading rows", e, *pushed))?;
                    *pushed += 1;
                }
                Ok(None) => return Ok(()),
                Err(e) => return Err(fail("reading rows", e, *pushed)),
            }
        }
    };

    if sampling.full {
        stream_all(&select, &mut pushed)?;
        return Ok(SqliteRead {
            read: TableRead {
                rows_total: pushed,
                rows_scanned: pushed,
                method: format!("full: every row ({pushed} rows)"),
            },
            blob_values: blobs,
        });
    }

    let count: i64 = conn
        .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
        .map_err(|e| fail("counting rows", e, 0))?;
    let count = count.max(0) as u64;
    if count <= n {
        stream_all(&select, &mut pushed)?;
        return Ok(SqliteRead {
            read: TableRead {
                rows_total: count.max(pushed),
                rows_scanned: pushed,
                method: format!("all rows ({pushed} rows)"),
            },
            blob_values: blobs,
        });
    }

    let method;
    if let Some(rowid) = table.rowid {
        // Seeded reservoir over the rowids, then fetch those rows in rowid order.
        let mut reservoir = Reservoir::new(n as usize, seed);
        {
            let mut stmt = conn
                .prepare(&format!("SELECT {rowid} FROM {t}"))
                .map_err(|e| fail("listing rowids", e, 0))?;
            let mut rows = stmt.query([]).map_err(|e| fail("listing rowids", e, 0))?;
            while let Some(row) = rows.next().map_err(|e| fail("listing rowids", e, 0))? {
                let id: i64 = row.get(0).map_err(|e| fail("listing rowids", e, 0))?;
                reservoir.offer(|| id);
            }
        }
        let seen = reservoir.seen();
        let mut ids = reservoir.into_items();
        ids.sort_unstable();
        let cols = if list.is_empty() {
            "1".to_string()
        } else {
            list.join(", ")
        };
        for chunk in ids.chunks(FETCH_CHUNK) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!("SELECT {cols} FROM {t} WHERE {rowid} IN ({marks}) ORDER BY {rowid}");
            let mut stmt = conn
                .prepare_cached(&sql)
                .map_err(|e| fail("reading sampled rows", e, pushed))?;
            let mut rows = stmt
                .query(rusqlite::params_from_iter(chunk.iter()))
                .map_err(|e| fail("reading sampled rows", e, pushed))?;
            while let Some(row) = rows
                .next()
                .map_err(|e| fail("reading sampled rows", e, pushed))?
            {
                push_row(row, 0, width, pushed, &mut pusher, sink, &mut blobs)
                    .map_err(|e| fail("reading sampled rows", e, pushed))?;
                pushed += 1;
            }
        }
        method = format!(
            "reservoir sample of {pushed} of {seen} rowids (seed {seed}), rows fetched by rowid"
        );
    } else {
        // No rowid (WITHOUT ROWID table, view, virtual table): seeded reservoir over rows.
        let mut reservoir: Reservoir<Vec<Owned>> = Reservoir::new(n as usize, seed);
        {
            let mut stmt = conn
                .prepare(&select)
                .map_err(|e| fail("reading rows", e, 0))?;
            let mut rows = stmt.query([]).map_err(|e| fail("reading rows", e, 0))?;
            while let Some(row) = rows.next().map_err(|e| fail("reading rows", e, 0))? {
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
                    return Err(fail("reading rows", e, 0));
                }
            }
        }
        let seen = reservoir.seen();
        let mut buf = String::new();
        for row in reservoir.into_items() {
            for (i, v) in row.iter().enumerate() {
                push_value(
                    v.as_ref(),
                    i,
                    pushed,
                    &mut pusher,
                    sink,
                    &mut blobs,
                    &mut buf,
                );
            }
            sink.rows(1);
            pushed += 1;
        }
        method = format!(
            "reservoir sample of {pushed} of {seen} rows (seed {seed}; the {} has no usable rowid, so every row was read)",
            table.kind
        );
    }
    Ok(SqliteRead {
        read: TableRead {
            rows_total: count,
            rows_scanned: pushed,
            method,
        },
        blob_values: blobs,
    })
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
    fn kinds_follow_declared_types() {
        assert_eq!(kind_of("NVARCHAR(40)"), ColumnKind::Text);
        assert_eq!(kind_of("INTEGER"), ColumnKind::Text);
        assert_eq!(kind_of("DATETIME"), ColumnKind::Text);
        assert_eq!(kind_of(""), ColumnKind::Text);
        assert_eq!(kind_of("json"), ColumnKind::Json);
        assert!(matches!(kind_of("BLOB"), ColumnKind::Skip(_)));
    }
}
