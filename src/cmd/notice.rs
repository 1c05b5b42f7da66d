//! `piimap notice`: the disclosure documents from an inventory and the manifest.

use piimap::exit::ExitCode;

use crate::cli::{Cli, NoticeArgs};

pub fn run(_cli: &Cli, _args: &NoticeArgs) -> anyhow::Result<ExitCode> {
    Err(anyhow::anyhow!(
        "piimap notice is not available in this build yet"
    ))
}
