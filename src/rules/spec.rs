//! The serde shape of a detector file (`rules/detectors/*.toml`), field by field as
//! documented in `rules/README.md`. Plain data: compiling happens in [`crate::detect`].

use serde::{Deserialize, Serialize};

/// A detector file: a list of `[[detector]]` tables.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorFile {
    /// The detectors of the file.
    #[serde(default)]
    pub detector: Vec<DetectorSpec>,
}

/// How a detector decides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DetectorKind {
    /// Value patterns (with validators, context and name hints).
    #[default]
    Pattern,
    /// Column/field names only (plus an optional closed value list).
    Column,
}

/// Example texts (or column names, for column-kind detectors) that pin a detector's behaviour.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Inputs the detector must find.
    #[serde(rename = "match", default)]
    pub matches: Vec<String>,
    /// Inputs the detector must not find.
    #[serde(default)]
    pub no_match: Vec<String>,
}

/// One detector, as written in a rule file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorSpec {
    /// Unique id across the pack.
    pub id: String,
    /// The data type it finds (a key of the taxonomy).
    pub data_type: String,
    /// What it finds, for `rules list`.
    #[serde(default)]
    pub description: String,
    /// Pattern or column detector.
    #[serde(default)]
    pub kind: DetectorKind,
    /// Base confidence of a bare pattern match.
    #[serde(default = "default_confidence")]
    pub confidence: f32,
    /// Lower runs first when two detectors match at the same place.
    #[serde(default = "default_priority")]
    pub priority: i32,
    /// Free-text patterns.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Whole-value patterns, used only under a hinting column/field name.
    #[serde(default)]
    pub value_patterns: Vec<String>,
    /// Literals a pattern needs; documentation of the detector's cost (the compiled
    /// matcher derives its own prefilters, and `rules check` verifies these literals
    /// appear in every match example).
    #[serde(default)]
    pub prefilter: Vec<String>,
    /// Validator name.
    #[serde(default)]
    pub validator: Option<String>,
    /// A match needs a context word nearby or a name hint.
    #[serde(default)]
    pub requires_context: bool,
    /// Words that raise confidence near a match.
    #[serde(default)]
    pub context: Vec<String>,
    /// Words that drop a match nearby.
    #[serde(default)]
    pub negative_context: Vec<String>,
    /// Drop a match inside the user-info or host of a URL (`postgres://app@db:5432`:
    /// the user of a connection string, not an e-mail address); a match in the path or
    /// query (`?email=ann@example.com`) still counts.
    #[serde(default)]
    pub not_in_url_authority: bool,
    /// A column where fewer than this share of the values of this detector's shape pass
    /// its validator is not of its type (a decoy). Unset: the column rule's default
    /// (0.3), made for checksums, which random digits pass one time in ten. A structural
    /// validator that no real value fails (an IPv4 octet is at most 255) sets it high:
    /// a column whose dotted quads often exceed 255 holds version numbers, not addresses.
    /// It applies only under a column name that does not hint the type.
    #[serde(default)]
    pub column_min_pass_rate: Option<f32>,
    /// Bytes either side searched for context words.
    #[serde(default = "default_window")]
    pub window: usize,
    /// Column/field names that suggest this detector.
    #[serde(default)]
    pub column_hints: Vec<String>,
    /// Column/field names that rule it out.
    #[serde(default)]
    pub column_exclude: Vec<String>,
    /// Closed value list (column detectors).
    #[serde(default)]
    pub values: Vec<String>,
    /// Masking style; defaults to the data type's.
    #[serde(default)]
    pub mask: Option<String>,
    /// Examples that pin the behaviour.
    #[serde(default)]
    pub examples: Examples,
}

fn default_confidence() -> f32 {
    0.6
}

fn default_priority() -> i32 {
    50
}

fn default_window() -> usize {
    48
}
