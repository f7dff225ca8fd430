{#- numerator / denominator as a float, NULL (not an error, not 0) when the denominator is 0 or
    NULL. The cast avoids integer division on every engine. -#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ type_double() }}) / nullif({{ denominator }}, 0))
{%- endmacro %}
