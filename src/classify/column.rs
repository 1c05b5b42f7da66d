//! Column classification: a column (or field) name plus sampled values in, one verdict
//! per data type out.
//!
//! The verdict rule (also in the README):
//!
//! 1. Every non-empty value is scanned with the column name as a field hint
//!    ([`super::Scanner::scan_value`]). For each data type we count the values with at
//!    least one finding (`matched`), the validator passes and rejections, and distinct
//!    matched values. A rejection counts once per type and value, and not when another
//!    detector of the type found the value. A finding that lies inside a finding of
//!    another type the name hints, with no evidence of its own beyond its shape (no
//!    hint, no context word, no checksum), is not counted: a strong name hint for one
//!    type outweighs a weak pattern of another (`88.60.15.31` in a `phone` column).
//! 2. **Decoys**: when a type's validator saw at least 10 candidates and fewer than 30 %
//!    passed, the column is shaped like the type but is not it (random 16-digit ids,
//!    of which ~10 % pass Luhn by chance). No verdict.
//! 3. **Value evidence**: `ratio = matched / non_empty`. Confidence is the mean finding
//!    confidence, times a support factor: 1.0 when `ratio >= 0.5` or the name hints the
//!    type, else `0.7 + 0.3 * ratio / 0.5` (a few mentions inside free text, such as an
//!    email in a `notes` column, still count but weigh less). Reported when the result
//!    reaches the threshold.
//! 4. **Closed value lists** (gender, marital status): reported when at least 80 % of
//!    the non-empty values are in the list, or when the name hints the type and at least
//!    half are. One-letter codes of a list (`M`, `F`) count only when at least two
//!    different ones occur (a column of sizes S/M/L is not one of genders).
//! 5. **Columns of names**: under a name that neither hints nor excludes person names
//!    (`agent`, `attending`, `owner`, `contact`), a value that as a whole passes the
//!    person-name value pattern and validator (`PATRICIA ALVAREZ`, `Alvarez, Patricia`,
//!    `Dr. P. Alvarez`) is counted without being reported on its own. The column is
//!    `person_name` when at least 80 % of its non-empty values are such names, from at
//!    least 3 values and 5 distinct ones (all of them when fewer): a column of film
//!    titles, track names, cities or products has far fewer. (A column of artists,
//!    half bands and half people, stays unclassified: that is right for a column that
//!    is not about people, even if some values are names.)
//! 6. **Names only**: column-kind detectors (race_ethnicity, income, job_title, …) are
//!    reported from a hinting name. A pattern type is reported from its name alone only
//!    when no non-empty value was sampled (an empty table still declares what it holds).

use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasher;

use crate::detect::{DetectorIdx, Engine, FieldContext, Finding, Gate, HintStatus, Scanner};
use crate::inventory::{ColumnReport, Verdict};
use crate::mask::Masked;

mod memo;
mod outweigh;
mod scratch;

pub use scratch::ScanScratch;

/// Distinct values are counted exactly up to this many, then reported as "at least".
const DISTINCT_CAP: usize = 10_000;
/// Masked examples kept per verdict.
const EXAMPLES: usize = 3;
/// A validator that saw at least this many candidates ...
const DECOY_MIN_ATTEMPTS: u64 = 10;
/// ... and passed fewer than this share of them marks the column as a decoy.
const DECOY_PASS_RATE: f32 = 0.3;

/// Per data type counters for one column.
#[derive(Default)]
struct TypeStats {
    matched_values: u64,
    findings: u64,
    confidence_sum: f64,
    validated: u64,
    rejected: u64,
    name_hint: bool,
    context: bool,
    via_value_pattern: bool,
    /// Hashes of the distinct matched values (already hashed: no second hash needed).
    distinct: HashSet<u64, foldhash::fast::FixedState>,
    rules: Vec<DetectorIdx>,
    examples: Vec<Masked>,
    value_list_hits: u64,
    /// Values that are one-letter codes of the list (`M`, `F`), and which letters were
    /// seen (bit n: letter `a` + n): they count only when at least two different codes
    /// occur (rule 4), so a column of sizes (`S`, `M`, `L`) is not a column of genders.
    value_code_hits: u64,
    value_codes: u32,
    /// Values recognised as whole person names under a neutral column name (rule 5).
    value_names: u64,
    value_name_distinct: HashSet<u64, foldhash::fast::FixedState>,
    value_name_examples: Vec<Masked>,
}

/// A column of names (rule 5) needs this share of its values to be full names ...
const VALUE_NAMES_RATIO: f32 = 0.8;
/// ... from at least this many values ...
const VALUE_NAMES_MIN_VALUES: u64 = 3;
/// ... and this many distinct ones (or all, when fewer).
const VALUE_NAMES_MIN_DISTINCT: u64 = 5;

