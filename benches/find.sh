#!/usr/bin/env bash
# Speed of `piimap find` (README, "Answering a data subject request"), measured on this
# machine with the release binary:
#
#  1. PostgreSQL (127.0.0.1:5432, user postgres): a 1,000,000-row table with an indexed
#     email column. The lookup of one person must take under 100 ms. Then the index is
#     dropped: the lookup (a scan under the statement timeout) must be no slower than
#     one `piimap scan --full` pass over the table.
#  2. About 1 GB of logs (the elastic access log repeated into a temp dir): the lookup
#     (one Aho-Corasick pass) must run at least at the normal scan's MB/s.
#
#   benches/find.sh [--rows 1000000] [--log-mb 1024] [--runs 5]
#
# Environment: PIIMAP_BIN (skip the build), CARGO_TARGET_DIR (default
# ~/.cache/piimap/target). Prints a table; writes nothing in the repository.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROWS=1000000
LOG_MB=1024
RUNS=5
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --log-mb) LOG_MB=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "${PIIMAP_BIN:-}" ]; then
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/piimap/target}
  (cd "$ROOT" && cargo build --release --quiet)
  PIIMAP_BIN=$CARGO_TARGET_DIR/release/piimap
fi
WORK=$(mktemp -d)
DB=piimap_bench_find_$$
PSQL=(psql -h 127.0.0.1 -p 5432 -U postgres -X -q -At -v ON_ERROR_STOP=1)
cleanup() { rm -rf "$WORK"; "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT

ms() { date +%s%N | awk '{printf "%d", $1 / 1000000}'; }
# Median wall time (ms) of RUNS runs of the command.
median() {
  local times=()
  for _ in $(seq "$RUNS"); do
    local t0; t0=$(ms)
    "$@" >/dev/null
    times+=($(( $(ms) - t0 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

echo "== PostgreSQL: $ROWS rows"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"
"${PSQL[@]}" -d "$DB" -c "CREATE TABLE users (id int PRIMARY KEY, email text, full_name text, phone text, created date);
  INSERT INTO users SELECT g, 'user' || g || '@example.com', 'User ' || g, '+1 415 555 ' || lpad((g % 10000)::text, 4, '0'), date '2020-01-01' + g % 1000
    FROM generate_series(1, $ROWS) g;
  CREATE INDEX users_email ON users (email); ANALYZE users;"
URL=postgres://postgres@127.0.0.1:5432/$DB
"$PIIMAP_BIN" scan -q --db "$URL" --out "$WORK/inv"
WHO=user$(( ROWS / 2 + 17 ))@example.com
FIND=("$PIIMAP_BIN" find --db "$URL" --inventory "$WORK/inv/inventory.json" --email "$WHO" --format json)
"${FIND[@]}" | grep -q '"found": true' || { echo "the indexed lookup found nothing" >&2; exit 1; }
indexed=$(median "${FIND[@]}")
# Inside piimap: the whole lookup (from the start of the command) and the table's own
# queries.
inside=$("${FIND[@]}" | python3 -c 'import json,sys; r=json.load(sys.stdin); t=[s for s in r["searched"] if s["asset"].endswith("public.users")][0]; print(r["duration_ms"], t["duration_ms"])')
"${PSQL[@]}" -d "$DB" -c "DROP INDEX users_email"
unindexed=$(median "${FIND[@]}")
full=$(median "$PIIMAP_BIN" scan -q --db "$URL" --full)

echo "== Logs: about $LOG_MB MB"
mkdir -p "$WORK/logs"
gzip -dc "$ROOT/../shared/datasets/elastic_apache_logs/apache_logs.gz" > "$WORK/one.log"
one=$(stat -c %s "$WORK/one.log")
copies=$(( LOG_MB * 1048576 / one + 1 ))
for _ in $(seq "$copies"); do cat "$WORK/one.log"; done > "$WORK/logs/access.log"
bytes=$(stat -c %s "$WORK/logs/access.log")
t0=$(ms); "$PIIMAP_BIN" scan -q "$WORK/logs" --out "$WORK/loginv"; scan_ms=$(( $(ms) - t0 ))
t0=$(ms)
"$PIIMAP_BIN" find "$WORK/logs" --inventory "$WORK/loginv/inventory.json" --ip 83.149.9.216 --format json > "$WORK/found.json"
find_ms=$(( $(ms) - t0 ))
lines=$(awk -F': ' '/"lines"/ {gsub(/[^0-9]/, "", $2); print $2; exit}' "$WORK/found.json")
mbps() { awk -v b="$1" -v t="$2" 'BEGIN {printf "%.0f", b / 1048576 / (t / 1000)}'; }

printf '\n| measurement | value |\n| --- | --- |\n'
printf '| indexed email lookup, %s rows: the whole command (median of %s, wall) | %s ms |\n' "$ROWS" "$RUNS" "$indexed"
printf '| the same inside piimap: whole lookup, and the table'"'"'s queries (one run) | %s ms, %s ms |\n' ${inside}
printf '| same lookup without the index (scan) | %s ms |\n' "$unindexed"
printf '| one `scan --full` pass over the table | %s ms |\n' "$full"
printf '| logs: %s MB, `scan` | %s ms, %s MB/s |\n' "$(( bytes / 1048576 ))" "$scan_ms" "$(mbps "$bytes" "$scan_ms")"
printf '| logs: `find --ip` (%s lines) | %s ms, %s MB/s |\n' "$lines" "$find_ms" "$(mbps "$bytes" "$find_ms")"
