//! The manifest, `piimap.toml`: what the organisation *declares* — who it is, its data
//! sources and why it holds what they hold, its recipients, and reviewed findings.
//!
//! Scan results are checked against it every night (`piimap check`), and it supplies the
//! facts a notice needs that no scan can find (purposes, retention, contacts). Parsing is
//! strict: unknown keys are rejected with a suggestion, vocabulary values are checked
//! against `rules/vocabulary.toml`, and every error names the line, column and key path.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::knowledge::{Catalog, VocabKind, Vocabulary};
use crate::taxonomy::Taxonomy;

mod check;
use check::Checker;
mod gdpr;
pub use gdpr::{Authority, Gdpr, GdprPurpose, Workforce};
mod us_states;
pub use us_states::UsStates;

/// Who the business is and how consumers reach it.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Legal name.
    #[serde(default)]
    pub legal_name: String,
    /// Privacy contact email.
    #[serde(default)]
    pub privacy_email: String,
    /// Toll-free number for requests (Civ. Code §1798.130(a)(1)).
    #[serde(default)]
    pub toll_free_phone: String,
    /// Web form for requests.
    #[serde(default)]
    pub request_form_url: String,
    /// "Do Not Sell or Share My Personal Information" page.
    #[serde(default)]
    pub do_not_sell_url: String,
    /// "Limit the Use of My Sensitive Personal Information" page.
    #[serde(default)]
    pub limit_sensitive_url: String,
    /// The privacy policy's URL (linked from the notice at collection).
    #[serde(default)]
    pub privacy_policy_url: String,
    /// Postal address of the controller (GDPR Art. 30(1)(a)).
    #[serde(default)]
    pub address: String,
    /// Data protection officer contact.
    #[serde(default)]
    pub dpo_contact: String,
    /// EU representative (Art. 27) contact.
    #[serde(default)]
    pub eu_representative: String,
    /// The business operates exclusively online with a direct consumer relationship
    /// (then an email address suffices as request method).
    #[serde(default)]
    pub online_only: bool,
    /// The business has a mobile app (the policy must be reachable inside it).
    #[serde(default)]
    pub has_mobile_app: bool,
    /// Older spelling of `[disclosures] sells_or_shares_under_16` (kept so existing
    /// manifests still load; the two must not disagree).
    #[serde(default)]
    pub sells_or_shares_minors_data: Option<Spanned<bool>>,
    /// Older spelling of `[disclosures] sensitive_pi_use`: `true` is
    /// `"beyond_permitted_purposes"`, `false` `"permitted_purposes_only"`.
    #[serde(default)]
    pub uses_sensitive_beyond_permitted_purposes: Option<Spanned<bool>>,
    /// A financial incentive or price/service difference is offered. Each programme
    /// is described in `[[financial_incentives]]`, which is what the drafts print; `true`
    /// with none described is warned.
    #[serde(default)]
    pub financial_incentive: bool,
    /// How opt-out preference signals (GPC) are processed.
    #[serde(default)]
    pub opt_out_signals: String,
    /// How the website responds to Do Not Track.
    #[serde(default)]
    pub do_not_track: String,
    /// General description of technical and organisational security measures (Art. 30(1)(g)).
    #[serde(default)]
    pub security_measures: Vec<String>,
    /// The date the policy was last updated; defaults to the generation date.
    #[serde(default)]
    pub last_updated: String,
    /// The region telephone numbers written without a country code are read in
    /// (`US`, `DE`, …; `piimap find` normalises phones to E.164). Default `US`.
    #[serde(default)]
    pub default_region: String,
    /// The languages the business uses with consumers (11 CCR §7003(b): notices in each
    /// of them): `notice` and `scan --notice` write the documents in each when no
    /// `--lang` is given. Empty: English only.
    #[serde(default)]
    pub languages: Vec<String>,
}

