//! `piimap rules list|test|check`.

use std::io::Write;

use piimap::detect::examples::check_examples;
use piimap::detect::{Engine, Gate};
use piimap::exit::ExitCode;
use serde_json::json;

use super::{load_engine, load_rules, UsageError};
use crate::cli::{Cli, OutputFormat, RulesCommand};

pub fn run(cli: &Cli, cmd: &RulesCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RulesCommand::List { format } => list(cli, &load_rules(cli)?, *format),
        RulesCommand::Test {
            rule,
            format,
            texts,
        } => test(cli, &load_engine(cli)?, rule.as_deref(), *format, texts),
        RulesCommand::Check { dir } => check(cli, dir),
    }
}

fn gate_name(g: Gate) -> &'static str {
    match g {
        Gate::Free => "pattern",
        Gate::Context => "pattern+context",
        Gate::Prefilter => "pattern+prefilter",
        Gate::NameOnly => "column",
    }
}

fn list(cli: &Cli, engine: &Engine, format: OutputFormat) -> anyhow::Result<ExitCode> {
    let mut out = super::stdout(cli);
    match format {
        OutputFormat::Json => {
            let items: Vec<_> = engine
                .detectors()
                .iter()
                .map(|d| {
                    let t = engine.taxonomy().get(&d.spec.data_type);
                    json!({
                        "id": d.spec.id,
                        "data_type": d.spec.data_type,
                        "description": d.spec.description,
                        "kind": gate_name(d.gate),
                        "validator": d.validator.map(|v| v.name()),
                        "confidence": d.spec.confidence,
                        "requires_context": d.spec.requires_context,
                        "patterns": d.spec.patterns.len(),
                        "value_patterns": d.spec.value_patterns.len(),
                        "context": d.spec.context,
                        "column_hints": d.spec.column_hints,
                        "mask": d.mask.name(),
                        "ccpa": t.map(|t| t.ccpa.clone()),
                        "sensitive": t.map(|t| t.sensitive.clone()),
                        "gdpr_special": t.map(|t| t.gdpr_special.clone()),
                        "fideslang": t.map(|t| t.fideslang.clone()),
                        "file": d.file,
                    })
                })
                .collect();
            piimap::output::escape::write_json_pretty(&mut out, &items)?;
            writeln!(out)?;
        }
        OutputFormat::Table => {
            writeln!(
                out,
                "{:<28} {:<20} {:<18} {:<18} {:>5}  DESCRIPTION",
                "ID", "DATA TYPE", "KIND", "VALIDATOR", "CONF"
            )?;
            for d in engine.detectors() {
                writeln!(
                    out,
                    "{:<28} {:<20} {:<18} {:<18} {:>5.2}  {}",
                    super::terminal(&d.spec.id),
                    super::terminal(&d.spec.data_type),
                    gate_name(d.gate),
                    d.validator.map_or("-", |v| v.name()),
                    d.spec.confidence,
                    super::terminal(&d.spec.description)
                )?;
            }
            let types: std::collections::BTreeSet<_> = engine
                .detectors()
                .iter()
                .map(|d| &d.spec.data_type)
                .collect();
            writeln!(
                out,
                "\n{} detectors covering {} data types",
                engine.detectors().len(),
                types.len()
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::Success)
}

fn test(
    cli: &Cli,
    engine: &Engine,
    rule: Option<&str>,
    format: OutputFormat,
    texts: &[String],
) -> anyhow::Result<ExitCode> {
    if let Some(id) = rule {
        if !engine.detectors().iter().any(|d| d.spec.id == id) {
            return Err(
                UsageError(format!("no rule with id `{id}` (see `piimap rules list`)")).into(),
            );
        }
    }
    let mut scanner = engine.scanner();
    let mut results = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let mut found = Vec::new();
        scanner.scan_text(text.as_bytes(), &mut found);
        found.retain(|f| rule.is_none_or(|id| engine.detector(f.detector).spec.id == id));
        let findings: Vec<_> = found
            .iter()
            .map(|f| {
                let d = engine.detector(f.detector);
                json!({
                    "rule": d.spec.id,
                    "data_type": d.spec.data_type,
                    "confidence": piimap::detect::finding::round2(f.confidence),
                    "masked": f.masked(text.as_bytes()),
                    "why": engine.explain(f),
                })
            })
            .collect();
        results.push(json!({ "input": i + 1, "findings": findings }));
    }
    let mut out = super::stdout(cli);
    match format {
        OutputFormat::Json => {
            piimap::output::escape::write_json_pretty(&mut out, &results)?;
            writeln!(out)?;
        }
        OutputFormat::Table => {
            for r in &results {
                // The input itself is not echoed: it may be real personal data.
                let findings = r["findings"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                if findings.is_empty() {
                    writeln!(out, "input {}: no findings", r["input"])?;
                }
                for f in findings {
                    writeln!(
                        out,
                        "input {}: {} ({}) confidence {} value {}\n    why: {}",
                        r["input"],
                        super::terminal(f["data_type"].as_str().unwrap_or_default()),
                        super::terminal(f["rule"].as_str().unwrap_or_default()),
                        f["confidence"],
                        super::terminal(f["masked"].as_str().unwrap_or_default()),
                        super::terminal(f["why"].as_str().unwrap_or_default())
                    )?;
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::Success)
}

/// Prints a rule pack's errors (escaped for the terminal) and their count: exit 2.
fn refused(dir: &std::path::Path, errors: &piimap::rules::RuleErrors) -> ExitCode {
    eprintln!(
        "{}",
        piimap::output::escape::terminal_text(&errors.to_string())
    );
    eprintln!("rule pack {}: {} error(s)", dir.display(), errors.0.len());
    ExitCode::Fatal
}

fn check(cli: &Cli, dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    let user = match piimap::rules::load_dir(dir) {
        Ok(user) => user,
        Err(errors) => return Ok(refused(dir, &errors)),
    };
    let user_ids: Vec<String> = user.iter().map(|d| d.spec.id.clone()).collect();
    // The pack as a scan would use it: its data types and vendors too.
    let built = Engine::with_rules(Some(dir)).and_then(|engine| engine.prepare().map(|()| engine));
    let mut engine = match built {
        Ok(engine) => engine,
        Err(errors) => return Ok(refused(dir, &errors)),
    };
    engine.set_threshold(cli.min_confidence);
    let mut problems = 0;
    for d in engine
        .detectors()
        .iter()
        .filter(|d| user_ids.contains(&d.spec.id))
    {
        let ex = &d.spec.examples;
        if ex.matches.len() < 3 || ex.no_match.len() < 3 {
            eprintln!(
                "{}: rule `{}`: warning: fewer than 3 examples.match / examples.no_match",
                d.file, d.spec.id
            );
        }
    }
    for failure in check_examples(&engine, |d| user_ids.contains(&d.spec.id)) {
        eprintln!(
            "{}",
            piimap::output::escape::terminal_text(&failure.to_string())
        );
        problems += 1;
    }
    if problems > 0 {
        eprintln!("rule pack {}: {problems} example(s) failed", dir.display());
        return Ok(ExitCode::Fatal);
    }
    if !cli.quiet {
        println!("rule pack {}: {} rule(s) OK", dir.display(), user_ids.len());
    }
    Ok(ExitCode::Success)
}
