//! Compiling rule specs into matchers: syntax checks, each detector's own regexes
//! (compiled on first use), the main multi-pattern regex's pattern list, and the
//! literal automaton of trigger words, prefilter literals and recipient literals.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind as AcMatchKind};
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::MatchKind;

use super::hint::Hint;
use super::{
    CompiledDetector, DetectorIdx, Gate, LiteralEntry, RecipientKind, RecipientLiteral, TriggerKey,
    TriggerTarget, WordAutomaton,
};
use crate::knowledge::Catalog;
use crate::mask::MaskStyle;
use crate::rules::{DetectorKind, DetectorSpec};
use crate::taxonomy::Taxonomy;
use crate::validate::Validator;

pub(super) fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

pub(super) fn compile(patterns: &[String]) -> Result<Regex, String> {
    compile_as(patterns, MatchKind::LeftmostFirst)
}

pub(super) fn compile_as(patterns: &[String], kind: MatchKind) -> Result<Regex, String> {
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
pub(super) fn check_syntax(pattern: &str) -> Result<bool, String> {
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
    pub(super) fn patterns(&self) -> &[Regex] {
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
    pub(super) fn value_regex(&self) -> Option<&Regex> {
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

pub(super) fn word_automaton(words: &[String]) -> Option<WordAutomaton> {
    if words.is_empty() {
        return None;
    }
    let mut spellings = Vec::new();
    let mut of = Vec::new();
    for (i, word) in words.iter().enumerate() {
        for spelling in phrase_spellings(word) {
            if !spellings.contains(&spelling) {
                spellings.push(spelling);
                of.push(i as u16);
            }
        }
    }
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(AcMatchKind::LeftmostLongest)
        .build(&spellings)
        .ok()?;
    Some(WordAutomaton { ac, of })
}

/// The spellings a context phrase is matched in: its words joined by a blank, `_`, `-`
/// or nothing (`social security`, `social_security`, `social-security`, `socialSecurity`
/// and `SOCIALSECURITY`, since matching ignores case), however the rule wrote it. A
/// literal with a separator at an end (`_live_`, `-----BEGIN `) is kept as written.
pub(super) fn phrase_spellings(word: &str) -> Vec<String> {
    let parts: Vec<&str> = word.split([' ', '_', '-']).collect();
    if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
        return vec![word.to_string()];
    }
    let mut out = vec![word.to_string()];
    for sep in [" ", "_", "-", ""] {
        let spelling = parts.join(sep);
        if !out.contains(&spelling) {
            out.push(spelling);
        }
    }
    out
}

/// Compiles one spec's parts (everything but `spec` and `file`), or says what is wrong.
pub(super) fn compile_detector(
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
    match spec.column_min_pass_rate {
        Some(r) if !(0.0..=1.0).contains(&r) => {
            errs.push(format!("column_min_pass_rate {r} is outside 0.0–1.0"))
        }
        Some(_) if spec.validator.is_none() => {
            errs.push("column_min_pass_rate needs a validator".into())
        }
        _ => {}
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

/// The literal automaton, per literal what it stands for and whether it is
/// word-bounded, and the bytes of which every literal holds at least one
/// ([`literal_bytes`]).
pub(super) type LiteralMatcher = (Option<AhoCorasick>, Vec<(LiteralEntry, bool)>, ByteSet);

/// A set of bytes, as a table.
pub(super) type ByteSet = [bool; 256];

/// Bytes of which every literal holds at least one, either case: the ASCII letters, plus
/// one byte of each literal without a letter (`@`, `:` of `://`, `+`, the first byte of a
/// CJK context word). A value with none of them cannot hold a literal, so the literal
/// pass skips it: the numbers, dates, amounts and codes of a table's cells.
pub(super) fn literal_bytes(words: &[String]) -> ByteSet {
    let mut set = [false; 256];
    let add = |set: &mut ByteSet, b: u8| {
        set[usize::from(b.to_ascii_lowercase())] = true;
        set[usize::from(b.to_ascii_uppercase())] = true;
    };
    for b in b'a'..=b'z' {
        add(&mut set, b);
    }
    for w in words {
        if !w.bytes().any(|b| set[usize::from(b)]) {
            if let Some(&b) = w.as_bytes().first() {
                add(&mut set, b);
            }
        }
    }
    set
}

/// The literal matcher: trigger and recipient literals as one case-insensitive
/// Aho-Corasick DFA, leftmost-first with triggers before recipients and longer literals
/// first: `card number` wins over `card` where both start, and a trigger (`xox`) over a
/// recipient key prefix (`xoxb-`) at the same place.
pub(super) fn build_literals(
    detectors: &[CompiledDetector],
    recipients: &[RecipientLiteral],
) -> Result<LiteralMatcher, String> {
    let mut words: Vec<String> = Vec::new();
    let mut entries: Vec<(LiteralEntry, bool)> = Vec::new();
    // A spelling two trigger words share (`e-mail` joined is `email`) is one entry with
    // the targets of both: a second entry would be unreachable in a leftmost-first
    // automaton. Longest first, as `trigger_literals` orders the words.
    let mut spellings: BTreeMap<String, (Vec<TriggerTarget>, bool)> = BTreeMap::new();
    for ((word, bounded), targets) in trigger_literals(detectors) {
        for spelling in phrase_spellings(&word) {
            let (all, all_bounded) = spellings.entry(spelling).or_insert((Vec::new(), true));
            for t in &targets {
                if !all.contains(t) {
                    all.push(*t);
                }
            }
            *all_bounded &= bounded;
        }
    }
    let mut spellings: Vec<_> = spellings.into_iter().collect();
    spellings.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    for (spelling, (targets, bounded)) in spellings {
        words.push(spelling);
        entries.push((LiteralEntry::Trigger(targets), bounded));
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
        return Ok((None, entries, [false; 256]));
    }
    let bytes = literal_bytes(&words);
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(AcMatchKind::LeftmostFirst)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&words)
        .map_err(|e| e.to_string())?;
    Ok((Some(ac), entries, bytes))
}

/// The main matcher's patterns (every free pattern, in priority order), the detector
/// of each, and its index among that detector's patterns.
pub(super) fn main_patterns(
    detectors: &[CompiledDetector],
) -> (Vec<String>, Vec<DetectorIdx>, Vec<u16>) {
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
pub(super) fn trigger_literals(
    detectors: &[CompiledDetector],
) -> Vec<(TriggerKey, Vec<TriggerTarget>)> {
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
pub(super) fn compile_catalog(catalog: &Catalog) -> (Vec<RecipientLiteral>, Vec<(Hint, u16)>) {
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
