//! `piimap notice diff OLD NEW`: the redline a reviewer reads before the yearly refresh.
//! Compares two notice models (`notice.json`, or the models built from two dated
//! inventories with the manifest) and lists what the disclosures would change:
//! categories and examples added or removed, new or dropped recipients, the sale and
//! sharing statements, sensitive personal information and retention. Each change cites
//! the inventory or manifest change behind it, read from the models' own evidence
//! (the assets and fields a type was found in, the sources that declare it, the
//! recipients declared or observed).
//!
//! It works on the serialised models (`serde_json::Value`), so a `notice.json` kept from
//! last year compares with one built today.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use minijinja::Value as Ctx;
use serde::Serialize;
use serde_json::Value;

use super::documents::Rendered;
use super::templates::{environment, render};
use crate::output::escape;

/// Schema id of `notice-diff.json`.
pub const SCHEMA: &str = "piimap.notice-diff/1";

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A category of personal information.
    Category,
    /// An example (data type) of a category.
    Example,
    /// A recipient.
    Recipient,
    /// The sale or sharing statement.
    SaleSharing,
    /// Sensitive personal information.
    Sensitive,
    /// A retention period.
    Retention,
}

/// Added, removed or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Only in NEW.
    Added,
    /// Only in OLD.
    Removed,
    /// In both, different.
    Changed,
}

/// One line of the redline.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// What changed.
    pub kind: Kind,
    /// How.
    pub op: Op,
    /// The category, recipient or source it concerns.
    pub subject: String,
    /// The old text ("" when added).
    pub old: String,
    /// The new text ("" when removed).
    pub new: String,
    /// The inventory or manifest changes that caused it.
    pub causes: Vec<String>,
}

/// One side of the comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    /// The file compared.
    pub file: String,
    /// `notice` (a notice.json) or `inventory` (an inventory and the manifest).
    pub input: String,
    /// Its date (the inventory's date in its file name, or the model's `today`).
    pub date: String,
}

/// The redline.
#[derive(Clone, Debug, Serialize)]
pub struct NoticeDiff {
    /// [`SCHEMA`].
    pub schema: String,
    /// OLD.
    pub old: Side,
    /// NEW.
    pub new: Side,
    /// The changes, by kind.
    pub changes: Vec<Change>,
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn by<'a>(v: &'a Value, key: &str) -> BTreeMap<String, &'a Value> {
    arr(v).iter().map(|x| (s(&x[key]), x)).collect()
}

/// The evidence of one model, indexed for citing.
struct Model<'a> {
    v: &'a Value,
    types: BTreeMap<String, &'a Value>,
    sources: BTreeMap<String, &'a Value>,
    label: String,
}

