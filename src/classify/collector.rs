//! [`AssetCollector`]: the detector stage as a [`RecordSink`]. It owns a per-thread
//! scanner, interns field names, tallies findings per field (and for unstructured
//! text), counts anomalies, and buffers finding lines for the findings file.
//!
//! It is the only place where records become an [`AssetReport`], for files and
//! databases alike: a table column with a comment is one of its fields too (interned
//! with [`RecordSink::field_with_hint`]), so its name, comment and values give the same
//! kinds of evidence (data types and recipient-catalog hits) as any other field.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use crate::classify::column::{FieldState, Mode, ScanScratch, Tally};
use crate::classify::timestamp::{self, earliest, TimeField};
use crate::detect::{DetectorIdx, Engine, FieldContext, RecipientKind, Scanner};
use crate::inventory::retention::{OldestRecord, RecordBasis};
use crate::inventory::{
    AssetError, AssetReport, FieldReport, ObservedRecipient, RecipientEvidence,
};
use crate::mask::Masked;
use crate::output::findings::{AssetKind, FindingRecord, FindingsWriter};
use crate::source::file::FileSink;
use crate::source::{Anomaly, FieldId, Location, RecordSink};

/// A finding kept for the findings file (field by id, value masked).
#[derive(Clone, Copy)]
struct Kept {
    field: Option<FieldId>,
    line: Option<u64>,
    /// 1-based column in code points, for text read as whole lines.
    column: Option<u32>,
    row: Option<u64>,
    detector: DetectorIdx,
    confidence: f32,
    masked: Masked,
}

/// A cell waiting to be scanned: where it is, and its bytes in a batch's arena.
pub type PendingCell = (Location, Range<usize>);

/// The pending cells of one field.
pub type FieldCells = (FieldId, Vec<PendingCell>);

/// Lanes a batched field with many cells is cut into (see
/// [`AssetCollector::cells_by_field`]).
const LANES: usize = 4;
/// Fewer cells than this in a batch are tallied in one lane.
const LANE_MIN_CELLS: usize = 256;

/// What one lane of [`AssetCollector::cells_by_field`] found: its field, the findings
/// kept, the recipient literals seen and the earliest time among its values.
type LaneResult = (FieldId, Vec<Kept>, Vec<u16>, Option<i64>);

/// Collects one asset's (or one chunk's) results.
pub struct AssetCollector<'e> {
    engine: &'e Engine,
    asset: String,
    asset_kind: AssetKind,
    /// Where kept findings go (`None`: no findings file, nothing is kept).
    findings: Option<&'e FindingsWriter>,
    scanner: Scanner<'e>,
    names: Vec<String>,
    /// Field name → id; looked up for every cell, so with a fast hash.
    ids: HashMap<String, FieldId, foldhash::fast::RandomState>,
    fields: Vec<FieldState>,
    /// Per field: whether it is a timestamp column, and its earliest time.
    times: Vec<(TimeField, Option<i64>)>,
    /// The earliest time a log line starts with (or an access log's `[time]`).
    text_time: Option<i64>,
    /// Extra lanes of a field for batches (see [`AssetCollector::cells_by_field`]),
    /// folded into `fields` before results are read.
    lanes: Vec<Vec<FieldState>>,
    text: Tally,
    keep: bool,
    kept: Vec<Kept>,
    anomalies: BTreeMap<&'static str, (u64, Option<u64>)>,
    rows: u64,
    scratch: ScanScratch,
    /// Recipient literal sightings per (literal, field).
    recipients: BTreeMap<(u16, Option<FieldId>), u64>,
    lines_of: Vec<u64>,
}

fn anomaly_name(kind: Anomaly) -> &'static str {
    match kind {
        Anomaly::InvalidUtf8 => "invalid_utf8",
        Anomaly::TruncatedLine => "truncated_lines",
        Anomaly::RaggedRow => "ragged_rows",
        Anomaly::BadJsonLine => "bad_json_lines",
        Anomaly::TruncatedField => "truncated_fields",
        Anomaly::TruncatedRecord => "truncated_records",
    }
}

