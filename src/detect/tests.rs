//! Engine unit tests on a small inline rule set, so they pin the mechanics (stages,
//! gating, hints, dedupe) independently of the built-in pack's tuning.

use super::*;
use crate::classify::column;
use crate::rules::parse_detector_file;

const TAXONOMY: &str = r#"
[ccpa.A]
letter = "A"
name = "Identifiers"
[types.email]
label = "Email"
example = "emails"
ccpa = ["A"]
fideslang = "user.contact.email"
mask = "email"
[types.credit_card]
label = "Card"
example = "cards"
ccpa = ["B"]
fideslang = "user.financial.credit_card"
mask = "last4"
[types.ssn]
label = "SSN"
example = "ssns"
ccpa = ["A"]
fideslang = "user.government_id.national_identification_number"
mask = "last4"
[types.gender]
label = "Gender"
example = "gender"
ccpa = ["C"]
fideslang = "user.demographic.gender"
[types.religion]
label = "Religion"
example = "religion"
ccpa = ["C"]
fideslang = "user.demographic.religious_belief"
"#;

const RULES: &str = r#"
[[detector]]
id = "email"
data_type = "email"
confidence = 0.7
patterns = ['[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}']
prefilter = ["@"]
validator = "email"
context = ["email"]
column_hints = ["email"]

[[detector]]
id = "card"
data_type = "credit_card"
confidence = 0.5
patterns = ['\b(?:\d[ -]?){12,18}\d\b']
validator = "luhn_card"
context = ["card", "visa"]
column_hints = ["card_number"]

[[detector]]
id = "ssn"
data_type = "ssn"
confidence = 0.4
patterns = ['\b\d{3}-\d{2}-\d{4}\b']
validator = "ssn"
context = ["ssn", "social security"]
column_hints = ["ssn"]

[[detector]]
id = "ssn-bare"
data_type = "ssn"
confidence = 0.3
requires_context = true
patterns = ['\b\d{9}\b']
value_patterns = ['\d{9}']
validator = "ssn"
context = ["ssn", "tax_ssn_number"]
column_hints = ["ssn"]
column_exclude = ["order_id"]

[[detector]]
id = "gender"
data_type = "gender"
kind = "column"
confidence = 0.6
column_hints = ["gender", "sex"]
values = ["male", "female", "m", "f", "non-binary"]

[[detector]]
id = "religion"
data_type = "religion"
kind = "column"
confidence = 0.7
column_hints = ["religion"]
"#;

fn engine() -> Engine {
    let taxonomy = Taxonomy::from_toml(TAXONOMY).unwrap();
    let loaded = parse_detector_file("inline.toml", RULES).unwrap();
    Engine::build(
        loaded,
        taxonomy,
        NameDictionary::from_lists("John\n", "Smith\n"),
    )
    .unwrap()
}

fn scan(e: &Engine, text: &str) -> Vec<(String, String, f32)> {
    let mut out = Vec::new();
    e.scanner().scan_text(text.as_bytes(), &mut out);
    out.iter()
        .map(|f| {
            (
                e.detector(f.detector).spec.id.clone(),
                f.masked(text.as_bytes()).to_string(),
                f.confidence,
            )
        })
        .collect()
}

fn ids(e: &Engine, text: &str) -> Vec<String> {
    scan(e, text).into_iter().map(|(id, _, _)| id).collect()
}

#[test]
fn validator_drops_and_proves() {
    let e = engine();
    let found = scan(&e, "paid with 4111 1111 1111 1111 today");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "card");
    assert_eq!(found[0].1, "**** **** **** 1111");
    assert!(found[0].2 >= 0.85);
    assert!(ids(&e, "paid with 4111 1111 1111 1112 today").is_empty());
}

#[test]
fn context_lifts_weak_patterns_over_the_threshold() {
    let e = engine();
    assert!(
        ids(&e, "id 219-45-6788").is_empty(),
        "bare dashed ssn is below threshold"
    );
    assert_eq!(ids(&e, "ssn: 219-45-6788"), ["ssn"]);
    assert_eq!(ids(&e, "Social Security 219-45-6788"), ["ssn"]);
}

