//! National identity, tax and licence numbers beyond the US/UK core set, and the
//! column-gated US shapes (driver's licences by state, bank account numbers).
//!
//! Every function takes the trimmed raw candidate, normalises it into a fixed-size
//! stack buffer (no heap allocation) and never panics: over-long input is rejected by
//! the buffer helpers of the parent module before any work is done.

use super::{all_same, days_in_month, dv, exact_alnum, exact_digits, gather, luhn_ok, num, today};

/// Separators of printed national numbers: space, dash, dot, slash.
const PRINTED: &[u8] = b" -./";

/// Whether (year, month, day) is a real calendar date.
fn date_ok(year: i64, month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)
}

/// The current year, or `i64::MAX` when the clock is unset (no upper bound then).
fn this_year() -> i64 {
    today().map_or(i64::MAX, |(y, _, _)| y)
}

/// Weighted digit sum: `Σ digit × weight` over the shorter of the two.
fn weighted(digits: &[u8], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(&b, &w)| dv(b) * w).sum()
}

// ---------------------------------------------------------------------------------------
// Europe
// ---------------------------------------------------------------------------------------

/// German Steuer-ID (steuerliche Identifikationsnummer): 11 digits, first not 0; in the
/// first ten exactly one digit repeats (twice, or three times but never three in a row);
/// ISO 7064 MOD 11,10 check digit.
pub fn de_steuer_id_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<11>(candidate, PRINTED) else {
        return false;
    };
    if d[0] == b'0' {
        return false;
    }
    let mut counts = [0u8; 10];
    for &b in &d[..10] {
        if let Some(c) = counts.get_mut(usize::from(b - b'0')) {
            *c += 1;
        }
    }
    let repeated = counts.iter().filter(|&&c| c > 1).count();
    let max = counts.iter().copied().max().unwrap_or(0);
    if repeated != 1 || !(2..=3).contains(&max) {
        return false;
    }
    if max == 3 && d[..10].windows(3).any(|w| w[0] == w[1] && w[1] == w[2]) {
        return false;
    }
    // ISO 7064 MOD 11,10 (hybrid system).
    let mut product = 10u32;
    for &b in &d[..10] {
        let mut sum = (dv(b) + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    let check = match 11 - product {
        10 => 0,
        c => c,
    };
    check == dv(d[10])
}

/// ICAO 9303 value of one machine-readable character (0–9, A=10 … Z=35).
fn icao_value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(dv(b)),
        b'A'..=b'Z' => Some(u32::from(b - b'A') + 10),
        _ => None,
    }
}

/// German Personalausweis (ID card since 2010) document number: a letter, 8 characters
/// of the card alphabet (digits and C F G H J K L M N P R T V W X Y Z), then the ICAO
/// 9303 check digit (weights 7-3-1, mod 10).
pub fn de_personalausweis_ok(candidate: &[u8]) -> bool {
    let Some(s) = exact_alnum::<10>(candidate, b" <") else {
        return false;
    };
    const LETTERS: &[u8] = b"CFGHJKLMNPRTVWXYZ";
    let alphabet = |b: u8| b.is_ascii_digit() || LETTERS.contains(&b);
    if !LETTERS.contains(&s[0]) || !s[1..9].iter().all(|&b| alphabet(b)) || !s[9].is_ascii_digit() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &b) in s[..9].iter().enumerate() {
        let Some(v) = icao_value(b) else {
            return false;
        };
        sum += v * [7, 3, 1][i % 3];
    }
    sum % 10 == dv(s[9])
}

/// Dutch BSN (burgerservicenummer): 9 digits (an 8-digit one has a leading 0 dropped),
/// "11-proof": 9·d1 + 8·d2 + … + 2·d8 − d9 is a multiple of 11.
pub fn nl_bsn_ok(candidate: &[u8]) -> bool {
    let Some(buf) = gather::<9>(candidate, PRINTED, false) else {
        return false;
    };
    let mut d = [b'0'; 9];
    let s = buf.as_slice();
    match s.len() {
        9 => d.copy_from_slice(s),
        8 => d[1..].copy_from_slice(s),
        _ => return false,
    }
    if all_same(&d) || all_same(&d[1..]) {
        return false;
    }
    let sum = weighted(&d[..8], &[9, 8, 7, 6, 5, 4, 3, 2]);
    let last = dv(d[8]);
    sum >= last && (sum - last) % 11 == 0
}

