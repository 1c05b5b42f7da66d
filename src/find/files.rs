//! Files and logs: one pass per file with the [`Matcher`]'s automaton.
//!
//! Text and log files are matched on their raw bytes, a memory map cut into chunks at
//! line boundaries and matched on all cores (a compressed file is streamed in blocks),
//! so the lookup runs at the automaton's speed; only a line that matched is parsed
//! again (JSON, `key=value`, access log) to say in which field the identifier was and
//! when the line was written. Tables in files (CSV, JSON lines, Parquet) are read by
//! their [`FileReader`](crate::source::file::FileReader) into a sink that matches each
//! planned field's values.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

use super::ident::{IdentKind, Identifier, MatchKind};
use super::matcher::{Hit, Matcher};
use super::plan::AssetPlan;
use super::time;
use crate::source::file::json_walk::{for_each_scalar, JsonScratch};
use crate::source::file::text::{for_each_block, kv_pairs, split_chunks, LineFormat};
use crate::source::file::{self, access_log, FileRead, FileSink, Input, ReadOptions, ReadSummary};
use crate::source::format::{self, Compression, Format};
use crate::source::{open, Anomaly, FieldId, Location, RecordSink, Sampling};

/// Line numbers kept per file for the deletion plan (the count goes on).
const MAX_LINES_KEPT: usize = 100_000;
/// Matching lines kept per file for an export.
const MAX_EXPORT_LINES: usize = 100_000;
/// Bytes per chunk of a mapped file.
const CHUNK: usize = 8 << 20;

/// One matching line (or row) of a file.
#[derive(Clone, Debug, Default)]
pub struct LineRecord {
    /// 1-based line (text) or 0-based row (a table without line numbers).
    pub line: u64,
    /// Identifier, how sure, field.
    pub hits: Vec<(usize, MatchKind, Option<String>)>,
    /// When the line was written, if it says.
    pub time: Option<String>,
    /// The raw line (only for an export).
    pub raw: Option<String>,
}

/// What the pass over one file found.
#[derive(Debug, Default)]
pub struct FileResult {
    /// Matching lines, in order.
    pub records: Vec<LineRecord>,
    /// `lines` or `rows`.
    pub unit: &'static str,
    /// How the file was read.
    pub method: String,
    /// The file is not something the pass reads (a SQLite database, binary data).
    pub skipped: Option<String>,
    /// The file is a SQLite database: look it up as one.
    pub sqlite: bool,
    /// A failure (kind, message): the result is incomplete.
    pub error: Option<(&'static str, String)>,
    /// Wall time of the pass.
    pub duration_ms: u64,
}

/// Searches one file for the identifiers `plan` assigns to it.
pub fn search_file(
    path: &Path,
    plan: &AssetPlan,
    ids: &[Identifier],
    line_cap: usize,
    export: bool,
) -> FileResult {
    let mut out = FileResult {
        unit: "lines",
        ..FileResult::default()
    };
    let wanted = plan.identifiers(ids.len());
    let raw = match open::raw_head(path, 16) {
        Ok(r) => r,
        Err(e) => {
            out.error = Some(("io", format!("cannot open: {e}")));
            return out;
        }
    };
    let compression = format::compression(path, &raw);
    let opened = match open::open(path, compression) {
        Ok(o) => o,
        Err(e) => {
            out.error = Some(("io", format!("cannot read: {e}")));
            return out;
        }
    };
    let fmt = format::detect(path, &opened.head);
    match fmt {
        Format::Sqlite => {
            out.sqlite = true;
            return out;
        }
        Format::Binary => {
            out.skipped = Some("binary content".into());
            return out;
        }
        _ => {}
    }
    let Some(matcher) = Matcher::new(ids, &wanted) else {
        out.method = "nothing to look for".into();
        return out;
    };
    if fmt == Format::Text {
        let lf = LineFormat::sniff(&opened.head);
        let pass = TextPass {
            matcher: &matcher,
            format: lf,
            cap: line_cap,
            export,
        };
        let result = if compression == Compression::None {
            drop(opened);
            pass.mapped(path)
        } else {
            pass.stream(opened.reader)
        };
        out.method = format!(
            "one pass over every line ({} lines, Aho-Corasick)",
            pass_format_name(lf)
        );
        match result {
            Ok(records) => out.records = records,
            Err(e) => out.error = Some(("io", e)),
        }
        return out;
    }
    let Some(reader) = file::reader(fmt) else {
        out.skipped = Some(format!("{} files are not read", fmt.name()));
        return out;
    };
    let mut sink = CellSink::new(&matcher, plan, ids, export);
    let input = Input::new(path, fmt, compression, &opened.head, opened.reader);
    let opts = ReadOptions {
        sampling: Sampling {
            rows: 1,
            full: true,
            seed: 0,
        },
        line_cap,
        chunk_size: CHUNK,
    };
    let mut summary = ReadSummary::default();
    let result = reader.read(FileRead {
        input,
        opts: &opts,
        sink: &mut sink,
        summary: &mut summary,
    });
    sink.finish();
    out.unit = if sink.saw_lines { "lines" } else { "rows" };
    out.records = sink.records;
    out.method = format!("every {} row, each planned field matched", fmt.name());
    if let Err(e) = result {
        out.error = Some(("io", e.to_string()));
    }
    out
}

fn pass_format_name(f: LineFormat) -> &'static str {
    match f {
        LineFormat::Plain => "plain",
        LineFormat::Json => "JSON",
        LineFormat::KeyValue => "key=value",
        LineFormat::AccessLog => "access-log",
    }
}

