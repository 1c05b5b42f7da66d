//! Format detection: the extension first, then a look at the first bytes.

use std::path::Path;

use serde::Serialize;

/// How a file's bytes are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip (`.gz`), possibly multi-member.
    Gzip,
    /// Zstandard (`.zst`).
    Zstd,
}

/// What kind of content a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Delimited text with a sniffed delimiter.
    Csv {
        /// The field delimiter.
        delimiter: u8,
    },
    /// One JSON object per line (a table of records).
    Jsonl,
    /// Apache Parquet.
    Parquet,
    /// An Office Open XML workbook (`.xlsx`, `.xlsm`): a zip, or a CFB container when
    /// it is password-protected.
    Xlsx,
    /// A legacy Excel workbook (`.xls`, BIFF in a CFB container).
    Xls,
    /// An OpenDocument spreadsheet (`.ods`).
    Ods,
    /// An Apache Avro object container file.
    Avro,
    /// A SQLite database file.
    Sqlite,
    /// Plain text or logs (line formats are sniffed per file by [`super::text`]).
    Text,
    /// Binary content: skipped.
    Binary,
}

impl Format {
    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv { delimiter: b'\t' } => "tsv",
            Format::Csv { .. } => "csv",
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Avro => "avro",
            Format::Sqlite => "sqlite",
            Format::Text => "text",
            Format::Binary => "binary",
        }
    }
}

/// Compression from the extension, or from the magic bytes.
pub fn compression(path: &Path, head: &[u8]) -> Compression {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("gz" | "gzip" | "tgz") => Compression::Gzip,
        Some("zst" | "zstd") => Compression::Zstd,
        _ if head.starts_with(&[0x1f, 0x8b]) => Compression::Gzip,
        _ if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) => Compression::Zstd,
        _ => Compression::None,
    }
}

/// The extension that tells the content, after any compression extension.
fn inner_extension(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let mut parts: Vec<&str> = name.split('.').collect();
    if parts.len() > 1 && matches!(parts.last(), Some(&("gz" | "gzip" | "zst" | "zstd"))) {
        parts.pop();
    }
    (parts.len() > 1).then(|| parts.last().unwrap_or(&"").to_string())
}

/// Decides the format of a file from its name and its first (decompressed) bytes.
pub fn detect(path: &Path, head: &[u8]) -> Format {
    if head.starts_with(b"SQLite format 3\0") {
        return Format::Sqlite;
    }
    if head.starts_with(b"PAR1") {
        return Format::Parquet;
    }
    if head.starts_with(AVRO_MAGIC) {
        return Format::Avro;
    }
    match inner_extension(path).as_deref() {
        Some("csv") => {
            return Format::Csv {
                delimiter: sniff_delimiter(head).unwrap_or(b','),
            }
        }
        Some("tsv" | "tab") => return Format::Csv { delimiter: b'\t' },
        Some("psv") => return Format::Csv { delimiter: b'|' },
        Some("jsonl" | "ndjson") => return Format::Jsonl,
        Some("parquet" | "pq") => return Format::Parquet,
        Some("avro") => return Format::Avro,
        Some("xlsx" | "xlsm") => return Format::Xlsx,
        Some("xls") => return Format::Xls,
        Some("ods") => return Format::Ods,
        Some("json") if looks_like_json_lines(head) => return Format::Jsonl,
        _ => {}
    }
    if is_ods_zip(head) {
        return Format::Ods;
    }
    if looks_binary(head) {
        return Format::Binary;
    }
    match inner_extension(path).as_deref() {
        Some("log" | "txt" | "out" | "err" | "md" | "json" | "xml" | "html" | "yaml" | "yml") => {
            Format::Text
        }
        _ if looks_like_json_lines(head) && !is_log_name(path) => Format::Jsonl,
        _ => match sniff_delimiter(head) {
            Some(d) if !is_log_name(path) => Format::Csv { delimiter: d },
            _ => Format::Text,
        },
    }
}

/// The first bytes of an Avro object container file.
pub const AVRO_MAGIC: &[u8] = b"Obj\x01";

/// An OpenDocument spreadsheet whatever its name: a zip whose first entry is the
/// uncompressed `mimetype` naming the spreadsheet type (ODF 1.2, part 3, 3.3).
fn is_ods_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04")
        && head.get(30..38) == Some(b"mimetype")
        && head
            .get(38..)
            .is_some_and(|rest| rest.starts_with(b"application/vnd.oasis.opendocument.spreadsheet"))
}

fn is_log_name(path: &Path) -> bool {
    path.to_string_lossy().to_ascii_lowercase().contains("log")
}

/// Binary if the head has NUL bytes or many control characters.
pub fn looks_binary(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(8192)];
    if sample.is_empty() {
        return false;
    }
    if memchr::memchr(0, sample).is_some() {
        return true;
    }
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
        .count();
    control * 20 > sample.len()
}

