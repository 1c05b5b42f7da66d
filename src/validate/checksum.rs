//! The check-digit algorithms several families share (Luhn, Verhoeff, ISO 7064 mod-97),
//! and the generic `luhn` rule built on Luhn alone.

use super::normalise::{all_same, dv, gather, SPACE_DASH};

/// Luhn (mod-10) over plain ASCII digits: shared by cards, SIN, IMEI and the generic `luhn` rule.
pub fn luhn_ok(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &b) in digits.iter().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut d = dv(b);
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum = (sum + d) % 10;
    }
    sum == 0
}

/// Verhoeff dihedral-group multiplication table.
const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

/// Verhoeff position permutation table.
const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// Verhoeff over ASCII digits (check digit last): Aadhaar's check, catching all transpositions.
pub fn verhoeff_ok(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut c = 0usize;
    for (i, &b) in digits.iter().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let p = VERHOEFF_P[i % 8][usize::from(b - b'0')];
        c = usize::from(VERHOEFF_D[c][usize::from(p)]);
    }
    c == 0
}

/// ISO 7064 mod-97 of upper-case alphanumerics (A=10…Z=35), piecewise: IBANs need no big integers.
pub fn mod97<'a>(chars: impl IntoIterator<Item = &'a u8>) -> Option<u32> {
    let mut rem = 0u32;
    for &b in chars {
        rem = match b {
            b'0'..=b'9' => (rem * 10 + dv(b)) % 97,
            b'A'..=b'Z' => (rem * 100 + u32::from(b - b'A') + 10) % 97,
            _ => return None,
        };
    }
    Some(rem)
}

/// Plain Luhn over at least 8 digits (spaces/dashes allowed), not all one digit.
pub fn luhn_any_ok(c: &[u8]) -> bool {
    let Some(buf) = gather::<64>(c, SPACE_DASH, false) else {
        return false;
    };
    let d = buf.as_slice();
    d.len() >= 8 && !all_same(d) && luhn_ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::finance::card_brand_ok;
    use crate::validate::tests::cases;
    use crate::validate::Validator;

    #[test]
    fn algorithms() {
        assert!(luhn_ok(b"79927398713"));
        assert!(!luhn_ok(b"79927398710"));
        assert!(!luhn_ok(b""));
        assert!(!luhn_ok(b"7992 7398 713"));
        assert!(verhoeff_ok(b"2363"));
        assert!(!verhoeff_ok(b"2364"));
        assert!(!verhoeff_ok(b""));
        assert_eq!(mod97(b"123456".iter()), Some(123_456 % 97));
        assert_eq!(mod97(b"a".iter()), None);
        assert!(card_brand_ok(b"4242424242424242"));
        assert!(!card_brand_ok(b"1234567812345670"));
    }

    #[test]
    fn luhn_generic() {
        cases(
            Validator::Luhn,
            &[
                "79927398713",
                "1234-5678-1234-5670",
                "12345674",
                "4242424242424242",
            ],
            &[
                "79927398710",
                "1234567",
                "00000000",
                "5555 5555",
                "1234.5678.1234.5670",
            ],
        );
    }
}