/// How sparse matches are weighed when turning a [`Tally`] into verdicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A column or structured field: a few matches among many values weigh less.
    Column,
    /// Unstructured text: every finding already passed the threshold on its own.
    Text,
}

/// Per data type counters for one column, field or text stream; mergeable, so each
/// thread can tally its own chunk and the results are combined once.
#[derive(Default)]
pub struct Tally {
    types: BTreeMap<u16, TypeStats>,
    values_seen: u64,
    non_empty: u64,
}

impl TypeStats {
    /// Values in the type's closed list: words, and one-letter codes when at least two
    /// different codes were seen.
    fn list_hits(&self) -> u64 {
        let codes = if self.value_codes.count_ones() >= 2 {
            self.value_code_hits
        } else {
            0
        };
        self.value_list_hits + codes
    }

    fn merge(&mut self, other: TypeStats) {
        self.matched_values += other.matched_values;
        self.findings += other.findings;
        self.confidence_sum += other.confidence_sum;
        self.validated += other.validated;
        self.rejected += other.rejected;
        self.name_hint |= other.name_hint;
        self.context |= other.context;
        self.via_value_pattern |= other.via_value_pattern;
        for h in other.distinct {
            if self.distinct.len() >= DISTINCT_CAP {
                break;
            }
            self.distinct.insert(h);
        }
        for r in other.rules {
            if !self.rules.contains(&r) {
                self.rules.push(r);
            }
        }
        for e in other.examples {
            if self.examples.len() < EXAMPLES && !self.examples.contains(&e) {
                self.examples.push(e);
            }
        }
        self.value_list_hits += other.value_list_hits;
        self.value_code_hits += other.value_code_hits;
        self.value_codes |= other.value_codes;
        self.value_names += other.value_names;
        for h in other.value_name_distinct {
            if self.value_name_distinct.len() >= DISTINCT_CAP {
                break;
            }
            self.value_name_distinct.insert(h);
        }
        for e in other.value_name_examples {
            if self.value_name_examples.len() < EXAMPLES && !self.value_name_examples.contains(&e) {
                self.value_name_examples.push(e);
            }
        }
    }
}

impl Tally {
    /// Counts values looked at: `seen` in all, `non_empty` of them checked.
    pub fn count_values(&mut self, seen: u64, non_empty: u64) {
        self.values_seen += seen;
        self.non_empty += non_empty;
    }

    /// Values checked so far.
    pub fn values_checked(&self) -> u64 {
        self.non_empty
    }

    /// True when nothing was found (no finding, no rejection, no list hit).
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// Records the findings and validator rejections of *one* value (a cell, a field
    /// occurrence or a line); `hay` is what the findings' offsets point into.
    pub fn record(
        &mut self,
        engine: &Engine,
        hay: &[u8],
        findings: &[Finding],
        rejected: &[DetectorIdx],
    ) {
        // A rejection counts once per type and value, and not at all when another
        // detector of the type found the value: under a label that names no country
        // (`national_id`) a dozen national validators try each value and one passes.
        let mut rejected_types: [u16; 8] = [u16::MAX; 8];
        let mut n_rejected = 0;
        for &det in rejected {
            let t = engine.detector(det).type_idx;
            if rejected_types[..n_rejected].contains(&t)
                || findings
                    .iter()
                    .any(|f| engine.detector(f.detector).type_idx == t)
            {
                continue;
            }
            if n_rejected < rejected_types.len() {
                rejected_types[n_rejected] = t;
                n_rejected += 1;
            }
            self.types.entry(t).or_default().rejected += 1;
        }
        // Count the value once per type, with its first (best-placed) finding.
        let mut counted: [u16; 8] = [u16::MAX; 8];
        let mut n_counted = 0;
        for f in findings {
            if findings.len() > 1 && outweighed(engine, f, findings) {
                continue;
            }
            let d = engine.detector(f.detector);
            let st = self.types.entry(d.type_idx).or_default();
            st.findings += 1;
            if f.evidence.validator.is_some() {
                st.validated += 1;
            }
            st.name_hint |= f.evidence.name_hint;
            st.context |= f.evidence.context_word.is_some();
            st.via_value_pattern |= f.evidence.via == crate::detect::Via::ValuePattern;
            if !st.rules.contains(&f.detector) {
                st.rules.push(f.detector);
            }
            if counted[..n_counted].contains(&d.type_idx) {
                continue;
            }
            if n_counted < counted.len() {
                counted[n_counted] = d.type_idx;
                n_counted += 1;
            }
            st.matched_values += 1;
            st.confidence_sum += f64::from(f.confidence);
            if st.distinct.len() < DISTINCT_CAP {
                if let Some(v) = hay.get(f.start..f.end) {
                    st.distinct.insert(hash_bytes(v));
                }
            }
            if st.examples.len() < EXAMPLES {
                let masked = f.masked(hay);
                if !st.examples.contains(&masked) {
                    st.examples.push(masked);
                }
            }
        }
    }

