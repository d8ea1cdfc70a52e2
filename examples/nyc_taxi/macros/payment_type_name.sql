{#- TLC payment_type codes as readable names (TLC data dictionary). -#}
{% macro payment_type_name(code) -%}
  case {{ code }}
    when 1 then 'credit_card'
    when 2 then 'cash'
    when 3 then 'no_charge'
    when 4 then 'dispute'
    when 5 then 'unknown'
    when 6 then 'voided'
    else 'other'
  end
{%- endmacro %}
