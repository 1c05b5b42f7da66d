//! The detection engine: every detector compiled once into one matcher.
//!
//! [`Engine::build`] turns rule specs into an immutable engine (builder → immutable
//! value, as in aho-corasick). Scanning happens through a per-thread [`Scanner`] that
//! owns the matcher's mutable cache and a little scratch space, so the hot path
//! allocates nothing per line or per finding.
//!
//! How a haystack is searched, in two passes:
//!
//! * **Free patterns** — detectors whose shape is distinctive enough on its own (cards,
//!   IBANs, emails, keys, IPs, …) — are compiled together into one multi-pattern regex
//!   (regex-automata's meta regex, leftmost-first, matches carry a pattern id). Unicode
//!   is off: the DFA runs on raw bytes and invalid UTF-8 costs nothing.
//! * **Literals** — the context words of detectors with `requires_context = true`, the
//!   `prefilter` literals (`-----BEGIN`, `eyJ`) and the recipient catalog's domains, key
//!   prefixes and markers — are one case-insensitive Aho-Corasick automaton (a DFA,
//!   leftmost-first, longer literals and triggers first). Only when a trigger literal
//!   is found does its detector's own regex run, in the window around it: a bare
//!   9-digit number or a date costs nothing unless `ssn` or `dob` is near. The literals
//!   are kept out of the regex on purpose: a lazy DFA over ~70 patterns plus ~1,000
//!   literals has states so large that building them cost more than the search itself
//!   (26–40 MB/s on a cold 25 MB log, against 160–210 MB/s for the patterns alone and
//!   ~400 MB/s for the automaton).
//! * A literal inside a reported value (`stripe.com` in an email address) is part of
//!   that value, not a new clue, and is skipped.
//! * Each candidate is then scored in explicit stages (pattern → validator → context →
//!   name hint → threshold) and the stages are kept as [`Evidence`].

mod compile;
pub mod examples;
mod field;
pub mod finding;
pub mod hint;
mod scanner;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use regex_automata::meta::{self, Regex};
use regex_automata::MatchKind;

use compile::{build_literals, compile_as, compile_catalog, compile_detector, main_patterns};
pub use field::{FieldContext, HintStatus};
pub use finding::{DetectorIdx, Evidence, Finding, FindingSink, RecipientHit, Via};
use hint::{Hint, NormalizedName};
use scanner::DetectorCaches;
pub use scanner::Scanner;

use crate::knowledge::Catalog;
pub use crate::knowledge::RecipientKind;
use crate::mask::MaskStyle;
use crate::names::NameDictionary;
use crate::rules::{DetectorSpec, LoadedDetector, RuleError, RuleErrors};
use crate::taxonomy::Taxonomy;
use crate::validate::Validator;

/// How a detector's patterns get to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// In the main multi-pattern regex.
    Free,
    /// Only around one of its context words (or under a hinting name).
    Context,
    /// Only around one of its prefilter literals.
    Prefilter,
    /// No value patterns: decided from names (and closed value lists).
    NameOnly,
}

/// A detector compiled for scanning.
pub struct CompiledDetector {
    /// The spec as loaded (for listing and explanations).
    pub spec: DetectorSpec,
    /// The file it came from.
    pub file: String,
    /// Index of its data type in [`Engine::data_types`].
    pub type_idx: u16,
    /// The validator, if any.
    pub validator: Option<Validator>,
    /// How its findings are masked.
    pub mask: MaskStyle,
    /// How its patterns get to run.
    pub gate: Gate,
    /// Its own patterns, compiled on first use (checked for syntax at load time).
    patterns: OnceLock<Result<Vec<Regex>, String>>,
    /// Its whole-value patterns, compiled on first use.
    value_regex: OnceLock<Result<Option<Regex>, String>>,
    context: Option<WordAutomaton>,
    negative: Option<WordAutomaton>,
    hints: Vec<Hint>,
    excludes: Vec<Hint>,
    pub(crate) values: Vec<Vec<u8>>,
}

/// Words matched as whole words in every spelling of each (`compile::phrase_spellings`),
/// with the index of the word each spelling is of.
struct WordAutomaton {
    ac: AhoCorasick,
    of: Vec<u16>,
}

