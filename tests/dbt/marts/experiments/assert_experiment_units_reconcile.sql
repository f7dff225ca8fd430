{#- Every analysed variant's units agree across the marts: each metric row of
    rpt_experiment_results has the exposed units that rpt_experiment_srm counts, and the unit
    outcomes table has the same number of rows. -#}
with

results as (
    select * from {{ ref('rpt_experiment_results') }}
),

srm as (
    select * from {{ ref('rpt_experiment_srm') }}
),

outcomes as (
    select
        experiment_id,
        variant_id,
        count(*) as units
    from {{ ref('int_experiment_unit_outcomes') }}
    group by experiment_id, variant_id
)

select
    results.experiment_id,
    results.variant,
    results.metric,
    results.units as result_units,
    srm.observed_units,
    outcomes.units as outcome_units
from results
left join srm
    on
        results.experiment_id = srm.experiment_id
        and results.variant = srm.variant_id
left join outcomes
    on
        results.experiment_id = outcomes.experiment_id
        and results.variant = outcomes.variant_id
where
    srm.observed_units is null
    or outcomes.units is null
    or results.units != srm.observed_units
    or results.units != outcomes.units