/// The raw pass over a text file.
struct TextPass<'m> {
    matcher: &'m Matcher,
    format: LineFormat,
    cap: usize,
    export: bool,
}

impl TextPass<'_> {
    /// A plain file, memory-mapped, chunks matched in parallel a window at a time.
    fn mapped(&self, path: &Path) -> Result<Vec<LineRecord>, String> {
        let f = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
        if f.metadata().map(|m| m.len()).unwrap_or(0) == 0 {
            return Ok(Vec::new());
        }
        // Safety: read-only map, dropped before returning (as the text reader does).
        let map = unsafe { memmap2::Mmap::map(&f) }.map_err(|e| format!("cannot map: {e}"))?;
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::Sequential);
        let bytes: &[u8] = &map;
        let window = (rayon::current_num_threads() * 2).max(2) * CHUNK;
        let mut records = Vec::new();
        let mut line = 1u64;
        let mut start = 0usize;
        while start < bytes.len() {
            let mut end = (start + window).min(bytes.len());
            if end < bytes.len() {
                end = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |p| end + p + 1);
            }
            let parts: Vec<(u64, Vec<LineRecord>)> = split_chunks(&bytes[start..end], CHUNK)
                .into_par_iter()
                .map(|r| {
                    let chunk = &bytes[start + r.start..start + r.end];
                    let newlines = memchr::memchr_iter(b'\n', chunk).count() as u64;
                    (newlines, self.block(chunk, 0))
                })
                .collect();
            for (newlines, recs) in parts {
                records.extend(recs.into_iter().map(|mut r| {
                    r.line += line;
                    r
                }));
                line += newlines;
            }
            #[cfg(unix)]
            // Safety: a read-only file-backed mapping; DONTNEED only drops our pages.
            let _ = unsafe {
                map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start)
            };
            start = end;
        }
        Ok(records)
    }

    /// A compressed file, streamed in blocks of whole lines.
    fn stream(&self, reader: impl std::io::Read) -> Result<Vec<LineRecord>, String> {
        let mut records = Vec::new();
        for_each_block(
            reader,
            4 << 20,
            self.cap,
            |block, first| {
                records.extend(self.block(block, first - 1).into_iter().map(|mut r| {
                    r.line += 1;
                    r
                }));
            },
            |_| {},
        )
        .map_err(|e| format!("reading (decompressing): {e}"))?;
        Ok(records)
    }

    /// The matching lines of a block of whole lines; line numbers are 0-based from
    /// `base`.
    fn block(&self, block: &[u8], base: u64) -> Vec<LineRecord> {
        let mut hits: Vec<Hit> = Vec::new();
        self.matcher.find(block, &mut hits);
        if hits.is_empty() {
            return Vec::new();
        }
        hits.sort_by_key(|h| h.start);
        let mut out: Vec<LineRecord> = Vec::new();
        let (mut pos, mut line) = (0usize, base);
        let mut i = 0;
        while i < hits.len() {
            let at = hits[i].start;
            line += memchr::memchr_iter(b'\n', &block[pos..at]).count() as u64;
            pos = at;
            let ls = memchr::memrchr(b'\n', &block[..at]).map_or(0, |p| p + 1);
            let le = memchr::memchr(b'\n', &block[at..]).map_or(block.len(), |p| at + p);
            let mut j = i;
            while j < hits.len() && hits[j].start < le {
                j += 1;
            }
            let text = &block[ls..le];
            let local: Vec<Hit> = hits[i..j]
                .iter()
                .map(|h| Hit {
                    start: h.start - ls,
                    end: h.end - ls,
                    ..*h
                })
                .collect();
            if let Some(r) = self.line(text, &local, line) {
                out.push(r);
            }
            i = j;
        }
        out
    }

    /// One matching line: its fields, time and (for an export) text.
    fn line(&self, text: &[u8], hits: &[Hit], line: u64) -> Option<LineRecord> {
        let parse_len = text.len().min(self.cap);
        let head = &text[..parse_len];
        let fields = fields_of(head, self.format);
        let mut rec = LineRecord {
            line,
            ..LineRecord::default()
        };
        let ids = self.matcher.identifiers();
        for h in hits {
            let field = fields
                .iter()
                .find(|f| {
                    f.range
                        .as_ref()
                        .is_some_and(|r| r.start <= h.start && h.end <= r.end)
                })
                .map(|f| f.name.clone());
            let field = match (&field, self.format) {
                (None, LineFormat::Json) => fields
                    .iter()
                    .find(|f| {
                        f.value
                            .as_ref()
                            .is_some_and(|v| self.matcher.holds(v, h.ident).is_some())
                    })
                    .map(|f| f.name.clone()),
                _ => field,
            };
            if ids[h.ident].kind == IdentKind::CustomerId
                && !names_column(&ids[h.ident], field.as_deref())
            {
                continue;
            }
            if !rec
                .hits
                .iter()
                .any(|(i, _, f)| *i == h.ident && *f == field)
            {
                rec.hits.push((h.ident, h.kind, field));
            }
        }
        if rec.hits.is_empty() {
            return None;
        }
        rec.time = fields
            .iter()
            .filter(|f| time::is_time_field(&f.name))
            .find_map(|f| match (&f.value, &f.range) {
                (Some(v), _) => time::parse(v),
                (None, Some(r)) => time::parse(&head[r.clone()]),
                _ => None,
            })
            .or_else(|| time::in_line(head));
        if self.export {
            rec.raw = Some(String::from_utf8_lossy(text).into_owned());
        }
        Some(rec)
    }
}

