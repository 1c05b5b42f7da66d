//! MySQL and MariaDB lookups for `piimap find`: primary keys and foreign keys from
//! `information_schema.KEY_COLUMN_USAGE`, leading index columns from
//! `information_schema.STATISTICS`, and one prepared, parameterised query per lookup
//! (see [`crate::source::db::lookup`]).
//!
//! Every value is a `?` parameter of a prepared statement; the only text put into SQL
//! is a backtick-quoted identifier ([`quote`]). A lookup runs in `START TRANSACTION
//! READ ONLY` under the session's statement timeout (`max_statement_time` on MariaDB,
//! `max_execution_time` on MySQL), whose error is reported as a `timeout`. Values are
//! returned as `CAST(… AS CHAR)`, so a key read back compares equal when it is looked
//! up again. The `LIKE … ESCAPE '\\'` clause assumes the default `sql_mode` (without
//! `NO_BACKSLASH_ESCAPES`), in which `'\\'` is one backslash.

use std::collections::HashMap;
use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::{Params, Row, Value};

use super::connect::{describe, within, MySession};
use super::{quote, text, MyTable};
use crate::source::db::lookup::{
    key_in_clauses, placeholders, ForeignKey, IndexForm, IndexedColumn, OnRow, Predicate,
    RowFilter, RowQuery, RowsRead, TableKeys,
};
use crate::source::db::{ReadError, Table};

fn native(table: &Table) -> Result<&MyTable, ReadError> {
    table.native_for::<MyTable>("MySQL")
}

/// `(TABLE_SCHEMA, TABLE_NAME) IN ((?, ?), …)` over `tables`, with its parameters.
fn table_filter(tables: &[&MyTable]) -> (String, Vec<Value>) {
    let clause = format!(
        "(TABLE_SCHEMA, TABLE_NAME) IN ({})",
        vec!["(?, ?)"; tables.len()].join(", ")
    );
    let params = tables
        .iter()
        .flat_map(|t| [Value::from(t.schema.as_str()), Value::from(t.name.as_str())])
        .collect();
    (clause, params)
}

/// Tables named per catalog query (two parameters each; a statement takes 65,535).
const TABLES_PER_QUERY: usize = 1000;

/// Runs a catalog query whose `{filter}` names the tables, for every chunk of `tables`.
async fn catalog(
    s: &mut MySession,
    what: &str,
    sql: &str,
    tables: &[&MyTable],
    reply: Duration,
) -> Result<Vec<Row>, ReadError> {
    let mut rows = Vec::new();
    for chunk in tables.chunks(TABLES_PER_QUERY) {
        let (filter, params) = table_filter(chunk);
        let sql = sql.replace("{filter}", &filter);
        rows.extend(
            within(
                reply,
                what,
                s.conn.exec::<Row, _, _>(sql, Params::Positional(params)),
            )
            .await?,
        );
    }
    Ok(rows)
}

