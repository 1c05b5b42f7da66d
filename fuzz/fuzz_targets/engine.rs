//! Arbitrary bytes through the built-in engine: free text, and one value under an
//! arbitrary field name (the first line of the input is the name, the rest the value).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use piimap::detect::{Engine, Finding};

static ENGINE: OnceLock<Engine> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let engine = ENGINE.get_or_init(|| Engine::with_rules(None).expect("built-in rules"));
    let mut scanner = engine.scanner();
    let mut found: Vec<Finding> = Vec::new();
    scanner.scan_text(data, &mut found);
    for f in &found {
        assert!(
            f.start <= f.end && f.end <= data.len(),
            "finding outside the haystack"
        );
        // Explanations and masks are built from the finding: they must not panic either.
        let _ = engine.explain(f);
    }

    let (name, value) = match memchr_newline(data) {
        Some(p) => (&data[..p], &data[p + 1..]),
        None => (&data[..data.len().min(16)], &data[data.len().min(16)..]),
    };
    let field = engine.field_context(&String::from_utf8_lossy(name));
    found.clear();
    scanner.scan_value(value, &field, &mut found);
    for f in &found {
        assert!(
            f.start <= f.end && f.end <= value.len(),
            "finding outside the value"
        );
    }
});

fn memchr_newline(data: &[u8]) -> Option<usize> {
    data.iter().position(|&b| b == b'\n')
}
