with

source as (
    select * from {{ source('hubspot', 'hubspot_contact_form_submission') }}
),

parsed as (
    select
        conversion_id as form_submission_id,
        {{ dbt.safe_cast('contact_id', dbt.type_string()) }} as contact_id,
        form_id,
        title as form_title,
        case
            when lower(title) like '%newsletter%' then 'newsletter_signup'
            when lower(title) like '%sponsor%' then 'sponsorship_inquiry'
            else 'other'
        end as submission_type,
        page_url,
        {{ to_utc_timestamp('timestamp') }} as submitted_at,
        _loaded_at,
        _load_id,
        _source_file,
        _source_line
    from source
),

final as (
    select {{ first_loaded_copy('parsed', 'form_submission_id') }}
)

select * from final
