with

source as (
    select * from {{ source('hubspot', 'hubspot_deal_contact') }}
),

parsed as (
    select
        {{ dbt.safe_cast('deal_id', dbt.type_string()) }} as deal_id,
        {{ dbt.safe_cast('contact_id', dbt.type_string()) }} as contact_id,
        {{ dbt.safe_cast('deal_id', dbt.type_string()) }}
        || '-' || {{ dbt.safe_cast('contact_id', dbt.type_string()) }} as deal_contact_id,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'deal_contact_id') }}
)

select * from final
