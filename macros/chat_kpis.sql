{#- The KPI count columns: (name, aggregate over rows of int_conversations_segmented, alias `c`),
    grouped by period x channel x segment in rpt_chat_kpis_by_period. Each counts initiated
    conversations (a visitor message); the rates over them are declared in the KPI registry
    (kpi_registry.sql). Definitions: the docs blocks named after each column
    (models/marts/kpis/_kpis__docs.md). -#}
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

{#- The columns of rpt_chat_kpis_daily / _weekly after their keys, in order (the select list of
    both marts; rpt_chat_kpis_by_period computes them). -#}
{% macro chat_kpi_columns() -%}
    {%- set cols = ['widget_views'] -%}
    {%- for name, _ in chat_kpi_count_columns() + chat_kpi_distribution_columns() -%}
        {%- do cols.append(name) -%}
    {%- endfor -%}
    {%- do cols.extend(['returning_chat_users', 'human_replies']) -%}
    {%- for name, _, _ in kpi_duration_columns('replies') -%}
        {%- do cols.append(name) -%}
    {%- endfor -%}
    {%- for rate in kpi_rates() -%}
        {%- do cols.append(rate.name) -%}
    {%- endfor -%}
    {{ return(cols) }}
{%- endmacro %}

{#- The period grains rpt_chat_kpis_by_period computes side by side (dbt.date_trunc datepart):
    UTC days for rpt_chat_kpis_daily, ISO weeks (starting Monday) for rpt_chat_kpis_weekly. -#}
{% macro kpi_period_grains() -%}
    {{ return(['day', 'week']) }}
{%- endmacro %}
