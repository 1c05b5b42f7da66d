//! Target planning: what one scan reads, from the paths and database URLs given or
//! else from the manifest's sources. Every source kind is planned here, once.

use std::path::{Path, PathBuf};

use crate::error::ConfigError;
use crate::manifest::Manifest;
use crate::source::csv::Sampling;

/// Rows sampled per database table unless `--sample-rows` or `--full` says otherwise.
pub const DEFAULT_DB_SAMPLE_ROWS: usize = 10_000;

/// One thing to scan: a file tree or a database, possibly as a manifest source.
#[derive(Clone, Debug)]
pub struct Target {
    /// The manifest source it stands for (`None` for paths and URLs given directly).
    pub source: Option<String>,
    /// Where its data lives.
    pub kind: TargetKind,
    /// Only assets matching one of these globs.
    pub include: Vec<String>,
    /// Never assets matching these globs.
    pub exclude: Vec<String>,
    /// Rows sampled per table when sampling was asked for (`--sample-rows`, or the
    /// manifest source's `sample_rows`); `None`: files are read in full and databases
    /// sampled to [`DEFAULT_DB_SAMPLE_ROWS`].
    pub sample_rows: Option<usize>,
}

/// Where a target's data lives.
#[derive(Clone, Debug)]
pub enum TargetKind {
    /// Files and directories, walked.
    Paths(Vec<PathBuf>),
    /// A database URL (`postgres://…`, `sqlite:…`), secrets included: redact before
    /// printing.
    Db(String),
    /// An object-store URL (`s3://bucket/prefix`, `gs://…`, `az://…`, `file:///dir`),
    /// read by [`crate::source::object`].
    Objects(String),
}

impl Target {
    /// How this target's file tables (CSV, JSON lines, Parquet) are read: in full unless
    /// sampling was asked for, so a rare leak deep in a file is never skipped.
    pub fn file_sampling(&self, full: bool, seed: u64) -> Sampling {
        Sampling {
            rows: self.sample_rows.unwrap_or(DEFAULT_DB_SAMPLE_ROWS),
            full: full || self.sample_rows.is_none(),
            seed,
        }
    }

    /// How this target's database tables are read: sampled unless `--full`.
    pub fn db_sampling(&self, full: bool, seed: u64) -> Sampling {
        Sampling {
            rows: self.sample_rows.unwrap_or(DEFAULT_DB_SAMPLE_ROWS),
            full,
            seed,
        }
    }

    /// The roots as recorded in the inventory (database URLs redacted).
    pub fn roots(&self) -> Vec<String> {
        match &self.kind {
            TargetKind::Paths(p) => p.iter().map(|p| p.display().to_string()).collect(),
            TargetKind::Db(u) => vec![crate::scan::db::redact_url(u)],
            TargetKind::Objects(u) => vec![crate::source::object::redact_url(u)],
        }
    }
}

/// What was asked on the command line, as plain data.
#[derive(Clone, Debug, Default)]
pub struct PlanRequest {
    /// Paths given.
    pub paths: Vec<PathBuf>,
    /// Database URLs given.
    pub dbs: Vec<String>,
    /// `--include` globs, added to every target's own.
    pub include: Vec<String>,
    /// `--exclude` globs, added to every target's own.
    pub exclude: Vec<String>,
    /// `--sample-rows`, when given.
    pub sample_rows: Option<usize>,
}

/// The targets of one scan: the paths and databases given, or else the manifest's
/// sources (resolved against the manifest's directory, `env:VAR` URLs expanded).
pub fn plan(
    request: &PlanRequest,
    manifest: Option<(&Manifest, &Path)>,
) -> Result<Vec<Target>, ConfigError> {
    let direct = |kind| Target {
        source: None,
        kind,
        include: request.include.clone(),
        exclude: request.exclude.clone(),
        sample_rows: request.sample_rows,
    };
    let Some((m, dir)) = manifest.filter(|_| request.paths.is_empty() && request.dbs.is_empty())
    else {
        let mut targets = Vec::new();
        let (objects, paths): (Vec<&PathBuf>, Vec<&PathBuf>) = request
            .paths
            .iter()
            .partition(|p| is_object_url(p.as_path()));
        if !paths.is_empty() {
            targets.push(direct(TargetKind::Paths(
                paths.into_iter().cloned().collect(),
            )));
        }
        targets.extend(
            objects
                .into_iter()
                .map(|u| direct(TargetKind::Objects(u.to_string_lossy().into_owned()))),
        );
        targets.extend(
            request
                .dbs
                .iter()
                .map(|u| direct(TargetKind::Db(u.clone()))),
        );
        return Ok(targets);
    };
    let mut targets = Vec::new();
    for (name, src) in &m.sources {
        targets.push(Target {
            source: Some(name.clone()),
            kind: source_kind(name, src, dir)?,
            include: [src.include.clone(), request.include.clone()].concat(),
            exclude: [src.exclude.clone(), request.exclude.clone()].concat(),
            sample_rows: request.sample_rows.or(src.sample_rows),
        });
    }
    Ok(targets)
}

