//! The assessment: an inventory joined with the manifest (the data map), the selling and
//! sharing rules applied to it, the answers the negative statements rest on, and the
//! policy violations — computed once, here, and read by `scan`, `merge`, `check` and
//! `notice`.

use serde::Serialize;

use super::answers::Answers;
use super::datamap::DataMap;
use super::sale::SaleAssessment;
use super::Inventory;
use crate::knowledge::{Catalog, Vocabulary};
use crate::manifest::Manifest;
use crate::policy::{self, Violation};
use crate::taxonomy::Taxonomy;

/// What an inventory means against a manifest.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    /// The data map.
    pub map: DataMap,
    /// Selling and sharing, declared and possible.
    pub sale: SaleAssessment,
    /// The answers the negative statements rest on, and the statements they withhold.
    pub answers: Answers,
    /// The policy violations.
    pub violations: Vec<Violation>,
}

/// The knowledge files an assessment reads.
#[derive(Clone, Copy)]
pub struct Knowledge<'a> {
    /// What each data type means in law.
    pub taxonomy: &'a Taxonomy,
    /// Controlled vocabularies of the manifest.
    pub vocab: &'a Vocabulary,
    /// Known vendors.
    pub catalog: &'a Catalog,
}

/// Joins `inventory` with `manifest` as of `today` (YYYY-MM-DD, which decides expired
/// dispositions) and checks it.
pub fn assess(
    inventory: &Inventory,
    manifest: &Manifest,
    knowledge: Knowledge<'_>,
    today: &str,
) -> Assessment {
    let map = DataMap::build(
        inventory,
        manifest,
        knowledge.taxonomy,
        knowledge.vocab,
        knowledge.catalog,
        today,
    );
    let sale = SaleAssessment::of(&map, knowledge.taxonomy);
    let answers = Answers::of(manifest, &map, &sale);
    let mut violations = policy::check_assessed(&map, &sale, manifest, knowledge.taxonomy);
    violations.extend(policy::unanswered(&answers));
    violations.extend(super::retention::violations(inventory, manifest, today));
    Assessment {
        map,
        sale,
        answers,
        violations,
    }
}
