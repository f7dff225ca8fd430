{#- Every chat KPI per UTC day x channel (plus 'all') x segment (see kpi_segments). -#}
{{ chat_kpi_report('day') }}
