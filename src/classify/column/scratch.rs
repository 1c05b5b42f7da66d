//! The scratch buffers a scan call fills, reused across calls so the hot path does not
//! allocate.

use crate::detect::{DetectorIdx, Finding, FindingSink};

/// Values all the fields sharing one [`ScanScratch`] may remember together: a JSON log
/// with thousands of distinct keys must not hold thousands of full memos (at most a few
/// MB per scratch).
pub(super) const MEMO_BUDGET: usize = 16_384;

/// Scratch buffers one scan call fills: findings, validator rejections and recipient
/// catalog hits. Reused across calls, so the hot path does not allocate.
pub struct ScanScratch {
    /// Findings of the last call.
    pub findings: Vec<Finding>,
    /// Detectors whose candidates a validator rejected.
    pub rejected: Vec<DetectorIdx>,
    /// Recipient literals seen.
    pub recipients: Vec<u16>,
    /// How many more values the fields using this scratch may remember.
    pub(super) memo_budget: usize,
}

impl Default for ScanScratch {
    fn default() -> Self {
        ScanScratch {
            findings: Vec::new(),
            rejected: Vec::new(),
            recipients: Vec::new(),
            memo_budget: MEMO_BUDGET,
        }
    }
}

impl ScanScratch {
    /// Empties the buffers, keeping their capacity.
    pub fn clear(&mut self) {
        self.findings.clear();
        self.rejected.clear();
        self.recipients.clear();
    }
}

impl FindingSink for ScanScratch {
    fn finding(&mut self, _hay: &[u8], finding: &Finding) {
        self.findings.push(*finding);
    }
    fn rejected(&mut self, detector: DetectorIdx) {
        self.rejected.push(detector);
    }
    fn recipient(&mut self, _hay: &[u8], hit: &crate::detect::RecipientHit) {
        self.recipients.push(hit.literal);
    }
}
