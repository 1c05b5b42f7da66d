//! A table's cells, classified in batches — optionally on a helper thread while the
//! reading thread fills the next batch.
//!
//! A table is read by one thread (a database cursor is sequential), and classifying a
//! batch field by field on the rayon pool keeps the other cores busy. Without the helper
//! the reader waits for each batch to be classified before it cuts the next rows into
//! cells, and the server waits with it; with it, reading batch N+1 overlaps classifying
//! batch N. The reader may run [`IN_FLIGHT`] batches ahead: memory stays a few batches.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread::Scope;

use super::AssetCollector;
use crate::classify::collector::{FieldCells, PendingCell};
use crate::inventory::AssetReport;
use crate::source::{Anomaly, FieldId, Location, RecordSink};

/// Cells gathered before a batch is classified (2,000 rows of 10 columns).
const BATCH_CELLS: usize = 20_000;
/// Bytes of cell values gathered before a batch is classified, whatever their number.
const BATCH_BYTES: usize = 4 << 20;

/// Cells waiting to be classified: per field id, where each cell is and its bytes in
/// one arena (one allocation per batch, not per cell).
#[derive(Default)]
pub struct CellBatch {
    by_field: Vec<Vec<PendingCell>>,
    arena: Vec<u8>,
    cells: usize,
}

impl CellBatch {
    /// Adds one cell.
    pub fn push(&mut self, field: FieldId, value: &[u8], at: Location) {
        let id = field as usize;
        if self.by_field.len() <= id {
            self.by_field.resize_with(id + 1, Vec::new);
        }
        let start = self.arena.len();
        self.arena.extend_from_slice(value);
        self.by_field[id].push((at, start..self.arena.len()));
        self.cells += 1;
    }

    /// Whether the batch is big enough to be classified.
    pub fn is_full(&self) -> bool {
        self.cells >= BATCH_CELLS || self.arena.len() >= BATCH_BYTES
    }

    /// Whether it holds no cell.
    pub fn is_empty(&self) -> bool {
        self.cells == 0
    }

    /// Classifies the cells into `collector` (see [`AssetCollector::cells_by_field`])
    /// and empties the batch, keeping its buffers for the next one.
    pub fn classify_into(&mut self, collector: &mut AssetCollector<'_>) {
        if self.is_empty() {
            return;
        }
        let fields: Vec<FieldCells> = self
            .by_field
            .iter_mut()
            .enumerate()
            .filter(|(_, cells)| !cells.is_empty())
            .map(|(id, cells)| (id as FieldId, std::mem::take(cells)))
            .collect();
        collector.cells_by_field(&fields, &self.arena);
        for (id, mut cells) in fields {
            cells.clear();
            self.by_field[id as usize] = cells;
        }
        self.arena.clear();
        self.cells = 0;
    }
}

/// What the reading thread sends the helper.
enum ToHelper<'e> {
    /// Keep the table's collector and classify into it.
    Collector(Box<AssetCollector<'e>>),
    /// A full batch to classify.
    Batch(CellBatch),
    /// Send the collector back once the batches before this are classified.
    Return,
}

/// What the helper sends back.
enum FromHelper<'e> {
    /// A classified batch, emptied: its buffers serve again.
    Spare(CellBatch),
    /// The collector, asked for with [`ToHelper::Return`].
    Collector(Box<AssetCollector<'e>>),
}

/// Batches the reader may have handed over and not yet had back: it reads ahead of
/// the helper by this many, so a slow stretch of reading (or of classifying) does not
/// stall the other side. Memory: this many batches plus the one being filled.
const IN_FLIGHT: usize = 4;

/// The reading thread's end of a helper thread that classifies batches into the
/// table's collector. The helper holds the collector between [`Behind::hand_over`]
/// and [`Behind::take_back`].
pub struct Behind<'e> {
    to_helper: Sender<ToHelper<'e>>,
    from_helper: Receiver<FromHelper<'e>>,
    in_flight: usize,
    spares: Vec<CellBatch>,
}

