//! Masking: the only form in which a found value may leave the process.
//!
//! A [`crate::detect::Finding`] gives its [`Masked`] value on demand
//! ([`crate::detect::Finding::masked`]), built into a fixed inline buffer (no heap
//! allocation); findings that are only counted are never masked at all. A masked value keeps
//! at most a few characters that help a human recognise the *kind* of value (the last
//! four digits of a card, an email's first letters and TLD, a key's public prefix) and
//! never a whole value. Non-printable or non-ASCII bytes are never copied.

use std::fmt;

/// Longest masked form kept; longer values are shortened with a run of `*`.
const CAP: usize = 40;
/// Longest run of `*` written for one hidden stretch.
const MAX_STARS: usize = 12;

/// How a value is masked (named in rules as `mask = "..."`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MaskStyle {
    /// `j***@e******.com`
    Email,
    /// Digits and letters hidden except the last four; separators kept.
    Last4,
    /// As `Last4`, keeping two.
    Last2,
    /// A known public prefix (`AKIA`, `sk_live_`, `ghp_`) kept, the rest hidden.
    Prefix,
    /// The first letter of each word.
    Initials,
    /// The first octet/group of an IP address.
    Ip,
    /// Nothing but a run of `*`.
    Full,
}

impl MaskStyle {
    /// Parses a style name as written in rule files.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "email" => MaskStyle::Email,
            "last4" => MaskStyle::Last4,
            "last2" => MaskStyle::Last2,
            "prefix" => MaskStyle::Prefix,
            "initials" => MaskStyle::Initials,
            "ip" => MaskStyle::Ip,
            "full" => MaskStyle::Full,
            _ => return None,
        })
    }

    /// The style's name as written in rule files.
    pub fn name(self) -> &'static str {
        match self {
            MaskStyle::Email => "email",
            MaskStyle::Last4 => "last4",
            MaskStyle::Last2 => "last2",
            MaskStyle::Prefix => "prefix",
            MaskStyle::Initials => "initials",
            MaskStyle::Ip => "ip",
            MaskStyle::Full => "full",
        }
    }
}

/// A masked value in an inline buffer: cheap to create, `Copy`, always printable ASCII.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Masked {
    buf: [u8; CAP],
    len: u8,
}

impl Masked {
    fn empty() -> Self {
        Masked {
            buf: [0; CAP],
            len: 0,
        }
    }

    fn push(&mut self, b: u8) {
        if (self.len as usize) < CAP {
            self.buf[self.len as usize] = b;
            self.len += 1;
        }
    }

    fn push_kept(&mut self, b: u8) {
        self.push(if b.is_ascii_graphic() { b } else { b'*' });
    }

    fn stars(&mut self, n: usize) {
        for _ in 0..n.clamp(1, MAX_STARS) {
            self.push(b'*');
        }
    }

    /// The masked text.
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever pushed.
        std::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or("***")
    }

    /// Masks `value` with `style`.
    pub fn new(value: &[u8], style: MaskStyle) -> Self {
        let value = trim(value);
        let mut m = Masked::empty();
        match style {
            MaskStyle::Email => mask_email(&mut m, value),
            MaskStyle::Last4 => mask_keep_last(&mut m, value, 4),
            MaskStyle::Last2 => mask_keep_last(&mut m, value, 2),
            MaskStyle::Prefix => mask_prefix(&mut m, value),
            MaskStyle::Initials => mask_initials(&mut m, value),
            MaskStyle::Ip => mask_ip(&mut m, value),
            MaskStyle::Full => m.stars(value.len().min(8)),
        }
        m
    }
}

impl fmt::Display for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Masked({:?})", self.as_str())
    }
}

impl serde::Serialize for Masked {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &v[start..end]
}

fn mask_email(m: &mut Masked, v: &[u8]) {
    let Some(at) = v.iter().rposition(|&b| b == b'@') else {
        return mask_keep_last(m, v, 0);
    };
    let (local, domain) = (&v[..at], &v[at + 1..]);
    match local {
        [first, rest @ ..] if rest.len() >= 2 => {
            m.push_kept(*first);
            m.stars(rest.len());
        }
        _ => m.stars(local.len()),
    }
    m.push(b'@');
    let tld_at = domain.iter().rposition(|&b| b == b'.');
    match tld_at {
        Some(dot) if dot > 0 => {
            if dot >= 3 {
                m.push_kept(domain[0]);
                m.stars(dot - 1);
            } else {
                m.stars(dot);
            }
            for &b in &domain[dot..] {
                m.push_kept(b);
            }
        }
        _ => m.stars(domain.len()),
    }
}

/// Hides every alphanumeric except the last `keep`; keeps separators so the shape shows.
/// Values too short to hide enough are hidden completely.
fn mask_keep_last(m: &mut Masked, v: &[u8], keep: usize) {
    let alnum = v.iter().filter(|b| b.is_ascii_alphanumeric()).count();
    let keep = if alnum > keep * 2 { keep } else { 0 };
    let hide = alnum - keep;
    let mut seen = 0usize;
    let mut run = 0usize;
    let tail_start = v.len().saturating_sub(CAP - MAX_STARS);
    for (i, &b) in v.iter().enumerate() {
        if b.is_ascii_alphanumeric() {
            seen += 1;
            if seen > hide {
                if run > 0 {
                    m.stars(run);
                    run = 0;
                }
                m.push_kept(b);
            } else {
                run += 1;
            }
        } else if matches!(b, b' ' | b'-' | b'.' | b'/' | b':') && i >= tail_start {
            if run > 0 {
                m.stars(run);
                run = 0;
            }
            m.push(b);
        } else {
            run += 1;
        }
    }
    if run > 0 {
        m.stars(run);
    }
}

