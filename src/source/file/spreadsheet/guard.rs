//! Checks made before calamine reads a workbook that it holds whole.
//!
//! calamine lays an `.xls` or `.ods` sheet out as a dense grid: rows × columns of the
//! box around its values, for every sheet at once, and it reserves what an `.xls`'s
//! dimensions record claims. A file of a few KiB can so ask for terabytes (a value in
//! the far corner, a forged record, an `.ods` cell repeated 16,384 times on a million
//! rows), and an allocation that fails aborts the process. These checks walk the file
//! as a stream first and refuse it, as this file's error, when the grid would be over
//! [`GRID_BUDGET`] cells. They also find a password-protected package inside a CFB
//! container, whatever the file is named.

use std::io::{BufReader, Read, Seek, SeekFrom};

use quick_xml::events::{BytesStart, Event};

use crate::source::SourceError;

/// Most cells calamine may lay out for one workbook (about 56 bytes each: the value
/// and its formula text), some 450 MiB.
pub const GRID_BUDGET: u64 = 8_000_000;

/// Excel's largest sheet, which calamine also caps `.ods` sheets at.
const MAX_ROWS: u64 = 1_048_576;
const MAX_COLUMNS: u64 = 16_384;

fn too_big(cells: u64) -> SourceError {
    SourceError::Parse(format!(
        "its sheets would take at least {cells} cells laid out in memory, over the budget of {GRID_BUDGET} (not read)"
    ))
}

/// What a CFB container (`.xls`, or an encrypted OOXML package) holds.
pub enum Cfb {
    /// A password-protected (encrypted) OOXML workbook.
    Encrypted,
    /// A BIFF workbook whose grids fit the budget.
    Workbook,
}

/// Opens the CFB container `rs`: an encrypted package, or a BIFF workbook whose sheets'
/// grids are within the budget (an error otherwise). `rs` is rewound.
pub fn check_cfb<R: Read + Seek>(rs: &mut R) -> Result<Cfb, SourceError> {
    let corrupt = || SourceError::Parse("not a readable .xls (corrupt compound file)".into());
    let result = {
        let mut cfb = cfb::CompoundFile::open(&mut *rs).map_err(|_| corrupt())?;
        if cfb.is_stream("/EncryptedPackage") {
            Ok(Cfb::Encrypted)
        } else {
            let name = ["/Workbook", "/Book"]
                .into_iter()
                .find(|n| cfb.is_stream(n))
                .ok_or_else(|| {
                    SourceError::Parse("not an .xls workbook (no Workbook stream)".into())
                })?;
            let stream = cfb.open_stream(name).map_err(|_| corrupt())?;
            biff_grid(BufReader::new(stream)).map(|_| Cfb::Workbook)
        }
    };
    rs.seek(SeekFrom::Start(0))
        .map_err(|e| SourceError::io("reading workbook", e))?;
    result
}

/// The box around the cells of one sheet.
#[derive(Default)]
struct BoundingBox(Option<(u64, u64, u64, u64)>);

impl BoundingBox {
    fn add(&mut self, row: u64, c0: u64, c1: u64) {
        let b = self.0.get_or_insert((row, row, c0, c1));
        *b = (b.0.min(row), b.1.max(row), b.2.min(c0), b.3.max(c1));
    }

    fn cells(&self) -> u64 {
        self.0
            .map_or(0, |(r0, r1, c0, c1)| (r1 - r0 + 1) * (c1 - c0 + 1))
    }
}

