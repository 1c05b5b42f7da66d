//! The draft response letter to a right-to-know request (CCPA §1798.110 and §1798.130,
//! 11 CCR §7024; GDPR Art. 15): the categories of personal information held, the
//! specific pieces (as a list of what is held, never the values), the categories of
//! sources, the purposes, the categories of third parties it was disclosed to, and how
//! long it is kept. Rendered from `rules/templates/response-letter.md.j2` and
//! `.html.j2` with the notices' template environment, so `--templates DIR` overrides
//! them by file name and every printed value is escaped for the format.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;

use super::report::Report;
use crate::manifest::Manifest;

/// The templates, by output file.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("response-letter.md", "response-letter.md.j2"),
    ("response-letter.html", "response-letter.html.j2"),
];

/// Who answers.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Business {
    /// Legal name ("" when not declared).
    pub name: String,
    /// Privacy contact email.
    pub privacy_email: String,
    /// Toll-free number.
    pub toll_free_phone: String,
    /// Request form.
    pub request_form_url: String,
    /// Postal address.
    pub address: String,
}

/// A category held, with the pieces in it.
#[derive(Clone, Debug, Serialize)]
pub struct LetterCategory {
    /// Letter (A–L).
    pub letter: String,
    /// Statutory name.
    pub name: String,
    /// Plural phrases of the data types in it ("email addresses").
    pub pieces: Vec<String>,
}

/// What the letter templates see.
#[derive(Clone, Debug, Serialize)]
pub struct LetterModel {
    /// The business.
    pub business: Business,
    /// Today, displayed ("May 17, 2026").
    pub date: String,
    /// The latest date to answer: 45 days from today (CCPA §1798.130(a)(2)(B)).
    pub deadline: String,
    /// `know` or `delete`.
    pub request: &'static str,
    /// The identifiers searched, masked ("email j***@e******.com").
    pub identifiers: Vec<String>,
    /// Records were found.
    pub found: bool,
    /// Categories held, with their pieces.
    pub categories: Vec<LetterCategory>,
    /// Every specific piece held (plural phrases).
    pub pieces: Vec<String>,
    /// Categories of sources (labels).
    pub sources: Vec<String>,
    /// Purposes (labels).
    pub purposes: Vec<String>,
    /// Categories of third parties disclosed to (labels).
    pub third_parties: Vec<String>,
    /// Categories of recipients it was sold to, or shared with for cross-context
    /// behavioural advertising.
    pub sold_or_shared: Vec<String>,
    /// Retention periods declared.
    pub retention: Vec<String>,
    /// The recipients come from a data map (without one, nothing is known about them).
    pub data_map: bool,
    /// Some records matched on a name only (not included: identity not verified).
    pub name_only: bool,
    /// Some searches failed: the draft must not be sent as complete.
    pub incomplete: bool,
}

fn display(date: &str) -> String {
    crate::notice::model::display_date(date)
}

/// The date `days` after `date` (YYYY-MM-DD).
fn plus_days(date: &str, days: i64) -> String {
    let p = |r: std::ops::Range<usize>| date.get(r).and_then(|s| s.parse::<i64>().ok());
    let (Some(y), Some(m), Some(d)) = (p(0..4), p(5..7), p(8..10)) else {
        return date.to_string();
    };
    let mut t = (y, m as u32, d as u32);
    for _ in 0..days {
        t = next_day(t);
    }
    format!("{:04}-{:02}-{:02}", t.0, t.1, t.2)
}

fn next_day((y, m, d): (i64, u32, u32)) -> (i64, u32, u32) {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let len = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if d < len {
        (y, m, d + 1)
    } else if m < 12 {
        (y, m + 1, 1)
    } else {
        (y + 1, 1, 1)
    }
}

impl LetterModel {
    /// The model for `report`, `today` being YYYY-MM-DD.
    pub fn build(report: &Report, manifest: Option<&Manifest>, today: &str) -> LetterModel {
        let org = manifest.map(|m| &m.organisation);
        let business = org.map_or_else(Business::default, |o| Business {
            name: o.legal_name.clone(),
            privacy_email: o.privacy_email.clone(),
            toll_free_phone: o.toll_free_phone.clone(),
            request_form_url: o.request_form_url.clone(),
            address: o.address.clone(),
        });
        let label_of = |t: &str| {
            report
                .data_types
                .iter()
                .find(|h| h.label == t)
                .map(|h| h.example.clone())
        };
        let categories: Vec<LetterCategory> = report
            .categories
            .iter()
            .map(|c| LetterCategory {
                letter: c.letter.clone(),
                name: c.name.clone(),
                pieces: c
                    .data_types
                    .iter()
                    .map(|l| label_of(l).unwrap_or_else(|| l.clone()))
                    .collect(),
            })
            .collect();
        let set = |it: &mut dyn Iterator<Item = String>| -> Vec<String> {
            let s: BTreeSet<String> = it.filter(|x| !x.is_empty()).collect();
            s.into_iter().collect()
        };
        LetterModel {
            business,
            date: display(today),
            deadline: display(&plus_days(today, 45)),
            request: report.request.as_str(),
            identifiers: report
                .identifiers
                .iter()
                .map(|i| format!("{} {}", i.kind.as_str(), i.masked))
                .collect(),
            found: report.found,
            categories,
            pieces: report
                .data_types
                .iter()
                .map(|t| t.example.clone())
                .collect(),
            sources: set(&mut report
                .sources
                .iter()
                .flat_map(|s| s.source_categories.clone())),
            purposes: set(&mut report.sources.iter().flat_map(|s| s.purposes.clone())),
            third_parties: set(&mut report.recipients.iter().map(|r| r.category.clone())),
            sold_or_shared: set(&mut report
                .recipients
                .iter()
                .filter(|r| r.sold || r.shared)
                .map(|r| r.category.clone())),
            retention: set(&mut report.sources.iter().map(|s| s.retention.clone())),
            data_map: report.data_map,
            name_only: !report.name_only.is_empty(),
            incomplete: !report.errors.is_empty(),
        }
    }
}

/// Renders the letter in Markdown and HTML: `(file name, contents)`.
pub fn render(
    model: &LetterModel,
    templates: Option<&Path>,
) -> anyhow::Result<Vec<(String, String)>> {
    let env = crate::notice::templates::environment(templates);
    let ctx = minijinja::Value::from_serialize(model);
    TEMPLATES
        .iter()
        .map(|(file, name)| {
            let t = env
                .get_template(name)
                .with_context(|| format!("loading template {name}"))?;
            let text = t
                .render(&ctx)
                .map_err(|e| anyhow::anyhow!("rendering template {name}: {e}"))?;
            Ok((file.to_string(), text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_is_45_days_later() {
        assert_eq!(plus_days("2026-01-01", 45), "2026-02-15");
        assert_eq!(plus_days("2024-12-20", 45), "2025-02-03");
    }
}
