//! Command implementations: resolve flags into library objects and run them.

mod check;
mod completions;
mod dispose;
mod find;
mod man;
mod notice;
mod notice_diff;
mod rules;
mod scan;

use std::io::IsTerminal;

use anyhow::Context;
use piimap::detect::Engine;
use piimap::exit::ExitCode;

use crate::cli::{Cli, Command};

/// An error in what the user asked for (exit code 2), as opposed to a failure to do it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Sets up `tracing` on stderr: warnings by default, `-v`/`-vv` for more, `RUST_LOG` wins.
pub fn init_logging(quiet: bool, verbose: u8) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}

/// Where a command prints its result: stdout, or nothing at all under `-q` (ripgrep's
/// meaning: the exit code and the output files tell the outcome).
pub fn stdout(cli: &Cli) -> Box<dyn std::io::Write> {
    if cli.quiet {
        Box::new(std::io::sink())
    } else {
        Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
    }
}

/// Data-derived text made safe for a terminal (control characters shown escaped).
pub fn terminal(s: &str) -> std::borrow::Cow<'_, str> {
    piimap::output::escape::terminal(s)
}

/// Loads the built-in rules plus `--rules`, with the threshold applied (the parser has
/// checked it is within 0.0–1.0).
pub fn load_engine(cli: &Cli) -> anyhow::Result<Engine> {
    let engine = load_rules(cli)?;
    engine.prepare().context("compiling rules")?;
    Ok(engine)
}

/// Loads the rules without compiling the matchers (for listing them: fast start-up).
pub fn load_rules(cli: &Cli) -> anyhow::Result<Engine> {
    let mut engine = Engine::with_rules(cli.rules.as_deref()).context("loading rules")?;
    engine.set_threshold(cli.min_confidence);
    Ok(engine)
}

/// The knowledge files not held by the engine (vocabularies).
pub struct Knowledge {
    /// Controlled vocabularies.
    pub vocab: piimap::knowledge::Vocabulary,
}

impl Knowledge {
    /// Loads the built-in knowledge.
    pub fn load() -> anyhow::Result<Knowledge> {
        Ok(Knowledge {
            vocab: piimap::knowledge::Vocabulary::builtin().context("loading the vocabulary")?,
        })
    }

    /// The disclosure model of `inventory` under `manifest` as of `today` (YYYY-MM-DD),
    /// with the earlier inventories of the 12-month window.
    pub fn notice_model(
        &self,
        engine: &Engine,
        (inventory, manifest): (&piimap::inventory::Inventory, &piimap::manifest::Manifest),
        today: &str,
        history: &[piimap::notice::HistoryInventory],
    ) -> piimap::notice::NoticeModel {
        piimap::notice::NoticeModel::build(
            inventory,
            manifest,
            engine.taxonomy(),
            &self.vocab,
            engine.catalog(),
            today,
            history,
        )
    }
}

/// Joins an inventory with a manifest (the data map, as of `today`, YYYY-MM-DD) and checks
/// it: a thin call of [`piimap::inventory::assess`].
pub fn assess(
    engine: &Engine,
    manifest: &piimap::manifest::Manifest,
    inventory: &piimap::inventory::Inventory,
    today: &str,
) -> anyhow::Result<(
    piimap::inventory::datamap::DataMap,
    Vec<piimap::policy::Violation>,
)> {
    let vocab = Knowledge::load()?.vocab;
    let knowledge = piimap::inventory::assess::Knowledge {
        taxonomy: engine.taxonomy(),
        vocab: &vocab,
        catalog: engine.catalog(),
    };
    let a = piimap::inventory::assess(inventory, manifest, knowledge, today);
    Ok((a.map, a.violations))
}

/// The folder a manifest's relative paths are resolved against: the manifest's own
/// (empty, the working directory, without a manifest).
pub fn manifest_dir(config: Option<&std::path::Path>) -> std::path::PathBuf {
    config
        .and_then(std::path::Path::parent)
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default()
}

/// The languages of the documents: `--lang` when given, else the manifest's
/// `organisation.languages`, else English. An unknown language (or one without
/// templates) is a usage error naming where it came from.
pub fn notice_languages(
    flag: &[String],
    manifest: Option<&piimap::manifest::Manifest>,
    templates: Option<&std::path::Path>,
) -> anyhow::Result<Vec<piimap::notice::Language>> {
    let declared = manifest.map_or(&[][..], |m| &m.organisation.languages[..]);
    let (codes, origin): (Vec<String>, &str) = match (flag.is_empty(), declared.is_empty()) {
        (false, _) => (flag.to_vec(), "--lang"),
        (true, false) => (declared.to_vec(), "organisation.languages"),
        (true, true) => (vec!["en".into()], "--lang"),
    };
    codes
        .iter()
        .map(|l| piimap::notice::Language::load(l, templates))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(|e| UsageError(format!("{origin} {e:#}")).into())
}

/// Reads and validates a manifest; its errors are usage errors (exit 2).
pub fn load_manifest(
    engine: &Engine,
    path: &std::path::Path,
) -> anyhow::Result<piimap::manifest::Manifest> {
    let vocab = Knowledge::load()?.vocab;
    piimap::manifest::Manifest::load(path, engine.taxonomy(), &vocab, engine.catalog())
        .map_err(|e| UsageError(e.to_string()).into())
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Scan(args) => scan::run(&cli, args),
        Command::Rules(cmd) => rules::run(&cli, cmd),
        Command::Check(args) => check::run_check(&cli, args),
        Command::Diff(args) => check::run_diff(&cli, args),
        Command::Init(args) => check::run_init(cli.quiet, args),
        Command::Dispose(args) => dispose::run(&cli, args),
        Command::Merge(args) => scan::run_merge(&cli, args),
        Command::Notice(args) => match &args.action {
            Some(crate::cli::NoticeAction::Diff(d)) => notice_diff::run(&cli, d),
            None => notice::run(&cli, args),
        },
        Command::Find(args) => find::run(&cli, args),
        Command::Completions(args) => completions::run(&cli, args),
        Command::Man(args) => man::run(&cli, args),
    }
}
