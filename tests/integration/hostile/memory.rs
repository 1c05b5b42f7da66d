//! Memory bombs: one huge line, field or value, compressed or not, and absurd sample
//! sizes. Each input runs the real binary as a child whose peak RSS is measured exactly
//! (`wait4`'s `ru_maxrss`); the line cap (1 MiB) must bound every reader, the data
//! before and after the huge part must still be found, and the truncation must be in
//! the inventory. Inputs are built in a temp dir in well under a second each (a 1 MiB
//! block compressed once and its gzip member or zstd frame written many times).

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use serde_json::Value;

use crate::util::{bin, tempdir};

/// Peak RSS every input must stay under.
const LIMIT_KB: i64 = 256 * 1024;

/// What a measured run gave.
struct Measured {
    code: i32,
    stdout: String,
    stderr: String,
    max_rss_kb: i64,
}

/// Env var that turns [`rss_probe`] on: the JSON list of piimap's arguments.
const PROBE_ARGS: &str = "PIIMAP_TEST_RSS_PROBE_ARGS";
/// Env var: the directory the probe writes `stdout`, `stderr` and `status` to.
const PROBE_DIR: &str = "PIIMAP_TEST_RSS_PROBE_DIR";

/// Runs piimap with `args` and returns its exact peak RSS.
///
/// Linux carries the *spawning* process's high-water mark into the child's
/// `ru_maxrss` at exec, so spawning from this test process (which builds 100 MiB
/// inputs on other threads) would measure the harness. Instead a fresh copy of this
/// test binary runs [`rss_probe`], which spawns piimap from its small address space and
/// reaps it with `wait4`.
fn measured(args: &[&str]) -> Measured {
    let dir = tempdir();
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "hostile::memory::rss_probe",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(PROBE_ARGS, serde_json::to_string(args).unwrap())
        .env(PROBE_DIR, dir.path())
        .stdout(Stdio::null())
        .status()
        .expect("probe runs");
    assert!(status.success(), "the RSS probe failed");
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let st = read("status");
    let (code, rss) = st.trim().split_once(' ').unwrap();
    Measured {
        code: code.parse().unwrap(),
        stdout: read("stdout"),
        stderr: read("stderr"),
        max_rss_kb: rss.parse().unwrap(),
    }
}

/// Not a test of its own: run by [`measured`] in a fresh process (does nothing
/// otherwise). Spawns piimap and reaps it with `wait4` for its `ru_maxrss` (kB).
#[test]
fn rss_probe() {
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
        .stderr(std::fs::File::create(dir.join("stderr")).unwrap())
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

/// Scans `path` as JSON with `extra` flags; asserts exit 0 and the RSS bound, and
/// returns the file's asset.
fn scan_one(path: &Path, extra: &[&str]) -> Value {
    let p = path.to_str().unwrap();
    let mut args = vec!["scan", p, "--format", "json"];
    args.extend_from_slice(extra);
    let m = measured(&args);
    eprintln!("{}: peak RSS {} MiB", p, m.max_rss_kb / 1024);
    assert_eq!(m.code, 0, "stdout: {}\nstderr: {}", m.stdout, m.stderr);
    assert!(
        m.max_rss_kb < LIMIT_KB,
        "{p}: peak RSS {} MiB is over 256 MiB",
        m.max_rss_kb / 1024
    );
    let inv: Value = serde_json::from_str(&m.stdout).expect("inventory JSON");
    inv["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["asset"]
                .as_str()
                .unwrap()
                .ends_with(path.file_name().unwrap().to_str().unwrap())
        })
        .cloned()
        .unwrap_or_else(|| panic!("no asset in {inv}"))
}

