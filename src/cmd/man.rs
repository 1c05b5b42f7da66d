//! `piimap man`: the man page generated from the clap definition (roff), on stdout or
//! as one page per subcommand in a directory.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;
use piimap::exit::ExitCode;

use crate::cli::{Cli, ManArgs};

/// Prints piimap(1), or with `--out DIR` writes piimap.1 and piimap-SUBCOMMAND.1 there.
pub fn run(cli: &Cli, args: &ManArgs) -> anyhow::Result<ExitCode> {
    let mut out = super::stdout(cli);
    match &args.out {
        None => clap_mangen::Man::new(Cli::command()).render(&mut out)?,
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            let mut command = Cli::command().disable_help_subcommand(true);
            command.build();
            let pages = write_pages(command, dir)?;
            writeln!(
                out,
                "{pages} man pages written to {}",
                super::terminal(&dir.display().to_string())
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::Success)
}

/// Writes the page of `command` and of each of its subcommands; returns how many.
fn write_pages(command: clap::Command, dir: &Path) -> anyhow::Result<usize> {
    let mut pages = 0;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages += write_pages(sub.clone(), dir)?;
    }
    let man = clap_mangen::Man::new(command);
    let path = dir.join(man.get_filename());
    man.generate_to(dir)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(pages + 1)
}
