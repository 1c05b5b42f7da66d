//! PostgreSQL, read-only, with tokio-postgres.
//!
//! * Every session is made safe right after connecting: `default_transaction_read_only`,
//!   `statement_timeout`, `lock_timeout`, `idle_in_transaction_session_timeout`,
//!   `application_name = piimap`, and `search_path = pg_catalog` (so no user-defined
//!   function or operator can shadow the ones piimap's queries use). Every read runs in
//!   a `READ ONLY` transaction; piimap never writes.
//! * Tables come from the catalog (`pg_class`): ordinary tables and partitioned parents
//!   (a partitioned table is read once through its parent; its partitions are not listed
//!   separately), optionally views and materialized views. Columns, their types and
//!   comments come from `pg_attribute`.
//! * Every value is converted to text by the server (`col::text`, `host(inet)`,
//!   `to_char(date, 'YYYY-MM-DD')`, arrays joined with U+001F, JSON arrays as JSON) and
//!   received as raw bytes.
//! * Rows are chosen deterministically: `TABLESAMPLE SYSTEM (p) REPEATABLE (seed)` sized
//!   from the planner's row estimate, ordered by a seeded hash of the row's physical
//!   address and cut at N; small tables are read whole. `--full` streams every row through
//!   a cursor in fixed batches (bounded memory). The method used is always stated.

mod connect;
mod lookup;
mod tls;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_postgres::types::{FromSql, Type};
use tokio_postgres::{Client, Row};

use connect::within;
pub use connect::{describe, Connector, Session, SessionSettings};

use super::{
    format_percent, quote_ident, rate, url, Column, ColumnKind, Database, Fingerprint, Limits,
    ReadError, RecordSink, RowPusher, Table, TableRead, TableRequest,
};

/// Rows fetched per round trip when streaming.
const BATCH_ROWS: i32 = 5000;
/// TABLESAMPLE asks for this many times the rows wanted (SYSTEM samples whole pages, so
/// the count varies), then keeps N by a seeded hash.
const SAMPLE_SAFETY: f64 = 1.5;
/// A sample that returns fewer than this fraction of the rows asked for is retried with a
/// larger percentage.
const SAMPLE_SHORTFALL: f64 = 0.5;
/// At most this many TABLESAMPLE retries.
const SAMPLE_RETRIES: usize = 3;

/// Raw bytes of any value (every column piimap selects is text already).
struct Raw<'a>(&'a [u8]);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(
        _ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw))
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

/// A table (or view) to scan.
#[derive(Clone, Debug)]
pub struct PgTable {
    /// `pg_class.oid`.
    pub oid: u32,
    /// Schema.
    pub schema: String,
    /// Name.
    pub name: String,
    /// `r` table, `p` partitioned table, `v` view, `m` materialized view.
    pub relkind: char,
    /// `pg_class.reltuples` (-1 when never analysed; summed over partitions for `p`).
    pub reltuples: f64,
}

impl PgTable {
    /// `schema.table`, for globs and asset ids.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    fn relation_sql(&self) -> String {
        let rel = format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name));
        if self.relkind == 'r' {
            // Inheritance children are scanned as their own tables.
            format!("ONLY {rel}")
        } else {
            rel
        }
    }
}

/// How a value of a base type is selected as text, or why it is skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Render {
    Text,
    Host,
    Date,
    Json,
    Skip(&'static str),
}

fn render(typname: &str, typtype: &str, category: &str) -> Render {
    match typname {
        "text" | "varchar" | "bpchar" | "char" | "name" | "citext" | "uuid" | "xml" | "hstore" => {
            Render::Text
        }
        "json" | "jsonb" => Render::Json,
        "inet" | "cidr" => Render::Host,
        "macaddr" | "macaddr8" => Render::Text,
        "int2" | "int4" | "int8" | "numeric" | "float4" | "float8" | "money" => Render::Text,
        "date" | "timestamp" | "timestamptz" => Render::Date,
        "bool" => Render::Text,
        "bytea" => Render::Skip("binary data (bytea) is not examined"),
        "tsvector" | "tsquery" => {
            Render::Skip("full-text search vector (its source columns are examined)")
        }
        "time" | "timetz" | "interval" => {
            Render::Skip("time of day or interval: no personal data shape")
        }
        _ if typtype == "e" => Render::Text,
        _ if typtype == "c" => Render::Text,
        _ if category == "S" => Render::Text,
        _ => Render::Skip("type not examined"),
    }
}

