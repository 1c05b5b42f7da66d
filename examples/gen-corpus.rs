//! Deterministic benchmark corpus: mixed logs and CSVs with a known PII density.
//!
//! ```text
//! cargo run --release --example gen-corpus -- --size 1GiB --out DIR [--seed N]
//!     [--kind logs|csv|all] [--single-file [--line-format access|json|logfmt|syslog]]
//! ```
//!
//! * `--kind all` (default) writes about 3/4 of `--size` as logs under `DIR/logs/` and
//!   1/4 as CSVs under `DIR/csv/`; `logs` and `csv` write only one part.
//! * Logs: an Apache/nginx combined access log, JSON lines, `key=value` (logfmt) and
//!   syslog-style lines (with HDFS-like DataNode messages), two files of each.
//! * CSVs: `orders.csv`, `events.csv` (mostly PII-free, 10 columns, a free-text column
//!   holding the odd value) and `customers.csv` (PII columns in every row).
//! * `--single-file` writes all of `--size` into one log file `DIR/single.log`, in one
//!   line format (`--line-format`, default `access`) — for memory measurements.
//!
//! In the logs and the mostly-PII-free tables about 3 % of lines hold one planted PII
//! value (email, phone, card, SSN next to its label, IPv4/IPv6, IBAN); every access-log
//! line also carries its client address (counted apart, as `ipv4_access_client`). Decoys
//! that look like PII but are not — `version 10.2.3.4`, UUIDs, 16-digit order numbers
//! that fail Luhn, prices, timestamps, SKU codes, HDFS block ids — are spread
//! everywhere. Cards pass Luhn, IBANs pass mod-97, SSNs and phones pass their
//! validators. Output is a pure function of (`--size`, `--seed`, `--kind`, options):
//! each file has its own generator seeded from the seed and the file's name, so files
//! can be written in parallel.
//!
//! Sizes take `K`, `M`, `G` (or `KiB`, `MiB`, `GiB`, `KB`, …) suffixes, all powers of
//! 1024. The manifest (files, sizes, lines, PII values planted per type, decoys) is
//! printed to stdout and written to `DIR/MANIFEST.json`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Share of lines (in the logs and the PII-free tables) that carry a planted value.
const PII_RATE: f64 = 0.03;

// ------------------------------------------------------------------ random numbers

/// xoshiro256** seeded by splitmix64: small, fast and the same on every platform.
struct Rng([u64; 4]);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng([next(), next(), next(), next()])
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (n > 0; the tiny modulo bias does not matter here).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn range(&mut self, lo: u64, hi_inclusive: u64) -> u64 {
        lo + self.below(hi_inclusive - lo + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64) < p
    }

    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len() as u64) as usize]
    }

    fn digits(&mut self, out: &mut Vec<u8>, n: usize) {
        for _ in 0..n {
            out.push(b'0' + self.below(10) as u8);
        }
    }

    fn hex(&mut self, out: &mut Vec<u8>, n: usize) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut bits = 0u64;
        for i in 0..n {
            if i % 16 == 0 {
                bits = self.next_u64();
            }
            out.push(HEX[(bits & 15) as usize]);
            bits >>= 4;
        }
    }
}

/// FNV-1a, to derive a per-file seed from the run seed and the file name.
fn fnv(seed: u64, s: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

// ------------------------------------------------------------------ counters

/// The planted PII types, in manifest order.
#[derive(Clone, Copy)]
enum Pii {
    Email,
    Phone,
    Card,
    Ssn,
    Ipv4,
    Ipv6,
    Iban,
    Ipv4AccessClient,
}

const PII_NAMES: [&str; 8] = [
    "email",
    "phone",
    "credit_card",
    "ssn",
    "ipv4",
    "ipv6",
    "iban",
    "ipv4_access_client",
];

/// The decoys, in manifest order.
#[derive(Clone, Copy)]
enum Decoy {
    Version,
    Uuid,
    OrderNumber,
    Price,
    Sku,
    HdfsBlock,
}

const DECOY_NAMES: [&str; 6] = [
    "version_dotted_quad",
    "uuid",
    "order_number_16_digits_non_luhn",
    "price",
    "sku",
    "hdfs_block_id",
];

#[derive(Default, Clone)]
struct Counts {
    lines: u64,
    /// Lines (or rows) holding at least one planted value (access-log client field aside).
    pii_lines: u64,
    pii: [u64; 8],
    decoys: [u64; 6],
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.lines += o.lines;
        self.pii_lines += o.pii_lines;
        for (a, b) in self.pii.iter_mut().zip(o.pii) {
            *a += b;
        }
        for (a, b) in self.decoys.iter_mut().zip(o.decoys) {
            *a += b;
        }
    }
}

/// Writes generated values into a line buffer and counts what it plants.
struct Gen {
    rng: Rng,
    counts: Counts,
    /// Seconds since the Unix epoch of the current line.
    clock: u64,
}

