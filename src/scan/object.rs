//! Objects in stores (`s3://`, `gs://`, `az://`, `file://`) as assets: listed and
//! filtered by [`crate::source::object`], sharded and carried forward by key, then read
//! in parallel by the same file readers and the same [`FileScanner`] code as local
//! files, so an object gives the report its file would, under the id
//! `s3://bucket/key`.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

use rayon::prelude::*;

use super::incremental::{split_unchanged, AssetId, Incremental};
use super::run::{file_options, TargetPass};
use super::FileScanner;
use crate::error::ConfigError;
use crate::inventory::{AssetKind, AssetReport, Status};
use crate::source::file::{self, Input};
use crate::source::format::{self, Compression, Format};
use crate::source::object::{self, list, read, KeyFilter, ObjectEntry, ObjectUrl, Store};
use crate::source::open;
use crate::source::walk::FileEntry;

/// One object-store target: listed, sharded, unchanged objects carried forward, the
/// rest read in parallel. Returns the reports and the bytes read; a store that cannot
/// be opened or listed is one failed asset (the exit code says so), a bad glob a
/// usage error.
pub(super) fn scan_objects(
    pass: &TargetPass,
    url: &str,
    mut incremental: Option<&mut Incremental>,
) -> Result<(Vec<AssetReport>, u64), ConfigError> {
    let filter = KeyFilter::new(
        &pass.target.include,
        &pass.target.exclude,
        pass.config.hidden,
        pass.config.max_filesize,
    )
    .map_err(ConfigError::Usage)?;
    let parsed = match ObjectUrl::parse(url) {
        Ok(u) => u,
        Err(e) => return Ok((vec![failed_store(&object::redact_url(url), "", e)], 0)),
    };
    let store = match Store::open(&parsed) {
        Ok(s) => s,
        Err(e) => {
            return Ok((
                vec![failed_store(
                    &parsed.location(&parsed.prefix),
                    &parsed.scheme,
                    e,
                )],
                0,
            ))
        }
    };
    tracing::info!(store = %parsed.redacted(), "listing objects");
    let listed = list::list(&store, &filter);
    let mut out = Vec::new();
    if !listed.errors.is_empty() {
        let id = parsed.location(&parsed.prefix);
        let mut r = AssetReport::new(id.clone(), id, AssetKind::Database, &parsed.scheme);
        for e in &listed.errors {
            r.fail("list", e.clone(), !listed.objects.is_empty());
        }
        out.push(r);
    }
    let owned = |key: &str| {
        pass.config
            .shard
            .is_none_or(|s| s.owns(&AssetId::Object(parsed.asset_id(key)).key()))
    };
    let objects: Vec<ObjectEntry> = listed
        .objects
        .into_iter()
        .filter(|o| owned(&o.key))
        .collect();
    tracing::info!(
        objects = objects.len(),
        skipped = listed.skipped.len(),
        "listed"
    );
    let to_scan = split_unchanged(
        objects,
        incremental.as_deref_mut(),
        &mut out,
        |o| {
            let id = AssetId::Object(parsed.asset_id(&o.key));
            let key = id.key();
            (id, key)
        },
        |o, _| o.fingerprint(),
    );
    let scanner = FileScanner::new(
        pass.engine,
        file_options(pass.target, pass.config),
        pass.outputs.findings,
    );
    // Largest first, as for files, so one big object does not start last.
    let mut order: Vec<&ObjectEntry> = to_scan.iter().map(|(o, _, _)| o).collect();
    order.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.key.cmp(&b.key)));
    pass.outputs
        .progress
        .start(order.len() as u64, order.iter().map(|o| o.size).sum());
    let scanned: Vec<AssetReport> = order
        .par_iter()
        .map(|entry| {
            let report = scan_object(&scanner, &store, &parsed, entry);
            scanner.bytes_done.fetch_add(entry.size, Ordering::Relaxed);
            pass.outputs.progress.file_done(&FileEntry {
                path: PathBuf::from(&report.asset),
                size: entry.size,
            });
            report
        })
        .collect();
    pass.outputs.progress.finish();
    if let Some(inc) = incremental {
        let by_id: std::collections::HashMap<&str, &AssetReport> =
            scanned.iter().map(|r| (r.id.as_str(), r)).collect();
        for (_, id, fp) in to_scan.iter() {
            let mine = by_id.get(id.key().as_str()).map(|r| vec![(*r).clone()]);
            inc.remember(id, fp.clone(), mine.unwrap_or_default());
        }
    }
    out.extend(scanned);
    for (key, reason) in listed.skipped.iter().filter(|(k, _)| owned(k)) {
        let id = parsed.asset_id(key);
        let mut r = AssetReport::new(id.clone(), id, AssetKind::File, "unknown");
        r.status = Status::Skipped;
        r.skipped_reason = Some(reason.clone());
        out.push(r);
    }
    Ok((out, scanner.bytes_done.load(Ordering::Relaxed)))
}

