{#- Tracking health: one row per day, source and event type, with the day's event count against a
    robust baseline, flagging the days tracking broke ('drop') or double-fired ('spike').

    Baseline: the median of the same weekday over the previous var('tracking_baseline_weeks')
    weeks (so weekly seasonality is not an alarm), spread: 1.4826 x the median absolute deviation
    of those same days, floored at sqrt(median) (the Poisson noise of a count) and 1. A day is a
    'drop' when its count is at most var('tracking_drop_ratio') x the median, a 'spike' when at
    least var('tracking_spike_ratio') x the median, and in both cases more than
    var('tracking_z_threshold') spreads away. Streams whose median is below
    var('tracking_min_baseline_count') are 'low_volume' and days with fewer than
    var('tracking_min_baseline_weeks') prior weeks are 'insufficient_history': never flagged;
    nor is the newest day ('partial_day': still arriving, abandonment only known later).
    Days with no events at all are rows with a count of 0 (that is what a broken tag looks like).
    The daily counts per stream come from int_tracking_events_aggregated_daily. -#}
with

daily as (
    select * from {{ ref('int_tracking_events_aggregated_daily') }}
),

time_spine as (
    select * from {{ ref('metricflow_time_spine') }}
),

bounds as (
    select
        min(event_date) as first_date,
        max(event_date) as last_date
    from daily
),

streams as (
    select distinct
        source_name,
        event_type
    from daily
),

days as (
    select time_spine.date_day as event_date
    from time_spine
    inner join bounds
        on time_spine.date_day between bounds.first_date and bounds.last_date
),

filled as (
    select
        streams.source_name,
        streams.event_type,
        days.event_date,
        coalesce(daily.events, 0) as events
    from streams
    cross join days
    left join daily
        on
            streams.source_name = daily.source_name
            and streams.event_type = daily.event_type
            and days.event_date = daily.event_date
),

history as (
    {#- the same weekday in each of the previous tracking_baseline_weeks weeks -#}
    select
        current_day.source_name,
        current_day.event_type,
        current_day.event_date,
        prior_day.events as prior_events
    from filled as current_day
    inner join filled as prior_day
        on
            current_day.source_name = prior_day.source_name
            and current_day.event_type = prior_day.event_type
            and current_day.event_date > prior_day.event_date
            and {{ dbt.dateadd(
                'day', -7 * var('tracking_baseline_weeks'), 'current_day.event_date'
            ) }} <= prior_day.event_date
            and {{ dbt.datediff('prior_day.event_date', 'current_day.event_date', 'day') }} % 7 = 0
),

baseline as (
    select
        source_name,
        event_type,
        event_date,
        count(*) as baseline_weeks,
        {{ percentile_cont('prior_events', 0.5) }} as baseline_median
    from history
    group by 1, 2, 3
),

deviations as (
    select
        history.source_name,
        history.event_type,
        history.event_date,
        abs(history.prior_events - baseline.baseline_median) as absolute_deviation
    from history
    inner join baseline
        on
            history.source_name = baseline.source_name
            and history.event_type = baseline.event_type
            and history.event_date = baseline.event_date
),

spread as (
    select
        source_name,
        event_type,
        event_date,
        {{ percentile_cont('absolute_deviation', 0.5) }} as baseline_mad
    from deviations
    group by 1, 2, 3
),

scored as (
    select
        filled.source_name,
        filled.event_type,
        filled.event_date,
        filled.events,
        coalesce(baseline.baseline_weeks, 0) as baseline_weeks,
        baseline.baseline_median,
        spread.baseline_mad,
        filled.event_date = bounds.last_date as is_newest_day,
        greatest(
            1.4826 * spread.baseline_mad, sqrt(baseline.baseline_median), 1.0
        ) as robust_spread
    from filled
    cross join bounds
    left join baseline
        on
            filled.source_name = baseline.source_name
            and filled.event_type = baseline.event_type
            and filled.event_date = baseline.event_date
    left join spread
        on
            filled.source_name = spread.source_name
            and filled.event_type = spread.event_type
            and filled.event_date = spread.event_date
),

final as (
    select
        event_date,
        source_name,
        event_type,
        events,
        baseline_weeks,
        baseline_median,
        baseline_mad,
        {{ safe_divide('events', 'baseline_median') }} as ratio_to_baseline,
        (events - baseline_median) / robust_spread as robust_z,
        case
            when is_newest_day then 'partial_day'
            when baseline_weeks < {{ var('tracking_min_baseline_weeks') }} then 'insufficient_history'
            when baseline_median < {{ var('tracking_min_baseline_count') }} then 'low_volume'
            when
                events <= baseline_median * {{ var('tracking_drop_ratio') }}
                and (events - baseline_median) / robust_spread < -{{ var('tracking_z_threshold') }}
                then 'drop'
            when
                events >= baseline_median * {{ var('tracking_spike_ratio') }}
                and (events - baseline_median) / robust_spread > {{ var('tracking_z_threshold') }}
                then 'spike'
            else 'ok'
        end as health_status
    from scored
)

select * from final
