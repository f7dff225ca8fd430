{#- Rolling 7- and 28-day KPI values per day x channel x segment, and their week-over-week
    change, all recomputed from summed counts (never averages of daily rates). The rates are the
    KPI registry's with `trend: true` (macros/kpi_registry.sql); its `trend_statistics` of durations
    (the rolling median human first response) come from the conversations themselves, for the
    unsegmented rows.

    What bounds the rolling joins: each daily row (and each conversation) is copied once per day
    offset 0..27 and meets the anchor day it falls in by equality on the date (anchor = its day +
    offset), so the joins produce exactly the 28 copies the windows need, whatever the number of
    days; the date range stays as a filter. -#}
with

daily as (
    select * from {{ ref('rpt_chat_kpis_daily') }}
),

conversations as (
    select * from {{ ref('int_conversations_segmented') }}
    where segment_type = 'all' and has_visitor_message
),

{%- set counts = [] %}
{%- for rate in kpi_rates('trend') %}
{%- if rate.numerator not in counts %}{% do counts.append(rate.numerator) %}{% endif %}
{%- if rate.denominator not in counts %}{% do counts.append(rate.denominator) %}{% endif %}
{%- endfor %}
{%- set rolling_statistics = [] %}
{%- for duration in kpi_registry()['durations'] if duration.get('trend_statistics') %}
{%- for statistic in duration['trend_statistics'] %}
{%- do rolling_statistics.append((statistic ~ '_' ~ duration.name ~ '_seconds', statistic, duration)) %}
{%- endfor %}
{%- endfor %}

anchor_days as (
    select distinct period_start as anchor_date from daily
),

day_offsets as (
    {%- for offset in range(28) %}
    select {{ offset }} as day_offset{% if not loop.last %}
    union all{% endif %}
    {%- endfor %}
),

daily_in_windows as (
    {#- each daily row under the 28 anchor days whose window holds it -#}
    select
        daily.*,
        {{ dbt.dateadd('day', 'day_offsets.day_offset', 'daily.period_start') }} as window_anchor_date
    from daily
    cross join day_offsets
),

conversations_in_windows as (
    select
        conversations.*,
        {{ dbt.dateadd('day', 'day_offsets.day_offset', dbt.date_trunc('day', 'conversations.started_at')) }}
            as window_anchor_date
    from conversations
    cross join day_offsets
),

windows as (
    select
        anchor_days.anchor_date,
        daily.channel,
        daily.segment_type,
        daily.segment_value,
        {%- for count in counts %}
        sum(
            case
                when daily.period_start > {{ dbt.dateadd('day', -7, 'anchor_days.anchor_date') }}
                    then daily.{{ count }}
                else 0
            end
        ) as {{ count }}_7d,
        sum(daily.{{ count }}) as {{ count }}_28d,
        {%- endfor %}
        max(case when daily.period_start = anchor_days.anchor_date then 1 else 0 end) = 1
            as has_activity_on_day
    from anchor_days
    inner join daily_in_windows as daily
        on
            anchor_days.anchor_date = daily.window_anchor_date
            and anchor_days.anchor_date >= daily.period_start
            and daily.period_start > {{ dbt.dateadd('day', -28, 'anchor_days.anchor_date') }}
    group by anchor_days.anchor_date, daily.channel, daily.segment_type, daily.segment_value
),

rolling_frt as (
    select
        anchor_days.anchor_date,
        conversations.report_channel as channel,
        'all' as segment_type,
        {%- for name, statistic, duration in rolling_statistics %}
        {%- set value = 'conversations.' ~ duration.column %}
        {%- if duration.get('only_when') %}
        {%- set value = 'case when conversations.' ~ duration.only_when ~ ' then ' ~ value ~ ' end' %}
        {%- endif %}
        {%- set in_last_7_days = 'conversations.started_at >= ' ~ dbt.dateadd('day', -6, 'anchor_days.anchor_date') %}
        {{ kpi_statistic_sql(statistic, 'case when ' ~ in_last_7_days ~ ' then ' ~ value ~ ' end') }}
            as {{ name }}_7d,
        {{ kpi_statistic_sql(statistic, value) }} as {{ name }}_28d{% if not loop.last %},{% endif %}
        {%- endfor %}
    from anchor_days
    inner join conversations_in_windows as conversations
        on
            anchor_days.anchor_date = conversations.window_anchor_date
            and conversations.started_at < {{ dbt.dateadd('day', 1, 'anchor_days.anchor_date') }}
            and conversations.started_at >= {{ dbt.dateadd('day', -27, 'anchor_days.anchor_date') }}
    group by anchor_days.anchor_date, conversations.report_channel
),

rates as (
    select
        windows.anchor_date as period_start,
        windows.channel,
        windows.segment_type,
        windows.segment_value,
        windows.has_activity_on_day,
        {%- for count in counts %}
        windows.{{ count }}_7d,
        windows.{{ count }}_28d,
        {%- endfor %}
        {%- for rate in kpi_rates('trend') %}
        {{ kpi_rate_sql(rate.name, 'windows.', '_7d') }} as {{ rate.name }}_7d,
        {{ kpi_rate_sql(rate.name, 'windows.', '_28d') }} as {{ rate.name }}_28d,
        {%- endfor %}
        {%- for name, _, _ in rolling_statistics %}
        rolling_frt.{{ name }}_7d,
        rolling_frt.{{ name }}_28d{% if not loop.last %},{% endif %}
        {%- endfor %}
    from windows
    left join rolling_frt
        on
            windows.anchor_date = rolling_frt.anchor_date
            and windows.channel = rolling_frt.channel
            and windows.segment_type = rolling_frt.segment_type
),

final as (
    select
        rates.*,
        {%- for rate in kpi_rates('trend') %}
        rates.{{ rate.name }}_7d - previous_week.{{ rate.name }}_7d as {{ rate.name }}_7d_wow_delta,
        {%- endfor %}
        {%- for name, _, _ in rolling_statistics %}
        rates.{{ name }}_7d - previous_week.{{ name }}_7d as {{ name }}_7d_wow_delta{% if not loop.last %},{% endif %}
        {%- endfor %}
    from rates
    left join rates as previous_week
        on
            previous_week.period_start = {{ dbt.dateadd('day', -7, 'rates.period_start') }}
            and rates.channel = previous_week.channel
            and rates.segment_type = previous_week.segment_type
            and rates.segment_value = previous_week.segment_value
)

select * from final
