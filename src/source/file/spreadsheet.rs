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
    Cell, Data, DataRef, Dimensions, Ods, OdsError, Range, Reader, SheetType, Xls, XlsError, Xlsx,
    XlsxError,
};

use super::{
    read_tables_as_one, FileRead, FileReader, FileSink, Input, ReadOptions, ReadSummary,
    TableSinks, TablesReader,
};
use crate::source::format::{Compression, Format};
use crate::source::SourceError;

mod guard;
mod table;

pub use table::column_letters;
use table::{read_sheet, Caps, Row, Rows, SheetSource, Value};

/// Bytes of a workbook's parts that calamine holds whole (an `.xlsx`'s shared strings,
/// an `.ods`'s content, a whole `.xls`, a decompressed `.xlsx.gz`): a workbook over it
/// is not read, and says so.
pub const WORKBOOK_BUDGET: u64 = 256 << 20;

/// The first bytes of a CFB container (`.xls`, or an encrypted OOXML workbook).
const CFB_MAGIC: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";

/// The reader of workbooks ([`Format::Xlsx`], [`Format::Xls`], [`Format::Ods`]).
pub struct Workbook;

impl FileReader for Workbook {
    fn read(&self, job: FileRead<'_>) -> Result<(), SourceError> {
        read_tables_as_one(self, job.input, job.opts, job.sink, job.summary)
    }

    fn as_tables(&self) -> Option<&dyn TablesReader> {
        Some(self)
    }

    /// An uncompressed workbook is a zip (or CFB) read by seeking: a file, not a stream.
    fn needs_local_file(&self) -> bool {
        true
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
                let mut sheet = XlsxSheet { wb: &mut wb, name };
                read_sheet(&mut sheet, opts, sink.as_records(), summary)
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
    // An encrypted .xlsx is a CFB container too; a BIFF workbook is checked before
    // calamine lays its sheets out.
    if let guard::Cfb::Encrypted = guard::check_cfb(&mut rs)? {
        return Err(SourceError::Parse(PASSWORD.into()));
    }
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
                let mut sheet = RangeSheet(&range, merges.clone());
                read_sheet(&mut sheet, opts, sink.as_records(), summary)
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
    guard::check_ods(&mut rs)?;
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
                let mut sheet = RangeSheet(&range, Vec::new());
                read_sheet(&mut sheet, opts, sink.as_records(), summary)
            },
        );
    }
    Ok(())
}

fn sheet_list(sheets: &[calamine::Sheet]) -> Vec<(String, SheetType)> {
    sheets.iter().map(|s| (s.name.clone(), s.typ)).collect()
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

    fn merges(&mut self) -> Result<Vec<Dimensions>, SourceError> {
        match self.wb.worksheet_merge_cells(self.name) {
            Some(Ok(m)) => Ok(m),
            Some(Err(e)) => Err(xlsx_error(e)),
            None => Ok(Vec::new()),
        }
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

/// A sheet calamine read whole (`.xls`, `.ods`), with its merged regions.
struct RangeSheet<'r>(&'r Range<Data>, Vec<Dimensions>);

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

    fn merges(&mut self) -> Result<Vec<Dimensions>, SourceError> {
        Ok(self.1.clone())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::file::capped::tests::{sampling, Recorder};
    use crate::source::file::ReadTable;
    use crate::source::Anomaly;
    use table::read_sheet_within;

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
        assert_eq!(r.values("ssn"), ["146606018"]);
        assert_eq!(r.values("card"), ["4230172036881697", "-7"]);
        assert_eq!(r.values("dob"), ["1984-02-29"]);
        assert_eq!(
            r.values("copy"),
            ["293212036"],
            "the formula's cached value"
        );
        assert_eq!(r.values("ratio"), ["0.25"]);
        assert_eq!(r.values("big"), ["100000000000000000000"]);
        // Capped at 64 bytes on a character boundary, and counted.
        assert_eq!(r.values("note"), ["é".repeat(32)]);
        assert_eq!(r.anomalies, [(Anomaly::TruncatedField, Some(2))]);
        // Rows are data rows; lines are the sheet's row numbers.
        assert_eq!(r.rows, 2);
        assert_eq!(summary.rows_scanned, 2);
        assert_eq!(r.cells[0].2, Some(2));
        assert_eq!(r.cells[0].3, Some(0));
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
            fn merges(&mut self) -> Result<Vec<Dimensions>, SourceError> {
                self.0.merges()
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
            read_sheet_within(&mut counted, &opts, budget, &mut r, &mut s).unwrap();
            (r.cells, s, counted.1)
        };
        let (held, a, one) = run(usize::MAX);
        let (again, b, two) = run(200);
        // Once for the rows looked at for the header, once on from there, and once more
        // for the sample's rows.
        assert_eq!((one, two), (2, 3));
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
        assert_eq!(book.tables[1].1.values("email").len(), 5);

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
        assert_eq!(book.tables[0].1.values("email").len(), 5);
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
        Workbook
            .read(FileRead {
                input,
                opts: &opts,
                sink: &mut r,
                summary: &mut s,
            })
            .unwrap();
        assert_eq!(r.fields, ["One#email", "Two#email"]);
        assert_eq!(s.rows_scanned, 6);
    }
}
