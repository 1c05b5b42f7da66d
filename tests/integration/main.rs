//! One integration-test binary (linked once), with a module per area.

mod accuracy;
mod files;
mod rules;
mod util;
