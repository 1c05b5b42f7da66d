//! The person-name dictionary: given names and surnames from open primary sources
//! (`rules/names/`, provenance in `rules/names/SOURCE.md`), and the rules that decide
//! whether a candidate such as `Dr. Patricia Alvarez`, `ALVAREZ, PATRICIA`,
//! `P. Alvarez` or `Zhang Wei` is a person's name.
//!
//! Lookups are case- and accent-insensitive: the lists are stored as lowercase NFC
//! UTF-8, and both the list entries (once, when the sets are built) and each looked-up
//! word (into a stack buffer, no allocation) are folded to lowercase ASCII: `É`/`é` →
//! `e`, `ü` → `u`, `ß` → `ss`, `Ł` → `l`, `Ø` → `o`, `Ş`/`ș` → `s`, combining marks
//! dropped, apostrophes ignored (`O'Brien` → `obrien`). A word with a letter outside
//! ASCII, Latin-1, Latin Extended-A and the Romanian comma letters is not a name. The
//! sets are built on first use, so commands that never look at names do not pay for
//! them.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Longest word (in folded bytes) that is looked up.
const MAX_WORD: usize = 48;

/// Folded words; most list entries are already folded (lower-case ASCII) and are
/// borrowed from the embedded text, so building the sets allocates only for the rest.
type WordSet = HashSet<Cow<'static, [u8]>, foldhash::fast::FixedState>;

/// The three lists, folded.
struct Sets {
    first: WordSet,
    last: WordSet,
    surname_first: WordSet,
}

/// Given-name, surname and surname-first lists.
pub struct NameDictionary {
    first_text: &'static str,
    /// More given names, kept in a list of their own because their licence differs
    /// (`first_ja.txt`, JMnedict's, CC BY-SA).
    more_first_text: &'static str,
    last_text: &'static str,
    surname_first_text: &'static str,
    sets: OnceLock<Sets>,
}

/// Folds Latin-1 letters U+00C0..=U+00FF (index `cp - 0xC0`); `""` for × and ÷.
const LATIN1: [&str; 64] = [
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", // C0
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss", // D0
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", // E0
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y", // F0
];

/// Folds a Latin Extended-A letter (U+0100..=U+017F).
fn fold_ext_a(cp: u32) -> &'static str {
    match cp {
        0x100..=0x105 => "a",
        0x106..=0x10D => "c",
        0x10E..=0x111 => "d",
        0x112..=0x11B => "e",
        0x11C..=0x123 => "g",
        0x124..=0x127 => "h",
        0x128..=0x131 => "i",
        0x132..=0x133 => "ij",
        0x134..=0x135 => "j",
        0x136..=0x138 => "k",
        0x139..=0x142 => "l",
        0x143..=0x14B => "n",
        0x14C..=0x151 => "o",
        0x152..=0x153 => "oe",
        0x154..=0x159 => "r",
        0x15A..=0x161 => "s",
        0x162..=0x167 => "t",
        0x168..=0x173 => "u",
        0x174..=0x175 => "w",
        0x176..=0x178 => "y",
        0x179..=0x17E => "z",
        _ => "s", // U+017F long s
    }
}

/// One word folded as [`fold`] folds it where it is Latin (`Straße` → `strasse`), else
/// lower-cased as Unicode: how a word from outside the dictionary (a column name's, an
/// identifier's) is compared with folded text.
pub fn fold_or_lowercase(word: &str) -> String {
    let mut buf = [0u8; MAX_WORD];
    match fold(word.as_bytes(), &mut buf) {
        Some(folded) if !folded.is_empty() => String::from_utf8_lossy(folded).into_owned(),
        _ => word.to_lowercase(),
    }
}

