with

source as (
    select * from {{ source('stripe', 'stripe_customer') }}
),

parsed as (
    select
        id as customer_id,
        {{ hash_email('email') }} as email_hash,
        {{ to_utc_timestamp('created') }} as created_at,
        upper(currency) as currency,
        not coalesce(livemode, true) as is_test_mode,
        coalesce(is_deleted, false) as is_deleted,
        {{ is_internal_account('email') }} as is_internal,
        {{ to_utc_timestamp('_fivetran_synced') }} as synced_at,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'customer_id', 'synced_at desc nulls last, _loaded_at desc, _source_line desc') }}
)

select * from final
