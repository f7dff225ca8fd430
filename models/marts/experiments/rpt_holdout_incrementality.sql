{#- Holdout incrementality, one row per holdout experiment x metric ('conversions': converting
    visitors, 'revenue': net revenue in var('reporting_currency')): per 1,000 exposed visitors
    against per 1,000 holdout visitors (who never see chat), the difference (incremental per
    1,000) with its confidence interval and p-value from rpt_experiment_results, and beside it
    what the attribution marts credit to chat for the same exposed visitors' conversions (default
    window and model), so the share of attributed revenue that is truly incremental shows. -#}
with

results as (
    select * from {{ ref('rpt_experiment_results') }}
),

plans as (
    select * from {{ ref('experiment_plans') }}
),

unit_conversions as (
    select * from {{ ref('int_experiment_unit_conversions') }}
),

attribution as (
    select * from {{ ref('fct_conversion_attribution') }}
),

holdout_results as (
    select
        results.*,
        case when results.metric = 'converted' then 'conversions' else 'revenue' end as outcome
    from results
    inner join plans
        on
            results.experiment_id = plans.experiment_id
            and results.variant = plans.variant_id
    where
        plans.experiment_type = 'holdout'
        and not results.is_control
        and results.metric in ('converted', 'revenue_per_unit')
),

exposed_conversions as (
    select distinct
        unit_conversions.experiment_id,
        unit_conversions.variant_id,
        unit_conversions.conversion_id
    from unit_conversions
    inner join plans
        on
            unit_conversions.experiment_id = plans.experiment_id
            and unit_conversions.variant_id = plans.variant_id
    where plans.experiment_type = 'holdout' and not plans.is_control
),

attributed as (
    select
        exposed_conversions.experiment_id,
        exposed_conversions.variant_id,
        sum(attribution.credit) as attributed_conversions,
        sum(attribution.attributed_revenue) as attributed_revenue
    from exposed_conversions
    inner join attribution
        on exposed_conversions.conversion_id = attribution.conversion_id
    where
        attribution.window_days = {{ var('default_attribution_window_days') }}
        and attribution.attribution_model = '{{ var("default_attribution_model") }}'
    group by 1, 2
),

joined as (
    select
        holdout_results.experiment_id,
        holdout_results.outcome as metric,
        holdout_results.metric as source_metric,
        holdout_results.variant as exposed_variant,
        holdout_results.control_variant as holdout_variant,
        holdout_results.units as exposed_units,
        holdout_results.control_units as holdout_units,
        1000.0 * holdout_results.estimate as exposed_per_1000,
        1000.0 * holdout_results.control_estimate as holdout_per_1000,
        1000.0 * holdout_results.absolute_lift as incremental_per_1000,
        1000.0 * holdout_results.std_error as incremental_std_error_per_1000,
        1000.0 * holdout_results.ci_lower as incremental_ci_lower_per_1000,
        1000.0 * holdout_results.ci_upper as incremental_ci_upper_per_1000,
        holdout_results.relative_lift,
        holdout_results.p_value,
        holdout_results.is_significant,
        holdout_results.confidence_level,
        {{ var('default_attribution_window_days') }} as attribution_window_days,
        '{{ var("default_attribution_model") }}' as attribution_model,
        1000.0 * {{ safe_divide(
            "case when holdout_results.outcome = 'conversions' then coalesce(attributed.attributed_conversions, 0)
            else coalesce(attributed.attributed_revenue, 0) end",
            'holdout_results.units'
        ) }} as attributed_per_1000,
        case when holdout_results.outcome = 'revenue' then '{{ var("reporting_currency") }}' end as currency
    from holdout_results
    left join attributed
        on
            holdout_results.experiment_id = attributed.experiment_id
            and holdout_results.variant = attributed.variant_id
),

final as (
    select
        *,
        {{ safe_divide('incremental_per_1000', 'attributed_per_1000') }} as incremental_share_of_attributed
    from joined
)

select * from final
