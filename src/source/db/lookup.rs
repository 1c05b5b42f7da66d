//! Looking one person up in a table, for `piimap find` (data subject requests): what a
//! session must tell about a table's keys, and the one parameterised, read-only query
//! shape every kind of database answers.
//!
//! The caller (`crate::find`) decides *what* to compare; a session decides *how* in its
//! own SQL, always with bind parameters (the only text put into SQL is a quoted
//! identifier, see [`super::quote_ident`]) and always under its statement timeout. A
//! timeout is an error of kind `timeout`, never an empty answer. A kind of database
//! without lookups answers [`unsupported`], which the caller reports per asset.
//!
//! The server-side predicates are deliberately *coarse* (a superset of the matches):
//! the caller verifies every returned value with its own normalisation, so PostgreSQL,
//! SQLite and MySQL agree on what a match is.

use super::{ReadError, Table};

/// A table's keys and indexes, and the foreign keys it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableKeys {
    /// The table's qualified name ([`Table::qualified`]).
    pub table: String,
    /// The table's name as this kind of database writes it in SQL (quoted, schema
    /// qualified), for a deletion plan a person reviews and runs.
    pub sql_name: String,
    /// Primary-key columns in order (empty: none).
    pub primary_key: Vec<String>,
    /// A row address usable when there is no primary key (`rowid`, `ctid`), if any.
    pub row_id: Option<String>,
    /// Columns that lead a usable (B-tree) index, and on which form.
    pub indexed: Vec<IndexedColumn>,
    /// Foreign keys of this table (to other tables or itself).
    pub foreign_keys: Vec<ForeignKey>,
}

impl TableKeys {
    /// The columns that name one row: the primary key, else the row address.
    pub fn row_key(&self) -> Vec<String> {
        if self.primary_key.is_empty() {
            self.row_id.iter().cloned().collect()
        } else {
            self.primary_key.clone()
        }
    }

    /// The form an index on `column` compares, if one leads with it.
    pub fn index_on(&self, column: &str) -> Option<&IndexedColumn> {
        self.indexed.iter().find(|i| i.column == column)
    }
}

/// A column an index leads with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedColumn {
    /// The column.
    pub column: String,
    /// The form the index holds.
    pub form: IndexForm,
    /// The index's name, for the method text.
    pub name: String,
}

/// What an index holds of its column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexForm {
    /// The value as stored.
    Raw,
    /// `lower(column)`.
    Lower,
}

/// One foreign key: `columns` of this table reference `referenced` of `references`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKey {
    /// The constraint's name.
    pub name: String,
    /// Referencing columns, in order.
    pub columns: Vec<String>,
    /// The referenced table's qualified name.
    pub references: String,
    /// Referenced columns, in the same order.
    pub referenced: Vec<String>,
}

/// How a looked-up column is compared on the server (a superset of the matches; the
/// caller verifies each value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Predicate {
    /// `column = ANY(values)` on the value as stored: an index on the column is used.
    Equals(Vec<String>),
    /// `lower(column) = ANY(values) OR lower(column) LIKE ANY(patterns)`; patterns
    /// escape `\`, `%` and `_` with a backslash ([`like_escape`]).
    Lower {
        /// Lower-cased values.
        values: Vec<String>,
        /// LIKE patterns over the lower-cased value.
        patterns: Vec<String>,
    },
    /// The column's digits only (separators dropped), `LIKE ANY(patterns)`.
    Digits(Vec<String>),
    /// Every row (the caller compares every value: names, which no server folds).
    All,
}

/// Which rows a lookup returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowFilter {
    /// Rows where any of `columns` satisfies `predicate`.
    Match {
        /// The compared columns.
        columns: Vec<String>,
        /// How they are compared.
        predicate: Predicate,
    },
    /// Rows whose `columns` equal one of `tuples` (a foreign-key hop, or rows fetched
    /// by their key for an export).
    KeyIn {
        /// The compared columns.
        columns: Vec<String>,
        /// The wanted values, one per column each.
        tuples: Vec<Vec<String>>,
    },
}

/// One lookup: which columns of which rows.
#[derive(Clone, Debug)]
pub struct RowQuery<'a> {
    /// The table.
    pub table: &'a Table,
    /// Columns returned, rendered as text, in this order (a column of the table, or the
    /// row address named by [`TableKeys::row_id`]).
    pub select: Vec<String>,
    /// Which rows.
    pub filter: RowFilter,
    /// At most this many rows are returned; more is reported as `limited`.
    pub limit: u64,
}

