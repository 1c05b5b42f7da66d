//! Policy checks: what was discovered against what was declared.
//!
//! Each violation names its kind, the source, asset and field where it applies, and why.
//! Findings covered by a disposition (false positive or accepted) never become
//! violations; they stay visible in the data map as dismissed or accepted.

use serde::{Deserialize, Serialize};

use crate::inventory::answers::Answers;
use crate::inventory::datamap::{AssetRef, DataMap, Presence, RecipientEntry, TypeEntry};
use crate::inventory::sale::{PossibleShare, SaleAssessment};
use crate::manifest::Manifest;
use crate::taxonomy::Taxonomy;

/// What a violation is about: the value `--fail-on` selects and `kind` in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// A data type found where the manifest does not declare it.
    Undeclared,
    /// Sensitive personal information where the manifest does not say it is expected.
    Sensitive,
    /// Data reaching a recipient the manifest does not declare.
    Recipients,
    /// A declared data type no longer found.
    Stale,
    /// A possible sale or share the manifest does not answer for.
    Sale,
    /// A question a negative statement of the drafts rests on (`[disclosures]`, a
    /// source's `messages`) is not answered, or its answer is contradicted: the drafts
    /// withhold the statement.
    Unanswered,
    /// An asset whose oldest record is older than its source's declared retention.
    Retention,
    /// Loyalty-like data (a likely financial incentive) with no programme declared.
    Incentive,
}

impl ViolationKind {
    /// Every kind, in the order `--fail-on any` lists them.
    pub const ALL: &'static [ViolationKind] = &[
        Self::Undeclared,
        Self::Sensitive,
        Self::Recipients,
        Self::Stale,
        Self::Sale,
        Self::Unanswered,
        Self::Retention,
        Self::Incentive,
    ];

    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Undeclared => "undeclared",
            Self::Sensitive => "sensitive",
            Self::Recipients => "recipients",
            Self::Stale => "stale",
            Self::Sale => "sale",
            Self::Unanswered => "unanswered",
            Self::Retention => "retention",
            Self::Incentive => "incentive",
        }
    }
}

impl std::fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One policy violation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// What the violation is about.
    pub kind: ViolationKind,
    /// The manifest source concerned, if any.
    pub source: Option<String>,
    /// The asset concerned, if any.
    pub asset: Option<String>,
    /// The field concerned, if any.
    pub field: Option<String>,
    /// The data type or recipient concerned.
    pub subject: String,
    /// What is wrong, for humans.
    pub message: String,
}

/// "Found nowhere" is only as good as what was read: names the assets that were not.
fn unread_caveat(map: &DataMap) -> String {
    let c = &map.coverage;
    let unread = c.failed.len() + c.skipped.len() + c.empty.len();
    if unread == 0 {
        return String::new();
    }
    format!(
        " in what was read ({unread} asset(s) were not read completely, or at all: it may be there)"
    )
}

/// Computes every violation (the selling and sharing rules and the answers applied
/// here; an [`Assessment`](crate::inventory::Assessment) has them already).
pub fn check(map: &DataMap, manifest: &Manifest, taxonomy: &Taxonomy) -> Vec<Violation> {
    let sale = SaleAssessment::of(map, taxonomy);
    let mut out = check_assessed(map, &sale, manifest, taxonomy);
    out.extend(unanswered(&Answers::of(manifest, map, &sale)));
    out
}

/// One `unanswered` violation per statement the drafts withhold: a question of
/// `[disclosures]` (or a source's `messages`) not answered, or answered against the
/// declarations or the data.
pub fn unanswered(answers: &Answers) -> Vec<Violation> {
    answers
        .withheld
        .iter()
        .map(|w| Violation {
            kind: ViolationKind::Unanswered,
            source: w
                .key
                .strip_prefix("sources.")
                .and_then(|k| k.split_once('.'))
                .map(|(s, _)| s.to_string()),
            asset: None,
            field: None,
            subject: w.key.clone(),
            message: format!("statement withheld (\"{}\"): {}", w.statement, w.reason),
        })
        .collect()
}

/// Computes every violation of a data map whose selling and sharing are assessed.
pub fn check_assessed(
    map: &DataMap,
    sale: &SaleAssessment,
    manifest: &Manifest,
    taxonomy: &Taxonomy,
) -> Vec<Violation> {
    let mut out = Vec::new();
    for t in &map.data_types {
        for a in t.assets.iter().filter(|a| a.disposition.is_none()) {
            out.extend(undeclared(t, a, manifest));
            out.extend(sensitive_undeclared(t, a, manifest, taxonomy));
        }
        out.extend(stale(t, map));
        out.extend(suspected_incentive(t, manifest, taxonomy));
    }
    for r in &map.recipients {
        out.extend(undeclared_recipient(r));
        if let Some(p) = sale.possible_shares.iter().find(|p| p.recipient == r.id) {
            out.push(possible_sale(r, p, sale));
        }
    }
    out
}

fn declares(src: &crate::manifest::Source, data_type: &str) -> bool {
    src.data_types.iter().any(|d| d.get_ref() == data_type)
}

