{{ config(materialized='incremental', partitions='hourly', event_time='at') }}
select '{{ var("min_ts") }}'::timestamptz as at, 1 as n
