//! Financial incentives (Civ. Code §1798.125(b); 11 CCR §7016): a programme that gives
//! consumers a payment, a price or a service difference in exchange for personal
//! information needs a notice of financial incentive with five items (§7016(d)): a
//! summary; the material terms, including the categories of personal information
//! involved; how to opt in; the right to withdraw and how; and how the incentive is
//! reasonably related to the value of the consumer's data, with a good-faith estimate of
//! that value and the method used to calculate it.
//!
//! Each item is printed only from an answer in `[[financial_incentives]]`; a missing one
//! is withheld and warned. Loyalty-like columns found in the data (the data types of the
//! taxonomy family `incentive`) without a declared programme are warned too: they are
//! the usual sign of one.

use serde::Serialize;

use super::context::Ctx;
use super::{doc, push_unique, Label};
use crate::inventory::datamap::Presence;
use crate::manifest::FinancialIncentive;
use crate::policy::INCENTIVE_FAMILY;

/// A CCPA category involved in a programme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IncentiveCategory {
    /// Letter of §1798.140(v)(1).
    pub letter: String,
    /// The statutory name.
    pub name: String,
}

/// One programme, as the notice prints it. An empty text is withheld (its key is in
/// `missing`).
#[derive(Clone, Debug, Serialize)]
pub struct ProgrammeModel {
    /// Name, or a bracketed placeholder when missing.
    pub name: String,
    /// An anchor id for the programme's section.
    pub anchor: String,
    /// Succinct summary (§7016(d)(1)).
    pub summary: String,
    /// Material terms (§7016(d)(2)).
    pub terms: String,
    /// The categories of personal information involved (§7016(d)(2)).
    pub categories: Vec<IncentiveCategory>,
    /// The data types involved, as labels.
    pub data_types: Vec<Label>,
    /// How to opt in (§7016(d)(3)).
    pub opt_in: String,
    /// How to withdraw (§7016(d)(4)).
    pub withdraw: String,
    /// Good-faith estimate of the value of the consumer's data (§7016(d)(5)(A)).
    pub value_estimate: String,
    /// The method used to calculate it (§7016(d)(5)(B)).
    pub value_method: String,
    /// Manifest keys whose answer is missing (their items are withheld).
    pub missing: Vec<String>,
}

/// Where loyalty-like data was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SuspectedProgramme {
    /// The data type's label.
    pub data_type: String,
    /// `asset (field)` places.
    pub places: Vec<String>,
}

/// Financial incentives, for the policy and the notice of financial incentive.
#[derive(Clone, Debug, Serialize)]
pub struct IncentivesModel {
    /// At least one programme is declared: the notice is written and linked.
    pub applies: bool,
    /// `organisation.financial_incentive = true` but no programme is described: the
    /// policy withholds the statement.
    pub undescribed: bool,
    /// The declared programmes.
    pub programmes: Vec<ProgrammeModel>,
    /// Where the published notice lives (the first `notice_url` declared); "": the
    /// policy links to the drafted file next to it.
    pub notice_url: String,
    /// Loyalty-like data found while no programme is declared.
    pub suspected: Vec<SuspectedProgramme>,
}

