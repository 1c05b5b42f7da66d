//! Classification: the one adapter from records to the inventory's reports.
//!
//! A source pushes records (rows, JSON objects, log lines) into an
//! [`AssetCollector`]; the collector scans each value with the detection engine,
//! tallies findings per field ([`column::Tally`]) and turns the tallies into
//! verdicts by the column rule ([`column`]), ending in an
//! [`crate::inventory::AssetReport`]. Detection stops at findings; the inventory
//! only holds plain data; this stage joins them.

pub mod collector;
pub mod column;
pub mod timestamp;

pub use collector::AssetCollector;
