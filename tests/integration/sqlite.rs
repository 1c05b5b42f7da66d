//! SQLite databases: `--db sqlite:PATH` and `.db`/`.sqlite` files found by the walker,
//! on the real Chinook sample (`../shared/datasets`, read in place or copied to a temp
//! dir, never into the repository) and on databases built here.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{dataset, json, run, stderr, tempdir};

fn chinook() -> Option<PathBuf> {
    let p = dataset("chinook/Chinook_Sqlite.sqlite");
    if p.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ../shared/datasets/chinook"
        );
        eprintln!("skipping: ../shared/datasets/chinook/Chinook_Sqlite.sqlite not found");
    }
    p
}

/// Contents and modification time, to prove a scan did not touch the file.
fn fingerprint(p: &Path) -> (Vec<u8>, std::time::SystemTime) {
    (
        std::fs::read(p).unwrap(),
        std::fs::metadata(p).unwrap().modified().unwrap(),
    )
}

fn asset<'a>(inv: &'a Value, id: &str) -> &'a Value {
    inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| {
            let ids: Vec<&str> = inv["assets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap())
                .collect();
            panic!("no asset {id}; have {ids:?}")
        })
}

fn types(asset: &Value, field: &str) -> Vec<String> {
    asset["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["field"] == field)
        .flat_map(|f| f["types"].as_array().unwrap().iter())
        .map(|t| t["data_type"].as_str().unwrap().to_string())
        .collect()
}

fn assert_has(asset: &Value, field: &str, ty: &str) {
    let t = types(asset, field);
    assert!(
        t.iter().any(|x| x == ty),
        "{} {field}: expected {ty}, got {t:?}",
        asset["id"]
    );
}

/// The people columns of Chinook are found; the music catalogue is not.
fn check_chinook(inv: &Value, base: &str) {
    for table in ["Customer", "Employee"] {
        let a = asset(inv, &format!("{base}/{table}"));
        assert_eq!(a["kind"], "table");
        assert_eq!(a["format"], "sqlite");
        assert_eq!(a["status"], "scanned");
        assert_has(a, "Email", "email");
        assert_has(a, "FirstName", "person_name");
        assert_has(a, "LastName", "person_name");
        assert_has(a, "Phone", "phone");
        assert_has(a, "Address", "street_address");
    }
    assert_has(
        asset(inv, &format!("{base}/Employee")),
        "BirthDate",
        "date_of_birth",
    );
    for (table, field) in [
        ("Track", "Name"),
        ("Genre", "Name"),
        ("Album", "Title"),
        ("MediaType", "Name"),
    ] {
        let t = types(asset(inv, &format!("{base}/{table}")), field);
        assert!(t.is_empty(), "{table}.{field}: {t:?}");
    }
    let track = asset(inv, &format!("{base}/Track"));
    assert_eq!(track["stats"]["rows"], 3503);
    assert_eq!(track["stats"]["rows_scanned"], 3503);
    assert_eq!(track["stats"]["sampling"], "all rows (3503 rows)");
    assert!(inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| !a["id"].as_str().unwrap().contains("sqlite_")));
}

#[test]
fn chinook_as_a_database_url_read_only() {
    let Some(path) = chinook() else { return };
    let before = fingerprint(&path);
    let base = format!("sqlite:{}", path.display());
    let inv = json(&["scan", "--db", &base, "--format", "json"], 0);
    check_chinook(&inv, &base);
    assert_eq!(
        fingerprint(&path),
        before,
        "the scan must not modify the database file"
    );
    assert!(
        !path.with_extension("sqlite-journal").exists()
            && !path.with_extension("sqlite-wal").exists()
    );
}

#[test]
fn chinook_found_by_the_walker() {
    let Some(src) = chinook() else { return };
    let dir = tempdir();
    let copy = dir.path().join("music.db");
    std::fs::copy(&src, &copy).unwrap();
    let before = fingerprint(&copy);
    let inv = json(
        &["scan", dir.path().to_str().unwrap(), "--format", "json"],
        0,
    );
    check_chinook(&inv, &format!("sqlite:{}", copy.display()));
    assert_eq!(fingerprint(&copy), before);
    let entries: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        entries.len(),
        1,
        "no journal or WAL left behind: {entries:?}"
    );
}

