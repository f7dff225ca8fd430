with

source as (
    select * from {{ source('experiments', 'experiment_assignments') }}
),

parsed as (
    select
        assignment_id,
        lower(experiment_id) as experiment_id,
        lower(variant_id) as variant_id,
        anonymous_id,
        {{ to_utc_timestamp('assigned_at') }} as assigned_at,
        assignment_source,
        {{ is_internal_account(anonymous_id_column='anonymous_id') }} as is_internal,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'assignment_id') }}
)

select * from final
