//! `piimap find` on real data: chinook in SQLite, pagila in PostgreSQL (the local server
//! on 127.0.0.1:5432; these tests fail, never skip, when it or the datasets are
//! missing), the elastic access log and generated JSON logs. Every count is checked
//! against a query or a count written by hand; no raw value may appear anywhere
//! without `--export`.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::mysql::{client as mysql_client, load_sakila_into, TestDb as MyDb};
use crate::postgres::{load_pagila, TestDb};
use crate::util::{bin, dataset, stderr, stdout, tempdir, write};

fn need(rel: &str) -> PathBuf {
    dataset(rel).unwrap_or_else(|| panic!("../shared/datasets/{rel} is needed by the find tests"))
}

/// Runs piimap, asserting the exit code; returns stdout.
fn piimap(args: &[&str], code: i32) -> String {
    let o = bin().args(args).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(code),
        "piimap {args:?}\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

fn scan_inventory(target: &[&str], dir: &Path) -> String {
    let out = dir.join("inv");
    let mut args = vec!["scan", "-q", "--out", out.to_str().unwrap()];
    args.extend_from_slice(target);
    piimap(&args, 0);
    out.join("inventory.json").display().to_string()
}

fn find_json(args: &[&str]) -> Value {
    let mut all = vec!["find", "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&piimap(&all, 0)).unwrap()
}

/// The appearances of `table` (an asset id ending in `/table`) of a given match kind.
fn rows(report: &Value, table: &str, kind: &str) -> u64 {
    let key = if kind == "name_only" {
        "name_only"
    } else {
        "appearances"
    };
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| {
            a["asset"].as_str().unwrap().ends_with(&format!("/{table}")) && a["match_kind"] == kind
        })
        .map(|a| a["count"].as_u64().unwrap())
        .sum()
}

fn tables(report: &Value) -> Vec<String> {
    let mut t: Vec<String> = report["appearances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            a["asset"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    t.sort();
    t.dedup();
    t
}

/// A copy of chinook with a look-alike of customer 3 (same name, an email and a phone
/// one character off).
fn chinook_copy(dir: &Path) -> PathBuf {
    let db = dir.join("chinook.db");
    std::fs::copy(need("chinook/Chinook_Sqlite.sqlite"), &db).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "INSERT INTO Customer (CustomerId, FirstName, LastName, Email, Phone, SupportRepId)
         VALUES (900, 'François', 'Tremblay', 'ftremblay@gmail.co', '+1 (514) 721-4712', 3);
         INSERT INTO Invoice (InvoiceId, CustomerId, InvoiceDate, Total) VALUES (9000, 900, '2025-01-01', 1.0);",
    )
    .unwrap();
    db
}

fn count(db: &Path, sql: &str) -> u64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as u64
}

#[test]
fn chinook_customer_by_email_and_by_phone_with_invoices_one_hop_away() {
    let dir = tempdir();
    let db = chinook_copy(dir.path());
    let url = format!("sqlite:{}", db.display());
    let inv = scan_inventory(&["--db", &url], dir.path());
    let invoices = count(&db, "SELECT count(*) FROM Invoice WHERE CustomerId = 3");
    assert!(invoices > 0);
    // A +tag at a common provider, in another case: the normalised address.
    let by_email = find_json(&[
        "--db",
        &url,
        "--inventory",
        &inv,
        "--email",
        "FTremblay+dsar@Gmail.com",
    ]);
    assert_eq!(rows(&by_email, "Customer", "normalised"), 1, "{by_email}");
    assert_eq!(rows(&by_email, "Invoice", "linked"), invoices);
    assert_eq!(tables(&by_email), ["Customer", "Invoice"]);
    assert_eq!(by_email["totals"]["rows"], 1 + invoices);
    // The phone as stored, and in another layout.
    for phone in ["+1 (514) 721-4711", "514.721.4711"] {
        let r = find_json(&["--db", &url, "--inventory", &inv, "--phone", phone]);
        assert_eq!(
            rows(&r, "Customer", "exact") + rows(&r, "Customer", "normalised"),
            1,
            "{phone}: {r}"
        );
        assert_eq!(rows(&r, "Invoice", "linked"), invoices, "{phone}");
    }
    // The look-alike has the same name: a name-only match, apart, never counted.
    let by_name = find_json(&[
        "--db",
        &url,
        "--inventory",
        &inv,
        "--name",
        "Francois TREMBLAY",
        "--email",
        "ftremblay@gmail.com",
    ]);
    assert_eq!(rows(&by_name, "Customer", "name_only"), 2);
    assert_eq!(rows(&by_name, "Customer", "exact"), 1);
    assert_eq!(
        by_name["totals"]["rows"],
        1 + invoices,
        "the look-alike's rows are not the person's"
    );
    assert_eq!(by_name["found"], true);
    let nobody = find_json(&[
        "--db",
        &url,
        "--inventory",
        &inv,
        "--email",
        "nobody@example.com",
    ]);
    assert_eq!(nobody["found"], false);
    assert!(nobody["appearances"].as_array().unwrap().is_empty());
}

