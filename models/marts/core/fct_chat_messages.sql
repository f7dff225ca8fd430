{#- One row per chat message (event stream and export; internal accounts excluded), with its
    actor type, order in the conversation, redacted text and, for human replies, the
    every-exchange reply time: seconds since the oldest visitor message or handoff request that
    was waiting for a human reply.

    Incremental (delete+insert by conversation): a run recomputes every conversation that got a
    newly loaded event (less var('incremental_lookback_days') of load time as a margin), so late
    messages land in their conversation and the table equals a full refresh. A late event can
    also show that a conversation is internal (a test account's email given later): the
    post-hook deletes such conversations' messages, which the batch (internal ones excluded)
    cannot replace. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='conversation_id',
    on_schema_change='fail',
    post_hook="
        delete from {{ this }}
        where conversation_id in (
            select conversation_id from {{ ref('int_conversations_enriched') }}
            where is_internal
        )"
) }}

with

events as (
    select * from {{ ref('int_conversation_events_unioned') }}
),

conversations as (
    select * from {{ ref('int_conversations_enriched') }}
),

{% if is_incremental() %}
touched_conversations as (
    select distinct conversation_id
    from events
    where _loaded_at > (
        select {{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(loaded_at)') }}
        from {{ this }}
    )
),
{% endif %}

scoped_events as (
    select events.*
    from events
    {% if is_incremental() %}
        inner join touched_conversations
            on events.conversation_id = touched_conversations.conversation_id
    {% endif %}
),

ordered as (
    select
        scoped_events.*,
        max(
            case
                when
                    event_type in ('message_sent', 'bot_responded')
                    and actor_type = 'human_agent'
                    then occurred_at
            end
        ) over (
            partition by conversation_id
            order by occurred_at, event_id
            rows between unbounded preceding and 1 preceding
        ) as previous_human_reply_at
    from scoped_events
),

waiting as (
    {#- what waits for a human: visitor messages and handoff requests -#}
    select
        conversation_id,
        occurred_at,
        event_id
    from ordered
    where
        (event_type in ('message_sent', 'bot_responded') and actor_type = 'visitor')
        or event_type = 'handoff_requested'
),

human_replies as (
    select
        ordered.event_id,
        min(waiting.occurred_at) as waiting_since
    from ordered
    inner join waiting
        on
            ordered.conversation_id = waiting.conversation_id
            and ordered.occurred_at >= waiting.occurred_at
            and ordered.event_id != waiting.event_id
            and (
                ordered.previous_human_reply_at is null
                or ordered.previous_human_reply_at < waiting.occurred_at
            )
    where
        ordered.event_type in ('message_sent', 'bot_responded')
        and ordered.actor_type = 'human_agent'
    group by ordered.event_id
),

messages as (
    select
        ordered.message_id,
        ordered.conversation_id,
        ordered.occurred_at as sent_at,
        {{ dbt.date_trunc('day', 'ordered.occurred_at') }} as sent_date,
        ordered.actor_type,
        ordered.source_system,
        row_number() over (
            partition by ordered.conversation_id order by ordered.occurred_at, ordered.event_id
        ) as message_number,
        ordered.is_flagged,
        ordered.moderation_reason,
        {{ redact_pii('ordered.message_text') }} as message_text_redacted,
        human_replies.waiting_since as reply_waiting_since,
        {{ seconds_between('human_replies.waiting_since', 'ordered.occurred_at') }}
            as reply_seconds,
        ordered._loaded_at as loaded_at
    from ordered
    left join human_replies
        on ordered.event_id = human_replies.event_id
    where ordered.event_type in ('message_sent', 'bot_responded')
),

final as (
    select messages.*
    from messages
    inner join conversations
        on messages.conversation_id = conversations.conversation_id
    where not conversations.is_internal
)

select * from final