/// An anchor id from a name: lowercase ASCII letters and digits, `-` between words.
fn anchor_of(name: &str, i: usize) -> String {
    let mut out = String::from("programme-");
    let mut dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !out.ends_with('-') {
            out.push('-');
            dash = true;
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed == "programme" {
        format!("programme-{}", i + 1)
    } else {
        trimmed.to_string()
    }
}

fn programme(cx: &mut Ctx<'_>, i: usize, p: &FinancialIncentive) -> ProgrammeModel {
    let texts = [
        ("name", &p.name),
        ("summary", &p.summary),
        ("terms", &p.terms),
        ("opt_in", &p.opt_in),
        ("withdraw", &p.withdraw),
        ("value_estimate", &p.value_estimate),
        ("value_method", &p.value_method),
    ];
    let mut missing: Vec<String> = texts
        .iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(k, _)| k.to_string())
        .collect();
    if p.data_types.is_empty() {
        missing.push("data_types".into());
    }
    let mut categories = Vec::new();
    let mut data_types = Vec::new();
    for d in &p.data_types {
        let d = d.get_ref();
        let letters = match cx.taxonomy.get(d) {
            Some(t) => {
                push_unique(&mut data_types, cx.type_label(d));
                cx.taxonomy.letters_of(&t.ccpa, &t.sensitive)
            }
            None => vec![d.clone()],
        };
        for l in letters {
            push_unique(
                &mut categories,
                IncentiveCategory {
                    name: cx.taxonomy.ccpa_name(&l).to_string(),
                    letter: l,
                },
            );
        }
    }
    categories.sort_by(|a, b| a.letter.cmp(&b.letter));
    let name = if p.name.trim().is_empty() {
        format!("[financial incentive {}]", i + 1)
    } else {
        p.name.trim().to_string()
    };
    if !missing.is_empty() {
        let keys: Vec<String> = missing
            .iter()
            .map(|k| format!("financial_incentives[{i}].{k}"))
            .collect();
        cx.warn(
            format!("financial_incentive_incomplete:{i}"),
            &[doc::POLICY, doc::INCENTIVE],
            format!(
                "the notice of financial incentive for {name} withholds what the manifest does not answer (11 CCR §7016(d)): answer {} in piimap.toml",
                keys.join(", ")
            ),
        );
    }
    ProgrammeModel {
        anchor: anchor_of(&name, i),
        name,
        summary: p.summary.trim().into(),
        terms: p.terms.trim().into(),
        categories,
        data_types,
        opt_in: p.opt_in.trim().into(),
        withdraw: p.withdraw.trim().into(),
        value_estimate: p.value_estimate.trim().into(),
        value_method: p.value_method.trim().into(),
        missing,
    }
}

/// Loyalty-like data types found in the data, with where.
fn suspected(cx: &Ctx<'_>) -> Vec<SuspectedProgramme> {
    let mut out = Vec::new();
    for t in cx.map.data_types.iter().filter(|t| {
        t.presence != Presence::DeclaredNotFound
            && cx
                .taxonomy
                .get(&t.data_type)
                .is_some_and(|d| d.family == INCENTIVE_FAMILY)
    }) {
        let mut places = Vec::new();
        for a in t.assets.iter().filter(|a| a.disposition.is_none()) {
            let place = match &a.field {
                Some(f) => format!("{} ({f})", a.asset),
                None => a.asset.clone(),
            };
            push_unique(&mut places, place);
        }
        if !places.is_empty() {
            out.push(SuspectedProgramme {
                data_type: t.label.clone(),
                places,
            });
        }
    }
    out
}

