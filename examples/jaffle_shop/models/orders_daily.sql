{{
    config(
        materialized='incremental',
        unique_key='order_date',
        event_time='order_date'
    )
}}

{#- One row per day. cumulative_orders carries the total from the days already in {{ this }},
    the classic incremental pattern; Almanac's daily partitions decide which days a run writes. -#}
with day_orders as (

    select * from {{ ref('orders') }}
    where order_date >= '{{ var("min_date") }}' and order_date < '{{ var("max_date") }}'

),

earlier as (

    {% if is_incremental() %}
    select coalesce(sum(orders), 0) as orders from {{ this }} where order_date < '{{ var("min_date") }}'
    {% else %}
    select 0 as orders
    {% endif %}

)

select
    day_orders.order_date,
    count(*) as orders,
    count(*) filter (where day_orders.status = 'returned') as returned_orders,
    sum(day_orders.amount) as revenue,
    (select orders from earlier) + sum(count(*)) over (order by day_orders.order_date) as cumulative_orders

from day_orders

group by day_orders.order_date
