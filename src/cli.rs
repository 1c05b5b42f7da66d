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
    #[arg(long, global = true, default_value_t = 0.5, value_name = "X")]
    pub min_confidence: f32,

    /// Only errors on stderr.
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

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan text for personal information (text given with --text, or stdin).
    Scan(ScanArgs),
    /// List, test and check detection rules.
    #[command(subcommand)]
    Rules(RulesCommand),
}

/// Output formats for machines and humans.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for humans.
    #[default]
    Table,
    /// JSON for machines.
    Json,
}

/// `piimap scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Text to scan (repeatable). Without it, stdin is scanned.
    #[arg(long, value_name = "TEXT")]
    pub text: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `piimap rules ...`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the detectors (built-in plus --rules).
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Show what each rule finds in the given text, with confidence, masked value and why.
    Test {
        /// Only this rule.
        #[arg(long, value_name = "ID")]
        rule: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
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
