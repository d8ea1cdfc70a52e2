-- Every day of orders_daily counts exactly the orders of that day.
select daily.order_date
from {{ ref('orders_daily') }} as daily
left join (
    select order_date, count(*) as orders from {{ ref('orders') }} group by 1
) as expected on expected.order_date = daily.order_date
where expected.orders is distinct from daily.orders
