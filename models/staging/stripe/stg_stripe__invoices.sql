with

source as (
    select * from {{ source('stripe', 'stripe_invoice') }}
),

parsed as (
    select
        id as invoice_id,
        customer_id,
        subscription_id,
        charge_id,
        number as invoice_number,
        lower(status) as status,
        lower(billing_reason) as billing_reason,
        upper(currency) as currency,
        {{ minor_units_to_amount('amount_due', 'currency') }} as amount_due,
        {{ minor_units_to_amount('coalesce(amount_paid, 0)', 'currency') }} as amount_paid,
        {{ to_utc_timestamp('created') }} as created_at,
        {{ to_utc_timestamp('period_start') }} as period_started_at,
        {{ to_utc_timestamp('period_end') }} as period_ends_at,
        not coalesce(livemode, true) as is_test_mode,
        {{ to_utc_timestamp('_fivetran_synced') }} as synced_at,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'invoice_id', 'synced_at desc nulls last, _loaded_at desc, _source_line desc') }}
)

select * from final