/// Where one manifest source's data lives.
fn source_kind(
    name: &str,
    src: &crate::manifest::Source,
    dir: &Path,
) -> Result<TargetKind, ConfigError> {
    let kind = src.kind.get_ref().as_str();
    let missing =
        |what: &str| ConfigError::Usage(format!("manifest source `{name}` ({kind}) has no {what}"));
    Ok(match kind {
        "files" => {
            let path = src.path.as_deref().ok_or_else(|| missing("path"))?;
            if crate::source::object::is_object_url(path) {
                TargetKind::Objects(path.to_string())
            } else {
                TargetKind::Paths(vec![dir.join(path)])
            }
        }
        "sqlite" => match (&src.url, &src.path) {
            (Some(url), _) => TargetKind::Db(resolve_env(url.get_ref())?),
            (None, Some(path)) => TargetKind::Db(format!("sqlite:{}", dir.join(path).display())),
            (None, None) => return Err(missing("path or url")),
        },
        _ => {
            let url = src.url.as_ref().ok_or_else(|| missing("url"))?;
            TargetKind::Db(resolve_env(url.get_ref())?)
        }
    })
}

/// Whether a scan path is an object-store URL (`s3://…`), planned as its own target.
fn is_object_url(path: &Path) -> bool {
    path.to_str()
        .is_some_and(crate::source::object::is_object_url)
}

/// Resolves `env:VAR` in a manifest URL.
fn resolve_env(value: &str) -> Result<String, ConfigError> {
    match value.strip_prefix("env:") {
        Some(var) => std::env::var(var).map_err(|_| {
            ConfigError::Usage(format!(
                "environment variable {var} (named in the manifest) is not set"
            ))
        }),
        None => Ok(value.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(paths: &[&str], dbs: &[&str]) -> PlanRequest {
        PlanRequest {
            paths: paths.iter().map(PathBuf::from).collect(),
            dbs: dbs.iter().map(|s| s.to_string()).collect(),
            include: vec!["*.csv".into()],
            ..PlanRequest::default()
        }
    }

    #[test]
    fn paths_and_urls_given_make_one_target_each_kind() {
        let t = plan(
            &request(&["a", "b"], &["sqlite:x.db", "postgres://h/db"]),
            None,
        )
        .unwrap();
        assert_eq!(t.len(), 3);
        assert!(matches!(&t[0].kind, TargetKind::Paths(p) if p.len() == 2));
        assert!(matches!(&t[2].kind, TargetKind::Db(u) if u == "postgres://h/db"));
        assert!(t
            .iter()
            .all(|t| t.include == ["*.csv"] && t.source.is_none()));
    }

    #[test]
    fn object_store_urls_among_paths_are_targets_of_their_own() {
        let t = plan(&request(&["a", "s3://b/p", "gs://c"], &[]), None).unwrap();
        assert_eq!(t.len(), 3);
        assert!(matches!(&t[0].kind, TargetKind::Paths(p) if p == &[PathBuf::from("a")]));
        assert!(matches!(&t[1].kind, TargetKind::Objects(u) if u == "s3://b/p"));
        assert!(matches!(&t[2].kind, TargetKind::Objects(u) if u == "gs://c"));
        assert_eq!(t[1].roots(), ["s3://b/p"]);
    }

    #[test]
    fn files_are_read_in_full_unless_sampling_was_asked_for() {
        let mut t = plan(&request(&["a"], &[]), None).unwrap().remove(0);
        assert!(t.file_sampling(false, 0).full);
        assert!(!t.db_sampling(false, 0).full);
        t.sample_rows = Some(50);
        assert!(!t.file_sampling(false, 0).full);
        assert_eq!(t.file_sampling(false, 0).rows, 50);
        assert!(t.db_sampling(true, 0).full);
    }

    #[test]
    fn an_unset_environment_variable_is_a_usage_error_naming_it() {
        let e = resolve_env("env:PIIMAP_TEST_SURELY_UNSET").unwrap_err();
        assert!(e.to_string().contains("PIIMAP_TEST_SURELY_UNSET"), "{e}");
        assert_eq!(resolve_env("sqlite:x").unwrap(), "sqlite:x");
    }
}
