//! The command line: raw flags only (clap derive). Resolving them into objects happens in
//! the command modules, so the library never sees clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Find personal information in databases, files and logs, and turn it into the privacy
/// disclosures the law requires (CCPA/CPRA, GDPR Art. 30).
///
/// Every value piimap reports is masked: no raw personal value is ever printed, logged
/// or written to an output file.
#[derive(Debug, Parser)]
#[command(name = "piimap", version, about, long_about, after_help = EXIT_CODES)]
pub struct Cli {
    /// A rule pack directory layered on the built-in one (same id replaces, new id adds).
    #[arg(long, global = true, value_name = "DIR", env = "PIIMAP_RULES")]
    pub rules: Option<PathBuf>,

    /// Report findings at or above this confidence (0.0–1.0).
    #[arg(long, global = true, default_value_t = 0.5, value_name = "X", value_parser = parse_confidence,
          allow_negative_numbers = true)]
    pub min_confidence: f32,

    /// Quiet, as in ripgrep: nothing on stdout, only errors on stderr. Output files
    /// (--out, --findings, …) are still written and the exit code still tells the
    /// outcome, which is what a nightly job reads.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// More detail on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

const EXIT_CODES: &str =
    "Exit codes: 0 success, 1 fatal error, 2 usage error, 3 policy violations found, \
4 partial (some assets could not be scanned).";

/// The most worker threads `-j` accepts; more is a usage error (exit 2). Above four
/// per core the count is lowered to four per core with a warning: more threads than
/// that only add contention (thousands of them made a small scan crawl).
pub const MAX_THREADS: usize = 256;

/// The most rows `--sample-rows` accepts (a sample is a sample; use --full to read all).
pub const MAX_SAMPLE_ROWS: usize = 10_000_000;

/// The most tables `--db-concurrency` scans at once per database.
pub const MAX_DB_CONCURRENCY: usize = 64;

/// The longest `--line-cap` (memory per reader is a small multiple of it).
pub const MAX_LINE_CAP: u64 = 64 << 20;

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files, directories, text or stdin for personal information.
    Scan(Box<ScanArgs>),
    /// List, test and check detection rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Check an inventory against the manifest's declarations (exit 3 on violations).
    Check(CheckArgs),
    /// Compare two inventories: new and removed data types, assets, fields, recipients.
    Diff(DiffArgs),
    /// Write a commented starter manifest (piimap.toml).
    Init(InitArgs),
    /// Record a reviewed finding (false positive or accepted) in the manifest's
    /// [[dispositions]], keeping its comments and layout.
    Dispose(DisposeArgs),
    /// Combine partial inventories (e.g. from `scan --shard K/N` runs) into one.
    Merge(MergeArgs),
    /// Generate the disclosure documents (CCPA privacy-policy section, notice at
    /// collection, GDPR Art. 30 record) and the visual report from an inventory.
    Notice(NoticeArgs),
    /// Find one person's data in every source and draft the answer to their request
    /// (right to know or to delete): a masked report, a response letter, on request an
    /// export of their records and a deletion plan that is never run.
    Find(Box<FindArgs>),
    /// Print a shell completion script on stdout (e.g. `piimap completions bash >
    /// /etc/bash_completion.d/piimap`).
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout, or write one page per subcommand with --out.
    Man(ManArgs),
}

/// `piimap completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `piimap man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write piimap.1 and one page per subcommand (piimap-scan.1, …) into DIR instead.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `piimap check`.
#[derive(Debug, Args)]
#[command(
    after_help = "Without --inventory, check scans the manifest's sources first (with the default scan settings) and checks the result, as a nightly job expects. For control over that scan (--full, --state, --out), run `piimap scan --config FILE --fail-on KINDS` instead: it checks the same way."
)]
pub struct CheckArgs {
    /// The inventory written by `piimap scan --out` (inventory.json). Without it, the
    /// manifest's sources are scanned now.
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// The manifest.
    #[arg(long, value_name = "FILE", default_value = "piimap.toml")]
    pub config: PathBuf,
    /// Exit 3 when violations of these kinds are found (undeclared, sensitive,
    /// recipients, stale, sale, unanswered, retention, incentive, or any).
    #[arg(
        long,
        value_name = "KINDS",
        value_delimiter = ',',
        default_value = "any"
    )]
    pub fail_on: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// `piimap diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older inventory.
    pub old: PathBuf,
    /// The newer inventory.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// `piimap merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial inventories (inventory.json files).
    #[arg(required = true, value_name = "PART")]
    pub parts: Vec<PathBuf>,
    /// Write the merged inventory.json, .csv, .parquet and .md here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Rebuild the data map against this manifest.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