/// Belgian national number (rijksregisternummer / numéro national): YYMMDD-SSS-CC with
/// CC = 97 − (first nine digits mod 97), or with a 2 prefixed for births from 2000; month
/// +20/+40 for BIS numbers; month or day 0 when the birth date is unknown.
pub fn be_national_number_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<11>(candidate, PRINTED) else {
        return false;
    };
    let n = u64::from(num(&d[..9]));
    let cc = u64::from(num(&d[9..]));
    let year = if cc == 97 - n % 97 {
        1900
    } else if cc == 97 - (2_000_000_000 + n) % 97 {
        2000
    } else {
        return false;
    } + i64::from(num(&d[..2]));
    let month = match num(&d[2..4]) {
        m @ 0..=12 => m,
        m @ 20..=32 => m - 20,
        m @ 40..=52 => m - 40,
        _ => return false,
    };
    let day = num(&d[4..6]);
    let serial = num(&d[6..9]);
    if !(1..=998).contains(&serial) || day > 31 || year > this_year() {
        return false;
    }
    // Unknown parts of the birth date are written as 0.
    month == 0 || day == 0 || date_ok(year, month, day)
}

/// Polish PESEL: 11 digits, YYMMDD with the century in the month (+80 1800s, +0 1900s,
/// +20 2000s, +40 2100s, +60 2200s), check digit with weights 1-3-7-9.
pub fn pl_pesel_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<11>(candidate, b" -") else {
        return false;
    };
    if all_same(&d) {
        return false;
    }
    let mm = num(&d[2..4]);
    let (century, month) = match mm {
        81..=92 => (1800, mm - 80),
        1..=12 => (1900, mm),
        21..=32 => (2000, mm - 20),
        41..=52 => (2100, mm - 40),
        61..=72 => (2200, mm - 60),
        _ => return false,
    };
    if !date_ok(century + i64::from(num(&d[..2])), month, num(&d[4..6])) {
        return false;
    }
    let sum = weighted(&d[..10], &[1, 3, 7, 9, 1, 3, 7, 9, 1, 3]);
    (10 - sum % 10) % 10 == dv(d[10])
}

/// Swedish personnummer / samordningsnummer: YYMMDD-NNNC (`+` for 100 years or older),
/// YYYYMMDDNNNC or YYYYMMDD-NNNC; day + 60 for a coordination number; Luhn over the
/// ten digits YYMMDDNNNC.
pub fn se_personnummer_ok(candidate: &[u8]) -> bool {
    let c = candidate;
    // Where the one optional separator may stand, by total length.
    let (body_len, sep_at) = match c.len() {
        10 => (10, None),
        11 => (10, Some(6)),
        12 => (12, None),
        13 => (12, Some(8)),
        _ => return false,
    };
    let mut d = [0u8; 12];
    let mut n = 0usize;
    for (i, &b) in c.iter().enumerate() {
        if Some(i) == sep_at {
            let allowed: &[u8] = if body_len == 10 { b"-+" } else { b"-" };
            if !allowed.contains(&b) {
                return false;
            }
            continue;
        }
        let Some(slot) = d.get_mut(n) else {
            return false;
        };
        if !b.is_ascii_digit() {
            return false;
        }
        *slot = b;
        n += 1;
    }
    if n != body_len {
        return false;
    }
    let (year, ten) = if body_len == 12 {
        let y = i64::from(num(&d[..4]));
        if !(1800..=2099).contains(&y) {
            return false;
        }
        (y, &d[2..12])
    } else {
        // Century unknown: 2000 + YY has the same leap years as either century, except
        // 00 (2000 leap, 1900 not), which is accepted.
        (2000 + i64::from(num(&d[..2])), &d[..10])
    };
    let month = num(&ten[2..4]);
    let day = match num(&ten[4..6]) {
        dd @ 61..=91 => dd - 60,
        dd => dd,
    };
    date_ok(year, month, day) && !all_same(ten) && luhn_ok(ten)
}

