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

pub mod examples;
pub mod finding;
pub mod hint;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind as AcMatchKind};
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind, PatternSet};

pub use finding::{DetectorIdx, Evidence, Finding, FindingSink, RecipientHit, Via};
use hint::{Hint, NormalizedName};

use crate::knowledge::Catalog;
pub use crate::knowledge::RecipientKind;
use crate::mask::MaskStyle;
use crate::names::NameDictionary;
use crate::rules::{DetectorKind, DetectorSpec, LoadedDetector, RuleError, RuleErrors};
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
    context: Option<AhoCorasick>,
    negative: Option<AhoCorasick>,
    hints: Vec<Hint>,
    excludes: Vec<Hint>,
    pub(crate) values: Vec<Vec<u8>>,
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

/// Up to this many remembered findings, [`Scanner`] looks them up in a list.
const RECENT_LINEAR: usize = 32;

/// Marks a remembered validator rejection (by detector) apart from a remembered finding
/// (by data type) in [`Scanner`]'s memory.
const REJECTED: u16 = 0x8000;

/// A scanner's caches for the detectors' own regexes, made on first use and pooled with
/// its main cache. Searching a shared regex without one takes a cache from the regex's
/// own pool, which is a lock and an unlock per search on every thread but the first.
/// Boxed, so taking one out around a search moves a pointer, not a kilobyte.
#[derive(Default)]
struct DetectorCaches {
    /// By detector, then pattern.
    patterns: Vec<Vec<Option<Box<meta::Cache>>>>,
    /// By detector: the whole-value regex's.
    values: Vec<Option<Box<meta::Cache>>>,
    /// The retry matcher's cache and the set of patterns it reports.
    retry: Option<(Box<meta::Cache>, PatternSet)>,
}

/// Takes the cache in `slots[i]` out (a new one for `re` the first time).
fn take_cache(slots: &mut Vec<Option<Box<meta::Cache>>>, i: usize, re: &Regex) -> Box<meta::Cache> {
    if slots.len() <= i {
        slots.resize_with(i + 1, || None);
    }
    slots[i]
        .take()
        .unwrap_or_else(|| Box::new(re.create_cache()))
}

impl DetectorCaches {
    /// Takes out the cache of pattern `i` of `det` (a new one the first time).
    fn take_pattern(&mut self, det: DetectorIdx, i: usize, re: &Regex) -> Box<meta::Cache> {
        let det = det as usize;
        if self.patterns.len() <= det {
            self.patterns.resize_with(det + 1, Vec::new);
        }
        take_cache(&mut self.patterns[det], i, re)
    }

    /// Puts back what [`DetectorCaches::take_pattern`] took.
    fn put_pattern(&mut self, det: DetectorIdx, i: usize, cache: Box<meta::Cache>) {
        self.patterns[det as usize][i] = Some(cache);
    }

    /// Takes out the cache of the whole-value regex of `det`.
    fn take_value(&mut self, det: DetectorIdx, re: &Regex) -> Box<meta::Cache> {
        take_cache(&mut self.values, det as usize, re)
    }

    /// Puts back what [`DetectorCaches::take_value`] took.
    fn put_value(&mut self, det: DetectorIdx, cache: Box<meta::Cache>) {
        self.values[det as usize] = Some(cache);
    }
}

/// Most caches kept in [`Engine::cache_pool`] (one per concurrent scanner is enough).
const CACHE_POOL_MAX: usize = 64;

fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

fn compile(patterns: &[String]) -> Result<Regex, String> {
    compile_as(patterns, MatchKind::LeftmostFirst)
}

fn compile_as(patterns: &[String], kind: MatchKind) -> Result<Regex, String> {
    Regex::builder()
        .syntax(syntax_config())
        .configure(
            meta::Config::new()
                .match_kind(kind)
                .utf8_empty(false)
                .hybrid_cache_capacity(32 << 20),
        )
        .build_many(patterns)
        .map_err(|e| match e.syntax_error() {
            // The parser's own message points at the offending spot in the pattern.
            Some(syntax) => syntax.to_string(),
            None => e.to_string(),
        })
}

/// Parses a pattern with the matcher's syntax settings: `Ok(true)` when it can match the
/// empty string, the parser's message when it is invalid.
fn check_syntax(pattern: &str) -> Result<bool, String> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())?;
    Ok(hir.properties().minimum_len() == Some(0))
}

impl CompiledDetector {
    /// Its patterns (compiled on first use; empty if they failed, which
    /// [`Engine::prepare`] reports).
    fn patterns(&self) -> &[Regex] {
        self.patterns
            .get_or_init(|| {
                self.spec
                    .patterns
                    .iter()
                    .map(|p| compile(std::slice::from_ref(p)))
                    .collect()
            })
            .as_deref()
            .unwrap_or(&[])
    }

