{#- One row per day x channel x alert rule that fired: the rolling KPIs of rpt_chat_kpi_trends
    (unsegmented rows; the KPI registry's trend rates and duration statistics) checked against the alert_thresholds seed. A rule fires only when the
    window holds at least min_denominator units, so a quiet day cannot raise a false alarm. -#}
with

trends as (
    select * from {{ ref('rpt_chat_kpi_trends') }}
    where segment_type = 'all'
),

thresholds as (
    select * from {{ ref('alert_thresholds') }}
),

{%- set metrics = [] %}
{%- for rate in kpi_rates('trend') %}
{%- do metrics.append((rate.name ~ '_7d', rate.denominator ~ '_7d')) %}
{%- do metrics.append((rate.name ~ '_28d', rate.denominator ~ '_28d')) %}
{%- do metrics.append((rate.name ~ '_7d_wow_delta', rate.denominator ~ '_7d')) %}
{%- endfor %}
{%- for duration in kpi_registry()['durations'] if duration.get('trend_statistics') %}
{%- for statistic in duration['trend_statistics'] %}
{%- do metrics.append((statistic ~ '_' ~ duration.name ~ '_seconds_7d', 'conversations_7d')) %}
{%- do metrics.append((statistic ~ '_' ~ duration.name ~ '_seconds_28d', 'conversations_28d')) %}
{%- endfor %}
{%- endfor %}

metric_values as (
    {%- for metric, denominator in metrics %}
    select
        period_start,
        channel,
        '{{ metric }}' as metric,
        cast({{ metric }} as {{ type_double() }}) as metric_value,
        {{ denominator }} as window_denominator
    from trends
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        metric_values.period_start,
        metric_values.channel,
        thresholds.alert_id,
        thresholds.severity,
        metric_values.metric,
        metric_values.metric_value,
        thresholds.comparison,
        thresholds.threshold,
        metric_values.window_denominator,
        thresholds.description
        || ' (' || metric_values.metric || ' = '
        || {{ dbt.safe_cast('round(metric_values.metric_value, 4)', dbt.type_string()) }}
        || ', ' || thresholds.comparison || ' '
        || {{ dbt.safe_cast('thresholds.threshold', dbt.type_string()) }} || ')' as rule_fired
    from metric_values
    inner join thresholds
        on metric_values.metric = thresholds.metric
    where
        metric_values.metric_value is not null
        and metric_values.window_denominator >= thresholds.min_denominator
        and (
            (thresholds.comparison = 'above' and metric_values.metric_value > thresholds.threshold)
            or (thresholds.comparison = 'below' and metric_values.metric_value < thresholds.threshold)
        )
)

select * from final
