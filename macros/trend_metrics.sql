{#- Headline rates tracked as rolling 7- and 28-day values: (name, numerator count, denominator
    count), both columns of rpt_chat_kpis_daily. A rolling rate is sum(numerator) / sum(denominator)
    over the window: never an average of daily rates. -#}
{% macro trend_metrics() -%}
    {{ return([
        ('chat_open_rate', 'conversations_opened', 'widget_views'),
        ('message_initiation_rate', 'opened_initiated_conversations', 'conversations_opened'),
        ('resolution_rate', 'resolved_conversations', 'conversations'),
        ('first_contact_resolution_rate', 'first_contact_resolved_conversations', 'conversations'),
        ('bot_resolution_rate', 'bot_resolved_conversations', 'bot_involved_conversations'),
        ('containment_rate', 'contained_conversations', 'bot_involved_conversations'),
        ('escalation_rate', 'escalated_conversations', 'bot_involved_conversations'),
        ('reopen_rate', 'reopened_conversations', 'ever_resolved_conversations'),
        ('automation_rate', 'bot_resolved_conversations', 'conversations'),
        ('engaged_conversation_rate', 'engaged_conversations', 'conversations'),
        ('csat_score', 'good_csat_conversations', 'rated_conversations'),
    ]) }}
{%- endmacro %}