const FIRST: &[&str] = &[
    "james",
    "mary",
    "robert",
    "patricia",
    "john",
    "jennifer",
    "michael",
    "linda",
    "david",
    "elizabeth",
    "william",
    "barbara",
    "richard",
    "susan",
    "joseph",
    "jessica",
    "thomas",
    "sarah",
    "carlos",
    "maria",
    "wei",
    "aisha",
    "olga",
    "kenji",
    "fatima",
    "lars",
    "priya",
    "diego",
    "chloe",
    "noah",
];
const LAST: &[&str] = &[
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "nakamura",
    "schmidt",
    "kowalski",
    "okafor",
    "lindqvist",
];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "proton.me",
    "acme-corp.com",
    "mail.example.org",
    "fastmail.fm",
    "web.de",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 → (year, month 1-12, day 1-31) (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn push_num(out: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for _ in (tmp.len() - i)..width {
        out.push(b'0');
    }
    out.extend_from_slice(&tmp[i..]);
}

fn luhn_check_digit(body: &[u8]) -> u8 {
    // Digit that makes body+digit pass Luhn.
    let mut sum = 0u32;
    for (i, &b) in body.iter().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    ((10 - sum % 10) % 10) as u8
}

fn luhn_ok(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &b) in digits.iter().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// ISO 13616 check: move the first four characters to the end, letters → 10..35, mod 97.
fn iban_mod97(chars: &[u8]) -> u32 {
    let mut r = 0u32;
    for &c in chars[4..].iter().chain(&chars[..4]) {
        if c.is_ascii_digit() {
            r = (r * 10 + u32::from(c - b'0')) % 97;
        } else {
            let v = u32::from(c.to_ascii_uppercase() - b'A') + 10;
            r = (r * 100 + v) % 97;
        }
    }
    r
}

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen {
            rng: Rng::new(seed),
            counts: Counts::default(),
            // 2026-01-05T00:00:00Z
            clock: 1_767_571_200,
        }
    }

    fn tick(&mut self) {
        self.clock += self.rng.below(3);
    }

    fn pii(&mut self, t: Pii) {
        self.counts.pii[t as usize] += 1;
    }

    fn decoy(&mut self, t: Decoy) {
        self.counts.decoys[t as usize] += 1;
    }

    fn ymd_hms(&self) -> (i64, u32, u32, u64, u64, u64) {
        let (y, m, d) = civil((self.clock / 86_400) as i64);
        let s = self.clock % 86_400;
        (y, m, d, s / 3600, s / 60 % 60, s % 60)
    }

    /// `2026-01-05T10:00:01.123Z`
    fn iso_ts(&mut self, out: &mut Vec<u8>) {
        let (y, m, d, hh, mm, ss) = self.ymd_hms();
        push_num(out, y as u64, 4);
        out.push(b'-');
        push_num(out, m.into(), 2);
        out.push(b'-');
        push_num(out, d.into(), 2);
        out.push(b'T');
        push_num(out, hh, 2);
        out.push(b':');
        push_num(out, mm, 2);
        out.push(b':');
        push_num(out, ss, 2);
        out.push(b'.');
        push_num(out, self.rng.below(1000), 3);
        out.push(b'Z');
    }

    /// `05/Jan/2026:10:00:01 +0000`
    fn clf_ts(&self, out: &mut Vec<u8>) {
        let (y, m, d, hh, mm, ss) = self.ymd_hms();
        push_num(out, d.into(), 2);
        out.push(b'/');
        out.extend_from_slice(MONTHS[m as usize - 1].as_bytes());
        out.push(b'/');
        push_num(out, y as u64, 4);
        out.push(b':');
        push_num(out, hh, 2);
        out.push(b':');
        push_num(out, mm, 2);
        out.push(b':');
        push_num(out, ss, 2);
        out.extend_from_slice(b" +0000");
    }

    /// `Jan  5 10:00:01`
    fn syslog_ts(&self, out: &mut Vec<u8>) {
        let (_, m, d, hh, mm, ss) = self.ymd_hms();
        out.extend_from_slice(MONTHS[m as usize - 1].as_bytes());
        out.push(b' ');
        if d < 10 {
            out.push(b' ');
        }
        push_num(out, d.into(), 1);
        out.push(b' ');
        push_num(out, hh, 2);
        out.push(b':');
        push_num(out, mm, 2);
        out.push(b':');
        push_num(out, ss, 2);
    }

    fn email(&mut self, out: &mut Vec<u8>) {
        self.pii(Pii::Email);
        let first = self.rng.pick(FIRST);
        let last = self.rng.pick(LAST);
        out.extend_from_slice(first.as_bytes());
        out.push([b'.', b'_', b'.'][self.rng.below(3) as usize]);
        out.extend_from_slice(last.as_bytes());
        if self.rng.chance(0.6) {
            push_num(out, self.rng.below(1000), 1);
        }
        out.push(b'@');
        out.extend_from_slice(self.rng.pick(DOMAINS).as_bytes());
    }

    /// A NANP code `NXX` that is not `N11`.
    fn nxx(&mut self) -> u64 {
        loop {
            let v = self.rng.range(200, 999);
            if v % 100 != 11 && v != 555 {
                return v;
            }
        }
    }

    fn phone(&mut self, out: &mut Vec<u8>) {
        self.pii(Pii::Phone);
        let area = self.nxx();
        let exch = self.nxx();
        let line = self.rng.below(10_000);
        match self.rng.below(6) {
            0 => {
                out.push(b'(');
                push_num(out, area, 3);
                out.extend_from_slice(b") ");
                push_num(out, exch, 3);
                out.push(b'-');
                push_num(out, line, 4);
            }
            1 | 2 => {
                push_num(out, area, 3);
                out.push(b'-');
                push_num(out, exch, 3);
                out.push(b'-');
                push_num(out, line, 4);
            }
            3 => {
                out.extend_from_slice(b"+1 ");
                push_num(out, area, 3);
                out.push(b' ');
                push_num(out, exch, 3);
                out.push(b' ');
                push_num(out, line, 4);
            }
            4 => {
                // UK London: +44 20 7946 0958
                out.extend_from_slice(b"+44 20 7");
                self.rng.digits(out, 3);
                out.push(b' ');
                self.rng.digits(out, 4);
            }
            _ => {
                // France mobile: +33 6 12 34 56 78
                out.extend_from_slice(b"+33 6");
                for _ in 0..4 {
                    out.push(b' ');
                    self.rng.digits(out, 2);
                }
            }
        }
    }

    fn card(&mut self, out: &mut Vec<u8>) {
        self.pii(Pii::Card);
        let mut d: Vec<u8> = Vec::with_capacity(16);
        let len = match self.rng.below(4) {
            0 | 1 => {
                d.push(b'4');
                16
            }
            2 => {
                d.extend_from_slice(b"5");
                d.push(b'1' + self.rng.below(5) as u8);
                16
            }
            _ => {
                d.extend_from_slice(if self.rng.chance(0.5) { b"34" } else { b"37" });
                15
            }
        };
        let rest = len - 1 - d.len();
        self.rng.digits(&mut d, rest);
        let c = luhn_check_digit(&d);
        d.push(b'0' + c);
        debug_assert!(luhn_ok(&d));
        match (len, self.rng.below(3)) {
            (16, 1) | (16, 2) => {
                let sep = if self.rng.chance(0.5) { b' ' } else { b'-' };
                for (i, ch) in d.chunks(4).enumerate() {
                    if i > 0 {
                        out.push(sep);
                    }
                    out.extend_from_slice(ch);
                }
            }
            (15, 1) => {
                out.extend_from_slice(&d[..4]);
                out.push(b' ');
                out.extend_from_slice(&d[4..10]);
                out.push(b' ');
                out.extend_from_slice(&d[10..]);
            }
            _ => out.extend_from_slice(&d),
        }
    }

    fn ssn_value(&mut self, out: &mut Vec<u8>) {
        self.pii(Pii::Ssn);
        let area = loop {
            let a = self.rng.range(1, 899);
            if a != 666 {
                break a;
            }
        };
        let group = self.rng.range(1, 99);
        let serial = self.rng.range(1, 9999);
        push_num(out, area, 3);
        out.push(b'-');
        push_num(out, group, 2);
        out.push(b'-');
        push_num(out, serial, 4);
    }

    fn ipv4_raw(&mut self, out: &mut Vec<u8>) {
        let first = [
            23u64, 31, 45, 66, 77, 81, 93, 104, 141, 172, 185, 198, 203, 212,
        ][self.rng.below(14) as usize];
        push_num(out, first, 1);
        for _ in 0..3 {
            out.push(b'.');
            push_num(out, self.rng.range(1, 254), 1);
        }
    }

    fn ipv4(&mut self, out: &mut Vec<u8>) {
        self.pii(Pii::Ipv4);
        self.ipv4_raw(out);
    }

    fn ipv6(&mut self, out: &mut Vec<u8>) {
        self.pii(Pii::Ipv6);
        out.extend_from_slice(b"2001:db8:");
        self.rng.hex(out, 4);
        out.push(b':');
        self.rng.hex(out, 4);
        out.extend_from_slice(b"::");
        self.rng.hex(out, 3);
        out.push(b'1');
    }

    fn iban(&mut self, out: &mut Vec<u8>) {
        self.pii(Pii::Iban);
        let mut s: Vec<u8> = Vec::with_capacity(34);
        match self.rng.below(3) {
            0 => {
                s.extend_from_slice(b"DE00");
                self.rng.digits(&mut s, 18);
            }
            1 => {
                s.extend_from_slice(b"GB00");
                s.extend_from_slice(
                    [b"WEST", b"NWBK", b"BARC", b"MIDL"][self.rng.below(4) as usize],
                );
                self.rng.digits(&mut s, 14);
            }
            _ => {
                s.extend_from_slice(b"NL00");
                s.extend_from_slice([b"ABNA", b"INGB", b"RABO"][self.rng.below(3) as usize]);
                self.rng.digits(&mut s, 10);
            }
        }
        let check = 98 - iban_mod97(&s);
        s[2] = b'0' + (check / 10) as u8;
        s[3] = b'0' + (check % 10) as u8;
        debug_assert_eq!(iban_mod97(&s), 1);
        if self.rng.chance(0.3) {
            for (i, ch) in s.chunks(4).enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                out.extend_from_slice(ch);
            }
        } else {
            out.extend_from_slice(&s);
        }
    }

    fn uuid(&mut self, out: &mut Vec<u8>) {
        self.decoy(Decoy::Uuid);
        self.rng.hex(out, 8);
        out.push(b'-');
        self.rng.hex(out, 4);
        out.extend_from_slice(b"-4");
        self.rng.hex(out, 3);
        out.push(b'-');
        out.push(b"89ab"[self.rng.below(4) as usize]);
        self.rng.hex(out, 3);
        out.push(b'-');
        self.rng.hex(out, 12);
    }

    /// 16 digits that fail Luhn (an order or invoice number, not a card).
    fn order_number(&mut self, out: &mut Vec<u8>) {
        self.decoy(Decoy::OrderNumber);
        let mut d: Vec<u8> = Vec::with_capacity(16);
        d.push(b'1' + self.rng.below(9) as u8);
        self.rng.digits(&mut d, 14);
        let good = luhn_check_digit(&d);
        d.push(b'0' + (good + 1 + self.rng.below(9) as u8) % 10);
        debug_assert!(!luhn_ok(&d));
        out.extend_from_slice(&d);
    }

    fn version(&mut self, out: &mut Vec<u8>) {
        self.decoy(Decoy::Version);
        push_num(out, self.rng.range(1, 12), 1);
        for _ in 0..3 {
            out.push(b'.');
            push_num(out, self.rng.below(40), 1);
        }
    }

    fn price(&mut self, out: &mut Vec<u8>) {
        self.decoy(Decoy::Price);
        push_num(out, self.rng.range(1, 2499), 1);
        out.push(b'.');
        push_num(out, self.rng.below(100), 2);
    }

    fn sku(&mut self, out: &mut Vec<u8>) {
        self.decoy(Decoy::Sku);
        out.extend_from_slice(b"SKU-");
        for _ in 0..3 {
            out.push(b'A' + self.rng.below(26) as u8);
        }
        out.push(b'-');
        self.rng.digits(out, 5);
    }

    fn hdfs_block(&mut self, out: &mut Vec<u8>) {
        self.decoy(Decoy::HdfsBlock);
        out.extend_from_slice(b"blk_");
        if self.rng.chance(0.5) {
            out.push(b'-');
        }
        out.push(b'1' + self.rng.below(9) as u8);
        self.rng.digits(out, 18);
    }

    /// One planted PII value as `label sep value` text for free-form messages.
    fn labelled_pii(&mut self, out: &mut Vec<u8>) {
        match self.rng.below(8) {
            0 | 1 => {
                out.extend_from_slice(b"email ");
                self.email(out);
            }
            2 => {
                out.extend_from_slice(b"phone ");
                self.phone(out);
            }
            3 => {
                out.extend_from_slice(b"card ");
                self.card(out);
            }
            4 => {
                out.extend_from_slice(b"SSN: ");
                self.ssn_value(out);
            }
            5 => {
                out.extend_from_slice(b"client ");
                self.ipv4(out);
            }
            6 => {
                out.extend_from_slice(b"remote ");
                self.ipv6(out);
            }
            _ => {
                out.extend_from_slice(b"IBAN ");
                self.iban(out);
            }
        }
    }

    /// One planted PII value as a (key, value) pair for structured lines.
    fn keyed_pii(&mut self, key: &mut &'static str, out: &mut Vec<u8>) {
        match self.rng.below(8) {
            0 | 1 => {
                *key = "user_email";
                self.email(out);
            }
            2 => {
                *key = "phone";
                self.phone(out);
            }
            3 => {
                *key = "card_number";
                self.card(out);
            }
            4 => {
                *key = "ssn";
                self.ssn_value(out);
            }
            5 => {
                *key = "client_ip";
                self.ipv4(out);
            }
            6 => {
                *key = "remote_addr";
                self.ipv6(out);
            }
            _ => {
                *key = "iban";
                self.iban(out);
            }
        }
    }
}

