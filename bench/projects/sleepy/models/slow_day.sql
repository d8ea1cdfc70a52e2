{{ config(materialized='incremental', event_time='date') }}
select '{{ var("min_date") }}'::date as date, (select 1 from pg_sleep(2)) as n
