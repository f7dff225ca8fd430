{#- Standard normal distribution in plain SQL arithmetic (exp, sqrt, abs, case), so that it runs
    unchanged on DuckDB and Spark, neither of which has erf or a normal CDF.

    normal_upper_tail(x) = P(Z > |x|), by Hart's (1968) double-precision rational approximation
    (algorithm 5666, as given by G. West, "Better approximations to cumulative normal functions",
    2005): absolute error below 1e-15 everywhere; relative error of the tail below 1e-14 within
    7 sd and below 1e-8 beyond (the continued fraction), measured against scipy in
    tests/python/test_experiments.py. `x` is repeated, so pass a column, not a long expression. -#}
{% macro normal_upper_tail(x) -%}
    {%- set ax = 'abs(cast(' ~ x ~ ' as ' ~ type_double() ~ '))' -%}
    (case
        when {{ ax }} > 37.0 then 0.0
        when {{ ax }} < 7.07106781186547
            then exp(-0.5 * {{ ax }} * {{ ax }})
            * ((((((0.0352624965998911 * {{ ax }} + 0.700383064443688) * {{ ax }}
            + 6.37396220353165) * {{ ax }} + 33.912866078383) * {{ ax }}
            + 112.079291497871) * {{ ax }} + 221.213596169931) * {{ ax }}
            + 220.206867912376)
            / (((((((0.0883883476483184 * {{ ax }} + 1.75566716318264) * {{ ax }}
            + 16.064177579207) * {{ ax }} + 86.7807322029461) * {{ ax }}
            + 296.564248779674) * {{ ax }} + 637.333633378831) * {{ ax }}
            + 793.826512519948) * {{ ax }} + 440.413735824752)
        else exp(-0.5 * {{ ax }} * {{ ax }})
            / ({{ ax }} + 1.0 / ({{ ax }} + 2.0 / ({{ ax }} + 3.0 / ({{ ax }}
            + 4.0 / ({{ ax }} + 0.65)))))
            / 2.506628274631
    end)
{%- endmacro %}

{#- P(Z <= x). -#}
{% macro normal_cdf(x_value) -%}
    {%- set x = '(' ~ x_value ~ ')' -%}
    (case
        when {{ x }} > 0 then 1.0 - {{ normal_upper_tail(x) }}
        else {{ normal_upper_tail(x) }}
    end)
{%- endmacro %}

{#- Two-sided p-value of a z statistic: 2 * P(Z > |z|). -#}
{% macro normal_two_sided_p(z) -%}
    (2.0 * {{ normal_upper_tail(z) }})
{%- endmacro %}

{#- Standard normal density. -#}
{% macro normal_pdf(x_value) -%}
    {%- set x = '(' ~ x_value ~ ')' -%}
    (exp(-0.5 * {{ x }} * {{ x }}) / 2.5066282746310002)
{%- endmacro %}

{#- Inverse normal CDF, step 1 of 2: Acklam's rational approximation (relative error 1.15e-9).
    Follow it with normal_quantile_refine in a later CTE (one Halley step on the Hart CDF),
    which brings the error to the CDF's own accuracy (~1e-15). 0 < p < 1. -#}
{% macro normal_quantile_initial(p_value) -%}
    {%- set p = 'cast(' ~ p_value ~ ' as ' ~ type_double() ~ ')' -%}
    (case
        when {{ p }} < 0.02425 then
            (((((-0.007784894002430293 * sqrt(-2.0 * ln({{ p }})) - 0.3223964580411365)
            * sqrt(-2.0 * ln({{ p }})) - 2.400758277161838) * sqrt(-2.0 * ln({{ p }}))
            - 2.549732539343734) * sqrt(-2.0 * ln({{ p }})) + 4.374664141464968)
            * sqrt(-2.0 * ln({{ p }})) + 2.938163982698783)
            / ((((0.007784695709041462 * sqrt(-2.0 * ln({{ p }})) + 0.3224671290700398)
            * sqrt(-2.0 * ln({{ p }})) + 2.445134137142996) * sqrt(-2.0 * ln({{ p }}))
            + 3.754408661907416) * sqrt(-2.0 * ln({{ p }})) + 1.0)
        when {{ p }} > 1.0 - 0.02425 then
            -(((((-0.007784894002430293 * sqrt(-2.0 * ln(1.0 - {{ p }})) - 0.3223964580411365)
            * sqrt(-2.0 * ln(1.0 - {{ p }})) - 2.400758277161838) * sqrt(-2.0 * ln(1.0 - {{ p }}))
            - 2.549732539343734) * sqrt(-2.0 * ln(1.0 - {{ p }})) + 4.374664141464968)
            * sqrt(-2.0 * ln(1.0 - {{ p }})) + 2.938163982698783)
            / ((((0.007784695709041462 * sqrt(-2.0 * ln(1.0 - {{ p }})) + 0.3224671290700398)
            * sqrt(-2.0 * ln(1.0 - {{ p }})) + 2.445134137142996) * sqrt(-2.0 * ln(1.0 - {{ p }}))
            + 3.754408661907416) * sqrt(-2.0 * ln(1.0 - {{ p }})) + 1.0)
        else
            (((((-39.69683028665376 * ({{ p }} - 0.5) * ({{ p }} - 0.5) + 220.9460984245205)
            * ({{ p }} - 0.5) * ({{ p }} - 0.5) - 275.9285104469687) * ({{ p }} - 0.5) * ({{ p }} - 0.5)
            + 138.3577518672690) * ({{ p }} - 0.5) * ({{ p }} - 0.5) - 30.66479806614716)
            * ({{ p }} - 0.5) * ({{ p }} - 0.5) + 2.506628277459239) * ({{ p }} - 0.5)
            / (((((-54.47609879822406 * ({{ p }} - 0.5) * ({{ p }} - 0.5) + 161.5858368580409)
            * ({{ p }} - 0.5) * ({{ p }} - 0.5) - 155.6989798598866) * ({{ p }} - 0.5) * ({{ p }} - 0.5)
            + 66.80131188771972) * ({{ p }} - 0.5) * ({{ p }} - 0.5) - 13.28068155288572)
            * ({{ p }} - 0.5) * ({{ p }} - 0.5) + 1.0)
    end)
{%- endmacro %}

{#- Inverse normal CDF, step 2 of 2: one Halley step from an initial estimate `x` (a column). -#}
{% macro normal_quantile_refine(x_value, p_value) -%}
    {%- set x = '(' ~ x_value ~ ')' -%}
    {%- set p = '(' ~ p_value ~ ')' -%}
    ({{ x }} - (({{ normal_cdf(x) }} - {{ p }}) * 2.5066282746310002 * exp(0.5 * {{ x }} * {{ x }}))
    / (1.0 + {{ x }} * (({{ normal_cdf(x) }} - {{ p }}) * 2.5066282746310002
    * exp(0.5 * {{ x }} * {{ x }})) / 2.0))
{%- endmacro %}
