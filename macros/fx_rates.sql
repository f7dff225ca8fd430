{#- The one FX rule of the project (int_revenue_events_unioned and int_deals_enriched use it): an
    amount in a currency on a UTC day converts to var('reporting_currency') at the fx_rates seed's
    newest USD rate for that currency on or before the day, divided by the reporting currency's
    newest USD rate in the seed.

    fx_rates_to_reporting(days, rates) is a select over `days`, a CTE with distinct
    (currency, rate_day) pairs (rate_day a date), where `rates` is the caller's import CTE of the
    fx_rates seed. It gives one row per pair that has a rate: currency, rate_day and
    fx_rate_to_reporting. Join it back to the rows by equality on (currency, day), so the range
    join stays between the few distinct days and the rates, never between every row and every
    earlier rate of its currency. No row when the seed has no rate for the currency on or before
    the day, or no rate for the reporting currency: the caller's left join then gives NULL. -#}
{% macro fx_rates_to_reporting(days, rates) -%}
    select
        day_rates.currency,
        day_rates.rate_day,
        {{ safe_divide('day_rates.usd_per_unit', 'reporting_rates.usd_per_unit') }} as fx_rate_to_reporting
    from (
        select
            {{ days }}.currency,
            {{ days }}.rate_day,
            {{ rates }}.usd_per_unit,
            row_number() over (
                partition by {{ days }}.currency, {{ days }}.rate_day
                order by {{ rates }}.rate_date desc
            ) as rate_rank
        from {{ days }}
        inner join {{ rates }}
            on
                {{ days }}.currency = {{ rates }}.currency
                and {{ days }}.rate_day >= {{ rates }}.rate_date
    ) as day_rates
    cross join (
        select
            usd_per_unit,
            row_number() over (order by rate_date desc) as rate_rank
        from {{ rates }}
        where currency = '{{ var("reporting_currency") }}'
    ) as reporting_rates
    where day_rates.rate_rank = 1 and reporting_rates.rate_rank = 1
{%- endmacro %}
