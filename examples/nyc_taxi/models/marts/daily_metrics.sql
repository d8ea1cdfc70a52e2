{{ config(materialized='incremental', event_time='date', tags=['daily'], unique_key='date') }}
-- One row per pickup day. Every aggregate is numeric or integer (never float) and rounded to a
-- fixed scale, so a run over one day and a query over the whole month give identical values
-- whatever order the rows are summed in (analysis/daily_metrics_check.sql relies on that).
with trips as (
  select pickup_at, trip_duration_seconds, total_amount
  from {{ ref('stg_trips') }}
  -- Half-open window: max_date is the first day *after* the run, so `between` would also
  -- write that day.
  where pickup_at >= '{{ var("min_date") }}'
    and pickup_at < '{{ var("max_date") }}'
)
select
  pickup_at::date as date,
  count(*)::bigint as trip_count,
  sum(trip_duration_seconds)::bigint as total_duration_seconds,
  round({{ safe_divide('sum(trip_duration_seconds)::numeric', 'count(*)') }}, 2)::numeric(12, 2) as avg_duration_seconds,
  sum(total_amount)::numeric(14, 2) as total_amount,
  round({{ safe_divide('sum(total_amount)', 'count(*)') }}, 4)::numeric(12, 4) as avg_amount,
  -- 100.0 makes the division numeric; integer division would truncate to whole percents.
  round(
    100.0 * count(*) filter (where trip_duration_seconds > {{ var('long_trip_seconds') }}) / nullif(count(*), 0),
    4
  )::numeric(7, 4) as pct_over_30_min
from trips
group by pickup_at::date
