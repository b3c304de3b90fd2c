#!/usr/bin/env bash
# Schemathesis against the running local API: every operation of
# /api/openapi.json, admin token, the simulated venue as {venueId}; checks
# not_a_server_error + response_schema_conformance. Exits non-zero on any failure.
#
#   BASE_URL      the stack's API (default http://127.0.0.1:3000; start it with `venue-analytics up --simulate`)
#   VENUE_ID      venue used for {venueId} (default venue-riverside)
#   MAX_EXAMPLES  test cases per operation and phase (default 20; ~1.5 min on moto)
#   ANALYTICS_TOKEN admin JWT (default: `venue-analytics token --admin`)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
bin="$target/debug/venue-analytics"
st="$root/.venv/bin/schemathesis"
[ -x "$st" ] || { echo "$st is missing: run scripts/setup.sh" >&2; exit 1; }
[ -x "$bin" ] || cargo build -p venue-analytics

base="${BASE_URL:-http://127.0.0.1:3000}"
venue="${VENUE_ID:-venue-riverside}"
token="${ANALYTICS_TOKEN:-$("$bin" token --admin 2>/dev/null)}"
reports="${ARTIFACTS_DIR:-$root/artifacts}/schemathesis"
mkdir -p "$reports"
curl -fsS -o /dev/null "$base/health" || { echo "nothing answers on $base/health: start the stack (venue-analytics up --simulate)" >&2; exit 1; }

config="$(mktemp)"
trap 'rm -f "$config"' EXIT
cat >"$config" <<TOML
# Real ids, so generated requests reach the handlers instead of stopping at 404.
[parameters]
"path.venueId" = "$venue"
TOML

exec "$st" --config-file "$config" run "$base/api/openapi.json" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples "${MAX_EXAMPLES:-20}" \
  --workers 4 \
  --seed "${SCHEMATHESIS_SEED:-1}" \
  --generation-database none \
  --request-timeout 30 \
  --report junit --report-dir "$reports" \
  --no-color