/// Folds `word` to lowercase ASCII into `buf` (see the module docs). `None` when it
/// holds something that is not a letter, `-` or an apostrophe, or is too long.
pub fn fold<'b>(word: &[u8], buf: &'b mut [u8; MAX_WORD]) -> Option<&'b [u8]> {
    let mut n = 0;
    let mut push = |s: &[u8], n: &mut usize| -> Option<()> {
        let end = *n + s.len();
        buf.get_mut(*n..end)?.copy_from_slice(s);
        *n = end;
        Some(())
    };
    let mut i = 0;
    while i < word.len() {
        let b = word[i];
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'-' => {
                push(&[b.to_ascii_lowercase()], &mut n)?;
                i += 1;
            }
            b'\'' => i += 1,
            0xC3..=0xC8 | 0xCC | 0xCD | 0xE2 if i + 1 < word.len() => {
                let c = word[i + 1];
                if c & 0xC0 != 0x80 {
                    return None;
                }
                if b == 0xE2 {
                    // U+2019 right single quotation mark, as in O’Brien.
                    if word.get(i + 1..i + 3) != Some(&[0x80, 0x99]) {
                        return None;
                    }
                    i += 3;
                    continue;
                }
                let cp = (u32::from(b & 0x1F) << 6) | u32::from(c & 0x3F);
                let s: &str = match cp {
                    0xC0..=0xFF => LATIN1[(cp - 0xC0) as usize],
                    0x100..=0x17F => fold_ext_a(cp),
                    0x218 | 0x219 => "s",
                    0x21A | 0x21B => "t",
                    0x300..=0x36F => {
                        i += 2;
                        continue;
                    }
                    _ => "",
                };
                if s.is_empty() {
                    return None;
                }
                push(s.as_bytes(), &mut n)?;
                i += 2;
            }
            _ => return None,
        }
    }
    Some(&buf[..n])
}

fn build_set(text: &'static str) -> WordSet {
    let lines = text.lines().count();
    let mut set =
        WordSet::with_capacity_and_hasher(lines + lines / 8, foldhash::fast::FixedState::default());
    let mut buf = [0u8; MAX_WORD];
    for w in text.lines().map(str::trim) {
        if w.len() < 2 || w.starts_with('#') {
            continue;
        }
        if let Some(f) = fold(w.as_bytes(), &mut buf) {
            if f.len() >= 2 {
                if f.contains(&b'-') {
                    let joined: Vec<u8> = f.iter().copied().filter(|&b| b != b'-').collect();
                    set.insert(Cow::Owned(joined));
                }
                if f == w.as_bytes() {
                    set.insert(Cow::Borrowed(w.as_bytes()));
                } else {
                    set.insert(Cow::Owned(f.to_vec()));
                }
            }
        }
    }
    set
}

/// Looks a word up folded; a hyphenated word also joined (`Min-jun` → `minjun`) and
/// part by part (`Smith-Jones`).
fn contains(set: &WordSet, word: &[u8]) -> bool {
    let mut buf = [0u8; MAX_WORD];
    let Some(f) = fold(word, &mut buf) else {
        return false;
    };
    if f.len() < 2 {
        return false;
    }
    if set.contains(f) {
        return true;
    }
    if !f.contains(&b'-') {
        return false;
    }
    let mut joined = [0u8; MAX_WORD];
    let mut n = 0;
    for &b in f.iter().filter(|&&b| b != b'-') {
        joined[n] = b;
        n += 1;
    }
    set.contains(&joined[..n])
        || f.split(|&b| b == b'-')
            .filter(|p| p.len() >= 2)
            .any(|p| set.contains(p))
}

/// Honorifics that may precede a name (compared case-insensitively, without the dot).
const TITLES: &[&[u8]] = &[
    b"mr",
    b"mrs",
    b"ms",
    b"mx",
    b"miss",
    b"dr",
    b"prof",
    b"herr",
    b"frau",
    b"mme",
    b"mlle",
    b"sr",
    b"sra",
    b"srta",
    b"dott",
    b"dott.ssa",
    b"dssa",
    b"sig",
    b"sig.ra",
    b"sir",
    b"dame",
];

