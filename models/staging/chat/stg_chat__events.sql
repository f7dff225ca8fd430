{#- One row per chat event (deduplicated on event id, the first loaded copy kept), typed, in UTC,
    with the Segment envelope flattened and every actor labelled. Raw email becomes a hash here;
    transcript text stays in staging and is redacted before it reaches any mart.

    Incremental on load time: a run reads only rows loaded since the previous run (less
    var('incremental_lookback_days') as a safety margin) and appends the event ids it has not
    seen, so late events land whatever their event time, and the table equals a full refresh. -#}
{{ config(materialized='incremental', on_schema_change='fail') }}

with

source as (
    select * from {{ source('chat', 'chat_events') }}
    {% if is_incremental() %}
        where _loaded_at > (
            select {{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(_loaded_at)') }}
            from {{ this }}
        )
    {% endif %}
),

known_accounts as (
    select * from {{ ref('known_chat_accounts') }}
),

parsed as (
    select
        event_id,
        lower(replace(replace(event_type, ' ', '_'), '-', '_')) as event_type,
        {{ to_utc_timestamp('event_timestamp') }} as occurred_at,
        {{ to_utc_timestamp('received_at') }} as received_at,
        event_timestamp as occurred_at_local,
        anonymous_id,
        conversation_id,
        {{ json_text('payload', '$.properties.channel') }} as channel,
        {{ json_text('payload', '$.properties.trigger') }} as open_trigger,
        {{ json_text('payload', '$.properties.prompt') }} as widget_prompt,
        {{ json_text('payload', '$.properties.message_id') }} as message_id,
        {{ json_text('payload', '$.properties.author_role') }} as author_role,
        coalesce(
            {{ json_text('payload', '$.properties.author_id') }},
            {{ json_text('payload', '$.properties.bot_id') }}
        ) as author_id,
        {{ json_text('payload', '$.properties.text') }} as message_text,
        {{ json_text('payload', '$.properties.intent') }} as bot_intent,
        {{ dbt.safe_cast(json_text('payload', '$.properties.confidence'), type_double()) }}
            as bot_confidence,
        {{ json_text('payload', '$.properties.requested_by') }} as handoff_requested_by,
        {{ json_text('payload', '$.properties.reason') }} as event_reason,
        {{ json_text('payload', '$.properties.agent_id') }} as agent_id,
        {{ json_text('payload', '$.properties.resolved_by') }} as resolved_by,
        {{ json_text('payload', '$.properties.reopened_by') }} as reopened_by,
        {{ dbt.safe_cast(json_text('payload', '$.properties.rating'), dbt.type_int()) }}
            as csat_rating,
        {{ dbt.safe_cast(json_text('payload', '$.properties.scale'), dbt.type_int()) }}
            as csat_scale,
        {{ json_text('payload', '$.properties.comment') }} as csat_comment,
        {{ json_text('payload', '$.properties.tag_type') }} as tag_type,
        {{ json_text('payload', '$.properties.tag_value') }} as tag_value,
        {{ json_text('payload', '$.properties.medium') }} as follow_up_medium,
        coalesce(
            {{ dbt.safe_cast(json_text('payload', '$.properties.flagged'), dbt.type_boolean()) }},
            false
        ) as is_flagged,
        {{ json_text('payload', '$.properties.moderation_reason') }} as moderation_reason,
        {{ json_text('payload', '$.context.page.url') }} as page_url,
        {{ json_text('payload', '$.context.page.referrer') }} as referrer,
        lower({{ json_text('payload', '$.context.campaign.source') }}) as utm_source,
        lower({{ json_text('payload', '$.context.campaign.medium') }}) as utm_medium,
        lower({{ json_text('payload', '$.context.campaign.name') }}) as utm_campaign,
        lower({{ json_text('payload', '$.context.device.type') }}) as device_type,
        upper({{ json_text('payload', '$.context.location.country') }}) as country_code,
        {{ hash_email(json_text('payload', '$.context.traits.email')) }} as email_hash,
        {{ is_internal_account(
            json_text('payload', '$.context.traits.email'), 'anonymous_id'
        ) }} as is_internal,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

deduplicated as (
    select {{ first_loaded_copy('parsed', 'event_id') }}
),

labelled as (
    select
        deduplicated.*,
        coalesce(
            known_accounts.actor_type,
            case
                when deduplicated.event_type = 'bot_responded' then 'bot'
                when deduplicated.event_type = 'message_sent'
                    then {{ actor_type_from_role('deduplicated.author_role') }}
                when deduplicated.event_type = 'conversation_tagged'
                    then coalesce({{ actor_type_from_role('deduplicated.author_role') }}, 'system')
                when deduplicated.event_type = 'handoff_requested'
                    then {{ actor_type_from_role('deduplicated.handoff_requested_by') }}
                when deduplicated.event_type = 'conversation_resolved'
                    then {{ actor_type_from_role('deduplicated.resolved_by') }}
                when deduplicated.event_type in ('handoff_accepted', 'follow_up_sent')
                    then 'human_agent'
                when deduplicated.event_type = 'conversation_abandoned' then 'system'
                else 'visitor'
            end
        ) as actor_type
    from deduplicated
    left join known_accounts
        on deduplicated.author_id = known_accounts.account_id
),

final as (
    select * from labelled
    {% if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as existing
            where existing.event_id = labelled.event_id
        )
    {% endif %}
)

select * from final
