//! Object stores: `piimap scan s3://…` against a real S3-compatible server on loopback.
//!
//! The server is moto in server mode (PyPI `moto[server]`, which `.ci/run` installs):
//! [`server`] starts it once per test process on a free loopback port as
//! `python3 -m moto.server -H 127.0.0.1 -p PORT`, under a `sh` watchdog that kills it
//! as soon as its stdin pipe closes, i.e. when this test process exits however it
//! exits, so no server outlives the tests. If it cannot be started the tests fail (they
//! never skip). Buckets and objects are made with boto3 (a dependency of moto) by
//! [`SETUP`], each test in its own bucket.
//!
//! The key acceptance test: the inventory of `s3://bucket/prefix` equals the inventory
//! of the same files scanned from disk, asset ids and timings aside.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{bin, dataset, stderr, stdout, tempdir, write};

/// The secret key the tests give piimap: it must never be printed.
const SECRET: &str = "piimapTestSecretKey0123456789abcdefXYZ";

/// The running moto server.
struct Server {
    port: u16,
    _watchdog: Child,
    /// Held until the process exits: closing it makes the watchdog kill moto.
    _stdin: ChildStdin,
}

static SERVER: OnceLock<Server> = OnceLock::new();

/// The moto server, started on first use.
fn server() -> &'static Server {
    SERVER.get_or_init(start_server)
}

fn start_server() -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    let log = std::env::temp_dir().join(format!("piimap-moto-{port}.log"));
    // `read` returns when our end of the pipe closes (this process exited): then moto
    // is killed.
    let script = format!(
        "python3 -m moto.server -H 127.0.0.1 -p {port} >'{}' 2>&1 & pid=$!; echo started; read _; kill $pid; wait $pid",
        log.display()
    );
    let mut watchdog = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("sh runs");
    let stdin = watchdog.stdin.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !answers(port) {
        let log_text = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(
            Instant::now() < deadline && !log_text.contains("No module named"),
            "the moto S3 server did not start on 127.0.0.1:{port} (install it with \
             `pip install 'moto[server]'`; .ci/run does). Its log:\n{log_text}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    Server {
        port,
        _watchdog: watchdog,
        _stdin: stdin,
    }
}

/// Whether an HTTP server answers on the port.
fn answers(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET / HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    let mut head = [0u8; 12];
    s.write_all(request.as_bytes()).is_ok()
        && s.read_exact(&mut head).is_ok()
        && head.starts_with(b"HTTP/1.")
}

/// Makes buckets and uploads objects with boto3: JSON on stdin,
/// `{"endpoint", "buckets": [...], "objects": [[bucket, key, local path, storage class]]}`.
const SETUP: &str = r#"
import json, sys, boto3
spec = json.load(sys.stdin)
s3 = boto3.client("s3", endpoint_url=spec["endpoint"], region_name="us-east-1",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
for b in spec["buckets"]:
    s3.create_bucket(Bucket=b)
for bucket, key, path, storage in spec["objects"]:
    extra = {"StorageClass": storage} if storage else {}
    s3.upload_file(path, bucket, key, ExtraArgs=extra)
"#;

/// One object to upload: its key, the local file, and a storage class (`GLACIER`
/// objects are listed but cannot be read: `403 InvalidObjectState`).
struct Upload {
    key: String,
    path: std::path::PathBuf,
    storage: Option<&'static str>,
}

/// An object of the standard storage class.
fn up(key: &str, path: &Path) -> Upload {
    Upload {
        key: key.into(),
        path: path.to_path_buf(),
        storage: None,
    }
}

/// Creates `bucket` and uploads `objects` into it.
fn upload(bucket: &str, objects: &[Upload]) {
    let spec = serde_json::json!({
        "endpoint": format!("http://127.0.0.1:{}", server().port),
        "buckets": [bucket],
        "objects": objects
            .iter()
            .map(|o| serde_json::json!([bucket, o.key, o.path, o.storage]))
            .collect::<Vec<_>>(),
    });
    let mut child = Command::new("python3")
        .args(["-c", SETUP])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(spec.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "setup failed: {}", stderr(&out));
}

/// Uploads every file under `dir` as `prefix/<relative path>`.
fn upload_dir(bucket: &str, prefix: &str, dir: &Path) {
    let mut files = Vec::new();
    collect_files(dir, &mut files);
    let uploads: Vec<Upload> = files
        .iter()
        .map(|p| Upload {
            key: format!(
                "{prefix}/{}",
                p.strip_prefix(dir).unwrap().to_string_lossy()
            ),
            path: p.clone(),
            storage: None,
        })
        .collect();
    upload(bucket, &uploads);
}

fn collect_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect_files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// piimap with the environment of a local S3 server: endpoint, plain HTTP, keys.
fn s3_bin() -> Command {
    let mut cmd = bin();
    cmd.env(
        "AWS_ENDPOINT_URL",
        format!("http://127.0.0.1:{}", server().port),
    )
    .env("AWS_ALLOW_HTTP", "true")
    .env("AWS_ACCESS_KEY_ID", "testing")
    .env("AWS_SECRET_ACCESS_KEY", SECRET)
    .env("AWS_REGION", "us-east-1")
    .env_remove("AWS_SESSION_TOKEN")
    .env_remove("AWS_PROFILE");
    cmd
}

/// Runs piimap against the server; asserts the exit code and that the secret key was
/// printed nowhere.
fn s3_run(args: &[&str], code: i32) -> Output {
    let o = s3_bin().args(args).output().expect("piimap runs");
    assert_eq!(
        o.status.code(),
        Some(code),
        "piimap {args:?}\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    assert!(
        !stdout(&o).contains(SECRET) && !stderr(&o).contains(SECRET),
        "the secret key was printed"
    );
    o
}

/// The JSON inventory of a run.
fn s3_json(args: &[&str], code: i32) -> Value {
    let o = s3_run(args, code);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(&o)))
}

