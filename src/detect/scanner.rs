//! Scanning: the per-thread [`Scanner`] with its regex caches and scratch state, the two
//! passes over a haystack (free patterns, then literals) and the staged scoring of each
//! candidate (pattern → validator → context → name hint → threshold).

use regex_automata::meta::{self, Regex};
use regex_automata::{Anchored, Input, PatternSet};

use super::{
    DetectorIdx, Engine, Evidence, FieldContext, Finding, FindingSink, Gate, HintStatus,
    LiteralEntry, RecipientHit, RecipientKind, TriggerTarget, Via, WordAutomaton,
};
use crate::validate::Strength;

/// Up to this many remembered findings, [`Scanner`] looks them up in a list.
pub(super) const RECENT_LINEAR: usize = 32;

/// Marks a remembered validator rejection (by detector) apart from a remembered finding
/// (by data type) in [`Scanner`]'s memory.
pub(super) const REJECTED: u16 = 0x8000;

/// Marks, in [`Scanner`]'s memory, the start of a value a checksum validator proved
/// (a valid BSN): a detector whose validator checks only the shape (an SSN's area and
/// group) does not report the same value as its own type too.
pub(super) const PROVED: u16 = 0x7fff;

/// A scanner's caches for the detectors' own regexes, made on first use and pooled with
/// its main cache. Searching a shared regex without one takes a cache from the regex's
/// own pool, which is a lock and an unlock per search on every thread but the first.
/// Boxed, so taking one out around a search moves a pointer, not a kilobyte.
#[derive(Default)]
pub(super) struct DetectorCaches {
    /// By detector, then pattern.
    patterns: Vec<Vec<Option<Box<meta::Cache>>>>,
    /// By detector: the whole-value regex's.
    values: Vec<Option<Box<meta::Cache>>>,
    /// The retry matcher's cache and the set of patterns it reports.
    retry: Option<(Box<meta::Cache>, PatternSet)>,
}

/// Takes the cache in `slots[i]` out (a new one for `re` the first time).
pub(super) fn take_cache(
    slots: &mut Vec<Option<Box<meta::Cache>>>,
    i: usize,
    re: &Regex,
) -> Box<meta::Cache> {
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
pub(super) const CACHE_POOL_MAX: usize = 64;

pub(super) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Finds the first of `words` in `text` that stands as a whole word: the index of the
/// word, whichever of its spellings matched.
pub(super) fn find_word(words: &WordAutomaton, text: &[u8]) -> Option<u16> {
    let ac = &words.ac;
    // Around a whole-cell value the text either side is usually empty: skip the search.
    if text.len() < ac.min_pattern_len() {
        return None;
    }
    ac.find_iter(text)
        .find(|m| stands_alone(text, m.start(), m.end()))
        .map(|m| words.of[m.pattern().as_usize()])
}

/// Whether `hay[s..e]` is not glued to a neighbouring word character at a word-character end
/// (`card` in "card:" but not in "discard"; `e-mail` anywhere its ends allow).
pub(super) fn stands_alone(hay: &[u8], s: usize, e: usize) -> bool {
    let before = s.checked_sub(1).map(|i| hay[i]);
    let after = hay.get(e).copied();
    let glued_before = is_word_byte(hay[s]) && before.is_some_and(is_word_byte);
    let glued_after = is_word_byte(hay[e - 1]) && after.is_some_and(is_word_byte);
    !glued_before && !glued_after
}

/// The byte window around `[s, e)`, at most `window` either side, within the line.
pub(super) fn line_window(hay: &[u8], s: usize, e: usize, window: usize) -> (usize, usize) {
    let lo = s.saturating_sub(window);
    let ws = memchr::memrchr(b'\n', &hay[lo..s]).map_or(lo, |p| lo + p + 1);
    let hi = (e + window).min(hay.len());
    let we = memchr::memchr(b'\n', &hay[e..hi]).map_or(hi, |p| e + p);
    (ws, we)
}

/// Whether `hay[s..]` starts inside the authority (user-info, host, port) of a URL: a
/// `scheme://` earlier in the same token with no `/`, `?`, `#`, `=` or `&` between it
/// and `s`. Looks back at most 256 bytes.
pub(super) fn in_url_authority(hay: &[u8], s: usize) -> bool {
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

/// Whether a recipient literal found at `[s, e)` stands on the right boundaries: a domain
/// on label boundaries (`stripe.com` in `api.stripe.com`, never `x.com` in `dropbox.com`),
/// a key prefix at the start of a token, a marker as a whole word.
pub(super) fn recipient_boundary_ok(kind: RecipientKind, hay: &[u8], s: usize, e: usize) -> bool {
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
    /// candidates a validator rejected; `(PROVED, start)` of values a checksum proved.
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
        if hay.len() < lits.min_pattern_len()
            || !hay.iter().any(|&b| engine.literal_bytes[usize::from(b)])
        {
            return;
        }
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
                // A plain word that is not an account name made from a person's name is
                // not a user name that failed a check (the decoy signal rejections give
                // a column): it is just a word, so it is not counted.
                if v != crate::validate::Validator::AccountName {
                    sink.rejected(det);
                }
                return false;
            }
            // Another type's checksum proved this value: a shape check cannot outweigh it.
            if v.strength() == Strength::Structural && self.seen(PROVED, s) {
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
        if d.validator
            .is_some_and(|v| v.strength() == Strength::Checksum)
        {
            self.remember(PROVED, s);
        }
        if (s, e) == self.value_bounds {
            self.whole_types.push(d.type_idx);
        }
        sink.finding(hay, &finding);
        true
    }
}

impl Engine {
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
}
