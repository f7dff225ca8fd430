{#- The rows the loader refused, per quarantine day, raw table and reason class, with the number
    of files they came from. The refused lines themselves stay in raw._quarantine (they may hold
    personal data). -#}
with

quarantine as (
    select * from {{ ref('stg_loader__quarantine') }}
),

final as (
    select
        quarantine_date,
        table_name,
        reason_class,
        count(*) as rows_quarantined,
        count(distinct source_file) as files_with_quarantine
    from quarantine
    group by 1, 2, 3
)

select * from final