/// The assets of an inventory by id.
fn assets(inv: &Value) -> Vec<&Value> {
    inv["assets"].as_array().expect("assets").iter().collect()
}

fn asset<'v>(inv: &'v Value, id: &str) -> &'v Value {
    assets(inv)
        .into_iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no asset {id} in {:#}", inv["assets"]))
}

/// An inventory's assets with ids and names made relative to the scanned root
/// (`prefix`), and timings dropped, sorted: what must be the same from disk and store.
fn normalised(inv: &Value, prefix: &str) -> Vec<Value> {
    let mut out: Vec<Value> = assets(inv)
        .into_iter()
        .map(|a| {
            let mut a = a.clone();
            let id = a["id"].as_str().unwrap().to_string();
            let rel = id
                .strip_prefix(prefix)
                .unwrap_or_else(|| panic!("{id} is not under {prefix}"))
                .to_string();
            a["id"] = rel.clone().into();
            a["asset"] = rel.into();
            let stats = a["stats"].as_object_mut().unwrap();
            stats.remove("duration_ms");
            // A file's mtime and an object's upload time differ; the basis must not.
            if let Some(oldest) = stats.get_mut("oldest_record") {
                if oldest["basis"] == "file_mtime" {
                    oldest.as_object_mut().unwrap().remove("at");
                }
            }
            a
        })
        .collect();
    out.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    out
}