/// `piimap init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write it.
    #[arg(default_value = "piimap.toml")]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// `piimap dispose`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  piimap dispose --inventory out/inventory.json --asset 'file:**/orders.csv' --field sku --type ssn --false-positive --reason 'SKU codes, not SSNs' --reviewer privacy@example.com --expires 2027-12-31"
)]
pub struct DisposeArgs {
    /// The inventory holding the finding (inventory.json); the entry must match at
    /// least one of its findings.
    #[arg(long, value_name = "FILE")]
    pub inventory: PathBuf,
    /// The manifest to append the [[dispositions]] entry to.
    #[arg(long, value_name = "FILE", default_value = "piimap.toml")]
    pub config: PathBuf,
    /// Asset id or path, a glob (`file:**/orders.csv`).
    #[arg(long, value_name = "GLOB")]
    pub asset: String,
    /// Field, a glob (omitted: every field of the asset).
    #[arg(long, value_name = "GLOB")]
    pub field: Option<String>,
    /// Data type (omitted: every type found there).
    #[arg(long = "type", value_name = "TYPE")]
    pub data_type: Option<String>,
    /// The finding is a false positive: it no longer counts anywhere.
    #[arg(
        long,
        conflicts_with = "accepted",
        required_unless_present = "accepted"
    )]
    pub false_positive: bool,
    /// The finding is real and accepted: it stays in the data map, without violations.
    #[arg(long)]
    pub accepted: bool,
    /// Why (required: a reviewer reads it next year).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Who reviewed it.
    #[arg(long, value_name = "NAME")]
    pub reviewer: String,
    /// Until when it holds (YYYY-MM-DD); afterwards the finding counts again.
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
}

/// The `piimap notice --kind` values: the documents of `piimap::notice::DOCUMENTS` that
/// have one, and `all`.
fn notice_kinds() -> clap::builder::PossibleValuesParser {
    use clap::builder::PossibleValue;
    let kinds = piimap::notice::DOCUMENTS
        .iter()
        .filter_map(|d| Some(PossibleValue::new(d.kind?).help(d.summary)));
    clap::builder::PossibleValuesParser::new(
        kinds.chain([PossibleValue::new("all").help("All of them, plus the visual report")]),
    )
}

/// Output format of notices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NoticeFormat {
    /// Markdown.
    Md,
    /// Standalone HTML.
    Html,
    /// JSON (the data model with its evidence).
    Json,
}

/// `piimap notice`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct NoticeArgs {
    /// Compare two notice models instead (`piimap notice diff OLD NEW`).
    #[command(subcommand)]
    pub action: Option<NoticeAction>,
    /// The inventory written by `piimap scan --out` (inventory.json).
    #[arg(long, value_name = "FILE", required = true)]
    pub inventory: Option<PathBuf>,
    /// The manifest.
    #[arg(long, value_name = "FILE", default_value = "piimap.toml")]
    pub config: PathBuf,
    /// Which document.
    #[arg(long, value_parser = notice_kinds(), default_value = "all")]
    pub kind: String,
    /// Output formats (repeatable; default: md and html).
    #[arg(long, value_enum)]
    pub format: Vec<NoticeFormat>,
    /// Where to write the documents.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// Templates overriding the built-in ones (same file names as rules/templates/).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Inventories kept by `scan --history`: categories collected in the preceding 12
    /// months are the union over them.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// Languages of the documents (repeatable or comma-separated: en, es; default: the
    /// manifest's organisation.languages, else en). Another language writes the
    /// documents that have templates under rules/templates/LANG/ (es: the privacy policy
    /// and the notice at collection) as NAME.LANG.md/.html.
    #[arg(long, value_name = "LANG", value_delimiter = ',')]
    pub lang: Vec<String>,
}

