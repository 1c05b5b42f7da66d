//! Databases: each planned column is looked up with one parameterised, read-only query
//! ([`Session::lookup`]), every returned value verified by the identifier's own
//! normalisation, and the matched rows followed through foreign keys (`--hops`, one by
//! default): the rentals and payments that reference a matched customer are this
//! person's data too. Rows are named by their primary key (or row address) and kept
//! in memory only, for the deletion plan and an export.
//!
//! A column with an index is looked up by equality on the forms the person's
//! identifier is written in (raw and normalised), which uses the index; without one
//! (or with `--exhaustive`) the server scans with a coarse normalised predicate under
//! the statement timeout. A failed query is an error of the asset, never "not found".

use std::collections::{BTreeMap, BTreeSet};

use super::ident::{IdentKind, Identifier, MatchKind};
use super::plan::{AssetPlan, Plan};
use super::query::{compare, names_column, predicate};
use super::report::{Appearance, FindError, NotSearched, Searched};
use super::{ExportPart, Found, TableRows};
use crate::source::db::{
    ColumnKind, Database, ForeignKey, NameFilter, Predicate, ReadError, RowFilter, RowQuery,
    Session, Table, TableFilter, TableKeys,
};

/// How databases are searched.
#[derive(Clone, Copy, Debug)]
pub struct DbOptions {
    /// Foreign-key hops followed from matched rows.
    pub hops: usize,
    /// Never use an index: scan every row with the normalised comparison.
    pub exhaustive: bool,
    /// Most rows one lookup returns (more is reported as an error).
    pub row_limit: u64,
    /// Fetch the matched rows' values for an export.
    pub export: bool,
}

/// Which part of a database is searched, as which manifest source.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// The manifest source.
    pub source: Option<&'a str>,
    /// `--include` / `--exclude` over tables.
    pub filter: &'a NameFilter,
}

/// A verified row of a lookup: key, referenced columns' values, field, how sure.
type Matched = (Vec<String>, BTreeMap<String, String>, String, MatchKind);

/// One matched row: how it was reached.
#[derive(Clone, Debug)]
struct Row {
    /// The identifier that matched it (or its parent).
    ident: IdentKind,
    /// Values of the columns other tables' foreign keys reference.
    refs: BTreeMap<String, String>,
}

/// What one table holds of the person.
#[derive(Default)]
struct Hits {
    /// Direct rows by key.
    rows: BTreeMap<Vec<String>, Row>,
    /// (field, identifier, kind) → rows.
    counts: BTreeMap<(String, IdentKind, MatchKind), BTreeSet<Vec<String>>>,
    /// Linked rows by key: (foreign key text, identifier).
    linked: BTreeMap<Vec<String>, (String, IdentKind)>,
    /// Name-only rows: (fields, rows).
    names: BTreeMap<String, BTreeSet<Vec<String>>>,
    methods: BTreeSet<String>,
    looked_for: BTreeSet<IdentKind>,
}

struct Ctx<'a> {
    session: Box<dyn Session>,
    address: String,
    source: Option<&'a str>,
    ids: &'a [Identifier],
    opts: DbOptions,
    tables: Vec<Table>,
    keys: Vec<TableKeys>,
    /// Per table: columns other tables' foreign keys reference.
    needed: Vec<BTreeSet<String>>,
    hits: Vec<Hits>,
    found: &'a mut Found,
}

