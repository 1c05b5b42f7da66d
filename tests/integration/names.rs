//! Person-name accuracy (issue 13): every name form in free text and in columns, with
//! decoys (streets, cities, companies, products, film and track titles, sentence
//! starts, lower-case and ALL-CAPS text with no context).
//!
//! Which data is which:
//!
//! * **Held out** from the detector's lists (`rules/names/`: US Census, `nam_dict.txt`):
//!   the customer and employee names of the Chinook sample database
//!   (`../shared/datasets/chinook/csv/{customer,employee}.csv`, read in place), written
//!   by its authors for an international music shop (`Luís Gonçalves`, `Leonie Köhler`,
//!   `František Wichterlová`, `Stanisław Wójcik`, `Manoj Pareek`, …). They are used in
//!   every form the detector supports (`First Last`, `Last, First`, `F. Last`,
//!   `First L.`, titles, ALL CAPS, lower case). The recall floors are set on these.
//! * **Not held out**: the Pagila (Sakila) actor and customer names
//!   (`../shared/datasets/pagila/csv/{actor,customer}.csv`): Sakila took them from the
//!   same US Census top-name lists the detector uses, so they only check the ALL-CAPS
//!   column path, not the coverage of the lists.
//! * **Written here**, as a few fixed cases per form: accented and non-English names
//!   the brief names (`Élisabeth Müller`, `Łukasz Kowalski`, `Zhang Wei`, …), so every
//!   form has a case even without the datasets, and the decoy sentences.
//! * **Decoys** from the datasets: Pagila film titles, cities and street addresses,
//!   Chinook album and track titles, and Chinook artists (a mix of bands and people,
//!   which is *not* a person-name column: see `src/detect/column.rs`, rule 5).

use piimap::classify::column::classify;
use piimap::detect::{Engine, Finding};

use crate::util::dataset;

/// Reads one column of a CSV in the shared datasets (None when the datasets are absent,
/// which CI does not allow).
fn csv_column(rel: &str, column: &str) -> Option<Vec<String>> {
    let Some(path) = dataset(rel) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ../shared/datasets/{rel}"
        );
        eprintln!("skipping: ../shared/datasets/{rel} is not present");
        return None;
    };
    let mut r = csv::Reader::from_path(path).expect("csv");
    let idx = r
        .headers()
        .expect("header")
        .iter()
        .position(|h| h == column)
        .expect("column");
    Some(
        r.records()
            .map(|rec| rec.expect("record")[idx].to_string())
            .filter(|v| !v.is_empty())
            .collect(),
    )
}

/// `(first, last)` pairs of the held-out Chinook people.
fn chinook_people() -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for rel in ["chinook/csv/customer.csv", "chinook/csv/employee.csv"] {
        let first = csv_column(rel, "first_name")?;
        let last = csv_column(rel, "last_name")?;
        out.extend(first.into_iter().zip(last));
    }
    Some(out)
}

/// Data types found in one line of free text.
fn text_has_name(engine: &Engine, line: &str) -> bool {
    let mut scanner = engine.scanner();
    let mut found: Vec<Finding> = Vec::new();
    scanner.scan_text(line.as_bytes(), &mut found);
    found
        .iter()
        .any(|f| engine.data_type(f.detector) == "person_name")
}

fn column_is_names(engine: &Engine, name: &str, values: &[String]) -> bool {
    let report = classify(engine, name, values.iter().map(|v| v.as_bytes()));
    report.verdicts.iter().any(|v| v.data_type == "person_name")
}

/// Fixed cases per form, written here.
const TEXT_NAMES: &[&str] = &[
    "Call Patricia Alvarez tomorrow",
    "love, grandma Élisabeth Müller",
    "Dr. Patricia Alvarez will see you at ten",
    "Mrs Smith asked for a refund",
    "Herr Müller hat angerufen",
    "Sra. García llamó ayer",
    "escalated to P. Alvarez",
    "reviewed by Patricia A. yesterday",
    "Łukasz Kowalski joined the team",
    "Øyvind Hansen sent the files",
    "met Şükrü Yılmaz at the fair",
    "José Rodríguez paid in cash",
    "João Silva called twice",
    "Priya Raghunathan approved it",
    "ticket assigned to Zhang Wei",
    "Kim Min-jun will review",
    "customer: patricia alvarez",
    "PATIENT: PATRICIA ALVAREZ",
    "dear alvarez, patricia",
];

