{#- One row per conversation: its timeline, flags, counts, CSAT, tags and segments, following
    the rules in the `conversation_timeline_rules` docs block. Every KPI counts from here.

    The one place var('resolution_rule') is switched: it picks the expressions behind
    is_resolved, resolved_at and resolution_seconds; fct_conversations and every other model
    only read those columns. -#}
{%- set resolution_rule = var('resolution_rule') %}
{%- if resolution_rule == 'marked' %}
{%- set resolved_flag = 'is_marked_resolved' %}
{%- set resolved_at = 'marked_resolved_at' %}
{%- set resolution_seconds = 'marked_resolution_seconds' %}
{%- elif resolution_rule == 'no_return' %}
{%- set resolved_flag = 'is_resolved_no_return' %}
{%- set resolved_at = 'no_return_resolved_at' %}
{%- set resolution_seconds = seconds_between('started_at', 'no_return_resolved_at') %}
{%- else %}
    {{- exceptions.raise_compiler_error(
        "var('resolution_rule') must be 'marked' or 'no_return', got '" ~ resolution_rule ~ "'") }}
{%- endif %}

with

events as (
    select * from {{ ref('int_conversation_events_unioned') }}
),

cycles as (
    select * from {{ ref('int_conversation_cycles') }}
),

identities as (
    select * from {{ ref('int_identities_stitched') }}
),

pageviews as (
    select * from {{ ref('stg_web__pageviews') }}
),

page_intents as (
    select * from {{ ref('page_intents') }}
),

subscriptions as (
    select * from {{ ref('stg_stripe__subscriptions') }}
),

patreon_members as (
    select * from {{ ref('stg_patreon__members') }}
),

horizon as (
    select max(occurred_at) as data_horizon_at from events
),

messages as (
    select * from events
    where event_type in ('message_sent', 'bot_responded')
),

first_visitor_messages as (
    select
        conversation_id,
        min(occurred_at) as first_visitor_message_at
    from messages
    where actor_type = 'visitor'
    group by conversation_id
),

first_bot_replies as (
    select
        messages.conversation_id,
        min(messages.occurred_at) as first_bot_response_at
    from messages
    inner join first_visitor_messages
        on messages.conversation_id = first_visitor_messages.conversation_id
    where
        messages.actor_type = 'bot'
        and messages.occurred_at >= first_visitor_messages.first_visitor_message_at
    group by messages.conversation_id
),

event_summary as (
    select
        conversation_id,
        min(occurred_at) as started_at,
        max(occurred_at) as last_event_at,
        max(case when event_type in ('message_sent', 'bot_responded') then occurred_at end)
            as last_message_at,
        max(case when source_system = 'message_export' then 1 else 0 end) = 1 as is_from_export,
        max(case when event_type = 'chat_opened' then 1 else 0 end) = 1 as has_open_event,
        min(case when event_type = 'handoff_requested' then occurred_at end)
            as handoff_requested_at,
        min(case when event_type = 'handoff_accepted' then occurred_at end)
            as handoff_accepted_at,
        max(case when event_type = 'conversation_reopened' then occurred_at end)
            as last_reopened_at,
        sum(case when event_type = 'conversation_reopened' then 1 else 0 end) as reopen_count,
        max(case when event_type = 'conversation_abandoned' then 1 else 0 end) = 1
            as has_abandon_event,
        sum(case when event_type in ('message_sent', 'bot_responded') then 1 else 0 end)
            as message_count,
        sum(
            case
                when event_type in ('message_sent', 'bot_responded') and actor_type = 'visitor'
                    then 1
                else 0
            end
        ) as visitor_message_count,
        sum(
            case
                when event_type in ('message_sent', 'bot_responded') and actor_type = 'bot'
                    then 1
                else 0
            end
        ) as bot_message_count,
        sum(
            case
                when event_type in ('message_sent', 'bot_responded') and actor_type = 'human_agent'
                    then 1
                else 0
            end
        ) as human_message_count,
        sum(
            case
                when event_type in ('message_sent', 'bot_responded') and actor_type = 'system'
                    then 1
                else 0
            end
        ) as system_message_count,
        sum(
            case
                when event_type in ('message_sent', 'bot_responded') and is_flagged then 1
                else 0
            end
        ) as flagged_message_count,
        max(case when is_internal then 1 else 0 end) = 1 as is_internal
    from events
    group by conversation_id
),

final_resolutions as (
    select
        conversation_id,
        max(occurred_at) as marked_resolved_at
    from events
    where event_type = 'conversation_resolved'
    group by conversation_id
),

ordered_context as (
    select
        conversation_id,
        anonymous_id,
        email_hash,
        channel,
        page_url,
        utm_source,
        utm_medium,
        utm_campaign,
        device_type,
        country_code,
        csat_rating,
        csat_scale,
        tag_type,
        tag_value,
        event_type,
        row_number() over (
            partition by conversation_id order by occurred_at, event_id
        ) as event_order,
        row_number() over (
            partition by conversation_id order by occurred_at desc, event_id desc
        ) as reverse_order
    from events
),

{#- first non-null value of each context field, in event order -#}
{% set first_fields = ['anonymous_id', 'email_hash', 'channel', 'page_url', 'utm_source',
    'utm_medium', 'utm_campaign', 'device_type', 'country_code'] %}

context as (
    select
        conversation_id,
        {%- for f in first_fields %}
        {{ first_value_by_order(f, 'event_order') }} as {{ f }},
        {%- endfor %}
        {{ first_value_by_order('csat_rating', 'reverse_order', "event_type = 'csat_submitted'") }}
            as csat_rating,
        {{ first_value_by_order('csat_scale', 'reverse_order', "event_type = 'csat_submitted'") }}
            as csat_scale,
        {%- for tag in ['issue_type', 'intent', 'sentiment', 'outcome'] %}
        {{ first_value_by_order('tag_value', 'reverse_order',
            "event_type = 'conversation_tagged' and tag_type = '" ~ tag ~ "'") }} as tag_{{ tag }},
        {%- endfor %}
        count(*) as event_count
    from ordered_context
    group by conversation_id
),

first_cycle as (
    select * from cycles
    where cycle_number = 1
),

last_resolved_cycle as (
    select
        conversation_id,
        resolution_seconds,
        resolved_by,
        row_number() over (
            partition by conversation_id order by cycle_number desc
        ) as recency
    from cycles
    where resolved_at is not null
),

base as (
    select
        event_summary.conversation_id,
        coalesce(
            visitor_identities.person_id,
            email_identities.person_id,
            'conversation:' || event_summary.conversation_id
        ) as person_id,
        context.anonymous_id,
        case when event_summary.is_from_export then 'message_export' else 'event_stream' end
            as source_system,
        coalesce(context.channel, 'web') as channel,
        event_summary.started_at,
        event_summary.last_event_at,
        event_summary.last_message_at,
        event_summary.has_open_event,
        first_visitor_messages.first_visitor_message_at,
        first_bot_replies.first_bot_response_at,
        {{ seconds_between('first_visitor_messages.first_visitor_message_at',
            'first_bot_replies.first_bot_response_at') }} as bot_first_response_seconds,
        event_summary.handoff_requested_at,
        event_summary.handoff_accepted_at,
        {{ seconds_between('event_summary.started_at', 'event_summary.handoff_requested_at') }}
            as time_to_handoff_seconds,
        first_cycle.human_clock_started_at,
        first_cycle.first_human_reply_at as first_human_response_at,
        first_cycle.first_human_response_seconds,
        case
            when
                final_resolutions.marked_resolved_at is not null
                and (
                    event_summary.last_reopened_at is null
                    or final_resolutions.marked_resolved_at >= event_summary.last_reopened_at
                )
                then final_resolutions.marked_resolved_at
        end as marked_resolved_at,
        last_resolved_cycle.resolved_by,
        last_resolved_cycle.resolution_seconds as marked_resolution_seconds,
        event_summary.reopen_count,
        event_summary.has_abandon_event,
        event_summary.message_count,
        event_summary.visitor_message_count,
        event_summary.bot_message_count,
        event_summary.human_message_count,
        event_summary.system_message_count,
        event_summary.flagged_message_count,
        {{ seconds_between('event_summary.started_at', 'event_summary.last_event_at') }}
            as conversation_length_seconds,
        context.csat_rating,
        coalesce(context.csat_scale, {{ var('csat_scale_max') }}) as csat_scale,
        context.tag_issue_type,
        context.tag_intent,
        context.tag_sentiment,
        context.tag_outcome,
        {{ url_path('context.page_url') }} as page_path,
        coalesce(context.utm_source, 'direct') as traffic_source,
        context.utm_medium,
        context.utm_campaign,
        coalesce(context.device_type, 'unknown') as device_type,
        coalesce(context.country_code, 'unknown') as country_code,
        event_summary.is_internal,
        horizon.data_horizon_at
    from event_summary
    cross join horizon
    left join context
        on event_summary.conversation_id = context.conversation_id
    left join identities as visitor_identities
        on
            visitor_identities.identifier_type = 'anonymous_id'
            and context.anonymous_id = visitor_identities.identifier_value
    left join identities as email_identities
        on
            email_identities.identifier_type = 'email_hash'
            and context.email_hash = email_identities.identifier_value
    left join first_visitor_messages
        on event_summary.conversation_id = first_visitor_messages.conversation_id
    left join first_bot_replies
        on event_summary.conversation_id = first_bot_replies.conversation_id
    left join first_cycle
        on event_summary.conversation_id = first_cycle.conversation_id
    left join final_resolutions
        on event_summary.conversation_id = final_resolutions.conversation_id
    left join last_resolved_cycle
        on
            event_summary.conversation_id = last_resolved_cycle.conversation_id
            and last_resolved_cycle.recency = 1
),

next_conversations as (
    {#- the visitor's next conversation, for the no-return and bot-resolution windows -#}
    select
        conversation_id,
        lead(started_at) over (
            partition by person_id order by started_at, conversation_id
        ) as next_conversation_started_at,
        lag(started_at) over (
            partition by person_id order by started_at, conversation_id
        ) as previous_conversation_started_at
    from base
    where visitor_message_count > 0
),

visitor_first_seen as (
    select
        anonymous_id,
        min(viewed_at) as first_seen_at
    from pageviews
    group by anonymous_id
    union all
    select
        anonymous_id,
        min(occurred_at) as first_seen_at
    from events
    where anonymous_id is not null
    group by anonymous_id
),

visitor_first_seen_overall as (
    select
        anonymous_id,
        min(first_seen_at) as first_seen_at
    from visitor_first_seen
    group by anonymous_id
),

intent_matches as (
    select
        base.conversation_id,
        page_intents.page_intent,
        row_number() over (
            partition by base.conversation_id
            order by length(page_intents.path_prefix) desc, page_intents.priority
        ) as match_rank
    from base
    inner join page_intents
        on base.page_path like page_intents.path_prefix || '%'
),

stripe_tiers as (
    select
        base.conversation_id,
        subscriptions.membership_tier,
        row_number() over (
            partition by base.conversation_id order by subscriptions.started_at desc
        ) as tier_rank
    from base
    inner join identities as customer_identities
        on
            customer_identities.identifier_type = 'stripe_customer_id'
            and base.person_id = customer_identities.person_id
    inner join subscriptions
        on customer_identities.identifier_value = subscriptions.customer_id
    where
        not subscriptions.is_test_mode
        and subscriptions.started_at <= base.started_at
        and coalesce(subscriptions.ended_at, subscriptions.canceled_at, base.started_at)
        >= base.started_at
),

patreon_tiers as (
    select
        base.conversation_id,
        patreon_members.membership_tier,
        row_number() over (
            partition by base.conversation_id order by patreon_members.snapshot_at desc
        ) as tier_rank
    from base
    inner join patreon_members
        on base.person_id = patreon_members.email_hash
    where
        patreon_members.patron_status = 'active patron'
        and patreon_members.patron_since_at <= base.started_at
),

flagged as (
    select
        base.*,
        next_conversations.next_conversation_started_at,
        next_conversations.previous_conversation_started_at,
        coalesce(intent_matches.page_intent, 'unknown') as page_intent,
        coalesce(stripe_tiers.membership_tier, patreon_tiers.membership_tier, 'none')
            as membership_tier,
        coalesce(
            visitor_first_seen_overall.first_seen_at
            < {{ dbt.dateadd('second', -var('returning_visitor_gap_seconds'), 'base.started_at') }},
            false
        ) as is_returning_visitor,
        base.visitor_message_count > 0 as has_visitor_message,
        base.bot_message_count > 0 as is_bot_involved,
        base.human_message_count > 0 as is_human_involved,
        base.handoff_requested_at is not null as is_handed_off,
        base.reopen_count > 0 as is_reopened,
        base.bot_message_count + base.human_message_count > 0 as has_reply,
        base.marked_resolved_at is not null as is_marked_resolved,
        final_resolutions.marked_resolved_at is not null as has_resolution_event,
        (
            base.message_count >= {{ var('engaged_min_messages') }}
            or coalesce(base.conversation_length_seconds, 0) >= {{ var('engaged_min_seconds') }}
        ) as is_engaged,
        {#- the visitor came back (reopen or new conversation) within a window after the last message -#}
        {%- for name, amount, unit in [
            ('no_return', var('resolution_no_return_days'), 'day'),
            ('bot_window', var('bot_resolution_return_window_hours'), 'hour')] %}
        (
            base.reopen_count = 0
            and coalesce(base.last_message_at, base.started_at)
            <= {{ dbt.dateadd(unit, -amount, 'base.data_horizon_at') }}
            and (
                next_conversations.next_conversation_started_at is null
                or next_conversations.next_conversation_started_at
                > {{ dbt.dateadd(unit, amount, 'coalesce(base.last_message_at, base.started_at)') }}
            )
        ) as is_{{ name }}_clear,
        {%- endfor %}
        base.conversation_id is not null as has_conversation_id
    from base
    left join next_conversations
        on base.conversation_id = next_conversations.conversation_id
    left join intent_matches
        on
            base.conversation_id = intent_matches.conversation_id
            and intent_matches.match_rank = 1
    left join stripe_tiers
        on
            base.conversation_id = stripe_tiers.conversation_id
            and stripe_tiers.tier_rank = 1
    left join patreon_tiers
        on
            base.conversation_id = patreon_tiers.conversation_id
            and patreon_tiers.tier_rank = 1
    left join visitor_first_seen_overall
        on base.anonymous_id = visitor_first_seen_overall.anonymous_id
    left join final_resolutions
        on base.conversation_id = final_resolutions.conversation_id
),

no_return_resolutions as (
    select
        flagged.*,
        has_reply and is_no_return_clear as is_resolved_no_return,
        case
            when has_reply and is_no_return_clear then coalesce(last_message_at, started_at)
        end as no_return_resolved_at
    from flagged
),

resolutions as (
    select
        no_return_resolutions.*,
        {{ resolved_flag }} as is_resolved,
        is_bot_involved and not is_handed_off and not is_human_involved as is_contained,
        is_bot_involved and (is_handed_off or is_human_involved) as is_escalated,
        is_bot_involved and not is_handed_off and not is_human_involved and is_bot_window_clear
            as is_bot_resolved,
        case
            when is_bot_involved and (is_handed_off or is_human_involved) then 'escalated'
            when is_bot_involved then 'bot'
            when is_human_involved then 'human'
            else 'unanswered'
        end as resolution_path,
        {#- The rating is compared on its own scale: rating / scale >= good_min / scale_max, so
            a 10-point survey (scale 10) counts 8 and up as good when the default is 4 of 5. #}
        csat_rating * {{ var('csat_scale_max') }} >= {{ var('csat_good_min') }} * csat_scale
            as is_csat_good,
        coalesce(
            previous_conversation_started_at
            >= {{ dbt.dateadd('day', -var('resolution_no_return_days'), 'started_at') }},
            false
        ) as is_repeat_contact
    from no_return_resolutions
),

final as (
    select
        resolutions.*,
        {{ dbt.date_trunc('day', 'started_at') }} as conversation_date,
        case when is_resolved then {{ resolved_at }} end as resolved_at,
        case when is_resolved then {{ resolution_seconds }} end as resolution_seconds,
        is_resolved and has_reply and not is_reopened as is_first_contact_resolved,
        has_abandon_event and not is_resolved as is_abandoned
    from resolutions
)

select * from final
