{#- The segments every KPI is cut by: (segment_type, SQL expression over fct_conversations).
    'all' is the unsegmented total. Widget views carry only the first five (their context has no
    visitor history or membership), so open rates exist for those cuts only. -#}
{% macro kpi_segments() -%}
    {{ return([
        ('all', "'all'"),
        ('traffic_source', 'traffic_source'),
        ('device_type', 'device_type'),
        ('page_intent', 'page_intent'),
        ('country', 'country_code'),
        ('campaign', "coalesce(utm_campaign, '(none)')"),
        ('visitor_type', "case when is_returning_visitor then 'returning' else 'new' end"),
        ('membership_tier', 'membership_tier'),
    ]) }}
{%- endmacro %}
