{#- Widget views (the open-rate denominator), internal accounts excluded, once per segment cut
    they can carry, under channel 'all' (a widget view has no channel yet). -#}
{{ config(materialized='view') }}

with

events as (
    select * from {{ ref('stg_chat__events') }}
),

page_intents as (
    select * from {{ ref('page_intents') }}
),

views as (
    select
        event_id,
        occurred_at,
        {{ dbt.date_trunc('day', 'occurred_at') }} as view_date,
        coalesce(utm_source, 'direct') as traffic_source,
        coalesce(device_type, 'unknown') as device_type,
        coalesce(country_code, 'unknown') as country_code,
        utm_campaign,
        {{ url_path('page_url') }} as page_path
    from events
    where event_type = 'widget_viewed' and not is_internal
),

intents as (
    select
        views.event_id,
        page_intents.page_intent,
        row_number() over (
            partition by views.event_id
            order by length(page_intents.path_prefix) desc, page_intents.priority
        ) as match_rank
    from views
    inner join page_intents
        on views.page_path like page_intents.path_prefix || '%'
),

labelled as (
    select
        views.*,
        coalesce(intents.page_intent, 'unknown') as page_intent
    from views
    left join intents
        on views.event_id = intents.event_id and intents.match_rank = 1
),

final as (
    {%- for segment_type, expression in kpi_segments() if segment_type not in ('visitor_type', 'membership_tier') %}
    select
        event_id,
        view_date,
        'all' as report_channel,
        '{{ segment_type }}' as segment_type,
        {{ expression }} as segment_value
    from labelled
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from final
