//! The US state privacy laws notice (`us-state-notice.md/.html`): the elements the
//! comprehensive state laws share (categories processed, purposes, categories shared with
//! third parties and those third parties' categories, the rights), the appeal process,
//! consent for sensitive data with each state's definition, authorised agents and the
//! universal opt-out where a law requires them, and a per-state table of differences.
//!
//! The statutory facts are data (`rules/states/`, [`super::state_laws`]); which laws
//! apply is decided from the volumes the manifest declares in `[us_states]`. A missing
//! volume or answer is "⚠ needs review" with a warning, never a default.

use super::audience::Audience;
use std::collections::BTreeSet;

use serde::Serialize;

use super::categories::CategoryModel;
use super::context::Ctx;
use super::display_date;
use super::recipients::RecipientModel;
use super::sale::SaleSharingModel;
use super::state_laws::{SensitiveRule, StateLaw, StateLaws};
use super::{doc, push_unique, Label};
use crate::manifest::{Role, UsStates};

/// Whether a state's law applies to the business.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Applies {
    /// The declared volumes meet a threshold.
    Yes,
    /// They meet none.
    No,
    /// A volume or answer the thresholds need is missing.
    Review,
}

/// One row of the per-state table.
#[derive(Clone, Debug, Serialize)]
pub struct StateModel {
    /// Two-letter code.
    pub code: String,
    /// The state.
    pub name: String,
    /// The law.
    pub law: String,
    /// Its citation.
    pub citation: String,
    /// Effective date, written out.
    pub effective: String,
    /// Whether it applies.
    pub applies: Applies,
    /// Why (the volumes and thresholds compared), or what to answer.
    pub applies_reason: String,
    /// Days to answer an appeal (0: no right to appeal).
    pub appeal_days: u32,
    /// How sensitive data may be processed.
    pub sensitive_rule: String,
    /// The universal opt-out requirement ("" when none).
    pub universal_opt_out: String,
    /// Authorised agents may opt out.
    pub authorized_agent: bool,
    /// The cure period.
    pub cure_period: String,
    /// The common rights this law does not grant.
    pub rights_missing: Vec<String>,
    /// Rights only this law grants.
    pub rights_extra: Vec<String>,
    /// A further difference.
    pub note: String,
    /// Facts of `rules/states/` not yet checked ("" when all were).
    pub review: String,
}

/// A right and the covered states whose law does not grant it.
#[derive(Clone, Debug, Serialize)]
pub struct RightModel {
    /// The right, worded for the notice.
    pub text: String,
    /// Covered states that do not grant it.
    pub except: Vec<String>,
}

/// The third parties of one category (controllers, not processors).
#[derive(Clone, Debug, Serialize)]
pub struct ThirdPartyGroup {
    /// The category of third parties.
    pub category: String,
    /// The declared third parties.
    pub recipients: Vec<String>,
    /// The categories of personal data they receive (category names).
    pub categories: Vec<String>,
    /// The data types they receive.
    pub data_types: Vec<Label>,
    /// Why.
    pub purposes: Vec<Label>,
}

/// A statement that rests on a manifest answer.
#[derive(Clone, Debug, Serialize)]
pub struct Answered {
    /// The manifest key it rests on.
    pub key: String,
    /// Whether it is answered.
    pub answered: bool,
    /// The answer (false when not answered).
    pub value: bool,
}

/// An item of a state's sensitive-data definition and what the data holds of it.
#[derive(Clone, Debug, Serialize)]
pub struct SensitiveItemState {
    /// The statutory wording.
    pub wording: String,
    /// Collected data types that fall in it.
    pub found: Vec<Label>,
    /// Found types fall in it only in some cases: needs review.
    pub review: bool,
}

/// One covered state's sensitive-data definition.
#[derive(Clone, Debug, Serialize)]
pub struct StateSensitive {
    /// The state.
    pub name: String,
    /// Its rule, worded.
    pub rule: String,
    /// The items of its definition.
    pub items: Vec<SensitiveItemState>,
}

