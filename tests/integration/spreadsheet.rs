//! Spreadsheets (`.xlsx`, `.xls`, `.ods`) and Avro container files, scanned by the
//! binary. Fixtures are written in a temporary directory by independent writers
//! (`rust_xlsxwriter`, apache-avro's own `Writer`, the `zip` and `cfb` crates); the one
//! `.xls` is a committed file made by Python's `xlwt` (tests/fixtures/sheets/).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::util::{json, repo, run, stderr, stdout, tempdir, write};

/// The customers of the CSV fixture, as (header, rows).
fn customers() -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/files/customers.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
        .filter(|r| r.len() == header.len())
        .collect();
    (header, rows)
}

/// A birth date for row `i` (days after 1950-01-01, spread over 50 years).
fn birth_date(i: usize) -> (u16, u8, u8) {
    let y = 1950 + (i * 7 % 50) as u16;
    let m = 1 + (i * 5 % 12) as u8;
    let d = 1 + (i * 3 % 28) as u8;
    (y, m, d)
}

/// Days from 1970-01-01 to a civil date (for Avro's `date`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as i32
}

/// Columns written as numbers in the workbook and as longs or doubles in Avro.
const NUMERIC: &[&str] = &["id", "card_number", "ref_number", "ssn_digits", "price"];

/// The test table: the CSV fixture's columns plus an SSN stored as a number, a birth
/// date and a formula's copy of the email.
fn table() -> (Vec<String>, Vec<Vec<String>>) {
    let (mut header, rows) = customers();
    let ssn = header.iter().position(|h| h == "ssn").unwrap();
    let email = header.iter().position(|h| h == "email").unwrap();
    header.extend(["ssn_digits", "birth_date", "email_copy"].map(String::from));
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            let (y, m, d) = birth_date(i);
            // As a number it has no leading zero, in the CSV export of it neither.
            let digits = r[ssn].replace('-', "").parse::<u64>().unwrap().to_string();
            let copy = r[email].clone();
            r.extend([digits, format!("{y:04}-{m:02}-{d:02}"), copy]);
            r
        })
        .collect();
    (header, rows)
}

fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>]) {
    let mut text = header.join(",") + "\n";
    for r in rows {
        text += &(r.join(",") + "\n");
    }
    std::fs::write(path, text).unwrap();
}

/// The table as a workbook: a title row merged over the header, typed cells, the
/// birth date as a date cell and `email_copy` as a formula with its cached value.
fn write_xlsx(path: &Path, header: &[String], rows: &[Vec<String>]) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Customers").unwrap();
    let last = (header.len() - 1) as u16;
    ws.merge_range(0, 0, 0, last, "Customer export", &Format::new())
        .unwrap();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let email_col = header.iter().position(|h| h == "email").unwrap();
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 2;
        for (c, v) in r.iter().enumerate() {
            let col = c as u16;
            match header[c].as_str() {
                h if NUMERIC.contains(&h) => {
                    ws.write_number(row, col, v.parse::<f64>().unwrap())
                        .unwrap();
                }
                "birth_date" => {
                    let (y, m, d) = birth_date(i);
                    let dt = ExcelDateTime::from_ymd(y, m, d).unwrap();
                    ws.write_datetime_with_format(row, col, dt, &date).unwrap();
                }
                "email_copy" => {
                    let cell = format!("{}{}", column_letter(email_col), row + 1);
                    let f = Formula::new(format!("={cell}")).set_result(v.as_str());
                    ws.write_formula(row, col, f).unwrap();
                }
                _ => {
                    ws.write_string(row, col, v).unwrap();
                }
            }
        }
    }
    wb.save(path).unwrap();
}

fn column_letter(c: usize) -> char {
    (b'A' + c as u8) as char
}