/// Generational and degree suffixes after a name.
const SUFFIXES: &[&[u8]] = &[b"jr", b"sr", b"ii", b"iii", b"iv", b"phd", b"md"];

/// Lowercase particles inside a name (`Ludwig van Beethoven`, `Maria de la Cruz`).
const PARTICLES: &[&[u8]] = &[
    b"van", b"von", b"de", b"der", b"den", b"del", b"della", b"di", b"da", b"das", b"dos", b"do",
    b"du", b"des", b"la", b"le", b"ter", b"ten", b"bin", b"ibn", b"al", b"el", b"zu",
];

/// Weekday and month abbreviations: a run of them is a date (`Mon Jun 20`, syslog's
/// and `date`'s format), never a name, though `Mon` is a given name and `Jun` a surname.
const DATE_WORDS: &[&[u8]] = &[
    b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun", b"jan", b"feb", b"mar", b"apr", b"may",
    b"jun", b"jul", b"aug", b"sep", b"sept", b"oct", b"nov", b"dec",
];

fn strip_dot(w: &[u8]) -> &[u8] {
    w.strip_suffix(b".").unwrap_or(w)
}

fn in_list(list: &[&[u8]], w: &[u8]) -> bool {
    let w = strip_dot(w);
    list.iter().any(|t| t.eq_ignore_ascii_case(w))
}

/// `P.`, `P`, `J.R.R.`: one to three single letters, each with a dot (the dot optional
/// on a lone letter).
fn is_initials(w: &[u8]) -> bool {
    match w {
        [a] | [a, b'.'] => a.is_ascii_alphabetic(),
        _ => {
            w.len() <= 6
                && w.len() % 2 == 0
                && w.chunks(2)
                    .all(|c| c[0].is_ascii_alphabetic() && c[1] == b'.')
        }
    }
}

impl NameDictionary {
    /// The dictionary from the embedded `rules/names/` lists.
    pub fn builtin() -> Self {
        let first = crate::rules::embedded_text("names/first.txt").unwrap_or("");
        let last = crate::rules::embedded_text("names/last.txt").unwrap_or("");
        let sf = crate::rules::embedded_text("names/surname_first.txt").unwrap_or("");
        NameDictionary {
            more_first_text: crate::rules::embedded_text("names/first_ja.txt").unwrap_or(""),
            ..Self::with_surname_first(first, last, sf)
        }
    }

    /// A dictionary from newline-separated lists (used by tests and user packs).
    pub fn from_lists(first_text: &'static str, last_text: &'static str) -> Self {
        Self::with_surname_first(first_text, last_text, "")
    }

    /// A dictionary that also knows which surnames are written before the given name
    /// (`Zhang Wei`, `Kim Min-jun`).
    pub fn with_surname_first(
        first_text: &'static str,
        last_text: &'static str,
        surname_first_text: &'static str,
    ) -> Self {
        NameDictionary {
            first_text,
            more_first_text: "",
            last_text,
            surname_first_text,
            sets: OnceLock::new(),
        }
    }

    fn sets(&self) -> &Sets {
        self.sets.get_or_init(|| Sets {
            first: {
                let mut first = build_set(self.first_text);
                first.extend(build_set(self.more_first_text));
                first
            },
            last: build_set(self.last_text),
            surname_first: build_set(self.surname_first_text),
        })
    }

    /// Whether `word` is a known given name.
    pub fn is_first(&self, word: &[u8]) -> bool {
        contains(&self.sets().first, word)
    }

    /// Whether `word` is a known surname.
    pub fn is_last(&self, word: &[u8]) -> bool {
        contains(&self.sets().last, word)
    }

    /// Whether `word` is a surname usually written before the given name.
    pub fn is_surname_first(&self, word: &[u8]) -> bool {
        contains(&self.sets().surname_first, word)
    }

