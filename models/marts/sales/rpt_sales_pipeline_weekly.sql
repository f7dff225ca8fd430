{#- The sales job's pipeline, per ISO week and lead source (chat = the CRM contact was created
    from a chat conversation; other): leads, qualified lead rate and time to qualification (for
    leads created that week), deals closed that week with close rate and average deal size (in
    var('reporting_currency')). Leads and deals and their definitions come from
    int_contacts_qualified and int_deals_enriched. -#}
with

contacts as (
    select * from {{ ref('int_contacts_qualified') }}
    where not is_deleted and not is_internal
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
    where not is_deleted
),

leads as (
    select
        contact_id,
        {{ dbt.date_trunc('week', 'created_at') }} as week_start,
        lead_source,
        qualified_at,
        seconds_to_qualification
    from contacts
),

closed_deals as (
    select
        {{ dbt.date_trunc('week', 'closed_at') }} as week_start,
        lead_source,
        is_won,
        amount_reporting
    from deals
    where is_closed
),

lead_counts as (
    select
        week_start,
        lead_source,
        count(*) as leads,
        count(qualified_at) as qualified_leads,
        {{ percentile_cont('seconds_to_qualification', 0.5) }} as p50_seconds_to_qualification
    from leads
    group by week_start, lead_source
),

deal_counts as (
    select
        week_start,
        lead_source,
        count(case when is_won then 1 end) as deals_won,
        count(case when not is_won then 1 end) as deals_lost,
        sum(case when is_won then amount_reporting end) as won_revenue
    from closed_deals
    group by week_start, lead_source
),

keys as (
    select
        week_start,
        lead_source
    from lead_counts
    union
    select
        week_start,
        lead_source
    from deal_counts
),

final as (
    select
        keys.week_start,
        keys.lead_source,
        coalesce(lead_counts.leads, 0) as leads,
        coalesce(lead_counts.qualified_leads, 0) as qualified_leads,
        {{ safe_divide('lead_counts.qualified_leads', 'lead_counts.leads') }} as qualified_lead_rate,
        lead_counts.p50_seconds_to_qualification,
        coalesce(deal_counts.deals_won, 0) as deals_won,
        coalesce(deal_counts.deals_lost, 0) as deals_lost,
        {{ safe_divide('deal_counts.deals_won', 'deal_counts.deals_won + deal_counts.deals_lost') }}
            as close_rate,
        {{ safe_divide('deal_counts.won_revenue', 'deal_counts.deals_won') }} as average_deal_size
    from keys
    left join lead_counts
        on keys.week_start = lead_counts.week_start and keys.lead_source = lead_counts.lead_source
    left join deal_counts
        on keys.week_start = deal_counts.week_start and keys.lead_source = deal_counts.lead_source
)

select * from final
