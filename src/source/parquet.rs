//! Parquet tables, read with polars in row slices so memory stays bounded.
//!
//! Every column is cast to text (numbers keep their digits, so an SSN or card stored as
//! an integer is still validated); columns that cannot be cast (binary, nested lists or
//! structs) are skipped and reported as coverage gaps.

use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use super::csv::{Sampling, TableStats};
use super::sample::SplitMix64;
use super::{Location, RecordSink, SourceError};

/// Rows decoded per slice.
const SLICE_ROWS: usize = 65_536;

fn err(e: PolarsError) -> SourceError {
    SourceError::Parse(format!("Parquet: {e}"))
}

/// Reads a Parquet file, pushing a deterministic sample (or every row) as cells.
/// Returns the stats and the columns skipped, with the reason.
pub fn read(
    path: &Path,
    sampling: Sampling,
    sink: &mut dyn RecordSink,
) -> Result<(TableStats, Vec<(String, String)>), SourceError> {
    let open = || File::open(path).map_err(|e| SourceError::io("opening Parquet file", e));
    let total = ParquetReader::new(open()?).num_rows().map_err(err)?;
    let mut stats = TableStats {
        rows_total: total as u64,
        ..TableStats::default()
    };
    // Which rows to keep: all, or a seeded uniform choice (a Bernoulli pass keeps the
    // read streaming; the expected count is the sample size).
    let keep_all = sampling.full || total <= sampling.rows;
    let p = if keep_all {
        1.0
    } else {
        sampling.rows as f64 / total as f64
    };
    let mut rng = SplitMix64::new(sampling.seed);
    stats.method = if sampling.full {
        "full".into()
    } else if keep_all {
        "all rows".into()
    } else {
        format!("Bernoulli sample p={p:.6} (seed {})", sampling.seed)
    };
    let mut skipped: Vec<(String, String)> = Vec::new();
    let mut offset = 0usize;
    while offset < total {
        let len = SLICE_ROWS.min(total - offset);
        let df = ParquetReader::new(open()?)
            .with_slice(Some((offset, len)))
            .finish()
            .map_err(err)?;
        let keep: Vec<bool> = (0..df.height())
            .map(|_| keep_all || (rng.next_u64() as f64 / u64::MAX as f64) < p)
            .collect();
        for column in df.get_columns() {
            let name = column.name().to_string();
            if skipped.iter().any(|(n, _)| *n == name) {
                continue;
            }
            if matches!(column.dtype(), DataType::Binary | DataType::BinaryOffset) {
                skipped.push((name, "binary column".into()));
                continue;
            }
            let casted = match column.cast(&DataType::String) {
                Ok(c) => c,
                Err(e) => {
                    skipped.push((
                        name,
                        format!("type {} not readable as text: {e}", column.dtype()),
                    ));
                    continue;
                }
            };
            let Ok(values) = casted.str() else {
                skipped.push((name, "not readable as text".into()));
                continue;
            };
            let field = sink.field(&name);
            for (i, v) in values.into_iter().enumerate() {
                if let (Some(v), true) = (v, keep[i]) {
                    sink.cell(
                        field,
                        v.as_bytes(),
                        Location {
                            line: None,
                            row: Some((offset + i) as u64),
                        },
                    );
                }
            }
        }
        stats.rows_scanned += keep.iter().filter(|k| **k).count() as u64;
        if stats.columns.is_empty() {
            stats.columns = df
                .get_column_names()
                .iter()
                .map(|s| s.to_string())
                .collect();
        }
        offset += len;
    }
    stats.header = true;
    sink.rows(total as u64);
    Ok((stats, skipped))
}
