{#- One row per experiment x variant x metric: the sufficient statistics of the metric over the
    variant's exposed units (n, sums, means, sample variances and covariance), its estimate and
    the estimate's variance:
      proportion  p = sum(y) / n,            var = p (1 - p) / n
      mean        ybar,                      var = s_y^2 / n
      ratio       R = sum(y) / sum(x),       var = (s_y^2 - 2 R s_xy + R^2 s_x^2) / (n xbar^2)  (delta method)
    Sample variances use n - 1. Metrics: macro experiment_metrics(). -#}
with

outcomes as (
    select * from {{ ref('int_experiment_unit_outcomes') }}
),

unit_values as (
    {%- for m in experiment_metrics() %}
    select
        experiment_id,
        variant_id,
        '{{ m.metric }}' as metric,
        '{{ m.metric_type }}' as metric_type,
        cast({{ m.y }} as {{ type_double() }}) as y,
        cast({{ m.x }} as {{ type_double() }}) as x
    from outcomes
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

means as (
    select
        experiment_id,
        variant_id,
        metric,
        metric_type,
        count(*) as units,
        sum(y) as outcome_value,
        sum(x) as denominator_value,
        avg(y) as mean_y,
        avg(x) as mean_x
    from unit_values
    group by 1, 2, 3, 4
),

{# Two-pass (centred) sample moments: numerically stable, and exact (so deterministic
    whatever the summation order) for small integer or dyadic inputs. #}
aggregated as (
    select
        means.experiment_id,
        means.variant_id,
        means.metric,
        means.metric_type,
        means.units,
        means.outcome_value,
        means.denominator_value,
        means.mean_y,
        means.mean_x,
        sum((unit_values.y - means.mean_y) * (unit_values.y - means.mean_y)) / nullif(means.units - 1, 0)
            as variance_y,
        sum((unit_values.x - means.mean_x) * (unit_values.x - means.mean_x)) / nullif(means.units - 1, 0)
            as variance_x,
        sum((unit_values.y - means.mean_y) * (unit_values.x - means.mean_x)) / nullif(means.units - 1, 0)
            as covariance_xy
    from means
    inner join unit_values
        on
            means.experiment_id = unit_values.experiment_id
            and means.variant_id = unit_values.variant_id
            and means.metric = unit_values.metric
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9
),

estimated as (
    select
        *,
        case
            when metric_type = 'ratio' then {{ safe_divide('outcome_value', 'denominator_value') }}
            else mean_y
        end as estimate
    from aggregated
),

final as (
    select
        experiment_id,
        variant_id,
        metric,
        metric_type,
        units,
        outcome_value,
        case when metric_type = 'ratio' then denominator_value end as denominator_value,
        estimate,
        case when metric_type = 'mean' then sqrt(variance_y) end as standard_deviation,
        case
            when metric_type = 'proportion'
                then {{ safe_divide('estimate * (1.0 - estimate)', 'units') }}
            when metric_type = 'mean' then {{ safe_divide('variance_y', 'units') }}
            when metric_type = 'ratio'
                then {{ safe_divide(
                    'variance_y - 2.0 * estimate * covariance_xy + estimate * estimate * variance_x',
                    'units * mean_x * mean_x'
                ) }}
        end as estimate_variance
    from estimated
)

select * from final
