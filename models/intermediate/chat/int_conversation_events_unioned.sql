{{ config(materialized="view") }}

{#- Every conversation-scoped event from both chat sources in one shape: the event stream
    (events carrying a conversation id) and the generic message-level export (each exported
    message becomes a message_sent event). Already deduplicated in staging. -#}
with

stream_events as (
    select * from {{ ref('stg_chat__events') }}
),

exported_messages as (
    select * from {{ ref('stg_chat__exported_messages') }}
),

from_stream as (
    select
        event_id,
        conversation_id,
        event_type,
        occurred_at,
        actor_type,
        author_id,
        coalesce(message_id, event_id) as message_id,
        message_text,
        is_flagged,
        moderation_reason,
        anonymous_id,
        email_hash,
        is_internal,
        channel,
        page_url,
        utm_source,
        utm_medium,
        utm_campaign,
        device_type,
        country_code,
        handoff_requested_by,
        resolved_by,
        csat_rating,
        csat_scale,
        tag_type,
        tag_value,
        'event_stream' as source_system,
        _loaded_at
    from stream_events
    where conversation_id is not null
),

from_export as (
    select
        message_id as event_id,
        conversation_id,
        'message_sent' as event_type,
        sent_at as occurred_at,
        actor_type,
        author_id,
        message_id,
        message_text,
        false as is_flagged,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as moderation_reason,
        anonymous_id,
        email_hash,
        is_internal,
        channel,
        page_url,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as utm_source,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as utm_medium,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as utm_campaign,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as device_type,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as country_code,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as handoff_requested_by,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as resolved_by,
        {{ dbt.safe_cast('null', dbt.type_int()) }} as csat_rating,
        {{ dbt.safe_cast('null', dbt.type_int()) }} as csat_scale,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as tag_type,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as tag_value,
        'message_export' as source_system,
        _loaded_at
    from exported_messages
),

final as (
    select * from from_stream
    union all
    select * from from_export
)

select * from final
