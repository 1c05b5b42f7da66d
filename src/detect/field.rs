//! A column or field name resolved once against every detector's hints.

use super::DetectorIdx;

/// Whether a detector is hinted, excluded or neither by a column/field name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HintStatus {
    /// The name says nothing about this detector.
    #[default]
    None,
    /// The name matches one of its `column_hints`.
    Hinted,
    /// The name matches one of its `column_exclude`.
    Excluded,
}

/// A column or field name, resolved once against every detector's hints.
#[derive(Clone, Debug, Default)]
pub struct FieldContext {
    /// The name as given.
    pub name: String,
    pub(super) status: Vec<HintStatus>,
    /// Detectors whose patterns should run on the whole value because of the name.
    pub(super) hinted: Vec<DetectorIdx>,
    /// Recipient-catalog column literals this name matches.
    pub(super) recipients: Vec<u16>,
    /// The name says where traffic came from (`referrer`).
    pub(super) inbound: bool,
}

impl FieldContext {
    /// The hint status of one detector.
    pub fn status(&self, det: DetectorIdx) -> HintStatus {
        self.status.get(det as usize).copied().unwrap_or_default()
    }

    /// Detectors hinted by this name.
    pub fn hinted(&self) -> &[DetectorIdx] {
        &self.hinted
    }

    /// Recipient literals (kind `Column`) this name matches.
    pub fn recipients(&self) -> &[u16] {
        &self.recipients
    }

    /// True for fields that name where traffic came from (`referrer`): a vendor domain
    /// there is not a recipient of data.
    pub fn is_inbound(&self) -> bool {
        self.inbound
    }
}
