//! Equipment and record identifiers: IMEI, vehicle identification numbers and UUIDs.

use super::checksum::luhn_ok;
use super::normalise::{all_same, dv, exact_alnum, exact_digits, SPACE_DASH};

/// IMEI: 15 digits, Luhn.
pub fn imei_ok(c: &[u8]) -> bool {
    let Some(d) = exact_digits::<15>(c, SPACE_DASH) else {
        return false;
    };
    !all_same(&d) && luhn_ok(&d)
}

/// VIN transliteration value of one character (I, O and Q are never used).
fn vin_value(b: u8) -> Option<u32> {
    Some(match b {
        b'0'..=b'9' => dv(b),
        b'A'..=b'H' => u32::from(b - b'A') + 1,
        b'J'..=b'N' => u32::from(b - b'J') + 1,
        b'P' => 7,
        b'R' => 9,
        b'S'..=b'Z' => u32::from(b - b'S') + 2,
        _ => return None,
    })
}

/// VIN proof: 17 characters without I/O/Q; weighted transliteration sum mod 11 = position-9 check.
pub fn vin_ok(candidate: &[u8]) -> bool {
    let Some(s) = exact_alnum::<17>(candidate, b"") else {
        return false;
    };
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let mut sum = 0u32;
    for (&b, w) in s.iter().zip(WEIGHTS) {
        let Some(v) = vin_value(b) else {
            return false;
        };
        sum += v * w;
    }
    let expected = match sum % 11 {
        10 => b'X',
        r => b'0' + r as u8,
    };
    s[8] == expected
}

/// UUID: 8-4-4-4-12 hex digits (any case), not the nil UUID.
pub fn uuid_ok(c: &[u8]) -> bool {
    if c.len() != 36 {
        return false;
    }
    let mut nonzero = false;
    for (i, &b) in c.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if b != b'-' {
                return false;
            }
        } else if !b.is_ascii_hexdigit() {
            return false;
        } else if b != b'0' {
            nonzero = true;
        }
    }
    nonzero
}

#[cfg(test)]
mod tests {
    use crate::validate::tests::cases;
    use crate::validate::Validator;

    #[test]
    fn imei() {
        cases(
            Validator::Imei,
            &["490154203237518", "35-693803-564380-9", "860683031374905"],
            &[
                "490154203237519",
                "000000000000000",
                "49015420323751",
                "4901542032375180",
                "49015420323751X",
            ],
        );
    }

    #[test]
    fn vin() {
        cases(
            Validator::Vin,
            &[
                "1HGCM82633A004352",
                "11111111111111111",
                "1M8GDM9AXKP042788",
                "JH4KA7561PC008269",
                "1hgcm82633a004352",
            ],
            &[
                "1HGCM82633A004353",
                "5YJSA1E14HF000001",
                "1HGCM82633A00435",
                "1HGCM82633A0043521",
                "1HGCM8263IA004352",
                "1OGCM82633A004352",
            ],
        );
    }

    #[test]
    fn uuid() {
        cases(
            Validator::Uuid,
            &[
                "123e4567-e89b-12d3-a456-426614174000",
                "F47AC10B-58CC-4372-A567-0E02B2C3D479",
                "00000000-0000-0000-0000-000000000001",
            ],
            &[
                "00000000-0000-0000-0000-000000000000",
                "123e4567e89b12d3a456426614174000",
                "123e4567-e89b-12d3-a456-42661417400g",
                "123e4567-e89b-12d3-a456-4266141740000",
                "{123e4567-e89b-12d3-a456-426614174000}",
            ],
        );
    }
}
