//! Deterministic sampling for nightly runs: the same seed picks the same rows.
//!
//! A tiny SplitMix64 generator is used on purpose instead of `rand`: its output for a
//! given seed is fixed by its definition, so tonight's sample equals last night's across
//! piimap and dependency upgrades (`rand`'s `StdRng` makes no such promise).
//!
//! Tables (CSV, JSON lines) are sampled with [`RowSample`]: Algorithm R over the rows,
//! holding the chosen rows' data up to a byte budget ([`SAMPLE_BUDGET`]). Past the
//! budget (say 10,000 rows of 1 MiB each) it keeps sampling row *numbers* only, and the
//! reader reads the file a second time to push the chosen rows. The choice depends only
//! on the seed and the row count, never on the rows' sizes, so the same seed gives the
//! same rows whichever way the sample was taken; memory holds at most the budget plus
//! 16 bytes per sampled row.

/// SplitMix64: a fixed, well-known 64-bit generator.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by multiply-shift (no modulo bias worth noting at 64 bits).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

/// Reservoir sampling (Algorithm R): keeps a uniform sample of `capacity` items from a
/// stream of unknown length in bounded memory.
pub struct Reservoir<T> {
    capacity: usize,
    seen: u64,
    items: Vec<T>,
    rng: SplitMix64,
}

impl<T> Reservoir<T> {
    /// An empty reservoir for `capacity` items, seeded.
    pub fn new(capacity: usize, seed: u64) -> Self {
        Reservoir {
            capacity,
            seen: 0,
            items: Vec::with_capacity(capacity.min(4096)),
            rng: SplitMix64::new(seed),
        }
    }

    /// Offers the next item; `make` runs only if the item is kept.
    pub fn offer(&mut self, make: impl FnOnce() -> T) {
        self.seen += 1;
        if self.items.len() < self.capacity {
            self.items.push(make());
        } else {
            let j = self.rng.below(self.seen);
            if (j as usize) < self.capacity {
                self.items[j as usize] = make();
            }
        }
    }

    /// Items offered so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The sample (in no particular order).
    pub fn into_items(self) -> Vec<T> {
        self.items
    }
}

impl<T> Reservoir<(u64, u64, T)> {
    /// A sample of `(row, line, record)` in row order, with the sampling method stated
    /// the way reports show it (`all rows` when the stream fit in the reservoir).
    pub fn into_rows_in_order(self, rows: usize, seed: u64) -> (Vec<(u64, u64, T)>, String) {
        let seen = self.seen;
        let mut sample = self.items;
        sample.sort_by_key(|(r, _, _)| *r);
        let method = if (sample.len() as u64) < seen {
            format!("reservoir sample of {rows} rows (seed {seed})")
        } else {
            "all rows".into()
        };
        (sample, method)
    }
}

/// Bytes of row data a [`RowSample`] holds before it falls back to row numbers.
pub const SAMPLE_BUDGET: usize = 64 << 20;

/// A seeded reservoir sample of table rows within a byte budget (see the module docs).
pub struct RowSample<T> {
    capacity: usize,
    seen: u64,
    rng: SplitMix64,
    /// (row, line) in each slot.
    picks: Vec<(u64, u64)>,
    /// Each slot's data and its size, while within the budget.
    items: Vec<(T, usize)>,
    bytes: usize,
    budget: usize,
    spilled: bool,
}

/// What a [`RowSample`] ends with.
pub enum Sampled<T> {
    /// The chosen rows' `(row, line, data)`, in row order.
    Kept(Vec<(u64, u64, T)>),
    /// The data went over budget: the chosen row numbers, ascending, to read again.
    Reread(Vec<u64>),
}

impl<T> RowSample<T> {
    /// An empty sample of `capacity` rows, seeded, holding at most `budget` bytes.
    pub fn new(capacity: usize, seed: u64, budget: usize) -> Self {
        RowSample {
            capacity,
            seen: 0,
            rng: SplitMix64::new(seed),
            picks: Vec::with_capacity(capacity.min(4096)),
            items: Vec::new(),
            bytes: 0,
            budget,
            spilled: false,
        }
    }

