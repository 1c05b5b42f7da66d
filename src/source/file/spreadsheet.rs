//! Spreadsheets: `.xlsx`/`.xlsm`, `.xls` and `.ods`, read with calamine.
//!
//! Every worksheet is a table and its own asset (`book.xlsx#Sheet1`): the reader is a
//! [`TablesReader`]. A sheet's header is sniffed among its first non-empty rows (title
//! rows above it are scanned as text); a header cell merged across columns names each
//! of them, and a row of sub-headers under such a group makes names like
//! `Contact Email`. A sheet without a header gets column letters (`A`, `B`, …).
//! Formulas are read as their cached values. Numbers keep their digits (an SSN or card
//! stored as a number is `123456789`, never `123456789.0` or `1.2e8`); dates become ISO
//! dates.
//!
//! Memory: `.xlsx` sheets are streamed cell by cell (calamine's cell reader: no sheet is
//! held whole); the parts calamine holds whole (shared strings, styles, an `.ods`'s
//! content, a whole `.xls`) are checked against [`WORKBOOK_BUDGET`] first. Values are
//! capped at the line cap, rows at [`RECORD_CAPS`] caps and [`MAX_FIELDS`] cells
//! (counted as anomalies). A compressed workbook (`.xlsx.gz`) is decompressed into
//! memory within the same budget.
//!
//! Bad input (a corrupt zip, a password-protected workbook, a broken sheet) is a
//! per-asset error whose message never quotes the file's content.

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{
    Cell, Data, DataRef, Dimensions, ExcelDateTime, Ods, OdsError, Range, Reader, SheetType, Xls,
    XlsError, Xlsx, XlsxError,
};

use super::capped::{MAX_FIELDS, RECORD_CAPS};
use super::{
    read_tables_as_one, FileReader, FileSink, Input, ReadOptions, ReadSummary, TableSinks,
    TableStats, TablesReader,
};
use crate::source::format::{Compression, Format};
use crate::source::sample::{RowSample, Sampled, SAMPLE_BUDGET};
use crate::source::{Anomaly, FieldId, Location, RecordSink, SourceError};

/// Bytes of a workbook's parts that calamine holds whole (an `.xlsx`'s shared strings,
/// an `.ods`'s content, a whole `.xls`, a decompressed `.xlsx.gz`): a workbook over it
/// is not read, and says so.
pub const WORKBOOK_BUDGET: u64 = 256 << 20;

/// The widest sheet (Excel's limit, `XFD`): cells further right are dropped.
const MAX_COLUMNS: u32 = 16_384;

/// Rows looked at to find the header (titles above it, a sub-header below).
const HEADER_LOOKAHEAD: usize = 6;

/// Title rows (one value above a wider row) skipped before the header.
const MAX_TITLE_ROWS: usize = 3;

/// The first bytes of a CFB container (`.xls`, or an encrypted OOXML workbook).
const CFB_MAGIC: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";

/// The reader of workbooks ([`Format::Xlsx`], [`Format::Xls`], [`Format::Ods`]).
pub struct Workbook;

impl FileReader for Workbook {
    fn read(
        &self,
        input: Input<'_>,
        opts: &ReadOptions,
        sink: &mut dyn FileSink,
        summary: &mut ReadSummary,
    ) -> Result<(), SourceError> {
        read_tables_as_one(self, input, opts, sink, summary)
    }

    fn as_tables(&self) -> Option<&dyn TablesReader> {
        Some(self)
    }
}

impl TablesReader for Workbook {
    fn read_tables(
        &self,
        mut input: Input<'_>,
        opts: &ReadOptions,
        tables: &mut dyn TableSinks,
    ) -> Result<(), SourceError> {
        let kind = Kind::of(input.format, input.head);
        let rs = open(&mut input)?;
        // calamine is fed hostile files: a panic in it is this file's error, not the
        // scan's end.
        catch_unwind(AssertUnwindSafe(|| match kind {
            Kind::Xlsx => read_xlsx(rs, opts, tables),
            Kind::Xls => read_xls(rs, opts, tables),
            Kind::Ods => read_ods(rs, opts, tables),
        }))
        .unwrap_or_else(|_| {
            Err(SourceError::Parse(
                "malformed workbook: the spreadsheet parser gave up on it".into(),
            ))
        })
    }
}

/// Which parser reads a workbook: its content decides over its name (an `.xls` that is
/// really an `.xlsx`, a password-protected `.xlsx`, which is a CFB container).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Xlsx,
    Xls,
    Ods,
}

