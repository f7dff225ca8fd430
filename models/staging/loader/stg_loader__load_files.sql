{#- One row per landing file the loader took in, with its row accounting. -#}
with

source as (
    select * from {{ source('loader', '_load_files') }}
),

final as (
    select
        load_id,
        file_path,
        file_sha256,
        table_name,
        rows_in_file,
        rows_loaded,
        rows_quarantined,
        notes as load_notes,
        loaded_at,
        cast(loaded_at as date) as load_date
    from source
)

select * from final