    /// Whether `candidate` is a person's full name, in any case:
    ///
    /// * `First [M.] [particles] Last`: a given name, then a surname;
    /// * `Last, First [M.]`: a surname, a comma, a given name;
    /// * `P. Last`, `J.R.R. Last`: initials, then a surname; `First L.`: a given name,
    ///   then an initial;
    /// * `Surname Given` for surnames usually written first (`Zhang Wei`, `Kim Min-jun`);
    /// * after a title (`Dr.`, `Mrs`, `Herr`, `Mme`, `Sra.`, `Dott.` …) a surname alone,
    ///   or any capitalised given name before a surname (`Dr. Zbyszek Kowalski`).
    ///
    /// A trailing `Jr.`/`III`/`PhD` is ignored.
    pub fn is_full_name(&self, candidate: &[u8]) -> bool {
        let candidate = candidate.trim_ascii();
        if let Some(comma) = memchr::memchr(b',', candidate) {
            let (before, after) = (&candidate[..comma], candidate[comma + 1..].trim_ascii());
            let mut after_words = after
                .split(|b| b.is_ascii_whitespace())
                .filter(|w| !w.is_empty());
            if after_words.clone().all(|w| in_list(SUFFIXES, w)) {
                return self.is_direct_name(before);
            }
            let Some(surname) = before
                .split(|b| b.is_ascii_whitespace())
                .rfind(|w| !w.is_empty())
            else {
                return false;
            };
            let given = after_words.next();
            return self.is_last(surname)
                && !is_initials(surname)
                && given.is_some_and(|g| self.is_first(g))
                && after_words.all(|w| is_initials(w) || self.is_first(w) || in_list(SUFFIXES, w));
        }
        self.is_direct_name(candidate)
    }

    /// The forms without a comma (see [`NameDictionary::is_full_name`]).
    fn is_direct_name(&self, candidate: &[u8]) -> bool {
        let mut words: [&[u8]; 6] = [&[]; 6];
        let mut n = 0;
        for w in candidate
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
        {
            if n == words.len() {
                return false;
            }
            words[n] = w;
            n += 1;
        }
        let mut words = &words[..n];
        if words.iter().all(|w| in_list(DATE_WORDS, w)) {
            return false;
        }
        let mut titled = false;
        while let [t, rest @ ..] = words {
            if rest.is_empty() || !in_list(TITLES, t) {
                break;
            }
            titled = true;
            words = rest;
        }
        while let [rest @ .., s] = words {
            if rest.len() < 2 || !in_list(SUFFIXES, s) {
                break;
            }
            words = rest;
        }
        let (first, last) = match words {
            [] => return false,
            [only] => return titled && !is_initials(only) && self.is_last(only),
            [first, .., last] => (*first, *last),
        };
        if is_initials(last) {
            // `Patricia A.`: a given name and one initial, nothing between.
            return words.len() == 2 && !is_initials(first) && self.is_first(first);
        }
        if in_list(PARTICLES, last) {
            return false;
        }
        if is_initials(first) {
            return self.is_last(last);
        }
        (self.is_first(first) || titled) && self.is_last(last)
            || (self.is_surname_first(first) && self.is_first(last))
    }

    /// A single word from either list (for columns hinted as names).
    pub fn is_name_token(&self, candidate: &[u8]) -> bool {
        let word = candidate.trim_ascii();
        self.is_first(word) || self.is_last(word)
    }

