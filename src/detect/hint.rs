//! Column and field names as evidence.
//!
//! A name is normalised once (camelCase split, lower-cased, non-alphanumerics as
//! separators) into words; a hint matches when its words are consecutive words of the
//! name, or all of the name's consecutive words joined into one (so `email_address`
//! matches `EmailAddress`, `customer_email_address` and `emailaddress`). Matching whole
//! words, never substrings, is what keeps `ssn` out of `classname`.
//!
//! Before matching, both sides spell out the abbreviations databases use for the words
//! hints are written with ([`ABBREVIATIONS`]: `lst_nm` is `last name`, `cust_addr` is
//! `customer address`), so one hint covers its abbreviated spellings. A hint written
//! `=user` matches only a name that is that hint as a whole (or whose last dotted segment
//! is): `user=alice` in a log, not `user_type` or `user_role`.

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

/// Abbreviations column names use, with the words they stand for. Only forms that
/// are unambiguous inside a column name are listed: vowel-dropped spellings (`nm`,
/// `lst`, `addr`, `gndr`), the one-letter-prefix forms (`fname`, `lname`) and the usual
/// short words (`cust`, `acct`, `nbr`). Two-letter forms that are also common words or
/// units (`ph`, `no`, `st`, `dt`) are left out.
pub const ABBREVIATIONS: &[(&str, &[&str])] = &[
    ("nm", &["name"]),
    ("nme", &["name"]),
    ("nam", &["name"]),
    ("fname", &["first", "name"]),
    ("lname", &["last", "name"]),
    ("mname", &["middle", "name"]),
    ("gname", &["given", "name"]),
    ("sname", &["surname"]),
    ("fst", &["first"]),
    ("frst", &["first"]),
    ("fnm", &["first", "name"]),
    ("lnm", &["last", "name"]),
    ("lst", &["last"]),
    ("mdl", &["middle"]),
    ("gvn", &["given"]),
    ("fam", &["family"]),
    ("srnm", &["surname"]),
    ("usr", &["user"]),
    ("uname", &["user", "name"]),
    ("addr", &["address"]),
    ("adr", &["address"]),
    ("adrs", &["address"]),
    ("strt", &["street"]),
    ("eml", &["email"]),
    ("phn", &["phone"]),
    ("mob", &["mobile"]),
    ("mbl", &["mobile"]),
    ("gndr", &["gender"]),
    ("brth", &["birth"]),
    ("bdate", &["birth", "date"]),
    ("acct", &["account"]),
    ("nbr", &["number"]),
    ("num", &["number"]),
    ("natl", &["national"]),
    ("ident", &["identity"]),
    ("cust", &["customer"]),
    ("emp", &["employee"]),
    ("pwd", &["password"]),
    ("pstl", &["postal"]),
    ("ctry", &["country"]),
    ("cntry", &["country"]),
];

/// The words of a name with its abbreviations spelt out ([`ABBREVIATIONS`]).
pub fn expanded_words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in words(name) {
        match ABBREVIATIONS.iter().find(|(abbr, _)| *abbr == w) {
            Some((_, full)) => out.extend(full.iter().map(|f| (*f).to_string())),
            None => out.push(w),
        }
    }
    out
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
