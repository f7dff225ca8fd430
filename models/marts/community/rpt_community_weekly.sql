{#- The community job's view, per ISO week and channel: active participants, return frequency,
    engagement and moderation burden. -#}
with

kpis as (
    select * from {{ ref('rpt_chat_kpis_weekly') }}
    where segment_type = 'all'
),

final as (
    select
        period_start as week_start,
        channel,
        active_chat_users,
        returning_chat_users,
        return_chat_rate,
        conversations,
        {{ safe_divide('conversations', 'active_chat_users') }} as conversations_per_active_user,
        messages,
        messages_per_conversation,
        {{ safe_divide('messages', 'active_chat_users') }} as messages_per_active_user,
        engaged_conversations,
        engaged_conversation_rate,
        p50_conversation_length_seconds,
        flagged_messages,
        flagged_message_rate
    from kpis
)

select * from final
