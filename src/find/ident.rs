//! A person's identifiers and how both sides are normalised before they are compared:
//! emails case-folded with the `+tag` of common providers optional, phones to E.164
//! (libphonenumber's metadata, a default region for numbers written without a country
//! code), SSNs and other ids to their digits, IP addresses to their canonical text,
//! names case- and accent-folded into a set of words (`First Last` = `Last, First`).
//!
//! A match says how sure it is ([`MatchKind`]): the stored text is the text given
//! (`exact`), or equal once both are normalised (`normalised`), or a name alone
//! (`name_only`, which never decides by itself that a record is this person's).

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::mask::{MaskStyle, Masked};

/// Mail providers whose addresses take an optional `+tag` (`ann+shop@gmail.com` is
/// `ann@gmail.com`'s mail).
const TAG_PROVIDERS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "fastmail.com",
    "hey.com",
    "yandex.com",
    "yandex.ru",
];

/// What kind of identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentKind {
    /// An email address.
    Email,
    /// A telephone number.
    Phone,
    /// A person's name.
    Name,
    /// A social security number (or another national id given as digits).
    Ssn,
    /// An IP address.
    Ip,
    /// A customer id: `COLUMN=VALUE`, matched in columns and fields of that name.
    CustomerId,
}

impl IdentKind {
    /// The inventory data types whose fields can hold this kind of identifier (a
    /// customer id names its column instead).
    pub fn data_types(self) -> &'static [&'static str] {
        match self {
            IdentKind::Email => &["email"],
            IdentKind::Phone => &["phone"],
            IdentKind::Name => &["person_name"],
            IdentKind::Ssn => &["ssn", "national_id", "tax_id"],
            IdentKind::Ip => &["ip_address"],
            IdentKind::CustomerId => &[],
        }
    }

    /// Its name in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentKind::Email => "email",
            IdentKind::Phone => "phone",
            IdentKind::Name => "name",
            IdentKind::Ssn => "ssn",
            IdentKind::Ip => "ip",
            IdentKind::CustomerId => "customer_id",
        }
    }

    fn mask(self) -> MaskStyle {
        match self {
            IdentKind::Email => MaskStyle::Email,
            IdentKind::Phone | IdentKind::Ssn | IdentKind::CustomerId => MaskStyle::Last2,
            IdentKind::Name => MaskStyle::Initials,
            IdentKind::Ip => MaskStyle::Ip,
        }
    }
}

/// How sure a match is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The stored text is the text given.
    Exact,
    /// Equal once both sides are normalised.
    Normalised,
    /// A row reached through a foreign key from a matched row (one hop).
    Linked,
    /// Only a name matched: reported apart, never alone proof that it is this person.
    NameOnly,
}

/// One identifier of the person, parsed and normalised.
#[derive(Clone, Debug)]
pub struct Identifier {
    /// Its kind.
    pub kind: IdentKind,
    /// As given (trimmed): the only raw form, kept in memory.
    pub given: String,
    /// The normalised form both sides are compared in.
    pub normal: String,
    /// For a customer id: the column (or `table.column`) it names.
    pub column: Option<String>,
    /// For a phone: the parsed number (its formats make the text patterns).
    pub phone: Option<phonenumber::PhoneNumber>,
}

