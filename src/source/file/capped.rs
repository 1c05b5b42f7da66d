//! Bounded readers: whatever the input, a line, a CSV field or a CSV record never takes
//! more than the line cap in memory.
//!
//! * [`LineReader`] yields lines of at most `cap` bytes; the rest of a longer line is
//!   skipped up to its newline without being buffered, and the line is flagged as
//!   truncated. A line that fits in the read buffer is returned without copying.
//! * [`CsvCap`] is a `Read` adapter placed in front of the `csv` crate. It follows the
//!   RFC 4180 quoting the crate uses (a field is quoted only when it starts with `"`;
//!   `""` inside quotes is an escaped quote; a quote elsewhere is literal) and rewrites
//!   the stream so that no field holds more than `cap` bytes (the bytes of a longer
//!   field are dropped, its closing quote, delimiter and newline kept) and no record
//!   grows past [`RECORD_CAPS`] × `cap` bytes at a field boundary or past
//!   [`MAX_FIELDS`] fields (the remaining fields are dropped up to the record's end; a
//!   record limit above the field cap lets one huge field be cut without losing the
//!   fields after it). The output stays valid CSV,
//!   so the records after a truncated one parse exactly as before. Newlines dropped
//!   inside quoted fields are remembered, so line numbers stay right.
//!
//! Both jump between the bytes that matter with `memchr`, so skipping a 200 MB field
//! costs a memchr pass, not a byte-at-a-time loop.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read};

use super::Anomaly;

/// Most fields a CSV record keeps (Excel's column limit); the rest of a wider record is
/// dropped and counted, so one record cannot intern millions of column names.
pub const MAX_FIELDS: usize = 16_384;

/// A record may hold this many field caps' worth of bytes before its remaining fields
/// are dropped.
pub const RECORD_CAPS: usize = 4;

/// Read buffer of the bounded readers.
const BUF: usize = 256 * 1024;

/// One line from a [`LineReader`].
pub struct Line<'a> {
    /// The line without its newline, at most `cap` bytes.
    pub bytes: &'a [u8],
    /// 1-based line number.
    pub number: u64,
    /// The line was longer than the cap and was cut.
    pub truncated: bool,
}

/// Reads lines of at most `cap` bytes in bounded memory (see the module docs).
pub struct LineReader<R> {
    inner: BufReader<R>,
    cap: usize,
    line: Vec<u8>,
    /// Bytes of the read buffer still to consume (a line returned without copying).
    pending: usize,
    line_no: u64,
}

impl<R: Read> LineReader<R> {
    /// A reader cutting lines at `cap` bytes.
    pub fn new(reader: R, cap: usize) -> Self {
        LineReader {
            inner: BufReader::with_capacity(BUF, reader),
            cap,
            line: Vec::new(),
            pending: 0,
            line_no: 0,
        }
    }

    /// The next line, or None at the end of the stream.
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        if self.pending > 0 {
            self.inner.consume(self.pending);
            self.pending = 0;
        }
        self.line.clear();
        let mut truncated = false;
        let mut any = false;
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                if !any {
                    return Ok(None);
                }
                break;
            }
            any = true;
            let room = self.cap - self.line.len();
            match memchr::memchr(b'\n', avail) {
                Some(i) if self.line.is_empty() && !truncated && i <= self.cap => {
                    // The whole line is in the buffer: hand it out in place.
                    self.pending = i + 1;
                    self.line_no += 1;
                    return Ok(Some(Line {
                        bytes: &self.inner.buffer()[..i],
                        number: self.line_no,
                        truncated: false,
                    }));
                }
                Some(i) => {
                    truncated |= i > room;
                    self.line.extend_from_slice(&avail[..i.min(room)]);
                    self.inner.consume(i + 1);
                    break;
                }
                None => {
                    let n = avail.len();
                    truncated |= n > room;
                    self.line.extend_from_slice(&avail[..n.min(room)]);
                    self.inner.consume(n);
                }
            }
        }
        self.line_no += 1;
        Ok(Some(Line {
            bytes: &self.line,
            number: self.line_no,
            truncated,
        }))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    /// At the start of a field (or of a record).
    FieldStart,
    /// In an unquoted field, or after the closing quote of a quoted one.
    Unquoted,
    /// Inside quotes.
    Quoted,
    /// Saw a quote inside quotes: an escaped `""` or the closing quote.
    QuoteInQuoted,
}

