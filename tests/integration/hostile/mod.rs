//! The hostile-input set: what a careless user or an attacker feeds piimap. Each
//! submodule pins one class of defect (memory bombs, output injection, absurd flags);
//! the whole set stays well under a minute of test time.

mod flags;
mod injection;
mod memory;
