//! `piimap completions SHELL`: a completion script generated from the clap definition,
//! so it never drifts from the flags.

use std::io::Write;

use clap::CommandFactory;
use piimap::exit::ExitCode;

use crate::cli::{Cli, CompletionsArgs};

/// Prints the completion script for `args.shell` on stdout.
pub fn run(cli: &Cli, args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut out = super::stdout(cli);
    clap_complete::generate(args.shell, &mut Cli::command(), "piimap", &mut out);
    out.flush()?;
    Ok(ExitCode::Success)
}
