-- Per conversion, window and model: credits sum to 1 and attributed revenue to exactly the
-- conversion's net value, never more. Returns the offending groups.
with

attribution as (
    select * from {{ ref('fct_conversion_attribution') }}
),

conversions as (
    select * from {{ ref('fct_conversions') }}
),

sums as (
    select
        conversion_id,
        window_days,
        attribution_model,
        sum(credit) as total_credit,
        sum(attributed_revenue) as total_attributed
    from attribution
    group by conversion_id, window_days, attribution_model
)

select
    sums.*,
    conversions.net_amount_reporting
from sums
inner join conversions
    on sums.conversion_id = conversions.conversion_id
where
    abs(sums.total_credit - 1) > 1e-9
    or sums.total_attributed != conversions.net_amount_reporting