/// Decoys: no person names in these.
const TEXT_DECOYS: &[&str] = &[
    "Yesterday the Server crashed again",
    "Meet us at 742 Evergreen Terrace",
    "Shipped from San Francisco International Airport",
    "Morgan Stanley Inc. reported earnings",
    "Johnson Controls Group raised prices",
    "The Apache Software Foundation released it",
    "New York City Marathon route",
    "Grace Street Market opens at nine",
    "Windows Update failed with code 0x80070005",
    "Deleted Scenes and Behind the Scenes are extras",
    "Please Note the new opening hours",
    "PATRICIA ALVAREZ",
    "patricia alvarez",
    "call center closed on Sunday",
    "Error Handling in Practice",
    "Lake Placid is in New York",
];

#[test]
fn name_forms_in_free_text() {
    let engine = Engine::with_rules(None).unwrap();
    let missed: Vec<&str> = TEXT_NAMES
        .iter()
        .copied()
        .filter(|l| !text_has_name(&engine, l))
        .collect();
    let false_positives: Vec<&str> = TEXT_DECOYS
        .iter()
        .copied()
        .filter(|l| text_has_name(&engine, l))
        .collect();
    println!("written cases: missed {missed:?}, false positives {false_positives:?}");
    assert!(missed.is_empty(), "missed names: {missed:?}");
    assert!(
        false_positives.is_empty(),
        "names found in decoys: {false_positives:?}"
    );
}

