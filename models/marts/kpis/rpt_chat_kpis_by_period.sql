{#- Every chat KPI per period x channel (plus 'all') x segment, for both period grains side by
    side: `period_grain` 'day' (UTC days) and 'week' (ISO weeks starting Monday, UTC). The daily
    and weekly KPI marts select their grain's rows. Each conversation (and widget view) is counted
    once per grain, so a week's percentiles come from its own rows, never from daily values.

    The columns: the counts of chat_kpi_count_columns() (macros/chat_kpis.sql), the duration
    statistics and the rates of the KPI registry (macros/kpi_registry.sql).

    Ephemeral (not a table of its own): the two marts are its only readers, and their columns
    carry the definitions. In the marts layer because it reads fct_chat_messages (the human
    replies' every-exchange reply times). -#}
{{ config(materialized='ephemeral') }}
{%- set grains = kpi_period_grains() %}

with

conversations as (
    {%- for grain in grains %}
    select
        segmented.*,
        '{{ grain }}' as period_grain,
        {{ dbt.date_trunc(grain, 'segmented.started_at') }} as period_start
    from {{ ref('int_conversations_segmented') }} as segmented
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

widget_views as (
    {%- for grain in grains %}
    select
        segmented_views.*,
        '{{ grain }}' as period_grain,
        {{ dbt.date_trunc(grain, 'segmented_views.view_date') }} as period_start
    from {{ ref('int_widget_views_segmented') }} as segmented_views
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

human_replies as (
    select
        conversation_id,
        reply_seconds
    from {{ ref('fct_chat_messages') }}
    where reply_seconds is not null
),

conversation_groups as (
    select
        c.period_grain,
        c.period_start,
        c.report_channel,
        c.segment_type,
        c.segment_value,
        {%- for name, expression in chat_kpi_count_columns() + chat_kpi_distribution_columns() %}
        {{ expression }} as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from conversations as c
    group by c.period_grain, c.period_start, c.report_channel, c.segment_type, c.segment_value
),

repeat_chatters as (
    select
        period_grain,
        period_start,
        report_channel,
        segment_type,
        segment_value,
        person_id
    from conversations
    where has_visitor_message
    group by period_grain, period_start, report_channel, segment_type, segment_value, person_id
    having count(*) >= 2
),

returning_users as (
    select
        period_grain,
        period_start,
        report_channel,
        segment_type,
        segment_value,
        count(*) as returning_chat_users
    from repeat_chatters
    group by period_grain, period_start, report_channel, segment_type, segment_value
),

view_counts as (
    select
        period_grain,
        period_start,
        report_channel,
        segment_type,
        segment_value,
        count(*) as widget_views
    from widget_views
    group by period_grain, period_start, report_channel, segment_type, segment_value
),

reply_times as (
    select
        c.period_grain,
        c.period_start,
        c.report_channel,
        c.segment_type,
        c.segment_value,
        count(*) as human_replies,
        {%- for name, statistic, duration in kpi_duration_columns('replies') %}
        {{ kpi_statistic_sql(statistic, 'human_replies.' ~ duration.column) }} as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from human_replies
    inner join conversations as c
        on human_replies.conversation_id = c.conversation_id
    where c.has_visitor_message
    group by c.period_grain, c.period_start, c.report_channel, c.segment_type, c.segment_value
),

group_keys as (
    select
        period_grain,
        period_start,
        report_channel,
        segment_type,
        segment_value
    from conversation_groups
    union
    select
        period_grain,
        period_start,
        report_channel,
        segment_type,
        segment_value
    from view_counts
),

joined as (
    select
        group_keys.period_grain,
        group_keys.period_start,
        group_keys.report_channel as channel,
        group_keys.segment_type,
        group_keys.segment_value,
        coalesce(view_counts.widget_views, 0) as widget_views,
        {%- for name, _ in chat_kpi_count_columns() %}
        coalesce(conversation_groups.{{ name }}, 0) as {{ name }},
        {%- endfor %}
        {%- for name, _ in chat_kpi_distribution_columns() %}
        conversation_groups.{{ name }},
        {%- endfor %}
        coalesce(returning_users.returning_chat_users, 0) as returning_chat_users,
        coalesce(reply_times.human_replies, 0) as human_replies,
        {%- for name, _, _ in kpi_duration_columns('replies') %}
        reply_times.{{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from group_keys
    left join conversation_groups
        on
            group_keys.period_grain = conversation_groups.period_grain
            and group_keys.period_start = conversation_groups.period_start
            and group_keys.report_channel = conversation_groups.report_channel
            and group_keys.segment_type = conversation_groups.segment_type
            and group_keys.segment_value = conversation_groups.segment_value
    left join view_counts
        on
            group_keys.period_grain = view_counts.period_grain
            and group_keys.period_start = view_counts.period_start
            and group_keys.report_channel = view_counts.report_channel
            and group_keys.segment_type = view_counts.segment_type
            and group_keys.segment_value = view_counts.segment_value
    left join returning_users
        on
            group_keys.period_grain = returning_users.period_grain
            and group_keys.period_start = returning_users.period_start
            and group_keys.report_channel = returning_users.report_channel
            and group_keys.segment_type = returning_users.segment_type
            and group_keys.segment_value = returning_users.segment_value
    left join reply_times
        on
            group_keys.period_grain = reply_times.period_grain
            and group_keys.period_start = reply_times.period_start
            and group_keys.report_channel = reply_times.report_channel
            and group_keys.segment_type = reply_times.segment_type
            and group_keys.segment_value = reply_times.segment_value
),

final as (
    select
        joined.*,
        {%- for rate in kpi_rates() %}
        {{ kpi_rate_sql(rate.name) }} as {{ rate.name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from joined
)

select * from final