fn u16_at(d: &[u8], at: usize) -> Option<u64> {
    d.get(at..at + 2)
        .map(|b| u64::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(d: &[u8], at: usize) -> Option<u64> {
    d.get(at..at + 4)
        .map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

/// Walks the BIFF records of a workbook stream, summing the grids calamine would lay
/// out: each sheet's box around its cells, and what each dimensions record reserves.
fn biff_grid(mut r: impl Read) -> Result<u64, SourceError> {
    let inverted = || SourceError::Parse("corrupt .xls (an inverted dimensions record)".into());
    let (mut total, mut sheet) = (0u64, BoundingBox::default());
    let mut data = vec![0u8; u16::MAX as usize];
    loop {
        let mut head = [0u8; 4];
        match r.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(SourceError::io("reading workbook", e)),
        }
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let d = &mut data[..len];
        if r.read_exact(d).is_err() {
            break; // calamine reports a truncated stream itself
        }
        let d = &*d;
        match typ {
            // BOF and EOF: a substream (a sheet) begins or ends.
            0x0809 | 0x000A => {
                total = total.saturating_add(sheet.cells());
                sheet = BoundingBox::default();
            }
            // Dimensions: calamine reserves rows × columns as given.
            0x0200 => {
                let (rf, rl, cf, cl) = match len {
                    10 => (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6)),
                    _ => (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10)),
                };
                let (Some(rf), Some(rl), Some(cf), Some(cl)) = (rf, rl, cf, cl) else {
                    continue;
                };
                if rl < rf || cl < cf {
                    return Err(inverted());
                }
                total = total.saturating_add((rl - rf + 1).saturating_mul(cl - cf + 1));
            }
            // Number, label, bool/error, RK, label SST, formula: one cell at (row, col).
            0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let (Some(row), Some(col)) = (u16_at(d, 0), u16_at(d, 2)) {
                    sheet.add(row, col, col);
                }
            }
            // MulRK: a run of cells from a first to a last column.
            0x00BD => {
                if let (Some(row), Some(c0), Some(c1)) =
                    (u16_at(d, 0), u16_at(d, 2), u16_at(d, len.saturating_sub(2)))
                {
                    sheet.add(row, c0.min(c1), c0.max(c1));
                }
            }
            _ => {}
        }
        if total.saturating_add(sheet.cells()) > GRID_BUDGET {
            return Err(too_big(total.saturating_add(sheet.cells())));
        }
    }
    Ok(total.saturating_add(sheet.cells()))
}