// ------------------------------------------------------------------ line formats

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Access,
    Json,
    Logfmt,
    Syslog,
    Orders,
    Events,
    Customers,
}

impl Kind {
    fn header(self) -> Option<&'static str> {
        match self {
            Kind::Orders => Some("order_id,created_at,sku,quantity,unit_price,currency,status,request_id,warehouse,notes\n"),
            Kind::Events => Some("event_id,ts,host,service,version,block_id,latency_ms,status,bytes,message\n"),
            Kind::Customers => Some("customer_id,email,phone,ssn,last_login_ip,iban,card_number,city,signup_at,tier\n"),
            _ => None,
        }
    }
}

const METHODS: &[&str] = &["GET", "GET", "GET", "POST", "PUT", "DELETE"];
const PATHS: &[&str] = &[
    "/",
    "/index.html",
    "/api/v1/cart",
    "/api/v1/orders",
    "/static/app.js",
    "/static/main.css",
    "/search",
    "/checkout",
    "/healthz",
    "/api/v2/items",
    "/img/logo.png",
    "/login",
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "curl/8.5.0",
    "kube-probe/1.29",
    "Go-http-client/1.1",
];
const SERVICES: &[&str] = &[
    "checkout", "auth", "catalog", "billing", "search", "gateway",
];
const LEVELS: &[&str] = &["info", "info", "info", "info", "debug", "warn", "error"];
const MESSAGES: &[&str] = &[
    "request served",
    "cache miss",
    "order placed",
    "payment authorized",
    "session refreshed",
    "retrying upstream call",
    "slow query",
    "config reloaded",
];
const HOSTS: &[&str] = &[
    "web-01", "web-02", "web-03", "db-01", "dn-07", "dn-12", "lb-01",
];
const CITIES: &[&str] = &[
    "Springfield",
    "Portland",
    "Austin",
    "Denver",
    "Madison",
    "Toronto",
    "Leeds",
    "Lyon",
];
const STATUSES: &[&str] = &["pending", "paid", "shipped", "delivered", "cancelled"];