/// A mechanism some laws require (authorised agent, universal opt-out).
#[derive(Clone, Debug, Serialize)]
pub struct MechanismModel {
    /// Covered states that require it.
    pub states: Vec<String>,
    /// How the business provides it, from the manifest ("" when missing).
    pub text: String,
    /// The manifest key it comes from.
    pub key: String,
}

/// A category of personal data as the state notice lists it: consumer sources only.
#[derive(Clone, Debug, Serialize)]
pub struct StateCategory {
    /// The category (the CCPA's name).
    pub name: String,
    /// Examples held in consumer-facing sources.
    pub examples: Vec<String>,
    /// Held outside every declared source, or needing review in the policy.
    pub needs_review: bool,
}

/// A manifest source whose data subjects are all workforce (`workforce = true` in the
/// vocabulary): the state laws exclude data held about a person acting in an employment
/// context.
fn workforce(cx: &Ctx, source: &str) -> bool {
    cx.manifest
        .sources
        .get(source)
        .is_some_and(|s| !Audience::Consumer.covers(cx.vocab, s))
}

/// The categories and purposes of consumer-facing sources (a source whose data subjects
/// are all workforce is left out), and the names of the sources left out.
fn consumer_categories(
    cx: &Ctx,
    categories: &[CategoryModel],
) -> (Vec<StateCategory>, Vec<Label>, Vec<String>) {
    let workforce = |source: &str| workforce(cx, source);
    let mut out = Vec::new();
    let mut purposes = Vec::new();
    let mut excluded = Vec::new();
    for c in categories {
        let mut examples = Vec::new();
        let mut review = c.needs_review;
        for b in &c.by_source {
            if workforce(&b.source) {
                push_unique(&mut excluded, b.name.clone());
                continue;
            }
            review |= b.source.is_empty();
            for e in &b.examples {
                push_unique(&mut examples, e.clone());
            }
            for p in &b.purposes {
                push_unique(&mut purposes, p.clone());
            }
        }
        if c.by_source.is_empty() {
            examples = c.examples.iter().map(|e| e.phrase.clone()).collect();
            review = true;
        }
        if !examples.is_empty() {
            out.push(StateCategory {
                name: c.name.clone(),
                examples,
                needs_review: review,
            });
        }
    }
    (out, purposes, excluded)
}

