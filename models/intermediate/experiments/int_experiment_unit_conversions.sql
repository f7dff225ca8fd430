{#- One row per experiment x exposed unit x conversion that counts as the unit's outcome: a
    conversion of a type in var('experiment_conversion_types'), made within the unit's outcome
    window, and linked to the unit either
      - by identity (the order's person is the person the visitor's anonymous id stitches to), or
      - by an order-confirmation page view of the visitor (var('experiment_order_confirmation_path'))
        within var('experiment_order_match_seconds') of the conversion (the nearest one), which
        links orders of visitors who never gave their email in chat.
    A conversion linked both ways appears once.

    What bounds each join (so its cost follows its output, not units x conversions):
      - identity links: equality on person_id; the outcome window is a filter on the matched pairs;
      - order-confirmation matches: equality on a time bucket of experiment_order_match_seconds
        (a page view meets the conversions of its own bucket and the two beside it), then the
        +/- seconds filter;
      - confirmation links: equality on anonymous_id, then the outcome window.
    The outcome window is never a join condition of its own: joined alone, units and conversions
    pair up by time only (a range join over every unit and every conversion of the window). -#}
{%- set bucket_seconds = [var('experiment_order_match_seconds') | int, 1] | max %}
with

units as (
    select * from {{ ref('int_experiment_units_exposed') }}
),

conversions as (
    -- the conversions fct_conversions publishes (is_reported: not test-mode nor internal)
    select * from {{ ref('int_conversions_unioned') }}
    where is_reported
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
        viewed_at,
        floor(
            {{ epoch_seconds('viewed_at') }} / {{ bucket_seconds }}
        ) as time_bucket
    from pageviews
    where page_path = '{{ var("experiment_order_confirmation_path") }}' and not is_internal
),

bucket_offsets as (
    select -1 as bucket_offset
    union all
    select 0 as bucket_offset
    union all
    select 1 as bucket_offset
),

confirmation_buckets as (
    {#- each confirmation in its own bucket and the two beside it: the buckets its matches lie in -#}
    select
        confirmations.page_view_id,
        confirmations.anonymous_id,
        confirmations.viewed_at,
        confirmations.time_bucket + bucket_offsets.bucket_offset as match_bucket
    from confirmations
    cross join bucket_offsets
),

conversion_buckets as (
    select
        *,
        floor(
            {{ epoch_seconds('converted_at') }} / {{ bucket_seconds }}
        ) as time_bucket
    from counted_conversions
),

confirmation_matches as (
    select
        confirmations.anonymous_id,
        conversion_buckets.conversion_id,
        conversion_buckets.conversion_type,
        conversion_buckets.converted_at,
        conversion_buckets.net_revenue,
        row_number() over (
            partition by confirmations.page_view_id
            order by
                abs({{ seconds_between('conversion_buckets.converted_at', 'confirmations.viewed_at') }}),
                conversion_buckets.conversion_id
        ) as match_number
    from confirmation_buckets as confirmations
    inner join conversion_buckets
        on
            confirmations.match_bucket = conversion_buckets.time_bucket
            and conversion_buckets.converted_at
            >= {{ dbt.dateadd('second', -var('experiment_order_match_seconds'), 'confirmations.viewed_at') }}
            and conversion_buckets.converted_at
            <= {{ dbt.dateadd('second', var('experiment_order_match_seconds'), 'confirmations.viewed_at') }}
),

links as (
    select
        units.experiment_id,
        units.anonymous_id,
        units.variant_id,
        counted_conversions.conversion_id,
        counted_conversions.conversion_type,
        counted_conversions.converted_at,
        counted_conversions.net_revenue,
        'identity' as link_type
    from units
    inner join counted_conversions
        on units.person_id = counted_conversions.person_id
    where
        units.is_exposed
        and counted_conversions.converted_at >= units.exposed_at
        and counted_conversions.converted_at < units.outcome_window_ends_at
    union all
    select
        units.experiment_id,
        units.anonymous_id,
        units.variant_id,
        confirmation_matches.conversion_id,
        confirmation_matches.conversion_type,
        confirmation_matches.converted_at,
        confirmation_matches.net_revenue,
        'order_confirmation' as link_type
    from units
    inner join confirmation_matches
        on
            units.anonymous_id = confirmation_matches.anonymous_id
            and confirmation_matches.match_number = 1
    where
        units.is_exposed
        and confirmation_matches.converted_at >= units.exposed_at
        and confirmation_matches.converted_at < units.outcome_window_ends_at
),

final as (
    select
        experiment_id,
        anonymous_id,
        variant_id,
        conversion_id,
        min(link_type) as link_type,
        conversion_type,
        converted_at,
        net_revenue
    from links
    group by experiment_id, anonymous_id, variant_id, conversion_id, conversion_type, converted_at, net_revenue
)

select * from final