#[test]
fn chinook_deletion_plan_export_and_request_log() {
    let dir = tempdir();
    let db = chinook_copy(dir.path());
    let url = format!("sqlite:{}", db.display());
    let inv = scan_inventory(&["--db", &url], dir.path());
    let (out, export, log) = (
        dir.path().join("out"),
        dir.path().join("export"),
        dir.path().join("requests.jsonl"),
    );
    let before = count(&db, "SELECT count(*) FROM Invoice");
    piimap(
        &[
            "find",
            "-q",
            "--db",
            &url,
            "--inventory",
            &inv,
            "--email",
            "ftremblay@gmail.com",
            "--plan",
            "delete",
            "--out",
            out.to_str().unwrap(),
            "--export",
            export.to_str().unwrap(),
            "--log",
            log.to_str().unwrap(),
        ],
        0,
    );
    let sql = std::fs::read_to_string(out.join("deletion-plan.sql")).unwrap();
    let (inv_at, cust_at) = (
        sql.find("DELETE FROM \"Invoice\"").unwrap(),
        sql.find("DELETE FROM \"Customer\" WHERE \"CustomerId\" IN ('3');")
            .unwrap(),
    );
    assert!(inv_at < cust_at, "children first:\n{sql}");
    assert!(sql.contains("ROLLBACK"), "{sql}");
    assert_eq!(
        count(&db, "SELECT count(*) FROM Invoice"),
        before,
        "the plan is never run"
    );
    assert!(std::fs::read_to_string(out.join("deletion-plan.md"))
        .unwrap()
        .contains("1798.105(c)"));
    for f in [
        "report.json",
        "report.md",
        "response-letter.md",
        "response-letter.html",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    // The export holds the raw record, readable by its owner only.
    let mut raw = String::new();
    for e in std::fs::read_dir(&export).unwrap() {
        let p = e.unwrap().path();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600,
                "{}",
                p.display()
            );
        }
        raw.push_str(&std::fs::read_to_string(&p).unwrap());
    }
    assert!(export.join("EXPORT-README").is_file());
    assert!(
        raw.contains("ftremblay@gmail.com") && raw.contains("1498 rue Bélanger"),
        "{raw}"
    );
    // The request log: one line, the identifiers only as a hash.
    let line: Value = serde_json::from_str(std::fs::read_to_string(&log).unwrap().trim()).unwrap();
    assert_eq!(line["request"], "delete");
    assert_eq!(line["identifiers_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        line["matches"]["rows"].as_u64().unwrap(),
        1 + count(&db, "SELECT count(*) FROM Invoice WHERE CustomerId = 3")
    );
    for key in ["ts", "sources", "duration_ms"] {
        assert!(line.get(key).is_some(), "{key}: {line}");
    }
}

