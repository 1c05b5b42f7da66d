#!/usr/bin/env bash
# Accessibility and layout check of every HTML document piimap drafts: axe-core in
# Debian's headless Chromium (0 violations), the stacked category tables under 600 px,
# and tables that fit the page when printed (.ci/axe/check.mjs).
#
#   bash .ci/axe.sh            install what is missing, draft the documents, check them
#   bash .ci/axe.sh --install  only install (Chromium, Node.js, the npm packages)
#
# Used by .ci/run; safe to run by hand. The npm packages (axe-core, puppeteer-core) are
# pinned by .ci/axe/package-lock.json and installed into .ci/axe/node_modules.
set -euo pipefail
# A failing step names itself (a bare `test -f` would otherwise end the run silently).
trap 'echo "FAILED: ${BASH_SOURCE[0]:-$0}:${LINENO}: ${BASH_COMMAND}" >&2' ERR
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
echo "node $(node --version), npm $(npm --version)"
(cd .ci/axe && npm ci --no-audit --no-fund --loglevel=error)
[ "${1:-}" = "--install" ] && exit 0

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/piimap/target}"
cargo build --quiet
piimap="$CARGO_TARGET_DIR/debug/piimap"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1795910400

"$piimap" -q scan --config examples/demo/piimap.toml --out "$work/scan" >/dev/null || [ $? -eq 3 ]
# The demo as it is, and a variant with the §7102 metrics and a programme whose answers
# are missing (withheld statements), so every optional block is checked too.
mkdir -p "$work/demo" "$work/variant"
# Every language with templates: the Spanish pages (notice.es.html,
# notice-at-collection.es.html) are checked beside the English ones.
"$piimap" -q notice --inventory "$work/scan/inventory.json" --config examples/demo/piimap.toml \
  --out "$work/demo" --format html --format json --lang en,es >/dev/null
test -f "$work/demo/notice.es.html" && test -f "$work/demo/notice-at-collection.es.html"
test -f "$work/demo/us-state-notice.html"
cp examples/demo/piimap.toml "$work/variant.toml"
sed -i "s#^path = \"data/#path = \"$PWD/examples/demo/data/#" "$work/variant.toml"
cat >> "$work/variant.toml" <<'TOML'

[[financial_incentives]]
name = "Referral credit"
summary = "Invite a friend and both of you get store credit."

[request_metrics]
over_10m_consumers = true
year = 2025
[request_metrics.figures]
know = { received = 1200, complied = 1100, denied = 100, days = 14 }
delete = { received = 800, complied = 790, denied = 10, days = 9.5 }
TOML
# Sensitive personal information used beyond §7027(m): the limit page applies too.
sed -i 's/^sensitive_pi_use = "permitted_purposes_only"/sensitive_pi_use = "beyond_permitted_purposes"/' "$work/variant.toml"
# Sensitive PI in a consumer-facing source (the demo's SSNs are workforce data, covered by
# the workforce notice), so the variant has the limit page too.
sed -i 's/^data_subjects = \["employees"\]/data_subjects = ["employees", "customers"]/' "$work/variant.toml"
grep -q '^data_subjects = \["employees", "customers"\]' "$work/variant.toml"
grep -q '^sensitive_pi_use = "beyond_permitted_purposes"' "$work/variant.toml"
"$piimap" -q notice --inventory "$work/scan/inventory.json" --config "$work/variant.toml" \
  --out "$work/variant" --format html --format json --lang en,es >/dev/null
test -f "$work/variant/limit-sensitive.html"
# The minimal manifest of the GDPR and workforce notices: every "needs review" path.
"$piimap" -q scan --config tests/fixtures/gdpr-minimal/piimap.toml --out "$work/minimal-scan" >/dev/null || [ $? -eq 3 ]
"$piimap" -q notice --inventory "$work/minimal-scan/inventory.json" --config tests/fixtures/gdpr-minimal/piimap.toml \
  --out "$work/minimal" --format html >/dev/null
test -f "$work/demo/gdpr-notice.html" && test -f "$work/demo/workforce-notice.html" && test -f "$work/minimal/gdpr-notice.html"
# The redline between the two (notice diff), and the US state notice of a manifest that
# answers nothing (every "needs review" marker).
"$piimap" -q notice diff "$work/demo/notice.json" "$work/variant/notice.json" --out "$work/diff" --format html >/dev/null
test -f "$work/diff/notice-diff.html"
printf '[organisation]\nlegal_name = "Minimal Co"\n\n[us_states]\n' > "$work/minimal.toml"
"$piimap" -q notice --inventory "$work/scan/inventory.json" --config "$work/minimal.toml" \
  --kind us-states --out "$work/minimal-states" --format html >/dev/null
# The response letter of a data subject request (piimap find), looked up in the demo data.
"$piimap" -q find --everywhere --email "$(grep -m1 -o '[A-Za-z0-9._%+-]*@[A-Za-z0-9.-]*' examples/demo/data/exports/customers.csv)" \
  --config examples/demo/piimap.toml --out "$work/find" examples/demo/data >/dev/null || [ $? -le 4 ]
test -f "$work/find/response-letter.html"
node .ci/axe/check.mjs "$work/demo" "$work/variant" "$work/diff" "$work/minimal" "$work/minimal-states" "$work/find/response-letter.html"
