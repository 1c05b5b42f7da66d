//! The record of processing activities as CSV (`ropa.csv`), for spreadsheets.

use super::model::NoticeModel;
use crate::inventory::datamap::Presence;
use crate::output::escape;

/// The record of processing activities as CSV: one row per processing activity. Every
/// cell goes through [`escape::csv_cell`]: asset names and labels can come from the
/// scanned data, and a spreadsheet must not run them as formulas.
pub fn ropa_csv(model: &NoticeModel) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "Processing activity",
        "Controller",
        "Controller contact",
        "Data protection officer",
        "EU representative",
        "Purposes (b)",
        "Categories of data subjects (c)",
        "Categories of personal data (c)",
        "Special categories, Art. 9",
        "Criminal convictions and offences, Art. 10",
        "Recipients (d)",
        "Third-country transfers and safeguards (e)",
        "Time limits for erasure (f)",
        "Security measures (g)",
        "Evidence (assets scanned)",
        "Needs review",
    ])?;
    let r = &model.ropa;
    let contact = [r.controller_address.as_str(), r.controller_contact.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("; ");
    for a in &r.activities {
        let join = |v: Vec<String>| v.join("; ");
        let row = [
            a.name.clone(),
            r.controller.clone(),
            contact.clone(),
            r.dpo.clone(),
            r.representative.clone(),
            join(a.purposes.iter().map(|p| p.label.clone()).collect()),
            join(a.data_subjects.iter().map(|p| p.label.clone()).collect()),
            join(
                a.data_categories
                    .iter()
                    .map(|d| match d.presence {
                        Presence::FoundUndeclared => {
                            format!("{} (found, not declared: needs review)", d.label)
                        }
                        Presence::DeclaredNotFound => {
                            format!("{} (declared, not found)", d.label)
                        }
                        _ => d.label.clone(),
                    })
                    .collect(),
            ),
            join(a.special_categories.clone()),
            if a.article10 { "yes" } else { "no" }.into(),
            join(
                a.recipients
                    .iter()
                    .map(|x| format!("{} ({}; {})", x.name, x.category, x.role))
                    .collect(),
            ),
            join(
                a.transfers
                    .iter()
                    .map(|t| {
                        format!(
                            "{}: {} ({})",
                            t.recipient,
                            t.country,
                            if t.safeguard.is_empty() {
                                "no safeguard declared"
                            } else {
                                &t.safeguard
                            }
                        )
                    })
                    .collect(),
            ),
            a.retention.clone(),
            join(r.security_measures.clone()),
            join(a.assets.clone()),
            join(a.review_notes.clone()),
        ];
        w.write_record(row.iter().map(|c| escape::csv_cell(c).into_owned()))?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Inventory;
    use crate::knowledge::{Catalog, Vocabulary};
    use crate::manifest::Manifest;
    use crate::taxonomy::Taxonomy;

    #[test]
    fn ropa_csv_cells_cannot_start_formulas() {
        let taxonomy = Taxonomy::builtin().unwrap();
        let vocab = Vocabulary::builtin().unwrap();
        let catalog = Catalog::builtin().unwrap();
        let manifest = Manifest::parse(
            "t.toml",
            r#"
[organisation]
legal_name = "=HYPERLINK(\"http://x\",\"y\")"
dpo_contact = "@SUM(1)"
address = "-2+3"
security_measures = ["+cmd", "\tTAB", "line\u001b[31m"]

[sources.web]
kind = "files"
path = "data"
data_types = ["email"]
purposes = ["security"]
data_subjects = ["customers"]
source_categories = ["consumer_devices"]
retention = "=1+1"
"#,
            &taxonomy,
            &vocab,
            &catalog,
        )
        .unwrap();
        let inv = Inventory::new(crate::inventory::ScanInfo::default(), Vec::new());
        let model = NoticeModel::build(
            &inv,
            &manifest,
            &taxonomy,
            &vocab,
            &catalog,
            "2026-11-29",
            &[],
        );
        let text = ropa_csv(&model).unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut cells = 0;
        for rec in r.records() {
            for cell in rec.unwrap().iter() {
                cells += 1;
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?} in {text}"
                );
                assert!(!cell.contains('\x1b'), "{cell:?}");
            }
        }
        assert_eq!(cells, 32, "{text}");
        assert!(
            text.contains("'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")"),
            "{text}"
        );
        assert!(text.contains("'+cmd; \tTAB; line\\x1b[31m"), "{text}");
        assert!(text.contains(",'=1+1,"), "{text}");
    }
}