/// The column's examination kind and its SELECT expression.
fn column_plan(
    name: &str,
    typname: &str,
    typtype: &str,
    category: &str,
    elem: Option<(&str, &str, &str)>,
) -> (ColumnKind, String) {
    let q = quote_ident(name);
    if let Some((et, ett, ec)) = elem {
        return match render(et, ett, ec) {
            Render::Json => (ColumnKind::Json, format!("array_to_json({q})::text")),
            Render::Skip(why) => (
                ColumnKind::Skip(format!("array of {et}: {why}")),
                String::new(),
            ),
            _ => (
                ColumnKind::Elements,
                format!("array_to_string({q}, chr(31))"),
            ),
        };
    }
    match render(typname, typtype, category) {
        Render::Text => (ColumnKind::Text, format!("{q}::text")),
        Render::Host => (ColumnKind::Text, format!("host({q})")),
        Render::Date => (ColumnKind::Text, format!("to_char({q}, 'YYYY-MM-DD')")),
        Render::Json => (ColumnKind::Json, format!("{q}::text")),
        Render::Skip(why) => (ColumnKind::Skip(format!("{typname}: {why}")), String::new()),
    }
}

/// The tables, partitioned parents and (with `views`) views and materialized views of the
/// database, with their columns, outside `pg_catalog`, `information_schema` and `pg_toast`.
async fn discover(
    session: &Session,
    views: bool,
    reply: Duration,
) -> Result<Vec<Table>, ReadError> {
    let kinds = if views { "'r','p','v','m'" } else { "'r','p'" };
    let rel_filter = format!(
        "c.relkind IN ({kinds}) AND NOT c.relispartition \
         AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
         AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
    );
    let tables_sql = format!(
        "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind::text, c.reltuples::float8 \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE {rel_filter} ORDER BY n.nspname, c.relname"
    );
    let client = &session.client;
    let rows = within(reply, "listing tables", client.query(&tables_sql, &[])).await?;
    let mut tables: Vec<PgTable> = rows
        .iter()
        .map(|r| PgTable {
            oid: r.get(0),
            schema: r.get(1),
            name: r.get(2),
            relkind: r.get::<_, String>(3).chars().next().unwrap_or('r'),
            reltuples: r.get(4),
        })
        .collect();
    if tables.iter().any(|t| t.relkind == 'p') && session.server_version >= 120_000 {
        let sql = "SELECT t.oid, coalesce(sum(greatest(c.reltuples, 0)), -1)::float8 \
                   FROM pg_class t, LATERAL pg_partition_tree(t.oid) p JOIN pg_class c ON c.oid = p.relid \
                   WHERE t.relkind = 'p' AND NOT t.relispartition AND c.relkind = 'r' GROUP BY t.oid";
        let rows = within(
            reply,
            "estimating partitioned tables",
            client.query(sql, &[]),
        )
        .await?;
        for r in rows {
            let oid: u32 = r.get(0);
            if let Some(t) = tables.iter_mut().find(|t| t.oid == oid) {
                t.reltuples = r.get(1);
            }
        }
    }
    let columns_sql = format!(
        "SELECT a.attrelid, a.attname::text, t.typname::text, t.typtype::text, t.typcategory::text, \
                e.typname::text, e.typtype::text, e.typcategory::text, \
                col_description(a.attrelid, a.attnum) \
         FROM pg_attribute a \
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_type t0 ON t0.oid = a.atttypid \
         JOIN pg_type t ON t.oid = CASE WHEN t0.typtype = 'd' THEN t0.typbasetype ELSE t0.oid END \
         LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A' \
         WHERE a.attnum > 0 AND NOT a.attisdropped AND {rel_filter} \
         ORDER BY a.attrelid, a.attnum"
    );
    let rows = within(reply, "listing columns", client.query(&columns_sql, &[])).await?;
    let index: std::collections::HashMap<u32, usize> =
        tables.iter().enumerate().map(|(i, t)| (t.oid, i)).collect();
    let mut columns: Vec<Vec<Column>> = vec![Vec::new(); tables.len()];
    for r in rows {
        let oid: u32 = r.get(0);
        let Some(&ti) = index.get(&oid) else { continue };
        let name: String = r.get(1);
        let typname: String = r.get(2);
        let typtype: String = r.get(3);
        let category: String = r.get(4);
        let elem: Option<String> = r.get(5);
        let elem_type: Option<String> = r.get(6);
        let elem_cat: Option<String> = r.get(7);
        let comment: Option<String> = r.get(8);
        let elem_ref = elem.as_deref().map(|e| {
            (
                e,
                elem_type.as_deref().unwrap_or("b"),
                elem_cat.as_deref().unwrap_or(""),
            )
        });
        let (kind, expr) = column_plan(&name, &typname, &typtype, &category, elem_ref);
        let type_name = match &elem {
            Some(e) => format!("{e}[]"),
            None => typname,
        };
        columns[ti].push(Column {
            name,
            type_name,
            kind,
            comment: comment.map(|c| c.chars().take(300).collect()),
            expr,
        });
    }
    Ok(tables
        .into_iter()
        .zip(columns)
        .map(|(t, columns)| {
            let qualified = t.qualified();
            Table {
                aliases: vec![qualified.clone()],
                qualified,
                columns,
                native: Arc::new(t),
            }
        })
        .collect())
}

