#!/usr/bin/env bash
# Whole-process benchmark: piimap against ripgrep (the floor for regex scanning) on a
# generated corpus, column classification speed, memory on one big log file, and
# optionally a PostgreSQL --full scan against psql's \copy.
#
#   benches/compare.sh [--size 1GiB] [--dir /tmp/piimap-bench] [--mem-sizes "1GiB 4GiB"]
#                      [--no-mem] [--db] [--runs 2]
#                      [--parts logs,csv,mem,db,accuracy]
#
# Environment: PIIMAP_BIN (skip the build and use this binary), GEN_CORPUS (corpus
# generator binary), CARGO_TARGET_DIR, PGHOST/PGPORT/PGUSER (default 127.0.0.1:5432,
# postgres, trust auth).
#
# Each timed command runs --runs times (default 2, page cache warm after the first) and
# the best wall time is kept; peak RSS is the largest seen over the runs. MB/s is
# 10^6 bytes per second of wall time over the bytes of the log corpus.
set -euo pipefail

SIZE=1GiB
DIR=/tmp/piimap-bench
MEM_SIZES="1GiB 4GiB"
DO_MEM=1
DO_DB=0
RUNS=2
DB_ROWS=1000000
PARTS=logs,csv,mem,db,accuracy

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "compare.sh: $*" >&2; exit 1; }
say() { echo "==> $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --size) SIZE=${2:?--size needs a value}; shift 2 ;;
    --dir) DIR=${2:?--dir needs a value}; shift 2 ;;
    --mem-sizes) MEM_SIZES=${2:?--mem-sizes needs a value}; shift 2 ;;
    --no-mem) DO_MEM=0; shift ;;
    --db) DO_DB=1; shift ;;
    --db-rows) DB_ROWS=${2:?--db-rows needs a value}; shift 2 ;;
    --runs) RUNS=${2:?--runs needs a value}; shift 2 ;;
    --parts) PARTS=${2:?--parts needs a value}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs takes a positive integer"
part() { [[ ",$PARTS," == *",$1,"* ]]; }
part mem || DO_MEM=0
part db || DO_DB=0

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/piimap-compare.XXXXXX")
DB_NAME=""
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}