#[test]
fn pagila_customer_by_email_and_by_phone_in_postgres() {
    let db = TestDb::create()
        .expect("PostgreSQL on 127.0.0.1:5432 is needed by the find tests (.ci/services)");
    assert!(
        load_pagila(&db),
        "../shared/datasets/pagila is needed by the find tests"
    );
    // A look-alike of customer 5: one letter more in the email, one digit off in the phone.
    db.sql(
        "INSERT INTO address (address, district, city_id, phone) VALUES ('1 Similar St', 'X', 1, '10655648675');
         INSERT INTO customer (store_id, first_name, last_name, email, address_id)
           SELECT 1, 'ELIZABETH', 'BROWN', 'ELIZABETH.BROWNE@sakilacustomer.org', max(address_id) FROM address;",
    );
    let email = db.value("SELECT email FROM customer WHERE customer_id = 5");
    let phone = db.value(
        "SELECT a.phone FROM customer c JOIN address a USING (address_id) WHERE customer_id = 5",
    );
    let rentals: u64 = db
        .value("SELECT count(*) FROM rental WHERE customer_id = 5")
        .parse()
        .unwrap();
    let payments: u64 = db
        .value("SELECT count(*) FROM payment WHERE customer_id = 5")
        .parse()
        .unwrap();
    let at_address: u64 = db.value("SELECT count(*) FROM staff WHERE address_id = (SELECT address_id FROM customer WHERE customer_id = 5)").parse().unwrap();
    let dir = tempdir();
    let url = db.url();
    let inv = scan_inventory(&["--db", &url], dir.path());
    let lower = email.to_lowercase();
    let r = find_json(&["--db", &url, "--inventory", &inv, "--email", &lower]);
    assert_eq!(rows(&r, "public.customer", "normalised"), 1, "{r}");
    assert_eq!(rows(&r, "public.rental", "linked"), rentals);
    assert_eq!(
        rows(&r, "public.payment", "linked"),
        payments,
        "the partitioned payments, through their parent"
    );
    assert_eq!(
        tables(&r),
        ["public.customer", "public.payment", "public.rental"]
    );
    // By phone: the address row, the customer one hop away, rentals and payments at two.
    let r = find_json(&["--db", &url, "--inventory", &inv, "--phone", &phone]);
    assert_eq!(rows(&r, "public.address", "exact"), 1, "{r}");
    assert_eq!(rows(&r, "public.customer", "linked"), 1);
    assert_eq!(rows(&r, "public.staff", "linked"), at_address);
    let r = find_json(&[
        "--db",
        &url,
        "--inventory",
        &inv,
        "--phone",
        &phone,
        "--hops",
        "2",
    ]);
    assert_eq!(rows(&r, "public.rental", "linked"), rentals, "{r}");
    assert_eq!(rows(&r, "public.payment", "linked"), payments);
    assert_eq!(
        rows(&r, "public.customer", "linked"),
        1,
        "the look-alike is not reached"
    );
    // Even the database driver's trace logs never see a value: it is a bind parameter.
    let o = bin()
        .args([
            "find",
            "-vv",
            "--db",
            &url,
            "--inventory",
            &inv,
            "--email",
            &lower,
            "--phone",
            &phone,
            "--format",
            "json",
        ])
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for text in [stdout(&o), stderr(&o)] {
        for v in [email.as_str(), lower.as_str(), phone.as_str()] {
            assert!(
                !text.contains(v),
                "a raw value leaked from PostgreSQL into stdout or stderr"
            );
        }
    }
}

#[test]
fn an_index_is_used_and_a_timeout_is_an_error_not_a_miss() {
    let db = TestDb::create()
        .expect("PostgreSQL on 127.0.0.1:5432 is needed by the find tests (.ci/services)");
    db.sql(
        "CREATE TABLE users (id int PRIMARY KEY, email text);
         INSERT INTO users SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 20000) g;
         CREATE INDEX users_email ON users (email);
         CREATE TABLE events (id int PRIMARY KEY, user_id int REFERENCES users, note text);
         INSERT INTO events SELECT g, 1 + g % 20000, 'x' FROM generate_series(1, 40000) g;
         ANALYZE;",
    );
    let dir = tempdir();
    let url = db.url();
    let inv = scan_inventory(&["--db", &url], dir.path());
    let r = find_json(&[
        "--db",
        &url,
        "--inventory",
        &inv,
        "--email",
        "user77@example.com",
    ]);
    assert_eq!(rows(&r, "public.users", "exact"), 1, "{r}");
    assert_eq!(rows(&r, "public.events", "linked"), 2);
    let method = r["searched"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["asset"].as_str().unwrap().ends_with("public.users"))
        .unwrap()["method"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(method.contains("index"), "{method}");
    // A lock held on the table makes the lookup wait past the statement timeout.
    let mut locker = std::process::Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            db.address().rsplit('/').next().unwrap(),
            "-c",
            "BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(8); COMMIT;",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    let o = bin()
        .args([
            "find",
            "--format",
            "json",
            "--db",
            &url,
            "--inventory",
            &inv,
            "--email",
            "user77@example.com",
            "--statement-timeout",
            "1",
        ])
        .output()
        .unwrap();
    let _ = locker.wait();
    assert_eq!(
        o.status.code(),
        Some(4),
        "a failed lookup makes the answer partial: {}",
        stderr(&o)
    );
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors = r["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["kind"] == "timeout"
                && e["asset"].as_str().unwrap().ends_with("public.users")),
        "{errors:?}"
    );
    assert_ne!(r["found"], true);
}

