//! File readers: one [`FileReader`] per content format, chosen by [`reader`].
//!
//! The scan stage opens a file, sniffs its [`Format`] and compression
//! ([`crate::source::format`]), and hands the reader an [`Input`]; the reader pushes what
//! it reads into a [`FileSink`] and says how it read the file in a [`ReadSummary`].
//! Every reader has the same signature, so the scan stage has no per-format code.
//!
//! To add a reader: write `file/NAME.rs` with a unit struct implementing [`FileReader`],
//! and add its line to [`reader`] (plus its [`Format`] variant, if the format is new).
//!
//! A file that holds several tables (a workbook's sheets) is several assets
//! (`book.xlsx#Sheet1`, `book.xlsx#Sheet2`): its reader also implements
//! [`TablesReader`] and says so in [`FileReader::as_tables`]; the scan stage then hands
//! it [`TableSinks`], which give each table its own sink, summary and report. A caller
//! that wants one asset per file calls [`FileReader::read`], which such a reader
//! implements with [`read_tables_as_one`] (fields named `table#column`).

pub mod access_log;
pub mod avro;
pub mod capped;
pub mod csv;
pub mod json_walk;
pub mod jsonl;
pub mod parquet;
pub mod spreadsheet;
pub mod text;

use std::io::{self, Read};
use std::path::Path;

use super::format::{Compression, Format};
use super::{open, Anomaly, Location, RecordSink, Sampling, SourceError};

/// The reader of each format, or `None` for content no reader reads (binary data; a
/// SQLite file, which is a database: see [`crate::source::db`]). One line per reader.
pub fn reader(format: Format) -> Option<&'static dyn FileReader> {
    match format {
        Format::Csv { .. } => Some(&csv::CsvFile),
        Format::Jsonl => Some(&jsonl::JsonLinesFile),
        Format::Parquet => Some(&parquet::ParquetFile),
        Format::Xlsx | Format::Xls | Format::Ods => Some(&spreadsheet::Workbook),
        Format::Avro => Some(&avro::AvroFile),
        Format::Text => Some(&text::TextFile),
        Format::Sqlite | Format::Binary => None,
    }
}

/// What [`FileReader::read`] is asked to do: read one input into a sink, as the options
/// say, noting what it learns in the summary. One value, so that every reader takes the
/// same thing.
pub struct FileRead<'a> {
    /// The file (or object) and its sniffed format.
    pub input: Input<'a>,
    /// Sampling, caps and limits.
    pub opts: &'a ReadOptions,
    /// Where the records go.
    pub sink: &'a mut dyn FileSink,
    /// How the rows were chosen, columns skipped, …: kept when the read fails part-way.
    pub summary: &'a mut ReadSummary,
}

impl FileRead<'_> {
    /// Runs a table reader that may open the input more than once (a sample over budget
    /// is read again): `read` gets the opener, the sampling, the line cap and the sink;
    /// its stats go into the summary.
    pub fn read_table(
        self,
        read: impl FnOnce(
            &mut dyn FnMut() -> io::Result<Box<dyn Read + Send>>,
            Sampling,
            usize,
            &mut dyn RecordSink,
        ) -> Result<TableStats, SourceError>,
    ) -> Result<(), SourceError> {
        let FileRead {
            mut input,
            opts,
            sink,
            summary,
        } = self;
        let stats = read(
            &mut || input.open(),
            opts.sampling,
            opts.line_cap,
            sink.as_records(),
        )?;
        stats.summarize(summary);
        Ok(())
    }
}

