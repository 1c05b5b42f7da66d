//! `--plan delete`: a reviewable deletion plan, never executed. For each table, `DELETE`
//! statements keyed by the primary key, in foreign-key order (a referencing table
//! before the table it references), inside a transaction that ends in `ROLLBACK` until
//! a person changes it; the files and lines that hold the person; which data may have
//! to be kept (the manifest's retention, CCPA §1798.105(d)); and which recipients must
//! be told to delete too (CCPA §1798.105(c)).

use std::collections::BTreeSet;

use super::plan::Plan;
use super::report::Report;
use super::{Found, TableRows};

/// Keys per `DELETE` statement.
const PER_STATEMENT: usize = 500;

/// An SQL string literal.
fn literal(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

/// A column name as SQL, quoted the way the table's own name is: backticks when the
/// database writes names so (MySQL), else double quotes (PostgreSQL, SQLite, standard
/// SQL).
fn quoted(c: &str, like: &str) -> String {
    if like.starts_with('`') {
        format!("`{}`", c.replace('`', "``"))
    } else {
        crate::source::db::quote_ident(c)
    }
}

/// Tables in deletion order: every table before the tables its foreign keys reference
/// (children first); a cycle keeps the remaining tables in name order.
fn order(tables: &[TableRows]) -> Vec<&TableRows> {
    let mut left: Vec<&TableRows> = tables.iter().collect();
    let mut out = Vec::new();
    while !left.is_empty() {
        // A table no remaining table references can go now.
        let free = left.iter().position(|t| {
            !left.iter().any(|o| {
                o.asset != t.asset
                    && o.foreign_keys
                        .iter()
                        .any(|fk| fk.references == t.table && same_db(o, t))
            })
        });
        out.push(left.remove(free.unwrap_or(0)));
    }
    out
}

fn same_db(a: &TableRows, b: &TableRows) -> bool {
    a.asset.strip_suffix(&a.table) == b.asset.strip_suffix(&b.table)
}

/// Line numbers as ranges: `1-3, 7`.
fn ranges(lines: &[u64]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while j + 1 < lines.len() && lines[j + 1] == lines[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            lines[i].to_string()
        } else {
            format!("{}-{}", lines[i], lines[j])
        });
        i = j + 1;
    }
    out.join(", ")
}