/// Reads `columns` (the examined columns of `table`) into `sink`, choosing rows as
/// `sampling` says, and says how.
async fn read_table(
    session: &mut Session,
    table: &PgTable,
    read: TableRequest<'_>,
    reply: Duration,
) -> Result<TableRead, ReadError> {
    let (columns, sampling, sink) = (read.columns, read.sampling, read.sink);
    let from = table.relation_sql();
    let n = sampling.rows.max(1) as u64;
    let seed = sampling.seed;
    let mut pusher = RowPusher::new(columns, sink);
    if columns.is_empty() {
        return Ok(TableRead {
            partly_skipped: Vec::new(),
            rows_total: table.reltuples.max(0.0) as u64,
            rows_scanned: 0,
            method: "rows not read: no column to examine (all skipped or excluded)".into(),
        });
    }
    let exprs: Vec<&str> = columns.iter().map(|c| c.expr.as_str()).collect();
    let select = format!("SELECT {} FROM {from}", exprs.join(", "));
    let client = &mut session.client;
    let mut reader = Reader {
        pusher: &mut pusher,
        sink,
        reply,
    };

    if sampling.full {
        let started = Instant::now();
        let got = reader.stream(client, &select, None, 0).await?;
        return Ok(TableRead {
            partly_skipped: Vec::new(),
            rows_total: got.produced,
            rows_scanned: got.pushed,
            method: format!(
                "full: every row, streamed through a read-only cursor in batches of {BATCH_ROWS} ({} rows, {})",
                got.pushed,
                rate(got.pushed, started.elapsed())
            ),
        });
    }

    let estimate = estimate_rows(client, table, &from, reply).await?;

    if table.relkind == 'v' {
        let sql = format!("{select} LIMIT {}", n + 1);
        let got = reader.stream(client, &sql, Some(n), 0).await?;
        return Ok(if got.produced > n {
            TableRead {
                partly_skipped: Vec::new(),
                rows_total: estimate.max(n + 1),
                rows_scanned: got.pushed,
                method: format!(
                    "first {n} rows of the view, in the order it returns them (a view cannot be sampled; \
                     the planner estimates {estimate} rows)"
                ),
            }
        } else {
            TableRead {
                partly_skipped: Vec::new(),
                rows_total: got.produced,
                rows_scanned: got.pushed,
                method: format!("all rows (view, {} rows)", got.pushed),
            }
        });
    }

    // Rows come in the order of a seeded hash of their address: deterministic for a given
    // seed and table, and uniform (so LIMIT N does not favour the start of the table).
    let order = format!(
        "ORDER BY hashtextextended(tableoid::text || ctid::text, {})",
        seed as i64
    );
    if estimate <= n {
        let sql = format!("{select} {order} LIMIT {}", n + 1);
        let got = reader.stream(client, &sql, Some(n), 0).await?;
        return Ok(if got.produced > n {
            TableRead {
                partly_skipped: Vec::new(),
                rows_total: estimate.max(n + 1),
                rows_scanned: got.pushed,
                method: format!(
                    "{n} rows chosen by a seeded hash of the row address (seed {seed}) over a full scan: \
                     the planner estimated {estimate} rows but the table has more than {n}"
                ),
            }
        } else {
            TableRead {
                partly_skipped: Vec::new(),
                rows_total: got.produced,
                rows_scanned: got.pushed,
                method: format!("all rows (small table, {} rows)", got.pushed),
            }
        });
    }

    // A big table: TABLESAMPLE SYSTEM sized from the estimate; if the sample falls far
    // short (stale estimate, bloated or mostly empty pages), retry with a larger percentage.
    let mut p = (100.0 * n as f64 * SAMPLE_SAFETY / estimate as f64).min(100.0);
    let want = ((n as f64) * SAMPLE_SHORTFALL).ceil() as u64;
    let mut notes: Vec<String> = Vec::new();
    for attempt in 0.. {
        let pct = format_percent(p);
        let sql =
            format!("{select} TABLESAMPLE SYSTEM ({pct}) REPEATABLE ({seed}) {order} LIMIT {n}");
        let last = p >= 100.0 || attempt >= SAMPLE_RETRIES;
        let got = reader
            .stream(client, &sql, Some(n), if last { 0 } else { want })
            .await?;
        if !got.held_back {
            let mut method = format!(
                "TABLESAMPLE SYSTEM({pct}) REPEATABLE({seed}) LIMIT {n}, rows ordered by a seeded hash of \
                 the row address (planner estimate {estimate} rows)"
            );
            for note in &notes {
                method.push_str("; ");
                method.push_str(note);
            }
            return Ok(TableRead {
                partly_skipped: Vec::new(),
                rows_total: estimate,
                rows_scanned: got.pushed,
                method,
            });
        }
        notes.push(format!(
            "SYSTEM({pct}) returned only {} rows, so the sample was retried with a larger percentage",
            got.produced
        ));
        let factor = (n as f64 * SAMPLE_SAFETY / got.produced.max(1) as f64).max(4.0);
        p = (p * factor).min(100.0);
    }
    unreachable!("the loop returns on its last attempt")
}

