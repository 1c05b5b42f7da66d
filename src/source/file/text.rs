//! Text and log files: line splitting, long-line capping and structured-line parsing.
//!
//! A file's line format is sniffed once from its first lines ([`LineFormat::sniff`]):
//! JSON objects, `key=value` pairs, Apache/nginx combined access log, or plain text.
//! Structured lines become named cells (the key or field acts as a column hint, so
//! results aggregate per field); unstructured text is pushed in large runs, so the
//! engine scans many lines per call. Lines that do not fit the sniffed format are
//! scanned as plain text; nothing is dropped.
//!
//! Big plain files are memory-mapped and split at line boundaries into chunks
//! ([`split_chunks`]) scanned on all cores, a window of chunks at a time
//! ([`TextFile`]); compressed files are read as a stream in blocks
//! ([`for_each_block`]). Either way a line longer than the cap (1 MiB by default) is
//! scanned up to the cap and counted as truncated, so memory stays bounded whatever
//! the input.

use std::io::Read;
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

use super::json_walk::{for_each_scalar, JsonScratch};
use super::{truncated_line, FileRead, FileReader, FileSink, ReadOptions};
use crate::source::format::Compression;
use crate::source::{Anomaly, Location, RecordSink, SourceError};

/// The default cap on one line's scanned length.
pub const DEFAULT_LINE_CAP: usize = 1 << 20;

/// The shape of a file's lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineFormat {
    /// Unstructured text.
    Plain,
    /// One JSON object per line.
    Json,
    /// `key=value` pairs (logfmt and friends).
    KeyValue,
    /// Apache/nginx common or combined access log.
    AccessLog,
}

impl LineFormat {
    /// Decides from the first (up to 50) non-empty lines: a format wins when at least
    /// 60 % of them parse as it.
    pub fn sniff(head: &[u8]) -> LineFormat {
        let complete = memchr::memrchr(b'\n', head).map_or(head, |p| &head[..p]);
        let lines: Vec<&[u8]> = complete
            .split(|&b| b == b'\n')
            .filter(|l| !l.trim_ascii().is_empty())
            .take(50)
            .collect();
        if lines.is_empty() {
            return LineFormat::Plain;
        }
        let share = |f: &mut dyn FnMut(&[u8]) -> bool| {
            lines.iter().filter(|l| f(l)).count() * 10 >= lines.len() * 6
        };
        let mut json = JsonScratch::default();
        if share(&mut |l| for_each_scalar(l.trim_ascii(), &mut json, &mut |_, _| {})) {
            LineFormat::Json
        } else if share(&mut |l| super::access_log::parse(l).is_some()) {
            LineFormat::AccessLog
        } else if share(&mut |l| kv_pairs(l).filter(|p| p.value.is_some()).count() >= 2) {
            LineFormat::KeyValue
        } else {
            LineFormat::Plain
        }
    }
}

/// The reader of text and log files ([`crate::source::format::Format::Text`]): a plain
/// file is memory-mapped and scanned in parallel chunks, a compressed one (or an object
/// from a store) streamed.
pub struct TextFile;

impl FileReader for TextFile {
    fn read(&self, mut job: FileRead<'_>) -> Result<(), SourceError> {
        let format = LineFormat::sniff(job.input.head);
        job.summary.line_format = Some(
            serde_json::to_value(format)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
        );
        job.summary.sampling = "all lines".into();
        job.summary.rows_are_lines = true;
        if job.input.compression == Compression::None && job.input.is_local() {
            job.input.close_stream();
            read_mapped(job.input.path, format, job.opts, job.sink)
        } else {
            let reader = job
                .input
                .open()
                .map_err(|e| SourceError::io("reading (decompressing)", e))?;
            read_stream(reader, format, job.opts.line_cap, job.sink)
        }
    }
}

