//! The template environment: built-in templates (`rules/templates/*.j2`, embedded)
//! overridden by file name from `--templates DIR`, the filters they use, and the
//! escaping every printed value gets for the template's format.

use std::path::Path;

use anyhow::Context as _;
use minijinja::value::ValueKind;
use minijinja::{
    AutoEscape, Environment, Error, ErrorKind, HtmlEscape, Output, State, UndefinedBehavior, Value,
};

use crate::output::escape;

fn seq(value: &Value) -> Result<Vec<Value>, Error> {
    if value.is_undefined() || value.is_none() {
        return Ok(Vec::new());
    }
    Ok(value.try_iter()?.collect())
}

fn text_of(v: &Value) -> String {
    match v.get_attr("label") {
        Ok(l) if !l.is_undefined() && !l.is_none() => l.to_string(),
        _ => v.to_string(),
    }
}

/// `items|labels` → "a, b, c" (the `label` of each item, or the item itself).
fn labels_filter(value: Value, sep: Option<String>) -> Result<String, Error> {
    let sep = sep.unwrap_or_else(|| ", ".into());
    Ok(seq(&value)?
        .iter()
        .map(text_of)
        .collect::<Vec<_>>()
        .join(&sep))
}

/// `items|sentence` → "a, b and c".
fn sentence_filter(value: Value, conj: Option<String>) -> Result<String, Error> {
    let conj = conj.unwrap_or_else(|| "and".into());
    let items: Vec<String> = seq(&value)?.iter().map(text_of).collect();
    Ok(match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} {conj} {}", items[..n - 1].join(", "), items[n - 1]),
    })
}

/// `text|cell`: safe inside a Markdown table cell. In a Markdown template (`*.md.j2`)
/// the environment's formatter already escapes every printed value for a table cell
/// ([`escape::markdown_cell`]), so there the filter leaves the text alone (escaping it
/// twice would show `&amp;amp;`); elsewhere (a `--templates` override with another
/// extension) it escapes pipes and backslashes, joins lines and makes control characters
/// visible.
fn cell_filter(state: &State, value: Value) -> String {
    let s = value.to_string();
    if state.auto_escape() == AutoEscape::Custom(MARKDOWN) {
        return s;
    }
    let s = s
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ");
    escape::terminal(&s).into_owned()
}

/// `url|url`: the URL when it is `http(s):`, `mailto:` or `tel:`, else "" (never a
/// `javascript:` link from a manifest), with the characters that could end a link or an
/// attribute percent-encoded ([`escape::link_target`]).
fn url_filter(value: Value) -> String {
    let s = value.to_string();
    let lower = s.trim().to_ascii_lowercase();
    if ["https://", "http://", "mailto:", "tel:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        escape::link_target(s.trim()).into_owned()
    } else {
        String::new()
    }
}

/// The auto-escape mode of Markdown templates, handled by [`formatter`].
const MARKDOWN: &str = "markdown";

/// Which escaping a template gets, by name: `*.md.j2` (and `*.md`) Markdown, `*.html.j2`
/// HTML (minijinja's default rules for everything else).
fn auto_escape_for(name: &str) -> AutoEscape {
    let base = name.strip_suffix(".j2").unwrap_or(name);
    if base.ends_with(".md") {
        AutoEscape::Custom(MARKDOWN)
    } else {
        minijinja::default_auto_escape_callback(name)
    }
}

/// Prints a value into a template. Every printed value is escaped for the template's
/// format, so a template author cannot forget it:
///
/// * Markdown templates: [`escape::markdown_cell`] (HTML, links, table breaks, control
///   characters), safe inside a table cell and anywhere inline;
/// * HTML templates: control characters made visible ([`escape::terminal`]; HTML
///   escaping alone leaves an ESC byte in place), then HTML-escaped;
/// * anything else: control characters made visible.
///
/// A value marked safe (`|safe`, a macro's or a `{% set %}` block's output, already
/// escaped when it was rendered) is printed as it is, except that control characters
/// are still made visible (its own newlines are kept).
fn formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), Error> {
    let mode = state.auto_escape();
    // A number or a boolean has nothing to escape, in any format (minijinja's own
    // formatter refuses them in the custom Markdown mode).
    if matches!(value.kind(), ValueKind::Number | ValueKind::Bool) {
        return write!(out, "{value}").map_err(Error::from);
    }
    if matches!(
        value.kind(),
        ValueKind::Undefined | ValueKind::None | ValueKind::Bool | ValueKind::Number
    ) || !matches!(
        mode,
        AutoEscape::None | AutoEscape::Html | AutoEscape::Custom(MARKDOWN)
    ) {
        // Nothing to escape in these, or a mode (JSON) minijinja handles itself.
        return minijinja::escape_formatter(out, state, value);
    }
    let text = value.to_string();
    let written = if value.is_safe() {
        out.write_str(&escape::terminal_text(&text))
    } else {
        match mode {
            AutoEscape::Custom(MARKDOWN) => out.write_str(&escape::markdown_cell(&text)),
            AutoEscape::Html => write!(out, "{}", HtmlEscape(&escape::terminal(&text))),
            _ => out.write_str(&escape::terminal_text(&text)),
        }
    };
    written.map_err(Error::from)
}

