{#- Sample ratio mismatch, one row per experiment x planned variant: observed exposed units against
    the planned split (seed experiment_plans), with the experiment's chi-square goodness-of-fit
    statistic, degrees of freedom (variants - 1), p-value and flag (p < var('experiment_srm_alpha'))
    repeated on each of its rows. -#}
with

units as (
    select * from {{ ref('int_experiment_units_exposed') }}
),

plans as (
    select * from {{ ref('experiment_plans') }}
),

observed as (
    select
        experiment_id,
        variant_id,
        count(*) as observed_units
    from units
    where is_exposed
    group by 1, 2
),

planned as (
    select
        plans.experiment_id,
        plans.variant_id,
        plans.is_control,
        {{ safe_divide('plans.planned_share', 'sum(plans.planned_share) over (partition by plans.experiment_id)') }}
            as planned_share,
        coalesce(observed.observed_units, 0) as observed_units,
        sum(coalesce(observed.observed_units, 0)) over (partition by plans.experiment_id) as total_units,
        count(*) over (partition by plans.experiment_id) as variants
    from plans
    left join observed
        on
            plans.experiment_id = observed.experiment_id
            and plans.variant_id = observed.variant_id
),

contributions as (
    select
        *,
        total_units * planned_share as expected_units,
        {{ safe_divide(
            '(observed_units - total_units * planned_share) * (observed_units - total_units * planned_share)',
            'total_units * planned_share'
        ) }} as chi_square_contribution
    from planned
),

tested as (
    select
        *,
        sum(chi_square_contribution) over (partition by experiment_id) as chi_square,
        variants - 1 as degrees_of_freedom
    from contributions
),

final as (
    select
        experiment_id,
        variant_id,
        is_control,
        planned_share,
        {{ safe_divide('observed_units', 'total_units') }} as observed_share,
        expected_units,
        observed_units,
        total_units,
        chi_square_contribution,
        chi_square,
        degrees_of_freedom,
        {{ chi_square_sf('chi_square', 'degrees_of_freedom') }} as p_value,
        {{ chi_square_sf('chi_square', 'degrees_of_freedom') }} < {{ var('experiment_srm_alpha') }} as is_srm
    from tested
    where total_units > 0
)

select * from final
