{#- Loader accounting per load date and raw table: the files that came in, their rows and how they
    split between loaded and quarantined, and the files that arrived empty or with schema drift.
    rpt_load_files_daily publishes it; rpt_load_quarantine_daily reads the rows in per day. -#}
with

load_files as (
    select * from {{ ref('stg_loader__load_files') }}
),

final as (
    select
        load_date,
        table_name,
        count(*) as files,
        sum(rows_in_file) as rows_in_files,
        sum(rows_loaded) as rows_loaded,
        sum(rows_quarantined) as rows_quarantined,
        sum(case when rows_in_file = 0 then 1 else 0 end) as empty_files,
        sum(case when load_notes like '%schema drift%' then 1 else 0 end) as schema_drift_files
    from load_files
    group by 1, 2
)

select * from final
