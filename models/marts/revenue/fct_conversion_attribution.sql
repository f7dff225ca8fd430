{#- Chat attribution: one row per conversion x window (var('attribution_windows_days')) x model x
    touching conversation. A touch is a conversation the same person started before the
    conversion and within the window. Models: first_touch, last_touch, linear and
    position_based (40/20/40; 50/50 for two touches, 100 for one). Credits of a conversion sum to
    1 in every window and model; attributed revenue is split in cents, earlier touches rounded
    down and the last touch taking the remainder, so it sums exactly to the conversion's net value
    and never exceeds it. A touch is direct when the conversion came during the chat or within
    var('direct_conversion_gap_seconds') of its last event (same visit); otherwise assisted. -#}
with

conversions as (
    select * from {{ ref('fct_conversions') }}
    where person_id is not null
),

conversations as (
    select * from {{ ref('fct_conversations') }}
    where has_visitor_message
),

windows as (
    {%- for days in var('attribution_windows_days') %}
    select {{ days }} as window_days
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

models as (
    {%- for model in ['first_touch', 'last_touch', 'linear', 'position_based'] %}
    select '{{ model }}' as attribution_model
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

touches as (
    select
        conversions.conversion_id,
        conversions.conversion_type,
        conversions.converted_at,
        conversions.net_amount_reporting,
        windows.window_days,
        conversations.conversation_id,
        conversations.started_at,
        conversations.last_event_at
    from conversions
    cross join windows
    -- bounded by equality on person_id: a conversion meets only its person's chats
    inner join conversations
        on
            conversions.person_id = conversations.person_id
            and conversions.converted_at > conversations.started_at
            and conversations.started_at
            >= {{ dbt.dateadd('day', '-windows.window_days', 'conversions.converted_at') }}
),

numbered as (
    select
        touches.*,
        row_number() over (
            partition by touches.conversion_id, touches.window_days
            order by touches.started_at, touches.conversation_id
        ) as touch_number,
        count(*) over (
            partition by touches.conversion_id, touches.window_days
        ) as touch_count
    from touches
),

credited as (
    select
        numbered.*,
        models.attribution_model,
        case models.attribution_model
            when 'first_touch' then case when numbered.touch_number = 1 then 1.0 else 0.0 end
            when 'last_touch'
                then case when numbered.touch_number = numbered.touch_count then 1.0 else 0.0 end
            when 'linear' then 1.0 / numbered.touch_count
            when 'position_based'
                then case
                    when numbered.touch_count = 1 then 1.0
                    when numbered.touch_count = 2 then 0.5
                    when numbered.touch_number in (1, numbered.touch_count) then 0.4
                    else 0.2 / (numbered.touch_count - 2)
                end
        end as credit
    from numbered
    cross join models
),

rounded as (
    select
        credited.*,
        case
            when credited.touch_number < credited.touch_count
                then floor(credited.credit * credited.net_amount_reporting * 100) / 100
        end as rounded_down_amount
    from credited
),

final as (
    select
        conversion_id,
        window_days,
        attribution_model,
        conversation_id,
        conversion_id || '|' || {{ dbt.safe_cast('window_days', dbt.type_string()) }}
        || '|' || attribution_model || '|' || conversation_id as attribution_id,
        conversion_type,
        converted_at,
        touch_number,
        touch_count,
        credit,
        cast(
            case
                when net_amount_reporting is null then null
                when touch_number < touch_count then rounded_down_amount
                else net_amount_reporting - coalesce(
                    sum(rounded_down_amount) over (
                        partition by conversion_id, window_days, attribution_model
                    ),
                    0
                )
            end as {{ dbt.type_numeric() }}
        ) as attributed_revenue,
        converted_at
        <= {{ dbt.dateadd('second', var('direct_conversion_gap_seconds'), 'last_event_at') }}
            as is_direct_touch,
        {{ seconds_between('started_at', 'converted_at') }} as seconds_chat_to_conversion
    from rounded
)

select * from final
