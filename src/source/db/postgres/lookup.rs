//! PostgreSQL lookups for `piimap find`: keys, indexes and foreign keys from
//! `pg_catalog`, and one parameterised query per lookup (see [`crate::source::db::lookup`]).
//!
//! Partitions are folded into their root: a foreign key or an index declared on every
//! partition of pagila's `payment` counts for `payment`, the one asset a scan reports.
//! Values are compared in the column's own type when it is a built-in scalar type (so a
//! B-tree index on an `int4` or `varchar` column is used), else as text. Rows are
//! streamed through a cursor of a read-only transaction, at most `limit + 1` of them.

use std::collections::HashMap;
use std::time::Duration;

use tokio_postgres::types::ToSql;

use super::{within, PgTable, Raw, Session, BATCH_ROWS};
use crate::source::db::lookup::{
    ForeignKey, IndexForm, IndexedColumn, OnRow, Predicate, RowFilter, RowQuery, RowsRead,
    TableKeys,
};
use crate::source::db::{quote_ident, ColumnKind, ReadError, Table};

/// Built-in scalar types compared in their own type (so their indexes are used).
const TYPED: &[&str] = &[
    "text", "varchar", "bpchar", "int2", "int4", "int8", "numeric", "uuid",
];

fn native(table: &Table) -> Result<&PgTable, ReadError> {
    table.native_for::<PgTable>("PostgreSQL")
}

/// Keys, indexes and foreign keys of `tables`.
pub(super) async fn keys(
    session: &Session,
    tables: &[&Table],
    reply: Duration,
) -> Result<Vec<TableKeys>, ReadError> {
    let mut by_oid: HashMap<u32, usize> = HashMap::new();
    let mut out = Vec::with_capacity(tables.len());
    for (i, t) in tables.iter().enumerate() {
        let rel = native(t)?;
        by_oid.insert(rel.oid, i);
        out.push(TableKeys {
            table: t.qualified.clone(),
            sql_name: format!("{}.{}", quote_ident(&rel.schema), quote_ident(&rel.name)),
            row_id: matches!(rel.relkind, 'r' | 'p' | 'm').then(|| "ctid".to_string()),
            ..TableKeys::default()
        });
    }
    let oids: Vec<u32> = by_oid.keys().copied().collect();
    let root: fn(&str) -> String = if session.server_version >= 120_000 {
        |col: &str| format!("coalesce(pg_partition_root({col})::oid, {col})")
    } else {
        |col: &str| col.to_string()
    };
    let columns = |rel: &str, nums: &str| {
        format!(
            "array(SELECT a.attname::text FROM unnest({nums}) WITH ORDINALITY k(n, o) \
             JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.n ORDER BY k.o)"
        )
    };
    let index_sql = format!(
        "SELECT {root} AS rel, c.relname::text, i.indisprimary, {cols}, \
                coalesce(pg_get_indexdef(i.indexrelid, 1, true), '') \
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam \
         WHERE am.amname = 'btree' AND i.indisvalid AND {root} = ANY($1) ORDER BY c.relname",
        root = root("i.indrelid"),
        cols = columns("i.indrelid", "i.indkey::int2[]"),
    );
    let rows = within(
        reply,
        "reading indexes",
        session.client.query(&index_sql, &[&oids]),
    )
    .await?;
    for r in rows {
        let Some(&i) = by_oid.get(&r.get::<_, u32>(0)) else {
            continue;
        };
        let name: String = r.get(1);
        let cols: Vec<String> = r.get(3);
        if r.get::<_, bool>(2) && out[i].primary_key.is_empty() {
            out[i].primary_key = cols.clone();
        }
        let first: String = r.get(4);
        if let Some((column, form)) = index_column(&first) {
            if out[i].index_on(&column).is_none() {
                out[i].indexed.push(IndexedColumn { column, form, name });
            }
        }
    }
    let fk_sql = format!(
        "SELECT con.conname::text, {child}, {parent}, {cols}, {refs} FROM pg_constraint con \
         WHERE con.contype = 'f' AND {child} = ANY($1) ORDER BY con.conname",
        child = root("con.conrelid"),
        parent = root("con.confrelid"),
        cols = columns("con.conrelid", "con.conkey"),
        refs = columns("con.confrelid", "con.confkey"),
    );
    let rows = within(
        reply,
        "reading foreign keys",
        session.client.query(&fk_sql, &[&oids]),
    )
    .await?;
    let names: HashMap<u32, String> = tables
        .iter()
        .filter_map(|t| Some((native(t).ok()?.oid, t.qualified.clone())))
        .collect();
    for r in rows {
        let (Some(&i), Some(references)) = (
            by_oid.get(&r.get::<_, u32>(1)),
            names.get(&r.get::<_, u32>(2)),
        ) else {
            continue;
        };
        let fk = ForeignKey {
            name: r.get(0),
            columns: r.get(3),
            references: references.clone(),
            referenced: r.get(4),
        };
        // One constraint per partition: keep one per shape.
        let same = |k: &ForeignKey| {
            k.columns == fk.columns
                && k.references == fk.references
                && k.referenced == fk.referenced
        };
        if !out[i].foreign_keys.iter().any(same) {
            out[i].foreign_keys.push(fk);
        }
    }
    Ok(out)
}

