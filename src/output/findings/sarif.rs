//! SARIF 2.1.0 findings (`--findings-format sarif`), for the code scanning of GitHub
//! and GitLab: one `result` per finding, pointing at the file, line and (for plain
//! text) column, with the masked value only.
//!
//! The log is streamed: the envelope up to `"results":[` is the header, each result is
//! one line, and the footer closes the array and adds `tool.driver` with the rules that
//! fired (JSON objects are unordered, so the tool may follow the results). Nothing is
//! collected per finding. Every value goes through serde_json with the crate's escaping
//! formatter; only the constant keys and punctuation of the envelope are literal.
//!
//! Locations:
//! - a file: `physicalLocation.artifactLocation.uri` is its path relative to the
//!   directory piimap ran in, percent-encoded, with `uriBaseId` `%SRCROOT%` (so a scan
//!   run in a checkout's root points into the repository); a path outside it becomes an
//!   absolute `file://` URI. `region.startLine` is the line, `startColumn` the column in
//!   Unicode code points (`run.columnKind`) when the scan knows it (plain text).
//! - a database table: a `logicalLocations` entry (`schema.table.column` style), since
//!   a table is no artifact with lines.
//! - `--text` or stdin: a logical location naming the input.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use super::{push_json, AssetKind, FindingRecord, FindingsFormat, FiredRule};

/// The OASIS schema the log declares.
const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json";

/// What a path segment keeps unescaped: RFC 3986 unreserved characters and the
/// sub-delimiters a `pchar` allows, but not `:` (a relative URI whose first segment
/// holds a colon would read as a scheme).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b'@');

/// The SARIF format. Relative URIs are relative to `base` (the working directory).
pub struct Sarif {
    base: Option<PathBuf>,
}

impl Sarif {
    /// URIs relative to the current directory.
    pub fn new() -> Self {
        Sarif {
            base: std::env::current_dir().ok(),
        }
    }

    /// URIs relative to `base` (tests).
    pub fn with_base(base: &Path) -> Self {
        Sarif {
            base: Some(base.to_path_buf()),
        }
    }

    /// Where a file asset is: relative to the base when it can be, else absolute.
    fn artifact(&self, path: &str) -> ArtifactLocation {
        let path = Path::new(path);
        let relative = if path.is_absolute() {
            self.base.as_deref().and_then(|b| path.strip_prefix(b).ok())
        } else {
            Some(path)
        };
        match relative {
            Some(rel) => ArtifactLocation {
                uri: encode_path(rel),
                uri_base_id: Some("%SRCROOT%"),
            },
            None => ArtifactLocation {
                uri: format!("file:///{}", encode_path(path)),
                uri_base_id: None,
            },
        }
    }
}

impl Default for Sarif {
    fn default() -> Self {
        Self::new()
    }
}

/// A path as `/`-joined percent-encoded segments (`.` dropped, no leading slash).
fn encode_path(path: &Path) -> String {
    let mut segments = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(s) => {
                segments.push(utf8_percent_encode(&s.to_string_lossy(), SEGMENT).to_string())
            }
            Component::ParentDir => segments.push("..".to_string()),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    segments.join("/")
}

/// SARIF's level from a finding's confidence.
fn level(confidence: f64) -> &'static str {
    if confidence >= 0.9 {
        "error"
    } else if confidence >= 0.7 {
        "warning"
    } else {
        "note"
    }
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
}

/// What a result carries beyond SARIF's own fields.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    data_type: &'a str,
    confidence: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    /// The line, where no region carries it (a table, an input).
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    row: Option<u64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    level: &'static str,
    message: Message,
    locations: [Location<'a>; 1],
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleProperties<'a> {
    data_type: &'a str,
    tags: [&'a str; 2],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    short_description: Message,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    semantic_version: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

impl Sarif {
    fn location<'a>(&self, f: &FindingRecord<'a>) -> Location<'a> {
        match f.asset_kind {
            AssetKind::File => Location {
                physical_location: Some(PhysicalLocation {
                    artifact_location: self.artifact(f.asset),
                    region: f.line.map(|start_line| Region {
                        start_line,
                        start_column: f.column,
                    }),
                }),
                logical_locations: Vec::new(),
            },
            AssetKind::Table => Location {
                physical_location: None,
                logical_locations: vec![match f.field {
                    Some(field) => LogicalLocation {
                        name: field,
                        fully_qualified_name: format!("{}.{field}", f.asset),
                        kind: "column",
                    },
                    None => LogicalLocation {
                        name: f.asset,
                        fully_qualified_name: f.asset.to_string(),
                        kind: "table",
                    },
                }],
            },
            AssetKind::Input => Location {
                physical_location: None,
                logical_locations: vec![LogicalLocation {
                    name: f.asset,
                    fully_qualified_name: f.asset.to_string(),
                    kind: "input",
                }],
            },
        }
    }
}

