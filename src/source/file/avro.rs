//! Avro object container files: a table of records whose schema travels with the data.
//!
//! The schema's field names are the field names (nested records flattened like JSON:
//! `address.city`, arrays as `phones[]`, by [`flatten_json`]), and a field's `doc` and
//! `aliases` are its name hints. Dates and timestamps become ISO text and integral
//! doubles keep their digits, so a value is classified as it would be in CSV.
//!
//! The container is framed here and each record decoded by `apache-avro`, so memory is
//! bounded: the header is read within [`HEADER_BUDGET`], one block at a time, each at
//! most [`BLOCK_BUDGET`] bytes stored and decompressed (deflate, snappy, zstandard), and
//! one record at a time out of it. A truncated or corrupt block ends the read with an
//! error; what was read before it is kept.

use std::collections::HashMap;
use std::io::{self, Read};

use apache_avro::schema::Schema;
use apache_avro::types::Value;

use super::json_walk::flatten_json;
use super::{FileRead, FileReader, TableStats};
use crate::source::format::AVRO_MAGIC;
use crate::source::sample::{RowSample, Sampled, SAMPLE_BUDGET};
use crate::source::{Anomaly, FieldId, Location, RecordSink, Sampling, SourceError};

/// Most bytes of a block, stored or decompressed: writers use 16 KiB to a few MiB.
pub const BLOCK_BUDGET: usize = 32 << 20;

/// Most bytes of the header (metadata and schema).
pub const HEADER_BUDGET: u64 = 16 << 20;

/// The reader of Avro object container files ([`crate::source::format::Format::Avro`]).
pub struct AvroFile;

impl FileReader for AvroFile {
    fn read(&self, mut job: FileRead<'_>) -> Result<(), SourceError> {
        let mut stats = TableStats::default();
        let result = read(
            || job.input.open(),
            job.opts.sampling,
            job.opts.line_cap,
            job.sink.as_records(),
            &mut stats,
        );
        stats.summarize(job.summary);
        result
    }
}

fn corrupt(what: &str) -> SourceError {
    SourceError::Parse(format!("Avro: {what}"))
}

/// How a block's data is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Codec {
    Null,
    Deflate,
    Snappy,
    Zstandard,
}

/// An open container: its schema, and the block being read.
struct Container<R> {
    r: R,
    schema: Schema,
    codec: Codec,
    sync: [u8; 16],
    stored: Vec<u8>,
    block: Vec<u8>,
    pos: usize,
    left: u64,
}

/// Reads a zig-zag varint `long`; `None` at a clean end of the stream.
fn read_long(r: &mut impl Read) -> Result<Option<i64>, SourceError> {
    let mut v: u64 = 0;
    for i in 0..10 {
        let mut b = [0u8; 1];
        match r.read_exact(&mut b) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof && i == 0 => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(corrupt("truncated block header (the file ends inside it)"))
            }
            Err(e) => return Err(SourceError::io("reading Avro", e)),
        }
        v |= u64::from(b[0] & 0x7f) << (7 * i);
        if b[0] & 0x80 == 0 {
            return Ok(Some((v >> 1) as i64 ^ -((v & 1) as i64)));
        }
    }
    Err(corrupt("corrupt block header (a varint over 10 bytes)"))
}

/// Reads up to `limit + 1` bytes of `r` into `out`: an error if there are more.
fn read_capped(r: impl Read, limit: usize, out: &mut Vec<u8>) -> Result<(), SourceError> {
    out.clear();
    r.take(limit as u64 + 1)
        .read_to_end(out)
        .map_err(|_| corrupt("a block does not decompress (corrupt data)"))?;
    if out.len() > limit {
        return Err(block_too_big());
    }
    Ok(())
}

fn block_too_big() -> SourceError {
    corrupt(&format!(
        "a block is over the {} MiB block budget (not read)",
        BLOCK_BUDGET >> 20
    ))
}