/// The column an index's first key is on, and its form: `email` or `"E-mail"` (raw),
/// `lower(email)` or `lower((email)::text)` (lower-cased); other expressions: none.
fn index_column(def: &str) -> Option<(String, IndexForm)> {
    let unquote = |s: &str| -> Option<String> {
        let s = s.trim();
        let s = s
            .strip_prefix('(')
            .and_then(|x| x.split_once(")::"))
            .map_or(s, |(inner, _)| inner)
            .trim();
        if let Some(q) = s.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
            return Some(q.replace("\"\"", "\""));
        }
        let plain = s
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
        (plain && !s.is_empty()).then(|| s.to_string())
    };
    if let Some(inner) = def.strip_prefix("lower(").and_then(|x| x.strip_suffix(')')) {
        return unquote(inner).map(|c| (c, IndexForm::Lower));
    }
    unquote(def).map(|c| (c, IndexForm::Raw))
}

/// The SQL a column is compared as, with the values it can take (a value an `int4`
/// cannot hold matches no row and is dropped before it could fail the query).
fn typed(table: &Table, column: &str) -> (String, Option<&'static str>) {
    let ty = table
        .columns
        .iter()
        .find(|c| c.name == column)
        .and_then(|c| TYPED.iter().find(|t| **t == c.type_name).copied());
    match ty {
        Some(t) => (quote_ident(column), Some(t)),
        None => (select_expr(table, column), None),
    }
}

fn fits(ty: Option<&str>, value: &str) -> bool {
    match ty {
        Some("int2") => value.parse::<i16>().is_ok(),
        Some("int4") => value.parse::<i32>().is_ok(),
        Some("int8") => value.parse::<i64>().is_ok(),
        Some("numeric") => value.parse::<f64>().is_ok_and(f64::is_finite),
        Some("uuid") => {
            let hex: String = value.chars().filter(|c| *c != '-').collect();
            hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit())
        }
        _ => true,
    }
}

/// `expr = ANY($n)` in the column's type.
fn any_of(expr: &str, ty: Option<&str>, n: usize) -> String {
    match ty {
        Some(t) => format!(
            "{expr} = ANY((${n}::text[])::pg_catalog.{}[])",
            quote_ident(t)
        ),
        None => format!("{expr} = ANY(${n}::text[])"),
    }
}

/// The WHERE clause of a lookup and its parameters (text arrays), or `None` when no
/// value can match (nothing is asked).
fn where_clause(query: &RowQuery<'_>) -> Option<(String, Vec<Vec<String>>)> {
    let table = query.table;
    let mut params: Vec<Vec<String>> = Vec::new();
    let mut param = |values: Vec<String>| {
        params.push(values);
        params.len()
    };
    let sql = match &query.filter {
        RowFilter::Match { columns, predicate } => {
            let mut ors = Vec::new();
            for c in columns {
                let text = select_expr(table, c);
                match predicate {
                    Predicate::Equals(values) => {
                        let (expr, ty) = typed(table, c);
                        let v: Vec<String> =
                            values.iter().filter(|v| fits(ty, v)).cloned().collect();
                        if !v.is_empty() {
                            ors.push(any_of(&expr, ty, param(v)));
                        }
                    }
                    Predicate::Lower { values, patterns } => {
                        if !values.is_empty() {
                            ors.push(format!(
                                "lower({text}) = ANY(${}::text[])",
                                param(values.clone())
                            ));
                        }
                        if !patterns.is_empty() {
                            ors.push(format!(
                                "lower({text}) LIKE ANY(${}::text[])",
                                param(patterns.clone())
                            ));
                        }
                    }
                    Predicate::Digits(patterns) => ors.push(format!(
                        "regexp_replace({text}, '[^0-9]+', '', 'g') LIKE ANY(${}::text[])",
                        param(patterns.clone())
                    )),
                    Predicate::All => ors.push("true".into()),
                }
            }
            if ors.is_empty() {
                return None;
            }
            ors.join(" OR ")
        }
        RowFilter::KeyIn { columns, tuples } => {
            if tuples.is_empty() || columns.is_empty() {
                return None;
            }
            if let [c] = &columns[..] {
                let (expr, ty) = typed(table, c);
                let v: Vec<String> = tuples
                    .iter()
                    .filter_map(|t| t.first())
                    .filter(|v| fits(ty, v))
                    .cloned()
                    .collect();
                if v.is_empty() {
                    return None;
                }
                any_of(&expr, ty, param(v))
            } else {
                // A composite key: `(a, b) IN (SELECT * FROM unnest($1, $2))`, as text.
                let lhs: Vec<String> = columns
                    .iter()
                    .map(|c| format!("{}::text", quote_ident(c)))
                    .collect();
                let arrays: Vec<String> = (0..columns.len())
                    .map(|i| {
                        let n = param(
                            tuples
                                .iter()
                                .map(|t| t.get(i).cloned().unwrap_or_default())
                                .collect(),
                        );
                        format!("${n}::text[]")
                    })
                    .collect();
                format!(
                    "({}) IN (SELECT * FROM unnest({}))",
                    lhs.join(", "),
                    arrays.join(", ")
                )
            }
        }
    };
    Some((sql, params))
}

