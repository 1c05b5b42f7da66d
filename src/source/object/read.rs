//! Reading one object, with bounded memory.
//!
//! - Streamed ([`open`]): a task on the store's runtime pulls the body and hands its
//!   chunks to the reading thread through a channel of [`READ_AHEAD`] chunks (each at
//!   most the HTTP client's read buffer), so at most a few MiB per object are in
//!   memory while the next bytes download during the scan. A [`Body`] is a blocking
//!   [`Read`]: the file readers and the decompressors take it like a file. The GET asks
//!   for the listed ETag (`If-Match`), so a second pass (a CSV sample re-read) sees the
//!   same bytes or fails saying the object changed.
//! - Spilled ([`spill`]): readers that need a seekable file (Parquet: footer first,
//!   then column chunks) get the object copied, streamed as above, to a temporary file
//!   that is deleted when dropped; objects over [`SPILL_LIMIT`] are not spilled.
//!   Ranged reads were the alternative; the Parquet reader works on a file (footer,
//!   page headers through a map), so a spill keeps one reader for disk and store.

use std::io::{self, Read, Write};

use bytes::Bytes;
use futures::StreamExt;
use object_store::{GetOptions, ObjectStore};

use super::{ObjectEntry, Store};

/// Body chunks buffered between the download and the reader.
pub const READ_AHEAD: usize = 16;

/// Largest object spilled to a temporary file for a reader that needs one.
pub const SPILL_LIMIT: u64 = 4 << 30;

/// An object's body as a blocking reader.
pub struct Body {
    rx: tokio::sync::mpsc::Receiver<Result<Bytes, String>>,
    current: Bytes,
    received: u64,
    expected: u64,
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if !self.current.is_empty() {
                let n = self.current.len().min(buf.len());
                buf[..n].copy_from_slice(&self.current[..n]);
                self.current = self.current.slice(n..);
                return Ok(n);
            }
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => {
                    self.received += chunk.len() as u64;
                    self.current = chunk;
                }
                Some(Err(message)) => return Err(io::Error::other(message)),
                // The download ended: complete, or cut without an error (the runtime
                // went away), which must not pass for the end of the object.
                None if self.received < self.expected => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "object body ended after {} of {} bytes",
                            self.received, self.expected
                        ),
                    ))
                }
                None => return Ok(0),
            }
        }
    }
}

/// Starts reading `entry` (the version listed, by ETag) and returns its body; the
/// error is redacted.
pub fn open(store: &Store, entry: &ObjectEntry) -> Result<Body, String> {
    let options = GetOptions {
        if_match: entry.e_tag.clone(),
        version: entry.version.clone(),
        ..GetOptions::default()
    };
    let client = store.client.clone();
    let result = store
        .block_on(client.get_opts(&entry.location, options))
        .map_err(|e| store.redactor.error("", &e))?;
    let expected = result.range.end.saturating_sub(result.range.start);
    let (tx, rx) = tokio::sync::mpsc::channel(READ_AHEAD);
    let redactor = store.redactor.clone();
    store.handle().spawn(async move {
        let mut stream = result.into_stream();
        while let Some(chunk) = stream.next().await {
            let item = chunk.map_err(|e| redactor.error("downloading", &e));
            let failed = item.is_err();
            // The reader dropped its end (done early, or failed): stop downloading.
            if tx.send(item).await.is_err() || failed {
                break;
            }
        }
    });
    Ok(Body {
        rx,
        current: Bytes::new(),
        received: 0,
        expected,
    })
}

/// Why an object is not spilled, when it is too big to.
pub fn spill_refusal(entry: &ObjectEntry) -> Option<String> {
    (entry.size > SPILL_LIMIT).then(|| {
        format!(
            "object of {} MiB is over the {} MiB limit for copying it to a temporary file, which this format's reader needs",
            entry.size >> 20,
            SPILL_LIMIT >> 20
        )
    })
}