/// A trigger literal, lower-cased, and whether it must stand as a whole word.
type TriggerKey = (String, bool);
/// A detector to run around a trigger, with the index of the context word it is (if any).
type TriggerTarget = (DetectorIdx, Option<u16>);

/// What a literal of [`Engine::literals`] stands for.
#[derive(Clone, Debug)]
enum LiteralEntry {
    /// A trigger literal: run these detectors around it (with the context word index,
    /// or `None` for a prefilter literal).
    Trigger(Vec<(DetectorIdx, Option<u16>)>),
    /// A recipient-catalog literal (domain, key prefix, marker), by index.
    Recipient(u16),
}

/// One literal of the recipient catalog, compiled into the main matcher.
#[derive(Clone, Debug)]
pub struct RecipientLiteral {
    /// Index of the vendor in the catalog.
    pub vendor: u16,
    /// What it is.
    pub kind: RecipientKind,
    /// The literal as written in the catalog (never a scanned value).
    pub text: String,
}

/// The compiled rule set. Immutable and `Sync`: share one across threads.
pub struct Engine {
    detectors: Vec<CompiledDetector>,
    data_types: Vec<String>,
    /// The main matcher, compiled on first use: listing rules does not pay for it.
    main: OnceLock<Result<Option<Regex>, String>>,
    /// The main matcher's patterns (the free patterns), kept until it is compiled.
    main_patterns: Vec<String>,
    /// The detector of each main pattern.
    main_entries: Vec<DetectorIdx>,
    /// The index of each main pattern among its detector's own patterns.
    main_local: Vec<u16>,
    /// The main patterns again, but reporting every pattern that matches (not the
    /// leftmost-first one): when a candidate fails, one anchored search tells which
    /// other free patterns could claim its start (see [`Scanner::retry_at`]).
    retry: OnceLock<Result<Option<Regex>, String>>,
    /// Trigger and recipient literals: one case-insensitive automaton, searched in its
    /// own pass (see the module docs for why not in the regex).
    literals: Option<AhoCorasick>,
    /// For each pattern of `literals`: what it stands for, and whether it must stand as
    /// a whole word.
    literal_entries: Vec<(LiteralEntry, bool)>,
    /// Bytes of which every literal holds one: a value without any skips the literal
    /// pass (`compile::literal_bytes`).
    literal_bytes: compile::ByteSet,
    /// Reporting threshold (stage 5).
    threshold: f32,
    names: NameDictionary,
    taxonomy: Taxonomy,
    catalog: Catalog,
    recipient_literals: Vec<RecipientLiteral>,
    recipient_columns: Vec<(Hint, u16)>,
    /// Closed value lists (gender, marital status, …): lower-cased value → the
    /// detectors listing it, so a cell is looked up once instead of compared with
    /// every listed value.
    value_lists: std::collections::HashMap<Vec<u8>, Vec<DetectorIdx>, foldhash::fast::RandomState>,
    /// Length of the longest listed value.
    longest_listed: usize,
    /// Which lengths (bit n: n bytes, up to 63) and first bytes (lower-cased) listed
    /// values have: most cells are rejected by these two lookups, without a hash.
    listed_lengths: u64,
    listed_first: [bool; 256],
    /// Caches of the main regex given back by dropped scanners. The lazy DFA builds its
    /// states as it meets new input, which costs far more than searching once they
    /// exist (~0.7 s of warm-up for the built-in pack on logs): a new scanner — one per
    /// chunk, file or table — starts from a warm cache instead of an empty one.
    cache_pool: std::sync::Mutex<Vec<(meta::Cache, DetectorCaches)>>,
}

impl Engine {
    /// Compiles rule specs. Every problem is collected (file, rule id, message) rather
    /// than stopping at the first.
    pub fn build(
        loaded: Vec<LoadedDetector>,
        taxonomy: Taxonomy,
        names: NameDictionary,
    ) -> Result<Engine, RuleErrors> {
        Engine::build_with_catalog(loaded, taxonomy, names, Catalog::default())
    }

