//! The checks of a parsed manifest: each key against the taxonomy, the vocabularies and
//! the recipient catalog, every error located by line, column and key path.

use super::*;

/// The checks of [`Manifest::validate`], each locating its errors in the file.
pub(super) struct Checker<'a> {
    pub(super) file: &'a str,
    pub(super) text: &'a str,
    pub(super) taxonomy: &'a Taxonomy,
    pub(super) vocab: &'a Vocabulary,
    pub(super) catalog: &'a Catalog,
    pub(super) errors: Vec<ManifestError>,
}

fn did_you_mean(s: Option<&str>) -> String {
    s.map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

impl Checker<'_> {
    pub(super) fn err(&mut self, span: std::ops::Range<usize>, path: String, message: String) {
        let (line, column) = line_col(self.text, span.start);
        self.errors.push(ManifestError {
            file: self.file.into(),
            line: Some(line),
            column: Some(column),
            path,
            message,
        });
    }

    /// An error of a table as a whole (no span to point at).
    pub(super) fn err_at(&mut self, path: String, message: String) {
        self.errors.push(ManifestError {
            file: self.file.into(),
            line: None,
            column: None,
            path,
            message,
        });
    }

    /// Each value is a key of the vocabulary `kind`.
    pub(super) fn vocab(&mut self, kind: VocabKind, values: &[Spanned<String>], path: &str) {
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
    pub(super) fn types(&mut self, values: &[Spanned<String>], path: &str) {
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

    pub(super) fn source(&mut self, manifest: &Manifest, p: &str, src: &Source) {
        match src.kind.get_ref().as_str() {
            "postgres" | "mysql" | "sqlite" | "files" => {}
            other => self.err(
                src.kind.span(),
                format!("{p}.kind"),
                format!("unknown kind `{other}` (postgres, mysql, sqlite or files)"),
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
            self.known_recipient(manifest, r, &format!("{p}.recipients[{i}]"));
        }
    }

    /// `r` names a recipient of `[recipients]`.
    pub(super) fn known_recipient(&mut self, manifest: &Manifest, r: &Spanned<String>, path: &str) {
        if !manifest.recipients.contains_key(r.get_ref()) {
            let hint = did_you_mean(suggest(
                r.get_ref(),
                manifest.recipients.keys().map(String::as_str),
            ));
            self.err(
                r.span(),
                path.to_string(),
                format!("no recipient `{}` in [recipients]{hint}", r.get_ref()),
            );
        }
    }

    /// The older `[organisation]` spellings of two answers must not contradict
    /// `[disclosures]`.
    pub(super) fn legacy_answers(&mut self, org: &Organisation, d: &Disclosures) {
        if let (Some(old), Some(new)) =
            (&org.sells_or_shares_minors_data, d.sells_or_shares_under_16)
        {
            if *old.get_ref() != new {
                self.err(
                    old.span(),
                    "organisation.sells_or_shares_minors_data".into(),
                    "contradicts disclosures.sells_or_shares_under_16: keep only the [disclosures] answer".into(),
                );
            }
        }
        if let (Some(old), Some(new)) = (
            &org.uses_sensitive_beyond_permitted_purposes,
            d.sensitive_pi_use,
        ) {
            if *old.get_ref() != (new == SensitiveUse::BeyondPermittedPurposes) {
                self.err(
                    old.span(),
                    "organisation.uses_sensitive_beyond_permitted_purposes".into(),
                    "contradicts disclosures.sensitive_pi_use: keep only the [disclosures] answer"
                        .into(),
                );
            }
        }
    }

    pub(super) fn recipient(&mut self, p: &str, r: &Recipient) {
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

    pub(super) fn request_metrics(&mut self, m: &RequestMetrics) {
        if let Some(d) = m
            .days
            .as_ref()
            .filter(|d| !matches!(d.get_ref().as_str(), "median" | "mean"))
        {
            self.err(
                d.span(),
                "request_metrics.days".into(),
                format!("unknown value `{}` (median or mean)", d.get_ref()),
            );
        }
        for (k, f) in &m.figures {
            if !REQUEST_TYPES.contains(&k.as_str()) {
                let hint = did_you_mean(suggest(k, REQUEST_TYPES.iter().copied()));
                self.err_at(
                    format!("request_metrics.figures.{k}"),
                    format!(
                        "unknown request type{hint}; types: {}",
                        REQUEST_TYPES.join(", ")
                    ),
                );
            } else if f.complied + f.denied > f.received {
                self.err_at(
                    format!("request_metrics.figures.{k}"),
                    format!(
                        "complied ({}) + denied ({}) exceed received ({})",
                        f.complied, f.denied, f.received
                    ),
                );
            }
        }
    }

    pub(super) fn disposition(&mut self, p: &str, d: &Disposition) {
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