impl<R: Read> Container<R> {
    /// Reads the header: magic, metadata (schema, codec), sync marker.
    fn open(mut r: R) -> Result<Self, SourceError> {
        let mut magic = [0u8; 4];
        r.read_exact(&mut magic)
            .map_err(|_| corrupt("not an object container file (too short)"))?;
        if magic != AVRO_MAGIC {
            return Err(corrupt("not an object container file (no `Obj` magic)"));
        }
        let meta_schema = Schema::map(Schema::Bytes);
        let mut header = (&mut r).take(HEADER_BUDGET);
        let meta = apache_avro::from_avro_datum(&meta_schema, &mut header, None)
            .map_err(|_| corrupt("the header is corrupt, truncated or too big"))?;
        let Value::Map(meta) = meta else {
            return Err(corrupt("the header is corrupt"));
        };
        let bytes = |key: &str| match meta.get(key) {
            Some(Value::Bytes(b)) => Some(b.as_slice()),
            _ => None,
        };
        let json: serde_json::Value = bytes("avro.schema")
            .and_then(|b| serde_json::from_slice(b).ok())
            .ok_or_else(|| corrupt("the header has no readable schema"))?;
        let schema = Schema::parse(&json).map_err(|_| corrupt("the schema is not valid"))?;
        let codec = match bytes("avro.codec").unwrap_or(b"null") {
            b"null" => Codec::Null,
            b"deflate" => Codec::Deflate,
            b"snappy" => Codec::Snappy,
            b"zstandard" => Codec::Zstandard,
            b"bzip2" => return Err(corrupt("the bzip2 codec is not supported")),
            b"xz" => return Err(corrupt("the xz codec is not supported")),
            _ => return Err(corrupt("unknown codec")),
        };
        let mut sync = [0u8; 16];
        r.read_exact(&mut sync)
            .map_err(|_| corrupt("the header is truncated (no sync marker)"))?;
        Ok(Container {
            r,
            schema,
            codec,
            sync,
            stored: Vec::new(),
            block: Vec::new(),
            pos: 0,
            left: 0,
        })
    }

    /// Reads the next block; false at the end of the file.
    fn next_block(&mut self) -> Result<bool, SourceError> {
        let Some(count) = read_long(&mut self.r)? else {
            return Ok(false);
        };
        let size = read_long(&mut self.r)?.ok_or_else(|| corrupt("truncated block header"))?;
        let (Ok(count), Ok(size)) = (u64::try_from(count), usize::try_from(size)) else {
            return Err(corrupt("corrupt block header (a negative count or size)"));
        };
        if size > BLOCK_BUDGET {
            return Err(block_too_big());
        }
        self.stored.resize(size, 0);
        self.r
            .read_exact(&mut self.stored)
            .map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => {
                    corrupt("truncated block (the file ends inside it)")
                }
                _ => SourceError::io("reading Avro", e),
            })?;
        let mut sync = [0u8; 16];
        self.r.read_exact(&mut sync).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => corrupt("truncated block (no sync marker)"),
            _ => SourceError::io("reading Avro", e),
        })?;
        if sync != self.sync {
            return Err(corrupt("corrupt block (its sync marker does not match)"));
        }
        self.decompress()?;
        self.pos = 0;
        self.left = count;
        Ok(true)
    }

    fn decompress(&mut self) -> Result<(), SourceError> {
        let stored = &self.stored[..];
        match self.codec {
            Codec::Null => std::mem::swap(&mut self.block, &mut self.stored),
            Codec::Deflate => read_capped(
                flate2::read::DeflateDecoder::new(stored),
                BLOCK_BUDGET,
                &mut self.block,
            )?,
            Codec::Zstandard => {
                let d = zstd::stream::read::Decoder::new(stored)
                    .map_err(|e| SourceError::io("reading Avro", e))?;
                read_capped(d, BLOCK_BUDGET, &mut self.block)?
            }
            Codec::Snappy => {
                // Snappy data, then the big-endian CRC-32 of the uncompressed data.
                let bad = || corrupt("a snappy block does not decompress (corrupt data)");
                let (data, crc) = stored
                    .split_at_checked(stored.len().wrapping_sub(4))
                    .ok_or_else(bad)?;
                let len = snap::raw::decompress_len(data).map_err(|_| bad())?;
                if len > BLOCK_BUDGET {
                    return Err(block_too_big());
                }
                self.block.resize(len, 0);
                snap::raw::Decoder::new()
                    .decompress(data, &mut self.block)
                    .map_err(|_| bad())?;
                if crc32fast::hash(&self.block).to_be_bytes() != crc {
                    return Err(corrupt("a snappy block fails its checksum (corrupt data)"));
                }
            }
        }
        Ok(())
    }

    /// The next record, or `None` at the end of the file. Records that take no bytes
    /// (a schema of nulls) hold nothing to scan: the rest of their block is counted in
    /// `empty` rather than decoded one by one.
    fn next(&mut self, empty: &mut u64) -> Result<Option<Value>, SourceError> {
        while self.left == 0 {
            if !self.next_block()? {
                return Ok(None);
            }
        }
        let mut rest = &self.block[self.pos..];
        let before = rest.len();
        let value = apache_avro::from_avro_datum(&self.schema, &mut rest, None)
            .map_err(|_| corrupt("a record does not decode (corrupt or truncated block)"))?;
        let used = before - rest.len();
        self.left -= 1;
        if used == 0 {
            *empty += self.left;
            self.left = 0;
        }
        self.pos += used;
        Ok(Some(value))
    }
}

