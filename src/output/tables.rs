//! The inventory as tables (`inventory.csv`, `inventory.parquet`), through polars: one
//! row per asset × field × data type, plus one row per asset that failed or was skipped
//! (so a failure is never read as "no personal information").
//!
//! `inventory.csv` is for spreadsheets, so every text cell goes through
//! [`escape::csv_cell`] (no formula, no raw control character); `inventory.parquet` is a
//! machine format and keeps the values exactly as scanned — a consumer that turns it into
//! a spreadsheet or a terminal display must escape them itself (README, "Security").

use polars::prelude::*;

use super::escape;
use crate::inventory::{Inventory, Status};

/// Builds the inventory table.
pub fn inventory_frame(inv: &Inventory) -> PolarsResult<DataFrame> {
    let mut asset_id = Vec::new();
    let mut asset = Vec::new();
    let mut source = Vec::new();
    let mut format = Vec::new();
    let mut status = Vec::new();
    let mut field: Vec<Option<String>> = Vec::new();
    let mut data_type: Vec<Option<String>> = Vec::new();
    let mut ccpa: Vec<Option<String>> = Vec::new();
    let mut sensitive: Vec<Option<bool>> = Vec::new();
    let mut confidence: Vec<Option<f32>> = Vec::new();
    let mut matched: Vec<Option<u64>> = Vec::new();
    let mut checked: Vec<Option<u64>> = Vec::new();
    let mut rules: Vec<Option<String>> = Vec::new();
    let mut examples: Vec<Option<String>> = Vec::new();
    let mut note: Vec<Option<String>> = Vec::new();
    let tax = crate::taxonomy::Taxonomy::builtin().ok();
    for a in &inv.assets {
        let push_asset = |asset_id: &mut Vec<String>,
                          asset_v: &mut Vec<String>,
                          source_v: &mut Vec<Option<String>>,
                          format_v: &mut Vec<String>,
                          status_v: &mut Vec<String>| {
            asset_id.push(a.id.clone());
            asset_v.push(a.asset.clone());
            source_v.push(a.source.clone());
            format_v.push(a.format.clone());
            status_v.push(format!("{:?}", a.status).to_lowercase());
        };
        let mut rows = 0;
        for f in &a.fields {
            for t in &f.types {
                push_asset(
                    &mut asset_id,
                    &mut asset,
                    &mut source,
                    &mut format,
                    &mut status,
                );
                field.push(f.field.clone());
                data_type.push(Some(t.data_type.clone()));
                let tt = tax.as_ref().and_then(|x| x.get(&t.data_type));
                ccpa.push(tt.map(|x| x.ccpa.join(",")));
                sensitive.push(tt.map(|x| !x.sensitive.is_empty()));
                confidence.push(Some(t.confidence));
                matched.push(Some(t.matched_values));
                checked.push(Some(t.values_checked));
                rules.push(Some(t.rules.join(",")));
                examples.push(Some(t.examples.join(" | ")));
                note.push(None);
                rows += 1;
            }
        }
        if rows == 0 && a.status != Status::Scanned {
            push_asset(
                &mut asset_id,
                &mut asset,
                &mut source,
                &mut format,
                &mut status,
            );
            field.push(None);
            data_type.push(None);
            ccpa.push(None);
            sensitive.push(None);
            confidence.push(None);
            matched.push(None);
            checked.push(None);
            rules.push(None);
            examples.push(None);
            let why = match a.status {
                Status::Skipped | Status::Empty => a.problem(),
                _ => format!("not scanned: {}", a.problem()),
            };
            note.push(Some(why));
        }
    }
    let source: Vec<Option<String>> = source;
    DataFrame::new(vec![
        Column::new("asset_id".into(), asset_id),
        Column::new("asset".into(), asset),
        Column::new("source".into(), source),
        Column::new("format".into(), format),
        Column::new("status".into(), status),
        Column::new("field".into(), field),
        Column::new("data_type".into(), data_type),
        Column::new("ccpa_categories".into(), ccpa),
        Column::new("sensitive".into(), sensitive),
        Column::new("confidence".into(), confidence),
        Column::new("matched_values".into(), matched),
        Column::new("values_checked".into(), checked),
        Column::new("rules".into(), rules),
        Column::new("examples_masked".into(), examples),
        Column::new("note".into(), note),
    ])
}

/// Writes `inventory.csv`: the table with every text cell neutralised by
/// [`escape::csv_cell`] (`df` itself is left raw, for `inventory.parquet`).
pub fn write_csv(df: &mut DataFrame, w: &mut dyn std::io::Write) -> PolarsResult<()> {
    let mut safe = csv_safe(df)?;
    CsvWriter::new(w).include_header(true).finish(&mut safe)
}

/// A copy of `df` whose text columns are passed through [`escape::csv_cell`].
fn csv_safe(df: &DataFrame) -> PolarsResult<DataFrame> {
    let columns = df
        .get_columns()
        .iter()
        .map(|c| -> PolarsResult<Column> {
            if c.dtype() != &DataType::String {
                return Ok(c.clone());
            }
            let escaped: StringChunked = c
                .str()?
                .into_iter()
                .map(|v| v.map(|s| escape::csv_cell(s).into_owned()))
                .collect();
            Ok(escaped.with_name(c.name().clone()).into_column())
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(columns)
}

/// Writes `inventory.parquet`.
pub fn write_parquet(df: &mut DataFrame, w: &mut dyn std::io::Write) -> PolarsResult<()> {
    ParquetWriter::new(w).finish(df).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_neutralised_and_the_frame_stays_raw() {
        let inv = super::super::tests::hostile_inventory();
        let mut df = inventory_frame(&inv).unwrap();
        let mut buf = Vec::new();
        write_csv(&mut df, &mut buf).unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(buf.as_slice());
        let mut cells = Vec::new();
        for rec in r.records() {
            for c in rec.unwrap().iter() {
                assert!(!c.starts_with(['=', '+', '-', '@', '\t', '\r']), "{c:?}");
                assert!(!c.chars().any(char::is_control), "{c:?}");
                cells.push(c.to_string());
            }
        }
        for want in [
            "'=HYPERLINK(\"http://x\",\"y\")",
            "'@SUM(1)",
            "'+cmd",
            "a|b\\nc",
            "red\\x1b[31m\\u{9b}x",
            "'=e***@e******.com",
        ] {
            assert!(cells.iter().any(|c| c == want), "{want:?} in {cells:?}");
        }
        // The frame (and so inventory.parquet) keeps the names as scanned.
        let fields: Vec<&str> = df
            .column("field")
            .unwrap()
            .str()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert!(fields.contains(&"=HYPERLINK(\"http://x\",\"y\")") && fields.contains(&"a|b\nc"));
    }
}