fn anomaly_message(name: &str) -> &'static str {
    match name {
        "invalid_utf8" => "values or lines that are not valid UTF-8 (scanned as bytes)",
        "truncated_lines" => "lines longer than the line cap (scanned up to the cap)",
        "ragged_rows" => {
            "rows with a different number of fields than the header (scanned as they are)"
        }
        "bad_json_lines" => "lines that are not JSON objects (scanned as text)",
        "truncated_fields" => "fields or values longer than the line cap (scanned up to the cap)",
        "truncated_records" => {
            "records longer than 4 line caps or wider than 16384 fields (their remaining fields were not scanned)"
        }
        _ => "anomalies",
    }
}

impl<'e> AssetCollector<'e> {
    /// A collector for `asset`; with a findings file, findings are buffered for it
    /// (and written by [`AssetCollector::drain_findings`]).
    pub fn new(engine: &'e Engine, asset: &str, findings: Option<&'e FindingsWriter>) -> Self {
        AssetCollector {
            engine,
            asset: asset.to_string(),
            asset_kind: AssetKind::File,
            findings,
            scanner: engine.scanner(),
            names: Vec::new(),
            ids: HashMap::default(),
            fields: Vec::new(),
            times: Vec::new(),
            text_time: None,
            lanes: Vec::new(),
            text: Tally::default(),
            keep: findings.is_some(),
            kept: Vec::new(),
            anomalies: BTreeMap::new(),
            rows: 0,
            scratch: ScanScratch::default(),
            recipients: BTreeMap::new(),
            lines_of: Vec::new(),
        }
    }

    /// Marks the asset as a database table (the findings file points at it logically,
    /// not as a file).
    pub fn for_table(mut self) -> Self {
        self.asset_kind = AssetKind::Table;
        self
    }

    /// The asset name.
    pub fn asset(&self) -> &str {
        &self.asset
    }

    /// Lines or rows read.
    pub fn rows_read(&self) -> u64 {
        self.rows
    }

    /// Counts a line truncated by a stream reader.
    pub fn note_truncated(&mut self, line: u64) {
        self.anomaly(
            Anomaly::TruncatedLine,
            Location {
                line: Some(line),
                row: None,
            },
        );
    }

    /// Keeps the findings of the last scan for the findings file. `line_of` gives each
    /// finding's line for text; `columns` is set when that text is whole lines (its
    /// offsets are then columns), and needs the findings sorted by offset.
    fn keep_findings(
        &mut self,
        hay: &[u8],
        field: Option<FieldId>,
        at: Location,
        line_of: Option<&[u64]>,
        mut columns: Option<Columns<'_>>,
    ) {
        if !self.keep {
            return;
        }
        for (i, f) in self.scratch.findings.iter().enumerate() {
            let line = line_of.map_or(at.line, |l| Some(l[i]));
            self.kept.push(Kept {
                field,
                line,
                column: columns.as_mut().map(|c| c.at(f.start)),
                row: at.row,
                detector: f.detector,
                confidence: f.confidence,
                masked: f.masked(hay),
            });
        }
    }

