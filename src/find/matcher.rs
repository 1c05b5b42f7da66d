//! One Aho-Corasick automaton over the written forms of the person's identifiers, for
//! text: log lines, file cells, JSON values. Each identifier contributes the forms it
//! is written in (an email in lower case and as given, a phone in E.164, national and
//! international layouts with the usual separators, an SSN with and without dashes, a
//! name in both orders), matched ASCII-case-insensitively in one pass; every hit is
//! then verified: the bytes around it must end the token (`ann@example.com` is not in
//! `joann@example.com`, `83.149.9.21` is not in `83.149.9.216`) and the span must
//! compare equal under the identifier's own normalisation.

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind as AcKind};

use super::ident::{fold_word, tags_optional, IdentKind, Identifier, MatchKind};

/// What a pattern stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// A whole written form.
    Whole,
    /// `local+` of a tag-taking provider: the tag and `@domain` are checked after it.
    TagPrefix,
}

/// A verified hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Index of the identifier (into the list the matcher was built from).
    pub ident: usize,
    /// How sure.
    pub kind: MatchKind,
    /// Start of the span.
    pub start: usize,
    /// End of the span.
    pub end: usize,
}

/// The automaton and what each pattern stands for.
pub struct Matcher {
    ac: AhoCorasick,
    patterns: Vec<(usize, Form)>,
    identifiers: Vec<Identifier>,
}

