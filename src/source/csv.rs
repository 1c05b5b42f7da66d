//! CSV/TSV tables, read with the `csv` crate as a stream of byte records.
//!
//! Why not polars here: polars' CSV reader is a columnar bulk loader. It rejects a whole
//! file on one ragged row, cannot tell which line a value came from, and has no
//! bounded-memory batching without its `lazy` engine (left out: +97 crates). The `csv`
//! crate streams byte records (no UTF-8 failure), tolerates ragged rows (counted), and
//! knows each record's line. Polars reads Parquet and writes the inventory tables.

use std::io::Read;

use super::sample::Reservoir;
use super::{Anomaly, FieldId, Location, RecordSink, SourceError};

/// How many rows of a table to look at.
#[derive(Clone, Copy, Debug)]
pub struct Sampling {
    /// Rows kept by the deterministic sample.
    pub rows: usize,
    /// Read every row instead (bounded memory: rows are streamed).
    pub full: bool,
    /// Seed of the sample.
    pub seed: u64,
}

/// What a table read did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct TableStats {
    /// Data rows in the file.
    pub rows_total: u64,
    /// Rows whose values were classified.
    pub rows_scanned: u64,
    /// `full`, `all rows` (fewer than the sample size) or `reservoir sample (seed N)`.
    pub method: String,
    /// The column names used (sniffed header or `column_N`).
    pub columns: Vec<String>,
    /// Whether a header row was found.
    pub header: bool,
}

fn is_numberish(v: &[u8]) -> bool {
    let t = v.trim_ascii();
    !t.is_empty()
        && t.iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b',' | b'$' | b'%'))
}

/// A first row is a header when its fields are non-empty, distinct, short, and none
/// looks like data (a number, an email, a long sentence).
pub fn looks_like_header(first: &csv::ByteRecord) -> bool {
    let fields: Vec<&[u8]> = first.iter().collect();
    if fields.is_empty() {
        return false;
    }
    let distinct: std::collections::HashSet<&[u8]> = fields.iter().copied().collect();
    distinct.len() == fields.len()
        && fields.iter().all(|f| {
            let t = f.trim_ascii();
            !t.is_empty()
                && t.len() <= 64
                && !is_numberish(t)
                && !t.contains(&b'@')
                && t.iter().filter(|&&b| b == b' ').count() <= 4
        })
}

/// Reads a delimited table, pushing a deterministic sample of rows (or every row) into
/// `sink` as cells.
pub fn read(
    reader: impl Read,
    delimiter: u8,
    sampling: Sampling,
    sink: &mut dyn RecordSink,
) -> Result<TableStats, SourceError> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(reader);
    let mut record = csv::ByteRecord::new();
    let mut stats = TableStats::default();

    let read_next =
        |rdr: &mut csv::Reader<_>, record: &mut csv::ByteRecord| -> Result<bool, SourceError> {
            rdr.read_byte_record(record)
                .map_err(|e| match e.into_kind() {
                    csv::ErrorKind::Io(io) => SourceError::io("reading CSV", io),
                    other => SourceError::Parse(format!("CSV: {other:?}")),
                })
        };

    if !read_next(&mut rdr, &mut record)? {
        stats.method = "empty".into();
        return Ok(stats);
    }
    let header = looks_like_header(&record);
    stats.header = header;
    let mut names: Vec<String> = if header {
        record
            .iter()
            .map(|f| String::from_utf8_lossy(f.trim_ascii()).into_owned())
            .collect()
    } else {
        (1..=record.len()).map(|i| format!("column_{i}")).collect()
    };
    let mut ids: Vec<FieldId> = names.iter().map(|n| sink.field(n)).collect();
    let width = names.len();

    let push_row = |sink: &mut dyn RecordSink,
                    names: &mut Vec<String>,
                    ids: &mut Vec<FieldId>,
                    rec: &csv::ByteRecord,
                    row: u64,
                    line: u64| {
        let at = Location {
            line: Some(line),
            row: Some(row),
        };
        if rec.len() != width {
            sink.anomaly(Anomaly::RaggedRow, at);
        }
        for (i, value) in rec.iter().enumerate() {
            if i >= ids.len() {
                names.push(format!("column_{}", i + 1));
                ids.push(sink.field(&names[i]));
            }
            if std::str::from_utf8(value).is_err() {
                sink.anomaly(Anomaly::InvalidUtf8, at);
            }
            sink.cell(ids[i], value, at);
        }
    };

    let mut row: u64 = 0;
    if sampling.full {
        stats.method = "full".into();
        if !header {
            push_row(
                sink,
                &mut names,
                &mut ids,
                &record,
                0,
                record.position().map_or(1, |p| p.line()),
            );
            row = 1;
        }
        while read_next(&mut rdr, &mut record)? {
            push_row(
                sink,
                &mut names,
                &mut ids,
                &record,
                row,
                record.position().map_or(0, |p| p.line()),
            );
            row += 1;
        }
        stats.rows_scanned = row;
    } else {
        let mut reservoir: Reservoir<(u64, u64, csv::ByteRecord)> =
            Reservoir::new(sampling.rows, sampling.seed);
        if !header {
            let line = record.position().map_or(1, |p| p.line());
            reservoir.offer(|| (0, line, record.clone()));
            row = 1;
        }
        while read_next(&mut rdr, &mut record)? {
            let line = record.position().map_or(0, |p| p.line());
            reservoir.offer(|| (row, line, record.clone()));
            row += 1;
        }
        let (sample, method) = reservoir.into_rows_in_order(sampling.rows, sampling.seed);
        stats.rows_scanned = sample.len() as u64;
        stats.method = method;
        for (r, line, rec) in &sample {
            push_row(sink, &mut names, &mut ids, rec, *r, *line);
        }
    }
    stats.rows_total = row;
    sink.rows(row);
    stats.columns = names;
    Ok(stats)
}
