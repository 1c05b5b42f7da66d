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
    /// Actual knowledge of selling or sharing personal information of consumers under 16.
    #[serde(default)]
    pub sells_or_shares_minors_data: bool,
    /// Sensitive personal information is used beyond the purposes of 11 CCR §7027(m).
    #[serde(default)]
    pub uses_sensitive_beyond_permitted_purposes: bool,
    /// A financial incentive or price/service difference is offered.
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
}

/// A named data source and what is declared about it.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// `postgres`, `sqlite` or `files`.
    pub kind: Spanned<String>,
    /// Database URL (`env:VAR` for secrets; never a password inline).
    #[serde(default)]
    pub url: Option<Spanned<String>>,
    /// Path of a file tree or SQLite file.
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
}

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
    /// Reviewed findings.
    #[serde(default)]
    pub dispositions: Vec<Disposition>,
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
        Manifest::parse(&file, &text, taxonomy, vocab, catalog)
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
        }
        c.errors
    }

    /// The catalog id a declared recipient stands for.
    pub fn recipient_catalog_id<'a>(&'a self, key: &'a str) -> &'a str {
        self.recipients
            .get(key)
            .and_then(|r| r.catalog_id.as_ref())
            .map_or(key, |c| c.get_ref().as_str())
    }
}

/// The checks of [`Manifest::validate`], each locating its errors in the file.
struct Checker<'a> {
    file: &'a str,
    text: &'a str,
    taxonomy: &'a Taxonomy,
    vocab: &'a Vocabulary,
    catalog: &'a Catalog,
    errors: Vec<ManifestError>,
}

fn did_you_mean(s: Option<&str>) -> String {
    s.map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

impl Checker<'_> {
    fn err(&mut self, span: std::ops::Range<usize>, path: String, message: String) {
        let (line, column) = line_col(self.text, span.start);
        self.errors.push(ManifestError {
            file: self.file.into(),
            line: Some(line),
            column: Some(column),
            path,
            message,
        });
    }

    /// Each value is a key of the vocabulary `kind`.
    fn vocab(&mut self, kind: VocabKind, values: &[Spanned<String>], path: &str) {
        for (i, v) in values.iter().enumerate() {
            if self.vocab.get(kind, v.get_ref()).is_none() {
                let keys = self.vocab.terms(kind).iter().map(|t| t.key.as_str());
                let hint = did_you_mean(suggest(v.get_ref(), keys));
                self.err(
                    v.span(),
                    format!("{path}[{i}]"),
                    format!(
                        "unknown value `{}`{hint}; see rules/vocabulary.toml",
                        v.get_ref()
                    ),
                );
            }
        }
    }

    /// Each value is a data type of the taxonomy, or a CCPA category letter.
    fn types(&mut self, values: &[Spanned<String>], path: &str) {
        let taxonomy = self.taxonomy;
        for (i, v) in values.iter().enumerate() {
            let t = v.get_ref();
            if taxonomy.get(t).is_none() && !taxonomy.ccpa.contains_key(t) {
                let hint = did_you_mean(suggest(t, taxonomy.types.keys().map(String::as_str)));
                self.err(
                    v.span(),
                    format!("{path}[{i}]"),
                    format!("unknown data type `{t}`{hint}"),
                );
            }
        }
    }

    fn source(&mut self, manifest: &Manifest, p: &str, src: &Source) {
        match src.kind.get_ref().as_str() {
            "postgres" | "sqlite" | "files" => {}
            other => self.err(
                src.kind.span(),
                format!("{p}.kind"),
                format!("unknown kind `{other}` (postgres, sqlite or files)"),
            ),
        }
        if let Some(url) = &src.url {
            let u = url.get_ref();
            if !u.starts_with("env:")
                && u.contains("://")
                && u.split("://")
                    .nth(1)
                    .and_then(|r| r.split('@').next())
                    .is_some_and(|userinfo| userinfo.contains(':') && u.contains('@'))
            {
                self.err(
                    url.span(),
                    format!("{p}.url"),
                    "a password must not be written in the manifest: use url = \"env:VAR\"".into(),
                );
            }
        }
        self.types(&src.data_types, &format!("{p}.data_types"));
        self.vocab(VocabKind::Purpose, &src.purposes, &format!("{p}.purposes"));
        self.vocab(
            VocabKind::DataSubject,
            &src.data_subjects,
            &format!("{p}.data_subjects"),
        );
        self.vocab(
            VocabKind::SourceCategory,
            &src.source_categories,
            &format!("{p}.source_categories"),
        );
        for (i, r) in src.recipients.iter().enumerate() {
            if !manifest.recipients.contains_key(r.get_ref()) {
                let hint = did_you_mean(suggest(
                    r.get_ref(),
                    manifest.recipients.keys().map(String::as_str),
                ));
                self.err(
                    r.span(),
                    format!("{p}.recipients[{i}]"),
                    format!("no recipient `{}` in [recipients]{hint}", r.get_ref()),
                );
            }
        }
    }

    fn recipient(&mut self, p: &str, r: &Recipient) {
        if Role::declared(r.role.get_ref()).is_none() {
            self.err(
                r.role.span(),
                format!("{p}.role"),
                format!(
                    "unknown role `{}` (service_provider, contractor or third_party)",
                    r.role.get_ref()
                ),
            );
        }
        self.vocab(
            VocabKind::RecipientCategory,
            std::slice::from_ref(&r.category),
            &format!("{p}.category"),
        );
        self.vocab(VocabKind::Purpose, &r.purposes, &format!("{p}.purposes"));
        self.types(&r.data_types, &format!("{p}.data_types"));
        if let Some(cid) = &r.catalog_id {
            if self.catalog.get(cid.get_ref()).is_none() {
                let ids = self.catalog.vendors.iter().map(|v| v.id.as_str());
                let hint = did_you_mean(suggest(cid.get_ref(), ids));
                self.err(
                    cid.span(),
                    format!("{p}.catalog_id"),
                    format!(
                        "no vendor `{}` in the recipient catalog{hint}",
                        cid.get_ref()
                    ),
                );
            }
        }
    }

    fn disposition(&mut self, p: &str, d: &Disposition) {
        match d.status.get_ref().as_str() {
            "false_positive" | "accepted" => {}
            other => self.err(
                d.status.span(),
                format!("{p}.status"),
                format!("unknown status `{other}` (false_positive or accepted)"),
            ),
        }
        if let Some(t) = &d.data_type {
            self.types(std::slice::from_ref(t), &format!("{p}.data_type"));
        }
        if let Some(e) = d
            .expires
            .as_ref()
            .filter(|e| !crate::validate::iso_date_ok(e.get_ref()))
        {
            self.err(
                e.span(),
                format!("{p}.expires"),
                format!("`{}` is not a date written YYYY-MM-DD", e.get_ref()),
            );
        }
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
    }
}