    /// Whether the last word of `candidate` (so a match may include its key, `user
    /// jsmith`) is an account name made from a person's name, the way directories
    /// build them: an initial and a surname (`jsmith`), or a given name and a surname
    /// run together (`marysmith`), in lower case, trailing digits ignored. The surname
    /// must have four letters or more, so short words (`user data`) are not read as
    /// an initial and a surname.
    pub fn is_account_name(&self, candidate: &[u8]) -> bool {
        let word = candidate
            .trim_ascii()
            .rsplit(|b| b.is_ascii_whitespace() || *b == b'=')
            .next()
            .unwrap_or_default();
        let end = word
            .iter()
            .rposition(|b| !b.is_ascii_digit())
            .map_or(0, |i| i + 1);
        let core = &word[..end];
        if core.len() < 5 || core.len() > 32 || !core.iter().all(u8::is_ascii_lowercase) {
            return false;
        }
        if self.is_last(&core[1..]) {
            return true;
        }
        (3..=core.len() - 4).any(|i| self.is_first(&core[..i]) && self.is_last(&core[i..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict() -> NameDictionary {
        NameDictionary::with_surname_first(
            "mary\njohn\njames\npatricia\nélisabeth\nłukasz\nøyvind\nşükrü\njoão\nwei\nmin-jun\n",
            "smith\njohnson\nsmithson\nalvarez\nmüller\nkowalski\nzhang\nkim\nberg\n",
            "zhang\nkim\n",
        )
    }

    fn folded(w: &str) -> Option<String> {
        let mut buf = [0u8; MAX_WORD];
        fold(w.as_bytes(), &mut buf).map(|f| String::from_utf8(f.to_vec()).unwrap())
    }

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(folded("ÉLISABETH").as_deref(), Some("elisabeth"));
        assert_eq!(folded("Müller").as_deref(), Some("muller"));
        assert_eq!(folded("MÜLLER").as_deref(), Some("muller"));
        assert_eq!(folded("Łukasz").as_deref(), Some("lukasz"));
        assert_eq!(folded("Øyvind").as_deref(), Some("oyvind"));
        assert_eq!(folded("Şükrü").as_deref(), Some("sukru"));
        assert_eq!(folded("Ștefan").as_deref(), Some("stefan"));
        assert_eq!(folded("Straße").as_deref(), Some("strasse"));
        assert_eq!(folded("João").as_deref(), Some("joao"));
        assert_eq!(folded("O'Brien").as_deref(), Some("obrien"));
        assert_eq!(folded("O\u{2019}Brien").as_deref(), Some("obrien"));
        // NFD: e + combining acute.
        assert_eq!(folded("Jose\u{301}").as_deref(), Some("jose"));
        assert_eq!(folded("a×b"), None);
        assert_eq!(folded("Иван"), None);
        assert_eq!(folded("x1"), None);
        assert_eq!(folded(&"a".repeat(60)), None);
    }

    #[test]
    fn whole_words_any_case_and_accent() {
        let d = dict();
        assert!(d.is_first(b"MARY"));
        assert!(d.is_first(b"mary"));
        assert!(!d.is_first(b"Mar"));
        assert!(!d.is_first(b"Maryland"));
        assert!(d.is_first("Élisabeth".as_bytes()));
        assert!(d.is_first("elisabeth".as_bytes()));
        assert!(d.is_first("ELISABETH".as_bytes()));
        assert!(d.is_last("MÜLLER".as_bytes()));
        assert!(d.is_last(b"Muller"));
        assert!(d.is_first(b"Min-jun"));
        assert!(d.is_first(b"Minjun"));
    }

    #[test]
    fn first_last_and_last_comma_first() {
        let d = dict();
        assert!(d.is_full_name(b"John Smith"));
        assert!(d.is_full_name(b"John Q. Smith"));
        assert!(d.is_full_name(b"PATRICIA ALVAREZ"));
        assert!(d.is_full_name(b"patricia alvarez"));
        assert!(d.is_full_name("Élisabeth Müller".as_bytes()));
        assert!(d.is_full_name("ŁUKASZ KOWALSKI".as_bytes()));
        assert!(d.is_full_name(b"Mary Smith-Johnson"));
        assert!(d.is_full_name(b"John Smith, Jr."));
        assert!(d.is_full_name(b"Mary van Berg"));
        assert!(!d.is_full_name(b"Smith John"));
        assert!(!d.is_full_name(b"John"));
        assert!(!d.is_full_name(b"John van"));
        assert!(d.is_full_name(b"Alvarez, Patricia"));
        assert!(d.is_full_name(b"ALVAREZ, PATRICIA A."));
        assert!(d.is_full_name(b"alvarez,patricia"));
        assert!(!d.is_full_name(b"Patricia, Alvarez"));
        assert!(!d.is_full_name(b"Alvarez, Texas"));
        let d = NameDictionary::from_lists("Mary\n", "Obrien\n");
        assert!(d.is_full_name(b"Mary O'Brien"));
    }

    #[test]
    fn initials_titles_and_surname_first_order() {
        let d = dict();
        assert!(d.is_full_name(b"P. Alvarez"));
        assert!(d.is_full_name(b"J.R.R. Smith"));
        assert!(d.is_full_name(b"Patricia A."));
        assert!(!d.is_full_name(b"A. B."));
        assert!(!d.is_full_name(b"Smith A."));
        assert!(d.is_full_name(b"Dr. Patricia Alvarez"));
        assert!(d.is_full_name(b"Mrs Smith"));
        assert!(d.is_full_name(b"Herr M\xc3\xbcller"));
        assert!(d.is_full_name(b"Dott. Zbyszek Kowalski"));
        assert!(!d.is_full_name(b"Dr."));
        assert!(!d.is_full_name(b"Dr. Who"));
        assert!(d.is_full_name(b"Zhang Wei"));
        assert!(d.is_full_name(b"KIM MIN-JUN"));
        assert!(!d.is_full_name(b"Smith Wei"));
        assert!(d.is_name_token(b" JOHNSON "));
        // A weekday and a month are a date, whatever the lists say.
        let d = NameDictionary::from_lists("mon\nmay\n", "jun\nsmith\n");
        assert!(!d.is_full_name(b"Mon Jun"));
        assert!(!d.is_full_name(b"MAY JUN"));
        assert!(d.is_full_name(b"May Smith"));
    }

    #[test]
    fn account_names_from_person_names() {
        let d = dict();
        for yes in [
            "jsmith",
            "user jsmith",
            "pkowalski",
            "mjohnson7",
            "login=aalvarez",
            "marysmith",
            "johnsmithson42",
        ] {
            assert!(d.is_account_name(yes.as_bytes()), "{yes}");
        }
        for no in [
            "smith",
            "jsmit",
            "user unknown",
            "user data",
            "JSmith",
            "j.smith",
            "jsmith_x",
            "xxsmith",
            "mary",
            "user 501",
            "",
        ] {
            assert!(!d.is_account_name(no.as_bytes()), "{no}");
        }
    }

    #[test]
    fn builtin_lists_are_embedded() {
        let d = NameDictionary::builtin();
        assert!(d.is_first(b"Mary"), "first names list missing");
        assert!(d.is_last(b"Smith"), "last names list missing");
        assert!(d.is_first("Łukasz".as_bytes()));
        assert!(d.is_last("Müller".as_bytes()));
        assert!(d.is_surname_first(b"Nguyen"));
        for word in [
            "the", "error", "server", "van", "san", "new", "street", "mr",
        ] {
            assert!(
                !d.is_first(word.as_bytes()),
                "{word} must be stop-listed as a given name"
            );
        }
    }

    #[test]
    fn japanese_given_names_of_jmnedict_are_known_in_both_romanisations() {
        let d = NameDictionary::builtin();
        // Common since 2008, absent from nam_dict.txt: only first_ja.txt has them.
        for name in ["Haruto", "Sota", "Souta", "Yuto", "Hina"] {
            assert!(d.is_first(name.as_bytes()), "{name}");
        }
        assert!(d.is_full_name(b"Sota Takahashi"));
        assert!(d.is_full_name(b"Takahashi Yuto"));
        // The list goes through the same stop list as first.txt.
        for word in ["data", "main", "sake"] {
            assert!(!d.is_first(word.as_bytes()), "{word}");
        }
    }
}
