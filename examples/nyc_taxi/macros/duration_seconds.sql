{#- Whole seconds between two timestamps; extract(epoch …) of an interval is exact for timestamps. -#}
{% macro duration_seconds(started_at, ended_at) -%}
  extract(epoch from ({{ ended_at }}) - ({{ started_at }}))::integer
{%- endmacro %}