/// Copies `entry` to a temporary file (deleted when dropped), keeping the key's
/// extension; the error is redacted.
pub fn spill(store: &Store, entry: &ObjectEntry) -> Result<tempfile::NamedTempFile, String> {
    if let Some(why) = spill_refusal(entry) {
        return Err(why);
    }
    let name = entry.key.rsplit('/').next().unwrap_or_default();
    let suffix = name.find('.').map_or("", |i| &name[i..]);
    let mut file = tempfile::Builder::new()
        .prefix("piimap-object-")
        .suffix(suffix)
        .tempfile()
        .map_err(|e| format!("creating a temporary file: {e}"))?;
    let body = open(store, entry)?;
    let copied = io::copy(&mut body.take(SPILL_LIMIT + 1), &mut file)
        .map_err(|e| format!("copying to a temporary file: {e}"))?;
    if copied > SPILL_LIMIT {
        return Err(format!(
            "object grew over the {} MiB spill limit while read",
            SPILL_LIMIT >> 20
        ));
    }
    file.flush()
        .map_err(|e| format!("writing a temporary file: {e}"))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::object::{KeyFilter, ObjectUrl};

    fn local_store(dir: &std::path::Path) -> Store {
        let url = ObjectUrl::parse(&format!("file://{}", dir.display())).unwrap();
        Store::open(&url).unwrap()
    }

    #[test]
    fn a_body_streams_a_large_object_whole_and_a_spill_copies_it() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(dir.path().join("big.bin"), &data).unwrap();
        let store = local_store(dir.path());
        let listed =
            super::super::list::list(&store, &KeyFilter::new(&[], &[], false, None).unwrap());
        assert_eq!(listed.objects.len(), 1, "{listed:?}");
        let entry = &listed.objects[0];
        let mut got = Vec::new();
        open(&store, entry).unwrap().read_to_end(&mut got).unwrap();
        assert!(got == data, "streamed bytes differ");
        let spilled = spill(&store, entry).unwrap();
        assert!(std::fs::read(spilled.path()).unwrap() == data);
        assert!(spilled.path().to_string_lossy().ends_with(".bin"));
    }

    #[test]
    fn a_remote_input_reopens_the_object_decompressed_for_a_second_pass() {
        use crate::source::file::Input;
        use crate::source::format::{Compression, Format};
        let dir = tempfile::tempdir().unwrap();
        let text = "name,email\nAnn,ann@example.com\n".repeat(100);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        std::fs::write(dir.path().join("t.csv.gz"), gz.finish().unwrap()).unwrap();
        let store = local_store(dir.path());
        let listed =
            super::super::list::list(&store, &KeyFilter::new(&[], &[], false, None).unwrap());
        let entry = &listed.objects[0];
        let first = crate::source::open::open_stream(
            Box::new(open(&store, entry).unwrap()),
            Compression::Gzip,
        )
        .unwrap();
        let reopen = || {
            open(&store, entry)
                .map(|b| Box::new(b) as Box<dyn Read + Send>)
                .map_err(io::Error::other)
        };
        let key = std::path::Path::new(&entry.key);
        let mut input = Input::remote(
            key,
            Format::Csv { delimiter: b',' },
            Compression::Gzip,
            &first.head,
            first.reader,
            &reopen,
        );
        assert!(!input.is_local());
        for pass in 0..2 {
            let mut got = String::new();
            input.open().unwrap().read_to_string(&mut got).unwrap();
            assert!(got == text, "pass {pass} differs");
        }
    }

    #[test]
    fn an_object_changed_after_listing_is_an_error_not_other_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        let store = local_store(dir.path());
        let listed =
            super::super::list::list(&store, &KeyFilter::new(&[], &[], false, None).unwrap());
        let entry = listed.objects[0].clone();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&path, "a,b,c\n1,2,3\n").unwrap();
        let e = open(&store, &entry)
            .err()
            .expect("the ETag no longer matches");
        assert!(e.contains("changed") || e.contains("precondition"), "{e}");
        std::fs::remove_file(&path).unwrap();
        let e = open(&store, &entry).err().expect("gone");
        assert!(e.contains("not found"), "{e}");
    }
}