/// The template environment: built-in templates, overridden by file name from `dir`.
/// Every printed value is escaped for the template's format, so a template cannot
/// forget it: [`escape::markdown_cell`] for `*.md.j2`, HTML escaping plus visible control
/// characters ([`escape::terminal`]) for `*.html.j2`.
pub fn environment(dir: Option<&Path>) -> Environment<'static> {
    let mut env = Environment::new();
    let dir = dir.map(Path::to_path_buf);
    env.set_loader(move |name| {
        if name.contains("..") || name.starts_with('/') {
            return Ok(None);
        }
        if let Some(d) = &dir {
            let p = d.join(name);
            if p.is_file() {
                return std::fs::read_to_string(&p).map(Some).map_err(|e| {
                    Error::new(
                        ErrorKind::InvalidOperation,
                        format!("cannot read template {}: {e}", p.display()),
                    )
                });
            }
        }
        Ok(crate::rules::embedded_text(&format!("templates/{name}"))
            .ok()
            .map(str::to_string))
    });
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_auto_escape_callback(auto_escape_for);
    env.set_formatter(formatter);
    env.add_filter("labels", labels_filter);
    env.add_filter("sentence", sentence_filter);
    env.add_filter("cell", cell_filter);
    env.add_filter("url", url_filter);
    env
}

pub(super) fn render(env: &Environment<'_>, name: &str, model: &Value) -> anyhow::Result<String> {
    let t = env
        .get_template(name)
        .with_context(|| format!("loading template {name}"))?;
    t.render(model)
        .map_err(|e| anyhow::anyhow!("rendering template {name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_named(name: &str, src: &str, ctx: serde_json::Value) -> String {
        let mut env = environment(None);
        env.add_template_owned(name.to_string(), src.to_string())
            .unwrap();
        env.get_template(name)
            .unwrap()
            .render(Value::from_serialize(&ctx))
            .unwrap()
    }

    fn render_str(src: &str, ctx: serde_json::Value) -> String {
        render_named("t.html", src, ctx)
    }

    #[test]
    fn filters_and_escaping() {
        let ctx = serde_json::json!({
            "xs": [{"key": "a", "label": "A <b>"}, {"key": "b", "label": "B"}, {"key": "c", "label": "C"}],
            "u": "javascript:alert(1)",
            "ok": "https://example.com/?a=1&b=2",
        });
        assert_eq!(
            render_str("{{ xs|labels('; ') }}|{{ xs|sentence }}|{{ u|url }}|{{ ok|url }}", ctx),
            "A &lt;b&gt;; B; C|A &lt;b&gt;, B and C||https:&#x2f;&#x2f;example.com&#x2f;?a=1&amp;b=2"
        );
    }

    fn hostile() -> serde_json::Value {
        serde_json::json!({
            "x": "<script>alert(1)</script> a|b\nc [l](javascript:x) \x1b[31m & \u{9b}",
            "xs": [{"label": "<b>|"}, {"label": "\x1b]0;t\x07"}],
            "u": "https://ok.example/) [y](javascript:z)",
        })
    }

    #[test]
    fn markdown_templates_escape_every_value() {
        let md = render_named(
            "t.md.j2",
            "{{ x }}\n| {{ x|cell }} | {{ xs|labels }} | {{ ('Yes: ' ~ x)|cell }} |\n[link]({{ u|url }})\n{% macro m(v) %}<i>{{ v }}</i>{% endmacro %}{{ m(x) }}\n{{ '\x1b'|safe }}\n",
            hostile(),
        );
        let x = "&lt;script&gt;alert(1)&lt;/script&gt; a\\|b c \\[l\\](javascript:x) \\x1b\\[31m &amp; \\u{9b}";
        assert_eq!(
            md,
            format!(
                "{x}\n| {x} | &lt;b&gt;\\|, \\x1b\\]0;t\\x07 | Yes: {x} |\n[link](https://ok.example/%29%20\\[y\\]%28javascript:z%29)\n<i>{x}</i>\n\\x1b\n"
            )
        );
        // Only the template's own text is markup; no control character survives.
        assert!(!md.contains(['\x1b', '\u{9b}', '\x07']));
        // The `cell` filter outside Markdown and HTML templates.
        let txt = render_named("t.txt", "{{ x|cell }}", hostile());
        assert_eq!(
            txt,
            "<script>alert(1)</script> a\\|b c [l](javascript:x) \\x1b[31m & \\u{9b}"
        );
    }

    #[test]
    fn html_templates_escape_html_and_control_characters() {
        let html = render_str(
            "<p title=\"{{ x }}\">{{ x }}</p>{% macro m(v) %}<i>{{ v }}</i>{% endmacro %}{{ m(x) }}<a href=\"{{ u|url }}\">",
            hostile(),
        );
        assert!(!html.contains("<script>") && !html.contains(['\x1b', '\u{9b}']));
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("\\x1b[31m") && html.contains("\\u{9b}"),
            "{html}"
        );
        assert!(html.contains("<i>&lt;script&gt;"), "{html}");
        assert!(
            html.contains("href=\"https:&#x2f;&#x2f;ok.example&#x2f;%29%20[y]%28javascript:z%29\""),
            "{html}"
        );
    }
}
