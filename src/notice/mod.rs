//! Disclosure documents: the CCPA/CPRA privacy-policy section, the CCPA notice at
//! collection, the GDPR Art. 30(1) record of processing activities, and the data
//! engineer's report — drafted from the inventory joined with the manifest.
//!
//! The flow is: [`NoticeModel::build`] (rebuilds the data map, resolves vocabulary keys to
//! labels, decides which statements may be made and collects warnings) → templates
//! (`rules/templates/*.j2`, minijinja, embedded in the binary; a `--templates DIR` file of
//! the same name wins) → files written atomically. The model is the templates' only
//! input and is written as `notice.json`, so legal teams can restyle the documents
//! without touching Rust (README, "Disclosure documents").
//!
//! Honesty rules enforced here, not in templates: every category claimed carries its
//! evidence; found-but-undeclared and declared-but-not-found types stay in the draft with a
//! marker; the "we do not sell or share" statement is refused when identifiers or network
//! activity flow to an advertising or social recipient without a sold/shared declaration;
//! missing organisation facts become warnings. Only masked or catalog text reaches the
//! documents: examples are the taxonomy's phrases ("email addresses"), never values.

use crate::inventory::now_rfc3339;

pub mod diff;
pub mod documents;
pub mod history;
pub mod lang;
pub mod model;
pub mod report;
pub mod ropa_csv;
pub mod templates;

pub use documents::{
    find, render_documents, render_documents_in, template_names, translated, write_all,
    write_rendered, Document, DocumentFormat, Output, Rendered, Renderer, DOCUMENTS,
};
pub use history::{load_history, HistoryInventory};
pub use lang::Language;
pub use model::{NoticeModel, Warning, DO_NOT_SELL_TEXT, LIMIT_TEXT};
pub use ropa_csv::ropa_csv;
pub use templates::environment;

/// Today's date in UTC (YYYY-MM-DD), or the date of `SOURCE_DATE_EPOCH` when that is set
/// (reproducible output, as in reproducible builds).
pub fn today() -> String {
    if let Some(secs) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        let (y, m, d) = crate::validate::civil_from_days(secs.div_euclid(86_400));
        return format!("{y:04}-{m:02}-{d:02}");
    }
    now_rfc3339()[..10].to_string()
}
