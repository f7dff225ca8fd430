with

source as (
    select * from {{ source('shopify', 'shopify_transaction') }}
),

parsed as (
    select
        {{ dbt.safe_cast('id', dbt.type_string()) }} as transaction_id,
        {{ dbt.safe_cast('order_id', dbt.type_string()) }} as order_id,
        lower(kind) as kind,
        lower(status) as status,
        cast(amount as {{ dbt.type_numeric() }}) as amount,
        upper(currency) as currency,
        {{ to_utc_timestamp('created_at') }} as created_at,
        coalesce(test, false) as is_test_mode,
        {{ to_utc_timestamp('_fivetran_synced') }} as synced_at,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'transaction_id', 'synced_at desc nulls last, _loaded_at desc, _source_line desc') }}
)

select * from final
