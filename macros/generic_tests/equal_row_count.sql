{#- Fails when the model and `compare_model` have different row counts (optionally filtered). -#}
{% test equal_row_count(model, compare_model, where_clause=none, compare_where_clause=none) %}
    with counts as (
        select
            (select count(*) from {{ model }} {% if where_clause %}where {{ where_clause }}{% endif %})
                as model_rows,
            (select count(*) from {{ compare_model }}
                {% if compare_where_clause %}where {{ compare_where_clause }}{% endif %})
                as compare_rows
    )

    select model_rows, compare_rows
    from counts
    where model_rows != compare_rows
{% endtest %}
