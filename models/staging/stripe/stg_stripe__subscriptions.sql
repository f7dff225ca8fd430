with

source as (
    select * from {{ source('stripe', 'stripe_subscription') }}
),

parsed as (
    select
        id as subscription_id,
        customer_id,
        lower(status) as status,
        {{ to_utc_timestamp('created') }} as created_at,
        {{ to_utc_timestamp('start_date') }} as started_at,
        {{ to_utc_timestamp('current_period_start') }} as current_period_started_at,
        {{ to_utc_timestamp('current_period_end') }} as current_period_ends_at,
        {{ to_utc_timestamp('canceled_at') }} as canceled_at,
        {{ to_utc_timestamp('ended_at') }} as ended_at,
        coalesce(cancel_at_period_end, false) as is_cancel_at_period_end,
        not coalesce(livemode, true) as is_test_mode,
        lower({{ json_text('metadata', '$.tier') }}) as membership_tier,
        {{ to_utc_timestamp('_fivetran_synced') }} as synced_at,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'subscription_id', 'synced_at desc nulls last, _loaded_at desc, _source_line desc') }}
)

select * from final
