{#- Every rule of the alert_thresholds seed names a metric rpt_chat_alerts can check: a rolling
    value (_7d, _28d) or week-over-week delta (_7d_wow_delta) of a KPI the registry
    (macros/kpi_registry.sql) tracks in the trends, and its threshold lies in that KPI's valid
    range (a delta's within plus or minus the range's width). Returns the rules that do not. -#}
{%- set tracked = [] %}
{%- for rate in kpi_rates('trend') %}
{%- do tracked.append((rate.name, rate.valid_range)) %}
{%- endfor %}
{%- for duration in kpi_registry()['durations'] %}
{%- for statistic in duration.get('trend_statistics', []) %}
{%- do tracked.append((statistic ~ '_' ~ duration.name ~ '_seconds', duration.valid_range)) %}
{%- endfor %}
{%- endfor %}
{%- set metrics = [] %}
{%- for name, valid_range in tracked %}
{%- set low = valid_range[0] %}
{%- set high = valid_range[1] %}
{%- do metrics.append((name ~ '_7d', low, high)) %}
{%- do metrics.append((name ~ '_28d', low, high)) %}
{%- if high is none %}
{%- do metrics.append((name ~ '_7d_wow_delta', none, none)) %}
{%- else %}
{%- do metrics.append((name ~ '_7d_wow_delta', low - high, high - low)) %}
{%- endif %}
{%- endfor %}

with

thresholds as (
    select * from {{ ref('alert_thresholds') }}
),

registered as (
    {%- for metric, low, high in metrics %}
    select
        '{{ metric }}' as metric,
        cast({{ 'null' if low is none else low }} as {{ type_double() }}) as valid_min,
        cast({{ 'null' if high is none else high }} as {{ type_double() }}) as valid_max
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        thresholds.alert_id,
        thresholds.metric,
        thresholds.threshold,
        registered.valid_min,
        registered.valid_max
    from thresholds
    left join registered
        on thresholds.metric = registered.metric
    where
        registered.metric is null
        or thresholds.threshold < registered.valid_min
        or thresholds.threshold > registered.valid_max
)

select * from final
