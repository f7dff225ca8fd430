{#- Distribution of conversation length per ISO week and channel: how many conversations fall in
    each bucket of message count and of duration. -#}
with

conversations as (
    select * from {{ ref('fct_conversations') }}
    where has_visitor_message
),

bucketed as (
    select
        {{ dbt.date_trunc('week', 'started_at') }} as week_start,
        channel,
        'messages' as length_measure,
        case
            when message_count <= 1 then '01: 1'
            when message_count <= 3 then '02: 2-3'
            when message_count <= 6 then '03: 4-6'
            when message_count <= 10 then '04: 7-10'
            else '05: 11+'
        end as length_bucket
    from conversations
    union all
    select
        {{ dbt.date_trunc('week', 'started_at') }} as week_start,
        channel,
        'duration' as length_measure,
        case
            when conversation_length_seconds < 60 then '01: <1 min'
            when conversation_length_seconds < 300 then '02: 1-5 min'
            when conversation_length_seconds < 900 then '03: 5-15 min'
            when conversation_length_seconds < 3600 then '04: 15-60 min'
            when conversation_length_seconds < 86400 then '05: 1-24 h'
            else '06: 1 day+'
        end as length_bucket
    from conversations
),

final as (
    select
        week_start,
        channel,
        length_measure,
        length_bucket,
        count(*) as conversations,
        {{ safe_divide('count(*)', 'sum(count(*)) over (partition by week_start, channel, length_measure)') }}
            as share_of_conversations
    from bucketed
    group by week_start, channel, length_measure, length_bucket
)

select * from final
