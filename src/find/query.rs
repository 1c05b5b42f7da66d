//! The SQL side of a database lookup, decided per identifier and column: which
//! predicate the server evaluates (equality through an index, or a coarse normalised
//! scan), and how a returned value is verified (a column, its JSON leaves, its array
//! elements).

use super::ident::{like_escape_lower, IdentKind, Identifier, MatchKind};
use super::matcher::phone_forms;
use crate::source::db::{Column, ColumnKind, IndexForm, Predicate, TableKeys, ELEMENT_SEPARATOR};

/// Whether a customer id `COLUMN=…` (or `table.COLUMN=…`) names this column.
pub(super) fn names_column(id: &Identifier, table: &str, column: &str) -> bool {
    let Some(want) = id.column.as_deref() else {
        return false;
    };
    match want.rsplit_once('.') {
        Some((t, c)) => {
            c.eq_ignore_ascii_case(column)
                && (t.eq_ignore_ascii_case(table)
                    || table
                        .rsplit('.')
                        .next()
                        .is_some_and(|x| x.eq_ignore_ascii_case(t)))
        }
        None => want.eq_ignore_ascii_case(column),
    }
}

/// How a stored value matches (field, kind): the column itself, or each JSON leaf or
/// array element that does.
pub(super) fn compare(id: &Identifier, column: &Column, value: &[u8]) -> Vec<(String, MatchKind)> {
    match column.kind {
        ColumnKind::Json => {
            let mut out = Vec::new();
            if let Ok(doc) = serde_json::from_slice::<serde_json::Value>(value) {
                let mut path = column.name.clone();
                crate::source::file::json_walk::flatten_json(&doc, &mut path, &mut |p, v| {
                    if let Some(k) = id.compare(v) {
                        out.push((p.to_string(), k));
                    }
                });
            } else if let Some(k) = id.compare(value) {
                out.push((column.name.clone(), k));
            }
            out
        }
        ColumnKind::Elements => value
            .split(|&b| b == ELEMENT_SEPARATOR)
            .filter_map(|e| id.compare(e))
            .min()
            .map(|k| (column.name.clone(), k))
            .into_iter()
            .collect(),
        _ => id
            .compare(value)
            .map(|k| (column.name.clone(), k))
            .into_iter()
            .collect(),
    }
}

/// The server predicate for identifier `id` on `column`, and how it is looked up.
pub(super) fn predicate(
    id: &Identifier,
    column: &Column,
    keys: &TableKeys,
    exhaustive: bool,
) -> (Predicate, &'static str) {
    let index = keys
        .index_on(&column.name)
        .map(|i| i.form)
        .filter(|_| !exhaustive);
    let contains = |s: &str| vec![format!("%{}%", like_escape_lower(s))];
    if column.kind != ColumnKind::Text {
        return match id.kind {
            IdentKind::Phone | IdentKind::Ssn => (
                Predicate::Digits(vec![format!("%{}%", national(id))]),
                "scan of the document's digits",
            ),
            _ => (
                Predicate::Lower {
                    values: vec![],
                    patterns: contains(&id.normal),
                },
                "scan of the document's text",
            ),
        };
    }
    let raw = |mut v: Vec<String>| {
        v.push(id.given.clone());
        v.push(id.normal.clone());
        v.sort();
        v.dedup();
        Predicate::Equals(v)
    };
    match (id.kind, index) {
        (IdentKind::CustomerId, _) => (raw(vec![]), "equality"),
        (IdentKind::Email, Some(IndexForm::Lower)) => (
            Predicate::Lower {
                values: vec![id.normal.clone(), id.given.to_lowercase()],
                patterns: vec![],
            },
            "index on lower(column)",
        ),
        (IdentKind::Email, Some(IndexForm::Raw)) => (
            raw(email_cases(&id.given)
                .into_iter()
                .chain(email_cases(&id.normal))
                .collect()),
            "index, equality on the given and normalised forms in their usual letter cases \
             (a value stored in another case needs --exhaustive)",
        ),
        (IdentKind::Email, None) => {
            let (local, domain) = id.normal.split_once('@').unwrap_or((&id.normal, ""));
            let mut patterns = Vec::new();
            if super::ident::tags_optional(domain) {
                patterns.push(format!(
                    "{}+%@{}",
                    like_escape_lower(local),
                    like_escape_lower(domain)
                ));
            }
            (
                Predicate::Lower {
                    values: vec![id.normal.clone()],
                    patterns,
                },
                "scan, lower-cased",
            )
        }
        (IdentKind::Phone, Some(_)) => (
            raw(phone_forms(id)),
            "index, equality on the usual layouts of the number",
        ),
        (IdentKind::Phone, None) => (
            Predicate::Digits(vec![format!("%{}", national(id))]),
            "scan of the digits",
        ),
        (IdentKind::Ssn, Some(_)) => {
            let d = &id.normal;
            let mut v = vec![d.clone()];
            if d.len() == 9 {
                v.push(format!("{}-{}-{}", &d[..3], &d[3..5], &d[5..]));
            }
            (raw(v), "index, equality on the given and normalised forms")
        }
        (IdentKind::Ssn, None) => (
            Predicate::Digits(vec![id.normal.clone()]),
            "scan of the digits",
        ),
        (IdentKind::Ip, Some(_)) => (raw(vec![]), "index, equality"),
        (IdentKind::Ip, None) => (
            Predicate::Lower {
                values: vec![id.normal.clone(), id.given.to_lowercase()],
                patterns: vec![],
            },
            "scan, lower-cased",
        ),
        (IdentKind::Name, _) => (Predicate::All, "every row"),
    }
}

/// An address in the letter cases systems store it in: lower, upper, the local part
/// upper or capitalised (`ELIZABETH.BROWN@example.org`, `Elizabeth.Brown@example.org`).
fn email_cases(email: &str) -> Vec<String> {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return vec![email.to_string()];
    };
    let capital = |w: &str| {
        let mut c = w.chars();
        c.next().map_or_else(String::new, |f| {
            f.to_uppercase()
                .chain(c.flat_map(char::to_lowercase))
                .collect()
        })
    };
    let title: String = local
        .split_inclusive(['.', '_', '-'])
        .map(capital)
        .collect();
    let (d, du) = (domain.to_lowercase(), domain.to_uppercase());
    vec![
        email.to_string(),
        format!("{}@{d}", local.to_lowercase()),
        format!("{}@{du}", local.to_uppercase()),
        format!("{}@{d}", local.to_uppercase()),
        format!("{title}@{d}"),
    ]
}

/// The significant digits a stored number ends with (the national number of a phone,
/// the digits of an SSN).
fn national(id: &Identifier) -> String {
    match &id.phone {
        Some(p) => {
            let n = p.national();
            format!("{}{}", "0".repeat(usize::from(n.zeros())), n.value())
        }
        None => id.normal.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_in_their_usual_letter_cases() {
        let c = email_cases("elizabeth.brown@Sakila.org");
        for want in [
            "elizabeth.brown@sakila.org",
            "ELIZABETH.BROWN@sakila.org",
            "Elizabeth.Brown@sakila.org",
            "ELIZABETH.BROWN@SAKILA.ORG",
        ] {
            assert!(c.iter().any(|x| x == want), "{want}: {c:?}");
        }
    }
}
