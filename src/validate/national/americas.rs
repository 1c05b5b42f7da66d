//! National numbers of the Americas: US SSN and ITIN, the US driver's-licence shapes,
//! Canada's SIN, Brazil's CPF and CNPJ.

use super::{weighted, PRINTED};
use crate::validate::checksum::luhn_ok;
use crate::validate::normalise::{all_same, dv, exact_digits, num, SPACE_DASH};

/// Canadian SIN: 9 digits, first not 0 (unassigned) or 8 (business numbers), Luhn.
pub fn ca_sin_ok(c: &[u8]) -> bool {
    let Some(d) = exact_digits::<9>(c, SPACE_DASH) else {
        return false;
    };
    !matches!(d[0], b'0' | b'8') && !all_same(&d) && luhn_ok(&d)
}

/// US SSN: structural area/group/serial rules and known sample numbers.
pub fn ssn_ok(c: &[u8]) -> bool {
    let Some(d) = exact_digits::<9>(c, SPACE_DASH) else {
        return false;
    };
    let area = num(&d[0..3]);
    let group = num(&d[3..5]);
    let serial = num(&d[5..9]);
    if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
        return false;
    }
    const SAMPLES: [&[u8; 9]; 3] = [b"078051120", b"219099999", b"123456789"];
    !SAMPLES.contains(&&d) && !all_same(&d)
}

/// US ITIN: 9XX-GG-XXXX with the group in the IRS-assigned ranges.
pub fn itin_ok(c: &[u8]) -> bool {
    let Some(d) = exact_digits::<9>(c, SPACE_DASH) else {
        return false;
    };
    let group = num(&d[3..5]);
    d[0] == b'9' && matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99) && !all_same(&d)
}

/// Brazilian CPF proof (`.`/`-` allowed): both mod-11 check digits; all-one-digit numbers rejected.
pub fn br_cpf_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<11>(candidate, b".-") else {
        return false;
    };
    if all_same(&d) {
        return false;
    }
    let check = |n: usize| -> u32 {
        let sum: u32 = d
            .iter()
            .take(n)
            .zip((2..=(n as u32 + 1)).rev())
            .map(|(&b, w)| dv(b) * w)
            .sum();
        (sum * 10) % 11 % 10
    };
    check(9) == dv(d[9]) && check(10) == dv(d[10])
}

/// Brazilian CNPJ (company / sole-proprietor registry): 14 digits, two mod-11 check
/// digits (weights 5…2,9…2 and 6…2,9…2), all-one-digit numbers rejected.
pub fn br_cnpj_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<14>(candidate, PRINTED) else {
        return false;
    };
    if all_same(&d) {
        return false;
    }
    let check = |sum: u32| match sum % 11 {
        0 | 1 => 0,
        r => 11 - r,
    };
    const W: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    check(weighted(&d[..12], &W[1..])) == dv(d[12]) && check(weighted(&d[..13], &W)) == dv(d[13])
}

/// US driver's licence number: fits one of the published per-state formats (separators
/// `-` and space ignored). Pure digits: 7–14 or 16; one letter + 3–14 or 18 digits; two
/// letters + 3–7; three letters + 6 (ND); ID `AB123456C`; IA `123AB4567`; NH
/// `12ABC12345`; MO/ME/VT digit runs with a letter suffix; WA `WDL` + 9 and the old
/// 12-character name-coded form (`*` padding).
pub fn us_driver_license_ok(candidate: &[u8]) -> bool {
    if candidate.len() > 40 {
        return false;
    }
    let mut s = [0u8; 20];
    let mut n = 0usize;
    for &b in candidate {
        if b == b'-' || b == b' ' {
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b == b'*') {
            return false;
        }
        let Some(slot) = s.get_mut(n) else {
            return false;
        };
        *slot = b.to_ascii_uppercase();
        n += 1;
    }
    let s = s.get(..n).unwrap_or(&[]);
    if s.contains(&b'*') || s.starts_with(b"WDL") {
        return wa_license_ok(s);
    }
    // Runs: letters, digits, letters (then digits, letters) — at most five.
    let mut runs = [(false, 0usize); 5];
    let mut count = 0usize;
    for &b in s {
        let digit = b.is_ascii_digit();
        match count.checked_sub(1).and_then(|i| runs.get_mut(i)) {
            Some(last) if last.0 == digit => last.1 += 1,
            _ => {
                let Some(slot) = runs.get_mut(count) else {
                    return false;
                };
                *slot = (digit, 1);
                count += 1;
            }
        }
    }
    let digits_of = |run: usize| -> &[u8] {
        let start: usize = runs.iter().take(run).map(|r| r.1).sum();
        s.get(start..start + runs.get(run).map_or(0, |r| r.1))
            .unwrap_or(&[])
    };
    let shape: &[(bool, usize)] = runs.get(..count).unwrap_or(&[]);
    let ok = match *shape {
        [(true, d)] => matches!(d, 7..=14 | 16),
        [(false, 1), (true, d)] => matches!(d, 3..=14 | 18),
        [(false, 2), (true, d)] => (3..=7).contains(&d),
        [(false, 3), (true, 6)] => true,
        [(false, 2), (true, 6), (false, 1)] => true,
        [(true, 3), (false, 2), (true, 4)] => true,
        [(true, 2), (false, 3), (true, 5)] => true,
        [(true, 7), (false, 1)] | [(true, 8), (false, 2)] | [(true, 9), (false, 1)] => true,
        [(false, 1), (true, 6), (false, 1)] => true,
        _ => false,
    };
    // A run of one repeated digit is a placeholder, not a number.
    let digit_run = shape.iter().position(|r| r.0).map(digits_of);
    ok && !digit_run.is_some_and(|d| d.len() >= 4 && all_same(d))
}

