//! piimap finds personal information in an organisation's data and turns what it finds
//! into the privacy disclosures the law requires.
//!
//! Data flows one way, and each stage lives in its own module:
//!
//! ```text
//!  source ──► records / cells ──► detect (Engine) ──► findings ──► inventory ──► renderers
//!             (files, databases)   rules/ as data      FindingSink
//! ```
//!
//! * [`rules`] loads the declarative rule pack (detectors, taxonomy) — built in, or a
//!   user directory on top.
//! * [`detect`] compiles every detector into one multi-pattern regex plus one literal
//!   automaton (context words, prefilters, recipient literals) and scores
//!   candidates in explicit stages (pattern → validator → context → name hint →
//!   threshold). It has two entry points: free text ([`detect::Scanner::scan_text`]) and
//!   column classification ([`classify::column::ColumnClassifier`]).
//! * [`validate`] holds the checksum and structural validators rules refer to by name.
//! * [`mask`] makes the masked form every finding carries; raw values never leave.
//! * [`source`] walks paths and reads files (CSV/TSV, JSON lines, Parquet, text and
//!   logs, compressed or not), pushing cells and text into a [`source::RecordSink`].
//! * [`scan`] orchestrates sources and the engine in parallel into per-asset reports.
//! * [`inventory`] is the result model written as `inventory.json`; [`output`] renders
//!   it for humans.

//!
//! Scanning a line of text with the built-in rules:
//!
//! ```
//! use piimap::detect::{Engine, Finding};
//!
//! let engine = Engine::with_rules(None).expect("built-in rules");
//! let text = b"paid with card 4111 1111 1111 1111";
//! let mut found: Vec<Finding> = Vec::new();
//! engine.scanner().scan_text(text, &mut found);
//! assert_eq!(engine.data_type(found[0].detector), "credit_card");
//! // Only the masked form ever leaves the process.
//! assert_eq!(found[0].masked(text).as_str(), "**** **** **** 1111");
//! ```

pub mod classify;
pub mod detect;
pub mod error;
pub mod exit;
pub mod find;
pub mod inventory;
pub mod knowledge;
pub mod manifest;
pub mod mask;
pub mod names;
pub mod notice;
pub mod output;
pub mod policy;
pub mod rules;
pub mod scan;
pub mod source;
pub mod taxonomy;
pub mod validate;
