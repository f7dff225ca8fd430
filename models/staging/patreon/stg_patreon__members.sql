{#- Patreon's members export: each file is a snapshot; one row per member and snapshot.
    Personal fields of the export (name, address, phone, Discord) are dropped here. -#}
with

source as (
    select * from {{ source('patreon', 'patreon_members') }}
),

parsed as (
    select
        "User ID" as patreon_user_id,
        {{ hash_email('"Email"') }} as email_hash,
        lower("Patron Status") as patron_status,
        lower(tier) as membership_tier,
        cast("Pledge Amount" as {{ dbt.type_numeric() }}) as pledge_amount,
        cast("Lifetime Amount" as {{ dbt.type_numeric() }}) as lifetime_amount,
        upper(coalesce(currency, 'USD')) as currency,
        lower("Charge Frequency") as charge_frequency,
        {{ to_utc_timestamp('"Patronage Since Date"') }} as patron_since_at,
        {{ to_utc_timestamp('"Last Charge Date"') }} as last_charged_at,
        lower("Last Charge Status") as last_charge_status,
        {{ to_utc_timestamp('"Last Updated"') }} as snapshot_at,
        upper(country) as country_code,
        {{ is_internal_account('"Email"') }} as is_internal,
        "User ID" || '@' || _source_file as member_snapshot_id,
        _source_file as snapshot_file,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'member_snapshot_id') }}
)

select * from final
