//! Contact details: e-mail addresses and phone numbers (NANP, E.164, national form).

use super::normalise::{all_same, find, gather, num};

/// File extensions that look like TLDs in `name@2x.png`-style strings.
const FILE_EXT_TLDS: &[&[u8]] = &[
    b"png", b"jpg", b"jpeg", b"gif", b"svg", b"css", b"js", b"html", b"txt", b"log", b"exe", b"dll",
];

/// E-mail shape: dot-atom local part, 2+ labels, letter TLD that is no file extension (`a@2x.png`).
pub fn email_ok(candidate: &[u8]) -> bool {
    if candidate.len() > 254 {
        return false;
    }
    let Some(at) = candidate.iter().position(|&b| b == b'@') else {
        return false;
    };
    let (local, domain) = (&candidate[..at], &candidate[at + 1..]);
    let local_ok = (1..=64).contains(&local.len())
        && local
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
        && local.first() != Some(&b'.')
        && local.last() != Some(&b'.')
        && find(local, b"..").is_none();
    if !local_ok {
        return false;
    }
    let mut labels = 0usize;
    let mut tld: &[u8] = &[];
    for label in domain.split(|&b| b == b'.') {
        let ok = (1..=63).contains(&label.len())
            && label
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'-')
            && label.first() != Some(&b'-')
            && label.last() != Some(&b'-');
        if !ok {
            return false;
        }
        labels += 1;
        tld = label;
    }
    labels >= 2
        && (2..=24).contains(&tld.len())
        && tld.iter().all(u8::is_ascii_alphabetic)
        && !FILE_EXT_TLDS
            .iter()
            .any(|ext| tld.eq_ignore_ascii_case(ext))
}

/// A national-format number: 9–12 digits after the separators (German mobiles are
/// `0151 43888483`), a trunk `0` then a
/// non-zero digit (`00` starts an international call), not one repeated digit.
pub fn phone_national_ok(c: &[u8]) -> bool {
    let Some(buf) = gather::<12>(c, b" -./()", false) else {
        return false;
    };
    let d = buf.as_slice();
    (9..=12).contains(&d.len()) && d[0] == b'0' && d[1] != b'0' && !all_same(&d[1..])
}

/// NANP phone: optional +1/1, NXX area (not N11, not 555) and NXX exchange (not N11).
pub fn phone_nanp_ok(c: &[u8]) -> bool {
    nanp_ok(c, false)
}

/// A NANP number by its structure alone, including the 555 ranges reserved for fiction.
pub fn phone_nanp_shape_ok(c: &[u8]) -> bool {
    nanp_ok(c, true)
}

/// A NANP number: `fictional` also accepts area code 555 and the 555-0100–0199 lines.
fn nanp_ok(c: &[u8], fictional: bool) -> bool {
    let (plus, body) = match c.strip_prefix(b"+") {
        Some(rest) => (true, rest),
        None => (false, c),
    };
    // `+` between groups is a URL query string's encoded space.
    let Some(buf) = gather::<11>(body, b" -.()+", false) else {
        return false;
    };
    let all = buf.as_slice();
    let d = match (all.len(), all.first()) {
        (10, _) if !plus => all,
        (11, Some(b'1')) => &all[1..],
        _ => return false,
    };
    let Ok(d) = <[u8; 10]>::try_from(d) else {
        return false;
    };
    let area = num(&d[0..3]);
    let exchange = num(&d[3..6]);
    let line = num(&d[6..10]);
    let nxx = |first: u8, code: u32| (b'2'..=b'9').contains(&first) && code % 100 != 11;
    let reserved = area == 555 || (exchange == 555 && (100..=199).contains(&line));
    nxx(d[0], area) && nxx(d[3], exchange) && (fictional || !reserved) && !all_same(&d)
}

/// Calling codes with a known national significant number length range (min, max).
const E164_NSN: &[(u16, u8, u8)] = &[
    (1, 10, 10),
    (7, 10, 10),
    (20, 8, 10),
    (27, 9, 9),
    (30, 10, 10),
    (31, 9, 9),
    (32, 8, 9),
    (33, 9, 9),
    (34, 9, 9),
    (36, 8, 9),
    (39, 6, 11),
    (40, 9, 9),
    (41, 9, 9),
    (43, 7, 13),
    (44, 9, 10),
    (45, 8, 8),
    (46, 7, 10),
    (47, 8, 8),
    (48, 9, 9),
    (49, 6, 13),
    (51, 8, 9),
    (52, 10, 10),
    (54, 10, 11),
    (55, 10, 11),
    (56, 9, 9),
    (57, 8, 10),
    (60, 8, 10),
    (61, 9, 9),
    (62, 8, 12),
    (63, 8, 10),
    (64, 8, 10),
    (65, 8, 8),
    (66, 8, 9),
    (81, 9, 10),
    (82, 8, 10),
    (84, 9, 10),
    (86, 9, 11),
    (90, 10, 10),
    (91, 10, 10),
    (92, 9, 10),
    (212, 9, 9),
    (234, 8, 10),
    (254, 9, 9),
    (351, 9, 9),
    (353, 7, 9),
    (358, 6, 12),
    (380, 9, 9),
    (420, 9, 9),
    (852, 8, 8),
    (886, 8, 9),
    (966, 9, 9),
    (971, 8, 9),
    (972, 8, 9),
];

