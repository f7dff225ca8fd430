{#- Ad-hoc analysis: how much revenue each attribution model credits to chat under each
    window, next to the period's total revenue. Short windows undercount: compare the rows of
    one model across windows. Compile with `dbt compile --select attribution_window_comparison`
    and run the SQL in target/compiled from any DuckDB client. -#}
with

daily as (
    select * from {{ ref('rpt_revenue_attribution_daily') }}
    where
        channel = 'all'
        and resolution_path = 'all'
        and segment_type = 'all'
)

select
    attribution_model,
    window_days,
    sum(attributed_revenue) as attributed_revenue,
    sum(total_revenue) as total_revenue,
    {{ safe_divide('sum(attributed_revenue)', 'sum(total_revenue)') }} as attributed_share
from daily
group by attribution_model, window_days
order by attribution_model, window_days
