//! Listing a store's objects under a prefix, in parallel, filtered like a walked tree:
//! include/exclude globs (gitignore syntax, the walker's `ignore` overrides, matched
//! against the key below the URL's prefix and each of its "directories"), hidden names
//! (a key segment starting with `.`, unless `--hidden`) and `--max-filesize`.
//!
//! The first level below the prefix is listed with a delimiter; each of its
//! sub-prefixes is then listed on its own, [`LIST_CONCURRENCY`] at a time (S3 pages one
//! prefix sequentially, so this is where listing parallelism comes from). A listing that
//! fails part-way keeps what it listed and says where it failed.

use futures::{StreamExt, TryStreamExt};
use ignore::overrides::{Override, OverrideBuilder};
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt};

use super::Store;

/// Sub-prefixes listed at once.
pub const LIST_CONCURRENCY: usize = 8;

/// One object to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectEntry {
    /// Its key in the store (the URL's prefix included).
    pub key: String,
    /// The same key as the store's path type, to read it by.
    pub location: Path,
    /// Size in bytes, as listed.
    pub size: u64,
    /// Its ETag, when the store gives one (every cloud store does).
    pub e_tag: Option<String>,
    /// Last modification, RFC 3339.
    pub last_modified: String,
    /// Last modification, Unix seconds: the age of its oldest record when its content
    /// shows none (as a local file's mtime).
    pub modified_secs: i64,
    /// Its version id, when the bucket is versioned.
    pub version: Option<String>,
}

impl ObjectEntry {
    fn from_meta(m: ObjectMeta) -> ObjectEntry {
        ObjectEntry {
            key: m.location.to_string(),
            location: m.location,
            size: m.size,
            e_tag: m.e_tag,
            last_modified: m.last_modified.to_rfc3339(),
            modified_secs: m.last_modified.timestamp(),
            version: m.version,
        }
    }

    /// The incremental-state fingerprint: ETag, last-modified and size (an object is
    /// unchanged when all three are).
    pub fn fingerprint(&self) -> String {
        format!(
            "etag={};last_modified={};size={}",
            self.e_tag.as_deref().unwrap_or(""),
            self.last_modified,
            self.size
        )
    }
}

/// What a listing produced.
#[derive(Debug, Default)]
pub struct Listed {
    /// Objects to read, sorted by key.
    pub objects: Vec<ObjectEntry>,
    /// Keys not read on purpose, with the reason (`--max-filesize`).
    pub skipped: Vec<(String, String)>,
    /// Where listing failed (the whole store, or one sub-prefix), redacted.
    pub errors: Vec<String>,
}

/// Which keys are read.
#[derive(Clone, Debug)]
pub struct KeyFilter {
    globs: Option<Override>,
    hidden: bool,
    max_filesize: Option<u64>,
}

/// What the filter says about one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Read it.
    Read,
    /// Leave it out silently (excluded by a glob, hidden), as the walker does.
    Drop,
    /// Leave it out and report why.
    Skip(String),
}

impl KeyFilter {
    /// A filter from the target's globs and the scan's flags; a bad glob is an error
    /// naming it.
    pub fn new(
        include: &[String],
        exclude: &[String],
        hidden: bool,
        max_filesize: Option<u64>,
    ) -> Result<KeyFilter, String> {
        let globs = if include.is_empty() && exclude.is_empty() {
            None
        } else {
            let mut ob = OverrideBuilder::new(".");
            for g in include {
                ob.add(g).map_err(|e| format!("--include {g:?}: {e}"))?;
            }
            for g in exclude {
                ob.add(&format!("!{g}"))
                    .map_err(|e| format!("--exclude {g:?}: {e}"))?;
            }
            Some(ob.build().map_err(|e| e.to_string())?)
        };
        Ok(KeyFilter {
            globs,
            hidden,
            max_filesize,
        })
    }

    /// The verdict on a key, given relative to the URL's prefix.
    pub fn check(&self, relative: &str, size: u64) -> Verdict {
        let segments: Vec<&str> = relative.split('/').collect();
        if !self.hidden && segments.iter().any(|s| s.starts_with('.')) {
            return Verdict::Drop;
        }
        if let Some(globs) = &self.globs {
            // Each "directory" first, as the walker prunes directories.
            for i in 1..segments.len() {
                if globs.matched(segments[..i].join("/"), true).is_ignore() {
                    return Verdict::Drop;
                }
            }
            if globs.matched(relative, false).is_ignore() {
                return Verdict::Drop;
            }
        }
        match self.max_filesize {
            Some(max) if size > max => {
                Verdict::Skip(format!("larger than --max-filesize ({size} > {max} bytes)"))
            }
            _ => Verdict::Read,
        }
    }
}

