{{ config(materialized='incremental', event_time='date', tags=['daily'], unique_key=['date', 'pickup_borough']) }}
-- One row per pickup day and pickup borough. Same window and rounding rules as daily_metrics.
with trips as (
  select pickup_at, pickup_location_id, trip_duration_seconds, total_amount
  from {{ ref('stg_trips') }}
  where pickup_at >= '{{ var("min_date") }}'
    and pickup_at < '{{ var("max_date") }}'
)
select
  trips.pickup_at::date as date,
  -- Trips can reference ids missing from the lookup (TLC uses 264/265 for "unknown").
  coalesce(zones.borough, 'Unknown')::text as pickup_borough,
  count(*)::bigint as trip_count,
  sum(trips.trip_duration_seconds)::bigint as total_duration_seconds,
  sum(trips.total_amount)::numeric(14, 2) as total_amount
from trips
left join {{ ref('stg_zones') }} as zones on zones.location_id = trips.pickup_location_id
group by 1, 2
