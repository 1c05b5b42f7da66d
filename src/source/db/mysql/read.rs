//! Reading a MySQL or MariaDB table: which rows, deterministically, and how their values
//! become cells.
//!
//! * `--full`: one read-only query streams every row (mysql_async reads the result a
//!   packet at a time, so memory stays bounded by one row plus the classifier's batches).
//!   The statement timeout then bounds the wait for each row, not the whole read, so a
//!   big table is never cut off half-way; locks are still bounded by `lock_wait_timeout`.
//! * A small table (the estimate at most N rows) is read whole, ordered by a seeded CRC32
//!   of its key so that, should the estimate be low, the N rows kept are still the same
//!   on every run.
//! * A big table whose primary key starts with an integer: about 150 short key ranges,
//!   one per equal slice of `[MIN(key), MAX(key)]`, each starting at a point drawn in its
//!   slice with the seed, read through the primary key (index seeks in
//!   `(SELECT … WHERE k >= a AND k < b ORDER BY key LIMIT m) UNION ALL …`); never a scan of
//!   the table, never `ORDER BY RAND()`.
//! * Any other big table: the N rows with the smallest seeded CRC32 of their key (or of
//!   their values, without a key), over one scan.
//! * A view: the first N rows it returns (a view cannot be sampled), as for PostgreSQL.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Row, Value};

use super::connect::{describe, within, MySession};
use super::{is_binary_type, quote, MyTable};
use crate::source::db::{rate, Column, ReadError, RecordSink, RowPusher, TableRead, TableRequest};
use crate::source::Sampling;

/// Bytes of a BLOB/BINARY value read (a bounded prefix: a photo is not text anyway).
pub const BLOB_PREFIX: usize = 65_536;
/// Key ranges a sample aims at (times [`SAFETY`]), each of at most N / `RANGES` rows.
const RANGES: u64 = 100;
/// More ranges than needed, since some hold fewer rows than their share.
const SAFETY: f64 = 1.5;
/// Ranges per `UNION ALL` query.
const RANGES_PER_QUERY: usize = 50;

/// A value of a BLOB/BINARY column as text: its bytes when they are UTF-8 (a prefix cut
/// mid-character is trimmed), decoded when they are printable Latin-1, else `None`.
fn blob_text<'b>(bytes: &'b [u8]) -> Option<Cow<'b, [u8]>> {
    let control = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f;
    match std::str::from_utf8(bytes) {
        Ok(_) => (!bytes.iter().any(|&b| control(b))).then_some(Cow::Borrowed(bytes)),
        Err(e)
            if e.error_len().is_none()
                && bytes.len() >= BLOB_PREFIX
                && !bytes[..e.valid_up_to()].iter().any(|&b| control(b)) =>
        {
            Some(Cow::Borrowed(&bytes[..e.valid_up_to()]))
        }
        Err(_) => {
            let latin1 = bytes
                .iter()
                .all(|&b| matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7e | 0xa0..=0xff));
            latin1.then(|| {
                Cow::Owned(
                    bytes
                        .iter()
                        .map(|&b| b as char)
                        .collect::<String>()
                        .into_bytes(),
                )
            })
        }
    }
}

/// The error of a read that pushed `rows` rows.
fn failed(e: &mysql_async::Error, what: &str, rows: u64) -> ReadError {
    let (kind, message, lost) = describe(e);
    ReadError {
        kind,
        message: format!("{what}: {message}"),
        connection_lost: lost,
        rows_scanned: rows,
    }
}

/// Pushes rows of the examined columns into the sink, at most `cap` of them.
struct Reader<'a, 's> {
    pusher: RowPusher,
    sink: &'a mut (dyn RecordSink + 's),
    binary: Vec<bool>,
    binary_values: Vec<u64>,
    pushed: u64,
    cap: u64,
}