impl Kind {
    fn of(format: Format, head: &[u8]) -> Kind {
        if head.starts_with(CFB_MAGIC) {
            return Kind::Xls;
        }
        if head.starts_with(b"PK\x03\x04") {
            let ods = head
                .windows(46)
                .take(256)
                .any(|w| w == b"application/vnd.oasis.opendocument.spreadsheet");
            return if ods || format == Format::Ods {
                Kind::Ods
            } else {
                Kind::Xlsx
            };
        }
        match format {
            Format::Xls => Kind::Xls,
            Format::Ods => Kind::Ods,
            _ => Kind::Xlsx,
        }
    }
}

/// Something calamine can read from.
trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}
type Rs = Box<dyn ReadSeek>;

/// The workbook's bytes: the file itself, or its decompressed content in memory.
fn open(input: &mut Input<'_>) -> Result<Rs, SourceError> {
    if input.compression == Compression::None {
        input.close_stream();
        let file = File::open(input.path).map_err(|e| SourceError::io("opening workbook", e))?;
        return Ok(Box::new(BufReader::with_capacity(64 << 10, file)));
    }
    let stream = input
        .open()
        .map_err(|e| SourceError::io("opening workbook", e))?;
    let mut bytes = Vec::new();
    stream
        .take(WORKBOOK_BUDGET + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SourceError::io("decompressing workbook", e))?;
    if bytes.len() as u64 > WORKBOOK_BUDGET {
        return Err(over_budget("the decompressed workbook"));
    }
    Ok(Box::new(Cursor::new(bytes)))
}

fn over_budget(what: &str) -> SourceError {
    SourceError::Parse(format!(
        "{what} is over the {} MiB workbook budget (not read)",
        WORKBOOK_BUDGET >> 20
    ))
}

const PASSWORD: &str =
    "password-protected workbook: its content is encrypted and was not read (remove the password to scan it)";

// Errors are described by kind only: calamine's messages can quote cell text.

fn xlsx_error(e: XlsxError) -> SourceError {
    SourceError::Parse(match e {
        XlsxError::Io(e) => return SourceError::io("reading workbook", e),
        XlsxError::Password => PASSWORD.into(),
        XlsxError::Zip(z) => format!("not a readable .xlsx (corrupt or truncated zip): {z}"),
        XlsxError::Xml(_)
        | XlsxError::XmlAttr(_)
        | XlsxError::XmlEof(_)
        | XlsxError::UnexpectedNode(_) => "malformed XML in the workbook".into(),
        XlsxError::FileNotFound(_) | XlsxError::RelationshipNotFound => {
            "a part of the workbook is missing (not a complete .xlsx)".into()
        }
        _ => "malformed workbook (a value or cell reference could not be parsed)".into(),
    })
}

fn xls_error(e: XlsError) -> SourceError {
    SourceError::Parse(match e {
        XlsError::Io(e) => return SourceError::io("reading workbook", e),
        XlsError::Password => PASSWORD.into(),
        XlsError::Cfb(_) => "not a readable .xls (corrupt compound file)".into(),
        _ => "malformed .xls workbook (a record could not be parsed)".into(),
    })
}

fn ods_error(e: OdsError) -> SourceError {
    SourceError::Parse(match e {
        OdsError::Io(e) => return SourceError::io("reading workbook", e),
        OdsError::Password => PASSWORD.into(),
        OdsError::Zip(z) => format!("not a readable .ods (corrupt or truncated zip): {z}"),
        OdsError::InvalidMime(_) | OdsError::FileNotFound(_) => {
            "not an OpenDocument spreadsheet (wrong or missing mimetype or content)".into()
        }
        OdsError::CellLimitExceeded { requested, max } => {
            format!("sheet of {requested} cells is over the {max} cell limit (not read)")
        }
        _ => "malformed XML in the spreadsheet".into(),
    })
}

/// The uncompressed size of the largest of `parts` in the zip `rs` (0 if none is
/// there; the zip's own errors are left to calamine), with `rs` rewound.
fn largest_part(rs: &mut Rs, parts: &[&str]) -> Result<u64, SourceError> {
    let mut largest = 0;
    if let Ok(mut zip) = zip::ZipArchive::new(&mut *rs) {
        for name in parts {
            if let Ok(f) = zip.by_name(name) {
                largest = largest.max(f.size());
            }
        }
    }
    rs.seek(SeekFrom::Start(0))
        .map_err(|e| SourceError::io("reading workbook", e))?;
    Ok(largest)
}

