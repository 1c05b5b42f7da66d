//! `--export DIR`: the person's actual records, for an access request. The one place
//! piimap writes raw values, because the law requires giving them to the person
//! (CCPA §1798.110/§1798.130(a)(3), GDPR Art. 15(3)). Only on explicit request: every
//! file is created with mode 0600 in a directory of mode 0700, and `EXPORT-README`
//! says what the files are and that they must be deleted once delivered.

use std::path::{Path, PathBuf};

use super::report::Report;
use super::ExportPart;
use crate::inventory::write_atomic;

/// A file name for an asset: its id with everything but letters, digits, `.`, `-`
/// and `_` replaced, prefixed by its position (so two assets never collide).
fn file_name(n: usize, asset: &str) -> String {
    let mut s: String = asset
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    s.truncate(120);
    format!("{n:03}-{s}.jsonl")
}

fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    let _ = (path, mode);
    Ok(())
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    // The temporary file write_atomic persists is created 0600 already (tempfile);
    // set it again in case the platform default differs.
    write_atomic(path, |w| w.write_all(contents))?;
    restrict(path, 0o600)
}

/// Writes the export into `dir`; returns the files written (the README last).
pub fn write(dir: &Path, parts: &[ExportPart], report: &Report) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    restrict(dir, 0o700)?;
    let mut written = Vec::new();
    let mut listing = Vec::new();
    for (n, part) in parts.iter().enumerate() {
        let (asset, body, count) = match part {
            ExportPart::Table {
                asset,
                columns,
                rows,
            } => {
                let mut body = String::new();
                for r in rows {
                    let obj: serde_json::Map<String, serde_json::Value> = columns
                        .iter()
                        .zip(r)
                        .map(|(c, v)| {
                            (
                                c.clone(),
                                v.clone()
                                    .map_or(serde_json::Value::Null, serde_json::Value::String),
                            )
                        })
                        .collect();
                    body.push_str(&serde_json::Value::Object(obj).to_string());
                    body.push('\n');
                }
                (asset, body, rows.len())
            }
            ExportPart::File { asset, lines } => {
                let mut body = String::new();
                for (line, text) in lines {
                    body.push_str(&serde_json::json!({"line": line, "text": text}).to_string());
                    body.push('\n');
                }
                (asset, body, lines.len())
            }
        };
        let path = dir.join(file_name(n + 1, asset));
        write_private(&path, body.as_bytes())?;
        listing.push(format!(
            "- `{}`: {count} record(s) from `{}`",
            file_name(n + 1, asset),
            asset.replace('`', "'")
        ));
        written.push(path);
    }
    let readme = format!(
        "# EXPORT-README\n\n\
         These files hold the personal information found about one person, written by \
         `piimap find --export` on {} for a {} request.\n\n\
         **They contain the person's actual data (raw values).** They exist only to be \
         delivered to the person (CCPA §1798.110 and §1798.130(a)(3); GDPR Art. 15(3)). \
         Deliver them through a secure channel, then **delete this directory** and every \
         copy; do not keep them in a ticket, an email or a shared drive.\n\n\
         Each file is JSON lines: one object per table row (column → value as text), or \
         per log line (`line`, `text`). Files are readable by their owner only (mode 0600).\n\n\
         ## Files\n\n{}\n",
        report.generated_at,
        report.request.as_str(),
        if listing.is_empty() {
            "(none: nothing was found)".to_string()
        } else {
            listing.join("\n")
        }
    );
    let path = dir.join("EXPORT-README");
    write_private(&path, readme.as_bytes())?;
    written.push(path);
    Ok(written)
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_safe_and_distinct() {
        assert_eq!(
            super::file_name(1, "file:/var/log/a b.log"),
            "001-file__var_log_a_b.log.jsonl"
        );
        assert_ne!(super::file_name(1, "x"), super::file_name(2, "x"));
    }
}
