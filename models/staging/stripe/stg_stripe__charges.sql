{#- Stripe charges with amounts converted from the smallest currency unit to decimal amounts. -#}
with

source as (
    select * from {{ source('stripe', 'stripe_charge') }}
),

parsed as (
    select
        id as charge_id,
        customer_id,
        invoice_id,
        {{ to_utc_timestamp('created') }} as created_at,
        upper(currency) as currency,
        {{ minor_units_to_amount('amount', 'currency') }} as amount,
        {{ minor_units_to_amount('coalesce(amount_refunded, 0)', 'currency') }} as amount_refunded,
        lower(status) as status,
        coalesce(paid, false) as is_paid,
        coalesce(captured, false) as is_captured,
        coalesce(refunded, false) as is_fully_refunded,
        not coalesce(livemode, true) as is_test_mode,
        description,
        {{ json_text('metadata', '$.product') }} as product,
        {{ hash_email('receipt_email') }} as receipt_email_hash,
        {{ is_internal_account('receipt_email') }} as is_internal,
        {{ to_utc_timestamp('_fivetran_synced') }} as synced_at,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'charge_id', 'synced_at desc nulls last, _loaded_at desc, _source_line desc') }}
)

select * from final
