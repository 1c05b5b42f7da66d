//! Parquet tables, read with polars in row slices so memory stays bounded: slices are
//! sized from the metadata (bytes per row of each row group) to stay within
//! [`DECODE_BUDGET`]; a column whose pages are too big to decode within it is skipped
//! in that row group and reported; values are capped at the line cap (counted).
//!
//! Every column is cast to text (numbers keep their digits, so an SSN or card stored as
//! an integer is still validated); columns that cannot be cast (binary, nested lists or
//! structs) are skipped and reported as coverage gaps.

use std::fs::File;
use std::path::Path;

use polars::prelude::*;

use super::{FileRead, FileReader, TableStats};
use crate::source::format::Compression;
use crate::source::sample::SplitMix64;
use crate::source::{Anomaly, Location, RecordSink, Sampling, SourceError};

/// Most rows decoded per slice.
const SLICE_ROWS: usize = 65_536;

/// Bytes one decoded slice may take. Slices are sized from the file's metadata (the
/// uncompressed bytes per row of each row group), and a column chunk holding a page
/// too large to decode within half of this is skipped and reported.
pub const DECODE_BUDGET: usize = 64 << 20;

/// Largest metadata footer read: parsing one costs about three times its size.
pub const FOOTER_BUDGET: usize = DECODE_BUDGET / 2;

fn err(e: PolarsError) -> SourceError {
    SourceError::Parse(format!("Parquet: {e}"))
}

/// Reads a Parquet file, pushing a deterministic sample (or every row) as cells; values
/// longer than `line_cap` are scanned up to the cap and counted. Returns the stats and
/// the columns skipped, with the reason.
pub fn read(
    path: &Path,
    sampling: Sampling,
    line_cap: usize,
    sink: &mut dyn RecordSink,
) -> Result<(TableStats, Vec<(String, String)>), SourceError> {
    let open = || File::open(path).map_err(|e| SourceError::io("opening Parquet file", e));
    // The footer is parsed whole: refuse one too big to hold (min/max statistics of
    // huge values can make it hundreds of MiB).
    let footer =
        footer_len(&mut open()?).map_err(|e| SourceError::io("reading Parquet footer", e))?;
    if footer > FOOTER_BUDGET as u64 {
        return Err(SourceError::Parse(format!(
            "Parquet: metadata footer of {} MiB is over the {} MiB budget (not read)",
            footer >> 20,
            FOOTER_BUDGET >> 20
        )));
    }
    let mut reader = ParquetReader::new(open()?);
    let metadata = reader.get_metadata().map_err(err)?.clone();
    let roots: Vec<String> = reader
        .schema()
        .map_err(err)?
        .iter_names()
        .map(|n| n.to_string())
        .collect();
    let total = metadata.num_rows;
    // Page headers are read from a map of the file (only their bytes are touched).
    let map = File::open(path)
        .ok()
        // Safety: read-only map, dropped before returning; a file truncated meanwhile
        // can raise SIGBUS (the same trade-off as the text reader).
        .and_then(|f| unsafe { memmap2::Mmap::map(&f) }.ok());
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
    // Columns skipped in some row groups for their page size: (row groups, largest page).
    let mut too_big: Vec<(String, usize, usize)> = Vec::new();
    let mut offset = 0usize;
    for rg in &metadata.row_groups {
        let rg_rows = rg.num_rows();
        let mut columns: Vec<String> = Vec::new();
        let mut row_bytes = 0usize;
        for name in &roots {
            let Some(chunks) = rg.columns_under_root_iter(name) else {
                continue;
            };
            let (mut size, mut page) = (0usize, 0usize);
            for c in chunks {
                let fallback = usize::try_from(c.uncompressed_size()).unwrap_or(usize::MAX);
                size = size.saturating_add(fallback);
                let range = c.byte_range();
                page = page.max(match &map {
                    Some(m) => largest_page(m, range.start, range.end, fallback),
                    None => fallback,
                });
            }
            if page > DECODE_BUDGET / 2 {
                match too_big.iter_mut().find(|(n, _, _)| n == name) {
                    Some(e) => {
                        e.1 += 1;
                        e.2 = e.2.max(page);
                    }
                    None => too_big.push((name.clone(), 1, page)),
                }
                continue;
            }
            columns.push(name.clone());
            // Decoded and cast to text, a value takes about twice its stored size.
            row_bytes = row_bytes.saturating_add(size / rg_rows.max(1) * 2 + 32);
        }
        let step = (DECODE_BUDGET / row_bytes.max(1)).clamp(1, SLICE_ROWS);
        let mut rg_offset = 0usize;
        while rg_offset < rg_rows {
            let len = step.min(rg_rows - rg_offset);
            let start = offset + rg_offset;
            rg_offset += len;
            let keep: Vec<bool> = (0..len)
                .map(|_| keep_all || (rng.next_u64() as f64 / u64::MAX as f64) < p)
                .collect();
            stats.rows_scanned += keep.iter().filter(|k| **k).count() as u64;
            if columns.is_empty() {
                continue;
            }
            let mut slice_reader = ParquetReader::new(open()?);
            slice_reader.set_metadata(metadata.clone());
            let df = slice_reader
                .with_slice(Some((start, len)))
                .with_columns(Some(columns.clone()))
                .finish()
                .map_err(err)?;
            push_slice(&df, &keep, start, line_cap, &mut skipped, sink);
        }
        offset += rg_rows;
    }
    for (name, groups, page) in too_big {
        if skipped.iter().any(|(n, _)| *n == name) {
            continue;
        }
        skipped.push((
            name,
            format!(
                "{groups} of {} row groups not read: a page of {} MiB is over the {} MiB decode budget",
                metadata.row_groups.len(),
                page >> 20,
                DECODE_BUDGET >> 20
            ),
        ));
    }
    stats.columns = roots;
    stats.header = true;
    sink.rows(total as u64);
    Ok((stats, skipped))
}

