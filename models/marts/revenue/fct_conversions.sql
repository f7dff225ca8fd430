{#- One row per conversion (test-mode and internal excluded), with its net value: refunds netted
    against the payment, in the original currency and in var('reporting_currency'). -#}
with

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

final as (
    select
        conversion_id,
        conversion_type,
        source_system,
        person_id,
        converted_at,
        {{ dbt.date_trunc('day', 'converted_at') }} as conversion_date,
        conversion_type in ('purchase', 'membership_signup', 'membership_renewal', 'deal_won')
            as is_revenue,
        currency,
        gross_amount,
        refunded_amount,
        net_amount,
        net_amount_reporting
    from conversions
    where is_reported
)

select * from final
