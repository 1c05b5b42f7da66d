//! JSON-lines tables: one JSON object per line, nested objects flattened to dotted
//! field paths (`user.contact.email`), sampled like any table. Lines are read through
//! [`LineReader`], so a line of any length costs at most the line cap in memory.

use std::io::Read;

use super::capped::{without_partial_char, LineReader};
use super::json_walk::{for_each_scalar, JsonScratch};
use super::{FileRead, FileReader, TableStats};
use crate::source::sample::{RowSample, Sampled, SAMPLE_BUDGET};
use crate::source::{Anomaly, Location, RecordSink, Sampling, SourceError};

fn push_line(
    line: &[u8],
    line_no: u64,
    row: u64,
    json: &mut JsonScratch,
    sink: &mut dyn RecordSink,
) {
    let at = Location {
        line: Some(line_no),
        row: Some(row),
    };
    let object = for_each_scalar(line, json, &mut |path, value| {
        let f = sink.field(path);
        sink.cell(f, value, at);
    });
    if !object {
        if std::str::from_utf8(line).is_err() {
            sink.anomaly(Anomaly::InvalidUtf8, at);
        }
        sink.anomaly(Anomaly::BadJsonLine, at);
        sink.lines(line, line_no);
    }
}

/// Reads JSON lines, pushing a deterministic sample (or every line) as cells; a line
/// that is not a JSON object is counted and scanned as text. Lines are read at most
/// `line_cap` bytes at a time (the rest of a longer line is skipped unbuffered and
/// counted); `open` is called for the stream, and once more when the sample is too big
/// to hold and the chosen lines are read again (see [`crate::source::sample`]).
pub fn read<R: Read>(
    open: impl FnMut() -> std::io::Result<R>,
    sampling: Sampling,
    line_cap: usize,
    sink: &mut dyn RecordSink,
) -> Result<TableStats, SourceError> {
    read_with_budget(open, sampling, line_cap, SAMPLE_BUDGET, sink)
}

/// The reader of JSON-lines tables ([`crate::source::format::Format::Jsonl`]).
pub struct JsonLinesFile;

impl FileReader for JsonLinesFile {
    fn read(&self, job: FileRead<'_>) -> Result<(), SourceError> {
        job.read_table(|open, sampling, line_cap, sink| read(open, sampling, line_cap, sink))
    }
}

/// The scanned part of a line: trimmed, and cut at a character boundary when capped.
fn scanned(line: &[u8], truncated: bool) -> &[u8] {
    let line = if truncated {
        without_partial_char(line)
    } else {
        line
    };
    line.trim_ascii()
}

fn read_with_budget<R: Read>(
    mut open: impl FnMut() -> std::io::Result<R>,
    sampling: Sampling,
    line_cap: usize,
    budget: usize,
    sink: &mut dyn RecordSink,
) -> Result<TableStats, SourceError> {
    let io_err = |e| SourceError::io("reading JSON lines", e);
    let mut lines = LineReader::new(open().map_err(io_err)?, line_cap);
    let mut row = 0u64;
    let mut json = JsonScratch::default();
    let mut stats = TableStats::default();
    let mut sample: RowSample<Vec<u8>> = RowSample::new(
        if sampling.full { 0 } else { sampling.rows },
        sampling.seed,
        budget,
    );
    while let Some(l) = lines.next_line().map_err(io_err)? {
        let line = scanned(l.bytes, l.truncated);
        if line.is_empty() {
            continue;
        }
        if l.truncated {
            sink.anomaly(
                Anomaly::TruncatedLine,
                Location {
                    line: Some(l.number),
                    row: Some(row),
                },
            );
        }
        if sampling.full {
            push_line(line, l.number, row, &mut json, sink);
        } else {
            sample.offer(row, l.number, line.len() + 64, || line.to_vec());
        }
        row += 1;
    }
    drop(lines);
    if sampling.full {
        stats.method = "full".into();
        stats.rows_scanned = row;
    } else {
        let (sample, method) = sample.finish(sampling.rows, sampling.seed);
        stats.method = method;
        match sample {
            Sampled::Kept(rows) => {
                stats.rows_scanned = rows.len() as u64;
                for (r, l, bytes) in &rows {
                    push_line(bytes, *l, *r, &mut json, sink);
                }
            }
            Sampled::Reread(picks) => {
                let mut again = LineReader::new(open().map_err(io_err)?, line_cap);
                let mut wanted = picks.iter().copied().peekable();
                let mut next_row = 0u64;
                while wanted.peek().is_some() {
                    let Some(l) = again.next_line().map_err(io_err)? else {
                        break;
                    };
                    let line = scanned(l.bytes, l.truncated);
                    if line.is_empty() {
                        continue;
                    }
                    if wanted.peek() == Some(&next_row) {
                        wanted.next();
                        push_line(line, l.number, next_row, &mut json, sink);
                        stats.rows_scanned += 1;
                    }
                    next_row += 1;
                }
            }
        }
    }
    stats.rows_total = row;
    stats.header = false;
    sink.rows(row);
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::file::capped::tests::{run_with_budget, sampling, Recorder};

    #[test]
    fn a_huge_line_is_capped_and_line_numbers_stay_right() {
        let mut data = b"{\"email\":\"a@x.io\"}\n{\"blob\":\"".to_vec();
        data.extend(std::iter::repeat_n(b'z', 3_000_000));
        data.extend_from_slice(b"\"}\n\n{\"email\":\"b@x.io\"}\n");
        for full in [true, false] {
            let mut sink = Recorder::default();
            let stats = read(|| Ok(&data[..]), sampling(10, full), 1024, &mut sink).unwrap();
            assert_eq!(stats.rows_total, 3);
            let emails: Vec<_> = sink
                .cells
                .iter()
                .filter(|c| c.0 == "email")
                .map(|c| (c.1.clone(), c.2, c.3))
                .collect();
            assert_eq!(
                emails,
                vec![
                    (b"a@x.io".to_vec(), Some(1), Some(0)),
                    (b"b@x.io".to_vec(), Some(4), Some(2)),
                ]
            );
            assert!(sink.anomalies.contains(&(Anomaly::TruncatedLine, Some(2))));
            assert_eq!(sink.texts.len(), 1);
            assert_eq!(sink.texts[0].0.len(), 1024);
        }
    }

    #[test]
    fn a_sample_over_budget_reads_the_same_lines_again() {
        let mut data = String::new();
        for i in 0..3_000 {
            data.push_str(&format!("{{\"id\":{i},\"email\":\"u{i}@example.com\"}}\n"));
            if i % 7 == 0 {
                data.push('\n');
            }
        }
        let run = |budget: usize| {
            run_with_budget(data.as_bytes(), budget, |open, budget, sink| {
                read_with_budget(open, sampling(40, false), 1024, budget, sink)
            })
        };
        let (held, held_cells, one) = run(usize::MAX);
        let (again, again_cells, two) = run(300);
        assert_eq!((one, two), (1, 2));
        assert_eq!(held.method, again.method);
        assert_eq!((held.rows_scanned, again.rows_scanned), (40, 40));
        assert_eq!(held_cells, again_cells, "same seed, same rows, same lines");
    }
}