/// The planner's row estimate (pg_class.reltuples scaled to the current table size, or a
/// size-based guess for a never-analysed table); 0 for an empty table.
async fn estimate_rows(
    client: &Client,
    table: &PgTable,
    from: &str,
    reply: Duration,
) -> Result<u64, ReadError> {
    let plan = within(
        reply,
        "estimating rows",
        client.simple_query(&format!("EXPLAIN (FORMAT JSON) SELECT 1 FROM {from}")),
    )
    .await?;
    let estimate = plan
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
            _ => None,
        })
        .and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
        .and_then(|v| v[0]["Plan"]["Plan Rows"].as_f64())
        .unwrap_or(table.reltuples.max(0.0));
    if matches!(table.relkind, 'r' | 'm') {
        // The planner assumes 10 pages for a never-analysed table with no pages yet.
        let size = within(
            reply,
            "reading the table size",
            client.query_one(
                &format!("SELECT pg_relation_size({}::oid::regclass)", table.oid),
                &[],
            ),
        )
        .await?;
        if size.get::<_, i64>(0) == 0 {
            return Ok(0);
        }
    }
    Ok(estimate.max(0.0) as u64)
}

/// What [`Reader::stream`] read.
struct Streamed {
    /// Rows the query produced.
    produced: u64,
    /// Rows pushed into the sink.
    pushed: u64,
    /// The query ended before `hold` rows arrived: nothing was pushed.
    held_back: bool,
}

