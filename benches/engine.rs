//! Engine micro-benchmarks: free-text scanning of log-like lines, the prefilter on
//! PII-free text, and column classification of 10k values.
//!
//! `cargo bench --bench engine`; throughput is reported in bytes/s and elements/s.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use piimap::classify::column::classify;
use piimap::detect::{Engine, Finding};

fn log_lines() -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..20_000u32 {
        let line = match i % 20 {
            0 => format!("2026-01-05T10:00:{:02}Z INFO login ok user=jane.doe{i}@example.com ip=203.0.113.{}\n", i % 60, i % 250),
            1 => format!("Jan  5 10:00:{:02} host sshd[{i}]: Accepted publickey for deploy from 198.51.100.{} port 22 ssh2\n", i % 60, i % 250),
            2 => format!("{{\"ts\":\"2026-01-05T10:00:00Z\",\"level\":\"info\",\"msg\":\"order placed\",\"order\":\"ORD-{i}\",\"total\":{}.99}}\n", i % 500),
            _ => format!("2026-01-05T10:00:{:02}Z INFO request {:08x}-1d91-4796-ac5a-667775ccb254 served in {}ms status=200\n", i % 60, i, i % 900),
        };
        out.extend_from_slice(line.as_bytes());
    }
    out
}

fn pii_free() -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..20_000u32 {
        out.extend_from_slice(
            format!(
                "worker {} finished batch {} of the nightly rebuild without errors\n",
                i % 7,
                i
            )
            .as_bytes(),
        );
    }
    out
}

fn bench(c: &mut Criterion) {
    let engine = Engine::with_rules(None).expect("built-in rules");
    let mut group = c.benchmark_group("scan_text");
    for (name, hay) in [
        ("log_lines", log_lines()),
        ("prefilter_pii_free", pii_free()),
    ] {
        group.throughput(Throughput::Bytes(hay.len() as u64));
        group.bench_function(name, |b| {
            let mut scanner = engine.scanner();
            let mut found: Vec<Finding> = Vec::with_capacity(4096);
            b.iter(|| {
                found.clear();
                scanner.scan_text(black_box(&hay), &mut found);
                found.len()
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("classify_column");
    let emails: Vec<String> = (0..10_000)
        .map(|i| format!("customer{i}@example.com"))
        .collect();
    let ids: Vec<String> = (0..10_000u64)
        .map(|i| format!("{:016}", 4_000_000_000_000_000 + i * 7_919_113))
        .collect();
    let words: Vec<String> = (0..10_000)
        .map(|i| ["gold", "silver", "bronze", "none"][i % 4].to_string())
        .collect();
    for (name, column, values) in [
        ("email_10k", "email", &emails),
        ("decoy_ids_10k", "order_ref", &ids),
        ("words_10k", "tier", &words),
    ] {
        group.throughput(Throughput::Elements(values.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                classify(&engine, column, values.iter().map(|v| v.as_bytes()))
                    .verdicts
                    .len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
