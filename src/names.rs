//! The person-name dictionary: common first and last names from public-domain US
//! Census lists (`rules/names/`), matched with Aho-Corasick.
//!
//! Each list is one anchored, ASCII-case-insensitive automaton: checking a word is one
//! anchored search whose match must cover the whole word, so `MARY`, `Mary` and `mary`
//! all hit without lower-casing into a new buffer. The automata are built on first use,
//! so commands that never look at names (`rules list`) do not pay for them.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

/// First- and last-name lists.
pub struct NameDictionary {
    first_text: &'static str,
    last_text: &'static str,
    first: OnceLock<AhoCorasick>,
    last: OnceLock<AhoCorasick>,
}

impl NameDictionary {
    /// The dictionary from the embedded `rules/names/{first,last}.txt`.
    pub fn builtin() -> Self {
        let first = crate::rules::embedded_text("names/first.txt").unwrap_or("");
        let last = crate::rules::embedded_text("names/last.txt").unwrap_or("");
        Self::from_lists(first, last)
    }

    /// A dictionary from newline-separated lists (used by tests and user packs).
    pub fn from_lists(first_text: &'static str, last_text: &'static str) -> Self {
        NameDictionary {
            first_text,
            last_text,
            first: OnceLock::new(),
            last: OnceLock::new(),
        }
    }

    fn automaton(text: &str) -> AhoCorasick {
        let words = text
            .lines()
            .map(str::trim)
            .filter(|w| w.len() >= 2 && !w.starts_with('#'));
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(words)
            .expect("name lists are plain words")
    }

    fn contains_exact(ac: &AhoCorasick, word: &[u8]) -> bool {
        if word.len() < 2 {
            return false;
        }
        ac.find(Input::new(word).anchored(Anchored::Yes))
            .is_some_and(|m| m.end() == word.len())
    }

    /// Looks a word up as written, without apostrophes (`O'Brien` is listed as `Obrien`),
    /// and part by part when hyphenated (`Smith-Jones`).
    fn contains(ac: &AhoCorasick, word: &[u8]) -> bool {
        if Self::contains_exact(ac, word) {
            return true;
        }
        if word.contains(&b'\'') && word.len() <= 64 {
            let mut buf = [0u8; 64];
            let mut n = 0;
            for &b in word.iter().filter(|&&b| b != b'\'') {
                buf[n] = b;
                n += 1;
            }
            if Self::contains_exact(ac, &buf[..n]) {
                return true;
            }
        }
        word.contains(&b'-')
            && word
                .split(|&b| b == b'-')
                .any(|part| Self::contains_exact(ac, part))
    }

    /// Whether `word` is a known first name.
    pub fn is_first(&self, word: &[u8]) -> bool {
        Self::contains(
            self.first.get_or_init(|| Self::automaton(self.first_text)),
            word,
        )
    }

    /// Whether `word` is a known last name.
    pub fn is_last(&self, word: &[u8]) -> bool {
        Self::contains(
            self.last.get_or_init(|| Self::automaton(self.last_text)),
            word,
        )
    }

    /// "First [M.] Last": the first word a first name and the last word a last name.
    pub fn is_full_name(&self, candidate: &[u8]) -> bool {
        let mut words = candidate
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty());
        let (Some(first), Some(last)) = (words.next(), words.next_back()) else {
            return false;
        };
        self.is_first(first) && self.is_last(last)
    }

    /// A single word from either list (for columns hinted as names).
    pub fn is_name_token(&self, candidate: &[u8]) -> bool {
        let word = candidate.trim_ascii();
        self.is_first(word) || self.is_last(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict() -> NameDictionary {
        NameDictionary::from_lists("Mary\nJohn\nJames\n", "Smith\nJohnson\nSmithson\n")
    }

    #[test]
    fn whole_words_any_case() {
        let d = dict();
        assert!(d.is_first(b"MARY"));
        assert!(d.is_first(b"mary"));
        assert!(!d.is_first(b"Mar"));
        assert!(!d.is_first(b"Maryland"));
        assert!(d.is_last(b"Smithson"));
        assert!(d.is_last(b"Smith"));
    }

    #[test]
    fn full_names_need_both_lists() {
        let d = dict();
        assert!(d.is_full_name(b"John Smith"));
        assert!(d.is_full_name(b"John Q. Smith"));
        assert!(!d.is_full_name(b"Smith John"));
        assert!(!d.is_full_name(b"John"));
        assert!(d.is_name_token(b" JOHNSON "));
        assert!(d.is_full_name(b"Mary Smith-Johnson"));
        let d = NameDictionary::from_lists("Mary\n", "Obrien\n");
        assert!(d.is_full_name(b"Mary O'Brien"));
    }

    #[test]
    fn builtin_lists_are_embedded() {
        let d = NameDictionary::builtin();
        assert!(d.is_first(b"Mary"), "first names list missing");
        assert!(d.is_last(b"Smith"), "last names list missing");
    }
}