/// The data types found in `field` (None: free text).
fn types(asset: &Value, field: Option<&str>) -> Vec<String> {
    asset["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["field"].as_str() == field)
        .flat_map(|f| f["types"].as_array().unwrap().clone())
        .map(|t| t["data_type"].as_str().unwrap().to_string())
        .collect()
}

/// The count of error `kind` in the asset's report (0 when absent).
fn count(asset: &Value, kind: &str) -> u64 {
    asset["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == kind)
        .map_or(0, |e| {
            assert_eq!(e["fatal"], false, "{e}");
            e["count"].as_u64().unwrap()
        })
}

/// 1 MiB of bytes without a newline, quote or delimiter.
fn block() -> Vec<u8> {
    b"abcdefghijklmnop".repeat(1 << 16)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zstd_frame(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 1).unwrap()
}

/// `head`, then `mib` MiB of one line, then `tail`, each part its own gzip member or
/// zstd frame (the readers decode concatenated members and frames).
fn huge_line(path: &Path, head: &[u8], mib: usize, tail: &[u8], frame: fn(&[u8]) -> Vec<u8>) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all(&frame(head)).unwrap();
    let member = frame(&block());
    for _ in 0..mib {
        f.write_all(&member).unwrap();
    }
    f.write_all(&frame(tail)).unwrap();
    f.flush().unwrap();
}

const JSON_HEAD: &[u8] = b"{\"email\":\"ann@example.com\"}\n{\"blob\":\"";
const JSON_TAIL: &[u8] = b"\"}\n{\"email\":\"bob@example.org\"}\n";

fn assert_json_lines_bounded(asset: &Value) {
    assert_eq!(asset["status"], "scanned", "{asset}");
    assert_eq!(count(asset, "truncated_lines"), 1, "{asset}");
    assert_eq!(asset["stats"]["rows"], 3, "{asset}");
    assert!(
        types(asset, Some("email")).contains(&"email".to_string()),
        "{asset}"
    );
}

#[test]
fn one_huge_gzip_json_line() {
    let dir = tempdir();
    let path = dir.path().join("events.jsonl.gz");
    huge_line(&path, JSON_HEAD, 270, JSON_TAIL, gzip);
    assert_json_lines_bounded(&scan_one(&path, &[]));
}

#[test]
fn one_huge_zstd_json_line() {
    let dir = tempdir();
    let path = dir.path().join("events.jsonl.zst");
    huge_line(&path, JSON_HEAD, 270, JSON_TAIL, zstd_frame);
    assert_json_lines_bounded(&scan_one(&path, &[]));
}

#[test]
fn one_huge_gzip_log_line() {
    let dir = tempdir();
    let path = dir.path().join("app.log.gz");
    huge_line(
        &path,
        b"login ann@example.com\nnoise ",
        270,
        b"\nlogout bob@example.org\n",
        gzip,
    );
    let asset = scan_one(&path, &[]);
    assert_eq!(asset["status"], "scanned", "{asset}");
    assert_eq!(count(&asset, "truncated_lines"), 1, "{asset}");
    assert!(
        types(&asset, None).contains(&"email".to_string()),
        "{asset}"
    );
    let findings_lines = asset.to_string();
    assert!(
        !findings_lines.contains("bob@example.org"),
        "raw value in the output"
    );
}

#[test]
fn one_huge_quoted_csv_field() {
    let dir = tempdir();
    let path = dir.path().join("people.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(b"id,email,notes\n1,ann@example.com,short\n2,cy@example.net,\"")
        .unwrap();
    // 150 MiB of one quoted field, with escaped quotes, commas and newlines in it.
    let mut unit = b"a \"\"quoted\"\" word, and\n".repeat(1 << 10);
    unit.truncate(16 << 10);
    for _ in 0..(150 << 6) {
        f.write_all(&unit).unwrap();
    }
    f.write_all(b"\"\n3,bob@example.org,after\n4,dee@example.com,\"end\"\n")
        .unwrap();
    f.flush().unwrap();
    drop(f);
    let asset = scan_one(&path, &[]);
    assert_eq!(asset["status"], "scanned", "{asset}");
    assert_eq!(count(&asset, "truncated_fields"), 1, "{asset}");
    assert_eq!(count(&asset, "ragged_rows"), 0, "{asset}");
    assert_eq!(asset["stats"]["rows"], 4, "{asset}");
    assert!(
        types(&asset, Some("email")).contains(&"email".to_string()),
        "{asset}"
    );
    // Every row's email was seen, the ones after the huge field included.
    let email = asset["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "email")
        .unwrap();
    assert_eq!(email["types"][0]["matched_values"], 4, "{email}");
}

#[test]
fn a_very_large_parquet_string() {
    use polars::prelude::*;
    let dir = tempdir();
    let blob = "b".repeat(40 << 20);
    let note = "n".repeat(3 << 20);
    let mut df = df!(
        "email" => ["ann@example.com", "bob@example.org", "cy@example.net"],
        "note" => ["first", note.as_str(), "last"],
        "blob" => ["x", blob.as_str(), "y"],
    )
    .unwrap();
    drop((blob, note));
    let write = |name: &str, statistics: StatisticsOptions, df: &mut DataFrame| {
        let path = dir.path().join(name);
        ParquetWriter::new(std::fs::File::create(&path).unwrap())
            .with_compression(ParquetCompression::Uncompressed)
            .with_statistics(statistics)
            .finish(df)
            .unwrap();
        path
    };
    let plain = write("t.parquet", StatisticsOptions::empty(), &mut df);
    // Min/max statistics of the huge value make a 40 MiB footer (over the 32 MiB budget).
    let stats = write("stats.parquet", StatisticsOptions::full(), &mut df);
    drop(df);

    let asset = scan_one(&plain, &[]);
    assert_eq!(asset["status"], "scanned", "{asset}");
    assert!(
        types(&asset, Some("email")).contains(&"email".to_string()),
        "{asset}"
    );
    assert_eq!(count(&asset, "truncated_fields"), 1, "{asset}");
    let skipped = asset["stats"]["skipped_columns"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["column"] == "blob" && s["reason"].as_str().unwrap().contains("budget")),
        "{asset}"
    );

    // A footer too big to hold fails that asset (exit 4: partial), within the bound.
    let m = measured(&["scan", stats.to_str().unwrap(), "--format", "json"]);
    eprintln!("stats.parquet: peak RSS {} MiB", m.max_rss_kb / 1024);
    assert_eq!(m.code, 4, "{}", m.stderr);
    assert!(
        m.max_rss_kb < LIMIT_KB,
        "peak RSS {} MiB",
        m.max_rss_kb / 1024
    );
    assert!(m.stdout.contains("metadata footer"), "{}", m.stdout);
}

#[test]
fn a_huge_sample_of_long_lines() {
    let dir = tempdir();
    let path = dir.path().join("wide.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let filler = "x".repeat(1_000_000);
    for i in 0..280 {
        writeln!(
            f,
            "{{\"email\":\"user{i}@example.com\",\"pad\":\"{filler}\"}}"
        )
        .unwrap();
    }
    f.flush().unwrap();
    drop(f);
    let asset = scan_one(&path, &["--sample-rows", "1000000"]);
    assert_eq!(asset["status"], "scanned", "{asset}");
    assert_eq!(asset["stats"]["rows_scanned"], 280, "{asset}");
    assert_eq!(count(&asset, "truncated_lines"), 0, "{asset}");
    assert!(
        types(&asset, Some("email")).contains(&"email".to_string()),
        "{asset}"
    );
}