/// The table as an Avro container: deflate blocks of ten records, numbers as longs and
/// doubles, the birth date as Avro's `date`, `notes` nullable.
fn write_avro(path: &Path, header: &[String], rows: &[Vec<String>]) {
    use apache_avro::types::{Record, Value as A};
    use apache_avro::{Codec, DeflateSettings, Schema, Writer};
    let fields: Vec<String> = header
        .iter()
        .map(|h| {
            let ty = match h.as_str() {
                "price" => r#""double""#.to_string(),
                h if NUMERIC.contains(&h) => r#""long""#.to_string(),
                "birth_date" => r#"{"type": "int", "logicalType": "date"}"#.to_string(),
                "notes" => r#"["null", "string"]"#.to_string(),
                _ => r#""string""#.to_string(),
            };
            format!(r#"{{"name": "{h}", "type": {ty}}}"#)
        })
        .collect();
    let schema = Schema::parse_str(&format!(
        r#"{{"type": "record", "name": "Customer", "fields": [{}]}}"#,
        fields.join(", ")
    ))
    .unwrap();
    let file = std::fs::File::create(path).unwrap();
    let codec = Codec::Deflate(DeflateSettings::default());
    let mut w = Writer::with_codec(&schema, file, codec);
    for (i, r) in rows.iter().enumerate() {
        let mut rec = Record::new(&schema).unwrap();
        for (h, v) in header.iter().zip(r) {
            let value = match h.as_str() {
                "price" => A::Double(v.parse().unwrap()),
                h if NUMERIC.contains(&h) => A::Long(v.parse().unwrap()),
                "birth_date" => {
                    let (y, m, d) = birth_date(i);
                    A::Date(days_from_civil(y.into(), m.into(), d.into()))
                }
                "notes" => A::Union(1, Box::new(A::String(v.clone()))),
                _ => A::String(v.clone()),
            };
            rec.put(h, value);
        }
        w.append(rec).unwrap();
        if i % 10 == 9 {
            w.flush().unwrap();
        }
    }
    w.flush().unwrap();
}

/// The asset whose name ends with `suffix`.
fn asset<'a>(inv: &'a Value, suffix: &str) -> &'a Value {
    inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["asset"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no asset {suffix} in {inv}"))
}

/// Each field of an asset with the data types found in it.
fn field_types(a: &Value) -> BTreeMap<String, Vec<String>> {
    a["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let types = f["types"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["data_type"].as_str().unwrap().to_string())
                .collect();
            (f["field"].as_str().unwrap_or("(text)").to_string(), types)
        })
        .collect()
}

fn scan(dir: &Path, code: i32) -> Value {
    json(
        &[
            "scan",
            dir.to_str().unwrap(),
            "--format",
            "json",
            "--no-ignore",
        ],
        code,
    )
}

#[test]
fn an_xlsx_and_an_avro_file_are_classified_like_the_same_data_in_csv() {
    let dir = tempdir();
    let (header, rows) = table();
    write_csv(&dir.path().join("people.csv"), &header, &rows);
    write_xlsx(&dir.path().join("people.xlsx"), &header, &rows);
    write_avro(&dir.path().join("people.avro"), &header, &rows);
    let inv = scan(dir.path(), 0);
    let csv = field_types(asset(&inv, "people.csv"));
    // The comparison means something: the CSV's PII columns are found.
    for (field, ty) in [
        ("email", "email"),
        ("phone", "phone"),
        ("ssn", "ssn"),
        ("card_number", "credit_card"),
        ("first_name", "person_name"),
        ("street_address", "street_address"),
        ("email_copy", "email"),
    ] {
        assert!(
            csv.get(field)
                .is_some_and(|t| t.first().map(String::as_str) == Some(ty)),
            "CSV {field}: {:?}",
            csv.get(field)
        );
    }
    let sheet = asset(&inv, "people.xlsx#Customers");
    assert_eq!(sheet["format"], "xlsx");
    assert_eq!(sheet["status"], "scanned", "{sheet}");
    assert_eq!(sheet["stats"]["rows_scanned"], rows.len() as u64, "{sheet}");
    assert_eq!(field_types(sheet), csv, "xlsx like CSV");
    let avro = asset(&inv, "people.avro");
    assert_eq!(avro["format"], "avro");
    assert_eq!(avro["status"], "scanned", "{avro}");
    assert_eq!(avro["stats"]["rows_scanned"], rows.len() as u64, "{avro}");
    assert_eq!(field_types(avro), csv, "Avro like CSV");
    // The merged title row is text, not the header, and leaks nothing.
    let out = serde_json::to_string(&inv).unwrap();
    assert!(!out.contains(&rows[0][3]), "a raw email in the inventory");
}

