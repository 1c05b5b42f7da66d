//! SQLite lookups for `piimap find`: keys from `pragma_table_info`, indexes from
//! `pragma_index_list`/`pragma_index_info`, foreign keys from `pragma_foreign_key_list`,
//! and one parameterised query per lookup (see [`super::lookup`]).
//!
//! SQLite has no statement timeout: a watchdog thread interrupts a lookup that runs
//! longer than the session's limit, and the interruption is reported as a `timeout`.
//! SQLite's `lower()` folds ASCII only and it has no `regexp_replace`, so its digits
//! predicate drops the usual separators (space, `-`, `.`, `(`, `)`, `+`, `/`) with
//! `replace()`; the caller's verification is the same as for every other kind.

use std::sync::mpsc;
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::lookup::{
    key_in_clauses, placeholders, ForeignKey, IndexForm, IndexedColumn, OnRow, Predicate,
    RowFilter, RowQuery, RowsRead, TableKeys,
};
use super::sqlite::SqliteTable;
use super::{quote_ident, ReadError, Table};

fn catalog_err(what: &str, e: rusqlite::Error) -> ReadError {
    ReadError::new("catalog", format!("{what}: {e}"))
}

fn native(table: &Table) -> Result<&SqliteTable, ReadError> {
    table.native_for::<SqliteTable>("SQLite")
}

/// Keys, indexes and foreign keys of `tables`.
pub(super) fn keys(conn: &Connection, tables: &[&Table]) -> Result<Vec<TableKeys>, ReadError> {
    let mut out = Vec::with_capacity(tables.len());
    let mut raw_fks = Vec::with_capacity(tables.len());
    for t in tables {
        let rel = native(t)?;
        let what = format!("reading the keys of {}", rel.name);
        let mut pk: Vec<(i64, String)> = conn
            .prepare("SELECT pk, name FROM pragma_table_info(?1) WHERE pk > 0")
            .and_then(|mut s| {
                s.query_map([&rel.name], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            })
            .map_err(|e| catalog_err(&what, e))?;
        pk.sort();
        let primary_key: Vec<String> = pk.into_iter().map(|(_, n)| n).collect();
        let mut indexed: Vec<IndexedColumn> = primary_key
            .first()
            .map(|c| IndexedColumn {
                column: c.clone(),
                form: IndexForm::Raw,
                name: "primary key".into(),
            })
            .into_iter()
            .collect();
        let index_names: Vec<String> = conn
            .prepare("SELECT name FROM pragma_index_list(?1) WHERE partial = 0 ORDER BY name")
            .and_then(|mut s| s.query_map([&rel.name], |r| r.get(0))?.collect())
            .map_err(|e| catalog_err(&what, e))?;
        for name in index_names {
            let first: Option<String> = conn
                .query_row(
                    "SELECT name FROM pragma_index_info(?1) WHERE seqno = 0",
                    [&name],
                    |r| r.get(0),
                )
                .unwrap_or(None);
            if let Some(column) = first {
                if !indexed.iter().any(|i| i.column == column) {
                    indexed.push(IndexedColumn {
                        column,
                        form: IndexForm::Raw,
                        name,
                    });
                }
            }
        }
        let fks: Vec<(i64, i64, String, String, Option<String>)> = conn
            .prepare(
                "SELECT id, seq, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
            )
            .and_then(|mut s| {
                s.query_map([&rel.name], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect()
            })
            .map_err(|e| catalog_err(&what, e))?;
        raw_fks.push(fks);
        out.push(TableKeys {
            table: t.qualified.clone(),
            sql_name: quote_ident(&rel.name),
            primary_key,
            row_id: rel.rowid.map(str::to_string),
            indexed,
            foreign_keys: Vec::new(),
        });
    }
    // Foreign keys name their parent as written (any case); a missing `to` means the
    // parent's primary key.
    let parent_keys: Vec<(String, Vec<String>)> = out
        .iter()
        .map(|k| (k.table.clone(), k.primary_key.clone()))
        .collect();
    for (keys, fks) in out.iter_mut().zip(raw_fks) {
        let mut current: Option<(i64, ForeignKey)> = None;
        let mut done = Vec::new();
        for (id, _seq, parent, from, to) in fks {
            let Some((pname, ppk)) = parent_keys
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&parent))
            else {
                continue;
            };
            if current.as_ref().is_some_and(|(i, _)| *i != id) {
                done.extend(current.take().map(|(_, fk)| fk));
            }
            let fk = &mut current
                .get_or_insert_with(|| {
                    (
                        id,
                        ForeignKey {
                            name: format!("{}_fk{id}", keys.table),
                            columns: Vec::new(),
                            references: pname.clone(),
                            referenced: Vec::new(),
                        },
                    )
                })
                .1;
            let at = fk.columns.len();
            fk.columns.push(from);
            fk.referenced
                .push(to.unwrap_or_else(|| ppk.get(at).cloned().unwrap_or_default()));
        }
        done.extend(current.map(|(_, fk)| fk));
        keys.foreign_keys = done
            .into_iter()
            .filter(|fk| fk.referenced.iter().all(|c| !c.is_empty()))
            .collect();
    }
    Ok(out)
}