    /// Its whole-value matcher, if it has value patterns.
    fn value_regex(&self) -> Option<&Regex> {
        self.value_regex
            .get_or_init(|| {
                if self.spec.value_patterns.is_empty() {
                    return Ok(None);
                }
                let anchored: Vec<String> = self
                    .spec
                    .value_patterns
                    .iter()
                    .map(|p| format!("(?:{p})$"))
                    .collect();
                compile(&anchored).map(Some)
            })
            .as_ref()
            .ok()
            .and_then(Option::as_ref)
    }
}

fn word_automaton(words: &[String]) -> Option<AhoCorasick> {
    if words.is_empty() {
        return None;
    }
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(AcMatchKind::LeftmostLongest)
        .build(words)
        .ok()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Finds the first word of `ac` in `text` that stands as a whole word.
fn find_word(ac: &AhoCorasick, text: &[u8]) -> Option<u16> {
    // Around a whole-cell value the text either side is usually empty: skip the search.
    if text.len() < ac.min_pattern_len() {
        return None;
    }
    ac.find_iter(text)
        .find(|m| stands_alone(text, m.start(), m.end()))
        .map(|m| m.pattern().as_u32() as u16)
}

/// Whether `hay[s..e]` is not glued to a neighbouring word character at a word-character end
/// (`card` in "card:" but not in "discard"; `e-mail` anywhere its ends allow).
fn stands_alone(hay: &[u8], s: usize, e: usize) -> bool {
    let before = s.checked_sub(1).map(|i| hay[i]);
    let after = hay.get(e).copied();
    let glued_before = is_word_byte(hay[s]) && before.is_some_and(is_word_byte);
    let glued_after = is_word_byte(hay[e - 1]) && after.is_some_and(is_word_byte);
    !glued_before && !glued_after
}

/// The byte window around `[s, e)`, at most `window` either side, within the line.
fn line_window(hay: &[u8], s: usize, e: usize, window: usize) -> (usize, usize) {
    let lo = s.saturating_sub(window);
    let ws = memchr::memrchr(b'\n', &hay[lo..s]).map_or(lo, |p| lo + p + 1);
    let hi = (e + window).min(hay.len());
    let we = memchr::memchr(b'\n', &hay[e..hi]).map_or(hi, |p| e + p);
    (ws, we)
}

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
    status: Vec<HintStatus>,
    /// Detectors whose patterns should run on the whole value because of the name.
    hinted: Vec<DetectorIdx>,
    /// Recipient-catalog column literals this name matches.
    recipients: Vec<u16>,
    /// The name says where traffic came from (`referrer`).
    inbound: bool,
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
        let (literals, literal_entries) = build_literals(&detectors, &recipient_literals)
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
        let taxonomy = Taxonomy::builtin().map_err(|e| RuleErrors(vec![e]))?;
        let catalog = Catalog::builtin().map_err(|e| RuleErrors(vec![e]))?;
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

    /// A new per-thread scanner (with a warm cache from an earlier scanner when there
    /// is one).
    pub fn scanner(&self) -> Scanner<'_> {
        let pooled = self.cache_pool.lock().ok().and_then(|mut pool| pool.pop());
        let (main, detector_caches) = match pooled {
            Some((main, detectors)) => (Some(main), detectors),
            None => (None, DetectorCaches::default()),
        };
        Scanner {
            engine: self,
            cache: main
                .or_else(|| self.main().map(Regex::create_cache))
                .map(Box::new),
            detector_caches,
            recent: Vec::new(),
            recent_set: std::collections::HashSet::new(),
            spans: Vec::new(),
            last_recipient: (u16::MAX, 0),
            value_bounds: (usize::MAX, 0),
            whole_types: Vec::new(),
            covered: Vec::new(),
        }
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
                _ => self.names.is_name_token(cand),
            },
        }
    }
}

/// Whether `hay[s..]` starts inside the authority (user-info, host, port) of a URL: a
/// `scheme://` earlier in the same token with no `/`, `?`, `#`, `=` or `&` between it
/// and `s`. Looks back at most 256 bytes.
fn in_url_authority(hay: &[u8], s: usize) -> bool {
    let from = s.saturating_sub(256);
    let before = &hay[from..s];
    let token_start = before
        .iter()
        .rposition(|&b| {
            b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'<' | b'>' | b'(' | b')' | b',')
        })
        .map_or(0, |p| p + 1);
    let token = &before[token_start..];
    match memchr::memmem::rfind(token, b"://") {
        Some(p) => !token[p + 3..]
            .iter()
            .any(|&b| matches!(b, b'/' | b'?' | b'#' | b'=' | b'&')),
        None => false,
    }
}

