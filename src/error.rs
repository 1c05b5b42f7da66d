//! Typed library errors. The binary turns them into messages and exit codes; `anyhow`
//! stays in the binary.

/// A scan could not be configured: the flags or the manifest ask for something
/// impossible. The binary reports it as a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A flag, a combination of flags or a manifest entry that cannot be honoured.
    #[error("{0}")]
    Usage(String),
    /// The state file or the rule pack could not be read.
    #[error("{what}: {source}")]
    Io {
        /// What was being read.
        what: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
}

/// A scan ran but one of its output files could not be written. The assets already
/// scanned are in the inventory; nothing is half-written (outputs are atomic).
#[derive(Debug, thiserror::Error)]
#[error("writing {what}: {source}")]
pub struct OutputError {
    /// The file or the output that failed.
    pub what: String,
    /// Why.
    #[source]
    pub source: std::io::Error,
}