/// Keys, indexes and foreign keys of `tables`.
pub(super) async fn keys(
    s: &mut MySession,
    tables: &[&Table],
    reply: Duration,
) -> Result<Vec<TableKeys>, ReadError> {
    let mut at: HashMap<(String, String), usize> = HashMap::new();
    let mut natives = Vec::with_capacity(tables.len());
    let mut out = Vec::with_capacity(tables.len());
    for (i, t) in tables.iter().enumerate() {
        let my = native(t)?;
        at.insert((my.schema.clone(), my.name.clone()), i);
        natives.push(my);
        out.push(TableKeys {
            table: t.qualified.clone(),
            sql_name: my.from_sql(),
            ..TableKeys::default()
        });
    }
    if tables.is_empty() {
        return Ok(out);
    }
    let pk_sql =
        "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE \
         WHERE CONSTRAINT_NAME = 'PRIMARY' AND {filter} \
         ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION";
    let rows = catalog(s, "reading primary keys", pk_sql, &natives, reply).await?;
    for r in rows {
        let (Some(sc), Some(t), Some(c)) = (text(&r, 0), text(&r, 1), text(&r, 2)) else {
            continue;
        };
        if let Some(&i) = at.get(&(sc, t)) {
            out[i].primary_key.push(c);
        }
    }
    // Indexes whose first column is it; FULLTEXT and SPATIAL indexes compare no value.
    let index_sql =
        "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS \
         WHERE SEQ_IN_INDEX = 1 AND INDEX_TYPE NOT IN ('FULLTEXT', 'SPATIAL') \
           AND COLUMN_NAME IS NOT NULL AND {filter} \
         ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME";
    let rows = catalog(s, "reading indexes", index_sql, &natives, reply).await?;
    for r in rows {
        let (Some(sc), Some(t), Some(name), Some(column)) =
            (text(&r, 0), text(&r, 1), text(&r, 2), text(&r, 3))
        else {
            continue;
        };
        if let Some(&i) = at.get(&(sc, t)) {
            if out[i].index_on(&column).is_none() {
                out[i].indexed.push(IndexedColumn {
                    column,
                    form: IndexForm::Raw,
                    name: if name == "PRIMARY" {
                        "primary key".into()
                    } else {
                        name
                    },
                });
            }
        }
    }
    let fk_sql =
        "SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, \
                REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME \
         FROM information_schema.KEY_COLUMN_USAGE \
         WHERE REFERENCED_TABLE_NAME IS NOT NULL AND {filter} \
         ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION";
    let rows = catalog(s, "reading foreign keys", fk_sql, &natives, reply).await?;
    for r in rows {
        let field = |i| text(&r, i);
        let (Some(sc), Some(t), Some(name), Some(col), Some(rsc), Some(rt), Some(rcol)) = (
            field(0),
            field(1),
            field(2),
            field(3),
            field(4),
            field(5),
            field(6),
        ) else {
            continue;
        };
        let Some(&i) = at.get(&(sc, t)) else {
            continue;
        };
        // Spelled as the referenced table's `Table::qualified` (`schema.table`).
        let references = match at.get(&(rsc.clone(), rt.clone())) {
            Some(&j) => out[j].table.clone(),
            None => format!("{rsc}.{rt}"),
        };
        let fks = &mut out[i].foreign_keys;
        match fks.last_mut() {
            Some(fk) if fk.name == name && fk.references == references => {
                fk.columns.push(col);
                fk.referenced.push(rcol);
            }
            _ => fks.push(ForeignKey {
                name,
                columns: vec![col],
                references,
                referenced: vec![rcol],
            }),
        }
    }
    Ok(out)
}

/// The WHERE clause of a lookup and its parameters, one per statement (a long key
/// list is cut into several); empty when no value can match (nothing is asked).
fn statements(query: &RowQuery<'_>) -> Vec<(Option<String>, Vec<Value>)> {
    let text_of = |c: &str| format!("CAST({} AS CHAR)", quote(c));
    match &query.filter {
        RowFilter::Match { columns, predicate } => {
            let mut ors = Vec::new();
            let mut params: Vec<Value> = Vec::new();
            for c in columns {
                let q = quote(c);
                match predicate {
                    Predicate::Equals(v) if !v.is_empty() => {
                        ors.push(format!("{q} IN ({})", placeholders(v.len())));
                        params.extend(v.iter().map(|x| Value::from(x.as_str())));
                    }
                    Predicate::Equals(_) => {}
                    Predicate::Lower { values, patterns } => {
                        let lower = format!("LOWER({})", text_of(c));
                        if !values.is_empty() {
                            ors.push(format!("{lower} IN ({})", placeholders(values.len())));
                            params.extend(values.iter().map(|x| Value::from(x.as_str())));
                        }
                        for p in patterns {
                            ors.push(format!("{lower} LIKE ? ESCAPE '\\\\'"));
                            params.push(Value::from(p.as_str()));
                        }
                    }
                    Predicate::Digits(patterns) => {
                        for p in patterns {
                            ors.push(format!(
                                "REGEXP_REPLACE({}, '[^0-9]', '') LIKE ?",
                                text_of(c)
                            ));
                            params.push(Value::from(p.as_str()));
                        }
                    }
                    Predicate::All => return vec![(None, Vec::new())],
                }
            }
            if ors.is_empty() {
                Vec::new()
            } else {
                vec![(Some(ors.join(" OR ")), params)]
            }
        }
        RowFilter::KeyIn { columns, tuples } => {
            let lhs: Vec<String> = columns.iter().map(|c| quote(c)).collect();
            key_in_clauses(&lhs, tuples, false)
                .into_iter()
                .map(|(clause, params)| {
                    (Some(clause), params.into_iter().map(Value::from).collect())
                })
                .collect()
        }
    }
}

/// A returned value as text (the values are `CAST(… AS CHAR)`, so bytes).
fn value_text(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::NULL => None,
        Value::Bytes(b) => Some(b.clone()),
        other => Some(other.as_sql(true).trim_matches('\'').as_bytes().to_vec()),
    }
}

