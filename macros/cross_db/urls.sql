{#- The path of a URL ('https://site.com/pricing?x=1' -> '/pricing'); '/' when it has none. -#}
{% macro url_path(column) -%}
    {{ return(adapter.dispatch('url_path', 'chat_performance')(column)) }}
{%- endmacro %}

{% macro default__url_path(column) -%}
    coalesce(
        nullif(regexp_extract({{ column }}, '^[a-zA-Z]+://[^/?#]+(/[^?#]*)', 1), ''),
        '/'
    )
{%- endmacro %}

{% macro spark__url_path(column) -%}
    coalesce(nullif(parse_url({{ column }}, 'PATH'), ''), '/')
{%- endmacro %}
