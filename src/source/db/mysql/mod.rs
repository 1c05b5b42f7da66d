//! MySQL and MariaDB, read-only, with mysql_async (`mysql://` and `mariadb://`).
//!
//! * Every session is made safe right after connecting ([`connect`]): `SET SESSION
//!   TRANSACTION READ ONLY`, `max_statement_time` (MariaDB) or `max_execution_time`
//!   (MySQL), `lock_wait_timeout` and `innodb_lock_wait_timeout` (shorter, so a lock wait
//!   is reported as one), `SET NAMES utf8mb4` (the server converts every text column from
//!   its own charset) and UTC. Every read runs in `START TRANSACTION READ ONLY`; piimap
//!   never writes. Every identifier is quoted with backticks ([`quote`]), and every
//!   string literal piimap builds is a hex literal, so no name is ever SQL.
//! * Tables come from `information_schema` (the URL's database, or every schema but
//!   `mysql`, `sys`, `information_schema` and `performance_schema`): base tables, and
//!   with `--views` views; columns with their types and comments (name hints), primary
//!   keys and row estimates (`TABLES.TABLE_ROWS`).
//! * Types: text columns as text; BLOB/BINARY read as text when their bytes are UTF-8 or
//!   printable Latin-1, binary values counted and recorded; JSON (MySQL's type, or
//!   MariaDB's `LONGTEXT CHECK (json_valid(…))`) flattened like PostgreSQL's jsonb; ENUM as
//!   text and SET as its members; numbers as text (SSNs and card numbers stored as
//!   numbers are found); dates and datetimes as `YYYY-MM-DD`; spatial types, TIME and BIT
//!   skipped with the reason.
//! * Rows ([`read`]): small tables are read whole; a big table with an integer primary
//!   key is sampled as short primary-key ranges whose starts are drawn with the seed
//!   (index seeks, no full scan); other big tables are ordered by a seeded CRC32 of their
//!   key over one scan. `--full` streams every row with bounded memory.
//! * Incremental runs: a table's fingerprint is its columns, `UPDATE_TIME`, row estimate,
//!   data length and live checksum; a table written to in the last seconds, or whose
//!   `UPDATE_TIME` the engine does not keep, is always read again.
//!
//! Driver: mysql_async with rustls (ring) and no default features builds 23 crates on
//! top of what piimap already has; sqlx with only its mysql feature builds about 40
//! (sqlx-core, futures-intrusive, an RSA stack, …). mysql_async is the smaller build.

mod connect;
mod lookup;
mod read;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::Row;

use connect::within;
pub use connect::{parse, Connector, MySession, MyUrl, SessionSettings, SslMode};

use super::{
    Column, ColumnKind, Database, Fingerprint, Limits, ReadError, Table, TableRead, TableRequest,
};

/// Schemas that hold the server's own data, never scanned.
const SYSTEM_SCHEMAS: &str = "'mysql','information_schema','performance_schema','sys'";

/// Quotes a MySQL identifier: wraps it in backticks and doubles any embedded backtick,
/// so any name (quotes, spaces, dots, unicode, `` x`; DROP TABLE y; -- ``) is one
/// identifier and never SQL.
pub fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A string literal that no `sql_mode` can reinterpret: the UTF-8 bytes in hex.
pub fn literal(s: &str) -> String {
    if s.is_empty() {
        return "''".into();
    }
    let hex: String = s.bytes().map(|b| format!("{b:02X}")).collect();
    format!("CONVERT(X'{hex}' USING utf8mb4)")
}

/// A table (or view) to scan.
#[derive(Clone, Debug)]
pub struct MyTable {
    /// Schema (database).
    pub schema: String,
    /// Name.
    pub name: String,
    /// A view (no key, no sampling: the first rows it returns).
    pub view: bool,
    /// `TABLES.TABLE_ROWS` (an estimate for InnoDB).
    pub rows_estimate: u64,
    /// The primary key's columns, in order (empty: none).
    pub key: Vec<String>,
    /// Whether the key's first column is an integer (its ranges can be sampled).
    pub int_key: bool,
}

impl MyTable {
    /// `schema.table`, for globs and asset ids.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    /// The table in SQL: `` `schema`.`table` ``.
    pub fn from_sql(&self) -> String {
        format!("{}.{}", quote(&self.schema), quote(&self.name))
    }
}

