{#- Message and conversation volume per day and channel, with bot and human messages apart. -#}
with

messages as (
    select * from {{ ref('fct_chat_messages') }}
),

conversations as (
    select * from {{ ref('fct_conversations') }}
),

message_counts as (
    select
        messages.sent_date as report_date,
        conversations.channel,
        count(*) as messages,
        count(case when messages.actor_type = 'visitor' then 1 end) as visitor_messages,
        count(case when messages.actor_type = 'bot' then 1 end) as bot_messages,
        count(case when messages.actor_type = 'human_agent' then 1 end) as human_messages,
        count(case when messages.actor_type = 'system' then 1 end) as system_messages,
        count(distinct messages.conversation_id) as active_conversations
    from messages
    inner join conversations
        on messages.conversation_id = conversations.conversation_id
    group by messages.sent_date, conversations.channel
),

final as (
    select
        message_counts.*,
        {{ safe_divide('bot_messages', 'bot_messages + human_messages') }} as bot_share_of_replies
    from message_counts
)

select * from final
