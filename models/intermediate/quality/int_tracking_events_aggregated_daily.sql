{#- Events per UTC day, source and event type, across every tracked source (chat events, the
    chat message export, web page views, Stripe charges, Shopify orders, HubSpot form submissions,
    experiment assignments): the counts rpt_tracking_health_daily scores against their baseline.
    Only days with events have a row; events without a time are left out. -#}
with

chat_events as (
    select * from {{ ref('stg_chat__events') }}
),

exported_messages as (
    select * from {{ ref('stg_chat__exported_messages') }}
),

pageviews as (
    select * from {{ ref('stg_web__pageviews') }}
),

charges as (
    select * from {{ ref('stg_stripe__charges') }}
),

orders as (
    select * from {{ ref('stg_shopify__orders') }}
),

form_submissions as (
    select * from {{ ref('stg_hubspot__form_submissions') }}
),

assignments as (
    select * from {{ ref('stg_experiments__assignments') }}
),

events as (
    select
        'chat_events' as source_name,
        event_type,
        occurred_at as event_at
    from chat_events
    union all
    select
        'chat_message_export' as source_name,
        'message' as event_type,
        sent_at as event_at
    from exported_messages
    union all
    select
        'web' as source_name,
        'page_view' as event_type,
        viewed_at as event_at
    from pageviews
    union all
    select
        'stripe' as source_name,
        'charge' as event_type,
        created_at as event_at
    from charges
    union all
    select
        'shopify' as source_name,
        'order' as event_type,
        created_at as event_at
    from orders
    union all
    select
        'hubspot' as source_name,
        'form_submission' as event_type,
        submitted_at as event_at
    from form_submissions
    union all
    select
        'experiments' as source_name,
        'assignment' as event_type,
        assigned_at as event_at
    from assignments
),

daily as (
    select
        source_name,
        event_type,
        cast({{ dbt.date_trunc('day', 'event_at') }} as date) as event_date,
        count(*) as events
    from events
    where event_at is not null
    group by 1, 2, 3
),

final as (
    select * from daily
)

select * from final
