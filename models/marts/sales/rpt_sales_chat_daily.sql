{#- The sales job's chat view, per day and channel, on high-intent pages (pricing, checkout,
    membership, courses, sponsorship): how many buyers chat, how fast they get an answer and how
    often the chat resolves. What chat earns (conversions, revenue, deals) is joined by the
    attribution models. -#}
with

kpis as (
    select * from {{ ref('rpt_chat_kpis_daily') }}
    where
        segment_type = 'page_intent'
        and segment_value in ('pricing', 'checkout', 'membership', 'course', 'sponsorship')
),

final as (
    select
        period_start as report_date,
        channel,
        segment_value as page_intent,
        widget_views,
        conversations_opened,
        conversations,
        chat_open_rate,
        message_initiation_rate,
        p50_first_human_response_seconds,
        p50_bot_first_response_seconds,
        resolution_rate,
        escalation_rate,
        csat_score
    from kpis
)

select * from final
