{#- Rows of `cte` keeping one copy per `key`: the first loaded (by load time, then file and line).
    Entity tables pass order_by to keep the newest version instead (e.g. '_fivetran_synced desc').
    Written as a self-join on the loader's row address rather than `select * exclude`, so it runs
    unchanged on engines without star-exclusion (Spark). Use it as:
        select {{ '{{' }} first_loaded_copy('parsed', 'event_id') {{ '}}' }}
-#}
{% macro first_loaded_copy(cte, key, order_by='_loaded_at, _source_file, _source_line') -%}
    {{ cte }}.*
    from {{ cte }}
    inner join (
        select _load_id, _source_file, _source_line
        from (
            select
                _load_id,
                _source_file,
                _source_line,
                row_number() over (
                    partition by {{ key }}
                    order by {{ order_by }}
                ) as copy_number
            from {{ cte }}
        ) as numbered
        where copy_number = 1
    ) as first_copies
        on
            {{ cte }}._load_id = first_copies._load_id
            and {{ cte }}._source_file = first_copies._source_file
            and {{ cte }}._source_line = first_copies._source_line
{%- endmacro %}
