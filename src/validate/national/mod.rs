//! National identity, tax and licence numbers, one file per region: `europe`,
//! `americas`, `asia_pacific`, `africa`.
//!
//! Every function takes the trimmed raw candidate, normalises it into a fixed-size
//! stack buffer (no heap allocation) and never panics: over-long input is rejected by
//! the helpers of `normalise` before any work is done. Birth dates embedded in the
//! numbers are checked with the crate's one calendar, [`crate::validate::date`].

pub(super) mod africa;
pub(super) mod americas;
pub(super) mod asia_pacific;
pub(super) mod europe;

use super::normalise::dv;

/// Separators of printed national numbers: space, dash, dot, slash.
const PRINTED: &[u8] = b" -./";

/// Weighted digit sum: `Σ digit × weight` over the shorter of the two.
fn weighted(digits: &[u8], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(&b, &w)| dv(b) * w).sum()
}

#[cfg(test)]
mod tests {
    use crate::validate::Validator;

    #[test]
    fn national_validators_never_panic() {
        let huge = vec![b'7'; 1 << 16];
        let inputs: [&[u8]; 9] = [
            b"",
            b"-",
            b"+",
            b"\xff\xfe",
            b"2A",
            b"******",
            b"12345678901234567890123456789",
            b"\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8",
            &huge,
        ];
        for &v in Validator::ALL {
            for input in inputs {
                let _ = v.check(input);
            }
        }
    }
}
