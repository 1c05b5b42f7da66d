//! Incremental nightly scans (`--state FILE`): assets unchanged since the last run are
//! not read again; their previous results are carried forward.
//!
//! A file is unchanged when its size and modification time are (and, with `--verify`,
//! its SHA-256). The state file keeps each asset's fingerprint and last reports; it is
//! written atomically after every run.
//!
//! Results carried forward are only as good as the rules that made them: the state file
//! is stamped with the piimap version, a hash of the rule pack (built-in plus `--rules`)
//! and the settings that change results ([`StateStamp`]). When any of them differs,
//! nothing is carried and every asset is rescanned, with the reason in
//! `scan.rescanned`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::inventory::AssetReport;

/// Version of the state file format (2: stamped with version, rules and settings).
pub const STATE_VERSION: u32 = 2;

/// What the carried results depend on besides the assets themselves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateStamp {
    /// The piimap version that wrote the state.
    pub piimap_version: String,
    /// SHA-256 of the rule pack (built-in plus `--rules`), see
    /// [`crate::rules::pack_fingerprint`].
    pub rules: String,
    /// Settings that change results (threshold, sampling, line cap), by name.
    pub settings: BTreeMap<String, String>,
}

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
    /// What the entries were computed with.
    #[serde(default)]
    pub stamp: StateStamp,
    /// Entries by key (`file:<path>` or a table's asset id).
    pub entries: BTreeMap<String, StateEntry>,
}

impl ScanState {
    /// An empty state for this run.
    pub fn stamped(stamp: StateStamp) -> ScanState {
        ScanState {
            version: STATE_VERSION,
            stamp,
            entries: BTreeMap::new(),
        }
    }

    /// Loads a state file; a missing file is an empty state. A file of another format
    /// version loads with its entries (so the rescan can say why), and
    /// [`ScanState::invalidated_by`] then refuses to carry them.
    pub fn load(path: &Path) -> std::io::Result<ScanState> {
        match std::fs::read(path) {
            Ok(bytes) => {
                #[derive(Deserialize)]
                struct Version {
                    version: u32,
                }
                let version: Version =
                    serde_json::from_slice(&bytes).map_err(std::io::Error::other)?;
                if version.version == STATE_VERSION {
                    return serde_json::from_slice(&bytes).map_err(std::io::Error::other);
                }
                // An older format: keep only the keys, to name what is rescanned.
                #[derive(Deserialize)]
                struct Keys {
                    #[serde(default)]
                    entries: BTreeMap<String, serde::de::IgnoredAny>,
                }
                let keys: Keys = serde_json::from_slice(&bytes).map_err(std::io::Error::other)?;
                Ok(ScanState {
                    version: version.version,
                    stamp: StateStamp::default(),
                    entries: keys
                        .entries
                        .into_keys()
                        .map(|k| {
                            let e = StateEntry {
                                fingerprint: String::new(),
                                reports: Vec::new(),
                            };
                            (k, e)
                        })
                        .collect(),
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ScanState::default()),
            Err(e) => Err(e),
        }
    }

    /// Why none of this state may be carried into a run stamped `current`, or None when
    /// it may. An empty state (first run) never needs a reason.
    pub fn invalidated_by(&self, current: &StateStamp) -> Option<String> {
        if self.entries.is_empty() {
            return None;
        }
        if self.version != STATE_VERSION {
            return Some(format!(
                "rescanned because the state file has format {} (this piimap writes {STATE_VERSION})",
                self.version
            ));
        }
        let old = &self.stamp;
        if old.piimap_version != current.piimap_version {
            return Some(format!(
                "rescanned because piimap changed ({} → {})",
                old.piimap_version, current.piimap_version
            ));
        }
        if old.rules != current.rules {
            return Some("rescanned because the rule pack changed".into());
        }
        if old.settings != current.settings {
            let changed: Vec<String> = current
                .settings
                .iter()
                .filter(|(k, v)| old.settings.get(*k) != Some(*v))
                .map(|(k, v)| {
                    let before = old.settings.get(k).map_or("unset", String::as_str);
                    format!("{k} {before} → {v}")
                })
                .chain(
                    old.settings
                        .keys()
                        .filter(|k| !current.settings.contains_key(*k))
                        .map(|k| format!("{k} no longer set")),
                )
                .collect();
            return Some(format!(
                "rescanned because scan settings changed ({})",
                changed.join(", ")
            ));
        }
        None
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
        s.stamp = stamp("abc");
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
        let loaded = ScanState::load(&p).unwrap();
        assert_eq!(loaded.invalidated_by(&stamp("abc")), None);
    }

    fn stamp(rules: &str) -> StateStamp {
        StateStamp {
            piimap_version: "1.0.0".into(),
            rules: rules.into(),
            settings: [("min_confidence".to_string(), "0.50".to_string())].into(),
        }
    }

    fn with_entry(stamp: StateStamp) -> ScanState {
        let mut s = ScanState::stamped(stamp);
        s.entries.insert(
            "file:x".into(),
            StateEntry {
                fingerprint: "f".into(),
                reports: vec![],
            },
        );
        s
    }

    #[test]
    fn a_rule_version_or_setting_change_invalidates_the_state() {
        let old = with_entry(stamp("abc"));
        assert_eq!(old.invalidated_by(&stamp("abc")), None);
        let why = old.invalidated_by(&stamp("def")).unwrap();
        assert!(why.contains("rule pack changed"), "{why}");
        let mut newer = stamp("abc");
        newer.piimap_version = "1.1.0".into();
        let why = old.invalidated_by(&newer).unwrap();
        assert!(why.contains("1.0.0 → 1.1.0"), "{why}");
        let mut stricter = stamp("abc");
        stricter
            .settings
            .insert("min_confidence".into(), "0.70".into());
        let why = old.invalidated_by(&stricter).unwrap();
        assert!(why.contains("min_confidence 0.50 → 0.70"), "{why}");
        // A first run has nothing to invalidate.
        assert_eq!(ScanState::default().invalidated_by(&stricter), None);
    }

    #[test]
    fn an_older_format_loads_its_keys_and_is_invalidated() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.json");
        std::fs::write(
            &p,
            r#"{"version":1,"entries":{"file:a.log":{"fingerprint":"size=1","reports":[]}}}"#,
        )
        .unwrap();
        let s = ScanState::load(&p).unwrap();
        assert!(s.entries.contains_key("file:a.log"));
        let why = s.invalidated_by(&stamp("abc")).unwrap();
        assert!(why.contains("format 1"), "{why}");
    }
}
