{# A cross-database macro the dbt way: callers use cents_to_dollars(), adapters override it. #}
{% macro cents_to_dollars(column_name, scale=2) -%}
    {{ return(adapter.dispatch('cents_to_dollars', 'jaffle_shop')(column_name, scale)) }}
{%- endmacro %}

{% macro default__cents_to_dollars(column_name, scale) -%}
    ({{ column_name }} / 100)::numeric(16, {{ scale }})
{%- endmacro %}

{% macro postgres__cents_to_dollars(column_name, scale) -%}
    round({{ column_name }}::numeric / 100, {{ scale }})
{%- endmacro %}
