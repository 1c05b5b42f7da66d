//! Statements withheld: every negative statement of the drafts rests on an explicit
//! answer in the manifest ([`crate::inventory::answers`] decides which hold). Here each
//! withheld statement becomes a warning at the top of the drafts it concerns and a
//! marker ("⚠ statement withheld: answer `disclosures.sells` in piimap.toml") where the
//! statement would have been.

use serde::Serialize;

use super::context::Ctx;
use super::doc;
use crate::inventory::answers::{Question, Withheld};

/// A statement the draft does not make, printed after "⚠ statement withheld: ".
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WithheldModel {
    /// The manifest key to answer.
    pub key: String,
    /// What to print after "⚠ statement withheld: ": "answer `KEY` in piimap.toml", or
    /// what contradicts the answer given.
    pub text: String,
    /// The answer is given but contradicted.
    pub contradicted: bool,
}

impl WithheldModel {
    fn of(w: &Withheld) -> WithheldModel {
        WithheldModel {
            key: w.key.clone(),
            text: if w.contradicted {
                w.reason.clone()
            } else {
                format!("answer `{}` in piimap.toml", w.key)
            },
            contradicted: w.contradicted,
        }
    }
}

/// The markers for the statements resting on `questions`.
pub(super) fn withheld(cx: &Ctx<'_>, questions: &[Question]) -> Vec<WithheldModel> {
    questions
        .iter()
        .flat_map(|q| cx.answers.withheld_for(*q))
        .map(WithheldModel::of)
        .collect()
}

/// The markers for the `sources.*.messages` answers missing.
pub(super) fn withheld_messages(cx: &Ctx<'_>) -> Vec<WithheldModel> {
    cx.answers
        .withheld
        .iter()
        .filter(|w| w.key.starts_with("sources."))
        .map(WithheldModel::of)
        .collect()
}

/// The documents that print the statement resting on `key`.
fn documents(key: &str) -> &'static [&'static str] {
    let sale = [Question::Sells.key(), Question::Shares.key()];
    if sale.contains(&key) {
        &[doc::POLICY, doc::NOTICE, doc::OPT_OUT]
    } else if key.starts_with("sources.") || key == Question::SensitivePiUse.key() {
        &[doc::POLICY, doc::NOTICE, doc::LIMIT]
    } else {
        &[doc::POLICY]
    }
}

/// One warning per withheld statement: `answer_missing:KEY` or `answer_contradicted:KEY`.
pub(super) fn warn_withheld(cx: &mut Ctx<'_>) {
    let answers = cx.answers;
    for w in &answers.withheld {
        let (code, message) = if w.contradicted {
            (
                format!("answer_contradicted:{}", w.key),
                format!(
                    "the statement \"{}\" was NOT generated: {}",
                    w.statement, w.reason
                ),
            )
        } else {
            (
                format!("answer_missing:{}", w.key),
                format!("statement withheld (\"{}\"): {}", w.statement, w.reason),
            )
        };
        cx.warn(code, documents(&w.key), message);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};

    /// 11 CCR §7011(e)(1): with no `[disclosures]` answers, each negative statement is
    /// withheld with a warning naming the key to answer.
    #[test]
    fn ccpa_7011_e1_unanswered_questions_are_warned_with_their_key() {
        let m = model_of(
            &fixture("[organisation]\nlegal_name = \"A\"\n"),
            "2026-11-29",
        );
        let codes = m.warning_codes();
        for key in [
            "disclosures.sells",
            "disclosures.shares",
            "disclosures.discloses_for_business_purpose",
            "disclosures.sensitive_pi_use",
            "disclosures.sells_or_shares_under_16",
            "disclosures.third_party_tracking",
        ] {
            assert!(
                codes.contains(&format!("answer_missing:{key}")),
                "{key}: {codes:?}"
            );
        }
        assert!(!m.sale_and_sharing.none_statement);
        assert_eq!(
            m.sale_and_sharing.withheld[0].text,
            "answer `disclosures.sells` in piimap.toml"
        );
    }
}
