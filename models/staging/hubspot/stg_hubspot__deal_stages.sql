with

source as (
    select * from {{ source('hubspot', 'hubspot_deal_stage') }}
),

parsed as (
    select
        {{ dbt.safe_cast('deal_id', dbt.type_string()) }} as deal_id,
        lower(value) as deal_stage,
        {{ to_utc_timestamp('date_entered') }} as entered_at,
        {{ to_utc_timestamp('_fivetran_start') }} as valid_from,
        {{ to_utc_timestamp('_fivetran_end') }} as valid_to,
        coalesce(_fivetran_active, false) as is_current,
        source as change_source,
        {{ dbt.safe_cast('deal_id', dbt.type_string()) }}
        || '-' || _fivetran_start as deal_stage_id,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'deal_stage_id') }}
)

select * from final
