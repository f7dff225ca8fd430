{#- The KPI registry (macros/kpi_registry.sql) as a table: one row per KPI column of
    rpt_chat_kpis_daily / _weekly (each rate, each statistic of each duration). The pipeline
    publishes it as meta.kpi_definitions in the serving copy, where the dashboard reads labels,
    units, formulas and the docs block of each KPI. -#}
{%- set rows = [] %}
{%- for rate in kpi_rates() %}
{%- do rows.append({
    'kpi_name': rate.name, 'kpi_kind': 'rate', 'label': rate.label, 'unit': rate.unit,
    'numerator': rate.numerator, 'denominator': rate.denominator, 'duration_column': none,
    'statistic': none, 'docs_block': rate.docs, 'valid_min': rate.valid_range[0],
    'valid_max': rate.valid_range[1], 'has_trend': rate.get('trend', false),
    'semantic_metric': rate.get('semantic_metric'),
}) %}
{%- endfor %}
{%- for source in ['conversations', 'replies'] %}
{%- for name, statistic, duration in kpi_duration_columns(source) %}
{%- do rows.append({
    'kpi_name': name, 'kpi_kind': 'duration', 'label': duration.label, 'unit': duration.unit,
    'numerator': none, 'denominator': none, 'duration_column': duration.column,
    'statistic': statistic, 'docs_block': duration.docs, 'valid_min': duration.valid_range[0],
    'valid_max': duration.valid_range[1],
    'has_trend': statistic in duration.get('trend_statistics', []),
    'semantic_metric': duration.get('semantic_metrics', {}).get(statistic),
}) %}
{%- endfor %}
{%- endfor %}

{%- set text_type = dbt.type_string() %}
{%- set number_type = type_double() %}

with

registry as (
    {%- for row in rows %}
    select
        {{ loop.index }} as kpi_order,
        {{ 'cast(' ~ (dbt.string_literal(dbt.escape_single_quotes(row.kpi_name)) if row.kpi_name is not none else 'null') ~ ' as ' ~ text_type ~ ')' }} as kpi_name,
        {{ 'cast(' ~ (dbt.string_literal(dbt.escape_single_quotes(row.kpi_kind)) if row.kpi_kind is not none else 'null') ~ ' as ' ~ text_type ~ ')' }} as kpi_kind,
        {{ 'cast(' ~ (dbt.string_literal(dbt.escape_single_quotes(row.label)) if row.label is not none else 'null') ~ ' as ' ~ text_type ~ ')' }} as label,
        {{ 'cast(' ~ (dbt.string_literal(dbt.escape_single_quotes(row.unit)) if row.unit is not none else 'null') ~ ' as ' ~ text_type ~ ')' }} as unit,
        {{ 'cast(' ~ (dbt.string_literal(dbt.escape_single_quotes(row.numerator)) if row.numerator is not none else 'null') ~ ' as ' ~ text_type ~ ')' }} as numerator,
        {{ 'cast(' ~ (dbt.string_literal(dbt.escape_single_quotes(row.denominator)) if row.denominator is not none else 'null') ~ ' as ' ~ text_type ~ ')' }} as denominator,
        {{ 'cast(' ~ (dbt.string_literal(dbt.escape_single_quotes(row.duration_column)) if row.duration_column is not none else 'null') ~ ' as ' ~ text_type ~ ')' }} as duration_column,
        {{ 'cast(' ~ (dbt.string_literal(dbt.escape_single_quotes(row.statistic)) if row.statistic is not none else 'null') ~ ' as ' ~ text_type ~ ')' }} as statistic,
        {{ 'cast(' ~ (dbt.string_literal(dbt.escape_single_quotes(row.docs_block)) if row.docs_block is not none else 'null') ~ ' as ' ~ text_type ~ ')' }} as docs_block,
        {{ 'cast(' ~ (row.valid_min if row.valid_min is not none else 'null') ~ ' as ' ~ number_type ~ ')' }} as valid_min,
        {{ 'cast(' ~ (row.valid_max if row.valid_max is not none else 'null') ~ ' as ' ~ number_type ~ ')' }} as valid_max,
        {{ 'true' if row.has_trend else 'false' }} as has_trend,
        {{ 'cast(' ~ (dbt.string_literal(dbt.escape_single_quotes(row.semantic_metric)) if row.semantic_metric is not none else 'null') ~ ' as ' ~ text_type ~ ')' }} as semantic_metric
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select * from registry
)

select * from final