/// `expr` with the usual phone separators removed.
fn digits_of(expr: &str) -> String {
    let mut e = format!("CAST({expr} AS TEXT)");
    for sep in [" ", "-", ".", "(", ")", "+", "/"] {
        e = format!("replace({e}, '{sep}', '')");
    }
    e
}

/// One query of a lookup (a long `IN` list is cut into several): SQL and parameters.
fn statements(query: &RowQuery<'_>, from: &str, list: &str) -> Vec<(String, Vec<String>)> {
    let limit = query.limit.saturating_add(1);
    let one = |clause: String, params: Vec<String>| {
        (
            format!("SELECT {list} FROM {from} WHERE {clause} LIMIT {limit}"),
            params,
        )
    };
    match &query.filter {
        RowFilter::Match { columns, predicate } => {
            let mut ors = Vec::new();
            let mut params = Vec::new();
            for c in columns {
                let q = quote_ident(c);
                match predicate {
                    Predicate::Equals(v) if !v.is_empty() => {
                        ors.push(format!("{q} IN ({})", placeholders(v.len())));
                        params.extend(v.iter().cloned());
                    }
                    Predicate::Equals(_) => {}
                    Predicate::Lower { values, patterns } => {
                        if !values.is_empty() {
                            ors.push(format!("lower({q}) IN ({})", placeholders(values.len())));
                            params.extend(values.iter().cloned());
                        }
                        for p in patterns {
                            ors.push(format!("lower({q}) LIKE ? ESCAPE '\\'"));
                            params.push(p.clone());
                        }
                    }
                    Predicate::Digits(patterns) => {
                        for p in patterns {
                            ors.push(format!("{} LIKE ?", digits_of(&q)));
                            params.push(p.clone());
                        }
                    }
                    Predicate::All => ors.push("1".into()),
                }
            }
            if ors.is_empty() {
                Vec::new()
            } else {
                vec![one(ors.join(" OR "), params)]
            }
        }
        RowFilter::KeyIn { columns, tuples } => {
            let lhs: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
            key_in_clauses(&lhs, tuples, true)
                .into_iter()
                .map(|(clause, params)| one(clause, params.into_iter().map(String::from).collect()))
                .collect()
        }
    }
}

/// Interrupts `conn` if the returned sender is not dropped within `timeout`.
fn watchdog(conn: &Connection, timeout: Duration) -> mpsc::Sender<()> {
    let (tx, rx) = mpsc::channel::<()>();
    let handle = conn.get_interrupt_handle();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(timeout) {
            handle.interrupt();
        }
    });
    tx
}