/// A workbook of three sheets: a grouped two-row header, a data-only sheet, and a
/// hidden sheet.
fn write_book(path: &Path) {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let people = wb.add_worksheet();
    people.set_name("People").unwrap();
    let f = Format::new();
    people.merge_range(0, 0, 1, 0, "Name", &f).unwrap();
    people.merge_range(0, 1, 0, 2, "Contact", &f).unwrap();
    people.write_string(1, 1, "Email").unwrap();
    people.write_string(1, 2, "Phone").unwrap();
    for i in 0..20u32 {
        let r = i + 2;
        people.write_string(r, 0, format!("Person {i}")).unwrap();
        people
            .write_string(r, 1, format!("person{i}@example.com"))
            .unwrap();
        people
            .write_string(r, 2, format!("(415) 555-{:04}", 1000 + i))
            .unwrap();
    }
    let raw = wb.add_worksheet();
    raw.set_name("Raw dump").unwrap();
    for i in 0..20u32 {
        raw.write_string(i, 0, format!("user{i}@mail.example.org"))
            .unwrap();
        raw.write_number(i, 1, f64::from(1000 + i)).unwrap();
    }
    let hidden = wb.add_worksheet();
    hidden.set_name("Secret").unwrap();
    hidden.write_string(0, 0, "contact").unwrap();
    for i in 0..10u32 {
        hidden
            .write_string(i + 1, 0, format!("hidden{i}@example.net"))
            .unwrap();
    }
    hidden.set_hidden(true);
    wb.save(path).unwrap();
}

#[test]
fn every_sheet_is_an_asset_with_its_header_sniffed_and_merged_cells_spanned() {
    let dir = tempdir();
    write_book(&dir.path().join("book.xlsx"));
    let inv = scan(dir.path(), 0);
    let ids: Vec<&str> = inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    for sheet in ["People", "Raw dump", "Secret"] {
        assert!(
            ids.iter()
                .any(|id| id.starts_with("file:") && id.ends_with(&format!("book.xlsx#{sheet}"))),
            "{sheet} in {ids:?}"
        );
    }
    let people = field_types(asset(&inv, "book.xlsx#People"));
    assert_eq!(
        people.get("Contact Email").map(|t| t[0].as_str()),
        Some("email"),
        "{people:?}"
    );
    assert_eq!(
        people.get("Contact Phone").map(|t| t[0].as_str()),
        Some("phone"),
        "{people:?}"
    );
    assert_eq!(asset(&inv, "book.xlsx#People")["stats"]["rows_scanned"], 20);
    // No header: column letters, and the first row is data.
    let raw = asset(&inv, "book.xlsx#Raw dump");
    assert_eq!(raw["stats"]["rows_scanned"], 20, "{raw}");
    assert_eq!(
        field_types(raw).get("A").map(|t| t[0].as_str()),
        Some("email"),
        "{raw}"
    );
    let secret = field_types(asset(&inv, "book.xlsx#Secret"));
    assert_eq!(
        secret.get("contact").map(|t| t[0].as_str()),
        Some("email"),
        "{secret:?}"
    );
}