/// Compiles one spec's parts (everything but `spec` and `file`), or says what is wrong.
fn compile_detector(
    spec: &DetectorSpec,
    taxonomy: &Taxonomy,
    data_types: &[String],
) -> Result<CompiledDetector, Vec<String>> {
    let mut errs = Vec::new();
    if spec.id.is_empty()
        || !spec
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    {
        errs.push("id must be non-empty lowercase letters, digits, '_' or '-'".to_string());
    }
    let type_idx = data_types.iter().position(|t| *t == spec.data_type);
    if type_idx.is_none() {
        errs.push(format!(
            "unknown data_type `{}` (not in taxonomy.toml)",
            spec.data_type
        ));
    }
    let validator = match &spec.validator {
        Some(name) => match Validator::from_name(name) {
            Some(v) => Some(v),
            None => {
                errs.push(format!("unknown validator `{name}`"));
                None
            }
        },
        None => None,
    };
    let mask_name = spec
        .mask
        .clone()
        .or_else(|| taxonomy.get(&spec.data_type).map(|t| t.mask.clone()))
        .unwrap_or_else(|| "full".into());
    let mask = MaskStyle::from_name(&mask_name).unwrap_or_else(|| {
        errs.push(format!("unknown mask `{mask_name}`"));
        MaskStyle::Full
    });
    if !(0.0..=1.0).contains(&spec.confidence) {
        errs.push(format!("confidence {} is outside 0.0–1.0", spec.confidence));
    }
    // Syntax is checked now (fast, with the parser's own message); the matchers are
    // compiled on first use.
    for (i, p) in spec.patterns.iter().enumerate() {
        match check_syntax(p) {
            Ok(true) => errs.push(format!("pattern {} matches the empty string", i + 1)),
            Ok(false) => {}
            Err(e) => errs.push(format!("pattern {} does not compile: {e}", i + 1)),
        }
    }
    for (i, p) in spec.value_patterns.iter().enumerate() {
        if let Err(e) = check_syntax(p) {
            errs.push(format!("value pattern {} does not compile: {e}", i + 1));
        }
    }
    let gate = match spec.kind {
        DetectorKind::Column => {
            if !spec.patterns.is_empty() || !spec.value_patterns.is_empty() {
                errs.push("a column detector has no patterns (use kind = \"pattern\")".into());
            }
            if spec.column_hints.is_empty() && spec.values.is_empty() {
                errs.push("a column detector needs column_hints or values".into());
            }
            Gate::NameOnly
        }
        DetectorKind::Pattern => {
            if spec.patterns.is_empty() && spec.value_patterns.is_empty() {
                errs.push("needs at least one of patterns or value_patterns".into());
            }
            if !spec.value_patterns.is_empty() && spec.column_hints.is_empty() {
                errs.push(
                    "value_patterns are only used under column_hints, and there are none".into(),
                );
            }
            if spec.requires_context {
                if spec.context.is_empty() && !spec.patterns.is_empty() {
                    errs.push("requires_context = true needs context words".into());
                }
                Gate::Context
            } else if !spec.prefilter.is_empty() {
                Gate::Prefilter
            } else {
                Gate::Free
            }
        }
    };
    if spec.prefilter.iter().any(String::is_empty) || spec.context.iter().any(String::is_empty) {
        errs.push("empty prefilter or context word".into());
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(CompiledDetector {
        spec: spec.clone(),
        file: String::new(),
        type_idx: type_idx.unwrap_or(0) as u16,
        validator,
        mask,
        gate,
        patterns: OnceLock::new(),
        value_regex: OnceLock::new(),
        context: word_automaton(&spec.context),
        negative: word_automaton(&spec.negative_context),
        hints: spec.column_hints.iter().map(|h| Hint::new(h)).collect(),
        excludes: spec.column_exclude.iter().map(|h| Hint::new(h)).collect(),
        values: spec
            .values
            .iter()
            .map(|v| v.trim().to_ascii_lowercase().into_bytes())
            .collect(),
    })
}

/// The literal automaton and, per literal, what it stands for and whether it is
/// word-bounded.
type LiteralMatcher = (Option<AhoCorasick>, Vec<(LiteralEntry, bool)>);

/// The literal matcher: trigger and recipient literals as one case-insensitive
/// Aho-Corasick DFA, leftmost-first with triggers before recipients and longer literals
/// first: `card number` wins over `card` where both start, and a trigger (`xox`) over a
/// recipient key prefix (`xoxb-`) at the same place.
fn build_literals(
    detectors: &[CompiledDetector],
    recipients: &[RecipientLiteral],
) -> Result<LiteralMatcher, String> {
    let mut words: Vec<String> = Vec::new();
    let mut entries: Vec<(LiteralEntry, bool)> = Vec::new();
    for ((word, bounded), targets) in trigger_literals(detectors) {
        // A context phrase matches with a blank, '_' or '-' between its words
        // (`social security`, `social_security`, `social-security`).
        for sep in [" ", "_", "-"] {
            let variant = word.replace(' ', sep);
            if sep != " " && variant == word {
                continue;
            }
            words.push(variant);
            entries.push((LiteralEntry::Trigger(targets.clone()), bounded));
        }
    }
    // Recipient literals last, longest first (`api.stripe.com` before `stripe.com`).
    let mut recipient_order: Vec<usize> = (0..recipients.len())
        .filter(|&i| recipients[i].kind != RecipientKind::Column)
        .collect();
    recipient_order.sort_by_key(|&i| std::cmp::Reverse(recipients[i].text.len()));
    for i in recipient_order {
        words.push(recipients[i].text.to_ascii_lowercase());
        entries.push((LiteralEntry::Recipient(i as u16), false));
    }
    if words.is_empty() {
        return Ok((None, entries));
    }
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(AcMatchKind::LeftmostFirst)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&words)
        .map_err(|e| e.to_string())?;
    Ok((Some(ac), entries))
}

