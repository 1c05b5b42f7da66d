//! The per-field memo of scan results: a repeated short value replays what scanning it
//! found instead of running the matchers again.

use super::ScanScratch;
use crate::detect::{DetectorIdx, Finding};

/// Values longer than this are not remembered by [`ValueMemo`].
pub(super) const MEMO_MAX_VALUE: usize = 64;
/// Most values one field remembers.
pub(super) const MEMO_MAX_ENTRIES: usize = 1024;
/// After this many lookups the memo checks that it pays for itself ...
pub(super) const MEMO_PROBATION: u64 = 2048;
/// ... and turns itself off when fewer than one lookup in this many hit.
pub(super) const MEMO_MIN_HIT_EVERY: u64 = 4;

/// What scanning one value produced, kept to replay it.
pub(super) struct MemoEntry {
    pub(super) findings: Box<[Finding]>,
    pub(super) rejected: Box<[DetectorIdx]>,
    pub(super) recipients: Box<[u16]>,
    pub(super) list_hits: Box<[u16]>,
    /// The detector that recognised the value as a whole person name (rule 5).
    pub(super) value_name: Option<DetectorIdx>,
}

/// Scan results of the values a field has already seen. Scanning a value under a given
/// name is a pure function of the two, and log fields and table columns repeat
/// themselves (levels, services, methods, statuses, countries, flags): a repeated short
/// value replays its recorded result instead of running the matchers again. Bounded
/// (entries, value length) and switched off where values rarely repeat (ids,
/// timestamps), so a unique-valued column pays one hash per value and then nothing.
#[derive(Default)]
pub(super) struct ValueMemo {
    pub(super) map: std::collections::HashMap<Box<[u8]>, MemoEntry, foldhash::fast::RandomState>,
    pub(super) lookups: u64,
    pub(super) hits: u64,
    pub(super) off: bool,
}

impl ValueMemo {
    /// The remembered result for `value`, if any (and counts the lookup).
    pub(super) fn get(&mut self, value: &[u8]) -> Option<&MemoEntry> {
        if self.off || value.len() > MEMO_MAX_VALUE {
            return None;
        }
        self.lookups += 1;
        if self.lookups == MEMO_PROBATION && self.hits * MEMO_MIN_HIT_EVERY < self.lookups {
            self.off = true;
            self.map = std::collections::HashMap::default();
            return None;
        }
        let hit = self.map.get(value);
        self.hits += u64::from(hit.is_some());
        hit
    }

    /// Remembers the result of scanning `value` while there is room; says whether it
    /// did.
    pub(super) fn put(
        &mut self,
        value: &[u8],
        out: &ScanScratch,
        list_hits: &[u16],
        value_name: Option<DetectorIdx>,
    ) -> bool {
        if self.off || value.len() > MEMO_MAX_VALUE || self.map.len() >= MEMO_MAX_ENTRIES {
            return false;
        }
        self.map.insert(
            value.into(),
            MemoEntry {
                findings: out.findings.as_slice().into(),
                rejected: out.rejected.as_slice().into(),
                recipients: out.recipients.as_slice().into(),
                list_hits: list_hits.into(),
                value_name,
            },
        );
        true
    }
}
