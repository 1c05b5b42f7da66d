//! Column and field names as evidence.
//!
//! A name is normalised once (camelCase split, lower-cased, non-alphanumerics as
//! separators) into words; a hint matches when its words are consecutive words of the
//! name, or all of the name's consecutive words joined into one (so `email_address`
//! matches `EmailAddress`, `customer_email_address` and `emailaddress`). Matching whole
//! words, never substrings, is what keeps `ssn` out of `classname`.

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

/// A normalised name: its words plus every run of consecutive words joined, for lookup.
#[derive(Clone, Debug, Default)]
pub struct NormalizedName {
    /// The words, lower-case.
    pub words: Vec<String>,
    joined_runs: Vec<String>,
}

impl NormalizedName {
    /// Normalises a column or field name (dotted paths keep every segment's words).
    pub fn new(name: &str) -> Self {
        let words = words(name);
        let mut joined_runs = Vec::new();
        for start in 0..words.len() {
            let mut joined = String::new();
            for w in words.iter().skip(start).take(5) {
                joined.push_str(w);
                joined_runs.push(joined.clone());
            }
        }
        NormalizedName { words, joined_runs }
    }

    /// Whether a compiled hint matches this name.
    pub fn matches(&self, hint: &Hint) -> bool {
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
}

impl Hint {
    /// Compiles a hint as written in a rule.
    pub fn new(text: &str) -> Self {
        Hint {
            text: text.to_string(),
            joined: words(text).concat(),
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
}
