{#- The sales job's pipeline, per ISO week and lead source (chat = the CRM contact was created
    from a chat conversation; other): leads, qualified lead rate and time to qualification (for
    leads created that week), deals closed that week with close rate and average deal size. -#}
with

contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
    where not is_deleted and not is_internal
),

deals as (
    select * from {{ ref('stg_hubspot__deals') }}
    where not is_deleted
),

deal_contacts as (
    select * from {{ ref('stg_hubspot__deal_contacts') }}
),

deal_stages as (
    select * from {{ ref('stg_hubspot__deal_stages') }}
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

contact_qualification as (
    select
        deal_contacts.contact_id,
        min(deal_stages.entered_at) as qualified_at
    from deal_contacts
    inner join deal_stages
        on deal_contacts.deal_id = deal_stages.deal_id
    where deal_stages.deal_stage = 'qualifiedtobuy'
    group by deal_contacts.contact_id
),

leads as (
    select
        contacts.contact_id,
        {{ dbt.date_trunc('week', 'contacts.created_at') }} as week_start,
        case when contacts.is_created_from_chat then 'chat' else 'other' end as lead_source,
        contact_qualification.qualified_at,
        {{ seconds_between('contacts.created_at', 'contact_qualification.qualified_at') }}
            as seconds_to_qualification
    from contacts
    left join contact_qualification
        on contacts.contact_id = contact_qualification.contact_id
),

deal_sources as (
    select
        deal_contacts.deal_id,
        max(case when contacts.is_created_from_chat then 1 else 0 end) = 1 as is_chat_sourced
    from deal_contacts
    inner join contacts
        on deal_contacts.contact_id = contacts.contact_id
    group by deal_contacts.deal_id
),

deal_rates as (
    select
        deals.deal_id,
        fx_rates.usd_per_unit,
        row_number() over (partition by deals.deal_id order by fx_rates.rate_date desc) as rate_rank
    from deals
    inner join fx_rates
        on
            deals.currency = fx_rates.currency
            and fx_rates.rate_date <= cast(deals.closed_at as date)
),

closed_deals as (
    select
        {{ dbt.date_trunc('week', 'deals.closed_at') }} as week_start,
        case when deal_sources.is_chat_sourced then 'chat' else 'other' end as lead_source,
        deals.deal_stage = 'closedwon' as is_won,
        deals.amount * deal_rates.usd_per_unit as amount_reporting
    from deals
    left join deal_sources
        on deals.deal_id = deal_sources.deal_id
    left join deal_rates
        on deals.deal_id = deal_rates.deal_id and deal_rates.rate_rank = 1
    where deals.deal_stage in ('closedwon', 'closedlost') and deals.closed_at is not null
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
