{#- One row per experiment x exposed unit x conversion that counts as the unit's outcome: a
    conversion of a type in var('experiment_conversion_types'), made within the unit's outcome
    window, and linked to the unit either
      - by identity (the order's person is the person the visitor's anonymous id stitches to), or
      - by an order-confirmation page view of the visitor (var('experiment_order_confirmation_path'))
        within var('experiment_order_match_seconds') of the conversion (the nearest one), which
        links orders of visitors who never gave their email in chat.
    A conversion linked both ways appears once. -#}
with

units as (
    select * from {{ ref('int_experiment_units_exposed') }}
),

conversions as (
    select * from {{ ref('fct_conversions') }}
),

pageviews as (
    select * from {{ ref('stg_web__pageviews') }}
),

counted_conversions as (
    select
        conversion_id,
        conversion_type,
        person_id,
        converted_at,
        coalesce(net_amount_reporting, 0) as net_revenue
    from conversions
    where conversion_type in (
        {%- for conversion_type in var('experiment_conversion_types') %}
        '{{ conversion_type }}'{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
),

confirmations as (
    select
        page_view_id,
        anonymous_id,
        viewed_at
    from pageviews
    where page_path = '{{ var("experiment_order_confirmation_path") }}' and not is_internal
),

confirmation_matches as (
    select
        confirmations.anonymous_id,
        counted_conversions.conversion_id,
        row_number() over (
            partition by confirmations.page_view_id
            order by
                abs({{ seconds_between('counted_conversions.converted_at', 'confirmations.viewed_at') }}),
                counted_conversions.conversion_id
        ) as match_number
    from confirmations
    inner join counted_conversions
        on
            counted_conversions.converted_at
            >= {{ dbt.dateadd('second', -var('experiment_order_match_seconds'), 'confirmations.viewed_at') }}
            and counted_conversions.converted_at
            <= {{ dbt.dateadd('second', var('experiment_order_match_seconds'), 'confirmations.viewed_at') }}
),

links as (
    select
        units.experiment_id,
        units.anonymous_id,
        counted_conversions.conversion_id,
        'identity' as link_type
    from units
    inner join counted_conversions
        on units.person_id = counted_conversions.person_id
    where units.is_exposed
    union all
    select
        units.experiment_id,
        units.anonymous_id,
        confirmation_matches.conversion_id,
        'order_confirmation' as link_type
    from units
    inner join confirmation_matches
        on
            units.anonymous_id = confirmation_matches.anonymous_id
            and confirmation_matches.match_number = 1
    where units.is_exposed
),

linked as (
    select
        experiment_id,
        anonymous_id,
        conversion_id,
        min(link_type) as link_type
    from links
    group by 1, 2, 3
),

final as (
    select
        linked.experiment_id,
        linked.anonymous_id,
        units.variant_id,
        linked.conversion_id,
        linked.link_type,
        counted_conversions.conversion_type,
        counted_conversions.converted_at,
        counted_conversions.net_revenue
    from linked
    inner join units
        on
            linked.experiment_id = units.experiment_id
            and linked.anonymous_id = units.anonymous_id
    inner join counted_conversions
        on linked.conversion_id = counted_conversions.conversion_id
    where
        counted_conversions.converted_at >= units.exposed_at
        and counted_conversions.converted_at < units.outcome_window_ends_at
)

select * from final
