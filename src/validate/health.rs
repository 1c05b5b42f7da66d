//! Health identifiers: the UK NHS number, ICD-10 diagnosis codes and the US Medicare
//! Beneficiary Identifier.
//!
//! The NHS number carries a mod-11 check digit; ICD-10 codes and the MBI are structural.
//! They run on the trimmed raw candidate, copy at most a few bytes onto the stack, and
//! never panic.

use super::normalise::{all_same, dv, exact_alnum, exact_digits, num, SPACE_DASH};

/// NHS number proof (spaces/dashes): mod-11, weights 10..2 (11 → 0, 10 never issued).
pub fn nhs_number_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<10>(candidate, SPACE_DASH) else {
        return false;
    };
    if all_same(&d) {
        return false;
    }
    let sum: u32 = d[..9]
        .iter()
        .zip((2..=10u32).rev())
        .map(|(&b, w)| dv(b) * w)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        r => r,
    };
    check == dv(d[9])
}

/// ICD-10 categories whose third character is a letter (ICD-10-CM), e.g. `C4A`, `Z3A`.
const LETTER_CATEGORIES: &[[u8; 3]] = &[
    *b"C4A", *b"C7A", *b"C7B", *b"D3A", *b"I1A", *b"M1A", *b"O9A", *b"Z3A",
];

/// The category numbers (00–99) a chapter letter uses in ICD-10 / ICD-10-CM.
fn icd10_category_ok(letter: u8, n: u32) -> bool {
    match letter {
        b'D' => n <= 89,
        b'E' => n <= 90,
        b'F' => n >= 1,
        b'H' | b'K' => n <= 95,
        b'P' => n <= 96,
        b'T' => n <= 98,
        // U is reserved: U00–U49 provisional codes (U07.1 COVID-19, U09.9), U82–U85
        // antimicrobial resistance.
        b'U' => n <= 49 || (82..=85).contains(&n),
        b'A'..=b'Z' => true,
        _ => false,
    }
}

/// ICD-10 code: chapter letter + 2 digits (or one of the letter categories such as
/// `C4A`) in the letter's valid range, optionally `.` and 1–4 alphanumerics (the dot may
/// be left out, as in `E119`).
pub fn icd10_ok(candidate: &[u8]) -> bool {
    if !(3..=8).contains(&candidate.len()) {
        return false;
    }
    let mut s = [0u8; 8];
    for (slot, &b) in s.iter_mut().zip(candidate) {
        *slot = b.to_ascii_uppercase();
    }
    let s = s.get(..candidate.len()).unwrap_or(&[]);
    let (cat, rest) = s.split_at(3);
    let category_ok = if cat[2].is_ascii_digit() {
        cat[1].is_ascii_digit() && icd10_category_ok(cat[0], num(&cat[1..3]))
    } else {
        LETTER_CATEGORIES.iter().any(|c| c[..] == *cat)
    };
    let sub = rest.strip_prefix(b".").unwrap_or(rest);
    let sub_ok = match rest.first() {
        None => true,
        Some(_) => (1..=4).contains(&sub.len()) && sub.iter().all(u8::is_ascii_alphanumeric),
    };
    category_ok && sub_ok
}

/// Whether `b` is an MBI letter: A–Z except S, L, O, I, B and Z.
fn mbi_alpha(b: u8) -> bool {
    b.is_ascii_uppercase() && !b"SLOIBZ".contains(&b)
}

/// US Medicare Beneficiary Identifier (CMS format): 11 characters, dashes allowed —
/// position 1 a digit 1–9; 2, 5, 8 and 9 MBI letters; 4, 7, 10 and 11 digits; 3 and 6 an
/// MBI letter or digit.
pub fn us_mbi_ok(candidate: &[u8]) -> bool {
    let Some(s) = exact_alnum::<11>(candidate, b"- ") else {
        return false;
    };
    let alnum = |b: u8| b.is_ascii_digit() || mbi_alpha(b);
    (b'1'..=b'9').contains(&s[0])
        && mbi_alpha(s[1])
        && alnum(s[2])
        && s[3].is_ascii_digit()
        && mbi_alpha(s[4])
        && alnum(s[5])
        && s[6].is_ascii_digit()
        && mbi_alpha(s[7])
        && mbi_alpha(s[8])
        && s[9].is_ascii_digit()
        && s[10].is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use crate::validate::tests::cases;
    use crate::validate::Validator;

    #[test]
    fn nhs_number() {
        cases(
            Validator::NhsNumber,
            &["943 476 5919", "4010232137", "485-777-3457", "943 476 5870"],
            &[
                "943 476 5918",
                "4444444444",
                "0000000000",
                "94347659",
                "94347659191",
                "401023213X",
            ],
        );
    }

    #[test]
    fn icd10() {
        cases(
            Validator::Icd10,
            &[
                "I48.91", "F10.20", "E11.9", "Z79.4", "J45.909", "S72.001A", "T36.0X1A", "C4A.0",
                "O9A.211", "U07.1", "e11.9", "E119", "E11",
            ],
            &[
                "D95.1",     // D ends at D89
                "F00.1",     // F starts at F01
                "U60.1",     // U reserved outside provisional / resistance codes
                "C4B.0",     // not a letter category
                "E11.",      // dot without a subcategory
                "E11.12345", // too long
                "111.1",     // no chapter letter
                "E1",
                "E11-9",
            ],
        );
    }

    #[test]
    fn us_mbi() {
        cases(
            Validator::UsMbi,
            &[
                "1EG4-TE5-MK73",
                "1EG4TE5MK73",
                "1eg4-te5-mk73",
                "9AA0A00AA00",
            ],
            &[
                "0EG4-TE5-MK73", // position 1 is 1-9
                "1SG4-TE5-MK73", // S never used
                "1EG4-TE5-MK7",  // too short
                "1EGA-TE5-MK73", // position 4 is a digit
                "1EG4-TE5-M173", // position 9 is a letter
            ],
        );
    }
}
