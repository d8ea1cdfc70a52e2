#!/usr/bin/env bash
# The README's quick start: generate a month of synthetic taxi trips and materialize the
# example's daily metrics for it. Uses DATABASE_URL when set, else an embedded Postgres.
set -euo pipefail
cd "$(dirname "$0")/.."
from=${FROM:-2024-01-01}
to=${TO:-2024-01-31}

if [ -z "${DATABASE_URL:-}" ]; then
  # Start (or reuse) the embedded Postgres through the CLI, then point everything at it.
  DATABASE_URL=$(npx almanac db url)
  export DATABASE_URL
fi
npx tsx examples/nyc_taxi/scripts/generate-trips.ts --from "$from" --to "$to" --rows-per-day "${ROWS_PER_DAY:-5000}"
npx almanac --project examples/nyc_taxi materialize "+daily_metrics +zone_summary" --from "$from" --to "$to"
npx almanac --project examples/nyc_taxi status daily_metrics --from "$from" --to "$to"
