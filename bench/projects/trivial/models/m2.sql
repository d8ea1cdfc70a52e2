{{ config(materialized='incremental', event_time='date') }}
select date, n + 1 as n from {{ ref('m1') }} where date >= '{{ var("min_date") }}' and date < '{{ var("max_date") }}'
