//! A sheet as a table: rows of typed cells as text, the header sniffed above the data,
//! and the rows pushed (or sampled) into a [`RecordSink`]. Shared by every workbook
//! format; the parent module gives the rows (an `.xlsx` sheet streamed, a range calamine
//! read whole) as a [`SheetSource`].

use calamine::{Data, DataRef, Dimensions, ExcelDateTime};

use crate::source::file::capped::{MAX_FIELDS, RECORD_CAPS};
use crate::source::file::{ReadOptions, ReadSummary, TableStats};
use crate::source::sample::{RowSample, Sampled, SAMPLE_BUDGET};
use crate::source::{Anomaly, FieldId, Location, RecordSink, SourceError};

/// The widest sheet (Excel's limit, `XFD`): cells further right are dropped.
const MAX_COLUMNS: u32 = 16_384;

/// Rows looked at to find the header (titles above it, a sub-header below).
const HEADER_LOOKAHEAD: usize = 6;

/// Title rows (one value above a wider row) skipped before the header.
const MAX_TITLE_ROWS: usize = 3;

/// Limits on what one row may hold.
#[derive(Clone, Copy, Debug)]
pub(super) struct Caps {
    /// Longest value scanned.
    value: usize,
    /// Most bytes of values kept per row.
    row: usize,
}

impl Caps {
    fn new(line_cap: usize) -> Self {
        let value = line_cap.max(1);
        Caps {
            value,
            row: value.saturating_mul(RECORD_CAPS),
        }
    }
}

/// One non-empty row: its values as text, one buffer per row.
#[derive(Clone, Debug, Default)]
pub(super) struct Row {
    /// 0-based row in the sheet.
    pub(super) index: u32,
    /// The values, one after another.
    text: String,
    /// Each value: its column, its span in `text`, and whether it was typed as text
    /// (not a number or a date).
    cells: Vec<(u32, u32, u32, bool)>,
    /// Values cut at the value cap.
    cut: u32,
    /// Cells dropped past the row's size or width cap.
    dropped: bool,
}

/// A cell's value, as read.
pub(super) enum Value<'v> {
    Text(&'v str),
    Int(i64),
    Float(f64),
    Date(ExcelDateTime),
    /// Empty, a boolean or an error: nothing to scan.
    None,
}

impl<'v> From<&'v DataRef<'_>> for Value<'v> {
    fn from(v: &'v DataRef<'_>) -> Self {
        match v {
            DataRef::String(s) => Value::Text(s),
            DataRef::SharedString(s) => Value::Text(s),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Value::Text(s),
            DataRef::Int(i) => Value::Int(*i),
            DataRef::Float(f) => Value::Float(*f),
            DataRef::DateTime(d) => Value::Date(*d),
            DataRef::Bool(_) | DataRef::Error(_) | DataRef::Empty => Value::None,
        }
    }
}

impl<'v> From<&'v Data> for Value<'v> {
    fn from(v: &'v Data) -> Self {
        match v {
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Text(s),
            Data::Int(i) => Value::Int(*i),
            Data::Float(f) => Value::Float(*f),
            Data::DateTime(d) => Value::Date(*d),
            Data::Bool(_) | Data::Error(_) | Data::Empty => Value::None,
        }
    }
}

/// Writes a number with all its digits and no exponent: integral values (IDs, SSNs,
/// card numbers stored as numbers) without `.0`.
fn write_number(f: f64, out: &mut String) {
    use std::fmt::Write;
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.2e18 {
        let _ = write!(out, "{}", f as i64);
    } else {
        // Rust prints the shortest round-tripping decimal, never an exponent.
        let _ = write!(out, "{f}");
    }
}

/// An Excel date as ISO 8601: the date alone at midnight, else date and time.
fn write_date(d: &ExcelDateTime, out: &mut String) {
    use std::fmt::Write;
    if d.is_duration() {
        return write_number(d.as_f64(), out);
    }
    let (y, mo, day, h, mi, s, _ms) = d.to_ymd_hms_milli();
    let _ = write!(out, "{y:04}-{mo:02}-{day:02}");
    if (h, mi, s) != (0, 0, 0) {
        let _ = write!(out, "T{h:02}:{mi:02}:{s:02}");
    }
}

