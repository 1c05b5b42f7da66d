//! One integration-test binary (linked once), with a module per area.

mod accuracy;
mod completions;
mod disclosures;
mod files;
mod find;
mod gdpr;
mod hostile;
mod incentive;
mod inventory;
mod mysql;
mod names;
mod notice;
mod object_store;
mod postgres;
mod rules;
mod sarif;
mod shard;
mod spanish;
mod spreadsheet;
mod sqlite;
mod us_states;
mod util;
