//! `piimap scan --db mysql://…` against the real MariaDB server on 127.0.0.1:3306 (root,
//! no password; `.ci/services` starts it). Every test creates its own throwaway database
//! (and users), dropped by a guard even when the test fails; sakila is loaded once into
//! `piimap_sakila` and kept. Without a server the tests fail: they never skip.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{dataset, json, run, stderr, stdout, tempdir};

const HOST: &str = "127.0.0.1";
const PORT: u16 = 3306;
const SAKILA: &str = "piimap_sakila";

/// The command-line client (`mariadb`, or `mysql` where that is its name).
pub(crate) fn client() -> Command {
    static NAME: OnceLock<&str> = OnceLock::new();
    let name = NAME.get_or_init(|| {
        if Command::new("mariadb").arg("--version").output().is_ok() {
            "mariadb"
        } else {
            "mysql"
        }
    });
    let mut c = Command::new(name);
    c.args(["-h", HOST, "-P", &PORT.to_string(), "-u", "root"])
        .args(["--batch", "--skip-column-names", "--connect-timeout=5"])
        .env_remove("MYSQL_PWD");
    c
}

/// Runs SQL as root (any number of statements), asserting it worked.
fn sql(db: Option<&str>, text: &str) {
    let mut c = client();
    if let Some(db) = db {
        c.arg(db);
    }
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the mariadb client runs");
    let mut stdin = child.stdin.take().unwrap();
    let script = text.as_bytes().to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&script));
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        o.status.success(),
        "{}\n{}",
        &text[..text.len().min(2000)],
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The single value a query returns.
fn value(db: &str, query: &str) -> String {
    let o = client().args([db, "-e", query]).output().unwrap();
    assert!(
        o.status.success(),
        "{query}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Asserts the server answers (once); a missing server fails the test.
fn server() {
    static UP: OnceLock<Result<(), String>> = OnceLock::new();
    let up = UP.get_or_init(|| match client().args(["-e", "SELECT 1"]).output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(String::from_utf8_lossy(&o.stderr).into_owned()),
        Err(e) => Err(format!("no mariadb/mysql client: {e}")),
    });
    if let Err(why) = up {
        panic!("the MySQL tests need MariaDB on {HOST}:{PORT} (.ci/services starts it): {why}");
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A throwaway database (and users), dropped on drop, even when the test panics.
pub(crate) struct TestDb {
    pub(crate) name: String,
    users: Vec<String>,
}

impl TestDb {
    pub(crate) fn create() -> TestDb {
        server();
        let name = format!(
            "piimap_t_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        sql(
            None,
            &format!(
                "DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name} CHARACTER SET utf8mb4;"
            ),
        );
        TestDb {
            name,
            users: Vec::new(),
        }
    }

    pub(crate) fn sql(&self, text: &str) {
        sql(Some(&self.name), text);
    }

    pub(crate) fn value(&self, query: &str) -> String {
        value(&self.name, query)
    }

    /// A login user without privileges (dropped with the database).
    fn user(&mut self) -> String {
        let user = format!("{}_u{}", self.name, self.users.len());
        sql(
            None,
            &format!("CREATE USER '{user}'@'%'; CREATE USER '{user}'@'localhost';"),
        );
        self.users.push(user.clone());
        user
    }

    pub(crate) fn url(&self) -> String {
        self.url_as("root")
    }

    fn url_as(&self, user: &str) -> String {
        format!("mysql://{user}@{HOST}:{PORT}/{}", self.name)
    }

    fn address(&self) -> String {
        format!("mysql://{HOST}:{PORT}/{}", self.name)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = client()
            .args(["-e", &format!("DROP DATABASE IF EXISTS {}", self.name)])
            .output();
        for u in &self.users {
            let _ = client()
                .args([
                    "-e",
                    &format!("DROP USER IF EXISTS '{u}'@'%', '{u}'@'localhost'"),
                ])
                .output();
        }
    }
}

/// Loads `../shared/datasets/sakila_mysql` into the database `name` (dropped and
/// created again by the upstream script, which creates and uses `sakila`).
pub(crate) fn load_sakila_into(name: &str) {
    server();
    let schema = dataset("sakila_mysql/sakila-mv-schema.sql")
        .expect("../shared/datasets/sakila_mysql/sakila-mv-schema.sql");
    let data = dataset("sakila_mysql/sakila-mv-data.sql.gz")
        .expect("../shared/datasets/sakila_mysql/sakila-mv-data.sql.gz");
    let rename = |text: &str| {
        text.replace(
            "DROP SCHEMA IF EXISTS sakila;",
            &format!("DROP SCHEMA IF EXISTS {name};"),
        )
        .replace("CREATE SCHEMA sakila;", &format!("CREATE SCHEMA {name};"))
        .replace("USE sakila;", &format!("USE {name};"))
        .replace("sakila.", &format!("{name}."))
    };
    sql(None, &rename(&std::fs::read_to_string(schema).unwrap()));
    let o = Command::new("gzip").arg("-dc").arg(data).output().unwrap();
    assert!(o.status.success());
    sql(None, &rename(&String::from_utf8(o.stdout).unwrap()));
}

/// Loads `../shared/datasets/sakila_mysql` into `piimap_sakila` once: idempotent (the
/// table counts say whether a complete load is there) and safe for parallel tests and
/// parallel test processes (a `OnceLock` and an exclusive lock on a file).
fn sakila() -> &'static str {
    static LOADED: OnceLock<()> = OnceLock::new();
    LOADED.get_or_init(|| {
        server();
        let lock = std::fs::File::create(std::env::temp_dir().join("piimap-sakila-load.lock")).unwrap();
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a file descriptor this function owns; released when it closes.
        assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
        let complete = || {
            value(
                "information_schema",
                &format!(
                    "SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{SAKILA}') = 23 \
                     AND (SELECT COUNT(*) FROM {SAKILA}.rental) = 16044 AND (SELECT COUNT(*) FROM {SAKILA}.payment) = 16049 \
                     AND (SELECT COUNT(*) FROM {SAKILA}.store) = 2"
                ),
            ) == "1"
        };
        let exists = value(
            "information_schema",
            &format!("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{SAKILA}'"),
        ) == "1";
        if !(exists && complete()) {
            load_sakila_into(SAKILA);
            assert!(complete(), "sakila did not load completely");
        }
        drop(lock);
    });
    SAKILA
}

fn assets(inv: &Value) -> &Vec<Value> {
    inv["assets"].as_array().unwrap()
}

/// The asset `id`.
fn asset<'a>(inv: &'a Value, id: &str) -> &'a Value {
    assets(inv)
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| {
            let ids: Vec<&str> = assets(inv)
                .iter()
                .map(|a| a["id"].as_str().unwrap())
                .collect();
            panic!("no asset {id}; have {ids:?}")
        })
}

