{#- Fails for every value that looks like personal data: an email, a phone number or a payment
    card number (patterns in the vars pii_email_pattern, pii_phone_pattern, pii_card_pattern,
    shared with the Great Expectations suites and the pytest scanner). On a column, scans that
    column; on a model, scans every string column of it, listed when the test runs. One failing
    row per (column, kind, value). SQL has no portable Luhn check, so this test is the strict
    one: an id that looks like a card number fails it too - rename or prefix such ids. -#}
{% test no_pii(model, column_name=none, kinds=['email', 'phone', 'card']) %}
    {%- if column_name is not none %}
        {%- set columns = [column_name] %}
    {%- elif execute %}
        {%- set columns = [] %}
        {%- for col in adapter.get_columns_in_relation(model) if col.is_string() %}
            {%- do columns.append(adapter.quote(col.name)) %}
        {%- endfor %}
    {%- else %}
        {%- set columns = [] %}
    {%- endif %}
    {{ pii_findings(model, columns, kinds) }}
{% endtest %}

{#- The findings query behind no_pii and the all-marts scan: relation, column, kind, value. -#}
{% macro pii_findings(relation, columns, kinds=['email', 'phone', 'card']) -%}
    {%- if columns | length == 0 %}
    select
        cast(null as {{ dbt.type_string() }}) as relation_name,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as pii_kind,
        cast(null as {{ dbt.type_string() }}) as offending_value
    where 1 = 0
    {%- else %}
    {%- for column in columns %}
    {%- for kind in kinds %}
    select distinct
        '{{ relation.identifier }}' as relation_name,
        '{{ column | replace('"', '') }}' as column_name,
        '{{ kind }}' as pii_kind,
        cast({{ column }} as {{ dbt.type_string() }}) as offending_value
    from {{ relation }}
    where {{ regex_matches(column, var('pii_' ~ kind ~ '_pattern')) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- endif %}
{%- endmacro %}

{#- True when a string column contains a match of an RE2-compatible pattern. -#}
{% macro regex_matches(column, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'chat_performance')(column, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(column, pattern) -%}
    coalesce(cast({{ column }} as {{ dbt.type_string() }}) ~ '{{ pattern }}', false)
{%- endmacro %}

{% macro duckdb__regex_matches(column, pattern) -%}
    coalesce(regexp_matches(cast({{ column }} as {{ dbt.type_string() }}), '{{ pattern }}'), false)
{%- endmacro %}

{% macro spark__regex_matches(column, pattern) -%}
    coalesce(cast({{ column }} as string) rlike '{{ pattern | replace("\\", "\\\\") }}', false)
{%- endmacro %}