/// Whether a declared type holds bytes without a charset (read as text when they are).
pub fn is_binary_type(column_type: &str) -> bool {
    let t = column_type.to_ascii_lowercase();
    t.contains("blob") || t.starts_with("binary") || t.starts_with("varbinary")
}

fn is_integer(data_type: &str) -> bool {
    matches!(
        data_type,
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint"
    )
}

/// The column's examination kind and its SELECT expression, from
/// `information_schema.COLUMNS.DATA_TYPE` (and whether a `json_valid` check names it).
pub fn column_plan(name: &str, data_type: &str, json_checked: bool) -> (ColumnKind, String) {
    let q = quote(name);
    let text = (ColumnKind::Text, q.clone());
    match data_type {
        "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" if json_checked => {
            (ColumnKind::Json, q)
        }
        "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" => text,
        "json" => (ColumnKind::Json, q),
        "enum" | "uuid" | "inet4" | "inet6" | "date" | "year" => text,
        "set" => (
            ColumnKind::Elements,
            format!("REPLACE({q}, ',', CHAR(31 USING utf8mb4))"),
        ),
        t if is_integer(t) => text,
        "decimal" | "numeric" | "float" | "double" | "real" => text,
        "datetime" | "timestamp" => (ColumnKind::Text, format!("DATE_FORMAT({q}, '%Y-%m-%d')")),
        // Bytes without a charset: read a bounded prefix, examined when it is text.
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => (
            ColumnKind::Text,
            format!("LEFT({q}, {})", read::BLOB_PREFIX),
        ),
        "geometry" | "point" | "linestring" | "polygon" | "multipoint" | "multilinestring"
        | "multipolygon" | "geometrycollection" | "geomcollection" => (
            ColumnKind::Skip(format!(
                "{data_type}: spatial data is not examined (a location is recorded by the \
                 address columns beside it)"
            )),
            String::new(),
        ),
        "time" => (
            ColumnKind::Skip("time: time of day or duration, no personal data shape".into()),
            String::new(),
        ),
        "bit" => (
            ColumnKind::Skip("bit: flags, no personal data shape".into()),
            String::new(),
        ),
        other => (
            ColumnKind::Skip(format!("{other}: type not examined")),
            String::new(),
        ),
    }
}

fn text(row: &Row, i: usize) -> Option<String> {
    match row.as_ref(i)? {
        mysql_async::Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        mysql_async::Value::NULL => None,
        v => Some(v.as_sql(true).trim_matches('\'').to_string()),
    }
}

fn schema_filter(column: &str, dbname: Option<&str>) -> String {
    match dbname {
        Some(db) => format!("{column} = {}", literal(db)),
        None => format!("{column} NOT IN ({SYSTEM_SCHEMAS})"),
    }
}

/// The name of the column a `json_valid(`col`)` check constraint names.
fn json_checked_column(clause: &str) -> Option<String> {
    let inner = clause
        .trim()
        .strip_prefix("json_valid(")?
        .strip_suffix(')')?
        .trim();
    let name = inner.strip_prefix('`')?.strip_suffix('`')?;
    Some(name.replace("``", "`"))
}

