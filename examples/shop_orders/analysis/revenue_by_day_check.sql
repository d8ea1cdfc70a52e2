-- revenue_by_day computed by hand for the Berlin days 2024-03-25..2024-04-07 (across the
-- spring DST switch on 2024-03-31), straight from shop.order_lines in one plain query.
-- It takes a different road than the models (local dates instead of timestamptz bounds) and
-- yields the same columns, types, rounding and rows as revenue_by_day after a run over that
-- range, so a test can compare the two with EXCEPT in both directions. For another range,
-- change the two dates ([first day, day after the last day)).
select
  (ordered_at at time zone 'Europe/Berlin')::date as order_date,
  count(distinct order_id)::bigint as orders,
  count(*)::bigint as order_lines,
  sum(quantity)::bigint as units,
  round(sum(quantity::bigint * unit_price_cents)::numeric / 100, 2)::numeric(14, 2) as revenue_eur,
  round(
    sum(quantity::bigint * unit_price_cents)::numeric / nullif(count(distinct order_id), 0) / 100,
    2
  )::numeric(14, 2) as avg_order_value_eur
from shop.order_lines
where (ordered_at at time zone 'Europe/Berlin')::date >= '2024-03-25'
  and (ordered_at at time zone 'Europe/Berlin')::date < '2024-04-08'
group by 1
order by order_date
