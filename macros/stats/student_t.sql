{#- Student's t distribution in plain SQL (DuckDB and Spark have no t CDF, Spark no lgamma).

    log_gamma(x), x > 0: Stirling's series on x + 8, shifted back with the log of the product
    x (x + 1) ... (x + 7); truncation error below 1e-13. -#}
{% macro log_gamma(x_value) -%}
    {%- set x = 'cast(' ~ x_value ~ ' as ' ~ type_double() ~ ')' -%}
    ((({{ x }}) + 7.5) * ln(({{ x }}) + 8.0) - (({{ x }}) + 8.0) + 0.91893853320467274
    + 1.0 / (12.0 * (({{ x }}) + 8.0))
    - 1.0 / (360.0 * power(({{ x }}) + 8.0, 3))
    + 1.0 / (1260.0 * power(({{ x }}) + 8.0, 5))
    - 1.0 / (1680.0 * power(({{ x }}) + 8.0, 7))
    + 1.0 / (1188.0 * power(({{ x }}) + 8.0, 9))
    - ln(({{ x }}) * (({{ x }}) + 1.0) * (({{ x }}) + 2.0) * (({{ x }}) + 3.0)
        * (({{ x }}) + 4.0) * (({{ x }}) + 5.0) * (({{ x }}) + 6.0) * (({{ x }}) + 7.0)))
{%- endmacro %}

{#- Gamma((df + 1) / 2) / (sqrt(pi) * Gamma(df / 2)): the t density's constant times sqrt(df). -#}
{% macro student_t_constant(df) -%}
    exp({{ log_gamma('(' ~ df ~ ' + 1.0) / 2.0') }} - {{ log_gamma('(' ~ df ~ ') / 2.0') }}
        - 0.57236494292470008)
{%- endmacro %}

{#- Student t density at t with df degrees of freedom (df may be fractional, as Welch's is). -#}
{% macro student_t_pdf(t, df) -%}
    ({{ student_t_constant(df) }} / sqrt({{ df }})
        * power(1.0 + ({{ t }}) * ({{ t }}) / ({{ df }}), -(({{ df }}) + 1.0) / 2.0))
{%- endmacro %}

{#- The number of Simpson intervals (even) used for the t tail integral. -#}
{% macro t_quadrature_intervals() -%}
    {{ return(var('experiment_quadrature_intervals', 1000)) }}
{%- endmacro %}

{#- A select returning, per row of `relation` (a ref or CTE name), its `key_columns` and
    `tail_column` = P(T > |t|) for T ~ Student t(df).

    Method: substitute t = sqrt(df) tan(theta); then
        P(T > t) = C(df) * integral from atan(t / sqrt(df)) to pi/2 of cos(theta)^(df - 1),
    C(df) = Gamma((df + 1) / 2) / (sqrt(pi) Gamma(df / 2)). The integrand is bounded and smooth,
    and below exp(-(df - 1) theta^2 / 2), so the upper limit is cut to
    min(pi/2, lower + 12 / sqrt(df)) (the rest is below 1e-15 for df >= 2); composite Simpson
    with t_quadrature_intervals() intervals on a grid from dbt.generate_series, joined in SQL.
    Accuracy against scipy.stats.t.sf: below 1e-9 for df >= 2, integer or fractional (pytest). -#}
{% macro student_t_upper_tail_select(relation, key_columns, t_column, df_column, tail_column='t_upper_tail') -%}
    {%- set n = t_quadrature_intervals() | int -%}
    select
        {% for key in key_columns -%}
        bounds.{{ key }},
        {% endfor -%}
        max(bounds.t_constant) * max(bounds.step_width) / 3.0 * sum(
            (case
                when nodes.generated_number = 1 or nodes.generated_number = {{ n + 1 }} then 1.0
                when mod(nodes.generated_number, 2) = 0 then 4.0
                else 2.0
            end)
            * power(
                greatest(cos(bounds.lower_theta + (nodes.generated_number - 1) * bounds.step_width), 0.0),
                bounds.df - 1.0
            )
        ) as {{ tail_column }}
    from (
        select
            {% for key in key_columns -%}
            {{ key }},
            {% endfor -%}
            {{ df_column }} as df,
            atan(abs({{ t_column }}) / sqrt({{ df_column }})) as lower_theta,
            (least(
                1.5707963267948966,
                atan(abs({{ t_column }}) / sqrt({{ df_column }})) + 12.0 / sqrt({{ df_column }})
            ) - atan(abs({{ t_column }}) / sqrt({{ df_column }}))) / {{ n }} as step_width,
            {{ student_t_constant(df_column) }} as t_constant
        from {{ relation }}
        where {{ t_column }} is not null and {{ df_column }} > 0
    ) as bounds
    cross join ({{ dbt.generate_series(n + 1) }}) as nodes
    group by {% for key in key_columns %}bounds.{{ key }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}

{#- Cornish-Fisher start for the t quantile with upper-tail probability given through the normal
    quantile `z` (a column): z + g1/df + g2/df^2 + g3/df^3 + g4/df^4. -#}
{% macro student_t_quantile_initial(z_value, df_value) -%}
    {%- set z = '(' ~ z_value ~ ')' -%}
    {%- set df = '(' ~ df_value ~ ')' -%}
    ({{ z }}
    + (power({{ z }}, 3) + {{ z }}) / 4.0 / ({{ df }})
    + (5.0 * power({{ z }}, 5) + 16.0 * power({{ z }}, 3) + 3.0 * {{ z }}) / 96.0 / power({{ df }}, 2)
    + (3.0 * power({{ z }}, 7) + 19.0 * power({{ z }}, 5) + 17.0 * power({{ z }}, 3) - 15.0 * {{ z }})
        / 384.0 / power({{ df }}, 3)
    + (79.0 * power({{ z }}, 9) + 776.0 * power({{ z }}, 7) + 1482.0 * power({{ z }}, 5)
        - 1920.0 * power({{ z }}, 3) - 945.0 * {{ z }}) / 92160.0 / power({{ df }}, 4))
{%- endmacro %}

{#- CTE chain for the Student t quantile with upper-tail probability `tail_probability` (a
    number): emits "<prefix>_0 as (...), <prefix>_tail_1 as (...), <prefix>_1 as (...), ...";
    the answer is column t_quantile of <prefix>_<steps>, per key. `source` has the key columns,
    the df column and `z_column`, the normal quantile for the same tail (the Cornish-Fisher start).
    Each step is Newton's on the tail: t <- t + (tail(t) - p) / pdf(t); the tail is concave in t
    beyond the mode, so the steps climb monotonically to the root from the (low) start. -#}
{% macro student_t_quantile_ctes(source, key_columns, df_column, z_column, tail_probability, prefix='t_quantile', steps=4) -%}
{{ prefix }}_0 as (
    select
        {% for key in key_columns -%}
        {{ key }},
        {% endfor -%}
        {{ df_column }} as degrees_of_freedom,
        {{ student_t_quantile_initial(z_column, df_column) }} as t_quantile
    from {{ source }}
),
{% for step in range(1, steps + 1) %}
{{ prefix }}_tail_{{ step }} as (
    {{ student_t_upper_tail_select(prefix ~ '_' ~ (step - 1), key_columns, 't_quantile', 'degrees_of_freedom') }}
),

{{ prefix }}_{{ step }} as (
    select
        {% for key in key_columns -%}
        previous.{{ key }},
        {% endfor -%}
        previous.degrees_of_freedom,
        previous.t_quantile
        + (tails.t_upper_tail - ({{ tail_probability }}))
        / {{ student_t_pdf('previous.t_quantile', 'previous.degrees_of_freedom') }} as t_quantile
    from {{ prefix }}_{{ step - 1 }} as previous
    inner join {{ prefix }}_tail_{{ step }} as tails
        on
            {% for key in key_columns -%}
            previous.{{ key }} = tails.{{ key }}{% if not loop.last %}
            and {% endif %}
            {%- endfor %}
){% if not loop.last %},{% endif %}
{% endfor %}
{%- endmacro %}