/// A `Read` adapter that caps CSV fields and records (see the module docs).
pub struct CsvCap<R> {
    inner: R,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    delim: u8,
    cap: usize,
    record_cap: usize,
    state: St,
    drop_field: bool,
    drop_record: bool,
    /// Raw bytes of the current field (emitted or not).
    field_len: usize,
    /// Bytes emitted for the current record.
    record_len: usize,
    /// Delimiters seen in the current record.
    fields: usize,
    /// Structural bytes that did not fit in the caller's buffer.
    carry: [u8; 2],
    carry_len: usize,
    /// Bytes handed to the caller so far.
    out_total: u64,
    /// 1-based line of the raw input at the current position.
    raw_line: u64,
    /// Raw lines where the current field and record started.
    field_line: u64,
    record_line: u64,
    dropped_newlines: u64,
    /// (output offset, dropped newlines before it), for line-number correction.
    marks: VecDeque<(u64, u64)>,
    applied: u64,
    events: Vec<(Anomaly, u64)>,
}

impl<R: Read> CsvCap<R> {
    /// Wraps `inner`, a CSV stream with `delimiter`, capping fields and records at `cap`.
    pub fn new(inner: R, delimiter: u8, cap: usize) -> Self {
        CsvCap {
            inner,
            buf: vec![0; BUF].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            delim: delimiter,
            cap: cap.max(1),
            record_cap: cap.max(1).saturating_mul(RECORD_CAPS),
            state: St::FieldStart,
            drop_field: false,
            drop_record: false,
            field_len: 0,
            record_len: 0,
            fields: 0,
            carry: [0; 2],
            carry_len: 0,
            out_total: 0,
            raw_line: 1,
            field_line: 1,
            record_line: 1,
            dropped_newlines: 0,
            marks: VecDeque::new(),
            applied: 0,
            events: Vec::new(),
        }
    }

