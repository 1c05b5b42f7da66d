//! Dispositions: the reviewed findings of the manifest's `[[dispositions]]` (false
//! positives and accepted findings), matched to findings by asset, field and data type
//! until they expire.

use super::AssetReport;
use crate::manifest::Manifest;

fn expired(expires: &Option<toml::Spanned<String>>, today: &str) -> bool {
    expires
        .as_ref()
        .is_some_and(|e| !e.get_ref().is_empty() && e.get_ref().as_str() < today)
}

fn glob_match(pattern: &str, text: &str) -> bool {
    globset::Glob::new(pattern)
        .map(|g| g.compile_matcher().is_match(text))
        .unwrap_or(pattern == text)
}

/// The disposition that applies to a finding, if any (not expired). Dispositions about
/// a recipient seen beside the finding ([`colocation_disposition_for`]) do not.
pub fn disposition_for<'m>(
    manifest: &'m Manifest,
    asset: &AssetReport,
    field: Option<&str>,
    data_type: &str,
    today: &str,
) -> Option<&'m crate::manifest::Disposition> {
    matching(manifest, asset, field, data_type, today).find(|d| d.recipient.is_none())
}

/// The disposition that reviews recipient `recipient` (a manifest key) seen in `asset`
/// beside a finding of `data_type` in `field`, if any (not expired).
pub fn colocation_disposition_for<'m>(
    manifest: &'m Manifest,
    asset: &AssetReport,
    field: Option<&str>,
    data_type: &str,
    recipient: &str,
    today: &str,
) -> Option<&'m crate::manifest::Disposition> {
    matching(manifest, asset, field, data_type, today).find(|d| {
        d.recipient
            .as_ref()
            .is_some_and(|r| r.get_ref() == recipient)
    })
}

fn matching<'m, 'a>(
    manifest: &'m Manifest,
    asset: &'a AssetReport,
    field: Option<&'a str>,
    data_type: &'a str,
    today: &'a str,
) -> impl Iterator<Item = &'m crate::manifest::Disposition> + 'a
where
    'm: 'a,
{
    manifest.dispositions.iter().filter(move |d| {
        !expired(&d.expires, today)
            && (glob_match(&d.asset, &asset.id) || glob_match(&d.asset, &asset.asset))
            && d.field
                .as_deref()
                .is_none_or(|f| field.is_some_and(|x| glob_match(f, x)))
            && d.data_type
                .as_ref()
                .is_none_or(|t| t.get_ref() == data_type)
    })
}
