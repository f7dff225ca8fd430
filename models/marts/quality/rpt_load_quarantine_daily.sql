{#- Quarantine volume: one row per day, raw table and reason class with the rows the loader
    refused, next to that day's rows in for the table, so a rising quarantine rate is visible.
    The refused lines themselves stay in raw._quarantine (they may hold personal data). -#}
with

quarantine as (
    select * from {{ ref('stg_loader__quarantine') }}
),

load_files as (
    select * from {{ ref('stg_loader__load_files') }}
),

refused as (
    select
        quarantine_date,
        table_name,
        reason_class,
        count(*) as rows_quarantined,
        count(distinct source_file) as files_with_quarantine
    from quarantine
    group by 1, 2, 3
),

arrived as (
    select
        load_date,
        table_name,
        sum(rows_in_file) as rows_in_files
    from load_files
    group by 1, 2
),

final as (
    select
        refused.quarantine_date,
        refused.table_name,
        refused.reason_class,
        refused.rows_quarantined,
        refused.files_with_quarantine,
        coalesce(arrived.rows_in_files, 0) as rows_in_files,
        {{ safe_divide('refused.rows_quarantined', 'arrived.rows_in_files') }} as quarantine_rate
    from refused
    left join arrived
        on
            refused.quarantine_date = arrived.load_date
            and refused.table_name = arrived.table_name
)

select * from final
