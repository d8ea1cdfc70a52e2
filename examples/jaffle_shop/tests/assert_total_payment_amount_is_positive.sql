-- Refunds are negative payments, so an order's total can never be below zero.
select
    order_id,
    sum(amount) as total_amount
from {{ ref('orders') }}
group by 1
having sum(amount) < 0