/// Whether `field` is the column a customer id names (its last path component, any case).
fn names_column(id: &Identifier, field: Option<&str>) -> bool {
    let (Some(col), Some(field)) = (id.column.as_deref(), field) else {
        return false;
    };
    let col = col.rsplit('.').next().unwrap_or(col);
    let last = field.rsplit('.').next().unwrap_or(field);
    last.eq_ignore_ascii_case(col)
}

/// A field of a structured line: its name and where its value is (a range of the line,
/// or, for JSON, the value itself).
struct LineField {
    name: String,
    range: Option<Range<usize>>,
    value: Option<Vec<u8>>,
}

fn fields_of(line: &[u8], format: LineFormat) -> Vec<LineField> {
    let mut out = Vec::new();
    match format {
        LineFormat::Plain => {}
        LineFormat::Json => {
            for_each_scalar(
                line.trim_ascii(),
                &mut JsonScratch::default(),
                &mut |path, value| {
                    out.push(LineField {
                        name: path.to_string(),
                        range: None,
                        value: Some(value.to_vec()),
                    });
                },
            );
        }
        LineFormat::AccessLog => {
            if let Some(p) = access_log::parse(line) {
                let mut push = |name: &str, r: Option<Range<usize>>| {
                    if let Some(r) = r {
                        out.push(LineField {
                            name: name.into(),
                            range: Some(r),
                            value: None,
                        });
                    }
                };
                push("client_ip", Some(p.client));
                push("user", Some(p.user));
                push("time", Some(p.time));
                push("request", Some(p.request));
                push("referrer", p.referrer);
                push("user_agent", p.user_agent);
            }
        }
        LineFormat::KeyValue => {
            for pair in kv_pairs(line) {
                if let Some((vs, ve)) = pair.value {
                    out.push(LineField {
                        name: String::from_utf8_lossy(&line[pair.key.clone()]).into_owned(),
                        range: Some(vs..ve),
                        value: None,
                    });
                }
            }
        }
    }
    out
}