/// Searches one database. Everything goes into `found`.
pub fn search_database(
    db: &dyn Database,
    scope: Scope<'_>,
    plan: &Plan,
    ids: &[Identifier],
    opts: DbOptions,
    found: &mut Found,
) {
    let source = scope.source;
    let address = db.address();
    found
        .sources
        .push(source.map_or_else(|| address.clone(), str::to_string));
    let fail = |found: &mut Found, e: ReadError| {
        found.errors.push(FindError {
            asset: address.clone(),
            kind: e.kind.into(),
            message: e.message,
        });
    };
    let mut session = match db.connect() {
        Ok(s) => s,
        Err(e) => return fail(found, e),
    };
    let tables = match session.discover(false) {
        Ok(t) => t,
        Err(e) => return fail(found, e),
    };
    let refs: Vec<&Table> = tables.iter().collect();
    let keys = match session.keys(&refs) {
        Ok(k) => k,
        Err(e) => {
            fail(
                found,
                ReadError {
                    message: format!(
                        "{}: rows cannot be named by key and foreign keys are not followed",
                        e.message
                    ),
                    ..e
                },
            );
            tables
                .iter()
                .map(|t| TableKeys {
                    table: t.qualified.clone(),
                    ..TableKeys::default()
                })
                .collect()
        }
    };
    let mut needed = vec![BTreeSet::new(); tables.len()];
    for k in &keys {
        for fk in &k.foreign_keys {
            if let Some(p) = tables.iter().position(|t| t.qualified == fk.references) {
                needed[p].extend(fk.referenced.iter().cloned());
            }
        }
    }
    let n = tables.len();
    let mut ctx = Ctx {
        session,
        address,
        source,
        ids,
        opts,
        tables,
        keys,
        needed,
        hits: (0..n).map(|_| Hits::default()).collect(),
        found,
    };
    for i in 0..n {
        let asset = ctx.asset(i);
        let t = &ctx.tables[i];
        let aliases: Vec<&str> = t.aliases.iter().map(String::as_str).collect();
        let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        if scope.filter.table(&aliases, &cols) == TableFilter::Excluded {
            ctx.found.not_searched.push(NotSearched {
                asset,
                reason: "excluded by --include/--exclude".into(),
            });
            continue;
        }
        match plan.asset(&asset) {
            Ok(p) if Plan::searches(&p, ids) => ctx.search_table(i, &p),
            Ok(_) => ctx.found.not_searched.push(NotSearched {
                asset,
                reason: "the inventory found no column that can hold these identifiers".into(),
            }),
            Err(reason) => ctx.found.not_searched.push(NotSearched {
                asset,
                reason: reason.into(),
            }),
        }
    }
    ctx.follow();
    ctx.finish(plan);
}

