//! The documents in another language (`--lang`): templates under
//! `rules/templates/<lang>/` (the English names), and `rules/templates/<lang>/terms.toml`,
//! which gives every data-driven text of the model its translation (category names, the
//! §1798.140(ae) wording, purposes, sources, recipient categories, example phrases,
//! request methods, warnings) and the statutory terms the templates print as `t.<id>`.
//!
//! Nothing is translated silently. A statutory term is printed as it is only when the
//! file cites a Spanish publication of the California Attorney General or the CPPA for it;
//! otherwise its `proposed` rendering is printed with the file's review marker
//! ("⚠ revisión legal: …") and the warning `translation_review` lists it. A text with no
//! entry, or whose English has changed since it was translated, is printed in English with
//! the `missing` marker and the warning `translation_missing`. English (`en`) is the model
//! as it is.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{anyhow, bail, Context as _};
use serde::Deserialize;
use serde_json::{json, Map, Value as Json};

use super::model::{display_date, doc, NoticeModel, Warning};

/// The language of the built-in templates.
pub const ENGLISH: &str = "en";

/// One translated text.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// The English text it translates.
    en: String,
    /// The translation, printed as it is (needs `source`).
    #[serde(default)]
    text: Option<String>,
    /// A `[[citations]]` id (statutory terms) or "piimap" (piimap's own wording).
    #[serde(default)]
    source: Option<String>,
    /// A rendering without a published source: printed with the review marker.
    #[serde(default)]
    proposed: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
struct Citation {
    id: String,
    url: String,
    /// Whether the cited publication is in this language.
    spanish: bool,
}

#[derive(Clone, Debug, Deserialize)]
struct About {
    lang: String,
    name: String,
}

#[derive(Clone, Debug, Deserialize)]
struct Dates {
    months: Vec<String>,
    format: String,
}

#[derive(Clone, Debug, Deserialize)]
struct Patterns {
    withheld_answer: String,
    review: String,
    missing: String,
    review_warning: String,
    missing_warning: String,
    manifest_warning: String,
}

type Section = BTreeMap<String, Entry>;

/// `rules/templates/<lang>/terms.toml`.
#[derive(Clone, Debug, Deserialize)]
struct Terms {
    about: About,
    #[serde(default)]
    citations: Vec<Citation>,
    dates: Dates,
    categories: Section,
    sensitive: Section,
    statutory: Section,
    purposes: Section,
    sources: Section,
    /// Data subjects (the policy's workforce table names them).
    #[serde(default)]
    data_subjects: Section,
    recipients: Section,
    phrases: Section,
    methods: Section,
    metrics: Section,
    patterns: Patterns,
    warnings: BTreeMap<String, String>,
}

/// The sections whose entries are statutory terms.
const STATUTORY: [&str; 4] = ["categories", "sensitive", "statutory", "metrics"];

impl Terms {
    fn parse(file: &str, text: &str) -> anyhow::Result<Terms> {
        let terms: Terms = toml::from_str(text).with_context(|| format!("parsing {file}"))?;
        terms.check(file)?;
        Ok(terms)
    }

