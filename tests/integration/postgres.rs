//! `piimap scan --db postgres://…` against the real PostgreSQL server on
//! 127.0.0.1:5432 (trust authentication). Every test creates its own throwaway database
//! (and roles), dropped by a guard even when the test fails. Without a server the tests
//! say why and return; in CI (`CI` set) a missing server fails them ([`server`]).

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{dataset, json, run, stderr, stdout, tempdir};

const HOST: &str = "127.0.0.1";
const PORT: u16 = 5432;

fn psql(user: &str, db: &str) -> Command {
    let mut c = Command::new("psql");
    c.args(["-h", HOST, "-p", &PORT.to_string(), "-U", user, "-d", db])
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-At"])
        .env_remove("PGPASSWORD")
        .env_remove("PGDATABASE")
        .env("PGCONNECT_TIMEOUT", "5");
    c
}

/// The superuser the tests use (`postgres`, else the OS user), or why there is none.
fn probe() -> Result<String, String> {
    let mut why = Vec::new();
    let os_user = std::env::var("USER").unwrap_or_else(|_| "root".into());
    for user in ["postgres", os_user.as_str()] {
        match psql(user, "postgres")
            .args([
                "-c",
                "select rolsuper from pg_roles where rolname = current_user",
            ])
            .output()
        {
            Ok(o) if o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "t" => {
                return Ok(user.to_string())
            }
            Ok(o) => why.push(format!(
                "{user}: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            )),
            Err(e) => why.push(format!("psql: {e}")),
        }
    }
    Err(why.join("; "))
}

/// The superuser to administer test databases with. Without a server: `None` (the test
/// prints why and returns), except in CI, where a missing server is a failure.
fn server() -> Option<&'static str> {
    static PROBE: OnceLock<Result<String, String>> = OnceLock::new();
    match PROBE.get_or_init(probe) {
        Ok(user) => Some(user.as_str()),
        Err(why) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs PostgreSQL on {HOST}:{PORT} (.ci/services starts it): {why}"
            );
            eprintln!("skipping: no usable PostgreSQL on {HOST}:{PORT} ({why})");
            None
        }
    }
}