impl Reader<'_, '_> {
    fn push_row(&mut self, row: &Row) {
        let index = self.pushed;
        for i in 0..self.binary.len() {
            match row.as_ref(i) {
                None | Some(Value::NULL) => self.pusher.push(self.sink, i, None, index),
                Some(Value::Bytes(b)) if self.binary[i] => match blob_text(b) {
                    Some(t) => self.pusher.push(self.sink, i, Some(&t), index),
                    None => {
                        self.binary_values[i] += 1;
                        self.pusher.push(self.sink, i, None, index);
                    }
                },
                Some(Value::Bytes(b)) => self.pusher.push(self.sink, i, Some(b), index),
                // The text protocol sends bytes only; anything else is rendered as SQL.
                Some(v) => {
                    let s = v.as_sql(true);
                    self.pusher
                        .push(self.sink, i, Some(s.trim_matches('\'').as_bytes()), index)
                }
            }
        }
        self.sink.rows(1);
        self.pushed += 1;
    }

    /// Runs `sql` and pushes its rows (up to the cap; the rest are read and dropped).
    /// Every row must arrive within `idle`. Returns the rows the query produced.
    async fn stream(
        &mut self,
        conn: &mut Conn,
        sql: &str,
        idle: Duration,
    ) -> Result<u64, ReadError> {
        let pushed = self.pushed;
        let mut result = within(idle, "running the query", conn.query_iter(sql))
            .await
            .map_err(|e| ReadError {
                rows_scanned: pushed,
                ..e
            })?;
        let mut produced = 0u64;
        loop {
            match tokio::time::timeout(idle, result.next()).await {
                Ok(Ok(Some(row))) => {
                    produced += 1;
                    if self.pushed < self.cap {
                        self.push_row(&row);
                    }
                }
                Ok(Ok(None)) => return Ok(produced),
                Ok(Err(e)) => return Err(failed(&e, "reading rows", self.pushed)),
                Err(_) => {
                    return Err(ReadError {
                        kind: "timeout",
                        message: format!(
                            "reading rows: no row from the server within {}s",
                            idle.as_secs()
                        ),
                        connection_lost: true,
                        rows_scanned: self.pushed,
                    })
                }
            }
        }
    }
}

/// A small seeded generator (splitmix64) for the starts of the key ranges.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A point in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `ranges` half-open key ranges `[a, b)` covering `[lo, hi]` in equal slices, each
/// starting at a seeded point of its slice (the last one ends after `hi`).
fn key_ranges(lo: i128, hi: i128, ranges: u64, rng: &mut SplitMix) -> Vec<(i128, i128)> {
    let span = (hi - lo + 1).max(1) as f64;
    let slice = span / ranges as f64;
    let mut starts: Vec<i128> = (0..ranges)
        .map(|i| lo + ((i as f64 + rng.unit()) * slice).floor() as i128)
        .map(|p| p.clamp(lo, hi))
        .collect();
    starts.dedup();
    let ends = starts.iter().skip(1).copied().chain([hi + 1]);
    starts.iter().copied().zip(ends).collect()
}

/// Reads `columns` (the examined columns of `t`) into `sink`, choosing rows as
/// `sampling` says, and says how.
pub async fn read_table(
    s: &mut MySession,
    t: &MyTable,
    read: TableRequest<'_>,
    reply: Duration,
) -> Result<TableRead, ReadError> {
    let (columns, sampling, sink) = (read.columns, read.sampling, read.sink);
    let estimate = t.rows_estimate;
    if columns.is_empty() {
        return Ok(TableRead {
            rows_total: estimate,
            method: "rows not read: no column to examine (all skipped or excluded)".into(),
            ..TableRead::default()
        });
    }
    let mut reader = Reader {
        pusher: RowPusher::new(columns, sink),
        sink,
        binary: columns
            .iter()
            .map(|c| is_binary_type(&c.type_name))
            .collect(),
        binary_values: vec![0; columns.len()],
        pushed: 0,
        cap: if sampling.full {
            u64::MAX
        } else {
            sampling.rows.max(1) as u64
        },
    };
    within(
        reply,
        "starting a read-only transaction",
        s.conn.query_drop("START TRANSACTION READ ONLY"),
    )
    .await?;
    let read = choose_and_read(s, t, columns, sampling, &mut reader, reply).await;
    if !read.as_ref().is_err_and(|e| e.connection_lost) {
        // Ending a read-only transaction: a rollback is as good as a commit.
        let _ = within(
            reply,
            "ending the transaction",
            s.conn.query_drop("ROLLBACK"),
        )
        .await;
    }
    let (rows_total, method) = read?;
    let binary =
        |n| format!("{n} binary values (neither UTF-8 nor Latin-1 text) were not examined");
    Ok(TableRead::new(
        rows_total,
        reader.pushed,
        method,
        crate::source::db::skipped_values(columns, &reader.binary_values, binary),
    ))
}