impl Row {
    pub(super) fn clear(&mut self) {
        self.text.clear();
        self.cells.clear();
        self.cut = 0;
        self.dropped = false;
    }

    pub(super) fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Bytes this row costs when kept in a sample.
    fn size(&self) -> usize {
        self.text.len() + self.cells.len() * 16 + 64
    }

    fn value(&self, i: usize) -> &str {
        let (_, s, e, _) = self.cells[i];
        &self.text[s as usize..e as usize]
    }

    /// The value in column `col`, if the row has one.
    fn at(&self, col: u32) -> Option<&str> {
        let i = self.cells.iter().position(|c| c.0 == col)?;
        Some(self.value(i))
    }

    pub(super) fn push(&mut self, col: u32, value: Value<'_>, caps: Caps) {
        if matches!(value, Value::None) {
            return;
        }
        if col >= MAX_COLUMNS || self.cells.len() >= MAX_FIELDS || self.text.len() >= caps.row {
            self.dropped = true;
            return;
        }
        let start = self.text.len();
        let is_text = matches!(value, Value::Text(_));
        match value {
            Value::Text(s) => {
                let t = s.trim();
                let mut end = t.len().min(caps.value);
                while !t.is_char_boundary(end) {
                    end -= 1;
                }
                if end < t.len() {
                    self.cut += 1;
                }
                self.text.push_str(&t[..end]);
            }
            Value::Int(i) => self.text.push_str(&i.to_string()),
            Value::Float(f) => write_number(f, &mut self.text),
            Value::Date(d) => write_date(&d, &mut self.text),
            Value::None => {}
        }
        if self.text.len() > start {
            self.cells
                .push((col, start as u32, self.text.len() as u32, is_text));
        }
    }
}

/// A sheet's rows, in order; only rows with a value are given.
pub(super) trait Rows {
    /// Reads the next row with a value into `row`; false at the end.
    fn next_row(&mut self, row: &mut Row) -> Result<bool, SourceError>;
}

/// A sheet that can be read (again) from its first row.
pub(super) trait SheetSource {
    /// The sheet's rows from the first.
    fn rows(&mut self, caps: Caps) -> Result<Box<dyn Rows + '_>, SourceError>;
    /// The sheet's merged regions (none where the format does not give them).
    fn merges(&mut self) -> Result<Vec<Dimensions>, SourceError>;
}

/// The column letters of a 0-based column (`A`, …, `Z`, `AA`, …).
pub fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let d = ((n - 1) % 26) as u8;
        out.push(b'A' + d);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The header found at the top of a sheet.
#[derive(Debug, Default, PartialEq)]
struct Header {
    /// Name of each named column.
    names: Vec<(u32, String)>,
    /// Rows of the lookahead before the data: titles and header rows.
    data_from: usize,
    /// Title rows (scanned as text).
    titles: Vec<usize>,
}

/// A row's names with each header cell merged across columns copied to all of them.
fn spread(row: &Row, merges: &[Dimensions]) -> Vec<(u32, String)> {
    let mut names: Vec<(u32, String)> = (0..row.cells.len())
        .map(|i| (row.cells[i].0, row.value(i).to_string()))
        .collect();
    for m in merges {
        if m.start.0 != row.index || m.end.1 <= m.start.1 {
            continue;
        }
        let Some(name) = row.at(m.start.1) else {
            continue;
        };
        let name = name.to_string();
        for col in m.start.1 + 1..=m.end.1.min(MAX_COLUMNS - 1) {
            if !names.iter().any(|(c, _)| *c == col) {
                names.push((col, name.clone()));
            }
        }
    }
    names.sort_by_key(|(c, _)| *c);
    names
}

/// A row is a header when its values are text that looks like names (the CSV rule:
/// distinct, short, no number or email), and it is about as wide as the row below.
fn is_header(row: &Row, merges: &[Dimensions], below: Option<&Row>) -> bool {
    if row.cells.iter().any(|c| !c.3) {
        return false;
    }
    let values: Vec<&[u8]> = (0..row.cells.len())
        .map(|i| row.value(i).as_bytes())
        .collect();
    if !crate::source::file::csv::looks_like_header(&csv::ByteRecord::from(values)) {
        return false;
    }
    let width = spread(row, merges).len();
    below.is_none_or(|b| width * 2 >= b.cells.len())
}

