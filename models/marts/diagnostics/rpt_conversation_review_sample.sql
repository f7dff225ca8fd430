{#- A stratified sample for the weekly qualitative review: per ISO week, up to
    var('review_sample_per_stratum') conversations from each stratum of outcome (resolved /
    failed) x handling (bot / human), picked by a stable hash so the sample does not change
    between runs. Each comes with a redacted transcript snippet (first messages, PII removed). -#}
with

conversations as (
    select * from {{ ref('fct_conversations') }}
    where has_visitor_message and has_reply
),

messages as (
    select * from {{ ref('fct_chat_messages') }}
),

stratified as (
    select
        conversation_id,
        {{ dbt.date_trunc('week', 'started_at') }} as week_start,
        case when is_resolved then 'resolved' else 'failed' end as outcome,
        case when is_human_involved then 'human' else 'bot' end as handled_by,
        resolution_path,
        channel,
        page_intent,
        tag_intent,
        csat_rating,
        message_count,
        first_human_response_seconds,
        row_number() over (
            partition by
                {{ dbt.date_trunc('week', 'started_at') }},
                is_resolved,
                is_human_involved
            order by {{ sha256_hex('conversation_id') }}
        ) as sample_rank
    from conversations
),

sampled as (
    select * from stratified
    where sample_rank <= {{ var('review_sample_per_stratum') }}
),

snippets as (
    select
        messages.conversation_id,
        {{ string_agg_ordered(
            "messages.actor_type || ': ' || coalesce(messages.message_text_redacted, '')",
            'messages.message_number', ' | ') }} as transcript_snippet
    from messages
    inner join sampled
        on messages.conversation_id = sampled.conversation_id
    where messages.message_number <= {{ var('review_snippet_messages') }}
    group by messages.conversation_id
),

final as (
    select
        sampled.*,
        snippets.transcript_snippet
    from sampled
    left join snippets
        on sampled.conversation_id = snippets.conversation_id
)

select * from final