    /// Counts a value found in a closed list (a one-letter value as a code).
    fn record_list_hit(&mut self, type_idx: u16, value: &[u8]) {
        let st = self.types.entry(type_idx).or_default();
        match value.trim_ascii() {
            [c] if c.is_ascii_alphabetic() => {
                st.value_code_hits += 1;
                st.value_codes |= 1 << (c.to_ascii_lowercase() - b'a');
            }
            _ => st.value_list_hits += 1,
        }
    }

    /// Counts a value recognised as a whole person name (rule 5).
    fn record_value_name(&mut self, type_idx: u16, value: &[u8], mask: crate::mask::MaskStyle) {
        let st = self.types.entry(type_idx).or_default();
        st.value_names += 1;
        if st.value_name_distinct.len() < DISTINCT_CAP {
            st.value_name_distinct.insert(hash_bytes(value));
        }
        if st.value_name_examples.len() < EXAMPLES {
            let masked = Masked::new(value, mask);
            if !st.value_name_examples.contains(&masked) {
                st.value_name_examples.push(masked);
            }
        }
    }

    /// Adds another tally of the same column/field.
    pub fn merge(&mut self, other: Tally) {
        self.values_seen += other.values_seen;
        self.non_empty += other.non_empty;
        for (t, st) in other.types {
            self.types.entry(t).or_default().merge(st);
        }
    }

