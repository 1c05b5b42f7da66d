//! Arbitrary bytes through the CSV reader with a small line cap, into a sink that
//! asserts the memory bound: no cell longer than the cap, no record wider than
//! `MAX_FIELDS`, and no more cells than the input could hold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piimap::source::capped::MAX_FIELDS;
use piimap::source::csv::Sampling;
use piimap::source::{Anomaly, FieldId, Location, RecordSink};

struct Bounded {
    cap: usize,
    fields: Vec<String>,
    /// Cells of the record being pushed (by row), to bound its width.
    row: Option<u64>,
    row_cells: usize,
    cells: usize,
}

impl RecordSink for Bounded {
    fn field(&mut self, name: &str) -> FieldId {
        if let Some(i) = self.fields.iter().position(|f| f == name) {
            return i as FieldId;
        }
        self.fields.push(name.to_string());
        assert!(
            self.fields.len() <= MAX_FIELDS,
            "more columns than MAX_FIELDS"
        );
        (self.fields.len() - 1) as FieldId
    }
    fn cell(&mut self, field: FieldId, value: &[u8], at: Location) {
        assert!((field as usize) < self.fields.len(), "unknown field id");
        assert!(value.len() <= self.cap, "a cell longer than the cap");
        if at.row != self.row {
            self.row = at.row;
            self.row_cells = 0;
        }
        self.row_cells += 1;
        assert!(
            self.row_cells <= MAX_FIELDS,
            "a record wider than MAX_FIELDS"
        );
        self.cells += 1;
    }
    fn text(&mut self, _text: &[u8], _first_line: u64) {}
    fn rows(&mut self, _n: u64) {}
    fn anomaly(&mut self, _kind: Anomaly, _at: Location) {}
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the delimiter, the sampling and the cap; the rest is the file.
    let (ctl, body) = match data.split_first() {
        Some((c, rest)) => (*c, rest),
        None => (0, data),
    };
    let delimiter = [b',', b'\t', b';', b'|'][(ctl & 3) as usize];
    let sampling = Sampling {
        rows: 1 + (ctl >> 4) as usize,
        full: ctl & 4 != 0,
        seed: u64::from(ctl),
    };
    let cap = if ctl & 8 != 0 { 3 } else { 16 };
    let mut sink = Bounded {
        cap,
        fields: Vec::new(),
        row: None,
        row_cells: 0,
        cells: 0,
    };
    let _ = piimap::source::csv::read(|| Ok(body), delimiter, sampling, cap, &mut sink);
    // Every cell but the first of a record costs at least a delimiter.
    assert!(
        sink.cells <= body.len() + 1 + sink.fields.len(),
        "cells from nothing"
    );
});