    /// An empty collector for another part of the same asset (a chunk of a big file
    /// scanned in parallel), to be folded back with [`AssetCollector::merge`].
    pub fn part(&self) -> AssetCollector<'e> {
        let mut part = AssetCollector::new(self.engine, &self.asset, self.findings);
        part.asset_kind = self.asset_kind;
        part
    }

    /// Writes the buffered findings to the findings file and forgets them.
    pub fn drain_findings(&mut self) {
        let Some(writer) = self.findings else { return };
        if self.kept.is_empty() {
            return;
        }
        writer.write(self.kept.iter().map(|k| {
            let d = self.engine.detector(k.detector);
            FindingRecord {
                asset: &self.asset,
                asset_kind: self.asset_kind,
                field: k.field.map(|f| self.names[f as usize].as_str()),
                line: k.line,
                column: k.column,
                row: k.row,
                data_type: self.engine.data_type(k.detector),
                rule: &d.spec.id,
                rule_description: &d.spec.description,
                confidence: crate::detect::finding::round2(k.confidence),
                masked: k.masked.as_str(),
            }
        }));
        self.kept.clear();
    }

    /// Scans many cells of this asset at once on the rayon pool: the same tallies,
    /// recipients and findings as calling [`RecordSink::cell`] for each cell in order,
    /// except that kept findings come grouped by field (in the order of `fields`)
    /// rather than row by row. `cells` index into `arena`.
    ///
    /// One task per field would leave the pool waiting on the costliest column (an
    /// email column costs ten times a status column): a field with many cells is cut
    /// into [`LANES`] consecutive parts, each tallied in its own lane and folded in at
    /// the end. The lane count is fixed, so results do not depend on the thread count.
    pub fn cells_by_field(&mut self, fields: &[FieldCells], arena: &[u8]) {
        use rayon::prelude::*;
        let engine = self.engine;
        let keep = self.keep;
        if self.lanes.len() < self.fields.len() {
            self.lanes.resize_with(self.fields.len(), Vec::new);
        }
        let mut slots: Vec<Option<(&mut FieldState, &mut Vec<FieldState>)>> = self
            .fields
            .iter_mut()
            .zip(self.lanes.iter_mut())
            .map(Some)
            .collect();
        let times: Vec<TimeField> = self.times.iter().map(|t| t.0).collect();
        let mut jobs: Vec<(FieldId, &mut FieldState, &[PendingCell])> = Vec::new();
        for (id, cells) in fields {
            let Some((state, lanes)) = slots.get_mut(*id as usize).and_then(Option::take) else {
                continue;
            };
            if cells.len() < LANE_MIN_CELLS {
                jobs.push((*id, state, cells.as_slice()));
                continue;
            }
            while lanes.len() < LANES - 1 {
                lanes.push(state.lane());
            }
            let part = cells.len().div_ceil(LANES);
            let mut parts = cells.chunks(part);
            if let Some(first) = parts.next() {
                jobs.push((*id, state, first));
            }
            for (lane, cells) in lanes.iter_mut().zip(parts) {
                jobs.push((*id, lane, cells));
            }
        }
        let results: Vec<LaneResult> = jobs
            .into_par_iter()
            .map(|(id, state, cells)| {
                let mut scanner = engine.scanner();
                let mut scratch = ScanScratch::default();
                let mut kept = Vec::new();
                let mut recipients = Vec::new();
                let mut oldest = None;
                let time = times[id as usize];
                let inbound = state.field().is_inbound();
                for (at, range) in cells {
                    let value = &arena[range.clone()];
                    oldest = earliest(oldest, time.parse(value));
                    state.observe(&mut scanner, value, &mut scratch);
                    if !inbound {
                        recipients.extend_from_slice(&scratch.recipients);
                    }
                    if keep {
                        kept.extend(scratch.findings.iter().map(|f| Kept {
                            field: Some(id),
                            line: at.line,
                            column: None,
                            row: at.row,
                            detector: f.detector,
                            confidence: f.confidence,
                            masked: f.masked(value),
                        }));
                    }
                }
                (id, kept, recipients, oldest)
            })
            .collect();
        for (id, kept, recipients, oldest) in results {
            let t = &mut self.times[id as usize].1;
            *t = earliest(*t, oldest);
            self.kept.extend(kept);
            for lit in recipients {
                *self.recipients.entry((lit, Some(id))).or_default() += 1;
            }
        }
    }

    /// Folds the lanes of batched fields into their fields.
    fn fold_lanes(&mut self) {
        for (state, lanes) in self.fields.iter_mut().zip(std::mem::take(&mut self.lanes)) {
            for lane in lanes {
                state.merge(lane);
            }
        }
    }

    /// Adds a chunk's results, after writing out its findings.
    pub fn merge(&mut self, mut other: AssetCollector<'e>) {
        other.drain_findings();
        other.fold_lanes();
        let mut remap = Vec::with_capacity(other.names.len());
        for ((name, state), (_, time)) in other.names.iter().zip(other.fields).zip(other.times) {
            // A field interned with a hint keeps it (its context is named "name hint").
            let id = match state.field().name.strip_prefix(name.as_str()) {
                Some(hint) if !hint.is_empty() => self.field_with_hint(name, hint.trim_start()),
                _ => self.field(name),
            };
            self.fields[id as usize].merge(state);
            let t = &mut self.times[id as usize].1;
            *t = earliest(*t, time);
            remap.push(id);
        }
        for ((lit, field), n) in other.recipients {
            *self
                .recipients
                .entry((lit, field.map(|f| remap[f as usize])))
                .or_default() += n;
        }
        self.text.merge(other.text);
        self.text_time = earliest(self.text_time, other.text_time);
        for (k, (n, first)) in other.anomalies {
            let e = self.anomalies.entry(k).or_insert((0, None));
            e.0 += n;
            e.1 = match (e.1, first) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        self.rows += other.rows;
    }

    /// Writes fields, verdicts, row counts and anomalies into the asset's report.
    pub fn finish_into(mut self, report: &mut AssetReport) {
        self.fold_lanes();
        let engine = self.engine;
        report.stats.rows = self.rows;
        let values: u64 = self.fields.iter().map(|f| f.values_checked()).sum();
        report.stats.values_read = Some(values + self.text.values_checked());
        for (name, state) in self.names.iter().zip(&self.fields) {
            let r = state.report(engine);
            if !r.verdicts.is_empty() {
                report.fields.push(FieldReport {
                    // The field's own name, not the "name hint" its context was made of.
                    field: Some(name.clone()),
                    values_checked: r.values_checked,
                    types: r.verdicts,
                });
            }
        }
        report.fields.sort_by(|a, b| a.field.cmp(&b.field));
        report.stats.oldest_record = self.oldest_record();
        let text = self
            .text
            .verdicts(engine, &FieldContext::default(), Mode::Text);
        if !text.is_empty() {
            report.fields.insert(
                0,
                FieldReport {
                    field: None,
                    values_checked: self.text.values_checked(),
                    types: text,
                },
            );
        }
        let mut observed: Vec<ObservedRecipient> = Vec::new();
        for (&(lit, field), &count) in &self.recipients {
            if count == 0 {
                continue;
            }
            let literal = engine.recipient_literal(lit);
            let vendor = &engine.catalog().vendors[literal.vendor as usize];
            let entry = match observed.iter_mut().position(|o| o.id == vendor.id) {
                Some(i) => &mut observed[i],
                None => {
                    observed.push(ObservedRecipient {
                        id: vendor.id.clone(),
                        name: vendor.name.clone(),
                        category: vendor.category.clone(),
                        advertising: vendor.advertising,
                        evidence: Vec::new(),
                    });
                    observed.last_mut().expect("just pushed")
                }
            };
            // A column name is one piece of evidence per field, however many chunks saw it.
            let count = if literal.kind == RecipientKind::Column {
                1
            } else {
                count
            };
            entry.evidence.push(RecipientEvidence {
                kind: literal.kind,
                matched: literal.text.clone(),
                field: field.map(|f| self.names[f as usize].clone()),
                count,
            });
        }
        observed.sort_by(|a, b| a.id.cmp(&b.id));
        report.recipients = observed;
        for (name, (count, first_line)) in self.anomalies {
            report.errors.push(AssetError {
                kind: name.into(),
                message: anomaly_message(name).into(),
                count: Some(count),
                first_line,
                fatal: false,
            });
        }
    }
}