/// How sensitive personal information is used, the answer the §7027(m) statement rests
/// on (11 CCR §7011(e)(1)(K)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensitiveUse {
    /// Only for the purposes of 11 CCR §7027(m): the right to limit does not apply.
    PermittedPurposesOnly,
    /// Also for other purposes: the right to limit applies (Civ. Code §1798.121).
    BeyondPermittedPurposes,
}

/// The answers every negative statement of a draft rests on ("we have not sold…", "we do
/// not use sensitive personal information beyond…"). Each is `None` until the manifest
/// answers it, and an unanswered question withholds its statement: a default of `false`
/// would publish a claim nobody made.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosures {
    /// Personal information was sold in the preceding 12 months (Civ. Code §1798.140(ad)).
    #[serde(default)]
    pub sells: Option<bool>,
    /// Personal information was shared for cross-context behavioral advertising in the
    /// preceding 12 months (§1798.140(ah)).
    #[serde(default)]
    pub shares: Option<bool>,
    /// Personal information was disclosed for a business purpose (to service providers,
    /// contractors or third parties) in the preceding 12 months (§1798.130(a)(5)(C)(ii)).
    #[serde(default)]
    pub discloses_for_business_purpose: Option<bool>,
    /// How sensitive personal information is used (11 CCR §7027(m)).
    #[serde(default)]
    pub sensitive_pi_use: Option<SensitiveUse>,
    /// Actual knowledge of selling or sharing personal information of consumers under 16
    /// (Civ. Code §1798.120(c), 11 CCR §7011(e)(1)(G)).
    #[serde(default)]
    pub sells_or_shares_under_16: Option<bool>,
    /// Third parties may collect personal information about consumers' online activities
    /// over time and across websites on the business's site (Bus. & Prof. Code
    /// §22575(b)(6)).
    #[serde(default)]
    pub third_party_tracking: Option<bool>,
}

/// Whose messages a source holds: decides whether message contents are sensitive
/// personal information (Civ. Code §1798.140(ae)(1)(E) excludes those the business is
/// the intended recipient of).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Messages {
    /// Messages consumers send to the business (support tickets, contact forms): not
    /// sensitive on this ground.
    ToBusiness,
    /// Messages between consumers, or to others, that the business carries or stores:
    /// sensitive.
    BetweenConsumers,
}

/// A named data source and what is declared about it.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// `postgres`, `mysql`, `sqlite` or `files`.
    pub kind: Spanned<String>,
    /// Database URL (`env:VAR` for secrets; never a password inline).
    #[serde(default)]
    pub url: Option<Spanned<String>>,
    /// Path of a file tree or SQLite file (relative to the manifest), or for `files` an
    /// object-store URL (`s3://bucket/prefix`, `gs://…`, `az://…`).
    #[serde(default)]
    pub path: Option<String>,
    /// Include globs.
    #[serde(default)]
    pub include: Vec<String>,
    /// Exclude globs.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Rows sampled per table.
    #[serde(default)]
    pub sample_rows: Option<usize>,
    /// Data types the source is declared to hold.
    #[serde(default)]
    pub data_types: Vec<Spanned<String>>,
    /// Purposes (vocabulary keys).
    #[serde(default)]
    pub purposes: Vec<Spanned<String>>,
    /// Categories of data subjects.
    #[serde(default)]
    pub data_subjects: Vec<Spanned<String>>,
    /// Categories of sources the data comes from.
    #[serde(default)]
    pub source_categories: Vec<Spanned<String>>,
    /// Retention period or criteria.
    #[serde(default)]
    pub retention: String,
    /// Recipients (ids of `[recipients.*]`).
    #[serde(default)]
    pub recipients: Vec<Spanned<String>>,
    /// Whose messages the source holds, when it holds message contents.
    #[serde(default)]
    pub messages: Option<Messages>,
}

/// A cross-border transfer.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// Destination country.
    pub country: String,
    /// Safeguard (adequacy decision, SCCs, DPF, …).
    #[serde(default)]
    pub safeguard: String,
}