    /// As [`Engine::build`], also compiling the recipient catalog into the matcher so
    /// vendor domains, key prefixes and markers are found in the same pass.
    pub fn build_with_catalog(
        loaded: Vec<LoadedDetector>,
        taxonomy: Taxonomy,
        names: NameDictionary,
        catalog: Catalog,
    ) -> Result<Engine, RuleErrors> {
        let mut errors = Vec::new();
        let mut detectors: Vec<CompiledDetector> = Vec::new();
        let data_types: Vec<String> = taxonomy.types.keys().cloned().collect();
        let mut seen_ids = BTreeMap::new();

        for LoadedDetector { file, spec } in loaded {
            let err = |msg: String| RuleError::new(file.clone(), Some(&spec.id), msg);
            if let Some(prev) = seen_ids.insert(spec.id.clone(), file.clone()) {
                errors.push(err(format!("duplicate id (also in {prev})")));
                continue;
            }
            match compile_detector(&spec, &taxonomy, &data_types) {
                Ok(parts) => detectors.push(CompiledDetector {
                    spec,
                    file,
                    ..parts
                }),
                Err(messages) => errors.extend(messages.into_iter().map(err)),
            }
        }
        if !errors.is_empty() {
            return Err(RuleErrors(errors));
        }
        // Priority order decides leftmost-first ties: lower priority value first.
        detectors.sort_by(|a, b| {
            a.spec
                .priority
                .cmp(&b.spec.priority)
                .then_with(|| a.spec.id.cmp(&b.spec.id))
        });

        let (recipient_literals, recipient_columns) = compile_catalog(&catalog);
        let (main_patterns, main_entries, main_local) = main_patterns(&detectors);
        let (literals, literal_entries, literal_bytes) =
            build_literals(&detectors, &recipient_literals)
                .map_err(|m| RuleErrors(vec![RuleError::new("rules", None, m)]))?;
        let mut value_lists: std::collections::HashMap<_, Vec<DetectorIdx>, _> =
            std::collections::HashMap::with_hasher(foldhash::fast::RandomState::default());
        for (i, d) in detectors.iter().enumerate() {
            for v in &d.values {
                value_lists
                    .entry(v.clone())
                    .or_default()
                    .push(i as DetectorIdx);
            }
        }
        let longest_listed = value_lists.keys().map(Vec::len).max().unwrap_or(0);
        let mut listed_lengths = 0u64;
        let mut listed_first = [false; 256];
        for k in value_lists.keys() {
            listed_lengths |= 1u64.checked_shl(k.len() as u32).unwrap_or(0);
            if let Some(&b) = k.first() {
                listed_first[b.to_ascii_lowercase() as usize] = true;
            }
        }
        Ok(Engine {
            detectors,
            data_types,
            main: OnceLock::new(),
            main_patterns,
            main_entries,
            main_local,
            retry: OnceLock::new(),
            literals,
            literal_entries,
            literal_bytes,
            threshold: finding::score::DEFAULT_THRESHOLD,
            names,
            taxonomy,
            catalog,
            recipient_literals,
            recipient_columns,
            value_lists,
            longest_listed,
            listed_lengths,
            listed_first,
            cache_pool: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// The built-in pack, optionally with a user pack layered on top.
    pub fn with_rules(user_dir: Option<&std::path::Path>) -> Result<Engine, RuleErrors> {
        let mut loaded = crate::rules::builtin_detectors()?;
        if let Some(dir) = user_dir {
            loaded = crate::rules::layer(loaded, crate::rules::load_dir(dir)?);
        }
        let one = |e| RuleErrors(vec![e]);
        let mut taxonomy = Taxonomy::builtin().map_err(one)?;
        let mut catalog = Catalog::builtin().map_err(one)?;
        if let Some(dir) = user_dir {
            let file = |name: &str| crate::rules::user_knowledge_file(dir, name).map_err(one);
            let shown = |name: &str| dir.join(name).display().to_string();
            if let Some(text) = file("taxonomy.toml")? {
                taxonomy
                    .layer(&shown("taxonomy.toml"), &text)
                    .map_err(one)?;
            }
            if let Some(text) = file("recipients.toml")? {
                let vocab = crate::knowledge::Vocabulary::builtin().map_err(one)?;
                catalog
                    .layer(&shown("recipients.toml"), &text, &vocab)
                    .map_err(one)?;
            }
        }
        Engine::build_with_catalog(loaded, taxonomy, NameDictionary::builtin(), catalog)
    }

    /// The main matcher (compiled on first use).
    fn main(&self) -> Option<&Regex> {
        self.combined(&self.main, MatchKind::LeftmostFirst)
    }

    /// The main patterns with every-match semantics (compiled on first use).
    fn retry(&self) -> Option<&Regex> {
        self.combined(&self.retry, MatchKind::All)
    }

    /// One compile of all free patterns, made on first use in `slot`.
    fn combined<'a>(
        &'a self,
        slot: &'a OnceLock<Result<Option<Regex>, String>>,
        kind: MatchKind,
    ) -> Option<&'a Regex> {
        slot.get_or_init(|| {
            if self.main_patterns.is_empty() {
                Ok(None)
            } else {
                compile_as(&self.main_patterns, kind).map(Some)
            }
        })
        .as_ref()
        .ok()
        .and_then(Option::as_ref)
    }

    /// Compiles every matcher now and reports what failed to compile (size limits a
    /// syntax check cannot see). Scanning commands call it before they start; listing
    /// rules does not need it.
    pub fn prepare(&self) -> Result<(), RuleErrors> {
        let mut errors = Vec::new();
        self.main();
        self.retry();
        // Both compile the same patterns: one failure is reported once.
        let failed = [self.main.get(), self.retry.get()]
            .into_iter()
            .find_map(|built| built.and_then(|r| r.as_ref().err()));
        if let Some(e) = failed {
            errors.push(RuleError::new(
                "rules",
                None,
                format!("the combined matcher does not compile: {e}"),
            ));
        }
        for d in &self.detectors {
            d.patterns();
            d.value_regex();
            for r in [
                d.patterns.get().and_then(|r| r.as_ref().err()),
                d.value_regex.get().and_then(|r| r.as_ref().err()),
            ]
            .into_iter()
            .flatten()
            {
                errors.push(RuleError::new(
                    d.file.clone(),
                    Some(&d.spec.id),
                    format!("does not compile: {r}"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(RuleErrors(errors))
        }
    }

    /// Sets the reporting threshold (stage 5).
    pub fn set_threshold(&mut self, threshold: f32) {
        self.threshold = threshold.clamp(0.0, 1.0);
    }

    /// The reporting threshold.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// The compiled detectors, in priority order.
    pub fn detectors(&self) -> &[CompiledDetector] {
        &self.detectors
    }

    /// One detector.
    pub fn detector(&self, idx: DetectorIdx) -> &CompiledDetector {
        &self.detectors[idx as usize]
    }

    /// The data type name of a detector.
    pub fn data_type(&self, idx: DetectorIdx) -> &str {
        &self.data_types[self.detectors[idx as usize].type_idx as usize]
    }

    /// All data type names, indexed by `type_idx`.
    pub fn data_types(&self) -> &[String] {
        &self.data_types
    }

    /// The share of validator passes below which a column of type `type_idx`'s shape is
    /// a decoy, when one of the type's detectors sets it (`column_min_pass_rate`; the
    /// highest wins).
    pub fn column_min_pass_rate(&self, type_idx: u16) -> Option<f32> {
        self.detectors
            .iter()
            .filter(|d| d.type_idx == type_idx)
            .filter_map(|d| d.spec.column_min_pass_rate)
            .reduce(f32::max)
    }

    /// The taxonomy the engine was built with.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// The recipient catalog the engine was built with.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The closed-list detectors (gender, marital status, …) whose list holds `value`,
    /// compared case-insensitively after trimming.
    pub fn listed_in(&self, value: &[u8]) -> &[DetectorIdx] {
        let value = value.trim_ascii();
        let Some(&first) = value.first() else {
            return &[];
        };
        if value.len() > self.longest_listed
            || (value.len() < 64 && self.listed_lengths & (1u64 << value.len()) == 0)
            || !self.listed_first[first.to_ascii_lowercase() as usize]
        {
            return &[];
        }
        let mut lower = [0u8; 64];
        let Some(buf) = lower.get_mut(..value.len()) else {
            // Longer than any stack buffer we keep: compare the slow way.
            return self
                .value_lists
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(value))
                .map_or(&[], |(_, v)| v.as_slice());
        };
        for (b, &c) in buf.iter_mut().zip(value) {
            *b = c.to_ascii_lowercase();
        }
        self.value_lists.get(&buf[..]).map_or(&[], Vec::as_slice)
    }

    /// A recipient literal by index.
    pub fn recipient_literal(&self, idx: u16) -> &RecipientLiteral {
        &self.recipient_literals[idx as usize]
    }

    /// Resolves a column/field name against every detector's hints.
    pub fn field_context(&self, name: &str) -> FieldContext {
        let norm = NormalizedName::new(name);
        let mut status = vec![HintStatus::None; self.detectors.len()];
        let mut hinted = Vec::new();
        if !norm.is_empty() {
            for (i, d) in self.detectors.iter().enumerate() {
                if d.excludes.iter().any(|h| norm.matches(h)) {
                    status[i] = HintStatus::Excluded;
                } else if d.hints.iter().any(|h| norm.matches(h)) {
                    status[i] = HintStatus::Hinted;
                    hinted.push(i as DetectorIdx);
                }
            }
        }
        let recipients = if norm.is_empty() {
            Vec::new()
        } else {
            self.recipient_columns
                .iter()
                .filter(|(h, _)| norm.matches(h))
                .map(|(_, lit)| *lit)
                .collect()
        };
        let inbound = norm.words.iter().any(|w| w == "referrer" || w == "referer");
        FieldContext {
            name: name.to_string(),
            status,
            hinted,
            recipients,
            inbound,
        }
    }

    /// A human explanation of a finding's score.
    pub fn explain(&self, f: &Finding) -> String {
        let d = self.detector(f.detector);
        let ev = &f.evidence;
        let mut parts = vec![match ev.via {
            Via::Pattern => format!("pattern {:.2}", ev.base),
            Via::ValuePattern => format!("value pattern {:.2}", ev.base),
            Via::ValueList => format!("value list {:.2}", ev.base),
            Via::Name => format!("column name {:.2}", ev.base),
        }];
        if let Some(v) = ev.validator {
            parts
                .push(format!("validator {} passed ({:?})", v.name(), v.strength()).to_lowercase());
        }
        if let Some(w) = ev.context_word {
            let word = d.spec.context.get(w as usize).map_or("?", String::as_str);
            parts.push(format!(
                "context {word:?} +{:.2}",
                finding::score::CONTEXT_BONUS
            ));
        }
        if ev.name_hint {
            parts.push(format!("name hint +{:.2}", finding::score::NAME_HINT_BONUS));
        }
        format!("{} => {:.2}", parts.join("; "), f.confidence)
    }

    /// Where to search again after a candidate of `det` at `[s, e)` was rejected: after
    /// it, except for a person name, where the next word may start one
    /// (`Call Patricia Alvarez`: `Call Patricia` fails, `Patricia Alvarez` is a name).
    fn resume_after_reject(&self, det: DetectorIdx, hay: &[u8], s: usize, e: usize) -> usize {
        if self.detector(det).validator != Some(Validator::PersonName) {
            return e;
        }
        match memchr::memchr(b' ', &hay[s..e]) {
            Some(sp) => s + sp + 1,
            None => e,
        }
    }

    /// The detectors that can recognise a whole value as a person's full name (a
    /// `person_name` validator and whole-value patterns), for columns whose name says
    /// nothing: see [`column`].
    pub fn whole_value_name_detectors(&self) -> impl Iterator<Item = DetectorIdx> + '_ {
        self.detectors
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                d.validator == Some(Validator::PersonName) && !d.spec.value_patterns.is_empty()
            })
            .map(|(i, _)| i as DetectorIdx)
    }

    fn validate(&self, v: Validator, cand: &[u8]) -> bool {
        match v.check(cand) {
            Some(ok) => ok,
            None => match v {
                Validator::PersonName => self.names.is_full_name(cand),
                Validator::AccountName => self.names.is_account_name(cand),
                _ => self.names.is_name_token(cand),
            },
        }
    }
}

#[cfg(test)]
mod tests;
