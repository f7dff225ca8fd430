{#- Concatenate a text expression over a group in the order of `order_by`, with a separator. -#}
{% macro string_agg_ordered(expression, order_by, separator) -%}
    {{ return(adapter.dispatch('string_agg_ordered', 'chat_performance')(expression, order_by, separator)) }}
{%- endmacro %}

{% macro default__string_agg_ordered(expression, order_by, separator) -%}
    string_agg({{ expression }}, '{{ separator }}' order by {{ order_by }})
{%- endmacro %}

{#- Spark: collect (order, value) structs, sort them, keep the values. -#}
{% macro spark__string_agg_ordered(expression, order_by, separator) -%}
    array_join(
        transform(
            array_sort(collect_list(struct({{ order_by }} as sort_key, {{ expression }} as value))),
            x -> x.value
        ),
        '{{ separator }}'
    )
{%- endmacro %}
