-- Every file ever seen, with its status (accepted / superseded / rejected) and row accounting.
with files as (
    select * from {{ ref('int_source_files__status') }}
),

final as (
    select
        cast(source_sha256 as varchar) as source_sha256,
        cast(source_file as varchar) as source_file,
        cast(kind as varchar) as kind,
        cast(village_code as varchar) as village_code,
        cast(period as date) as period,
        cast(status as varchar) as status,
        cast(reason as varchar) as reason,
        cast(rows_read as integer) as rows_read,
        cast(rows_accepted as integer) as rows_accepted,
        cast(rows_rejected as integer) as rows_rejected,
        cast(rows_ignored as integer) as rows_ignored,
        cast(ingested_at as timestamp) as ingested_at
    from files
)

select * from final
