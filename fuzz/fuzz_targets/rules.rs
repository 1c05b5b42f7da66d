//! Arbitrary text as a detector TOML file: parsing and compiling must report errors,
//! never panic. A pack that compiles is also run over a few fixed lines.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use piimap::detect::{Engine, Finding};
use piimap::names::NameDictionary;
use piimap::taxonomy::Taxonomy;

static TAXONOMY: OnceLock<Taxonomy> = OnceLock::new();

const SAMPLE: &[u8] = b"Contact jane.doe@example.com or (212) 867-5309; SSN: 536-22-1234\n\
card 4111 1111 1111 1111 from 203.0.113.7 IBAN DE89370400440532013000 version 10.2.3.4\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(loaded) = piimap::rules::parse_detector_file("fuzz.toml", text) else {
        return;
    };
    let taxonomy = TAXONOMY
        .get_or_init(|| Taxonomy::builtin().expect("built-in taxonomy"))
        .clone();
    let names = NameDictionary::from_lists("jane\nmary\n", "doe\nsmith\n");
    let Ok(engine) = Engine::build(loaded, taxonomy, names) else {
        return;
    };
    let mut scanner = engine.scanner();
    let mut found: Vec<Finding> = Vec::new();
    scanner.scan_text(SAMPLE, &mut found);
    let field = engine.field_context("email");
    scanner.scan_value(b"jane.doe@example.com", &field, &mut found);
    for f in &found {
        let _ = engine.explain(f);
    }
});
