{#- A 64-bit float. dbt.type_float() is a 32-bit FLOAT on DuckDB, too coarse for rates
    checked to 1e-9. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'chat_performance')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro duckdb__type_double() -%}double{%- endmacro %}

{% macro spark__type_double() -%}double{%- endmacro %}
