{#- One row per landing row the loader refused. The raw line may hold personal data, so it stays
    in the raw schema: only the reason travels on, with a reason class for grouping (the reason
    without its specifics: "unknown event type 'X'" is class 'unknown event type'). -#}
with

source as (
    select * from {{ source('loader', '_quarantine') }}
),

final as (
    select
        load_id,
        table_name,
        source_file,
        source_line,
        reason,
        case
            when reason like 'malformed JSON%' then 'malformed JSON'
            when reason like 'unknown event type%' then 'unknown event type'
            when reason like 'missing required value%' then 'missing required value'
            when reason like 'column %' then 'unparseable value'
            when reason like 'schema drift%' then 'schema drift'
            when reason like 'expected % fields, found %' then 'wrong field count'
            when reason like 'not valid %: undecodable byte%' then 'undecodable bytes'
            when reason like 'CSV field longer than %' then 'unreadable CSV record'
            when reason like 'unreadable CSV record%' then 'unreadable CSV record'
            when reason like 'file not loaded:%' then 'file not loaded'
            else reason
        end as reason_class,
        quarantined_at,
        cast(quarantined_at as date) as quarantine_date
    from source
)

select * from final