fn csv_quote(out: &mut Vec<u8>, text: &[u8]) {
    out.push(b'"');
    for &b in text {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

impl Gen {
    /// Appends one line (with its newline) of `kind` to `out`.
    fn line(&mut self, kind: Kind, out: &mut Vec<u8>, scratch: &mut Vec<u8>) {
        self.tick();
        self.counts.lines += 1;
        let pii = kind != Kind::Customers && self.rng.chance(PII_RATE);
        if pii || kind == Kind::Customers {
            self.counts.pii_lines += 1;
        }
        match kind {
            Kind::Access => self.access(pii, out),
            Kind::Json => self.json(pii, out, scratch),
            Kind::Logfmt => self.logfmt(pii, out, scratch),
            Kind::Syslog => self.syslog(pii, out),
            Kind::Orders => self.orders(pii, out, scratch),
            Kind::Events => self.events(pii, out, scratch),
            Kind::Customers => self.customers(out),
        }
        out.push(b'\n');
    }

    fn access(&mut self, pii: bool, out: &mut Vec<u8>) {
        self.pii(Pii::Ipv4AccessClient);
        self.ipv4_raw(out);
        out.extend_from_slice(b" - ");
        if self.rng.chance(0.1) {
            out.extend_from_slice(self.rng.pick(FIRST).as_bytes());
        } else {
            out.push(b'-');
        }
        out.extend_from_slice(b" [");
        self.clf_ts(out);
        out.extend_from_slice(b"] \"");
        out.extend_from_slice(self.rng.pick(METHODS).as_bytes());
        out.push(b' ');
        match self.rng.below(10) {
            0 => {
                out.extend_from_slice(b"/api/v1/orders/");
                self.order_number(out);
            }
            1 => {
                out.extend_from_slice(b"/products/");
                self.sku(out);
            }
            2 => {
                out.extend_from_slice(b"/api/v1/requests/");
                self.uuid(out);
            }
            3 => {
                out.extend_from_slice(b"/static/app.js?version=");
                self.version(out);
            }
            _ => out.extend_from_slice(self.rng.pick(PATHS).as_bytes()),
        }
        if pii {
            match self.rng.below(4) {
                0 | 1 => {
                    out.extend_from_slice(b"?email=");
                    self.email(out);
                }
                2 => {
                    out.extend_from_slice(b"?phone=");
                    let mut v = Vec::new();
                    self.phone(&mut v);
                    for b in v {
                        out.push(if b == b' ' { b'+' } else { b });
                    }
                }
                _ => {
                    out.extend_from_slice(b"?forwarded_for=");
                    self.ipv4(out);
                }
            }
        }
        out.extend_from_slice(b" HTTP/1.1\" ");
        out.extend_from_slice(
            [b"200", b"200", b"200", b"304", b"404", b"500", b"201"][self.rng.below(7) as usize],
        );
        out.push(b' ');
        push_num(out, self.rng.range(100, 250_000), 1);
        out.extend_from_slice(b" \"");
        if self.rng.chance(0.5) {
            out.extend_from_slice(b"https://shop.acme-corp.com");
            out.extend_from_slice(self.rng.pick(PATHS).as_bytes());
        } else {
            out.push(b'-');
        }
        out.extend_from_slice(b"\" \"");
        out.extend_from_slice(self.rng.pick(AGENTS).as_bytes());
        out.push(b'"');
    }

    fn json(&mut self, pii: bool, out: &mut Vec<u8>, v: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"ts\":\"");
        self.iso_ts(out);
        out.extend_from_slice(b"\",\"level\":\"");
        out.extend_from_slice(self.rng.pick(LEVELS).as_bytes());
        out.extend_from_slice(b"\",\"service\":\"");
        out.extend_from_slice(self.rng.pick(SERVICES).as_bytes());
        out.extend_from_slice(b"\",\"msg\":\"");
        out.extend_from_slice(self.rng.pick(MESSAGES).as_bytes());
        out.extend_from_slice(b"\",\"request_id\":\"");
        self.uuid(out);
        out.push(b'"');
        match self.rng.below(5) {
            0 => {
                out.extend_from_slice(b",\"order_id\":\"");
                self.order_number(out);
                out.extend_from_slice(b"\",\"total\":");
                self.price(out);
            }
            1 => {
                out.extend_from_slice(b",\"sku\":\"");
                self.sku(out);
                out.extend_from_slice(b"\",\"qty\":");
                push_num(out, self.rng.range(1, 9), 1);
            }
            2 => {
                out.extend_from_slice(b",\"version\":\"");
                self.version(out);
                out.push(b'"');
            }
            _ => {}
        }
        if pii {
            let mut key = "";
            v.clear();
            self.keyed_pii(&mut key, v);
            out.extend_from_slice(b",\"");
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"\":\"");
            out.extend_from_slice(v);
            out.push(b'"');
        }
        out.extend_from_slice(b",\"duration_ms\":");
        push_num(out, self.rng.below(2000), 1);
        out.push(b'}');
    }

    fn logfmt(&mut self, pii: bool, out: &mut Vec<u8>, v: &mut Vec<u8>) {
        out.extend_from_slice(b"ts=");
        self.iso_ts(out);
        out.extend_from_slice(b" level=");
        out.extend_from_slice(self.rng.pick(LEVELS).as_bytes());
        out.extend_from_slice(b" svc=");
        out.extend_from_slice(self.rng.pick(SERVICES).as_bytes());
        out.extend_from_slice(b" msg=\"");
        out.extend_from_slice(self.rng.pick(MESSAGES).as_bytes());
        out.extend_from_slice(b"\" req=");
        self.uuid(out);
        match self.rng.below(6) {
            0 => {
                out.extend_from_slice(b" order=");
                self.order_number(out);
                out.extend_from_slice(b" amount=");
                self.price(out);
            }
            1 => {
                out.extend_from_slice(b" version=");
                self.version(out);
            }
            2 => {
                out.extend_from_slice(b" block=");
                self.hdfs_block(out);
            }
            3 => {
                out.extend_from_slice(b" sku=");
                self.sku(out);
            }
            _ => {}
        }
        if pii {
            let mut key = "";
            v.clear();
            self.keyed_pii(&mut key, v);
            out.push(b' ');
            out.extend_from_slice(key.as_bytes());
            out.push(b'=');
            if v.contains(&b' ') {
                out.push(b'"');
                out.extend_from_slice(v);
                out.push(b'"');
            } else {
                out.extend_from_slice(v);
            }
        }
        out.extend_from_slice(b" user_id=");
        push_num(out, self.rng.range(1000, 9_999_999), 1);
        out.extend_from_slice(b" took=");
        push_num(out, self.rng.below(900), 1);
        out.extend_from_slice(b"ms");
    }

    fn syslog(&mut self, pii: bool, out: &mut Vec<u8>) {
        self.syslog_ts(out);
        out.push(b' ');
        out.extend_from_slice(self.rng.pick(HOSTS).as_bytes());
        out.push(b' ');
        let pid = self.rng.range(100, 65_000);
        if pii {
            match self.rng.below(3) {
                0 => {
                    out.extend_from_slice(b"sshd[");
                    push_num(out, pid, 1);
                    out.extend_from_slice(b"]: Accepted password for ");
                    out.extend_from_slice(self.rng.pick(FIRST).as_bytes());
                    out.extend_from_slice(b" from ");
                    self.ipv4(out);
                    out.extend_from_slice(b" port ");
                    push_num(out, self.rng.range(1024, 65_535), 1);
                    out.extend_from_slice(b" ssh2");
                }
                1 => {
                    out.extend_from_slice(b"postfix/smtp[");
                    push_num(out, pid, 1);
                    out.extend_from_slice(b"]: ");
                    self.rng.hex(out, 10);
                    out.extend_from_slice(b": to=<");
                    self.email(out);
                    out.extend_from_slice(b">, relay=mx.acme-corp.com, delay=0.4, status=sent");
                }
                _ => {
                    out.extend_from_slice(b"billing[");
                    push_num(out, pid, 1);
                    out.extend_from_slice(b"]: customer update failed: ");
                    self.labelled_pii(out);
                }
            }
            return;
        }
        match self.rng.below(6) {
            0 | 1 => {
                out.extend_from_slice(b"dfs.DataNode$PacketResponder[");
                push_num(out, pid, 1);
                out.extend_from_slice(b"]: PacketResponder ");
                push_num(out, self.rng.below(3), 1);
                out.extend_from_slice(b" for block ");
                self.hdfs_block(out);
                out.extend_from_slice(b" terminating");
            }
            2 => {
                out.extend_from_slice(b"kernel: [");
                push_num(out, self.rng.range(1, 999_999), 1);
                out.push(b'.');
                push_num(out, self.rng.below(1_000_000), 6);
                out.extend_from_slice(b"] eth0: link up, 1000 Mbps, full duplex");
            }
            3 => {
                out.extend_from_slice(b"agent[");
                push_num(out, pid, 1);
                out.extend_from_slice(b"]: upgraded to version ");
                self.version(out);
                out.extend_from_slice(b" build ");
                self.rng.hex(out, 7);
            }
            4 => {
                out.extend_from_slice(b"CRON[");
                push_num(out, pid, 1);
                out.extend_from_slice(b"]: (root) CMD (/usr/local/bin/rotate --job ");
                self.uuid(out);
                out.push(b')');
            }
            _ => {
                out.extend_from_slice(b"shop[");
                push_num(out, pid, 1);
                out.extend_from_slice(b"]: order ");
                self.order_number(out);
                out.extend_from_slice(b" total $");
                self.price(out);
                out.extend_from_slice(b" item ");
                self.sku(out);
            }
        }
    }

    fn orders(&mut self, pii: bool, out: &mut Vec<u8>, v: &mut Vec<u8>) {
        self.order_number(out);
        out.push(b',');
        self.iso_ts(out);
        out.push(b',');
        self.sku(out);
        out.push(b',');
        push_num(out, self.rng.range(1, 12), 1);
        out.push(b',');
        self.price(out);
        out.push(b',');
        out.extend_from_slice(b"USD,");
        out.extend_from_slice(self.rng.pick(STATUSES).as_bytes());
        out.push(b',');
        self.uuid(out);
        out.push(b',');
        out.extend_from_slice(b"WH-");
        push_num(out, self.rng.range(1, 40), 2);
        out.push(b',');
        v.clear();
        if pii {
            v.extend_from_slice(b"customer asked to update ");
            self.labelled_pii(v);
            csv_quote(out, v);
        } else if self.rng.chance(0.3) {
            v.extend_from_slice(b"gift wrap, deliver after ");
            push_num(v, self.rng.range(8, 18), 1);
            v.extend_from_slice(b":00");
            csv_quote(out, v);
        }
    }

    fn events(&mut self, pii: bool, out: &mut Vec<u8>, v: &mut Vec<u8>) {
        self.uuid(out);
        out.push(b',');
        self.iso_ts(out);
        out.push(b',');
        out.extend_from_slice(self.rng.pick(HOSTS).as_bytes());
        out.push(b',');
        out.extend_from_slice(self.rng.pick(SERVICES).as_bytes());
        out.push(b',');
        self.version(out);
        out.push(b',');
        self.hdfs_block(out);
        out.push(b',');
        push_num(out, self.rng.below(5000), 1);
        out.push(b',');
        out.extend_from_slice(
            self.rng
                .pick(&["ok", "ok", "ok", "retry", "fail"])
                .as_bytes(),
        );
        out.push(b',');
        push_num(out, self.rng.range(100, 10_000_000), 1);
        out.push(b',');
        v.clear();
        if pii {
            v.extend_from_slice(b"lookup for ");
            self.labelled_pii(v);
        } else {
            v.extend_from_slice(self.rng.pick(MESSAGES).as_bytes());
        }
        csv_quote(out, v);
    }

    fn customers(&mut self, out: &mut Vec<u8>) {
        push_num(out, self.rng.range(100_000, 9_999_999), 1);
        out.push(b',');
        self.email(out);
        out.push(b',');
        self.phone(out);
        out.push(b',');
        self.ssn_value(out);
        out.push(b',');
        self.ipv4(out);
        out.push(b',');
        self.iban(out);
        out.push(b',');
        self.card(out);
        out.push(b',');
        out.extend_from_slice(self.rng.pick(CITIES).as_bytes());
        out.push(b',');
        self.iso_ts(out);
        out.push(b',');
        out.extend_from_slice(
            self.rng
                .pick(&["gold", "silver", "bronze", "none"])
                .as_bytes(),
        );
    }
}