/// Scans a plain file through a read-only memory map, in windows of chunks scanned in
/// parallel (see [`FileSink::parts`]).
fn read_mapped(
    path: &Path,
    format: LineFormat,
    opts: &ReadOptions,
    sink: &mut dyn FileSink,
) -> Result<(), SourceError> {
    let file = std::fs::File::open(path).map_err(|e| SourceError::io("opening", e))?;
    // Safety: the map is read-only and dropped before returning. A file truncated while
    // mapped can raise SIGBUS; ripgrep accepts the same trade-off for speed.
    let map =
        unsafe { memmap2::Mmap::map(&file) }.map_err(|e| SourceError::io("memory-mapping", e))?;
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    let bytes: &[u8] = &map;
    // The file is cut one window of chunks at a time, at line boundaries: cutting it all
    // up front touched a page at every boundary, and the kernel may map a whole large
    // folio (up to 2 MiB) per touch — 1 GB resident on a 4 GiB file before the first
    // window was scanned. Line numbers: each window counts its chunks' newlines (a
    // memchr pass over bytes about to be scanned anyway), then prefix sums continue
    // from the last window.
    let window = (rayon::current_num_threads() * 2).max(2);
    let span = window * opts.chunk_size.max(1);
    let mut line = 1u64;
    let mut window_start = 0usize;
    while window_start < bytes.len() {
        let mut window_end = (window_start + span).min(bytes.len());
        if window_end < bytes.len() {
            window_end = memchr::memchr(b'\n', &bytes[window_end..])
                .map_or(bytes.len(), |p| window_end + p + 1);
        }
        let window_range = window_start..window_end;
        window_start = window_end;
        let counts: Vec<(Range<usize>, u64)> =
            split_chunks(&bytes[window_range.clone()], opts.chunk_size)
                .into_par_iter()
                .map(|r| r.start + window_range.start..r.end + window_range.start)
                .map(|r| {
                    let newlines = memchr::memchr_iter(b'\n', &bytes[r.clone()]).count();
                    (r, newlines as u64)
                })
                .collect();
        let mut group: Vec<(Range<usize>, u64)> = Vec::with_capacity(counts.len());
        for (r, newlines) in counts {
            group.push((r, line));
            line += newlines;
        }
        sink.parts(group.len(), &|i, part| {
            let (range, first) = &group[i];
            scan_block(&bytes[range.clone()], *first, format, opts.line_cap, part);
        });
        // Done with this window: drop its pages from our resident set, so RSS stays
        // bounded however large the file (they stay in the page cache).
        #[cfg(unix)]
        // Safety: a read-only, file-backed shared mapping; MADV_DONTNEED only discards
        // our page-table entries, and a later access re-reads the file.
        let _ = unsafe {
            map.unchecked_advise_range(
                memmap2::UncheckedAdvice::DontNeed,
                window_range.start,
                window_range.len(),
            )
        };
    }
    Ok(())
}

/// Scans a (decompressed) stream in blocks of complete lines, writing findings out
/// after each block.
fn read_stream(
    reader: impl Read,
    format: LineFormat,
    cap: usize,
    sink: &mut dyn FileSink,
) -> Result<(), SourceError> {
    let mut truncated: Vec<u64> = Vec::new();
    let result = for_each_block(
        reader,
        4 << 20,
        cap,
        |block, first| {
            scan_block(block, first, format, cap, sink.as_records());
            sink.flush();
        },
        |line| truncated.push(line),
    );
    for line in truncated {
        truncated_line(sink.as_records(), line);
    }
    result.map_err(|e| SourceError::io("reading (decompressing)", e))
}

/// Splits `bytes` into chunks of about `target` bytes that end at line boundaries.
pub fn split_chunks(bytes: &[u8], target: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let want = (start + target).min(bytes.len());
        let end = if want == bytes.len() {
            want
        } else {
            memchr::memchr(b'\n', &bytes[want..]).map_or(bytes.len(), |p| want + p + 1)
        };
        out.push(start..end);
        start = end;
    }
    out
}