/// The main matcher's patterns (every free pattern, in priority order), the detector
/// of each, and its index among that detector's patterns.
fn main_patterns(detectors: &[CompiledDetector]) -> (Vec<String>, Vec<DetectorIdx>, Vec<u16>) {
    let mut patterns = Vec::new();
    let mut entries = Vec::new();
    let mut local = Vec::new();
    for (i, d) in detectors.iter().enumerate() {
        if d.gate == Gate::Free {
            for (k, p) in d.spec.patterns.iter().enumerate() {
                patterns.push(p.clone());
                entries.push(i as DetectorIdx);
                local.push(k as u16);
            }
        }
    }
    (patterns, entries, local)
}

/// Trigger literals (context words of gated detectors, prefilter literals), lower-cased,
/// longest first, each with the detectors it runs. Where a literal contains another, it
/// triggers that one's detectors too: only the longer one is reported where both match,
/// and the window around it covers the shorter one's occurrence as well.
fn trigger_literals(detectors: &[CompiledDetector]) -> Vec<(TriggerKey, Vec<TriggerTarget>)> {
    // One entry per literal: a word that is one detector's context word and another's
    // prefilter literal (`address`) must trigger both (two entries with the same text
    // would leave the second unreachable in a leftmost-first automaton). Whether it
    // must stand as a word is decided after merging: only when all its targets are
    // context words.
    let mut triggers: BTreeMap<String, Vec<TriggerTarget>> = BTreeMap::new();
    for (i, d) in detectors.iter().enumerate() {
        match d.gate {
            Gate::Context if !d.spec.patterns.is_empty() => {
                for (w, word) in d.spec.context.iter().enumerate() {
                    triggers
                        .entry(word.to_ascii_lowercase())
                        .or_default()
                        .push((i as DetectorIdx, Some(w as u16)));
                }
            }
            Gate::Prefilter => {
                for lit in &d.spec.prefilter {
                    triggers
                        .entry(lit.to_ascii_lowercase())
                        .or_default()
                        .push((i as DetectorIdx, None));
                }
            }
            _ => {}
        }
    }
    let mut triggers: Vec<(String, Vec<TriggerTarget>)> = triggers.into_iter().collect();
    triggers.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    let merged: Vec<Vec<TriggerTarget>> = triggers
        .iter()
        .map(|(word, targets)| {
            let mut all = targets.clone();
            for (other, more) in &triggers {
                if other.len() < word.len() && word.contains(other.as_str()) {
                    for t in more {
                        if !all.iter().any(|(d, _)| *d == t.0) {
                            all.push(*t);
                        }
                    }
                }
            }
            all
        })
        .collect();
    triggers
        .into_iter()
        .zip(merged)
        .map(|((word, _), targets)| {
            let bounded = targets.iter().all(|(_, w)| w.is_some());
            ((word, bounded), targets)
        })
        .collect()
}

/// Flattens the catalog into literals (domains, key prefixes, markers) and column hints.
fn compile_catalog(catalog: &Catalog) -> (Vec<RecipientLiteral>, Vec<(Hint, u16)>) {
    let mut literals = Vec::new();
    let mut columns = Vec::new();
    for (v, vendor) in catalog.vendors.iter().enumerate() {
        let v = v as u16;
        let groups = [
            (RecipientKind::Domain, &vendor.domains),
            (RecipientKind::KeyPrefix, &vendor.key_prefixes),
            (RecipientKind::Marker, &vendor.markers),
            (RecipientKind::Column, &vendor.columns),
        ];
        for (kind, list) in groups {
            for text in list.iter().filter(|t| t.len() >= 2) {
                if kind == RecipientKind::Column {
                    columns.push((Hint::new(text), literals.len() as u16));
                }
                literals.push(RecipientLiteral {
                    vendor: v,
                    kind,
                    text: text.clone(),
                });
            }
        }
    }
    (literals, columns)
}

