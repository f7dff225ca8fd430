{#- Inside a group by: `column`'s value on the row with the lowest `order_column`, among rows
    where `column` is not null and `condition` holds (NULL when there is none). min_by exists on
    DuckDB and Spark 3.3+, and skips rows whose ordering value is NULL. -#}
{% macro first_value_by_order(column, order_column, condition='true') -%}
    min_by(
        {{ column }},
        case when {{ column }} is not null and ({{ condition }}) then {{ order_column }} end
    )
{%- endmacro %}