impl<'a> Model<'a> {
    fn new(v: &'a Value, side: &Side) -> Model<'a> {
        Model {
            v,
            types: by(&v["data_types"], "data_type"),
            sources: by(&v["holdings"], "source"),
            label: format!("{} {}", side.input, side.date).trim().to_string(),
        }
    }

    /// (asset, field) pairs a type was found in.
    fn found(&self, dt: &str) -> BTreeSet<(String, String)> {
        self.types
            .get(dt)
            .map(|t| {
                arr(&t["evidence"]["assets"])
                    .iter()
                    .map(|a| (s(&a["asset"]), s(&a["field"])))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn declared_in(&self, dt: &str) -> BTreeSet<String> {
        self.types
            .get(dt)
            .map(|t| arr(&t["sources"]).iter().map(s).collect())
            .unwrap_or_default()
    }

    fn phrase(&self, dt: &str) -> String {
        self.types
            .get(dt)
            .map(|t| s(&t["phrase"]))
            .unwrap_or_else(|| dt.to_string())
    }
}

/// Why `dt` appears in `to` and not (or differently) in `from`: the manifest sources that
/// newly declare it and the assets it is newly found in (`gone` words it for a removal).
fn type_causes(dt: &str, from: &Model, to: &Model, gone: bool) -> Vec<String> {
    let mut out = Vec::new();
    for src in to.declared_in(dt).difference(&from.declared_in(dt)) {
        let verb = if gone {
            "no longer declared in"
        } else {
            "declared in"
        };
        let new_source = !from.sources.contains_key(src);
        let how = match (new_source, gone) {
            (true, false) => " (a source added to the manifest)",
            (true, true) => " (a source removed from the manifest)",
            _ => "",
        };
        out.push(format!(
            "manifest: {} {verb} sources.{src}{how}",
            to.phrase(dt)
        ));
    }
    let found = to.found(dt);
    let before = from.found(dt);
    let fresh: Vec<_> = found.difference(&before).collect();
    for (asset, field) in fresh.iter().take(3) {
        let verb = if gone {
            "no longer found in"
        } else {
            "found in"
        };
        let at = if field.is_empty() {
            asset.clone()
        } else {
            format!("{asset} ({field})")
        };
        let inv = if gone { &from.label } else { &to.label };
        out.push(format!("{inv}: {} {verb} {at}", to.phrase(dt)));
    }
    if fresh.len() > 3 {
        out.push(format!("{}: and {} more fields", to.label, fresh.len() - 3));
    }
    if out.is_empty() {
        out.push(format!(
            "{}: {} ({})",
            to.label,
            to.phrase(dt),
            to.types
                .get(dt)
                .map(|t| s(&t["presence"]))
                .unwrap_or_default()
        ));
    }
    out
}

fn category_examples(c: &Value) -> BTreeSet<String> {
    arr(&c["examples"])
        .iter()
        .map(|e| s(&e["data_type"]))
        .collect()
}

fn categories(old: &Model, new: &Model, out: &mut Vec<Change>) {
    let (a, b) = (
        by(&old.v["categories"], "letter"),
        by(&new.v["categories"], "letter"),
    );
    let name = |c: &Value| format!("{}. {}", s(&c["letter"]), s(&c["name"]));
    let phrases = |c: &Value| {
        arr(&c["examples"])
            .iter()
            .map(|e| s(&e["phrase"]))
            .collect::<Vec<_>>()
            .join("; ")
    };
    for (k, c) in &b {
        match a.get(k) {
            None => {
                let causes = category_examples(c)
                    .iter()
                    .flat_map(|t| type_causes(t, old, new, false))
                    .collect();
                out.push(Change {
                    kind: Kind::Category,
                    op: Op::Added,
                    subject: name(c),
                    old: String::new(),
                    new: phrases(c),
                    causes,
                });
            }
            Some(o) => {
                let (eo, en) = (category_examples(o), category_examples(c));
                for t in en.difference(&eo) {
                    out.push(Change {
                        kind: Kind::Example,
                        op: Op::Added,
                        subject: name(c),
                        old: String::new(),
                        new: new.phrase(t),
                        causes: type_causes(t, old, new, false),
                    });
                }
                for t in eo.difference(&en) {
                    out.push(Change {
                        kind: Kind::Example,
                        op: Op::Removed,
                        subject: name(c),
                        old: old.phrase(t),
                        new: String::new(),
                        causes: type_causes(t, new, old, true),
                    });
                }
            }
        }
    }
    for (k, c) in &a {
        if !b.contains_key(k) {
            let causes = category_examples(c)
                .iter()
                .flat_map(|t| type_causes(t, new, old, true))
                .collect();
            out.push(Change {
                kind: Kind::Category,
                op: Op::Removed,
                subject: name(c),
                old: phrases(c),
                new: String::new(),
                causes,
            });
        }
    }
}

fn recipient_text(r: &Value) -> String {
    let mut t = format!(
        "{} ({}, {})",
        s(&r["name"]),
        s(&r["category_label"]),
        s(&r["role_label"])
    );
    if r["sold"] == true {
        t.push_str(", sold to");
    }
    if r["shared"] == true {
        t.push_str(", shared with for cross-context behavioral advertising");
    }
    t
}

fn recipient_causes(id: &str, r: &Value, label: &str, gone: bool) -> Vec<String> {
    let mut out = Vec::new();
    if r["declared"] == true {
        let verb = if gone {
            "no longer declares"
        } else {
            "declares"
        };
        out.push(format!(
            "manifest: {verb} recipients.{id} ({})",
            s(&r["role_label"]).to_lowercase()
        ));
    }
    for e in arr(&r["evidence"]).iter().take(3) {
        let verb = if gone { "no longer seen" } else { "seen" };
        out.push(format!("{label}: {verb} in {}", s(e)));
    }
    out
}

fn recipients(old: &Model, new: &Model, out: &mut Vec<Change>) {
    let (a, b) = (
        by(&old.v["recipients"], "id"),
        by(&new.v["recipients"], "id"),
    );
    for (id, r) in &b {
        match a.get(id) {
            None => out.push(Change {
                kind: Kind::Recipient,
                op: Op::Added,
                subject: s(&r["name"]),
                old: String::new(),
                new: recipient_text(r),
                causes: recipient_causes(id, r, &new.label, false),
            }),
            Some(o) if recipient_text(o) != recipient_text(r) || o["declared"] != r["declared"] => {
                let mut causes = Vec::new();
                for key in ["role", "sold", "shared", "declared"] {
                    if o[key] != r[key] {
                        causes.push(format!(
                            "manifest: recipients.{id}.{key} {} → {}",
                            o[key], r[key]
                        ));
                    }
                }
                out.push(Change {
                    kind: Kind::Recipient,
                    op: Op::Changed,
                    subject: s(&r["name"]),
                    old: recipient_text(o),
                    new: recipient_text(r),
                    causes,
                });
            }
            Some(_) => {}
        }
    }
    for (id, r) in &a {
        if !b.contains_key(id) {
            out.push(Change {
                kind: Kind::Recipient,
                op: Op::Removed,
                subject: s(&r["name"]),
                old: recipient_text(r),
                new: String::new(),
                causes: recipient_causes(id, r, &old.label, true),
            });
        }
    }
}

/// The sale and sharing statement as the policy prints it.
fn sale_text(m: &Value) -> String {
    let ss = &m["sale_and_sharing"];
    let list = |key: &str| -> Vec<String> {
        arr(&ss["categories"])
            .iter()
            .filter(|c| !arr(&c[key]).is_empty())
            .map(|c| format!("{}. {}", s(&c["letter"]), s(&c["name"])))
            .collect()
    };
    if ss["none_statement"] == true {
        return "We have not sold or shared personal information in the preceding 12 months."
            .into();
    }
    let mut parts = Vec::new();
    match (ss["sells_answered"] == true, list("sold_to")) {
        (false, _) => parts.push("sale: statement withheld".to_string()),
        (true, l) if l.is_empty() => parts.push("sold: none".into()),
        (true, l) => parts.push(format!("sold: {}", l.join("; "))),
    }
    match (ss["shares_answered"] == true, list("shared_with")) {
        (false, _) => parts.push("sharing: statement withheld".to_string()),
        (true, l) if l.is_empty() => parts.push("shared: none".into()),
        (true, l) => parts.push(format!(
            "shared for cross-context behavioral advertising: {}",
            l.join("; ")
        )),
    }
    if ss["none_statement_blocked"] == true {
        parts.push("the \"not sold or shared\" statement is refused (undeclared flows)".into());
    }
    parts.join("; ")
}

fn sale_sharing(old: &Model, new: &Model, out: &mut Vec<Change>) {
    let (o, n) = (sale_text(old.v), sale_text(new.v));
    if o == n {
        return;
    }
    let mut causes = Vec::new();
    for key in ["sells", "shares"] {
        let (a, b) = (&old.v["sale_and_sharing"], &new.v["sale_and_sharing"]);
        let (aa, ba) = (
            a[format!("{key}_answered")] == true,
            b[format!("{key}_answered")] == true,
        );
        if aa != ba || a[key] != b[key] {
            let show = |ans: bool, v: &Value| {
                if ans {
                    v.to_string()
                } else {
                    "unanswered".into()
                }
            };
            causes.push(format!(
                "manifest: disclosures.{key} {} → {}",
                show(aa, &a[key]),
                show(ba, &b[key])
            ));
        }
    }
    let (a, b) = (
        by(&old.v["recipients"], "id"),
        by(&new.v["recipients"], "id"),
    );
    for (id, r) in &b {
        let flag = |x: Option<&&Value>, k: &str| x.is_some_and(|x| x[k] == true);
        for k in ["sold", "shared"] {
            if r[k] == true && !flag(a.get(id), k) {
                causes.push(format!(
                    "manifest: recipients.{id} ({}) is {k}",
                    s(&r["name"])
                ));
            }
        }
    }
    if old.v["sale_and_sharing"]["none_statement_blocked"]
        != new.v["sale_and_sharing"]["none_statement_blocked"]
    {
        for f in arr(&new.v["sale_and_sharing"]["blocking_flows"])
            .iter()
            .take(3)
        {
            let ev: Vec<String> = arr(&f["evidence"]).iter().take(2).map(s).collect();
            causes.push(format!(
                "{}: a flow to {} ({})",
                new.label,
                s(&f["recipient"]),
                ev.join("; ")
            ));
        }
    }
    out.push(Change {
        kind: Kind::SaleSharing,
        op: Op::Changed,
        subject: "Selling and sharing".into(),
        old: o,
        new: n,
        causes,
    });
}

fn sensitive(old: &Model, new: &Model, out: &mut Vec<Change>) {
    let items = |m: &Model| -> BTreeMap<String, (String, BTreeSet<String>)> {
        arr(&m.v["sensitive"]["items"])
            .iter()
            .map(|i| {
                (
                    s(&i["item"]),
                    (
                        s(&i["wording"]),
                        arr(&i["data_types"]).iter().map(|t| s(&t["key"])).collect(),
                    ),
                )
            })
            .collect()
    };
    let (a, b) = (items(old), items(new));
    let none = BTreeSet::new();
    for (k, (wording, types)) in &b {
        let before = a.get(k).map_or(&none, |x| &x.1);
        for t in types.difference(before) {
            out.push(Change {
                kind: Kind::Sensitive,
                op: Op::Added,
                subject: format!("§1798.140{k} {wording}"),
                old: String::new(),
                new: new.phrase(t),
                causes: type_causes(t, old, new, false),
            });
        }
    }
    for (k, (wording, types)) in &a {
        let after = b.get(k).map_or(&none, |x| &x.1);
        for t in types.difference(after) {
            out.push(Change {
                kind: Kind::Sensitive,
                op: Op::Removed,
                subject: format!("§1798.140{k} {wording}"),
                old: old.phrase(t),
                new: String::new(),
                causes: type_causes(t, new, old, true),
            });
        }
    }
    for key in ["beyond_permitted", "permitted_only"] {
        let (x, y) = (&old.v["sensitive"][key], &new.v["sensitive"][key]);
        if x != y {
            out.push(Change {
                kind: Kind::Sensitive,
                op: Op::Changed,
                subject: format!("Use of sensitive personal information ({key})"),
                old: x.to_string(),
                new: y.to_string(),
                causes: vec!["manifest: disclosures.sensitive_pi_use changed".into()],
            });
        }
    }
}

fn retention(old: &Model, new: &Model, out: &mut Vec<Change>) {
    let name = |h: &Value| format!("{} (sources.{})", s(&h["name"]), s(&h["source"]));
    for (k, h) in &new.sources {
        let r = s(&h["retention"]);
        match old.sources.get(k) {
            None => out.push(Change {
                kind: Kind::Retention,
                op: Op::Added,
                subject: name(h),
                old: String::new(),
                new: r,
                causes: vec![format!("manifest: sources.{k} added")],
            }),
            Some(o) if s(&o["retention"]) != r => out.push(Change {
                kind: Kind::Retention,
                op: Op::Changed,
                subject: name(h),
                old: s(&o["retention"]),
                new: r,
                causes: vec![format!("manifest: sources.{k}.retention changed")],
            }),
            Some(_) => {}
        }
    }
    for (k, h) in &old.sources {
        if !new.sources.contains_key(k) {
            out.push(Change {
                kind: Kind::Retention,
                op: Op::Removed,
                subject: name(h),
                old: s(&h["retention"]),
                new: String::new(),
                causes: vec![format!("manifest: sources.{k} removed")],
            });
        }
    }
}

/// Compares two serialised notice models.
pub fn diff(old: &Value, old_side: Side, new: &Value, new_side: Side) -> NoticeDiff {
    let (a, b) = (Model::new(old, &old_side), Model::new(new, &new_side));
    let mut changes = Vec::new();
    categories(&a, &b, &mut changes);
    recipients(&a, &b, &mut changes);
    sale_sharing(&a, &b, &mut changes);
    sensitive(&a, &b, &mut changes);
    retention(&a, &b, &mut changes);
    changes.sort_by_key(|c| c.kind);
    NoticeDiff {
        schema: SCHEMA.into(),
        old: old_side,
        new: new_side,
        changes,
    }
}

/// `notice-diff.md`, `.html` and `.json`, as asked for (`md`, `html`, `json`).
pub fn render_diff(
    d: &NoticeDiff,
    md: bool,
    html: bool,
    json: bool,
    templates: Option<&Path>,
) -> anyhow::Result<Vec<Rendered>> {
    let env = environment(templates);
    let ctx = Ctx::from_serialize(d);
    let mut out = Vec::new();
    for (on, file, template) in [
        (md, "notice-diff.md", "notice-diff.md.j2"),
        (html, "notice-diff.html", "notice-diff.html.j2"),
    ] {
        if on {
            out.push(Rendered {
                file: file.into(),
                contents: render(&env, template, &ctx)?,
            });
        }
    }
    if json {
        let mut j = escape::to_json_pretty(d)?;
        j.push('\n');
        out.push(Rendered {
            file: "notice-diff.json".into(),
            contents: j,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn side(date: &str) -> Side {
        Side {
            file: format!("{date}.json"),
            input: "inventory".into(),
            date: date.into(),
        }
    }

    fn model(types: &[(&str, &str, &str)], recipients: Value, retention: &str) -> Value {
        // (letter, data type, asset)
        let mut cats: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for (l, t, _) in types {
            cats.entry(l)
                .or_default()
                .push(json!({"data_type": t, "phrase": format!("{t}s")}));
        }
        json!({
            "categories": cats.iter().map(|(l, e)| json!({"letter": l, "name": format!("Cat {l}"), "examples": e})).collect::<Vec<_>>(),
            "data_types": types.iter().map(|(_, t, a)| json!({"data_type": t, "phrase": format!("{t}s"), "sources": ["shop"], "presence": "found_and_declared", "evidence": {"assets": [{"asset": a, "field": t}]}})).collect::<Vec<_>>(),
            "holdings": [{"source": "shop", "name": "Shop", "retention": retention}],
            "recipients": recipients,
            "sale_and_sharing": {"none_statement": true, "sells_answered": true, "shares_answered": true, "sells": false, "shares": false, "categories": []},
            "sensitive": {"items": []},
        })
    }

    #[test]
    fn added_category_example_recipient_and_retention_cite_their_cause() {
        let old = model(&[("A", "email", "file:a.csv")], json!([]), "1 year");
        let pixel = json!([{"id": "meta", "name": "Meta", "category_label": "Social networks", "role_label": "Third party", "declared": true, "sold": false, "shared": true, "evidence": ["web.log (url): facebook.com ×3"]}]);
        let mut new = model(
            &[
                ("A", "email", "file:a.csv"),
                ("A", "phone", "file:b.csv"),
                ("G", "precise_geolocation", "file:b.csv"),
            ],
            pixel,
            "2 years",
        );
        new["sale_and_sharing"] = json!({"none_statement": false, "sells_answered": true, "shares_answered": true, "sells": false, "shares": true, "categories": [{"letter": "A", "name": "Cat A", "shared_with": [{"key": "x"}], "sold_to": []}]});
        let d = diff(&old, side("2026-01-01"), &new, side("2026-06-01"));
        let find = |k: Kind, op: Op| {
            d.changes
                .iter()
                .find(|c| c.kind == k && c.op == op)
                .unwrap_or_else(|| panic!("{k:?} {op:?}: {:#?}", d.changes))
        };
        let cat = find(Kind::Category, Op::Added);
        assert_eq!(cat.subject, "G. Cat G");
        assert_eq!(
            cat.causes,
            [
                "manifest: precise_geolocations declared in sources.shop",
                "inventory 2026-06-01: precise_geolocations found in file:b.csv (precise_geolocation)"
            ]
        );
        let ex = find(Kind::Example, Op::Added);
        assert_eq!(
            (ex.subject.as_str(), ex.new.as_str()),
            ("A. Cat A", "phones")
        );
        let r = find(Kind::Recipient, Op::Added);
        assert!(
            r.causes
                .contains(&"manifest: declares recipients.meta (third party)".to_string()),
            "{:?}",
            r.causes
        );
        let ss = find(Kind::SaleSharing, Op::Changed);
        assert!(
            ss.causes
                .iter()
                .any(|c| c == "manifest: disclosures.shares false → true"),
            "{:?}",
            ss.causes
        );
        assert!(ss
            .new
            .contains("shared for cross-context behavioral advertising: A. Cat A"));
        let ret = find(Kind::Retention, Op::Changed);
        assert_eq!((ret.old.as_str(), ret.new.as_str()), ("1 year", "2 years"));
        // The reverse comparison removes what was added.
        let back = diff(&new, side("2026-06-01"), &old, side("2026-01-01"));
        assert!(back.changes.iter().any(|c| c.kind == Kind::Category
            && c.op == Op::Removed
            && c.causes
                .iter()
                .any(|x| x.contains("no longer found in file:b.csv"))));
        assert!(back
            .changes
            .iter()
            .any(|c| c.kind == Kind::Recipient && c.op == Op::Removed));
        // Identical models: nothing.
        assert!(diff(&old, side("a"), &old, side("b")).changes.is_empty());
    }
}