/// The role a recipient plays under the CCPA: decides whether a disclosure to it is
/// for a business purpose or may be a sale or share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Processes the data on the business's behalf under a contract (§1798.140(ag)).
    ServiceProvider,
    /// Receives the data for a business purpose under a contract (§1798.140(j)).
    Contractor,
    /// Anyone else (§1798.140(ai)).
    ThirdParty,
    /// Seen in the data, but nobody has declared a role.
    Unknown,
}

impl Role {
    /// The role a manifest spells `name`, if it is one a manifest may declare.
    pub fn declared(name: &str) -> Option<Role> {
        [Role::ServiceProvider, Role::Contractor, Role::ThirdParty]
            .into_iter()
            .find(|r| r.as_str() == name)
    }

    /// The name a manifest and the JSON outputs use.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::ServiceProvider => "service_provider",
            Role::Contractor => "contractor",
            Role::ThirdParty => "third_party",
            Role::Unknown => "unknown",
        }
    }

    /// Acts on the business's behalf (service provider or contractor).
    pub fn is_processor(self) -> bool {
        matches!(self, Role::ServiceProvider | Role::Contractor)
    }
}

/// A declared recipient.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// Name to print.
    pub name: String,
    /// Catalog id when it is a known vendor (defaults to the table key).
    #[serde(default)]
    pub catalog_id: Option<Spanned<String>>,
    /// `service_provider`, `contractor` or `third_party`.
    pub role: Spanned<String>,
    /// Recipient-category key.
    pub category: Spanned<String>,
    /// Purposes of the disclosure.
    #[serde(default)]
    pub purposes: Vec<Spanned<String>>,
    /// Data types (or CCPA letters `A`–`L`) it receives.
    #[serde(default)]
    pub data_types: Vec<Spanned<String>>,
    /// Personal information is sold to it.
    #[serde(default)]
    pub sold: bool,
    /// Personal information is shared with it for cross-context behavioral advertising.
    #[serde(default)]
    pub shared_for_cross_context_advertising: bool,
    /// International transfer.
    #[serde(default)]
    pub transfer: Option<Transfer>,
}

impl Recipient {
    /// The declared role (a manifest that passed the checks has a known one).
    pub fn role(&self) -> Role {
        Role::declared(self.role.get_ref()).unwrap_or(Role::Unknown)
    }
}

/// A reviewed finding: a false positive, or accepted.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Disposition {
    /// Asset id or path (a glob).
    pub asset: String,
    /// Field (a glob; omitted: every field).
    #[serde(default)]
    pub field: Option<String>,
    /// Data type (omitted: every type).
    #[serde(default)]
    pub data_type: Option<Spanned<String>>,
    /// `false_positive` or `accepted`.
    pub status: Spanned<String>,
    /// Why.
    pub reason: String,
    /// Who reviewed it.
    pub reviewer: String,
    /// Until when it holds (YYYY-MM-DD); expired dispositions no longer apply.
    #[serde(default)]
    pub expires: Option<Spanned<String>>,
    /// A recipient id: the disposition is about that recipient seen beside the data type
    /// in the asset (a co-location reviewed), not about the finding itself.
    /// `false_positive`: the recipient does not receive the type.
    #[serde(default)]
    pub recipient: Option<Spanned<String>>,
}