/// Lines of the elastic access log holding `ip` as a whole token, and their first time.
fn access_lines(ip: &str) -> (u64, String) {
    let mut text = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(need("elastic_apache_logs/apache_logs.gz")).unwrap(),
    )
    .read_to_string(&mut text)
    .unwrap();
    let mut first = None;
    let mut n = 0;
    for line in text.lines() {
        if line
            .split(|c: char| c.is_whitespace() || c == '"' || c == '/')
            .any(|t| t == ip)
        {
            n += 1;
            first.get_or_insert_with(|| {
                line.split('[')
                    .nth(1)
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .to_string()
            });
        }
    }
    (n, first.unwrap())
}

#[test]
fn an_ip_in_the_elastic_access_log_with_its_exact_line_count_and_times() {
    let dir = tempdir();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    std::fs::copy(
        need("elastic_apache_logs/apache_logs.gz"),
        logs.join("apache_logs.gz"),
    )
    .unwrap();
    let logs_s = logs.to_str().unwrap();
    let inv = scan_inventory(&[logs_s], dir.path());
    for ip in ["83.149.9.216", "66.249.73.135"] {
        let (lines, first) = access_lines(ip);
        let r = find_json(&[logs_s, "--inventory", &inv, "--ip", ip]);
        assert_eq!(r["totals"]["lines"].as_u64().unwrap(), lines, "{ip}: {r}");
        let a = &r["appearances"][0];
        assert_eq!(a["field"], "client_ip", "{a}");
        // 17/May/2015:10:05:03 → 2015-05-17T10:05:03Z
        let day = &first[..2];
        assert!(
            a["first_seen"]
                .as_str()
                .unwrap()
                .starts_with(&format!("2015-05-{day}T")),
            "{a} vs {first}"
        );
        assert!(a["last_seen"].as_str().unwrap() >= a["first_seen"].as_str().unwrap());
    }
}

/// A generated JSON log: the person in three spellings, look-alikes around them.
fn json_log(dir: &Path) -> (PathBuf, u64) {
    let mut text = String::new();
    let mut theirs = 0;
    for i in 0..5000u64 {
        let email = match i % 7 {
            0 => "ann.lee@example.com",
            1 => "Ann.Lee@Example.com",
            2 => "joann.lee@example.com",
            3 => "ann.lee@example.com.au",
            _ => "someone@example.org",
        };
        theirs += u64::from(i % 7 < 2);
        text.push_str(&format!(
            "{{\"@timestamp\":\"2024-03-{:02}T12:00:{:02}Z\",\"level\":\"info\",\"user\":{{\"email\":\"{email}\"}},\"msg\":\"login ok\"}}\n",
            1 + i % 28,
            i % 60
        ));
    }
    (write(dir, "applogs/app.log", text), theirs)
}

