{#- The support job's view, per day and channel: speed, resolution, reopen, CSAT, repeat contact
    (the guide's support dashboard). Top issue categories are in rpt_top_intents. -#}
with

kpis as (
    select * from {{ ref('rpt_chat_kpis_daily') }}
    where segment_type = 'all'
),

final as (
    select
        period_start as report_date,
        channel,
        conversations,
        human_involved_conversations,
        mean_first_human_response_seconds,
        p50_first_human_response_seconds,
        p75_first_human_response_seconds,
        p90_first_human_response_seconds,
        p50_bot_first_response_seconds,
        p50_reply_seconds,
        p90_reply_seconds,
        p50_time_to_handoff_seconds,
        p50_resolution_seconds,
        p90_resolution_seconds,
        resolution_rate,
        first_contact_resolution_rate,
        human_resolution_rate,
        bot_resolution_rate,
        reopen_rate,
        repeat_contact_rate,
        abandonment_rate,
        rated_conversations,
        csat_score,
        csat_score_bot,
        csat_score_human,
        csat_score_escalated
    from kpis
)

select * from final
