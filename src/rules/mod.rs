//! The rule pack: declarative detectors loaded from TOML.
//!
//! The built-in pack (`rules/` in the repository) is embedded in the binary by
//! `build.rs`; a user pack (`--rules DIR`) is read from disk and layered on top: a new
//! `id` adds a detector, an existing one replaces it. Every problem is reported as a
//! [`RuleError`] naming the file, the rule id and what is wrong — never a panic.

pub mod spec;

use std::fmt;
use std::path::Path;

pub use spec::{DetectorKind, DetectorSpec, Examples};

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// A problem with a rule file: which file, which rule, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    /// The file, as given (built-in files are named `builtin:rules/<path>`).
    pub file: String,
    /// The rule id, when the problem belongs to one rule.
    pub rule: Option<String>,
    /// What is wrong, including the regex compiler's or TOML parser's message.
    pub message: String,
}

impl RuleError {
    /// Builds an error for `file` (and optionally one rule).
    pub fn new(file: impl Into<String>, rule: Option<&str>, message: impl Into<String>) -> Self {
        RuleError {
            file: file.into(),
            rule: rule.map(str::to_string),
            message: message.into(),
        }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Some(rule) => write!(f, "{}: rule `{}`: {}", self.file, rule, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for RuleError {}

/// A list of rule errors, shown one per line.
#[derive(Debug)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        one_per_line(&self.0, f)
    }
}

/// Writes a list of errors one per line (shared by the error lists of rules and manifests).
pub(crate) fn one_per_line<T: fmt::Display>(
    items: &[T],
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    for (i, e) in items.iter().enumerate() {
        if i > 0 {
            writeln!(f)?;
        }
        write!(f, "{e}")?;
    }
    Ok(())
}

impl std::error::Error for RuleErrors {}

/// A detector spec together with the file it came from.
#[derive(Clone, Debug)]
pub struct LoadedDetector {
    /// Where the spec was read from.
    pub file: String,
    /// The parsed spec.
    pub spec: DetectorSpec,
}

/// The text of one embedded rule file.
pub fn embedded_text(rel: &str) -> Result<&'static str, RuleError> {
    let (_, bytes) = EMBEDDED_RULES
        .iter()
        .find(|(path, _)| *path == rel)
        .ok_or_else(|| {
            RuleError::new(
                format!("builtin:rules/{rel}"),
                None,
                "missing from the binary",
            )
        })?;
    std::str::from_utf8(bytes)
        .map_err(|e| RuleError::new(format!("builtin:rules/{rel}"), None, e.to_string()))
}

/// The embedded files under a folder of the pack, e.g. `detectors/`.
pub fn embedded_files(prefix: &str) -> impl Iterator<Item = (&'static str, &'static [u8])> + '_ {
    EMBEDDED_RULES
        .iter()
        .copied()
        .filter(move |(path, _)| path.starts_with(prefix))
}

/// Parses one detector file's text; `file` is used in error messages.
pub fn parse_detector_file(file: &str, text: &str) -> Result<Vec<LoadedDetector>, RuleError> {
    let parsed: spec::DetectorFile =
        toml::from_str(text).map_err(|e| RuleError::new(file, None, e.to_string().trim_end()))?;
    Ok(parsed
        .detector
        .into_iter()
        .map(|spec| LoadedDetector {
            file: file.to_string(),
            spec,
        })
        .collect())
}