    /// Truncations found so far (`TruncatedField` / `TruncatedRecord` with the raw
    /// line), drained. They are found as the stream is read, a little ahead of the
    /// records the `csv` crate returns.
    pub fn take_events(&mut self) -> std::vec::Drain<'_, (Anomaly, u64)> {
        self.events.drain(..)
    }

    /// Newlines dropped before output offset `byte` (call with increasing offsets:
    /// a record's `position().byte()`), to add to the `csv` crate's line number.
    pub fn dropped_newlines_before(&mut self, byte: u64) -> u64 {
        while let Some(&(at, n)) = self.marks.front() {
            if at >= byte {
                break;
            }
            self.applied = n;
            self.marks.pop_front();
        }
        self.applied
    }

    fn emit(&mut self, out: &mut [u8], op: &mut usize, bytes: &[u8]) {
        for &b in bytes {
            if *op < out.len() && self.carry_len == 0 {
                out[*op] = b;
                *op += 1;
            } else {
                self.carry[self.carry_len] = b;
                self.carry_len += 1;
            }
        }
        self.record_len += bytes.len();
    }

    fn drop_newlines(&mut self, n: u64, op: usize) {
        if n == 0 {
            return;
        }
        self.dropped_newlines += n;
        self.raw_line += n;
        let at = self.out_total + op as u64;
        match self.marks.back_mut() {
            Some(last) if last.0 == at => last.1 = self.dropped_newlines,
            _ => self.marks.push_back((at, self.dropped_newlines)),
        }
    }

    fn truncate_field(&mut self) {
        if !self.drop_field {
            self.drop_field = true;
            self.events.push((Anomaly::TruncatedField, self.field_line));
        }
    }

    /// Handles `span` content bytes at `self.start`; returns how many were consumed.
    fn content(&mut self, span: usize, quoted: bool, out: &mut [u8], op: &mut usize) -> usize {
        let s = self.start;
        let count_nl = |b: &[u8]| {
            if quoted {
                memchr::memchr_iter(b'\n', b).count() as u64
            } else {
                0
            }
        };
        if self.drop_record || self.drop_field {
            let n = count_nl(&self.buf[s..s + span]);
            self.drop_newlines(n, *op);
            return span;
        }
        let room = self.cap.saturating_sub(self.field_len);
        let want = span.min(room);
        let space = out.len() - *op;
        if want > space {
            out[*op..].copy_from_slice(&self.buf[s..s + space]);
            self.raw_line += count_nl(&self.buf[s..s + space]);
            *op += space;
            self.field_len += space;
            self.record_len += space;
            return space;
        }
        let n = if want < span {
            utf8_floor(&self.buf[s..s + span], want)
        } else {
            want
        };
        out[*op..*op + n].copy_from_slice(&self.buf[s..s + n]);
        self.raw_line += count_nl(&self.buf[s..s + n]);
        *op += n;
        self.field_len += n;
        self.record_len += n;
        if n < span {
            self.truncate_field();
            let dropped = count_nl(&self.buf[s + n..s + span]);
            self.drop_newlines(dropped, *op);
        }
        span
    }

    /// A delimiter (already consumed) ends a field.
    fn end_field(&mut self, out: &mut [u8], op: &mut usize) {
        self.fields += 1;
        self.state = St::FieldStart;
        self.drop_field = false;
        self.field_len = 0;
        if self.drop_record {
            return;
        }
        if self.record_len >= self.record_cap || self.fields >= MAX_FIELDS {
            self.drop_record = true;
            self.events
                .push((Anomaly::TruncatedRecord, self.record_line));
            return;
        }
        let d = self.delim;
        self.emit(out, op, &[d]);
    }

    /// A record terminator (already consumed) ends a record; it is always kept.
    fn end_record(&mut self, b: u8, out: &mut [u8], op: &mut usize) {
        self.emit(out, op, &[b]);
        if b == b'\n' {
            self.raw_line += 1;
        }
        self.record_line = self.raw_line;
        self.state = St::FieldStart;
        self.drop_field = false;
        self.drop_record = false;
        self.field_len = 0;
        self.record_len = 0;
        self.fields = 0;
    }

    fn step(&mut self, out: &mut [u8], op: &mut usize) {
        let b = self.buf[self.start];
        match self.state {
            St::FieldStart => {
                self.field_line = self.raw_line;
                if b == b'"' {
                    self.start += 1;
                    self.state = St::Quoted;
                    if !self.drop_record {
                        self.emit(out, op, b"\"");
                    }
                } else if b == self.delim {
                    self.start += 1;
                    self.end_field(out, op);
                } else if b == b'\n' || b == b'\r' {
                    self.start += 1;
                    self.end_record(b, out, op);
                } else {
                    self.state = St::Unquoted;
                }
            }
            St::Unquoted => {
                let stop =
                    memchr::memchr3(self.delim, b'\n', b'\r', &self.buf[self.start..self.end]);
                let span = stop.unwrap_or(self.end - self.start);
                if span > 0 {
                    let used = self.content(span, false, out, op);
                    self.start += used;
                    if used < span {
                        return;
                    }
                }
                if stop.is_some() {
                    let b = self.buf[self.start];
                    self.start += 1;
                    if b == self.delim {
                        self.end_field(out, op);
                    } else {
                        self.end_record(b, out, op);
                    }
                }
            }
            St::Quoted => {
                let stop = memchr::memchr(b'"', &self.buf[self.start..self.end]);
                let span = stop.unwrap_or(self.end - self.start);
                if span > 0 {
                    let used = self.content(span, true, out, op);
                    self.start += used;
                    if used < span {
                        return;
                    }
                }
                if stop.is_some() {
                    self.start += 1;
                    self.state = St::QuoteInQuoted;
                }
            }
            St::QuoteInQuoted => {
                if b == b'"' {
                    // An escaped quote: two raw bytes, kept or dropped together.
                    self.start += 1;
                    self.state = St::Quoted;
                    if !self.drop_record && !self.drop_field {
                        if self.field_len + 2 <= self.cap {
                            self.emit(out, op, b"\"\"");
                        } else {
                            self.truncate_field();
                        }
                    }
                    self.field_len += 2;
                } else {
                    // The closing quote; what follows is handled as after any field.
                    self.state = St::Unquoted;
                    if !self.drop_record {
                        self.emit(out, op, b"\"");
                    }
                }
            }
        }
    }
}

/// Backs `n` off to a UTF-8 character boundary of `bytes` (at most 3 bytes back).
fn utf8_floor(bytes: &[u8], n: usize) -> usize {
    let mut i = n;
    while i > 0 && n - i < 3 && i < bytes.len() && (bytes[i] & 0xc0) == 0x80 {
        i -= 1;
    }
    if i < bytes.len() && (bytes[i] & 0xc0) == 0x80 {
        n
    } else {
        i
    }
}

/// `bytes` without a UTF-8 character cut off at its end (a line cut at the cap).
pub fn without_partial_char(bytes: &[u8]) -> &[u8] {
    let n = bytes.len();
    for back in 1..=n.min(4) {
        let b = bytes[n - back];
        if b & 0xc0 == 0x80 {
            continue; // a continuation byte: look further back for the lead
        }
        let want = match b {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => 1,
        };
        return if want > back {
            &bytes[..n - back]
        } else {
            bytes
        };
    }
    bytes
}

