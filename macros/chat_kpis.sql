{#- The KPI columns, aggregated over rows of int_conversations_segmented (alias `c`) grouped by
    period x channel x segment. Every rate is a ratio of counts over the same rows (never an
    average of averages) and lies in [0, 1]; every duration is in seconds. Definitions: the docs
    blocks named after each column (models/marts/kpis/_kpis__docs.md). -#}
{% macro chat_kpi_count_columns() -%}
    {%- set initiated = 'c.has_visitor_message' -%}
    {%- set cols = [
        ('conversations_opened', 'count(case when c.has_open_event then 1 end)'),
        ('conversations', 'count(case when ' ~ initiated ~ ' then 1 end)'),
        ('opened_initiated_conversations',
            'count(case when c.has_open_event and ' ~ initiated ~ ' then 1 end)'),
    ] -%}
    {%- for name, flag in [
        ('bot_involved', 'c.is_bot_involved'),
        ('human_involved', 'c.is_human_involved'),
        ('handed_off', 'c.is_handed_off'),
        ('contained', 'c.is_contained'),
        ('escalated', 'c.is_escalated'),
        ('bot_resolved', 'c.is_bot_resolved'),
        ('resolved', 'c.is_resolved'),
        ('human_resolved', 'c.is_resolved and c.is_human_involved'),
        ('first_contact_resolved', 'c.is_first_contact_resolved'),
        ('ever_resolved', 'c.has_resolution_event'),
        ('reopened', 'c.is_reopened'),
        ('abandoned', 'c.is_abandoned'),
        ('repeat_contact', 'c.is_repeat_contact'),
        ('engaged', 'c.is_engaged'),
        ('rated', 'c.csat_rating is not null'),
        ('good_csat', 'c.is_csat_good'),
        ('rated_bot', "c.resolution_path = 'bot' and c.csat_rating is not null"),
        ('good_csat_bot', "c.resolution_path = 'bot' and c.is_csat_good"),
        ('rated_human', "c.resolution_path = 'human' and c.csat_rating is not null"),
        ('good_csat_human', "c.resolution_path = 'human' and c.is_csat_good"),
        ('rated_escalated', "c.resolution_path = 'escalated' and c.csat_rating is not null"),
        ('good_csat_escalated', "c.resolution_path = 'escalated' and c.is_csat_good"),
    ] -%}
        {%- do cols.append((name ~ '_conversations',
            'count(case when ' ~ initiated ~ ' and ' ~ flag ~ ' then 1 end)')) -%}
    {%- endfor -%}
    {%- do cols.append(('messages', 'sum(case when ' ~ initiated ~ ' then c.message_count else 0 end)')) -%}
    {%- do cols.append(('flagged_messages',
        'sum(case when ' ~ initiated ~ ' then c.flagged_message_count else 0 end)')) -%}
    {%- do cols.append(('active_chat_users',
        'count(distinct case when ' ~ initiated ~ ' then c.person_id end)')) -%}
    {{ return(cols) }}
{%- endmacro %}

{#- The duration statistics of the KPI registry (kpi_registry.sql) over the conversations: each
    over the initiated conversations (and those where the entry's `only_when` holds). -#}
{% macro chat_kpi_distribution_columns() -%}
    {%- set cols = [] -%}
    {%- for name, statistic, duration in kpi_duration_columns('conversations') -%}
        {%- set filter = 'c.' ~ duration['only_when'] if duration.get('only_when') else 'true' -%}
        {%- set value = 'case when c.has_visitor_message and ' ~ filter ~ ' then c.' ~ duration['column'] ~ ' end' -%}
        {%- do cols.append((name, kpi_statistic_sql(statistic, value))) -%}
    {%- endfor -%}
    {{ return(cols) }}
{%- endmacro %}

{#- rates from the counts above, as the KPI registry declares them -#}
{% macro chat_kpi_rates() -%}
    {%- for rate in kpi_rates() %}
    {{ kpi_rate_sql(rate['name']) }} as {{ rate['name'] }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The whole KPI report for one period grain ('day' or 'week', ISO weeks starting Monday). -#}
{% macro chat_kpi_report(grain) -%}
with

conversations as (
    select
        segmented.*,
        {{ dbt.date_trunc(grain, 'segmented.started_at') }} as period_start
    from {{ ref('int_conversations_segmented') }} as segmented
),

widget_views as (
    select
        segmented_views.*,
        {{ dbt.date_trunc(grain, 'segmented_views.view_date') }} as period_start
    from {{ ref('int_widget_views_segmented') }} as segmented_views
),

human_replies as (
    select conversation_id, reply_seconds
    from {{ ref('fct_chat_messages') }}
    where reply_seconds is not null
),

conversation_groups as (
    select
        c.period_start,
        c.report_channel,
        c.segment_type,
        c.segment_value,
        {%- for name, expression in chat_kpi_count_columns() + chat_kpi_distribution_columns() %}
        {{ expression }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from conversations as c
    group by c.period_start, c.report_channel, c.segment_type, c.segment_value
),

repeat_chatters as (
    select
        period_start,
        report_channel,
        segment_type,
        segment_value,
        person_id
    from conversations
    where has_visitor_message
    group by period_start, report_channel, segment_type, segment_value, person_id
    having count(*) >= 2
),

returning_users as (
    select
        period_start,
        report_channel,
        segment_type,
        segment_value,
        count(*) as returning_chat_users
    from repeat_chatters
    group by period_start, report_channel, segment_type, segment_value
),

view_counts as (
    select
        period_start,
        report_channel,
        segment_type,
        segment_value,
        count(*) as widget_views
    from widget_views
    group by period_start, report_channel, segment_type, segment_value
),

reply_times as (
    select
        c.period_start,
        c.report_channel,
        c.segment_type,
        c.segment_value,
        count(*) as human_replies,
        {%- for name, statistic, duration in kpi_duration_columns('replies') %}
        {{ kpi_statistic_sql(statistic, 'human_replies.' ~ duration['column']) }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from human_replies
    inner join conversations as c
        on human_replies.conversation_id = c.conversation_id
    where c.has_visitor_message
    group by c.period_start, c.report_channel, c.segment_type, c.segment_value
),

group_keys as (
    select period_start, report_channel, segment_type, segment_value from conversation_groups
    union
    select period_start, report_channel, segment_type, segment_value from view_counts
),

joined as (
    select
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
        reply_times.{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from group_keys
    left join conversation_groups
        on
            group_keys.period_start = conversation_groups.period_start
            and group_keys.report_channel = conversation_groups.report_channel
            and group_keys.segment_type = conversation_groups.segment_type
            and group_keys.segment_value = conversation_groups.segment_value
    left join view_counts
        on
            group_keys.period_start = view_counts.period_start
            and group_keys.report_channel = view_counts.report_channel
            and group_keys.segment_type = view_counts.segment_type
            and group_keys.segment_value = view_counts.segment_value
    left join returning_users
        on
            group_keys.period_start = returning_users.period_start
            and group_keys.report_channel = returning_users.report_channel
            and group_keys.segment_type = returning_users.segment_type
            and group_keys.segment_value = returning_users.segment_value
    left join reply_times
        on
            group_keys.period_start = reply_times.period_start
            and group_keys.report_channel = reply_times.report_channel
            and group_keys.segment_type = reply_times.segment_type
            and group_keys.segment_value = reply_times.segment_value
),

final as (
    select
        joined.*,
        {{ chat_kpi_rates() }}
    from joined
)

select * from final
{%- endmacro %}
