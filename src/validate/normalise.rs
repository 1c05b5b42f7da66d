//! Stack-only normalisation shared by the validator families.
//!
//! Validators run on the hot path on arbitrary bytes: these helpers reject overly long
//! input first and copy the characters that matter into fixed-size stack buffers, so no
//! validator allocates or panics while stripping separators.

/// Separators accepted between the digits of most numeric identifiers.
pub(super) const SPACE_DASH: &[u8] = b" -";

/// A fixed-capacity buffer of normalised characters; `len <= N` always holds.
pub(super) struct Buf<const N: usize> {
    pub(super) bytes: [u8; N],
    pub(super) len: usize,
}

impl<const N: usize> Buf<N> {
    /// The filled part of the buffer.
    pub(super) fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

/// Collects the characters of `input` skipping bytes in `seps`: ASCII digits only, or
/// (with `alnum`) ASCII letters and digits upper-cased. `None` on any other byte or when
/// more than `N` characters would be collected.
pub(super) fn gather<const N: usize>(input: &[u8], seps: &[u8], alnum: bool) -> Option<Buf<N>> {
    // Early reject: even with a separator between every character it cannot fit.
    if input.len() > N.saturating_mul(3).saturating_add(8) {
        return None;
    }
    let mut buf = Buf {
        bytes: [0u8; N],
        len: 0,
    };
    for &b in input {
        let keep = b.is_ascii_digit() || (alnum && b.is_ascii_alphabetic());
        if keep {
            *buf.bytes.get_mut(buf.len)? = b.to_ascii_uppercase();
            buf.len += 1;
        } else if !seps.contains(&b) {
            return None;
        }
    }
    Some(buf)
}

/// Exactly `N` ASCII digits from `input` (separators in `seps` skipped), else `None`.
pub(super) fn exact_digits<const N: usize>(input: &[u8], seps: &[u8]) -> Option<[u8; N]> {
    let buf = gather::<N>(input, seps, false)?;
    (buf.len == N).then_some(buf.bytes)
}

/// Exactly `N` upper-cased ASCII alphanumerics from `input`, else `None`.
pub(super) fn exact_alnum<const N: usize>(input: &[u8], seps: &[u8]) -> Option<[u8; N]> {
    let buf = gather::<N>(input, seps, true)?;
    (buf.len == N).then_some(buf.bytes)
}

/// The value of a short run of ASCII digits (callers pass at most 9 digits).
pub(super) fn num(digits: &[u8]) -> u32 {
    digits.iter().fold(0u32, |acc, &b| {
        acc.wrapping_mul(10)
            .wrapping_add(u32::from(b.wrapping_sub(b'0')))
    })
}

/// The value of one ASCII digit (callers have checked it is a digit).
pub(super) fn dv(b: u8) -> u32 {
    u32::from(b.wrapping_sub(b'0'))
}

/// True when every byte equals the first (placeholders like 0000 or 1111-1111).
pub(super) fn all_same(bytes: &[u8]) -> bool {
    match bytes.first() {
        Some(first) => bytes.iter().all(|b| b == first),
        None => true,
    }
}

/// The value of one hex digit.
pub(super) fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// First position of `needle` (non-empty) in `haystack`.
pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}
