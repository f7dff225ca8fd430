with

source as (
    select * from {{ source('shopify', 'shopify_abandoned_checkout') }}
),

parsed as (
    select
        {{ dbt.safe_cast('id', dbt.type_string()) }} as checkout_id,
        token as checkout_token,
        {{ hash_email('email') }} as email_hash,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('completed_at') }} as completed_at,
        cast(total_price as {{ dbt.type_numeric() }}) as total_price,
        upper(currency) as currency,
        landing_site,
        {{ is_internal_account('email') }} as is_internal,
        {{ to_utc_timestamp('_fivetran_synced') }} as synced_at,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'checkout_id', 'synced_at desc nulls last, _loaded_at desc, _source_line desc') }}
)

select * from final