impl Identifier {
    /// Parses one identifier; `region` is the default region of phone numbers (`US`).
    /// The error never repeats the value.
    pub fn parse(
        kind: IdentKind,
        raw: &str,
        region: phonenumber::country::Id,
    ) -> Result<Identifier, String> {
        let given = raw.trim().to_string();
        let bad = |why: &str| Err(format!("--{}: {why}", kind.as_str().replace('_', "-")));
        let mut id = Identifier {
            kind,
            given: given.clone(),
            normal: String::new(),
            column: None,
            phone: None,
        };
        match kind {
            IdentKind::Email => match email(&given) {
                Some(n) => id.normal = n,
                None => return bad("not an email address (LOCAL@DOMAIN)"),
            },
            IdentKind::Phone => match phonenumber::parse(Some(region), &given) {
                Ok(p) if digits(&given).len() >= 7 => {
                    id.normal = e164(&p);
                    id.phone = Some(p);
                }
                _ => return bad("not a telephone number"),
            },
            IdentKind::Name => {
                let words = name_words(&given);
                if words.is_empty() || words.iter().all(|w| w.chars().count() < 2) {
                    return bad("not a name");
                }
                id.normal = words.join(" ");
            }
            IdentKind::Ssn => {
                let d = digits(&given);
                if d.len() < 4 {
                    return bad("needs at least 4 digits");
                }
                id.normal = d;
            }
            IdentKind::Ip => match given.parse::<IpAddr>() {
                Ok(ip) => id.normal = ip.to_string(),
                Err(_) => return bad("not an IP address"),
            },
            IdentKind::CustomerId => {
                let Some((col, value)) = given.split_once('=') else {
                    return bad("expected COLUMN=VALUE");
                };
                let (col, value) = (col.trim(), value.trim());
                if col.is_empty() || value.is_empty() {
                    return bad("expected COLUMN=VALUE");
                }
                id.column = Some(col.to_string());
                id.given = value.to_string();
                id.normal = value.to_string();
            }
        }
        Ok(id)
    }

    /// The masked form outputs show.
    pub fn masked(&self) -> String {
        Masked::new(self.given.as_bytes(), self.kind.mask())
            .as_str()
            .to_string()
    }

    /// How `value` (a stored value, or a span of text) matches this identifier, if it
    /// does. Names only ever give [`MatchKind::NameOnly`].
    pub fn compare(&self, value: &[u8]) -> Option<MatchKind> {
        let text = String::from_utf8_lossy(value);
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        if self.kind == IdentKind::Name {
            return self
                .name_in(&name_words(text))
                .then_some(MatchKind::NameOnly);
        }
        if text == self.given {
            return Some(MatchKind::Exact);
        }
        let same = match self.kind {
            IdentKind::Email => email(text).is_some_and(|n| n == self.normal),
            IdentKind::Phone => self.phone_equals(text),
            IdentKind::Ssn => digits(text) == self.normal && !text.contains(char::is_alphabetic),
            IdentKind::Ip => text
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.to_string() == self.normal),
            IdentKind::CustomerId | IdentKind::Name => false,
        };
        same.then_some(MatchKind::Normalised)
    }

    /// True when every word of this name is among `words` (a row's name columns, or a
    /// full name in either order).
    pub fn name_in(&self, words: &[String]) -> bool {
        let mut pool: Vec<&str> = words.iter().map(String::as_str).collect();
        self.normal
            .split(' ')
            .all(|w| match pool.iter().position(|p| *p == w) {
                Some(i) => {
                    pool.swap_remove(i);
                    true
                }
                None => false,
            })
    }

    fn phone_equals(&self, text: &str) -> bool {
        let d = digits(text);
        if d.len() < 7 || d.len() > 17 || text.contains(char::is_alphabetic) {
            return false;
        }
        let region = self.phone.as_ref().and_then(|p| p.country().id());
        phonenumber::parse(region, text).is_ok_and(|p| e164(&p) == self.normal)
    }
}

/// An email address lower-cased, `mailto:` dropped, and the `+tag` of a common provider
/// dropped; `None` when it is not `LOCAL@DOMAIN`.
pub fn email(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s
        .strip_prefix("mailto:")
        .or_else(|| s.strip_prefix("MAILTO:"))
        .unwrap_or(s);
    let (local, domain) = s.rsplit_once('@')?;
    if local.is_empty()
        || domain.is_empty()
        || !domain.contains('.')
        || s.contains(char::is_whitespace)
    {
        return None;
    }
    let local = local.to_lowercase();
    let domain = domain.trim_end_matches('.').to_lowercase();
    let local = match local.split_once('+') {
        Some((base, _)) if tags_optional(&domain) && !base.is_empty() => base.to_string(),
        _ => local,
    };
    Some(format!("{local}@{domain}"))
}