/// The statements for one table.
fn statements(t: &TableRows, plan: &Plan) -> String {
    let ident = |c: &str| quoted(c, &t.sql_name);
    let mut sql = format!("-- {} ({} row(s))\n", t.asset, t.rows.len());
    if t.key_columns.is_empty() || t.rows.iter().any(|k| k.iter().any(|v| v.starts_with('#'))) {
        sql.push_str("-- no primary key or row address: these rows cannot be addressed; delete them by hand (see report.md)\n\n");
        return sql;
    }
    let personal: Vec<&String> = plan
        .asset(&t.asset)
        .map(|p| {
            t.key_columns
                .iter()
                .filter(|c| {
                    p.types
                        .get(&Some((*c).clone()))
                        .is_some_and(|ts| !ts.is_empty())
                })
                .collect()
        })
        .unwrap_or_default();
    if !personal.is_empty() {
        sql.push_str(&format!(
            "-- the key column(s) {} hold personal data: their values are not written here; fill them in from an export\nDELETE FROM {} WHERE ({}) IN (/* withheld */);\n\n",
            personal.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", "),
            t.sql_name,
            t.key_columns.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", ")
        ));
        return sql;
    }
    if !t.key_is_primary {
        sql.push_str(&format!(
            "-- no primary key: rows are addressed by {}, valid only until a row changes; run right after review\n",
            t.key_columns.join(", ")
        ));
    }
    let keys: Vec<&Vec<String>> = t.rows.iter().collect();
    for chunk in keys.chunks(PER_STATEMENT) {
        let lhs = if t.key_columns.len() == 1 {
            ident(&t.key_columns[0])
        } else {
            format!(
                "({})",
                t.key_columns
                    .iter()
                    .map(|c| ident(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let values: Vec<String> = chunk
            .iter()
            .map(|k| {
                let v: Vec<String> = k.iter().map(|x| literal(x)).collect();
                if v.len() == 1 {
                    v[0].clone()
                } else {
                    format!("({})", v.join(", "))
                }
            })
            .collect();
        sql.push_str(&format!(
            "DELETE FROM {} WHERE {lhs} IN ({});\n",
            t.sql_name,
            values.join(", ")
        ));
    }
    sql.push('\n');
    sql
}

/// The plan as SQL (`deletion-plan.sql`) and as a reviewable document (`deletion-plan.md`).
pub fn plan(found: &Found, report: &Report, plan: &Plan) -> (String, String) {
    let mut sql = String::from(
        "-- Deletion plan written by `piimap find --plan delete`. piimap never runs it.\n\
         -- Review every statement, the retention notes and the recipients in deletion-plan.md,\n\
         -- then replace ROLLBACK with COMMIT. Tables come in foreign-key order (children first).\n\n",
    );
    let ordered = order(&found.tables);
    let mut current_db: Option<&str> = None;
    for t in &ordered {
        let db = t.asset.strip_suffix(&t.table).unwrap_or(&t.asset);
        if current_db != Some(db) {
            if current_db.is_some() {
                sql.push_str("ROLLBACK;\n\n");
            }
            sql.push_str(&format!("-- database {db}\nBEGIN;\n\n"));
            current_db = Some(db);
        }
        sql.push_str(&statements(t, plan));
    }
    if current_db.is_some() {
        sql.push_str("ROLLBACK; -- COMMIT after review\n");
    }
    let mut md = String::from("# Deletion plan (draft, not executed)\n\n");
    md.push_str(&format!(
        "Written {} for identifiers {}. piimap never deletes anything: review, then run \
         `deletion-plan.sql` yourself.\n\n",
        report.generated_at,
        report
            .identifiers
            .iter()
            .map(|i| format!("{} `{}`", i.kind.as_str(), i.masked))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if !report.errors.is_empty() {
        md.push_str(
            "**Incomplete:** some searches failed (see report.md); the plan may miss records.\n\n",
        );
    }
    md.push_str("## Tables (in deletion order)\n\n");
    for t in &ordered {
        md.push_str(&format!(
            "- `{}`: {} row(s), keyed by {}\n",
            t.asset.replace('`', "'"),
            t.rows.len(),
            if t.key_columns.is_empty() {
                "nothing (delete by hand)".to_string()
            } else {
                t.key_columns.join(", ")
            }
        ));
    }
    md.push_str("\n## Files and lines\n\nLog and file lines cannot be deleted by SQL: rewrite or purge these lines (or the files) by hand.\n\n");
    for f in &found.files {
        let more = if f.count > f.lines.len() as u64 {
            format!(" (first {} of {} listed)", f.lines.len(), f.count)
        } else {
            String::new()
        };
        md.push_str(&format!(
            "- `{}`: {} {}: {}{more}\n",
            f.path.display().to_string().replace('`', "'"),
            f.count,
            f.unit,
            ranges(&f.lines)
        ));
    }
    md.push_str("\n## Data that may have to be kept\n\nCCPA §1798.105(d) lets a business keep what it needs (to complete the transaction, security, legal obligations, …). The manifest declares these retention rules for the sources involved:\n\n");
    let mut any = false;
    for s in &report.sources {
        any = true;
        md.push_str(&format!(
            "- {}: {}\n",
            s.name,
            if s.retention.is_empty() {
                "no retention declared"
            } else {
                &s.retention
            }
        ));
    }
    if !any {
        md.push_str("- (no manifest source holds these records, or no manifest was given)\n");
    }
    md.push_str("\n## Recipients to notify (CCPA §1798.105(c))\n\nService providers and contractors must be told to delete the consumer's information; third parties it was sold or shared to must be notified.\n\n");
    let names: BTreeSet<String> = report
        .recipients
        .iter()
        .map(|r| format!("{} ({}, {})", r.name, r.category, r.role))
        .collect();
    if names.is_empty() {
        md.push_str("- (none recorded in the data map)\n");
    }
    for n in names {
        md.push_str(&format!("- {n}\n"));
    }
    (sql, md)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::db::ForeignKey;

    fn rows(table: &str, fks: &[&str]) -> TableRows {
        TableRows {
            asset: format!("sqlite:x.db/{table}"),
            source: None,
            format: String::new(),
            table: table.into(),
            sql_name: format!("\"{table}\""),
            key_columns: vec!["id".into()],
            key_is_primary: true,
            rows: [vec!["1".to_string()], vec!["o'2".to_string()]]
                .into_iter()
                .collect(),
            foreign_keys: fks
                .iter()
                .map(|p| ForeignKey {
                    name: "f".into(),
                    columns: vec!["p".into()],
                    references: p.to_string(),
                    referenced: vec!["id".into()],
                })
                .collect(),
        }
    }

    #[test]
    fn children_are_deleted_before_their_parents() {
        let t = vec![
            rows("customer", &[]),
            rows("payment", &["customer", "rental"]),
            rows("rental", &["customer"]),
        ];
        let names: Vec<&str> = order(&t).iter().map(|t| t.table.as_str()).collect();
        assert_eq!(names, ["payment", "rental", "customer"]);
        let sql = statements(&t[0], &Plan::default());
        assert!(
            sql.contains("DELETE FROM \"customer\" WHERE \"id\" IN ('1', 'o''2');"),
            "{sql}"
        );
        assert_eq!(ranges(&[1, 2, 3, 7, 9, 10]), "1-3, 7, 9-10");
        let mut m = rows("orders", &[]);
        m.sql_name = "`shop`.`orders`".into();
        assert!(
            statements(&m, &Plan::default()).contains("DELETE FROM `shop`.`orders` WHERE `id` IN")
        );
    }
}
