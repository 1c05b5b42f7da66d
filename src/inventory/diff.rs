//! Differences between two inventories (last night's and tonight's): new and removed
//! data types, assets, fields and recipients.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Inventory, Status};

/// One side of a diff.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// Data types (anywhere).
    pub data_types: Vec<String>,
    /// Assets (ids).
    pub assets: Vec<String>,
    /// Fields, as `asset#field`.
    pub fields: Vec<String>,
    /// Data types per field, as `asset#field: data_type`.
    pub field_types: Vec<String>,
    /// Recipients (catalog ids), as `asset: recipient`.
    pub recipients: Vec<String>,
}

/// What changed between `old` and `new`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryDiff {
    /// Present in `new`, not in `old`.
    pub added: Changes,
    /// Present in `old`, not in `new`.
    pub removed: Changes,
}

struct Sets {
    types: BTreeSet<String>,
    assets: BTreeSet<String>,
    fields: BTreeSet<String>,
    field_types: BTreeSet<String>,
    recipients: BTreeSet<String>,
}

fn sets(inv: &Inventory) -> Sets {
    let mut s = Sets {
        types: BTreeSet::new(),
        assets: BTreeSet::new(),
        fields: BTreeSet::new(),
        field_types: BTreeSet::new(),
        recipients: BTreeSet::new(),
    };
    for a in inv.assets.iter().filter(|a| a.status != Status::Skipped) {
        s.assets.insert(a.id.clone());
        for f in &a.fields {
            let key = format!("{}#{}", a.id, f.field.as_deref().unwrap_or("(text)"));
            s.fields.insert(key.clone());
            for t in &f.types {
                s.types.insert(t.data_type.clone());
                s.field_types.insert(format!("{key}: {}", t.data_type));
            }
        }
        for r in &a.recipients {
            s.recipients.insert(format!("{}: {}", a.id, r.id));
        }
    }
    s
}

fn minus(a: &BTreeSet<String>, b: &BTreeSet<String>) -> Vec<String> {
    a.difference(b).cloned().collect()
}

impl InventoryDiff {
    /// Compares two inventories.
    pub fn between(old: &Inventory, new: &Inventory) -> InventoryDiff {
        let (o, n) = (sets(old), sets(new));
        let side = |x: &Sets, y: &Sets| Changes {
            data_types: minus(&x.types, &y.types),
            assets: minus(&x.assets, &y.assets),
            fields: minus(&x.fields, &y.fields),
            field_types: minus(&x.field_types, &y.field_types),
            recipients: minus(&x.recipients, &y.recipients),
        };
        InventoryDiff {
            added: side(&n, &o),
            removed: side(&o, &n),
        }
    }

    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added == Changes::default() && self.removed == Changes::default()
    }

    /// A human rendering, one change a line. Asset ids and field names come from the
    /// scanned data, so each item goes through
    /// [`escape::terminal`](crate::output::escape::terminal): no raw control character
    /// (ANSI escape, carriage return) and no newline from the data reaches the terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (sign, side) in [("+", &self.added), ("-", &self.removed)] {
            for (what, list) in [
                ("data type", &side.data_types),
                ("asset", &side.assets),
                ("field", &side.fields),
                ("field type", &side.field_types),
                ("recipient", &side.recipients),
            ] {
                for item in list {
                    out.push_str(&format!(
                        "{sign} {what}: {}\n",
                        crate::output::escape::terminal(item)
                    ));
                }
            }
        }
        if out.is_empty() {
            out.push_str("no changes\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_text_escapes_control_characters_from_the_data() {
        let mut d = InventoryDiff::default();
        d.added.assets.push("file:evil\x1b[2J\rname.csv".into());
        d.removed.fields.push("file:a.csv#line1\nline2".into());
        let text = d.to_text();
        assert_eq!(
            text,
            "+ asset: file:evil\\x1b[2J\\rname.csv\n- field: file:a.csv#line1\\nline2\n"
        );
    }
}
