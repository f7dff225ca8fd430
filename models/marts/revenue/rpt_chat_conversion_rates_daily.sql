{#- Per conversation day x channel x window: how often a chat is followed, by the same person
    within the window, by each kind of conversion. chat_assisted_conversion_rate counts revenue
    conversions (purchase, membership signup or renewal, deal won). -#}
with

conversations as (
    select * from {{ ref('fct_conversations') }}
    where has_visitor_message
),

conversions as (
    select * from {{ ref('fct_conversions') }}
    where person_id is not null
),

windows as (
    {%- for days in var('attribution_windows_days') %}
    select {{ days }} as window_days
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

{%- set kinds = [
    ('revenue', 'is_revenue'),
    ('purchase', "conversion_type = 'purchase'"),
    ('lead_capture', "conversion_type = 'lead_capture'"),
    ('membership_signup', "conversion_type = 'membership_signup'"),
    ('newsletter_signup', "conversion_type = 'newsletter_signup'"),
    ('sponsorship_inquiry', "conversion_type = 'sponsorship_inquiry'"),
] %}

followed as (
    select
        conversations.conversation_id,
        windows.window_days,
        {%- for kind, condition in kinds %}
        max(case when conversions.{{ condition }} then 1 else 0 end) as has_{{ kind }},
        {%- endfor %}
        min(
            case
                when conversions.is_revenue
                    then {{ seconds_between('conversations.started_at', 'conversions.converted_at') }}
            end
        ) as seconds_to_first_revenue_conversion
    from conversations
    cross join windows
    -- bounded by equality on person_id: a chat meets only its person's conversions
    inner join conversions
        on
            conversations.person_id = conversions.person_id
            and conversations.started_at < conversions.converted_at
            and conversions.converted_at
            <= {{ dbt.dateadd('day', 'windows.window_days', 'conversations.started_at') }}
    group by conversations.conversation_id, windows.window_days
),

per_conversation as (
    select
        conversations.conversation_id,
        conversations.conversation_date,
        conversations.channel,
        windows.window_days,
        {%- for kind, condition in kinds %}
        coalesce(followed.has_{{ kind }}, 0) as has_{{ kind }},
        {%- endfor %}
        followed.seconds_to_first_revenue_conversion
    from conversations
    cross join windows
    left join followed
        on
            conversations.conversation_id = followed.conversation_id
            and windows.window_days = followed.window_days
),

channels as (
    select
        per_conversation.*,
        channel as report_channel
    from per_conversation
    union all
    select
        per_conversation.*,
        'all' as report_channel
    from per_conversation
),

final as (
    select
        conversation_date,
        report_channel as channel,
        window_days,
        count(*) as conversations,
        {%- for kind, condition in kinds %}
        sum(has_{{ kind }}) as conversations_followed_by_{{ kind }},
        {%- endfor %}
        {{ safe_divide('sum(has_revenue)', 'count(*)') }} as chat_assisted_conversion_rate,
        {{ safe_divide('sum(has_purchase)', 'count(*)') }} as purchase_conversion_rate,
        {{ safe_divide('sum(has_lead_capture)', 'count(*)') }} as lead_capture_rate,
        {{ safe_divide('sum(has_membership_signup)', 'count(*)') }} as membership_signup_rate,
        {{ safe_divide('sum(has_newsletter_signup)', 'count(*)') }} as newsletter_signup_rate,
        {{ safe_divide('sum(has_sponsorship_inquiry)', 'count(*)') }} as sponsorship_inquiry_rate,
        {{ percentile_cont('seconds_to_first_revenue_conversion', 0.5) }}
            as p50_seconds_chat_to_revenue_conversion
    from channels
    group by conversation_date, report_channel, window_days
)

select * from final
