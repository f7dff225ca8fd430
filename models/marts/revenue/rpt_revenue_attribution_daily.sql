{#- Chat-attributed conversions and revenue per conversion day x window x attribution model x
    channel x resolution path (bot, human, escalated, unanswered; plus 'all') x segment of the
    touching conversation, every window and model side by side (short windows undercount), with
    direct and assisted revenue apart. Total revenue of the day (every conversion, chat or not)
    sits beside it on the rows where channel, path and segment are 'all'; every day with a
    conversion has those rows in every window and model (zero attributed when no chat touched
    it), so total_revenue sums to the revenue of fct_conversions. Revenue in
    var('reporting_currency'). -#}
with

attribution as (
    select * from {{ ref('fct_conversion_attribution') }}
),

conversations as (
    select * from {{ ref('fct_conversations') }}
),

conversions as (
    select * from {{ ref('fct_conversions') }}
),

touches as (
    select
        attribution.*,
        {{ dbt.date_trunc('day', 'attribution.converted_at') }} as conversion_date,
        conversations.channel,
        conversations.resolution_path,
        conversations.traffic_source,
        conversations.device_type,
        conversations.page_intent,
        conversations.country_code,
        conversations.utm_campaign,
        conversations.is_returning_visitor,
        conversations.membership_tier
    from attribution
    inner join conversations
        on attribution.conversation_id = conversations.conversation_id
),

{%- set cuts = [] %}
{%- for channel_expr in ["channel", "'all'"] %}
{%- for path_expr in ["resolution_path", "'all'"] %}
{%- for segment_type, expression in kpi_segments() %}
{%- do cuts.append((channel_expr, path_expr, segment_type, expression)) %}
{%- endfor %}
{%- endfor %}
{%- endfor %}

cuts as (
    {%- for channel_expr, path_expr, segment_type, expression in cuts %}
    select
        touches.*,
        {{ channel_expr }} as report_channel,
        {{ path_expr }} as report_resolution_path,
        '{{ segment_type }}' as segment_type,
        {{ expression }} as segment_value
    from touches
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

attributed as (
    select
        conversion_date,
        window_days,
        attribution_model,
        report_channel as channel,
        report_resolution_path as resolution_path,
        segment_type,
        segment_value,
        count(distinct conversion_id) as touched_conversions,
        count(distinct case when conversion_type = 'purchase' then conversion_id end)
            as touched_purchases,
        sum(credit) as attributed_conversions,
        sum(case when conversion_type = 'purchase' then credit else 0 end) as attributed_purchases,
        coalesce(sum(attributed_revenue), 0) as attributed_revenue,
        coalesce(sum(case when is_direct_touch then attributed_revenue end), 0) as direct_revenue,
        coalesce(sum(case when not is_direct_touch then attributed_revenue end), 0)
            as assisted_revenue,
        {{ percentile_cont('seconds_chat_to_conversion', 0.5) }} as p50_seconds_chat_to_conversion
    from cuts
    group by
        conversion_date,
        window_days,
        attribution_model,
        report_channel,
        report_resolution_path,
        segment_type,
        segment_value
),

daily_totals as (
    select
        conversion_date,
        count(*) as all_conversions,
        coalesce(sum(net_amount_reporting), 0) as total_revenue
    from conversions
    group by conversion_date
),

window_models as (
    select distinct
        window_days,
        attribution_model
    from attribution
),

untouched_days as (
    select
        daily_totals.conversion_date,
        window_models.window_days,
        window_models.attribution_model,
        'all' as channel,
        'all' as resolution_path,
        'all' as segment_type,
        'all' as segment_value,
        0 as touched_conversions,
        0 as touched_purchases,
        0 as attributed_conversions,
        0 as attributed_purchases,
        0 as attributed_revenue,
        0 as direct_revenue,
        0 as assisted_revenue,
        cast(null as {{ type_double() }}) as p50_seconds_chat_to_conversion
    from daily_totals
    cross join window_models
    left join attributed
        on
            daily_totals.conversion_date = attributed.conversion_date
            and window_models.window_days = attributed.window_days
            and window_models.attribution_model = attributed.attribution_model
            and attributed.channel = 'all'
            and attributed.resolution_path = 'all'
            and attributed.segment_type = 'all'
    where attributed.conversion_date is null
),

every_day as (
    select * from attributed
    union all
    select * from untouched_days
),

final as (
    select
        every_day.*,
        case
            when
                every_day.channel = 'all'
                and every_day.resolution_path = 'all'
                and every_day.segment_type = 'all'
                then daily_totals.total_revenue
        end as total_revenue,
        case
            when
                every_day.channel = 'all'
                and every_day.resolution_path = 'all'
                and every_day.segment_type = 'all'
                then daily_totals.all_conversions
        end as all_conversions
    from every_day
    left join daily_totals
        on every_day.conversion_date = daily_totals.conversion_date
)

select * from final