/// Lists every object under the URL's prefix (or the one object the URL names), and
/// sorts it through `filter`.
pub fn list(store: &Store, filter: &KeyFilter) -> Listed {
    let prefix = store.url.prefix.clone();
    let client = store.client.clone();
    let (metas, mut errors) = store.block_on(list_all(client.as_ref(), &prefix));
    let mut metas = metas;
    if metas.is_empty() && errors.is_empty() && !prefix.is_empty() {
        // `s3://bucket/key` naming one object rather than a prefix.
        if let Ok(m) = store.block_on(client.head(&Path::from(prefix.as_str()))) {
            metas.push(m);
        }
    }
    let errors = errors
        .drain(..)
        .map(|(at, e)| {
            store
                .redactor
                .error(&format!("listing {}", store.url.location(&at)), &e)
        })
        .collect();
    let mut listed = Listed {
        errors,
        ..Listed::default()
    };
    for m in metas {
        let entry = ObjectEntry::from_meta(m);
        let relative = relative_key(&entry.key, &prefix);
        match filter.check(relative, entry.size) {
            Verdict::Read => listed.objects.push(entry),
            Verdict::Drop => {}
            Verdict::Skip(why) => listed.skipped.push((entry.key, why)),
        }
    }
    listed.objects.sort_by(|a, b| a.key.cmp(&b.key));
    listed.objects.dedup_by(|a, b| a.key == b.key);
    listed.skipped.sort();
    listed
}

/// A key relative to the prefix (the key itself when the URL names one object).
pub fn relative_key<'k>(key: &'k str, prefix: &str) -> &'k str {
    if prefix.is_empty() {
        return key;
    }
    match key.strip_prefix(prefix) {
        Some(rest) if rest.starts_with('/') => &rest[1..],
        _ => key.rsplit('/').next().unwrap_or(key),
    }
}

/// A prefix whose listing failed, and the error.
type Failure = (String, object_store::Error);

/// The first level with a delimiter, then each sub-prefix listed whole, several at
/// once. Returns the objects and the failures (the prefix that failed, the error).
async fn list_all(client: &dyn ObjectStore, prefix: &str) -> (Vec<ObjectMeta>, Vec<Failure>) {
    let root = (!prefix.is_empty()).then(|| Path::from(prefix));
    let top = match client.list_with_delimiter(root.as_ref()).await {
        Ok(top) => top,
        Err(e) => return (Vec::new(), vec![(prefix.to_string(), e)]),
    };
    let mut metas = top.objects;
    let mut errors = Vec::new();
    let subs: Vec<(Vec<ObjectMeta>, Option<Failure>)> = futures::stream::iter(top.common_prefixes)
        .map(|p| async move {
            let mut found = Vec::new();
            let mut stream = client.list(Some(&p));
            loop {
                match stream.try_next().await {
                    Ok(Some(m)) => found.push(m),
                    Ok(None) => return (found, None),
                    Err(e) => return (found, Some((p.to_string(), e))),
                }
            }
        })
        .buffer_unordered(LIST_CONCURRENCY)
        .collect()
        .await;
    for (found, err) in subs {
        metas.extend(found);
        errors.extend(err);
    }
    (metas, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(include: &[&str], exclude: &[&str]) -> KeyFilter {
        let s = |v: &[&str]| v.iter().map(|g| g.to_string()).collect::<Vec<_>>();
        KeyFilter::new(&s(include), &s(exclude), false, Some(100)).unwrap()
    }

    #[test]
    fn keys_are_filtered_like_walked_paths() {
        let f = filter(&[], &[]);
        assert_eq!(f.check("a/b.csv", 10), Verdict::Read);
        assert_eq!(f.check(".git/config", 10), Verdict::Drop);
        assert_eq!(f.check("a/.hidden.csv", 10), Verdict::Drop);
        assert!(matches!(f.check("big.log", 101), Verdict::Skip(r) if r.contains("max-filesize")));
        let f = filter(&["*.csv"], &[]);
        assert_eq!(f.check("x/y/a.csv", 1), Verdict::Read);
        assert_eq!(f.check("x/y/a.log", 1), Verdict::Drop);
        let f = filter(&[], &["logs", "*.tmp"]);
        assert_eq!(f.check("logs/app.log", 1), Verdict::Drop);
        assert_eq!(f.check("data/logs/app.log", 1), Verdict::Drop);
        assert_eq!(f.check("data/x.tmp", 1), Verdict::Drop);
        assert_eq!(f.check("data/app.log", 1), Verdict::Read);
        assert!(KeyFilter::new(&["a[".into()], &[], false, None).is_err());
    }

    #[test]
    fn relative_keys_drop_the_prefix() {
        assert_eq!(relative_key("p/q/a.csv", "p"), "q/a.csv");
        assert_eq!(relative_key("a.csv", ""), "a.csv");
        assert_eq!(relative_key("p/one.csv", "p/one.csv"), "one.csv");
    }

    #[test]
    fn fingerprints_hold_etag_time_and_size() {
        let e = ObjectEntry {
            key: "k".into(),
            location: Path::from("k"),
            size: 3,
            e_tag: Some("\"abc\"".into()),
            last_modified: "2026-01-01T00:00:00+00:00".into(),
            modified_secs: 1_767_225_600,
            version: None,
        };
        assert_eq!(
            e.fingerprint(),
            "etag=\"abc\";last_modified=2026-01-01T00:00:00+00:00;size=3"
        );
    }
}