/// Reads one format: pushes a file's records into a sink.
pub trait FileReader: Sync {
    /// Reads `input` into `sink` as `opts` say. What is learnt about the read (how rows
    /// were chosen, columns skipped, …) goes into `summary` as soon as it is known, so
    /// it is kept when the read then fails part-way.
    fn read(&self, job: FileRead<'_>) -> Result<(), SourceError>;

    /// Whether the reader opens `input.path` itself, as a seekable local file, instead
    /// of reading [`Input::open`]'s stream: an object from a store is then copied to a
    /// temporary file first (see `crate::source::object::read`).
    fn needs_local_file(&self) -> bool {
        false
    }

    /// This reader as a reader of several tables per file, when its files hold several
    /// (each table is then its own asset): see [`TablesReader`].
    fn as_tables(&self) -> Option<&dyn TablesReader> {
        None
    }
}

/// Reads a file that holds several tables (a workbook's sheets), each its own asset.
pub trait TablesReader: Sync {
    /// Reads every table of `input`, each through `tables.table(name, …)`. An error
    /// returned here is the file's (it could not be opened: corrupt, password-protected);
    /// an error of one table is returned to `table` and fails that table only.
    fn read_tables(
        &self,
        input: Input<'_>,
        opts: &ReadOptions,
        tables: &mut dyn TableSinks,
    ) -> Result<(), SourceError>;
}

/// How one table of a multi-table file is read: into the sink and summary it is given.
pub type ReadTable<'r> =
    dyn FnMut(&mut dyn FileSink, &mut ReadSummary) -> Result<(), SourceError> + 'r;

/// Where a [`TablesReader`] puts the tables it reads.
pub trait TableSinks {
    /// Reads the table `name` (asset `FILE#name`) by `read`, into a sink and a summary
    /// of its own; an error `read` returns is that table's (what was read before it is
    /// kept).
    fn table(&mut self, name: &str, read: &mut ReadTable<'_>);
}

/// [`FileReader::read`] for a [`TablesReader`]: every table into the one `sink`, its
/// fields named `table#field`, and the rows summed in `summary`. The first table error
/// is returned after every table was read.
pub fn read_tables_as_one(
    reader: &dyn TablesReader,
    input: Input<'_>,
    opts: &ReadOptions,
    sink: &mut dyn FileSink,
    summary: &mut ReadSummary,
) -> Result<(), SourceError> {
    let mut one = OneSink {
        sink,
        summary,
        first_error: None,
    };
    reader.read_tables(input, opts, &mut one)?;
    one.first_error.map_or(Ok(()), Err)
}

/// Tables folded into one sink (see [`read_tables_as_one`]).
struct OneSink<'a> {
    sink: &'a mut dyn FileSink,
    summary: &'a mut ReadSummary,
    first_error: Option<SourceError>,
}

impl TableSinks for OneSink<'_> {
    fn table(&mut self, name: &str, read: &mut ReadTable<'_>) {
        let mut table = ReadSummary::default();
        let mut prefixed = Prefixed {
            inner: &mut *self.sink,
            prefix: format!("{name}#"),
        };
        let result = read(&mut prefixed, &mut table);
        let s = &mut *self.summary;
        if s.sampling.is_empty() {
            s.sampling = table.sampling;
        }
        s.rows_scanned += table.rows_scanned;
        s.skipped_columns.extend(
            table
                .skipped_columns
                .into_iter()
                .map(|(c, why)| (format!("{name}#{c}"), why)),
        );
        if let (Err(e), None) = (result, &self.first_error) {
            self.first_error = Some(e);
        }
    }
}

/// A record sink that names every field `prefix + name`.
struct Prefixed<'a> {
    inner: &'a mut dyn FileSink,
    prefix: String,
}

impl Prefixed<'_> {
    fn named(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }
}

impl RecordSink for Prefixed<'_> {
    fn field(&mut self, name: &str) -> super::FieldId {
        let name = self.named(name);
        self.inner.field(&name)
    }
    fn field_with_hint(&mut self, name: &str, hint: &str) -> super::FieldId {
        let name = self.named(name);
        self.inner.field_with_hint(&name, hint)
    }
    fn cell(&mut self, field: super::FieldId, value: &[u8], at: Location) {
        self.inner.cell(field, value, at);
    }
    fn text(&mut self, text: &[u8], first_line: u64) {
        self.inner.text(text, first_line);
    }
    fn lines(&mut self, text: &[u8], first_line: u64) {
        self.inner.lines(text, first_line);
    }
    fn rows(&mut self, n: u64) {
        self.inner.rows(n);
    }
    fn anomaly(&mut self, kind: Anomaly, at: Location) {
        self.inner.anomaly(kind, at);
    }
}

