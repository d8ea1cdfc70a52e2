{{ config(materialized='incremental', event_time='date') }}
select '{{ var("min_date") }}'::date as date, 1 as n
