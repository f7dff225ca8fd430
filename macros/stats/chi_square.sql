{#- Chi-square survival function P(X > x) for integer df in 1..2 * max_terms, in closed form:
      even df = 2m:     exp(-x/2) * sum_{j=0}^{m-1} (x/2)^j / j!
      odd  df = 2m + 1: 2 * P(Z > sqrt(x)) + sqrt(2/pi) exp(-x/2) sum_{j=1}^{m} x^(j-1/2) / (1*3*...*(2j-1))
    The sums are unrolled (terms past m multiply by 0), so this is one scalar expression: no
    gamma function, no iteration, portable. With two variants (df = 1) it is the normal tail.
    Rows with df beyond the unrolled range give NULL. -#}
{% macro chi_square_sf(x_value, df, max_terms=25) -%}
    {%- set x = 'cast(' ~ x_value ~ ' as ' ~ type_double() ~ ')' -%}
    (case
        when {{ df }} < 1 or {{ df }} > {{ 2 * max_terms }} then null
        when {{ x }} <= 0 then 1.0
        when mod({{ df }}, 2) = 0 then exp(-({{ x }}) / 2.0) * (1.0
            {%- set ns = namespace(fact=1) %}
            {%- for j in range(1, max_terms) %}
            {%- set ns.fact = ns.fact * j %}
            + case when {{ j }} < {{ df }} / 2 then power(({{ x }}) / 2.0, {{ j }}) / {{ '%.17e' | format(ns.fact) }} else 0.0 end
            {%- endfor %})
        else {{ normal_two_sided_p('sqrt(' ~ x ~ ')') }} + 0.79788456080286536 * exp(-({{ x }}) / 2.0) * (0.0
            {%- set ns = namespace(dfact=1) %}
            {%- for j in range(1, max_terms + 1) %}
            {%- set ns.dfact = ns.dfact * (2 * j - 1) %}
            + case when {{ j }} <= ({{ df }} - 1) / 2 then power({{ x }}, {{ j }} - 0.5) / {{ '%.17e' | format(ns.dfact) }} else 0.0 end
            {%- endfor %})
    end)
{%- endmacro %}
