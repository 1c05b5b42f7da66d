//! Whom a notice is for. A source's `data_subjects` decide it: a source holding data
//! about the workforce (data subjects marked `workforce` in `rules/vocabulary.toml`:
//! employees, job applicants, contractors) goes to the California workforce notice; a
//! source holding data about anyone else (or declaring no data subjects, as before)
//! goes to the consumer policy and notice at collection. A source holding both goes to
//! both. The GDPR record and notice, and the report, cover every source.
//!
//! A view is the inventory and manifest restricted to one audience, so the rest of the
//! model is built from it unchanged.

use crate::inventory::datamap::source_of;
use crate::inventory::Inventory;
use crate::knowledge::{VocabKind, Vocabulary};
use crate::manifest::{Manifest, Source};

/// An audience of the disclosures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Audience {
    /// Customers, visitors, prospects and other consumers.
    Consumer,
    /// Employees, job applicants and contractors.
    Workforce,
}

/// Whether the data subject `key` is part of the workforce.
fn workforce_subject(vocab: &Vocabulary, key: &str) -> bool {
    vocab
        .get(VocabKind::DataSubject, key)
        .is_some_and(|t| t.workforce)
}

impl Audience {
    /// Whether `src` holds data about this audience.
    pub(super) fn covers(self, vocab: &Vocabulary, src: &Source) -> bool {
        let workforce = src
            .data_subjects
            .iter()
            .filter(|d| workforce_subject(vocab, d.get_ref()))
            .count();
        match self {
            Audience::Workforce => workforce > 0,
            Audience::Consumer => {
                src.data_subjects.is_empty() || workforce < src.data_subjects.len()
            }
        }
    }
}

/// The sources of `manifest` that hold data about `audience`.
pub(super) fn source_keys(
    manifest: &Manifest,
    vocab: &Vocabulary,
    audience: Audience,
) -> Vec<String> {
    manifest
        .sources
        .iter()
        .filter(|(_, s)| audience.covers(vocab, s))
        .map(|(k, _)| k.clone())
        .collect()
}

/// `manifest` restricted to `audience`: its sources; the recipients declared on them
/// (for consumers, also those declared on no source, as before); for the workforce
/// no financial incentive or §7102 metrics (consumer matters), and the sale and sharing
/// answers of `[workforce]`, or a business-wide `false` (nothing sold, or nothing shared,
/// at all), never a business-wide `true` (which may concern consumers only).
pub(super) fn manifest_for(
    manifest: &Manifest,
    vocab: &Vocabulary,
    audience: Audience,
) -> Manifest {
    let keep = source_keys(manifest, vocab, audience);
    let mut m = manifest.clone();
    m.sources.retain(|k, _| keep.contains(k));
    let on = |sources: &std::collections::BTreeMap<String, Source>, rid: &str| {
        sources
            .values()
            .any(|s| s.recipients.iter().any(|r| r.get_ref() == rid))
    };
    let all = manifest.sources.clone();
    m.recipients
        .retain(|rid, _| on(&m.sources, rid) || (audience == Audience::Consumer && !on(&all, rid)));
    if audience == Audience::Workforce {
        m.financial_incentives.clear();
        m.organisation.financial_incentive = false;
        m.request_metrics = None;
        let d = &manifest.disclosures;
        m.disclosures.sells = manifest.workforce.sells.or(d.sells.filter(|s| !s));
        m.disclosures.shares = manifest.workforce.shares.or(d.shares.filter(|s| !s));
    }
    m
}

/// `inventory` restricted to the assets of `audience`'s sources (for consumers, also
/// the assets of no source, as before), attributed with the full `manifest`.
pub(super) fn inventory_for(
    inventory: &Inventory,
    manifest: &Manifest,
    vocab: &Vocabulary,
    audience: Audience,
) -> Inventory {
    let keep = source_keys(manifest, vocab, audience);
    let mut inv = inventory.clone();
    inv.data_map = None;
    inv.assets.retain(|a| match source_of(a, manifest) {
        Some(s) if manifest.sources.contains_key(&s) => keep.contains(&s),
        Some(_) => audience == Audience::Consumer,
        None => audience == Audience::Consumer,
    });
    inv
}

#[cfg(test)]
mod tests {
    use super::super::tests::fixture;
    use super::*;

    /// A source's data subjects decide its audience: HR data goes to the workforce
    /// notice only, mixed sources to both, sources without data subjects to consumers.
    #[test]
    fn data_subjects_decide_the_audience() {
        let f = fixture("[sources.hr]\nkind = \"files\"\npath = \"hr\"\ndata_subjects = [\"employees\", \"job_applicants\"]\nrecipients = [\"adp\"]\n[sources.shop]\nkind = \"files\"\npath = \"shop\"\ndata_subjects = [\"customers\"]\n[sources.mixed]\nkind = \"files\"\npath = \"m\"\ndata_subjects = [\"customers\", \"contractors\"]\n[sources.bare]\nkind = \"files\"\npath = \"b\"\n[recipients.adp]\nname = \"ADP\"\nrole = \"service_provider\"\ncategory = \"payment_processors\"\n[disclosures]\nsells = false\nshares = true\n");
        let (m, v) = (&f.manifest, &f.vocab);
        assert_eq!(
            source_keys(m, v, Audience::Consumer),
            ["bare", "mixed", "shop"]
        );
        assert_eq!(source_keys(m, v, Audience::Workforce), ["hr", "mixed"]);
        let c = manifest_for(m, v, Audience::Consumer);
        assert!(c.recipients.is_empty() && !c.sources.contains_key("hr"));
        let w = manifest_for(m, v, Audience::Workforce);
        assert!(w.recipients.contains_key("adp"));
        // `sells = false` holds for everyone; `shares = true` may be about consumers only.
        assert_eq!(w.disclosures.sells, Some(false));
        assert_eq!(w.disclosures.shares, None);
    }
}