/// Pushes one block of complete lines (starting at line `first_line`) into `sink`.
pub fn scan_block(
    block: &[u8],
    first_line: u64,
    format: LineFormat,
    cap: usize,
    sink: &mut dyn RecordSink,
) {
    let valid_utf8 = std::str::from_utf8(block).is_ok();
    let mut line_no = first_line;
    let mut run_start = 0; // start of the pending run of plain lines
    let mut run_line = first_line;
    let mut pos = 0;
    let mut lines = 0u64;
    let mut json = JsonScratch::default();
    while pos < block.len() {
        let end = memchr::memchr(b'\n', &block[pos..]).map_or(block.len(), |p| pos + p);
        let line = &block[pos..end];
        lines += 1;
        let at = Location {
            line: Some(line_no),
            row: None,
        };
        if !valid_utf8 && std::str::from_utf8(line).is_err() {
            sink.anomaly(Anomaly::InvalidUtf8, at);
        }
        let long = line.len() > cap;
        let structured = format != LineFormat::Plain
            && !long
            && push_structured(line, format, at, &mut json, sink);
        if long || structured {
            if run_start < pos {
                sink.lines(&block[run_start..pos], run_line);
            }
            if long {
                sink.anomaly(Anomaly::TruncatedLine, at);
                sink.lines(&line[..floor_char_boundary(line, cap)], line_no);
            }
            run_start = (end + 1).min(block.len());
            run_line = line_no + 1;
        }
        line_no += 1;
        pos = end + 1;
    }
    if run_start < block.len() {
        sink.lines(&block[run_start..], run_line);
    }
    sink.rows(lines);
}

/// Cuts at `cap`, backing off to a UTF-8 boundary when the bytes are UTF-8 there.
fn floor_char_boundary(line: &[u8], cap: usize) -> usize {
    let mut i = cap.min(line.len());
    let mut back = 0;
    while i > 0 && back < 4 && (line[i - 1] & 0xc0) == 0x80 {
        i -= 1;
        back += 1;
    }
    if back > 0 && i > 0 && line[i - 1] >= 0xc0 {
        i - 1
    } else {
        cap.min(line.len())
    }
}

/// Reads a stream in blocks of complete lines, calling `f(block, first_line)`; lines
/// longer than `cap` are cut to `cap` (and reported through `on_truncated`) so the
/// buffer never grows past `block_size + cap`.
pub fn for_each_block(
    mut reader: impl Read,
    block_size: usize,
    cap: usize,
    mut f: impl FnMut(&[u8], u64),
    mut on_truncated: impl FnMut(u64),
) -> std::io::Result<()> {
    // A fixed buffer and a fill count: no re-zeroing per read (slow unoptimised).
    let mut buf: Vec<u8> = vec![0; block_size + cap];
    let mut len = 0usize;
    let mut line = 1u64;
    let mut skipping = false; // inside the rest of a truncated line
    loop {
        let n = match reader.read(&mut buf[len..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // Scan what arrived before the error (e.g. a truncated gzip member).
                if !skipping && len > 0 {
                    f(&buf[..len], line);
                }
                return Err(e);
            }
        };
        len += n;
        let eof = n == 0;
        if skipping {
            match memchr::memchr(b'\n', &buf[..len]) {
                Some(p) => {
                    buf.copy_within(p + 1..len, 0);
                    len -= p + 1;
                    skipping = false;
                    line += 1;
                }
                None => {
                    len = 0;
                    if eof {
                        return Ok(());
                    }
                    continue;
                }
            }
        }
        if eof {
            if len > 0 {
                f(&buf[..len], line);
            }
            return Ok(());
        }
        match memchr::memrchr(b'\n', &buf[..len]) {
            Some(p) if p + 1 >= block_size || len >= block_size => {
                f(&buf[..=p], line);
                line += memchr::memchr_iter(b'\n', &buf[..=p]).count() as u64;
                buf.copy_within(p + 1..len, 0);
                len -= p + 1;
            }
            None if len >= cap => {
                // One line longer than the cap: scan its head, skip the rest.
                on_truncated(line);
                let mut capped = buf[..cap].to_vec();
                capped.push(b'\n');
                f(&capped, line);
                len = 0;
                skipping = true;
            }
            _ => {}
        }
    }
}

