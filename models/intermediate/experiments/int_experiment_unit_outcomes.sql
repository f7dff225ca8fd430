{#- One row per experiment x exposed unit: what the visitor did within the outcome window after
    exposure (widget views, chat opens, conversations and how they ended, CSAT ratings,
    conversions and net revenue in var('reporting_currency')). Units with no activity have zeros. -#}
with

units as (
    select * from {{ ref('int_experiment_units_exposed') }}
),

chat_events as (
    select * from {{ ref('stg_chat__events') }}
),

conversations as (
    -- the conversations fct_conversations publishes: internal accounts left out
    select * from {{ ref('int_conversations_enriched') }}
    where not is_internal
),

unit_conversions as (
    select * from {{ ref('int_experiment_unit_conversions') }}
),

exposed_units as (
    select
        experiment_id,
        anonymous_id,
        variant_id,
        exposed_at,
        outcome_window_ends_at
    from units
    where is_exposed
),

widget_activity as (
    select
        exposed_units.experiment_id,
        exposed_units.anonymous_id,
        sum(case when chat_events.event_type = 'widget_viewed' then 1 else 0 end) as widget_views,
        sum(case when chat_events.event_type = 'chat_opened' then 1 else 0 end) as chat_opens
    from exposed_units
    -- bounded by equality on anonymous_id; the outcome window filters the unit's own events
    inner join chat_events
        on
            exposed_units.anonymous_id = chat_events.anonymous_id
            and exposed_units.exposed_at <= chat_events.occurred_at
            and exposed_units.outcome_window_ends_at > chat_events.occurred_at
    where chat_events.event_type in ('widget_viewed', 'chat_opened')
    group by 1, 2
),

conversation_activity as (
    select
        exposed_units.experiment_id,
        exposed_units.anonymous_id,
        count(*) as conversations,
        sum(case when conversations.is_resolved then 1 else 0 end) as resolved_conversations,
        sum(case when conversations.is_csat_good is not null then 1 else 0 end) as rated_conversations,
        sum(case when conversations.is_csat_good then 1 else 0 end) as good_ratings
    from exposed_units
    -- bounded by equality on anonymous_id; the outcome window filters the unit's own chats
    inner join conversations
        on
            exposed_units.anonymous_id = conversations.anonymous_id
            and exposed_units.exposed_at <= conversations.started_at
            and exposed_units.outcome_window_ends_at > conversations.started_at
    group by 1, 2
),

conversion_activity as (
    select
        experiment_id,
        anonymous_id,
        count(*) as conversions,
        sum(net_revenue) as net_revenue
    from unit_conversions
    group by 1, 2
),

final as (
    select
        exposed_units.experiment_id,
        exposed_units.anonymous_id,
        exposed_units.variant_id,
        exposed_units.exposed_at,
        coalesce(widget_activity.widget_views, 0) as widget_views,
        coalesce(widget_activity.chat_opens, 0) as chat_opens,
        coalesce(conversation_activity.conversations, 0) as conversations,
        coalesce(conversation_activity.resolved_conversations, 0) as resolved_conversations,
        coalesce(conversation_activity.rated_conversations, 0) as rated_conversations,
        coalesce(conversation_activity.good_ratings, 0) as good_ratings,
        coalesce(conversion_activity.conversions, 0) as conversions,
        coalesce(conversion_activity.net_revenue, 0) as net_revenue,
        coalesce(widget_activity.chat_opens, 0) > 0 as has_opened_chat,
        coalesce(conversation_activity.resolved_conversations, 0) > 0 as has_resolved_conversation,
        coalesce(conversion_activity.conversions, 0) > 0 as has_converted
    from exposed_units
    left join widget_activity
        on
            exposed_units.experiment_id = widget_activity.experiment_id
            and exposed_units.anonymous_id = widget_activity.anonymous_id
    left join conversation_activity
        on
            exposed_units.experiment_id = conversation_activity.experiment_id
            and exposed_units.anonymous_id = conversation_activity.anonymous_id
    left join conversion_activity
        on
            exposed_units.experiment_id = conversion_activity.experiment_id
            and exposed_units.anonymous_id = conversion_activity.anonymous_id
)

select * from final
