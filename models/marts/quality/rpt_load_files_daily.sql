{#- Loader accounting: one row per load date and raw table with the files and rows that came in,
    and how they split between loaded and quarantined (rows_in_files = rows_loaded +
    rows_quarantined, tested), plus files that arrived empty or with schema drift. The counts
    come from int_load_files_aggregated_daily. -#}
with

load_files as (
    select * from {{ ref('int_load_files_aggregated_daily') }}
),

final as (
    select
        load_date,
        table_name,
        files,
        rows_in_files,
        rows_loaded,
        rows_quarantined,
        {{ safe_divide('rows_quarantined', 'rows_in_files') }} as quarantine_rate,
        empty_files,
        schema_drift_files
    from load_files
)

select * from final
