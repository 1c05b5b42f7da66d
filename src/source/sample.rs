//! Deterministic sampling for nightly runs: the same seed picks the same rows.
//!
//! A tiny SplitMix64 generator is used on purpose instead of `rand`: its output for a
//! given seed is fixed by its definition, so tonight's sample equals last night's across
//! piimap and dependency upgrades (`rand`'s `StdRng` makes no such promise).

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
    fn short_streams_are_kept_whole() {
        let mut r = Reservoir::new(10, 1);
        for i in 0..3 {
            r.offer(|| i);
        }
        assert_eq!(r.seen(), 3);
        assert_eq!(r.into_items(), vec![0, 1, 2]);
    }
}
