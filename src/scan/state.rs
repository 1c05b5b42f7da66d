//! Incremental nightly scans (`--state FILE`): assets unchanged since the last run are
//! not read again; their previous results are carried forward.
//!
//! A file is unchanged when its size and modification time are (and, with `--verify`,
//! its SHA-256). The state file keeps each asset's fingerprint and last reports; it is
//! written atomically after every run.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::inventory::AssetReport;

/// Version of the state file format.
pub const STATE_VERSION: u32 = 1;

/// What the state file remembers about one scanned item (a file, or a database table).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StateEntry {
    /// Size/mtime(/hash) of a file, or a table's schema and write counters.
    pub fingerprint: String,
    /// The reports it produced (a SQLite file produces one per table).
    pub reports: Vec<AssetReport>,
}

/// The state file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ScanState {
    /// [`STATE_VERSION`].
    pub version: u32,
    /// Entries by key (`file:<path>` or a table's asset id).
    pub entries: BTreeMap<String, StateEntry>,
}

impl ScanState {
    /// Loads a state file; a missing file is an empty state.
    pub fn load(path: &Path) -> std::io::Result<ScanState> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let state: ScanState =
                    serde_json::from_slice(&bytes).map_err(std::io::Error::other)?;
                if state.version != STATE_VERSION {
                    return Ok(ScanState::default());
                }
                Ok(state)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ScanState::default()),
            Err(e) => Err(e),
        }
    }

    /// Writes the state file atomically.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        crate::inventory::write_atomic(path, |w| {
            serde_json::to_writer(w, self).map_err(std::io::Error::other)
        })
    }

    /// The carried reports for `key` if its fingerprint is unchanged.
    pub fn unchanged(&self, key: &str, fingerprint: &str) -> Option<&[AssetReport]> {
        self.entries
            .get(key)
            .filter(|e| e.fingerprint == fingerprint)
            .map(|e| e.reports.as_slice())
    }
}

/// A file's fingerprint: size and modification time, plus SHA-256 when `verify`.
pub fn file_fingerprint(path: &Path, verify: bool) -> std::io::Result<String> {
    let meta = std::fs::metadata(path)?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let mut fp = format!("size={};mtime={mtime}", meta.len());
    if verify {
        let mut hasher = Sha256::new();
        let mut file = std::fs::File::open(path)?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        let digest = hasher.finalize();
        fp.push_str(";sha256=");
        for b in digest {
            fp.push_str(&format!("{b:02x}"));
        }
    }
    Ok(fp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_change_with_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.log");
        std::fs::write(&p, "one").unwrap();
        let a = file_fingerprint(&p, true).unwrap();
        std::fs::write(&p, "two").unwrap();
        let b = file_fingerprint(&p, true).unwrap();
        assert_ne!(a, b, "same size, different content: the hash differs");
        assert!(a.contains("size=3"));
    }

    #[test]
    fn missing_state_is_empty_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.json");
        let mut s = ScanState::load(&p).unwrap();
        assert!(s.entries.is_empty());
        s.version = STATE_VERSION;
        s.entries.insert(
            "file:x".into(),
            StateEntry {
                fingerprint: "f".into(),
                reports: vec![],
            },
        );
        s.save(&p).unwrap();
        assert!(ScanState::load(&p)
            .unwrap()
            .unchanged("file:x", "f")
            .is_some());
        assert!(ScanState::load(&p)
            .unwrap()
            .unchanged("file:x", "g")
            .is_none());
    }
}
