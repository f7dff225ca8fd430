with

source as (
    select * from {{ source('shopify', 'shopify_order') }}
),

parsed as (
    select
        {{ dbt.safe_cast('id', dbt.type_string()) }} as order_id,
        name as order_name,
        {{ dbt.safe_cast('customer_id', dbt.type_string()) }} as customer_id,
        {{ hash_email('email') }} as email_hash,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('processed_at') }} as processed_at,
        {{ to_utc_timestamp('cancelled_at') }} as cancelled_at,
        upper(currency) as currency,
        cast(total_price as {{ dbt.type_numeric() }}) as total_price,
        cast(subtotal_price as {{ dbt.type_numeric() }}) as subtotal_price,
        cast(total_tax as {{ dbt.type_numeric() }}) as total_tax,
        cast(total_discounts as {{ dbt.type_numeric() }}) as total_discounts,
        lower(financial_status) as financial_status,
        lower(fulfillment_status) as fulfillment_status,
        coalesce(test, false) as is_test_mode,
        source_name,
        landing_site,
        referring_site,
        checkout_token,
        {{ is_internal_account('email') }} as is_internal,
        {{ to_utc_timestamp('_fivetran_synced') }} as synced_at,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'order_id', 'synced_at desc nulls last, _loaded_at desc, _source_line desc') }}
)

select * from final