/// Days since 1970-01-01 as a civil date (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn iso_date(days: i64) -> serde_json::Value {
    let (y, m, d) = civil(days);
    serde_json::Value::String(format!("{y:04}-{m:02}-{d:02}"))
}

/// A timestamp of `per_second` units since the epoch as ISO 8601 (seconds precision).
fn iso_timestamp(t: i64, per_second: i64) -> serde_json::Value {
    let secs = t.div_euclid(per_second);
    let (days, s) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil(days);
    serde_json::Value::String(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    ))
}

/// A double as JSON: integral values as integers, so their digits are scanned as such.
fn number(f: f64) -> serde_json::Value {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.2e18 {
        serde_json::Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// An Avro value as the JSON it would be exported as, for [`flatten_json`]: records and
/// maps are objects, unions their branch, text and UTF-8 bytes strings, dates and
/// timestamps ISO text. Values without text to scan (booleans, non-text bytes,
/// decimals, durations, times of day) become null, which is skipped.
fn to_json(v: Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Record(fields) => {
            J::Object(fields.into_iter().map(|(k, v)| (k, to_json(v))).collect())
        }
        Value::Map(map) => J::Object(map.into_iter().map(|(k, v)| (k, to_json(v))).collect()),
        Value::Array(items) => J::Array(items.into_iter().map(to_json).collect()),
        Value::Union(_, v) => to_json(*v),
        Value::String(s) | Value::Enum(_, s) => J::String(s),
        Value::Bytes(b) | Value::Fixed(_, b) => String::from_utf8(b).map_or(J::Null, J::String),
        Value::Int(i) => J::from(i),
        Value::Long(i) => J::from(i),
        Value::Float(f) => number(f64::from(f)),
        Value::Double(f) => number(f),
        Value::Date(d) => iso_date(i64::from(d)),
        Value::TimestampMillis(t) | Value::LocalTimestampMillis(t) => iso_timestamp(t, 1_000),
        Value::TimestampMicros(t) | Value::LocalTimestampMicros(t) => iso_timestamp(t, 1_000_000),
        Value::TimestampNanos(t) | Value::LocalTimestampNanos(t) => iso_timestamp(t, 1_000_000_000),
        Value::Uuid(u) => J::String(u.to_string()),
        Value::BigDecimal(d) => J::String(d.to_string()),
        Value::Null
        | Value::Boolean(_)
        | Value::Decimal(_)
        | Value::Duration(_)
        | Value::TimeMillis(_)
        | Value::TimeMicros(_) => J::Null,
    }
}

/// The name hints of the schema's fields, by flattened path: each field's `doc` and
/// `aliases`.
fn hints(schema: &Schema) -> HashMap<String, String> {
    fn walk(s: &Schema, path: &mut String, depth: u32, out: &mut HashMap<String, String>) {
        if depth > 32 {
            return;
        }
        match s {
            Schema::Record(r) => {
                for f in &r.fields {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&f.name);
                    let mut hint = f.doc.clone().unwrap_or_default();
                    for a in f.aliases.iter().flatten() {
                        hint.push(' ');
                        hint.push_str(a);
                    }
                    if !hint.trim().is_empty() {
                        out.insert(path.clone(), hint);
                    }
                    walk(&f.schema, path, depth + 1, out);
                    path.truncate(len);
                }
            }
            Schema::Union(u) => {
                for v in u.variants() {
                    walk(v, path, depth + 1, out);
                }
            }
            Schema::Array(a) => {
                let len = path.len();
                path.push_str("[]");
                walk(&a.items, path, depth + 1, out);
                path.truncate(len);
            }
            _ => {}
        }
    }
    let mut out = HashMap::new();
    walk(schema, &mut String::new(), 0, &mut out);
    out
}