/// One `key=value` pair in a line: the key's span and the value's span, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KvPair {
    /// Span of the key.
    pub key: Range<usize>,
    /// Span of the value (quotes stripped), or None for a bare `key=`.
    pub value: Option<(usize, usize)>,
    /// Span of the whole pair.
    pub whole: (usize, usize),
}

/// Iterates the `key=value` pairs of a line (`key="quoted value"` too).
pub fn kv_pairs(line: &[u8]) -> impl Iterator<Item = KvPair> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        while pos < line.len() {
            let eq = pos + memchr::memchr(b'=', &line[pos..])?;
            let mut ks = eq;
            while ks > 0
                && (line[ks - 1].is_ascii_alphanumeric()
                    || matches!(line[ks - 1], b'_' | b'.' | b'-'))
            {
                ks -= 1;
            }
            let key_ok = ks < eq
                && (ks == 0
                    || matches!(
                        line[ks - 1],
                        b' ' | b'\t' | b',' | b';' | b'&' | b'?' | b'[' | b'(' | b'{'
                    ));
            if !key_ok {
                pos = eq + 1;
                continue;
            }
            let (vs, ve, next) = if line.get(eq + 1) == Some(&b'"') {
                let mut i = eq + 2;
                while i < line.len() && line[i] != b'"' {
                    i += if line[i] == b'\\' { 2 } else { 1 };
                }
                let ve = i.min(line.len());
                (eq + 2, ve, (ve + 1).min(line.len()))
            } else {
                let ve = line[eq + 1..]
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'\t' | b',' | b';' | b'&'))
                    .map_or(line.len(), |p| eq + 1 + p);
                (eq + 1, ve, ve)
            };
            pos = next.max(eq + 1);
            let value = (ve > vs).then_some((vs, ve.min(line.len())));
            return Some(KvPair {
                key: ks..eq,
                value,
                whole: (ks, next),
            });
        }
        None
    })
}