cleanup() {
  local rc=$?
  if [ -n "$DB_NAME" ]; then
    psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -qAt \
      -c "DROP DATABASE IF EXISTS $DB_NAME" >/dev/null 2>&1 \
      || echo "compare.sh: could not drop database $DB_NAME" >&2
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ tools

need_pkg() { # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] || die "$1 is missing: install the '$2' package"
  say "installing $2"
  if ! apt-get install -y -qq "$2" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq "$2" >/dev/null 2>&1 || die "could not install $2"
  fi
  command -v "$1" >/dev/null 2>&1 || die "$2 installed but $1 not found"
}
need_pkg rg ripgrep
[ -x /usr/bin/time ] || { need_pkg /usr/bin/time time; }
need_pkg python3 python3

if [ -z "${PIIMAP_BIN:-}" ]; then
  say "building piimap and the corpus generator (release, nice)"
  (cd "$ROOT" && nice -n 10 cargo build --release --quiet --bin piimap --example gen-corpus) \
    || die "cargo build --release failed"
  PIIMAP_BIN=$TARGET/release/piimap
fi
[ -x "$PIIMAP_BIN" ] || die "PIIMAP_BIN=$PIIMAP_BIN is not an executable"
if [ -z "${GEN_CORPUS:-}" ]; then
  GEN_CORPUS=$TARGET/release/examples/gen-corpus
  if [ ! -x "$GEN_CORPUS" ]; then
    (cd "$ROOT" && nice -n 10 cargo build --release --quiet --example gen-corpus) \
      || die "cannot build the gen-corpus example"
  fi
fi
[ -x "$GEN_CORPUS" ] || die "GEN_CORPUS=$GEN_CORPUS is not an executable"

# ------------------------------------------------------------------ corpus

gen() { # dir args...
  local out=$1; shift
  if [ -f "$out/MANIFEST.json" ]; then
    say "corpus $out exists (delete it to regenerate)"
  else
    say "generating $out ($*)"
    rm -rf "$out"
    "$GEN_CORPUS" --out "$out" "$@" >"$WORK/gen.out" || die "gen-corpus failed: $(tail -3 "$WORK/gen.out")"
    head -20 "$WORK/gen.out" | grep -v '^ *[{}"]' | sed 's/^/    /' >&2
  fi
}

CORPUS=$DIR/corpus-$SIZE
mkdir -p "$DIR"
gen "$CORPUS" --size "$SIZE" --kind all --seed 42
LOGS=$CORPUS/logs
CSVS=$CORPUS/csv

bytes_of() { du -sb --apparent-size "$1" | cut -f1; }
LOG_BYTES=$(bytes_of "$LOGS")
CSV_BYTES=$(bytes_of "$CSVS")

# ------------------------------------------------------------------ measuring

# wall seconds from /usr/bin/time -v's "h:mm:ss" or "m:ss.ss"
wall_of() {
  awk -F': ' '/Elapsed \(wall clock\)/ {
      n = split($2, p, ":"); s = 0
      for (i = 1; i <= n; i++) s = s * 60 + p[i]
      print s }' "$1"
}
rss_of() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
# user + system CPU seconds
cpu_of() { awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$1"; }

BEST_WALL=0
BEST_CPU=0
PEAK_RSS_KB=0
# measure LABEL OKCODES CMD...: best wall over $RUNS runs into BEST_WALL (and the CPU
# seconds of that run into BEST_CPU), max RSS into PEAK_RSS_KB
measure() {
  local label=$1 ok=$2; shift 2
  BEST_WALL=""
  BEST_CPU=0
  PEAK_RSS_KB=0
  local i rc w r c
  for ((i = 1; i <= RUNS; i++)); do
    set +e
    /usr/bin/time -v -o "$WORK/time" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
    rc=$?
    set -e
    if [[ ! " $ok " =~ " $rc " ]]; then
      echo "compare.sh: $label exited $rc: $*" >&2
      tail -5 "$WORK/stderr" >&2
      exit 1
    fi
    w=$(wall_of "$WORK/time")
    r=$(rss_of "$WORK/time")
    c=$(cpu_of "$WORK/time")
    say "$label run $i: ${w}s wall, ${c}s CPU, peak RSS $((r / 1024)) MB, load $(cut -d' ' -f1 /proc/loadavg)"
    if [ -z "$BEST_WALL" ] || awk -v a="$w" -v b="$BEST_WALL" 'BEGIN{exit !(a < b)}'; then
      BEST_WALL=$w
      BEST_CPU=$c
    fi
    if [ "$r" -gt "$PEAK_RSS_KB" ]; then PEAK_RSS_KB=$r; fi
  done
}

ROWS=()
row() { ROWS+=("$(printf '%-8s %7s %9.2f %9.2f %9.1f %10.1f %9d %s' "$1" "$2" "$3" "$BEST_CPU" "$4" "$(mbps "$LOG_BYTES" "$BEST_CPU")" "$5" "$6")"); }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN{printf "%.1f", b / 1e6 / (s > 0 ? s : 1e-9)}'; }

# The rg pattern set: the shapes of the main free detectors, plus context words of the
# context-gated ones. Unicode off, as in piimap's matcher.
RG_PATTERNS=(
  '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b'
  '\(\b[2-9][0-9]{2}\) ?[2-9][0-9]{2}[ .-][0-9]{4}\b'
  '\b[2-9][0-9]{2}[.-][2-9][0-9]{2}[.-][0-9]{4}\b'
  '\+[1-9][0-9]{0,3}(?:[ .-]?(?:\([0-9]{1,4}\)|[0-9]{1,5})){2,5}\b'
  '\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b'
  '\b[0-9]{13,16}\b'
  '\b[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{1,7}\b'
  '\b3[47][0-9]{2}[ -][0-9]{6}[ -][0-9]{5}\b'
  '\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b'
  '\b[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){7}\b'
  '\b[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6}::[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6}\b'
  '\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b'
  '\b[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}\b'
  'eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+'
  '\b(?:AKIA|ASIA)[0-9A-Z]{16}\b'
  '(?i)\b(?:ssn|social security|passport|date of birth|dob|driver.?s licen[cs]e)\b'
)
RG_ARGS=(--no-unicode --no-config -c)
for p in "${RG_PATTERNS[@]}"; do RG_ARGS+=(-e "$p"); done

# ------------------------------------------------------------------ 1. logs: rg vs piimap

declare -A WALL
if part logs; then
say "log corpus: $LOGS ($((LOG_BYTES / 1048576)) MiB)"
for j in 1 2; do
  measure "rg -j$j" "0 1" rg "${RG_ARGS[@]}" -j"$j" "$LOGS"
  WALL[rg$j]=$BEST_WALL
  row rg "$j" "$BEST_WALL" "$(mbps "$LOG_BYTES" "$BEST_WALL")" $((PEAK_RSS_KB / 1024)) ""
  cp "$WORK/stdout" "$WORK/rg-counts"
done
for j in 1 2; do
  measure "piimap -j$j" "0" "$PIIMAP_BIN" scan "$LOGS" --format json -q -j "$j"
  WALL[pm$j]=$BEST_WALL
  ratio=$(awk -v p="$BEST_WALL" -v r="${WALL[rg$j]}" 'BEGIN{printf "%.2f", r / p}')
  row piimap "$j" "$BEST_WALL" "$(mbps "$LOG_BYTES" "$BEST_WALL")" $((PEAK_RSS_KB / 1024)) "$ratio"
  cp "$WORK/stdout" "$WORK/piimap-logs.json"
done
fi

# ------------------------------------------------------------------ 2. CSV columns, --full

CSV_CELLS=$(python3 - "$CORPUS/MANIFEST.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
print(sum(f["lines"] * 10 for f in m["files"] if f["path"].endswith(".csv")))
EOF
)
CELL_ROWS=()
part csv && for j in 1 2; do
  measure "piimap csv --full -j$j" "0" "$PIIMAP_BIN" scan "$CSVS" --full --format json -q -j "$j"
  CELL_ROWS+=("$(printf '%-8s %7s %9.2f %9.2f %9.1f %12.0f %14.0f %9d' piimap "$j" "$BEST_WALL" "$BEST_CPU" \
    "$(mbps "$CSV_BYTES" "$BEST_WALL")" \
    "$(awk -v c="$CSV_CELLS" -v s="$BEST_WALL" 'BEGIN{print c / s}')" \
    "$(awk -v c="$CSV_CELLS" -v s="$BEST_CPU" 'BEGIN{print c / s}')" $((PEAK_RSS_KB / 1024)))")
  cp "$WORK/stdout" "$WORK/piimap-csv.json"
done

# ------------------------------------------------------------------ 3. memory on one file

MEM_ROWS=()
# Peak RSS split into anonymous memory (heap) and file pages (the memory map), sampled
# from /proc every 100 ms, alongside /usr/bin/time's peak.
mem_run() { # file
  local f=$1 pid anon=0 filep=0 a fp
  /usr/bin/time -v -o "$WORK/time" "$PIIMAP_BIN" scan "$f" --format json -q >/dev/null 2>"$WORK/stderr" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    local child
    child=$(pgrep -P "$pid" 2>/dev/null | head -1 || true)
    if [ -n "$child" ] && [ -r "/proc/$child/status" ]; then
      a=$(awk '/^RssAnon/ {print $2}' "/proc/$child/status" 2>/dev/null || echo 0)
      fp=$(awk '/^RssFile/ {print $2}' "/proc/$child/status" 2>/dev/null || echo 0)
      if [ "${a:-0}" -gt "$anon" ]; then anon=$a; fi
      if [ "${fp:-0}" -gt "$filep" ]; then filep=$fp; fi
    fi
    sleep 0.1
  done
  wait "$pid" || die "piimap failed on $f: $(tail -3 "$WORK/stderr")"
  local w r c
  w=$(wall_of "$WORK/time")
  r=$(rss_of "$WORK/time")
  c=$(cpu_of "$WORK/time")
  say "memory run: ${w}s wall, ${c}s CPU, peak RSS $((r / 1024)) MB (anon $((anon / 1024)) MB, file $((filep / 1024)) MB)"
  MEM_ROWS+=("$(printf '%-12s %8.2f %8.2f %9.1f %10d %10d %10d' "$(basename "$(dirname "$f")")" "$w" "$c" \
    "$(mbps "$(stat -c %s "$f")" "$w")" $((r / 1024)) $((anon / 1024)) $((filep / 1024)))")
}
if [ "$DO_MEM" = 1 ]; then
  for s in $MEM_SIZES; do
    gen "$DIR/single-$s" --size "$s" --kind logs --single-file --seed 7
    say "memory run on $DIR/single-$s/single.log"
    mem_run "$DIR/single-$s/single.log"
  done
fi

# ------------------------------------------------------------------ 4. PostgreSQL

DB_LINE=""
if [ "$DO_DB" = 1 ]; then
  need_pkg psql postgresql-client
  PSQL=(psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -v ON_ERROR_STOP=1 -qAt)
  "${PSQL[@]}" -d postgres -c 'select 1' >/dev/null \
    || die "PostgreSQL does not answer on $PGHOST:$PGPORT as $PGUSER (trust auth expected)"
  DB_NAME=piimap_bench_$$
  say "creating $DB_NAME with a ${DB_ROWS}-row, 10-column table"
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB_NAME" >/dev/null
  "${PSQL[@]}" -d "$DB_NAME" >/dev/null <<EOF
CREATE TABLE t AS
SELECT g AS id,
       (array['james','mary','wei','aisha','lars','priya'])[1 + g % 6] || '.' ||
         (array['smith','garcia','lee','okafor','schmidt'])[1 + g % 5] || (g % 997) ||
         '@' || (array['gmail.com','outlook.com','acme-corp.com'])[1 + g % 3] AS email,
       '(' || (200 + g % 700) || ') ' || (200 + (g / 7) % 700) || '-' || lpad((g % 10000)::text, 4, '0') AS phone,
       (23 + g % 180) || '.' || (g / 256 % 250 + 1) || '.' || (g % 250 + 1) || '.' || (g / 7 % 250 + 1) AS last_ip,
       timestamptz '2026-01-05' + g * interval '17 seconds' AS created_at,
       (array['pending','paid','shipped','delivered','cancelled'])[1 + g % 5] AS status,
       round((g % 250000) / 100.0, 2) AS amount,
       'SKU-' || chr(65 + g % 26) || chr(65 + g / 26 % 26) || chr(65 + g / 676 % 26) || '-' || lpad((g % 100000)::text, 5, '0') AS sku,
       md5(g::text)::uuid AS request_id,
       CASE WHEN g % 33 = 0 THEN 'customer asked to be called at ' || (200 + g % 700) || '-' || (300 + g % 600) || '-' || lpad((g % 9999)::text, 4, '0')
            ELSE 'gift wrap, deliver after ' || (8 + g % 10) || ':00' END AS notes
FROM generate_series(1, $DB_ROWS) AS g;
ANALYZE t;
EOF
  URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB_NAME"
  measure "psql \\copy" "0" "${PSQL[@]}" -d "$DB_NAME" -c "\\copy (select * from t) to '/dev/null'"
  COPY_WALL=$BEST_WALL
  COPY_CPU=$BEST_CPU
  measure "piimap --db --full" "0" "$PIIMAP_BIN" scan --db "$URL" --full -q --format json
  DB_WALL=$BEST_WALL
  DB_CPU=$BEST_CPU
  DB_RSS=$((PEAK_RSS_KB / 1024))
  cp "$WORK/stdout" "$WORK/piimap-db.json"
  DB_LINE=$(awk -v c="$COPY_WALL" -v p="$DB_WALL" -v n="$DB_ROWS" -v rss="$DB_RSS" -v pc="$DB_CPU" -v cc="$COPY_CPU" 'BEGIN{
    printf "psql \\copy %.2fs wall (psql CPU %.2fs), piimap --db --full %.2fs wall (CPU %.2fs; %.0f rows/s, %.0f cells/s, peak RSS %d MB): piimap/copy wall-time ratio %.2f",
      c, cc, p, pc, n / p, n * 10 / p, rss, p / c }')
fi

# ------------------------------------------------------------------ report

echo
echo "piimap vs ripgrep — $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), best of $RUNS runs"
echo "corpus: $CORPUS (logs $((LOG_BYTES / 1048576)) MiB, csv $((CSV_BYTES / 1048576)) MiB), $("$PIIMAP_BIN" --version)"
echo
if [ "${#ROWS[@]}" -gt 0 ]; then
  echo "Logs ($LOGS), rg -c with ${#RG_PATTERNS[@]} patterns vs piimap scan --format json -q (all built-in rules)"
  printf '%-8s %7s %9s %9s %9s %10s %9s %s\n' tool threads wall_s cpu_s MB/s MB/cpu-s rss_MB "piimap/rg throughput (wall)"
  printf '%s\n' "${ROWS[@]}"
fi
if [ "${#CELL_ROWS[@]}" -gt 0 ]; then
  echo
  echo "CSV column classification ($CSVS, --full, $CSV_CELLS cells)"
  printf '%-8s %7s %9s %9s %9s %12s %14s %9s\n' tool threads wall_s cpu_s MB/s cells/s cells/cpu-s rss_MB
  printf '%s\n' "${CELL_ROWS[@]}"
fi
if [ "${#MEM_ROWS[@]}" -gt 0 ]; then
  echo
  echo "Memory: one access log, piimap scan FILE (all cores)"
  printf '%-12s %8s %8s %9s %10s %10s %10s\n' file wall_s cpu_s MB/s peak_rss anon_MB file_MB
  printf '%s\n' "${MEM_ROWS[@]}"
fi
if [ -n "$DB_LINE" ]; then
  echo
  echo "PostgreSQL ($DB_ROWS rows x 10 columns): $DB_LINE"
fi
echo
part accuracy || exit 0
# Untimed: every finding on the log corpus (--findings), counted per data type, against
# what the generator planted. Decoys that come out as findings are false positives.
say "accuracy run (untimed): piimap scan $LOGS --findings"
"$PIIMAP_BIN" scan "$LOGS" -q --format json --findings "$WORK/findings.jsonl" >/dev/null \
  || die "piimap --findings run failed"
grep -o '"field":[^,]*,"line":[^,]*,"row":[^,]*,"data_type":"[a-z_]*"' "$WORK/findings.jsonl" \
  | sed 's/"line":[^,]*,"row":[^,]*,//' | sort | uniq -c >"$WORK/found-by-field"
echo "Planted vs found on the log corpus (findings of an untimed --findings run):"
python3 - "$CORPUS/MANIFEST.json" "$WORK/found-by-field" <<'EOF' || true
import json, re, sys
m = json.load(open(sys.argv[1]))
planted = {}
for f in m["files"]:
    if f["path"].startswith("logs/"):
        for k, v in f["pii"].items():
            planted[k] = planted.get(k, 0) + v
found, by_field = {}, {}
for line in open(sys.argv[2]):
    n, rest = line.strip().split(" ", 1)
    g = re.match(r'"field":(null|"(.*)"),"data_type":"([a-z_]+)"', rest)
    field, dt = g.group(2) or "(text)", g.group(3)
    found[dt] = found.get(dt, 0) + int(n)
    by_field.setdefault(dt, []).append((int(n), field))
rows = [("email", ["email"]), ("phone", ["phone"]), ("credit_card", ["credit_card"]),
        ("ssn", ["ssn"]), ("bank_account", ["iban"]),
        ("ip_address", ["ipv4", "ipv6", "ipv4_access_client"])]
for dt, keys in rows:
    p = sum(planted.get(k, 0) for k in keys)
    print(f"  {dt:<13} planted {p:>9}  found {found.get(dt, 0):>9}")
for dt in sorted(set(found) - {r[0] for r in rows}):
    top = ", ".join(f"{f} {n}" for n, f in sorted(by_field[dt], reverse=True)[:3])
    print(f"  {dt:<13} planted {0:>9}  found {found[dt]:>9}  (not planted; top fields: {top})")
ip_fields = ", ".join(f"{f} {n}" for n, f in sorted(by_field.get("ip_address", []), reverse=True)[:6])
print(f"  ip_address findings by field: {ip_fields}")
EOF