/// A financial incentive programme, or a price or service difference, offered in
/// exchange for personal information (Civ. Code §1798.125(b)): each one needs a notice
/// of financial incentive with the five items of 11 CCR §7016(d), which piimap drafts
/// from these answers.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FinancialIncentive {
    /// The programme's name ("Trailhead Rewards").
    #[serde(default)]
    pub name: String,
    /// A succinct summary of the incentive or difference (§7016(d)(1)).
    #[serde(default)]
    pub summary: String,
    /// Its material terms (§7016(d)(2)): what the consumer gets and gives, limits,
    /// expiry.
    #[serde(default)]
    pub terms: String,
    /// Data types (or CCPA letters) of the personal information involved (§7016(d)(2)).
    #[serde(default)]
    pub data_types: Vec<Spanned<String>>,
    /// How the consumer opts in (§7016(d)(3)).
    #[serde(default)]
    pub opt_in: String,
    /// How the consumer withdraws, at any time (§7016(d)(4)).
    #[serde(default)]
    pub withdraw: String,
    /// A good-faith estimate of the value of the consumer's data (§7016(d)(5)(A)).
    #[serde(default)]
    pub value_estimate: String,
    /// The method used to calculate that value (§7016(d)(5)(B); §7081).
    #[serde(default)]
    pub value_method: String,
    /// Where the published notice lives (linked from the privacy policy); empty: the
    /// drafted `notice-of-financial-incentive.html` next to the policy.
    #[serde(default)]
    pub notice_url: String,
}

/// One request type's figures for the §7102 metrics, as declared in the manifest.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestFigures {
    /// Requests received.
    #[serde(default)]
    pub received: u64,
    /// Complied with in whole or in part.
    #[serde(default)]
    pub complied: u64,
    /// Denied.
    #[serde(default)]
    pub denied: u64,
    /// Median or mean days to a substantive response (see `RequestMetrics::days`).
    #[serde(default)]
    pub days: Option<f64>,
}

/// The request metrics of 11 CCR §7102, for a business that handles the personal
/// information of 10,000,000 or more consumers a year: counted from a request log
/// (JSON lines, README "Request metrics") or declared as figures.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RequestMetrics {
    /// The business buys, receives, sells or shares the personal information of
    /// 10,000,000 or more consumers in a calendar year (§7102(a)). Without it the
    /// metrics are not printed.
    #[serde(default)]
    pub over_10m_consumers: bool,
    /// The calendar year reported; default: the year before the generation date.
    #[serde(default)]
    pub year: Option<i64>,
    /// A request log (one JSON object a line), relative to the manifest.
    #[serde(default)]
    pub log: Option<String>,
    /// `median` (default) or `mean` response days.
    #[serde(default)]
    pub days: Option<Spanned<String>>,
    /// Declared figures per request type (`know`, `delete`, `correct`, `opt_out`,
    /// `limit`), used when there is no log.
    #[serde(default)]
    pub figures: BTreeMap<String, RequestFigures>,
}

/// The request types of §7102(a)(1), in the order the table lists them.
pub const REQUEST_TYPES: &[&str] = &["know", "delete", "correct", "opt_out", "limit"];

/// The whole manifest.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The business.
    #[serde(default)]
    pub organisation: Organisation,
    /// Data sources by name.
    #[serde(default)]
    pub sources: BTreeMap<String, Source>,
    /// Recipients by id.
    #[serde(default)]
    pub recipients: BTreeMap<String, Recipient>,
    /// The answers the negative statements rest on.
    #[serde(default)]
    pub disclosures: Disclosures,
    /// Reviewed findings.
    #[serde(default)]
    pub dispositions: Vec<Disposition>,
    /// Financial incentive programmes (11 CCR §7016).
    #[serde(default)]
    pub financial_incentives: Vec<FinancialIncentive>,
    /// The §7102 request metrics.
    #[serde(default)]
    pub request_metrics: Option<RequestMetrics>,
    /// The answers of the GDPR Art. 13/14 privacy notice.
    #[serde(default)]
    pub gdpr: Gdpr,
    /// The answers of the California workforce notice.
    #[serde(default)]
    pub workforce: Workforce,
    /// The US state privacy laws (volumes per state, appeal contact).
    #[serde(default)]
    pub us_states: Option<UsStates>,
    /// The directory the manifest was read from (relative paths in it resolve
    /// against it); `None` for parsed text.
    #[serde(skip)]
    pub dir: Option<std::path::PathBuf>,
}