    fn sections(&self) -> [(&'static str, &Section); 10] {
        [
            ("categories", &self.categories),
            ("sensitive", &self.sensitive),
            ("statutory", &self.statutory),
            ("purposes", &self.purposes),
            ("sources", &self.sources),
            ("data_subjects", &self.data_subjects),
            ("recipients", &self.recipients),
            ("phrases", &self.phrases),
            ("methods", &self.methods),
            ("metrics", &self.metrics),
        ]
    }

    /// A statutory `text` must cite a publication in the language; every `text` a source.
    fn check(&self, file: &str) -> anyhow::Result<()> {
        for (name, section) in self.sections() {
            for (key, e) in section {
                let Some(_) = &e.text else {
                    if e.proposed.is_none() {
                        bail!("{file}: [{name}.{key}] has neither `text` nor `proposed`");
                    }
                    continue;
                };
                let source = e.source.as_deref().unwrap_or("");
                if STATUTORY.contains(&name) {
                    let cited = self
                        .citations
                        .iter()
                        .find(|c| c.id == source && c.spanish && !c.url.is_empty());
                    if cited.is_none() {
                        bail!("{file}: [{name}.{key}] is a statutory term: its `text` needs a `source` naming a [[citations]] entry of a publication in this language (otherwise write `proposed`, printed for legal review)");
                    }
                } else if source.is_empty() {
                    bail!("{file}: [{name}.{key}] has a `text` without a `source`");
                }
            }
        }
        Ok(())
    }
}

/// A language the documents are written in.
#[derive(Clone, Debug)]
pub struct Language {
    code: String,
    terms: Option<Terms>,
}

/// Whether `code` looks like a language tag (`es`, `es-MX`): it becomes a directory name.
fn valid_code(code: &str) -> bool {
    let (lang, region) = code.split_once('-').unwrap_or((code, ""));
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && (region.is_empty()
            || ((2..=4).contains(&region.len())
                && region.bytes().all(|b| b.is_ascii_alphanumeric())))
}

/// The languages with built-in templates.
pub fn builtin_languages() -> Vec<String> {
    let mut langs: Vec<String> = crate::rules::embedded_files("templates/")
        .filter_map(|(path, _)| {
            let rest = path.strip_prefix("templates/")?;
            rest.strip_suffix("/terms.toml").map(str::to_string)
        })
        .collect();
    langs.push(ENGLISH.into());
    langs.sort();
    langs
}

impl Language {
    /// English: the built-in templates and the model as it is.
    pub fn english() -> Language {
        Language {
            code: ENGLISH.into(),
            terms: None,
        }
    }

    /// The language `code`, from `templates/<code>/terms.toml` (a `--templates DIR` file of
    /// that name wins over the built-in one). A language without one is an error whose text
    /// starts with the code (the caller says where the code came from).
    pub fn load(code: &str, templates: Option<&Path>) -> anyhow::Result<Language> {
        if code == ENGLISH {
            return Ok(Language::english());
        }
        let available = builtin_languages().join(", ");
        if !valid_code(code) {
            bail!("{code:?}: not a language code (available: {available})");
        }
        let rel = format!("templates/{code}/terms.toml");
        let user = templates.map(|d| d.join(code).join("terms.toml"));
        let text = match user.filter(|p| p.is_file()) {
            Some(p) => std::fs::read_to_string(&p)
                .with_context(|| format!("reading {}", p.display()))?,
            None => crate::rules::embedded_text(&rel)
                .map(str::to_string)
                .map_err(|_| {
                    anyhow!("{code}: there are no templates for this language (no rules/{rel}); available: {available}")
                })?,
        };
        let terms = Terms::parse(&rel, &text)?;
        if terms.about.lang != code {
            bail!(
                "{rel}: [about] lang = {:?}, expected {code:?}",
                terms.about.lang
            );
        }
        Ok(Language {
            code: code.into(),
            terms: Some(terms),
        })
    }

