//! CSV/TSV tables, read with the `csv` crate as a stream of byte records.
//!
//! Why not polars here: polars' CSV reader is a columnar bulk loader. It rejects a whole
//! file on one ragged row, cannot tell which line a value came from, and has no
//! bounded-memory batching without its `lazy` engine (left out: +97 crates). The `csv`
//! crate streams byte records (no UTF-8 failure), tolerates ragged rows (counted), and
//! knows each record's line. Polars reads Parquet and writes the inventory tables.
//!
//! The crate buffers a whole field and a whole record, so the stream goes through
//! [`CsvCap`] first: no field longer than the line cap, no record longer than a few
//! caps, whatever the file holds (truncations are counted as anomalies).

use std::io::Read;

use super::capped::CsvCap;
use super::{FileRead, FileReader, TableStats};
use crate::source::format::Format;
use crate::source::sample::{RowSample, Sampled, SAMPLE_BUDGET};
use crate::source::{Anomaly, FieldId, Location, RecordSink, SourceError};

pub use crate::source::Sampling;

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

/// A CSV stream behind the capping adapter, with line numbers corrected for newlines
/// the adapter dropped.
struct Records<R: Read> {
    rdr: csv::Reader<CsvCap<R>>,
    record: csv::ByteRecord,
}

impl<R: Read> Records<R> {
    fn new(reader: R, delimiter: u8, line_cap: usize) -> Self {
        let rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(256 * 1024)
            .from_reader(CsvCap::new(reader, delimiter, line_cap));
        Records {
            rdr,
            record: csv::ByteRecord::new(),
        }
    }

    /// Reads the next record; returns its line, or None at the end. Truncations go to
    /// `sink` when given (the first pass reports them, a re-read does not).
    fn next(&mut self, sink: Option<&mut dyn RecordSink>) -> Result<Option<u64>, SourceError> {
        let more = self
            .rdr
            .read_byte_record(&mut self.record)
            .map_err(|e| match e.into_kind() {
                csv::ErrorKind::Io(io) => SourceError::io("reading CSV", io),
                other => SourceError::Parse(format!("CSV: {other:?}")),
            });
        self.report(sink);
        if !more? {
            return Ok(None);
        }
        let (line, byte) = self
            .record
            .position()
            .map_or((0, 0), |p| (p.line(), p.byte()));
        Ok(Some(
            line + self.rdr.get_mut().dropped_newlines_before(byte),
        ))
    }

    fn report(&mut self, sink: Option<&mut dyn RecordSink>) {
        let events = self.rdr.get_mut().take_events();
        if let Some(sink) = sink {
            for (kind, line) in events {
                sink.anomaly(
                    kind,
                    Location {
                        line: Some(line),
                        row: None,
                    },
                );
            }
        }
    }
}

/// Bytes a kept record costs in a sample (data, field bounds, the record itself).
fn record_size(rec: &csv::ByteRecord) -> usize {
    rec.as_slice().len() + rec.len() * 16 + 64
}

/// Reads a delimited table, pushing a deterministic sample of rows (or every row) into
/// `sink` as cells. Fields and records are capped at `line_cap` (see
/// [`super::capped`]); `open` is called for the stream, and once more when the sample
/// is too big to hold and the chosen rows are read again (see [`crate::source::sample`]).
pub fn read<R: Read>(
    open: impl FnMut() -> std::io::Result<R>,
    delimiter: u8,
    sampling: Sampling,
    line_cap: usize,
    sink: &mut dyn RecordSink,
) -> Result<TableStats, SourceError> {
    read_with_budget(open, delimiter, sampling, line_cap, SAMPLE_BUDGET, sink)
}

/// The reader of delimited tables ([`Format::Csv`]).
pub struct CsvFile;

impl FileReader for CsvFile {
    fn read(&self, job: FileRead<'_>) -> Result<(), SourceError> {
        let delimiter = match job.input.format {
            Format::Csv { delimiter } => delimiter,
            _ => b',',
        };
        job.read_table(|open, sampling, line_cap, sink| {
            read(open, delimiter, sampling, line_cap, sink)
        })
    }
}