/// The US state notice.
#[derive(Clone, Debug, Serialize)]
pub struct UsStatesModel {
    /// Categories of personal data processed (consumer-facing sources).
    pub categories: Vec<StateCategory>,
    /// Purposes of processing (consumer-facing sources).
    pub purposes: Vec<Label>,
    /// Workforce sources left out (employees, applicants, contractors).
    pub workforce_excluded: Vec<String>,
    /// The manifest has a `[us_states]` section.
    pub declared: bool,
    /// Every state law, by effective date.
    pub states: Vec<StateModel>,
    /// States whose law applies or may apply (needs review).
    pub covered: Vec<String>,
    /// At least one state is covered.
    pub any_covered: bool,
    /// The rights, with the covered states that lack each.
    pub rights: Vec<RightModel>,
    /// Third parties by category.
    pub third_parties: Vec<ThirdPartyGroup>,
    /// Categories of personal data shared with third parties.
    pub shared_categories: Vec<String>,
    /// Observed recipients with no declared role: the third-party list needs review.
    pub third_parties_review: bool,
    /// The "we do not share personal data with third parties" statement may be made.
    pub no_third_parties: bool,
    /// Sale of personal data.
    pub sale: Answered,
    /// Processing for targeted advertising.
    pub targeted_advertising: Answered,
    /// Profiling in furtherance of significant decisions.
    pub profiling: Answered,
    /// The appeal contact ("" when missing).
    pub appeal_contact: String,
    /// Covered states with a right to appeal, and their deadlines ("Virginia: 60 days").
    pub appeal_states: Vec<String>,
    /// Consent to process sensitive data.
    pub sensitive_consent: Answered,
    /// The scan found data of some state's sensitive kinds (not counting conditional ones).
    pub sensitive_found: bool,
    /// Each covered state's definition.
    pub sensitive: Vec<StateSensitive>,
    /// Authorised agents.
    pub authorized_agent: MechanismModel,
    /// The universal opt-out mechanism.
    pub universal_opt_out: MechanismModel,
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the business does that some laws apply to whatever the volume.
#[derive(Clone, Copy, Debug, Default)]
pub struct Activity {
    /// `disclosures.sells`, when answered.
    pub sells: Option<bool>,
    /// Consumer data of this law's sensitive kinds was found (conditional items aside).
    pub sensitive: bool,
}

/// Whether `law` applies on the declared volumes (and, for the laws with no-threshold
/// triggers, on what the business does), and why.
pub fn applicability(law: &StateLaw, us: Option<&UsStates>, act: Activity) -> (Applies, String) {
    let a = &law.applicability;
    if a.any_sale && act.sells == Some(true) {
        return (
            Applies::Yes,
            "sells personal data (no volume threshold)".into(),
        );
    }
    if a.any_sensitive && act.sensitive {
        return (
            Applies::Yes,
            "processes sensitive data (no volume threshold)".into(),
        );
    }
    let (applies, why) = by_volume(law, us);
    if applies == Applies::No && a.any_sale && act.sells.is_none() {
        return (Applies::Review, "answer disclosures.sells in piimap.toml (it applies to any business that sells personal data)".into());
    }
    (applies, why)
}

fn by_volume(law: &StateLaw, us: Option<&UsStates>) -> (Applies, String) {
    let a = &law.applicability;
    let key = |k: &str| format!("answer us_states.{k} in piimap.toml");
    let Some(us) = us else {
        return (Applies::Review, key(&format!("consumers.{}", law.code)));
    };
    if a.size_standard {
        return match us.small_business {
            Some(false) => (Applies::Yes, "not a small business as the SBA defines it".into()),
            Some(true) => (Applies::No, "a small business as the SBA defines it (it still may not sell sensitive data without consent)".into()),
            None => (Applies::Review, key("small_business")),
        };
    }
    if let Some(min) = a.annual_revenue_usd_at_least {
        match us.annual_revenue_usd {
            None => return (Applies::Review, key("annual_revenue_usd")),
            Some(r) if r < min => {
                return (
                    Applies::No,
                    format!(
                        "annual revenue ${} is below ${}",
                        thousands(r),
                        thousands(min)
                    ),
                )
            }
            Some(_) => {}
        }
    }
    let Some(&n) = us.consumers.get(&law.code) else {
        return (Applies::Review, key(&format!("consumers.{}", law.code)));
    };
    if let Some(t) = a.consumers.filter(|t| n >= *t) {
        return (
            Applies::Yes,
            format!("{} consumers (threshold {})", thousands(n), thousands(t)),
        );
    }
    if let Some(t) = a.consumers_with_sale.filter(|t| n >= *t) {
        let over = a.sale_revenue_share_over.unwrap_or(0.0);
        return match us.sale_revenue_share {
            None => (Applies::Review, key("sale_revenue_share")),
            Some(s) if s > over => (Applies::Yes, format!("{} consumers (threshold {}) and {s}% of revenue from sales (more than {over}%)", thousands(n), thousands(t))),
            Some(s) => (Applies::No, format!("{} consumers is below {} and {s}% of revenue from sales is not more than {over}%", thousands(n), thousands(a.consumers.unwrap_or(t)))),
        };
    }
    (
        Applies::No,
        format!("{} consumers is below every threshold", thousands(n)),
    )
}

fn rule_text(r: SensitiveRule) -> &'static str {
    match r {
        SensitiveRule::Consent => "only with the consumer's consent",
        SensitiveRule::OptOut => "after clear notice and an opportunity to opt out",
        SensitiveRule::StrictlyNecessary => "only when strictly necessary to provide or maintain a product or service the consumer requested; never sold",
    }
}

