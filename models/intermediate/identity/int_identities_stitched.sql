{#- One row per identifier (anonymous visitor id, email hash, HubSpot contact, Stripe customer,
    Shopify customer, Patreon member) with the person it belongs to. People are linked by hashed
    email: an anonymous visitor id takes the first email it was seen with in chat; an identifier
    with no email stays a person of its own ('<type>:<id>'). -#}
with

chat_events as (
    select * from {{ ref('stg_chat__events') }}
),

exported_messages as (
    select * from {{ ref('stg_chat__exported_messages') }}
),

pageviews as (
    select * from {{ ref('stg_web__pageviews') }}
),

assignments as (
    select * from {{ ref('stg_experiments__assignments') }}
),

hubspot_contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

stripe_customers as (
    select * from {{ ref('stg_stripe__customers') }}
),

shopify_orders as (
    select * from {{ ref('stg_shopify__orders') }}
),

patreon_members as (
    select * from {{ ref('stg_patreon__members') }}
),

visitor_emails as (
    select
        anonymous_id,
        email_hash,
        occurred_at as seen_at,
        event_id as tie_breaker
    from chat_events
    where anonymous_id is not null and email_hash is not null
    union all
    select
        anonymous_id,
        email_hash,
        sent_at as seen_at,
        message_id as tie_breaker
    from exported_messages
    where anonymous_id is not null and email_hash is not null
),

first_visitor_emails as (
    select
        anonymous_id,
        email_hash,
        row_number() over (
            partition by anonymous_id order by seen_at, tie_breaker
        ) as email_number
    from visitor_emails
),

anonymous_ids as (
    select anonymous_id from chat_events
    where anonymous_id is not null
    union
    select anonymous_id from exported_messages
    where anonymous_id is not null
    union
    select anonymous_id from pageviews
    union
    select anonymous_id from assignments
),

visitors as (
    select
        'anonymous_id' as identifier_type,
        anonymous_ids.anonymous_id as identifier_value,
        first_visitor_emails.email_hash
    from anonymous_ids
    left join first_visitor_emails
        on
            anonymous_ids.anonymous_id = first_visitor_emails.anonymous_id
            and first_visitor_emails.email_number = 1
),

emails as (
    select email_hash from visitor_emails
    union
    select email_hash from hubspot_contacts
    where email_hash is not null
    union
    select email_hash from stripe_customers
    where email_hash is not null
    union
    select email_hash from shopify_orders
    where email_hash is not null
    union
    select email_hash from patreon_members
    where email_hash is not null
),

shopify_customers as (
    select
        customer_id,
        email_hash,
        row_number() over (partition by customer_id order by created_at, order_id) as order_number
    from shopify_orders
    where customer_id is not null
),

identifiers as (
    select
        identifier_type,
        identifier_value,
        email_hash
    from visitors
    union all
    select
        'email_hash' as identifier_type,
        email_hash as identifier_value,
        email_hash
    from emails
    union all
    select
        'hubspot_contact_id' as identifier_type,
        contact_id as identifier_value,
        email_hash
    from hubspot_contacts
    union all
    select
        'stripe_customer_id' as identifier_type,
        customer_id as identifier_value,
        email_hash
    from stripe_customers
    union all
    select
        'shopify_customer_id' as identifier_type,
        customer_id as identifier_value,
        email_hash
    from shopify_customers
    where order_number = 1
    union all
    select distinct
        'patreon_user_id' as identifier_type,
        patreon_user_id as identifier_value,
        email_hash
    from patreon_members
),

final as (
    select
        identifier_type,
        identifier_value,
        email_hash,
        coalesce(email_hash, identifier_type || ':' || identifier_value) as person_id
    from identifiers
)

select * from final