#[test]
fn gated_detectors_run_only_near_their_words() {
    let e = engine();
    assert!(ids(&e, "order 219456788 shipped").is_empty());
    assert_eq!(ids(&e, "customer ssn=219456788"), ["ssn-bare"]);
    // The context word must be on the same line.
    assert!(ids(&e, "ssn\n219456788").is_empty());
}

#[test]
fn context_phrases_match_in_every_spelling() {
    let e = engine();
    // Written "social security": also social_security, social-security, the camelCase
    // and the joined key, in the window of a free pattern.
    for text in [
        "social_security 219-45-6788",
        "social-security 219-45-6788",
        "socialSecurity: 219-45-6788",
        "SOCIALSECURITY=219-45-6788",
    ] {
        assert_eq!(ids(&e, text), ["ssn"], "{text}");
    }
    // Written "tax_ssn_number": its spellings trigger a gated detector.
    for text in [
        "taxSsnNumber=219456788",
        "tax ssn number 219456788",
        "TAX-SSN-NUMBER 219456788",
    ] {
        assert_eq!(ids(&e, text), ["ssn-bare"], "{text}");
    }
    // Still whole words: not glued into a longer word.
    assert!(ids(&e, "antisocialsecurity 219-45-6788").is_empty());
    assert!(ids(&e, "pretaxssnnumber=219456788").is_empty());
}

#[test]
fn every_literal_holds_a_byte_of_the_literal_set() {
    use super::compile::literal_bytes;
    let words: Vec<String> = ["://", "@", "身份证", "ssn", "+", "<<"]
        .iter()
        .map(|w| w.to_string())
        .collect();
    let set = literal_bytes(&words);
    for w in &words {
        assert!(w.bytes().any(|b| set[usize::from(b)]), "{w}");
    }
    // A date, an amount or a bare number holds none: the literal pass skips it.
    for value in ["2024-01-05", "12.50", "219456788", "555-0132"] {
        assert!(!value.bytes().any(|b| set[usize::from(b)]), "{value}");
    }
    // And the built-in engine still finds a literal-gated value beside such a cell.
    let e = engine();
    assert!(ids(&e, "2024-01-05").is_empty());
    assert_eq!(ids(&e, "ssn 219456788"), ["ssn-bare"]);
}

#[test]
fn phrase_spellings_keep_literals_with_edge_separators() {
    use super::compile::phrase_spellings;
    assert_eq!(
        phrase_spellings("social security"),
        [
            "social security",
            "social_security",
            "social-security",
            "socialsecurity"
        ]
    );
    assert_eq!(
        phrase_spellings("e-mail"),
        ["e-mail", "e mail", "e_mail", "email"]
    );
    assert_eq!(phrase_spellings("_live_"), ["_live_"]);
    assert_eq!(phrase_spellings("-----BEGIN "), ["-----BEGIN "]);
    assert_eq!(phrase_spellings("ssn"), ["ssn"]);
}

#[test]
fn prefilter_literal_gates_the_email_pattern() {
    let e = engine();
    assert_eq!(
        e.detectors()
            .iter()
            .find(|d| d.spec.id == "email")
            .unwrap()
            .gate,
        Gate::Prefilter
    );
    let found = scan(&e, "from jane.doe@example.org and bob@mail.example.com");
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].1, "j*******@e******.org");
}

#[test]
fn a_value_is_reported_once() {
    let e = engine();
    // Two trigger words near one value.
    assert_eq!(ids(&e, "ssn ssn 219456788 ssn"), ["ssn-bare"]);
}

#[test]
fn field_names_hint_and_exclude() {
    let e = engine();
    let mut out = Vec::new();
    let ssn_col = e.field_context("customer_ssn");
    e.scanner().scan_value(b"219456788", &ssn_col, &mut out);
    assert_eq!(out.len(), 1);
    assert!(out[0].evidence.name_hint);

    let mut out = Vec::new();
    let order_col = e.field_context("order_id");
    e.scanner()
        .scan_value(b"ssn 219456788", &order_col, &mut out);
    assert!(out
        .iter()
        .all(|f| e.detector(f.detector).spec.id != "ssn-bare"));
}

