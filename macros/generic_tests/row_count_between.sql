{#- Fails when the model's row count (optionally filtered) is outside [min_rows, max_rows]:
    volumes within an expected range. Either bound may be left out. -#}
{% test row_count_between(model, min_rows=none, max_rows=none, where_clause=none) %}
    with counted as (
        select count(*) as row_count
        from {{ model }}
        {% if where_clause %}where {{ where_clause }}{% endif %}
    )

    select row_count
    from counted
    where
        false
        {%- if min_rows is not none %} or row_count < {{ min_rows }}{% endif %}
        {%- if max_rows is not none %} or row_count > {{ max_rows }}{% endif %}
{% endtest %}
