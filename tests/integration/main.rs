//! One integration-test binary (linked once), with a module per area.

mod accuracy;
mod completions;
mod files;
mod find;
mod hostile;
mod inventory;
mod names;
mod notice;
mod postgres;
mod rules;
mod sarif;
mod shard;
mod sqlite;
mod util;
