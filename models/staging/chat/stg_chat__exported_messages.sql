{#- The generic message-level export (any chat platform's transcript export), one row per
    message, deduplicated on message id, in UTC. It joins the event stream in
    int_conversation_events_unioned, so exported conversations flow through the same marts. -#}
with

source as (
    select * from {{ source('chat', 'chat_message_export') }}
),

known_accounts as (
    select * from {{ ref('known_chat_accounts') }}
),

parsed as (
    select
        conversation_id,
        message_id,
        {{ to_utc_timestamp('sent_at') }} as sent_at,
        sent_at as sent_at_local,
        lower(trim(author_role)) as author_role,
        author_id,
        text as message_text,
        visitor_id as anonymous_id,
        {{ hash_email('visitor_email') }} as email_hash,
        page_url,
        coalesce(lower(channel), 'imported') as channel,
        {{ is_internal_account('visitor_email', 'visitor_id') }} as is_internal,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

deduplicated as (
    select {{ first_loaded_copy('parsed', 'message_id') }}
),

final as (
    select
        deduplicated.*,
        coalesce(
            known_accounts.actor_type,
            {{ actor_type_from_role('deduplicated.author_role') }}
        ) as actor_type
    from deduplicated
    left join known_accounts
        on deduplicated.author_id = known_accounts.account_id
)

select * from final
