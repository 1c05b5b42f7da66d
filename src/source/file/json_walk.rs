//! One JSON-lines record walked in place: every string and number with its dotted path,
//! without building a `serde_json::Value` tree per line.
//!
//! A log of JSON lines is millions of small objects. Parsing each into a tree allocated a
//! map, a string per key and per value, and then a number's text again; the walk here
//! records spans into a reused [`JsonScratch`] and copies only strings that hold escapes.
//! It accepts exactly the JSON that `serde_json` accepts (RFC 8259: no trailing commas,
//! no control characters or lone surrogates in strings, nesting up to 127 levels), so a
//! line is structured or plain text just as before. Two things differ from flattening a
//! `Value`, both in favour of keeping what is in the data: fields come in the order of
//! the line (not sorted by key) and a repeated key is seen every time, not only its last
//! value; a number is its own text (`1.50`, not `1.5`).

use std::ops::Range;

/// Objects and arrays nested more than this many levels deep are refused, as
/// `serde_json` refuses them (its recursion limit of 128 allows 127 levels).
const MAX_DEPTH: usize = 127;

/// Where one value of the walked line is: in the line itself, or unescaped into
/// [`JsonScratch::unescaped`].
#[derive(Clone, Debug)]
enum Span {
    Line(Range<usize>),
    Unescaped(Range<usize>),
}

/// Buffers reused from line to line, so a walk allocates nothing once they have grown.
#[derive(Default)]
pub struct JsonScratch {
    /// Every value's dotted path, back to back.
    paths: String,
    /// The current path while walking.
    path: String,
    /// Strings with escapes, unescaped.
    unescaped: Vec<u8>,
    /// (path in `paths`, value) per string or number, in line order.
    items: Vec<(Range<usize>, Span)>,
}

/// Calls `emit(path, value)` for every string and number of the JSON object `line`
/// (array elements share the path `key[]`). Returns false, having called nothing, when
/// the line is not one valid JSON object (surrounding whitespace allowed).
pub fn for_each_scalar(
    line: &[u8],
    scratch: &mut JsonScratch,
    emit: &mut dyn FnMut(&str, &[u8]),
) -> bool {
    scratch.paths.clear();
    scratch.path.clear();
    scratch.unescaped.clear();
    scratch.items.clear();
    if std::str::from_utf8(line).is_err() {
        return false;
    }
    let mut walk = Walk {
        b: line,
        i: 0,
        s: scratch,
    };
    walk.ws();
    if walk.peek() != Some(b'{') || walk.object(0).is_none() {
        return false;
    }
    walk.ws();
    if walk.i != line.len() {
        return false;
    }
    let s = &*scratch;
    for (path, span) in &s.items {
        let value = match span {
            Span::Line(r) => &line[r.clone()],
            Span::Unescaped(r) => &s.unescaped[r.clone()],
        };
        emit(&s.paths[path.clone()], value);
    }
    true
}

/// The walk over one line; every method returns `None` at the first syntax error.
struct Walk<'a, 's> {
    b: &'a [u8],
    i: usize,
    s: &'s mut JsonScratch,
}

impl Walk<'_, '_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek() == Some(c)).then(|| self.i += 1)
    }

    fn record(&mut self, span: Span) {
        let start = self.s.paths.len();
        self.s.paths.push_str(&self.s.path);
        self.s.items.push((start..self.s.paths.len(), span));
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => {
                let span = self.string()?;
                self.record(span);
                Some(())
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => {
                let r = self.number()?;
                self.record(Span::Line(r));
                Some(())
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.b[self.i..]
            .starts_with(word)
            .then(|| self.i += word.len())
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            let key = self.string()?;
            let len = self.s.path.len();
            if len > 0 {
                self.s.path.push('.');
            }
            // The line is UTF-8 and a string ends at a quote, so a key is UTF-8 (and
            // unescaping keeps it so): `from_utf8` cannot fail here.
            let line = self.b;
            let s = &mut *self.s;
            match key {
                Span::Line(r) => s.path.push_str(std::str::from_utf8(&line[r]).ok()?),
                Span::Unescaped(r) => {
                    s.path
                        .push_str(std::str::from_utf8(&s.unescaped[r.clone()]).ok()?);
                    s.unescaped.truncate(r.start);
                }
            }
            self.ws();
            self.eat(b':')?;
            self.ws();
            self.value(depth + 1)?;
            self.s.path.truncate(len);
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.eat(b'[')?;
        let len = self.s.path.len();
        self.s.path.push_str("[]");
        self.ws();
        if self.eat(b']').is_some() {
            self.s.path.truncate(len);
            return Some(());
        }
        loop {
            self.ws();
            self.value(depth + 1)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    self.s.path.truncate(len);
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A string at `self.i` (on its opening quote): its span in the line when it has no
    /// escapes, else its unescaped bytes appended to the scratch.
    fn string(&mut self) -> Option<Span> {
        self.eat(b'"')?;
        let start = self.i;
        let rest = &self.b[start..];
        let stop = memchr::memchr3(b'"', b'\\', b'\n', rest)?;
        if rest[..stop].iter().any(|&c| c < 0x20) {
            return None;
        }
        if rest[stop] == b'"' {
            self.i = start + stop + 1;
            return Some(Span::Line(start..start + stop));
        }
        let out = self.s.unescaped.len();
        self.s.unescaped.extend_from_slice(&rest[..stop]);
        self.i = start + stop;
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                b'"' => return Some(Span::Unescaped(out..self.s.unescaped.len())),
                b'\\' => self.escape()?,
                c if c < 0x20 => return None,
                c => self.s.unescaped.push(c),
            }
        }
    }

    fn escape(&mut self) -> Option<()> {
        let c = self.peek()?;
        self.i += 1;
        let byte = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let mut code = self.hex4()?;
                if (0xd800..0xdc00).contains(&code) {
                    // A leading surrogate must be followed by a trailing one.
                    self.eat(b'\\')?;
                    self.eat(b'u')?;
                    let low = self.hex4()?;
                    if !(0xdc00..0xe000).contains(&low) {
                        return None;
                    }
                    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                } else if (0xdc00..0xe000).contains(&code) {
                    return None;
                }
                let ch = char::from_u32(code)?;
                let mut buf = [0u8; 4];
                self.s
                    .unescaped
                    .extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                return Some(());
            }
            _ => return None,
        };
        self.s.unescaped.push(byte);
        Some(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.b.get(self.i..self.i + 4)?;
        let mut v = 0u32;
        for &d in digits {
            v = v * 16 + char::from(d).to_digit(16)?;
        }
        self.i += 4;
        Some(v)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Option<Range<usize>> {
        let start = self.i;
        let _ = self.eat(b'-');
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            self.need_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            self.need_digits()?;
        }
        Some(start..self.i)
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }

    fn need_digits(&mut self) -> Option<()> {
        let at = self.i;
        self.digits();
        (self.i > at).then_some(())
    }
}