/// Finnish HETU (henkilötunnus): DDMMYY, century sign (`+` 1800s, `-` or U–Y 1900s,
/// A–F 2000s), individual number 002–999, mod-31 check character.
pub fn fi_hetu_ok(candidate: &[u8]) -> bool {
    let Ok(s) = <[u8; 11]>::try_from(candidate) else {
        return false;
    };
    let s = s.map(|b| b.to_ascii_uppercase());
    let century = match s[6] {
        b'+' => 1800,
        b'-' | b'U'..=b'Y' => 1900,
        b'A'..=b'F' => 2000,
        _ => return false,
    };
    if !s[..6].iter().chain(&s[7..10]).all(u8::is_ascii_digit) {
        return false;
    }
    let year = century + i64::from(num(&s[4..6]));
    if !date_ok(year, num(&s[2..4]), num(&s[..2])) || num(&s[7..10]) < 2 {
        return false;
    }
    const CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
    let n = num(&s[..6]) * 1000 + num(&s[7..10]);
    CHECK.get((n % 31) as usize) == Some(&s[10])
}

/// Danish CPR number: DDMMYY-SSSS with the century from the 7th digit and the year; the
/// mod-11 check was dropped in 2007, so this is a date check only.
pub fn dk_cpr_ok(candidate: &[u8]) -> bool {
    let sep_ok = match candidate.len() {
        10 => true,
        11 => matches!(candidate[6], b'-' | b' '),
        _ => false,
    };
    let Some(d) = exact_digits::<10>(candidate, b" -").filter(|_| sep_ok) else {
        return false;
    };
    if all_same(&d) {
        return false;
    }
    let yy = i64::from(num(&d[4..6]));
    let century = match (d[6], yy) {
        (b'0'..=b'3', _) => 1900,
        (b'4' | b'9', 0..=36) => 2000,
        (b'4' | b'9', _) => 1900,
        (_, 0..=57) => 2000,
        (_, _) => 1800,
    };
    date_ok(century + yy, num(&d[2..4]), num(&d[..2]))
}

/// Norwegian fødselsnummer (and D-number: day + 40; H-number: month + 40): DDMMYY +
/// individual number (century) + two mod-11 check digits.
pub fn no_fodselsnummer_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<11>(candidate, b" -") else {
        return false;
    };
    if all_same(&d) {
        return false;
    }
    let (mut day, mut month) = (num(&d[..2]), num(&d[2..4]));
    if day > 40 {
        day -= 40;
    } else if month > 40 {
        month -= 40;
    }
    let yy = i64::from(num(&d[4..6]));
    let individual = num(&d[6..9]);
    let century = match (individual, yy) {
        (0..=499, _) => 1900,
        (500..=749, 54..) => 1800,
        (500..=999, 0..=39) => 2000,
        (900..=999, 40..) => 1900,
        _ => return false,
    };
    if !date_ok(century + yy, month, day) {
        return false;
    }
    let mod11 = |sum: u32| match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        k => Some(k),
    };
    let k1 = mod11(weighted(&d[..9], &[3, 7, 6, 1, 8, 9, 4, 5, 2]));
    let k2 = mod11(weighted(&d[..10], &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]));
    k1 == Some(dv(d[9])) && k2 == Some(dv(d[10]))
}

/// Portuguese NIF of a person (first digit 1, 2 or 3, or 45 for non-residents): 9
/// digits, mod-11 check digit (weights 9…2; 10 and 11 become 0).
pub fn pt_nif_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<9>(candidate, PRINTED) else {
        return false;
    };
    if !(matches!(d[0], b'1'..=b'3') || d[..2] == *b"45") || all_same(&d[1..]) {
        return false;
    }
    let sum = weighted(&d[..8], &[9, 8, 7, 6, 5, 4, 3, 2]);
    let check = match 11 - sum % 11 {
        10 | 11 => 0,
        c => c,
    };
    check == dv(d[8])
}

