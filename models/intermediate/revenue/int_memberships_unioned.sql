{#- One row per membership: a live Stripe subscription (test mode left out; the person via
    int_identities_stitched) or a Patreon membership (internal ones left out; its newest
    snapshot, the person by email hash), with when it started and when it ended (NULL while
    active: a Stripe subscription's end or cancel time, a Patreon member's last charge when no
    longer an active patron). rpt_member_retention measures retention from here. -#}
with

subscriptions as (
    select * from {{ ref('stg_stripe__subscriptions') }}
    where not is_test_mode
),

patreon_members as (
    select * from {{ ref('stg_patreon__members') }}
    where not is_internal
),

identities as (
    select * from {{ ref('int_identities_stitched') }}
),

latest_snapshots as (
    select
        patreon_members.*,
        row_number() over (
            partition by patreon_user_id order by snapshot_at desc, snapshot_file desc
        ) as recency
    from patreon_members
),

final as (
    select
        'stripe:' || subscriptions.subscription_id as membership_id,
        'stripe' as source_system,
        identities.person_id,
        subscriptions.started_at as signed_up_at,
        coalesce(subscriptions.ended_at, subscriptions.canceled_at) as ended_at
    from subscriptions
    inner join identities
        on
            identities.identifier_type = 'stripe_customer_id'
            and subscriptions.customer_id = identities.identifier_value
    union all
    select
        'patreon:' || patreon_user_id as membership_id,
        'patreon' as source_system,
        email_hash as person_id,
        patron_since_at as signed_up_at,
        case when patron_status != 'active patron' then last_charged_at end as ended_at
    from latest_snapshots
    where recency = 1 and email_hash is not null
)

select * from final