/// The sink a table reader (CSV, JSON lines, Parquet) pushes into: each cell of a
/// planned field is matched; a row's hits wait for the row's end, so its time field is
/// known whatever the column order.
struct CellSink<'m> {
    matcher: &'m Matcher,
    plan: &'m AssetPlan,
    ids: &'m [Identifier],
    export: bool,
    names: Vec<String>,
    /// Per field: identifiers looked for, and whether it holds the time.
    fields: Vec<(BTreeSet<usize>, bool)>,
    at: Option<Location>,
    current: LineRecord,
    cells: Vec<(FieldId, String)>,
    records: Vec<LineRecord>,
    saw_lines: bool,
    scratch: Vec<Hit>,
}

impl<'m> CellSink<'m> {
    fn new(matcher: &'m Matcher, plan: &'m AssetPlan, ids: &'m [Identifier], export: bool) -> Self {
        CellSink {
            matcher,
            plan,
            ids,
            export,
            names: Vec::new(),
            fields: Vec::new(),
            at: None,
            current: LineRecord::default(),
            cells: Vec::new(),
            records: Vec::new(),
            saw_lines: false,
            scratch: Vec::new(),
        }
    }

    /// Ends the current row.
    fn finish(&mut self) {
        let rec = std::mem::take(&mut self.current);
        let cells = std::mem::take(&mut self.cells);
        if !rec.hits.is_empty() {
            let mut rec = rec;
            if self.export {
                let obj: serde_json::Map<String, serde_json::Value> = cells
                    .into_iter()
                    .map(|(f, v)| (self.names[f as usize].clone(), serde_json::Value::String(v)))
                    .collect();
                rec.raw = Some(serde_json::Value::Object(obj).to_string());
            }
            self.records.push(rec);
        }
    }

    fn locate(&mut self, at: Location) {
        if self.at != Some(at) {
            self.finish();
            self.at = Some(at);
            self.saw_lines |= at.line.is_some();
            self.current.line = at.line.or(at.row).unwrap_or(0);
        }
    }
}

impl RecordSink for CellSink<'_> {
    fn field(&mut self, name: &str) -> FieldId {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return i as FieldId;
        }
        let mut wanted = self.plan.identifiers_for(Some(name), self.ids.len());
        for (i, id) in self.ids.iter().enumerate() {
            if id.kind == IdentKind::CustomerId {
                if names_column(id, Some(name)) {
                    wanted.insert(i);
                } else {
                    wanted.remove(&i);
                }
            }
        }
        self.names.push(name.to_string());
        self.fields.push((wanted, time::is_time_field(name)));
        (self.names.len() - 1) as FieldId
    }

    fn cell(&mut self, field: FieldId, value: &[u8], at: Location) {
        self.locate(at);
        let Some((wanted, is_time)) = self.fields.get(field as usize) else {
            return;
        };
        if *is_time && self.current.time.is_none() {
            self.current.time = time::parse(value);
        }
        if self.export {
            self.cells
                .push((field, String::from_utf8_lossy(value).into_owned()));
        }
        if wanted.is_empty() {
            return;
        }
        let name = Some(self.names[field as usize].clone());
        for &i in wanted.iter() {
            if self.ids[i].kind == IdentKind::CustomerId {
                if let Some(k) = self.ids[i].compare(value) {
                    self.current.hits.push((i, k, name.clone()));
                }
            }
        }
        self.scratch.clear();
        self.matcher.find(value, &mut self.scratch);
        for h in &self.scratch {
            let customer = self.ids[h.ident].kind == IdentKind::CustomerId;
            if wanted.contains(&h.ident)
                && !customer
                && !self
                    .current
                    .hits
                    .iter()
                    .any(|(i, _, f)| *i == h.ident && *f == name)
            {
                self.current.hits.push((h.ident, h.kind, name.clone()));
            }
        }
    }

    fn text(&mut self, text: &[u8], first_line: u64) {
        self.saw_lines = true;
        let pass = TextPass {
            matcher: self.matcher,
            format: LineFormat::Plain,
            cap: usize::MAX,
            export: self.export,
        };
        let recs = pass.block(text, first_line.saturating_sub(1));
        for mut r in recs {
            r.line += 1;
            r.hits
                .retain(|(i, _, _)| self.ids[*i].kind != IdentKind::CustomerId);
            if !r.hits.is_empty() {
                self.records.push(r);
            }
        }
    }

    fn rows(&mut self, _n: u64) {}

    fn anomaly(&mut self, _kind: Anomaly, _at: Location) {}
}

/// Parts are read one after another into the sink itself (the defaults).
impl FileSink for CellSink<'_> {
    fn as_records(&mut self) -> &mut dyn RecordSink {
        self
    }
}

