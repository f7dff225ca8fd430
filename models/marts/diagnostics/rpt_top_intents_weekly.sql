{#- Top conversation intents and issue types per ISO week (from the last tag of each type, else
    the page intent), with their share of the week's conversations, resolution rate and CSAT. -#}
with

conversations as (
    select * from {{ ref('fct_conversations') }}
    where has_visitor_message
),

tagged as (
    select
        {{ dbt.date_trunc('week', 'started_at') }} as week_start,
        'intent' as tag_type,
        coalesce(tag_intent, 'page:' || page_intent) as tag_value,
        conversations.*
    from conversations
    union all
    select
        {{ dbt.date_trunc('week', 'started_at') }} as week_start,
        'issue_type' as tag_type,
        coalesce(tag_issue_type, 'untagged') as tag_value,
        conversations.*
    from conversations
),

counts as (
    select
        week_start,
        tag_type,
        tag_value,
        count(*) as conversations,
        count(case when is_resolved then 1 end) as resolved_conversations,
        count(case when csat_rating is not null then 1 end) as rated_conversations,
        count(case when is_csat_good then 1 end) as good_csat_conversations
    from tagged
    group by week_start, tag_type, tag_value
),

final as (
    select
        week_start,
        tag_type,
        tag_value,
        conversations,
        {{ safe_divide('conversations', 'sum(conversations) over (partition by week_start, tag_type)') }}
            as share_of_conversations,
        rank() over (partition by week_start, tag_type order by conversations desc) as volume_rank,
        {{ kpi_rate_sql('resolution_rate') }} as resolution_rate,
        rated_conversations,
        {{ kpi_rate_sql('csat_score') }} as csat_score
    from counts
)

select * from final
