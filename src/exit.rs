//! Process exit codes: part of piimap's stable interface for nightly jobs.

/// The documented exit codes (see README "Exit codes"). Keep the numbers stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitCode {
    /// Everything asked for was done.
    Success = 0,
    /// A fatal error: nothing useful could be produced.
    Fatal = 1,
    /// The command line or a configuration file was wrong.
    Usage = 2,
    /// Policy violations were found (`--fail-on`).
    Violations = 3,
    /// Partial: some assets could not be scanned; the others were.
    Partial = 4,
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(code as u8)
    }
}
