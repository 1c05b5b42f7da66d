//! Accuracy on a labeled synthetic corpus built here, in Rust, from a seeded generator:
//! text lines (some with PII in context, most decoys) and whole columns. Prints a
//! precision/recall table per data type and asserts floors: 0.95 for checksum-validated
//! types, lower (stated per type) for shape-only ones.

use std::collections::BTreeMap;

use piimap::classify::column::classify;
use piimap::detect::{Engine, Finding};

/// A small deterministic generator (xorshift64*): the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn luhn_check_digit(payload: &str) -> u32 {
    let sum: u32 = payload
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

fn card(r: &mut Rng) -> String {
    let prefix = r.pick(&["4", "51", "52", "55", "6011"]);
    let payload = format!("{prefix}{}", r.digits(15 - prefix.len()));
    let full = format!("{payload}{}", luhn_check_digit(&payload));
    if r.below(2) == 0 {
        full
    } else {
        format!(
            "{} {} {} {}",
            &full[0..4],
            &full[4..8],
            &full[8..12],
            &full[12..16]
        )
    }
}

fn not_luhn_16(r: &mut Rng) -> String {
    let payload = format!("4{}", r.digits(14));
    let bad = (luhn_check_digit(&payload) + 1 + r.below(8) as u32) % 10;
    format!("{payload}{bad}")
}

fn mod97(s: &str) -> u32 {
    s.bytes().fold(0u32, |acc, b| {
        let v = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        if v >= 10 {
            (acc * 100 + v) % 97
        } else {
            (acc * 10 + v) % 97
        }
    })
}

fn iban(r: &mut Rng) -> String {
    let bank = r.pick(&["WEST", "BARC", "LOYD", "HBUK", "NWBK"]);
    let bban = format!("{bank}{}", r.digits(14));
    let check = 98 - mod97(&format!("{bban}GB00"));
    let raw = format!("GB{check:02}{bban}");
    raw.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

fn ssn(r: &mut Rng) -> String {
    let area = 1 + r.below(665);
    let area = if area == 123 { 124 } else { area };
    format!("{area:03}-{:02}-{:04}", 1 + r.below(98), 1 + r.below(9998))
}

fn email(r: &mut Rng) -> String {
    let user = r.pick(&[
        "jane.doe",
        "bob",
        "a.smith",
        "kim_lee",
        "m.garcia42",
        "support+tag",
    ]);
    let domain = r.pick(&[
        "example.com",
        "mail.example.org",
        "corp.co.uk",
        "uni.edu",
        "shop.io",
    ]);
    format!("{user}{}@{domain}", r.below(100))
}

fn phone(r: &mut Rng) -> String {
    let area = 201 + r.below(700);
    let exch = 200 + r.below(700);
    let area = if area % 100 == 11 { area + 1 } else { area };
    let exch = if exch % 100 == 11 { exch + 1 } else { exch };
    match r.below(3) {
        0 => format!("({area}) {exch}-{}", r.digits(4)),
        1 => format!("{area}-{exch}-{}", r.digits(4)),
        _ => format!("+1 {area} {exch} {}", r.digits(4)),
    }
}

fn ipv4(r: &mut Rng) -> String {
    format!(
        "{}.{}.{}.{}",
        11 + r.below(180),
        r.below(256),
        r.below(256),
        1 + r.below(254)
    )
}

fn uuid(r: &mut Rng) -> String {
    let h = |r: &mut Rng, n: usize| {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[r.below(16) as usize]))
            .collect::<String>()
    };
    format!(
        "{}-{}-4{}-a{}-{}",
        h(r, 8),
        h(r, 4),
        h(r, 3),
        h(r, 3),
        h(r, 12)
    )
}

/// A labeled line: the data type it holds, or None for a decoy.
fn corpus(r: &mut Rng, n: usize) -> Vec<(Option<&'static str>, String)> {
    let mut out = Vec::new();
    for i in 0..n {
        let line = match i % 16 {
            0 => (
                Some("credit_card"),
                format!("payment card {} approved", card(r)),
            ),
            1 => (Some("bank_account"), format!("refund to IBAN {}", iban(r))),
            2 => (Some("ssn"), format!("applicant SSN: {}", ssn(r))),
            3 => (Some("email"), format!("sent receipt to {}", email(r))),
            4 => (Some("phone"), format!("customer phone {}", phone(r))),
            5 => (
                Some("ip_address"),
                format!("Accepted publickey for deploy from {} port 22", ipv4(r)),
            ),
            6 => (None, format!("order {} shipped", not_luhn_16(r))),
            7 => (
                None,
                format!(
                    "upgraded to version {}.{}.{}.{}",
                    r.below(20),
                    r.below(20),
                    r.below(20),
                    r.below(100)
                ),
            ),
            8 => (
                None,
                format!("request id {} completed in {}ms", uuid(r), r.below(900)),
            ),
            9 => (
                None,
                format!(
                    "2024-0{}-1{}T10:2{}:45Z job finished",
                    1 + r.below(9),
                    r.below(9),
                    r.below(9)
                ),
            ),
            10 => (
                None,
                format!(
                    "total ${}.{:02} for SKU AB-{}",
                    r.below(9999),
                    r.below(100),
                    r.digits(5)
                ),
            ),
            11 => (
                None,
                format!(
                    "processed {} records in {} batches",
                    r.digits(7),
                    r.below(50)
                ),
            ),
            12 => (None, format!("tracking number 1Z{}", r.digits(16))),
            13 => (
                None,
                format!(
                    "invoice INV-{} for account group {}",
                    r.digits(8),
                    r.below(99)
                ),
            ),
            14 => (
                None,
                format!("cache hit ratio 0.{} at 10.{}", r.digits(4), r.digits(3)),
            ),
            _ => (None, "user logged out; session closed".to_string()),
        };
        out.push(line);
    }
    out
}