impl<'e> Behind<'e> {
    /// Starts a helper thread in `scope`; it ends when this end is dropped.
    pub fn start<'scope>(scope: &'scope Scope<'scope, '_>) -> Self
    where
        'e: 'scope,
    {
        let (to_helper, jobs) = channel::<ToHelper<'e>>();
        let (done, from_helper) = channel::<FromHelper<'e>>();
        scope.spawn(move || {
            let mut held: Option<Box<AssetCollector<'e>>> = None;
            for job in jobs {
                let reply = match job {
                    ToHelper::Collector(c) => {
                        held = Some(c);
                        continue;
                    }
                    ToHelper::Batch(mut batch) => {
                        // Never drop cells quietly: a batch without a collector is a bug.
                        let c = held
                            .as_deref_mut()
                            .expect("the collector is handed over before any batch");
                        batch.classify_into(c);
                        FromHelper::Spare(batch)
                    }
                    // Panicking (rather than not answering) ends the reader's wait.
                    ToHelper::Return => FromHelper::Collector(
                        held.take()
                            .expect("the collector is handed over before it is asked back"),
                    ),
                };
                if done.send(reply).is_err() {
                    break;
                }
            }
        });
        Behind {
            to_helper,
            from_helper,
            in_flight: 0,
            spares: Vec::new(),
        }
    }

    /// Gives the helper the collector to classify into. On failure (the helper is
    /// gone: it panicked) the collector comes back.
    pub fn hand_over(
        &mut self,
        collector: AssetCollector<'e>,
    ) -> Result<(), Box<AssetCollector<'e>>> {
        self.to_helper
            .send(ToHelper::Collector(Box::new(collector)))
            .map_err(|e| match e.0 {
                ToHelper::Collector(c) => c,
                _ => unreachable!("sent a collector"),
            })
    }

    /// Hands a full batch over (after waiting, if [`IN_FLIGHT`] are already out) and
    /// returns an empty one to fill next. On failure the batch comes back.
    pub fn send(&mut self, batch: CellBatch) -> Result<CellBatch, CellBatch> {
        while let Ok(reply) = self.from_helper.try_recv() {
            self.received(reply);
        }
        while self.in_flight >= IN_FLIGHT {
            match self.from_helper.recv() {
                Ok(reply) => self.received(reply),
                Err(_) => return Err(batch),
            }
        }
        self.to_helper
            .send(ToHelper::Batch(batch))
            .map_err(|e| match e.0 {
                ToHelper::Batch(b) => b,
                _ => unreachable!("sent a batch"),
            })?;
        self.in_flight += 1;
        Ok(self.spares.pop().unwrap_or_default())
    }

    /// Waits until every batch handed over is classified and takes the collector back;
    /// `None` if the helper died with it (it panicked, and the scope re-raises that).
    pub fn take_back(&mut self) -> Option<AssetCollector<'e>> {
        self.to_helper.send(ToHelper::Return).ok()?;
        loop {
            match self.from_helper.recv().ok()? {
                FromHelper::Collector(c) => return Some(*c),
                reply => self.received(reply),
            }
        }
    }

    fn received(&mut self, reply: FromHelper<'e>) {
        if let FromHelper::Spare(batch) = reply {
            self.in_flight = self.in_flight.saturating_sub(1);
            if self.spares.len() < IN_FLIGHT {
                self.spares.push(batch);
            }
        }
    }
}

/// A table's [`AssetCollector`] fed in batches: cells are gathered into a
/// [`CellBatch`] and classified field by field, on a helper thread behind the reader
/// once [`BatchedCollector::classify_behind`] is called. It only batches; what the
/// cells mean is the collector's business.
pub struct BatchedCollector<'e> {
    /// `None` while the helper thread holds it.
    inner: Option<AssetCollector<'e>>,
    /// Cells waiting to be classified.
    batch: CellBatch,
    /// The helper thread classifying batches behind the reader, if any.
    behind: Option<Behind<'e>>,
    /// Rows read and anomalies met since the collector was last at hand.
    rows_pending: u64,
    anomalies_pending: Vec<(Anomaly, Location)>,
    /// Field ids already interned by the collector: a JSON column names its keys on
    /// every row, and asking the collector would wait for the helper each time.
    known_fields: std::collections::HashMap<String, FieldId, foldhash::fast::RandomState>,
}