fn read_xlsx(
    mut rs: Rs,
    opts: &ReadOptions,
    tables: &mut dyn TableSinks,
) -> Result<(), SourceError> {
    if largest_part(&mut rs, &["xl/sharedStrings.xml", "xl/styles.xml"])? > WORKBOOK_BUDGET {
        return Err(over_budget("the shared strings of the workbook"));
    }
    let mut wb = Xlsx::new(rs).map_err(xlsx_error)?;
    let names: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    for name in &names {
        tables.table(
            name,
            &mut |sink: &mut dyn FileSink, summary: &mut ReadSummary| {
                let merges = match wb.worksheet_merge_cells(name) {
                    Some(Ok(m)) => m,
                    Some(Err(e)) => return Err(xlsx_error(e)),
                    None => Vec::new(),
                };
                let mut sheet = XlsxSheet { wb: &mut wb, name };
                read_sheet(&mut sheet, &merges, opts, sink.as_records(), summary)
            },
        );
    }
    Ok(())
}

fn read_xls(
    mut rs: Rs,
    opts: &ReadOptions,
    tables: &mut dyn TableSinks,
) -> Result<(), SourceError> {
    let size = rs
        .seek(SeekFrom::End(0))
        .and_then(|n| rs.seek(SeekFrom::Start(0)).map(|_| n))
        .map_err(|e| SourceError::io("reading workbook", e))?;
    if size > WORKBOOK_BUDGET {
        return Err(over_budget("the .xls workbook (held whole to be read)"));
    }
    // An encrypted .xlsx is a CFB container too: calamine's .xlsx reader knows it.
    if matches!(Xlsx::new(&mut rs), Err(XlsxError::Password)) {
        return Err(SourceError::Parse(PASSWORD.into()));
    }
    rs.seek(SeekFrom::Start(0))
        .map_err(|e| SourceError::io("reading workbook", e))?;
    let mut wb = Xls::new(rs).map_err(xls_error)?;
    for (name, typ) in sheet_list(wb.sheets_metadata()) {
        if typ != SheetType::WorkSheet {
            continue;
        }
        let merges = wb.worksheet_merge_cells(&name).unwrap_or_default();
        tables.table(
            &name,
            &mut |sink: &mut dyn FileSink, summary: &mut ReadSummary| {
                let range = wb.worksheet_range(&name).map_err(xls_error)?;
                let mut sheet = RangeSheet(&range);
                read_sheet(&mut sheet, &merges, opts, sink.as_records(), summary)
            },
        );
    }
    Ok(())
}

fn read_ods(
    mut rs: Rs,
    opts: &ReadOptions,
    tables: &mut dyn TableSinks,
) -> Result<(), SourceError> {
    if largest_part(&mut rs, &["content.xml"])? > WORKBOOK_BUDGET {
        return Err(over_budget("the content of the spreadsheet"));
    }
    let mut wb = Ods::new(rs).map_err(ods_error)?;
    for (name, typ) in sheet_list(wb.sheets_metadata()) {
        if typ != SheetType::WorkSheet {
            continue;
        }
        // calamine does not give an .ods's merged regions: covered cells read empty.
        tables.table(
            &name,
            &mut |sink: &mut dyn FileSink, summary: &mut ReadSummary| {
                let range = wb.worksheet_range(&name).map_err(ods_error)?;
                read_sheet(
                    &mut RangeSheet(&range),
                    &[],
                    opts,
                    sink.as_records(),
                    summary,
                )
            },
        );
    }
    Ok(())
}

fn sheet_list(sheets: &[calamine::Sheet]) -> Vec<(String, SheetType)> {
    sheets.iter().map(|s| (s.name.clone(), s.typ)).collect()
}

/// Limits on what one row may hold.
#[derive(Clone, Copy, Debug)]
struct Caps {
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
struct Row {
    /// 0-based row in the sheet.
    index: u32,
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
enum Value<'v> {
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
    fn clear(&mut self) {
        self.text.clear();
        self.cells.clear();
        self.cut = 0;
        self.dropped = false;
    }

