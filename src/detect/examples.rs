//! Rule compliance: every detector's own `examples` must behave, so no rule can silently
//! break (ruff's "a rule carries its fixture", vector's compliance harness).
//!
//! How an example is read depends on the detector:
//! * a detector with free-text `patterns`: the example is text, scanned as free text;
//! * a detector with only `value_patterns`: the example is `column=value`, scanned as
//!   one value of that column;
//! * a column-kind detector: the example is a column name.

use super::{DetectorIdx, Engine, Gate, HintStatus};

/// One example that did not behave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The rule id.
    pub rule: String,
    /// The file the rule came from.
    pub file: String,
    /// The example as written.
    pub example: String,
    /// True when it should have matched.
    pub expected_match: bool,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.expected_match {
            "examples.match not found"
        } else {
            "examples.no_match found"
        };
        // Examples are the rule author's own test strings, not scanned data, so they may be shown.
        write!(
            f,
            "{}: rule `{}`: {what}: {:?}",
            self.file, self.rule, self.example
        )
    }
}

/// Whether detector `det` finds something in `example`, read as described above.
pub fn example_matches(engine: &Engine, det: DetectorIdx, example: &str) -> bool {
    let d = engine.detector(det);
    if d.gate == Gate::NameOnly {
        return engine.field_context(example).status(det) == HintStatus::Hinted;
    }
    let mut found = Vec::new();
    let mut scanner = engine.scanner();
    if d.spec.patterns.is_empty() {
        let (column, value) = example.split_once('=').unwrap_or(("", example));
        scanner.scan_value(value.as_bytes(), &engine.field_context(column), &mut found);
    } else {
        scanner.scan_text(example.as_bytes(), &mut found);
    }
    found.iter().any(|f| f.detector == det)
}

/// Runs the examples of every detector accepted by `filter`.
pub fn check_examples(
    engine: &Engine,
    filter: impl Fn(&super::CompiledDetector) -> bool,
) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    for (i, d) in engine.detectors().iter().enumerate() {
        if !filter(d) {
            continue;
        }
        let det = i as DetectorIdx;
        let cases = d
            .spec
            .examples
            .matches
            .iter()
            .map(|e| (e, true))
            .chain(d.spec.examples.no_match.iter().map(|e| (e, false)));
        for (example, expected) in cases {
            if example_matches(engine, det, example) != expected {
                failures.push(ExampleFailure {
                    rule: d.spec.id.clone(),
                    file: d.file.clone(),
                    example: example.clone(),
                    expected_match: expected,
                });
            }
        }
    }
    failures
}
