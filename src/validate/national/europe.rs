//! European national identity and tax numbers (the UK, Germany, the Netherlands, Belgium,
//! Poland, the Nordic countries, Spain, Italy, France, Portugal) and Turkey's TC Kimlik.

use super::{weighted, PRINTED};
use crate::validate::checksum::luhn_ok;
use crate::validate::date::{calendar_date_ok, this_year};
use crate::validate::normalise::{all_same, dv, exact_alnum, exact_digits, gather, num};

/// UK National Insurance number: prefix letters, 6 digits, suffix A–D.
pub fn uk_nino_ok(c: &[u8]) -> bool {
    let Some(s) = exact_alnum::<9>(c, b" ") else {
        return false;
    };
    let [a, b, ref digits @ .., suffix] = s;
    a.is_ascii_uppercase()
        && b.is_ascii_uppercase()
        && !b"DFIQUV".contains(&a)
        && !b"DFIOQUV".contains(&b)
        && ![*b"BG", *b"GB", *b"NK", *b"KN", *b"TN", *b"NT", *b"ZZ"].contains(&[a, b])
        && digits.iter().all(u8::is_ascii_digit)
        && (b'A'..=b'D').contains(&suffix)
}

/// Spanish DNI / NIE check letters, indexed by the number mod 23.
const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Spanish DNI (8 digits + letter) / NIE (X/Y/Z + 7 digits + letter) / personal NIF without
/// a DNI (K/L/M + 7 digits + letter) proof: mod-23 check letter.
pub fn es_dni_ok(candidate: &[u8]) -> bool {
    let Some(s) = exact_alnum::<9>(candidate, b" -.") else {
        return false;
    };
    let lead = match s[0] {
        b'X' => 0,
        b'Y' => 1,
        b'Z' => 2,
        // K (under-14 Spaniards), L (non-resident Spaniards), M (foreigners without NIE):
        // the letter is computed on the seven digits alone.
        b'K' | b'L' | b'M' => 0,
        b if b.is_ascii_digit() => dv(b),
        _ => return false,
    };
    if !s[1..8].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = lead * 10_000_000 + num(&s[1..8]);
    DNI_LETTERS.get((n % 23) as usize) == Some(&s[8])
}

/// Codice fiscale values of characters in odd (1st, 3rd, …) positions, for 0–9 and A–Z.
const CF_ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// Italian codice fiscale proof: 16-character layout (omocodia allowed) and odd/even check char.
pub fn codice_fiscale_ok(candidate: &[u8]) -> bool {
    let Some(s) = exact_alnum::<16>(candidate, b" ") else {
        return false;
    };
    const OMOCODE: &[u8] = b"LMNPQRSTUV";
    const MONTHS: &[u8] = b"ABCDEHLMPRST";
    let digit_like = |b: u8| b.is_ascii_digit() || OMOCODE.contains(&b);
    let layout = s[..6].iter().all(u8::is_ascii_uppercase)
        && [6, 7, 9, 10, 12, 13, 14].iter().all(|&i| digit_like(s[i]))
        && MONTHS.contains(&s[8])
        && s[11].is_ascii_uppercase()
        && s[15].is_ascii_uppercase();
    if !layout {
        return false;
    }
    let index = |b: u8| -> usize {
        if b.is_ascii_digit() {
            usize::from(b - b'0')
        } else {
            usize::from(b - b'A')
        }
    };
    let sum: u32 = s[..15]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if i % 2 == 0 {
                CF_ODD.get(index(b)).copied().unwrap_or(0)
            } else {
                index(b) as u32
            }
        })
        .sum();
    b'A' + (sum % 26) as u8 == s[15]
}

/// French INSEE/NIR proof (spaces allowed): key = 97 − (n mod 97), Corsica 2A/2B read as 19/18.
pub fn fr_insee_ok(candidate: &[u8]) -> bool {
    let Some(s) = exact_alnum::<15>(candidate, b" ") else {
        return false;
    };
    if !matches!(s[0], b'1' | b'2' | b'7' | b'8') {
        return false;
    }
    // Corsica: department 2A counts as 19 and 2B as 18 in the key computation.
    let mut digits = s;
    match (s[5], s[6]) {
        (b'2', b'A') => digits[5..7].copy_from_slice(b"19"),
        (b'2', b'B') => digits[5..7].copy_from_slice(b"18"),
        _ => {}
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = digits[..13]
        .iter()
        .fold(0u64, |acc, &b| acc * 10 + u64::from(b - b'0'));
    let key = u64::from(num(&digits[13..15]));
    key == 97 - n % 97
}

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
    month == 0 || day == 0 || calendar_date_ok(year, month, day)
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
    if !calendar_date_ok(century + i64::from(num(&d[..2])), month, num(&d[4..6])) {
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
    calendar_date_ok(year, month, day) && !all_same(ten) && luhn_ok(ten)
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
    if !calendar_date_ok(year, num(&s[2..4]), num(&s[..2])) || num(&s[7..10]) < 2 {
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
    calendar_date_ok(century + yy, num(&d[2..4]), num(&d[..2]))
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
    if !calendar_date_ok(century + yy, month, day) {
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

#[cfg(test)]
mod tests {
    use crate::validate::tests::cases;
    use crate::validate::Validator;

    #[test]
    fn uk_nino() {
        cases(
            Validator::UkNino,
            &["AB 12 34 56 C", "CE123456D", "JH 54 32 10 A", "ab123456c"],
            &[
                "QQ 12 34 56 C",
                "GB123456A",
                "AB123456E",
                "AO123456A",
                "DA123456A",
                "AB12345C",
                "AB1234567",
            ],
        );
    }

    #[test]
    fn es_dni() {
        cases(
            Validator::EsDni,
            &[
                "12345678Z",
                "87654321-X",
                "00000023T",
                "X1234567L",
                "Y1234567X",
                "z1234567r",
                "K1234567L",
                "M1234567L",
            ],
            &[
                "12345678A",
                "K1234567X",
                "X1234567A",
                "W1234567L",
                "1234567Z",
                "123456789",
                "12345678ZZ",
            ],
        );
    }

    #[test]
    fn it_codice_fiscale() {
        cases(
            Validator::ItCodiceFiscale,
            &[
                "RSSMRA85T10A562S",
                "MRTMTT25D09F205Z",
                "BNCGNN80A41H501X",
                "RSSMRA85T10A56NH", // omocodia
                "rssmra85t10a562s",
            ],
            &[
                "RSSMRA85T10A562T",
                "RSSMRA85Z10A562S", // Z is not a month letter
                "RSSMRA85T10A562",
                "1SSMRA85T10A562S",
                "RSSMRA85T10A5620",
            ],
        );
    }

    #[test]
    fn fr_insee() {
        cases(
            Validator::FrInsee,
            &[
                "1 84 12 76 451 089 46",
                "255081416802538",
                "1 85 02 2A 123 456 82",
                "270052B65432182",
                "199037511122246",
            ],
            &[
                "1 84 12 76 451 089 47",
                "384127645108946",
                "1 85 02 2C 123 456 82",
                "18412764510894",
                "1841276451089460",
            ],
        );
    }

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
}