fn read_with_budget<R: Read>(
    mut open: impl FnMut() -> std::io::Result<R>,
    delimiter: u8,
    sampling: Sampling,
    line_cap: usize,
    budget: usize,
    sink: &mut dyn RecordSink,
) -> Result<TableStats, SourceError> {
    let reader = open().map_err(|e| SourceError::io("opening CSV", e))?;
    let mut records = Records::new(reader, delimiter, line_cap);
    let mut stats = TableStats::default();

    let Some(first_line) = records.next(Some(sink))? else {
        stats.method = "empty".into();
        return Ok(stats);
    };
    let header = looks_like_header(&records.record);
    stats.header = header;
    let mut names: Vec<String> = if header {
        records
            .record
            .iter()
            .map(|f| String::from_utf8_lossy(f.trim_ascii()).into_owned())
            .collect()
    } else {
        (1..=records.record.len())
            .map(|i| format!("column_{i}"))
            .collect()
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
        // One UTF-8 check per row; each value is checked only when the row fails it.
        let row_is_utf8 = std::str::from_utf8(rec.as_slice()).is_ok();
        for (i, value) in rec.iter().enumerate() {
            if i >= ids.len() {
                names.push(format!("column_{}", i + 1));
                ids.push(sink.field(&names[i]));
            }
            if !row_is_utf8 && std::str::from_utf8(value).is_err() {
                sink.anomaly(Anomaly::InvalidUtf8, at);
            }
            sink.cell(ids[i], value, at);
        }
    };

    let mut row: u64 = 0;
    if sampling.full {
        stats.method = "full".into();
        if !header {
            push_row(sink, &mut names, &mut ids, &records.record, 0, first_line);
            row = 1;
        }
        while let Some(line) = records.next(Some(sink))? {
            push_row(sink, &mut names, &mut ids, &records.record, row, line);
            row += 1;
        }
        stats.rows_scanned = row;
    } else {
        let mut sample: RowSample<csv::ByteRecord> =
            RowSample::new(sampling.rows, sampling.seed, budget);
        if !header {
            let rec = &records.record;
            sample.offer(0, first_line, record_size(rec), || rec.clone());
            row = 1;
        }
        while let Some(line) = records.next(Some(sink))? {
            let rec = &records.record;
            sample.offer(row, line, record_size(rec), || rec.clone());
            row += 1;
        }
        drop(records);
        let (sample, method) = sample.finish(sampling.rows, sampling.seed);
        stats.method = method;
        match sample {
            Sampled::Kept(rows) => {
                stats.rows_scanned = rows.len() as u64;
                for (r, line, rec) in &rows {
                    push_row(sink, &mut names, &mut ids, rec, *r, *line);
                }
            }
            Sampled::Reread(picks) => {
                let reader = open().map_err(|e| SourceError::io("re-reading CSV", e))?;
                let mut again = Records::new(reader, delimiter, line_cap);
                if header {
                    again.next(None)?;
                }
                let mut next_row = 0u64;
                let mut wanted = picks.iter().copied().peekable();
                while wanted.peek().is_some() {
                    let Some(line) = again.next(None)? else { break };
                    if wanted.peek() == Some(&next_row) {
                        wanted.next();
                        push_row(sink, &mut names, &mut ids, &again.record, next_row, line);
                        stats.rows_scanned += 1;
                    }
                    next_row += 1;
                }
            }
        }
    }
    stats.rows_total = row;
    sink.rows(row);
    stats.columns = names;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::file::capped::tests::{run_with_budget, sampling, Recorder};

    #[test]
    fn a_huge_quoted_field_is_capped_and_later_rows_keep_their_lines() {
        let mut data = b"id,email,blob\n1,a@x.io,\"".to_vec();
        data.extend(std::iter::repeat_n(b"word \"\"q\"\" ,\n".as_slice(), 10_000).flatten());
        data.extend_from_slice(b"\"\n2,b@x.io,ok\n3,c@x.io,\"fine\"\n");
        let mut sink = Recorder::default();
        let stats = read(|| Ok(&data[..]), b',', sampling(10, true), 1024, &mut sink).unwrap();
        assert_eq!(stats.rows_total, 3);
        assert!(sink.cells.iter().all(|c| c.1.len() <= 1024));
        let emails: Vec<(Vec<u8>, Option<u64>)> = sink
            .cells
            .iter()
            .filter(|c| c.0 == "email")
            .map(|c| (c.1.clone(), c.2))
            .collect();
        assert_eq!(
            emails,
            vec![
                (b"a@x.io".to_vec(), Some(2)),
                (b"b@x.io".to_vec(), Some(10_003)),
                (b"c@x.io".to_vec(), Some(10_004)),
            ]
        );
        assert_eq!(sink.anomalies, vec![(Anomaly::TruncatedField, Some(2))]);
        assert!(!sink.anomalies.iter().any(|a| a.0 == Anomaly::RaggedRow));
    }

    #[test]
    fn a_sample_over_budget_reads_the_same_rows_again() {
        let mut data = String::from("id,email\n");
        for i in 0..2_000 {
            data.push_str(&format!("{i},user{i}@example.com\n"));
        }
        let run = |budget: usize| {
            run_with_budget(data.as_bytes(), budget, |open, budget, sink| {
                read_with_budget(open, b',', sampling(50, false), 1024, budget, sink)
            })
        };
        let (held, held_cells, one) = run(usize::MAX);
        let (again, again_cells, two) = run(500);
        assert_eq!((one, two), (1, 2));
        assert_eq!(held_cells.len(), 100);
        assert_eq!(held_cells, again_cells, "same seed, same rows, same lines");
        assert_eq!(held.method, again.method);
        assert_eq!(held.method, "reservoir sample of 50 rows (seed 7)");
        assert_eq!((again.rows_scanned, again.rows_total), (50, 2_000));
    }
}
