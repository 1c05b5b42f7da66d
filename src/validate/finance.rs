//! Payment and banking numbers: card numbers (brand ranges + Luhn), IBAN, US ABA routing
//! numbers and US bank account numbers.

use super::checksum::{luhn_ok, mod97};
use super::normalise::{all_same, dv, exact_digits, gather, num, SPACE_DASH};

/// Card brand IIN ranges and lengths (ASCII digits): 1 in 10 numbers pass Luhn; this drops most.
pub fn card_brand_ok(digits: &[u8]) -> bool {
    let len = digits.len();
    if !(12..=19).contains(&len) || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let prefix = |n: usize| num(digits.get(..n).unwrap_or(&[]));
    let (p1, p2, p3, p4) = (prefix(1), prefix(2), prefix(3), prefix(4));
    let visa = p1 == 4 && matches!(len, 13 | 16 | 19);
    let mastercard = ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && len == 16;
    let amex = matches!(p2, 34 | 37) && len == 15;
    let discover =
        (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65) && (16..=19).contains(&len);
    let jcb = (3528..=3589).contains(&p4) && (16..=19).contains(&len);
    let diners = ((300..=305).contains(&p3) || p2 == 36 || (38..=39).contains(&p2))
        && (14..=19).contains(&len);
    let unionpay = p2 == 62 && (16..=19).contains(&len);
    let maestro = (p2 == 50 || (56..=69).contains(&p2)) && (12..=19).contains(&len);
    visa || mastercard || amex || discover || jcb || diners || unionpay || maestro
}

/// Payment card: brand IIN/length, not a placeholder, then Luhn.
pub fn luhn_card_ok(c: &[u8]) -> bool {
    let Some(buf) = gather::<19>(c, SPACE_DASH, false) else {
        return false;
    };
    let d = buf.as_slice();
    card_brand_ok(d) && !all_same(d) && luhn_ok(d)
}

/// IBAN lengths by ISO country code (SWIFT IBAN registry), sorted for binary search.
const IBAN_LENGTHS: &[([u8; 2], u8)] = &[
    (*b"AD", 24),
    (*b"AE", 23),
    (*b"AL", 28),
    (*b"AT", 20),
    (*b"AZ", 28),
    (*b"BA", 20),
    (*b"BE", 16),
    (*b"BG", 22),
    (*b"BH", 22),
    (*b"BI", 27),
    (*b"BR", 29),
    (*b"BY", 28),
    (*b"CH", 21),
    (*b"CR", 22),
    (*b"CY", 28),
    (*b"CZ", 24),
    (*b"DE", 22),
    (*b"DJ", 27),
    (*b"DK", 18),
    (*b"DO", 28),
    (*b"EE", 20),
    (*b"EG", 29),
    (*b"ES", 24),
    (*b"FI", 18),
    (*b"FK", 18),
    (*b"FO", 18),
    (*b"FR", 27),
    (*b"GB", 22),
    (*b"GE", 22),
    (*b"GI", 23),
    (*b"GL", 18),
    (*b"GR", 27),
    (*b"GT", 28),
    (*b"HR", 21),
    (*b"HU", 28),
    (*b"IE", 22),
    (*b"IL", 23),
    (*b"IQ", 23),
    (*b"IS", 26),
    (*b"IT", 27),
    (*b"JO", 30),
    (*b"KW", 30),
    (*b"KZ", 20),
    (*b"LB", 28),
    (*b"LC", 32),
    (*b"LI", 21),
    (*b"LT", 20),
    (*b"LU", 20),
    (*b"LV", 21),
    (*b"LY", 25),
    (*b"MC", 27),
    (*b"MD", 24),
    (*b"ME", 22),
    (*b"MK", 19),
    (*b"MN", 20),
    (*b"MR", 27),
    (*b"MT", 31),
    (*b"MU", 30),
    (*b"NI", 28),
    (*b"NL", 18),
    (*b"NO", 15),
    (*b"OM", 23),
    (*b"PK", 24),
    (*b"PL", 28),
    (*b"PS", 29),
    (*b"PT", 25),
    (*b"QA", 29),
    (*b"RO", 24),
    (*b"RS", 22),
    (*b"RU", 33),
    (*b"SA", 24),
    (*b"SC", 31),
    (*b"SD", 18),
    (*b"SE", 24),
    (*b"SI", 19),
    (*b"SK", 24),
    (*b"SM", 27),
    (*b"SO", 23),
    (*b"ST", 25),
    (*b"SV", 28),
    (*b"TL", 23),
    (*b"TN", 24),
    (*b"TR", 26),
    (*b"UA", 29),
    (*b"VA", 22),
    (*b"VG", 24),
    (*b"XK", 20),
    (*b"YE", 30),
];

