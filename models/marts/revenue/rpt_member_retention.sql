{#- Retention of members who chatted versus those who did not, per signup month and check age
    (var('retention_check_days')). A member is a live Stripe subscription or a Patreon
    membership; a chatter had a conversation in the var('retention_chat_days_before_signup') days (default
    30) before signup or the first var('retention_chat_days_after_signup') days (default 7) of
    membership (a fixed window, so longer-lived members do not get more time to chat). A member
    is retained at N days when still active N days after signup; only members whose N-day mark
    the data has reached are counted. Retention lift = chatters' rate - non-chatters' rate.
    The members come from int_memberships_unioned. -#}
{%- set days_before = var('retention_chat_days_before_signup') | int %}
{%- set days_after = var('retention_chat_days_after_signup') | int %}

with

members as (
    select * from {{ ref('int_memberships_unioned') }}
),

conversations as (
    select * from {{ ref('fct_conversations') }}
    where has_visitor_message
),

horizon as (
    select max(last_event_at) as data_horizon_at from {{ ref('fct_conversations') }}
),

chatters as (
    select distinct members.membership_id
    from members
    -- bounded by equality on person_id: a member meets only their own chats
    inner join conversations
        on
            members.person_id = conversations.person_id
            and conversations.started_at >= {{ dbt.dateadd('day', -1 * days_before, 'members.signed_up_at') }}
            and conversations.started_at <= {{ dbt.dateadd('day', days_after, 'members.signed_up_at') }}
),

checks as (
    {%- for days in var('retention_check_days') %}
    select {{ days }} as check_days
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

evaluated as (
    select
        {{ dbt.date_trunc('month', 'members.signed_up_at') }} as signup_month,
        checks.check_days,
        chatters.membership_id is not null as is_chatter,
        (
            members.ended_at is null
            or members.ended_at > {{ dbt.dateadd('day', 'checks.check_days', 'members.signed_up_at') }}
        ) as is_retained
    from members
    cross join checks
    cross join horizon
    left join chatters
        on members.membership_id = chatters.membership_id
    where
        {{ dbt.dateadd('day', 'checks.check_days', 'members.signed_up_at') }}
        <= horizon.data_horizon_at
),

rates as (
    select
        signup_month,
        check_days,
        count(case when is_chatter then 1 end) as chatter_members,
        count(case when is_chatter and is_retained then 1 end) as chatter_members_retained,
        count(case when not is_chatter then 1 end) as other_members,
        count(case when not is_chatter and is_retained then 1 end) as other_members_retained
    from evaluated
    group by signup_month, check_days
),

final as (
    select
        rates.*,
        {{ safe_divide('chatter_members_retained', 'chatter_members') }} as chatter_retention_rate,
        {{ safe_divide('other_members_retained', 'other_members') }} as other_retention_rate,
        {{ safe_divide('chatter_members_retained', 'chatter_members') }}
        - {{ safe_divide('other_members_retained', 'other_members') }} as retention_lift
    from rates
)

select * from final