/// Identifier, field and match kind: what one tally line counts.
pub type TallyKey = (usize, Option<String>, MatchKind);
/// Lines, first and last time.
pub type Seen = (u64, Option<String>, Option<String>);

/// What a file's records add up to: per (identifier, field, match kind) the lines and
/// first and last times; the distinct lines; the lines kept for a deletion plan.
#[derive(Debug, Default)]
pub struct Tally {
    /// (identifier, field, kind) → (lines, first, last).
    pub by: BTreeMap<TallyKey, Seen>,
    /// Distinct lines with a strong match (not name-only).
    pub lines: u64,
    /// Up to [`MAX_LINES_KEPT`] of them.
    pub kept: Vec<u64>,
    /// Raw lines for an export (strong matches only), up to [`MAX_EXPORT_LINES`].
    pub export: Vec<(u64, String)>,
}

/// Adds up a file's records.
pub fn tally(records: Vec<LineRecord>) -> Tally {
    let mut t = Tally::default();
    for r in records {
        for (i, k, f) in &r.hits {
            let e = t.by.entry((*i, f.clone(), *k)).or_insert((0, None, None));
            e.0 += 1;
            if let Some(ts) = &r.time {
                if e.1.as_ref().is_none_or(|x| ts < x) {
                    e.1 = Some(ts.clone());
                }
                if e.2.as_ref().is_none_or(|x| ts > x) {
                    e.2 = Some(ts.clone());
                }
            }
        }
        if r.hits.iter().any(|(_, k, _)| *k != MatchKind::NameOnly) {
            t.lines += 1;
            if t.kept.len() < MAX_LINES_KEPT {
                t.kept.push(r.line);
            }
            if let (Some(raw), true) = (r.raw, t.export.len() < MAX_EXPORT_LINES) {
                t.export.push((r.line, raw));
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::find::ident::region;

    fn ids() -> Vec<Identifier> {
        [
            (IdentKind::Email, "ann@example.com"),
            (IdentKind::Ip, "10.0.0.7"),
        ]
        .iter()
        .map(|(k, s)| Identifier::parse(*k, s, region("US").unwrap()).unwrap())
        .collect()
    }

    fn every() -> AssetPlan {
        AssetPlan {
            every_field: true,
            ..AssetPlan::default()
        }
    }

    #[test]
    fn json_log_lines_give_fields_times_and_exact_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let mut text = String::new();
        for i in 0..300 {
            let who = match i % 3 {
                0 => "ann@example.com",
                1 => "joann@example.com",
                _ => "ANN@example.com",
            };
            text.push_str(&format!("{{\"ts\":\"2024-01-{:02}T00:00:00Z\",\"user\":{{\"email\":\"{who}\"}},\"ip\":\"10.0.0.{}\"}}\n", 1 + i % 28, i % 9));
        }
        std::fs::write(&path, &text).unwrap();
        let r = search_file(&path, &every(), &ids(), 1 << 20, false);
        assert!(r.error.is_none(), "{:?}", r.error);
        let t = tally(r.records);
        let email = |k| {
            t.by.get(&(0, Some("user.email".to_string()), k))
                .map(|e| e.0)
        };
        assert_eq!(email(MatchKind::Exact), Some(100));
        assert_eq!(email(MatchKind::Normalised), Some(100));
        let ip =
            t.by.get(&(1, Some("ip".to_string()), MatchKind::Exact))
                .unwrap();
        assert_eq!(ip.0, (0..300).filter(|i| i % 9 == 7).count() as u64);
        let first =
            t.by.get(&(0, Some("user.email".to_string()), MatchKind::Exact))
                .unwrap();
        assert_eq!(first.1.as_deref(), Some("2024-01-01T00:00:00Z"));
        assert_eq!(first.2.as_deref(), Some("2024-01-28T00:00:00Z"));
        assert_eq!(t.kept[0], 1, "line numbers are 1-based");
    }

    #[test]
    fn csv_cells_of_planned_fields_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("people.csv");
        std::fs::write(
            &path,
            "name,email,note\nAnn,ann@example.com,x\nBob,bob@example.com,ann@example.com\n",
        )
        .unwrap();
        let mut plan = AssetPlan::default();
        plan.fields
            .insert(Some("email".into()), BTreeSet::from([0]));
        let r = search_file(&path, &plan, &ids(), 1 << 20, true);
        let t = tally(r.records);
        assert_eq!(t.by.len(), 1, "{:?}", t.by);
        assert_eq!(t.lines, 1);
        assert!(t.export[0].1.contains("Ann"));
    }
}
