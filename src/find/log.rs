//! The request log (`--log FILE`): one JSON line per lookup, kept as the record of
//! consumer requests a business must keep for 24 months (11 CCR §7101). It holds a hash
//! of the identifiers, never the identifiers; the sources searched; the counts; the
//! duration. Schema (documented in the README, read by the §7102 metrics):
//! `ts`, `request` (`know` | `delete`), `identifiers_sha256`, `sources`, `matches`
//! (`assets`, `rows`, `lines`, `name_only_assets`), `errors`, `duration_ms`,
//! `piimap_version`.

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::ident::Identifier;
use super::report::{Report, Totals};

/// One line of the request log.
#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    /// When (UTC, RFC 3339).
    pub ts: String,
    /// `know` or `delete`.
    pub request: &'static str,
    /// SHA-256 of the normalised identifiers (see [`identifiers_sha256`]).
    pub identifiers_sha256: String,
    /// Sources searched (manifest names, database addresses without credentials, paths).
    pub sources: Vec<String>,
    /// What was found.
    pub matches: Totals,
    /// Assets whose search failed.
    pub errors: u64,
    /// Wall time.
    pub duration_ms: u64,
    /// The piimap version.
    pub piimap_version: &'static str,
}

/// The hash of a person's identifiers: SHA-256 over `kind:normalised` lines, sorted, so
/// the same person asking twice gives the same hash whatever the order or spelling.
pub fn identifiers_sha256(ids: &[Identifier]) -> String {
    let mut lines: Vec<String> = ids
        .iter()
        .map(|i| {
            format!(
                "{}:{}{}",
                i.kind.as_str(),
                i.column
                    .as_deref()
                    .map(|c| format!("{c}="))
                    .unwrap_or_default(),
                i.normal
            )
        })
        .collect();
    lines.sort();
    lines.dedup();
    let digest = Sha256::digest(lines.join("\n").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl LogEntry {
    /// The entry for a finished lookup.
    pub fn new(ids: &[Identifier], report: &Report, sources: &[String]) -> LogEntry {
        LogEntry {
            ts: report.generated_at.clone(),
            request: report.request.as_str(),
            identifiers_sha256: identifiers_sha256(ids),
            sources: sources.to_vec(),
            matches: report.totals.clone(),
            errors: report.errors.len() as u64,
            duration_ms: report.duration_ms,
            piimap_version: env!("CARGO_PKG_VERSION"),
        }
    }

    /// Appends the entry to `path` (created with mode 0600), one whole line per write.
    pub fn append(&self, path: &Path) -> std::io::Result<()> {
        let mut line = serde_json::to_string(self)?;
        line.push('\n');
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        opts.open(path)?.write_all(line.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::find::ident::{region, IdentKind};

    #[test]
    fn the_hash_ignores_order_and_spelling_and_never_holds_the_value() {
        let r = region("US").unwrap();
        let a = [
            Identifier::parse(IdentKind::Email, "Ann@Example.com", r).unwrap(),
            Identifier::parse(IdentKind::Phone, "415 555 0100", r).unwrap(),
        ];
        let b = [
            Identifier::parse(IdentKind::Phone, "+1 (415) 555-0100", r).unwrap(),
            Identifier::parse(IdentKind::Email, "ann@example.com", r).unwrap(),
        ];
        let h = identifiers_sha256(&a);
        assert_eq!(h, identifiers_sha256(&b));
        assert_eq!(h.len(), 64);
        assert!(!h.contains("ann"));
    }
}