/// Pushes a structured line as cells (plus the text between them); false if the line
/// does not parse as `format` (the caller then scans it as plain text).
fn push_structured(
    line: &[u8],
    format: LineFormat,
    at: Location,
    json: &mut JsonScratch,
    sink: &mut dyn RecordSink,
) -> bool {
    match format {
        LineFormat::Plain => false,
        LineFormat::Json => {
            let t = line.trim_ascii();
            t.starts_with(b"{")
                && for_each_scalar(t, json, &mut |path, value| {
                    let f = sink.field(path);
                    sink.cell(f, value, at);
                })
        }
        LineFormat::AccessLog => {
            let Some(p) = super::access_log::parse(line) else {
                return false;
            };
            sink.record_time(&line[p.time.clone()]);
            let mut emit = |name: &str, range: Option<Range<usize>>| {
                let value = range.map_or(&b""[..], |r| &line[r]);
                if value != b"-" && !value.is_empty() {
                    let f = sink.field(name);
                    sink.cell(f, value, at);
                }
            };
            emit("client_ip", Some(p.client));
            emit("user", Some(p.user));
            emit("referrer", p.referrer);
            emit("user_agent", p.user_agent);
            let req = &line[p.request];
            let mut parts = req.splitn(3, |&b| b == b' ');
            let (_method, url) = (parts.next(), parts.next());
            match url {
                Some(url) => {
                    let f = sink.field("url");
                    sink.cell(f, url, at);
                }
                None => {
                    let f = sink.field("request");
                    sink.cell(f, req, at);
                }
            }
            // Whatever follows the standard fields (custom log formats) is text.
            let end = p.end;
            if end < line.len() && !line[end..].trim_ascii().is_empty() {
                sink.text(&line[end..], at.line.unwrap_or(0));
            }
            true
        }
        LineFormat::KeyValue => {
            let mut gap_start = 0;
            let mut any = false;
            for pair in kv_pairs(line) {
                let Some((vs, ve)) = pair.value else { continue };
                any = true;
                if pair.whole.0 > gap_start
                    && !line[gap_start..pair.whole.0].trim_ascii().is_empty()
                {
                    sink.text(&line[gap_start..pair.whole.0], at.line.unwrap_or(0));
                }
                let key = String::from_utf8_lossy(&line[pair.key.clone()]);
                let f = sink.field(&key);
                sink.cell(f, &line[vs..ve], at);
                gap_start = pair.whole.1;
            }
            if !any {
                return false;
            }
            if gap_start < line.len() && !line[gap_start..].trim_ascii().is_empty() {
                sink.text(&line[gap_start..], at.line.unwrap_or(0));
            }
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records everything a source pushes.
    #[derive(Default)]
    struct Record {
        fields: Vec<String>,
        cells: Vec<(String, String, Option<u64>)>,
        texts: Vec<(String, u64)>,
        rows: u64,
        anomalies: Vec<(Anomaly, Option<u64>)>,
    }

    impl RecordSink for Record {
        fn field(&mut self, name: &str) -> u32 {
            crate::source::file::capped::tests::intern(&mut self.fields, name)
        }
        fn cell(&mut self, field: u32, value: &[u8], at: Location) {
            self.cells.push((
                self.fields[field as usize].clone(),
                String::from_utf8_lossy(value).into(),
                at.line,
            ));
        }
        fn text(&mut self, text: &[u8], first_line: u64) {
            self.texts
                .push((String::from_utf8_lossy(text).into(), first_line));
        }
        fn rows(&mut self, n: u64) {
            self.rows += n;
        }
        fn anomaly(&mut self, kind: Anomaly, at: Location) {
            self.anomalies.push((kind, at.line));
        }
    }

    #[test]
    fn sniffs_line_formats() {
        assert_eq!(
            LineFormat::sniff(b"{\"a\":1}\n{\"b\":{\"c\":2}}\n"),
            LineFormat::Json
        );
        let access = b"203.0.113.9 - - [17/May/2015:10:05:03 +0000] \"GET /a.html HTTP/1.1\" 200 7697 \"http://x.org/\" \"Mozilla/5.0\"\n";
        assert_eq!(LineFormat::sniff(access), LineFormat::AccessLog);
        assert_eq!(
            LineFormat::sniff(b"ts=1 level=info user=bob msg=\"hi there\"\n"),
            LineFormat::KeyValue
        );
        assert_eq!(
            LineFormat::sniff(b"Jan 1 host sshd[1]: Accepted password\n"),
            LineFormat::Plain
        );
    }

    #[test]
    fn json_lines_become_dotted_fields() {
        let mut r = Record::default();
        scan_block(
            b"{\"user\":{\"contact\":{\"email\":\"a@b.io\"}},\"tags\":[\"x\"],\"n\":123}\n",
            7,
            LineFormat::Json,
            100,
            &mut r,
        );
        assert!(r
            .cells
            .contains(&("user.contact.email".into(), "a@b.io".into(), Some(7))));
        assert!(r.cells.contains(&("tags[]".into(), "x".into(), Some(7))));
        assert!(r.cells.contains(&("n".into(), "123".into(), Some(7))));
        assert!(r.texts.is_empty());
    }

    #[test]
    fn access_log_fields() {
        let mut r = Record::default();
        let line = b"203.0.113.9 - frank [17/May/2015:10:05:03 +0000] \"GET /p?q=1 HTTP/1.1\" 200 77 \"http://r.org/\" \"curl/8\"\n";
        scan_block(line, 1, LineFormat::AccessLog, 1000, &mut r);
        let names: Vec<&str> = r.cells.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(
            names,
            ["client_ip", "user", "referrer", "user_agent", "url"]
        );
    }

    #[test]
    fn kv_values_and_gaps() {
        let mut r = Record::default();
        scan_block(
            b"Jan 1 app: user=bob email=\"b@x.io\" done\n",
            3,
            LineFormat::KeyValue,
            1000,
            &mut r,
        );
        assert_eq!(
            r.cells,
            vec![
                ("user".into(), "bob".into(), Some(3)),
                ("email".into(), "b@x.io".into(), Some(3))
            ]
        );
        assert_eq!(r.texts.len(), 2);
        assert_eq!(r.texts[0].0.trim(), "Jan 1 app:");
    }

    #[test]
    fn unparsable_lines_fall_back_to_text_with_right_line_numbers() {
        let mut r = Record::default();
        scan_block(
            b"{\"a\":\"x\"}\nnot json here\n{\"a\":\"y\"}\n",
            10,
            LineFormat::Json,
            100,
            &mut r,
        );
        assert_eq!(r.texts, vec![("not json here\n".to_string(), 11)]);
        assert_eq!(r.rows, 3);
    }

    #[test]
    fn long_lines_are_capped_and_counted() {
        let mut r = Record::default();
        let mut block = b"short\n".to_vec();
        block.extend(std::iter::repeat_n(b'x', 50));
        block.extend_from_slice(b"\nafter\n");
        scan_block(&block, 1, LineFormat::Plain, 20, &mut r);
        assert_eq!(r.anomalies, vec![(Anomaly::TruncatedLine, Some(2))]);
        assert_eq!(r.texts[1], ("x".repeat(20), 2));
        assert_eq!(r.texts[2], ("after\n".to_string(), 3));
    }

    #[test]
    fn invalid_utf8_is_counted_not_fatal() {
        let mut r = Record::default();
        scan_block(
            b"ok\nbad \xff\xfe line\n",
            1,
            LineFormat::Plain,
            100,
            &mut r,
        );
        assert_eq!(r.anomalies, vec![(Anomaly::InvalidUtf8, Some(2))]);
        assert_eq!(r.texts.len(), 1);
    }

    #[test]
    fn chunks_end_at_line_boundaries() {
        let bytes = b"aaaa\nbbbb\ncccc\ndddd\n";
        let chunks = split_chunks(bytes, 6);
        assert_eq!(chunks, vec![0..10, 10..20]);
        assert_eq!(split_chunks(b"no newline at all", 4), vec![0..17]);
    }

    #[test]
    fn stream_blocks_stay_bounded_on_one_endless_line() {
        // 50 MB of one line, read in small pieces like a decompressor hands them out.
        struct Endless(usize);
        impl Read for Endless {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = out.len().min(self.0).min(7_000);
                out[..n].fill(b'q');
                self.0 -= n;
                Ok(n)
            }
        }
        let mut largest = 0;
        let mut truncated = Vec::new();
        let mut bytes = 0;
        for_each_block(
            std::io::Read::chain(&b"a\n"[..], Endless(50_000_000)).chain(&b"\nz\n"[..]),
            4096,
            1024,
            |b, _| {
                largest = largest.max(b.len());
                bytes += b.len();
            },
            |l| truncated.push(l),
        )
        .unwrap();
        assert!(largest <= 4096 + 1024 + 1, "{largest}");
        assert_eq!(truncated, vec![2]);
        assert!(bytes < 8192, "{bytes}");
    }

    #[test]
    fn stream_blocks_keep_line_numbers_and_cap_huge_lines() {
        let mut data = b"a\nb\n".to_vec();
        data.extend(std::iter::repeat_n(b'z', 100));
        data.extend_from_slice(b"\nc\n");
        let mut blocks = Vec::new();
        let mut truncated = Vec::new();
        for_each_block(
            &data[..],
            8,
            16,
            |b, l| blocks.push((String::from_utf8_lossy(b).into_owned(), l)),
            |l| truncated.push(l),
        )
        .unwrap();
        assert_eq!(truncated, vec![3]);
        let joined: Vec<(String, u64)> = blocks;
        assert!(
            joined.iter().any(|(b, l)| b.starts_with("zzzz") && *l == 3),
            "{joined:?}"
        );
        assert!(
            joined.iter().any(|(b, l)| b == "c\n" && *l == 4),
            "{joined:?}"
        );
    }
}