fn mask_prefix(m: &mut Masked, v: &[u8]) {
    // A public prefix is the leading letters up to and including the last '_' or '-'
    // within the first 11 bytes (sk_live_, ghp_, xoxb-), or a 4-letter upper-case tag
    // (AKIA, AIza). Never more than 11 bytes, and never more than a third of the value.
    let head = &v[..v.len().min(11)];
    let mut keep = head
        .iter()
        .rposition(|&b| b == b'_' || b == b'-')
        .map_or(0, |p| p + 1);
    if keep == 0 && v.len() >= 16 && v[..4].iter().all(u8::is_ascii_alphabetic) {
        keep = 4;
    }
    if keep * 3 > v.len() {
        keep = 0;
    }
    for &b in &v[..keep] {
        m.push_kept(b);
    }
    m.stars(v.len() - keep);
}

fn mask_initials(m: &mut Masked, v: &[u8]) {
    for (i, word) in v
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        if i > 0 {
            m.push(b' ');
        }
        if word.len() >= 2 {
            m.push_kept(word[0]);
        }
        m.stars(word.len().saturating_sub(1).max(1));
    }
}

fn mask_ip(m: &mut Masked, v: &[u8]) {
    // Keep only the first octet (IPv4) or group (IPv6), and only when it looks like one.
    let v4 = v.contains(&b'.') && !v.contains(&b':');
    let sep = if v4 { b'.' } else { b':' };
    let head_len = v.iter().position(|&b| b == sep).unwrap_or(v.len());
    let head = &v[..head_len];
    let plausible = if v4 {
        (1..=3).contains(&head.len()) && head.iter().all(u8::is_ascii_digit)
    } else {
        (1..=4).contains(&head.len()) && head.iter().all(u8::is_ascii_hexdigit)
    };
    if plausible && head_len < v.len() {
        for &b in head {
            m.push_kept(b);
        }
    } else {
        m.push(b'*');
    }
    if v4 {
        for _ in 0..3 {
            m.push(b'.');
            m.push(b'*');
        }
    } else {
        m.push(b':');
        m.stars(4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn mask(v: &str, s: MaskStyle) -> String {
        Masked::new(v.as_bytes(), s).to_string()
    }

    #[test]
    fn styles_look_as_documented() {
        assert_eq!(
            mask("john@example.com", MaskStyle::Email),
            "j***@e******.com"
        );
        assert_eq!(mask("123-45-6789", MaskStyle::Last4), "***-**-6789");
        assert_eq!(
            mask("4242 4242 4242 4242", MaskStyle::Last4),
            "**** **** **** 4242"
        );
        assert_eq!(
            mask("AKIAIOSFODNN7EXAMPLE", MaskStyle::Prefix),
            "AKIA************"
        );
        assert_eq!(
            mask("sk_live_abcdefghijklmnopqrstuvwx", MaskStyle::Prefix),
            "sk_live_************"
        );
        assert_eq!(mask("Jane Smith", MaskStyle::Initials), "J*** S****");
        assert_eq!(mask("203.0.113.45", MaskStyle::Ip), "203.*.*.*");
        assert_eq!(mask("secret", MaskStyle::Full), "******");
    }

    #[test]
    fn short_values_are_hidden_completely() {
        assert_eq!(mask("1234", MaskStyle::Last4), "****");
        assert_eq!(mask("12", MaskStyle::Last2), "**");
    }

    proptest! {
        /// A masked value never contains the whole value (for values long enough to hide).
        #[test]
        fn never_reveals_the_value(v in "[ -~]{6,80}", style in 0usize..7) {
            let style = [MaskStyle::Email, MaskStyle::Last4, MaskStyle::Last2, MaskStyle::Prefix,
                         MaskStyle::Initials, MaskStyle::Ip, MaskStyle::Full][style];
            let masked = Masked::new(v.as_bytes(), style).to_string();
            let trimmed = v.trim();
            prop_assume!(trimmed.len() >= 6);
            prop_assert!(!masked.contains(trimmed), "{masked:?} reveals {trimmed:?}");
            prop_assert!(masked.is_ascii());
        }

        /// Arbitrary bytes never panic and give printable ASCII.
        #[test]
        fn any_bytes_are_safe(v in proptest::collection::vec(any::<u8>(), 0..200)) {
            for style in [MaskStyle::Email, MaskStyle::Last4, MaskStyle::Prefix, MaskStyle::Initials, MaskStyle::Ip] {
                let masked = Masked::new(&v, style);
                prop_assert!(masked.as_str().bytes().all(|b| b.is_ascii_graphic() || b == b' '));
            }
        }
    }
}
