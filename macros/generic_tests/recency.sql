{#- Fails when the newest value of a timestamp column is older than `interval` `datepart`s before
    the reference time (now by default, or the newest value of `reference_column`). -#}
{% test recency(model, column_name, datepart, interval, reference_sql=none) %}
    {%- set reference = reference_sql if reference_sql else dbt.current_timestamp() -%}
    with newest as (
        select max({{ column_name }}) as newest_value
        from {{ model }}
    )

    select newest_value
    from newest
    where
        newest_value is null
        or newest_value < {{ dbt.dateadd(datepart, -interval, reference) }}
{% endtest %}