/// Held-out Chinook people in prose templates, each form; decoys from the datasets.
#[test]
fn held_out_names_in_free_text() {
    let Some(people) = chinook_people() else {
        return;
    };
    let engine = Engine::with_rules(None).unwrap();
    type Form = fn(&str, &str) -> String;
    let forms: [(&str, Form); 6] = [
        ("First Last", |f, l| {
            format!("Call {f} {l} tomorrow about the invoice")
        }),
        ("title", |f, l| format!("Meeting with Dr. {f} {l} at ten")),
        ("initial", |f, l| {
            format!("approved by {}. {l} today", f.chars().next().unwrap())
        }),
        ("lower, context", |f, l| {
            format!("customer: {} {}", f.to_lowercase(), l.to_lowercase())
        }),
        ("CAPS, context", |f, l| {
            format!("PATIENT: {} {}", f.to_uppercase(), l.to_uppercase())
        }),
        ("Last, First, context", |f, l| format!("signed: {l}, {f}")),
    ];
    let mut failures = Vec::new();
    for (form, make) in forms {
        let hits = people
            .iter()
            .filter(|(f, l)| text_has_name(&engine, &make(f, l)))
            .count();
        let recall = hits as f64 / people.len() as f64;
        println!("{form:<22} recall {recall:.3} ({hits}/{})", people.len());
        // The surname list is the US Census's (>= 100 US bearers): rare European
        // surnames (Wichterlová, Gruber's cousins) are its known gap.
        if recall < 0.8 {
            failures.push(format!("{form}: recall {recall:.3} below 0.8"));
        }
    }
    // Decoys: titles and places, capitalised as they are, in a sentence.
    let mut decoys = Vec::new();
    for (rel, col) in [
        ("pagila/csv/city.csv", "city"),
        ("pagila/csv/address.csv", "address"),
        ("chinook/csv/album.csv", "title"),
        ("chinook/csv/track.csv", "name"),
    ] {
        decoys.extend(csv_column(rel, col).unwrap_or_default());
    }
    let titles: Vec<String> = csv_column("pagila/csv/film.csv", "title")
        .unwrap_or_default()
        .iter()
        .map(|t| title_case(t))
        .collect();
    decoys.extend(titles);
    let hits: Vec<&String> = decoys
        .iter()
        .filter(|d| text_has_name(&engine, &format!("We talked about {d} yesterday")))
        .collect();
    let fp = hits.len();
    println!("decoys read as names (first 40): {:?}", &hits[..fp.min(40)]);
    let rate = fp as f64 / decoys.len().max(1) as f64;
    println!("decoys: {fp} of {} read as names ({rate:.3})", decoys.len());
    if rate > 0.03 {
        failures.push(format!("decoy false-positive rate {rate:.3} above 0.03"));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_string() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whole columns of names under neutral headers (no name hint), and decoy columns.
#[test]
fn name_columns_under_neutral_headers() {
    let engine = Engine::with_rules(None).unwrap();
    let written: Vec<String> = [
        "Élisabeth Müller",
        "ŁUKASZ KOWALSKI",
        "alvarez, patricia",
        "Dr. Patricia Alvarez",
        "P. Alvarez",
        "Zhang Wei",
        "José Rodríguez",
        "Øyvind Hansen",
        "Priya Raghunathan",
        "Mary A. Smith",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert!(column_is_names(&engine, "attending", &written));

    let mut failures = Vec::new();
    if let Some(people) = chinook_people() {
        type Form = fn(&(String, String)) -> String;
        let forms: [(&str, &str, Form); 5] = [
            ("agent", "First Last", |(f, l)| format!("{f} {l}")),
            ("owner", "Last, First", |(f, l)| format!("{l}, {f}")),
            ("assigned_to", "CAPS", |(f, l)| {
                format!("{} {}", f.to_uppercase(), l.to_uppercase())
            }),
            ("contact", "lower", |(f, l)| {
                format!("{} {}", f.to_lowercase(), l.to_lowercase())
            }),
            ("attending", "initial", |(f, l)| {
                format!("{}. {l}", f.chars().next().unwrap())
            }),
        ];
        for (header, form, make) in forms {
            let values: Vec<String> = people.iter().map(make).collect();
            let ok = column_is_names(&engine, header, &values);
            println!("{header:<12} {form:<12} person_name: {ok}");
            if !ok {
                failures.push(format!("{header} ({form}) not classified as person_name"));
            }
        }
    }
    // ALL CAPS from Pagila (Census-derived names, not held out): the customers must be
    // a column of names; the actors (celebrity surnames such as GUINESS, ZELLWEGER,
    // many rarer than the surname list's 100 US bearers) are only reported.
    for (rel, header, must) in [
        ("pagila/csv/customer.csv", "patron", true),
        ("pagila/csv/actor.csv", "cast_member", false),
    ] {
        let (Some(first), Some(last)) =
            (csv_column(rel, "first_name"), csv_column(rel, "last_name"))
        else {
            continue;
        };
        let values: Vec<String> = first
            .iter()
            .zip(&last)
            .map(|(f, l)| format!("{f} {l}"))
            .collect();
        let ok = column_is_names(&engine, header, &values);
        println!("{rel} as {header}: person_name {ok}");
        if must && !ok {
            failures.push(format!("{rel} (ALL CAPS) not person_name"));
        }
    }
    // Decoy columns under neutral headers: must not be person_name.
    for (rel, col) in [
        ("pagila/csv/film.csv", "title"),
        ("pagila/csv/city.csv", "city"),
        ("pagila/csv/address.csv", "address"),
        ("chinook/csv/album.csv", "title"),
        ("chinook/csv/track.csv", "name"),
        ("chinook/csv/artist.csv", "name"),
        ("chinook/csv/track.csv", "composer"),
    ] {
        let Some(values) = csv_column(rel, col) else {
            continue;
        };
        let names = column_is_names(&engine, "value", &values);
        println!("decoy {rel}:{col:<10} person_name: {names}");
        if names && col != "composer" {
            failures.push(format!("{rel}:{col} classified as person_name"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
