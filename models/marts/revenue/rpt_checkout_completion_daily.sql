{#- Checkout completion and abandoned-cart recovery per day, for checkouts whose person chatted
    in the var('default_attribution_window_days') days before (chat-assisted) and the rest.
    Started checkouts = orders + abandoned checkouts never completed; completed = orders;
    recovery = abandoned checkouts completed later / abandoned checkouts. The checkouts come
    from int_checkout_events_unioned. -#}
with

checkout_events as (
    select * from {{ ref('int_checkout_events_unioned') }}
),

conversations as (
    select * from {{ ref('fct_conversations') }}
    where has_visitor_message
),

assisted as (
    select distinct checkout_events.checkout_event_id
    from checkout_events
    -- bounded by equality on person_id: a checkout meets only its person's chats
    inner join conversations
        on
            checkout_events.person_id = conversations.person_id
            and checkout_events.checkout_started_at >= conversations.started_at
            and conversations.started_at >= {{ dbt.dateadd(
                'day', -var('default_attribution_window_days'),
                'checkout_events.checkout_started_at') }}
),

labelled as (
    select
        checkout_events.*,
        {{ dbt.date_trunc('day', 'checkout_events.checkout_started_at') }} as checkout_date,
        assisted.checkout_event_id is not null as is_chat_assisted
    from checkout_events
    left join assisted
        on checkout_events.checkout_event_id = assisted.checkout_event_id
),

final as (
    select
        checkout_date,
        is_chat_assisted,
        count(case when is_completed or (is_abandoned and not is_recovered) then 1 end)
            as checkouts_started,
        count(case when is_completed then 1 end) as checkouts_completed,
        {{ safe_divide(
            'count(case when is_completed then 1 end)',
            'count(case when is_completed or (is_abandoned and not is_recovered) then 1 end)') }}
            as checkout_completion_rate,
        count(case when is_abandoned then 1 end) as abandoned_checkouts,
        count(case when is_recovered then 1 end) as recovered_checkouts,
        {{ safe_divide(
            'count(case when is_recovered then 1 end)',
            'count(case when is_abandoned then 1 end)') }} as abandoned_cart_recovery_rate
    from labelled
    group by checkout_date, is_chat_assisted
)

select * from final