/// `piimap notice` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum NoticeAction {
    /// The redline of two notice models: categories, examples, recipients, the sale and
    /// sharing statement, sensitive personal information and retention added, removed
    /// or changed, each with the inventory or manifest change behind it
    /// (notice-diff.md, .html, .json).
    #[command(
        after_help = "OLD and NEW are notice.json files or inventories (inventory.json, or the dated inventory-YYYY-MM-DD.json that `scan --history` keeps); inventories are drafted with --config (and --old-config for OLD, when the manifest changed too).\n\nExample:\n  piimap notice diff history/inventory-2025-11-01.json out/inventory.json --config piimap.toml --out review/"
    )]
    Diff(NoticeDiffArgs),
}

/// `piimap notice diff`.
#[derive(Debug, Args)]
pub struct NoticeDiffArgs {
    /// The earlier notice.json or inventory.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The later notice.json or inventory.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// The manifest inventories are drafted with.
    #[arg(long, value_name = "FILE", default_value = "piimap.toml")]
    pub config: PathBuf,
    /// The manifest OLD is drafted with, when it differs from --config.
    #[arg(long, value_name = "FILE")]
    pub old_config: Option<PathBuf>,
    /// Output formats (repeatable; default: md, html and json).
    #[arg(long, value_enum)]
    pub format: Vec<NoticeFormat>,
    /// Where to write notice-diff.md/.html/.json.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// Templates overriding the built-in ones (notice-diff.md.j2, notice-diff.html.j2).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// Output formats for machines and humans.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table for humans.
    #[default]
    Table,
    /// JSON for machines.
    Json,
}

/// Formats of the `--findings` file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum FindingsFormat {
    /// One JSON object per finding and line.
    #[default]
    Jsonl,
    /// A SARIF 2.1.0 log, one result per finding.
    Sarif,
}

impl From<FindingsFormat> for piimap::output::findings::FindingsFileFormat {
    fn from(f: FindingsFormat) -> Self {
        match f {
            FindingsFormat::Jsonl => Self::JsonLines,
            FindingsFormat::Sarif => Self::Sarif,
        }
    }
}

/// `piimap scan`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  piimap scan ./exports --out out/\n  piimap scan /var/log/app --findings findings.jsonl --format json\n  echo 'card 4111 1111 1111 1111' | piimap scan"
)]
pub struct ScanArgs {
    /// Files or directories to scan (CSV/TSV, JSON lines, Parquet, text and logs; .gz and
    /// .zst too), or objects in a store: s3://bucket/prefix, gs://bucket/prefix,
    /// az://container/prefix, file:///dir (credentials from the cloud's standard
    /// environment: AWS_*, a profile or instance metadata; GOOGLE_APPLICATION_CREDENTIALS;
    /// AZURE_*). Without paths or --text, stdin is scanned as text.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// A database to scan (repeatable, mixes with paths): postgres://user@host:port/db
    /// (also postgresql://, ?sslmode=disable|prefer|require|verify-ca|verify-full,
    /// password from the URL, PGPASSWORD or ~/.pgpass) or sqlite:PATH. Read-only.
    #[arg(long = "db", value_name = "URL")]
    pub db: Vec<String>,

    /// Tables scanned at once per database (1–64).
    #[arg(long, default_value_t = 4, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_DB_CONCURRENCY as u64))]
    pub db_concurrency: usize,

    /// Also scan views and materialized views.
    #[arg(long)]
    pub views: bool,

    /// Statement timeout for every database query, in seconds (1–86400).
    #[arg(long, default_value_t = 60, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub statement_timeout: u64,

