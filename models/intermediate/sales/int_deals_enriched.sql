{#- One row per HubSpot deal (deleted deals included, flagged): its stage and stage times, whether
    it is closed and won, its lead source and its amount in var('reporting_currency'). The one
    model every deal metric reads (rpt_sales_pipeline_weekly, int_contacts_qualified,
    int_revenue_events_unioned, int_conversions_unioned).

    - qualified_at: the first time the deal entered the 'qualifiedtobuy' stage.
    - lead source 'chat': at least one associated contact (not deleted, not internal) was created
      from a chat conversation; else 'other'.
    - amount_reporting: the amount at the FX rule of macro fx_rates_to_reporting on the close
      day (the same rule as int_revenue_events_unioned); NULL for deals without a close date. -#}
with

deals as (
    select * from {{ ref('stg_hubspot__deals') }}
),

deal_stages as (
    select * from {{ ref('stg_hubspot__deal_stages') }}
),

deal_contacts as (
    select * from {{ ref('stg_hubspot__deal_contacts') }}
),

contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

stage_times as (
    select
        deal_id,
        min(case when deal_stage = 'qualifiedtobuy' then entered_at end) as qualified_at
    from deal_stages
    group by deal_id
),

deal_sources as (
    select
        deal_contacts.deal_id,
        max(case when contacts.is_created_from_chat then 1 else 0 end) = 1 as is_chat_sourced
    from deal_contacts
    inner join contacts
        on deal_contacts.contact_id = contacts.contact_id
    where not contacts.is_deleted and not contacts.is_internal
    group by deal_contacts.deal_id
),

close_days as (
    select distinct
        currency,
        cast(closed_at as date) as rate_day
    from deals
    where closed_at is not null
),

day_rates as (
    {{ fx_rates_to_reporting('close_days', 'fx_rates') }}
),

final as (
    select
        deals.deal_id,
        deals.pipeline,
        deals.deal_stage,
        deals.created_at,
        stage_times.qualified_at,
        deals.closed_at,
        deals.is_deleted,
        deals.deal_stage = 'closedwon' as is_won,
        deals.deal_stage in ('closedwon', 'closedlost') and deals.closed_at is not null as is_closed,
        coalesce(deal_sources.is_chat_sourced, false) as is_chat_sourced,
        case when deal_sources.is_chat_sourced then 'chat' else 'other' end as lead_source,
        deals.currency,
        deals.amount,
        day_rates.fx_rate_to_reporting,
        '{{ var("reporting_currency") }}' as reporting_currency,
        deals.amount * day_rates.fx_rate_to_reporting as amount_reporting
    from deals
    left join stage_times
        on deals.deal_id = stage_times.deal_id
    left join deal_sources
        on deals.deal_id = deal_sources.deal_id
    left join day_rates
        on
            deals.currency = day_rates.currency
            and cast(deals.closed_at as date) = day_rates.rate_day
)

select * from final