fn repeat(e: &BytesStart<'_>, attr: &[u8], cap: u64) -> u64 {
    e.try_get_attribute(attr)
        .ok()
        .flatten()
        .and_then(|a| {
            std::str::from_utf8(&a.value)
                .ok()?
                .trim()
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(1)
        .clamp(1, cap)
}

/// One `.ods` table's count: cells calamine pushes as it reads the rows (repeated
/// values expanded), and the box of rows and columns it then lays out.
#[derive(Default)]
struct OdsTable {
    pushed: u64,
    rows: u64,
    first: Option<u64>,
    end: u64,
    width: u64,
}

impl OdsTable {
    fn cells(&self) -> u64 {
        let tall = self.first.map_or(0, |f| self.end - f);
        self.pushed.saturating_add(tall.saturating_mul(self.width))
    }
}

/// Checks that the `.ods` in zip `rs` would be laid out within the budget (its
/// `content.xml` walked as a stream; a zip calamine cannot read is left to it). `rs`
/// is rewound.
pub fn check_ods<R: Read + Seek>(rs: &mut R) -> Result<(), SourceError> {
    let result = match zip::ZipArchive::new(&mut *rs) {
        Ok(mut zip) => match zip.by_name("content.xml") {
            Ok(content) => ods_grid(BufReader::new(content)).map(|_| ()),
            Err(_) => Ok(()),
        },
        Err(_) => Ok(()),
    };
    rs.seek(SeekFrom::Start(0))
        .map_err(|e| SourceError::io("reading workbook", e))?;
    result
}

fn ods_grid(content: impl std::io::BufRead) -> Result<u64, SourceError> {
    let mut xml = quick_xml::Reader::from_reader(content);
    let mut buf = Vec::new();
    let (mut total, mut table) = (0u64, OdsTable::default());
    // The row being read: its repeat, its next column, empty cells pending, its width.
    let (mut row_repeat, mut col, mut empty, mut row_width) = (1u64, 0u64, 0u64, 0u64);
    loop {
        buf.clear();
        let (start, is_empty) = match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) => {
                match e.name().as_ref() {
                    b"table:table-row" => {
                        if row_width > 0 {
                            table.first.get_or_insert(table.rows);
                            table.end = table.rows + row_repeat;
                            table.width = table.width.max(row_width);
                        }
                        table.rows = (table.rows + row_repeat).min(MAX_ROWS);
                    }
                    b"table:table" => {
                        total = total.saturating_add(table.cells());
                        table = OdsTable::default();
                    }
                    _ => {}
                }
                if total.saturating_add(table.cells()) > GRID_BUDGET {
                    return Err(too_big(total.saturating_add(table.cells())));
                }
                continue;
            }
            Ok(Event::Eof) => break,
            Ok(_) => continue,
            // calamine reports malformed XML itself.
            Err(_) => break,
        };
        match start.name().as_ref() {
            b"table:table-row" if is_empty => {
                let n = repeat(&start, b"table:number-rows-repeated", MAX_ROWS);
                table.rows = (table.rows + n).min(MAX_ROWS);
            }
            b"table:table-row" => {
                row_repeat = repeat(&start, b"table:number-rows-repeated", MAX_ROWS);
                (col, empty, row_width) = (0, 0, 0);
            }
            b"table:table-cell" | b"table:covered-table-cell" => {
                let n = repeat(&start, b"table:number-columns-repeated", MAX_COLUMNS);
                let valued = !is_empty
                    || start
                        .try_get_attribute(b"office:value-type")
                        .ok()
                        .flatten()
                        .is_some();
                if valued {
                    let pushed = (empty + n).min(MAX_COLUMNS.saturating_sub(col));
                    table.pushed = table.pushed.saturating_add(pushed);
                    col += pushed;
                    empty = 0;
                    row_width = col;
                } else {
                    empty = (empty + n).min(MAX_COLUMNS);
                }
            }
            _ => {}
        }
        if total.saturating_add(table.cells()) > GRID_BUDGET {
            return Err(too_big(total.saturating_add(table.cells())));
        }
    }
    Ok(total.saturating_add(table.cells()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A BIFF record.
    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut out = typ.to_le_bytes().to_vec();
        out.extend((data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
        out
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0u8; 10]);
        rec(0x0203, &d)
    }

    #[test]
    fn an_xls_grid_is_the_box_around_each_sheets_cells() {
        let bof = rec(0x0809, &[0; 16]);
        let eof = rec(0x000A, &[]);
        let small: Vec<u8> = [bof.clone(), number(0, 0), number(9, 4), eof.clone()].concat();
        assert_eq!(biff_grid(&small[..]).unwrap(), 10 * 5);
        // Two cells in far corners of a sheet, in a file of a few hundred bytes.
        let far: Vec<u8> = [bof.clone(), number(0, 0), number(65_535, 255), eof.clone()].concat();
        let e = biff_grid(&far[..]).unwrap_err().to_string();
        assert!(e.contains("over the budget"), "{e}");
        // A dimensions record claiming 2^32 rows, and one inverted.
        let mut dims = 0u32.to_le_bytes().to_vec();
        dims.extend(u32::MAX.to_le_bytes());
        dims.extend([0, 0, 0xff, 0, 0, 0]);
        let forged: Vec<u8> = [bof.clone(), rec(0x0200, &dims), eof.clone()].concat();
        assert!(biff_grid(&forged[..]).is_err());
        let mut inverted = 9u32.to_le_bytes().to_vec();
        inverted.extend(1u32.to_le_bytes());
        inverted.extend([0, 0, 1, 0, 0, 0]);
        let bad: Vec<u8> = [bof, rec(0x0200, &inverted), eof].concat();
        assert!(biff_grid(&bad[..])
            .unwrap_err()
            .to_string()
            .contains("inverted"));
    }

    fn ods(rows: &str) -> String {
        format!(
            r#"<office:document-content><office:body><office:spreadsheet><table:table table:name="T">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        )
    }

    #[test]
    fn an_ods_grid_counts_repeated_cells_and_rows() {
        let cell = r#"<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>"#;
        let small = ods(&format!("<table:table-row>{cell}{cell}</table:table-row><table:table-row table:number-rows-repeated=\"3\">{cell}</table:table-row>"));
        // Pushed: 2 + 1; laid out: 4 rows × 2 columns.
        assert_eq!(ods_grid(small.as_bytes()).unwrap(), 3 + 8);
        // Trailing empty rows and columns, as every office suite writes them, cost nothing.
        let padded = ods(&format!("<table:table-row>{cell}<table:table-cell table:number-columns-repeated=\"16383\"/></table:table-row><table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>"));
        assert_eq!(ods_grid(padded.as_bytes()).unwrap(), 1 + 1);
        // A value repeated across every column of a million rows.
        let wide = r#"<table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/>"#;
        let bomb = ods(&format!(
            "<table:table-row table:number-rows-repeated=\"1048576\">{wide}</table:table-row>"
        ));
        assert!(ods_grid(bomb.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("over the budget"));
    }
}