/// Other assigned geographic calling codes; their national numbers may be 6–13 digits.
const E164_OTHER: &[u16] = &[
    53, 58, 93, 94, 95, 98, 211, 213, 216, 218, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229,
    230, 231, 232, 233, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249,
    250, 251, 252, 253, 255, 256, 257, 258, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 290,
    291, 297, 298, 299, 350, 352, 354, 355, 356, 357, 359, 370, 371, 372, 373, 374, 375, 376, 377,
    378, 379, 381, 382, 383, 385, 386, 387, 389, 421, 423, 500, 501, 502, 503, 504, 505, 506, 507,
    508, 509, 590, 591, 592, 593, 594, 595, 596, 597, 598, 599, 670, 672, 673, 674, 675, 676, 677,
    678, 679, 680, 681, 682, 683, 685, 686, 687, 688, 689, 690, 691, 692, 850, 853, 855, 856, 880,
    960, 961, 962, 963, 964, 965, 967, 968, 970, 973, 974, 975, 976, 977, 992, 993, 994, 995, 996,
    998,
];

/// The calling code length and allowed national number lengths for E.164 digits.
fn e164_country(digits: &[u8]) -> Option<(usize, usize, usize)> {
    for cc_len in 1..=3 {
        let code = u16::try_from(num(digits.get(..cc_len)?)).ok()?;
        if let Some(&(_, lo, hi)) = E164_NSN.iter().find(|e| e.0 == code) {
            return Some((cc_len, usize::from(lo), usize::from(hi)));
        }
        if E164_OTHER.contains(&code) {
            return Some((cc_len, 6, 13));
        }
    }
    None
}

/// E.164 phone: `+`, 8–15 digits, known country code, plausible national length.
pub fn phone_e164_ok(c: &[u8]) -> bool {
    let Some(body) = c.strip_prefix(b"+") else {
        return false;
    };
    // `+` between groups is a URL query string's encoded space.
    let Some(buf) = gather::<15>(body, b" -.()+", false) else {
        return false;
    };
    let d = buf.as_slice();
    if !(8..=15).contains(&d.len()) || all_same(d) {
        return false;
    }
    match e164_country(d) {
        Some((cc_len, lo, hi)) => (lo..=hi).contains(&(d.len() - cc_len)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::tests::cases;
    use crate::validate::Validator;

    #[test]
    fn email() {
        cases(
            Validator::Email,
            &[
                "john.doe@example.com",
                "a+b@mail.co.uk",
                "x_y%z@sub-domain.example.org",
                "J.Smith@Example.IO",
            ],
            &[
                "logo@2x.png",
                "icon@3x.JPEG",
                ".a@b.com",
                "a.@b.com",
                "a..b@c.com",
                "a@b",
                "a@-b.com",
                "a@b-.com",
                "a@b.c1",
                "a@b.c",
                "a@@b.com",
                "@b.com",
                "a@b..com",
            ],
        );
    }

    #[test]
    fn phone_national() {
        cases(
            Validator::PhoneNational,
            &[
                "020 7946 0958",
                "06 12 34 56 78",
                "030 901820",
                "0612345678",
                "(020) 7946-0958",
                "0151 43888483",
            ],
            &[
                "00 44 20 7946",
                "612345678",
                "0 11 11 11 11",
                "020 7946 0958 12",
                "12345",
            ],
        );
    }

    #[test]
    fn phone_nanp_shape() {
        cases(
            Validator::PhoneNanpShape,
            &[
                "(415) 555-0123",
                "415-555-0132",
                "(555) 234-5678",
                "(415) 555-2671",
            ],
            &[
                "(911) 234-5678",
                "(415) 155-5678",
                "222-222-2222",
                "123-456-7890",
            ],
        );
    }

    #[test]
    fn phone_nanp() {
        cases(
            Validator::PhoneNanp,
            &[
                "(415) 555-2671",
                "+1 415-555-2671",
                "1.212.867.5309",
                "2128675309",
                "415 555 0200",
                "(415)+555-2671", // a query string's encoded space
            ],
            &[
                "(415) 555-0123",
                "(555) 234-5678",
                "(911) 234-5678",
                "(415) 411-5678",
                "(115) 234-5678",
                "(415) 155-5678",
                "222-222-2222",
                "+44 2079 460958",
                "415-555-267",
            ],
        );
    }

    #[test]
    fn phone_e164() {
        cases(
            Validator::PhoneE164,
            &[
                "+14155552671",
                "+44 20 7946 0958",
                "+49 30 901820",
                "+33 6 12 34 56 78",
                "+91 98765 43210",
                "+354 555 1234",    // Iceland: "other" code, 7 digits
                "+44+20+7946+0958", // a query string's encoded spaces
            ],
            &[
                "14155552671",
                "+1415555267",
                "+33 6 12 34 56 789",
                "+999 1234 5678",
                "+0 1234 5678",
                "+1234567",
                "+12345678901234567",
            ],
        );
        // Calling codes must be prefix-free for the 1-, 2-, 3-digit lookup to be sound.
        let codes: Vec<u16> = E164_NSN
            .iter()
            .map(|e| e.0)
            .chain(E164_OTHER.iter().copied())
            .collect();
        for &a in &codes {
            for &b in &codes {
                if a != b {
                    let (sa, sb) = (a.to_string(), b.to_string());
                    assert!(!sb.starts_with(&sa), "{a} is a prefix of {b}");
                }
            }
        }
    }
}
