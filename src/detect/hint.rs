//! Column and field names as evidence.
//!
//! A name is normalised once (camelCase split, lower-cased, non-alphanumerics as
//! separators) into words; a hint matches when its words are consecutive words of the
//! name, or all of the name's consecutive words joined into one (so `email_address`
//! matches `EmailAddress`, `customer_email_address` and `emailaddress`). Matching whole
//! words, never substrings, is what keeps `ssn` out of `classname`.
//!
//! Before matching, both sides fold accents (`Straße` is `strasse`) and spell out the
//! abbreviations databases use and the column-name words of other languages
//! (`rules/column_words.toml`: `lst_nm` is `last name`, `cust_addr` is `customer
//! address`, `PLZ` and `codigo_postal` are `postal code`), so one hint covers them all. A hint written
//! `=user` matches only a name that is that hint as a whole (or whose last dotted segment
//! is): `user=alice` in a log, not `user_type` or `user_role`.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// Splits a column/field name into lower-case words.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let next = chars.get(i + 1).copied();
            // Word boundaries inside a run: aB, the B of ABc (end of an acronym), a1, 1a.
            let boundary = match prev {
                Some(p) if p.is_alphanumeric() => {
                    (c.is_uppercase() && p.is_lowercase())
                        || (c.is_uppercase()
                            && p.is_uppercase()
                            && next.is_some_and(char::is_lowercase))
                        || (c.is_ascii_digit() != p.is_ascii_digit())
                }
                _ => false,
            };
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The word tables of `rules/column_words.toml`: database abbreviations and the
/// column-name words of other languages, each with the English words hints are written
/// with, so one hint (`postal_code`) covers `pstl_cd`, `PLZ` and `codigo_postal`.
struct ColumnWords {
    /// One folded word and the words it stands for.
    words: HashMap<String, Vec<String>>,
    /// Several folded words and the words they stand for.
    phrases: HashMap<Vec<String>, Vec<String>>,
    /// The most words a phrase has.
    longest_phrase: usize,
}

/// The file's shape: three tables of `"words" = "words"`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnWordsFile {
    abbreviations: BTreeMap<String, String>,
    translations: BTreeMap<String, String>,
    phrases: BTreeMap<String, String>,
}

impl ColumnWords {
    /// Parses the table file's text.
    fn parse(text: &str) -> Result<Self, String> {
        let file: ColumnWordsFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let split = |s: &str| -> Vec<String> { s.split_whitespace().map(str::to_string).collect() };
        let mut words = HashMap::new();
        for (key, value) in file.abbreviations.iter().chain(&file.translations) {
            if words.insert(key.clone(), split(value)).is_some() {
                return Err(format!("{key:?} is listed twice"));
            }
        }
        let phrases: HashMap<Vec<String>, Vec<String>> = file
            .phrases
            .iter()
            .map(|(key, value)| (split(key), split(value)))
            .collect();
        let longest_phrase = phrases.keys().map(Vec::len).max().unwrap_or(0);
        Ok(ColumnWords {
            words,
            phrases,
            longest_phrase,
        })
    }

    /// The built-in tables (parsed on first use; the file is checked by the tests).
    fn builtin() -> &'static ColumnWords {
        static WORDS: OnceLock<ColumnWords> = OnceLock::new();
        WORDS.get_or_init(|| {
            crate::rules::embedded_text("column_words.toml")
                .map_err(|e| e.to_string())
                .and_then(ColumnWords::parse)
                .unwrap_or_else(|e| panic!("built-in rules/column_words.toml: {e}"))
        })
    }

    /// `words` with its phrases, then its single words, spelt out.
    fn expand(&self, words: Vec<String>) -> Vec<String> {
        let mut out = Vec::with_capacity(words.len());
        let mut i = 0;
        'next: while i < words.len() {
            for n in (2..=self.longest_phrase.min(words.len() - i)).rev() {
                if let Some(full) = self.phrases.get(&words[i..i + n]) {
                    out.extend(full.iter().cloned());
                    i += n;
                    continue 'next;
                }
            }
            match self.words.get(&words[i]) {
                Some(full) => out.extend(full.iter().cloned()),
                None => out.push(words[i].clone()),
            }
            i += 1;
        }
        out
    }
}

/// The words of a name, folded, with its abbreviations and other-language words spelt
/// out (`rules/column_words.toml`).
pub fn expanded_words(name: &str) -> Vec<String> {
    ColumnWords::builtin().expand(
        words(name)
            .iter()
            .map(|w| crate::names::fold_or_lowercase(w))
            .collect(),
    )
}

/// A normalised name: its words plus every run of consecutive words joined, for lookup.
#[derive(Clone, Debug, Default)]
pub struct NormalizedName {
    /// The words, lower-case, abbreviations spelt out.
    pub words: Vec<String>,
    joined_runs: Vec<String>,
    /// All the words joined, and the last dotted segment's words joined (for `=` hints).
    whole: String,
    last_segment: String,
}

impl NormalizedName {
    /// Normalises a column or field name (dotted paths keep every segment's words).
    pub fn new(name: &str) -> Self {
        let words = expanded_words(name);
        let mut joined_runs = Vec::new();
        for start in 0..words.len() {
            let mut joined = String::new();
            for w in words.iter().skip(start).take(5) {
                joined.push_str(w);
                joined_runs.push(joined.clone());
            }
        }
        let whole = words.concat();
        let last_segment = expanded_words(name.rsplit('.').next().unwrap_or(name)).concat();
        NormalizedName {
            words,
            joined_runs,
            whole,
            last_segment,
        }
    }