// ---------------------------------------------------------------------------------------
// Asia, Africa, Oceania, Latin America
// ---------------------------------------------------------------------------------------

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
    year <= this_year() && date_ok(year, num(&d[2..4]), num(&d[4..6])) && !all_same(&d[7..])
}

/// South African ID number: YYMMDD SSSS C A Z: a real birth date, citizenship 0/1/2,
/// Luhn over the 13 digits.
pub fn za_id_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<13>(candidate, b" -") else {
        return false;
    };
    // Century unknown: 2000 + YY has the leap years of either century (00 accepted).
    date_ok(2000 + i64::from(num(&d[..2])), num(&d[2..4]), num(&d[4..6]))
        && matches!(d[10], b'0'..=b'2')
        && luhn_ok(&d)
}

/// Turkish TC Kimlik No: 11 digits, first not 0; d10 = (7·(d1+d3+d5+d7+d9) −
/// (d2+d4+d6+d8)) mod 10 and d11 = (d1+…+d10) mod 10.
pub fn tr_tc_kimlik_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<11>(candidate, b" ") else {
        return false;
    };
    if d[0] == b'0' {
        return false;
    }
    let v = d.map(|b| dv(b) as i32);
    let odd = v[0] + v[2] + v[4] + v[6] + v[8];
    let even = v[1] + v[3] + v[5] + v[7];
    let d10 = (odd * 7 - even).rem_euclid(10);
    let d11 = v[..10].iter().sum::<i32>() % 10;
    d10 == v[9] && d11 == v[10]
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
    if !(1870..=this_year()).contains(&year) || !date_ok(year, num(&s[10..12]), num(&s[12..14])) {
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

// ---------------------------------------------------------------------------------------
// United States: column/context-gated shapes
// ---------------------------------------------------------------------------------------

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

/// US bank account number: 6–17 digits (dashes/spaces allowed), not one repeated digit
/// and not a plain ascending or descending run (123456789). There is no checksum.
pub fn us_bank_account_ok(candidate: &[u8]) -> bool {
    let Some(buf) = gather::<17>(candidate, b" -", false) else {
        return false;
    };
    let d = buf.as_slice();
    let step = |up: bool| {
        d.windows(2).all(|w| {
            let (a, b) = (w[0], w[1]);
            if up {
                b == a + 1 || (a == b'9' && b == b'0')
            } else {
                a == b + 1 || (a == b'0' && b == b'9')
            }
        })
    };
    (6..=17).contains(&d.len()) && !all_same(d) && !step(true) && !step(false)
}

#[cfg(test)]
mod tests {
    use crate::validate::tests::cases;
    use crate::validate::Validator;

    #[test]
    fn de_steuer_id() {
        cases(
            Validator::DeSteuerId,
            &[
                "86095742719",
                "47 036 892 816",
                "65929970489",
                "12345678995",
            ],
            &[
                "86095742718",  // wrong check digit
                "06095742719",  // leading zero
                "12345678901",  // no repeated digit
                "11123456784",  // a digit three times in a row
                "1234567899",   // 10 digits
                "860957427190", // 12 digits
                "8609574271x",
            ],
        );
    }

    #[test]
    fn de_personalausweis() {
        cases(
            Validator::DePersonalausweis,
            &["T220001293", "L01X00T471", "t22000129 3"],
            &[
                "T220001294", // wrong check digit
                "A220001293", // A is not in the card alphabet
                "T2200012",   // too short
                "1220001293", // must start with a letter
                "T22000129X",
            ],
        );
    }

    #[test]
    fn nl_bsn() {
        cases(
            Validator::NlBsn,
            &["111222333", "123456782", "1234.56.782", "12345672"],
            &[
                "123456789", // fails 11-proof
                "111222334",
                "000000000",
                "1234567",    // too short
                "1234567890", // too long
            ],
        );
    }

    #[test]
    fn be_national_number() {
        cases(
            Validator::BeNationalNumber,
            &[
                "85.07.30-033.28",
                "85073003328",
                "17073003384",
                "850730 033 28",
            ],
            &[
                "85073003329", // wrong check
                "85133003328", // month 13
                "85073003357", // the 2000+ check: born 2085, in the future
                "85073099928", // serial 999
                "8507300332",
            ],
        );
        // A valid check on an impossible date: 1985-02-30, serial 033.
        let n: u64 = 850_230_033;
        let good_check = format!("{n}{:02}", 97 - n % 97);
        assert_eq!(
            Validator::BeNationalNumber.check(good_check.as_bytes()),
            Some(false)
        );
    }

    #[test]
    fn pl_pesel() {
        cases(
            Validator::PlPesel,
            &["44051401359", "02070803628", "02270803624"],
            &[
                "44051401358", // wrong check
                "44135401359", // month 13 (and check)
                "44023101357", // 31 February
                "4405140135",  // too short
                "00000000000",
            ],
        );
    }

    #[test]
    fn se_personnummer() {
        cases(
            Validator::SePersonnummer,
            &[
                "880320-0016",
                "8803200016",
                "19880320-0016",
                "198803200016",
                "811228+9874",
                "701063-2391", // samordningsnummer: day 63 = 3rd
            ],
            &[
                "880320-0017",   // Luhn
                "881320-0016",   // month 13
                "880332-0016",   // day 32
                "88032-00016",   // separator misplaced
                "19880320+0016", // + only in the 10-digit form
                "880320 0016",
                "1212121212121",
            ],
        );
    }

    #[test]
    fn fi_hetu() {
        cases(
            Validator::FiHetu,
            &["131052-308T", "131052-308t", "010594Y9021", "020700A301M"],
            &[
                "131052-308U", // wrong check character
                "131352-308T", // month 13
                "131052*308T", // bad century sign
                "131052-001D", // individual number below 002
                "131052-308",
            ],
        );
    }

    #[test]
    fn dk_cpr() {
        cases(
            Validator::DkCpr,
            &["010180-1234", "2902004321", "311299-1234"],
            &[
                "320180-1234", // day 32
                "290201-1234", // 29 Feb 1901 (digit 1: 1900s)
                "011380-1234", // month 13
                "0101801234-",
                "010180123",
            ],
        );
    }

    #[test]
    fn no_fodselsnummer() {
        cases(
            Validator::NoFodselsnummer,
            &["15108695088", "01010100050", "41018036736", "151086 95088"],
            &[
                "15108695077", // second check digit
                "15108695089",
                "32108695088", // day 32
                "1510869508",
                "00000000000",
            ],
        );
    }

    #[test]
    fn pt_nif() {
        cases(
            Validator::PtNif,
            &["123456789", "232013969", "287024008", "453456782"],
            &[
                "123456788", // wrong check
                "501964843", // a company (NIPC), not a person
                "999999990",
                "12345678",
                "1234567890",
            ],
        );
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
    fn za_id() {
        cases(
            Validator::ZaId,
            &["8001015009087", "7106245929185", "800101 5009 087"],
            &[
                "8001015009086", // Luhn
                "8013015009083", // month 13
                "8001015009387", // citizenship 3
                "800101500908",
            ],
        );
    }

    #[test]
    fn tr_tc_kimlik() {
        cases(
            Validator::TrTcKimlik,
            &["10000000146", "12345678950", "17291716060"],
            &[
                "10000000147", // 11th digit
                "10000000136", // 10th digit
                "02345678950", // leading zero
                "1234567895",
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

    #[test]
    fn us_bank_account() {
        cases(
            Validator::UsBankAccount,
            &["000123456789", "4451230987", "12-3456781-09"],
            &[
                "12345",
                "123456789",
                "12-3456789-01",
                "9876543",
                "111111111",
                "123456789012345678",
            ],
        );
    }

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
