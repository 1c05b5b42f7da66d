//! African national numbers: the South African ID number.

use crate::validate::checksum::luhn_ok;
use crate::validate::date::calendar_date_ok;
use crate::validate::normalise::{exact_digits, num};

/// South African ID number: YYMMDD SSSS C A Z: a real birth date, citizenship 0/1/2,
/// Luhn over the 13 digits.
pub fn za_id_ok(candidate: &[u8]) -> bool {
    let Some(d) = exact_digits::<13>(candidate, b" -") else {
        return false;
    };
    // Century unknown: 2000 + YY has the leap years of either century (00 accepted).
    calendar_date_ok(2000 + i64::from(num(&d[..2])), num(&d[2..4]), num(&d[4..6]))
        && matches!(d[10], b'0'..=b'2')
        && luhn_ok(&d)
}

#[cfg(test)]
mod tests {
    use crate::validate::tests::cases;
    use crate::validate::Validator;

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
}
