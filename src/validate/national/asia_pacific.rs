//! National numbers of Asia and Oceania: India's Aadhaar, South Korea's RRN, Australia's
//! TFN and Medicare card, Singapore's NRIC/FIN, China's resident ID, Japan's My Number.

use super::weighted;
use crate::validate::checksum::verhoeff_ok;
use crate::validate::date::{calendar_date_ok, this_year};
use crate::validate::normalise::{
    all_same, dv, exact_alnum, exact_digits, gather, num, SPACE_DASH,
};

/// Aadhaar proof (spaces/dashes): 12 digits, first 2–9, Verhoeff, so other 12-digit numbers drop.
pub fn aadhaar_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<12>(candidate, SPACE_DASH) else {
        return false;
    };
    (b'2'..=b'9').contains(&d[0]) && !all_same(&d) && verhoeff_ok(&d)
}

/// South Korean resident registration number: YYMMDD-GNNNNNC with a real birth date and
/// the gender/century digit G (9/0 1800s, 1/2/5/6 1900s, 3/4/7/8 2000s). Numbers issued
/// since October 2020 carry no computable check digit, so this is structural.
pub fn kr_rrn_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<13>(candidate, b" -") else {
        return false;
    };
    let century = match d[6] {
        b'9' | b'0' => 1800,
        b'1' | b'2' | b'5' | b'6' => 1900,
        _ => 2000,
    };
    let year = century + i64::from(num(&d[..2]));
    year <= this_year()
        && calendar_date_ok(year, num(&d[2..4]), num(&d[4..6]))
        && !all_same(&d[7..])
}

/// Australian tax file number: 9 digits (or 8, older), weighted sum mod 11 = 0.
pub fn au_tfn_ok(candidate: &[u8]) -> bool {
    let Some(buf) = gather::<9>(candidate, b" -", false) else {
        return false;
    };
    let d = buf.as_slice();
    let weights: &[u32] = match d.len() {
        9 => &[1, 4, 3, 7, 5, 8, 6, 9, 10],
        8 => &[10, 7, 8, 4, 6, 3, 5, 1],
        _ => return false,
    };
    let sum = weighted(d, weights);
    !all_same(d) && sum % 11 == 0
}

/// Australian Medicare card number: 10 digits (first 2–6, 9th a check digit over
/// weights 1-3-7-9-1-3-7-9, 10th the issue number), optionally an 11th digit, the
/// individual reference number 1–9.
pub fn au_medicare_ok(candidate: &[u8]) -> bool {
    let Some(buf) = gather::<11>(candidate, b" -/", false) else {
        return false;
    };
    let d = buf.as_slice();
    let irn_ok = match d.get(10) {
        None => true,
        Some(&b) => b != b'0',
    };
    if !(10..=11).contains(&d.len()) || !irn_ok {
        return false;
    }
    let [first, .., _] = *d else {
        return false;
    };
    let sum = weighted(&d[..8], &[1, 3, 7, 9, 1, 3, 7, 9]);
    matches!(first, b'2'..=b'6') && sum % 10 == dv(d[8])
}

/// Singapore NRIC / FIN: S/T/F/G/M + 7 digits + check letter (weights 2-7-6-5-4-3-2,
/// +4 for T and G, +3 for M, one letter table per series).
pub fn sg_nric_ok(candidate: &[u8]) -> bool {
    let Some(s) = exact_alnum::<9>(candidate, b"") else {
        return false;
    };
    if !s[1..8].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let (offset, table): (u32, &[u8; 11]) = match s[0] {
        b'S' => (0, b"JZIHGFEDCBA"),
        b'T' => (4, b"JZIHGFEDCBA"),
        b'F' => (0, b"XWUTRQPNMLK"),
        b'G' => (4, b"XWUTRQPNMLK"),
        b'M' => (3, b"XWUTRQPNJLK"),
        _ => return false,
    };
    let sum = offset + weighted(&s[1..8], &[2, 7, 6, 5, 4, 3, 2]);
    table.get((sum % 11) as usize) == Some(&s[8])
}

