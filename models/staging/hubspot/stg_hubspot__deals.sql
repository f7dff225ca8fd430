with

source as (
    select * from {{ source('hubspot', 'hubspot_deal') }}
),

parsed as (
    select
        {{ dbt.safe_cast('deal_id', dbt.type_string()) }} as deal_id,
        property_dealname as deal_name,
        cast(property_amount as {{ dbt.type_numeric() }}) as amount,
        upper(coalesce(property_deal_currency_code, 'USD')) as currency,
        lower(property_dealstage) as deal_stage,
        property_pipeline as pipeline,
        {{ to_utc_timestamp('property_createdate') }} as created_at,
        {{ to_utc_timestamp('property_closedate') }} as closed_at,
        coalesce(is_deleted, false) as is_deleted,
        {{ to_utc_timestamp('_fivetran_synced') }} as synced_at,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'deal_id', 'synced_at desc nulls last, _loaded_at desc, _source_line desc') }}
)

select * from final