    /// Whether a compiled hint matches this name.
    pub fn matches(&self, hint: &Hint) -> bool {
        if hint.exact {
            return !hint.joined.is_empty()
                && (self.whole == hint.joined || self.last_segment == hint.joined);
        }
        self.joined_runs.contains(&hint.joined)
    }

    /// True for an empty name (no hint evidence possible).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// A compiled hint: its words joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    /// The hint as written.
    pub text: String,
    joined: String,
    /// Written `=name`: matches a name that is the hint as a whole.
    exact: bool,
}

impl Hint {
    /// Compiles a hint as written in a rule.
    pub fn new(text: &str) -> Self {
        let (exact, body) = match text.strip_prefix('=') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        Hint {
            text: text.to_string(),
            joined: expanded_words(body).concat(),
            exact,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, hint: &str) -> bool {
        NormalizedName::new(name).matches(&Hint::new(hint))
    }

    #[test]
    fn splits_case_and_separators() {
        assert_eq!(
            words("CustomerEmailAddress"),
            ["customer", "email", "address"]
        );
        assert_eq!(
            words("user.contact.e-mail"),
            ["user", "contact", "e", "mail"]
        );
        assert_eq!(words("HTTPStatus"), ["http", "status"]);
        assert_eq!(words("address2"), ["address", "2"]);
        assert_eq!(words("first_name"), ["first", "name"]);
    }

    #[test]
    fn hints_match_whole_words_only() {
        assert!(m("EmailAddress", "email_address"));
        assert!(m("customer_email", "email"));
        assert!(m("emailaddress", "email_address"));
        assert!(m("FirstName", "first_name"));
        assert!(!m("classname", "ssn"));
        assert!(!m("lessons", "ssn"));
        assert!(!m("username", "name"));
        assert!(m("customer.ssn", "ssn"));
    }

    #[test]
    fn abbreviations_are_spelt_out_on_both_sides() {
        assert!(m("lst_nm", "last_name"));
        assert!(m("LstNm", "last_name"));
        assert!(m("nm", "name"));
        assert!(m("cust_addr", "customer_address"));
        assert!(m("gndr", "gender"));
        assert!(m("first_name", "fname"));
        assert!(m("fname", "first_name"));
        // Not inside other words, and not the two-letter forms left out.
        assert!(!m("numeric_code", "number"));
        assert!(!m("ph_level", "phone"));
        assert!(!m("nmap_port", "name"));
    }

    #[test]
    fn other_languages_column_words_are_the_english_hints_words() {
        // One hint in English covers the field's name in other languages, with or
        // without accents, in any case and separator style.
        assert!(m("Straße", "street"));
        assert!(m("STRASSE", "street"));
        assert!(m("Postleitzahl", "postal_code"));
        assert!(m("PLZ", "postal_code"));
        assert!(m("codigo_postal", "postal_code"));
        assert!(m("Código Postal", "postal_code"));
        assert!(m("kod_pocztowy", "postal_code"));
        assert!(m("Téléphone", "telephone"));
        assert!(m("Teléfono", "phone"));
        assert!(m("telefonnummer", "phone_number"));
        assert!(m("fecha_de_nacimiento", "birth_date"));
        assert!(m("DataDeNascimento", "birth_date"));
        assert!(m("geboortedatum", "birth_date"));
        assert!(m("Płeć", "gender"));
        assert!(m("Kön", "gender"));
        assert!(m("nombre_de_usuario", "username"));
        assert!(m("Benutzername", "user_name"));
        assert!(m("mot_de_passe", "password"));
        assert!(m("correo_electronico", "email"));
        assert!(m("e-post", "email"));
        assert!(m("Nachname", "last_name"));
        assert!(m("nom_de_famille", "family_name"));
        // A translation is a whole word: not inside another word, and a phrase only
        // when all its words are there.
        assert!(!m("strassenbahn", "street"));
        assert!(!m("code", "postal_code"));
        assert!(!m("postal", "postal_code"));
        assert!(!m("nominal", "name"));
    }

    #[test]
    fn the_column_words_file_is_well_formed() {
        let text = crate::rules::embedded_text("column_words.toml").unwrap();
        let table = ColumnWords::parse(text).unwrap();
        let folded = |w: &str| crate::names::fold_or_lowercase(w) == w && words(w) == [w];
        for (key, full) in &table.words {
            assert!(folded(key), "{key:?} is not one folded word");
            assert!(
                !full.is_empty() && full.iter().all(|w| folded(w)),
                "{key:?}"
            );
            assert_ne!(full, std::slice::from_ref(key), "{key:?} expands to itself");
        }
        for (key, full) in &table.phrases {
            assert!(key.len() >= 2 && key.iter().all(|w| folded(w)), "{key:?}");
            assert!(
                !full.is_empty() && full.iter().all(|w| folded(w)),
                "{key:?}"
            );
        }
        // The parser refuses a word listed in two tables.
        let twice = "[abbreviations]\nnm = \"name\"\n[translations]\nnm = \"name\"\n[phrases]\n";
        assert!(ColumnWords::parse(twice).is_err());
    }

    #[test]
    fn exact_hints_match_the_whole_name_or_its_last_segment() {
        assert!(m("user", "=user"));
        assert!(m("User", "=user"));
        assert!(m("event.user", "=user"));
        assert!(m("usr", "=user"));
        assert!(!m("user_type", "=user"));
        assert!(!m("user_role", "=user"));
        assert!(!m("user.role", "=user"));
        assert!(!m("", "=user"));
    }
}
