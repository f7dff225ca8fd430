{#- Experiment results, one row per experiment x variant x metric: the variant against its control
    with lift, standard error, confidence interval (level var('experiment_confidence_level')),
    p-value, guardrail check and verdict. Distributions are computed in SQL by the macros in
    macros/stats (normal CDF and quantile, Student t tail and quantile), see the
    `experiment_statistics_method` docs block. -#}
{%- set key_columns = ['experiment_id', 'variant_id', 'metric'] -%}
{%- set alpha = 1.0 - var('experiment_confidence_level') | float -%}
{%- set newton_steps = 4 -%}
with

comparisons as (
    select * from {{ ref('int_experiment_comparisons') }}
),

guardrails as (
    select * from {{ ref('experiment_guardrails') }}
),

srm as (
    select * from {{ ref('rpt_experiment_srm') }}
),

normal_quantile_start as (
    select {{ normal_quantile_initial(1.0 - alpha / 2.0) }} as z_start
),

normal_quantile as (
    select {{ normal_quantile_refine('z_start', 1.0 - alpha / 2.0) }} as z_critical
    from normal_quantile_start
),

welch_rows as (
    select
        experiment_id,
        variant_id,
        metric,
        test_statistic,
        degrees_of_freedom
    from comparisons
    where test_method = 'welch_t_test' and not is_control and degrees_of_freedom > 0
),

welch_tails as (
    {{ student_t_upper_tail_select('welch_rows', key_columns, 'test_statistic', 'degrees_of_freedom') }}
),

welch_quantile_inputs as (
    select
        welch_rows.experiment_id,
        welch_rows.variant_id,
        welch_rows.metric,
        welch_rows.degrees_of_freedom,
        normal_quantile.z_critical
    from welch_rows
    cross join normal_quantile
),

{#- t quantile with upper tail alpha/2: Cornish-Fisher start, then Newton steps on the tail. #}
{{ student_t_quantile_ctes(
    'welch_quantile_inputs', key_columns, 'degrees_of_freedom', 'z_critical', alpha / 2.0, steps=newton_steps
) }},

experiment_srm as (
    select
        experiment_id,
        max(case when is_srm then 1 else 0 end) = 1 as has_sample_ratio_mismatch
    from srm
    group by experiment_id
),

tested as (
    select
        comparisons.*,
        guardrails.metric is not null as is_guardrail,
        coalesce(experiment_srm.has_sample_ratio_mismatch, false) as has_sample_ratio_mismatch,
        case
            when comparisons.is_control then null
            when comparisons.test_method = 'welch_t_test' then 2.0 * welch_tails.t_upper_tail
            else {{ normal_two_sided_p('comparisons.test_statistic') }}
        end as p_value,
        case
            when comparisons.test_method = 'welch_t_test' then t_quantile_{{ newton_steps }}.t_quantile
            else normal_quantile.z_critical
        end as critical_value,
        normal_quantile.z_critical
    from comparisons
    cross join normal_quantile
    left join guardrails
        on
            comparisons.experiment_id = guardrails.experiment_id
            and comparisons.metric = guardrails.metric
    left join experiment_srm
        on comparisons.experiment_id = experiment_srm.experiment_id
    left join welch_tails
        on
            comparisons.experiment_id = welch_tails.experiment_id
            and comparisons.variant_id = welch_tails.variant_id
            and comparisons.metric = welch_tails.metric
    left join t_quantile_{{ newton_steps }}
        on
            comparisons.experiment_id = t_quantile_{{ newton_steps }}.experiment_id
            and comparisons.variant_id = t_quantile_{{ newton_steps }}.variant_id
            and comparisons.metric = t_quantile_{{ newton_steps }}.metric
),

flagged as (
    select
        *,
        coalesce(p_value < {{ alpha }}, false) as is_significant,
        is_guardrail and coalesce(p_value < {{ alpha }}, false) and absolute_lift < 0 as guardrail_worsened
    from tested
),

variant_guardrails as (
    select
        experiment_id,
        variant_id,
        max(case when guardrail_worsened then 1 else 0 end) = 1 as has_worsened_guardrail
    from flagged
    group by experiment_id, variant_id
),

final as (
    select
        flagged.experiment_id,
        flagged.variant_id as variant,
        flagged.control_variant_id as control_variant,
        flagged.is_control,
        flagged.metric,
        flagged.metric_type,
        flagged.test_method,
        flagged.units,
        flagged.control_units,
        flagged.outcome_value,
        flagged.denominator_value,
        flagged.estimate,
        flagged.control_estimate,
        flagged.absolute_lift,
        flagged.relative_lift,
        flagged.std_error,
        flagged.test_statistic,
        flagged.degrees_of_freedom,
        flagged.absolute_lift - flagged.critical_value * flagged.std_error as ci_lower,
        flagged.absolute_lift + flagged.critical_value * flagged.std_error as ci_upper,
        flagged.relative_std_error,
        flagged.relative_lift - flagged.z_critical * flagged.relative_std_error as relative_ci_lower,
        flagged.relative_lift + flagged.z_critical * flagged.relative_std_error as relative_ci_upper,
        flagged.p_value,
        {{ var('experiment_confidence_level') }} as confidence_level,
        flagged.is_significant,
        flagged.is_guardrail,
        flagged.guardrail_worsened,
        flagged.has_sample_ratio_mismatch,
        case
            when flagged.is_control then 'control'
            when flagged.guardrail_worsened then 'guardrail_failed'
            when not flagged.is_significant or flagged.has_sample_ratio_mismatch then 'inconclusive'
            when flagged.absolute_lift < 0 then 'loser'
            when variant_guardrails.has_worsened_guardrail then 'guardrail_failed'
            else 'winner'
        end as verdict
    from flagged
    inner join variant_guardrails
        on
            flagged.experiment_id = variant_guardrails.experiment_id
            and flagged.variant_id = variant_guardrails.variant_id
)

select * from final