impl Ctx<'_> {
    fn asset(&self, i: usize) -> String {
        format!("{}/{}", self.address, self.tables[i].qualified)
    }

    fn error(&mut self, i: usize, e: ReadError) {
        let asset = self.asset(i);
        self.found.errors.push(FindError {
            asset,
            kind: e.kind.into(),
            message: e.message,
        });
    }

    /// The columns of table `i` to look up for each identifier.
    fn columns(&self, i: usize, p: &AssetPlan) -> Vec<(usize, usize)> {
        let t = &self.tables[i];
        let mut out = Vec::new();
        for (ci, c) in t.columns.iter().enumerate() {
            if matches!(c.kind, ColumnKind::Skip(_)) {
                continue;
            }
            let mut wanted = p.identifiers_for(Some(&c.name), self.ids.len());
            if c.kind == ColumnKind::Json {
                for (field, set) in &p.fields {
                    if field
                        .as_deref()
                        .is_some_and(|f| f.starts_with(&format!("{}.", c.name)))
                    {
                        wanted.extend(set.iter().copied());
                    }
                }
            }
            for (ii, id) in self.ids.iter().enumerate() {
                if id.kind == IdentKind::CustomerId {
                    if names_column(id, &t.qualified, &c.name) {
                        wanted.insert(ii);
                    } else {
                        wanted.remove(&ii);
                    }
                }
            }
            out.extend(wanted.into_iter().map(|ii| (ci, ii)));
        }
        out
    }

    fn search_table(&mut self, i: usize, p: &AssetPlan) {
        let started = std::time::Instant::now();
        let planned = self.columns(i, p);
        if planned.is_empty() {
            let asset = self.asset(i);
            self.found.not_searched.push(NotSearched {
                asset,
                reason: "no column that can hold these identifiers".into(),
            });
            return;
        }
        let mut names: Vec<usize> = Vec::new();
        for (ci, ii) in planned {
            self.hits[i].looked_for.insert(self.ids[ii].kind);
            if self.ids[ii].kind == IdentKind::Name {
                if !names.contains(&ci) {
                    names.push(ci);
                }
                continue;
            }
            if let Err(e) = self.lookup_column(i, ci, ii) {
                self.error(i, e);
            }
        }
        if !names.is_empty() {
            if let Err(e) = self.lookup_names(i, &names) {
                self.error(i, e);
            }
        }
        let h = &self.hits[i];
        self.found.searched.push(Searched {
            asset: self.asset(i),
            identifiers: h.looked_for.iter().copied().collect(),
            method: h.methods.iter().cloned().collect::<Vec<_>>().join("; "),
            duration_ms: started.elapsed().as_millis() as u64,
        });
    }

    /// The columns every lookup of table `i` returns first: the row key, then the
    /// columns foreign keys reference.
    fn head(&self, i: usize) -> (Vec<String>, Vec<String>) {
        (
            self.keys[i].row_key(),
            self.needed[i].iter().cloned().collect(),
        )
    }

    fn lookup_column(&mut self, i: usize, ci: usize, ii: usize) -> Result<(), ReadError> {
        let id = &self.ids[ii];
        let column = &self.tables[i].columns[ci];
        let (predicate, how) = predicate(id, column, &self.keys[i], self.opts.exhaustive);
        let (key, needed) = self.head(i);
        let mut select = key.clone();
        select.extend(needed.iter().cloned());
        select.push(column.name.clone());
        let query = RowQuery {
            table: &self.tables[i],
            select,
            filter: RowFilter::Match {
                columns: vec![column.name.clone()],
                predicate,
            },
            limit: self.opts.row_limit,
        };
        let mut matched: Vec<Matched> = Vec::new();
        let mut n = 0u64;
        let read = self.session.lookup(&query, &mut |v| {
            n += 1;
            let Some(value) = v.last().copied().flatten() else {
                return;
            };
            for (field, kind) in compare(id, column, value) {
                let k = row_key(&v[..key.len()], n);
                matched.push((k, named(&needed, &v[key.len()..]), field, kind));
            }
        })?;
        let h = &mut self.hits[i];
        h.methods
            .insert(format!("{}: {how}, {}", column.name, read.method));
        for (k, refs, field, kind) in matched {
            h.counts
                .entry((field, id.kind, kind))
                .or_default()
                .insert(k.clone());
            h.rows.entry(k).or_insert(Row {
                ident: id.kind,
                refs,
            });
        }
        if read.limited {
            return Err(limited(self.opts.row_limit));
        }
        Ok(())
    }

    /// Name-only matches: every row's name columns, folded and compared by piimap (no
    /// server folds accents the same way).
    fn lookup_names(&mut self, i: usize, cols: &[usize]) -> Result<(), ReadError> {
        let (key, _) = self.head(i);
        let names: Vec<String> = cols
            .iter()
            .map(|&c| self.tables[i].columns[c].name.clone())
            .collect();
        let mut select = key.clone();
        select.extend(names.iter().cloned());
        let query = RowQuery {
            table: &self.tables[i],
            select,
            filter: RowFilter::Match {
                columns: names.clone(),
                predicate: Predicate::All,
            },
            limit: self.opts.row_limit,
        };
        let people: Vec<&Identifier> = self
            .ids
            .iter()
            .filter(|i| i.kind == IdentKind::Name)
            .collect();
        let mut matched = Vec::new();
        let mut n = 0u64;
        let read = self.session.lookup(&query, &mut |v| {
            n += 1;
            let words: Vec<String> = v[key.len()..]
                .iter()
                .flat_map(|x| super::ident::name_words(&text(*x)))
                .collect();
            if people.iter().any(|p| p.name_in(&words)) {
                matched.push(row_key(&v[..key.len()], n));
            }
        })?;
        let h = &mut self.hits[i];
        h.methods
            .insert(format!("{}: names, {}", names.join("+"), read.method));
        h.names.entry(names.join("+")).or_default().extend(matched);
        if read.limited {
            return Err(limited(self.opts.row_limit));
        }
        Ok(())
    }

    /// Follows foreign keys from the matched rows, `hops` times.
    fn follow(&mut self) {
        let mut frontier: Vec<BTreeMap<Vec<String>, Row>> =
            self.hits.iter().map(|h| h.rows.clone()).collect();
        for _ in 0..self.opts.hops {
            let mut next: Vec<BTreeMap<Vec<String>, Row>> =
                vec![BTreeMap::new(); self.tables.len()];
            for (c, slot) in next.iter_mut().enumerate() {
                for fk in self.keys[c].foreign_keys.clone() {
                    let Some(p) = self
                        .tables
                        .iter()
                        .position(|t| t.qualified == fk.references)
                    else {
                        continue;
                    };
                    if p == c || frontier[p].is_empty() {
                        continue; // a self-reference is a hierarchy, not the person's data
                    }
                    if let Err(e) = self.hop(c, p, &fk, &frontier[p], slot) {
                        self.error(c, e);
                    }
                }
            }
            if next.iter().all(BTreeMap::is_empty) {
                break;
            }
            frontier = next;
        }
    }

    fn hop(
        &mut self,
        c: usize,
        p: usize,
        fk: &ForeignKey,
        parents: &BTreeMap<Vec<String>, Row>,
        next: &mut BTreeMap<Vec<String>, Row>,
    ) -> Result<(), ReadError> {
        let mut tuples: BTreeMap<Vec<String>, IdentKind> = BTreeMap::new();
        for row in parents.values() {
            let t: Option<Vec<String>> = fk
                .referenced
                .iter()
                .map(|c| row.refs.get(c).cloned())
                .collect();
            if let Some(t) = t.filter(|t| t.iter().all(|v| !v.is_empty())) {
                tuples.entry(t).or_insert(row.ident);
            }
        }
        if tuples.is_empty() {
            return Ok(());
        }
        let (key, needed) = self.head(c);
        let mut select = key.clone();
        select.extend(needed.iter().cloned());
        select.extend(fk.columns.iter().cloned());
        let query = RowQuery {
            table: &self.tables[c],
            select,
            filter: RowFilter::KeyIn {
                columns: fk.columns.clone(),
                tuples: tuples.keys().cloned().collect(),
            },
            limit: self.opts.row_limit,
        };
        let mut got = Vec::new();
        let mut n = 0u64;
        let read = self.session.lookup(&query, &mut |v| {
            n += 1;
            let k = row_key(&v[..key.len()], n);
            let refs = named(&needed, &v[key.len()..]);
            let via: Vec<String> = v[key.len() + needed.len()..]
                .iter()
                .map(|x| text(*x))
                .collect();
            got.push((k, refs, via));
        })?;
        let via = format!(
            "{}.{} → {}",
            self.tables[c].qualified,
            fk.columns.join(","),
            self.tables[p].qualified
        );
        let h = &mut self.hits[c];
        h.methods.insert(format!("{via}: {}", read.method));
        for (k, refs, parent_key) in got {
            let ident = tuples
                .get(&parent_key)
                .copied()
                .unwrap_or(IdentKind::CustomerId);
            if h.rows.contains_key(&k) || h.linked.contains_key(&k) {
                continue;
            }
            h.linked.insert(k.clone(), (via.clone(), ident));
            next.insert(k, Row { ident, refs });
        }
        if read.limited {
            return Err(limited(self.opts.row_limit));
        }
        Ok(())
    }

    /// Turns the hits into appearances, rows, types and (for an export) records.
    fn finish(mut self, plan: &Plan) {
        for i in 0..self.tables.len() {
            let h = std::mem::take(&mut self.hits[i]);
            let asset = self.asset(i);
            let mut push =
                |field: Option<String>, ident, kind, via: Option<String>, count: usize| {
                    self.found.appearances.push(Appearance {
                        asset: asset.clone(),
                        asset_kind: "table",
                        source: self.source.map(str::to_string),
                        field,
                        identifier: ident,
                        match_kind: kind,
                        via,
                        count: count as u64,
                        unit: "rows",
                        first_seen: None,
                        last_seen: None,
                    });
                };
            for ((field, ident, kind), rows) in &h.counts {
                push(Some(field.clone()), *ident, *kind, None, rows.len());
            }
            let mut by_via: BTreeMap<(String, IdentKind), usize> = BTreeMap::new();
            for (via, ident) in h.linked.values() {
                *by_via.entry((via.clone(), *ident)).or_default() += 1;
            }
            for ((via, ident), count) in by_via {
                push(None, ident, MatchKind::Linked, Some(via), count);
            }
            for (fields, rows) in &h.names {
                if !rows.is_empty() {
                    push(
                        Some(fields.clone()),
                        IdentKind::Name,
                        MatchKind::NameOnly,
                        None,
                        rows.len(),
                    );
                }
            }
            if h.rows.is_empty() && h.linked.is_empty() {
                continue;
            }
            let rows: BTreeSet<Vec<String>> =
                h.rows.keys().chain(h.linked.keys()).cloned().collect();
            if let Ok(p) = plan.asset(&asset) {
                self.found.asset_types.insert(asset.clone(), p.all_types());
            }
            if self.opts.export {
                self.export(i, &rows);
            }
            let keys = &self.keys[i];
            self.found.tables.push(TableRows {
                asset,
                source: self.source.map(str::to_string),
                format: String::new(),
                sql_name: keys.sql_name.clone(),
                key_columns: keys.row_key(),
                key_is_primary: !keys.primary_key.is_empty(),
                rows,
                foreign_keys: keys.foreign_keys.clone(),
                table: self.tables[i].qualified.clone(),
            });
        }
    }

    /// The matched rows' examined columns, for `--export`.
    fn export(&mut self, i: usize, rows: &BTreeSet<Vec<String>>) {
        let key = self.keys[i].row_key();
        if key.is_empty() {
            let asset = self.asset(i);
            self.found.errors.push(FindError {
                asset,
                kind: "export".into(),
                message:
                    "the table has no key or row address: its rows cannot be fetched for the export"
                        .into(),
            });
            return;
        }
        let columns: Vec<String> = self.tables[i]
            .columns
            .iter()
            .filter(|c| !matches!(c.kind, ColumnKind::Skip(_)))
            .map(|c| c.name.clone())
            .collect();
        let query = RowQuery {
            table: &self.tables[i],
            select: columns.clone(),
            filter: RowFilter::KeyIn {
                columns: key,
                tuples: rows.iter().cloned().collect(),
            },
            limit: self.opts.row_limit,
        };
        let mut out = Vec::new();
        let r = self.session.lookup(&query, &mut |v| {
            out.push(
                v.iter()
                    .map(|x| x.map(|b| String::from_utf8_lossy(b).into_owned()))
                    .collect(),
            );
        });
        match r {
            Ok(_) => {
                let asset = self.asset(i);
                self.found.export.push(ExportPart::Table {
                    asset,
                    columns,
                    rows: out,
                });
            }
            Err(e) => self.error(i, e),
        }
    }
}

fn limited(limit: u64) -> ReadError {
    ReadError::new(
        "limit",
        format!("more than {limit} rows matched (--max-rows): the counts are a lower bound"),
    )
}

fn text(v: Option<&[u8]>) -> String {
    v.map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

/// The first `names.len()` values of `v`, by name (the reference columns of a row).
fn named(names: &[String], v: &[Option<&[u8]>]) -> BTreeMap<String, String> {
    names
        .iter()
        .cloned()
        .zip(v.iter().map(|x| text(*x)))
        .collect()
}

/// A row's key, or its position when the table has none.
fn row_key(v: &[Option<&[u8]>], n: u64) -> Vec<String> {
    if v.is_empty() {
        vec![format!("#{n}")]
    } else {
        v.iter().map(|x| text(*x)).collect()
    }
}