    /// Offers the next row (`size` bytes); `make` runs only if its data is kept. The
    /// choice is Algorithm R, draw for draw the same as [`Reservoir::offer`].
    pub fn offer(&mut self, row: u64, line: u64, size: usize, make: impl FnOnce() -> T) {
        self.seen += 1;
        let slot = if self.picks.len() < self.capacity {
            self.picks.push((row, line));
            None
        } else {
            let j = self.rng.below(self.seen);
            if (j as usize) >= self.capacity {
                return;
            }
            self.picks[j as usize] = (row, line);
            Some(j as usize)
        };
        if self.spilled {
            return;
        }
        let old = slot.map_or(0, |j| self.items[j].1);
        self.bytes = self.bytes - old + size;
        if self.bytes > self.budget {
            self.spilled = true;
            self.items = Vec::new();
            return;
        }
        match slot {
            None => self.items.push((make(), size)),
            Some(j) => self.items[j] = (make(), size),
        }
    }

    /// The sample, with the method stated the way reports show it (`all rows` when the
    /// stream fit in the sample).
    pub fn finish(self, rows: usize, seed: u64) -> (Sampled<T>, String) {
        let method = if (self.picks.len() as u64) < self.seen {
            format!("reservoir sample of {rows} rows (seed {seed})")
        } else {
            "all rows".into()
        };
        if self.spilled {
            let mut picks: Vec<u64> = self.picks.into_iter().map(|(r, _)| r).collect();
            picks.sort_unstable();
            return (Sampled::Reread(picks), method);
        }
        let mut sample: Vec<(u64, u64, T)> = self
            .picks
            .into_iter()
            .zip(self.items)
            .map(|((r, l), (t, _))| (r, l, t))
            .collect();
        sample.sort_by_key(|(r, _, _)| *r);
        (Sampled::Kept(sample), method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sample() {
        let pick = |seed| {
            let mut r = Reservoir::new(10, seed);
            for i in 0..10_000 {
                r.offer(|| i);
            }
            let mut v = r.into_items();
            v.sort();
            v
        };
        assert_eq!(pick(7), pick(7));
        assert_ne!(pick(7), pick(8));
        assert_eq!(pick(7).len(), 10);
    }

    #[test]
    fn sample_is_spread_over_the_stream() {
        let mut r = Reservoir::new(1000, 1);
        for i in 0..100_000u64 {
            r.offer(|| i);
        }
        let late = r.into_items().iter().filter(|&&i| i >= 50_000).count();
        assert!(
            (400..600).contains(&late),
            "{late} of 1000 from the second half"
        );
    }

    #[test]
    fn row_sample_picks_the_same_rows_within_or_over_budget() {
        let run = |budget: usize| {
            let mut s = RowSample::new(50, 3, budget);
            let mut r = Reservoir::new(50, 3);
            for i in 0..5_000u64 {
                s.offer(i, i + 1, 100, || i);
                r.offer(|| i);
            }
            let mut expected = r.into_items();
            expected.sort();
            (s.finish(50, 3), expected)
        };
        let ((kept, m1), expected) = run(1 << 20);
        let ((reread, m2), _) = run(1_000);
        let Sampled::Kept(kept) = kept else {
            panic!("within budget")
        };
        let Sampled::Reread(reread) = reread else {
            panic!("over budget")
        };
        let kept_rows: Vec<u64> = kept.iter().map(|(r, _, _)| *r).collect();
        assert_eq!(kept_rows, expected, "same draws as the plain reservoir");
        assert_eq!(reread, expected);
        assert!(kept.iter().all(|(r, l, t)| *l == r + 1 && t == r));
        assert_eq!(m1, m2);
        assert_eq!(m1, "reservoir sample of 50 rows (seed 3)");
    }

    #[test]
    fn short_streams_are_kept_whole() {
        let mut r = Reservoir::new(10, 1);
        for i in 0..3 {
            r.offer(|| i);
        }
        assert_eq!(r.seen(), 3);
        assert_eq!(r.into_items(), vec![0, 1, 2]);
    }
}