/// Picks the way rows are chosen and reads them: `(rows in the table, method)`.
async fn choose_and_read(
    s: &mut MySession,
    t: &MyTable,
    columns: &[&Column],
    sampling: Sampling,
    reader: &mut Reader<'_, '_>,
    reply: Duration,
) -> Result<(u64, String), ReadError> {
    let from = t.from_sql();
    let exprs: Vec<&str> = columns.iter().map(|c| c.expr.as_str()).collect();
    let exprs = exprs.join(", ");
    let n = reader.cap;
    let seed = sampling.seed;
    let estimate = t.rows_estimate;

    if sampling.full {
        let started = Instant::now();
        // One statement reads the whole table: lift the statement timeout for it alone
        // (each row must still come within the reply timeout).
        let sql = if s.mariadb {
            format!("SET STATEMENT max_statement_time = 0 FOR SELECT {exprs} FROM {from}")
        } else {
            format!("SELECT /*+ MAX_EXECUTION_TIME(0) */ {exprs} FROM {from}")
        };
        let produced = reader.stream(&mut s.conn, &sql, reply).await?;
        return Ok((
            produced,
            format!(
                "full: every row, streamed by one read-only query ({produced} rows, {}; each row \
                 must arrive within {}s)",
                rate(produced, started.elapsed()),
                reply.as_secs()
            ),
        ));
    }

    if t.view {
        let sql = format!("SELECT {exprs} FROM {from} LIMIT {}", n + 1);
        let produced = reader.stream(&mut s.conn, &sql, reply).await?;
        return Ok(if produced > n {
            (
                estimate.max(n + 1),
                format!("first {n} rows of the view, in the order it returns them (a view cannot be sampled)"),
            )
        } else {
            (produced, format!("all rows (view, {produced} rows)"))
        });
    }

    let keys: Vec<String> = t.key.iter().map(|k| quote(k)).collect();
    let hashed = if keys.is_empty() {
        exprs.clone()
    } else {
        keys.join(", ")
    };
    let by_hash = format!(
        "ORDER BY CRC32(CONCAT_WS(',', {seed}, {hashed})){}",
        keys.iter().map(|k| format!(", {k}")).collect::<String>()
    );
    let what = if keys.is_empty() {
        "the row's values"
    } else {
        "the primary key"
    };

    if estimate <= n {
        let sql = format!("SELECT {exprs} FROM {from} {by_hash} LIMIT {}", n + 1);
        let produced = reader.stream(&mut s.conn, &sql, reply).await?;
        return Ok(if produced > n {
            (
                n + 1,
                format!(
                    "{n} rows with the smallest seeded CRC32 of {what} (seed {seed}) over a full scan: \
                     the server estimated {estimate} rows but the table has more than {n}"
                ),
            )
        } else {
            (produced, format!("all rows (small table, {produced} rows)"))
        });
    }

    if t.int_key {
        return read_ranges(s, t, &exprs, &keys, seed, reader, reply).await;
    }

    let sql = format!("SELECT {exprs} FROM {from} {by_hash} LIMIT {n}");
    reader.stream(&mut s.conn, &sql, reply).await?;
    Ok((
        estimate,
        format!(
            "{} rows with the smallest seeded CRC32 of {what} (seed {seed}) over a full scan: no \
             integer primary key to sample ranges of (estimate {estimate} rows)",
            reader.pushed
        ),
    ))
}