/// Receives each flattened value of a record: the sink, its field and its text.
type Emit<'e> = dyn FnMut(&mut dyn RecordSink, FieldId, &[u8]) + 'e;

/// Flattened paths interned as fields, with their hints.
struct Fields {
    hints: HashMap<String, String>,
    ids: HashMap<String, FieldId>,
}

impl Fields {
    fn id(&mut self, sink: &mut dyn RecordSink, path: &str) -> FieldId {
        if let Some(&id) = self.ids.get(path) {
            return id;
        }
        // A top-level value that is not a record is one column.
        let name = if path.is_empty() { "value" } else { path };
        let id = match self.hints.get(path) {
            Some(hint) => sink.field_with_hint(name, hint),
            None => sink.field(name),
        };
        self.ids.insert(path.to_string(), id);
        id
    }

    /// Flattens a record into `emit(field, value)`.
    fn each(&mut self, sink: &mut dyn RecordSink, value: Value, emit: &mut Emit<'_>) {
        flatten_json(&to_json(value), &mut String::new(), &mut |path, v| {
            let id = self.id(sink, path);
            emit(sink, id, v);
        });
    }
}

/// Pushes one value, capped at `line_cap` (counted) on a character boundary.
fn push_cell(sink: &mut dyn RecordSink, id: FieldId, v: &[u8], at: Location, line_cap: usize) {
    let v = if v.len() > line_cap {
        sink.anomaly(Anomaly::TruncatedField, at);
        super::capped::without_partial_char(&v[..line_cap])
    } else {
        v
    };
    sink.cell(id, v, at);
}

/// Reads an Avro container, pushing every record (or a seeded sample, read again when
/// too big to hold) as cells; `open` gives the stream from its start. `stats` is kept
/// up to date, so it says what was read when an error ends the read.
pub fn read<R: Read>(
    open: impl FnMut() -> io::Result<R>,
    sampling: Sampling,
    line_cap: usize,
    sink: &mut dyn RecordSink,
    stats: &mut TableStats,
) -> Result<(), SourceError> {
    read_with_budget(open, sampling, line_cap, SAMPLE_BUDGET, sink, stats)
}