/// The reader of Parquet files ([`crate::source::format::Format::Parquet`]).
pub struct ParquetFile;

impl FileReader for ParquetFile {
    fn read(&self, job: FileRead<'_>) -> Result<(), SourceError> {
        if job.input.compression != Compression::None {
            job.summary.skipped = Some(
                "compressed Parquet file (Parquet compresses internally; decompress it first)"
                    .into(),
            );
            return Ok(());
        }
        let (stats, skipped) = read(
            job.input.path,
            job.opts.sampling,
            job.opts.line_cap,
            job.sink.as_records(),
        )?;
        job.summary.skipped_columns = skipped;
        stats.summarize(job.summary);
        Ok(())
    }

    /// The footer is read first, then column chunks: a file, not a stream.
    fn needs_local_file(&self) -> bool {
        true
    }
}

/// The length of the file's metadata footer (0 when the file is too short to have one:
/// polars then reports it).
fn footer_len(file: &mut File) -> std::io::Result<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let size = file.seek(SeekFrom::End(0))?;
    if size < 8 {
        return Ok(0);
    }
    file.seek(SeekFrom::End(-8))?;
    let mut tail = [0u8; 8];
    file.read_exact(&mut tail)?;
    Ok(u64::from(u32::from_le_bytes([
        tail[0], tail[1], tail[2], tail[3],
    ])))
}

/// Pushes the kept rows of one decoded slice, every column cast to text.
fn push_slice(
    df: &DataFrame,
    keep: &[bool],
    offset: usize,
    line_cap: usize,
    skipped: &mut Vec<(String, String)>,
    sink: &mut dyn RecordSink,
) {
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
            let (Some(v), true) = (v, keep.get(i).copied().unwrap_or(false)) else {
                continue;
            };
            let at = Location {
                line: None,
                row: Some((offset + i) as u64),
            };
            let mut end = v.len();
            if end > line_cap {
                sink.anomaly(Anomaly::TruncatedField, at);
                end = line_cap;
                while !v.is_char_boundary(end) {
                    end -= 1;
                }
            }
            sink.cell(field, &v.as_bytes()[..end], at);
        }
    }
}

/// The largest uncompressed page of the column chunk at `start..end` of the file, from
/// its page headers; `fallback` (the chunk's uncompressed size) when they cannot be read.
fn largest_page(file: &[u8], start: u64, end: u64, fallback: usize) -> usize {
    let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
        return fallback;
    };
    if start > end || end > file.len() {
        return fallback;
    }
    let mut pos = start;
    let mut largest = 0usize;
    let mut pages = 0u32;
    while pos < end {
        pages += 1;
        if pages > 1_000_000 {
            return fallback;
        }
        let mut t = Thrift {
            b: &file[..end],
            pos,
        };
        let Some((uncompressed, compressed)) = t.page_header() else {
            return fallback;
        };
        let (Ok(u), Ok(c)) = (usize::try_from(uncompressed), usize::try_from(compressed)) else {
            return fallback;
        };
        largest = largest.max(u);
        pos = t.pos.saturating_add(c);
    }
    largest
}

