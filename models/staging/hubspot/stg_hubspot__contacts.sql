with

source as (
    select * from {{ source('hubspot', 'hubspot_contact') }}
),

parsed as (
    select
        {{ dbt.safe_cast('id', dbt.type_string()) }} as contact_id,
        {{ hash_email('property_email') }} as email_hash,
        {{ to_utc_timestamp('property_createdate') }} as created_at,
        lower(property_lifecyclestage) as lifecycle_stage,
        upper(property_hs_analytics_source) as analytics_source,
        upper(property_hs_analytics_source_data_1) as analytics_source_detail,
        coalesce(upper(property_hs_analytics_source_data_1) = 'CONVERSATIONS', false)
            as is_created_from_chat,
        coalesce(_fivetran_deleted, false) as is_deleted,
        {{ is_internal_account('property_email') }} as is_internal,
        {{ to_utc_timestamp('_fivetran_synced') }} as synced_at,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'contact_id', 'synced_at desc nulls last, _loaded_at desc, _source_line desc') }}
)

select * from final