/// The built-in detectors embedded in the binary.
pub fn builtin_detectors() -> Result<Vec<LoadedDetector>, RuleErrors> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (path, bytes) in embedded_files("detectors/") {
        if !path.ends_with(".toml") {
            continue;
        }
        let file = format!("builtin:rules/{path}");
        match std::str::from_utf8(bytes) {
            Ok(text) => match parse_detector_file(&file, text) {
                Ok(mut list) => out.append(&mut list),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(RuleError::new(file, None, format!("not UTF-8: {e}"))),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(RuleErrors(errors))
    }
}

/// The detector files of a user rule pack (`DIR/detectors/*.toml`, or `DIR/*.toml`),
/// sorted.
fn rule_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, RuleErrors> {
    let root = if dir.join("detectors").is_dir() {
        dir.join("detectors")
    } else {
        dir.to_path_buf()
    };
    let mut paths = Vec::new();
    let entries = std::fs::read_dir(&root).map_err(|e| {
        RuleErrors(vec![RuleError::new(
            root.display().to_string(),
            None,
            format!("cannot read directory: {e}"),
        )])
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let knowledge = root == dir && is_knowledge_file(&path);
        if path.extension().is_some_and(|ext| ext == "toml") && path.is_file() && !knowledge {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// The files of a user pack that extend the knowledge rather than add detectors: new
/// data types (`taxonomy.toml`) and vendors (`recipients.toml`), next to the detectors.
pub const KNOWLEDGE_FILES: &[&str] = &["taxonomy.toml", "recipients.toml"];

fn is_knowledge_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| KNOWLEDGE_FILES.contains(&n))
}

/// The text of a user pack's knowledge file `name` (one of [`KNOWLEDGE_FILES`]), if the
/// pack has one.
pub fn user_knowledge_file(dir: &Path, name: &str) -> Result<Option<String>, RuleError> {
    let path = dir.join(name);
    if !path.is_file() {
        return Ok(None);
    }
    std::fs::read_to_string(&path).map(Some).map_err(|e| {
        RuleError::new(
            path.display().to_string(),
            None,
            format!("cannot read: {e}"),
        )
    })
}

/// A SHA-256 (hex) over every embedded rule file and every file of the user pack,
/// names and contents: it changes whenever what detection runs on changes, so an
/// incremental run (`--state`) knows its carried results are stale.
pub fn pack_fingerprint(user_dir: Option<&Path>) -> Result<String, RuleErrors> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut add = |name: &[u8], bytes: &[u8]| {
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    for (path, bytes) in EMBEDDED_RULES {
        add(path.as_bytes(), bytes);
    }
    if let Some(dir) = user_dir {
        let knowledge = KNOWLEDGE_FILES
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| p.is_file());
        for path in rule_files(dir)?.into_iter().chain(knowledge) {
            let bytes = std::fs::read(&path).map_err(|e| {
                RuleErrors(vec![RuleError::new(
                    path.display().to_string(),
                    None,
                    format!("cannot read: {e}"),
                )])
            })?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            add(
                format!("user:{}", name.unwrap_or_default()).as_bytes(),
                &bytes,
            );
        }
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Reads a user rule pack: every `*.toml` under `dir` (or `dir/detectors`), sorted by path.
pub fn load_dir(dir: &Path) -> Result<Vec<LoadedDetector>, RuleErrors> {
    let paths = rule_files(dir)?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let file = path.display().to_string();
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => match parse_detector_file(&file, &text) {
                    Ok(mut list) => out.append(&mut list),
                    Err(e) => errors.push(e),
                },
                Err(e) => errors.push(RuleError::new(file, None, format!("not UTF-8: {e}"))),
            },
            Err(e) => errors.push(RuleError::new(file, None, format!("cannot read: {e}"))),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(RuleErrors(errors))
    }
}

/// Layers `overlay` on `base`: same id replaces, new id appends. Order stays stable.
pub fn layer(mut base: Vec<LoadedDetector>, overlay: Vec<LoadedDetector>) -> Vec<LoadedDetector> {
    for det in overlay {
        match base.iter_mut().find(|b| b.spec.id == det.spec.id) {
            Some(slot) => *slot = det,
            None => base.push(det),
        }
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_toml_names_the_file_and_position() {
        let err = parse_detector_file("x.toml", "[[detector]]\nid = \n").unwrap_err();
        assert_eq!(err.file, "x.toml");
        assert!(err.message.contains("line 2"), "{}", err.message);
    }

    #[test]
    fn unknown_key_is_rejected() {
        let text = "[[detector]]\nid = \"a\"\ndata_type = \"email\"\npaterns = [\"x\"]\n";
        let err = parse_detector_file("x.toml", text).unwrap_err();
        assert!(err.message.contains("paterns"), "{}", err.message);
    }

    #[test]
    fn layering_replaces_by_id_and_appends_new() {
        let a = parse_detector_file(
            "a",
            "[[detector]]\nid='x'\ndata_type='email'\ndescription='old'\n",
        )
        .unwrap();
        let b = parse_detector_file("b", "[[detector]]\nid='x'\ndata_type='email'\ndescription='new'\n[[detector]]\nid='y'\ndata_type='email'\n").unwrap();
        let merged = layer(a, b);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].spec.description, "new");
        assert_eq!(merged[0].file, "b");
    }

    #[test]
    fn builtin_pack_is_embedded() {
        assert!(embedded_files("detectors/").count() > 0);
        assert!(embedded_text("taxonomy.toml").is_ok());
    }
}
