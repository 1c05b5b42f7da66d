//! Object stores as sources: `s3://bucket/prefix`, `gs://bucket/prefix`,
//! `az://container/prefix` (also `s3a://`, `azure://`, `abfs[s]://`) and `file:///dir`,
//! through the Apache Arrow project's `object_store` crate.
//!
//! An object is read with the same [`crate::source::file`] readers as a local file:
//! its bytes are streamed from the store ([`read`]), decompressed like a file
//! (`.gz`, `.zst`), sniffed, and handed to the reader as an
//! [`Input`](crate::source::file::Input) whose reopen is another GET of the same
//! version (ETag). Readers that need a seekable file (Parquet) get a bounded spill to a
//! temporary file instead ([`read::spill`]). Listing runs in parallel over the first
//! level of prefixes ([`list`]); include/exclude globs, `--max-filesize` and hidden
//! names apply to keys.
//!
//! Credentials come from each cloud's standard environment and config ([`store`]):
//! never printed. Every message that leaves this module goes through [`Redactor`],
//! which removes URL user info and query strings (signatures, SAS tokens) and every
//! credential value it was built with.
//!
//! The scan stage (`crate::scan::object`) turns listed objects into asset reports.

pub mod list;
mod profile;
pub mod read;
pub mod store;

pub use list::{KeyFilter, Listed, ObjectEntry};
pub use store::Store;

/// The URL schemes read as object stores.
const SCHEMES: &[(&str, Cloud)] = &[
    ("s3", Cloud::S3),
    ("s3a", Cloud::S3),
    ("gs", Cloud::Gcs),
    ("az", Cloud::Azure),
    ("azure", Cloud::Azure),
    ("abfs", Cloud::Azure),
    ("abfss", Cloud::Azure),
    ("file", Cloud::Local),
];

/// Which store a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cloud {
    /// Amazon S3 and S3-compatible servers (MinIO, moto, Ceph, R2, …).
    S3,
    /// Google Cloud Storage.
    Gcs,
    /// Azure Blob Storage / ADLS Gen2.
    Azure,
    /// The local file system, as a store (`file:///dir`).
    Local,
}

/// A parsed object-store scan path: which store, which bucket, which prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectUrl {
    /// The store.
    pub cloud: Cloud,
    /// The scheme as given (`s3`, `gs`, …), for asset ids.
    pub scheme: String,
    /// The bucket or container as given (an `abfs` URL's `container@account.host`);
    /// empty for `file://`.
    pub bucket: String,
    /// The key prefix below the bucket, without leading or trailing `/` (empty: the
    /// whole bucket). For `file://`, the absolute directory without its leading `/`.
    pub prefix: String,
    /// The URL as given, secrets included: handed to the store's builder only.
    raw: String,
}

/// Whether a scan path is an object-store URL rather than a local path.
pub fn is_object_url(path: &str) -> bool {
    path.split_once("://")
        .is_some_and(|(scheme, _)| SCHEMES.iter().any(|(s, _)| scheme.eq_ignore_ascii_case(s)))
}