impl AssetCollector<'_> {
    /// Interns `name` with its hints resolved from `context` (the name itself, or the
    /// name followed by a hint): the context's recipient-catalog hits are counted once.
    fn intern(&mut self, name: &str, context: &str) -> FieldId {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as FieldId;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        let state = FieldState::new(self.engine, context);
        for &lit in state.field().recipients() {
            *self.recipients.entry((lit, Some(id))).or_default() += 1;
        }
        self.fields.push(state);
        self.times.push((TimeField::of(name), None));
        id
    }

    /// The earliest time seen: of a timestamp column, else of a log line.
    fn oldest_record(&self) -> Option<OldestRecord> {
        let column = self
            .times
            .iter()
            .zip(&self.names)
            .filter_map(|((_, t), name)| t.map(|t| (t, name)))
            .min();
        match (column, self.text_time) {
            (Some((t, name)), text) if text.is_none_or(|x| t <= x) => Some(OldestRecord::at_secs(
                t,
                RecordBasis::Column,
                Some(name.clone()),
            )),
            (_, Some(t)) => Some(OldestRecord::at_secs(t, RecordBasis::LogLine, None)),
            _ => None,
        }
    }
}

impl RecordSink for AssetCollector<'_> {
    fn field(&mut self, name: &str) -> FieldId {
        self.intern(name, name)
    }

    fn field_with_hint(&mut self, name: &str, hint: &str) -> FieldId {
        let hint = hint.trim();
        if hint.is_empty() {
            return self.intern(name, name);
        }
        self.intern(name, &format!("{name} {hint}"))
    }

    fn cell(&mut self, field: FieldId, value: &[u8], at: Location) {
        let time = &mut self.times[field as usize];
        time.1 = earliest(time.1, time.0.parse(value));
        let state = &mut self.fields[field as usize];
        state.observe(&mut self.scanner, value, &mut self.scratch);
        // A referrer names where a visitor came from, not where data goes.
        if !state.field().is_inbound() {
            for &lit in &self.scratch.recipients {
                *self.recipients.entry((lit, Some(field))).or_default() += 1;
            }
        }
        if !self.scratch.findings.is_empty() {
            self.keep_findings(value, Some(field), at, None, None);
        }
    }

    fn text(&mut self, text: &[u8], first_line: u64) {
        self.scan_text(text, first_line, false);
    }

    fn lines(&mut self, text: &[u8], first_line: u64) {
        self.scan_text(text, first_line, true);
    }

    fn rows(&mut self, n: u64) {
        self.rows += n;
    }

    fn record_time(&mut self, time: &[u8]) {
        self.text_time = earliest(self.text_time, timestamp::access_log_time(time));
    }

    fn anomaly(&mut self, kind: Anomaly, at: Location) {
        let e = self
            .anomalies
            .entry(anomaly_name(kind))
            .or_insert((0, None));
        e.0 += 1;
        if e.1.is_none() {
            e.1 = at.line;
        }
    }
}

