{#- One row per experiment x variant x metric: the variant's estimate beside its control's, the
    absolute and relative lift, their standard errors and the test statistic (no distributions
    here; p-values and intervals are in rpt_experiment_results).
      absolute lift  d = e1 - e0, se = sqrt(v1 + v0)
      proportion     z = d / se, unpooled (two-proportion Wald z-test: the test and the interval
                     use the same standard error, so 'significant' and 'interval excludes 0' agree)
      mean           t = d / se, Welch-Satterthwaite df = (v1 + v0)^2 / (v1^2/(n1-1) + v0^2/(n0-1))
      ratio          z = d / se (delta-method variances)
      relative lift  r = e1 / e0 - 1, se_r = sqrt(v1 / e0^2 + e1^2 v0 / e0^4) (delta method)
    Control rows carry their own estimate and NULL lifts. -#}
with

metrics as (
    select * from {{ ref('int_experiment_variant_metrics') }}
),

plans as (
    select * from {{ ref('experiment_plans') }}
),

variants as (
    select
        metrics.*,
        plans.is_control
    from metrics
    inner join plans
        on
            metrics.experiment_id = plans.experiment_id
            and metrics.variant_id = plans.variant_id
),

paired as (
    select
        variants.experiment_id,
        variants.variant_id,
        controls.variant_id as control_variant_id,
        variants.is_control,
        variants.metric,
        variants.metric_type,
        variants.units,
        variants.outcome_value,
        variants.denominator_value,
        variants.estimate,
        variants.estimate_variance,
        controls.units as control_units,
        controls.outcome_value as control_outcome_value,
        controls.estimate as control_estimate,
        controls.estimate_variance as control_estimate_variance
    from variants
    inner join variants as controls
        on
            variants.experiment_id = controls.experiment_id
            and variants.metric = controls.metric
            and controls.is_control
),

lifts as (
    select
        *,
        case when not is_control then estimate - control_estimate end as absolute_lift,
        case when not is_control then sqrt(estimate_variance + control_estimate_variance) end as std_error,
        case
            when not is_control and metric_type = 'mean'
                then {{ safe_divide(
                    '(estimate_variance + control_estimate_variance) * (estimate_variance + control_estimate_variance)',
                    'estimate_variance * estimate_variance / nullif(units - 1, 0)
                    + control_estimate_variance * control_estimate_variance
                    / nullif(control_units - 1, 0)'
                ) }}
        end as degrees_of_freedom,
        case
            when not is_control then {{ safe_divide('estimate', 'control_estimate') }} - 1.0
        end as relative_lift,
        case
            when not is_control
                then sqrt(
                    {{ safe_divide('estimate_variance', 'control_estimate * control_estimate') }}
                    + {{ safe_divide(
                        'estimate * estimate * control_estimate_variance',
                        'control_estimate * control_estimate * control_estimate * control_estimate'
                    ) }}
                )
        end as relative_std_error
    from paired
),

final as (
    select
        experiment_id,
        variant_id,
        control_variant_id,
        is_control,
        metric,
        metric_type,
        case
            when metric_type = 'proportion' then 'two_proportion_z_test'
            when metric_type = 'mean' then 'welch_t_test'
            else 'delta_method_z_test'
        end as test_method,
        units,
        outcome_value,
        denominator_value,
        estimate,
        estimate_variance,
        control_units,
        control_estimate,
        absolute_lift,
        std_error,
        degrees_of_freedom,
        {{ safe_divide('absolute_lift', 'std_error') }} as test_statistic,
        relative_lift,
        relative_std_error
    from lifts
)

select * from final
