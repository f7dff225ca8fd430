{#- The experiment metrics, one place: name, type, the unit-level numerator y and (for ratio
    metrics) denominator x, as columns of int_experiment_unit_outcomes. Proportion metrics have
    y in {0, 1}; mean metrics average y per unit; ratio metrics are sum(y) / sum(x) over units
    (delta method). All are 'higher is better'. The resolution rate's counts come from the KPI
    registry (kpi_registry.sql). -#}
{% macro experiment_metrics() -%}
    {{ return([
        {'metric': 'chat_opened', 'metric_type': 'proportion',
         'y': 'case when has_opened_chat then 1 else 0 end', 'x': '1'},
        {'metric': 'conversation_resolved', 'metric_type': 'proportion',
         'y': 'case when has_resolved_conversation then 1 else 0 end', 'x': '1'},
        {'metric': 'converted', 'metric_type': 'proportion',
         'y': 'case when has_converted then 1 else 0 end', 'x': '1'},
        {'metric': 'revenue_per_unit', 'metric_type': 'mean', 'y': 'net_revenue', 'x': '1'},
        {'metric': 'chat_open_rate', 'metric_type': 'ratio', 'y': 'chat_opens', 'x': 'widget_views'},
        {'metric': 'csat', 'metric_type': 'ratio', 'y': 'good_ratings', 'x': 'rated_conversations'},
        {'metric': 'resolution_rate', 'metric_type': 'ratio',
         'y': kpi_rate('resolution_rate')['numerator'], 'x': kpi_rate('resolution_rate')['denominator']},
        {'metric': 'revenue_per_chat', 'metric_type': 'ratio', 'y': 'net_revenue', 'x': 'conversations'},
    ]) }}
{%- endmacro %}
