//! The `piimap` binary: parse flags, run the command, map the outcome to an exit code.

mod cli;
mod cmd;

use clap::Parser;
use piimap::exit::ExitCode;

fn main() -> std::process::ExitCode {
    let cli = match cli::Cli::try_parse() {
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
            eprintln!("piimap: error: {err:#}");
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
