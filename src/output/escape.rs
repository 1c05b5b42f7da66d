//! Output escaping: one place for every rule that keeps attacker-controlled text from
//! acting as markup, a formula or a terminal command in piimap's outputs.
//!
//! Column names, JSON keys, file names, table names, error messages and the masked
//! examples all come from the data piimap scans, so they are attacker-controlled. A file
//! named `\x1b]8;;http://evil\x07x.csv`, a CSV header `=HYPERLINK("http://x","y")` or a
//! JSON key `<script>alert(1)</script>` must reach a terminal, a spreadsheet, a Markdown
//! renderer or a browser as inert text. Each function here handles one output context:
//!
//! | Output | Function |
//! | --- | --- |
//! | terminal (stdout tables, messages, `diff` text) | [`terminal`], [`terminal_text`] |
//! | CSV cells (`inventory.csv`, `ropa.csv`) | [`csv_cell`] |
//! | Markdown text and table cells (`inventory.md`, `*.md.j2` notices) | [`markdown_cell`], [`markdown_code`] |
//! | URLs in links (the templates' `url` filter) | [`link_target`] |
//! | HTML (`*.html.j2`, on top of minijinja's HTML escaping) | [`terminal_text`] |
//! | fixed-width columns of the summary table | [`fit`], [`width`] |
//!
//! JSON outputs: serde_json escapes C0 control characters (`\u001b`) but writes DEL
//! and C1 (`\u{9b}`) raw; [`JsonFormatter`] ([`write_json_pretty`]) escapes those too.
//! Parquet is a machine format and stays raw (README, "Security").

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_width::UnicodeWidthChar as _;

/// True for characters that must never reach an output raw: C0 controls, DEL, C1
/// controls, and the bidirectional embedding, override and isolate controls (which
/// reorder what a terminal or an editor shows, "Trojan Source"). Tab and newline are
/// decided by the caller.
fn is_control(c: char) -> bool {
    matches!(c, '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Writes the visible escape of a control character: `\n`, `\r`, `\x1b`, `\u{9b}`.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

fn visible_controls(s: &str, keep_newline: bool) -> Cow<'_, str> {
    let bad = |c: char| is_control(c) && c != '\t' && !(keep_newline && c == '\n');
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of text for a terminal (or any plain-text output): every control character
/// except tab — newline and carriage return included — becomes a visible escape (`\x1b`,
/// `\n`, `\u{9b}`), so data cannot move the cursor, recolour or clear the screen, set the
/// window title, hide text behind `\r`, or start a new row of a table. Use it for every
/// data-derived string printed on stdout or stderr (asset names, fields, error and
/// violation messages).
pub fn terminal(s: &str) -> Cow<'_, str> {
    visible_controls(s, false)
}

/// Like [`terminal`], but keeps newlines: for multi-line text whose line breaks are
/// part of the output's structure (a message block, a safe template fragment). Carriage
/// returns are still escaped (they could overwrite a line on a terminal).
pub fn terminal_text(s: &str) -> Cow<'_, str> {
    visible_controls(s, true)
}

/// A text cell of a CSV file piimap writes. Control characters become visible escapes
/// as in [`terminal`] (a newline from the data never splits a row, even quoted), and a
/// cell that starts with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'`,
/// as OWASP recommends against CSV (formula) injection: spreadsheets would otherwise
/// evaluate `=HYPERLINK(…)` or `@SUM(…)` from a column name. The CSV writer still quotes
/// commas and quotes.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    let s = terminal(s);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        s
    }
}