impl AssetCollector<'_> {
    /// Scans unstructured text starting at line `first_line`; `whole_lines` when it
    /// starts at the start of a line, so that its offsets are columns.
    fn scan_text(&mut self, text: &[u8], first_line: u64, whole_lines: bool) {
        if text.is_empty() {
            return;
        }
        let mut newlines = 0u64;
        let mut time = timestamp::line_start(text);
        for nl in memchr::memchr_iter(b'\n', text) {
            newlines += 1;
            if text.get(nl + 1).is_some_and(u8::is_ascii_digit) || text.get(nl + 1) == Some(&b'[') {
                time = earliest(time, timestamp::line_start(&text[nl + 1..]));
            }
        }
        self.text_time = earliest(self.text_time, time);
        let lines = newlines + u64::from(text.last() != Some(&b'\n'));
        self.text.count_values(lines, lines);
        self.scratch.clear();
        self.scanner.scan_text(text, &mut self.scratch);
        for &lit in &self.scratch.recipients {
            *self.recipients.entry((lit, None)).or_default() += 1;
        }
        let findings = &mut self.scratch.findings;
        if findings.is_empty() {
            if !self.scratch.rejected.is_empty() {
                self.text
                    .record(self.engine, text, &[], &self.scratch.rejected);
            }
            return;
        }
        findings.sort_by_key(|f| f.start);
        // Line of each finding, counting newlines incrementally.
        self.lines_of.clear();
        let (mut line, mut counted_to) = (first_line, 0usize);
        for f in findings.iter() {
            line += memchr::memchr_iter(b'\n', &text[counted_to..f.start]).count() as u64;
            counted_to = f.start;
            self.lines_of.push(line);
        }
        // Tally one "value" per line.
        let findings = &self.scratch.findings;
        let mut start = 0;
        while start < findings.len() {
            let mut end = start + 1;
            while end < findings.len() && self.lines_of[end] == self.lines_of[start] {
                end += 1;
            }
            let rejected: &[DetectorIdx] = if start == 0 {
                &self.scratch.rejected
            } else {
                &[]
            };
            self.text
                .record(self.engine, text, &findings[start..end], rejected);
            start = end;
        }
        let lines_of = std::mem::take(&mut self.lines_of);
        let columns = whole_lines.then(|| Columns::new(text));
        self.keep_findings(text, None, Location::default(), Some(&lines_of), columns);
        self.lines_of = lines_of;
    }
}

