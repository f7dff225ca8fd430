{#- Every conversion the guide names, one row each, tied to a person: revenue events
    (purchase, membership_signup, membership_renewal, deal_won), lead_capture (a CRM contact
    created from chat), qualified_lead (a deal first entering 'qualifiedtobuy'),
    newsletter_signup and sponsorship_inquiry (CRM forms), checkout_recovered (an abandoned
    Shopify checkout later completed). Non-revenue conversions carry no amount.
    is_reported says which rows count (not test-mode, not internal, with a time): the one
    definition fct_conversions and int_experiment_unit_conversions filter on. -#}
with

revenue_events as (
    select * from {{ ref('int_revenue_events_unioned') }}
),

contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

form_submissions as (
    select * from {{ ref('stg_hubspot__form_submissions') }}
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

deal_contacts as (
    select * from {{ ref('stg_hubspot__deal_contacts') }}
),

checkouts as (
    select * from {{ ref('stg_shopify__abandoned_checkouts') }}
),

identities as (
    select * from {{ ref('int_identities_stitched') }}
),

contact_people as (
    select
        contacts.contact_id,
        contacts.is_internal,
        contacts.is_deleted,
        identities.person_id
    from contacts
    inner join identities
        on
            identities.identifier_type = 'hubspot_contact_id'
            and contacts.contact_id = identities.identifier_value
),

revenue_conversions as (
    select
        revenue_event_id as conversion_id,
        revenue_type as conversion_type,
        source_system,
        person_id,
        occurred_at as converted_at,
        currency,
        gross_amount,
        refunded_amount,
        net_amount,
        net_amount_reporting,
        is_test_mode,
        is_internal
    from revenue_events
),

leads as (
    select
        'hubspot_contact:' || contacts.contact_id as conversion_id,
        'lead_capture' as conversion_type,
        'hubspot' as source_system,
        contact_people.person_id,
        contacts.created_at as converted_at,
        contacts.is_internal,
        contacts.is_deleted
    from contacts
    inner join contact_people
        on contacts.contact_id = contact_people.contact_id
    where contacts.is_created_from_chat
),

forms as (
    select
        'hubspot_form:' || form_submissions.form_submission_id as conversion_id,
        form_submissions.submission_type as conversion_type,
        'hubspot' as source_system,
        contact_people.person_id,
        form_submissions.submitted_at as converted_at,
        contact_people.is_internal
    from form_submissions
    inner join contact_people
        on form_submissions.contact_id = contact_people.contact_id
    where form_submissions.submission_type in ('newsletter_signup', 'sponsorship_inquiry')
),

qualifications as (
    select
        deal_id,
        qualified_at
    from deals
    where qualified_at is not null
),

qualified_leads as (
    select
        'hubspot_deal_qualified:' || qualifications.deal_id as conversion_id,
        'qualified_lead' as conversion_type,
        'hubspot' as source_system,
        contact_people.person_id,
        qualifications.qualified_at as converted_at,
        contact_people.is_internal,
        row_number() over (
            partition by qualifications.deal_id order by deal_contacts.contact_id
        ) as contact_number
    from qualifications
    inner join deal_contacts
        on qualifications.deal_id = deal_contacts.deal_id
    inner join contact_people
        on deal_contacts.contact_id = contact_people.contact_id
),

recovered_checkouts as (
    select
        'shopify_checkout:' || checkout_id as conversion_id,
        'checkout_recovered' as conversion_type,
        'shopify' as source_system,
        email_hash as person_id,
        completed_at as converted_at,
        is_internal
    from checkouts
    where completed_at is not null and email_hash is not null
),

non_revenue as (
    select
        conversion_id,
        conversion_type,
        source_system,
        person_id,
        converted_at,
        is_internal
    from leads
    where not is_deleted
    union all
    select
        conversion_id,
        conversion_type,
        source_system,
        person_id,
        converted_at,
        is_internal
    from forms
    union all
    select
        conversion_id,
        conversion_type,
        source_system,
        person_id,
        converted_at,
        is_internal
    from qualified_leads
    where contact_number = 1
    union all
    select
        conversion_id,
        conversion_type,
        source_system,
        person_id,
        converted_at,
        is_internal
    from recovered_checkouts
),

conversions as (
    select * from revenue_conversions
    union all
    select
        conversion_id,
        conversion_type,
        source_system,
        person_id,
        converted_at,
        {{ dbt.safe_cast('null', dbt.type_string()) }} as currency,
        cast(null as {{ dbt.type_numeric() }}) as gross_amount,
        cast(null as {{ dbt.type_numeric() }}) as refunded_amount,
        cast(null as {{ dbt.type_numeric() }}) as net_amount,
        cast(null as {{ dbt.type_numeric() }}) as net_amount_reporting,
        false as is_test_mode,
        is_internal
    from non_revenue
),

final as (
    select
        conversions.*,
        coalesce(
            not conversions.is_test_mode
            and not conversions.is_internal
            and conversions.converted_at is not null,
            false
        ) as is_reported
    from conversions
)

select * from final