fn row(law: &StateLaw, us: Option<&UsStates>, act: Activity, today: &str) -> StateModel {
    let (applies, applies_reason) = applicability(law, us, act);
    let r = &law.rights;
    let mut missing = Vec::new();
    for (has, text) in [
        (r.correct, "correction"),
        (r.portability, "portability"),
        (
            r.opt_out_targeted_advertising,
            "opt-out of targeted advertising",
        ),
        (r.opt_out_sale, "opt-out of sale"),
        (r.opt_out_profiling, "opt-out of profiling"),
    ] {
        if !has {
            missing.push(text.to_string());
        }
    }
    let uoom = match law.universal_opt_out.as_str() {
        "" => String::new(),
        d if d <= today => format!("required since {}", display_date(d)),
        d => format!("required from {}", display_date(d)),
    };
    StateModel {
        code: law.code.clone(),
        name: law.name.clone(),
        law: law.law.clone(),
        citation: law.citation.clone(),
        effective: display_date(&law.effective),
        applies,
        applies_reason,
        appeal_days: law.appeal_days,
        sensitive_rule: rule_text(law.sensitive_rule).into(),
        universal_opt_out: uoom,
        authorized_agent: law.authorized_agent,
        cure_period: law.cure_period.clone(),
        rights_missing: missing,
        rights_extra: r.extra.clone(),
        note: law.note.clone(),
        review: law.review.clone(),
    }
}

fn rights(covered: &[&StateLaw]) -> Vec<RightModel> {
    let except = |f: fn(&StateLaw) -> bool| -> Vec<String> {
        covered
            .iter()
            .filter(|l| !f(l))
            .map(|l| l.name.clone())
            .collect()
    };
    let all = |_: &StateLaw| true;
    vec![
        RightModel { text: "to confirm whether we process your personal data and to access it".into(), except: except(all) },
        RightModel { text: "to correct inaccuracies in your personal data".into(), except: except(|l| l.rights.correct) },
        RightModel { text: "to delete your personal data".into(), except: except(all) },
        RightModel { text: "to obtain a copy of the personal data you gave us in a portable and, where technically feasible, readily usable format".into(), except: except(|l| l.rights.portability) },
        RightModel { text: "to opt out of the processing of your personal data for targeted advertising".into(), except: except(|l| l.rights.opt_out_targeted_advertising) },
        RightModel { text: "to opt out of the sale of your personal data".into(), except: except(|l| l.rights.opt_out_sale) },
        RightModel { text: "to opt out of profiling in furtherance of decisions that produce legal or similarly significant effects concerning you".into(), except: except(|l| l.rights.opt_out_profiling) },
    ]
}

