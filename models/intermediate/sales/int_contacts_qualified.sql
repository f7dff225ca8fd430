{#- One row per HubSpot contact (deleted and internal contacts included, flagged) as a lead: when
    it was created, its lead source ('chat' when created from a chat conversation, else 'other')
    and when it qualified: the earliest qualified_at (int_deals_enriched) of the deals it is
    associated with. -#}
with

contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

deal_contacts as (
    select * from {{ ref('stg_hubspot__deal_contacts') }}
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

contact_qualification as (
    select
        deal_contacts.contact_id,
        min(deals.qualified_at) as qualified_at
    from deal_contacts
    inner join deals
        on deal_contacts.deal_id = deals.deal_id
    group by deal_contacts.contact_id
),

final as (
    select
        contacts.contact_id,
        contacts.created_at,
        contacts.is_created_from_chat,
        case when contacts.is_created_from_chat then 'chat' else 'other' end as lead_source,
        contacts.is_deleted,
        contacts.is_internal,
        contact_qualification.qualified_at,
        {{ seconds_between('contacts.created_at', 'contact_qualification.qualified_at') }}
            as seconds_to_qualification
    from contacts
    left join contact_qualification
        on contacts.contact_id = contact_qualification.contact_id
)

select * from final
