{#- Every chat KPI per UTC day x channel (plus 'all') x segment (see kpi_segments): the 'day'
    rows of rpt_chat_kpis_by_period, where the SQL is. -#}
with

kpis as (
    select * from {{ ref('rpt_chat_kpis_by_period') }}
    where period_grain = 'day'
),

final as (
    select
        period_start,
        channel,
        segment_type,
        segment_value,
        {%- for column in chat_kpi_columns() %}
        {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from kpis
)

select * from final
