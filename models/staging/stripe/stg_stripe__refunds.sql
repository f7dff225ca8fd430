with

source as (
    select * from {{ source('stripe', 'stripe_refund') }}
),

parsed as (
    select
        id as refund_id,
        charge_id,
        {{ to_utc_timestamp('created') }} as created_at,
        upper(currency) as currency,
        {{ minor_units_to_amount('amount', 'currency') }} as amount,
        lower(status) as status,
        reason,
        {{ to_utc_timestamp('_fivetran_synced') }} as synced_at,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'refund_id', 'synced_at desc nulls last, _loaded_at desc, _source_line desc') }}
)

select * from final
