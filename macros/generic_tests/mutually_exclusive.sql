{#- Fails for every row where more than one of the boolean columns is true (e.g. a message
    labelled both bot and human). NULL counts as false. -#}
{% test mutually_exclusive(model, columns, where_clause=none) %}
    select *
    from {{ model }}
    where
        (
            {%- for column in columns %}
            case when {{ column }} then 1 else 0 end{% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) > 1
        {%- if where_clause %}
        and ({{ where_clause }})
        {%- endif %}
{% endtest %}