/// Runs one lookup under `timeout`.
pub(super) fn lookup(
    conn: &Connection,
    query: &RowQuery<'_>,
    row: &mut OnRow<'_>,
    timeout: Duration,
) -> Result<RowsRead, ReadError> {
    let rel = native(query.table)?;
    let list = query.select_list(quote_ident);
    let mut read = query.rows_read();
    let guard = watchdog(conn, timeout);
    let fail = |e: rusqlite::Error| {
        if matches!(&e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::OperationInterrupted)
        {
            ReadError::new(
                "timeout",
                format!(
                    "the lookup ran longer than the statement timeout ({}s) and was interrupted",
                    timeout.as_secs()
                ),
            )
        } else {
            ReadError::new("query", format!("lookup: {e}"))
        }
    };
    let mut owned: Vec<Option<Vec<u8>>> = Vec::new();
    'statements: for (sql, params) in statements(query, &quote_ident(&rel.name), &list) {
        let mut stmt = conn.prepare(&sql).map_err(fail)?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(fail)?;
        while let Some(r) = rows.next().map_err(fail)? {
            if read.rows >= query.limit {
                read.limited = true;
                break 'statements;
            }
            owned.clear();
            for i in 0..query.select.len() {
                owned.push(match r.get_ref(i).map_err(fail)? {
                    ValueRef::Null => None,
                    ValueRef::Integer(n) => Some(n.to_string().into_bytes()),
                    ValueRef::Real(x) => Some(x.to_string().into_bytes()),
                    ValueRef::Text(t) => Some(t.to_vec()),
                    ValueRef::Blob(b) => Some(b.to_vec()),
                });
            }
            let refs: Vec<Option<&[u8]>> = owned.iter().map(|v| v.as_deref()).collect();
            row(&refs);
            read.rows += 1;
        }
    }
    drop(guard);
    Ok(read)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::source::db::Column;

    fn table(name: &str) -> Table {
        Table {
            qualified: name.into(),
            aliases: vec![name.into()],
            columns: Vec::<Column>::new(),
            native: Arc::new(SqliteTable {
                name: name.into(),
                kind: "table".into(),
                rowid: Some("rowid"),
            }),
        }
    }

    #[test]
    fn keys_and_lookups_on_a_small_database() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE person (id INTEGER PRIMARY KEY, email TEXT, phone TEXT);
             CREATE INDEX person_email ON person (email);
             CREATE TABLE orders (n INTEGER PRIMARY KEY, person INTEGER REFERENCES person, note TEXT);
             INSERT INTO person VALUES (1, 'Ann@Example.com', '+1 (415) 555-0100'), (2, 'bob@example.com', '415.555.0199');
             INSERT INTO orders VALUES (10, 1, 'a'), (11, 1, 'b'), (12, 2, 'c');",
        )
        .unwrap();
        let (person, orders) = (table("person"), table("orders"));
        let k = keys(&conn, &[&person, &orders]).unwrap();
        assert_eq!(k[0].primary_key, ["id"]);
        assert!(k[0].index_on("email").is_some() && k[0].index_on("phone").is_none());
        assert_eq!(
            k[1].foreign_keys,
            [ForeignKey {
                name: "orders_fk0".into(),
                columns: vec!["person".into()],
                references: "person".into(),
                referenced: vec!["id".into()],
            }]
        );
        let run = |q: RowQuery<'_>| {
            let mut got = Vec::new();
            let r = lookup(
                &conn,
                &q,
                &mut |v| {
                    got.push(
                        v.iter()
                            .map(|x| String::from_utf8_lossy(x.unwrap_or_default()).into_owned())
                            .collect::<Vec<_>>(),
                    )
                },
                Duration::from_secs(5),
            )
            .unwrap();
            (r, got)
        };
        let (_, got) = run(RowQuery {
            table: &person,
            select: vec!["id".into()],
            filter: RowFilter::Match {
                columns: vec!["email".into()],
                predicate: Predicate::Lower {
                    values: vec!["ann@example.com".into()],
                    patterns: vec![],
                },
            },
            limit: 10,
        });
        assert_eq!(got, [["1"]]);
        let (_, got) = run(RowQuery {
            table: &person,
            select: vec!["id".into()],
            filter: RowFilter::Match {
                columns: vec!["phone".into()],
                predicate: Predicate::Digits(vec!["%4155550199".into()]),
            },
            limit: 10,
        });
        assert_eq!(got, [["2"]]);
        let (read, got) = run(RowQuery {
            table: &orders,
            select: vec!["n".into()],
            filter: RowFilter::KeyIn {
                columns: vec!["person".into()],
                tuples: vec![vec!["1".into()]],
            },
            limit: 1,
        });
        assert_eq!(got, [["10"]]);
        assert!(read.limited, "two rows matched, the limit was one");
        // Without a primary key, rows are named by their rowid.
        conn.execute_batch(
            "CREATE TABLE loose (email TEXT); INSERT INTO loose VALUES ('a'), ('b'), ('a');",
        )
        .unwrap();
        let loose = table("loose");
        let k = keys(&conn, &[&loose]).unwrap();
        assert_eq!(k[0].row_key(), ["rowid"]);
        let (_, got) = run(RowQuery {
            table: &loose,
            select: k[0].row_key(),
            filter: RowFilter::Match {
                columns: vec!["email".into()],
                predicate: Predicate::Equals(vec!["a".into()]),
            },
            limit: 10,
        });
        assert_eq!(got, [["1"], ["3"]]);
        // A hostile value is a parameter, never SQL.
        let (_, got) = run(RowQuery {
            table: &person,
            select: vec!["id".into()],
            filter: RowFilter::Match {
                columns: vec!["email".into()],
                predicate: Predicate::Equals(vec!["x' OR '1'='1".into()]),
            },
            limit: 10,
        });
        assert!(got.is_empty());
    }
}
