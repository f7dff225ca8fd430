{#- The executive overview, per ISO week, following the guide's blueprint rows. Middle row
    (operational health) here; the top row (business outcomes: revenue influenced, conversion
    rate, retention lift, support cost savings) is added by the attribution models, not faked. -#}
with

kpis as (
    select * from {{ ref('rpt_chat_kpis_weekly') }}
    where segment_type = 'all' and channel = 'all'
),

final as (
    select
        period_start as week_start,
        conversations,
        active_chat_users,
        p50_human_first_response_seconds,
        p90_human_first_response_seconds,
        resolution_rate,
        first_contact_resolution_rate,
        containment_rate,
        escalation_rate,
        reopen_rate,
        automation_rate,
        csat_score,
        chat_open_rate,
        message_initiation_rate
    from kpis
)

select * from final