/// Text for a Markdown document, safe both inline and inside a table cell:
///
/// * `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;` (Markdown passes HTML through,
///   so `<script>` from a column name would run in a renderer that allows raw HTML);
/// * `\`, `|`, `[` and `]` are backslash-escaped, so data can neither end a table cell
///   nor forge a link (`[click](javascript:…)`), and an escape from the data cannot undo
///   ours;
/// * newlines and carriage returns become a space (they would end the table row, or
///   start a heading or a list item);
/// * other control characters become visible escapes as in [`terminal`] (`\x1b` renders
///   as itself: `x` is not Markdown punctuation).
///
/// Emphasis characters (`*`, `_`, `` ` ``) are left alone: they cannot forge a link or
/// break a table, and escaping them would make ordinary names like `first_name` ugly.
pub fn markdown_cell(s: &str) -> Cow<'_, str> {
    let special = |c: char| matches!(c, '&' | '<' | '>' | '\\' | '|' | '[' | ']') || is_control(c);
    if !s.chars().any(special) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '|' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => out.push(' '),
            '\t' => out.push('\t'),
            c if is_control(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A name shown as Markdown code (`` `email` ``) when that is safe, else as escaped
/// text ([`markdown_cell`]). Inside a code span neither entities nor backslash escapes
/// work, so only names free of backticks, markup, table and control characters keep the
/// code style; a hostile name is shown escaped, without it.
pub fn markdown_code(s: &str) -> String {
    let plain = !s.is_empty()
        && !s
            .chars()
            .any(|c| matches!(c, '`' | '&' | '<' | '>' | '\\' | '|' | '[' | ']') || is_control(c));
    if plain {
        format!("`{s}`")
    } else {
        markdown_cell(s).into_owned()
    }
}

/// A URL about to become a link target (`href="…"`, Markdown `(…)`): whitespace,
/// control characters, quotes, angle brackets, backticks and parentheses are
/// percent-encoded, so the URL cannot end the Markdown link early, leave the attribute,
/// or smuggle a second link. The caller has already checked the scheme.
pub fn link_target(s: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        c.is_whitespace() || is_control(c) || matches!(c, '"' | '\'' | '<' | '>' | '`' | '(' | ')')
    };
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut buf = [0u8; 4];
    for c in s.chars() {
        if bad(c) {
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The display width of `s` in terminal columns (wide CJK characters count 2, combining
/// marks 0). Control characters count 0; escape them with [`terminal`] first.
pub fn width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `s` fitted to `cols` terminal columns for a fixed-width table: control characters
/// escaped ([`terminal`]), then, when too wide, shortened in the middle with `…` so the
/// front (scheme and host, or the first directories) and the end (table or file name)
/// both stay visible, then padded with spaces to exactly `cols` columns. Cuts fall on
/// `/` when possible; the front keeps at least the scheme and host of a URL when there
/// is room. Widths are display columns, not bytes or chars.
pub fn fit(s: &str, cols: usize) -> String {
    let s = terminal(s);
    let w = width(&s);
    let mut out = if w <= cols {
        s.into_owned()
    } else {
        shorten_middle(&s, cols)
    };
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    out
}

/// Shortens `s` (wider than `cols`) to at most `cols` columns with one `…` in the middle.
///
/// The end keeps the last path segment (`/public.customers`, `/file.csv`) and, in whole
/// segments, up to a third of the spare room; the front keeps the scheme and host of a URL
/// (or whole leading directories) and fills what is left. When no segment fits, the cut
/// is by character: a third in front, the rest at the end.
fn shorten_middle(s: &str, cols: usize) -> String {
    if cols == 0 {
        return String::new();
    }
    let budget = cols - 1; // the ellipsis
    let chars: Vec<char> = s.chars().collect();
    let cw = |c: &char| c.width().unwrap_or(0);
    let w = |r: &[char]| r.iter().map(cw).sum::<usize>();
    let n = chars.len();
    // The longest prefix of `chars[..limit]` that fits in `max` columns.
    let prefix = |max: usize, limit: usize| {
        let mut used = 0;
        let mut end = 0;
        while end < limit && used + cw(&chars[end]) <= max {
            used += cw(&chars[end]);
            end += 1;
        }
        end
    };
    // Path separators: every `/` except the two of `scheme://`.
    let scheme = s.find("://").map(|i| s[..i].chars().count() + 1);
    let slashes: Vec<usize> = (0..n)
        .filter(|&i| chars[i] == '/' && scheme.is_none_or(|k| i != k && i != k + 1))
        .collect();
    // The last segment with its slash (a trailing slash belongs to the segment before).
    let last = slashes.iter().rev().copied().find(|&i| i + 1 < n);
    if let Some(es) = last.filter(|&es| w(&chars[es..]) <= budget) {
        // The front's minimum: `scheme://host/` of a URL, when it fits beside the end.
        let mut front_min = scheme
            .map(|k| {
                slashes
                    .iter()
                    .copied()
                    .find(|&j| j > k + 1)
                    .map_or(n, |j| j + 1)
            })
            .unwrap_or(0);
        if front_min > es || w(&chars[..front_min]) + w(&chars[es..]) > budget {
            front_min = 0;
        }
        let spare = budget - w(&chars[..front_min]) - w(&chars[es..]);
        let end_cap = w(&chars[es..]) + spare / 3;
        // Extend the end leftwards by whole segments.
        let mut p = es;
        for &q in slashes.iter().rev().filter(|&&q| q < es) {
            if q >= front_min && w(&chars[q..]) <= end_cap {
                p = q;
            } else {
                break;
            }
        }
        let front_room = budget - w(&chars[p..]);
        // Extend the front rightwards by whole segments.
        let mut fe = front_min;
        for &q in &slashes {
            if q < p && w(&chars[..q + 1]) <= front_room {
                fe = fe.max(q + 1);
            }
        }
        // A front that uses less than half its room is filled by character.
        if w(&chars[..fe]) * 2 < front_room {
            fe = fe.max(prefix(front_room, p));
        }
        let front: String = chars[..fe].iter().collect();
        let tail: String = chars[p..].iter().collect();
        return format!("{front}…{tail}");
    }
    let fe = prefix(budget / 3, n);
    let mut start = n;
    let mut used = w(&chars[..fe]);
    while start > fe && used + cw(&chars[start - 1]) <= budget {
        used += cw(&chars[start - 1]);
        start -= 1;
    }
    let front: String = chars[..fe].iter().collect();
    let tail: String = chars[start..].iter().collect();
    format!("{front}…{tail}")
}

/// A serde_json formatter that also escapes what serde_json leaves raw: DEL, the C1
/// controls (U+0080–U+009F; `\u{9b}` is CSI to some terminals) and the bidirectional
/// controls, as `\u009b`. serde_json itself escapes only C0 (`\u001b`), quotes and
/// backslashes. The JSON means the same; it is only safe to `cat` as well. Wrap
/// [`serde_json::ser::PrettyFormatter`] or [`serde_json::ser::CompactFormatter`];
/// [`to_json_pretty`] and [`write_json_pretty`] do it for the common case.
#[derive(Clone, Debug, Default)]
pub struct JsonFormatter<F>(pub F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for JsonFormatter<F> {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some((i, c)) = rest.char_indices().find(|&(_, c)| is_control(c)) {
            self.0.write_string_fragment(w, &rest[..i])?;
            write!(w, "\\u{:04x}", c as u32)?;
            rest = &rest[i + c.len_utf8()..];
        }
        self.0.write_string_fragment(w, rest)
    }
}

/// `value` as pretty JSON (two-space indent, as `serde_json::to_string_pretty`) with
/// [`JsonFormatter`]'s escaping.
pub fn to_json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut buf = Vec::new();
    write_json_pretty(&mut buf, value)?;
    Ok(String::from_utf8(buf).expect("serde_json writes UTF-8"))
}

/// Writes `value` as pretty JSON with [`JsonFormatter`]'s escaping (the drop-in for
/// `serde_json::to_writer_pretty`).
pub fn write_json_pretty<W: std::io::Write, T: serde::Serialize + ?Sized>(
    w: W,
    value: &T,
) -> serde_json::Result<()> {
    let f = JsonFormatter(serde_json::ser::PrettyFormatter::new());
    value.serialize(&mut serde_json::Serializer::with_formatter(w, f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_makes_controls_visible() {
        assert_eq!(terminal("plain/ascii ünïcode"), "plain/ascii ünïcode");
        assert!(matches!(terminal("ok\ttab"), Cow::Borrowed(_)));
        assert_eq!(terminal("a\x1b[31mred\x1b[0m"), "a\\x1b[31mred\\x1b[0m");
        assert_eq!(terminal("l1\nl2\r\0\x7f"), "l1\\nl2\\r\\x00\\x7f");
        assert_eq!(terminal("c1 \u{9b}31m \u{85}"), "c1 \\u{9b}31m \\u{85}");
        assert_eq!(terminal("abc\u{202e}fdp.exe"), "abc\\u{202e}fdp.exe");
        assert_eq!(terminal_text("l1\nl2\r\x1b"), "l1\nl2\\r\\x1b");
        // No raw control survives.
        let all: String = (0u32..0xa0).filter_map(char::from_u32).collect();
        assert!(!terminal(&all).chars().any(|c| is_control(c) && c != '\t'));
    }

    #[test]
    fn csv_cells_cannot_start_a_formula() {
        for (input, want) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+cmd", "'+cmd"),
            ("-2+3", "'-2+3"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\tx", "'\tx"),
            ("email", "email"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(input), want, "{input:?}");
        }
        // A carriage return is escaped, so it cannot start the cell either.
        assert_eq!(csv_cell("\r=1"), "\\r=1");
        assert_eq!(csv_cell("a\nb\x1b"), "a\\nb\\x1b");
    }

    #[test]
    fn markdown_cells_cannot_break_tables_or_inject_markup() {
        assert!(matches!(
            markdown_cell("Email addresses; first_name (*x*)"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            markdown_cell("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(markdown_cell("a|b"), "a\\|b");
        assert_eq!(markdown_cell("a\\|b"), "a\\\\\\|b");
        assert_eq!(markdown_cell("x\r\ny\nz"), "x y z");
        assert_eq!(
            markdown_cell("[click](javascript:alert(1))"),
            "\\[click\\](javascript:alert(1))"
        );
        assert_eq!(markdown_cell("Tom & Jerry"), "Tom &amp; Jerry");
        assert_eq!(markdown_cell("\x1b[31m"), "\\x1b\\[31m");
        assert_eq!(markdown_code("email"), "`email`");
        assert_eq!(markdown_code("a`b"), "a`b");
        assert_eq!(markdown_code("<b>"), "&lt;b&gt;");
        assert_eq!(markdown_code("a\nb"), "a b");
    }

    #[test]
    fn link_targets_stay_one_link() {
        assert_eq!(
            link_target("https://example.com/a?b=1&c=2"),
            "https://example.com/a?b=1&c=2"
        );
        assert_eq!(
            link_target("https://x/) [y](javascript:z)"),
            "https://x/%29%20[y]%28javascript:z%29"
        );
        assert_eq!(link_target("https://x/\"><\x1b"), "https://x/%22%3E%3C%1B");
    }

    #[test]
    fn fit_pads_and_shortens_in_the_middle() {
        assert_eq!(fit("short", 8), "short   ");
        assert_eq!(fit("a\x1bb", 6), "a\\x1bb");
        let a = fit("postgres://127.0.0.1:5433/northwind/public.customers", 44);
        assert_eq!(width(&a), 44);
        assert!(a.starts_with("postgres://127.0.0.1:5433/"), "{a}");
        assert!(a.trim_end().ends_with("/public.customers"), "{a}");
        assert!(a.contains('…'));
        let f = fit("/very/long/path/with/many/levels/of/dirs/dir/file.csv", 30);
        assert_eq!(width(&f), 30);
        assert!(f.starts_with("/very/"), "{f}");
        assert!(f.trim_end().ends_with("/dir/file.csv"), "{f}");
        // Wide characters count two columns.
        let cjk = fit("/データ/とても長いディレクトリの名前/顧客情報.csv", 20);
        assert_eq!(width(&cjk), 20, "{cjk}");
        assert!(cjk.trim_end().ends_with(".csv"), "{cjk}");
        // A name that cannot keep a whole separator segment is still cut in the middle.
        let one = fit(&"x".repeat(100), 10);
        assert_eq!(one, "xxx…xxxxxx");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn json_escapes_c1_and_del_too() {
        let v = serde_json::json!({"k\u{9b}": ["a\x1b\u{7f}\u{85}\u{202e}b", 1, {"x": null}]});
        let plain = serde_json::to_string_pretty(&v).unwrap();
        assert!(plain.contains('\u{9b}'), "serde_json leaves C1 raw");
        let safe = to_json_pretty(&v).unwrap();
        assert!(!safe.chars().any(|c| is_control(c) && c != '\n'), "{safe}");
        assert!(safe.contains(r#""k\u009b""#) && safe.contains(r#""a\u001b\u007f\u0085\u202eb""#));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, v);
        assert_eq!(safe.lines().count(), plain.lines().count());
    }

    /// The summary table's clip before issue 12: the tail, cut at the front.
    fn old_clip(s: &str, n: usize) -> String {
        let tail: Vec<char> = s.chars().rev().take(n - 1).collect();
        format!("…{}", tail.into_iter().rev().collect::<String>())
    }

    #[test]
    fn two_assets_that_used_to_look_alike_stay_distinct() {
        let a = "postgres://db-eu-1.internal.example.com:5432/shop/public.customers";
        let b = "postgres://db-us-1.internal.example.com:5432/shop/public.customers";
        assert_eq!(old_clip(a, 44), old_clip(b, 44), "the defect");
        let (fa, fb) = (fit(a, 44), fit(b, 44));
        assert_ne!(fa, fb);
        assert_eq!(width(&fa), 44);
        assert!(fa.starts_with("postgres://db-eu-1."), "{fa}");
        assert!(fb.starts_with("postgres://db-us-1."), "{fb}");
        assert!(fa.ends_with("/shop/public.customers"), "{fa}");
        // Same port, database and table, different hosts: the host stays.
        let c = "postgres://10.0.0.1:5432/northwind_production/public.customers";
        let d = "postgres://10.0.0.2:5432/northwind_production/public.customers";
        assert_eq!(old_clip(c, 44), old_clip(d, 44), "the defect");
        assert_eq!(
            fit(c, 44).trim_end(),
            "postgres://10.0.0.1:5432/…/public.customers"
        );
        assert_ne!(fit(c, 44), fit(d, 44));
        // Same file name in two long directories.
        let e = "/srv/exports/eu/very/long/nested/directory/tree/customers.csv";
        let f = "/srv/exports/us/very/long/nested/directory/tree/customers.csv";
        assert_eq!(old_clip(e, 44), old_clip(f, 44), "the defect");
        let (fe, ff) = (fit(e, 44), fit(f, 44));
        assert_ne!(fe, ff);
        assert!(fe.starts_with("/srv/exports/eu/"), "{fe}");
        assert!(fe.trim_end().ends_with("/tree/customers.csv"), "{fe}");
    }
}