fn head_lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    // Drop the last line: it may be cut by the head's end.
    let complete = memchr::memrchr(b'\n', head).map_or(head, |p| &head[..p]);
    complete
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.trim_ascii().is_empty())
        .take(50)
}

fn looks_like_json_lines(head: &[u8]) -> bool {
    let mut n = 0;
    let mut objects = 0;
    for line in head_lines(head) {
        n += 1;
        let t = line.trim_ascii();
        if t.starts_with(b"{") && t.ends_with(b"}") {
            objects += 1;
        }
    }
    n > 0 && objects * 10 >= n * 8
}

/// Picks the delimiter whose per-line count (outside quotes) is the same non-zero
/// number on most of the first lines.
pub fn sniff_delimiter(head: &[u8]) -> Option<u8> {
    let lines: Vec<&[u8]> = head_lines(head).collect();
    if lines.is_empty() {
        return None;
    }
    let mut best: Option<(u8, usize)> = None;
    for d in [b',', b'\t', b';', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let first = counts[0];
        if first == 0 {
            continue;
        }
        let agree = counts.iter().filter(|&&c| c == first).count();
        if agree * 10 >= counts.len() * 8 && best.is_none_or(|(_, f)| first > f) {
            best = Some((d, first));
        }
    }
    best.map(|(d, _)| d)
}

fn count_outside_quotes(line: &[u8], d: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if b == d && !quoted {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_then_content() {
        assert_eq!(
            detect(Path::new("a.csv"), b"a;b;c\n1;2;3\n"),
            Format::Csv { delimiter: b';' }
        );
        assert_eq!(
            detect(Path::new("a.tsv.gz"), b""),
            Format::Csv { delimiter: b'\t' }
        );
        assert_eq!(detect(Path::new("a.log"), b"{\"a\":1}\n"), Format::Text);
        assert_eq!(
            detect(Path::new("export"), b"{\"a\":1}\n{\"b\":2}\n"),
            Format::Jsonl
        );
        assert_eq!(
            detect(Path::new("x.bin"), b"\x7fELF\x02\x01\x01\x00\x00\x00"),
            Format::Binary
        );
        assert_eq!(
            detect(Path::new("x.dat"), b"SQLite format 3\0....."),
            Format::Sqlite
        );
        assert_eq!(
            detect(Path::new("noext"), b"name,email\nann,a@x.io\nbob,b@y.io\n"),
            Format::Csv { delimiter: b',' }
        );
        assert_eq!(
            detect(Path::new("syslog"), b"Jan 1 host sshd[1]: a, b\n"),
            Format::Text
        );
    }

    #[test]
    fn spreadsheets_by_name_and_avro_and_ods_by_content() {
        let zip = b"PK\x03\x04\x14\x00\x00\x00";
        assert_eq!(detect(Path::new("a.xlsx"), zip), Format::Xlsx);
        assert_eq!(detect(Path::new("A.XLSM"), zip), Format::Xlsx);
        // A password-protected workbook is a CFB container but still an .xlsx.
        let cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00";
        assert_eq!(detect(Path::new("locked.xlsx"), cfb), Format::Xlsx);
        assert_eq!(detect(Path::new("old.xls"), cfb), Format::Xls);
        assert_eq!(detect(Path::new("x.ods"), zip), Format::Ods);
        assert_eq!(detect(Path::new("noext"), cfb), Format::Binary);
        assert_eq!(detect(Path::new("noext"), zip), Format::Binary);
        let mut ods = b"PK\x03\x04".to_vec();
        ods.resize(30, 0);
        ods.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheetPK");
        assert_eq!(detect(Path::new("export.bin"), &ods), Format::Ods);
        let mut odt = ods.clone();
        odt.splice(
            38..,
            b"application/vnd.oasis.opendocument.textPK".iter().copied(),
        );
        assert_eq!(detect(Path::new("export.bin"), &odt), Format::Binary);
        assert_eq!(
            detect(Path::new("part-0000"), b"Obj\x01\x04\x16"),
            Format::Avro
        );
        assert_eq!(detect(Path::new("t.avro"), b""), Format::Avro);
        assert_eq!(Format::Avro.name(), "avro");
    }

    #[test]
    fn compression_by_name_or_magic() {
        assert_eq!(compression(Path::new("a.log.gz"), b""), Compression::Gzip);
        assert_eq!(
            compression(Path::new("a"), &[0x28, 0xb5, 0x2f, 0xfd]),
            Compression::Zstd
        );
        assert_eq!(compression(Path::new("a.csv"), b"a,b"), Compression::None);
    }

    #[test]
    fn delimiter_ignores_quoted_commas() {
        assert_eq!(sniff_delimiter(b"a|b|c\n\"x,y\"|2|3\n"), Some(b'|'));
        assert_eq!(sniff_delimiter(b"just words here\nand more\n"), None);
    }
}