/// A directory of every kind of file piimap reads: CSV (Chinook's customers and
/// employees), JSON lines, Parquet, gzip and zstd logs, a plain log.
fn mixed_files(dir: &Path) {
    let chinook = dataset("chinook/csv").expect("../shared/datasets/chinook");
    for name in ["customer.csv", "employee.csv", "genre.csv"] {
        std::fs::copy(chinook.join(name), dir.join(name)).unwrap();
    }
    let logs = dataset("elastic_apache_logs/apache_logs.gz").expect("apache logs");
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    std::fs::copy(logs, dir.join("logs/apache_logs.gz")).unwrap();
    let ssh = std::fs::read(dataset("loghub/OpenSSH_2k.log").expect("loghub")).unwrap();
    std::fs::write(dir.join("logs/OpenSSH_2k.log"), &ssh).unwrap();
    let zst = zstd::encode_all(&ssh[..], 3).unwrap();
    std::fs::write(dir.join("logs/OpenSSH_2k.log.zst"), zst).unwrap();
    let jsonl: String = (0..300)
        .map(|i| {
            format!(
                "{{\"user\":{{\"name\":\"Person {i}\",\"email\":\"user{i}@example.com\"}},\"phone\":\"+1 415 555 {:04}\",\"plan\":\"basic\"}}\n",
                1000 + i
            )
        })
        .collect();
    write(dir, "exports/users.jsonl", jsonl);
    use polars::prelude::*;
    let emails: Vec<String> = (0..500).map(|i| format!("buyer{i}@example.org")).collect();
    let ssns: Vec<String> = (0..500)
        .map(|i| format!("{:03}-{:02}-{:04}", 100 + i % 600, 10 + i % 80, 1000 + i))
        .collect();
    let qty: Vec<i64> = (0..500).collect();
    let mut df = df!("email" => emails, "ssn" => ssns, "quantity" => qty).unwrap();
    let file = std::fs::File::create(dir.join("exports/orders.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
}

#[test]
fn an_s3_scan_gives_the_same_inventory_as_the_same_files_on_disk() {
    let dir = tempdir();
    let root = dir.path().join("export");
    std::fs::create_dir(&root).unwrap();
    mixed_files(&root);
    upload_dir("same", "export", &root);
    let local = crate::util::json(&["scan", root.to_str().unwrap(), "--format", "json"], 0);
    let remote = s3_json(&["scan", "s3://same/export", "--format", "json"], 0);
    let (l, r) = (
        normalised(&local, &format!("file:{}/", root.display())),
        normalised(&remote, "s3://same/export/"),
    );
    assert_eq!(l.len(), 8, "{l:#?}");
    // The same inventory, asset by asset (ids aside), and the same summary.
    for (a, b) in l.iter().zip(&r) {
        assert_eq!(a, b, "{} differs between disk and S3", a["id"]);
    }
    assert_eq!(l.len(), r.len());
    assert_eq!(local["summary"], remote["summary"]);
    assert_eq!(local["scan"]["bytes"], remote["scan"]["bytes"]);
    assert_eq!(
        remote["scan"]["roots"],
        serde_json::json!(["s3://same/export"])
    );
    // And it is not an empty agreement: every reader ran and found what it holds.
    let by = |id: &str| asset(&remote, &format!("s3://same/export/{id}")).clone();
    let formats: Vec<(String, Value, Value)> = assets(&remote)
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["format"].clone(),
                a["compression"].clone(),
            )
        })
        .collect();
    assert_eq!(
        by("exports/orders.parquet")["format"],
        "parquet",
        "{formats:?}"
    );
    assert_eq!(by("exports/users.jsonl")["format"], "jsonl");
    assert_eq!(by("logs/apache_logs.gz")["compression"], "gzip");
    assert_eq!(by("logs/OpenSSH_2k.log.zst")["compression"], "zstd");
    for a in assets(&remote) {
        assert_eq!(a["status"], "scanned", "{a:#}");
    }
    let types = |a: &Value| -> Vec<String> {
        a["fields"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["types"].as_array().cloned().unwrap_or_default())
            .filter_map(|t| t["data_type"].as_str().map(String::from))
            .collect()
    };
    assert!(types(&by("customer.csv")).contains(&"email".to_string()));
    assert!(
        types(&by("exports/orders.parquet")).contains(&"ssn".to_string()),
        "{:#}",
        by("exports/orders.parquet")
    );
    assert!(types(&by("exports/users.jsonl")).contains(&"email".to_string()));
    assert!(types(&by("logs/apache_logs.gz")).contains(&"ip_address".to_string()));
}