#[test]
fn explanation_names_every_stage() {
    let e = engine();
    let mut out = Vec::new();
    e.scanner()
        .scan_text(b"card: 4111 1111 1111 1111", &mut out);
    let text = e.explain(&out[0]);
    assert!(text.contains("pattern 0.50"), "{text}");
    assert!(text.contains("luhn_card"), "{text}");
    assert!(text.contains("context \"card\""), "{text}");
}

#[test]
fn bad_rules_name_file_rule_and_regex_error() {
    let taxonomy = Taxonomy::from_toml(TAXONOMY).unwrap();
    let bad = parse_detector_file(
        "bad.toml",
        "[[detector]]\nid='broken'\ndata_type='email'\npatterns=['(unclosed']\n",
    )
    .unwrap();
    let err = Engine::build(bad, taxonomy.clone(), NameDictionary::from_lists("", ""))
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(
        text.contains("bad.toml") && text.contains("`broken`") && text.contains("does not compile"),
        "{text}"
    );
    assert!(
        text.contains("unclosed group"),
        "regex compiler message kept: {text}"
    );

    let bad = parse_detector_file(
        "bad.toml",
        "[[detector]]\nid='x'\ndata_type='nope'\nvalidator='nah'\npatterns=['a']\n",
    )
    .unwrap();
    let text = Engine::build(bad, taxonomy, NameDictionary::from_lists("", ""))
        .err()
        .unwrap()
        .to_string();
    assert!(
        text.contains("unknown data_type `nope`") && text.contains("unknown validator `nah`"),
        "{text}"
    );
}

#[test]
fn column_verdicts_follow_the_rule() {
    let e = engine();
    let emails: Vec<String> = (0..50).map(|i| format!("user{i}@example.com")).collect();
    let report = column::classify(&e, "contact", emails.iter().map(|s| s.as_bytes()));
    assert_eq!(report.verdicts.len(), 1);
    let v = &report.verdicts[0];
    assert_eq!(v.data_type, "email");
    assert_eq!(v.matched_values, 50);
    assert_eq!(v.distinct, 50);
    assert!((v.ratio - 1.0).abs() < 1e-6);
    assert!(v.examples.len() <= 3);

    // Random 16-digit ids: ~10 % pass Luhn by chance, which must not make a card column.
    let ids: Vec<String> = (0..200u64)
        .map(|i| format!("{:016}", 4_000_000_000_000_000 + i * 7_919_113))
        .collect();
    let report = column::classify(&e, "order_ref", ids.iter().map(|s| s.as_bytes()));
    assert!(report.verdicts.is_empty(), "{:?}", report.verdicts);

    // A closed value list decides gender without a name hint; a name alone decides religion.
    let genders = ["male", "female", "F", "M", "female"];
    let report = column::classify(&e, "g", genders.iter().map(|s| s.as_bytes()));
    assert_eq!(report.verdicts[0].data_type, "gender");
    let report = column::classify(&e, "religion", std::iter::empty());
    assert_eq!(report.verdicts[0].data_type, "religion");
    assert_eq!(report.verdicts[0].evidence, ["name_only"]);

    // A notes column with one embedded email still reports it.
    let notes = [
        "call back tomorrow",
        "wrote to bob@example.com",
        "no answer",
        "left voicemail",
    ];
    let report = column::classify(&e, "notes", notes.iter().map(|s| s.as_bytes()));
    assert_eq!(report.verdicts.len(), 1);
    assert_eq!(report.verdicts[0].matched_values, 1);
}

#[test]
fn invalid_utf8_and_binary_do_not_stop_the_scan() {
    let e = engine();
    let mut hay = vec![0xff, 0xfe, 0x00, b' '];
    hay.extend_from_slice(b"card 4111111111111111 \xc3\x28");
    let mut out = Vec::new();
    e.scanner().scan_text(&hay, &mut out);
    assert_eq!(out.len(), 1);
}