// ------------------------------------------------------------------ plan and run

struct FilePlan {
    rel: String,
    kind: Kind,
    bytes: u64,
}

struct FileResult {
    rel: String,
    kind: Kind,
    bytes: u64,
    counts: Counts,
}

fn write_file(dir: &Path, plan: &FilePlan, seed: u64) -> std::io::Result<FileResult> {
    let path = dir.join(&plan.rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut w = BufWriter::with_capacity(8 << 20, File::create(&path)?);
    let mut gen = Gen::new(fnv(seed, &plan.rel));
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut scratch = Vec::with_capacity(256);
    let mut written = 0u64;
    if let Some(h) = plan.kind.header() {
        buf.extend_from_slice(h.as_bytes());
    }
    while written + (buf.len() as u64) < plan.bytes {
        gen.line(plan.kind, &mut buf, &mut scratch);
        if buf.len() >= (1 << 20) - 1024 {
            w.write_all(&buf)?;
            written += buf.len() as u64;
            buf.clear();
        }
    }
    w.write_all(&buf)?;
    written += buf.len() as u64;
    w.flush()?;
    Ok(FileResult {
        rel: plan.rel.clone(),
        kind: plan.kind,
        bytes: written,
        counts: gen.counts,
    })
}

fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("bad size {s:?}: expected a number with an optional K/M/G suffix"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        other => {
            return Err(format!(
                "bad size unit {other:?} in {s:?} (K, M, G, KiB, MiB, GiB)"
            ))
        }
    };
    Ok((n * mult as f64) as u64)
}