#[test]
fn sampling_is_deterministic_and_stated() {
    let Some(path) = chinook() else { return };
    let base = format!("sqlite:{}", path.display());
    let out = tempdir();
    let scan = |seed: &str, name: &str| -> (Value, Vec<String>) {
        let f = out.path().join(name);
        let inv = json(
            &[
                "scan",
                "--db",
                &base,
                "--sample-rows",
                "50",
                "--seed",
                seed,
                "--findings",
                f.to_str().unwrap(),
                "--format",
                "json",
            ],
            0,
        );
        let mut lines: Vec<String> = std::fs::read_to_string(f)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        lines.sort();
        (inv, lines)
    };
    let (a, fa) = scan("3", "a.jsonl");
    let (_, fb) = scan("3", "b.jsonl");
    let (_, fc) = scan("4", "c.jsonl");
    assert_eq!(fa, fb, "same seed, same rows");
    assert_ne!(fa, fc, "another seed, other rows");
    let track = asset(&a, &format!("{base}/Track"));
    assert_eq!(track["stats"]["rows_scanned"], 50);
    assert_eq!(track["stats"]["rows"], 3503);
    assert_eq!(
        track["stats"]["sampling"],
        "reservoir sample of 50 of 3503 rowids (seed 3), rows fetched by rowid"
    );
    let employee = asset(&a, &format!("{base}/Employee"));
    assert_eq!(employee["stats"]["sampling"], "all rows (8 rows)");

    let full = json(&["scan", "--db", &base, "--full", "--format", "json"], 0);
    let track = asset(&full, &format!("{base}/Track"));
    assert_eq!(track["stats"]["rows_scanned"], 3503);
    assert!(track["stats"]["sampling"]
        .as_str()
        .unwrap()
        .starts_with("full"));
}

#[test]
fn awkward_sqlite_schemas() {
    let dir = tempdir();
    let path = dir.path().join("odd name #1.sqlite");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            r#"
            CREATE TABLE "x""; DROP TABLE y; --" ("e mail" TEXT, "select" TEXT, avatar BLOB, untyped, doc JSON);
            CREATE TABLE y (id INTEGER);
            INSERT INTO y VALUES (1);
            CREATE TABLE kv (k TEXT PRIMARY KEY, email TEXT) WITHOUT ROWID;
            CREATE TABLE shadow (rowid TEXT, _rowid_ TEXT, oid TEXT, email TEXT);
            CREATE VIEW v AS SELECT email FROM kv;
            "#,
        )
        .unwrap();
        for i in 0..120 {
            c.execute(
                r#"INSERT INTO "x""; DROP TABLE y; --" VALUES (?1, ?2, x'00ff', ?3, ?4)"#,
                rusqlite::params![
                    format!("e{i}@example.com"),
                    format!("s{i}@example.com"),
                    if i % 2 == 0 {
                        rusqlite::types::Value::Blob(vec![0, 1])
                    } else {
                        rusqlite::types::Value::Text(format!("u{i}@example.com"))
                    },
                    format!(r#"{{"contact": {{"email": "j{i}@example.org"}}, "n": {i}}}"#),
                ],
            )
            .unwrap();
            c.execute(
                "INSERT INTO kv VALUES (?1, ?2)",
                [format!("k{i}"), format!("k{i}@example.com")],
            )
            .unwrap();
            c.execute(
                "INSERT INTO shadow VALUES ('a', 'b', 'c', ?1)",
                [format!("h{i}@example.com")],
            )
            .unwrap();
        }
    }
    let before = fingerprint(&path);
    let base = format!("sqlite:{}", path.display());
    let inv = json(
        &[
            "scan",
            "--db",
            &base,
            "--sample-rows",
            "40",
            "--views",
            "--format",
            "json",
        ],
        0,
    );
    let odd = asset(&inv, &format!("{base}/x\"; DROP TABLE y; --"));
    assert_has(odd, "e mail", "email");
    assert_has(odd, "select", "email");
    assert_has(odd, "untyped", "email");
    assert_has(odd, "doc.contact.email", "email");
    let skipped = odd["stats"]["skipped_columns"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["column"] == "avatar" && s["reason"].as_str().unwrap().contains("BLOB")),
        "{skipped:?}"
    );
    assert!(
        skipped
            .iter()
            .any(|s| s["column"] == "untyped"
                && s["reason"].as_str().unwrap().contains("BLOB value")),
        "{skipped:?}"
    );
    assert_eq!(odd["stats"]["rows_scanned"], 40);
    let kv = asset(&inv, &format!("{base}/kv"));
    assert_has(kv, "email", "email");
    assert_eq!(kv["stats"]["rows_scanned"], 40);
    assert!(
        kv["stats"]["sampling"]
            .as_str()
            .unwrap()
            .contains("no usable rowid"),
        "{}",
        kv["stats"]
    );
    let shadow = asset(&inv, &format!("{base}/shadow"));
    assert_eq!(shadow["stats"]["rows_scanned"], 40);
    assert!(asset(&inv, &format!("{base}/v"))["stats"]["sampling"]
        .as_str()
        .unwrap()
        .contains("view"));
    assert_eq!(fingerprint(&path), before);
    let c = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM y", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_missing_or_broken_sqlite_file_is_one_failed_asset() {
    let dir = tempdir();
    let missing = dir.path().join("nope.db");
    let o = run(&[
        "scan",
        "--db",
        &format!("sqlite:{}", missing.display()),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    let a = &inv["assets"][0];
    assert_eq!(a["id"], format!("sqlite:{}", missing.display()));
    assert_eq!(a["status"], "failed");
    assert!(
        !missing.exists(),
        "a read-only open must not create the file"
    );

    let garbage = dir.path().join("garbage.db");
    std::fs::write(
        &garbage,
        b"this is not a database, just text that is long enough",
    )
    .unwrap();
    let o = run(&[
        "scan",
        "--db",
        &format!("sqlite:{}", garbage.display()),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(inv["assets"][0]["status"], "failed");
}
