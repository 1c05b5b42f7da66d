#!/usr/bin/env bash
# MySQL/MariaDB --full benchmark: piimap against the mysql client reading the same table.
#
#   benches/mysql.sh [--rows 1000000] [--runs 3] [--keep]
#
# Creates a database `piimap_bench_mysql` with a table `t` of --rows rows x 10 columns
# (the same shapes as the PostgreSQL part of benches/compare.sh: emails, phones, IPs,
# timestamps, statuses, amounts, SKUs, UUIDs, notes with a phone now and then), then
# times, in the same run, each --runs times (best wall time kept):
#   mysql -e "SELECT * FROM t" > /dev/null
#   piimap scan --db mysql://…/piimap_bench_mysql --full --format json > FILE
# and prints the ratio (the goal is at most 1.5). The database is dropped at the end
# unless --keep (then the next run reuses it).
#
# Environment: PIIMAP_BIN (skip the release build), CARGO_TARGET_DIR, MYSQL_HOST/MYSQL_PORT/
# MYSQL_USER (default 127.0.0.1:3306, root, no password).
set -euo pipefail

ROWS=1000000
RUNS=3
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=${2:?--rows needs a value}; shift 2 ;;
    --runs) RUNS=${2:?--runs needs a value}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "mysql.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ "$ROWS" =~ ^[1-9][0-9]*$ && "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "mysql.sh: --rows and --runs take positive integers" >&2; exit 2; }

say() { echo "==> $*" >&2; }
die() { echo "mysql.sh: $*" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
HOST=${MYSQL_HOST:-127.0.0.1}
PORT=${MYSQL_PORT:-3306}
USER_=${MYSQL_USER:-root}
DB=piimap_bench_mysql
CLIENT=$(command -v mariadb || command -v mysql) || die "no mariadb/mysql client (apt-get install mariadb-client)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
MY=("$CLIENT" -h "$HOST" -P "$PORT" -u "$USER_" --batch)
"${MY[@]}" -e 'SELECT 1' >/dev/null || die "MariaDB/MySQL does not answer on $HOST:$PORT as $USER_"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/piimap-mysql-bench.XXXXXX")
cleanup() {
  local rc=$?
  [ "$KEEP" = 1 ] || "${MY[@]}" -e "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${PIIMAP_BIN:-}" ]; then
  say "building piimap (release, nice)"
  (cd "$ROOT" && nice -n 10 cargo build --release --quiet --bin piimap) || die "cargo build --release failed"
  PIIMAP_BIN=$TARGET/release/piimap
fi
[ -x "$PIIMAP_BIN" ] || die "PIIMAP_BIN=$PIIMAP_BIN is not an executable"

have=$("${MY[@]}" --skip-column-names -e "SELECT COUNT(*) FROM $DB.t" 2>/dev/null || echo 0)
if [ "$have" != "$ROWS" ]; then
  say "creating $DB.t with $ROWS rows x 10 columns"
  "${MY[@]}" -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB CHARACTER SET utf8mb4"
  "${MY[@]}" "$DB" <<EOF
CREATE TABLE t (
  id INT PRIMARY KEY, email VARCHAR(80), phone VARCHAR(20), last_ip VARCHAR(15), created_at DATETIME,
  status ENUM('pending','paid','shipped','delivered','cancelled'), amount DECIMAL(10,2), sku VARCHAR(16),
  request_id CHAR(36), notes VARCHAR(120)
) ENGINE=InnoDB;
INSERT INTO t
SELECT seq,
       CONCAT(ELT(1 + seq % 6, 'james','mary','wei','aisha','lars','priya'), '.',
              ELT(1 + seq % 5, 'smith','garcia','lee','okafor','schmidt'), seq % 997, '@',
              ELT(1 + seq % 3, 'gmail.com','outlook.com','acme-corp.com')),
       CONCAT('(', 200 + seq % 700, ') ', 200 + (seq DIV 7) % 700, '-', LPAD(seq % 10000, 4, '0')),
       CONCAT(23 + seq % 180, '.', (seq DIV 256) % 250 + 1, '.', seq % 250 + 1, '.', (seq DIV 7) % 250 + 1),
       TIMESTAMP '2026-01-05 00:00:00' + INTERVAL seq * 17 SECOND,
       1 + seq % 5,
       (seq % 250000) / 100.0,
       CONCAT('SKU-', CHAR(65 + seq % 26), CHAR(65 + (seq DIV 26) % 26), CHAR(65 + (seq DIV 676) % 26), '-', LPAD(seq % 100000, 5, '0')),
       CONCAT_WS('-', SUBSTR(MD5(seq), 1, 8), SUBSTR(MD5(seq), 9, 4), SUBSTR(MD5(seq), 13, 4), SUBSTR(MD5(seq), 17, 4), SUBSTR(MD5(seq), 21, 12)),
       IF(seq % 33 = 0, CONCAT('customer asked to be called at ', 200 + seq % 700, '-', 300 + seq % 600, '-', LPAD(seq % 9999, 4, '0')),
          CONCAT('gift wrap, deliver after ', 8 + seq % 10, ':00'))
FROM seq_1_to_$ROWS;
ANALYZE TABLE t;
EOF
fi

BEST_WALL=""; BEST_CPU=""; PEAK_RSS_KB=0
measure() { # label command...
  local label=$1; shift
  BEST_WALL=""; BEST_CPU=""; PEAK_RSS_KB=0
  for r in $(seq 1 "$RUNS"); do
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" >"$WORK/stdout" 2>"$WORK/stderr" \
      || die "$label failed: $(tail -3 "$WORK/stderr")"
    read -r wall user sys rss <"$WORK/time"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u + s}')
    say "$label run $r: ${wall}s wall, ${cpu}s CPU, ${rss} KB peak RSS"
    if [ -z "$BEST_WALL" ] || awk -v a="$wall" -v b="$BEST_WALL" 'BEGIN{exit !(a < b)}'; then
      BEST_WALL=$wall; BEST_CPU=$cpu
    fi
    if [ "$rss" -gt "$PEAK_RSS_KB" ]; then PEAK_RSS_KB=$rss; fi
  done
}

