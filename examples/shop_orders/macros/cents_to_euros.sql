{#- Integer cents (or any cents expression) as euros with two decimals. Rounding happens once,
    on the final value, so sums stay exact. -#}
{% macro cents_to_euros(cents) -%}
  round(({{ cents }})::numeric / 100, 2)::numeric(14, 2)
{%- endmacro %}
