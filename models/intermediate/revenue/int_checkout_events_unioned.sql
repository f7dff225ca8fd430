{#- One row per checkout: every Shopify order (test-mode and internal ones left out) as a completed
    checkout, and every abandoned checkout (internal ones left out), recovered when it was
    completed later. Tied to a person by email hash. rpt_checkout_completion_daily counts from
    here. -#}
with

orders as (
    select * from {{ ref('stg_shopify__orders') }}
    where not is_test_mode and not is_internal
),

checkouts as (
    select * from {{ ref('stg_shopify__abandoned_checkouts') }}
    where not is_internal
),

final as (
    select
        'order:' || order_id as checkout_event_id,
        email_hash as person_id,
        created_at as checkout_started_at,
        true as is_completed,
        false as is_abandoned,
        false as is_recovered
    from orders
    union all
    select
        'abandoned:' || checkout_id as checkout_event_id,
        email_hash as person_id,
        created_at as checkout_started_at,
        false as is_completed,
        true as is_abandoned,
        completed_at is not null as is_recovered
    from checkouts
)

select * from final