impl<R: Read> Read for CsvCap<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut op = 0;
        while self.carry_len > 0 && op < out.len() {
            out[op] = self.carry[0];
            self.carry[0] = self.carry[1];
            self.carry_len -= 1;
            op += 1;
        }
        while op < out.len() && self.carry_len == 0 {
            if self.start == self.end {
                if self.eof || op > 0 {
                    break;
                }
                let n = loop {
                    match self.inner.read(&mut self.buf) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                };
                self.start = 0;
                self.end = n;
                if n == 0 {
                    self.eof = true;
                    if self.state == St::QuoteInQuoted && !self.drop_record {
                        self.emit(out, &mut op, b"\"");
                    }
                    self.state = St::FieldStart;
                    continue;
                }
            }
            self.step(out, &mut op);
        }
        self.out_total += op as u64;
        Ok(op)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::source::Sampling;
    use crate::source::{Location, RecordSink};

    /// A sample of `rows` (or every row, `full`) with a fixed seed, for the readers' tests.
    pub(crate) fn sampling(rows: usize, full: bool) -> Sampling {
        Sampling {
            rows,
            full,
            seed: 7,
        }
    }

    /// One pushed cell: (field, value, line, row).
    pub(crate) type Cell = (String, Vec<u8>, Option<u64>, Option<u64>);

    /// One budgeted read: the reader's stats, the cells it pushed, how often it opened
    /// the data (a sample over budget is read again from the start).
    pub(crate) type BudgetRun = (crate::source::file::TableStats, Vec<Cell>, usize);

    /// Runs `read` (a reader's `read_with_budget`, given the opener, the budget and the
    /// sink) over `data`, counting the opens.
    pub(crate) fn run_with_budget<'a>(
        data: &'a [u8],
        budget: usize,
        read: impl FnOnce(
            &mut dyn FnMut() -> std::io::Result<&'a [u8]>,
            usize,
            &mut Recorder,
        )
            -> Result<crate::source::file::TableStats, crate::source::SourceError>,
    ) -> BudgetRun {
        let mut opens = 0;
        let mut sink = Recorder::default();
        let mut open = || {
            opens += 1;
            Ok(data)
        };
        let stats = read(&mut open, budget, &mut sink).unwrap();
        (stats, sink.cells, opens)
    }

    /// Records what a reader pushes: cells, text runs, row counts, anomalies.
    #[derive(Default)]
    pub(crate) struct Recorder {
        pub fields: Vec<String>,
        pub cells: Vec<Cell>,
        pub texts: Vec<(Vec<u8>, u64)>,
        pub rows: u64,
        pub anomalies: Vec<(Anomaly, Option<u64>)>,
    }

    /// Parts are read one after another into the recorder itself.
    impl crate::source::file::FileSink for Recorder {
        fn as_records(&mut self) -> &mut dyn RecordSink {
            self
        }
    }

    impl Recorder {
        /// The values pushed for `field`, as text, in order.
        pub fn values(&self, field: &str) -> Vec<String> {
            self.cells
                .iter()
                .filter(|c| c.0 == field)
                .map(|c| String::from_utf8_lossy(&c.1).into_owned())
                .collect()
        }
    }

    /// The id of field `name` in `fields`, added if new (as a reader's sink numbers them).
    pub(crate) fn intern(fields: &mut Vec<String>, name: &str) -> u32 {
        match fields.iter().position(|f| f == name) {
            Some(i) => i as u32,
            None => {
                fields.push(name.to_string());
                fields.len() as u32 - 1
            }
        }
    }

    impl RecordSink for Recorder {
        fn field(&mut self, name: &str) -> u32 {
            intern(&mut self.fields, name)
        }
        fn cell(&mut self, field: u32, value: &[u8], at: Location) {
            let name = self.fields[field as usize].clone();
            self.cells.push((name, value.to_vec(), at.line, at.row));
        }
        fn text(&mut self, text: &[u8], first_line: u64) {
            self.texts.push((text.to_vec(), first_line));
        }
        fn rows(&mut self, n: u64) {
            self.rows += n;
        }
        fn anomaly(&mut self, kind: Anomaly, at: Location) {
            self.anomalies.push((kind, at.line));
        }
    }

    fn lines(data: &[u8], cap: usize) -> Vec<(String, u64, bool)> {
        let mut r = LineReader::new(data, cap);
        let mut out = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            out.push((
                String::from_utf8_lossy(l.bytes).into_owned(),
                l.number,
                l.truncated,
            ));
        }
        out
    }

    #[test]
    fn line_reader_caps_and_keeps_line_numbers() {
        let mut data = b"a\nbb\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 1_000_000));
        data.extend_from_slice(b"\nafter\nlast");
        let got = lines(&data, 10);
        assert_eq!(
            got,
            vec![
                ("a".into(), 1, false),
                ("bb".into(), 2, false),
                ("x".repeat(10), 3, true),
                ("after".into(), 4, false),
                ("last".into(), 5, false),
            ]
        );
        // Exactly the cap is not a truncation; an empty stream has no lines.
        assert_eq!(lines(b"12345\n", 5), vec![("12345".into(), 1, false)]);
        assert!(lines(b"", 5).is_empty());
        assert_eq!(lines(b"\n\n", 5).len(), 2);
    }

    /// Reads `data` through the adapter in small pieces (to cross every boundary).
    fn capped(data: &[u8], cap: usize, chunk: usize) -> (Vec<u8>, Vec<(Anomaly, u64)>) {
        let mut c = CsvCap::new(data, b',', cap);
        let mut out = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            let n = c.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        let events = c.take_events().collect();
        (out, events)
    }

    #[test]
    fn csv_fields_are_capped_and_stay_valid() {
        let data =
            b"id,note\n1,\"ab\"\"cd\"\n2,\"0123456789\nxyz\",tail\n3,plain0123456789\n4,\"x\"\n";
        for chunk in [1, 2, 3, 7, 4096] {
            let (out, events) = capped(data, 6, chunk);
            assert_eq!(
                String::from_utf8_lossy(&out),
                "id,note\n1,\"ab\"\"cd\"\n2,\"012345\",tail\n3,plain0\n4,\"x\"\n",
                "chunk {chunk}"
            );
            assert_eq!(
                events,
                vec![(Anomaly::TruncatedField, 3), (Anomaly::TruncatedField, 5)],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn escaped_quotes_are_never_split() {
        // The cap falls between the two quotes of `""`: both are dropped.
        let (out, _) = capped(b"\"abcd\"\"ef\",z\n", 5, 3);
        assert_eq!(String::from_utf8_lossy(&out), "\"abcd\",z\n");
    }

    #[test]
    fn long_records_lose_their_tail_fields() {
        // cap 4: records are cut at 16 bytes, at a field boundary.
        let data = b"aaaa,bbbb,cccc,dddd,\"e,\ne\",ffff\nnext,row\n";
        for chunk in [1, 5, 4096] {
            let (out, events) = capped(data, 4, chunk);
            assert_eq!(
                String::from_utf8_lossy(&out),
                "aaaa,bbbb,cccc,dddd\nnext,row\n"
            );
            assert_eq!(events, vec![(Anomaly::TruncatedRecord, 1)]);
        }
        let wide = ",".repeat(MAX_FIELDS + 10) + "\nx\n";
        let (out, events) = capped(wide.as_bytes(), 1 << 20, 4096);
        assert_eq!(out.len(), MAX_FIELDS - 1 + 3);
        assert_eq!(events.len(), 1);
    }

    #[test]
    fn truncated_quoted_field_does_not_desync_the_following_records() {
        let mut data = b"id,email,blob\n1,a@x.io,\"".to_vec();
        data.extend(std::iter::repeat_n(b"y,\"\"\n".as_slice(), 50_000).flatten());
        data.extend_from_slice(b"\"\n2,b@x.io,short\n3,c@x.io,\"q\"\n");
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(CsvCap::new(&data[..], b',', 64));
        let mut rec = csv::ByteRecord::new();
        let mut got = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            let pos = rec.position().unwrap();
            let line = pos.line() + rdr.get_mut().dropped_newlines_before(pos.byte());
            got.push((rec.len(), rec.get(1).map(|f| f.to_vec()), line));
            assert!(rec.iter().all(|f| f.len() <= 64));
        }
        assert_eq!(got.len(), 4);
        assert!(got.iter().all(|g| g.0 == 3), "{got:?}");
        assert_eq!(got[2], (3, Some(b"b@x.io".to_vec()), 50_003));
        assert_eq!(got[3].2, 50_004);
        let events: Vec<_> = rdr.get_mut().take_events().collect();
        assert_eq!(events, vec![(Anomaly::TruncatedField, 2)]);
    }

    #[test]
    fn utf8_cut_backs_off_to_a_boundary() {
        assert_eq!(utf8_floor("aé".as_bytes(), 2), 1);
        assert_eq!(utf8_floor("aé".as_bytes(), 3), 3);
        assert_eq!(utf8_floor(b"abc", 2), 2);
        let e = "aé".as_bytes();
        assert_eq!(without_partial_char(e), e);
        assert_eq!(without_partial_char(&e[..2]), b"a");
        assert_eq!(without_partial_char(b"ab"), b"ab");
    }
}
