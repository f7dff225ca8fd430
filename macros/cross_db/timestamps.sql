{#- Parse an ISO-8601 text timestamp (with an offset like +02:00 or Z, or naive meaning UTC)
    into a UTC timestamp without time zone. Every *_at column in the project goes through this. -#}
{% macro to_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'chat_performance')(column)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(column) -%}
    cast({{ column }} as timestamp)
{%- endmacro %}

{#- DuckDB would read a naive text in the session's time zone (the host's, unless set), so a
    text without an offset is cast as it stands: the result never depends on who runs the query
    (staging views are read by other clients too). -#}
{% macro duckdb__to_utc_timestamp(column) -%}
    case
        when regexp_matches({{ column }}, '\d:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)$')
            then cast(timezone('UTC', cast({{ column }} as timestamptz)) as timestamp)
        else cast({{ column }} as timestamp)
    end
{%- endmacro %}

{#- Spark parses the offset and converts to the session time zone, which the profile sets to UTC. -#}
{% macro spark__to_utc_timestamp(column) -%}
    to_timestamp({{ column }})
{%- endmacro %}


{#- Seconds elapsed between two timestamps, as a float: never a count of minute boundaries. -#}
{% macro seconds_between(start_column, end_column) -%}
    {{ return(adapter.dispatch('seconds_between', 'chat_performance')(start_column, end_column)) }}
{%- endmacro %}

{% macro default__seconds_between(start_column, end_column) -%}
    ({{ dbt.datediff(start_column, end_column, 'millisecond') }} / 1000.0)
{%- endmacro %}

{% macro duckdb__seconds_between(start_column, end_column) -%}
    (epoch_ms({{ end_column }}) - epoch_ms({{ start_column }})) / 1000.0
{%- endmacro %}

{% macro spark__seconds_between(start_column, end_column) -%}
    (unix_micros({{ end_column }}) - unix_micros({{ start_column }})) / 1000000.0
{%- endmacro %}


{#- Whole seconds since 1970-01-01 UTC, as an integer: the key of a time bucket (bucketed joins). -#}
{% macro epoch_seconds(column) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'chat_performance')(column)) }}
{%- endmacro %}

{% macro default__epoch_seconds(column) -%}
    {{ dbt.datediff("cast('1970-01-01' as " ~ dbt.type_timestamp() ~ ")", column, 'second') }}
{%- endmacro %}

{% macro duckdb__epoch_seconds(column) -%}
    cast(floor(epoch({{ column }})) as bigint)
{%- endmacro %}

{% macro spark__epoch_seconds(column) -%}
    unix_seconds({{ column }})
{%- endmacro %}
