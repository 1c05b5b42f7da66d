#!/usr/bin/env bash
# Real-database accuracy through the MySQL/MariaDB source: the sakila sample database
# (../shared/datasets/sakila_mysql, read in place) loaded into a scratch database on the
# local server, scanned by `piimap scan --db mysql://…` at its default settings (sampled),
# and scored at column level against the hand-written pagila labels
# (benches/accuracy/labels/pagila.toml: pagila is sakila ported to PostgreSQL, same tables
# and columns), for the types benches/accuracy/score.py scores.
#
#   benches/sakila_mysql.sh [--datasets DIR] [--full]
#
# Environment: PIIMAP_BIN (skip the build and use this binary), CARGO_TARGET_DIR,
# MYSQL_HOST/MYSQL_PORT/MYSQL_USER (default 127.0.0.1:3306, root, no password).
# Prints every miss and false positive, then precision, recall and F1; the scratch
# database is dropped at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATASETS=$ROOT/../shared/datasets
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --datasets) DATASETS=${2:?}; shift 2 ;;
    --full) EXTRA+=(--full); shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "sakila_mysql.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
SRC=$DATASETS/sakila_mysql
[ -f "$SRC/sakila-mv-schema.sql" ] || { echo "sakila_mysql.sh: no $SRC/sakila-mv-schema.sql" >&2; exit 1; }
HOST=${MYSQL_HOST:-127.0.0.1}
PORT=${MYSQL_PORT:-3306}
USER=${MYSQL_USER:-root}
MYSQL=(mysql -h "$HOST" -P "$PORT" -u "$USER")
command -v mysql >/dev/null || { echo "sakila_mysql.sh: the mysql client is needed" >&2; exit 1; }
"${MYSQL[@]}" -e 'SELECT 1' >/dev/null || { echo "sakila_mysql.sh: no MySQL/MariaDB at $HOST:$PORT (.ci/services starts one)" >&2; exit 1; }

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/piimap/target}
if [ -z "${PIIMAP_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet --bin piimap)
  PIIMAP_BIN=$CARGO_TARGET_DIR/release/piimap
fi

DB=piimap_sakila_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/piimap-sakila.XXXXXX")
trap '"${MYSQL[@]}" -e "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
"${MYSQL[@]}" -e "CREATE DATABASE $DB"
# The dump selects its own schema (`USE sakila`, `sakila.actor` in its views): load it
# into the scratch one instead.
grep -v -E '^(USE|CREATE SCHEMA|DROP SCHEMA)' "$SRC/sakila-mv-schema.sql" | sed "s/\bsakila\./$DB./g" | "${MYSQL[@]}" "$DB"
gzip -dc "$SRC/sakila-mv-data.sql.gz" | grep -v -E '^USE ' | "${MYSQL[@]}" "$DB"

"$PIIMAP_BIN" scan --db "mysql://$USER@$HOST:$PORT/$DB" "${EXTRA[@]}" --format json >"$WORK/inventory.json" 2>"$WORK/stderr" \
  || { rc=$?; [ "$rc" = 4 ] || { tail -5 "$WORK/stderr" >&2; exit "$rc"; }; }

python3 - "$WORK/inventory.json" "$ROOT/benches/accuracy" <<'EOF'
import json, sys, tomllib
sys.path.insert(0, sys.argv[2])
from score import SCORED
inv = json.load(open(sys.argv[1]))
labels = tomllib.load(open(f"{sys.argv[2]}/labels/pagila.toml", "rb"))["tables"]
got = {}
for a in inv["assets"]:
    table = a["asset"].rsplit("/", 1)[-1].rsplit(".", 1)[-1]
    got[table] = {f["field"]: {t["data_type"] for t in f["types"]} & set(SCORED) for f in a["fields"]}
tp = fp = fn = 0
for table, cols in labels.items():
    if table not in got:
        print(f"not in the MySQL database: {table}")
        continue
    for col, truth in cols.items():
        if truth == ["?"]:
            continue
        found, truth = got[table].get(col, set()), set(truth)
        for t in sorted(truth - found):
            print(f"FN {table}.{col}: {t} (found {sorted(found)})")
        for t in sorted(found - truth):
            print(f"FP {table}.{col}: {t}")
        tp += len(truth & found); fn += len(truth - found); fp += len(found - truth)
p = tp / (tp + fp) if tp + fp else 0.0
r = tp / (tp + fn) if tp + fn else 0.0
f1 = 2 * p * r / (p + r) if p + r else 0.0
print(f"sakila through MySQL/MariaDB, column level, scored types: {tp} found, {fp} false, {fn} missed: precision {p:.3f}, recall {r:.3f}, F1 {f1:.3f}")
EOF