#[test]
fn a_denied_object_and_a_missing_bucket_are_failed_assets_and_exit_4() {
    let dir = tempdir();
    let ok = write(
        dir.path(),
        "ok.csv",
        "name,email\nAnn Lee,ann@example.com\nBo Ray,bo@example.org\n",
    );
    let cold = write(
        dir.path(),
        "cold.csv",
        "name,email\nCy Doe,cy@example.net\n",
    );
    upload(
        "mixed",
        &[
            up("ok.csv", &ok),
            // Listed, but a GET answers 403 InvalidObjectState: archived.
            Upload {
                storage: Some("GLACIER"),
                ..up("cold.csv", &cold)
            },
        ],
    );
    let inv = s3_json(
        &[
            "scan",
            "s3://mixed",
            "s3://no-such-bucket/some/prefix",
            "--format",
            "json",
        ],
        4,
    );
    assert_eq!(asset(&inv, "s3://mixed/ok.csv")["status"], "scanned");
    let cold = asset(&inv, "s3://mixed/cold.csv");
    assert_eq!(cold["status"], "failed", "{cold:#}");
    let message = cold["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("permission denied") && message.contains("InvalidObjectState"),
        "{message}"
    );
    let missing = asset(&inv, "s3://no-such-bucket/some/prefix");
    assert_eq!(missing["status"], "failed");
    let message = missing["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("NoSuchBucket"), "{message}");
    assert!(
        message.starts_with("listing s3://no-such-bucket/some/prefix"),
        "{message}"
    );
    assert_eq!(inv["scan"]["assets_failed"], 2);
    // The human output names both.
    let o = s3_run(&["scan", "s3://no-such-bucket"], 4);
    let text = format!("{}{}", stdout(&o), stderr(&o));
    assert!(text.contains("s3://no-such-bucket"), "{text}");
}

#[test]
fn unchanged_objects_are_carried_forward_by_etag_and_keys_are_filtered_and_sharded() {
    let dir = tempdir();
    let a = write(dir.path(), "a.csv", "name,email\nAnn Lee,ann@example.com\n");
    let b = write(
        dir.path(),
        "b.log",
        "login ok for bob@example.org from 10.1.2.3\n",
    );
    let big = write(
        dir.path(),
        "big.csv",
        format!("email\n{}", "dee@example.com\n".repeat(200)),
    );
    let hidden = write(dir.path(), "h.csv", "email\neve@example.com\n");
    let c = write(dir.path(), "c.csv", "email\nfay@example.com\n");
    upload(
        "inc",
        &[
            up("p/a.csv", &a),
            up("p/b.log", &b),
            up("p/big.csv", &big),
            up("p/.hidden/h.csv", &hidden),
            up("p/sub/c.csv", &c),
        ],
    );
    let ids = |inv: &Value| -> Vec<String> {
        let mut v: Vec<String> = assets(inv)
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    // Filters on keys: hidden names dropped, --max-filesize skipped with the reason,
    // --include/--exclude like a walked tree.
    let inv = s3_json(
        &[
            "scan",
            "s3://inc/p",
            "--max-filesize",
            "1000",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(
        ids(&inv),
        [
            "s3://inc/p/a.csv",
            "s3://inc/p/b.log",
            "s3://inc/p/big.csv",
            "s3://inc/p/sub/c.csv"
        ]
    );
    let big = asset(&inv, "s3://inc/p/big.csv");
    assert_eq!(big["status"], "skipped");
    assert!(big["skipped_reason"]
        .as_str()
        .unwrap()
        .contains("max-filesize"));
    let inv = s3_json(
        &[
            "scan",
            "s3://inc/p",
            "--include",
            "*.csv",
            "--exclude",
            "sub",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(ids(&inv), ["s3://inc/p/a.csv", "s3://inc/p/big.csv"]);
    let inv = s3_json(&["scan", "s3://inc/p", "--hidden", "--format", "json"], 0);
    assert!(ids(&inv).contains(&"s3://inc/p/.hidden/h.csv".to_string()));
    // One object named by its key.
    let inv = s3_json(&["scan", "s3://inc/p/a.csv", "--format", "json"], 0);
    assert_eq!(ids(&inv), ["s3://inc/p/a.csv"]);

    // Shards split the keys: every object in exactly one.
    let all = ids(&s3_json(&["scan", "s3://inc/p", "--format", "json"], 0));
    let mut union = Vec::new();
    for k in 0..3 {
        let shard = format!("{k}/3");
        union.extend(ids(&s3_json(
            &["scan", "s3://inc/p", "--shard", &shard, "--format", "json"],
            0,
        )));
    }
    union.sort();
    assert_eq!(union, all);

    // Incremental: a second run carries every object; a rewritten one is rescanned.
    let state = dir.path().join("state.json");
    let st = state.to_str().unwrap();
    let first = s3_json(
        &["scan", "s3://inc/p", "--state", st, "--format", "json"],
        0,
    );
    assert_eq!(
        first["scan"]["rescanned"].as_array().unwrap().len(),
        4,
        "{:#}",
        first["scan"]
    );
    let second = s3_json(
        &["scan", "s3://inc/p", "--state", st, "--format", "json"],
        0,
    );
    let carried = second["scan"]["carried"].as_array().unwrap();
    assert_eq!(carried.len(), 4, "{:#}", second["scan"]);
    assert!(carried.iter().all(|c| c
        .as_str()
        .unwrap()
        .contains("unchanged (etag, last-modified, size)")));
    assert_eq!(
        normalised(&first, "s3://inc/p/"),
        normalised(&second, "s3://inc/p/")
    );
    let a2 = write(
        dir.path(),
        "a2.csv",
        "name,email\nAnn Lee,ann@example.com\nNed Park,ned@example.com\n",
    );
    upload("inc", &[up("p/a.csv", &a2)]);
    let third = s3_json(
        &["scan", "s3://inc/p", "--state", st, "--format", "json"],
        0,
    );
    assert_eq!(
        third["scan"]["rescanned"],
        serde_json::json!(["s3://inc/p/a.csv: changed"])
    );
    assert_eq!(asset(&third, "s3://inc/p/a.csv")["stats"]["rows"], 2);
}

#[test]
fn a_manifest_source_of_kind_files_can_be_a_bucket() {
    let dir = tempdir();
    let people = write(
        dir.path(),
        "people.csv",
        "name,email\nAnn Lee,ann@example.com\nBo Ray,bo@example.org\n",
    );
    upload("manifest", &[up("crm/people.csv", &people)]);
    let manifest = write(
        dir.path(),
        "piimap.toml",
        "[sources.crm_exports]\nkind = \"files\"\npath = \"s3://manifest/crm\"\n",
    );
    let inv = s3_json(
        &[
            "scan",
            "--config",
            manifest.to_str().unwrap(),
            "--format",
            "json",
        ],
        0,
    );
    let a = asset(&inv, "s3://manifest/crm/people.csv");
    assert_eq!(a["source"], "crm_exports");
    assert_eq!(a["status"], "scanned");
}

/// Peak RSS a scan of the large object must stay under (the object is bigger).
const LARGE_LIMIT_KB: i64 = 160 * 1024;

#[test]
fn a_large_object_streams_with_bounded_memory_and_is_read_to_its_end() {
    let dir = tempdir();
    // 200 MiB of log lines, with a card number on the very last line.
    let path = dir.path().join("big.log");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let line = "2026-01-01T00:00:00Z INFO request served in 12ms status=200 path=/index.html\n";
        let n = (200 << 20) / line.len();
        for _ in 0..n {
            f.write_all(line.as_bytes()).unwrap();
        }
        f.write_all(b"payment by card 4111 1111 1111 1111 accepted\n")
            .unwrap();
        f.flush().unwrap();
    }
    let size = std::fs::metadata(&path).unwrap().len();
    upload("large", &[up("logs/big.log", &path)]);
    std::fs::remove_file(&path).unwrap();
    let (code, out, rss_kb) = measured(&["scan", "s3://large/logs", "--format", "json"]);
    eprintln!(
        "s3://large/logs/big.log ({} MiB): peak RSS {} MiB",
        size >> 20,
        rss_kb / 1024
    );
    assert_eq!(code, 0, "{out}");
    let inv: Value = serde_json::from_str(&out).unwrap();
    let a = asset(&inv, "s3://large/logs/big.log");
    assert_eq!(a["stats"]["bytes"], size);
    let found = serde_json::to_string(&a["fields"]).unwrap();
    assert!(
        found.contains("credit_card") || found.contains("payment_card"),
        "{found}"
    );
    assert!(rss_kb < LARGE_LIMIT_KB, "peak RSS {} MiB", rss_kb / 1024);
    assert!(
        (size >> 10) as i64 > LARGE_LIMIT_KB,
        "the object is larger than the bound"
    );
}

/// Env var that turns [`object_rss_probe`] on: piimap's arguments as JSON.
const PROBE_ARGS: &str = "PIIMAP_TEST_OBJECT_RSS_ARGS";
/// Env var: where the probe writes `stdout` and `status`.
const PROBE_DIR: &str = "PIIMAP_TEST_OBJECT_RSS_DIR";

/// Runs piimap against the server in a fresh copy of this test binary, which reaps it
/// with `wait4` for its exact peak RSS (spawning from this big process would carry its
/// high-water mark into the child's). Returns the exit code, stdout and peak RSS (kB).
fn measured(args: &[&str]) -> (i32, String, i64) {
    let dir = tempdir();
    let server = server();
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "object_store::object_rss_probe",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(PROBE_ARGS, serde_json::to_string(args).unwrap())
        .env(PROBE_DIR, dir.path())
        .env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", server.port),
        )
        .env("AWS_ALLOW_HTTP", "true")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_REGION", "us-east-1")
        .stdout(Stdio::null())
        .status()
        .expect("probe runs");
    assert!(status.success(), "the RSS probe failed");
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let st = read("status");
    let (code, rss) = st.trim().split_once(' ').unwrap();
    (code.parse().unwrap(), read("stdout"), rss.parse().unwrap())
}

/// Not a test of its own: run by [`measured`] in a fresh process (does nothing
/// otherwise).
#[test]
fn object_rss_probe() {
    let (Ok(args), Ok(dir)) = (std::env::var(PROBE_ARGS), std::env::var(PROBE_DIR)) else {
        return;
    };
    let args: Vec<String> = serde_json::from_str(&args).unwrap();
    let dir = std::path::PathBuf::from(dir);
    #[allow(clippy::zombie_processes)]
    let child = bin()
        .args(&args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.join("stdout")).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("piimap starts");
    let pid = child.id() as libc::pid_t;
    // Reaped below by `wait4` (which `Child::wait` cannot do: it drops the rusage).
    std::mem::forget(child);
    let mut status = 0;
    // Safety: plain syscalls on our own child; `rusage` is filled in by the kernel.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4: {}", std::io::Error::last_os_error());
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    std::fs::write(dir.join("status"), format!("{code} {}", usage.ru_maxrss)).unwrap();
}