    /// The verdicts, most confident first (see the module docs for the rule).
    pub fn verdicts(&self, engine: &Engine, field: &FieldContext, mode: Mode) -> Vec<Verdict> {
        let mut verdicts = Vec::new();
        let mut decided: HashSet<u16> = HashSet::new();
        self.value_verdicts(engine, mode, &mut verdicts, &mut decided);
        if mode == Mode::Column {
            self.name_column_verdicts(engine, &mut verdicts, &mut decided);
            self.list_and_name_verdicts(engine, field, &mut verdicts, &mut decided);
        }
        verdicts.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then_with(|| a.data_type.cmp(&b.data_type))
        });
        verdicts
    }

    /// Rules 1–3: types found in the values, unless the column is a decoy for them.
    fn value_verdicts(
        &self,
        engine: &Engine,
        mode: Mode,
        verdicts: &mut Vec<Verdict>,
        decided: &mut HashSet<u16>,
    ) {
        let threshold = engine.threshold();
        let n = self.non_empty;
        for (&type_idx, st) in &self.types {
            let attempts = st.validated + st.rejected;
            let pass_rate = (attempts > 0).then(|| st.validated as f32 / attempts as f32);
            if st.matched_values == 0 {
                continue;
            }
            // A detector's own, stricter rate applies under a name that does not hint
            // the type: a `login_ip` column full of 127.0.0.1 is still addresses.
            let min_pass_rate = engine
                .column_min_pass_rate(type_idx)
                .filter(|_| !st.name_hint)
                .unwrap_or(DECOY_PASS_RATE);
            if attempts >= DECOY_MIN_ATTEMPTS && pass_rate.unwrap_or(1.0) < min_pass_rate {
                continue; // decoy: the shape without the checksum or the structure
            }
            let ratio = st.matched_values as f32 / n.max(1) as f32;
            let mean = (st.confidence_sum / st.matched_values as f64) as f32;
            let support = if mode == Mode::Text || ratio >= 0.5 || st.name_hint {
                1.0
            } else {
                0.7 + 0.3 * ratio / 0.5
            };
            let confidence = round3((mean * support).min(1.0));
            if confidence < threshold {
                continue;
            }
            let mut evidence: Vec<&str> = vec![if st.via_value_pattern {
                "value_pattern"
            } else {
                "pattern"
            }];
            if st.validated > 0 {
                evidence.push("validator");
            }
            if st.context {
                evidence.push("context");
            }
            if st.name_hint {
                evidence.push("name_hint");
            }
            decided.insert(type_idx);
            verdicts.push(Verdict {
                data_type: engine.data_types()[type_idx as usize].clone(),
                confidence,
                matched_values: st.matched_values,
                values_checked: n,
                ratio: round3(ratio),
                validator_pass_rate: pass_rate.map(round3),
                distinct: st.distinct.len() as u64,
                evidence: evidence.into_iter().map(String::from).collect(),
                rules: st
                    .rules
                    .iter()
                    .map(|&d| engine.detector(d).spec.id.clone())
                    .collect(),
                examples: st.examples.iter().map(ToString::to_string).collect(),
            });
        }
    }

    /// Rule 5: a column of whole person names under a neutral name.
    fn name_column_verdicts(
        &self,
        engine: &Engine,
        verdicts: &mut Vec<Verdict>,
        decided: &mut HashSet<u16>,
    ) {
        let threshold = engine.threshold();
        let n = self.non_empty;
        // Columns of names under a neutral name (rule 5).
        for (&type_idx, st) in &self.types {
            if decided.contains(&type_idx) || st.value_names == 0 {
                continue;
            }
            let ratio = st.value_names as f32 / n.max(1) as f32;
            let distinct = st.value_name_distinct.len() as u64;
            if n < VALUE_NAMES_MIN_VALUES
                || ratio < VALUE_NAMES_RATIO
                || distinct < VALUE_NAMES_MIN_DISTINCT.min(n)
            {
                continue;
            }
            let confidence = round3((0.6 + (ratio - VALUE_NAMES_RATIO)).min(1.0));
            if confidence < threshold {
                continue;
            }
            decided.insert(type_idx);
            let mut rules: Vec<String> = Vec::new();
            for det in engine.whole_value_name_detectors() {
                let d = engine.detector(det);
                if d.type_idx == type_idx && !rules.contains(&d.spec.id) {
                    rules.push(d.spec.id.clone());
                }
            }
            verdicts.push(Verdict {
                data_type: engine.data_types()[type_idx as usize].clone(),
                confidence,
                matched_values: st.value_names,
                values_checked: n,
                ratio: round3(ratio),
                validator_pass_rate: None,
                distinct,
                evidence: ["value_pattern", "validator", "value_names"]
                    .into_iter()
                    .map(String::from)
                    .collect(),
                rules,
                examples: st
                    .value_name_examples
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            });
        }
    }

    /// Rules 4 and 6: closed value lists, and types declared by the name alone.
    fn list_and_name_verdicts(
        &self,
        engine: &Engine,
        field: &FieldContext,
        verdicts: &mut Vec<Verdict>,
        decided: &mut HashSet<u16>,
    ) {
        let threshold = engine.threshold();
        let n = self.non_empty;
        // Closed value lists and names alone (only where there is a name).
        for (i, d) in engine.detectors().iter().enumerate() {
            let det = i as DetectorIdx;
            if decided.contains(&d.type_idx) {
                continue;
            }
            let status = field.status(det);
            if status == HintStatus::Excluded {
                continue;
            }
            let hinted = status == HintStatus::Hinted;
            let list_hits = self.types.get(&d.type_idx).map_or(0, TypeStats::list_hits);
            let list_ratio = if n > 0 {
                list_hits as f32 / n as f32
            } else {
                0.0
            };
            let (confidence, evidence, matched) = if !d.values.is_empty()
                && n > 0
                && (list_ratio >= 0.8 || (hinted && list_ratio >= 0.5))
            {
                let c = d.spec.confidence
                    + if hinted {
                        crate::detect::finding::score::NAME_HINT_BONUS
                    } else {
                        0.0
                    };
                (
                    c.min(1.0),
                    if hinted {
                        vec!["value_list", "name_hint"]
                    } else {
                        vec!["value_list"]
                    },
                    list_hits,
                )
            } else if hinted && (d.gate == Gate::NameOnly || n == 0) {
                let c = if d.gate == Gate::NameOnly {
                    d.spec.confidence
                } else {
                    threshold
                };
                (c, vec!["name_only"], 0)
            } else {
                continue;
            };
            if confidence < threshold {
                continue;
            }
            decided.insert(d.type_idx);
            verdicts.push(Verdict {
                data_type: engine.data_types()[d.type_idx as usize].clone(),
                confidence,
                matched_values: matched,
                values_checked: n,
                ratio: if n > 0 {
                    matched as f32 / n as f32
                } else {
                    0.0
                },
                validator_pass_rate: None,
                distinct: 0,
                evidence: evidence.into_iter().map(String::from).collect(),
                rules: vec![d.spec.id.clone()],
                examples: Vec::new(),
            });
        }
    }
}

/// One column or field being tallied: its resolved name hints, its tally, and the
/// closed-value-list detectors that apply to it. The scanner is passed in, so many
/// fields can share one per-thread scanner.
pub struct FieldState {
    field: FieldContext,
    tally: Tally,
    list_detectors: Vec<DetectorIdx>,
    /// Whole-value person-name detectors the name neither hints nor excludes (rule 5).
    name_detectors: Vec<DetectorIdx>,
    /// Whether the rule-5 probation has been decided ([`FieldState::end_name_probation`]).
    name_probation_over: bool,
    memo: ValueMemo,
}

/// Values after which a field with few whole names stops looking for them (rule 5).
const NAME_PROBATION: u64 = 256;

/// Longest value tried as a whole person name (rule 5).
const VALUE_NAME_MAX: usize = 64;

/// A cheap look before the name regex: 4–64 bytes, starts with a letter, has a space or
/// a comma, no digit, `@`, `/`, `_`, `=` or `:` (ids, emails, paths, timestamps).
fn name_shaped(value: &[u8]) -> bool {
    (4..=VALUE_NAME_MAX).contains(&value.len())
        && (value[0].is_ascii_alphabetic() || value[0] >= 0xC3)
        && value.iter().any(|&b| b == b' ' || b == b',')
        && !value
            .iter()
            .any(|&b| b.is_ascii_digit() || matches!(b, b'@' | b'/' | b'_' | b'=' | b':'))
}

