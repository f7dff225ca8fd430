{#- One row per experiment x unit (visitor): the unit's first assignment is kept (earliest
    assigned_at, then assignment_id); units assigned to more than one variant are flagged.
    Internal and test visitors are left out. -#}
with

assignments as (
    select * from {{ ref('stg_experiments__assignments') }}
),

numbered as (
    select
        experiment_id,
        anonymous_id,
        variant_id,
        assignment_id,
        assigned_at,
        row_number() over (
            partition by experiment_id, anonymous_id
            order by assigned_at, assignment_id
        ) as assignment_number,
        count(*) over (partition by experiment_id, anonymous_id) as assignment_count,
        min(variant_id) over (partition by experiment_id, anonymous_id) as min_variant_id,
        max(variant_id) over (partition by experiment_id, anonymous_id) as max_variant_id
    from assignments
    where not is_internal and anonymous_id is not null
),

final as (
    select
        experiment_id,
        anonymous_id,
        variant_id,
        assignment_id,
        assigned_at,
        assignment_count,
        min_variant_id != max_variant_id as has_conflicting_assignments
    from numbered
    where assignment_number = 1
)

select * from final