/// Flattens a JSON value already parsed (a database's JSON column, an Avro record) into `(dotted.path, scalar bytes)`; array elements share the
/// path `key[]`. Numbers keep their text, so an SSN stored as a number is still seen.
pub fn flatten_json(v: &serde_json::Value, path: &mut String, emit: &mut dyn FnMut(&str, &[u8])) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                flatten_json(child, path, emit);
                path.truncate(len);
            }
        }
        serde_json::Value::Array(items) => {
            let len = path.len();
            path.push_str("[]");
            for item in items {
                flatten_json(item, path, emit);
            }
            path.truncate(len);
        }
        serde_json::Value::String(s) => emit(path, s.as_bytes()),
        serde_json::Value::Number(n) => emit(path, n.to_string().as_bytes()),
        serde_json::Value::Bool(_) | serde_json::Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(line: &str) -> Option<Vec<(String, String)>> {
        let mut scratch = JsonScratch::default();
        let mut out = Vec::new();
        let ok = for_each_scalar(line.as_bytes(), &mut scratch, &mut |p, v| {
            out.push((p.to_string(), String::from_utf8(v.to_vec()).unwrap()))
        });
        ok.then_some(out)
    }

    /// What flattening a `serde_json::Value` gives, sorted.
    fn via_serde(line: &str) -> Option<Vec<(String, String)>> {
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        v.is_object().then_some(())?;
        let mut out = Vec::new();
        flatten_json(&v, &mut String::new(), &mut |p, x| {
            out.push((p.to_string(), String::from_utf8(x.to_vec()).unwrap()))
        });
        out.sort();
        Some(out)
    }

    #[test]
    fn agrees_with_serde_json_on_valid_and_invalid_lines() {
        let lines = [
            r#"{"a":"x","b":{"c":"y","d":[1,"z",{"e":"w"}]},"n":-12,"t":true,"u":null}"#,
            r#"  {"msg":"tab\there \"quoted\" \\ slash\/ \u00e9 \ud83d\ude00"}  "#,
            r#"{"k\u0065y":"v","e":[],"o":{},"f":0}"#,
            r#"{"ssn":536221937,"nested":{"deep":{"er":"x@example.com"}}}"#,
            r#"{"a":1,}"#,
            r#"{"a":01}"#,
            r#"{"a":"bad \x escape"}"#,
            r#"{"a":"lone \ud800"}"#,
            r#"{"a":"lone \udc00 trail"}"#,
            "{\"a\":\"control \u{1} char\"}",
            r#"{"a":"unterminated}"#,
            r#"{"a":1} trailing"#,
            r#"["not","an","object"]"#,
            r#"{"a":-}"#,
            r#"{"a":1.}"#,
            r#"{"a":1e}"#,
            r#"{"a":tru}"#,
            r#"{a:1}"#,
            "",
            "plain text line",
        ];
        for line in lines {
            let mut ours = walk(line);
            if let Some(v) = ours.as_mut() {
                v.sort();
            }
            assert_eq!(ours, via_serde(line), "{line}");
        }
    }

    #[test]
    fn keeps_line_order_repeated_keys_and_number_text() {
        assert_eq!(
            walk(r#"{"z":"1","a":1.50,"z":"2"}"#).unwrap(),
            [("z", "1"), ("a", "1.50"), ("z", "2")].map(|(p, v)| (p.to_string(), v.to_string()))
        );
    }

    #[test]
    fn refuses_nesting_past_the_limit_like_serde() {
        let deep = |n: usize| {
            format!(
                "{}{}",
                "{\"a\":".repeat(n),
                "1".to_string() + &"}".repeat(n)
            )
        };
        for n in [127, 128, 129] {
            let line = deep(n);
            assert_eq!(
                walk(&line).is_some(),
                via_serde(&line).is_some(),
                "depth {n}"
            );
        }
        let arrays = format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200));
        assert!(walk(&arrays).is_none());
        assert!(via_serde(&arrays).is_none());
    }

    #[test]
    fn reuses_its_buffers_and_emits_nothing_for_a_bad_line() {
        let mut scratch = JsonScratch::default();
        let mut n = 0;
        assert!(!for_each_scalar(
            br#"{"a":"x","b":}"#,
            &mut scratch,
            &mut |_, _| n += 1
        ));
        assert_eq!(n, 0);
        assert!(for_each_scalar(
            br#"{"a":"\u00e9"}"#,
            &mut scratch,
            &mut |p, v| {
                assert_eq!((p, v), ("a", "é".as_bytes()));
                n += 1;
            }
        ));
        assert_eq!(n, 1);
    }
}