use memo::ValueMemo;
use outweigh::outweighed;

impl FieldState {
    /// Starts tallying a field called `name`.
    pub fn new(engine: &Engine, name: &str) -> Self {
        let field = engine.field_context(name);
        let list_detectors: Vec<DetectorIdx> = engine
            .detectors()
            .iter()
            .enumerate()
            .filter(|(i, d)| {
                !d.values.is_empty() && field.status(*i as DetectorIdx) != HintStatus::Excluded
            })
            .map(|(i, _)| i as DetectorIdx)
            .collect();
        let name_detectors = engine
            .whole_value_name_detectors()
            .filter(|&d| field.status(d) == HintStatus::None)
            .collect();
        FieldState {
            field,
            tally: Tally::default(),
            list_detectors,
            name_detectors,
            name_probation_over: false,
            memo: ValueMemo::default(),
        }
    }

    /// The resolved name context.
    pub fn field(&self) -> &FieldContext {
        &self.field
    }

    /// The tally so far.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    /// Scans one value into the tally; its findings are left in `findings`.
    pub fn observe(&mut self, scanner: &mut Scanner<'_>, value: &[u8], out: &mut ScanScratch) {
        out.clear();
        if value.trim_ascii().is_empty() {
            self.tally.count_values(1, 0);
            return;
        }
        self.tally.count_values(1, 1);
        self.end_name_probation();
        let engine = scanner.engine();
        if let Some(hit) = self.memo.get(value) {
            out.findings.extend_from_slice(&hit.findings);
            out.rejected.extend_from_slice(&hit.rejected);
            out.recipients.extend_from_slice(&hit.recipients);
            self.tally
                .record(engine, value, &out.findings, &out.rejected);
            for &t in hit.list_hits.iter() {
                self.tally.record_list_hit(t, value);
            }
            if let Some(det) = hit.value_name.filter(|_| !self.name_detectors.is_empty()) {
                let d = engine.detector(det);
                self.tally
                    .record_value_name(d.type_idx, value.trim_ascii(), d.mask);
            }
            return;
        }
        scanner.scan_value(value, &self.field, out);
        self.tally
            .record(engine, value, &out.findings, &out.rejected);
        let mut list_hits: [u16; 4] = [0; 4];
        let mut n_list = 0;
        if !self.list_detectors.is_empty() {
            for &det in engine.listed_in(value) {
                if self.list_detectors.contains(&det) {
                    let d = engine.detector(det);
                    self.tally.record_list_hit(d.type_idx, value);
                    if let Some(slot) = list_hits.get_mut(n_list) {
                        *slot = d.type_idx;
                    }
                    n_list += 1;
                }
            }
        }
        let value_name = self.value_name(scanner, value, &out.findings);
        if let Some(det) = value_name {
            let d = engine.detector(det);
            self.tally
                .record_value_name(d.type_idx, value.trim_ascii(), d.mask);
        }
        // More list hits than the buffer holds (no built-in value is in that many
        // lists): not remembered.
        if n_list <= list_hits.len()
            && out.memo_budget > 0
            && self.memo.put(value, out, &list_hits[..n_list], value_name)
        {
            out.memo_budget -= 1;
        }
    }

    /// Rule 5 needs 80 % of a column's values to be whole names: once this field has
    /// seen [`NAME_PROBATION`] values and fewer than half of them were, it stops trying
    /// (a column of cities, titles or products would pay the name pattern and the
    /// dictionary on every value for a verdict it cannot reach).
    fn end_name_probation(&mut self) {
        if self.name_probation_over || self.tally.non_empty < NAME_PROBATION {
            return;
        }
        self.name_probation_over = true;
        let names = self
            .tally
            .types
            .values()
            .map(|st| st.value_names)
            .max()
            .unwrap_or(0);
        if names * 2 < NAME_PROBATION {
            self.name_detectors.clear();
        }
    }

    /// The person-name detector that recognises the whole `value` (rule 5): one whose
    /// finding already covers it, or one whose whole-value pattern and validator pass.
    fn value_name(
        &self,
        scanner: &mut Scanner<'_>,
        value: &[u8],
        findings: &[Finding],
    ) -> Option<DetectorIdx> {
        if self.name_detectors.is_empty() {
            return None;
        }
        let trimmed = value.trim_ascii();
        if !name_shaped(trimmed) {
            return None;
        }
        let offset = trimmed.as_ptr() as usize - value.as_ptr() as usize;
        let engine = scanner.engine();
        let name_type = engine.detector(self.name_detectors[0]).type_idx;
        if let Some(f) = findings.iter().find(|f| {
            engine.detector(f.detector).type_idx == name_type
                && f.start == offset
                && f.end == offset + trimmed.len()
        }) {
            return Some(f.detector);
        }
        self.name_detectors
            .iter()
            .copied()
            .find(|&det| scanner.whole_value_matches(det, trimmed))
    }

