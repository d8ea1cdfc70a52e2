-- One row per trip with readable names and types. A view: the marts read it once per
-- partition window, so it costs nothing to keep it current.
select
  vendor_id::smallint as vendor_id,
  tpep_pickup_datetime as pickup_at,
  tpep_dropoff_datetime as dropoff_at,
  pu_location_id as pickup_location_id,
  do_location_id as dropoff_location_id,
  passenger_count::integer as passenger_count,
  trip_distance::numeric(10, 2) as trip_distance,
  ratecode_id::smallint as ratecode_id,
  store_and_fwd_flag = 'Y' as store_and_forward,
  fare_amount::numeric(10, 2) as fare_amount,
  tip_amount::numeric(10, 2) as tip_amount,
  tolls_amount::numeric(10, 2) as tolls_amount,
  total_amount::numeric(10, 2) as total_amount,
  payment_type::smallint as payment_type,
  {{ payment_type_name('payment_type') }} as payment_method,
  {{ duration_seconds('tpep_pickup_datetime', 'tpep_dropoff_datetime') }} as trip_duration_seconds
from {{ source('raw', 'trips') }}