#[derive(Default, Debug)]
struct Counts {
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Counts {
    fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(self.tp + self.fp)
        }
    }
    fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(self.tp + self.fn_)
        }
    }
}

/// Floors: checksum-validated types must reach 0.95; shape types state their own.
fn floor(data_type: &str) -> f64 {
    match data_type {
        "credit_card" | "bank_account" => 0.95,
        "ssn" | "email" | "ip_address" => 0.95,
        "phone" => 0.9,
        _ => 0.9,
    }
}

#[test]
fn text_precision_and_recall_meet_floors() {
    let engine = Engine::with_rules(None).unwrap();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let lines = corpus(&mut rng, 3200);
    let labeled = [
        "credit_card",
        "bank_account",
        "ssn",
        "email",
        "phone",
        "ip_address",
    ];
    let mut counts: BTreeMap<&str, Counts> =
        labeled.iter().map(|t| (*t, Counts::default())).collect();
    let mut scanner = engine.scanner();
    for (label, line) in &lines {
        let mut found: Vec<Finding> = Vec::new();
        scanner.scan_text(line.as_bytes(), &mut found);
        let types: Vec<&str> = found.iter().map(|f| engine.data_type(f.detector)).collect();
        for t in &labeled {
            let c = counts.get_mut(t).unwrap();
            match (label == &Some(*t), types.contains(t)) {
                (true, true) => c.tp += 1,
                (true, false) => c.fn_ += 1,
                (false, true) => c.fp += 1,
                (false, false) => {}
            }
        }
    }
    println!(
        "{:<14} {:>6} {:>6} {:>6} {:>9} {:>7}",
        "data type", "tp", "fp", "fn", "precision", "recall"
    );
    for (t, c) in &counts {
        println!(
            "{:<14} {:>6} {:>6} {:>6} {:>9.3} {:>7.3}",
            t,
            c.tp,
            c.fp,
            c.fn_,
            c.precision(),
            c.recall()
        );
    }
    for (t, c) in &counts {
        assert!(
            c.precision() >= floor(t),
            "{t}: precision {:.3} below {}",
            c.precision(),
            floor(t)
        );
        assert!(
            c.recall() >= floor(t),
            "{t}: recall {:.3} below {}",
            c.recall(),
            floor(t)
        );
    }
}

#[test]
fn column_classification_on_labeled_columns() {
    let engine = Engine::with_rules(None).unwrap();
    let mut r = Rng(42);
    type Gen = fn(&mut Rng) -> String;
    let columns: Vec<(&str, Option<&str>, Gen)> = vec![
        ("card_number", Some("credit_card"), card),
        ("payload", Some("credit_card"), card),
        ("iban", Some("bank_account"), iban),
        ("contact", Some("email"), email),
        ("tel", Some("phone"), phone),
        ("client_ip", Some("ip_address"), ipv4),
        ("order_ref", None, not_luhn_16),
        ("request_id", None, uuid),
        ("sku", None, |r| format!("AB-{}", r.digits(5))),
        ("price", None, |r| {
            format!("{}.{:02}", r.below(999), r.below(100))
        }),
        ("order_id", None, |r| r.digits(9)),
    ];
    let mut failures = Vec::new();
    for (name, expected, gen) in &columns {
        let values: Vec<String> = (0..500).map(|_| gen(&mut r)).collect();
        let report = classify(&engine, name, values.iter().map(|v| v.as_bytes()));
        let types: Vec<&str> = report
            .verdicts
            .iter()
            .map(|v| v.data_type.as_str())
            .collect();
        println!("{name:<12} expected {expected:?} got {types:?}");
        match expected {
            Some(t) if types.first() != Some(t) => {
                failures.push(format!("{name}: expected {t} first, got {types:?}"))
            }
            None if !types.is_empty() => {
                failures.push(format!("{name}: decoy classified as {types:?}"))
            }
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