    /// A new, empty state for the same field (its resolved name, no tally, no memo):
    /// one more lane to tally part of the field's values on another thread.
    pub fn lane(&self) -> FieldState {
        FieldState {
            field: self.field.clone(),
            tally: Tally::default(),
            list_detectors: self.list_detectors.clone(),
            name_detectors: self.name_detectors.clone(),
            name_probation_over: false,
            memo: ValueMemo::default(),
        }
    }

    /// Non-empty values of this field checked so far.
    pub fn values_checked(&self) -> u64 {
        self.tally.values_checked()
    }

    /// Adds another tally of the same field (from another thread or chunk).
    pub fn merge(&mut self, other: FieldState) {
        self.tally.merge(other.tally);
    }

    /// The verdicts for the field.
    pub fn report(&self, engine: &Engine) -> ColumnReport {
        ColumnReport {
            name: self.field.name.clone(),
            values_seen: self.tally.values_seen,
            values_checked: self.tally.non_empty,
            verdicts: self.tally.verdicts(engine, &self.field, Mode::Column),
        }
    }
}

/// Scans one column's values with its own scanner and produces its [`ColumnReport`].
pub struct ColumnClassifier<'e> {
    scanner: Scanner<'e>,
    state: FieldState,
    scratch: ScanScratch,
}

/// Rounds a score for reports (three decimals are plenty, and keep JSON readable).
fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

fn hash_bytes(b: &[u8]) -> u64 {
    // Fixed seed: distinct counts must not depend on the run.
    foldhash::fast::FixedState::default().hash_one(b)
}

impl<'e> ColumnClassifier<'e> {
    /// Starts classifying a column called `name`.
    pub fn new(engine: &'e Engine, name: &str) -> Self {
        ColumnClassifier {
            scanner: engine.scanner(),
            state: FieldState::new(engine, name),
            scratch: ScanScratch::default(),
        }
    }

    /// Findings of the last value observed (valid until the next call).
    pub fn last_findings(&self) -> &[Finding] {
        &self.scratch.findings
    }

    /// Adds one value (empty or NULL values count as seen, not checked).
    pub fn observe(&mut self, value: &[u8]) {
        self.state
            .observe(&mut self.scanner, value, &mut self.scratch);
    }

    /// The verdicts for the column, most confident first.
    pub fn finish(self) -> ColumnReport {
        self.state.report(self.scanner.engine())
    }
}