/// Whether addresses at `domain` take an optional `+tag`.
pub fn tags_optional(domain: &str) -> bool {
    TAG_PROVIDERS.contains(&domain)
}

/// `s` lower-cased and escaped for a LIKE pattern.
pub fn like_escape_lower(s: &str) -> String {
    crate::source::db::lookup::like_escape(&s.to_lowercase())
}

/// The digits of `s`.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// A number in E.164 (`+15147214711`).
pub fn e164(p: &phonenumber::PhoneNumber) -> String {
    p.format().mode(phonenumber::Mode::E164).to_string()
}

/// The words of a name, case- and accent-folded (`Gonçalves, Luís` → `luis goncalves`
/// as a set: the comma form is the same name).
pub fn name_words(s: &str) -> Vec<String> {
    let (head, tail) = match s.split_once(',') {
        Some((last, first)) => (first, last),
        None => (s, ""),
    };
    head.split_whitespace()
        .chain(tail.split_whitespace())
        .map(fold_word)
        .filter(|w| !w.is_empty())
        .collect()
}

/// One word case- and accent-folded: the name dictionary's folding for Latin letters,
/// else Unicode lower case; punctuation at the ends dropped.
pub fn fold_word(w: &str) -> String {
    crate::names::fold_or_lowercase(w.trim_matches(|c: char| !c.is_alphanumeric()))
}

/// A region code (`US`, `de`) as libphonenumber's id.
pub fn region(code: &str) -> Option<phonenumber::country::Id> {
    code.trim().to_ascii_uppercase().parse().ok()
}

