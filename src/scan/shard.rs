//! Scale-out on an existing scheduler: `--shard K/N` makes this run scan only the assets
//! whose stable id hashes to shard K (0-based) of N; `piimap merge` then combines the
//! partial inventories. The hash is FNV-1a over the asset id, fixed by its definition,
//! so every machine of a Kubernetes Indexed Job or Slurm array agrees on the split
//! (std's `DefaultHasher` may change between Rust releases).

use std::fmt;
use std::str::FromStr;

/// One shard of N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 0-based.
    pub index: u32,
    /// The number of shards.
    pub count: u32,
}

pub use crate::source::stable_hash;

impl Shard {
    /// Whether this shard scans the asset with this id.
    pub fn owns(&self, asset_id: &str) -> bool {
        self.count <= 1 || stable_hash(asset_id) % u64::from(self.count) == u64::from(self.index)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("shard must be K/N (e.g. 0/4), got {s:?}"))?;
        let index: u32 = k
            .trim()
            .parse()
            .map_err(|_| format!("shard index {k:?} is not a number"))?;
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("shard count {n:?} is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!("shard {index}/{count}: need 0 <= K < N"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_exactly_one_shard() {
        let ids: Vec<String> = (0..1000)
            .map(|i| format!("file:data/part-{i}.csv"))
            .collect();
        for n in 1..6 {
            for id in &ids {
                let owners = (0..n)
                    .filter(|&k| Shard { index: k, count: n }.owns(id))
                    .count();
                assert_eq!(owners, 1, "{id} in {n} shards");
            }
        }
        // Roughly balanced.
        let in_first = ids
            .iter()
            .filter(|id| Shard { index: 0, count: 4 }.owns(id))
            .count();
        assert!((180..320).contains(&in_first), "{in_first}");
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            "2/5".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 5 }
        );
        assert!("5/5".parse::<Shard>().is_err());
        assert!("x/5".parse::<Shard>().is_err());
        assert!("3".parse::<Shard>().is_err());
        assert_eq!(
            stable_hash("a"),
            0xaf63_dc4c_8601_ec8c,
            "FNV-1a is fixed by definition"
        );
    }
}