/// Runs one lookup inside a read-only transaction.
pub(super) async fn lookup(
    s: &mut MySession,
    query: &RowQuery<'_>,
    row: &mut OnRow<'_>,
    reply: Duration,
) -> Result<RowsRead, ReadError> {
    let my = native(query.table)?;
    let mut read = query.rows_read();
    let parts = statements(query);
    if parts.is_empty() {
        return Ok(read);
    }
    let list = query.select_list(|c| format!("CAST({} AS CHAR)", quote(c)));
    within(
        reply,
        "starting a read-only transaction",
        s.conn.query_drop("START TRANSACTION READ ONLY"),
    )
    .await?;
    let result = run(
        s,
        query,
        &my.from_sql(),
        &list,
        parts,
        row,
        &mut read,
        reply,
    )
    .await;
    if !result.as_ref().is_err_and(|e| e.connection_lost) {
        let _ = within(
            reply,
            "ending the transaction",
            s.conn.query_drop("ROLLBACK"),
        )
        .await;
    }
    result.map(|()| read)
}

/// Runs the statements of a lookup, streaming rows to `row` (at most `limit`).
#[allow(clippy::too_many_arguments)]
async fn run(
    s: &mut MySession,
    query: &RowQuery<'_>,
    from: &str,
    list: &str,
    parts: Vec<(Option<String>, Vec<Value>)>,
    row: &mut OnRow<'_>,
    read: &mut RowsRead,
    reply: Duration,
) -> Result<(), ReadError> {
    let limit = query.limit.saturating_add(1);
    let mut owned: Vec<Option<Vec<u8>>> = Vec::new();
    for (clause, params) in parts {
        let sql = match clause {
            Some(c) => format!("SELECT {list} FROM {from} WHERE {c} LIMIT {limit}"),
            None => format!("SELECT {list} FROM {from} LIMIT {limit}"),
        };
        let params = if params.is_empty() {
            Params::Empty
        } else {
            Params::Positional(params)
        };
        let mut result = within(reply, "running the lookup", s.conn.exec_iter(sql, params)).await?;
        loop {
            let next = match tokio::time::timeout(reply, result.next()).await {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => {
                    let (kind, message, lost) = describe(&e);
                    return Err(ReadError {
                        kind,
                        message: format!("reading rows: {message}"),
                        connection_lost: lost,
                        rows_scanned: read.rows,
                    });
                }
                Err(_) => {
                    return Err(ReadError {
                        kind: "timeout",
                        message: format!(
                            "reading rows: no row from the server within {}s",
                            reply.as_secs()
                        ),
                        connection_lost: true,
                        rows_scanned: read.rows,
                    })
                }
            };
            let Some(r) = next else { break };
            if read.rows >= query.limit {
                read.limited = true;
                // The rest of the result is drained so the connection stays usable.
                continue;
            }
            owned.clear();
            for i in 0..query.select.len() {
                owned.push(r.as_ref(i).and_then(value_text));
            }
            let refs: Vec<Option<&[u8]>> = owned.iter().map(|v| v.as_deref()).collect();
            row(&refs);
            read.rows += 1;
        }
        if read.limited {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::source::db::lookup::KEY_TUPLES_PER_STATEMENT;

    fn table() -> Table {
        Table {
            qualified: "db.t".into(),
            aliases: vec!["db.t".into()],
            columns: Vec::new(),
            native: Arc::new(MyTable {
                schema: "db".into(),
                name: "t".into(),
                view: false,
                rows_estimate: 0,
                key: Vec::new(),
                int_key: false,
            }),
        }
    }

    #[test]
    fn values_are_parameters_and_names_are_quoted() {
        let t = table();
        let q = RowQuery {
            table: &t,
            select: vec!["id".into()],
            filter: RowFilter::Match {
                columns: vec!["e`x".into()],
                predicate: Predicate::Lower {
                    values: vec!["x' OR '1'='1".into()],
                    patterns: vec!["%a\\_b".into()],
                },
            },
            limit: 10,
        };
        let s = statements(&q);
        let (clause, params) = &s[0];
        let clause = clause.as_deref().unwrap();
        assert_eq!(
            clause,
            "LOWER(CAST(`e``x` AS CHAR)) IN (?) OR LOWER(CAST(`e``x` AS CHAR)) LIKE ? ESCAPE '\\\\'"
        );
        assert!(!clause.contains("OR '1'"));
        assert_eq!(params.len(), 2);
        let q = RowQuery {
            filter: RowFilter::KeyIn {
                columns: vec!["a".into(), "b".into()],
                tuples: vec![vec!["1".into(), "2".into()]; KEY_TUPLES_PER_STATEMENT + 1],
            },
            ..q
        };
        let s = statements(&q);
        assert_eq!(s.len(), 2, "a long key list is cut into statements");
        assert!(s[1].0.as_deref() == Some("(`a`, `b`) IN ((?, ?))"));
        assert_eq!(s[0].1.len(), KEY_TUPLES_PER_STATEMENT * 2);
    }
}