impl ObjectUrl {
    /// Parses `s3://bucket/prefix` and the like; the error names the URL redacted.
    pub fn parse(url: &str) -> Result<ObjectUrl, String> {
        let bad = |why: &str| format!("{}: {why}", redact_url(url));
        let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("not a URL"))?;
        let scheme = scheme.to_ascii_lowercase();
        let cloud = SCHEMES
            .iter()
            .find(|(s, _)| *s == scheme)
            .map(|(_, c)| *c)
            .ok_or_else(|| bad("not an object-store scheme"))?;
        if rest.contains('?') || rest.contains('#') {
            return Err(bad(
                "query strings are not read: give credentials in the environment",
            ));
        }
        let (bucket, prefix) = match cloud {
            Cloud::Local => {
                let path = rest
                    .strip_prefix('/')
                    .ok_or_else(|| bad("file:// URLs need an absolute path (file:///dir)"))?;
                (String::new(), path)
            }
            _ => {
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(bad("no bucket"));
                }
                if bucket.contains(':') {
                    return Err(bad(
                        "credentials in the URL are not read: give them in the environment",
                    ));
                }
                (bucket.to_string(), prefix)
            }
        };
        let prefix = prefix.trim_matches('/');
        if prefix.split('/').any(|s| s == "." || s == "..") {
            return Err(bad("`.` and `..` are not keys"));
        }
        Ok(ObjectUrl {
            cloud,
            scheme,
            bucket,
            prefix: prefix.to_string(),
            raw: url.to_string(),
        })
    }

    /// The asset id of the object at `key` (a key of the store, prefix included):
    /// `s3://bucket/key`, `file:///dir/key`.
    pub fn asset_id(&self, key: &str) -> String {
        format!("{}://{}/{key}", self.scheme, self.bucket)
    }

    /// The URL as recorded in the inventory and printed (nothing secret in it).
    pub fn redacted(&self) -> String {
        redact_url(&self.raw)
    }

    /// The URL of `key` (a key or a prefix), or of the bucket when `key` is empty:
    /// what a failed listing is reported as.
    pub fn location(&self, key: &str) -> String {
        match key {
            "" => format!("{}://{}", self.scheme, self.bucket),
            k => self.asset_id(k),
        }
    }
}

/// A URL with user info and query string removed (signatures, SAS tokens, keys).
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => (&url[..i + 3], &url[i + 3..]),
        None => ("", url),
    };
    let (rest, query) = match rest.find(['?', '#']) {
        Some(i) => (&rest[..i], rest[i..].starts_with('?')),
        None => (rest, false),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let rest = match rest[..authority_end].rfind('@') {
        // `user:secret@host`: drop the user info; `container@account.host` has no secret.
        Some(at) if rest[..at].contains(':') => &rest[at + 1..],
        _ => rest,
    };
    let tail = if query { "?[redacted]" } else { "" };
    format!("{scheme}{rest}{tail}")
}

/// Removes secrets from messages: every URL's user info and query string, and every
/// credential value the store was configured with (an error body can echo a key).
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

/// Longest message kept from a store's error (bodies can be long XML).
const MESSAGE_CAP: usize = 400;

impl Redactor {
    /// A redactor for these credential values (short values are ignored: they would
    /// blank ordinary words).
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Redactor {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| s.len() >= 8).collect();
        // Longest first, so a secret containing another is removed whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    /// `message` with secrets removed, on one line, at most [`MESSAGE_CAP`] characters.
    pub fn clean(&self, message: &str) -> String {
        let mut out = String::with_capacity(message.len().min(MESSAGE_CAP * 2));
        for (i, word) in message.split_whitespace().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            match word.find("://") {
                Some(_) => out.push_str(&redact_url(word)),
                None => out.push_str(word),
            }
        }
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "[redacted]");
            }
        }
        if out.chars().count() > MESSAGE_CAP {
            out = out.chars().take(MESSAGE_CAP).collect::<String>() + "…";
        }
        out
    }

    /// A store error as a short message saying what went wrong (after `what`, when
    /// not empty), secrets removed.
    pub fn error(&self, what: &str, e: &object_store::Error) -> String {
        use object_store::Error as E;
        let plain = match e {
            E::NotFound { .. } => "not found",
            E::PermissionDenied { .. } => "permission denied",
            E::Unauthenticated { .. } => "not authenticated (check the credentials)",
            E::Precondition { .. } => "the object changed while it was read (ETag differs)",
            _ => "",
        };
        let detail = summarise(&self.clean(&e.to_string()));
        let told = match plain {
            "" => detail,
            p => format!("{p} ({detail})"),
        };
        match what {
            "" => told,
            w => format!("{w}: {told}"),
        }
    }
}

