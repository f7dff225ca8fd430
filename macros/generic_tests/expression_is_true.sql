{#- Fails for every row where the SQL expression is false (NULL counts as passing unless
    `null_is_failure`). Use on a model or on a column (then the column is not implied). -#}
{% test expression_is_true(model, expression, column_name=none, where_clause=none, null_is_failure=false) %}
    select *
    from {{ model }}
    where
        {%- if null_is_failure %}
        not coalesce({{ expression }}, false)
        {%- else %}
        not ({{ expression }})
        {%- endif %}
        {%- if where_clause %}
        and ({{ where_clause }})
        {%- endif %}
{% endtest %}