impl Matcher {
    /// A matcher for the identifiers of `wanted` (indexes into `identifiers`); `None`
    /// when there is nothing to look for.
    pub fn new(identifiers: &[Identifier], wanted: &BTreeSet<usize>) -> Option<Matcher> {
        let mut texts: Vec<String> = Vec::new();
        let mut patterns = Vec::new();
        for &i in wanted {
            let Some(id) = identifiers.get(i) else {
                continue;
            };
            for (text, form) in forms(id) {
                if text.len() >= 2
                    && !texts
                        .iter()
                        .zip(&patterns)
                        .any(|(t, p)| *t == text && *p == (i, form))
                {
                    texts.push(text);
                    patterns.push((i, form));
                }
            }
        }
        if texts.is_empty() {
            return None;
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(AcKind::Standard)
            .build(&texts)
            .ok()?;
        Some(Matcher {
            ac,
            patterns,
            identifiers: identifiers.to_vec(),
        })
    }

    /// The verified hits in `hay`, one per identifier and start (the longest).
    pub fn find(&self, hay: &[u8], out: &mut Vec<Hit>) {
        let first = out.len();
        for m in self.ac.find_overlapping_iter(hay) {
            let (ident, form) = self.patterns[m.pattern().as_usize()];
            let id = &self.identifiers[ident];
            let Some(end) = verify(id, form, hay, m.start(), m.end()) else {
                continue;
            };
            let span = &hay[m.start()..end];
            let kind = if id.kind == IdentKind::Name {
                MatchKind::NameOnly
            } else if span == id.given.as_bytes() {
                MatchKind::Exact
            } else {
                match id.compare(span) {
                    Some(k) => k,
                    None => continue,
                }
            };
            let hit = Hit {
                ident,
                kind,
                start: m.start(),
                end,
            };
            match out[first..]
                .iter_mut()
                .find(|h| h.ident == ident && h.start == hit.start)
            {
                Some(h) if h.end < hit.end => *h = hit,
                Some(_) => {}
                None => out.push(hit),
            }
        }
    }

    /// Whether `hay` holds identifier `ident` (the best match kind).
    pub fn holds(&self, hay: &[u8], ident: usize) -> Option<MatchKind> {
        let mut hits = Vec::new();
        self.find(hay, &mut hits);
        hits.iter()
            .filter(|h| h.ident == ident)
            .map(|h| h.kind)
            .min()
    }

    /// The identifiers the matcher was built from.
    pub fn identifiers(&self) -> &[Identifier] {
        &self.identifiers
    }
}

/// The written forms of an identifier.
fn forms(id: &Identifier) -> Vec<(String, Form)> {
    let whole = |v: Vec<String>| v.into_iter().map(|t| (t, Form::Whole)).collect::<Vec<_>>();
    match id.kind {
        IdentKind::Email => {
            let mut out = whole(vec![id.normal.clone(), id.given.clone()]);
            if let Some((local, domain)) = id.normal.split_once('@') {
                if tags_optional(domain) {
                    out.push((format!("{local}+"), Form::TagPrefix));
                }
            }
            out
        }
        IdentKind::Phone => whole(phone_forms(id)),
        IdentKind::Ssn => {
            let d = &id.normal;
            let mut v = vec![d.clone(), id.given.clone()];
            if d.len() == 9 {
                for sep in ["-", " ", "."] {
                    v.push(format!("{}{sep}{}{sep}{}", &d[..3], &d[3..5], &d[5..]));
                }
            }
            whole(v)
        }
        IdentKind::Ip | IdentKind::CustomerId => whole(vec![id.normal.clone(), id.given.clone()]),
        IdentKind::Name => {
            let words: Vec<String> = id.given.split_whitespace().map(str::to_string).collect();
            let folded: Vec<String> = words.iter().map(|w| fold_word(w)).collect();
            let mut v = vec![id.given.clone(), id.given.to_lowercase()];
            for w in [&words, &folded] {
                if let Some((last, first)) = w.split_last() {
                    v.push(w.join(" "));
                    if !first.is_empty() {
                        v.push(format!("{last}, {}", first.join(" ")));
                        v.push(format!("{last} {}", first.join(" ")));
                    }
                }
            }
            whole(v)
        }
    }
}

/// A phone number in its usual layouts: E.164, digits with and without the country
/// code, the national and international formats with `-`, `.`, ` ` or nothing between
/// groups.
pub(crate) fn phone_forms(id: &Identifier) -> Vec<String> {
    let mut v = vec![id.given.clone(), id.normal.clone()];
    let Some(p) = &id.phone else { return v };
    let cc = p.code().value().to_string();
    let national = p.format().mode(phonenumber::Mode::National).to_string();
    let international = p
        .format()
        .mode(phonenumber::Mode::International)
        .to_string();
    let groups = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter(|g| !g.is_empty())
            .map(str::to_string)
            .collect()
    };
    v.push(national.clone());
    v.push(international.clone());
    let ng = groups(&national);
    let mut ig = groups(&international);
    if ig.first() == Some(&cc) {
        ig.remove(0);
    }
    for sep in ["-", ".", " ", ""] {
        v.push(ng.join(sep));
        let rest = ig.join(sep);
        v.push(format!("+{cc}{sep}{rest}"));
        v.push(format!("+{cc} {rest}"));
        v.push(format!("{cc}{sep}{rest}"));
        v.push(format!("00{cc}{sep}{rest}"));
        if ng.len() >= 2 {
            v.push(format!("({}) {}", ng[0], ng[1..].join(sep)));
            v.push(format!("({}){}", ng[0], ng[1..].join(sep)));
        }
    }
    v.sort();
    v.dedup();
    v
}