impl FindingsFormat for Sarif {
    fn header(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"{\"$schema\":")?;
        serde_json::to_writer(&mut *out, SCHEMA_URI)?;
        out.write_all(
            b",\"version\":\"2.1.0\",\"runs\":[{\"columnKind\":\"unicodeCodePoints\",\"results\":[\n",
        )
    }

    fn separator(&self) -> &'static [u8] {
        b",\n"
    }

    fn encode(&self, f: &FindingRecord<'_>, out: &mut Vec<u8>) {
        let text = match f.field {
            Some(field) => format!(
                "{} found in field {field}: {} (masked)",
                f.data_type, f.masked
            ),
            None => format!("{} found: {} (masked)", f.data_type, f.masked),
        };
        let has_region = f.asset_kind == AssetKind::File && f.line.is_some();
        push_json(
            out,
            &SarifResult {
                rule_id: f.rule,
                level: level(f.confidence),
                message: Message { text },
                locations: [self.location(f)],
                properties: ResultProperties {
                    data_type: f.data_type,
                    confidence: f.confidence,
                    field: f.field,
                    line: f.line.filter(|_| !has_region),
                    row: f.row,
                },
            },
        );
    }

    fn footer(&self, rules: &[FiredRule], out: &mut dyn Write) -> io::Result<()> {
        let tool = Tool {
            driver: Driver {
                name: "piimap",
                semantic_version: env!("CARGO_PKG_VERSION"),
                rules: rules
                    .iter()
                    .map(|r| Rule {
                        id: &r.id,
                        short_description: Message {
                            text: if r.description.trim().is_empty() {
                                format!("Finds {}", r.data_type)
                            } else {
                                r.description.clone()
                            },
                        },
                        properties: RuleProperties {
                            data_type: &r.data_type,
                            tags: ["privacy", &r.data_type],
                        },
                    })
                    .collect(),
            },
        };
        out.write_all(b"\n],\"tool\":")?;
        let mut bytes = Vec::new();
        push_json(&mut bytes, &tool);
        out.write_all(&bytes)?;
        out.write_all(b"}]}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::record;
    use super::*;
    use serde_json::Value;

    fn encoded(sarif: &Sarif, f: &FindingRecord<'_>) -> Value {
        let mut out = Vec::new();
        sarif.encode(f, &mut out);
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn a_relative_path_is_percent_encoded_segment_by_segment() {
        let s = Sarif::with_base(Path::new("/repo"));
        let a = s.artifact("./data dir/50%/a:b#c?.csv");
        assert_eq!(a.uri, "data%20dir/50%25/a%3Ab%23c%3F.csv");
        assert_eq!(a.uri_base_id, Some("%SRCROOT%"));
        assert_eq!(s.artifact("café/ü.txt").uri, "caf%C3%A9/%C3%BC.txt");
    }

    #[test]
    fn an_absolute_path_is_relative_under_the_base_and_a_file_uri_elsewhere() {
        let s = Sarif::with_base(Path::new("/repo"));
        assert_eq!(s.artifact("/repo/src/a.txt").uri, "src/a.txt");
        let outside = s.artifact("/tmp/x y/a.txt");
        assert_eq!(outside.uri, "file:///tmp/x%20y/a.txt");
        assert_eq!(outside.uri_base_id, None);
    }

    #[test]
    fn a_file_finding_has_a_region_and_a_table_finding_a_logical_location() {
        let s = Sarif::with_base(Path::new("/repo"));
        let mut f = record("email", "j***@example.com");
        f.column = Some(7);
        let v = encoded(&s, &f);
        let region = &v["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], 1);
        assert_eq!(region["startColumn"], 7);
        assert_eq!(v["level"], "error");
        assert_eq!(
            v["message"]["text"],
            "email found: j***@example.com (masked)"
        );
        assert!(v["properties"].get("line").is_none(), "the region has it");

        f.asset_kind = AssetKind::Table;
        f.asset = "sqlite:db.sqlite/users";
        f.field = Some("mail");
        f.line = None;
        f.row = Some(3);
        f.confidence = 0.75;
        let v = encoded(&s, &f);
        assert!(v["locations"][0].get("physicalLocation").is_none());
        let logical = &v["locations"][0]["logicalLocations"][0];
        assert_eq!(logical["fullyQualifiedName"], "sqlite:db.sqlite/users.mail");
        assert_eq!(logical["kind"], "column");
        assert_eq!(v["properties"]["row"], 3);
        assert_eq!(v["level"], "warning");
    }

    #[test]
    fn a_file_without_lines_has_no_region() {
        let s = Sarif::with_base(Path::new("/repo"));
        let mut f = record("email", "x");
        f.line = None;
        f.row = Some(0);
        let v = encoded(&s, &f);
        assert!(v["locations"][0]["physicalLocation"]
            .get("region")
            .is_none());
        assert_eq!(v["level"], "error");
    }

    #[test]
    fn levels_follow_confidence() {
        assert_eq!(level(0.95), "error");
        assert_eq!(level(0.9), "error");
        assert_eq!(level(0.7), "warning");
        assert_eq!(level(0.69), "note");
    }

    #[test]
    fn the_footer_lists_each_fired_rule_with_a_description() {
        let s = Sarif::with_base(Path::new("/repo"));
        let rules = [
            FiredRule {
                id: "email".into(),
                description: "E-mail addresses".into(),
                data_type: "email".into(),
            },
            FiredRule {
                id: "custom".into(),
                description: String::new(),
                data_type: "member_id".into(),
            },
        ];
        let mut out = Vec::new();
        s.header(&mut out).unwrap();
        s.footer(&rules, &mut out).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(v["runs"][0]["results"], Value::Array(vec![]));
        let listed = &v["runs"][0]["tool"]["driver"]["rules"];
        assert_eq!(listed[0]["shortDescription"]["text"], "E-mail addresses");
        assert_eq!(listed[1]["shortDescription"]["text"], "Finds member_id");
        assert_eq!(listed[1]["properties"]["dataType"], "member_id");
    }
}
