//! The `piimap` binary: parse flags, run the command, map the outcome to an exit code.

mod cli;
mod cmd;

use clap::{CommandFactory, FromArgMatches};
use piimap::exit::ExitCode;

/// Parses the command line, remembering which scan flags were given explicitly (clap's
/// derive API forgets it; `scan` refuses flags that would have no effect).
fn parse() -> Result<cli::Cli, clap::Error> {
    let command = cli::Cli::command();
    let matches = command.clone().try_get_matches()?;
    let mut cli = cli::Cli::from_arg_matches(&matches)?;
    if let (cli::Command::Scan(args), Some(sub), Some(scan)) = (
        &mut cli.command,
        matches.subcommand_matches("scan"),
        command.find_subcommand("scan"),
    ) {
        args.given = scan
            .get_arguments()
            .map(|a| a.get_id().as_str())
            .filter(|id| sub.value_source(id) == Some(clap::parser::ValueSource::CommandLine))
            .map(str::to_string)
            .collect();
    }
    Ok(cli)
}

fn main() -> std::process::ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitCode::Usage
            } else {
                ExitCode::Success
            };
            let _ = e.print();
            return code.into();
        }
    };
    cmd::init_logging(cli.quiet, cli.verbose);
    match cmd::run(cli) {
        Ok(code) => code.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::Success.into();
            }
            // Error chains carry file, table and asset names from the data.
            let message = format!("{err:#}");
            eprintln!(
                "piimap: error: {}",
                piimap::output::escape::terminal_text(&message)
            );
            let code = if err.downcast_ref::<cmd::UsageError>().is_some() {
                ExitCode::Usage
            } else {
                ExitCode::Fatal
            };
            code.into()
        }
    }
}

/// A closed pipe (`piimap ... | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
