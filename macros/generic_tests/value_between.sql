{#- Fails for every non-null value outside [min_value, max_value] (either bound optional). -#}
{% test value_between(model, column_name, min_value=none, max_value=none, inclusive=true) %}
    {%- set lower = '>=' if inclusive else '>' -%}
    {%- set upper = '<=' if inclusive else '<' -%}
    select {{ column_name }} as offending_value
    from {{ model }}
    where
        {{ column_name }} is not null
        and not (
            true
            {%- if min_value is not none %} and {{ column_name }} {{ lower }} {{ min_value }}{% endif %}
            {%- if max_value is not none %} and {{ column_name }} {{ upper }} {{ max_value }}{% endif %}
        )
{% endtest %}