/// A store error's text with an XML error body (S3, GCS's XML API, Azure) shortened
/// to its status, code and message: `… 404 Not Found, NoSuchBucket: The specified
/// bucket does not exist`.
fn summarise(detail: &str) -> String {
    let tag = |t: &str| {
        let open = format!("<{t}>");
        let start = detail.find(&open)? + open.len();
        let end = detail[start..].find("</")? + start;
        Some(&detail[start..end])
    };
    let Some(code) = tag("Code") else {
        return detail.to_string();
    };
    let before = detail.find('<').map_or(detail, |i| &detail[..i]);
    let before = before.trim_end().trim_end_matches(':');
    match tag("Message") {
        Some(m) => format!("{before}, {code}: {m}"),
        None => format!("{before}, {code}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_urls_are_told_from_paths_and_parsed() {
        assert!(is_object_url("s3://b/p") && is_object_url("GS://b") && is_object_url("file:///x"));
        assert!(!is_object_url("./s3:/x") && !is_object_url("data/file.csv"));
        assert!(!is_object_url("postgres://h/db"));
        let u = ObjectUrl::parse("s3://bucket/some/prefix/").unwrap();
        assert_eq!((u.cloud, u.bucket.as_str()), (Cloud::S3, "bucket"));
        assert_eq!(u.prefix, "some/prefix");
        assert_eq!(
            u.asset_id("some/prefix/a.csv"),
            "s3://bucket/some/prefix/a.csv"
        );
        assert_eq!(u.location(&u.prefix), "s3://bucket/some/prefix");
        assert_eq!(u.location(""), "s3://bucket");
        let f = ObjectUrl::parse("file:///tmp/data").unwrap();
        assert_eq!((f.cloud, f.prefix.as_str()), (Cloud::Local, "tmp/data"));
        assert_eq!(f.asset_id("tmp/data/x.log"), "file:///tmp/data/x.log");
        assert_eq!(ObjectUrl::parse("az://c").unwrap().prefix, "");
        for bad in [
            "s3://",
            "s3:///key",
            "file://rel/x",
            "s3://b/../x",
            "ftp://b/x",
        ] {
            assert!(ObjectUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_in_urls_are_refused_and_never_echoed() {
        let e = ObjectUrl::parse("s3://AKIDEXAMPLE:hunter2secret@bucket/x").unwrap_err();
        assert!(!e.contains("hunter2secret"), "{e}");
        let e = ObjectUrl::parse("az://c/x?sv=2020&sig=topsecretsig").unwrap_err();
        assert!(!e.contains("topsecretsig"), "{e}");
        assert_eq!(
            redact_url("https://u:pw@host:9000/b/k?X-Amz-Signature=abc"),
            "https://host:9000/b/k?[redacted]"
        );
        assert_eq!(
            redact_url("abfs://fs@acct.dfs.core.windows.net/p"),
            "abfs://fs@acct.dfs.core.windows.net/p"
        );
        assert_eq!(redact_url("s3://b/k"), "s3://b/k");
    }

    #[test]
    fn the_redactor_removes_credentials_and_caps_messages() {
        let r = Redactor::new(["wJalrXUtnFEMI/K7MDENG".to_string(), "short".to_string()]);
        let m = r.clean(
            "GET http://127.0.0.1:9/b/k?sig=zzz failed:\n<Key>wJalrXUtnFEMI/K7MDENG</Key> short",
        );
        assert_eq!(
            m,
            "GET http://127.0.0.1:9/b/k?[redacted] failed: <Key>[redacted]</Key> short"
        );
        assert_eq!(
            summarise("GET http://h/b in 6ms - status code: 404 Not Found: <?xml version=\"1.0\"?> <Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>b</BucketName></Error>"),
            "GET http://h/b in 6ms - status code: 404 Not Found, NoSuchBucket: The specified bucket does not exist"
        );
        assert_eq!(summarise("plain error"), "plain error");
        let long = "x ".repeat(1000);
        assert!(r.clean(&long).chars().count() <= MESSAGE_CAP + 1);
    }
}
