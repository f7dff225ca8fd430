{#- Every chat KPI per ISO week (starting Monday, UTC) x channel (plus 'all') x segment. -#}
{{ chat_kpi_report('week') }}
