//! The default findings format: one JSON object per finding and line, masked.

use std::io::{self, Write};

use serde::Serialize;

use super::{push_json, FindingRecord, FindingsFormat, FiredRule};

/// JSON lines: no header, no footer, no separator (each line ends in `\n`).
pub struct JsonLines;

/// One line of the findings file (its fields and their order are the file's schema).
#[derive(Serialize)]
struct Line<'a> {
    /// The asset (path as given or walked, or a redacted table address).
    asset: &'a str,
    /// The column, JSON path or key; null for unstructured text.
    field: Option<&'a str>,
    /// 1-based line, for text, log, CSV and JSONL files.
    line: Option<u64>,
    /// 0-based row, for tabular data.
    row: Option<u64>,
    /// The data type.
    data_type: &'a str,
    /// The rule that fired.
    rule: &'a str,
    /// Confidence, two decimals.
    confidence: f64,
    /// The masked value.
    masked: &'a str,
}

impl FindingsFormat for JsonLines {
    fn header(&self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn separator(&self) -> &'static [u8] {
        b""
    }

    fn encode(&self, f: &FindingRecord<'_>, out: &mut Vec<u8>) {
        push_json(
            out,
            &Line {
                asset: f.asset,
                field: f.field,
                line: f.line,
                row: f.row,
                data_type: f.data_type,
                rule: f.rule,
                confidence: f.confidence,
                masked: f.masked,
            },
        );
        out.push(b'\n');
    }

    fn footer(&self, _rules: &[FiredRule], _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::record;
    use super::*;

    #[test]
    fn a_line_keeps_the_schema_and_escapes_controls() {
        let mut out = Vec::new();
        let mut r = record("email", "a\u{9b}***@x.com");
        r.field = Some("contact");
        JsonLines.encode(&r, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"asset\":\"a.txt\",\"field\":\"contact\",\"line\":1,\"row\":null,\"data_type\":\"email\",\"rule\":\"email\",\"confidence\":0.9,\"masked\":\"a\\u009b***@x.com\"}\n"
        );
    }
}
