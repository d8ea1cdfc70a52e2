-- Order lines with the line amount worked out and the country named for what it is.
select
  order_id,
  line_no,
  ordered_at,
  sku,
  quantity,
  unit_price_cents,
  (quantity::bigint * unit_price_cents)::bigint as line_amount_cents,
  country::text as country_code
from {{ source('shop', 'order_lines') }}
