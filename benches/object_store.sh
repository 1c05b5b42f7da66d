#!/usr/bin/env bash
# S3 throughput against disk: the same files scanned from a local directory and from a
# bucket of moto's S3 server on loopback, with the release binary, in the same run.
#
#   cargo build --release && bash benches/object_store.sh [MiB]
#
# Builds a data set of about MiB MiB (default 512): CSV exports of people, JSON lines and
# web-server logs (a quarter of the logs gzipped), uploads it with boto3, then times
# `piimap scan DIR` and `piimap scan s3://bench/data` (best of 3 each, page cache warm for
# the disk run) and prints MB/s. moto is a Python server: the S3 number is a floor set
# by it as much as by piimap (`curl` of the same objects is timed too, for scale).
# Needs python3 with `moto[server]` (`pip install 'moto[server]'`). Loopback only; the
# server is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
MIB="${1:-512}"
BIN="${CARGO_TARGET_DIR:-target}/release/piimap"
[ -x "$BIN" ] || { echo "build first: cargo build --release ($BIN)"; exit 1; }
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
python3 -m moto.server -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO=$!
trap 'kill $MOTO 2>/dev/null || true; wait $MOTO 2>/dev/null || true; rm -rf "$WORK"' EXIT
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ALLOW_HTTP=true AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret-key
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.2; done

python3 - "$WORK/data" "$MIB" <<'EOF'
import gzip, os, random, sys
root, mib = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{root}/exports", exist_ok=True); os.makedirs(f"{root}/logs", exist_ok=True)
rnd = random.Random(7)
names = ["Ann Lee", "Bo Ray", "Cy Doe", "Dee Park", "Eve Moss", "Fay Hunt"]
def chunk(kind, i):
    if kind == "csv":
        return "".join(f"{i*10000+j},{rnd.choice(names)},user{j}@example.com,+1 415 555 {j%10000:04d},{j%90+10} Main St\n" for j in range(10000))
    if kind == "jsonl":
        return "".join(f'{{"id":{j},"user":{{"name":"{rnd.choice(names)}","email":"u{j}@example.org"}},"ip":"10.{j%250}.{j%200}.{j%100}"}}\n' for j in range(10000))
    return "".join(f'10.{j%250}.{j%200}.{j%100} - - [01/Jan/2026:00:00:{j%60:02d} +0000] "GET /item/{j} HTTP/1.1" 200 {j%5000} "-" "Mozilla/5.0"\n' for j in range(10000))
per_file = 16 << 20
n = max(3, (mib << 20) // per_file)
for f in range(n):
    kind = ["csv", "jsonl", "log"][f % 3]
    ext = {"csv": "csv", "jsonl": "jsonl", "log": "log"}[kind]
    path = f"{root}/{'logs' if kind == 'log' else 'exports'}/part-{f:04d}.{ext}"
    gz = kind == "log" and f % 4 == 2
    out = gzip.open(path + ".gz", "wt") if gz else open(path, "w")
    size = 0
    with out:
        i = 0
        while size < per_file:
            c = chunk(kind, i); out.write(c); size += len(c); i += 1
EOF
python3 - "$WORK/data" <<'EOF'
import os, sys, boto3
root = sys.argv[1]
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
s3.create_bucket(Bucket="bench")
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        s3.upload_file(p, "bench", "data/" + os.path.relpath(p, root))
EOF
BYTES=$(du -sb "$WORK/data" | cut -f1)
echo "data: $BYTES bytes in $(find "$WORK/data" -type f | wc -l) files (stored size; gzip files are smaller on disk than read)"

best() { # best wall time of 3 runs of "$@", in seconds
  local best=999999
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N)
    best=$(python3 -c "print(min($best, $t1 - $t0))")
  done
  echo "$best"
}
mbps() { python3 -c "print(f'{$BYTES / $1 / 1e6:.1f}')"; }

cat "$WORK"/data/*/* >/dev/null # warm the page cache
# Both scans must give the same inventory (ids and timings aside) for the rates to mean
# anything.
"$BIN" scan "$WORK/data" --format json >"$WORK/disk.json" || true
"$BIN" scan s3://bench/data --format json >"$WORK/s3.json" || true
python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
def norm(name, prefix):
    inv = json.load(open(f"{w}/{name}"))
    out = {}
    for a in inv["assets"]:
        key = a["id"].split(prefix, 1)[1]
        a["id"] = a["asset"] = key
        a["stats"].pop("duration_ms", None)
        out[key] = a
    return inv, out
d, dn = norm("disk.json", "/data/")
s, sn = norm("s3.json", "s3://bench/data/")
print("assets:", len(dn), "statuses:", sorted({a["status"] for a in sn.values()}),
      "rows:", sum(a["stats"]["rows"] for a in dn.values()))
assert dn == sn and d["summary"] == s["summary"], "disk and S3 inventories differ"
print("disk and S3 inventories: identical (ids and timings aside)")
PY
DISK=$(best "$BIN" scan "$WORK/data" --format json)
S3=$(best "$BIN" scan s3://bench/data --format json)
KEYS=$(cd "$WORK/data" && find . -type f | sed 's|^\./||')
CURL=$(best bash -c "for k in $(echo $KEYS); do curl -sf \"$AWS_ENDPOINT_URL/bench/data/\$k\" -o /dev/null; done")
printf 'disk: %.2f s, %s MB/s\n' "$DISK" "$(mbps "$DISK")"
printf 's3 (moto on loopback): %.2f s, %s MB/s\n' "$S3" "$(mbps "$S3")"
printf 'curl of every object from moto, sequential (no scan): %.2f s, %s MB/s\n' "$CURL" "$(mbps "$CURL")"