/// Just enough of Thrift's compact protocol to read a Parquet page header's sizes.
struct Thrift<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Thrift<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.b.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn zigzag(&mut self) -> Option<i64> {
        let v = self.varint()?;
        Some((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn advance(&mut self, n: u64) -> Option<()> {
        let n = usize::try_from(n).ok()?;
        let to = self.pos.checked_add(n)?;
        (to <= self.b.len()).then(|| self.pos = to)
    }

    /// Skips a value of compact type `ty`.
    fn skip(&mut self, ty: u8, depth: u32) -> Option<()> {
        if depth > 32 {
            return None;
        }
        match ty {
            1 | 2 => Some(()),
            3 => self.advance(1),
            4..=6 => self.varint().map(|_| ()),
            7 => self.advance(8),
            8 => {
                let n = self.varint()?;
                self.advance(n)
            }
            9 | 10 => {
                let h = self.byte()?;
                let n = match h >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                let elem = h & 0x0f;
                for _ in 0..n {
                    if elem == 1 || elem == 2 {
                        self.advance(1)?;
                    } else {
                        self.skip(elem, depth + 1)?;
                    }
                }
                Some(())
            }
            11 => {
                let n = self.varint()?;
                if n > 0 {
                    let kv = self.byte()?;
                    for _ in 0..n {
                        self.skip(kv >> 4, depth + 1)?;
                        self.skip(kv & 0x0f, depth + 1)?;
                    }
                }
                Some(())
            }
            12 => self.fields(depth + 1, &mut |_, _, _| Ok(false)).map(|_| ()),
            _ => None,
        }
    }

    /// Walks a struct's fields; `on(id, type, self)` reads a field itself (true) or
    /// leaves it to be skipped (false).
    fn fields(
        &mut self,
        depth: u32,
        on: &mut dyn FnMut(i16, u8, &mut Self) -> Result<bool, ()>,
    ) -> Option<()> {
        let mut last = 0i16;
        loop {
            let h = self.byte()?;
            if h == 0 {
                return Some(());
            }
            let ty = h & 0x0f;
            let id = match h >> 4 {
                0 => i16::try_from(self.zigzag()?).ok()?,
                d => last.checked_add(i16::from(d))?,
            };
            last = id;
            if !on(id, ty, self).ok()? {
                self.skip(ty, depth)?;
            }
        }
    }

    /// `(uncompressed_page_size, compressed_page_size)` of the page header here.
    fn page_header(&mut self) -> Option<(i64, i64)> {
        let (mut u, mut c) = (None, None);
        self.fields(0, &mut |id, ty, t| {
            if ty == 5 && (id == 2 || id == 3) {
                let v = t.zigzag().ok_or(())?;
                if id == 2 {
                    u = Some(v);
                } else {
                    c = Some(v);
                }
                return Ok(true);
            }
            Ok(false)
        })?;
        Some((u?, c?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_headers_give_the_largest_page() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let big = "x".repeat(3 << 20);
        let mut df = df!(
            "id" => [1i64, 2, 3],
            "note" => ["short", big.as_str(), "tiny"],
        )
        .unwrap();
        ParquetWriter::new(File::create(&path).unwrap())
            .with_compression(ParquetCompression::Uncompressed)
            .finish(&mut df)
            .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let md = ParquetReader::new(File::open(&path).unwrap())
            .get_metadata()
            .unwrap()
            .clone();
        let rg = &md.row_groups[0];
        let note = rg.columns_under_root_iter("note").unwrap().next().unwrap();
        let r = note.byte_range();
        let page = largest_page(&bytes, r.start, r.end, usize::MAX);
        assert!((3 << 20..4 << 20).contains(&page), "{page}");
        let id = rg.columns_under_root_iter("id").unwrap().next().unwrap();
        let r = id.byte_range();
        assert!(largest_page(&bytes, r.start, r.end, usize::MAX) < 1024);
        // Garbage falls back to the chunk size.
        assert_eq!(largest_page(&[0xff; 64], 0, 64, 77), 77);
    }
}
