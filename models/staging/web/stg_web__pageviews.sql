with

source as (
    select * from {{ source('web', 'web_pageviews') }}
),

parsed as (
    select
        page_view_id,
        session_id,
        anonymous_id,
        {{ to_utc_timestamp('viewed_at') }} as viewed_at,
        page_url,
        {{ url_path('page_url') }} as page_path,
        referrer,
        lower(utm_source) as utm_source,
        lower(utm_medium) as utm_medium,
        lower(utm_campaign) as utm_campaign,
        lower(device_type) as device_type,
        upper(country) as country_code,
        {{ is_internal_account(anonymous_id_column='anonymous_id') }} as is_internal,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'page_view_id') }}
)

select * from final
