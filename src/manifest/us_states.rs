//! `[us_states]`: what the US state privacy laws notice needs that no scan can find —
//! the business's volumes per state (which decide each law's applicability), the appeal
//! contact, and the answers its statements rest on. Every field is optional: a missing
//! one is "⚠ needs review" in the draft, never a default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `[us_states]` section.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UsStates {
    /// Consumers of each state whose personal data the business controlled or processed
    /// in the preceding calendar year, by two-letter state code (`VA = 120000`). Count
    /// them as the state's law does: those laws that exclude data processed only to
    /// complete a payment transaction are marked in the per-state table.
    #[serde(default)]
    pub consumers: BTreeMap<String, u64>,
    /// Share of gross revenue from the sale of personal data, in percent (0 when the
    /// business sells none).
    #[serde(default)]
    pub sale_revenue_share: Option<f64>,
    /// Annual gross revenue in US dollars (Utah and Tennessee apply only above
    /// $25 million).
    #[serde(default)]
    pub annual_revenue_usd: Option<u64>,
    /// The business is a small business as the US Small Business Administration defines
    /// it (Texas exempts those, except that they may not sell sensitive data without
    /// consent).
    #[serde(default)]
    pub small_business: Option<bool>,
    /// Where a consumer appeals a refused request: an email address or a web page.
    #[serde(default)]
    pub appeal_contact: String,
    /// How an authorised agent submits an opt-out on a consumer's behalf.
    #[serde(default)]
    pub authorized_agent: String,
    /// The business processes sensitive data only with the consumer's consent (or, where
    /// a law asks less, after notice and a chance to opt out).
    #[serde(default)]
    pub sensitive_data_consent: Option<bool>,
    /// The business profiles consumers in furtherance of decisions that produce legal or
    /// similarly significant effects.
    #[serde(default)]
    pub profiling: Option<bool>,
    /// Data types reviewed as outside the definitions they fall in only in some cases
    /// (card numbers held without the code or password that gives access to the
    /// account, gender values that do not reveal transgender status).
    #[serde(default)]
    pub reviewed_not_sensitive: Vec<String>,
}
