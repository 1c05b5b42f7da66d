//! Incremental scans (`--state FILE`): assets unchanged since the previous run are
//! carried forward instead of read again. One API for every source kind, keyed by a
//! typed [`AssetId`]; it also keeps the "rescanned" and "carried" lines the inventory
//! prints, each saying why.

use std::path::{Path, PathBuf};

use super::state::{file_fingerprint, ScanState, StateEntry, StateStamp};
use crate::inventory::{AssetReport, Status};

/// What a state entry is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssetId {
    /// A file met in a tree (its reports: the file's own, or a SQLite file's tables).
    File(PathBuf),
    /// A database given by URL whose content is one file (SQLite).
    Database(String),
    /// One table of a server database, by its asset id.
    Table(String),
    /// One object in a store, by its asset id (`s3://bucket/key`).
    Object(String),
}

impl AssetId {
    /// The key in the state file (`file:PATH`, `db:URL`, or the table's or object's
    /// asset id): the
    /// format of state files written before this type existed.
    pub fn key(&self) -> String {
        match self {
            AssetId::File(p) => format!("file:{}", p.display()),
            AssetId::Database(url) => format!("db:{url}"),
            AssetId::Table(id) | AssetId::Object(id) => id.clone(),
        }
    }
}

/// The previous run's state, the next one being built, and what happened to each asset.
pub struct Incremental {
    /// Entries that may be carried forward (empty when the stamp invalidated them).
    previous: ScanState,
    /// The state read from disk when its stamp no longer holds, and why.
    invalidated: Option<(ScanState, String)>,
    next: ScanState,
    verify: bool,
    rescanned: Vec<String>,
    carried: Vec<String>,
}

impl Incremental {
    /// Starts from the state read from disk. When `stamp` (version, rule pack,
    /// settings) differs from the one it was written with, nothing is carried forward
    /// and every asset it knew is rescanned, saying why. `verify` adds a SHA-256 of the
    /// content to file fingerprints.
    pub fn new(read: ScanState, stamp: StateStamp, verify: bool) -> Incremental {
        let (previous, invalidated) = match read.invalidated_by(&stamp) {
            Some(why) => (ScanState::default(), Some((read, why))),
            None => (read, None),
        };
        Incremental {
            previous,
            invalidated,
            next: ScanState::stamped(stamp),
            verify,
            rescanned: Vec::new(),
            carried: Vec::new(),
        }
    }

    /// The entries that may be carried forward, for sources that decide per table
    /// themselves (server databases compare catalog counters while they plan).
    pub fn previous(&self) -> &ScanState {
        &self.previous
    }

    /// A file's fingerprint (size, mtime, and the SHA-256 with `--verify`); empty when
    /// the file cannot be read, so it is never carried forward.
    pub fn fingerprint(&self, path: &Path) -> String {
        file_fingerprint(path, self.verify).unwrap_or_default()
    }

    /// The reports recorded for `id` if its fingerprint is unchanged: they are carried
    /// into the next state and the asset is listed as carried (`label: unchanged (…)`).
    /// Otherwise `None`, and the asset is listed as rescanned with the reason.
    pub fn carry(
        &mut self,
        id: &AssetId,
        label: &str,
        fingerprint: &str,
    ) -> Option<Vec<AssetReport>> {
        let key = id.key();
        let unchanged = (!fingerprint.is_empty())
            .then(|| self.previous.unchanged(&key, fingerprint))
            .flatten()
            .map(<[AssetReport]>::to_vec);
        match unchanged {
            Some(reports) => {
                let how = if matches!(id, AssetId::Object(_)) {
                    "etag, last-modified, size"
                } else if self.verify {
                    "size, mtime, sha256"
                } else {
                    "size, mtime"
                };
                self.carried.push(format!("{label}: unchanged ({how})"));
                self.insert(key, fingerprint.to_string(), reports.clone());
                Some(reports)
            }
            None => {
                let why = self.why_rescanned(&key);
                self.rescanned.push(format!("{label}: {why}"));
                None
            }
        }
    }

    /// Records what a scanned asset produced under its fingerprint, so the next run can
    /// carry it forward. Failed reads are not remembered: the next run tries again.
    pub fn remember(&mut self, id: &AssetId, fingerprint: String, reports: Vec<AssetReport>) {
        let complete = reports
            .iter()
            .all(|r| matches!(r.status, Status::Scanned | Status::Skipped));
        if !fingerprint.is_empty() && complete {
            self.insert(id.key(), fingerprint, reports);
        }
    }

    /// A server-database table the source already decided about: remembered when it
    /// produced reports, and listed as carried (catalog counters unchanged) or rescanned.
    pub fn table(
        &mut self,
        id: &str,
        fingerprint: String,
        reports: Vec<AssetReport>,
        carried: bool,
    ) {
        let asset = AssetId::Table(id.to_string());
        if !reports.is_empty() {
            self.remember(&asset, fingerprint, reports);
        }
        if carried {
            self.carried
                .push(format!("{id}: unchanged (columns and write counters)"));
        } else {
            let why = self.why_rescanned(id);
            self.rescanned.push(format!("{id}: {why}"));
        }
    }

    /// Lists an asset as rescanned without a carry attempt (its fingerprint is only
    /// known once read).
    pub fn rescanned(&mut self, id: &AssetId, label: &str) {
        let why = self.why_rescanned(&id.key());
        self.rescanned.push(format!("{label}: {why}"));
    }