/// The tables (with `views`, also views) of the URL's schema, or of every non-system
/// schema, with their columns, keys and row estimates.
async fn discover(
    s: &mut MySession,
    dbname: Option<&str>,
    views: bool,
    reply: Duration,
) -> Result<Vec<Table>, ReadError> {
    let types = if views {
        "'BASE TABLE','SYSTEM VERSIONED','VIEW'"
    } else {
        "'BASE TABLE','SYSTEM VERSIONED'"
    };
    let sql = format!(
        "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, TABLE_ROWS FROM information_schema.TABLES \
         WHERE {} AND TABLE_TYPE IN ({types}) ORDER BY TABLE_SCHEMA, TABLE_NAME",
        schema_filter("TABLE_SCHEMA", dbname)
    );
    let rows: Vec<Row> = within(reply, "listing tables", s.conn.query(sql)).await?;
    let mut tables: Vec<MyTable> = rows
        .iter()
        .map(|r| MyTable {
            schema: text(r, 0).unwrap_or_default(),
            name: text(r, 1).unwrap_or_default(),
            view: text(r, 2).as_deref() == Some("VIEW"),
            rows_estimate: text(r, 3).and_then(|v| v.parse().ok()).unwrap_or(0),
            key: Vec::new(),
            int_key: false,
        })
        .collect();
    let index: HashMap<(String, String), usize> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| ((t.schema.clone(), t.name.clone()), i))
        .collect();

    // MariaDB's JSON is LONGTEXT with a json_valid() check; MySQL has a JSON type. An old
    // server without CHECK_CONSTRAINTS simply has no such checks.
    let checks_sql = format!(
        "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS \
         WHERE {} AND CHECK_CLAUSE LIKE 'json\\_valid(%'",
        schema_filter("CONSTRAINT_SCHEMA", dbname)
    );
    let mut json_checked: std::collections::HashSet<(String, String, String)> = Default::default();
    if let Ok(rows) = within(reply, "listing checks", s.conn.query::<Row, _>(checks_sql)).await {
        for r in rows {
            if let (Some(sc), Some(t), Some(c)) = (text(&r, 0), text(&r, 1), text(&r, 2)) {
                if let Some(col) = json_checked_column(&c) {
                    json_checked.insert((sc, t, col));
                }
            }
        }
    }

    let keys_sql = format!(
        "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS \
         WHERE {} AND INDEX_NAME = 'PRIMARY' ORDER BY TABLE_SCHEMA, TABLE_NAME, SEQ_IN_INDEX",
        schema_filter("TABLE_SCHEMA", dbname)
    );
    for r in within(
        reply,
        "listing primary keys",
        s.conn.query::<Row, _>(keys_sql),
    )
    .await?
    {
        let (Some(sc), Some(t), Some(c)) = (text(&r, 0), text(&r, 1), text(&r, 2)) else {
            continue;
        };
        if let Some(&i) = index.get(&(sc, t)) {
            tables[i].key.push(c);
        }
    }

    let columns_sql = format!(
        "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, COLUMN_COMMENT \
         FROM information_schema.COLUMNS WHERE {} ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
        schema_filter("TABLE_SCHEMA", dbname)
    );
    let rows: Vec<Row> = within(reply, "listing columns", s.conn.query(columns_sql)).await?;
    let mut columns: Vec<Vec<Column>> = vec![Vec::new(); tables.len()];
    for r in rows {
        let (Some(sc), Some(t), Some(name)) = (text(&r, 0), text(&r, 1), text(&r, 2)) else {
            continue;
        };
        let Some(&ti) = index.get(&(sc.clone(), t.clone())) else {
            continue;
        };
        let data_type = text(&r, 3).unwrap_or_default().to_ascii_lowercase();
        let column_type = text(&r, 4).unwrap_or_else(|| data_type.clone());
        let comment = text(&r, 5).filter(|c| !c.trim().is_empty());
        let checked = json_checked.contains(&(sc, t, name.clone()));
        let (kind, expr) = column_plan(&name, &data_type, checked);
        if tables[ti].key.first() == Some(&name) && is_integer(&data_type) {
            tables[ti].int_key = true;
        }
        columns[ti].push(Column {
            name,
            type_name: if checked { "json".into() } else { column_type },
            kind,
            comment: comment.map(|c| c.chars().take(300).collect()),
            expr,
        });
    }
    let single = dbname.is_some();
    Ok(tables
        .into_iter()
        .zip(columns)
        .map(|(t, columns)| {
            let qualified = t.qualified();
            let mut aliases = vec![qualified.clone()];
            if single {
                aliases.push(t.name.clone());
            }
            Table {
                aliases,
                qualified,
                columns,
                native: Arc::new(t),
            }
        })
        .collect())
}

/// `(schema, table)` → `(UPDATE_TIME, seconds since it, TABLE_ROWS, DATA_LENGTH, CHECKSUM)`.
type Stats = HashMap<(String, String), [Option<String>; 5]>;

async fn table_stats(
    s: &mut MySession,
    dbname: Option<&str>,
    reply: Duration,
) -> Result<Stats, ReadError> {
    let sql = format!(
        "SELECT TABLE_SCHEMA, TABLE_NAME, UPDATE_TIME, TIMESTAMPDIFF(SECOND, UPDATE_TIME, NOW()), \
                TABLE_ROWS, DATA_LENGTH, CHECKSUM FROM information_schema.TABLES WHERE {}",
        schema_filter("TABLE_SCHEMA", dbname)
    );
    let rows: Vec<Row> = within(reply, "reading table statistics", s.conn.query(sql)).await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let key = (text(r, 0)?, text(r, 1)?);
            Some((
                key,
                [text(r, 2), text(r, 3), text(r, 4), text(r, 5), text(r, 6)],
            ))
        })
        .collect())
}