#[test]
fn an_email_in_generated_json_logs_with_its_exact_line_count() {
    let dir = tempdir();
    let (_, theirs) = json_log(dir.path());
    let logs = dir.path().join("applogs");
    let inv = scan_inventory(&[logs.to_str().unwrap()], dir.path());
    let r = find_json(&[
        logs.to_str().unwrap(),
        "--inventory",
        &inv,
        "--email",
        "ann.lee@example.com",
    ]);
    assert_eq!(r["totals"]["lines"].as_u64().unwrap(), theirs, "{r}");
    let fields: Vec<&str> = r["appearances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["field"].as_str().unwrap())
        .collect();
    assert!(fields.iter().all(|f| *f == "user.email"), "{fields:?}");
    assert_eq!(r["appearances"][0]["first_seen"], "2024-03-01T12:00:00Z");
}

#[test]
fn no_raw_value_leaks_without_export() {
    let dir = tempdir();
    let db = chinook_copy(dir.path());
    let url = format!("sqlite:{}", db.display());
    json_log(dir.path());
    let logs = dir.path().join("applogs");
    let logs_s = logs.to_str().unwrap();
    let inv = scan_inventory(&["--db", &url, logs_s], dir.path());
    let out = dir.path().join("out");
    let log = dir.path().join("requests.jsonl");
    // What the person gave, and what the data holds about them.
    let raw = [
        "ftremblay@gmail.com",
        "FTremblay@gmail.com",
        "514-721-4711",
        "+1 (514) 721-4711",
        "5147214711",
        "François",
        "Tremblay",
        "Francois",
        "1498 rue Bélanger",
        "H2G 1A7",
        "ann.lee@example.com",
        "Ann.Lee@Example.com",
    ];
    let mut texts = Vec::new();
    for format in ["json", "table"] {
        let o = bin()
            .args([
                "find",
                "-vv",
                "--db",
                &url,
                logs_s,
                "--inventory",
                &inv,
                "--email",
                "ftremblay@gmail.com",
                "--phone",
                "514-721-4711",
                "--name",
                "François Tremblay",
                "--email",
                "ann.lee@example.com",
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
                "--plan",
                "delete",
                "--log",
                log.to_str().unwrap(),
            ])
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        texts.push(stdout(&o));
        texts.push(stderr(&o));
    }
    assert!(texts[0].contains("\"found\": true"), "{}", texts[0]);
    for e in std::fs::read_dir(&out).unwrap() {
        texts.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    texts.push(std::fs::read_to_string(&log).unwrap());
    for t in &texts {
        for v in raw {
            assert!(!t.contains(v), "a raw value leaked into an output: {v}");
        }
    }
}

/// `find` does not read object stores: an `s3://` target is refused as a usage error
/// (exit 2) naming the redacted URL, never skipped as if nothing were there.
#[test]
fn an_object_store_target_is_refused_not_skipped() {
    let o = bin()
        .args([
            "find",
            "--email",
            "someone@example.com",
            "--everywhere",
            "s3://key:secret@bucket/exports",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("object stores") && err.contains("s3://bucket/exports"),
        "{err}"
    );
    assert!(
        !err.contains("secret") && !stdout(&o).contains("someone@"),
        "{err}"
    );
}

#[test]
fn sakila_customer_by_email_and_by_phone_in_mariadb() {
    let db = MyDb::create();
    load_sakila_into(&db.name);
    // A look-alike of customer 5: one letter more in the email, one digit off in the phone.
    db.sql(
        "INSERT INTO address (address, district, city_id, phone)
           VALUES ('1 Similar St', 'X', 1, '10655648675');
         INSERT INTO customer (store_id, first_name, last_name, email, address_id, create_date)
           SELECT 1, 'ELIZABETH', 'BROWN', 'ELIZABETH.BROWNE@sakilacustomer.org', MAX(address_id), NOW() FROM address;",
    );
    let email = db.value("SELECT email FROM customer WHERE customer_id = 5");
    let phone = db.value(
        "SELECT a.phone FROM customer c JOIN address a USING (address_id) WHERE customer_id = 5",
    );
    let count = |sql: &str| -> u64 { db.value(sql).parse().unwrap() };
    let rentals = count("SELECT COUNT(*) FROM rental WHERE customer_id = 5");
    let payments = count("SELECT COUNT(*) FROM payment WHERE customer_id = 5");
    let at_address = count(
        "SELECT COUNT(*) FROM staff WHERE address_id = (SELECT address_id FROM customer WHERE customer_id = 5)",
    );
    let same_email = count(&format!(
        "SELECT COUNT(*) FROM customer WHERE LOWER(email) = LOWER('{email}')"
    ));
    assert!(rentals > 0 && payments > 0 && same_email == 1);
    let t = |name: &str| format!("{}.{name}", db.name);
    let dir = tempdir();
    let url = db.url();
    let inv = scan_inventory(&["--db", &url], dir.path());
    let lower = email.to_lowercase();
    let r = find_json(&["--db", &url, "--inventory", &inv, "--email", &lower]);
    assert_eq!(rows(&r, &t("customer"), "normalised"), same_email, "{r}");
    assert_eq!(rows(&r, &t("rental"), "linked"), rentals, "{r}");
    assert_eq!(rows(&r, &t("payment"), "linked"), payments, "{r}");
    assert_eq!(tables(&r), [t("customer"), t("payment"), t("rental")]);
    // The email as stored is an exact match found through equality.
    let r = find_json(&["--db", &url, "--inventory", &inv, "--email", &email]);
    assert_eq!(rows(&r, &t("customer"), "exact"), 1, "{r}");
    // By phone: the address row, the customer one hop away, rentals and payments at two.
    let r = find_json(&["--db", &url, "--inventory", &inv, "--phone", &phone]);
    assert_eq!(rows(&r, &t("address"), "exact"), 1, "{r}");
    assert_eq!(rows(&r, &t("customer"), "linked"), 1, "{r}");
    assert_eq!(rows(&r, &t("staff"), "linked"), at_address);
    let r = find_json(&[
        "--db",
        &url,
        "--inventory",
        &inv,
        "--phone",
        &phone,
        "--hops",
        "2",
    ]);
    assert_eq!(rows(&r, &t("rental"), "linked"), rentals, "{r}");
    assert_eq!(rows(&r, &t("payment"), "linked"), payments);
    assert_eq!(
        rows(&r, &t("customer"), "linked"),
        1,
        "the look-alike is not reached"
    );
    // The deletion plan names tables and columns as MySQL writes them, children first.
    let out = dir.path().join("plan");
    piimap(
        &[
            "find",
            "-q",
            "--db",
            &url,
            "--inventory",
            &inv,
            "--email",
            &lower,
            "--plan",
            "delete",
            "--out",
            out.to_str().unwrap(),
        ],
        0,
    );
    let plan = std::fs::read_to_string(out.join("deletion-plan.sql")).unwrap();
    let at = |stmt: &str| {
        plan.find(stmt)
            .unwrap_or_else(|| panic!("{stmt} not in the plan:\n{plan}"))
    };
    let (payment_at, rental_at, customer_at) = (
        at(&format!(
            "DELETE FROM `{}`.`payment` WHERE `payment_id` IN (",
            db.name
        )),
        at(&format!(
            "DELETE FROM `{}`.`rental` WHERE `rental_id` IN (",
            db.name
        )),
        at(&format!(
            "DELETE FROM `{}`.`customer` WHERE `customer_id` IN ('5');",
            db.name
        )),
    );
    assert!(
        payment_at < rental_at && rental_at < customer_at,
        "payments reference rentals, both reference the customer:\n{plan}"
    );
    assert!(
        plan.contains(&format!("payment ({payments} row(s))")),
        "{plan}"
    );
    // The look-alike's own values find the look-alike only.
    let r = find_json(&[
        "--db",
        &url,
        "--inventory",
        &inv,
        "--email",
        "elizabeth.browne@sakilacustomer.org",
    ]);
    assert_eq!(rows(&r, &t("customer"), "normalised"), 1, "{r}");
    assert_eq!(rows(&r, &t("rental"), "linked"), 0, "{r}");
    // Even with trace logs, no value is printed: it is a bind parameter.
    let o = bin()
        .args([
            "find",
            "-vv",
            "--db",
            &url,
            "--inventory",
            &inv,
            "--email",
            &lower,
            "--phone",
            &phone,
            "--format",
            "json",
        ])
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for text in [stdout(&o), stderr(&o)] {
        for v in [email.as_str(), lower.as_str(), phone.as_str()] {
            assert!(
                !text.contains(v),
                "a raw value leaked from MariaDB into stdout or stderr"
            );
        }
    }
}

#[test]
fn a_mariadb_lookup_past_the_statement_timeout_is_an_error_not_a_miss() {
    let db = MyDb::create();
    db.sql(
        "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(80), KEY users_email (email));
         INSERT INTO users SELECT seq, CONCAT('user', seq, '@example.com') FROM seq_1_to_20000;
         CREATE TABLE events (id INT PRIMARY KEY, user_id INT, note VARCHAR(9),
           KEY (user_id), FOREIGN KEY (user_id) REFERENCES users (id));
         INSERT INTO events SELECT seq, 1 + seq % 20000, 'x' FROM seq_1_to_40000;",
    );
    let t = |name: &str| format!("{}.{name}", db.name);
    let dir = tempdir();
    let url = db.url();
    let inv = scan_inventory(&["--db", &url], dir.path());
    let r = find_json(&[
        "--db",
        &url,
        "--inventory",
        &inv,
        "--email",
        "user77@example.com",
    ]);
    assert_eq!(rows(&r, &t("users"), "exact"), 1, "{r}");
    assert_eq!(rows(&r, &t("events"), "linked"), 2, "{r}");
    let method = r["searched"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["asset"].as_str().unwrap().ends_with(&t("users")))
        .unwrap()["method"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(method.contains("index"), "{method}");
    // A table lock held by another session makes the lookup wait past the timeout.
    let mut locker = mysql_client()
        .arg(&db.name)
        .args([
            "-e",
            "LOCK TABLES users WRITE; SELECT SLEEP(8); UNLOCK TABLES;",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    let o = bin()
        .args([
            "find",
            "--format",
            "json",
            "--db",
            &url,
            "--inventory",
            &inv,
            "--email",
            "user77@example.com",
            "--statement-timeout",
            "1",
        ])
        .output()
        .unwrap();
    let _ = locker.wait();
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors = r["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["kind"] == "timeout" && e["asset"].as_str().unwrap().ends_with(&t("users"))),
        "{errors:?}"
    );
    assert_ne!(r["found"], true);
}
