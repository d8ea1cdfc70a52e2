-- The daily_metrics model computed by hand over the whole of January 2024, straight from
-- raw.trips, in one plain query (no templating, no staging view). It yields the same columns,
-- types, rounding and rows as the model after a run over 2024-01-01..2024-01-31, so a test
-- can compare the two with EXCEPT in both directions:
--   (select * from <target>.daily_metrics except <this query>) and (<this query> except select * from <target>.daily_metrics)
-- Change the two dates to check another range ([first day, day after the last day)).
select
  tpep_pickup_datetime::date as date,
  count(*)::bigint as trip_count,
  sum(extract(epoch from tpep_dropoff_datetime - tpep_pickup_datetime)::integer)::bigint as total_duration_seconds,
  round(
    sum(extract(epoch from tpep_dropoff_datetime - tpep_pickup_datetime)::integer)::numeric / nullif(count(*), 0),
    2
  )::numeric(12, 2) as avg_duration_seconds,
  sum(total_amount::numeric(10, 2))::numeric(14, 2) as total_amount,
  round(sum(total_amount::numeric(10, 2)) / nullif(count(*), 0), 4)::numeric(12, 4) as avg_amount,
  round(
    100.0 * count(*) filter (where extract(epoch from tpep_dropoff_datetime - tpep_pickup_datetime)::integer > 1800)
      / nullif(count(*), 0),
    4
  )::numeric(7, 4) as pct_over_30_min
from raw.trips
where tpep_pickup_datetime >= '2024-01-01'
  and tpep_pickup_datetime < '2024-02-01'
group by tpep_pickup_datetime::date
order by date
