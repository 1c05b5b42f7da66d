//! Location: precise latitude/longitude pairs and US ZIP codes.

/// US ZIP: 5 digits or ZIP+4 (`12345-6789`), not 00000.
pub fn us_zip_ok(c: &[u8]) -> bool {
    let (zip, plus4) = match c.len() {
        5 => (c, &[][..]),
        10 if c[5] == b'-' => (&c[..5], &c[6..]),
        _ => return false,
    };
    zip.iter().all(u8::is_ascii_digit) && plus4.iter().all(u8::is_ascii_digit) && zip != b"00000"
}

/// One coordinate: optional sign, 1–3 integer digits, `.`, 4–15 decimals.
fn parse_coord(s: &[u8]) -> Option<(f64, bool)> {
    let body = match s.first() {
        Some(b'+' | b'-') => &s[1..],
        _ => s,
    };
    let dot = body.iter().position(|&b| b == b'.')?;
    let (int, frac) = (&body[..dot], &body[dot + 1..]);
    if !(1..=3).contains(&int.len())
        || !(4..=15).contains(&frac.len())
        || !int.iter().chain(frac).all(u8::is_ascii_digit)
    {
        return None;
    }
    let zero = int.iter().chain(frac).all(|&b| b == b'0');
    let value = std::str::from_utf8(s).ok()?.parse::<f64>().ok()?;
    Some((value, zero))
}

/// "lat, long" / "lat,long" / "lat long": in range, ≥ 4 decimals each, not 0,0.
pub fn lat_long_ok(c: &[u8]) -> bool {
    if c.len() > 64 {
        return false;
    }
    let (a, b) = if let Some(i) = c.iter().position(|&b| b == b',') {
        (&c[..i], &c[i + 1..])
    } else if let Some(i) = c.iter().position(u8::is_ascii_whitespace) {
        (&c[..i], &c[i + 1..])
    } else {
        return false;
    };
    let (Some((lat, lat_zero)), Some((lon, lon_zero))) =
        (parse_coord(a.trim_ascii()), parse_coord(b.trim_ascii()))
    else {
        return false;
    };
    (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && !(lat_zero && lon_zero)
}

#[cfg(test)]
mod tests {
    use crate::validate::tests::cases;
    use crate::validate::Validator;

    #[test]
    fn lat_long() {
        cases(
            Validator::LatLong,
            &[
                "40.7128, -74.0060",
                "-33.8688,151.2093",
                "51.5074 -0.1278",
                "+89.99999, 179.99999",
            ],
            &[
                "0.0000, 0.0000",
                "91.0000, 10.0000",
                "45.0000, 181.0000",
                "40.71, -74.00",
                "40.7128",
                "40.7128; -74.0060",
                "abc.defg, 1.2345",
            ],
        );
    }

    #[test]
    fn us_zip() {
        cases(
            Validator::UsZip,
            &["90210", "10001-1234", "00501", "99950"],
            &[
                "00000",
                "00000-1234",
                "9021",
                "902101",
                "90210-123",
                "90210 1234",
                "9O210",
            ],
        );
    }
}
