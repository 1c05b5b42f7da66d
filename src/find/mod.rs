//! `piimap find`: one person's data in every source, for a data subject request (CCPA
//! right to know, delete and correct; GDPR Art. 15–17).
//!
//! The person's identifiers ([`ident`]) are normalised; the inventory says which assets
//! and fields can hold them ([`plan`]); databases are looked up with parameterised,
//! read-only queries and followed one foreign-key hop ([`db`]); files and logs are read
//! in one Aho-Corasick pass ([`files`], [`matcher`]). What was found ([`Found`]) becomes
//! a masked report ([`report`]), a draft response letter ([`letter`]), on request an
//! export of the raw records ([`export`], the one place piimap writes raw values) and a
//! deletion plan it never runs ([`delete`]); each lookup is logged without the
//! identifiers ([`log`]).
//!
//! Row keys and matched lines stay in memory; nothing here prints.

pub mod db;
pub mod delete;
pub mod export;
pub mod files;
pub mod ident;
pub mod letter;
pub mod log;
pub mod matcher;
pub mod plan;
mod query;
pub mod report;
pub mod time;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use rayon::prelude::*;

pub use db::DbOptions;
pub use ident::{IdentKind, Identifier, MatchKind};
pub use plan::Plan;
pub use report::{Appearance, FindError, NotSearched, Report, RequestKind, Searched};

use crate::source::db::{ForeignKey, Limits, NameFilter};
use crate::source::walk::{walk, WalkOptions};

/// Where to look: a file tree or a database, possibly as a manifest source.
#[derive(Clone, Debug)]
pub struct Target {
    /// The manifest source it stands for.
    pub source: Option<String>,
    /// Only assets matching one of these globs (files: paths; databases: tables).
    pub include: Vec<String>,
    /// Never assets matching these.
    pub exclude: Vec<String>,
    /// Where.
    pub kind: TargetKind,
}

/// Where a target's data lives.
#[derive(Clone, Debug)]
pub enum TargetKind {
    /// Files and directories, walked.
    Paths(Vec<PathBuf>),
    /// A database URL (secrets included: never printed).
    Db(String),
}

/// One lookup.
pub struct Request {
    /// The person's identifiers.
    pub identifiers: Vec<Identifier>,
    /// Where to look.
    pub targets: Vec<Target>,
    /// Which assets and fields, from the inventory.
    pub plan: Plan,
    /// How databases are searched.
    pub db: DbOptions,
    /// Statement and connect timeouts.
    pub limits: Limits,
    /// How file trees are walked.
    pub walk: WalkOptions,
    /// Longest line parsed.
    pub line_cap: usize,
}

/// The rows of one table that hold the person (direct and linked), by key.
#[derive(Clone, Debug)]
pub struct TableRows {
    /// Asset id.
    pub asset: String,
    /// Manifest source.
    pub source: Option<String>,
    /// Database kind (unused for now; the SQL is generic).
    pub format: String,
    /// Qualified name.
    pub table: String,
    /// The table as SQL.
    pub sql_name: String,
    /// The columns rows are keyed by (primary key, else row address; empty: neither).
    pub key_columns: Vec<String>,
    /// The key is the primary key.
    pub key_is_primary: bool,
    /// The rows' keys.
    pub rows: BTreeSet<Vec<String>>,
    /// The table's foreign keys (for the deletion order).
    pub foreign_keys: Vec<ForeignKey>,
}

/// The lines of one file that hold the person.
#[derive(Clone, Debug)]
pub struct FileLines {
    /// Asset id.
    pub asset: String,
    /// Manifest source.
    pub source: Option<String>,
    /// The file.
    pub path: PathBuf,
    /// `lines` or `rows`.
    pub unit: &'static str,
    /// How many.
    pub count: u64,
    /// Their numbers (capped).
    pub lines: Vec<u64>,
}

/// Raw records for an export.
#[derive(Clone, Debug)]
pub enum ExportPart {
    /// Rows of a table.
    Table {
        /// Asset id.
        asset: String,
        /// Column names.
        columns: Vec<String>,
        /// Values.
        rows: Vec<Vec<Option<String>>>,
    },
    /// Lines of a file.
    File {
        /// Asset id.
        asset: String,
        /// Line numbers and text.
        lines: Vec<(u64, String)>,
    },
}

/// Everything a lookup found.
#[derive(Debug, Default)]
pub struct Found {
    /// Where the person appears.
    pub appearances: Vec<Appearance>,
    /// Assets searched.
    pub searched: Vec<Searched>,
    /// Assets not searched.
    pub not_searched: Vec<NotSearched>,
    /// Searches that failed.
    pub errors: Vec<FindError>,
    /// Table rows by key.
    pub tables: Vec<TableRows>,
    /// File lines.
    pub files: Vec<FileLines>,
    /// The inventory's data types of each asset holding the person.
    pub asset_types: BTreeMap<String, BTreeSet<String>>,
    /// Raw records (only with an export).
    pub export: Vec<ExportPart>,
    /// The sources searched (manifest names, redacted URLs, paths).
    pub sources: Vec<String>,
}