fn plan(size: u64, kind: &str, single: Option<Kind>) -> Vec<FilePlan> {
    if let Some(k) = single {
        return vec![FilePlan {
            rel: "single.log".into(),
            kind: k,
            bytes: size,
        }];
    }
    let (logs, csv) = match kind {
        "logs" => (size, 0),
        "csv" => (0, size),
        _ => (size / 4 * 3, size - size / 4 * 3),
    };
    let mut out = Vec::new();
    if logs > 0 {
        let each = logs / 8;
        for (name, k) in [
            ("access", Kind::Access),
            ("app-json", Kind::Json),
            ("app-logfmt", Kind::Logfmt),
            ("syslog", Kind::Syslog),
        ] {
            for i in 0..2 {
                out.push(FilePlan {
                    rel: format!("logs/{name}-{i}.log"),
                    kind: k,
                    bytes: each,
                });
            }
        }
    }
    if csv > 0 {
        for (name, k, share) in [
            ("orders", Kind::Orders, 45),
            ("events", Kind::Events, 40),
            ("customers", Kind::Customers, 15),
        ] {
            out.push(FilePlan {
                rel: format!("csv/{name}.csv"),
                kind: k,
                bytes: csv * share / 100,
            });
        }
    }
    out
}

fn usage() -> ! {
    eprintln!(
        "usage: gen-corpus --size SIZE --out DIR [--seed N] [--kind logs|csv|all] \
         [--single-file [--line-format access|json|logfmt|syslog]]"
    );
    std::process::exit(2)
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn main() {
    let mut size: Option<u64> = None;
    let mut out: Option<PathBuf> = None;
    let mut seed = 42u64;
    let mut kind = "all".to_string();
    let mut single = false;
    let mut line_format = Kind::Access;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .unwrap_or_else(|| usage())
        };
        match flag.as_str() {
            "--size" => {
                size = Some(parse_size(&value()).unwrap_or_else(|e| {
                    eprintln!("gen-corpus: {e}");
                    std::process::exit(2)
                }))
            }
            "--out" => out = Some(PathBuf::from(value())),
            "--seed" => {
                seed = value().parse().unwrap_or_else(|_| {
                    eprintln!("gen-corpus: --seed takes an unsigned integer");
                    std::process::exit(2)
                })
            }
            "--kind" => {
                kind = value();
                if !matches!(kind.as_str(), "logs" | "csv" | "all") {
                    eprintln!("gen-corpus: --kind is logs, csv or all");
                    std::process::exit(2)
                }
            }
            "--single-file" => single = true,
            "--line-format" => {
                line_format = match value().as_str() {
                    "access" => Kind::Access,
                    "json" => Kind::Json,
                    "logfmt" => Kind::Logfmt,
                    "syslog" => Kind::Syslog,
                    _ => {
                        eprintln!("gen-corpus: --line-format is access, json, logfmt or syslog");
                        std::process::exit(2)
                    }
                }
            }
            "-h" | "--help" => usage(),
            _ => {
                eprintln!("gen-corpus: unknown argument {a:?}");
                usage()
            }
        }
    }
    let (Some(size), Some(dir)) = (size, out) else {
        usage()
    };
    if single && kind == "csv" {
        eprintln!(
            "gen-corpus: --single-file writes a log file; it does not combine with --kind csv"
        );
        std::process::exit(2)
    }
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("gen-corpus: cannot create {}: {e}", dir.display());
        std::process::exit(1)
    }

    let started = Instant::now();
    let plans = plan(size, &kind, single.then_some(line_format));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<std::io::Result<FileResult>>>> =
        Mutex::new((0..plans.len()).map(|_| None).collect());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers.min(plans.len()) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = plans.get(i) else { break };
                let r = write_file(&dir, p, seed);
                results.lock().expect("no worker panics")[i] = Some(r);
            });
        }
    });
    let mut files = Vec::new();
    for r in results.into_inner().expect("no worker panics") {
        match r {
            Some(Ok(f)) => files.push(f),
            Some(Err(e)) => {
                eprintln!("gen-corpus: write failed: {e}");
                std::process::exit(1)
            }
            None => unreachable!("every planned file is written"),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();

    // Manifest, as JSON (stable key order) and as a short table.
    let mut total = Counts::default();
    let mut bytes = 0u64;
    let mut files_json = Vec::new();
    for f in &files {
        total.add(&f.counts);
        bytes += f.bytes;
        let pii: BTreeMap<&str, u64> = PII_NAMES.iter().copied().zip(f.counts.pii).collect();
        files_json.push(format!(
            "    {{\"path\": {}, \"kind\": {}, \"bytes\": {}, \"lines\": {}, \"lines_with_pii\": {}, \"pii\": {}}}",
            json_str(&f.rel),
            json_str(&format!("{:?}", f.kind).to_lowercase()),
            f.bytes,
            f.counts.lines,
            f.counts.pii_lines,
            serde_json::to_string(&pii).expect("serialises"),
        ));
    }
    let pii: BTreeMap<&str, u64> = PII_NAMES.iter().copied().zip(total.pii).collect();
    let decoys: BTreeMap<&str, u64> = DECOY_NAMES.iter().copied().zip(total.decoys).collect();
    let manifest = format!(
        "{{\n  \"schema\": \"piimap.bench-corpus/1\",\n  \"seed\": {seed},\n  \"kind\": {},\n  \"single_file\": {single},\n  \"requested_bytes\": {size},\n  \"bytes\": {bytes},\n  \"lines\": {},\n  \"lines_with_pii\": {},\n  \"pii\": {},\n  \"decoys\": {},\n  \"files\": [\n{}\n  ]\n}}\n",
        json_str(&kind),
        total.lines,
        total.pii_lines,
        serde_json::to_string(&pii).expect("serialises"),
        serde_json::to_string(&decoys).expect("serialises"),
        files_json.join(",\n"),
    );
    if let Err(e) = std::fs::write(dir.join("MANIFEST.json"), &manifest) {
        eprintln!("gen-corpus: cannot write MANIFEST.json: {e}");
        std::process::exit(1)
    }
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(
        stdout,
        "{:<28} {:>10} {:>12} {:>10}",
        "file", "MiB", "lines", "PII lines"
    );
    for f in &files {
        let _ = writeln!(
            stdout,
            "{:<28} {:>10.1} {:>12} {:>10}",
            f.rel,
            f.bytes as f64 / (1 << 20) as f64,
            f.counts.lines,
            f.counts.pii_lines
        );
    }
    let _ = writeln!(
        stdout,
        "total {:.1} MiB, {} lines, {} with planted PII, written in {elapsed:.1}s ({:.0} MB/s)",
        bytes as f64 / (1 << 20) as f64,
        total.lines,
        total.pii_lines,
        bytes as f64 / 1e6 / elapsed.max(1e-9)
    );
    let _ = writeln!(stdout, "{manifest}");
}

#[cfg(test)]
mod tests {
    // `cargo test --example gen-corpus` (not part of the main suite).
    use super::*;

    #[test]
    fn cards_pass_and_orders_fail_luhn() {
        let mut g = Gen::new(7);
        for _ in 0..1000 {
            let mut v = Vec::new();
            g.card(&mut v);
            let d: Vec<u8> = v.into_iter().filter(u8::is_ascii_digit).collect();
            assert!(luhn_ok(&d));
            let mut o = Vec::new();
            g.order_number(&mut o);
            assert!(!luhn_ok(&o));
        }
    }

    #[test]
    fn ibans_pass_mod97() {
        let mut g = Gen::new(9);
        for _ in 0..1000 {
            let mut v = Vec::new();
            g.iban(&mut v);
            let c: Vec<u8> = v.into_iter().filter(|b| *b != b' ').collect();
            assert_eq!(iban_mod97(&c), 1);
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        assert_eq!(parse_size("512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("4k").unwrap(), 4096);
        assert_eq!(parse_size("100").unwrap(), 100);
        assert!(parse_size("1X").is_err());
    }
}