    /// Its code (`en`, `es`).
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Whether it is English (the model as it is, the files' own names).
    pub fn is_english(&self) -> bool {
        self.terms.is_none()
    }

    /// The template of `name` in this language (`es/ccpa-policy.md.j2`).
    pub fn template(&self, name: &str) -> String {
        if self.is_english() {
            name.to_string()
        } else {
            format!("{}/{name}", self.code)
        }
    }

    /// The file of `file` in this language (`notice.md` → `notice.es.md`).
    pub fn file_name(&self, file: &str) -> String {
        match (self.is_english(), file.split_once('.')) {
            (false, Some((stem, ext))) => format!("{stem}.{}.{ext}", self.code),
            _ => file.to_string(),
        }
    }

    /// The model, with every text the templates print in this language, the statutory
    /// terms as `t`, `lang`, and the translation warnings appended to `warnings`. Returns
    /// it and the translation warnings (for stderr).
    pub fn localize(&self, model: &NoticeModel) -> anyhow::Result<(Json, Vec<String>)> {
        let mut json = serde_json::to_value(model)?;
        let Some(terms) = &self.terms else {
            return Ok((json, Vec::new()));
        };
        let mut tr = Translator {
            terms,
            review: BTreeSet::new(),
            missing: BTreeSet::new(),
        };
        let obj = json.as_object_mut().ok_or_else(|| anyhow!("model"))?;
        for key in PRINTED {
            if let Some(v) = obj.get_mut(key) {
                tr.walk(v);
            }
        }
        let t: Map<String, Json> = terms
            .statutory
            .iter()
            .map(|(id, e)| {
                let en = e.en.clone();
                (id.clone(), Json::String(tr.entry(Some(e), &en)))
            })
            .collect();
        obj.insert("t".into(), Json::Object(t));
        obj.insert(
            "lang".into(),
            json!({"code": self.code, "name": terms.about.name}),
        );
        obj.insert(
            "last_updated_display".into(),
            Json::String(terms.date(&model.last_updated)),
        );
        let warnings = tr.warnings(model);
        let lines = warnings.iter().map(|w| w.message.clone()).collect();
        if let Some(Json::Array(list)) = obj.get_mut("warnings") {
            for w in warnings {
                list.push(serde_json::to_value(w)?);
            }
        }
        Ok((json, lines))
    }
}

/// The parts of the model the policy and the notice at collection print (the policy
/// lists the workforce categories too).
const PRINTED: [&str; 15] = [
    "warnings",
    "workforce",
    "categories",
    "sensitive",
    "source_categories",
    "purposes",
    "holdings",
    "sale_and_sharing",
    "disclosures",
    "minors",
    "requests",
    "tracking",
    "choices",
    "incentives",
    "request_metrics",
];

impl Terms {
    /// "1 de noviembre de 2026" (another text is returned as it is).
    fn date(&self, date: &str) -> String {
        let english = display_date(date);
        if english == date || self.dates.months.len() != 12 {
            return english;
        }
        let m: usize = date[5..7].parse().unwrap_or(1);
        let d: u32 = date[8..10].parse().unwrap_or(1);
        self.dates
            .format
            .replace("{d}", &d.to_string())
            .replace("{month}", &self.dates.months[m - 1])
            .replace("{y}", &date[..4])
    }
}

struct Translator<'a> {
    terms: &'a Terms,
    /// English statutory terms printed with a proposed rendering.
    review: BTreeSet<String>,
    /// English texts printed without a translation.
    missing: BTreeSet<String>,
}

fn find_en<'s>(section: &'s Section, en: &str) -> Option<&'s Entry> {
    section.values().find(|e| e.en == en)
}