impl RowQuery<'_> {
    /// How the rows are found, for the method text (the same words for every kind).
    pub fn method(&self) -> String {
        match &self.filter {
            RowFilter::Match { predicate, .. } => match predicate {
                Predicate::Equals(_) => {
                    "equality on the stored value (an index is used when there is one)"
                }
                Predicate::Lower { .. } => "scan comparing the lower-cased value",
                Predicate::Digits(_) => "scan comparing the digits of the value",
                Predicate::All => "scan of every row, compared by piimap",
            },
            RowFilter::KeyIn { .. } => "equality on the key columns",
        }
        .to_string()
    }

    /// The SELECT list: each selected column written by `expr` (quoted, cast to text as
    /// the kind needs), or `1` when only the count of matching rows is wanted.
    pub fn select_list(&self, expr: impl Fn(&str) -> String) -> String {
        if self.select.is_empty() {
            return "1".into();
        }
        let list: Vec<String> = self.select.iter().map(|c| expr(c)).collect();
        list.join(", ")
    }

    /// An empty result, with this query's method text.
    pub fn rows_read(&self) -> RowsRead {
        RowsRead {
            method: self.method(),
            ..RowsRead::default()
        }
    }
}

/// Key tuples bound per statement by the kinds that bind `?` placeholders (a prepared
/// statement takes at most 65,535 values, SQLite's at most 32,766).
pub const KEY_TUPLES_PER_STATEMENT: usize = 500;

/// `?, ?, …` (`n` placeholders).
pub fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The clauses of a [`RowFilter::KeyIn`] for a kind that binds `?` placeholders, one
/// per [`KEY_TUPLES_PER_STATEMENT`] tuples, each with the values it binds in order:
/// `c IN (?, …)` for one key column (`lhs`, quoted), `(a, b) IN (<row list>)` for a
/// composite key, the row list written `VALUES (?, ?), …` when `values_keyword`
/// (SQLite) and `(?, ?), …` otherwise (MySQL). A missing value binds `''`.
pub fn key_in_clauses<'t>(
    lhs: &[String],
    tuples: &'t [Vec<String>],
    values_keyword: bool,
) -> Vec<(String, Vec<&'t str>)> {
    if lhs.is_empty() {
        return Vec::new();
    }
    tuples
        .chunks(KEY_TUPLES_PER_STATEMENT)
        .map(|chunk| {
            let clause = if let [c] = lhs {
                format!("{c} IN ({})", placeholders(chunk.len()))
            } else {
                let row = format!("({})", placeholders(lhs.len()));
                format!(
                    "({}) IN ({}{})",
                    lhs.join(", "),
                    if values_keyword { "VALUES " } else { "" },
                    vec![row; chunk.len()].join(", ")
                )
            };
            let params = chunk
                .iter()
                .flat_map(|t| (0..lhs.len()).map(|i| t.get(i).map_or("", String::as_str)))
                .collect();
            (clause, params)
        })
        .collect()
}

/// What a lookup did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowsRead {
    /// Rows returned.
    pub rows: u64,
    /// More rows matched than the limit: the answer is incomplete.
    pub limited: bool,
    /// How the rows were found, stated plainly (an index, a scan, …).
    pub method: String,
}

/// What a lookup calls with each returned row: the values (as text, `None` for NULL)
/// in [`RowQuery::select`] order.
pub type OnRow<'r> = dyn FnMut(&[Option<&[u8]>]) + 'r;

/// Escapes `\`, `%` and `_` for a LIKE pattern with `\` as the escape character.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The error a kind of database answers for a lookup it does not implement.
pub fn unsupported(what: &str) -> ReadError {
    ReadError::new(
        "unsupported",
        format!("{what} is not implemented for this kind of database"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_their_wildcards() {
        assert_eq!(like_escape("a_b%c\\d"), "a\\_b\\%c\\\\d");
        assert_eq!(like_escape("plain"), "plain");
    }

    #[test]
    fn the_row_key_is_the_primary_key_else_the_row_address() {
        let mut k = TableKeys {
            row_id: Some("rowid".into()),
            ..TableKeys::default()
        };
        assert_eq!(k.row_key(), ["rowid"]);
        k.primary_key = vec!["a".into(), "b".into()];
        assert_eq!(k.row_key(), ["a", "b"]);
    }
}