/// The third parties (declared with the third-party role) by category, with the
/// categories of personal data whose types they receive.
fn third_parties(
    recipients: &[RecipientModel],
    categories: &[CategoryModel],
) -> (Vec<ThirdPartyGroup>, Vec<String>) {
    let mut groups: Vec<ThirdPartyGroup> = Vec::new();
    let mut shared = Vec::new();
    for r in recipients
        .iter()
        .filter(|r| r.declared && r.role == Role::ThirdParty)
    {
        let keys: BTreeSet<&str> = r.data_types.iter().map(|t| t.key.as_str()).collect();
        let cats: Vec<String> = categories
            .iter()
            .filter(|c| {
                c.examples
                    .iter()
                    .any(|e| keys.contains(e.data_type.as_str()))
            })
            .map(|c| c.name.clone())
            .collect();
        let i = match groups.iter().position(|g| g.category == r.category_label) {
            Some(i) => i,
            None => {
                groups.push(ThirdPartyGroup {
                    category: r.category_label.clone(),
                    recipients: Vec::new(),
                    categories: Vec::new(),
                    data_types: Vec::new(),
                    purposes: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[i];
        push_unique(&mut g.recipients, r.name.clone());
        for c in cats {
            push_unique(&mut shared, c.clone());
            push_unique(&mut g.categories, c);
        }
        for t in &r.data_types {
            push_unique(&mut g.data_types, t.clone());
        }
        for p in &r.purposes {
            push_unique(&mut g.purposes, p.clone());
        }
    }
    (groups, shared)
}

fn answered(key: &str, v: Option<bool>) -> Answered {
    Answered {
        key: key.into(),
        answered: v.is_some(),
        value: v.unwrap_or(false),
    }
}

fn sensitive_of(cx: &Ctx, laws: &StateLaws, covered: &[&StateLaw]) -> Vec<StateSensitive> {
    // Consumer data only: a type held only in workforce sources is outside these laws.
    let collected: BTreeSet<&str> = cx
        .map
        .collected()
        .filter(|t| t.sources.is_empty() || t.sources.iter().any(|s| !workforce(cx, s)))
        .map(|t| t.data_type.as_str())
        .collect();
    let reviewed: Vec<String> = cx
        .manifest
        .us_states
        .as_ref()
        .map(|u| u.reviewed_not_sensitive.clone())
        .unwrap_or_default();
    covered
        .iter()
        .map(|l| StateSensitive {
            name: l.name.clone(),
            rule: rule_text(l.sensitive_rule).into(),
            items: l
                .sensitive
                .iter()
                .filter_map(|k| laws.items.get(k))
                .map(|item| {
                    let found: Vec<Label> = item
                        .data_types
                        .iter()
                        .filter(|t| collected.contains(t.as_str()))
                        .filter(|t| !(item.conditional && reviewed.contains(t)))
                        .map(|t| cx.type_label(t))
                        .collect();
                    SensitiveItemState {
                        review: item.conditional && !found.is_empty(),
                        wording: item.wording.clone(),
                        found,
                    }
                })
                .collect(),
        })
        .collect()
}

/// Builds the US state notice and adds its warnings.
pub(super) fn us_states(
    cx: &mut Ctx,
    categories: &[CategoryModel],
    recipients: &[RecipientModel],
    sale: &SaleSharingModel,
    today: &str,
) -> UsStatesModel {
    let laws = match StateLaws::builtin() {
        Ok(l) => l,
        Err(e) => {
            cx.warn(
                "us_states_rules",
                &[doc::US_STATES],
                format!("rules/states cannot be read: {e}"),
            );
            StateLaws {
                laws: Vec::new(),
                items: Default::default(),
            }
        }
    };
    let us = cx.manifest.us_states.as_ref();
    // Without `[us_states]` the notice is not written by `--kind all`: its questions are
    // marked in the draft (`--kind us-states`) but are not warnings of the other drafts.
    let before = cx.warnings.len();
    let in_force: Vec<&StateLaw> = laws
        .laws
        .iter()
        .filter(|l| l.effective.as_str() <= today)
        .collect();
    let all_sensitive = sensitive_of(cx, &laws, &in_force);
    let states: Vec<StateModel> = in_force
        .iter()
        .zip(&all_sensitive)
        .map(|(l, sens)| {
            let act = Activity {
                sells: sale.sells_answered.then_some(sale.sells),
                sensitive: sens.items.iter().any(|i| !i.found.is_empty() && !i.review),
            };
            row(l, us, act, today)
        })
        .collect();
    let covered_laws: Vec<&StateLaw> = in_force
        .iter()
        .zip(&states)
        .filter(|(_, s)| s.applies != Applies::No)
        .map(|(l, _)| *l)
        .collect();
    let covered: Vec<String> = covered_laws.iter().map(|l| l.name.clone()).collect();
    warn_answers(cx, us, &states);
    let (third_parties, shared_categories) = third_parties(recipients, categories);
    let third_parties_review = recipients.iter().any(|r| !r.declared);
    // "No third party" rests on the declarations: every recipient declared, none a
    // third party, and the sale and sharing questions answered "no".
    let no_third_parties = third_parties.is_empty()
        && !third_parties_review
        && sale.sells_answered
        && sale.shares_answered
        && !sale.sells
        && !sale.shares;
    if third_parties.is_empty() && !third_parties_review && !no_third_parties {
        cx.warn("us_states_third_parties_none", &[doc::US_STATES], "no recipient is declared as a third party, and disclosures.sells and disclosures.shares are not both answered false: the notice cannot say whether personal data is shared with third parties");
    }
    if third_parties_review {
        cx.warn("us_states_third_parties_review", &[doc::US_STATES], "recipients were observed in the data with no declared role: the list of third parties needs review (declare them under [recipients])");
    }
    let appeal_states: Vec<String> = covered_laws
        .iter()
        .filter(|l| l.appeal_days > 0)
        .map(|l| format!("{}: {} days", l.name, l.appeal_days))
        .collect();
    let appeal_contact = us.map(|u| u.appeal_contact.clone()).unwrap_or_default();
    if appeal_contact.is_empty() && !appeal_states.is_empty() {
        cx.warn("us_states_appeal_contact_missing", &[doc::US_STATES], "the appeal process has no contact: answer us_states.appeal_contact (an email address or a web page) in piimap.toml");
    }
    let sensitive = sensitive_of(cx, &laws, &covered_laws);
    let sensitive_found = sensitive
        .iter()
        .flat_map(|s| &s.items)
        .any(|i| !i.found.is_empty() && !i.review);
    if sensitive.iter().flat_map(|s| &s.items).any(|i| i.review) {
        cx.warn("us_states_sensitive_review", &[doc::US_STATES], "some collected data types fall in a state's definition of sensitive data only in some cases (marked in the draft): review them, and list those that do not in us_states.reviewed_not_sensitive");
    }
    let consent = us.and_then(|u| u.sensitive_data_consent);
    if consent.is_none() && sensitive_found {
        cx.warn("us_states_sensitive_consent_missing", &[doc::US_STATES], "the data holds sensitive data as state laws define it: answer us_states.sensitive_data_consent in piimap.toml (whether you process it only with consent)");
    }
    let (authorized_agent, universal_opt_out) = mechanisms(cx, us, &covered_laws, today);
    let (state_categories, purposes, workforce_excluded) = consumer_categories(cx, categories);
    if us.is_none() {
        cx.warnings.truncate(before);
    }
    UsStatesModel {
        categories: state_categories,
        purposes,
        workforce_excluded,
        declared: us.is_some(),
        any_covered: !covered.is_empty(),
        rights: rights(if covered_laws.is_empty() {
            &in_force
        } else {
            &covered_laws
        }),
        covered,
        states,
        third_parties,
        shared_categories,
        third_parties_review,
        no_third_parties,
        sale: Answered {
            key: "disclosures.sells".into(),
            answered: sale.sells_answered,
            value: sale.sells,
        },
        targeted_advertising: Answered {
            key: "disclosures.shares".into(),
            answered: sale.shares_answered,
            value: sale.shares,
        },
        profiling: answered("us_states.profiling", us.and_then(|u| u.profiling)),
        appeal_contact,
        appeal_states,
        sensitive_consent: answered("us_states.sensitive_data_consent", consent),
        sensitive_found,
        sensitive,
        authorized_agent,
        universal_opt_out,
    }
}

/// The authorised-agent and universal opt-out mechanisms the covered laws require, with
/// how the business provides them (warned when the manifest does not say).
fn mechanisms(
    cx: &mut Ctx,
    us: Option<&UsStates>,
    covered_laws: &[&StateLaw],
    today: &str,
) -> (MechanismModel, MechanismModel) {
    let mechanism = |need: fn(&StateLaw) -> bool, text: String, key: &str| MechanismModel {
        states: covered_laws
            .iter()
            .filter(|l| need(l))
            .map(|l| l.name.clone())
            .collect(),
        text,
        key: key.into(),
    };
    let authorized_agent = mechanism(
        |l| l.authorized_agent,
        us.map(|u| u.authorized_agent.clone()).unwrap_or_default(),
        "us_states.authorized_agent",
    );
    let mut universal_opt_out = mechanism(
        |l| !l.universal_opt_out.is_empty(),
        cx.manifest.organisation.opt_out_signals.clone(),
        "organisation.opt_out_signals",
    );
    universal_opt_out.states = covered_laws
        .iter()
        .filter(|l| !l.universal_opt_out.is_empty() && l.universal_opt_out.as_str() <= today)
        .map(|l| l.name.clone())
        .collect();
    for m in [&authorized_agent, &universal_opt_out] {
        if m.text.is_empty() && !m.states.is_empty() {
            cx.warn(
                format!("us_states_missing:{}", m.key),
                &[doc::US_STATES],
                format!(
                    "{} require it: answer {} in piimap.toml",
                    m.states.join(", "),
                    m.key
                ),
            );
        }
    }
    (authorized_agent, universal_opt_out)
}

/// Warnings for the volumes and answers the thresholds and statements need.
fn warn_answers(cx: &mut Ctx, us: Option<&UsStates>, states: &[StateModel]) {
    let review: Vec<String> = states
        .iter()
        .filter(|s| s.applies == Applies::Review)
        .map(|s| {
            format!(
                "{} ({})",
                s.name,
                s.applies_reason
                    .trim_start_matches("answer ")
                    .trim_end_matches(" in piimap.toml")
            )
        })
        .collect();
    if !review.is_empty() {
        cx.warn(
            "us_states_applicability_review",
            &[doc::US_STATES],
            format!(
                "whether these state laws apply cannot be decided without the volumes: {}",
                review.join("; ")
            ),
        );
    }
    if let Some(u) = us {
        let known: BTreeSet<&str> = states.iter().map(|s| s.code.as_str()).collect();
        for code in u.consumers.keys().filter(|c| !known.contains(c.as_str())) {
            cx.warn(format!("us_states_unknown:{code}"), &[doc::US_STATES], format!("us_states.consumers.{code}: no comprehensive state privacy law in force is known for this code (rules/states/); it is ignored"));
        }
    }
    if us.and_then(|u| u.profiling).is_none() {
        cx.warn("us_states_profiling_missing", &[doc::US_STATES], "the profiling statement is withheld: answer us_states.profiling in piimap.toml (whether you profile consumers in furtherance of decisions with legal or similarly significant effects)");
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{fixture, model_of};
    use super::*;

    fn law(code: &str) -> StateLaw {
        StateLaws::builtin()
            .unwrap()
            .laws
            .into_iter()
            .find(|l| l.code == code)
            .unwrap()
    }

    fn us(toml: &str) -> UsStates {
        toml::from_str(toml).unwrap()
    }

    #[test]
    fn thresholds_decide_applicability_from_the_declared_volumes() {
        let va = law("VA");
        let a = |t: &str| applicability(&va, Some(&us(t)), Activity::default()).0;
        assert_eq!(a("consumers = { VA = 100000 }"), Applies::Yes);
        assert_eq!(
            a("consumers = { VA = 99999 }\nsale_revenue_share = 0.0"),
            Applies::No
        );
        // 25,000 or more, and the sale share decides; unanswered it needs review.
        assert_eq!(a("consumers = { VA = 30000 }"), Applies::Review);
        assert_eq!(
            a("consumers = { VA = 30000 }\nsale_revenue_share = 51.0"),
            Applies::Yes
        );
        assert_eq!(
            a("consumers = { VA = 30000 }\nsale_revenue_share = 50.0"),
            Applies::No
        );
        assert_eq!(a("consumers = { VA = 20000 }"), Applies::No);
        assert_eq!(a("sale_revenue_share = 0.0"), Applies::Review);
        assert_eq!(
            applicability(&va, None, Activity::default()).0,
            Applies::Review
        );
        // Tennessee: the revenue floor first.
        let tn = law("TN");
        let t = |s: &str| applicability(&tn, Some(&us(s)), Activity::default()).0;
        assert_eq!(t("consumers = { TN = 200000 }"), Applies::Review);
        assert_eq!(
            t("consumers = { TN = 200000 }\nannual_revenue_usd = 1000000"),
            Applies::No
        );
        assert_eq!(
            t("consumers = { TN = 200000 }\nannual_revenue_usd = 30000000"),
            Applies::Yes
        );
        assert_eq!(t("consumers = { TN = 150000 }\nannual_revenue_usd = 30000000\nsale_revenue_share = 0.0"), Applies::No);
        // Texas: the SBA size standard, not a volume.
        let tx = law("TX");
        assert_eq!(
            applicability(
                &tx,
                Some(&us("small_business = false")),
                Activity::default()
            )
            .0,
            Applies::Yes
        );
        assert_eq!(
            applicability(&tx, Some(&us("small_business = true")), Activity::default()).0,
            Applies::No
        );
        assert_eq!(
            applicability(
                &tx,
                Some(&us("consumers = { TX = 1 }")),
                Activity::default()
            )
            .0,
            Applies::Review
        );
        // Colorado: any revenue from sales counts.
        let co = law("CO");
        assert_eq!(
            applicability(
                &co,
                Some(&us("consumers = { CO = 30000 }\nsale_revenue_share = 0.5")),
                Activity::default()
            )
            .0,
            Applies::Yes
        );
    }

    /// Connecticut since its 2025 amendment: 35,000 consumers, or any seller of personal
    /// data or controller of sensitive data whatever the volume.
    #[test]
    fn connecticut_applies_to_sellers_and_sensitive_data_whatever_the_volume() {
        let ct = law("CT");
        let few = us("consumers = { CT = 100 }");
        let act = |sells: Option<bool>, sensitive: bool| {
            applicability(&ct, Some(&few), Activity { sells, sensitive }).0
        };
        assert_eq!(act(Some(false), false), Applies::No);
        assert_eq!(act(Some(true), false), Applies::Yes);
        assert_eq!(act(Some(false), true), Applies::Yes);
        assert_eq!(act(None, false), Applies::Review);
        let many = us("consumers = { CT = 35000 }");
        assert_eq!(
            applicability(&ct, Some(&many), Activity::default()).0,
            Applies::Yes
        );
        // Virginia has no such trigger.
        let va = law("VA");
        let few_va = us("consumers = { VA = 100 }");
        let act = Activity {
            sells: Some(true),
            sensitive: true,
        };
        assert_eq!(applicability(&va, Some(&few_va), act).0, Applies::No);
    }

    #[test]
    fn a_manifest_without_us_states_withholds_everything() {
        let none = model_of(
            &fixture("[organisation]\nlegal_name = \"X\"\n"),
            "2026-12-01",
        );
        assert!(!none.us_states.declared);
        assert!(none
            .us_states
            .states
            .iter()
            .all(|r| r.applies == Applies::Review));
        assert!(!none
            .warning_codes()
            .iter()
            .any(|c| c.starts_with("us_states")));
        let f = fixture("[organisation]\nlegal_name = \"X\"\n\n[us_states]\n");
        let m = model_of(&f, "2026-12-01");
        let s = &m.us_states;
        assert!(s.declared);
        assert_eq!(s.states.len(), 17);
        assert!(s.states.iter().all(|r| r.applies == Applies::Review));
        assert!(!s.profiling.answered && !s.sale.answered);
        let codes = m.warning_codes();
        for c in [
            "us_states_applicability_review",
            "us_states_appeal_contact_missing",
            "us_states_profiling_missing",
            "us_states_missing:us_states.authorized_agent",
            "us_states_missing:organisation.opt_out_signals",
        ] {
            assert!(codes.iter().any(|x| x == c), "{c}: {codes:?}");
        }
    }

    #[test]
    fn laws_not_yet_in_force_are_left_out() {
        let f = fixture("[us_states]\nconsumers = { IN = 200000, VA = 200000 }\n");
        let m = model_of(&f, "2025-06-01");
        let codes: Vec<&str> = m.us_states.states.iter().map(|s| s.code.as_str()).collect();
        assert!(
            codes.contains(&"VA") && !codes.contains(&"IN") && !codes.contains(&"TN"),
            "{codes:?}"
        );
        assert_eq!(
            m.us_states
                .states
                .iter()
                .find(|s| s.code == "VA")
                .unwrap()
                .applies,
            Applies::Yes
        );
    }
}