/// Washington licence: `WDL` + 9 alphanumerics (2018 on) or the old 12-character form
/// (5 surname letters padded with `*`, first initial, middle initial or `*`, 3 digits,
/// 2 alphanumerics).
fn wa_license_ok(s: &[u8]) -> bool {
    let Ok(s) = <&[u8; 12]>::try_from(s) else {
        return false;
    };
    if let Some(rest) = s.strip_prefix(b"WDL") {
        if rest.iter().all(u8::is_ascii_alphanumeric) && rest.iter().any(u8::is_ascii_digit) {
            return true;
        }
    }
    let name = |b: &u8| b.is_ascii_uppercase() || *b == b'*';
    s[0].is_ascii_uppercase()
        && s[1..5].iter().all(name)
        && s[5].is_ascii_uppercase()
        && name(&s[6])
        && s[7..10].iter().all(u8::is_ascii_digit)
        && s[10..].iter().all(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use crate::validate::tests::cases;
    use crate::validate::Validator;

    #[test]
    fn ca_sin() {
        cases(
            Validator::CaSin,
            &["130 692 544", "192-837-466", "273645283", "564738292"],
            &[
                "046 454 286", // Luhn-valid but 0xx is never assigned
                "130 692 545",
                "000000000",
                "13069254",
                "1306925441",
            ],
        );
    }

    #[test]
    fn ssn() {
        cases(
            Validator::Ssn,
            &["536-22-1234", "001-01-0001", "665 45 6789", "772-12-3456"],
            &[
                "000-12-3456",
                "666-12-3456",
                "900-12-3456",
                "987-65-4320",
                "536-00-1234",
                "536-22-0000",
                "078-05-1120",
                "219-09-9999",
                "123-45-6789",
                "111-11-1111",
                "536-22-123",
                "536.22.1234",
            ],
        );
    }

    #[test]
    fn itin() {
        cases(
            Validator::Itin,
            &["912-50-1234", "900-70-0000", "999-94-1234", "923 88 4567"],
            &[
                "912-66-1234",
                "912-93-1234",
                "812-70-1234",
                "912-89-1234",
                "912-70-123",
                "999-99-9999",
            ],
        );
    }

    #[test]
    fn br_cpf() {
        cases(
            Validator::BrCpf,
            &[
                "529.982.247-25",
                "111.444.777-35",
                "12345678909",
                "987.654.321-00",
            ],
            &[
                "529.982.247-26",
                "111.111.111-11",
                "000.000.000-00",
                "529 982 247 25",
                "5299822472",
            ],
        );
    }

    #[test]
    fn br_cnpj() {
        cases(
            Validator::BrCnpj,
            &["11.222.333/0001-81", "11222333000181", "45.997.418/0001-53"],
            &[
                "11.222.333/0001-82",
                "11111111111111",
                "11.222.333/0001-8",
                "1122233300018a",
            ],
        );
    }

    #[test]
    fn us_driver_license() {
        cases(
            Validator::UsDriverLicense,
            &[
                "D1234567",          // CA
                "123456789",         // NY
                "S530-460-62-351-0", // FL
                "A123-4567-8901",    // IL
                "12345678",          // TX
                "WDLABCD456DG",      // WA (2018)
            ],
            &[
                "AB123456789012", // two letters + 12 digits: no state
                "123456",         // too short
                "GPL-3",
                "11111111",
                "ABCDEFGH",
            ],
        );
        cases(
            Validator::UsDriverLicense,
            &[
                "SMITHJ*123AB",
                "DOE**JM452X9",
                "AB123456C",
                "123AB4567",
                "12ABC12345",
                "12345678AB",
            ],
            &["SMITH*J12", "WDL", "*MITH*J123AB", "1234ABC567"],
        );
    }
}
