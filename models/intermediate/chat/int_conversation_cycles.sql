{#- One row per conversation and work cycle. Cycle 1 starts when the conversation starts; each
    reopen starts the next cycle, so reopened work is timed from the reopen. The human first
    response clock of a cycle starts at the last handoff request before the cycle's first human
    reply (else at the cycle start) and stops at that reply: bot messages never stop it. -#}
with

events as (
    select * from {{ ref('int_conversation_events_unioned') }}
),

conversation_starts as (
    select
        conversation_id,
        min(occurred_at) as started_at
    from events
    group by conversation_id
),

reopens as (
    select
        conversation_id,
        occurred_at as cycle_started_at,
        1 + row_number() over (
            partition by conversation_id order by occurred_at, event_id
        ) as cycle_number
    from events
    where event_type = 'conversation_reopened'
),

cycle_starts as (
    select
        conversation_id,
        1 as cycle_number,
        started_at as cycle_started_at
    from conversation_starts
    union all
    select
        conversation_id,
        cycle_number,
        cycle_started_at
    from reopens
),

cycles as (
    select
        conversation_id,
        cycle_number,
        cycle_started_at,
        lead(cycle_started_at) over (
            partition by conversation_id order by cycle_number
        ) as next_cycle_started_at
    from cycle_starts
),

events_in_cycles as (
    select
        events.conversation_id,
        events.event_id,
        events.event_type,
        events.occurred_at,
        events.actor_type,
        events.resolved_by,
        cycles.cycle_number
    from events
    -- bounded by equality on conversation_id: an event meets only its own conversation's cycles
    inner join cycles
        on
            events.conversation_id = cycles.conversation_id
            and events.occurred_at >= cycles.cycle_started_at
            and (
                cycles.next_cycle_started_at is null
                or events.occurred_at < cycles.next_cycle_started_at
            )
),

first_human_replies as (
    select
        conversation_id,
        cycle_number,
        min(occurred_at) as first_human_reply_at
    from events_in_cycles
    where
        event_type in ('message_sent', 'bot_responded')
        and actor_type = 'human_agent'
    group by conversation_id, cycle_number
),

handoffs_before_reply as (
    select
        events_in_cycles.conversation_id,
        events_in_cycles.cycle_number,
        max(events_in_cycles.occurred_at) as last_handoff_requested_at
    from events_in_cycles
    left join first_human_replies
        on
            events_in_cycles.conversation_id = first_human_replies.conversation_id
            and events_in_cycles.cycle_number = first_human_replies.cycle_number
    where
        events_in_cycles.event_type = 'handoff_requested'
        and (
            first_human_replies.first_human_reply_at is null
            or events_in_cycles.occurred_at <= first_human_replies.first_human_reply_at
        )
    group by events_in_cycles.conversation_id, events_in_cycles.cycle_number
),

resolutions as (
    select
        conversation_id,
        cycle_number,
        occurred_at as resolved_at,
        resolved_by,
        row_number() over (
            partition by conversation_id, cycle_number order by occurred_at, event_id
        ) as resolution_number
    from events_in_cycles
    where event_type = 'conversation_resolved'
),

final as (
    select
        cycles.conversation_id,
        cycles.cycle_number,
        cycles.conversation_id || '-' || {{ dbt.safe_cast('cycles.cycle_number', dbt.type_string()) }}
            as conversation_cycle_id,
        cycles.cycle_started_at,
        cycles.next_cycle_started_at as cycle_ended_at,
        coalesce(handoffs_before_reply.last_handoff_requested_at, cycles.cycle_started_at)
            as human_clock_started_at,
        first_human_replies.first_human_reply_at,
        {{ seconds_between(
            'coalesce(handoffs_before_reply.last_handoff_requested_at, cycles.cycle_started_at)',
            'first_human_replies.first_human_reply_at'
        ) }} as first_human_response_seconds,
        resolutions.resolved_at,
        resolutions.resolved_by,
        {{ seconds_between('cycles.cycle_started_at', 'resolutions.resolved_at') }}
            as resolution_seconds
    from cycles
    left join first_human_replies
        on
            cycles.conversation_id = first_human_replies.conversation_id
            and cycles.cycle_number = first_human_replies.cycle_number
    left join handoffs_before_reply
        on
            cycles.conversation_id = handoffs_before_reply.conversation_id
            and cycles.cycle_number = handoffs_before_reply.cycle_number
    left join resolutions
        on
            cycles.conversation_id = resolutions.conversation_id
            and cycles.cycle_number = resolutions.cycle_number
            and resolutions.resolution_number = 1
)

select * from final