/// Whether a recipient literal found at `[s, e)` stands on the right boundaries: a domain
/// on label boundaries (`stripe.com` in `api.stripe.com`, never `x.com` in `dropbox.com`),
/// a key prefix at the start of a token, a marker as a whole word.
fn recipient_boundary_ok(kind: RecipientKind, hay: &[u8], s: usize, e: usize) -> bool {
    let before = s.checked_sub(1).map(|i| hay[i]);
    let after = hay.get(e).copied();
    let hostish = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    match kind {
        RecipientKind::Domain => !before.is_some_and(hostish) && !after.is_some_and(hostish),
        RecipientKind::KeyPrefix => !before.is_some_and(is_word_byte),
        RecipientKind::Marker => stands_alone(hay, s, e),
        RecipientKind::Column => false,
    }
}

/// Per-thread scanning state: the main regex cache and a little scratch space.
pub struct Scanner<'e> {
    engine: &'e Engine,
    /// Boxed: it is taken out and put back around every search, and the cache itself
    /// is about a kilobyte (moving it by value was a tenth of a table scan's time).
    cache: Option<Box<meta::Cache>>,
    /// Caches of the detectors' own regexes.
    detector_caches: DetectorCaches,
    /// (type_idx, start) of findings reported recently, to report a value once even
    /// when several triggers or stages find it; `(REJECTED | detector, start)` of
    /// candidates a validator rejected.
    recent: Vec<(u16, usize)>,
    /// `recent` as a set once it holds more than [`RECENT_LINEAR`] entries: a big text
    /// with a finding on every line would otherwise make each lookup a long scan
    /// (quadratic in the findings of one haystack).
    recent_set: std::collections::HashSet<(u16, usize)>,
    /// Spans of the values reported by the free-pattern pass of the current haystack
    /// (in order), so the literal pass skips literals inside them.
    spans: Vec<(usize, usize)>,
    /// (vendor, end) of the last recipient sighting, to count nested literals once.
    last_recipient: (u16, usize),
    /// The trimmed value's span in [`Scanner::scan_value`] (empty for text), and the data
    /// types with a finding spanning all of it.
    value_bounds: (usize, usize),
    whole_types: Vec<u16>,
    /// Gated detectors whose patterns a trigger already ran over the whole haystack:
    /// a hinted value need not run them again (the trigger's run had at least the
    /// same evidence).
    covered: Vec<DetectorIdx>,
}

impl Drop for Scanner<'_> {
    fn drop(&mut self) {
        if let Some(cache) = self.cache.take() {
            if let Ok(mut pool) = self.engine.cache_pool.lock() {
                if pool.len() < CACHE_POOL_MAX {
                    pool.push((*cache, std::mem::take(&mut self.detector_caches)));
                }
            }
        }
    }
}

