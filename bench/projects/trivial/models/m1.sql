{{ config(materialized='incremental', event_time='date') }}
-- One row per day of the window, however many days a run covers.
select d::date as date, 1 as n
from generate_series('{{ var("min_date") }}'::date, '{{ var("max_date") }}'::date - 1, interval '1 day') as d