/// The identifiers a JSON file lists: `{"email": "…", "phone": ["…", "…"], "name": …,
/// "ssn": …, "ip": …, "customer_id": "COLUMN=VALUE"}` (a string or a list of strings).
pub fn from_json(text: &str) -> Result<Vec<(IdentKind, String)>, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {}", e.classify_name()))?;
    let obj = v
        .as_object()
        .ok_or("expected a JSON object of identifiers")?;
    let mut out = Vec::new();
    for (key, value) in obj {
        let kind = match key.as_str() {
            "email" | "emails" => IdentKind::Email,
            "phone" | "phones" => IdentKind::Phone,
            "name" | "names" => IdentKind::Name,
            "ssn" | "ssns" => IdentKind::Ssn,
            "ip" | "ips" => IdentKind::Ip,
            "customer_id" | "customer_ids" => IdentKind::CustomerId,
            other => return Err(format!("unknown identifier kind `{other}`")),
        };
        let items: Vec<&serde_json::Value> = match value {
            serde_json::Value::Array(a) => a.iter().collect(),
            one => vec![one],
        };
        for item in items {
            let s = item
                .as_str()
                .ok_or_else(|| format!("`{key}`: expected strings"))?;
            out.push((kind, s.to_string()));
        }
    }
    Ok(out)
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    /// The kind of JSON error without its text (which may quote the file).
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "cannot be read",
            serde_json::error::Category::Syntax => "a syntax error",
            serde_json::error::Category::Data => "unexpected data",
            serde_json::error::Category::Eof => "it ends too early",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(kind: IdentKind, s: &str) -> Identifier {
        Identifier::parse(kind, s, region("US").unwrap()).unwrap()
    }

    #[test]
    fn emails_fold_case_and_optional_tags() {
        let e = id(IdentKind::Email, "FTremblay@Gmail.com");
        assert_eq!(e.normal, "ftremblay@gmail.com");
        assert_eq!(e.compare(b"FTremblay@Gmail.com"), Some(MatchKind::Exact));
        assert_eq!(
            e.compare(b"ftremblay@gmail.com"),
            Some(MatchKind::Normalised)
        );
        assert_eq!(
            e.compare(b"ftremblay+dsar@gmail.com"),
            Some(MatchKind::Normalised)
        );
        assert_eq!(e.compare(b"xftremblay@gmail.com"), None);
        assert_eq!(e.compare(b"ftremblay@gmail.com.br"), None);
        // Only common providers: elsewhere a tag is part of the address.
        let w = id(IdentKind::Email, "ann@example.com");
        assert_eq!(w.compare(b"ann+x@example.com"), None);
        assert!(Identifier::parse(IdentKind::Email, "nope", region("US").unwrap()).is_err());
    }

    #[test]
    fn phones_compare_in_e164() {
        let p = id(IdentKind::Phone, "514-721-4711");
        assert_eq!(p.normal, "+15147214711");
        for same in [
            "+1 (514) 721-4711",
            "(514) 721 4711",
            "15147214711",
            "514.721.4711",
        ] {
            assert_eq!(
                p.compare(same.as_bytes()),
                Some(MatchKind::Normalised),
                "{same}"
            );
        }
        assert_eq!(p.compare(b"514-721-4711"), Some(MatchKind::Exact));
        assert_eq!(p.compare(b"+1 (514) 721-4712"), None);
        assert_eq!(p.compare(b"+44 514 721 4711"), None);
        let uk = id(IdentKind::Phone, "+44 20 7946 0958");
        assert_eq!(
            uk.compare(b"+44 (20) 7946-0958"),
            Some(MatchKind::Normalised)
        );
        // A stored number without a country code is read in the region of the number given.
        assert_eq!(uk.compare(b"020 7946 0958"), Some(MatchKind::Normalised));
        let err = Identifier::parse(IdentKind::Phone, "abc", region("US").unwrap()).unwrap_err();
        assert!(!err.contains("abc"), "{err}");
    }

    #[test]
    fn names_fold_case_accents_and_order() {
        let n = id(IdentKind::Name, "François Tremblay");
        assert_eq!(n.normal, "francois tremblay");
        assert_eq!(
            n.compare("TREMBLAY, Francois".as_bytes()),
            Some(MatchKind::NameOnly)
        );
        assert_eq!(
            n.compare("francois tremblay".as_bytes()),
            Some(MatchKind::NameOnly)
        );
        assert_eq!(n.compare(b"Francois"), None);
        assert!(n.name_in(&["francois".into(), "marie".into(), "tremblay".into()]));
        assert!(!n.name_in(&["francois".into(), "tremblant".into()]));
    }

    #[test]
    fn ssns_ips_and_customer_ids() {
        let s = id(IdentKind::Ssn, "123-45-6789");
        assert_eq!(s.compare(b"123456789"), Some(MatchKind::Normalised));
        assert_eq!(s.compare(b"123-45-6780"), None);
        let ip = id(IdentKind::Ip, "2001:DB8::1");
        assert_eq!(ip.compare(b"2001:db8:0:0::1"), Some(MatchKind::Normalised));
        assert_eq!(
            id(IdentKind::Ip, "83.149.9.216").compare(b"83.149.9.21"),
            None
        );
        let c = id(IdentKind::CustomerId, "customer_id = 5");
        assert_eq!(c.column.as_deref(), Some("customer_id"));
        assert_eq!(c.compare(b"5"), Some(MatchKind::Exact));
        assert_eq!(c.compare(b"55"), None);
    }

    #[test]
    fn a_json_file_of_identifiers() {
        let got = from_json(r#"{"email": "a@b.co", "phone": ["1", "2"], "customer_id": "id=3"}"#)
            .unwrap();
        assert_eq!(got.len(), 4);
        assert!(from_json(r#"{"shoe": "x"}"#).is_err());
        assert!(!from_json("{\"email\": secret}")
            .unwrap_err()
            .contains("secret"));
    }
}
