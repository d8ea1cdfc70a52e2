#!/usr/bin/env bash
# The README's main command: generate a month of synthetic NYC taxi trips, start Almanac (server
# + worker) on the example project, request January over the REST API, and say where to look.
# Uses DATABASE_URL / REDIS_URL when set, else an embedded Postgres and a local redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
from=${FROM:-2024-01-01}
to=${TO:-2024-01-31}
port=${PORT:-3000}
almanac=(node apps/cli/bin/almanac.js --project examples/nyc_taxi)

if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$("${almanac[@]}" db url)
  export DATABASE_URL
fi
npx tsx examples/nyc_taxi/scripts/generate-trips.ts --from "$from" --to "$to" --rows-per-day "${ROWS_PER_DAY:-5000}"

"${almanac[@]}" dev --port "$port" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null' EXIT INT TERM
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break
  sleep 0.2
done

curl -sf -X POST "http://127.0.0.1:$port/api/runs" -H 'content-type: application/json' \
  ${ALMANAC_API_TOKEN:+-H "authorization: Bearer $ALMANAC_API_TOKEN"} \
  -d "{\"select\": \"+daily_metrics +zone_summary\", \"from\": \"$from\", \"to\": \"$to\"}"
echo
cat <<MSG

Almanac is running on the nyc_taxi example (Ctrl-C stops it):
  web page      http://127.0.0.1:$port/
  API docs      http://127.0.0.1:$port/docs
  assets        curl http://127.0.0.1:$port/api/assets
  partitions    curl 'http://127.0.0.1:$port/api/assets/daily_metrics/partitions?from=$from&to=$to'
  runs          curl http://127.0.0.1:$port/api/runs
  from the CLI  npx almanac --project examples/nyc_taxi status daily_metrics
MSG
wait "$server"
