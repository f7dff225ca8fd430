{#- One row per payment across every revenue source, refunds netted against the payment they
    refund, in the original currency and in var('reporting_currency'), tied to a person:
    Stripe charges (succeeded, live), Shopify orders (not test), Patreon memberships (the first
    pledge, from the earliest snapshot listing the member), HubSpot deals won.
    Test-mode and internal payments are flagged here and excluded by fct_conversions. -#}
with

charges as (
    select * from {{ ref('stg_stripe__charges') }}
),

refunds as (
    select * from {{ ref('stg_stripe__refunds') }}
),

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

orders as (
    select * from {{ ref('stg_shopify__orders') }}
),

transactions as (
    select * from {{ ref('stg_shopify__transactions') }}
),

patreon_members as (
    select * from {{ ref('stg_patreon__members') }}
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

deal_contacts as (
    select * from {{ ref('stg_hubspot__deal_contacts') }}
),

identities as (
    select * from {{ ref('int_identities_stitched') }}
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

charge_refunds as (
    select
        charge_id,
        sum(amount) as refunded_amount
    from refunds
    where coalesce(status, 'succeeded') = 'succeeded'
    group by charge_id
),

stripe_payments as (
    select
        'stripe:' || charges.charge_id as revenue_event_id,
        'stripe' as source_system,
        charges.charge_id as source_id,
        coalesce(customers.person_id, charges.receipt_email_hash) as person_id,
        charges.created_at as occurred_at,
        case
            when invoices.billing_reason = 'subscription_create' then 'membership_signup'
            when invoices.billing_reason = 'subscription_cycle' then 'membership_renewal'
            else 'purchase'
        end as revenue_type,
        charges.currency,
        charges.amount as gross_amount,
        coalesce(charge_refunds.refunded_amount, 0) as refunded_amount,
        charges.is_test_mode,
        charges.is_internal
    from charges
    left join charge_refunds
        on charges.charge_id = charge_refunds.charge_id
    left join invoices
        on charges.invoice_id = invoices.invoice_id
    left join identities as customers
        on
            customers.identifier_type = 'stripe_customer_id'
            and charges.customer_id = customers.identifier_value
    where charges.status = 'succeeded' and charges.is_paid
),

order_refunds as (
    select
        order_id,
        sum(amount) as refunded_amount
    from transactions
    where kind = 'refund' and status = 'success'
    group by order_id
),

shopify_payments as (
    select
        'shopify:' || orders.order_id as revenue_event_id,
        'shopify' as source_system,
        orders.order_id as source_id,
        orders.email_hash as person_id,
        orders.created_at as occurred_at,
        'purchase' as revenue_type,
        orders.currency,
        orders.total_price as gross_amount,
        coalesce(order_refunds.refunded_amount, 0) as refunded_amount,
        orders.is_test_mode,
        orders.is_internal
    from orders
    left join order_refunds
        on orders.order_id = order_refunds.order_id
    where orders.financial_status in ('paid', 'partially_refunded', 'refunded')
),

first_pledges as (
    select
        patreon_user_id,
        email_hash,
        patron_since_at,
        pledge_amount,
        currency,
        is_internal,
        row_number() over (
            partition by patreon_user_id order by snapshot_at, snapshot_file
        ) as snapshot_number
    from patreon_members
),

patreon_payments as (
    select
        'patreon:' || patreon_user_id as revenue_event_id,
        'patreon' as source_system,
        patreon_user_id as source_id,
        email_hash as person_id,
        patron_since_at as occurred_at,
        'membership_signup' as revenue_type,
        currency,
        pledge_amount as gross_amount,
        cast(0 as {{ dbt.type_numeric() }}) as refunded_amount,
        false as is_test_mode,
        is_internal
    from first_pledges
    where snapshot_number = 1
),

deal_people as (
    select
        deal_contacts.deal_id,
        contacts.person_id,
        row_number() over (
            partition by deal_contacts.deal_id order by deal_contacts.contact_id
        ) as contact_number
    from deal_contacts
    inner join identities as contacts
        on
            contacts.identifier_type = 'hubspot_contact_id'
            and deal_contacts.contact_id = contacts.identifier_value
),

deal_payments as (
    select
        'hubspot:' || deals.deal_id as revenue_event_id,
        'hubspot' as source_system,
        deals.deal_id as source_id,
        deal_people.person_id,
        deals.closed_at as occurred_at,
        'deal_won' as revenue_type,
        deals.currency,
        deals.amount as gross_amount,
        cast(0 as {{ dbt.type_numeric() }}) as refunded_amount,
        false as is_test_mode,
        false as is_internal
    from deals
    left join deal_people
        on deals.deal_id = deal_people.deal_id and deal_people.contact_number = 1
    where deals.is_won and not deals.is_deleted and deals.closed_at is not null
),

payments as (
    select * from stripe_payments
    union all
    select * from shopify_payments
    union all
    select * from patreon_payments
    union all
    select * from deal_payments
),

payment_days as (
    select distinct
        currency,
        cast(occurred_at as date) as rate_day
    from payments
),

day_rates as (
    {{ fx_rates_to_reporting('payment_days', 'fx_rates') }}
),

final as (
    select
        payments.*,
        {{ dbt.date_trunc('day', 'payments.occurred_at') }} as occurred_date,
        payments.refunded_amount > payments.gross_amount as is_refund_above_payment,
        payments.gross_amount
        - least(payments.refunded_amount, payments.gross_amount) as net_amount,
        day_rates.fx_rate_to_reporting,
        '{{ var("reporting_currency") }}' as reporting_currency,
        round(
            cast(
                (payments.gross_amount - least(payments.refunded_amount, payments.gross_amount))
                * day_rates.fx_rate_to_reporting
                as {{ dbt.type_numeric() }}
            ),
            2
        ) as net_amount_reporting
    from payments
    left join day_rates
        on
            payments.currency = day_rates.currency
            and cast(payments.occurred_at as date) = day_rates.rate_day
)

select * from final