/// One failed asset standing for a whole store or prefix that could not be opened or
/// listed (what it holds is unknown, as for a database that cannot be reached).
fn failed_store(id: &str, format: &str, message: String) -> AssetReport {
    let format = if format.is_empty() { "unknown" } else { format };
    let mut r = AssetReport::new(id.to_string(), id.to_string(), AssetKind::Database, format);
    r.fail("store", message, false);
    r
}

/// Reads one object into its report; never panics on bad input, never returns an
/// error: problems go into the report.
fn scan_object(
    scanner: &FileScanner,
    store: &Store,
    url: &ObjectUrl,
    entry: &ObjectEntry,
) -> AssetReport {
    let started = Instant::now();
    let id = url.asset_id(&entry.key);
    let mut report = AssetReport::new(id.clone(), id, AssetKind::File, "unknown");
    report.stats.bytes = entry.size;
    read_object(scanner, store, entry, &mut report);
    if report.stats.oldest_record.is_none() {
        report.stats.oldest_record = Some(crate::inventory::retention::OldestRecord::at_secs(
            entry.modified_secs,
            crate::inventory::retention::RecordBasis::FileMtime,
            None,
        ));
    }
    report.stats.duration_ms = started.elapsed().as_millis() as u64;
    report
}

/// [`FileScanner::scan_into`] for an object: one GET gives the raw head (compression
/// magic), the decompressed head (format) and the stream the reader reads; a reader
/// that needs a file gets a spilled copy.
fn read_object(
    scanner: &FileScanner,
    store: &Store,
    entry: &ObjectEntry,
    report: &mut AssetReport,
) {
    let key = Path::new(&entry.key);
    let mut body = match read::open(store, entry) {
        Ok(b) => b,
        Err(e) => return report.fail("io", format!("cannot open: {e}"), false),
    };
    let raw = match read_up_to(&mut body, 16) {
        Ok(raw) => raw,
        Err(e) => return report.fail("io", format!("cannot open: {e}"), false),
    };
    if raw.is_empty() {
        report.mark_empty();
        return;
    }
    let compression = format::compression(key, &raw);
    if compression != Compression::None {
        report.compression = Some(format!("{compression:?}").to_lowercase());
    }
    let stream: Box<dyn Read + Send> = Box::new(io::Cursor::new(raw).chain(body));
    let opened = match open::open_stream(stream, compression) {
        Ok(o) => o,
        Err(e) => return report.fail("io", format!("cannot read: {e}"), false),
    };
    let fmt = format::detect(key, &opened.head);
    report.format = fmt.name().into();
    let Some(reader) = file::reader(fmt) else {
        report.status = Status::Skipped;
        report.skipped_reason = Some(match fmt {
            Format::Sqlite => {
                "SQLite database in an object store: copy it out and scan it with --db sqlite:PATH"
                    .into()
            }
            _ => "binary content".into(),
        });
        return;
    };
    if reader.needs_local_file() {
        drop(opened);
        if let Some(why) = read::spill_refusal(entry) {
            report.status = Status::Skipped;
            report.skipped_reason = Some(why);
            return;
        }
        let copy = match read::spill(store, entry) {
            Ok(f) => f,
            Err(e) => return report.fail("io", format!("cannot read: {e}"), false),
        };
        let local = match open::open(copy.path(), compression) {
            Ok(o) => o,
            Err(e) => return report.fail("io", format!("cannot read the copy: {e}"), false),
        };
        let input = Input::new(copy.path(), fmt, compression, &local.head, local.reader);
        return scanner.read_into(reader, input, report);
    }
    let reopen = || {
        read::open(store, entry)
            .map(|b| Box::new(b) as Box<dyn Read + Send>)
            .map_err(io::Error::other)
    };
    let input = Input::remote(key, fmt, compression, &opened.head, opened.reader, &reopen);
    scanner.read_into(reader, input, report);
}

/// Up to `n` bytes from the start of a stream (fewer only at its end).
fn read_up_to(r: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(n);
    r.by_ref().take(n as u64).read_to_end(&mut buf)?;
    Ok(buf)
}