/// Found where no source (the asset's own, or any when it belongs to none) declares it.
fn undeclared(t: &TypeEntry, a: &AssetRef, manifest: &Manifest) -> Option<Violation> {
    let declared_here = match &a.source {
        Some(s) => manifest
            .sources
            .get(s)
            .is_some_and(|src| declares(src, &t.data_type)),
        None => manifest
            .sources
            .values()
            .any(|src| declares(src, &t.data_type)),
    };
    if declared_here {
        return None;
    }
    let field = a
        .field
        .as_deref()
        .map(|f| format!(", field {f}"))
        .unwrap_or_default();
    Some(Violation {
        kind: ViolationKind::Undeclared,
        source: a.source.clone(),
        asset: Some(a.asset.clone()),
        field: a.field.clone(),
        subject: t.data_type.clone(),
        message: format!(
            "{} found in {}{field} but not declared{}",
            t.label,
            a.asset,
            a.source
                .as_deref()
                .map(|s| format!(" for source `{s}`"))
                .unwrap_or_default()
        ),
    })
}

/// Sensitive personal information (§1798.140(ae)) in an asset whose source declares no
/// sensitive type.
fn sensitive_undeclared(
    t: &TypeEntry,
    a: &AssetRef,
    manifest: &Manifest,
    taxonomy: &Taxonomy,
) -> Option<Violation> {
    if t.law.sensitive.is_empty() {
        return None;
    }
    let source_declares_sensitive = a
        .source
        .as_ref()
        .and_then(|s| manifest.sources.get(s))
        .is_some_and(|src| {
            src.data_types.iter().any(|d| {
                taxonomy
                    .get(d.get_ref())
                    .is_some_and(|x| !x.sensitive.is_empty())
            })
        });
    (!source_declares_sensitive).then(|| Violation {
        kind: ViolationKind::Sensitive,
        source: a.source.clone(),
        asset: Some(a.asset.clone()),
        field: a.field.clone(),
        subject: t.data_type.clone(),
        message: format!(
            "sensitive personal information ({}) in {} whose source declares none",
            t.label, a.asset
        ),
    })
}

/// Declared, found nowhere.
fn stale(t: &TypeEntry, map: &DataMap) -> Option<Violation> {
    (t.presence == Presence::DeclaredNotFound).then(|| Violation {
        kind: ViolationKind::Stale,
        source: t.sources.first().cloned(),
        asset: None,
        field: None,
        subject: t.data_type.clone(),
        message: format!(
            "{} is declared (sources: {}) but was found nowhere{}",
            t.label,
            t.sources.join(", "),
            unread_caveat(map)
        ),
    })
}

/// The taxonomy family of data types that suggest a financial incentive programme
/// (loyalty tiers, reward points; `rules/taxonomy.toml`).
pub const INCENTIVE_FAMILY: &str = "incentive";

/// Loyalty-like data found while the manifest declares no `[[financial_incentives]]`: a
/// likely programme that needs a notice of financial incentive (11 CCR §7016).
fn suspected_incentive(t: &TypeEntry, manifest: &Manifest, taxonomy: &Taxonomy) -> Vec<Violation> {
    let family = taxonomy.get(&t.data_type).map(|d| d.family.as_str());
    if family != Some(INCENTIVE_FAMILY) || !manifest.financial_incentives.is_empty() {
        return Vec::new();
    }
    t.assets
        .iter()
        .filter(|a| a.disposition.is_none())
        .map(|a| Violation {
            kind: ViolationKind::Incentive,
            source: a.source.clone(),
            asset: Some(a.asset.clone()),
            field: a.field.clone(),
            subject: t.data_type.clone(),
            message: format!(
                "{} in {}{} suggests a loyalty or rewards programme, but the manifest declares no [[financial_incentives]] (a financial incentive needs a notice, 11 CCR §7016)",
                t.label,
                a.asset,
                a.field.as_deref().map(|f| format!(", field {f}")).unwrap_or_default()
            ),
        })
        .collect()
}

/// Data flows to a recipient nobody declared.
fn undeclared_recipient(r: &RecipientEntry) -> Option<Violation> {
    (r.observed && !r.declared).then(|| Violation {
        kind: ViolationKind::Recipients,
        source: None,
        asset: None,
        field: None,
        subject: r.id.clone(),
        message: format!(
            "data flows to {} ({}) but it is not a declared recipient; seen in {}",
            r.name,
            r.category_label,
            r.evidence.first().map_or("the data", String::as_str)
        ),
    })
}

/// A flow that may be sharing (the rules of [`crate::inventory::sale`]).
fn possible_sale(r: &RecipientEntry, p: &PossibleShare, sale: &SaleAssessment) -> Violation {
    let declared = if sale.declared() {
        "but is not declared as sold to or shared with"
    } else {
        "while the manifest declares no sale or sharing"
    };
    Violation {
        kind: ViolationKind::Sale,
        source: None,
        asset: None,
        field: None,
        subject: r.id.clone(),
        message: format!(
            "{} ({}) receives identifiers or network activity ({}) {declared}",
            r.name,
            r.category_label,
            p.data_types.join(", ")
        ),
    }
}

/// Parses `--fail-on` (comma-separated kinds, or `any`).
pub fn parse_fail_on(list: &[String]) -> Result<Vec<ViolationKind>, String> {
    let mut out = Vec::new();
    for item in list
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let names = ViolationKind::ALL.iter().map(|k| k.as_str());
        if item == "any" {
            out.extend_from_slice(ViolationKind::ALL);
        } else if let Some(kind) = ViolationKind::ALL.iter().find(|k| k.as_str() == item) {
            out.push(*kind);
        } else {
            let hint = crate::manifest::suggest(item, names.clone())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(format!(
                "unknown --fail-on kind `{item}`{hint}; kinds: {}, any",
                names.collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(out)
}