    /// Text to scan (repeatable), instead of paths. With --text or stdin only
    /// --format, --findings and --findings-format apply; other scan flags are refused.
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["paths", "db", "config"])]
    pub text: Vec<String>,

    /// Write DIR/inventory.json, inventory.csv, inventory.parquet and inventory.md (atomically).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// The manifest (piimap.toml): join the results with its declarations (data map,
    /// policy checks). Without paths or --db, scans the manifest's sources.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// With --config and --out: also write the disclosure documents (notice.md/.html,
    /// notice-at-collection, ropa.md/.csv, notice.json) and report.html into --out.
    #[arg(long, requires_all = ["config", "out"])]
    pub notice: bool,

    /// With --notice: also write the documents translated into these languages
    /// (comma-separated; es: notice.es.md/.html, notice-at-collection.es.md/.html;
    /// default: the manifest's organisation.languages).
    #[arg(long, value_name = "LANG", value_delimiter = ',', requires = "notice")]
    pub lang: Vec<String>,

    /// Exit 3 when violations of these kinds are found (comma-separated: undeclared,
    /// sensitive, recipients, stale, sale, unanswered, retention, incentive, or any). Needs --config.
    #[arg(long, value_name = "KINDS", value_delimiter = ',', requires = "config")]
    pub fail_on: Vec<String>,

    /// Keep a dated copy of the inventory in DIR (for "the preceding 12 months").
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,

    /// Incremental runs: skip files unchanged since the run that wrote FILE (size and
    /// mtime; with --verify also a SHA-256) and carry their results forward.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Scan only the assets whose stable id hashes to shard K of N (0-based, e.g. 0/4
    /// with Kubernetes' JOB_COMPLETION_INDEX); combine the parts with `piimap merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<piimap::scan::shard::Shard>,

    /// With --state: also compare content hashes.
    #[arg(long, requires = "state")]
    pub verify: bool,

    /// Write every finding, masked, to FILE (atomically): JSON lines, or SARIF with
    /// --findings-format sarif.
    #[arg(long, value_name = "FILE")]
    pub findings: Option<PathBuf>,

    /// Format of the --findings file: JSON lines, or SARIF 2.1.0 for code scanning
    /// (GitHub, GitLab). Needs --findings.
    #[arg(
        long,
        value_enum,
        default_value_t,
        value_name = "FORMAT",
        requires = "findings"
    )]
    pub findings_format: FindingsFormat,

    /// Output on stdout: a summary table, or the inventory as JSON.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,

    /// Rows sampled per table (CSV, JSON lines, Parquet; 1–10,000,000).
    #[arg(long, default_value_t = 10_000, value_name = "N", conflicts_with = "full",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_SAMPLE_ROWS as u64))]
    pub sample_rows: usize,

    /// Seed of the deterministic row sample (same seed, same rows).
    #[arg(long, default_value_t = 0, value_name = "N", conflicts_with = "full")]
    pub seed: u64,

    /// Read every row of every table instead of a sample (memory stays bounded).
    #[arg(long)]
    pub full: bool,

    /// Include hidden files and directories.
    #[arg(long)]
    pub hidden: bool,

    /// Do not honour .gitignore / .ignore files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links.
    #[arg(long = "follow", short = 'L')]
    pub follow: bool,

    /// Only scan files matching this glob (repeatable; gitignore syntax, relative to the
    /// current directory like ripgrep's -g: use `**/name` to match at any depth). For
    /// databases the glob matches `schema.table` or `schema.table.column`.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Never scan files matching this glob (repeatable; same syntax as --include).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Skip files larger than this (e.g. 500M, 2G).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_filesize: Option<u64>,

    /// Worker threads (default: all cores; 1–256, more than 4 per core is lowered to
    /// 4 per core with a warning).
    #[arg(long, short = 'j', value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_THREADS as u64))]
    pub threads: Option<usize>,

    /// Longest line, CSV field or record, or string value scanned (1K–64M); longer ones
    /// are scanned up to this and counted per asset, so memory stays bounded.
    #[arg(long, default_value = "1M", value_name = "SIZE", value_parser = parse_line_cap)]
    pub line_cap: u64,

    /// The flags given on the command line (filled in after parsing), so that a flag
    /// that would have no effect is refused instead of silently ignored.
    #[arg(skip)]
    pub given: Vec<String>,
}

/// `--min-confidence`: a number within 0.0–1.0.
fn parse_confidence(s: &str) -> Result<f32, String> {
    let x: f32 = s
        .trim()
        .parse()
        .map_err(|_| format!("not a number: {s:?}"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("must be within 0.0–1.0, got {s}"))
    }
}

/// `--line-cap`: a size within 1K–64M.
fn parse_line_cap(s: &str) -> Result<u64, String> {
    let n = parse_size(s)?;
    if !(1024..=MAX_LINE_CAP).contains(&n) {
        return Err(format!("must be within 1K–64M, got {s}"));
    }
    Ok(n)
}

/// Parses a size like `512`, `64K`, `10M`, `2G` (binary multiples).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                'B' => 1,
                _ => return Err(format!("unknown size suffix in {s:?} (use K, M, G or T)")),
            };
            (&t[..i], m)
        }
        _ => (t, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("not a size: {s:?}"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("size too large: {s:?}"))
}