fn sniff_header(ahead: &[Row], merges: &[Dimensions]) -> Header {
    let mut i = 0;
    let mut titles = Vec::new();
    while titles.len() < MAX_TITLE_ROWS
        && i + 1 < ahead.len()
        && ahead[i].cells.len() == 1
        && ahead[i + 1].cells.len() >= 2
    {
        titles.push(i);
        i += 1;
    }
    let Some(first) = ahead.get(i) else {
        return Header {
            data_from: i,
            titles,
            ..Header::default()
        };
    };
    if !is_header(first, merges, ahead.get(i + 1)) {
        // No header: the "titles" were data of a ragged sheet; they are read as data.
        return Header::default();
    }
    let mut names = spread(first, merges);
    let mut data_from = i + 1;
    // A sub-header: text under the header's groups (its cells merged across
    // columns) and nowhere else, where a data row would fill the other columns too.
    let groups: Vec<&Dimensions> = merges
        .iter()
        .filter(|m| m.start.0 == first.index && m.end.1 > m.start.1)
        .collect();
    let under_groups = |row: &Row| {
        row.cells
            .iter()
            .all(|c| groups.iter().any(|m| (m.start.1..=m.end.1).contains(&c.0)))
    };
    if let Some(sub) = ahead.get(i + 1).filter(|_| !groups.is_empty()) {
        if under_groups(sub) && is_header(sub, &[], None) {
            for (col, name) in spread(sub, &[]) {
                match names.iter_mut().find(|(c, _)| *c == col) {
                    Some((_, top)) => *top = format!("{top} {name}"),
                    None => names.push((col, name)),
                }
            }
            names.sort_by_key(|(c, _)| *c);
            data_from = i + 2;
        }
    }
    // Two columns under one name stay two fields.
    let mut seen = std::collections::HashSet::new();
    for (col, name) in &mut names {
        if !seen.insert(name.clone()) {
            *name = format!("{name} ({})", column_letters(*col));
        }
    }
    Header {
        names,
        data_from,
        titles,
    }
}

/// Field ids of a sheet's columns, interned on first use.
struct Columns {
    names: Vec<(u32, String)>,
    ids: Vec<FieldId>,
}

impl Columns {
    fn field(&mut self, sink: &mut dyn RecordSink, col: u32) -> FieldId {
        let i = col as usize;
        if i >= self.ids.len() {
            self.ids.resize(i + 1, FieldId::MAX);
        }
        if self.ids[i] == FieldId::MAX {
            let name = match self.names.iter().find(|(c, _)| *c == col) {
                Some((_, n)) => n.clone(),
                None => column_letters(col),
            };
            self.ids[i] = sink.field(&name);
        }
        self.ids[i]
    }

    fn push(&mut self, sink: &mut dyn RecordSink, row: &Row, data_row: u64) {
        let at = Location {
            line: Some(u64::from(row.index) + 1),
            row: Some(data_row),
        };
        if row.dropped {
            sink.anomaly(Anomaly::TruncatedRecord, at);
        }
        for _ in 0..row.cut {
            sink.anomaly(Anomaly::TruncatedField, at);
        }
        for (i, &(col, _, _, _)) in row.cells.iter().enumerate() {
            let f = self.field(sink, col);
            sink.cell(f, row.value(i).as_bytes(), at);
        }
    }
}

/// Reads one sheet as a table: header sniffed, then every row (or a seeded sample,
/// read again when too big to hold) pushed as cells.
pub(super) fn read_sheet(
    source: &mut dyn SheetSource,
    opts: &ReadOptions,
    sink: &mut dyn RecordSink,
    summary: &mut ReadSummary,
) -> Result<(), SourceError> {
    read_sheet_within(source, opts, SAMPLE_BUDGET, sink, summary)
}

/// Whether merged regions may name columns: a row near the top leaves a column empty
/// that a row below it fills (a merged header spans it, or a title does).
fn may_be_merged(ahead: &[Row]) -> bool {
    ahead
        .iter()
        .enumerate()
        .take(MAX_TITLE_ROWS + 1)
        .any(|(i, top)| {
            ahead[i + 1..]
                .iter()
                .flat_map(|r| r.cells.iter())
                .any(|c| !top.cells.iter().any(|t| t.0 == c.0))
        })
}