/// A table's fingerprint: its columns and what the server says of its writes. A write
/// less than 2 s ago could be followed by another within the same second, which
/// `UPDATE_TIME` would not show: such a fingerprint is marked so that it never matches.
fn fingerprint(columns: &[Column], stats: Option<&[Option<String>; 5]>, view: bool) -> Fingerprint {
    let cols: Vec<String> = columns
        .iter()
        .map(|c| format!("{}:{}", c.name, c.type_name))
        .collect();
    let hash = crate::source::stable_hash(&cols.join("\u{1f}"));
    let get = |i: usize| stats.and_then(|s| s[i].clone());
    let updated = get(0);
    let recent = get(1)
        .and_then(|s| s.parse::<i64>().ok())
        .is_none_or(|secs| secs < 2);
    let value = format!(
        "columns={hash:016x};updated={}{};rows={};data={};checksum={}",
        updated.as_deref().unwrap_or("unknown"),
        if recent && updated.is_some() {
            " (recent)"
        } else {
            ""
        },
        get(2).unwrap_or_default(),
        get(3).unwrap_or_default(),
        get(4).unwrap_or_default(),
    );
    Fingerprint {
        value,
        comparable: !view && updated.is_some() && !recent,
    }
}

/// Opens a `mysql://` or `mariadb://` database (see [`super::KINDS`]).
pub fn open(url: &str, limits: Limits) -> Result<Box<dyn Database>, ReadError> {
    let my = parse(url).map_err(ReadError::config)?;
    let settings = SessionSettings {
        statement_timeout: limits.statement_timeout,
        connect_timeout: limits.connect_timeout,
    };
    Ok(Box::new(MySql {
        address: my.address(),
        dbname: my.dbname.clone(),
        reply: settings.reply_timeout(),
        connector: Connector::new(my, settings),
    }))
}

/// A MySQL or MariaDB server: sessions each with their own current-thread tokio runtime.
struct MySql {
    address: String,
    dbname: Option<String>,
    connector: Result<Connector, String>,
    reply: Duration,
}

impl Database for MySql {
    fn address(&self) -> String {
        self.address.clone()
    }

    fn format(&self) -> &'static str {
        "mysql"
    }

    fn connect(&self) -> Result<Box<dyn super::Session>, ReadError> {
        let (rt, session) = super::connect_on_own_runtime(&self.connector, |c| c.connect())?;
        tracing::debug!(db = %self.address, tls = session.tls, version = %session.version, "connected");
        Ok(Box::new(MyDbSession {
            rt,
            session,
            address: self.address.clone(),
            dbname: self.dbname.clone(),
            reply: self.reply,
            closed: false,
        }))
    }
}

/// One read-only session and the runtime that drives it.
struct MyDbSession {
    rt: tokio::runtime::Runtime,
    session: MySession,
    address: String,
    dbname: Option<String>,
    reply: Duration,
    /// A reply never came or the connection broke: the driver opens another session.
    closed: bool,
}

impl MyDbSession {
    fn note<T>(&mut self, r: Result<T, ReadError>) -> Result<T, ReadError> {
        if let Err(e) = &r {
            self.closed |= e.connection_lost;
        }
        r
    }
}

impl super::Session for MyDbSession {
    fn discover(&mut self, views: bool) -> Result<Vec<Table>, ReadError> {
        let r = self.rt.block_on(discover(
            &mut self.session,
            self.dbname.as_deref(),
            views,
            self.reply,
        ));
        self.note(r).map_err(|e| ReadError {
            message: format!("cannot read the catalog of {}: {}", self.address, e.message),
            ..e
        })
    }

    fn read_table(&mut self, read: TableRequest<'_>) -> Result<TableRead, ReadError> {
        let t = read.native::<MyTable>("MySQL")?;
        let r = self
            .rt
            .block_on(read::read_table(&mut self.session, t, read, self.reply));
        self.note(r)
    }