#[test]
fn an_unchanged_workbook_is_carried_forward_sheet_by_sheet() {
    let dir = tempdir();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    write_book(&data.join("book.xlsx"));
    let state = dir.path().join("state.json");
    let args = |s: &Path| {
        vec![
            "scan".to_string(),
            data.display().to_string(),
            "--format".into(),
            "json".into(),
            "--state".into(),
            s.display().to_string(),
        ]
    };
    let first = run(&args(&state).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let second = run(&args(&state).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let a: Value = serde_json::from_slice(&first.stdout).unwrap();
    let b: Value = serde_json::from_slice(&second.stdout).unwrap();
    let fields = |inv: &Value| -> Vec<(String, BTreeMap<String, Vec<String>>)> {
        let mut v: Vec<_> = inv["assets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["id"].as_str().unwrap().to_string(), field_types(a)))
            .collect();
        v.sort();
        v
    };
    assert_eq!(fields(&a).len(), 3);
    assert_eq!(
        fields(&a),
        fields(&b),
        "the sheets come back from the state"
    );
    let carried = b["scan"]["carried"].to_string();
    assert!(
        carried.contains("book.xlsx"),
        "carried: {carried}\n{}",
        stdout(&second)
    );
}

/// A minimal OpenDocument spreadsheet, built as the standard describes: a zip whose
/// first entry is the stored `mimetype`, a manifest and `content.xml`.
fn write_ods(path: &Path, rows: &[[&str; 3]], encrypted: bool) {
    use zip::write::SimpleFileOptions;
    let file = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(file);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("mimetype", stored).unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    let encryption = if encrypted {
        r#"<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>"#
    } else {
        ""
    };
    z.start_file("META-INF/manifest.xml", stored).unwrap();
    write!(
        z,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">{encryption}</manifest:file-entry>
</manifest:manifest>"#
    )
    .unwrap();
    let mut body = String::new();
    for r in rows {
        body.push_str("<table:table-row>");
        for v in r {
            if v.bytes().all(|b| b.is_ascii_digit()) {
                body.push_str(&format!(
                    r#"<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>"#
                ));
            } else {
                body.push_str(&format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>"#
                ));
            }
        }
        body.push_str("</table:table-row>");
    }
    z.start_file("content.xml", stored).unwrap();
    write!(
        z,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="Contacts">{body}</table:table></office:spreadsheet></office:body>
</office:document-content>"#
    )
    .unwrap();
    z.finish().unwrap();
}

#[test]
fn an_ods_file_is_read_as_tables_and_its_numbers_keep_their_digits() {
    let dir = tempdir();
    let mut rows: Vec<[String; 3]> = vec![["name".into(), "email".into(), "ssn".into()]];
    let (_, people) = customers();
    for p in people.iter().take(20) {
        rows.push([
            format!("{} {}", p[1], p[2]),
            p[3].clone(),
            p[5].replace('-', ""),
        ]);
    }
    let refs: Vec<[&str; 3]> = rows
        .iter()
        .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str()])
        .collect();
    write_ods(&dir.path().join("contacts.ods"), &refs, false);
    // The same data as CSV, for comparison.
    let csv: String = rows.iter().map(|r| r.join(",") + "\n").collect();
    write(dir.path(), "contacts.csv", csv);
    let inv = scan(dir.path(), 0);
    let sheet = asset(&inv, "contacts.ods#Contacts");
    assert_eq!(sheet["format"], "ods");
    assert_eq!(sheet["stats"]["rows_scanned"], 20, "{sheet}");
    let got = field_types(sheet);
    assert_eq!(
        got.get("email").map(|t| t[0].as_str()),
        Some("email"),
        "{got:?}"
    );
    assert_eq!(
        got,
        field_types(asset(&inv, "contacts.csv")),
        "ods like CSV"
    );
}

/// `tests/fixtures/sheets/people.xls`, written by xlwt (see make_xls.py beside it): a
/// legacy BIFF8 workbook with a merged group header, numbers and dates.
#[test]
fn a_legacy_xls_workbook_is_read_with_its_merged_header() {
    let dir = tempdir();
    std::fs::copy(
        repo().join("tests/fixtures/sheets/people.xls"),
        dir.path().join("people.xls"),
    )
    .unwrap();
    let inv = scan(dir.path(), 0);
    let sheet = asset(&inv, "people.xls#People");
    assert_eq!(sheet["format"], "xls");
    assert_eq!(sheet["stats"]["rows_scanned"], 12, "{sheet}");
    let got = field_types(sheet);
    assert_eq!(
        got.get("Contact Email").map(|t| t[0].as_str()),
        Some("email"),
        "{got:?}"
    );
    assert_eq!(
        got.get("ssn").map(|t| t[0].as_str()),
        Some("ssn"),
        "{got:?}"
    );
    assert_eq!(
        got.get("card").map(|t| t[0].as_str()),
        Some("credit_card"),
        "{got:?}"
    );
}