/// 1-based columns, in code points, of ascending byte offsets into text that starts at
/// the start of a line. Counted on from the previous offset, so many findings on one
/// long line cost one pass over it.
struct Columns<'h> {
    hay: &'h [u8],
    at: usize,
    column: u32,
}

impl<'h> Columns<'h> {
    fn new(hay: &'h [u8]) -> Self {
        Columns {
            hay,
            at: 0,
            column: 1,
        }
    }

    /// The column of `offset` (not before the previous one asked for).
    fn at(&mut self, offset: usize) -> u32 {
        let offset = offset.clamp(self.at, self.hay.len());
        let between = &self.hay[self.at..offset];
        // A byte that is not a UTF-8 continuation byte starts a code point.
        let chars = |b: &[u8]| b.iter().filter(|&&c| (c as i8) >= -0x40).count() as u32;
        self.column = match memchr::memrchr(b'\n', between) {
            Some(nl) => 1 + chars(&between[nl + 1..]),
            None => self.column + chars(between),
        };
        self.at = offset;
        self.column
    }
}

/// A file's collector: a big file's parts are scanned in parallel on the rayon pool,
/// each into a collector of its own, and merged in order (their findings written first,
/// so the findings file stays in line order).
impl<'e> FileSink for AssetCollector<'e> {
    fn as_records(&mut self) -> &mut dyn RecordSink {
        self
    }

    fn flush(&mut self) {
        self.drain_findings();
    }

    fn parts(&mut self, n: usize, read: &(dyn Fn(usize, &mut dyn RecordSink) + Sync)) {
        use rayon::prelude::*;
        let (engine, asset, findings) = (self.engine, self.asset.as_str(), self.findings);
        let parts: Vec<AssetCollector<'e>> = (0..n)
            .into_par_iter()
            .map(|i| {
                let mut part = AssetCollector::new(engine, asset, findings);
                read(i, &mut part);
                part
            })
            .collect();
        for part in parts {
            self.merge(part);
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn columns_count_code_points_from_the_last_line_start() {
        let hay = "ab\ncé x\nq".as_bytes();
        let mut c = Columns::new(hay);
        assert_eq!(c.at(1), 2, "b");
        assert_eq!(c.at(7), 4, "x after c, é and a space");
        assert_eq!(c.at(9), 1, "q starts the next line");
        assert_eq!(c.at(9), 1, "asking again");
    }
    use super::*;

    fn stripe_fields(report: &AssetReport) -> Vec<String> {
        report
            .recipients
            .iter()
            .filter(|r| r.id == "stripe")
            .flat_map(|r| r.evidence.iter())
            .filter_map(|e| e.field.clone())
            .collect()
    }

    #[test]
    fn a_hinted_field_keeps_its_name_and_its_hints_recipients_also_through_a_merge() {
        let engine = Engine::with_rules(None).unwrap();
        let mut total = AssetCollector::new(&engine, "t", None);
        let mut part = total.part();
        let id = part.field_with_hint("processor_ref", "the stripe_customer_id of the payer");
        part.cell(id, b"cus_0001", Location::default());
        let plain = part.field("plain_ref");
        part.cell(plain, b"ref-1", Location::default());
        total.merge(part);
        let mut report = AssetReport::new(
            "t".into(),
            "t".into(),
            crate::inventory::AssetKind::Table,
            "postgres",
        );
        total.finish_into(&mut report);
        assert_eq!(stripe_fields(&report), ["processor_ref"]);
        assert_eq!(report.stats.values_read, Some(2));
    }
}
