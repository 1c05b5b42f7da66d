//! Arbitrary bytes through the table and line readers, into a sink that records what
//! it is given and checks the contract (known field ids, sane locations).
#![no_main]

use libfuzzer_sys::fuzz_target;
use piimap::source::csv::Sampling;
use piimap::source::text::{scan_block, LineFormat};
use piimap::source::{Anomaly, FieldId, Location, RecordSink};

#[derive(Default)]
struct Recorder {
    fields: Vec<String>,
    cells: usize,
    cell_bytes: usize,
    text_bytes: usize,
    rows: u64,
    anomalies: usize,
}

impl RecordSink for Recorder {
    fn field(&mut self, name: &str) -> FieldId {
        if let Some(i) = self.fields.iter().position(|f| f == name) {
            return i as FieldId;
        }
        self.fields.push(name.to_string());
        (self.fields.len() - 1) as FieldId
    }
    fn cell(&mut self, field: FieldId, value: &[u8], _at: Location) {
        assert!(
            (field as usize) < self.fields.len(),
            "cell for an unknown field id"
        );
        self.cells += 1;
        self.cell_bytes += value.len();
    }
    fn text(&mut self, text: &[u8], first_line: u64) {
        assert!(first_line >= 1, "lines are 1-based");
        self.text_bytes += text.len();
    }
    fn rows(&mut self, n: u64) {
        self.rows += n;
    }
    fn anomaly(&mut self, _kind: Anomaly, _at: Location) {
        self.anomalies += 1;
    }
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the CSV delimiter, sampling mode and line cap; the rest is
    // the file.
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
    let cap = if ctl & 8 != 0 { 7 } else { 1 << 20 };

    let mut sink = Recorder::default();
    let _ = piimap::source::csv::read(|| Ok(body), delimiter, sampling, cap, &mut sink);

    let mut sink = Recorder::default();
    let _ = piimap::source::jsonl::read(|| Ok(body), sampling, cap, &mut sink);

    let _ = LineFormat::sniff(body);
    for format in [
        LineFormat::Plain,
        LineFormat::Json,
        LineFormat::KeyValue,
        LineFormat::AccessLog,
    ] {
        let mut sink = Recorder::default();
        scan_block(body, 1, format, cap, &mut sink);
        assert!(sink.text_bytes <= body.len(), "more text than input");
    }

    // The streaming path used for compressed logs: blocks of whole lines.
    let mut total = 0usize;
    let _ = piimap::source::text::for_each_block(
        body,
        64,
        cap.min(256),
        |block, first| {
            assert!(first >= 1);
            total += block.len();
        },
        |_| {},
    );
});