/// The IBAN length for a country code, if the country issues IBANs.
fn iban_length(country: [u8; 2]) -> Option<usize> {
    IBAN_LENGTHS
        .binary_search_by(|(cc, _)| cc.cmp(&country))
        .ok()
        .and_then(|i| IBAN_LENGTHS.get(i))
        .map(|&(_, len)| usize::from(len))
}

/// IBAN proof (spaces, any case): known country, its registry length, and mod-97 == 1.
pub fn iban_ok(candidate: &[u8]) -> bool {
    let Some(buf) = gather::<34>(candidate, b" ", true) else {
        return false;
    };
    let s = buf.as_slice();
    let [c0, c1, k0, k1, ..] = *s else {
        return false;
    };
    if !c0.is_ascii_uppercase()
        || !c1.is_ascii_uppercase()
        || !k0.is_ascii_digit()
        || !k1.is_ascii_digit()
        || iban_length([c0, c1]) != Some(s.len())
    {
        return false;
    }
    let (head, bban) = s.split_at(4);
    mod97(bban.iter().chain(head)) == Some(1)
}

/// ABA routing proof: Federal Reserve prefix ranges and 3-7-1 checksum; any 9 digits look like one.
pub fn aba_routing_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<9>(candidate, SPACE_DASH) else {
        return false;
    };
    if !matches!(num(&d[0..2]), 0..=12 | 21..=32 | 61..=72 | 80) || all_same(&d) {
        return false;
    }
    let v = d.map(dv);
    let sum = 3 * (v[0] + v[3] + v[6]) + 7 * (v[1] + v[4] + v[7]) + (v[2] + v[5] + v[8]);
    sum % 10 == 0
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
    use super::*;
    use crate::validate::tests::cases;
    use crate::validate::Validator;

    #[test]
    fn luhn_card() {
        cases(
            Validator::LuhnCard,
            &[
                "4242424242424242",
                "4242 4242 4242 4242",
                "4242-4242-4242-4242",
                "5555555555554444",
                "2223003122003222",
                "378282246310005",
                "6011111111111117",
                "3566002020360505",
                "30569309025904",
                "6200000000000005",
                "6759649826438453",
            ],
            &[
                "4242424242424241",
                "1234567812345670", // Luhn-valid, no brand starts with 1
                "0000000000000000",
                "4444444444444444",
                "4242424242424",  // Visa, 13 digits, bad Luhn
                "37828224631000", // Amex prefix, wrong length
                "4242.4242.4242.4242",
                "42424242424242424242424",
                "",
            ],
        );
    }

    #[test]
    fn iban() {
        cases(
            Validator::Iban,
            &[
                "GB82 WEST 1234 5698 7654 32",
                "DE89 3704 0044 0532 0130 00",
                "gb82west12345698765432",
                "FR14 2004 1010 0505 0001 3M02 606",
                "NL91ABNA0417164300",
                "CH9300762011623852957",
                "BE68539007547034",
                "NO9386011117947",
            ],
            &[
                "GB82 WEST 1234 5698 7654 33",
                "DE89 3704 0044 0532 0130 0",
                "XX82 WEST 1234 5698 7654 32",
                "GB82-WEST-1234-5698-7654-32",
                "DE00370400440532013000",
                "",
                "GB",
            ],
        );
        for pair in IBAN_LENGTHS.windows(2) {
            assert!(
                pair[0].0 < pair[1].0,
                "IBAN table not sorted at {:?}",
                pair[1].0
            );
        }
        assert!(IBAN_LENGTHS.len() >= 70);
    }

    #[test]
    fn aba_routing() {
        cases(
            Validator::AbaRouting,
            &[
                "011000015",
                "021000021",
                "026009593",
                "122105155",
                "091000019",
            ],
            &[
                "123456789",
                "021000022",
                "000000000",
                "991000012", // checksum ok but prefix 99 is unassigned
                "02100002",
                "0210000211",
            ],
        );
        // 991000012 must really be checksum-valid for the prefix test to mean anything.
        let v = b"991000012".map(dv);
        assert_eq!(
            (3 * (v[0] + v[3] + v[6]) + 7 * (v[1] + v[4] + v[7]) + v[2] + v[5] + v[8]) % 10,
            0
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
}
