//! JSON-lines tables: one JSON object per line, nested objects flattened to dotted
//! field paths (`user.contact.email`), sampled like any table.

use std::io::{BufRead, BufReader, Read};

use super::csv::{Sampling, TableStats};
use super::sample::Reservoir;
use super::text::flatten_json;
use super::{Anomaly, Location, RecordSink, SourceError};

fn push_line(line: &[u8], line_no: u64, row: u64, sink: &mut dyn RecordSink) {
    let at = Location {
        line: Some(line_no),
        row: Some(row),
    };
    match serde_json::from_slice::<serde_json::Value>(line) {
        Ok(v @ serde_json::Value::Object(_)) => {
            flatten_json(&v, &mut String::new(), &mut |path, value| {
                let f = sink.field(path);
                sink.cell(f, value, at);
            })
        }
        _ => {
            if std::str::from_utf8(line).is_err() {
                sink.anomaly(Anomaly::InvalidUtf8, at);
            }
            sink.anomaly(Anomaly::BadJsonLine, at);
            sink.text(line, line_no);
        }
    }
}

/// Reads JSON lines, pushing a deterministic sample (or every line) as cells; a line
/// that is not a JSON object is counted and scanned as text.
pub fn read(
    reader: impl Read,
    sampling: Sampling,
    line_cap: usize,
    sink: &mut dyn RecordSink,
) -> Result<TableStats, SourceError> {
    let mut rdr = BufReader::with_capacity(256 * 1024, reader);
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut row = 0u64;
    let mut stats = TableStats::default();
    let mut reservoir: Reservoir<(u64, u64, Vec<u8>)> =
        Reservoir::new(if sampling.full { 0 } else { sampling.rows }, sampling.seed);
    loop {
        buf.clear();
        let n = rdr
            .read_until(b'\n', &mut buf)
            .map_err(|e| SourceError::io("reading JSON lines", e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let mut line = buf.trim_ascii();
        if line.is_empty() {
            continue;
        }
        if line.len() > line_cap {
            sink.anomaly(
                Anomaly::TruncatedLine,
                Location {
                    line: Some(line_no),
                    row: Some(row),
                },
            );
            line = &line[..line_cap];
        }
        if sampling.full {
            push_line(line, line_no, row, sink);
        } else {
            reservoir.offer(|| (row, line_no, line.to_vec()));
        }
        row += 1;
    }
    if sampling.full {
        stats.method = "full".into();
        stats.rows_scanned = row;
    } else {
        let (sample, method) = reservoir.into_rows_in_order(sampling.rows, sampling.seed);
        stats.rows_scanned = sample.len() as u64;
        stats.method = method;
        for (r, l, bytes) in &sample {
            push_line(bytes, *l, *r, sink);
        }
    }
    stats.rows_total = row;
    stats.header = false;
    sink.rows(row);
    Ok(stats)
}