fn read_with_budget<R: Read>(
    mut open: impl FnMut() -> io::Result<R>,
    sampling: Sampling,
    line_cap: usize,
    budget: usize,
    sink: &mut dyn RecordSink,
    stats: &mut TableStats,
) -> Result<(), SourceError> {
    let stream = open().map_err(|e| SourceError::io("opening Avro", e))?;
    let mut file = Container::open(stream)?;
    stats.header = true;
    stats.method = if sampling.full { "full" } else { "all rows" }.into();
    let mut fields = Fields {
        hints: hints(&file.schema),
        ids: HashMap::new(),
    };
    type Cells = Vec<(FieldId, Vec<u8>)>;
    let mut sample: Option<RowSample<Cells>> =
        (!sampling.full).then(|| RowSample::new(sampling.rows, sampling.seed, budget));
    let (mut row, mut empty) = (0u64, 0u64);
    let result = loop {
        let value = match file.next(&mut empty) {
            Ok(Some(v)) => v,
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        };
        let at = Location {
            line: None,
            row: Some(row),
        };
        match &mut sample {
            None => {
                fields.each(sink, value, &mut |sink, id, v| {
                    push_cell(sink, id, v, at, line_cap)
                });
                stats.rows_scanned = row + 1;
            }
            Some(s) => {
                let mut cells: Cells = Vec::new();
                fields.each(sink, value, &mut |_, id, v| cells.push((id, v.to_vec())));
                let size = cells.iter().map(|(_, v)| v.len() + 32).sum::<usize>() + 64;
                s.offer(row, row, size, || cells);
            }
        }
        row += 1;
    };
    drop(file);
    let rows = row + empty;
    stats.rows_total = rows;
    sink.rows(rows);
    let Some(s) = sample else {
        stats.rows_scanned += empty;
        return result;
    };
    let (sampled, method) = s.finish(sampling.rows, sampling.seed);
    stats.method = method;
    match sampled {
        Sampled::Kept(kept) => {
            for (r, _, cells) in &kept {
                let at = Location {
                    line: None,
                    row: Some(*r),
                };
                for (id, v) in cells {
                    push_cell(sink, *id, v, at, line_cap);
                }
            }
            stats.rows_scanned = kept.len() as u64;
        }
        Sampled::Reread(picks) => {
            let stream = open().map_err(|e| SourceError::io("re-reading Avro", e))?;
            let mut again = Container::open(stream)?;
            let mut wanted = picks.iter().copied().peekable();
            let (mut n, mut ignored) = (0u64, 0u64);
            while let Some(&want) = wanted.peek() {
                let Some(value) = again.next(&mut ignored)? else {
                    break;
                };
                if n == want {
                    wanted.next();
                    let at = Location {
                        line: None,
                        row: Some(n),
                    };
                    fields.each(sink, value, &mut |sink, id, v| {
                        push_cell(sink, id, v, at, line_cap)
                    });
                    stats.rows_scanned += 1;
                }
                n += 1;
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::file::capped::tests::{sampling, Recorder};
    use apache_avro::types::Record;
    use apache_avro::{Codec, DeflateSettings, Writer, ZstandardSettings};

    const SCHEMA: &str = r#"{
        "type": "record", "name": "Person", "fields": [
            {"name": "id", "type": "long"},
            {"name": "f1", "type": "string", "doc": "contact email", "aliases": ["mail"]},
            {"name": "address", "type": {"type": "record", "name": "Address", "fields": [
                {"name": "city", "type": "string"},
                {"name": "zip", "type": ["null", "string"]}
            ]}},
            {"name": "phones", "type": {"type": "array", "items": "string"}},
            {"name": "born", "type": {"type": "int", "logicalType": "date"}},
            {"name": "seen", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "score", "type": "double"},
            {"name": "active", "type": "boolean"}
        ]}"#;

    /// `n` people in blocks of `per_block`, compressed with `codec`.
    fn people(n: usize, per_block: usize, codec: Codec) -> Vec<u8> {
        let schema = Schema::parse_str(SCHEMA).unwrap();
        let mut w = Writer::with_codec(&schema, Vec::new(), codec);
        for i in 0..n {
            let mut r = Record::new(&schema).unwrap();
            r.put("id", i as i64);
            r.put("f1", format!("user{i}@example.com"));
            let mut a = Record::new(match &schema {
                Schema::Record(rs) => &rs.fields[2].schema,
                _ => unreachable!(),
            })
            .unwrap();
            a.put("city", "Springfield");
            a.put(
                "zip",
                Value::Union(1, Box::new(Value::String(format!("{:05}", 10_000 + i)))),
            );
            r.put("address", a);
            r.put(
                "phones",
                Value::Array(vec![Value::String(format!("+1 415 555 {:04}", i))]),
            );
            r.put("born", Value::Date(-3_653 + i as i32));
            r.put("seen", Value::TimestampMillis(1_700_000_000_123));
            r.put("score", 123_456_789.0f64);
            r.put("active", true);
            w.append(r).unwrap();
            if (i + 1) % per_block == 0 {
                w.flush().unwrap();
            }
        }
        w.into_inner().unwrap()
    }

    fn read_bytes(
        data: &[u8],
        rows: usize,
        full: bool,
        budget: usize,
    ) -> (Recorder, TableStats, Result<(), SourceError>, usize) {
        let mut opens = 0;
        let mut sink = Recorder::default();
        let mut stats = TableStats::default();
        let result = read_with_budget(
            || {
                opens += 1;
                Ok(data)
            },
            sampling(rows, full),
            64,
            budget,
            &mut sink,
            &mut stats,
        );
        (sink, stats, result, opens)
    }

    #[test]
    fn nested_records_are_flattened_like_json_with_typed_values_as_text() {
        let data = people(3, 2, Codec::Null);
        let (r, stats, result, _) = read_bytes(&data, 10, true, usize::MAX);
        result.unwrap();
        assert_eq!((stats.rows_total, stats.rows_scanned), (3, 3));
        assert_eq!(stats.method, "full");
        assert_eq!(r.rows, 3);
        assert_eq!(r.values("f1")[2], "user2@example.com");
        assert_eq!(r.values("address.city").len(), 3);
        assert_eq!(r.values("address.zip"), ["10000", "10001", "10002"]);
        assert_eq!(r.values("phones[]")[0], "+1 415 555 0000");
        assert_eq!(r.values("born")[..2], ["1960-01-01", "1960-01-02"]);
        assert_eq!(r.values("seen")[0], "2023-11-14T22:13:20");
        assert_eq!(r.values("score")[0], "123456789", "no .0, no exponent");
        assert!(
            r.values("active").is_empty(),
            "booleans hold nothing to scan"
        );
        assert_eq!(r.cells.iter().find(|c| c.0 == "id").unwrap().3, Some(0));
    }

    #[test]
    fn a_fields_doc_and_aliases_are_its_name_hints() {
        let schema = Schema::parse_str(SCHEMA).unwrap();
        let h = hints(&schema);
        assert_eq!(h.get("f1").map(String::as_str), Some("contact email mail"));
        assert!(!h.contains_key("address.city"));
    }

    #[test]
    fn every_codec_reads_the_same_records() {
        let plain = read_bytes(&people(25, 10, Codec::Null), 10, true, usize::MAX)
            .0
            .cells;
        for codec in [
            Codec::Deflate(DeflateSettings::default()),
            Codec::Snappy,
            Codec::Zstandard(ZstandardSettings::default()),
        ] {
            let (r, _, result, _) = read_bytes(&people(25, 10, codec), 10, true, usize::MAX);
            result.unwrap();
            assert_eq!(r.cells, plain, "{codec:?}");
        }
    }

    #[test]
    fn a_sample_over_budget_reads_the_same_records_again() {
        let data = people(300, 50, Codec::Snappy);
        let (held, a, ra, one) = read_bytes(&data, 20, false, usize::MAX);
        let (again, b, rb, two) = read_bytes(&data, 20, false, 500);
        ra.unwrap();
        rb.unwrap();
        assert_eq!((one, two), (1, 2));
        assert_eq!(held.cells, again.cells, "same seed, same records");
        assert_eq!((a.rows_scanned, a.rows_total), (20, 300));
        assert_eq!(
            (b.rows_scanned, b.method.as_str()),
            (20, "reservoir sample of 20 rows (seed 7)")
        );
    }

    #[test]
    fn a_truncated_or_corrupt_block_keeps_the_blocks_before_it() {
        let data = people(30, 10, Codec::Deflate(DeflateSettings::default()));
        let (r, stats, result, _) = read_bytes(&data[..data.len() - 20], 10, true, usize::MAX);
        let e = result.unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
        assert_eq!(stats.rows_scanned, 20);
        assert_eq!(r.values("f1").len(), 20);
        // A flipped byte in the last sync marker.
        let mut bad = data.clone();
        let n = bad.len();
        bad[n - 3] ^= 0xff;
        let e = read_bytes(&bad, 10, true, usize::MAX)
            .2
            .unwrap_err()
            .to_string();
        assert!(e.contains("sync marker"), "{e}");
        // Not a container, and a header cut short.
        let e = read_bytes(b"PAR1 not avro", 10, true, usize::MAX)
            .2
            .unwrap_err()
            .to_string();
        assert!(e.contains("magic"), "{e}");
        let e = read_bytes(&data[..40], 10, true, usize::MAX)
            .2
            .unwrap_err()
            .to_string();
        assert!(e.contains("header"), "{e}");
    }

    #[test]
    fn records_of_no_bytes_are_counted_without_decoding_each() {
        // A block claiming 2^40 records of an empty record: no hang, no error.
        let schema = Schema::parse_str(r#"{"type": "record", "name": "E", "fields": []}"#).unwrap();
        let mut w = Writer::new(&schema, Vec::new());
        w.append(Record::new(&schema).unwrap()).unwrap();
        let data = w.into_inner().unwrap();
        let sync = &data[data.len() - 16..];
        let header = data.windows(16).position(|w| w == sync).unwrap() + 16;
        let mut forged = data[..header].to_vec();
        // count 2^40 (zig-zag varint), size 0, sync.
        forged.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00]);
        forged.extend_from_slice(sync);
        let (r, stats, result, _) = read_bytes(&forged, 10, true, usize::MAX);
        result.unwrap();
        assert_eq!(stats.rows_total, 1 << 40);
        assert!(r.cells.is_empty());
    }
}
