{#- One row per conversation (internal and test accounts excluded): its timeline, resolution
    flags under the active rules, message counts, CSAT, tags and segments. Rules: see the
    `conversation_timeline_rules` docs block; every column is computed in
    int_conversations_enriched (var('resolution_rule') is switched there only). -#}
with

conversations as (
    select * from {{ ref('int_conversations_enriched') }}
),

final as (
    select
        conversation_id,
        person_id,
        anonymous_id,
        source_system,
        channel,
        started_at,
        conversation_date,
        last_event_at,
        has_open_event,
        has_visitor_message,
        first_visitor_message_at,
        first_bot_response_at,
        bot_first_response_seconds,
        handoff_requested_at,
        handoff_accepted_at,
        time_to_handoff_seconds,
        human_clock_started_at,
        first_human_response_at,
        first_human_response_seconds,
        is_resolved,
        resolved_at,
        resolution_seconds,
        is_marked_resolved,
        marked_resolved_at,
        resolved_by,
        is_resolved_no_return,
        no_return_resolved_at,
        is_first_contact_resolved,
        reopen_count,
        is_reopened,
        has_resolution_event,
        is_engaged,
        is_abandoned,
        has_reply,
        is_bot_involved,
        is_human_involved,
        is_handed_off,
        is_contained,
        is_escalated,
        is_bot_resolved,
        resolution_path,
        is_repeat_contact,
        message_count,
        visitor_message_count,
        bot_message_count,
        human_message_count,
        system_message_count,
        flagged_message_count,
        conversation_length_seconds,
        csat_rating,
        csat_scale,
        is_csat_good,
        tag_issue_type,
        tag_intent,
        tag_sentiment,
        tag_outcome,
        page_path,
        page_intent,
        traffic_source,
        utm_medium,
        utm_campaign,
        device_type,
        country_code,
        is_returning_visitor,
        membership_tier
    from conversations
    where not is_internal
)

select * from final