/// Parts of a table are read one after another, in order, into the one sink.
impl FileSink for Prefixed<'_> {
    fn as_records(&mut self) -> &mut dyn RecordSink {
        self
    }
    fn flush(&mut self) {
        self.inner.flush();
    }
    fn parts(&mut self, n: usize, read: &(dyn Fn(usize, &mut dyn RecordSink) + Sync)) {
        for i in 0..n {
            read(i, self);
        }
    }
}

/// How files are read (the same for every file of a run).
#[derive(Clone, Copy, Debug)]
pub struct ReadOptions {
    /// How tables (CSV, JSON lines, Parquet) are sampled.
    pub sampling: Sampling,
    /// Longest line or field scanned (the rest is counted as truncated).
    pub line_cap: usize,
    /// Target size of the parts a big text file is cut into for parallel scanning.
    pub chunk_size: usize,
}

/// One opened file: where it is, what it holds, and its (decompressed) content.
pub struct Input<'a> {
    /// The file.
    pub path: &'a Path,
    /// Its sniffed format.
    pub format: Format,
    /// Its compression (the content given by [`Input::open`] is decompressed).
    pub compression: Compression,
    /// The first bytes of the decompressed content (what the format was sniffed from).
    pub head: &'a [u8],
    /// The stream already opened to sniff the format, given out by the first `open`.
    first: Option<Box<dyn Read + Send>>,
    /// Reopens the raw (still compressed) content when `path` is not a local file but
    /// names an object in a store.
    remote: Option<&'a Reopen<'a>>,
}

/// Opens an input's raw content again from its start (another GET of an object).
pub type Reopen<'a> = dyn Fn() -> io::Result<Box<dyn Read + Send>> + Sync + 'a;

impl<'a> Input<'a> {
    /// An input whose content stream `first` was opened to read `head`.
    pub fn new(
        path: &'a Path,
        format: Format,
        compression: Compression,
        head: &'a [u8],
        first: Box<dyn Read + Send>,
    ) -> Self {
        Input {
            path,
            format,
            compression,
            head,
            first: Some(first),
            remote: None,
        }
    }

    /// An input whose content is not a local file (an object in a store): `path` is its
    /// key, for names only, and `reopen` gives its raw content again.
    pub fn remote(
        path: &'a Path,
        format: Format,
        compression: Compression,
        head: &'a [u8],
        first: Box<dyn Read + Send>,
        reopen: &'a Reopen<'a>,
    ) -> Self {
        Input {
            remote: Some(reopen),
            ..Input::new(path, format, compression, head, first)
        }
    }

    /// Whether `path` is a local file a reader may open or map itself.
    pub fn is_local(&self) -> bool {
        self.remote.is_none()
    }

    /// The decompressed content from its start: the stream already open the first time,
    /// the file opened again after that (a table read twice, see
    /// [`crate::source::sample`]).
    pub fn open(&mut self) -> io::Result<Box<dyn Read + Send>> {
        match self.first.take() {
            Some(r) => Ok(r),
            None => match self.remote {
                Some(reopen) => open::open_stream(reopen()?, self.compression).map(|o| o.reader),
                None => open::open(self.path, self.compression).map(|o| o.reader),
            },
        }
    }

    /// Drops the stream opened for sniffing (a reader that maps the file instead).
    pub fn close_stream(&mut self) {
        self.first = None;
    }
}

/// How a file was read, for its report.
#[derive(Clone, Debug, Default)]
pub struct ReadSummary {
    /// How rows were chosen, stated plainly (`full`, `all lines`, a sample's method).
    pub sampling: String,
    /// Rows whose values were classified.
    pub rows_scanned: u64,
    /// The rows scanned are every line read (the sink's row count), not `rows_scanned`.
    pub rows_are_lines: bool,
    /// Columns not examined, with the reason.
    pub skipped_columns: Vec<(String, String)>,
    /// The sniffed line format of a text file (`plain`, `json`, `key_value`, …).
    pub line_format: Option<String>,
    /// The file was not read at all, for this reason (the asset is reported skipped).
    pub skipped: Option<String>,
}

