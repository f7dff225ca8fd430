{#- One row per experiment x unit with its exposure: a unit is exposed at its first page view at
    or after its (first) assignment; its outcomes count from then until
    var('experiment_outcome_window_days') later. Only experiments in the experiment_plans seed. -#}
with

assignments as (
    select * from {{ ref('int_experiment_assignments_resolved') }}
),

plans as (
    select * from {{ ref('experiment_plans') }}
),

pageviews as (
    select * from {{ ref('stg_web__pageviews') }}
),

identities as (
    select * from {{ ref('int_identities_stitched') }}
),

first_views as (
    select
        assignments.experiment_id,
        assignments.anonymous_id,
        min(pageviews.viewed_at) as exposed_at
    from assignments
    -- bounded by equality on anonymous_id: a unit meets only its own page views
    inner join pageviews
        on
            assignments.anonymous_id = pageviews.anonymous_id
            and assignments.assigned_at <= pageviews.viewed_at
    group by 1, 2
),

final as (
    select
        assignments.experiment_id,
        assignments.anonymous_id,
        assignments.variant_id,
        assignments.assigned_at,
        assignments.assignment_count,
        assignments.has_conflicting_assignments,
        first_views.exposed_at,
        first_views.exposed_at is not null as is_exposed,
        {{ dbt.dateadd('day', var('experiment_outcome_window_days'), 'first_views.exposed_at') }}
            as outcome_window_ends_at,
        identities.person_id
    from assignments
    inner join plans
        on
            assignments.experiment_id = plans.experiment_id
            and assignments.variant_id = plans.variant_id
    left join first_views
        on
            assignments.experiment_id = first_views.experiment_id
            and assignments.anonymous_id = first_views.anonymous_id
    left join identities
        on
            identities.identifier_type = 'anonymous_id'
            and assignments.anonymous_id = identities.identifier_value
)

select * from final