#[test]
fn listed_values_are_found_whatever_their_case_and_padding() {
    let engine = Engine::with_rules(None).unwrap();
    for listed in [
        &b"female"[..],
        b"  Female ",
        b"MARRIED",
        b"Domestic Partnership",
    ] {
        assert!(!engine.listed_in(listed).is_empty(), "{listed:?} is listed");
    }
    // Wrong length, wrong first letter, empty: rejected by the quick checks or the map.
    for other in [
        &b"femalex"[..],
        b"xmale",
        b"2026-01-05",
        b"",
        b"   ",
        b"marriedd",
    ] {
        assert!(
            engine.listed_in(other).is_empty(),
            "{other:?} is not listed"
        );
    }
}

#[test]
fn a_rejected_start_can_be_claimed_by_another_free_detector() {
    // `card` comes first (same priority: ordered by id) and claims 16 digits; when Luhn
    // rejects them, the retry set says `number-16` also matches there, and only it runs.
    let rules = format!(
        "{RULES}\n{}",
        r#"
[[detector]]
id = "number-16"
data_type = "ssn"
confidence = 0.6
patterns = ['\b\d{16}\b']
"#
    );
    let e = Engine::build(
        parse_detector_file("inline.toml", &rules).unwrap(),
        Taxonomy::from_toml(TAXONOMY).unwrap(),
        NameDictionary::from_lists("John\n", "Smith\n"),
    )
    .unwrap();
    assert_eq!(ids(&e, "ref 4111111111111112 ok"), ["number-16"]);
    // A Luhn-valid number stays a card: the retry only runs after a rejection.
    assert_eq!(ids(&e, "ref 4111111111111111 ok"), ["card"]);
    // Nothing else matches 15 digits: the rejection stands, nothing is reported.
    assert!(ids(&e, "ref 411111111111112 ok").is_empty());
}

#[test]
fn a_prefilter_literal_inside_another_value_still_starts_its_own() {
    // The user agent is a free match spanning the whole quote; the contact address
    // inside it is an email all the same.
    let engine = Engine::with_rules(None).unwrap();
    let line =
        br#""GET / HTTP/1.1" 200 5 "-" "Mozilla/5.0 (compatible; Ezooms/1.0; help@moz.com)""#;
    let mut found = Vec::new();
    engine.scanner().scan_text(line, &mut found);
    let types: Vec<&str> = found.iter().map(|f| engine.data_type(f.detector)).collect();
    assert!(types.contains(&"user_agent"), "{types:?}");
    assert!(types.contains(&"email"), "{types:?}");
}

/// A value a checksum proves (a valid BSN) is that type only: a detector that checks
/// only the shape (an SSN's area, group and serial) near the same label does not report
/// it too; a value the checksum rejects is still the shape-checked type's.
#[test]
fn a_checksum_proved_value_is_not_also_a_shape_checked_type() {
    let taxonomy = format!(
        "{TAXONOMY}[types.national_id]\nlabel = \"National ID\"\nexample = \"ids\"\nccpa = [\"A\"]\nfideslang = \"user.government_id\"\nmask = \"last4\"\n"
    );
    let rules = r#"
[[detector]]
id = "bsn"
data_type = "national_id"
confidence = 0.4
priority = 10
requires_context = true
patterns = ['\b\d{9}\b']
validator = "nl_bsn"
context = ["national id"]

[[detector]]
id = "ssn-national"
data_type = "ssn"
confidence = 0.4
priority = 20
requires_context = true
patterns = ['\b\d{9}\b']
validator = "ssn"
context = ["national id"]
"#;
    let e = Engine::build(
        parse_detector_file("inline.toml", rules).unwrap(),
        Taxonomy::from_toml(&taxonomy).unwrap(),
        NameDictionary::from_lists("John\n", "Smith\n"),
    )
    .unwrap();
    assert_eq!(ids(&e, "national id 111222333"), ["bsn"]);
    assert_eq!(ids(&e, "national id 536221937"), ["ssn-national"]);
}