/// Convenience: classify a column from an iterator of values.
pub fn classify<'v>(
    engine: &Engine,
    name: &str,
    values: impl IntoIterator<Item = &'v [u8]>,
) -> ColumnReport {
    let mut c = ColumnClassifier::new(engine, name);
    for v in values {
        c.observe(v);
    }
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::memo::MEMO_PROBATION;
    use super::*;

    /// Findings (detector, span, masked value), rejections and recipient literals.
    type Summary = (Vec<(DetectorIdx, usize, usize, String)>, Vec<u16>, Vec<u16>);

    /// What one scan left in the scratch buffers, comparable across scans.
    fn summary(out: &ScanScratch, value: &[u8]) -> Summary {
        (
            out.findings
                .iter()
                .map(|f| (f.detector, f.start, f.end, f.masked(value).to_string()))
                .collect(),
            out.rejected.clone(),
            out.recipients.clone(),
        )
    }

    fn types(report: &ColumnReport) -> Vec<&str> {
        let mut t: Vec<&str> = report
            .verdicts
            .iter()
            .map(|v| v.data_type.as_str())
            .collect();
        t.sort_unstable();
        t
    }

    fn column(engine: &Engine, name: &str, values: &[&str]) -> Vec<String> {
        let report = classify(engine, name, values.iter().map(|v| v.as_bytes()));
        types(&report).into_iter().map(String::from).collect()
    }

    #[test]
    fn headers_in_other_languages_and_web_addresses_reach_their_detectors() {
        let engine = Engine::with_rules(None).unwrap();
        let zips = ["10115", "80331", "20095", "50667", "60311"];
        for name in [
            "PLZ",
            "Postleitzahl",
            "codigo_postal",
            "Code Postal",
            "kod_pocztowy",
        ] {
            assert_eq!(column(&engine, name, &zips), ["postal_code"], "{name}");
        }
        let streets = [
            "Hauptstraße 29",
            "Lindenweg 4",
            "Am Markt 12",
            "Bahnhofstraße 7",
        ];
        assert_eq!(column(&engine, "Straße", &streets), ["street_address"]);
        let sites = [
            "https://jane-doe.example.com/",
            "https://www.example.org/~mlopez",
            "http://blog.example.net/about",
        ];
        for name in ["website", "homepage", "Personal Site", "blog"] {
            assert_eq!(column(&engine, name, &sites), ["url"], "{name}");
        }
    }

    #[test]
    fn dotted_quads_that_often_exceed_255_are_versions_unless_the_name_says_ip() {
        let engine = Engine::with_rules(None).unwrap();
        // Four-part version numbers: most would be valid addresses, but one in five has
        // a part over 255, which no address has.
        let versions: Vec<String> = (0..60)
            .map(|i| format!("{}.{}.{}.{}", 1 + i % 12, i % 20, i % 10, (i * 37) % 300))
            .collect();
        let versions: Vec<&str> = versions.iter().map(String::as_str).collect();
        assert!(!column(&engine, "label", &versions).contains(&"ip_address".to_string()));
        let addresses: Vec<String> = (0..60).map(|i| format!("203.0.113.{}", i + 1)).collect();
        let addresses: Vec<&str> = addresses.iter().map(String::as_str).collect();
        assert_eq!(column(&engine, "label", &addresses), ["ip_address"]);
        // Under an IP name, loopback and placeholder rows do not turn addresses into a
        // decoy: only the checksum default (30 %) applies there.
        let mut logins = addresses.clone();
        logins[..15].fill("127.0.0.1");
        assert_eq!(column(&engine, "login_ip", &logins), ["ip_address"]);
    }

    #[test]
    fn a_hinted_finding_outweighs_a_weak_shape_of_another_type_inside_it() {
        let engine = Engine::with_rules(None).unwrap();
        let by_id = |id: &str| {
            engine
                .detectors()
                .iter()
                .position(|d| d.spec.id == id)
                .unwrap() as DetectorIdx
        };
        let finding = |det: DetectorIdx, end: usize, validator, name_hint| Finding {
            detector: det,
            start: 0,
            end,
            confidence: 0.8,
            evidence: crate::detect::Evidence {
                via: crate::detect::Via::Pattern,
                base: 0.7,
                validator,
                context_word: None,
                name_hint,
            },
            mask: crate::mask::MaskStyle::Full,
        };
        let phone = finding(by_id("phone_national"), 11, None, true);
        let ip = finding(
            by_id("ipv4"),
            11,
            Some(crate::validate::Validator::Ipv4),
            false,
        );
        let card = finding(
            by_id("credit_card"),
            11,
            Some(crate::validate::Validator::LuhnCard),
            false,
        );
        assert!(outweighed(&engine, &ip, &[phone, ip]));
        // Without the hinted finding, or with a checksum of its own, it stands.
        assert!(!outweighed(&engine, &ip, &[ip]));
        assert!(!outweighed(&engine, &card, &[phone, card]));
        // A hinted finding of the same type outweighs nothing.
        let other_phone = finding(by_id("phone_intl"), 11, None, false);
        assert!(!outweighed(&engine, &other_phone, &[phone, other_phone]));
        // Only what lies inside the hinted finding.
        let longer = Finding { end: 14, ..ip };
        assert!(!outweighed(&engine, &longer, &[phone, longer]));
        let mut tally = Tally::default();
        tally.count_values(1, 1);
        tally.record(&engine, b"88.60.15.31", &[phone, ip], &[]);
        let ip_type = engine.detector(ip.detector).type_idx;
        assert!(!tally.types.contains_key(&ip_type));
    }

    #[test]
    fn a_field_with_few_names_stops_looking_for_them_after_probation() {
        let engine = Engine::with_rules(None).unwrap();
        let mut scanner = engine.scanner();
        let mut out = ScanScratch::default();
        let mut cities = FieldState::new(&engine, "agent");
        let mut agents = FieldState::new(&engine, "agent");
        assert!(!cities.name_detectors.is_empty());
        let names = [
            "Mary Smith",
            "Patricia Johnson",
            "John Williams",
            "Linda Brown",
        ];
        for i in 0..NAME_PROBATION as usize + 5 {
            let city = ["New York", "San Francisco", "Los Angeles", "Buenos Aires"][i % 4];
            cities.observe(&mut scanner, city.as_bytes(), &mut out);
            agents.observe(&mut scanner, names[i % 4].as_bytes(), &mut out);
        }
        assert!(cities.name_detectors.is_empty());
        assert!(!agents.name_detectors.is_empty());
        let report = agents.report(&engine);
        assert!(report.verdicts.iter().any(|v| v.data_type == "person_name"));
    }

    #[test]
    fn one_letter_codes_count_when_two_different_ones_occur() {
        let engine = Engine::with_rules(None).unwrap();
        let genders = ["M", "F", "F", "X", "male", "M", "female", "F", "M", "F"];
        assert_eq!(column(&engine, "g", &genders), ["gender"]);
        // One code only, or codes among values outside the list: not a gender column.
        assert!(column(&engine, "g", &["M", "M", "M", "M", "M"]).is_empty());
        let sizes = ["S", "M", "L", "XL", "M", "S", "L", "M"];
        assert!(column(&engine, "size", &sizes).is_empty());
    }

    #[test]
    fn whole_name_hints_and_generic_labels_reach_their_detectors() {
        let engine = Engine::with_rules(None).unwrap();
        let logins = ["alice", "bob42", "m.lopez", "svc_backup", "jdoe"];
        assert_eq!(column(&engine, "user", &logins), ["username"]);
        // `=user` is the whole name, not every name with the word in it.
        let roles = ["admin", "editor", "viewer", "admin", "owner"];
        assert!(column(&engine, "user_role", &roles).is_empty());
        // Valid PESELs under a label that names no country.
        let pesels = ["44051401359", "02070803628", "02270803624"];
        assert_eq!(column(&engine, "national_id", &pesels), ["national_id"]);
        assert_eq!(column(&engine, "idNumber", &pesels), ["national_id"]);
        // Abbreviated headers.
        let surnames = ["Smith", "Johnson", "Williams", "Brown", "Garcia"];
        assert_eq!(column(&engine, "lst_nm", &surnames), ["person_name"]);
        // An access log's request target is the page visited, query or not.
        let paths = ["/products/42", "/static/app.js", "/search?q=pan"];
        assert_eq!(column(&engine, "url", &paths), ["url"]);
        // An email under a user-id name is an email, not a user name.
        let emails = [
            "jane.doe@example.com",
            "bob@example.org",
            "m.lopez@mail.example",
        ];
        assert_eq!(column(&engine, "userId", &emails), ["email"]);
    }

    #[test]
    fn a_remembered_value_replays_what_a_fresh_scan_finds() {
        let engine = Engine::with_rules(None).unwrap();
        let values: [&[u8]; 7] = [
            b"jane.doe@example.com",
            b"female",
            b"4111 1111 1111 1111",
            b"4111 1111 1111 1112",
            b"paid",
            b"call me at (415) 555-0132",
            b"https://js.stripe.com/v3",
        ];
        let field = engine.field_context("contact");
        let mut state = FieldState::new(&engine, "contact");
        let mut scanner = engine.scanner();
        let mut fresh = engine.scanner();
        let (mut got, mut want) = (ScanScratch::default(), ScanScratch::default());
        for round in 0..3 {
            for v in values {
                state.observe(&mut scanner, v, &mut got);
                want.clear();
                fresh.scan_value(v, &field, &mut want);
                assert_eq!(summary(&got, v), summary(&want, v), "round {round}");
            }
        }
        assert_eq!(state.memo.hits, 2 * values.len() as u64);
        let report = state.report(&engine);
        let email = report.verdicts.iter().find(|v| v.data_type == "email");
        assert_eq!(email.map(|v| v.matched_values), Some(3));
        let card = report
            .verdicts
            .iter()
            .find(|v| v.data_type == "credit_card");
        assert_eq!(card.map(|v| v.matched_values), Some(3));
    }

    #[test]
    fn the_memo_switches_off_where_values_do_not_repeat() {
        let engine = Engine::with_rules(None).unwrap();
        let mut scanner = engine.scanner();
        let mut out = ScanScratch::default();
        let mut ids = FieldState::new(&engine, "request_id");
        let mut statuses = FieldState::new(&engine, "status");
        for i in 0..MEMO_PROBATION + 10 {
            ids.observe(&mut scanner, format!("req-{i}").as_bytes(), &mut out);
            let status = ["paid", "pending", "shipped"][i as usize % 3];
            statuses.observe(&mut scanner, status.as_bytes(), &mut out);
        }
        assert!(ids.memo.off);
        assert!(ids.memo.map.is_empty());
        assert!(!statuses.memo.off);
        assert_eq!(statuses.memo.map.len(), 3);
        assert_eq!(ids.tally.values_checked(), MEMO_PROBATION + 10);
    }

    #[test]
    fn fields_sharing_a_scratch_share_one_memo_budget() {
        let engine = Engine::with_rules(None).unwrap();
        let mut scanner = engine.scanner();
        let mut out = ScanScratch {
            memo_budget: 5,
            ..ScanScratch::default()
        };
        let mut fields: Vec<FieldState> = (0..4)
            .map(|i| FieldState::new(&engine, &format!("attr_{i}")))
            .collect();
        for field in &mut fields {
            for v in ["red", "green", "blue"] {
                field.observe(&mut scanner, v.as_bytes(), &mut out);
            }
        }
        let remembered: usize = fields.iter().map(|f| f.memo.map.len()).sum();
        assert_eq!(remembered, 5);
        assert_eq!(out.memo_budget, 0);
        // Values not remembered are still scanned and counted.
        assert!(fields.iter().all(|f| f.tally.values_checked() == 3));
    }
}