/// A manifest problem, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestError {
    /// The file.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The key path (`sources.crm.purposes[1]`).
    pub path: String,
    /// What is wrong (with a suggestion where there is one).
    pub message: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All problems found in a manifest.
#[derive(Debug)]
pub struct ManifestErrors(pub Vec<ManifestError>);

impl fmt::Display for ManifestErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::rules::one_per_line(&self.0, f)
    }
}

impl std::error::Error for ManifestErrors {}

/// Levenshtein distance, for "did you mean" suggestions (short strings only).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest candidate to `word`, if close enough to be a plausible typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.chars().count(), |p| before[p + 1..].chars().count())
        + 1;
    (line, col)
}

impl Manifest {
    /// Reads and validates a manifest file.
    pub fn load(
        path: &Path,
        taxonomy: &Taxonomy,
        vocab: &Vocabulary,
        catalog: &Catalog,
    ) -> Result<Manifest, ManifestErrors> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ManifestErrors(vec![ManifestError {
                file: file.clone(),
                line: None,
                column: None,
                path: String::new(),
                message: format!("cannot read: {e}"),
            }])
        })?;
        let mut manifest = Manifest::parse(&file, &text, taxonomy, vocab, catalog)?;
        manifest.dir = Some(path.parent().map(Path::to_path_buf).unwrap_or_default());
        Ok(manifest)
    }

    /// Parses and validates manifest text; `file` names it in errors.
    pub fn parse(
        file: &str,
        text: &str,
        taxonomy: &Taxonomy,
        vocab: &Vocabulary,
        catalog: &Catalog,
    ) -> Result<Manifest, ManifestErrors> {
        let de = toml::Deserializer::new(text);
        let manifest: Manifest = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let (line, column) = inner.span().map(|s| line_col(text, s.start)).unzip();
            let mut message = inner.message().to_string();
            // serde lists the expected keys: suggest the closest.
            if let Some(rest) = message.strip_prefix("unknown field `") {
                if let Some((bad, expected)) = rest.split_once("`, expected ") {
                    let keys: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
                    if let Some(s) = suggest(bad, keys.iter().copied()) {
                        message = format!("{message} (did you mean `{s}`?)");
                    }
                }
            }
            ManifestErrors(vec![ManifestError {
                file: file.into(),
                line,
                column,
                path: if path == "." { String::new() } else { path },
                message,
            }])
        })?;
        let errors = manifest.validate(file, text, taxonomy, vocab, catalog);
        if errors.is_empty() {
            Ok(manifest)
        } else {
            Err(ManifestErrors(errors))
        }
    }

    fn validate(
        &self,
        file: &str,
        text: &str,
        taxonomy: &Taxonomy,
        vocab: &Vocabulary,
        catalog: &Catalog,
    ) -> Vec<ManifestError> {
        let mut c = Checker {
            file,
            text,
            taxonomy,
            vocab,
            catalog,
            errors: Vec::new(),
        };
        for (name, src) in &self.sources {
            c.source(self, &format!("sources.{name}"), src);
        }
        for (id, r) in &self.recipients {
            c.recipient(&format!("recipients.{id}"), r);
        }
        for (i, d) in self.dispositions.iter().enumerate() {
            c.disposition(&format!("dispositions[{i}]"), d);
            if let Some(r) = d.recipient.as_ref() {
                c.known_recipient(self, r, &format!("dispositions[{i}].recipient"));
            }
        }
        c.legacy_answers(&self.organisation, &self.disclosures);
        for (i, f) in self.financial_incentives.iter().enumerate() {
            c.types(
                &f.data_types,
                &format!("financial_incentives[{i}].data_types"),
            );
        }
        if let Some(m) = &self.request_metrics {
            c.request_metrics(m);
        }
        c.gdpr(&self.gdpr);
        c.errors
    }

    /// Actual knowledge of selling or sharing data of consumers under 16, from
    /// `[disclosures]` or its older spelling in `[organisation]`.
    pub fn sells_or_shares_under_16(&self) -> Option<bool> {
        self.disclosures.sells_or_shares_under_16.or(self
            .organisation
            .sells_or_shares_minors_data
            .as_ref()
            .map(|b| *b.get_ref()))
    }

    /// How sensitive personal information is used, from `[disclosures]` or its older
    /// spelling in `[organisation]`.
    pub fn sensitive_pi_use(&self) -> Option<SensitiveUse> {
        self.disclosures.sensitive_pi_use.or(self
            .organisation
            .uses_sensitive_beyond_permitted_purposes
            .as_ref()
            .map(|b| {
                if *b.get_ref() {
                    SensitiveUse::BeyondPermittedPurposes
                } else {
                    SensitiveUse::PermittedPurposesOnly
                }
            }))
    }

    /// The catalog id a declared recipient stands for.
    pub fn recipient_catalog_id<'a>(&'a self, key: &'a str) -> &'a str {
        self.recipients
            .get(key)
            .and_then(|r| r.catalog_id.as_ref())
            .map_or(key, |c| c.get_ref().as_str())
    }
}