struct Reader<'a, 's> {
    pusher: &'a mut RowPusher,
    sink: &'a mut (dyn RecordSink + 's),
    reply: Duration,
}

impl Reader<'_, '_> {
    fn push(&mut self, row: &Row, index: u64) {
        for i in 0..row.len() {
            let v: Option<Raw<'_>> = row.try_get(i).unwrap_or(None);
            self.pusher.push(self.sink, i, v.map(|r| r.0), index);
        }
        self.sink.rows(1);
    }

    /// Streams the rows of `sql` through a cursor (portal) of a read-only transaction in
    /// batches of [`BATCH_ROWS`], pushing at most `cap` rows. With `hold > 0` the first
    /// rows are held back until `hold` of them arrived; if the query ends sooner nothing
    /// is pushed (`held_back`), so the caller can retry without double counting.
    async fn stream(
        &mut self,
        client: &mut Client,
        sql: &str,
        cap: Option<u64>,
        hold: u64,
    ) -> Result<Streamed, ReadError> {
        let reply = self.reply;
        let tx = within(
            reply,
            "starting a read-only transaction",
            client.build_transaction().read_only(true).start(),
        )
        .await?;
        let stmt = within(reply, "preparing the query", tx.prepare(sql)).await?;
        let portal = within(reply, "opening a cursor", tx.bind(&stmt, &[])).await?;
        let mut held: Vec<Row> = Vec::new();
        let mut produced = 0u64;
        let mut pushed = 0u64;
        let fetch = || within(reply, "reading rows", tx.query_portal(&portal, BATCH_ROWS));
        let mut batch = fetch().await?;
        loop {
            let more = batch.len() >= BATCH_ROWS as usize;
            let mut take = async |batch: Vec<Row>| {
                // Let the request for the next batch reach the server first: it then
                // produces and sends those rows while this one is classified.
                tokio::task::yield_now().await;
                for row in batch {
                    produced += 1;
                    if cap.is_some_and(|c| pushed >= c) {
                        continue;
                    }
                    if produced <= hold {
                        held.push(row);
                        if produced == hold {
                            for (i, r) in std::mem::take(&mut held).iter().enumerate() {
                                self.push(r, i as u64);
                            }
                            pushed = hold;
                        }
                        continue;
                    }
                    self.push(&row, pushed);
                    pushed += 1;
                }
            };
            if !more {
                take(batch).await;
                break;
            }
            let (next, ()) = tokio::join!(fetch(), take(batch));
            batch = match next {
                Ok(b) => b,
                Err(mut e) => {
                    e.rows_scanned = pushed;
                    return Err(e);
                }
            };
        }
        // Ending a read-only transaction: a rollback is as good as a commit.
        let _ = within(reply, "ending the transaction", tx.rollback()).await;
        Ok(Streamed {
            produced,
            pushed,
            held_back: hold > 0 && produced < hold,
        })
    }
}

/// Per table write counters (`n_tup_ins + n_tup_upd + n_tup_del` from
/// `pg_stat_all_tables`, summed over partitions for a partitioned parent), for
/// incremental runs: unchanged counters and columns mean an unchanged table.
async fn write_counters(
    session: &Session,
    reply: Duration,
) -> Result<std::collections::HashMap<u32, i64>, ReadError> {
    let mut out = std::collections::HashMap::new();
    let sql =
        "SELECT s.relid, (s.n_tup_ins + s.n_tup_upd + s.n_tup_del)::int8 FROM pg_stat_all_tables s";
    for r in within(
        reply,
        "reading table statistics",
        session.client.query(sql, &[]),
    )
    .await?
    {
        out.insert(r.get::<_, u32>(0), r.get::<_, i64>(1));
    }
    if session.server_version >= 120_000 {
        let sql = "SELECT t.oid, coalesce(sum(s.n_tup_ins + s.n_tup_upd + s.n_tup_del), 0)::int8 \
                   FROM pg_class t, LATERAL pg_partition_tree(t.oid) p \
                   JOIN pg_stat_all_tables s ON s.relid = p.relid \
                   WHERE t.relkind = 'p' AND NOT t.relispartition GROUP BY t.oid";
        for r in within(
            reply,
            "reading partition statistics",
            session.client.query(sql, &[]),
        )
        .await?
        {
            out.insert(r.get::<_, u32>(0), r.get::<_, i64>(1));
        }
    }
    Ok(out)
}

