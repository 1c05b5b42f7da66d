//! `piimap scan`: text given with `--text` or on stdin.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use piimap::detect::{Engine, Finding};
use piimap::exit::ExitCode;
use serde_json::json;

use super::load_engine;
use crate::cli::{Cli, Format, ScanArgs};

pub fn run(cli: &Cli, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let engine = load_engine(cli)?;
    let inputs: Vec<(String, Vec<u8>)> = if args.text.is_empty() {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf)?;
        vec![("<stdin>".to_string(), buf)]
    } else {
        args.text
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("<text {}>", i + 1), t.as_bytes().to_vec()))
            .collect()
    };
    let mut rows = Vec::new();
    let mut scanner = engine.scanner();
    for (asset, bytes) in &inputs {
        let mut found: Vec<Finding> = Vec::new();
        scanner.scan_text(bytes, &mut found);
        found.sort_by_key(|f| f.start);
        let mut line = 1usize;
        let mut counted_to = 0usize;
        for f in &found {
            line += memchr::memchr_iter(b'\n', &bytes[counted_to..f.start]).count();
            counted_to = f.start;
            rows.push(row(&engine, asset, line, f));
        }
    }
    print(&rows, args.format)?;
    Ok(ExitCode::Success)
}

fn row(engine: &Engine, asset: &str, line: usize, f: &Finding) -> serde_json::Value {
    let d = engine.detector(f.detector);
    json!({
        "asset": asset,
        "field": null,
        "line": line,
        "data_type": d.spec.data_type,
        "rule": d.spec.id,
        "confidence": (f.confidence * 100.0).round() / 100.0,
        "masked": f.masked,
    })
}

fn print(rows: &[serde_json::Value], format: Format) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        *by_type
            .entry(r["data_type"].as_str().unwrap_or_default())
            .or_default() += 1;
    }
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &json!({ "findings": rows, "summary": by_type }),
            )?;
            writeln!(out)?;
        }
        Format::Table => {
            writeln!(
                out,
                "{:<10} {:>6}  {:<20} {:<26} {:>5}  VALUE (masked)",
                "ASSET", "LINE", "DATA TYPE", "RULE", "CONF"
            )?;
            for r in rows {
                writeln!(
                    out,
                    "{:<10} {:>6}  {:<20} {:<26} {:>5}  {}",
                    r["asset"].as_str().unwrap_or_default(),
                    r["line"],
                    r["data_type"].as_str().unwrap_or_default(),
                    r["rule"].as_str().unwrap_or_default(),
                    r["confidence"],
                    r["masked"].as_str().unwrap_or_default()
                )?;
            }
            let summary: Vec<String> = by_type.iter().map(|(t, n)| format!("{t}: {n}")).collect();
            writeln!(
                out,
                "\n{} finding(s){}{}",
                rows.len(),
                if summary.is_empty() { "" } else { " — " },
                summary.join(", ")
            )?;
        }
    }
    Ok(())
}