/// A throwaway database (and roles) dropped on drop, even when the test panics.
pub(crate) struct TestDb {
    name: String,
    admin: &'static str,
    roles: Vec<String>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TestDb {
    pub(crate) fn create() -> Option<TestDb> {
        let admin = server()?;
        let name = format!(
            "piimap_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let db = TestDb {
            name,
            admin,
            roles: Vec::new(),
        };
        db.admin_sql(&format!(
            "DROP DATABASE IF EXISTS {0}; CREATE DATABASE {0}",
            db.name
        ));
        Some(db)
    }

    fn admin_sql(&self, sql: &str) {
        for stmt in sql.split("; ") {
            let o = psql(self.admin, "postgres")
                .args(["-c", stmt])
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "{stmt}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }

    /// Runs SQL (any number of statements) in the test database.
    pub(crate) fn sql(&self, sql: &str) {
        let mut child = psql(self.admin, &self.name)
            .args(["-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(sql.as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        assert!(
            o.status.success(),
            "{sql}\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    /// The single value a query returns.
    pub(crate) fn value(&self, sql: &str) -> String {
        let o = psql(self.admin, &self.name)
            .args(["-c", sql])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    }

    /// Loads a psql script (from a file, or piped from a command's output).
    fn load(&self, script: &[u8]) {
        let mut child = psql(self.admin, &self.name)
            .args(["-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let script = script.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&script));
        let o = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            o.status.success() && !err.contains("ERROR"),
            "loading: {err}"
        );
    }

    /// A login role with no privileges, dropped with the database.
    fn role(&mut self) -> String {
        let role = format!("{}_r{}", self.name, self.roles.len());
        self.admin_sql(&format!("CREATE ROLE {role} LOGIN"));
        self.roles.push(role.clone());
        role
    }

    pub(crate) fn url(&self) -> String {
        self.url_as(self.admin)
    }

    fn url_as(&self, user: &str) -> String {
        format!("postgres://{user}@{HOST}:{PORT}/{}", self.name)
    }

    /// The id prefix of this database's assets (no credentials).
    pub(crate) fn address(&self) -> String {
        format!("postgres://{HOST}:{PORT}/{}", self.name)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = psql(self.admin, "postgres")
            .args([
                "-c",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .output();
        for role in &self.roles {
            let _ = psql(self.admin, "postgres")
                .args(["-c", &format!("DROP ROLE IF EXISTS {role}")])
                .output();
        }
    }
}

fn assets(inv: &Value) -> &Vec<Value> {
    inv["assets"].as_array().unwrap()
}

/// The asset of `schema.table` (id `postgres://host:port/db/schema.table`).
fn table<'a>(inv: &'a Value, db: &TestDb, qualified: &str) -> &'a Value {
    let id = format!("{}/{qualified}", db.address());
    assets(inv)
        .iter()
        .find(|a| a["id"] == id.as_str())
        .unwrap_or_else(|| {
            let ids: Vec<&str> = assets(inv)
                .iter()
                .map(|a| a["id"].as_str().unwrap())
                .collect();
            panic!("no asset {id}; have {ids:?}")
        })
}

/// Data types reported for `field` of an asset.
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

fn confidence(asset: &Value, field: &str, data_type: &str) -> f64 {
    asset["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["field"] == field)
        .flat_map(|f| f["types"].as_array().unwrap().iter())
        .find(|t| t["data_type"] == data_type)
        .and_then(|t| t["confidence"].as_f64())
        .unwrap_or_else(|| panic!("{field} has no {data_type}: {}", asset["fields"]))
}

fn assert_has(asset: &Value, field: &str, data_type: &str) {
    let t = types(asset, field);
    assert!(
        t.iter().any(|x| x == data_type),
        "{} field {field}: expected {data_type}, got {t:?}",
        asset["id"]
    );
}

fn assert_nothing(asset: &Value, field: &str) {
    let t = types(asset, field);
    assert!(
        t.is_empty(),
        "{} field {field}: expected nothing, got {t:?}",
        asset["id"]
    );
}

fn scan(args: &[&str], code: i32) -> Value {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    json(&all, code)
}

const PII_TABLES: &str = r#"
CREATE TABLE emails (id serial PRIMARY KEY, email text);
INSERT INTO emails (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, 300) g;

CREATE TABLE phones (id serial PRIMARY KEY, phone varchar(30));
INSERT INTO phones (phone) SELECT '+1 415 555 ' || lpad((g % 10000)::text, 4, '0') FROM generate_series(1, 300) g;

CREATE TABLE ssns (id serial PRIMARY KEY, ssn bigint);
INSERT INTO ssns (ssn) SELECT (100 + g % 500)::bigint * 1000000 + (10 + g % 80) * 10000 + 1000 + g FROM generate_series(1, 300) g;

CREATE TABLE cards (id serial PRIMARY KEY, card_number bigint);
INSERT INTO cards (card_number) SELECT (ARRAY[4111111111111111, 5500000000000004, 4012888888881881,
    6011111111111117, 5555555555554444, 4242424242424242, 5105105105105100, 4000056655665556])[1 + g % 8]
  FROM generate_series(1, 300) g;

CREATE TABLE ips (id serial PRIMARY KEY, client inet);
INSERT INTO ips (client) SELECT ('10.' || (g % 250) || '.' || (g % 200) || '.' || (1 + g % 250))::inet FROM generate_series(1, 300) g;

CREATE TABLE macs (id serial PRIMARY KEY, device macaddr);
INSERT INTO macs (device) SELECT ('08:00:2b:' || lpad(to_hex(g % 256), 2, '0') || ':02:' || lpad(to_hex(g % 200), 2, '0'))::macaddr FROM generate_series(1, 300) g;

CREATE TABLE births (id serial PRIMARY KEY, birth_date date, created date);
INSERT INTO births (birth_date, created) SELECT date '1950-01-01' + g * 41, date '2020-01-01' + g FROM generate_series(1, 300) g;

CREATE TABLE names (id serial PRIMARY KEY, first_name text, last_name text);
INSERT INTO names (first_name, last_name)
  SELECT (ARRAY['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda'])[1 + g % 8],
         (ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis'])[1 + g % 7]
  FROM generate_series(1, 300) g;

-- Look-alikes that are not personal data.
CREATE TABLE decoys (order_id bigint, sku text, price numeric(10, 2), token uuid, reference bigint, quantity int);
INSERT INTO decoys SELECT 1000000 + g, 'SKU-' || lpad(g::text, 6, '0'), g * 1.25,
    md5(g::text)::uuid, 1234567812345678 + g * 7919, g % 17
  FROM generate_series(1, 300) g;

-- Nested JSON, arrays, a column named only by its comment, binary data.
CREATE TABLE accounts (id serial PRIMARY KEY, profile jsonb, aliases text[], c1 text, c2 text, photo bytea);
COMMENT ON COLUMN accounts.c1 IS 'customer e-mail address';
INSERT INTO accounts (profile, aliases, c1, c2, photo)
  SELECT jsonb_build_object('contact', jsonb_build_object('email', 'p' || g || '@mail.example.org', 'city', 'Paris'), 'tier', 'gold'),
         ARRAY['a' || g || '@alias.example.com', 'b' || g || '@alias.example.net'],
         'c' || g || '@corp.example.com', 'd' || g || '@corp.example.com', '\x00ff'::bytea
  FROM generate_series(1, 300) g;

-- A partitioned table: scanned once through its parent.
CREATE TABLE visits (id int, email text) PARTITION BY RANGE (id);
CREATE TABLE visits_a PARTITION OF visits FOR VALUES FROM (0) TO (150);
CREATE TABLE visits_b PARTITION OF visits FOR VALUES FROM (150) TO (300);
INSERT INTO visits SELECT g, 'v' || g || '@example.com' FROM generate_series(0, 299) g;

CREATE VIEW email_view AS SELECT email FROM emails;
"#;

#[test]
fn pii_types_decoys_json_arrays_comments_and_partitions() {
    let Some(db) = TestDb::create() else { return };
    db.sql(PII_TABLES);
    let out = tempdir();
    let findings = out.path().join("findings.jsonl");
    let inv = scan(
        &["--db", &db.url(), "--findings", findings.to_str().unwrap()],
        0,
    );

    for (t, field, ty) in [
        ("public.emails", "email", "email"),
        ("public.phones", "phone", "phone"),
        ("public.ssns", "ssn", "ssn"),
        ("public.cards", "card_number", "credit_card"),
        ("public.ips", "client", "ip_address"),
        ("public.macs", "device", "mac_address"),
        ("public.births", "birth_date", "date_of_birth"),
        ("public.names", "first_name", "person_name"),
        ("public.names", "last_name", "person_name"),
        ("public.accounts", "profile.contact.email", "email"),
        ("public.accounts", "aliases", "email"),
        ("public.accounts", "c1", "email"),
        ("public.accounts", "c2", "email"),
        ("public.visits", "email", "email"),
    ] {
        assert_has(table(&inv, &db, t), field, ty);
    }
    let births = table(&inv, &db, "public.births");
    assert_nothing(births, "created");
    let decoys = table(&inv, &db, "public.decoys");
    for field in ["order_id", "sku", "price", "token", "reference", "quantity"] {
        assert_nothing(decoys, field);
    }
    assert!(
        decoys["fields"].as_array().unwrap().is_empty(),
        "{}",
        decoys["fields"]
    );

    let accounts = table(&inv, &db, "public.accounts");
    assert_nothing(accounts, "profile.contact.city");
    assert_nothing(accounts, "profile.tier");
    // The comment is name evidence, but the field keeps the column's name.
    assert!(
        confidence(accounts, "c1", "email") > confidence(accounts, "c2", "email"),
        "the comment on c1 should count as a name hint: {}",
        accounts["fields"]
    );
    assert!(accounts["fields"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["field"].as_str().unwrap().contains("customer")));
    let skipped = &accounts["stats"]["skipped_columns"];
    assert_eq!(skipped[0]["column"], "photo", "{skipped}");
    assert!(skipped[0]["reason"].as_str().unwrap().contains("bytea"));

    // Partitions are read through their parent only; views only with --views.
    let ids: Vec<&str> = assets(&inv)
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.iter()
            .any(|id| id.ends_with("visits_a") || id.ends_with("visits_b")),
        "{ids:?}"
    );
    assert!(!ids.iter().any(|id| id.ends_with("email_view")), "{ids:?}");
    let visits = table(&inv, &db, "public.visits");
    assert_eq!(visits["stats"]["rows_scanned"], 300);

    for a in assets(&inv) {
        assert_eq!(a["kind"], "table");
        assert_eq!(a["format"], "postgres");
        assert_eq!(a["status"], "scanned", "{a}");
        assert!(
            a["stats"]["sampling"]
                .as_str()
                .unwrap()
                .starts_with("all rows"),
            "{a}"
        );
    }

    // Findings: the same format as files, masked, fields named by column or JSON path.
    let lines = std::fs::read_to_string(&findings).unwrap();
    let parsed: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(parsed.iter().any(|f| f["field"] == "profile.contact.email"
        && f["asset"] == format!("{}/public.accounts", db.address()).as_str()));
    assert!(parsed
        .iter()
        .any(|f| f["field"] == "c1" && f["row"].is_u64()));
    assert!(!lines.contains("user7@example.com") && !lines.contains("p7@mail.example.org"));

    let with_views = scan(
        &["--db", &db.url(), "--views", "--include", "public.email*"],
        0,
    );
    let view = table(&with_views, &db, "public.email_view");
    assert_has(view, "email", "email");
    assert!(view["stats"]["sampling"].as_str().unwrap().contains("view"));
}

/// The recipient evidence of `asset` for vendor `id`: `(kind, matched, field)` each.
fn recipient_evidence(asset: &Value, id: &str) -> Vec<(String, String, String)> {
    asset["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == id)
        .flat_map(|r| r["evidence"].as_array().unwrap().iter())
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("kind"), s("matched"), s("field"))
        })
        .collect()
}

/// A column comment is extra name evidence: it must add to what the column's name says
/// (its data types *and* its recipient-catalog hits), never replace it. A commented
/// `stripe_customer_id` is still evidence of Stripe, and a comment naming a vendor's
/// column is evidence too, reported under the column's own name.
#[test]
fn commented_columns_keep_their_recipient_evidence() {
    let Some(db) = TestDb::create() else { return };
    db.sql(
        "CREATE TABLE payments (id serial PRIMARY KEY, stripe_customer_id text, processor_ref text, plain_ref text);
         COMMENT ON COLUMN payments.stripe_customer_id IS 'Stripe customer of the buyer, matched on their email address';
         COMMENT ON COLUMN payments.processor_ref IS 'the stripe_customer_id of the payer';
         INSERT INTO payments (stripe_customer_id, processor_ref, plain_ref)
           SELECT 'cus_' || md5(g::text), 'cus_' || md5((g + 1)::text), 'ref-' || g FROM generate_series(1, 50) g;",
    );
    let inv = scan(&["--db", &db.url()], 0);
    let payments = table(&inv, &db, "public.payments");
    let stripe = recipient_evidence(payments, "stripe");
    for field in ["stripe_customer_id", "processor_ref"] {
        assert!(
            stripe.iter().any(|(kind, matched, f)| kind == "column"
                && matched == "stripe_customer_id"
                && f == field),
            "{field}: expected Stripe column evidence, got {stripe:?} in {}",
            payments["recipients"]
        );
    }
    // Nothing names a vendor for the uncommented column, and fields keep column names.
    assert!(
        stripe.iter().all(|(_, _, f)| f != "plain_ref"),
        "{stripe:?}"
    );
    assert!(payments["fields"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["field"].as_str().unwrap().contains(' ')));
}

#[test]
fn weird_identifiers_are_scanned_correctly_and_harmlessly() {
    let Some(db) = TestDb::create() else { return };
    db.sql(
        r#"
        CREATE SCHEMA "we.ird ""Schéma""";
        CREATE TABLE "we.ird ""Schéma"""."select" ("Mixed Case" text, "a.b" text, "Ünïcødé" text, "select" text, "quo""te" text);
        INSERT INTO "we.ird ""Schéma"""."select"
          SELECT 'm' || g || '@example.com', 'd' || g || '@example.com', 'u' || g || '@example.com',
                 's' || g || '@example.com', 'q' || g || '@example.com' FROM generate_series(1, 20) g;
        CREATE TABLE "x""; DROP TABLE y; --" (email text);
        INSERT INTO "x""; DROP TABLE y; --" SELECT 'x' || g || '@example.com' FROM generate_series(1, 20) g;
        CREATE TABLE "My Table" ("e mail" text);
        INSERT INTO "My Table" SELECT 'e' || g || '@example.com' FROM generate_series(1, 20) g;
        CREATE TABLE y (id int);
        INSERT INTO y VALUES (1);
        "#,
    );
    let inv = scan(&["--db", &db.url()], 0);
    let weird = table(&inv, &db, "we.ird \"Schéma\".select");
    for field in ["Mixed Case", "a.b", "Ünïcødé", "select", "quo\"te"] {
        assert_has(weird, field, "email");
    }
    assert_eq!(weird["stats"]["rows_scanned"], 20);
    assert_has(
        table(&inv, &db, "public.x\"; DROP TABLE y; --"),
        "email",
        "email",
    );
    assert_has(table(&inv, &db, "public.My Table"), "e mail", "email");
    assert_eq!(table(&inv, &db, "public.y")["status"], "scanned");
    // Nothing was dropped or changed.
    assert_eq!(db.value("SELECT count(*) FROM y"), "1");
    assert_eq!(
        db.value(r#"SELECT count(*) FROM "x""; DROP TABLE y; --""#),
        "20"
    );
}

#[test]
fn a_table_the_role_cannot_read_fails_and_the_others_are_scanned() {
    let Some(mut db) = TestDb::create() else {
        return;
    };
    let role = db.role();
    db.sql(&format!(
        "CREATE TABLE open_data (email text);
         INSERT INTO open_data SELECT 'o' || g || '@example.com' FROM generate_series(1, 50) g;
         CREATE TABLE secrets (ssn text, email text);
         INSERT INTO secrets SELECT '123-45-' || lpad(g::text, 4, '0'), 's' || g || '@example.com' FROM generate_series(1, 50) g;
         GRANT SELECT ON open_data TO {role};"
    ));
    let o = run(&["scan", "--db", &db.url_as(&role), "--format", "json"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    let secrets = table(&inv, &db, "public.secrets");
    assert_eq!(secrets["status"], "failed");
    let err = &secrets["errors"][0];
    assert_eq!(err["kind"], "permission");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("permission denied"),
        "{err}"
    );
    assert!(secrets["fields"].as_array().unwrap().is_empty());
    let open = table(&inv, &db, "public.open_data");
    assert_eq!(open["status"], "scanned");
    assert_has(open, "email", "email");
    assert_eq!(inv["scan"]["assets_failed"], 1);
}

/// Tuples the server read from `table` so far (statistics are flushed asynchronously,
/// so wait until they move past `before`).
fn tuples_read(db: &TestDb, table: &str, before: Option<i64>) -> i64 {
    let sql = format!(
        "SELECT coalesce(seq_tup_read, 0) FROM pg_stat_user_tables WHERE relname = '{table}'"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v: i64 = db.value(&sql).parse().unwrap();
        if before.is_none_or(|b| v > b) || Instant::now() > deadline {
            return v;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn sampling_a_million_rows_reads_a_sample_not_the_table() {
    let Some(db) = TestDb::create() else { return };
    db.sql(
        "CREATE TABLE events AS
           SELECT g AS id, 'user' || g || '@example.com' AS email,
                  '123-45-' || lpad((1 + g % 9999)::text, 4, '0') AS ssn, md5(g::text) AS payload
           FROM generate_series(1, 1000000) g;",
    );
    let before = tuples_read(&db, "events", None);
    let out = tempdir();
    let f1 = out.path().join("f1.jsonl");
    let inv = scan(&["--db", &db.url(), "--findings", f1.to_str().unwrap()], 0);
    let after = tuples_read(&db, "events", Some(before));
    let events = table(&inv, &db, "public.events");
    let method = events["stats"]["sampling"].as_str().unwrap();
    assert!(method.starts_with("TABLESAMPLE SYSTEM("), "{method}");
    assert!(
        method.contains("REPEATABLE(0)") && method.contains("LIMIT 10000"),
        "{method}"
    );
    let scanned = events["stats"]["rows_scanned"].as_u64().unwrap();
    assert!((5_000..=10_000).contains(&scanned), "{scanned}");
    assert!(
        events["stats"]["rows"].as_u64().unwrap() > 500_000,
        "an estimate near 1M: {}",
        events["stats"]
    );
    assert_has(events, "email", "email");
    // The server read a few percent of the table, not all of it.
    let read = after - before;
    assert!(
        read > 0 && read < 100_000,
        "tuples read by the sample: {read}"
    );

    // Same seed, same rows.
    let f2 = out.path().join("f2.jsonl");
    let again = scan(&["--db", &db.url(), "--findings", f2.to_str().unwrap()], 0);
    assert_eq!(
        table(&again, &db, "public.events")["stats"]["sampling"],
        method
    );
    let sorted = |p: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        v.sort();
        v
    };
    assert_eq!(sorted(&f1), sorted(&f2));
    assert!(std::fs::read_to_string(&f1)
        .unwrap()
        .contains("\"field\":\"ssn\""));
    // Another seed, other rows (the masked SSNs keep their last four digits).
    let f3 = out.path().join("f3.jsonl");
    let other = scan(
        &[
            "--db",
            &db.url(),
            "--seed",
            "7",
            "--findings",
            f3.to_str().unwrap(),
        ],
        0,
    );
    let m = table(&other, &db, "public.events")["stats"]["sampling"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(m.contains("REPEATABLE(7)"), "{m}");
    assert_ne!(sorted(&f1), sorted(&f3));
}

#[test]
fn full_reads_every_row_and_the_sample_does_not() {
    let Some(db) = TestDb::create() else { return };
    db.sql(
        "CREATE TABLE orders AS
           SELECT g AS id, 'buyer' || g || '@example.com' AS email FROM generate_series(1, 30000) g;
         INSERT INTO orders VALUES (30001, NULL), (30002, E'tab\there\nline buyer30002@example.com');
         ANALYZE orders;",
    );
    let full = scan(&["--db", &db.url(), "--full"], 0);
    let t = table(&full, &db, "public.orders");
    assert_eq!(t["stats"]["rows_scanned"], 30002);
    assert_eq!(t["stats"]["rows"], 30002);
    let method = t["stats"]["sampling"].as_str().unwrap();
    assert!(
        method.starts_with("full: every row, streamed through a read-only cursor")
            && method.contains("rows/s"),
        "{method}"
    );
    // Every value arrives whole: the NULL is no value, the text with a tab and a newline
    // is one value.
    let email = t["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "email")
        .expect("the email column");
    let found = &email["types"][0];
    assert_eq!(found["data_type"], "email");
    assert_eq!(found["matched_values"], 30001, "{found}");
    assert_eq!(full["scan"]["settings"]["full"], "true");

    let sampled = scan(&["--db", &db.url(), "--sample-rows", "1000"], 0);
    let t = table(&sampled, &db, "public.orders");
    let n = t["stats"]["rows_scanned"].as_u64().unwrap();
    assert!((500..=1000).contains(&n), "{n}");
    assert!(t["stats"]["sampling"]
        .as_str()
        .unwrap()
        .contains("TABLESAMPLE"));
}

#[test]
fn a_sample_that_falls_short_on_stale_statistics_is_retried_larger() {
    let Some(db) = TestDb::create() else { return };
    // Statistics say 200,000 rows; after the delete only 2,000 live rows remain (no
    // vacuum), so a TABLESAMPLE sized from the estimate returns far too few rows.
    db.sql(
        "CREATE TABLE stale (id int, email text) WITH (autovacuum_enabled = false);
         INSERT INTO stale SELECT g, 'st' || g || '@example.com' FROM generate_series(1, 200000) g;
         ANALYZE stale;
         DELETE FROM stale WHERE id % 100 <> 0;",
    );
    let inv = scan(&["--db", &db.url(), "--sample-rows", "1000"], 0);
    let t = table(&inv, &db, "public.stale");
    let method = t["stats"]["sampling"].as_str().unwrap();
    assert!(method.starts_with("TABLESAMPLE SYSTEM("), "{method}");
    assert!(
        method.contains("retried with a larger percentage"),
        "{method}"
    );
    let n = t["stats"]["rows_scanned"].as_u64().unwrap();
    assert!((500..=1000).contains(&n), "{n}: {method}");
    assert_has(t, "email", "email");
}

#[test]
fn include_and_exclude_globs_pick_tables_and_columns() {
    let Some(db) = TestDb::create() else { return };
    db.sql(
        "CREATE TABLE keep_users (email text, secret text);
         INSERT INTO keep_users SELECT 'k' || g || '@example.com', 'z' || g || '@example.com' FROM generate_series(1, 20) g;
         CREATE TABLE other (email text);
         INSERT INTO other SELECT 'o' || g || '@example.com' FROM generate_series(1, 20) g;",
    );
    let inv = scan(
        &[
            "--db",
            &db.url(),
            "--include",
            "public.keep_*",
            "--exclude",
            "*.secret",
        ],
        0,
    );
    assert_eq!(assets(&inv).len(), 1, "{}", inv["assets"]);
    let keep = table(&inv, &db, "public.keep_users");
    assert_has(keep, "email", "email");
    assert_nothing(keep, "secret");
    let skipped = &keep["stats"]["skipped_columns"][0];
    assert_eq!(skipped["column"], "secret");
    assert!(skipped["reason"].as_str().unwrap().contains("excluded"));
}

#[test]
fn a_locked_table_times_out_and_the_scan_goes_on() {
    let Some(db) = TestDb::create() else { return };
    db.sql(
        "CREATE TABLE locked (email text);
         INSERT INTO locked SELECT 'l' || g || '@example.com' FROM generate_series(1, 20) g;
         CREATE TABLE free (email text);
         INSERT INTO free SELECT 'f' || g || '@example.com' FROM generate_series(1, 20) g;",
    );
    // Another session holds an ACCESS EXCLUSIVE lock for the duration of the scan.
    let mut holder = psql(db.admin, &db.name)
        .args([
            "-c",
            "BEGIN; LOCK TABLE locked IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120); COMMIT;",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while db.value(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
         WHERE c.relname = 'locked' AND l.mode = 'AccessExclusiveLock' AND l.granted",
    ) != "1"
    {
        assert!(Instant::now() < deadline, "the lock was never taken");
        std::thread::sleep(Duration::from_millis(100));
    }
    let o = run(&[
        "scan",
        "--db",
        &db.url(),
        "--statement-timeout",
        "2",
        "--format",
        "json",
    ]);
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    let locked = table(&inv, &db, "public.locked");
    assert_eq!(locked["status"], "failed");
    assert_eq!(
        locked["errors"][0]["kind"], "timeout",
        "{}",
        locked["errors"]
    );
    assert!(locked["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("lock timeout"));
    assert_has(table(&inv, &db, "public.free"), "email", "email");
}

#[test]
fn a_connection_lost_mid_table_is_retried_once_then_recorded() {
    let Some(db) = TestDb::create() else { return };
    // Reading this view terminates the reading session (as a failover or an admin would).
    db.sql(
        "CREATE SCHEMA flaky;
         CREATE VIEW flaky.killer AS SELECT 'k@example.com' AS email, pg_terminate_backend(pg_backend_pid()) AS gone;
         CREATE TABLE flaky.steady (email text);
         INSERT INTO flaky.steady SELECT 's' || g || '@example.com' FROM generate_series(1, 20) g;",
    );
    let o = run(&[
        "scan",
        "--db",
        &db.url(),
        "--views",
        "--include",
        "flaky.*",
        "--db-concurrency",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    let killer = table(&inv, &db, "flaky.killer");
    assert_eq!(killer["status"], "failed", "{killer}");
    assert_eq!(
        killer["errors"][0]["kind"], "connection",
        "{}",
        killer["errors"]
    );
    assert!(killer["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("after one retry"));
    let steady = table(&inv, &db, "flaky.steady");
    assert_eq!(steady["status"], "scanned");
    assert_has(steady, "email", "email");
}

#[test]
fn sessions_are_read_only_with_timeouts_and_named() {
    use piimap::source::db::postgres::{Connector, SessionSettings};
    use piimap::source::db::url::parse_postgres;
    let Some(db) = TestDb::create() else { return };
    let url = parse_postgres(&db.url()).unwrap();
    let settings = SessionSettings {
        statement_timeout: Duration::from_secs(7),
        connect_timeout: Duration::from_secs(5),
    };
    let connector = Connector::new(url, settings).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let session = connector.connect().await.unwrap();
        let show = |name: &'static str| {
            let client = &session.client;
            async move {
                let row = client
                    .query_one(&format!("SHOW {name}"), &[])
                    .await
                    .unwrap();
                row.get::<_, String>(0)
            }
        };
        assert_eq!(show("default_transaction_read_only").await, "on");
        assert_eq!(show("statement_timeout").await, "7s");
        assert_ne!(show("lock_timeout").await, "0");
        assert_ne!(show("idle_in_transaction_session_timeout").await, "0");
        assert_eq!(show("application_name").await, "piimap");
        let err = session
            .client
            .batch_execute("CREATE TABLE t (x int)")
            .await
            .unwrap_err();
        assert_eq!(err.code().map(|c| c.code()), Some("25006"), "{err:?}");
    });
    assert_eq!(
        db.value("SELECT count(*) FROM pg_tables WHERE tablename = 't'"),
        "0"
    );
}

#[test]
fn credentials_are_never_printed_and_unreachable_servers_fail_fast() {
    if server().is_none() {
        return;
    }
    let out = tempdir();
    let findings = out.path().join("f.jsonl");
    let o = run(&[
        "scan",
        "--db",
        "postgres://postgres:s3cretpw@127.0.0.1:5432/nonexistent_db",
        "--db",
        "postgresql://admin:s3cretpw@127.0.0.1:1/x?sslmode=disable",
        "--db",
        "postgres://u:s3cretpw@127.0.0.1:5432/x?sslmode=bogus",
        "--out",
        out.path().to_str().unwrap(),
        "--findings",
        findings.to_str().unwrap(),
        "--format",
        "json",
        "-v",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let inventory = std::fs::read_to_string(out.path().join("inventory.json")).unwrap();
    for text in [
        stdout(&o),
        stderr(&o),
        inventory,
        std::fs::read_to_string(&findings).unwrap(),
    ] {
        assert!(!text.contains("s3cretpw"), "password leaked: {text}");
        assert!(
            !text.contains("admin:") && !text.contains("postgres:s3"),
            "user info leaked: {text}"
        );
    }
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: BTreeSet<&str> = assets(&inv)
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "postgres://127.0.0.1:1/x",
            "postgres://127.0.0.1:5432/nonexistent_db",
            "postgres://127.0.0.1:5432/x?sslmode=bogus",
        ])
    );
    for a in assets(&inv) {
        assert_eq!(a["status"], "failed");
        assert_eq!(a["kind"], "database");
        assert!(!a["errors"][0]["message"].as_str().unwrap().is_empty());
    }
    let missing = assets(&inv)
        .iter()
        .find(|a| a["id"] == "postgres://127.0.0.1:5432/nonexistent_db")
        .unwrap();
    assert!(missing["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("does not exist"));
    let refused = assets(&inv)
        .iter()
        .find(|a| a["id"] == "postgres://127.0.0.1:1/x")
        .unwrap();
    assert!(refused["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("cannot connect"));
    assert_eq!(
        inv["scan"]["roots"],
        serde_json::json!([
            "postgres://127.0.0.1:5432/nonexistent_db",
            "postgresql://127.0.0.1:1/x?sslmode=disable",
            "postgres://127.0.0.1:5432/x?sslmode=bogus"
        ])
    );

    // A server that never answers: the connect timeout ends it (no assertion on time).
    let o = run(&[
        "scan",
        "--db",
        "postgres://u@10.255.255.1:5432/x?connect_timeout=2",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(assets(&inv)[0]["status"], "failed");
}

#[test]
fn databases_mix_with_files_in_one_run() {
    let Some(db) = TestDb::create() else { return };
    db.sql(
        "CREATE TABLE t (email text); INSERT INTO t VALUES ('a@example.com'), ('b@example.com');",
    );
    let dir = tempdir();
    crate::util::write(
        dir.path(),
        "people.csv",
        "email\nc@example.com\nd@example.com\n",
    );
    let inv = scan(
        &[
            dir.path().to_str().unwrap(),
            "--db",
            &db.url(),
            "--db",
            "postgres://u@127.0.0.1:1/gone",
        ],
        4,
    );
    assert!(assets(&inv)
        .iter()
        .any(|a| a["asset"].as_str().unwrap().ends_with("people.csv") && a["status"] == "scanned"));
    assert_has(table(&inv, &db, "public.t"), "email", "email");
}

pub(crate) fn load_pagila(db: &TestDb) -> bool {
    let (Some(schema), Some(data)) = (
        dataset("pagila/pagila-schema.sql"),
        dataset("pagila/pagila-data.sql.gz"),
    ) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ../shared/datasets/pagila"
        );
        eprintln!("skipping pagila: ../shared/datasets/pagila not found");
        return false;
    };
    db.load(&std::fs::read(schema).unwrap());
    let data = Command::new("gzip").arg("-dc").arg(data).output().unwrap();
    assert!(data.status.success());
    db.load(&data.stdout);
    true
}

fn load_chinook(db: &TestDb) -> bool {
    let Some(script) = dataset("chinook/Chinook_PostgreSql.sql") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ../shared/datasets/chinook"
        );
        eprintln!("skipping chinook: ../shared/datasets/chinook not found");
        return false;
    };
    let text = std::fs::read_to_string(script).unwrap();
    // The upstream script creates and switches to its own database: load it into ours.
    let body: String = text
        .lines()
        .filter(|l| {
            !(l.starts_with("DROP DATABASE")
                || l.starts_with("CREATE DATABASE")
                || l.starts_with("\\c "))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    db.load(body.as_bytes());
    true
}

#[test]
fn pagila_people_are_found_and_the_film_catalogue_is_not() {
    let Some(db) = TestDb::create() else { return };
    if !load_pagila(&db) {
        return;
    }
    let inv = scan(&["--db", &db.url()], 0);
    let customer = table(&inv, &db, "public.customer");
    let staff = table(&inv, &db, "public.staff");
    let address = table(&inv, &db, "public.address");
    for t in [customer, staff] {
        assert_has(t, "email", "email");
        assert_has(t, "first_name", "person_name");
        assert_has(t, "last_name", "person_name");
    }
    assert_has(address, "address", "street_address");
    assert_has(address, "phone", "phone");
    assert_has(address, "postal_code", "postal_code");
    assert_has(staff, "password", "credential");
    let film = table(&inv, &db, "public.film");
    for field in ["title", "description", "release_year", "rating"] {
        assert_nothing(film, field);
    }
    assert_nothing(table(&inv, &db, "public.category"), "name");
    assert_nothing(table(&inv, &db, "public.language"), "name");
    // pagila's payment table is partitioned by month: one asset for the parent.
    let ids: Vec<&str> = assets(&inv)
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().any(|id| id.ends_with("/public.payment")));
    assert!(!ids.iter().any(|id| id.contains("payment_p20")), "{ids:?}");
    let skipped = &staff["stats"]["skipped_columns"];
    assert!(
        skipped
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["column"] == "picture"),
        "{skipped}"
    );
}

#[test]
fn chinook_people_are_found_and_the_music_catalogue_is_not() {
    let Some(db) = TestDb::create() else { return };
    if !load_chinook(&db) {
        return;
    }
    let inv = scan(&["--db", &db.url()], 0);
    for t in ["public.customer", "public.employee"] {
        let a = table(&inv, &db, t);
        assert_has(a, "email", "email");
        assert_has(a, "first_name", "person_name");
        assert_has(a, "last_name", "person_name");
        assert_has(a, "phone", "phone");
        assert_has(a, "address", "street_address");
    }
    assert_has(
        table(&inv, &db, "public.employee"),
        "birth_date",
        "date_of_birth",
    );
    assert_nothing(table(&inv, &db, "public.track"), "name");
    assert_nothing(table(&inv, &db, "public.genre"), "name");
    assert_nothing(table(&inv, &db, "public.album"), "title");
    assert_nothing(table(&inv, &db, "public.media_type"), "name");
}

#[test]
fn a_second_run_with_state_rescans_only_the_changed_table() {
    let Some(db) = TestDb::create() else { return };
    db.sql(
        "CREATE TABLE a (id int, email text); INSERT INTO a SELECT g, 'a' || g || '@example.com' FROM generate_series(1, 50) g;
         CREATE TABLE b (id int, email text); INSERT INTO b SELECT g, 'b' || g || '@example.com' FROM generate_series(1, 50) g;
         CREATE TABLE c (id int, phone text); INSERT INTO c SELECT g, '(415) 555-' || lpad(g::text, 4, '0') FROM generate_series(1, 50) g;",
    );
    // Statistics reach pg_stat_all_tables when the writing session ends; give them a moment.
    std::thread::sleep(Duration::from_millis(1500));
    let dir = tempdir();
    let state = dir.path().join("state.json");
    let url = db.url();
    let first = scan(&["--db", &url, "--state", state.to_str().unwrap()], 0);
    assert_eq!(
        first["scan"]["rescanned"].as_array().unwrap().len(),
        3,
        "{}",
        first["scan"]
    );
    db.sql("INSERT INTO b VALUES (51, 'new@example.com');");
    std::thread::sleep(Duration::from_millis(1500));
    let second = scan(&["--db", &url, "--state", state.to_str().unwrap()], 0);
    let rescanned: Vec<&str> = second["scan"]["rescanned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(rescanned.len(), 1, "{rescanned:?}");
    assert!(rescanned[0].ends_with("public.b: changed"), "{rescanned:?}");
    assert_eq!(
        second["scan"]["carried"].as_array().unwrap().len(),
        2,
        "{}",
        second["scan"]
    );
    // The carried tables keep their results, and nothing leaks the URL's user.
    assert_eq!(assets(&second).len(), 3);
    assert!(!types(table(&second, &db, "public.c"), "phone").is_empty());
}

#[test]
fn sharded_database_scans_merge_to_the_whole() {
    let Some(db) = TestDb::create() else { return };
    let mut sql = String::new();
    for i in 0..8 {
        sql.push_str(&format!("CREATE TABLE t{i} (id int, email text); INSERT INTO t{i} SELECT g, 'u{i}_' || g || '@example.com' FROM generate_series(1, 20) g;\n"));
    }
    db.sql(&sql);
    let url = db.url();
    let whole = scan(&["--db", &url], 0);
    let dir = tempdir();
    let mut parts = Vec::new();
    let mut total = 0;
    for k in 0..3 {
        let out = dir.path().join(format!("p{k}"));
        let shard = format!("{k}/3");
        let part = scan(
            &[
                "--db",
                &url,
                "--shard",
                &shard,
                "--out",
                out.to_str().unwrap(),
            ],
            0,
        );
        total += assets(&part).len();
        parts.push(out.join("inventory.json").display().to_string());
    }
    assert_eq!(total, 8, "each table in exactly one shard");
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["--format", "json"]);
    let merged = json(&args, 0);
    let ids = |v: &Value| -> Vec<String> {
        assets(v)
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&merged), ids(&whole));
    assert_eq!(merged["summary"], whole["summary"]);
}

#[test]
fn no_raw_value_from_a_table_leaks_into_any_output() {
    let Some(db) = TestDb::create() else { return };
    db.sql(
        "CREATE TABLE people (id int, full_name text, email text, ssn text, card text, phone text, notes text);
         INSERT INTO people SELECT g,
             (ARRAY['Mary','James','Linda','Robert'])[1 + g % 4] || ' ' || (ARRAY['Smith','Jones','Brown','Davis'])[1 + g % 4],
             'leak' || g || '@example.com',
             lpad((200 + g)::text, 3, '0') || '-' || lpad((10 + g % 80)::text, 2, '0') || '-' || lpad((1000 + g)::text, 4, '0'),
             '4111111111111111',
             '(415) 555-' || lpad((1000 + g)::text, 4, '0'),
             'call leak' || g || '@example.com about card 4242 4242 4242 4242'
           FROM generate_series(1, 200) g;",
    );
    let raw: Vec<String> = (1..=200)
        .flat_map(|g| {
            vec![
                format!("leak{g}@example.com"),
                format!("{:03}-{:02}-{:04}", 200 + g, 10 + g % 80, 1000 + g),
                format!("(415) 555-{:04}", 1000 + g),
            ]
        })
        .chain([
            "4111111111111111".to_string(),
            "4242 4242 4242 4242".to_string(),
        ])
        .collect();
    let dir = tempdir();
    let out = dir.path().join("out");
    let findings = dir.path().join("findings.jsonl");
    let url = db.url();
    let mut texts = Vec::new();
    for format in ["json", "table"] {
        let o = crate::util::bin()
            .args([
                "scan",
                "--db",
                &url,
                "-vv",
                "--out",
                out.to_str().unwrap(),
                "--findings",
                findings.to_str().unwrap(),
                "--format",
                format,
            ])
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        texts.push(stdout(&o));
        texts.push(stderr(&o));
    }
    for f in ["inventory.json", "inventory.csv", "inventory.md"] {
        texts.push(std::fs::read_to_string(out.join(f)).unwrap());
    }
    texts.push(
        String::from_utf8_lossy(&std::fs::read(out.join("inventory.parquet")).unwrap())
            .into_owned(),
    );
    let lines = std::fs::read_to_string(&findings).unwrap();
    assert!(lines.lines().count() >= 800, "findings were written");
    texts.push(lines);
    for t in &texts {
        for v in &raw {
            assert!(
                !t.contains(v.as_str()),
                "a raw value from the table leaked into an output"
            );
        }
    }
}
