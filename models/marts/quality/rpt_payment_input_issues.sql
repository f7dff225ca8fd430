{#- Payments the loader accepted but the revenue metrics cannot trust, one row per payment and
    issue, with a one-line reason: a negative amount or refund (payment sources never send one),
    refunds above the payment (netted to 0 by the revenue models, never negative revenue), and a
    currency without an fx rate (no reporting-currency amount). -#}
with

payments as (
    select * from {{ ref('int_revenue_events_unioned') }}
),

issues as (
    select
        revenue_event_id,
        source_system,
        occurred_at,
        currency,
        'negative_amount' as issue,
        'payment amount ' || cast(gross_amount as {{ dbt.type_string() }}) || ' is negative'
            as reason
    from payments
    where gross_amount < 0
    union all
    select
        revenue_event_id,
        source_system,
        occurred_at,
        currency,
        'negative_refund' as issue,
        'refunded amount ' || cast(refunded_amount as {{ dbt.type_string() }}) || ' is negative'
            as reason
    from payments
    where refunded_amount < 0
    union all
    select
        revenue_event_id,
        source_system,
        occurred_at,
        currency,
        'refund_above_payment' as issue,
        'refunded ' || cast(refunded_amount as {{ dbt.type_string() }})
        || ' of a ' || cast(gross_amount as {{ dbt.type_string() }}) || ' payment' as reason
    from payments
    where is_refund_above_payment and gross_amount >= 0
    union all
    select
        revenue_event_id,
        source_system,
        occurred_at,
        currency,
        'unknown_currency' as issue,
        'no fx rate for currency ' || coalesce(currency, 'NULL') as reason
    from payments
    where fx_rate_to_reporting is null
),

final as (
    select
        revenue_event_id,
        source_system,
        occurred_at,
        currency,
        issue,
        reason
    from issues
)

select * from final
