{#- The KPI registry: every chat rate and every duration statistic, declared once.

    Read by dbt through kpi_registry() (the KPI marts' rate and duration columns, the rolling
    trends and their week-over-week deltas, the alerts, the kpi_definitions table, the
    alert-threshold test), and by Python (scripts/chatperf/kpi_registry.py parses the YAML
    between the two marker lines below: the Great Expectations bounds, the semantic-layer
    agreement test, the formula-outside-the-registry test). The dashboard reads the published
    table meta.kpi_definitions.

    rates: a ratio of two count columns of rpt_chat_kpis_daily / _weekly (numerator /
      denominator, NULL when the denominator is 0); `trend: true` adds rolling 7/28-day values
      and a week-over-week delta to rpt_chat_kpi_trends; `semantic_metric` names the MetricFlow
      metric that must agree (tests/python/test_kpi_registry.py checks it).
    durations: statistics (mean, p50, p75, p90) of one duration column, optionally over the rows
      where `only_when` holds, reported as <statistic>_<name>_seconds; `source` is the
      conversation rows (`conversations`) or the human replies of fct_chat_messages (`replies`);
      `trend_statistics` are recomputed over rolling windows from the rows themselves.
    valid_range: [min, max], null for unbounded: the dbt and Great Expectations bounds.
    docs: the docs block (models/marts/kpis/_kpis__docs.md) that defines the KPI. -#}
{% macro kpi_registry() -%}
{%- set registry_yaml -%}
# kpi-registry:begin
rates:
  - {name: chat_open_rate, label: Chat open rate, numerator: conversations_opened, denominator: widget_views, unit: rate, valid_range: [0, null], docs: chat_open_rate, trend: true}
  - {name: message_initiation_rate, label: Message initiation rate, numerator: opened_initiated_conversations, denominator: conversations_opened, unit: rate, valid_range: [0, 1], docs: message_initiation_rate, trend: true}
  - {name: resolution_rate, label: Resolution rate, numerator: resolved_conversations, denominator: conversations, unit: rate, valid_range: [0, 1], docs: resolution_rate, trend: true, semantic_metric: resolution_rate}
  - {name: first_contact_resolution_rate, label: First-contact resolution, numerator: first_contact_resolved_conversations, denominator: conversations, unit: rate, valid_range: [0, 1], docs: first_contact_resolution_rate, trend: true, semantic_metric: first_contact_resolution_rate}
  - {name: bot_involvement_rate, label: Bot involvement rate, numerator: bot_involved_conversations, denominator: conversations, unit: rate, valid_range: [0, 1], docs: bot_involvement_rate}
  - {name: bot_resolution_rate, label: Bot resolution rate, numerator: bot_resolved_conversations, denominator: bot_involved_conversations, unit: rate, valid_range: [0, 1], docs: bot_resolution_rate, trend: true, semantic_metric: bot_resolution_rate}
  - {name: human_resolution_rate, label: Human resolution rate, numerator: human_resolved_conversations, denominator: human_involved_conversations, unit: rate, valid_range: [0, 1], docs: human_resolution_rate}
  - {name: containment_rate, label: Containment rate, numerator: contained_conversations, denominator: bot_involved_conversations, unit: rate, valid_range: [0, 1], docs: containment_rate, trend: true, semantic_metric: containment_rate}
  - {name: escalation_rate, label: Escalation rate, numerator: escalated_conversations, denominator: bot_involved_conversations, unit: rate, valid_range: [0, 1], docs: escalation_rate, trend: true, semantic_metric: escalation_rate}
  - {name: reopen_rate, label: Reopen rate, numerator: reopened_conversations, denominator: ever_resolved_conversations, unit: rate, valid_range: [0, 1], docs: reopen_rate, trend: true}
  - {name: automation_rate, label: Automation rate, numerator: bot_resolved_conversations, denominator: conversations, unit: rate, valid_range: [0, 1], docs: automation_rate, trend: true}
  - {name: repeat_contact_rate, label: Repeat-contact rate, numerator: repeat_contact_conversations, denominator: conversations, unit: rate, valid_range: [0, 1], docs: repeat_contact_rate}
  - {name: engaged_conversation_rate, label: Engaged-conversation rate, numerator: engaged_conversations, denominator: conversations, unit: rate, valid_range: [0, 1], docs: engaged_conversation_rate, trend: true}
  - {name: abandonment_rate, label: Abandonment rate, numerator: abandoned_conversations, denominator: conversations, unit: rate, valid_range: [0, 1], docs: abandonment_rate}
  - {name: return_chat_rate, label: Return chat rate, numerator: returning_chat_users, denominator: active_chat_users, unit: rate, valid_range: [0, 1], docs: return_chat_rate}
  - {name: messages_per_conversation, label: Messages per conversation, numerator: messages, denominator: conversations, unit: messages per conversation, valid_range: [0, null], docs: messages_per_conversation}
  - {name: flagged_message_rate, label: Flagged message rate, numerator: flagged_messages, denominator: messages, unit: rate, valid_range: [0, 1], docs: flagged_message_rate}
  - {name: csat_score, label: CSAT, numerator: good_csat_conversations, denominator: rated_conversations, unit: rate, valid_range: [0, 1], docs: csat_score, trend: true, semantic_metric: csat_score}
  - {name: csat_score_bot, label: CSAT (bot path), numerator: good_csat_bot_conversations, denominator: rated_bot_conversations, unit: rate, valid_range: [0, 1], docs: csat_score_by_path}
  - {name: csat_score_human, label: CSAT (human path), numerator: good_csat_human_conversations, denominator: rated_human_conversations, unit: rate, valid_range: [0, 1], docs: csat_score_by_path}
  - {name: csat_score_escalated, label: CSAT (escalated path), numerator: good_csat_escalated_conversations, denominator: rated_escalated_conversations, unit: rate, valid_range: [0, 1], docs: csat_score_by_path}
durations:
  - {name: first_human_response, label: Human first response, column: first_human_response_seconds, source: conversations, statistics: [mean, p50, p75, p90], unit: seconds, valid_range: [0, null], docs: first_human_response_stats, trend_statistics: [p50], semantic_metrics: {p50: p50_first_human_response_seconds}}
  - {name: bot_first_response, label: Bot first response, column: bot_first_response_seconds, source: conversations, statistics: [mean, p50, p75, p90], unit: seconds, valid_range: [0, null], docs: bot_first_response_stats}
  - {name: time_to_handoff, label: Time to handoff, column: time_to_handoff_seconds, source: conversations, statistics: [mean, p50, p75, p90], unit: seconds, valid_range: [0, null], docs: time_to_handoff_stats}
  - {name: resolution, label: Resolution time, column: resolution_seconds, source: conversations, only_when: is_resolved, statistics: [mean, p50, p75, p90], unit: seconds, valid_range: [0, null], docs: resolution_time_stats}
  - {name: conversation_length, label: Conversation length, column: conversation_length_seconds, source: conversations, statistics: [mean, p50, p75, p90], unit: seconds, valid_range: [0, null], docs: conversation_length_stats}
  - {name: reply, label: Human reply time, column: reply_seconds, source: replies, statistics: [mean, p50, p90], unit: seconds, valid_range: [0, null], docs: reply_stats}
# kpi-registry:end
{%- endset -%}
{{ return(fromyaml(registry_yaml)) }}
{%- endmacro %}


{#- One registered rate (or, with `only`, the rates whose key is true, e.g. 'trend'). -#}
{% macro kpi_rates(only=none) -%}
    {%- set rates = [] -%}
    {%- for rate in kpi_registry()['rates'] -%}
        {%- if only is none or rate.get(only) -%}{%- do rates.append(rate) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(rates) }}
{%- endmacro %}

{% macro kpi_rate(name) -%}
    {%- for rate in kpi_registry()['rates'] if rate['name'] == name -%}
        {{ return(rate) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("no rate named '" ~ name ~ "' in the KPI registry") }}
{%- endmacro %}

{#- SQL: the registered rate `name` over count columns (optionally prefixed, e.g. 'windows.',
    and suffixed, e.g. '_7d'), as numerator / denominator with NULL for an empty denominator. -#}
{% macro kpi_rate_sql(name, prefix='', suffix='') -%}
    {%- set rate = kpi_rate(name) -%}
    {{ safe_divide(prefix ~ rate['numerator'] ~ suffix, prefix ~ rate['denominator'] ~ suffix) }}
{%- endmacro %}

{#- The registered duration statistics of one source ('conversations' or 'replies'): a list of
    (column name, statistic, duration entry), e.g. ('p50_resolution_seconds', 'p50', {...}). -#}
{% macro kpi_duration_columns(source) -%}
    {%- set cols = [] -%}
    {%- for duration in kpi_registry()['durations'] if duration['source'] == source -%}
        {%- for statistic in duration['statistics'] -%}
            {%- do cols.append((statistic ~ '_' ~ duration['name'] ~ '_seconds', statistic, duration)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(cols) }}
{%- endmacro %}

{#- SQL: one statistic ('mean' or 'pNN') of a value expression, cross-database. -#}
{% macro kpi_statistic_sql(statistic, value) -%}
    {%- if statistic == 'mean' -%}
        avg({{ value }})
    {%- else -%}
        {{ percentile_cont(value, (statistic[1:] | int) / 100) }}
    {%- endif -%}
{%- endmacro %}