/// What a table reader knows after reading (CSV, JSON lines, Parquet).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct TableStats {
    /// Data rows in the file.
    pub rows_total: u64,
    /// Rows whose values were classified.
    pub rows_scanned: u64,
    /// `full`, `all rows` (fewer than the sample size) or `reservoir sample (seed N)`.
    pub method: String,
    /// The column names used (sniffed header or `column_N`).
    pub columns: Vec<String>,
    /// Whether a header row was found.
    pub header: bool,
}

impl TableStats {
    /// Records a table read in the summary.
    fn summarize(self, summary: &mut ReadSummary) {
        summary.sampling = self.method;
        summary.rows_scanned = self.rows_scanned;
    }
}

/// A [`RecordSink`] for a whole file, which a reader may also split: a big file's
/// parts are read in parallel, each into its own sink, and folded back in order.
pub trait FileSink: RecordSink + Send {
    /// This sink as a plain record sink.
    fn as_records(&mut self) -> &mut dyn RecordSink;
    /// Writes out what the sink buffers for the findings file, so memory stays bounded
    /// however long the file.
    /// (Nothing, for a sink that buffers nothing.)
    fn flush(&mut self) {}
    /// Reads `n` independent parts of the file: part `i` by `read(i, part_sink)`, each
    /// into a sink of its own (possibly in parallel), then folded into this one in part
    /// order. By default, one after another into this sink itself.
    fn parts(&mut self, n: usize, read: &(dyn Fn(usize, &mut dyn RecordSink) + Sync)) {
        for i in 0..n {
            read(i, self.as_records());
        }
    }
}

/// A line truncated by a stream reader, as an anomaly.
fn truncated_line(sink: &mut dyn RecordSink, line: u64) {
    sink.anomaly(
        Anomaly::TruncatedLine,
        Location {
            line: Some(line),
            row: None,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::capped::tests::{sampling, Recorder};
    use super::*;

    fn read_file(path: &Path, chunk_size: usize) -> (Recorder, ReadSummary) {
        let head = std::fs::read(path).unwrap();
        let fmt = crate::source::format::detect(path, &head);
        let reader = reader(fmt).expect("a reader for the format");
        let stream = Box::new(std::fs::File::open(path).unwrap());
        let input = Input::new(path, fmt, Compression::None, &head, stream);
        let opts = ReadOptions {
            sampling: sampling(10, true),
            line_cap: 1 << 20,
            chunk_size,
        };
        let (mut sink, mut summary) = (Recorder::default(), ReadSummary::default());
        reader
            .read(FileRead {
                input,
                opts: &opts,
                sink: &mut sink,
                summary: &mut summary,
            })
            .unwrap();
        (sink, summary)
    }

    #[test]
    fn a_text_file_read_in_many_parts_comes_back_whole_and_in_line_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let text: String = (1..=500)
            .map(|i| format!("request {i} from user{i}@example.com\n"))
            .collect();
        std::fs::write(&path, &text).unwrap();
        let (sink, summary) = read_file(&path, 64);
        assert!(sink.texts.len() > 10, "{} parts", sink.texts.len());
        let joined: Vec<u8> = sink.texts.iter().flat_map(|(t, _)| t.clone()).collect();
        assert_eq!(String::from_utf8(joined).unwrap(), text);
        let firsts: Vec<u64> = sink.texts.iter().map(|(_, l)| *l).collect();
        assert!(firsts.windows(2).all(|w| w[0] < w[1]), "{firsts:?}");
        assert_eq!(sink.rows, 500);
        assert!(summary.rows_are_lines);
        assert_eq!(summary.line_format.as_deref(), Some("plain"));
    }

    #[test]
    fn the_registry_reads_tables_and_leaves_databases_and_binaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("people.csv");
        std::fs::write(
            &path,
            "name,email\nAda,ada@example.com\nBob,bob@example.com\n",
        )
        .unwrap();
        let (sink, summary) = read_file(&path, 1 << 20);
        assert_eq!(sink.fields, ["name", "email"]);
        assert_eq!(sink.cells.len(), 4);
        assert_eq!(summary.rows_scanned, 2);
        assert!(!summary.rows_are_lines);
        assert!(reader(Format::Sqlite).is_none() && reader(Format::Binary).is_none());
    }
}