/// A big table with an integer leading key: seeded key ranges read through the key.
async fn read_ranges(
    s: &mut MySession,
    t: &MyTable,
    exprs: &str,
    keys: &[String],
    seed: u64,
    reader: &mut Reader<'_, '_>,
    reply: Duration,
) -> Result<(u64, String), ReadError> {
    let from = t.from_sql();
    let n = reader.cap;
    let k = &keys[0];
    let bounds: Option<(Option<String>, Option<String>)> = within(
        reply,
        "reading the key's bounds",
        s.conn
            .query_first(format!("SELECT MIN({k}), MAX({k}) FROM {from}")),
    )
    .await?;
    let parse = |v: Option<String>| v.and_then(|v| v.parse::<i128>().ok());
    let (Some(lo), Some(hi)) = bounds.map_or((None, None), |(a, b)| (parse(a), parse(b))) else {
        return Ok((0, "all rows (empty table)".into()));
    };
    let per_range = n.div_ceil(RANGES).max(1);
    let wanted = (RANGES as f64 * SAFETY).ceil() as u64;
    let mut rng = SplitMix(seed ^ crate::source::stable_hash(&t.qualified()));
    let ranges = key_ranges(lo, hi, wanted, &mut rng);
    let order = keys.join(", ");
    for batch in ranges.chunks(RANGES_PER_QUERY) {
        if reader.pushed >= n {
            break;
        }
        let sql = batch
            .iter()
            .map(|(a, b)| {
                format!(
                    "(SELECT {exprs} FROM {from} WHERE {k} >= {a} AND {k} < {b} ORDER BY {order} LIMIT {per_range})"
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        reader.stream(&mut s.conn, &sql, reply).await?;
    }
    Ok((
        t.rows_estimate,
        format!(
            "{} rows from {} primary-key ranges of at most {per_range} rows, one range starting at a \
             point drawn with seed {seed} in each equal slice of the key's span, read through the \
             primary key (estimate {} rows)",
            reader.pushed,
            ranges.len(),
            t.rows_estimate
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_text_when_their_bytes_are() {
        assert_eq!(
            blob_text(b"jane@example.com").as_deref(),
            Some(&b"jane@example.com"[..])
        );
        let latin1 = blob_text(b"Jos\xe9").unwrap();
        assert_eq!(std::str::from_utf8(&latin1).unwrap(), "José");
        assert!(blob_text(b"\xff\xd8\xff\xe0\x00\x10JFIF").is_none());
        assert!(blob_text(b"a\0b").is_none());
        let mut cut = vec![b'a'; BLOB_PREFIX - 1];
        cut.push(0xc3);
        assert_eq!(blob_text(&cut).unwrap().len(), BLOB_PREFIX - 1);
    }

    #[test]
    fn key_ranges_are_seeded_ordered_and_disjoint() {
        let a = key_ranges(1, 1_000_000, 150, &mut SplitMix(7));
        let b = key_ranges(1, 1_000_000, 150, &mut SplitMix(7));
        let c = key_ranges(1, 1_000_000, 150, &mut SplitMix(8));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 150);
        assert!(a.windows(2).all(|w| w[0].1 == w[1].0 && w[0].0 < w[0].1));
        assert!(a[0].0 >= 1 && a.last().unwrap().1 == 1_000_001);
        // A span smaller than the number of ranges: no empty or repeated range.
        let small = key_ranges(5, 20, 150, &mut SplitMix(1));
        assert!(small.len() <= 16 && small.iter().all(|(a, b)| a < b));
        let huge = key_ranges(0, u64::MAX as i128, 150, &mut SplitMix(1));
        assert!(huge.iter().all(|(a, b)| a < b));
    }
}