/// The asset of table `name` of the test database.
fn table<'a>(inv: &'a Value, db: &TestDb, name: &str) -> &'a Value {
    asset(inv, &format!("{}/{}.{name}", db.address(), db.name))
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

fn skipped(asset: &Value, column: &str) -> String {
    asset["stats"]["skipped_columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["column"] == column)
        .and_then(|s| s["reason"].as_str())
        .unwrap_or_else(|| panic!("{column} not skipped: {}", asset["stats"]))
        .to_string()
}

fn scan(args: &[&str], code: i32) -> Value {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    json(&all, code)
}

#[test]
fn sakila_people_and_addresses_are_found_and_the_film_catalogue_is_not() {
    let db = sakila();
    let url = format!("mysql://root@{HOST}:{PORT}/{db}");
    let inv = scan(&["--db", &url], 0);
    let t = |name: &str| asset(&inv, &format!("mysql://{HOST}:{PORT}/{db}/{db}.{name}"));
    for people in ["customer", "staff", "actor"] {
        assert_has(t(people), "first_name", "person_name");
        assert_has(t(people), "last_name", "person_name");
    }
    for people in ["customer", "staff"] {
        assert_has(t(people), "email", "email");
    }
    assert_has(t("staff"), "password", "credential");
    assert_has(t("address"), "address", "street_address");
    assert_has(t("address"), "phone", "phone");
    assert_has(t("address"), "postal_code", "postal_code");
    // The staff photos are binary: recorded, not examined.
    assert!(skipped(t("staff"), "picture").contains("binary"));
    // The catalogue holds no personal data.
    for catalogue in [
        "film",
        "film_text",
        "category",
        "language",
        "film_category",
        "film_actor",
        "inventory",
        "store",
        "country",
        "city",
    ] {
        let a = t(catalogue);
        assert_eq!(a["status"], "scanned", "{a}");
        assert!(
            a["fields"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["types"].as_array().unwrap().is_empty()),
            "{catalogue}: {}",
            a["fields"]
        );
    }
    for a in assets(&inv) {
        assert_eq!(a["format"], "mysql");
        assert_eq!(a["kind"], "table");
    }
    // The big tables are sampled by key ranges, the small ones read whole.
    for big in ["rental", "payment"] {
        let m = t(big)["stats"]["sampling"].as_str().unwrap();
        assert!(m.contains("primary-key ranges"), "{m}");
        assert_eq!(t(big)["stats"]["rows_scanned"], 10_000);
    }
    assert_eq!(t("customer")["stats"]["rows_scanned"], 599);
    // Views only with --views.
    assert!(!assets(&inv)
        .iter()
        .any(|a| a["id"].as_str().unwrap().ends_with("customer_list")));
    let with_views = scan(
        &[
            "--db",
            &url,
            "--views",
            "--include",
            &format!("{db}.customer_list"),
        ],
        0,
    );
    let view = asset(
        &with_views,
        &format!("mysql://{HOST}:{PORT}/{db}/{db}.customer_list"),
    );
    assert_has(view, "phone", "phone");
    assert!(view["stats"]["sampling"].as_str().unwrap().contains("view"));
}

const PII_TABLES: &str = r#"
CREATE TABLE people (
  id INT AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(100),
  phone CHAR(20),
  ssn BIGINT,
  card_number BIGINT UNSIGNED,
  birth_date DATE,
  created DATETIME,
  tier ENUM('gold','silver','bronze'),
  aliases SET('a@alias.example.com','b@alias.example.net','c@alias.example.org'),
  profile JSON,
  c1 TEXT COMMENT 'customer e-mail address',
  c2 TEXT,
  latin LONGTEXT CHARACTER SET latin1,
  note_blob BLOB,
  photo MEDIUMBLOB,
  opening TIME,
  flags BIT(8),
  location POINT,
  token BINARY(16),
  amount DECIMAL(10,2)
) CHARACTER SET utf8mb4;
INSERT INTO people (email, phone, ssn, card_number, birth_date, created, tier, aliases, profile, c1, c2, latin, note_blob, photo, opening, flags, location, token, amount)
SELECT CONCAT('user', seq, '@example.com'),
       CONCAT('+1 415 555 ', LPAD(seq % 10000, 4, '0')),
       (100 + seq % 500) * 1000000 + (10 + seq % 80) * 10000 + 1000 + seq,
       ELT(1 + seq % 4, 4111111111111111, 5500000000000004, 4012888888881881, 6011111111111117),
       DATE '1950-01-01' + INTERVAL seq * 41 DAY,
       TIMESTAMP '2020-01-01 10:00:00' + INTERVAL seq HOUR,
       ELT(1 + seq % 3, 'gold', 'silver', 'bronze'),
       'a@alias.example.com,c@alias.example.org',
       JSON_OBJECT('contact', JSON_OBJECT('email', CONCAT('p', seq, '@mail.example.org'), 'city', 'Paris'), 'tier', 'gold'),
       CONCAT('c', seq, '@corp.example.com'),
       CONCAT('d', seq, '@corp.example.com'),
       CONCAT('José Müller ', seq, ' <jm', seq, '@example.de>'),
       CAST(CONCAT('contact: b', seq, '@blob.example.com') AS BINARY),
       UNHEX('FFD8FFE000104A464946000101'),
       '10:30:00', b'10101010', POINT(seq, seq),
       UNHEX(MD5(seq)), seq * 1.25
FROM seq_1_to_300;

CREATE TABLE decoys (order_id BIGINT PRIMARY KEY, sku VARCHAR(20), price DECIMAL(10,2), token CHAR(36), quantity INT);
INSERT INTO decoys SELECT 1000000 + seq, CONCAT('SKU-', LPAD(seq, 6, '0')), seq * 1.25, UUID(), seq % 17 FROM seq_1_to_300;

CREATE VIEW email_view AS SELECT email FROM people;
"#;

#[test]
fn types_json_enum_set_blobs_charsets_comments_and_skipped_columns() {
    let db = TestDb::create();
    db.sql(PII_TABLES);
    let inv = scan(&["--db", &db.url()], 0);
    let people = table(&inv, &db, "people");
    assert_eq!(people["status"], "scanned", "{people}");
    for (field, ty) in [
        ("email", "email"),
        ("phone", "phone"),
        ("ssn", "ssn"),
        ("card_number", "credit_card"),
        ("birth_date", "date_of_birth"),
        ("profile.contact.email", "email"),
        ("aliases", "email"),
        ("c1", "email"),
        ("c2", "email"),
        ("latin", "email"),
        ("note_blob", "email"),
    ] {
        assert_has(people, field, ty);
    }
    assert_nothing(people, "created");
    assert_nothing(people, "tier");
    assert_nothing(people, "amount");
    assert_nothing(people, "profile.contact.city");
    assert_nothing(people, "profile.tier");
    assert!(
        confidence(people, "c1", "email") > confidence(people, "c2", "email"),
        "the comment on c1 is a name hint: {}",
        people["fields"]
    );
    assert!(people["fields"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["field"].as_str().unwrap().contains("customer")));
    assert!(skipped(people, "location").contains("spatial"));
    assert!(skipped(people, "opening").contains("time"));
    assert!(skipped(people, "flags").contains("bit"));
    assert!(skipped(people, "photo").contains("300 binary values"));
    assert!(skipped(people, "token").contains("binary values"));
    let decoys = table(&inv, &db, "decoys");
    assert!(
        decoys["fields"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["types"].as_array().unwrap().is_empty()),
        "{}",
        decoys["fields"]
    );
    assert!(!assets(&inv)
        .iter()
        .any(|a| a["id"].as_str().unwrap().ends_with("email_view")));
    let with_views = scan(
        &["--db", &db.url(), "--views", "--include", "*.email_view"],
        0,
    );
    assert_has(table(&with_views, &db, "email_view"), "email", "email");
}

#[test]
fn weird_identifiers_are_scanned_correctly_and_harmlessly() {
    let db = TestDb::create();
    db.sql(
        "CREATE TABLE `sel``ect` (`Mixed Case` TEXT, `a.b` TEXT, `Ünïcødé` TEXT, `select` TEXT, `quo\"te` TEXT, `back``tick` TEXT, `it's` TEXT);
         INSERT INTO `sel``ect` SELECT CONCAT('m', seq, '@example.com'), CONCAT('d', seq, '@example.com'), CONCAT('u', seq, '@example.com'),
                CONCAT('s', seq, '@example.com'), CONCAT('q', seq, '@example.com'), CONCAT('b', seq, '@example.com'), CONCAT('i', seq, '@example.com') FROM seq_1_to_20;
         CREATE TABLE `x``; DROP TABLE y; --` (email TEXT);
         INSERT INTO `x``; DROP TABLE y; --` SELECT CONCAT('x', seq, '@example.com') FROM seq_1_to_20;
         CREATE TABLE `My Table` (`e mail` TEXT);
         INSERT INTO `My Table` SELECT CONCAT('e', seq, '@example.com') FROM seq_1_to_20;
         CREATE TABLE y (id INT);
         INSERT INTO y VALUES (1);",
    );
    let inv = scan(&["--db", &db.url()], 0);
    let weird = table(&inv, &db, "sel`ect");
    for field in [
        "Mixed Case",
        "a.b",
        "Ünïcødé",
        "select",
        "quo\"te",
        "back`tick",
        "it's",
    ] {
        assert_has(weird, field, "email");
    }
    assert_eq!(weird["stats"]["rows_scanned"], 20);
    assert_has(table(&inv, &db, "x`; DROP TABLE y; --"), "email", "email");
    assert_has(table(&inv, &db, "My Table"), "e mail", "email");
    assert_eq!(table(&inv, &db, "y")["status"], "scanned");
    assert_eq!(db.value("SELECT COUNT(*) FROM y"), "1");
    assert_eq!(
        db.value("SELECT COUNT(*) FROM `x``; DROP TABLE y; --`"),
        "20"
    );
}

#[test]
fn a_table_the_user_cannot_read_fails_and_the_others_are_scanned() {
    let mut db = TestDb::create();
    let user = db.user();
    // SELECT on one table only. REFERENCES (which reads nothing) makes `secrets` visible
    // in information_schema, as any privilege does; a table with no privilege at all is
    // invisible to the user and so not reported.
    db.sql(&format!(
        "CREATE TABLE open_data (email TEXT);
         INSERT INTO open_data SELECT CONCAT('o', seq, '@example.com') FROM seq_1_to_50;
         CREATE TABLE secrets (ssn TEXT, email TEXT);
         INSERT INTO secrets SELECT CONCAT('123-45-', LPAD(seq, 4, '0')), CONCAT('s', seq, '@example.com') FROM seq_1_to_50;
         CREATE TABLE hidden (email TEXT);
         GRANT SELECT ON {0}.open_data TO '{user}'@'%', '{user}'@'localhost';
         GRANT REFERENCES ON {0}.secrets TO '{user}'@'%', '{user}'@'localhost';",
        db.name
    ));
    let o = run(&["scan", "--db", &db.url_as(&user), "--format", "json"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    let secrets = table(&inv, &db, "secrets");
    assert_eq!(secrets["status"], "failed");
    let err = &secrets["errors"][0];
    assert_eq!(err["kind"], "permission", "{err}");
    assert!(err["message"].as_str().unwrap().contains("denied"), "{err}");
    assert!(secrets["fields"].as_array().unwrap().is_empty());
    let open = table(&inv, &db, "open_data");
    assert_eq!(open["status"], "scanned");
    assert_has(open, "email", "email");
    assert_eq!(inv["scan"]["assets_failed"], 1);
    assert_eq!(assets(&inv).len(), 2, "{}", inv["assets"]);
}

/// Waits until the server shows a session in `state` (a lock held, a wait begun).
fn wait_for_process(state_like: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while value(
        "information_schema",
        &format!(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '{state_like}'"
        ),
    ) == "0"
    {
        assert!(Instant::now() < deadline, "no session doing {state_like}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_locked_table_and_a_slow_view_time_out_and_the_scan_goes_on() {
    let db = TestDb::create();
    db.sql(
        "CREATE TABLE locked (email TEXT);
         INSERT INTO locked SELECT CONCAT('l', seq, '@example.com') FROM seq_1_to_20;
         CREATE TABLE free (email TEXT);
         INSERT INTO free SELECT CONCAT('f', seq, '@example.com') FROM seq_1_to_20;
         CREATE VIEW slow AS SELECT CONCAT('v', SLEEP(30), '@example.com') AS email;",
    );
    // Another session holds a write lock on `locked` for the duration of the scan.
    let mut holder = client()
        .arg(&db.name)
        .args([
            "-e",
            "LOCK TABLES locked WRITE; SELECT SLEEP(120) /* piimap-lock-holder */; UNLOCK TABLES;",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_process("%piimap-lock-holder%");
    let started = Instant::now();
    let o = run(&[
        "scan",
        "--db",
        &db.url(),
        "--views",
        "--statement-timeout",
        "2",
        "--format",
        "json",
    ]);
    let took = started.elapsed();
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(took < Duration::from_secs(25), "the scan hung: {took:?}");
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    let locked = table(&inv, &db, "locked");
    assert_eq!(locked["status"], "failed", "{locked}");
    assert_eq!(
        locked["errors"][0]["kind"], "timeout",
        "{}",
        locked["errors"]
    );
    assert!(
        locked["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Lock wait timeout"),
        "{}",
        locked["errors"]
    );
    let slow = table(&inv, &db, "slow");
    assert_eq!(slow["status"], "failed", "{slow}");
    assert_eq!(slow["errors"][0]["kind"], "timeout", "{}", slow["errors"]);
    assert_has(table(&inv, &db, "free"), "email", "email");
}

#[test]
fn big_tables_are_sampled_by_seeded_key_ranges_and_full_reads_every_row() {
    let db = TestDb::create();
    db.sql(
        "CREATE TABLE events (id INT PRIMARY KEY, email VARCHAR(64), ssn CHAR(11)) ENGINE=InnoDB;
         INSERT INTO events SELECT seq * 3, CONCAT('user', seq, '@example.com'), CONCAT('123-45-', LPAD(1 + seq % 9999, 4, '0')) FROM seq_1_to_200000;
         CREATE TABLE nokey (email VARCHAR(64), note TEXT) ENGINE=InnoDB;
         INSERT INTO nokey SELECT CONCAT('nk', seq, '@example.com'), 'x' FROM seq_1_to_30000;
         ANALYZE TABLE events, nokey;",
    );
    let out = tempdir();
    let url = db.url();
    let findings = |name: &str, extra: &[&str]| -> (Value, Vec<String>) {
        let f = out.path().join(name);
        let mut args = vec![
            "--db",
            url.as_str(),
            "--sample-rows",
            "2000",
            "--findings",
            f.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let inv = scan(&args, 0);
        let mut lines: Vec<String> = std::fs::read_to_string(&f)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        lines.sort();
        (inv, lines)
    };
    let started = Instant::now();
    let (inv, f1) = findings("f1.jsonl", &[]);
    let sample_time = started.elapsed();
    let events = table(&inv, &db, "events");
    let method = events["stats"]["sampling"].as_str().unwrap();
    assert!(
        method.contains("primary-key ranges") && method.contains("seed 0"),
        "{method}"
    );
    let n = events["stats"]["rows_scanned"].as_u64().unwrap();
    assert!((1_500..=2_000).contains(&n), "{n}: {method}");
    assert!(
        events["stats"]["rows"].as_u64().unwrap() > 100_000,
        "{}",
        events["stats"]
    );
    assert_has(events, "email", "email");
    let nokey = table(&inv, &db, "nokey");
    let m = nokey["stats"]["sampling"].as_str().unwrap();
    assert!(m.contains("seeded CRC32 of the row's values"), "{m}");
    assert_eq!(nokey["stats"]["rows_scanned"], 2000);

    // The same seed gives the same rows; another seed others.
    let (again, f2) = findings("f2.jsonl", &[]);
    assert_eq!(table(&again, &db, "events")["stats"]["sampling"], method);
    assert_eq!(f1, f2);
    let (other, f3) = findings("f3.jsonl", &["--seed", "7"]);
    assert!(table(&other, &db, "events")["stats"]["sampling"]
        .as_str()
        .unwrap()
        .contains("seed 7"));
    assert_ne!(f1, f3);

    // --full reads every row.
    let full = scan(&["--db", &db.url(), "--full"], 0);
    let t = table(&full, &db, "events");
    assert_eq!(t["stats"]["rows_scanned"], 200_000);
    assert_eq!(t["stats"]["rows"], 200_000);
    let m = t["stats"]["sampling"].as_str().unwrap();
    assert!(
        m.starts_with("full: every row") && m.contains("rows/s"),
        "{m}"
    );
    assert_eq!(table(&full, &db, "nokey")["stats"]["rows_scanned"], 30_000);
    eprintln!("sampled scan {sample_time:?}");
}

#[test]
fn a_second_run_with_state_rescans_only_the_changed_table() {
    let db = TestDb::create();
    db.sql(
        "CREATE TABLE a (id INT PRIMARY KEY, email TEXT); INSERT INTO a SELECT seq, CONCAT('a', seq, '@example.com') FROM seq_1_to_50;
         CREATE TABLE b (id INT PRIMARY KEY, email TEXT); INSERT INTO b SELECT seq, CONCAT('b', seq, '@example.com') FROM seq_1_to_50;
         CREATE TABLE c (id INT PRIMARY KEY, phone TEXT); INSERT INTO c SELECT seq, CONCAT('(415) 555-', LPAD(seq, 4, '0')) FROM seq_1_to_50;",
    );
    // A write in the last seconds is never carried (UPDATE_TIME has 1 s granularity).
    std::thread::sleep(Duration::from_millis(2500));
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
    std::thread::sleep(Duration::from_millis(2500));
    let second = scan(&["--db", &url, "--state", state.to_str().unwrap()], 0);
    let rescanned: Vec<&str> = second["scan"]["rescanned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(rescanned.len(), 1, "{rescanned:?}");
    assert!(rescanned[0].ends_with(".b: changed"), "{rescanned:?}");
    assert_eq!(
        second["scan"]["carried"].as_array().unwrap().len(),
        2,
        "{}",
        second["scan"]
    );
    assert_eq!(assets(&second).len(), 3);
    assert!(!types(table(&second, &db, "c"), "phone").is_empty());
}

#[test]
fn a_manifest_source_of_kind_mysql_is_scanned() {
    let db = TestDb::create();
    db.sql("CREATE TABLE customers (id INT PRIMARY KEY, email TEXT); INSERT INTO customers SELECT seq, CONCAT('m', seq, '@example.com') FROM seq_1_to_30;");
    let dir = tempdir();
    let manifest = crate::util::write(
        dir.path(),
        "piimap.toml",
        "[sources.shop]\nkind = \"mysql\"\nurl = \"env:PIIMAP_TEST_SHOP_URL\"\ndata_types = [\"email\"]\n",
    );
    let o = crate::util::bin()
        .args([
            "scan",
            "--config",
            manifest.to_str().unwrap(),
            "--format",
            "json",
        ])
        .env("PIIMAP_TEST_SHOP_URL", db.url())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_has(table(&inv, &db, "customers"), "email", "email");
}

#[test]
fn credentials_are_never_printed_and_failures_are_filed_as_mysql() {
    server();
    let out = tempdir();
    let o = crate::util::bin()
        .args([
            "scan",
            "--db",
            "mysql://root:s3cretpw@127.0.0.1:3306/test",
            "--db",
            "mariadb://admin:s3cretpw@127.0.0.1:1/x?ssl-mode=DISABLED",
            "--db",
            "mysql://root@127.0.0.1:3306/x?ssl-mode=bogus&password=s3cretpw",
            "--db",
            "mysql://nobody_piimap@127.0.0.1:3306/test",
            "--db",
            "oracle://u:s3cretpw@127.0.0.1/x",
            "--db",
            "mysql://root@127.0.0.1:3306/mysql?ssl-mode=REQUIRED",
            "--out",
            out.path().to_str().unwrap(),
            "--format",
            "json",
            "-vv",
        ])
        .env("MYSQL_PWD", "s3cretpw")
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let inventory = std::fs::read_to_string(out.path().join("inventory.json")).unwrap();
    for text in [stdout(&o), stderr(&o), inventory] {
        assert!(!text.contains("s3cretpw"), "password leaked: {text}");
        assert!(
            !text.contains("admin:") && !text.contains("root:s3"),
            "user info leaked"
        );
    }
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    let formats: Vec<(&str, &str, &str)> = assets(&inv)
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap(),
                a["format"].as_str().unwrap(),
                a["status"].as_str().unwrap(),
            )
        })
        .collect();
    for (id, format, status) in &formats {
        assert_eq!(*status, "failed", "{id}");
        assert_eq!(
            *format,
            if id.starts_with("oracle") {
                "oracle"
            } else {
                "mysql"
            },
            "{id}"
        );
    }
    let auth = asset(&inv, "mysql://127.0.0.1:3306/test");
    assert!(
        auth["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Access denied"),
        "{auth}"
    );
    // This server has no TLS: REQUIRED refuses to go on in plain (PREFERRED, the default
    // every other test uses, falls back to plain).
    let tls = asset(&inv, "mysql://127.0.0.1:3306/mysql");
    assert!(
        tls["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("does not support TLS"),
        "{tls}"
    );
    let refused = asset(&inv, "mariadb://127.0.0.1:1/x");
    assert!(refused["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("cannot connect"));
}

#[test]
fn sessions_are_read_only_with_timeouts() {
    use mysql_async::prelude::Queryable;
    use piimap::source::db::mysql::{parse, Connector, SessionSettings};
    let db = TestDb::create();
    let settings = SessionSettings {
        statement_timeout: Duration::from_secs(7),
        connect_timeout: Duration::from_secs(5),
    };
    let connector = Connector::new(parse(&db.url()).unwrap(), settings).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut s = connector.connect().await.unwrap();
        assert!(s.mariadb, "{}", s.version);
        let row: (String, String, String, String) = s
            .conn
            .query_first("SELECT @@session.tx_read_only, @@session.max_statement_time, @@session.lock_wait_timeout, @@character_set_client")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.0, "1");
        assert!(row.1.starts_with('7'), "{row:?}");
        assert_eq!(row.2, "3");
        assert_eq!(row.3, "utf8mb4");
        let err = s.conn.query_drop("CREATE TABLE t (x INT)").await.unwrap_err();
        assert!(err.to_string().contains("READ ONLY"), "{err}");
        let _ = s.conn.disconnect().await;
    });
    assert_eq!(
        db.value(&format!(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{}'",
            db.name
        )),
        "0"
    );
}

#[test]
fn no_raw_value_from_a_table_leaks_into_any_output() {
    let db = TestDb::create();
    db.sql(
        "CREATE TABLE people (id INT PRIMARY KEY, full_name TEXT, email TEXT, ssn TEXT, card TEXT, phone TEXT, notes TEXT, doc JSON);
         INSERT INTO people SELECT seq,
             CONCAT(ELT(1 + seq % 4, 'Mary', 'James', 'Linda', 'Robert'), ' ', ELT(1 + seq % 4, 'Smith', 'Jones', 'Brown', 'Davis')),
             CONCAT('leak', seq, '@example.com'),
             CONCAT(LPAD(200 + seq, 3, '0'), '-', LPAD(10 + seq % 80, 2, '0'), '-', LPAD(1000 + seq, 4, '0')),
             '4111111111111111',
             CONCAT('(415) 555-', LPAD(1000 + seq, 4, '0')),
             CONCAT('call leak', seq, '@example.com about card 4242 4242 4242 4242'),
             JSON_OBJECT('contact', CONCAT('leak', seq, '@example.com'))
           FROM seq_1_to_200;",
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
    let sarif = dir.path().join("findings.sarif");
    let mut texts = Vec::new();
    for (format, findings, findings_format) in
        [("json", &findings, "jsonl"), ("table", &sarif, "sarif")]
    {
        let o = crate::util::bin()
            .args([
                "scan",
                "--db",
                &db.url(),
                "-vv",
                "--out",
                out.to_str().unwrap(),
                "--findings",
                findings.to_str().unwrap(),
                "--findings-format",
                findings_format,
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
    texts.push(std::fs::read_to_string(&sarif).unwrap());
    for t in &texts {
        for v in &raw {
            assert!(
                !t.contains(v.as_str()),
                "a raw value from the table leaked into an output"
            );
        }
    }
}

#[test]
fn a_connection_lost_mid_table_is_retried_once_then_recorded() {
    let db = TestDb::create();
    db.sql(
        "CREATE VIEW killer AS SELECT CONCAT('k', SLEEP(20), '@example.com') AS email;
         CREATE TABLE steady (email TEXT);
         INSERT INTO steady SELECT CONCAT('s', seq, '@example.com') FROM seq_1_to_20;",
    );
    // Another session kills the connection reading the view (as a failover or an admin
    // would), each time it appears, for as long as the scan runs.
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let kills = std::sync::Arc::new(AtomicUsize::new(0));
    let killer = {
        let (done, kills, name) = (done.clone(), kills.clone(), db.name.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !done.load(Ordering::Relaxed) && Instant::now() < deadline {
                let ids = value(
                    "information_schema",
                    &format!(
                        "SELECT GROUP_CONCAT(ID) FROM information_schema.PROCESSLIST \
                         WHERE DB = '{name}' AND INFO LIKE '%`killer`%' AND INFO NOT LIKE '%PROCESSLIST%'"
                    ),
                );
                for id in ids.split(',').filter(|i| i.parse::<u64>().is_ok()) {
                    let _ = client()
                        .args(["-e", &format!("KILL CONNECTION {id}")])
                        .output();
                    kills.fetch_add(1, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let o = run(&[
        "scan",
        "--db",
        &db.url(),
        "--views",
        "--db-concurrency",
        "1",
        "--format",
        "json",
    ]);
    done.store(true, Ordering::Relaxed);
    killer.join().unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(kills.load(Ordering::Relaxed) >= 2);
    let inv: Value = serde_json::from_slice(&o.stdout).unwrap();
    let k = table(&inv, &db, "killer");
    assert_eq!(k["status"], "failed", "{k}");
    assert_eq!(k["errors"][0]["kind"], "connection", "{}", k["errors"]);
    assert!(
        k["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("after one retry"),
        "{}",
        k["errors"]
    );
    let steady = table(&inv, &db, "steady");
    assert_eq!(steady["status"], "scanned");
    assert_has(steady, "email", "email");
}

#[test]
fn sharded_database_scans_merge_to_the_whole() {
    let db = TestDb::create();
    let mut script = String::new();
    for i in 0..6 {
        script.push_str(&format!(
            "CREATE TABLE t{i} (id INT PRIMARY KEY, email TEXT); INSERT INTO t{i} SELECT seq, CONCAT('u{i}_', seq, '@example.com') FROM seq_1_to_20;\n"
        ));
    }
    db.sql(&script);
    let url = db.url();
    let whole = scan(&["--db", &url, "--db-concurrency", "3"], 0);
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
    assert_eq!(total, 6, "each table in exactly one shard");
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["--format", "json"]);
    let merged = json(&args, 0);
    let ids = |v: &Value| -> Vec<String> {
        let mut ids: Vec<String> = assets(v)
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&merged), ids(&whole));
    assert_eq!(merged["summary"], whole["summary"]);
}
