//! Network addresses: IPv4, IPv6 and 48-bit MAC addresses.

use std::net::Ipv6Addr;

use super::normalise::{hex_val, num};

/// IPv4 dotted quad: 0–255, no leading zeros, not 0.0.0.0, 255.255.255.255 or a
/// loopback address (127.0.0.0/8: the machine itself, no device or person).
pub fn ipv4_ok(c: &[u8]) -> bool {
    if c.len() > 15 {
        return false;
    }
    let mut octets = [0u32; 4];
    let mut count = 0usize;
    for part in c.split(|&b| b == b'.') {
        let Some(slot) = octets.get_mut(count) else {
            return false;
        };
        if part.is_empty()
            || part.len() > 3
            || !part.iter().all(u8::is_ascii_digit)
            || (part.len() > 1 && part[0] == b'0')
        {
            return false;
        }
        *slot = num(part);
        if *slot > 255 {
            return false;
        }
        count += 1;
    }
    count == 4 && octets != [0; 4] && octets != [255; 4] && octets[0] != 127
}

/// IPv6: parseable by the standard library, not the unspecified address `::` nor the
/// loopback `::1`.
pub fn ipv6_ok(c: &[u8]) -> bool {
    if c.len() > 45 {
        return false;
    }
    let Ok(s) = std::str::from_utf8(c) else {
        return false;
    };
    s.parse::<Ipv6Addr>()
        .is_ok_and(|a| !a.is_unspecified() && !a.is_loopback())
}

/// MAC address: `aa:bb:cc:dd:ee:ff`, `aa-bb-…` or Cisco `aabb.ccdd.eeff`; not all 0 or all ff.
pub fn mac_address_ok(c: &[u8]) -> bool {
    let mut nibbles = [0u8; 12];
    let mut n = 0usize;
    // (separator, hex digits per group): colon/dash pairs or Cisco dotted quads.
    let (sep, group) = match c.len() {
        17 if matches!(c[2], b':' | b'-') => (c[2], 2),
        14 => (b'.', 4),
        _ => return false,
    };
    for (i, &b) in c.iter().enumerate() {
        if (i + 1) % (group + 1) == 0 {
            if b != sep {
                return false;
            }
            continue;
        }
        let (Some(v), Some(slot)) = (hex_val(b), nibbles.get_mut(n)) else {
            return false;
        };
        *slot = v;
        n += 1;
    }
    n == 12 && nibbles != [0; 12] && nibbles != [0xf; 12]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::tests::{cases, pass};
    use crate::validate::Validator;

    #[test]
    fn ipv4() {
        cases(
            Validator::Ipv4,
            &[
                "192.168.1.1",
                "8.8.8.8",
                "10.0.0.255",
                "0.0.0.1",
                "255.255.255.254",
            ],
            &[
                "0.0.0.0",
                "255.255.255.255",
                "127.0.0.1",
                "127.1.2.3",
                "256.1.1.1",
                "01.2.3.4",
                "1.2.3",
                "1.2.3.4.5",
                "1..2.3",
            ],
        );
        // Only `check` trims surrounding whitespace; the inner function is strict.
        assert!(!ipv4_ok(b"1.2.3.4 "));
        pass(Validator::Ipv4, " 1.2.3.4\n");
    }

    #[test]
    fn ipv6() {
        cases(
            Validator::Ipv6,
            &[
                "2001:db8::1",
                "::2",
                "fe80::1ff:fe23:4567:890a",
                "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
                "::ffff:192.0.2.128",
            ],
            &[
                "::",
                "::1",
                "0:0:0:0:0:0:0:1",
                "2001:db8::g",
                "1:2:3:4:5:6:7:8:9",
                "12345::",
                ":::",
            ],
        );
        assert_eq!(Validator::Ipv6.check(b"2001:db8::\xff"), Some(false));
    }

    #[test]
    fn mac_address() {
        cases(
            Validator::MacAddress,
            &[
                "00:1A:2B:3C:4D:5E",
                "00-1a-2b-3c-4d-5e",
                "001a.2b3c.4d5e",
                "fe:ff:ff:ff:ff:ff",
            ],
            &[
                "00:00:00:00:00:00",
                "FF:FF:FF:FF:FF:FF",
                "ffff.ffff.ffff",
                "00:1A:2B:3C:4D",
                "00:1A-2B:3C:4D:5E",
                "00:1A:2B:3C:4D:5G",
                "001A2B3C4D5E",
            ],
        );
    }
}