#[test]
fn bad_workbooks_and_avro_files_are_per_asset_errors_and_the_scan_goes_on() {
    let dir = tempdir();
    let p = dir.path();
    // A good file beside the bad ones.
    write(p, "ok.csv", "email\nann@example.com\nbob@example.com\n");
    // Not a zip at all, and a real workbook cut in half.
    write(
        p,
        "corrupt.xlsx",
        b"PK\x03\x04 this is not really a zip archive".as_slice(),
    );
    write_book(&p.join("whole.xlsx"));
    let whole = std::fs::read(p.join("whole.xlsx")).unwrap();
    write(p, "cut.xlsx", &whole[..whole.len() / 2]);
    std::fs::remove_file(p.join("whole.xlsx")).unwrap();
    // Password-protected: an encrypted OOXML package is a CFB container.
    {
        let mut c = cfb::create(p.join("locked.xlsx")).unwrap();
        c.create_stream("EncryptionInfo")
            .unwrap()
            .write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0])
            .unwrap();
        c.create_stream("EncryptedPackage")
            .unwrap()
            .write_all(&[0x5a; 4096])
            .unwrap();
        c.flush().unwrap();
    }
    write_ods(&p.join("locked.ods"), &[["email", "x", "y"]], true);
    // An Avro file cut inside its third block: the first two blocks are kept.
    let (header, rows) = table();
    write_avro(&p.join("full.avro"), &header, &rows);
    let avro = std::fs::read(p.join("full.avro")).unwrap();
    std::fs::remove_file(p.join("full.avro")).unwrap();
    write(p, "cut.avro", &avro[..avro.len() * 6 / 10]);
    // A container whose block header claims a huge block.
    let mut huge = avro[..header_end(&avro)].to_vec();
    huge.extend_from_slice(&[0x02, 0xfe, 0xff, 0xff, 0xff, 0x1f]);
    write(p, "huge.avro", &huge);

    // A legacy workbook whose dimensions record claims 2^32 rows: calamine would
    // reserve terabytes for it (and abort the process).
    let mut xls = std::fs::read(repo().join("tests/fixtures/sheets/people.xls")).unwrap();
    let dims = xls
        .windows(4)
        .position(|w| w == [0x00, 0x02, 0x0e, 0x00])
        .expect("a BIFF8 dimensions record");
    xls[dims + 8..dims + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    write(p, "forged.xls", &xls);

    let o = run(&["scan", p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(asset(&inv, "ok.csv")["status"], "scanned");
    let message = |a: &Value| a["errors"][0]["message"].as_str().unwrap_or("").to_string();
    for (name, status, says) in [
        ("corrupt.xlsx", "failed", "corrupt or truncated zip"),
        ("cut.xlsx", "failed", "corrupt or truncated zip"),
        ("locked.xlsx", "failed", "password-protected"),
        ("locked.ods", "failed", "password-protected"),
        ("huge.avro", "failed", "over the 32 MiB block budget"),
        ("forged.xls", "failed", "over the budget"),
    ] {
        let a = asset(&inv, name);
        assert_eq!(a["status"], status, "{a}");
        assert!(message(a).contains(says), "{name}: {a}");
    }
    let cut = asset(&inv, "cut.avro");
    assert_eq!(cut["status"], "partial", "{cut}");
    assert!(message(cut).contains("truncated"), "{cut}");
    let kept = cut["stats"]["rows_scanned"].as_u64().unwrap();
    assert!(
        (10..40).contains(&kept) && kept % 10 == 0,
        "whole blocks kept: {cut}"
    );
    assert!(field_types(cut).contains_key("email"), "{cut}");
}

/// The length of an Avro container's header (up to and including its sync marker):
/// the marker is the 16 bytes that end every block too, so it is found again at the
/// end of the file.
fn header_end(avro: &[u8]) -> usize {
    let sync = &avro[avro.len() - 16..];
    avro.windows(16).position(|w| w == sync).unwrap() + 16
}
