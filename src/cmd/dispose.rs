//! `piimap dispose`: records a reviewed finding in the manifest's `[[dispositions]]`.
//!
//! The manifest is edited with `toml_edit`, so its comments, order and layout stay as
//! the privacy team wrote them; the new text is validated as a manifest before it
//! replaces the old one (atomically), and the entry must match at least one finding of
//! the inventory, so a typo in a glob is an error instead of a disposition that never
//! applies.

use piimap::exit::ExitCode;
use piimap::inventory::datamap::disposition_for;
use piimap::inventory::{write_atomic, Inventory};
use piimap::manifest::Manifest;

use super::{load_manifest, load_rules, Knowledge, UsageError};
use crate::cli::{Cli, DisposeArgs};

pub fn run(cli: &Cli, args: &DisposeArgs) -> anyhow::Result<ExitCode> {
    let usage = |m: String| -> anyhow::Error { UsageError(m).into() };
    if args.reason.trim().is_empty() {
        return Err(usage(
            "--reason must say why (a reviewer reads it next year)".into(),
        ));
    }
    if args.reviewer.trim().is_empty() {
        return Err(usage(
            "--reviewer must name who reviewed the finding".into(),
        ));
    }
    let today = piimap::notice::today();
    if let Some(e) = &args.expires {
        if !piimap::validate::iso_date_ok(e) {
            return Err(usage(format!(
                "--expires {e:?} is not a date written YYYY-MM-DD"
            )));
        }
        if e.as_str() < today.as_str() {
            return Err(usage(format!(
                "--expires {e} is already past (today is {today})"
            )));
        }
    }
    let engine = load_rules(cli)?;
    if let Some(t) = &args.data_type {
        if engine.taxonomy().get(t).is_none() {
            return Err(usage(format!(
                "--type {t}: no such data type (see `piimap rules list`)"
            )));
        }
    }
    // The manifest must be valid before and after the edit.
    load_manifest(&engine, &args.config)?;
    let inventory = Inventory::load(&args.inventory).map_err(UsageError)?;
    let text = std::fs::read_to_string(&args.config)
        .map_err(|e| usage(format!("{}: {e}", args.config.display())))?;
    let new_text = append_disposition(&text, args)
        .map_err(|e| usage(format!("{}: {e}", args.config.display())))?;
    let knowledge = Knowledge::load()?;
    let edited = Manifest::parse(
        &args.config.display().to_string(),
        &new_text,
        engine.taxonomy(),
        &knowledge.vocab,
        engine.catalog(),
    )
    .map_err(|e| usage(e.to_string()))?;
    let entry = edited
        .dispositions
        .last()
        .cloned()
        .ok_or_else(|| usage("the new disposition did not parse".into()))?;
    let matched = matching_findings(&inventory, entry, &today);
    if matched == 0 {
        return Err(usage(format!(
            "no finding in {} matches --asset {}{}{}: check the asset id (as in the inventory, e.g. `file:…`, or its path), --field and --type",
            args.inventory.display(),
            args.asset,
            args.field
                .as_deref()
                .map(|f| format!(" --field {f}"))
                .unwrap_or_default(),
            args.data_type
                .as_deref()
                .map(|t| format!(" --type {t}"))
                .unwrap_or_default(),
        )));
    }
    write_atomic(&args.config, |w| w.write_all(new_text.as_bytes()))?;
    if !cli.quiet {
        println!(
            "recorded in {}: {} for {matched} finding(s); the next scan, check or notice applies it",
            args.config.display(),
            status(args)
        );
    }
    Ok(ExitCode::Success)
}

fn status(args: &DisposeArgs) -> &'static str {
    if args.accepted {
        "accepted"
    } else {
        "false_positive"
    }
}

/// How many (asset, field, data type) findings of the inventory the disposition covers
/// (by the same rule the data map applies).
fn matching_findings(
    inventory: &Inventory,
    entry: piimap::manifest::Disposition,
    today: &str,
) -> usize {
    let only = Manifest {
        dispositions: vec![entry],
        ..Manifest::default()
    };
    inventory
        .assets
        .iter()
        .flat_map(|a| {
            a.fields
                .iter()
                .flat_map(move |f| f.types.iter().map(move |t| (a, f.field.as_deref(), t)))
        })
        .filter(|(a, field, t)| disposition_for(&only, a, *field, &t.data_type, today).is_some())
        .count()
}

/// The manifest text with one more `[[dispositions]]` entry, comments and layout kept.
fn append_disposition(text: &str, args: &DisposeArgs) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let mut entry = toml_edit::Table::new();
    entry.insert("asset", toml_edit::value(args.asset.as_str()));
    if let Some(f) = &args.field {
        entry.insert("field", toml_edit::value(f.as_str()));
    }
    if let Some(t) = &args.data_type {
        entry.insert("data_type", toml_edit::value(t.as_str()));
    }
    entry.insert("status", toml_edit::value(status(args)));
    entry.insert("reason", toml_edit::value(args.reason.trim()));
    entry.insert("reviewer", toml_edit::value(args.reviewer.trim()));
    if let Some(e) = &args.expires {
        entry.insert("expires", toml_edit::value(e.as_str()));
    }
    match doc.get_mut("dispositions") {
        None => {
            let mut list = toml_edit::ArrayOfTables::new();
            list.push(entry);
            doc.insert("dispositions", toml_edit::Item::ArrayOfTables(list));
        }
        Some(toml_edit::Item::ArrayOfTables(list)) => list.push(entry),
        Some(toml_edit::Item::Value(toml_edit::Value::Array(list))) => {
            list.push(entry.into_inline_table());
        }
        Some(_) => return Err("`dispositions` is not a list of tables".into()),
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(extra: &[&str]) -> DisposeArgs {
        let mut argv = vec![
            "piimap",
            "dispose",
            "--inventory",
            "inv.json",
            "--asset",
            "file:**/orders.csv",
            "--reason",
            "SKU codes",
            "--reviewer",
            "ana",
        ];
        argv.extend_from_slice(extra);
        match crate::cli::Cli::parse_from(argv).command {
            crate::cli::Command::Dispose(a) => a,
            _ => unreachable!("parsed as dispose"),
        }
    }

    #[test]
    fn appending_keeps_comments_and_layout() {
        let text = "# Our manifest\n[organisation]\nname = \"Acme\" # the legal name\n\n[[dispositions]]\nasset = \"a\"\nstatus = \"accepted\"\nreason = \"r\"\nreviewer = \"x\"\n";
        let out = append_disposition(
            text,
            &args(&["--false-positive", "--field", "sku", "--type", "ssn"]),
        )
        .unwrap();
        assert!(out.starts_with(text), "{out}");
        assert!(out.contains("[[dispositions]]\nasset = \"file:**/orders.csv\"\nfield = \"sku\"\ndata_type = \"ssn\"\nstatus = \"false_positive\""), "{out}");
        assert_eq!(out.matches("[[dispositions]]").count(), 2);
    }

    #[test]
    fn a_manifest_without_dispositions_gets_its_first() {
        let out = append_disposition("[organisation]\nname = \"Acme\"\n", &args(&["--accepted"]))
            .unwrap();
        assert!(out.contains("[[dispositions]]"), "{out}");
        assert!(out.contains("status = \"accepted\""), "{out}");
    }
}