impl<'e> Scanner<'e> {
    /// The engine this scanner belongs to.
    pub fn engine(&self) -> &'e Engine {
        self.engine
    }

    /// Scans free text (a line, a chunk of lines, a document). Findings' offsets are
    /// relative to `hay`.
    pub fn scan_text(&mut self, hay: &[u8], sink: &mut dyn FindingSink) {
        self.forget_recent();
        self.value_bounds = (usize::MAX, 0);
        self.scan_main(hay, None, sink);
    }

    /// Scans one value of a named column or field: free text detection, plus the
    /// detectors the name hints at, which may also run their whole-value patterns.
    pub fn scan_value(&mut self, value: &[u8], field: &FieldContext, sink: &mut dyn FindingSink) {
        self.forget_recent();
        let trimmed = value.trim_ascii();
        let offset = trimmed.as_ptr() as usize - value.as_ptr() as usize;
        self.value_bounds = (offset, offset + trimmed.len());
        self.scan_main(value, Some(field), sink);
        let engine = self.engine;
        for &det in field.hinted() {
            let d = engine.detector(det);
            // The whole value is already a finding of this type (a phone column's
            // value found by one phone detector): the type's other detectors could
            // only find it again.
            if self.whole_types.contains(&d.type_idx) {
                continue;
            }
            if matches!(d.gate, Gate::Context | Gate::Prefilter) && !self.covered.contains(&det) {
                self.run_patterns(det, value, 0, value.len(), None, Some(field), sink);
            }
            if let Some(re) = d.value_regex() {
                if trimmed.is_empty() || self.seen(d.type_idx, offset) {
                    continue;
                }
                let mut cache = self.detector_caches.take_value(det, re);
                let found = re
                    .search_with(&mut cache, &Input::new(trimmed).anchored(Anchored::Yes))
                    .is_some();
                self.detector_caches.put_value(det, cache);
                if found {
                    self.evaluate(
                        det,
                        value,
                        offset,
                        offset + trimmed.len(),
                        Via::ValuePattern,
                        None,
                        Some(field),
                        sink,
                    );
                }
            }
        }
    }

    /// Whether the whole (trimmed) `value` matches `det`'s whole-value patterns and passes
    /// its validator, without reporting anything: how a column under a neutral name is
    /// recognised as a column of names.
    pub fn whole_value_matches(&mut self, det: DetectorIdx, value: &[u8]) -> bool {
        let value = value.trim_ascii();
        let engine = self.engine;
        let d = engine.detector(det);
        let (Some(re), Some(v)) = (d.value_regex(), d.validator) else {
            return false;
        };
        let mut cache = self.detector_caches.take_value(det, re);
        let found = re
            .search_with(&mut cache, &Input::new(value).anchored(Anchored::Yes))
            .is_some();
        self.detector_caches.put_value(det, cache);
        found && engine.validate(v, value)
    }

    fn seen(&self, type_idx: u16, start: usize) -> bool {
        if self.recent.len() <= RECENT_LINEAR {
            self.recent
                .iter()
                .any(|&(t, s)| t == type_idx && s == start)
        } else {
            self.recent_set.contains(&(type_idx, start))
        }
    }

    fn remember(&mut self, type_idx: u16, start: usize) {
        self.recent.push((type_idx, start));
        if self.recent.len() > RECENT_LINEAR {
            if self.recent_set.is_empty() {
                self.recent_set.extend(self.recent.iter().copied());
            } else {
                self.recent_set.insert((type_idx, start));
            }
        }
    }

    fn forget_recent(&mut self) {
        self.recent.clear();
        self.whole_types.clear();
        if !self.recent_set.is_empty() {
            self.recent_set.clear();
        }
    }

    /// The two passes over one haystack: free patterns, then literals.
    fn scan_main(&mut self, hay: &[u8], field: Option<&FieldContext>, sink: &mut dyn FindingSink) {
        self.spans.clear();
        self.covered.clear();
        self.last_recipient = (u16::MAX, 0);
        self.scan_patterns(hay, field, sink);
        self.scan_literals(hay, field, sink);
    }

    /// Pass 1: the free patterns, leftmost-first, each candidate scored on the spot.
    fn scan_patterns(
        &mut self,
        hay: &[u8],
        field: Option<&FieldContext>,
        sink: &mut dyn FindingSink,
    ) {
        let engine = self.engine;
        let Some(main) = engine.main() else {
            return;
        };
        // The cache is moved out for the loop so the stage methods can borrow `self`.
        let Some(mut cache) = self.cache.take() else {
            return;
        };
        let mut at = 0;
        while at < hay.len() {
            let Some(m) = main.search_with(&mut cache, &Input::new(hay).range(at..)) else {
                break;
            };
            let (s, e) = (m.start(), m.end());
            let det = engine.main_entries[m.pattern().as_usize()];
            let next = if self.evaluate(det, hay, s, e, Via::Pattern, None, field, sink) {
                self.spans.push((s, e));
                e
            } else {
                // The failed token is "not this": resume after it, so an inner piece (4
                // of the 9 parts of an OID) is not re-read as an IP. But another free
                // detector may claim the same start.
                match self.retry_at(det, m.pattern(), hay, s, field, sink) {
                    Some(end) => {
                        self.spans.push((s, end));
                        end
                    }
                    None => engine.resume_after_reject(det, hay, s, e),
                }
            };
            at = next.max(s + 1);
        }
        self.cache = Some(cache);
    }

    /// Pass 2: trigger and recipient literals, outside the values pass 1 reported.
    fn scan_literals(
        &mut self,
        hay: &[u8],
        field: Option<&FieldContext>,
        sink: &mut dyn FindingSink,
    ) {
        let engine = self.engine;
        let Some(lits) = engine.literals.as_ref() else {
            return;
        };
        let mut at = 0;
        let mut span = 0;
        while at < hay.len() {
            let Some(m) = lits.find(aho_corasick::Input::new(hay).range(at..)) else {
                break;
            };
            let (s, e) = (m.start(), m.end());
            let (entry, bounded) = &engine.literal_entries[m.pattern().as_usize()];
            let glued = matches!(entry, LiteralEntry::Trigger(_)) && !stands_alone(hay, s, e);
            if *bounded && glued {
                // Glued to a word ("card" in "discard"): a shorter literal may still
                // start inside it.
                at = s + 1;
                continue;
            }
            while span < self.spans.len() && self.spans[span].1 <= s {
                span += 1;
            }
            if let Some(&(ss, se)) = self.spans.get(span) {
                if ss <= s && e <= se {
                    // Inside a reported value a literal is part of it (a vendor domain in
                    // an email, a context word in a user agent), but a prefilter literal
                    // can still start a value of another type there: the operator's
                    // contact address inside a crawler's user agent.
                    if let LiteralEntry::Trigger(targets) = entry {
                        self.run_triggered(targets, true, hay, s, e, field, sink);
                    }
                    at = e;
                    continue;
                }
            }
            if glued {
                // A literal that is both a context word and a prefilter literal
                // (`address`), glued to a word: only its prefilter detectors run.
                if let LiteralEntry::Trigger(targets) = entry {
                    self.run_triggered(targets, true, hay, s, e, field, sink);
                }
                at = e;
                continue;
            }
            self.handle_literal(entry, hay, s, e, field, sink);
            // A trigger may start inside a recipient literal (`_test_` in `sk_test_`);
            // a trigger's window already covered its own neighbourhood.
            at = match entry {
                LiteralEntry::Recipient(_) => s + 1,
                LiteralEntry::Trigger(_) => e,
            };
        }
    }

    /// Handles a trigger or recipient literal found at `[s, e)`.
    fn handle_literal(
        &mut self,
        entry: &LiteralEntry,
        hay: &[u8],
        s: usize,
        e: usize,
        field: Option<&FieldContext>,
        sink: &mut dyn FindingSink,
    ) {
        let engine = self.engine;
        match entry {
            LiteralEntry::Recipient(lit) => {
                let literal = &engine.recipient_literals[*lit as usize];
                // `api.stripe.com` also contains `stripe.com`: one sighting, not two.
                let inside_last =
                    s < self.last_recipient.1 && literal.vendor == self.last_recipient.0;
                if !inside_last && recipient_boundary_ok(literal.kind, hay, s, e) {
                    sink.recipient(
                        hay,
                        &RecipientHit {
                            literal: *lit,
                            start: s,
                            end: e,
                        },
                    );
                    self.last_recipient = (literal.vendor, e);
                }
            }
            LiteralEntry::Trigger(targets) => {
                self.run_triggered(targets, false, hay, s, e, field, sink);
            }
        }
    }

    /// Runs the detectors a trigger literal at `[s, e)` stands for around it (only the
    /// prefilter ones when `prefilter_only`: see [`Scanner::scan_literals`]).
    #[allow(clippy::too_many_arguments)]
    fn run_triggered(
        &mut self,
        targets: &[TriggerTarget],
        prefilter_only: bool,
        hay: &[u8],
        s: usize,
        e: usize,
        field: Option<&FieldContext>,
        sink: &mut dyn FindingSink,
    ) {
        let engine = self.engine;
        for &(det, word) in targets {
            let d = engine.detector(det);
            if prefilter_only && d.gate != Gate::Prefilter {
                continue;
            }
            // A prefilter literal sits inside the value (the '@' of an email): give the
            // detector's regex the whole neighbourhood of the line.
            let window = if d.gate == Gate::Prefilter {
                d.spec.window.max(256)
            } else {
                d.spec.window
            };
            let (ws, we) = line_window(hay, s, e, window.max(e - s));
            self.run_patterns(det, hay, ws, we, word, field, sink);
            if ws == 0 && we == hay.len() && !self.covered.contains(&det) {
                self.covered.push(det);
            }
        }
    }

    /// After a free candidate failed, tries the other free detectors anchored at the same
    /// start: one every-match search of all free patterns says which could match there,
    /// and only those run (the failed detector's own patterns do not).
    fn retry_at(
        &mut self,
        failed: DetectorIdx,
        failed_pattern: regex_automata::PatternID,
        hay: &[u8],
        s: usize,
        field: Option<&FieldContext>,
        sink: &mut dyn FindingSink,
    ) -> Option<usize> {
        let engine = self.engine;
        let retry = engine.retry()?;
        let (mut cache, mut set) = self.detector_caches.retry.take().unwrap_or_else(|| {
            (
                Box::new(retry.create_cache()),
                PatternSet::new(retry.pattern_len()),
            )
        });
        set.clear();
        retry.which_overlapping_matches_with(
            &mut cache,
            &Input::new(hay).range(s..).anchored(Anchored::Yes),
            &mut set,
        );
        let mut claimed = None;
        // Usually only the failed pattern itself matched there: nothing to try.
        let others = !(set.len() == 1 && set.contains(failed_pattern));
        for pid in set.iter().filter(|_| others) {
            let det = engine.main_entries[pid.as_usize()];
            if det == failed {
                continue;
            }
            let i = engine.main_local[pid.as_usize()] as usize;
            let Some(re) = engine.detector(det).patterns().get(i) else {
                continue;
            };
            let mut pattern_cache = self.detector_caches.take_pattern(det, i, re);
            let found = re.search_with(
                &mut pattern_cache,
                &Input::new(hay).range(s..).anchored(Anchored::Yes),
            );
            self.detector_caches.put_pattern(det, i, pattern_cache);
            if let Some(m) = found {
                if self.evaluate(
                    det,
                    hay,
                    m.start(),
                    m.end(),
                    Via::Pattern,
                    None,
                    field,
                    sink,
                ) {
                    claimed = Some(m.end());
                    break;
                }
            }
        }
        self.detector_caches.retry = Some((cache, set));
        claimed
    }

    /// Runs one detector's own patterns over `hay[ws..we]`.
    #[allow(clippy::too_many_arguments)]
    fn run_patterns(
        &mut self,
        det: DetectorIdx,
        hay: &[u8],
        ws: usize,
        we: usize,
        word: Option<u16>,
        field: Option<&FieldContext>,
        sink: &mut dyn FindingSink,
    ) {
        let d = self.engine.detector(det);
        for (i, re) in d.patterns().iter().enumerate() {
            let mut cache = self.detector_caches.take_pattern(det, i, re);
            let mut at = ws;
            while at < we {
                let Some(m) = re.search_with(&mut cache, &Input::new(hay).range(at..we)) else {
                    break;
                };
                let found = self.evaluate(
                    det,
                    hay,
                    m.start(),
                    m.end(),
                    Via::Pattern,
                    word,
                    field,
                    sink,
                );
                let next = if found {
                    m.end()
                } else {
                    self.engine
                        .resume_after_reject(det, hay, m.start(), m.end())
                };
                at = next.max(m.start() + 1);
            }
            self.detector_caches.put_pattern(det, i, cache);
        }
    }

    /// Scores one candidate through the stages; reports it if it passes. Returns
    /// whether it was reported (or had already been).
    #[allow(clippy::too_many_arguments)]
    fn evaluate(
        &mut self,
        det: DetectorIdx,
        hay: &[u8],
        s: usize,
        e: usize,
        via: Via,
        trigger_word: Option<u16>,
        field: Option<&FieldContext>,
        sink: &mut dyn FindingSink,
    ) -> bool {
        let engine = self.engine;
        let d = engine.detector(det);
        if self.seen(d.type_idx, s) {
            return true;
        }
        let hint = field.map_or(HintStatus::None, |f| f.status(det));
        if hint == HintStatus::Excluded {
            return false;
        }
        if d.spec.not_in_url_authority && in_url_authority(hay, s) {
            return false;
        }
        let cand = &hay[s..e];
        // Stage 2: validator. A rejection is remembered, so a candidate that several
        // trigger windows cover is rejected (and counted) once.
        if let Some(v) = d.validator {
            let rejected_key = REJECTED | det;
            if self.seen(rejected_key, s) {
                return false;
            }
            if !engine.validate(v, cand) {
                self.remember(rejected_key, s);
                sink.rejected(det);
                return false;
            }
        }
        // Stage 3: context, on the same line, outside the candidate itself.
        let (ws, we) = line_window(hay, s, e, d.spec.window);
        if let Some(neg) = &d.negative {
            if find_word(neg, &hay[ws..s]).is_some() || find_word(neg, &hay[e..we]).is_some() {
                return false;
            }
        }
        let context_word = trigger_word.or_else(|| {
            let ac = d.context.as_ref()?;
            find_word(ac, &hay[ws..s]).or_else(|| find_word(ac, &hay[e..we]))
        });
        // Stage 4: name hint.
        let name_hint = hint == HintStatus::Hinted;
        if d.spec.requires_context && context_word.is_none() && !name_hint {
            return false;
        }
        let evidence = Evidence {
            via,
            base: d.spec.confidence,
            validator: d.validator,
            context_word,
            name_hint,
        };
        let confidence = evidence.confidence();
        // Stage 5: threshold.
        if confidence < engine.threshold {
            return false;
        }
        let finding = Finding {
            detector: det,
            start: s,
            end: e,
            confidence,
            evidence,
            mask: d.mask,
        };
        self.remember(d.type_idx, s);
        if (s, e) == self.value_bounds {
            self.whole_types.push(d.type_idx);
        }
        sink.finding(hay, &finding);
        true
    }
}

#[cfg(test)]
mod tests;