measure "mysql -e SELECT" "${MY[@]}" "$DB" -e "SELECT * FROM t"
CLIENT_WALL=$BEST_WALL; CLIENT_CPU=$BEST_CPU
URL="mysql://$USER_@$HOST:$PORT/$DB"
measure "piimap --db --full" "$PIIMAP_BIN" scan --db "$URL" --full --format json
PIIMAP_WALL=$BEST_WALL; PIIMAP_CPU=$BEST_CPU; RSS=$((PEAK_RSS_KB / 1024))
python3 - "$WORK/stdout" <<'EOF' >&2 || true
import json, sys
inv = json.load(open(sys.argv[1]))
a = inv["assets"][0]
print("    piimap read", a["stats"]["rows_scanned"], "rows;", a["stats"]["sampling"])
print("    types:", {f["field"]: [t["data_type"] for t in f["types"]] for f in a["fields"]})
EOF

echo
echo "MySQL/MariaDB ($("${MY[@]}" --skip-column-names -e 'SELECT VERSION()'), $ROWS rows x 10 columns, $(nproc) cores, best of $RUNS runs, $("$PIIMAP_BIN" --version))"
awk -v c="$CLIENT_WALL" -v cc="$CLIENT_CPU" -v p="$PIIMAP_WALL" -v pc="$PIIMAP_CPU" -v n="$ROWS" -v rss="$RSS" 'BEGIN{
  printf "mysql -e \"SELECT * FROM t\" > /dev/null: %.2fs wall (client CPU %.2fs)\n", c, cc
  printf "piimap scan --db mysql://... --full:    %.2fs wall (CPU %.2fs; %.0f rows/s, %.0f cells/s, peak RSS %d MB)\n", p, pc, n / p, n * 10 / p, rss
  printf "piimap/client wall-time ratio %.2f (goal <= 1.5)\n", p / c }'
