{{ config(
    incremental_strategy='delete+insert',
    unique_key='order_date',
    event_time='order_date'
) }}
-- Revenue per Berlin day. order_date is already the local date, so the window is compared as
-- dates: [min_date, max_date).
select
  order_date,
  count(distinct order_id)::bigint as orders,
  count(*)::bigint as order_lines,
  sum(quantity)::bigint as units,
  {{ cents_to_euros('sum(line_amount_cents)') }} as revenue_eur,
  {{ cents_to_euros('sum(line_amount_cents)::numeric / nullif(count(distinct order_id), 0)') }} as avg_order_value_eur
from {{ ref('order_lines_daily') }}
where order_date >= '{{ var("min_date") }}'
  and order_date < '{{ var("max_date") }}'
group by order_date