impl Translator<'_> {
    /// The text of `e` for the English `en`: its translation, its proposed rendering
    /// with the review marker, or `en` with the missing marker (no entry, or an entry
    /// for another English text).
    fn entry(&mut self, e: Option<&Entry>, en: &str) -> String {
        let p = &self.terms.patterns;
        match e.filter(|e| e.en == en) {
            Some(Entry {
                text: Some(t),
                source: Some(_),
                ..
            }) => t.clone(),
            Some(Entry {
                proposed: Some(prop),
                ..
            }) => {
                self.review.insert(en.to_string());
                p.review.replace("{en}", en).replace("{proposed}", prop)
            }
            _ => {
                self.missing.insert(en.to_string());
                p.missing.replace("{en}", en)
            }
        }
    }

    fn keyed(&mut self, section: &str, key: &str, en: &str) -> String {
        let terms = self.terms;
        let s = terms
            .sections()
            .into_iter()
            .find(|(n, _)| *n == section)
            .map(|(_, s)| s);
        self.entry(s.and_then(|s| s.get(key)), en)
    }

    /// A `{key, label}`: a purpose, a category of sources or of recipients.
    fn label(&mut self, key: &str, en: &str) -> String {
        let terms = self.terms;
        let e = [
            &terms.purposes,
            &terms.sources,
            &terms.data_subjects,
            &terms.recipients,
        ]
        .into_iter()
        .filter_map(|s| s.get(key))
        .find(|e| e.en == en);
        self.entry(e, en)
    }

    fn by_en(&mut self, section: fn(&Terms) -> &Section, en: &str) -> String {
        let e = find_en(section(self.terms), en);
        self.entry(e, en)
    }

    fn set(obj: &mut Map<String, Json>, field: &str, text: String) {
        obj.insert(field.into(), Json::String(text));
    }

    fn str_of(obj: &Map<String, Json>, field: &str) -> Option<String> {
        obj.get(field).and_then(Json::as_str).map(str::to_string)
    }

    /// Translates what `obj` prints, by its shape, then its children.
    fn object(&mut self, obj: &mut Map<String, Json>) {
        let s = |f: &str| Self::str_of(obj, f);
        if let (Some(letter), Some(name)) = (s("letter"), s("name")) {
            let t = self.keyed("categories", &letter, &name);
            Self::set(obj, "name", t);
        } else if let (Some(dt), Some(phrase)) = (s("data_type"), s("phrase")) {
            let t = self.keyed("phrases", &dt, &phrase);
            Self::set(obj, "phrase", t);
        } else if let (Some(item), Some(wording)) = (s("item"), s("wording")) {
            let t = self.keyed("sensitive", &item, &wording);
            Self::set(obj, "wording", t);
        } else if let (Some(kind), Some(label), true) =
            (s("kind"), s("label"), obj.contains_key("href"))
        {
            let t = self.keyed("methods", &kind, &label);
            Self::set(obj, "label", t);
        } else if let (Some(request), Some(label)) = (s("request"), s("label")) {
            let t = self.keyed("metrics", &request, &label);
            Self::set(obj, "label", t);
        } else if let (Some(key), Some(label)) = (s("key"), s("label")) {
            let t = self.label(&key, &label);
            Self::set(obj, "label", t);
        } else if let (Some(code), Some(message)) = (s("code"), s("message")) {
            let t = self.warning(&code, &message);
            Self::set(obj, "message", t);
        } else if let (Some(key), Some(text), Some(false)) = (
            s("key"),
            s("text"),
            obj.get("contradicted").and_then(Json::as_bool),
        ) {
            if text == format!("answer `{key}` in piimap.toml") {
                let t = self.terms.patterns.withheld_answer.replace("{key}", &key);
                Self::set(obj, "text", t);
            } else {
                let t = self.entry(None, &text);
                Self::set(obj, "text", t);
            }
        } else if let (true, Some(text)) = (obj.contains_key("contradicted"), s("text")) {
            // A contradicted answer: piimap's English explanation.
            let t = self.entry(None, &text);
            Self::set(obj, "text", t);
        }
        for f in ["text", "california_text"] {
            if let (Some(text), true) = (Self::str_of(obj, f), obj.contains_key("applies")) {
                let t = self.by_en(|t| &t.statutory, &text);
                Self::set(obj, f, t);
            }
        }
        if let Some(cat) = Self::str_of(obj, "category") {
            let t = self.by_en(|t| &t.recipients, &cat);
            Self::set(obj, "category", t);
        }
        for f in ["examples", "data_types"] {
            if let Some(Json::Array(items)) = obj.get_mut(f) {
                for item in items.iter_mut() {
                    if let Json::String(en) = item {
                        *item = Json::String(self.by_en(|t| &t.phrases, &en.clone()));
                    }
                }
            }
        }
        // Not printed by the templates: evidence, and the data types' own labels (the
        // templates print the example phrases).
        for (k, v) in obj.iter_mut() {
            if !matches!(k.as_str(), "evidence" | "review_notes" | "data_types") {
                self.walk(v);
            }
        }
    }

    fn walk(&mut self, v: &mut Json) {
        match v {
            Json::Object(obj) => self.object(obj),
            Json::Array(items) => items.iter_mut().for_each(|i| self.walk(i)),
            _ => {}
        }
    }

    /// A warning: the sentence of its code, then piimap's English detail.
    fn warning(&mut self, code: &str, message: &str) -> String {
        let base = code.split(':').next().unwrap_or(code);
        match self.terms.warnings.get(base) {
            Some(sentence) => format!("{sentence} ({message})"),
            None => self.entry(None, message),
        }
    }

    /// `translation_review`, `translation_missing` and `manifest_text`, as needed.
    fn warnings(&self, model: &NoticeModel) -> Vec<Warning> {
        let p = &self.terms.patterns;
        let quote = |set: &BTreeSet<String>| {
            set.iter()
                .map(|t| format!("«{t}»"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let mut out = Vec::new();
        if !self.review.is_empty() {
            let message = p
                .review_warning
                .replace("{n}", &self.review.len().to_string())
                .replace("{terms}", &quote(&self.review));
            out.push(warning("translation_review", message));
        }
        if !self.missing.is_empty() {
            let message = p
                .missing_warning
                .replace("{n}", &self.missing.len().to_string())
                .replace("{terms}", &quote(&self.missing));
            out.push(warning("translation_missing", message));
        }
        let org = &model.organisation;
        let free_text = !org.opt_out_signals.is_empty()
            || !org.do_not_track.is_empty()
            || model.incentives.applies
            || model.categories.iter().any(|c| !c.retention.is_empty());
        if free_text {
            out.push(warning("manifest_text", p.manifest_warning.clone()));
        }
        out
    }
}

fn warning(code: &str, message: String) -> Warning {
    Warning {
        code: code.into(),
        message,
        documents: vec![doc::POLICY.into(), doc::NOTICE.into()],
        policy: true,
        notice: true,
        ..Warning::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_files_and_templates() {
        let es = Language::load("es", None).unwrap();
        assert_eq!(es.file_name("notice.md"), "notice.es.md");
        assert_eq!(
            es.file_name("notice-at-collection.html"),
            "notice-at-collection.es.html"
        );
        assert_eq!(es.template("ccpa-policy.md.j2"), "es/ccpa-policy.md.j2");
        let en = Language::load("en", None).unwrap();
        assert!(en.is_english() && en.file_name("notice.md") == "notice.md");
        for bad in ["fr", "../x", "ES", "e", "es/../../etc"] {
            let e = Language::load(bad, None).unwrap_err().to_string();
            assert!(e.contains("available: en, es"), "{bad}: {e}");
        }
        assert!(Language::load("fr", None)
            .unwrap_err()
            .to_string()
            .contains("no templates for this language"));
        assert_eq!(builtin_languages(), ["en", "es"]);
    }

    #[test]
    fn a_statutory_text_needs_a_spanish_publication() {
        let base = crate::rules::embedded_text("templates/es/terms.toml").unwrap();
        let bad = base.replacen(
            "en = \"Identifiers\"\nproposed = \"Identificadores\"",
            "en = \"Identifiers\"\ntext = \"Identificadores\"\nsource = \"oag-ccpa\"",
            1,
        );
        assert_ne!(bad, base);
        let e = Terms::parse("t", &bad).unwrap_err().to_string();
        assert!(e.contains("[categories.A] is a statutory term"), "{e}");
        // Cited to a Spanish publication, it is printed as it is.
        let good = bad.replacen("spanish = false", "spanish = true", 1);
        let terms = Terms::parse("t", &good).unwrap();
        let mut tr = Translator {
            terms: &terms,
            review: BTreeSet::new(),
            missing: BTreeSet::new(),
        };
        assert_eq!(
            tr.keyed("categories", "A", "Identifiers"),
            "Identificadores"
        );
        assert!(tr.review.is_empty());
        // A reworded English text is never printed with the old translation.
        assert_eq!(
            tr.keyed("categories", "A", "Identifiers (new)"),
            "⚠ revisión legal: sin traducción de «Identifiers (new)»"
        );
        assert_eq!(
            tr.keyed("categories", "D", "Commercial information"),
            "⚠ revisión legal: «Commercial information» (propuesta: Información comercial)"
        );
        assert_eq!(tr.review.len(), 1);
        assert_eq!(tr.missing.len(), 1);
    }

    #[test]
    fn the_spanish_templates_load_for_the_policy_and_the_notice_at_collection() {
        use super::super::documents::{find, translated, Renderer, DOCUMENTS};
        let es = Language::load("es", None).unwrap();
        let env = super::super::templates::environment(None);
        let names: Vec<&str> = DOCUMENTS
            .iter()
            .filter(|d| translated(d, &es, None))
            .map(|d| d.name)
            .collect();
        assert_eq!(names, ["ccpa-policy", "notice-at-collection"]);
        for d in DOCUMENTS.iter().filter(|d| translated(d, &es, None)) {
            for o in d.outputs {
                if let Renderer::Template(t) = o.renderer {
                    env.get_template(&es.template(t))
                        .unwrap_or_else(|e| panic!("{t}: {e}"));
                }
            }
        }
        assert!(!translated(find("gdpr-ropa").unwrap(), &es, None));
        assert!(translated(
            find("gdpr-ropa").unwrap(),
            &Language::english(),
            None
        ));
    }

    #[test]
    fn dates_in_spanish() {
        let es = Language::load("es", None).unwrap();
        let terms = es.terms.as_ref().unwrap();
        assert_eq!(terms.date("2026-11-01"), "1 de noviembre de 2026");
        assert_eq!(terms.date("soon"), "soon");
    }
}