pub(super) fn read_sheet_within(
    source: &mut dyn SheetSource,
    opts: &ReadOptions,
    budget: usize,
    sink: &mut dyn RecordSink,
    summary: &mut ReadSummary,
) -> Result<(), SourceError> {
    let caps = Caps::new(opts.line_cap);
    let sampling = opts.sampling;
    let mut ahead: Vec<Row> = Vec::new();
    {
        let mut rows = source.rows(caps)?;
        while ahead.len() < HEADER_LOOKAHEAD {
            let mut row = Row::default();
            if !rows.next_row(&mut row)? {
                break;
            }
            ahead.push(row);
        }
    }
    // Finding an .xlsx's merged regions is a pass over its sheet: only when they
    // may matter.
    let merges = if may_be_merged(&ahead) {
        source.merges()?
    } else {
        Vec::new()
    };
    // Read on from after the rows looked at.
    let mut rows = source.rows(caps)?;
    let mut skipped = Row::default();
    for _ in 0..ahead.len() {
        rows.next_row(&mut skipped)?;
    }
    let header = sniff_header(&ahead, &merges);
    for &t in &header.titles {
        let title = &ahead[t];
        sink.text(title.text.as_bytes(), u64::from(title.index) + 1);
    }
    let mut stats = TableStats {
        header: !header.names.is_empty(),
        method: if sampling.full { "full" } else { "all rows" }.into(),
        ..TableStats::default()
    };
    let mut columns = Columns {
        names: header.names,
        ids: Vec::new(),
    };
    let mut sample = (!sampling.full).then(|| RowSample::new(sampling.rows, sampling.seed, budget));
    let mut data_row = 0u64;
    let mut offer = |row: &Row, sink: &mut dyn RecordSink, data_row: u64| match &mut sample {
        None => columns.push(sink, row, data_row),
        Some(s) => s.offer(data_row, u64::from(row.index) + 1, row.size(), || {
            row.clone()
        }),
    };
    let mut failed = None;
    for row in &ahead[header.data_from..] {
        offer(row, sink, data_row);
        data_row += 1;
    }
    let mut row = Row::default();
    loop {
        match rows.next_row(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
        offer(&row, sink, data_row);
        data_row += 1;
    }
    drop(rows);
    sink.rows(data_row);
    stats.rows_total = data_row;
    stats.rows_scanned = data_row;
    if let Some(s) = sample {
        let (sampled, method) = s.finish(sampling.rows, sampling.seed);
        stats.method = method;
        stats.rows_scanned = match sampled {
            Sampled::Kept(kept) => {
                for (r, _, row) in &kept {
                    columns.push(sink, row, *r);
                }
                kept.len() as u64
            }
            Sampled::Reread(picks) => {
                reread(source, caps, header.data_from, &picks, &mut columns, sink)?
            }
        };
    }
    stats.summarize(summary);
    failed.map_or(Ok(()), Err)
}

/// Reads a sheet again and pushes the data rows `picks` (ascending); returns how many.
fn reread(
    source: &mut dyn SheetSource,
    caps: Caps,
    data_from: usize,
    picks: &[u64],
    columns: &mut Columns,
    sink: &mut dyn RecordSink,
) -> Result<u64, SourceError> {
    let mut rows = source.rows(caps)?;
    let mut row = Row::default();
    for _ in 0..data_from {
        rows.next_row(&mut row)?;
    }
    let mut wanted = picks.iter().copied().peekable();
    let (mut n, mut pushed) = (0u64, 0u64);
    while wanted.peek().is_some() && rows.next_row(&mut row)? {
        if wanted.peek() == Some(&n) {
            wanted.next();
            columns.push(sink, &row, n);
            pushed += 1;
        }
        n += 1;
    }
    Ok(pushed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::Dimensions;

    fn row(index: u32, cells: &[(u32, &str)]) -> Row {
        let mut r = Row {
            index,
            ..Row::default()
        };
        let caps = Caps::new(1024);
        for &(col, v) in cells {
            match v.parse::<f64>() {
                Ok(f) => r.push(col, Value::Float(f), caps),
                Err(_) => r.push(col, Value::Text(v), caps),
            }
        }
        r
    }

    fn merge(r0: u32, c0: u32, r1: u32, c1: u32) -> Dimensions {
        Dimensions::new((r0, c0), (r1, c1))
    }

    fn names(h: &Header) -> Vec<(u32, &str)> {
        h.names.iter().map(|(c, n)| (*c, n.as_str())).collect()
    }

    #[test]
    fn a_title_row_is_skipped_and_the_header_found_below_it() {
        let ahead = [
            row(0, &[(0, "Customer export 2024")]),
            row(2, &[(0, "name"), (1, "email"), (2, "ssn")]),
            row(
                3,
                &[(0, "Ann Lee"), (1, "ann@example.com"), (2, "146606018")],
            ),
        ];
        let h = sniff_header(&ahead, &[]);
        assert_eq!(h.titles, [0]);
        assert_eq!(h.data_from, 2);
        assert_eq!(names(&h), [(0, "name"), (1, "email"), (2, "ssn")]);
    }

    #[test]
    fn a_sheet_of_data_has_no_header() {
        let emails = [
            row(0, &[(0, "ann@example.com"), (1, "Ann")]),
            row(1, &[(0, "bob@example.com"), (1, "Bob")]),
        ];
        assert_eq!(sniff_header(&emails, &[]), Header::default());
        let numbers = [row(0, &[(0, "1"), (1, "2")]), row(1, &[(0, "3"), (1, "4")])];
        assert_eq!(sniff_header(&numbers, &[]), Header::default());
        // A header much narrower than the rows below is a stray value, not a header.
        let narrow = [
            row(0, &[(0, "note"), (1, "other")]),
            row(1, &[(0, "a"), (1, "b"), (2, "c"), (3, "d"), (4, "e")]),
        ];
        assert_eq!(sniff_header(&narrow, &[]), Header::default());
        assert_eq!(sniff_header(&[], &[]), Header::default());
    }

    #[test]
    fn a_merged_group_header_names_its_columns_with_their_sub_headers() {
        let ahead = [
            row(0, &[(0, "Name"), (1, "Contact"), (3, "Notes")]),
            row(1, &[(1, "Email"), (2, "Phone")]),
            row(2, &[(0, "Ann"), (1, "a@x.io"), (2, "555-0100"), (3, "hi")]),
        ];
        let merges = [merge(0, 0, 1, 0), merge(0, 1, 0, 2), merge(0, 3, 1, 3)];
        let h = sniff_header(&ahead, &merges);
        assert_eq!(h.data_from, 2);
        assert_eq!(
            names(&h),
            [
                (0, "Name"),
                (1, "Contact Email"),
                (2, "Contact Phone"),
                (3, "Notes")
            ]
        );
    }

    #[test]
    fn a_merged_header_over_data_spans_its_columns_as_distinct_fields() {
        // The row under the group fills columns outside it: data, not a sub-header.
        let ahead = [
            row(0, &[(0, "id"), (1, "Name")]),
            row(1, &[(0, "1"), (1, "Mary"), (2, "Miller")]),
        ];
        let h = sniff_header(&ahead, &[merge(0, 1, 0, 2)]);
        assert_eq!(h.data_from, 1);
        assert_eq!(names(&h), [(0, "id"), (1, "Name"), (2, "Name (C)")]);
    }

    #[test]
    fn columns_are_lettered_like_the_spreadsheet() {
        let got: Vec<String> = [0, 1, 25, 26, 51, 52, 701, 702, 16_383]
            .into_iter()
            .map(column_letters)
            .collect();
        assert_eq!(got, ["A", "B", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]);
    }

    #[test]
    fn numbers_keep_their_digits() {
        let text = |f: f64| {
            let mut s = String::new();
            write_number(f, &mut s);
            s
        };
        assert_eq!(text(123_456_789.0), "123456789");
        assert_eq!(text(4_111_111_111_111_111.0), "4111111111111111");
        assert_eq!(text(-0.0), "0");
        assert_eq!(text(12.5), "12.5");
        assert_eq!(text(1e-7), "0.0000001");
        assert_eq!(text(1e21), "1000000000000000000000");
    }
}