/// The programmes of the manifest, and the warnings for what is missing or suspected.
pub(super) fn incentives(cx: &mut Ctx<'_>) -> IncentivesModel {
    let manifest = cx.manifest;
    let programmes: Vec<ProgrammeModel> = manifest
        .financial_incentives
        .iter()
        .enumerate()
        .map(|(i, p)| programme(cx, i, p))
        .collect();
    let applies = !programmes.is_empty();
    let undescribed = !applies && manifest.organisation.financial_incentive;
    if undescribed {
        cx.warn(
            "financial_incentive_undescribed",
            &[doc::POLICY],
            "organisation.financial_incentive is true but no [[financial_incentives]] programme is described: the policy withholds the statement and no notice of financial incentive is drafted (11 CCR §7016); describe each programme in piimap.toml",
        );
    }
    let suspected = if applies { Vec::new() } else { suspected(cx) };
    if !suspected.is_empty() {
        let places: Vec<String> = suspected
            .iter()
            .flat_map(|s| {
                s.places
                    .iter()
                    .map(move |p| format!("{} in {p}", s.data_type))
            })
            .collect();
        cx.warn(
            "financial_incentive_suspected",
            &[doc::POLICY],
            format!(
                "the data suggests a loyalty or rewards programme ({}) but the manifest declares no [[financial_incentives]]: if it is a financial incentive, describe it so the notice of financial incentive (11 CCR §7016) is drafted",
                places.join("; ")
            ),
        );
    }
    let notice_url = manifest
        .financial_incentives
        .iter()
        .map(|p| p.notice_url.trim())
        .find(|u| !u.is_empty())
        .unwrap_or_default()
        .to_string();
    IncentivesModel {
        applies,
        undescribed,
        programmes,
        notice_url,
        suspected,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};
    use super::*;

    const PROGRAMME: &str = r#"
[[financial_incentives]]
name = "Trailhead Rewards"
summary = "Members earn points on purchases."
terms = "One point per dollar; points expire after 24 months."
data_types = ["person_name", "email", "purchase_history", "loyalty_program"]
opt_in = "Tick 'Join Trailhead Rewards' at checkout."
withdraw = "Leave at any time in your account settings."
value_estimate = "$12 per member per year"
value_method = "The average value of rewards redeemed per member in 2025."
"#;

    /// 11 CCR §7016(d): the five items come from the manifest's answers; the
    /// categories involved are named with their statutory terms.
    #[test]
    fn ccr_7016_d_notice_items_come_from_the_declared_programme() {
        let f = fixture(PROGRAMME);
        let m = model_of(&f, "2026-11-29");
        let inc = &m.incentives;
        assert!(inc.applies && !inc.undescribed);
        let p = &inc.programmes[0];
        assert_eq!(p.name, "Trailhead Rewards");
        assert_eq!(p.anchor, "programme-trailhead-rewards");
        assert!(p.missing.is_empty(), "{:?}", p.missing);
        let letters: Vec<&str> = p.categories.iter().map(|c| c.letter.as_str()).collect();
        assert_eq!(letters, ["A", "B", "D"]);
        assert_eq!(
            p.categories[2].name,
            f.taxonomy.ccpa_name("D"),
            "statutory name of category D"
        );
        assert_eq!(inc.notice_url, "");
        assert!(!m
            .warning_codes()
            .iter()
            .any(|c| c.starts_with("financial_incentive")));
    }

    /// §7016(d)(5): without a value estimate and its method the item is withheld and
    /// warned, never invented.
    #[test]
    fn ccr_7016_d5_missing_value_estimate_is_withheld_and_warned() {
        let text = PROGRAMME
            .replace("value_estimate = \"$12 per member per year\"\n", "")
            .replace(
                "withdraw = \"Leave at any time in your account settings.\"\n",
                "",
            );
        let f = fixture(&text);
        let m = model_of(&f, "2026-11-29");
        let p = &m.incentives.programmes[0];
        assert_eq!(p.missing, ["withdraw", "value_estimate"]);
        let w = m
            .warnings
            .iter()
            .find(|w| w.code == "financial_incentive_incomplete:0")
            .expect("warned");
        assert!(w.message.contains("financial_incentives[0].value_estimate"));
        assert!(w.documents.contains(&doc::INCENTIVE.to_string()));
    }

    /// The bare boolean no longer stands for a notice: `true` with no programme
    /// described is warned and nothing is claimed.
    #[test]
    fn ccpa_1798_125_b_flag_without_a_programme_is_withheld() {
        let f = fixture("[organisation]\nfinancial_incentive = true\n");
        let m = model_of(&f, "2026-11-29");
        assert!(!m.incentives.applies && m.incentives.undescribed);
        assert!(m
            .warning_codes()
            .contains(&"financial_incentive_undescribed".to_string()));
    }

    #[test]
    fn anchors_are_ascii_slugs() {
        assert_eq!(anchor_of("Café Club — Gold!", 0), "programme-caf-club-gold");
        assert_eq!(anchor_of("★", 2), "programme-3");
    }
}