/// `piimap rules ...`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the detectors (built-in plus --rules).
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Show what each rule finds in the given text, with confidence, masked value and why.
    Test {
        /// Only this rule.
        #[arg(long, value_name = "ID")]
        rule: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
        /// The texts to test.
        #[arg(required = true, value_name = "TEXT")]
        texts: Vec<String>,
    },
    /// Validate a user rule pack: parsing, regexes, validators, data types and examples.
    Check {
        /// The rule pack directory.
        dir: PathBuf,
    },
}

/// What `piimap find --plan` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FindPlan {
    /// A deletion plan (SQL per table in foreign-key order, files and lines), never run.
    Delete,
}

/// `piimap find`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  piimap find --config piimap.toml --history inventories/ --email ann@example.com --phone '+1 415 555 0100' --out dsar/\n  piimap find --db postgres://app@db/shop --inventory out/inventory.json --customer-id customer_id=42 --plan delete --out dsar/\n  piimap find /var/log/app --everywhere --ip 203.0.113.7 --format json"
)]
pub struct FindArgs {
    /// Files or directories to search (with --db; without either, the manifest's sources).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// A database to search (repeatable), as for `scan --db`. Read-only.
    #[arg(long = "db", value_name = "URL")]
    pub db: Vec<String>,
    /// The manifest: its sources are searched (without paths or --db), and its
    /// organisation, purposes, retention and recipients fill the report and the letter.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The person's email address (repeatable).
    #[arg(long, value_name = "EMAIL")]
    pub email: Vec<String>,
    /// The person's telephone number (repeatable; without a country code it is read in
    /// --region).
    #[arg(long, value_name = "PHONE")]
    pub phone: Vec<String>,
    /// The person's name (repeatable): name-only matches are reported apart and never
    /// alone decide that a record is theirs.
    #[arg(long, value_name = "NAME")]
    pub name: Vec<String>,
    /// The person's SSN or another national id, compared by its digits (repeatable).
    #[arg(long, value_name = "SSN")]
    pub ssn: Vec<String>,
    /// An IP address of the person (repeatable).
    #[arg(long, value_name = "IP")]
    pub ip: Vec<String>,
    /// A customer id: COLUMN=VALUE (or TABLE.COLUMN=VALUE), matched in columns and
    /// fields of that name (repeatable).
    #[arg(long = "customer-id", value_name = "COLUMN=VALUE")]
    pub customer_id: Vec<String>,
    /// A JSON file of identifiers: {"email": "...", "phone": ["...", "..."], ...}.
    #[arg(long, value_name = "FILE")]
    pub identifiers: Option<PathBuf>,
    /// The inventory that says where each data type lives (inventory.json).
    #[arg(long, value_name = "FILE", conflicts_with = "history")]
    pub inventory: Option<PathBuf>,
    /// Use the latest inventory kept by `scan --history DIR`.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// Search every text field of every asset, not only those the inventory says can
    /// hold the identifiers.
    #[arg(long)]
    pub everywhere: bool,
    /// Region of phone numbers without a country code (default: the manifest's
    /// organisation.default_region, else US).
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
    /// Output on stdout: a summary, or the report as JSON.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
    /// Write report.json, report.md and response-letter.md/.html into DIR (atomically).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write the person's actual records into DIR (mode 0600, with an EXPORT-README):
    /// the only output with raw values, for an access request.
    #[arg(long, value_name = "DIR")]
    pub export: Option<PathBuf>,
    /// Also write a plan into --out: `delete` writes deletion-plan.sql and
    /// deletion-plan.md (never run).
    #[arg(long, value_enum, requires = "out")]
    pub plan: Option<FindPlan>,
    /// Append one JSON line about this lookup to FILE (the identifiers only as a hash).
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Templates overriding the built-in response letter (same file names as
    /// rules/templates/).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Statement timeout for every database query, in seconds (1–86400).
    #[arg(long, default_value_t = 60, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub statement_timeout: u64,
    /// Foreign-key hops followed from matched rows (0–3).
    #[arg(long, default_value_t = 1, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=3))]
    pub hops: usize,
    /// Never use an index: compare the normalised form of every row.
    #[arg(long)]
    pub exhaustive: bool,
    /// Most rows one database lookup returns; more is reported as incomplete.
    #[arg(long, default_value_t = 100_000, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub max_rows: u64,
    /// Include hidden files and directories.
    #[arg(long)]
    pub hidden: bool,
    /// Do not honour .gitignore / .ignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Only search files (or tables) matching this glob (repeatable, as for scan).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Never search files (or tables) matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
}