    fn is_empty(&self) -> bool {
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

    fn push(&mut self, col: u32, value: Value<'_>, caps: Caps) {
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
trait Rows {
    /// Reads the next row with a value into `row`; false at the end.
    fn next_row(&mut self, row: &mut Row) -> Result<bool, SourceError>;
}

/// A sheet that can be read (again) from its first row.
trait SheetSource {
    fn rows(&mut self, caps: Caps) -> Result<Box<dyn Rows + '_>, SourceError>;
}

/// An `.xlsx` sheet, streamed cell by cell from its XML.
struct XlsxSheet<'w> {
    wb: &'w mut Xlsx<Rs>,
    name: &'w str,
}

impl SheetSource for XlsxSheet<'_> {
    fn rows(&mut self, caps: Caps) -> Result<Box<dyn Rows + '_>, SourceError> {
        let mut cells = self
            .wb
            .worksheet_cells_reader(self.name)
            .map_err(xlsx_error)?;
        Ok(Box::new(CellRows {
            next: move || cells.next_cell(),
            pending: None,
            done: false,
            caps,
        }))
    }
}

/// Rows grouped from a stream of cells (calamine's `.xlsx` cell reader).
struct CellRows<'a, F> {
    next: F,
    pending: Option<Cell<DataRef<'a>>>,
    /// The stream has ended (calamine's reader must not be asked again).
    done: bool,
    caps: Caps,
}

impl<'a, F> Rows for CellRows<'a, F>
where
    F: FnMut() -> Result<Option<Cell<DataRef<'a>>>, XlsxError>,
{
    fn next_row(&mut self, row: &mut Row) -> Result<bool, SourceError> {
        row.clear();
        loop {
            let cell = match self.pending.take() {
                Some(c) => c,
                None if self.done => return Ok(!row.is_empty()),
                None => match (self.next)().map_err(xlsx_error)? {
                    Some(c) => c,
                    None => {
                        self.done = true;
                        return Ok(!row.is_empty());
                    }
                },
            };
            let (r, c) = cell.get_position();
            if !row.is_empty() && r != row.index {
                self.pending = Some(cell);
                return Ok(true);
            }
            row.index = r;
            row.push(c, Value::from(cell.get_value()), self.caps);
        }
    }
}

/// A sheet calamine read whole (`.xls`, `.ods`).
struct RangeSheet<'r>(&'r Range<Data>);

impl SheetSource for RangeSheet<'_> {
    fn rows(&mut self, caps: Caps) -> Result<Box<dyn Rows + '_>, SourceError> {
        let (r0, c0) = self.0.start().unwrap_or((0, 0));
        Ok(Box::new(RangeRows {
            rows: self.0.rows(),
            next: r0,
            c0,
            caps,
        }))
    }
}

struct RangeRows<'r> {
    rows: calamine::Rows<'r, Data>,
    next: u32,
    c0: u32,
    caps: Caps,
}