    fn fingerprints(&mut self, tables: &[&Table]) -> Vec<Option<Fingerprint>> {
        let r = self.rt.block_on(table_stats(
            &mut self.session,
            self.dbname.as_deref(),
            self.reply,
        ));
        let stats = self.note(r).unwrap_or_default();
        tables
            .iter()
            .map(|t| {
                let my = t.native::<MyTable>()?;
                let s = stats.get(&(my.schema.clone(), my.name.clone()));
                Some(fingerprint(&t.columns, s, my.view))
            })
            .collect()
    }

    fn is_closed(&self) -> bool {
        self.closed
    }

    fn keys(&mut self, tables: &[&Table]) -> Result<Vec<super::TableKeys>, ReadError> {
        let r = self
            .rt
            .block_on(lookup::keys(&mut self.session, tables, self.reply));
        self.note(r)
    }

    fn lookup(
        &mut self,
        query: &super::RowQuery<'_>,
        row: &mut super::OnRow<'_>,
    ) -> Result<super::RowsRead, ReadError> {
        let r = self
            .rt
            .block_on(lookup::lookup(&mut self.session, query, row, self.reply));
        self.note(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_with_backticks_as_one_name() {
        assert_eq!(quote("users"), "`users`");
        assert_eq!(quote("x`; DROP TABLE y; --"), "`x``; DROP TABLE y; --`");
        assert_eq!(quote("a.b c"), "`a.b c`");
        assert_eq!(quote("Ünïcødé \"q\" 'q'"), "`Ünïcødé \"q\" 'q'`");
        assert_eq!(literal("it's"), "CONVERT(X'69742773' USING utf8mb4)");
        assert_eq!(literal(""), "''");
    }

    #[test]
    fn types_decide_how_columns_are_read() {
        assert_eq!(column_plan("e", "varchar", false).0, ColumnKind::Text);
        assert_eq!(column_plan("p", "longtext", true).0, ColumnKind::Json);
        assert_eq!(column_plan("p", "json", false).0, ColumnKind::Json);
        assert_eq!(column_plan("s", "set", false).0, ColumnKind::Elements);
        assert_eq!(
            column_plan("ssn", "bigint", false),
            (ColumnKind::Text, "`ssn`".into())
        );
        assert!(column_plan("d", "datetime", false)
            .1
            .starts_with("DATE_FORMAT(`d`"));
        assert!(column_plan("b", "blob", false).1.starts_with("LEFT(`b`"));
        for spatial in ["geometry", "point", "polygon"] {
            match column_plan("loc", spatial, false).0 {
                ColumnKind::Skip(why) => assert!(why.contains("spatial"), "{why}"),
                k => panic!("{spatial}: {k:?}"),
            }
        }
        assert!(matches!(
            column_plan("t", "time", false).0,
            ColumnKind::Skip(_)
        ));
        assert!(is_binary_type("varbinary(16)") && is_binary_type("longblob"));
        assert!(!is_binary_type("varchar(16)"));
    }

    #[test]
    fn json_checks_name_their_column() {
        assert_eq!(
            json_checked_column("json_valid(`profile`)").as_deref(),
            Some("profile")
        );
        assert_eq!(
            json_checked_column("json_valid(`a``b`)").as_deref(),
            Some("a`b")
        );
        assert_eq!(json_checked_column("`x` > 0"), None);
    }

    #[test]
    fn recent_or_unknown_writes_are_never_carried() {
        let cols = vec![Column {
            name: "e".into(),
            type_name: "varchar(9)".into(),
            kind: ColumnKind::Text,
            comment: None,
            expr: String::new(),
        }];
        let stats = |t: Option<&str>, ago: &str| {
            [
                t.map(String::from),
                Some(ago.into()),
                Some("5".into()),
                Some("16384".into()),
                None,
            ]
        };
        let old = fingerprint(
            &cols,
            Some(&stats(Some("2024-01-01 00:00:00"), "100")),
            false,
        );
        assert!(old.comparable);
        let recent = fingerprint(&cols, Some(&stats(Some("2024-01-01 00:00:00"), "0")), false);
        assert!(!recent.comparable);
        assert_ne!(old.value, recent.value);
        assert!(!fingerprint(&cols, Some(&stats(None, "")), false).comparable);
        assert!(
            !fingerprint(
                &cols,
                Some(&stats(Some("2024-01-01 00:00:00"), "100")),
                true
            )
            .comparable
        );
    }
}
