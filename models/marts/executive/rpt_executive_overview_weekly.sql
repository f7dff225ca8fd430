{#- The executive overview, per ISO week, following the guide's blueprint rows.
    Top row, business outcomes: revenue influenced by chat (net revenue of conversions with a chat
    by the same person in the var('default_attribution_window_days') days before; equal to the
    attributed revenue of any model, since a conversion's credits sum to one), total revenue,
    chat-assisted conversion rate, retention lift of chatting members, support cost savings
    (bot-resolved conversations x var('cost_per_human_conversation')).
    Middle row, operational health: the chat KPIs. All money in var('reporting_currency'). -#}
with

kpis as (
    select * from {{ ref('rpt_chat_kpis_weekly') }}
    where segment_type = 'all' and channel = 'all'
),

attribution as (
    select * from {{ ref('rpt_revenue_attribution_daily') }}
    where
        channel = 'all'
        and resolution_path = 'all'
        and segment_type = 'all'
        and window_days = {{ var('default_attribution_window_days') }}
        and attribution_model = '{{ var("default_attribution_model") }}'
),

conversions as (
    select * from {{ ref('fct_conversions') }}
),

conversion_rates as (
    select * from {{ ref('rpt_chat_conversion_rates_daily') }}
    where channel = 'all' and window_days = {{ var('default_attribution_window_days') }}
),

retention as (
    select * from {{ ref('rpt_member_retention') }}
    where check_days = {{ var('retention_check_days')[0] }}
),

weekly_revenue as (
    select
        {{ dbt.date_trunc('week', 'conversion_date') }} as week_start,
        sum(attributed_revenue) as revenue_influenced,
        sum(direct_revenue) as direct_chat_revenue,
        sum(assisted_revenue) as assisted_chat_revenue
    from attribution
    group by {{ dbt.date_trunc('week', 'conversion_date') }}
),

weekly_totals as (
    select
        {{ dbt.date_trunc('week', 'conversion_date') }} as week_start,
        coalesce(sum(net_amount_reporting), 0) as total_revenue
    from conversions
    group by {{ dbt.date_trunc('week', 'conversion_date') }}
),

weekly_conversion as (
    select
        {{ dbt.date_trunc('week', 'conversation_date') }} as week_start,
        sum(conversations_followed_by_revenue) as conversations_followed_by_revenue,
        sum(conversations) as conversations
    from conversion_rates
    group by {{ dbt.date_trunc('week', 'conversation_date') }}
),

final as (
    select
        kpis.period_start as week_start,
        '{{ var("reporting_currency") }}' as reporting_currency,
        coalesce(weekly_revenue.revenue_influenced, 0) as revenue_influenced,
        coalesce(weekly_revenue.direct_chat_revenue, 0) as direct_chat_revenue,
        coalesce(weekly_revenue.assisted_chat_revenue, 0) as assisted_chat_revenue,
        coalesce(weekly_totals.total_revenue, 0) as total_revenue,
        {{ safe_divide('weekly_revenue.revenue_influenced', 'weekly_totals.total_revenue') }}
            as revenue_influenced_share,
        {{ safe_divide(
            'weekly_conversion.conversations_followed_by_revenue', 'weekly_conversion.conversations') }}
            as chat_assisted_conversion_rate,
        retention.retention_lift,
        kpis.bot_resolved_conversations * {{ var('cost_per_human_conversation') }}
            as support_cost_savings,
        kpis.conversations,
        kpis.active_chat_users,
        kpis.p50_first_human_response_seconds,
        kpis.p90_first_human_response_seconds,
        kpis.resolution_rate,
        kpis.first_contact_resolution_rate,
        kpis.containment_rate,
        kpis.escalation_rate,
        kpis.reopen_rate,
        kpis.automation_rate,
        kpis.csat_score,
        kpis.chat_open_rate,
        kpis.message_initiation_rate
    from kpis
    left join weekly_revenue
        on kpis.period_start = weekly_revenue.week_start
    left join weekly_totals
        on kpis.period_start = weekly_totals.week_start
    left join weekly_conversion
        on kpis.period_start = weekly_conversion.week_start
    left join retention
        on {{ dbt.date_trunc('month', 'kpis.period_start') }} = retention.signup_month
)

select * from final
