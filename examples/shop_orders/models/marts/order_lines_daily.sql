{{ config(
    incremental_strategy='merge',
    unique_key=['order_id', 'line_no'],
    event_time='ordered_at'
) }}
-- The order lines of the run's Berlin days. The window is compared as timestamptz: min_ts and
-- max_ts carry the offset of each bound (+01:00 in winter, +02:00 in summer), so a DST day
-- spans 23 or 25 hours and nothing depends on the session's TimeZone.
select
  order_id,
  line_no,
  ordered_at,
  {{ shop_local_date('ordered_at') }} as order_date,
  sku,
  quantity,
  unit_price_cents,
  line_amount_cents,
  country_code
from {{ ref('stg_order_lines') }}
where ordered_at >= '{{ var("min_ts") }}'::timestamptz
  and ordered_at < '{{ var("max_ts") }}'::timestamptz
