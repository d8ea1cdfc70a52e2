{#- The shop's calendar day of a timestamptz: its date on the wall clock in var('shop_timezone').
    `at time zone` turns a timestamptz into local time whatever the session's TimeZone is. -#}
{% macro shop_local_date(ts) -%}
  ({{ ts }} at time zone '{{ var("shop_timezone") }}')::date
{%- endmacro %}
