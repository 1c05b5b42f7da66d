//! A table's cells, classified in batches — optionally on a helper thread while the
//! reading thread fills the next batch.
//!
//! A table is read by one thread (a database cursor is sequential), and classifying a
//! batch field by field on the rayon pool keeps the other cores busy. Without the helper
//! the reader waits for each batch to be classified before it cuts the next rows into
//! cells, and the server waits with it; with it, reading batch N+1 overlaps classifying
//! batch N. At most one batch is in flight: memory stays two batches.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::Scope;

use super::collector::{FieldCells, PendingCell};
use super::AssetCollector;
use crate::source::{FieldId, Location};

/// Cells gathered before a batch is classified (one fetch of 5,000 rows of 10 columns).
const BATCH_CELLS: usize = 50_000;
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

/// What goes to the helper and comes back: the table's collector and a batch (full on
/// the way there, emptied on the way back). Boxed: it is moved through channels.
type Handoff<'e> = Box<(AssetCollector<'e>, CellBatch)>;

/// The reading thread's end of a helper thread that classifies batches.
pub struct Behind<'e> {
    to_helper: SyncSender<Handoff<'e>>,
    from_helper: Receiver<Handoff<'e>>,
}

impl<'e> Behind<'e> {
    /// Starts a helper thread in `scope`; it ends when this end is dropped.
    pub fn start<'scope>(scope: &'scope Scope<'scope, '_>) -> Self
    where
        'e: 'scope,
    {
        let (to_helper, jobs) = sync_channel::<Handoff<'e>>(1);
        let (done, from_helper) = sync_channel::<Handoff<'e>>(1);
        scope.spawn(move || {
            for mut handoff in jobs {
                let (collector, batch) = &mut *handoff;
                batch.classify_into(collector);
                if done.send(handoff).is_err() {
                    break;
                }
            }
        });
        Behind {
            to_helper,
            from_helper,
        }
    }

    /// Hands a full batch over; gives both back if the helper is gone.
    pub fn send(&self, collector: AssetCollector<'e>, batch: CellBatch) -> Result<(), Handoff<'e>> {
        self.to_helper
            .send(Box::new((collector, batch)))
            .map_err(|e| e.0)
    }

    /// Waits for the batch in flight; `None` if the helper died with it (it panicked,
    /// and the scope re-raises that panic).
    pub fn wait(&self) -> Option<Handoff<'e>> {
        self.from_helper.recv().ok()
    }
}