impl Rows for RangeRows<'_> {
    fn next_row(&mut self, row: &mut Row) -> Result<bool, SourceError> {
        for cells in self.rows.by_ref() {
            row.clear();
            row.index = self.next;
            self.next += 1;
            for (j, v) in cells.iter().enumerate() {
                row.push(self.c0 + j as u32, Value::from(v), self.caps);
            }
            if !row.is_empty() {
                return Ok(true);
            }
        }
        Ok(false)
    }
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
    if !super::csv::looks_like_header(&csv::ByteRecord::from(values)) {
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
fn read_sheet(
    source: &mut dyn SheetSource,
    merges: &[Dimensions],
    opts: &ReadOptions,
    sink: &mut dyn RecordSink,
    summary: &mut ReadSummary,
) -> Result<(), SourceError> {
    read_sheet_within(source, merges, opts, SAMPLE_BUDGET, sink, summary)
}

fn read_sheet_within(
    source: &mut dyn SheetSource,
    merges: &[Dimensions],
    opts: &ReadOptions,
    budget: usize,
    sink: &mut dyn RecordSink,
    summary: &mut ReadSummary,
) -> Result<(), SourceError> {
    let caps = Caps::new(opts.line_cap);
    let sampling = opts.sampling;
    let mut rows = source.rows(caps)?;
    let mut ahead: Vec<Row> = Vec::new();
    while ahead.len() < HEADER_LOOKAHEAD {
        let mut row = Row::default();
        if !rows.next_row(&mut row)? {
            break;
        }
        ahead.push(row);
    }
    let header = sniff_header(&ahead, merges);
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
    use crate::source::file::capped::tests::{sampling, Recorder};
    use crate::source::file::ReadTable;

    /// Each table read: its name, what it pushed, its summary and its result.
    #[derive(Default)]
    struct Book {
        tables: Vec<(String, Recorder, ReadSummary, Result<(), String>)>,
    }

    impl TableSinks for Book {
        fn table(&mut self, name: &str, read: &mut ReadTable<'_>) {
            let (mut sink, mut summary) = (Recorder::default(), ReadSummary::default());
            let result = read(&mut sink, &mut summary).map_err(|e| e.to_string());
            self.tables.push((name.to_string(), sink, summary, result));
        }
    }

    fn read_path(path: &std::path::Path, rows: usize, full: bool) -> Result<Book, String> {
        let head = std::fs::read(path).unwrap();
        let head = &head[..head.len().min(4096)];
        let format = crate::source::format::detect(path, head);
        let stream = Box::new(std::fs::File::open(path).unwrap());
        let input = Input::new(path, format, Compression::None, head, stream);
        let opts = ReadOptions {
            sampling: sampling(rows, full),
            line_cap: 64,
            chunk_size: 1 << 20,
        };
        let mut book = Book::default();
        Workbook
            .read_tables(input, &opts, &mut book)
            .map_err(|e| e.to_string())?;
        Ok(book)
    }

    fn cells_of(r: &Recorder, field: &str) -> Vec<String> {
        r.cells
            .iter()
            .filter(|c| c.0 == field)
            .map(|c| String::from_utf8_lossy(&c.1).into_owned())
            .collect()
    }

    #[test]
    fn an_xlsx_sheet_streams_typed_values_under_its_header() {
        use rust_xlsxwriter::{ExcelDateTime as Dt, Format as F, Formula};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["ssn", "card", "dob", "copy", "ratio", "big", "note"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_number(1, 0, 146_606_018.0).unwrap();
        ws.write_number(1, 1, 4_230_172_036_881_697.0).unwrap();
        let date = F::new().set_num_format("yyyy-mm-dd");
        ws.write_datetime_with_format(1, 2, Dt::from_ymd(1984, 2, 29).unwrap(), &date)
            .unwrap();
        ws.write_formula(1, 3, Formula::new("=A2*2").set_result("293212036"))
            .unwrap();
        ws.write_number(1, 4, 0.25).unwrap();
        ws.write_number(1, 5, 1e20).unwrap();
        ws.write_string(1, 6, "é".repeat(100)).unwrap();
        ws.write_boolean(2, 0, true).unwrap();
        ws.write_number(2, 1, -7.0).unwrap();
        wb.save(&path).unwrap();
        let book = read_path(&path, 10, true).unwrap();
        assert_eq!(book.tables.len(), 1);
        let (name, r, summary, result) = &book.tables[0];
        assert_eq!(name, "Sheet1");
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(cells_of(r, "ssn"), ["146606018"]);
        assert_eq!(cells_of(r, "card"), ["4230172036881697", "-7"]);
        assert_eq!(cells_of(r, "dob"), ["1984-02-29"]);
        assert_eq!(
            cells_of(r, "copy"),
            ["293212036"],
            "the formula's cached value"
        );
        assert_eq!(cells_of(r, "ratio"), ["0.25"]);
        assert_eq!(cells_of(r, "big"), ["100000000000000000000"]);
        // Capped at 64 bytes on a character boundary, and counted.
        assert_eq!(cells_of(r, "note"), ["é".repeat(32)]);
        assert_eq!(r.anomalies, [(Anomaly::TruncatedField, Some(2))]);
        // Rows are data rows; lines are the sheet's row numbers.
        assert_eq!(r.rows, 2);
        assert_eq!(summary.rows_scanned, 2);
        assert_eq!(r.cells[0].2, Some(2));
        assert_eq!(r.cells[0].3, Some(0));
    }

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

    fn two_sheets(path: &std::path::Path, rows: u32) {
        let mut wb = rust_xlsxwriter::Workbook::new();
        for name in ["One", "Two"] {
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            ws.write_string(0, 0, "email").unwrap();
            for i in 0..rows {
                ws.write_string(i + 1, 0, format!("user{i}@example.com"))
                    .unwrap();
            }
        }
        wb.save(path).unwrap();
    }

    #[test]
    fn a_sample_over_budget_reads_the_sheet_again_for_the_same_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.xlsx");
        two_sheets(&path, 500);
        let opts = ReadOptions {
            sampling: sampling(25, false),
            line_cap: 1024,
            chunk_size: 1 << 20,
        };
        /// Counts how often the sheet is read from its start.
        struct Counting<'s>(XlsxSheet<'s>, usize);
        impl SheetSource for Counting<'_> {
            fn rows(&mut self, caps: Caps) -> Result<Box<dyn Rows + '_>, SourceError> {
                self.1 += 1;
                self.0.rows(caps)
            }
        }
        let run = |budget: usize| {
            let bytes = std::fs::read(&path).unwrap();
            let rs: Rs = Box::new(Cursor::new(bytes));
            let mut book = Xlsx::new(rs).unwrap();
            let sheet = XlsxSheet {
                wb: &mut book,
                name: "Two",
            };
            let mut counted = Counting(sheet, 0);
            let (mut r, mut s) = (Recorder::default(), ReadSummary::default());
            read_sheet_within(&mut counted, &[], &opts, budget, &mut r, &mut s).unwrap();
            (r.cells, s, counted.1)
        };
        let (held, a, one) = run(usize::MAX);
        let (again, b, two) = run(200);
        assert_eq!((one, two), (1, 2));
        assert_eq!(held.len(), 25);
        assert_eq!(held, again, "same seed, same rows");
        assert_eq!(a.sampling, "reservoir sample of 25 rows (seed 7)");
        assert_eq!((a.rows_scanned, b.rows_scanned), (25, 25));
    }

    #[test]
    fn a_broken_sheet_fails_alone_and_a_gzipped_workbook_is_read() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.xlsx");
        two_sheets(&good, 5);
        // Rewrite the zip with the first sheet's XML cut short.
        let mut src = zip::ZipArchive::new(std::fs::File::open(&good).unwrap()).unwrap();
        let bad = dir.path().join("bad.xlsx");
        let mut out = zip::ZipWriter::new(std::fs::File::create(&bad).unwrap());
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for i in 0..src.len() {
            let mut f = src.by_index(i).unwrap();
            let name = f.name().to_string();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            if name == "xl/worksheets/sheet1.xml" {
                bytes.truncate(bytes.len() * 2 / 3);
            }
            out.start_file(name, stored).unwrap();
            out.write_all(&bytes).unwrap();
        }
        out.finish().unwrap();
        let book = read_path(&bad, 10, true).unwrap();
        let results: Vec<(&str, bool)> = book
            .tables
            .iter()
            .map(|t| (t.0.as_str(), t.3.is_ok()))
            .collect();
        assert_eq!(results, [("One", false), ("Two", true)]);
        assert!(book.tables[0]
            .3
            .as_ref()
            .unwrap_err()
            .contains("malformed XML"));
        assert_eq!(cells_of(&book.tables[1].1, "email").len(), 5);

        // The same workbook gzipped: read from memory.
        let gz = dir.path().join("good.xlsx.gz");
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::fast(),
        );
        enc.write_all(&std::fs::read(&good).unwrap()).unwrap();
        enc.finish().unwrap();
        let opened = crate::source::open::open(&gz, Compression::Gzip).unwrap();
        let format = crate::source::format::detect(&gz, &opened.head);
        assert_eq!(format, Format::Xlsx);
        let input = Input::new(&gz, format, Compression::Gzip, &opened.head, opened.reader);
        let opts = ReadOptions {
            sampling: sampling(10, true),
            line_cap: 1024,
            chunk_size: 1 << 20,
        };
        let mut book = Book::default();
        Workbook.read_tables(input, &opts, &mut book).unwrap();
        assert_eq!(book.tables.len(), 2);
        assert_eq!(cells_of(&book.tables[0].1, "email").len(), 5);
    }

    #[test]
    fn read_as_one_asset_names_fields_by_sheet() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("two.xlsx");
        two_sheets(&path, 3);
        let head = std::fs::read(&path).unwrap();
        let input = Input::new(
            &path,
            Format::Xlsx,
            Compression::None,
            &head,
            Box::new(std::fs::File::open(&path).unwrap()),
        );
        let opts = ReadOptions {
            sampling: sampling(10, true),
            line_cap: 1024,
            chunk_size: 1 << 20,
        };
        let (mut r, mut s) = (Recorder::default(), ReadSummary::default());
        Workbook.read(input, &opts, &mut r, &mut s).unwrap();
        assert_eq!(r.fields, ["One#email", "Two#email"]);
        assert_eq!(s.rows_scanned, 6);
    }
}