/// The commented starter manifest written by `piimap init`.
pub const STARTER: &str = include_str!("../rules/piimap.starter.toml");

#[cfg(test)]
mod tests {
    use super::*;

    fn knowledge() -> (Taxonomy, Vocabulary, Catalog) {
        (
            Taxonomy::builtin().unwrap(),
            Vocabulary::builtin().unwrap(),
            Catalog::builtin().unwrap(),
        )
    }

    fn parse(text: &str) -> Result<Manifest, ManifestErrors> {
        let (t, v, c) = knowledge();
        Manifest::parse("piimap.toml", text, &t, &v, &c)
    }

    #[test]
    fn starter_manifest_is_valid() {
        let m = parse(STARTER).unwrap_or_else(|e| panic!("{e}"));
        assert!(!m.sources.is_empty());
    }

    /// The starter asks every question a negative statement rests on, leaves each
    /// unanswered (so nothing is assumed), and its suggested answers parse.
    #[test]
    fn starter_asks_every_disclosure_question_without_answering_it() {
        let m = parse(STARTER).unwrap_or_else(|e| panic!("{e}"));
        let d = &m.disclosures;
        assert!(d.sells.is_none() && d.shares.is_none() && d.sensitive_pi_use.is_none());
        let keys: Vec<&str> = crate::inventory::answers::Question::ALL
            .iter()
            .map(|q| q.key().trim_start_matches("disclosures."))
            .chain(["messages"])
            .collect();
        let mut answered = STARTER.to_string();
        for k in &keys {
            let commented = format!("\n# {k} = ");
            assert!(
                STARTER.contains(&commented),
                "the starter does not ask `{k}`"
            );
            answered = answered.replace(&commented, &format!("\n{k} = "));
        }
        let m = parse(&answered).unwrap_or_else(|e| panic!("{e}"));
        let d = &m.disclosures;
        assert!(
            d.sells.is_some() && d.shares.is_some() && d.discloses_for_business_purpose.is_some()
        );
        assert!(d.sensitive_pi_use.is_some() && d.sells_or_shares_under_16.is_some());
        assert!(d.third_party_tracking.is_some());
        assert!(m.sources.values().any(|s| s.messages.is_some()));
    }

    /// The older `[organisation]` spellings of two answers load, but may not contradict
    /// `[disclosures]`.
    #[test]
    fn legacy_answers_must_agree_with_disclosures() {
        let m = parse("[organisation]\nsells_or_shares_minors_data = true\n").unwrap();
        assert_eq!(m.sells_or_shares_under_16(), Some(true));
        let e = parse("[organisation]\nuses_sensitive_beyond_permitted_purposes = true\n[disclosures]\nsensitive_pi_use = \"permitted_purposes_only\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("contradicts disclosures.sensitive_pi_use"),
            "{e}"
        );
        let e = parse("[[dispositions]]\nasset = \"a\"\nrecipient = \"strpe\"\nstatus = \"false_positive\"\nreason = \"r\"\nreviewer = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("dispositions[0].recipient: no recipient `strpe`"),
            "{e}"
        );
    }

