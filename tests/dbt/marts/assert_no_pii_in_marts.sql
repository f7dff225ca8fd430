{#- No personal data in any mart: every string column of every model built in the marts schema
    (including the semantic and quality ones) is scanned for emails, phone numbers and card
    numbers with the no_pii patterns. Models and columns are listed when the test runs, so a new
    mart is covered without editing this file. -#}
{#- dbt runs this test after every mart it lists here (a mart added later is still scanned,
    but list it so that `dbt build` orders the scan after it). -#}
-- depends_on: {{ ref('fct_chat_messages') }}
-- depends_on: {{ ref('fct_conversations') }}
-- depends_on: {{ ref('fct_conversion_attribution') }}
-- depends_on: {{ ref('fct_conversions') }}
-- depends_on: {{ ref('metricflow_time_spine') }}
-- depends_on: {{ ref('rpt_chat_alerts') }}
-- depends_on: {{ ref('rpt_chat_conversion_rates_daily') }}
-- depends_on: {{ ref('rpt_chat_kpi_trends') }}
-- depends_on: {{ ref('rpt_chat_kpis_daily') }}
-- depends_on: {{ ref('rpt_chat_kpis_weekly') }}
-- depends_on: {{ ref('rpt_checkout_completion_daily') }}
-- depends_on: {{ ref('rpt_community_weekly') }}
-- depends_on: {{ ref('rpt_conversation_length_weekly') }}
-- depends_on: {{ ref('rpt_conversation_review_sample') }}
-- depends_on: {{ ref('rpt_executive_overview_weekly') }}
-- depends_on: {{ ref('rpt_experiment_results') }}
-- depends_on: {{ ref('rpt_experiment_srm') }}
-- depends_on: {{ ref('rpt_holdout_incrementality') }}
-- depends_on: {{ ref('rpt_load_files_daily') }}
-- depends_on: {{ ref('rpt_load_quarantine_daily') }}
-- depends_on: {{ ref('rpt_member_retention') }}
-- depends_on: {{ ref('rpt_payment_input_issues') }}
-- depends_on: {{ ref('rpt_revenue_attribution_daily') }}
-- depends_on: {{ ref('rpt_sales_chat_daily') }}
-- depends_on: {{ ref('rpt_sales_pipeline_weekly') }}
-- depends_on: {{ ref('rpt_support_daily') }}
-- depends_on: {{ ref('rpt_top_intents_weekly') }}
-- depends_on: {{ ref('rpt_tracking_health_daily') }}
-- depends_on: {{ ref('rpt_volume_by_channel_daily') }}
{%- set findings = [] %}
{%- if execute %}
    {%- set marts_schema = generate_schema_name('marts', none) %}
    {%- set mart_nodes = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('schema', 'equalto', marts_schema)
        | sort(attribute='name') %}
    {%- for node in mart_nodes %}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) %}
        {%- if relation is none %}{% continue %}{% endif %}
        {%- set columns = [] %}
        {%- for col in adapter.get_columns_in_relation(relation) if col.is_string() %}
            {%- do columns.append(adapter.quote(col.name)) %}
        {%- endfor %}
        {%- if columns %}
            {%- do findings.append(pii_findings(relation, columns)) %}
        {%- endif %}
    {%- endfor %}
{%- endif %}
{%- if findings %}
    {{ findings | join('\nunion all\n') }}
{%- else %}
    {{ pii_findings(none, []) }}
{%- endif %}
