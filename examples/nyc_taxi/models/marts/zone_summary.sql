-- All-time totals per pickup borough: a plain table rebuilt from every partition of
-- daily_zone_metrics, downstream of the partitioned marts.
select
  pickup_borough,
  min(date) as first_date,
  max(date) as last_date,
  count(distinct date)::bigint as days,
  sum(trip_count)::bigint as trip_count,
  sum(total_amount)::numeric(16, 2) as total_amount,
  round({{ safe_divide('sum(total_amount)', 'sum(trip_count)') }}, 4)::numeric(12, 4) as avg_amount,
  round({{ safe_divide('sum(total_duration_seconds)::numeric', 'sum(trip_count)') }}, 2)::numeric(12, 2) as avg_duration_seconds
from {{ ref('daily_zone_metrics') }}
group by pickup_borough
