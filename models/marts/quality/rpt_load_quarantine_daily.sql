{#- Quarantine volume: one row per day, raw table and reason class with the rows the loader
    refused, next to that day's rows in for the table, so a rising quarantine rate is visible.
    The refused lines themselves stay in raw._quarantine (they may hold personal data). -#}
with

refused as (
    select * from {{ ref('int_quarantined_rows_aggregated_daily') }}
),

arrived as (
    select * from {{ ref('int_load_files_aggregated_daily') }}
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