/// A table's fingerprint for incremental runs: its columns (names and types) and its
/// write counters.
fn table_fingerprint(columns: &[Column], writes: Option<i64>) -> String {
    let cols: Vec<String> = columns
        .iter()
        .map(|c| format!("{}:{}", c.name, c.type_name))
        .collect();
    let hash = crate::source::stable_hash(&cols.join("\u{1f}"));
    format!(
        "columns={hash:016x};writes={}",
        writes.map_or_else(|| "unknown".to_string(), |w| w.to_string())
    )
}

/// Opens a `postgres://` or `postgresql://` database (see [`super::KINDS`]).
pub fn open(url: &str, limits: Limits) -> Result<Box<dyn Database>, ReadError> {
    let pg = url::parse_postgres(url).map_err(ReadError::config)?;
    let address = pg.address();
    let settings = SessionSettings {
        statement_timeout: limits.statement_timeout,
        connect_timeout: limits.connect_timeout,
    };
    Ok(Box::new(Postgres {
        address,
        reply: settings.reply_timeout(),
        // A TLS setup that fails (a bad root file) fails every connection, as "tls".
        connector: Connector::new(pg, settings),
    }))
}

/// A PostgreSQL database: sessions each with their own current-thread tokio runtime.
struct Postgres {
    address: String,
    connector: Result<Connector, String>,
    reply: Duration,
}

impl Database for Postgres {
    fn address(&self) -> String {
        self.address.clone()
    }

    fn format(&self) -> &'static str {
        "postgres"
    }

    fn connect(&self) -> Result<Box<dyn super::Session>, ReadError> {
        let (rt, session) = super::connect_on_own_runtime(&self.connector, |c| c.connect())?;
        tracing::debug!(db = %self.address, tls = session.tls, server_version = session.server_version, "connected");
        Ok(Box::new(PgSession {
            rt,
            session,
            address: self.address.clone(),
            reply: self.reply,
        }))
    }
}

/// One read-only PostgreSQL session and the runtime that drives it.
struct PgSession {
    rt: tokio::runtime::Runtime,
    session: Session,
    address: String,
    reply: Duration,
}

impl super::Session for PgSession {
    fn discover(&mut self, views: bool) -> Result<Vec<Table>, ReadError> {
        self.rt
            .block_on(discover(&self.session, views, self.reply))
            .map_err(|e| ReadError {
                message: format!("cannot read the catalog of {}: {}", self.address, e.message),
                ..e
            })
    }

    fn read_table(&mut self, read: TableRequest<'_>) -> Result<TableRead, ReadError> {
        let rel = read.native::<PgTable>("PostgreSQL")?;
        let reply = self.reply;
        self.rt
            .block_on(read_table(&mut self.session, rel, read, reply))
    }

    fn fingerprints(&mut self, tables: &[&Table]) -> Vec<Option<Fingerprint>> {
        let counters = self
            .rt
            .block_on(write_counters(&self.session, self.reply))
            .unwrap_or_default();
        tables
            .iter()
            .map(|t| {
                let rel = t.native::<PgTable>()?;
                let writes = counters.get(&rel.oid).copied();
                Some(Fingerprint {
                    value: table_fingerprint(&t.columns, writes),
                    comparable: writes.is_some() && rel.relkind != 'v',
                })
            })
            .collect()
    }

    fn is_closed(&self) -> bool {
        self.session.client.is_closed()
    }

    fn keys(&mut self, tables: &[&Table]) -> Result<Vec<super::TableKeys>, ReadError> {
        self.rt
            .block_on(lookup::keys(&self.session, tables, self.reply))
    }

    fn lookup(
        &mut self,
        query: &super::RowQuery<'_>,
        row: &mut super::OnRow<'_>,
    ) -> Result<super::RowsRead, ReadError> {
        let reply = self.reply;
        self.rt
            .block_on(lookup::lookup(&mut self.session, query, row, reply))
    }
}