    /// The "rescanned" and "carried" lines so far, for the inventory.
    pub fn lines(&self) -> (Vec<String>, Vec<String>) {
        (self.rescanned.clone(), self.carried.clone())
    }

    /// The state to save for the next run.
    pub fn into_state(self) -> ScanState {
        self.next
    }

    fn insert(&mut self, key: String, fingerprint: String, reports: Vec<AssetReport>) {
        self.next.entries.insert(
            key,
            StateEntry {
                fingerprint,
                reports,
            },
        );
    }

    /// Why an asset is read again: everything invalidated, changed, or new.
    fn why_rescanned(&self, key: &str) -> String {
        if let Some((read, why)) = &self.invalidated {
            if read.entries.contains_key(key) {
                return why.clone();
            }
        }
        if self.previous.entries.contains_key(key) {
            "changed".into()
        } else {
            "new".into()
        }
    }
}

/// Splits `items` (files, objects) into those unchanged since the last run, whose
/// reports are carried into `out`, and those to read, returned with their id and
/// fingerprint. `id_of` names an item (its id and its key in the state);
/// `fingerprint` is asked only in an incremental run, where it may cost a read. Without
/// one, every item is read.
pub fn split_unchanged<T>(
    items: impl IntoIterator<Item = T>,
    mut incremental: Option<&mut Incremental>,
    out: &mut Vec<AssetReport>,
    id_of: impl Fn(&T) -> (AssetId, String),
    fingerprint: impl Fn(&T, &Incremental) -> String,
) -> Vec<(T, AssetId, String)> {
    let mut to_read = Vec::new();
    for item in items {
        let (id, key) = id_of(&item);
        let Some(inc) = incremental.as_deref_mut() else {
            to_read.push((item, id, String::new()));
            continue;
        };
        let fp = fingerprint(&item, inc);
        match inc.carry(&id, &key, &fp) {
            Some(reports) => out.extend(reports),
            None => to_read.push((item, id, fp)),
        }
    }
    to_read
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn stamp(rules: &str) -> StateStamp {
        StateStamp {
            piimap_version: "test".into(),
            rules: rules.into(),
            settings: BTreeMap::new(),
        }
    }

    fn report(id: &str, status: Status) -> AssetReport {
        let mut r = AssetReport::new(
            id.into(),
            id.into(),
            crate::inventory::AssetKind::File,
            "csv",
        );
        r.status = status;
        r
    }

    /// A state that knows `a.csv` with fingerprint `fp1`.
    fn known() -> ScanState {
        let mut s = ScanState::stamped(stamp("r1"));
        let entry = StateEntry {
            fingerprint: "fp1".into(),
            reports: vec![report("a.csv", Status::Scanned)],
        };
        s.entries.insert("file:a.csv".into(), entry);
        s
    }

    #[test]
    fn an_unchanged_asset_is_carried_and_a_changed_one_rescanned_saying_why() {
        let mut inc = Incremental::new(known(), stamp("r1"), false);
        let a = AssetId::File("a.csv".into());
        assert_eq!(inc.carry(&a, "a.csv", "fp1").map(|r| r.len()), Some(1));
        assert!(inc.carry(&a, "a.csv", "fp2").is_none());
        assert!(inc
            .carry(&AssetId::File("b.csv".into()), "b.csv", "x")
            .is_none());
        let (rescanned, carried) = inc.lines();
        assert_eq!(carried, ["a.csv: unchanged (size, mtime)"]);
        assert_eq!(rescanned, ["a.csv: changed", "b.csv: new"]);
        assert!(inc.into_state().entries.contains_key("file:a.csv"));
    }

    #[test]
    fn a_new_rule_pack_invalidates_every_entry_and_says_so() {
        let mut inc = Incremental::new(known(), stamp("r2"), true);
        assert!(inc
            .carry(&AssetId::File("a.csv".into()), "a.csv", "fp1")
            .is_none());
        let (rescanned, _) = inc.lines();
        assert_eq!(rescanned.len(), 1);
        assert_ne!(
            rescanned[0], "a.csv: changed",
            "the reason is the stamp, not the file"
        );
        assert_ne!(rescanned[0], "a.csv: new");
    }

    #[test]
    fn failed_reads_and_unreadable_files_are_not_remembered() {
        let mut inc = Incremental::new(ScanState::default(), stamp("r1"), false);
        inc.remember(
            &AssetId::File("bad".into()),
            "fp".into(),
            vec![report("bad", Status::Failed)],
        );
        inc.remember(
            &AssetId::File("gone".into()),
            String::new(),
            vec![report("gone", Status::Scanned)],
        );
        inc.remember(
            &AssetId::File("ok".into()),
            "fp".into(),
            vec![report("ok", Status::Scanned)],
        );
        let state = inc.into_state();
        assert_eq!(state.entries.keys().collect::<Vec<_>>(), ["file:ok"]);
    }

    #[test]
    fn keys_keep_the_state_file_format() {
        assert_eq!(AssetId::File("x/y.csv".into()).key(), "file:x/y.csv");
        assert_eq!(
            AssetId::Database("sqlite:a.db".into()).key(),
            "db:sqlite:a.db"
        );
        assert_eq!(
            AssetId::Table("postgres://h/db/public.t".into()).key(),
            "postgres://h/db/public.t"
        );
    }
}