impl<'e> BatchedCollector<'e> {
    /// Batches cells for `collector`.
    pub fn new(collector: AssetCollector<'e>) -> Self {
        BatchedCollector {
            inner: Some(collector),
            batch: CellBatch::default(),
            behind: None,
            rows_pending: 0,
            anomalies_pending: Vec::new(),
            known_fields: Default::default(),
        }
    }

    /// Classifies full batches on a helper thread of `scope` from now on.
    pub fn classify_behind<'scope>(&mut self, scope: &'scope Scope<'scope, '_>)
    where
        'e: 'scope,
    {
        self.behind = Some(Behind::start(scope));
    }

    /// The collector, once the batches handed over (if any) are classified.
    fn collector(&mut self) -> &mut AssetCollector<'e> {
        if self.inner.is_none() {
            let collector = self
                .behind
                .as_mut()
                .and_then(Behind::take_back)
                .expect("the thread classifying a batch panicked");
            self.inner = Some(collector);
        }
        let inner = self.inner.as_mut().expect("collector at hand");
        if self.rows_pending > 0 {
            RecordSink::rows(inner, std::mem::take(&mut self.rows_pending));
        }
        for (kind, at) in self.anomalies_pending.drain(..) {
            inner.anomaly(kind, at);
        }
        inner
    }

    /// Classifies the gathered cells: handed to the helper when there is one, else here.
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        if let Some(behind) = self.behind.as_mut() {
            if let Some(inner) = self.inner.take() {
                if let Err(inner) = behind.hand_over(inner) {
                    self.inner = Some(*inner);
                }
            }
            if self.inner.is_none() {
                let full = std::mem::take(&mut self.batch);
                match behind.send(full) {
                    Ok(empty) => {
                        self.batch = empty;
                        return;
                    }
                    // The helper is gone (it can only have panicked): classify here.
                    Err(full) => self.batch = full,
                }
            }
        }
        let mut batch = std::mem::take(&mut self.batch);
        batch.classify_into(self.collector());
        self.batch = batch;
    }

    /// Classifies what is pending and writes out the findings kept so far.
    pub fn drain_findings(&mut self) {
        self.flush();
        self.collector().drain_findings();
    }

    /// Classifies what is pending and fills `report` (see
    /// [`AssetCollector::finish_into`]).
    pub fn finish_into(mut self, report: &mut AssetReport) {
        self.flush();
        self.collector();
        let inner = self.inner.take().expect("collector at hand");
        inner.finish_into(report);
    }
}

impl RecordSink for BatchedCollector<'_> {
    fn field(&mut self, name: &str) -> FieldId {
        if let Some(&id) = self.known_fields.get(name) {
            return id;
        }
        let id = self.collector().field(name);
        self.known_fields.insert(name.to_string(), id);
        id
    }

    fn field_with_hint(&mut self, name: &str, hint: &str) -> FieldId {
        if let Some(&id) = self.known_fields.get(name) {
            return id;
        }
        let id = self.collector().field_with_hint(name, hint);
        self.known_fields.insert(name.to_string(), id);
        id
    }

    fn cell(&mut self, field: FieldId, value: &[u8], at: Location) {
        self.batch.push(field, value, at);
        if self.batch.is_full() {
            self.flush();
        }
    }

    fn text(&mut self, text: &[u8], first_line: u64) {
        self.flush();
        self.collector().text(text, first_line);
    }

    fn lines(&mut self, text: &[u8], first_line: u64) {
        self.flush();
        self.collector().lines(text, first_line);
    }

    fn rows(&mut self, n: u64) {
        // Counted here: the collector may be on the helper thread.
        self.rows_pending += n;
    }

    fn anomaly(&mut self, kind: Anomaly, at: Location) {
        // Counted when the collector is next at hand: it may be on the helper thread.
        self.anomalies_pending.push((kind, at));
        if self.anomalies_pending.len() >= 4096 {
            self.collector(); // bounded: fetch it now and count them
        }
    }
}