/// Runs a lookup over every target. Failures are recorded per asset; nothing stops it.
pub fn search(req: &Request) -> Found {
    let mut found = Found::default();
    for t in &req.targets {
        match &t.kind {
            TargetKind::Paths(roots) => search_paths(req, t, roots, &mut found),
            TargetKind::Db(url) => match crate::source::db::open(url, req.limits) {
                Ok(db) => {
                    let filter = NameFilter::new(&t.include, &t.exclude);
                    let at = db::Scope {
                        source: t.source.as_deref(),
                        filter: &filter,
                    };
                    db::search_database(
                        db.as_ref(),
                        at,
                        &req.plan,
                        &req.identifiers,
                        req.db,
                        &mut found,
                    )
                }
                Err((_, e)) => found.errors.push(FindError {
                    asset: crate::source::db::url::redact(url),
                    kind: e.kind.into(),
                    message: e.message,
                }),
            },
        }
    }
    found
}

fn search_paths(req: &Request, target: &Target, roots: &[PathBuf], found: &mut Found) {
    let source = target.source.as_deref();
    let all = NameFilter::default();
    let scope = db::Scope {
        source,
        filter: &all,
    };
    let mut walk_opts = req.walk.clone();
    walk_opts.include = target.include.clone();
    walk_opts.exclude = target.exclude.clone();
    found.sources.push(source.map_or_else(
        || {
            roots
                .iter()
                .map(|r| r.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        },
        str::to_string,
    ));
    let walked = match walk(roots, &walk_opts) {
        Ok(w) => w,
        Err(e) => {
            found.errors.push(FindError {
                asset: "paths".into(),
                kind: "walk".into(),
                message: e,
            });
            return;
        }
    };
    for (path, e) in walked.errors {
        found.errors.push(FindError {
            asset: format!("file:{}", path.display()),
            kind: "walk".into(),
            message: e,
        });
    }
    for s in walked.skipped {
        found.not_searched.push(NotSearched {
            asset: format!("file:{}", s.path.display()),
            reason: s.reason,
        });
    }
    let ids = &req.identifiers;
    let results: Vec<(String, PathBuf, Result<files::FileResult, &'static str>)> = walked
        .files
        .par_iter()
        .map(|entry| {
            let asset = format!("file:{}", entry.path.display());
            let started = std::time::Instant::now();
            let r = req.plan.asset(&asset).map(|p| {
                let mut r = files::search_file(&entry.path, &p, ids, req.line_cap, req.db.export);
                if r.method.is_empty() && !r.sqlite {
                    r.method = "nothing to look for".into();
                }
                r.duration_ms = started.elapsed().as_millis() as u64;
                r
            });
            (asset, entry.path.clone(), r)
        })
        .collect();
    for (asset, path, r) in results {
        let r = match r {
            Ok(r) => r,
            Err(reason) => {
                // A SQLite file is listed table by table in the inventory.
                if crate::source::format::detect(
                    &path,
                    &crate::source::open::raw_head(&path, 16).unwrap_or_default(),
                ) == crate::source::format::Format::Sqlite
                {
                    let db = crate::source::db::sqlite::Sqlite::new(&path);
                    db::search_database(&db, scope, &req.plan, ids, req.db, found);
                } else {
                    found.not_searched.push(NotSearched {
                        asset,
                        reason: reason.into(),
                    });
                }
                continue;
            }
        };
        if r.sqlite {
            let db = crate::source::db::sqlite::Sqlite::new(&path);
            db::search_database(&db, scope, &req.plan, ids, req.db, found);
            continue;
        }
        record_file(found, source, asset, path, r, ids, &req.plan);
    }
}

fn record_file(
    found: &mut Found,
    source: Option<&str>,
    asset: String,
    path: PathBuf,
    r: files::FileResult,
    ids: &[Identifier],
    plan: &Plan,
) {
    if let Some(reason) = r.skipped {
        found.not_searched.push(NotSearched { asset, reason });
        return;
    }
    if let Some((kind, message)) = r.error.clone() {
        found.errors.push(FindError {
            asset: asset.clone(),
            kind: kind.into(),
            message,
        });
    }
    let wanted: BTreeSet<IdentKind> = plan
        .asset(&asset)
        .map(|p| {
            p.identifiers(ids.len())
                .into_iter()
                .map(|i| ids[i].kind)
                .collect()
        })
        .unwrap_or_default();
    found.searched.push(Searched {
        asset: asset.clone(),
        identifiers: wanted.into_iter().collect(),
        method: r.method.clone(),
        duration_ms: r.duration_ms,
    });
    let unit = r.unit;
    let t = files::tally(r.records);
    for ((i, field, kind), (count, first, last)) in t.by {
        found.appearances.push(Appearance {
            asset: asset.clone(),
            asset_kind: "file",
            source: source.map(str::to_string),
            field,
            identifier: ids[i].kind,
            match_kind: kind,
            via: None,
            count,
            unit,
            first_seen: first,
            last_seen: last,
        });
    }
    if t.lines == 0 {
        return;
    }
    if let Ok(p) = plan.asset(&asset) {
        found.asset_types.insert(asset.clone(), p.all_types());
    }
    if !t.export.is_empty() {
        found.export.push(ExportPart::File {
            asset: asset.clone(),
            lines: t.export,
        });
    }
    found.files.push(FileLines {
        asset,
        source: source.map(str::to_string),
        path,
        unit,
        count: t.lines,
        lines: t.kept,
    });
}
