//! What the engine reports: a [`Finding`] with its score explanation, and the
//! [`FindingSink`] it is pushed into (ripgrep's `Sink` idea: the driver pushes, the
//! consumer decides what to keep, nothing is collected unless someone wants it).

use serde::Serialize;

use crate::mask::{MaskStyle, Masked};
use crate::validate::{Strength, Validator};

/// Index of a compiled detector in its [`super::Engine`].
pub type DetectorIdx = u16;

/// How a finding was arrived at (stage 1 of scoring).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// A free-text pattern matched.
    Pattern,
    /// A whole-value pattern matched under a hinting column/field name.
    ValuePattern,
    /// A value of a closed list (gender, marital status) under a column.
    ValueList,
    /// The column/field name alone (column-kind detectors).
    Name,
}

/// Why a finding has the confidence it has: one record per scoring stage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evidence {
    /// Stage 1: what matched, and the detector's base confidence.
    pub via: Via,
    /// The base confidence.
    pub base: f32,
    /// Stage 2: the validator that passed, if any.
    pub validator: Option<Validator>,
    /// Stage 3: the index (into the detector's `context` list) of the context word found.
    pub context_word: Option<u16>,
    /// Stage 4: the column/field name hinted this detector.
    pub name_hint: bool,
}

/// One piece of personal information found: where, what, how sure, and why.
#[derive(Clone, Copy, Debug)]
pub struct Finding {
    /// The detector that found it.
    pub detector: DetectorIdx,
    /// Byte offset of the value in the scanned haystack.
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
    /// Final confidence, 0.0–1.0.
    pub confidence: f32,
    /// The scoring explanation.
    pub evidence: Evidence,
    /// How the value is masked when shown (see [`Finding::masked`]).
    pub mask: MaskStyle,
}

impl Finding {
    /// The masked value — the only form that may be shown — from the haystack the
    /// finding was made in. Computed on demand: most findings are only counted, and
    /// masking each one cost a tenth of classifying an email column.
    pub fn masked(&self, hay: &[u8]) -> Masked {
        Masked::new(hay.get(self.start..self.end).unwrap_or_default(), self.mask)
    }
}

/// Receives findings from a scan. Only `finding` is required.
pub trait FindingSink {
    /// A finding above the threshold. `hay` is the scanned haystack (for line numbers).
    fn finding(&mut self, hay: &[u8], finding: &Finding);

    /// A candidate of `detector` that its validator rejected (for pass-rate statistics).
    fn rejected(&mut self, _detector: DetectorIdx) {}

    /// A recipient-catalog literal (vendor domain, key prefix, marker) was seen.
    fn recipient(&mut self, _hay: &[u8], _hit: &RecipientHit) {}
}

/// Where a recipient-catalog literal was seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecipientHit {
    /// Index of the literal ([`super::Engine::recipient_literal`]).
    pub literal: u16,
    /// Byte offset in the haystack.
    pub start: usize,
    /// End byte offset.
    pub end: usize,
}

impl FindingSink for Vec<Finding> {
    fn finding(&mut self, _hay: &[u8], finding: &Finding) {
        self.push(*finding);
    }
}

/// Score bonuses, kept in one place so the docs and the code agree.
pub mod score {
    /// A passing checksum validator raises confidence to at least this.
    pub const CHECKSUM_FLOOR: f32 = 0.85;
    /// A context word near the match adds this.
    pub const CONTEXT_BONUS: f32 = 0.35;
    /// A hinting column/field name adds this.
    pub const NAME_HINT_BONUS: f32 = 0.3;
    /// Default reporting threshold.
    pub const DEFAULT_THRESHOLD: f32 = 0.5;
}

impl Evidence {
    /// Computes the final confidence from the stages recorded.
    pub fn confidence(&self) -> f32 {
        let mut c = self.base;
        if let Some(v) = self.validator {
            if v.strength() == Strength::Checksum {
                c = c.max(score::CHECKSUM_FLOOR);
            }
        }
        if self.context_word.is_some() {
            c += score::CONTEXT_BONUS;
        }
        if self.name_hint {
            c += score::NAME_HINT_BONUS;
        }
        c.min(1.0)
    }
}

/// A confidence rounded to two decimals for output (as f64, so JSON shows `0.85`, not
/// the f32 widening `0.8500000238418579`).
pub fn round2(x: f32) -> f64 {
    (f64::from(x) * 100.0).round() / 100.0
}