/// Chinese resident identity card number: 6-digit region (valid province code), birth
/// date YYYYMMDD, 3-digit sequence, ISO 7064 MOD 11-2 check character (0–9 or X).
pub fn cn_resident_id_ok(candidate: &[u8]) -> bool {
    let Some(s) = exact_alnum::<18>(candidate, b" ") else {
        return false;
    };
    if !s[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const PROVINCES: &[u32] = &[
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51,
        52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
    ];
    if !PROVINCES.contains(&num(&s[..2])) {
        return false;
    }
    let year = i64::from(num(&s[6..10]));
    if !(1870..=this_year()).contains(&year)
        || !calendar_date_ok(year, num(&s[10..12]), num(&s[12..14]))
    {
        return false;
    }
    let sum = weighted(
        &s[..17],
        &[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2],
    );
    b"10X98765432".get((sum % 11) as usize) == Some(&s[17])
}

/// Japanese My Number (individual number): 12 digits, check digit 11 − (Σ Pn·Qn mod 11)
/// (0 when the remainder is 0 or 1), weights 6-5-4-3-2-7-6-5-4-3-2 from the left.
pub fn jp_my_number_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<12>(candidate, b" -") else {
        return false;
    };
    if all_same(&d) {
        return false;
    }
    let r = weighted(&d[..11], &[6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11;
    let check = if r <= 1 { 0 } else { 11 - r };
    check == dv(d[11])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::tests::cases;
    use crate::validate::Validator;

    #[test]
    fn aadhaar() {
        cases(
            Validator::Aadhaar,
            &[
                "2341 2341 2346",
                "999941057058",
                "4918 3726 4503",
                "876543210988",
            ],
            &[
                "2341 2341 2347",
                "0341 2341 2346",
                "1234 5678 9012",
                "012345678906", // Verhoeff-valid, but a leading 0 is never issued
                "112345678907", // Verhoeff-valid, but a leading 1 is never issued
                "23412341234",
                "222222222222",
            ],
        );
        assert!(verhoeff_ok(b"012345678906") && verhoeff_ok(b"112345678907"));
        assert!(!aadhaar_ok(b"1234 5678 9012"));
    }

    #[test]
    fn kr_rrn() {
        cases(
            Validator::KrRrn,
            &["900101-1234568", "0503154123456", "800229-2345678"],
            &[
                "901301-1234568", // month 13
                "810229-1234568", // 29 Feb 1981
                "900101-3234568", // 2090 is in the future
                "900101-123456",
                "900101-1111111",
            ],
        );
    }

    #[test]
    fn au_tfn() {
        cases(
            Validator::AuTfn,
            &["123 456 782", "876543210", "37118629"],
            &["123456789", "123 456 783", "1234567", "000000000"],
        );
    }

    #[test]
    fn au_medicare() {
        cases(
            Validator::AuMedicare,
            &["2123 45670 1", "2123456701", "2123 45670 1-3"],
            &[
                "2123456711",  // check digit
                "7123456701",  // first digit 7
                "21234567010", // IRN 0
                "212345670",
            ],
        );
    }

    #[test]
    fn sg_nric() {
        cases(
            Validator::SgNric,
            &[
                "S1234567D",
                "S8944027J",
                "T0000001E",
                "G6046409Q",
                "F1234567N",
                "M5000000U",
                "s1234567d",
            ],
            &[
                "S1234567A",
                "G6075119Q",
                "A1234567D",
                "S123456D",
                "S12345678D",
            ],
        );
    }

    #[test]
    fn cn_resident_id() {
        cases(
            Validator::CnResidentId,
            &[
                "11010519491231002X",
                "11010519491231002x",
                "440524188001010014",
                "110101200001010010",
            ],
            &[
                "110105194912310021", // wrong check
                "990105194912310021", // no province 99
                "110105194913310024", // month 13
                "11010519491231002",
            ],
        );
    }

    #[test]
    fn jp_my_number() {
        cases(
            Validator::JpMyNumber,
            &["123456789018", "1234 5678 9018", "012345678903"],
            &["123456789019", "111111111111", "12345678901"],
        );
    }
}
