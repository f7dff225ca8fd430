{#- Each conversation once per segment cut (see macro kpi_segments) and once more under channel
    'all', so one group by gives every KPI for every day/week x channel x segment. -#}
{{ config(materialized='view') }}

with

conversations as (
    -- the conversations fct_conversations publishes: internal accounts left out
    select * from {{ ref('int_conversations_enriched') }}
    where not is_internal
),

channels as (
    select
        conversations.*,
        channel as report_channel
    from conversations
    union all
    select
        conversations.*,
        'all' as report_channel
    from conversations
),

final as (
    {%- for segment_type, expression in kpi_segments() %}
    select
        channels.*,
        '{{ segment_type }}' as segment_type,
        {{ expression }} as segment_value
    from channels
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from final