/// The text expression that selects `name` in full (a timestamp with its time, so a
/// key compares equal): `col::text`, except for addresses (`host(inet)`, not
/// `1.2.3.4/32`) and arrays (elements joined, as a scan reads them).
fn select_expr(table: &Table, name: &str) -> String {
    match table.columns.iter().find(|c| c.name == name) {
        Some(c)
            if !c.expr.is_empty()
                && (c.kind == ColumnKind::Elements
                    || matches!(c.type_name.as_str(), "inet" | "cidr")) =>
        {
            c.expr.clone()
        }
        _ => format!("{}::text", quote_ident(name)),
    }
}

/// Runs one lookup, streaming the rows through a cursor.
pub(super) async fn lookup(
    session: &mut Session,
    query: &RowQuery<'_>,
    row: &mut OnRow<'_>,
    reply: Duration,
) -> Result<RowsRead, ReadError> {
    let rel = native(query.table)?;
    let mut read = query.rows_read();
    let Some((clause, params)) = where_clause(query) else {
        return Ok(read);
    };
    let sql = format!(
        "SELECT {} FROM {} WHERE {clause} LIMIT {}",
        query.select_list(|c| select_expr(query.table, c)),
        rel.relation_sql(),
        query.limit.saturating_add(1)
    );
    let tx = within(
        reply,
        "starting a read-only transaction",
        session.client.build_transaction().read_only(true).start(),
    )
    .await?;
    let stmt = within(reply, "preparing the lookup", tx.prepare(&sql)).await?;
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
    let portal = within(reply, "running the lookup", tx.bind(&stmt, &refs)).await?;
    loop {
        let batch = within(reply, "reading rows", tx.query_portal(&portal, BATCH_ROWS)).await?;
        let more = batch.len() >= BATCH_ROWS as usize;
        let mut values: Vec<Option<&[u8]>> = Vec::with_capacity(query.select.len().max(1));
        for r in &batch {
            if read.rows >= query.limit {
                read.limited = true;
                break;
            }
            values.clear();
            for i in 0..r.len() {
                let v: Option<Raw<'_>> = r.try_get(i).unwrap_or(None);
                values.push(v.map(|x| x.0));
            }
            row(&values);
            read.rows += 1;
        }
        if !more || read.limited {
            break;
        }
    }
    let _ = within(reply, "ending the transaction", tx.rollback()).await;
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_definitions_name_their_column_and_form() {
        assert_eq!(
            index_column("email"),
            Some(("email".into(), IndexForm::Raw))
        );
        assert_eq!(
            index_column("\"E-mail \"\"x\"\"\""),
            Some(("E-mail \"x\"".into(), IndexForm::Raw))
        );
        assert_eq!(
            index_column("lower(email)"),
            Some(("email".into(), IndexForm::Lower))
        );
        assert_eq!(
            index_column("lower((email)::text)"),
            Some(("email".into(), IndexForm::Lower))
        );
        assert_eq!(index_column("(a + b)"), None);
        assert_eq!(index_column("upper(email)"), None);
    }

    #[test]
    fn values_a_typed_column_cannot_hold_are_dropped() {
        assert!(fits(Some("int4"), "42") && !fits(Some("int4"), "4x"));
        assert!(!fits(Some("int2"), "70000"));
        assert!(fits(Some("uuid"), "123e4567-e89b-12d3-a456-426614174000"));
        assert!(!fits(Some("uuid"), "nope"));
        assert!(fits(None, "anything"));
        assert_eq!(
            any_of("\"id\"", Some("int4"), 2),
            "\"id\" = ANY(($2::text[])::pg_catalog.\"int4\"[])"
        );
    }
}