    /// The starter's commented financial-incentive and metrics blocks, uncommented,
    /// are a valid manifest.
    #[test]
    fn starter_incentive_and_metrics_blocks_are_valid_when_uncommented() {
        let at = STARTER
            .find("# [[financial_incentives]]")
            .expect("in the starter");
        let block: String = STARTER[at..]
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| l.starts_with('[') || l.contains(" = "))
            .map(|l| format!("{l}\n"))
            .collect();
        let m = parse(&format!("{}{block}", &STARTER[..at])).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.financial_incentives[0].name, "Rewards Club");
        let metrics = m.request_metrics.expect("declared");
        assert!(metrics.over_10m_consumers);
        assert_eq!(metrics.figures["know"].received, 1200);
    }

    /// The starter's commented `[gdpr]` and `[workforce]` blocks, uncommented, are a
    /// valid manifest.
    #[test]
    fn starter_gdpr_and_workforce_blocks_are_valid_when_uncommented() {
        let at = STARTER.find("# [gdpr]").expect("in the starter");
        let end = STARTER.find("# Financial incentives").expect("after it");
        let block: String = STARTER[at..end]
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| l.starts_with('[') || l.contains(" = "))
            .map(|l| format!("{}\n", l.trim_start()))
            .collect();
        let m =
            parse(&format!("{}{block}", &STARTER[..at])).unwrap_or_else(|e| panic!("{e}\n{block}"));
        assert_eq!(m.gdpr.automated_decision_making, Some(false));
        assert!(m.gdpr.purposes["order_fulfillment"].legal_basis.is_some());
        assert_eq!(m.workforce.sells, Some(false));
    }

    #[test]
    fn unknown_keys_are_located_and_get_a_suggestion() {
        let e =
            parse("[organisation]\nlegal_name = \"A\"\nprivacy_emial = \"x@y.z\"\n").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("piimap.toml:3:1"), "{text}");
        assert!(text.contains("organisation"), "{text}");
        assert!(text.contains("did you mean `privacy_email`"), "{text}");
    }

    #[test]
    fn vocabulary_values_are_checked_with_line_and_path() {
        let text = "[sources.crm]\nkind = \"files\"\npath = \"x\"\npurposes = [\"analytics\", \"analytcs\"]\ndata_types = [\"emial\"]\n";
        let e = parse(text).unwrap_err().to_string();
        assert!(e.contains("piimap.toml:4:26: sources.crm.purposes[1]: unknown value `analytcs` (did you mean `analytics`?)"), "{e}");
        assert!(
            e.contains(
                "sources.crm.data_types[0]: unknown data type `emial` (did you mean `email`?)"
            ),
            "{e}"
        );
    }

    #[test]
    fn inline_passwords_are_refused() {
        let e = parse("[sources.db]\nkind = \"postgres\"\nurl = \"postgres://app:hunter2@db/x\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("env:VAR"), "{e}");
        assert!(
            !e.contains("hunter2"),
            "the error must not repeat the secret: {e}"
        );
        assert!(parse("[sources.db]\nkind = \"postgres\"\nurl = \"env:DATABASE_URL\"\n").is_ok());
        assert!(parse("[sources.shop]\nkind = \"mysql\"\nurl = \"env:SHOP_DB_URL\"\n").is_ok());
        let e = parse("[sources.shop]\nkind = \"mysql\"\nurl = \"mysql://app:hunter2@db/shop\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("env:VAR") && !e.contains("hunter2"), "{e}");
    }
}