fn is_email_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// The end of the verified span, if the hit at `start..end` stands alone.
fn verify(id: &Identifier, form: Form, hay: &[u8], start: usize, end: usize) -> Option<usize> {
    let before = start.checked_sub(1).map(|i| hay[i]);
    let at = |i: usize| hay.get(i).copied();
    let digit = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_digit());
    match id.kind {
        IdentKind::Email => {
            if before.is_some_and(is_email_char) {
                return None;
            }
            let end = match form {
                Form::Whole => end,
                Form::TagPrefix => {
                    let mut i = end;
                    while at(i).is_some_and(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
                    }) {
                        i += 1;
                    }
                    let domain = id.normal.split_once('@')?.1.as_bytes();
                    let rest = hay.get(i + 1..i + 1 + domain.len())?;
                    if at(i) != Some(b'@') || !rest.eq_ignore_ascii_case(domain) {
                        return None;
                    }
                    i + 1 + domain.len()
                }
            };
            let next = at(end);
            let continues = next
                .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'@'))
                || (next == Some(b'.') && at(end + 1).is_some_and(|b| b.is_ascii_alphanumeric()));
            (!continues).then_some(end)
        }
        IdentKind::Phone | IdentKind::Ssn => {
            (!digit(before) && !digit(at(end)) && before != Some(b'+')).then_some(end)
        }
        IdentKind::Ip => {
            let v6 = id.normal.contains(':');
            let part = |b: Option<u8>| {
                b.is_some_and(|b| {
                    b.is_ascii_digit() || (v6 && (b.is_ascii_hexdigit() || b == b':'))
                })
            };
            let dotted_before = before == Some(b'.') && digit(start.checked_sub(2).and_then(at));
            let dotted_after = at(end) == Some(b'.') && digit(at(end + 1));
            (!part(before) && !part(at(end)) && !dotted_before && !dotted_after).then_some(end)
        }
        IdentKind::Name | IdentKind::CustomerId => {
            let word = |b: Option<u8>| {
                b.is_some_and(|b| b.is_ascii_alphanumeric() || b >= 0x80 || b == b'_')
            };
            (!word(before) && !word(at(end))).then_some(end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::find::ident::region;

    fn matcher(ids: &[(IdentKind, &str)]) -> Matcher {
        let ids: Vec<Identifier> = ids
            .iter()
            .map(|(k, s)| Identifier::parse(*k, s, region("US").unwrap()).unwrap())
            .collect();
        Matcher::new(&ids, &(0..ids.len()).collect()).unwrap()
    }

    fn kinds(m: &Matcher, text: &str) -> Vec<(usize, MatchKind)> {
        let mut hits = Vec::new();
        m.find(text.as_bytes(), &mut hits);
        hits.iter().map(|h| (h.ident, h.kind)).collect()
    }

    #[test]
    fn emails_in_text_stand_alone() {
        let m = matcher(&[(IdentKind::Email, "ann@gmail.com")]);
        assert_eq!(kinds(&m, "to: ann@gmail.com."), [(0, MatchKind::Exact)]);
        assert_eq!(kinds(&m, "ANN@GMAIL.COM"), [(0, MatchKind::Normalised)]);
        assert_eq!(
            kinds(&m, "\"ann+news@gmail.com\""),
            [(0, MatchKind::Normalised)]
        );
        for other in [
            "joann@gmail.com",
            "ann@gmail.com.br",
            "ann@gmail.company",
            "ann+x@gmail.co",
        ] {
            assert!(kinds(&m, other).is_empty(), "{other}");
        }
    }

    #[test]
    fn phones_ips_ssns_and_names_in_text() {
        let m = matcher(&[
            (IdentKind::Phone, "+1 514 721 4711"),
            (IdentKind::Ip, "83.149.9.216"),
            (IdentKind::Ssn, "123-45-6789"),
            (IdentKind::Name, "Leonie Köhler"),
        ]);
        assert_eq!(
            kinds(&m, "call (514) 721-4711 now"),
            [(0, MatchKind::Normalised)]
        );
        assert_eq!(kinds(&m, "tel=5147214711;"), [(0, MatchKind::Normalised)]);
        assert!(kinds(&m, "id 25147214711").is_empty());
        assert_eq!(kinds(&m, "83.149.9.216 - -"), [(1, MatchKind::Exact)]);
        assert!(kinds(&m, "183.149.9.216 83.149.9.2161 83.149.9.216.5").is_empty());
        assert_eq!(kinds(&m, "ssn 123 45 6789"), [(2, MatchKind::Normalised)]);
        assert_eq!(kinds(&m, "Köhler, LEONIE"), [(3, MatchKind::NameOnly)]);
        assert_eq!(kinds(&m, "leonie kohler"), [(3, MatchKind::NameOnly)]);
        assert!(kinds(&m, "leonie kohlers").is_empty());
    }
}
