with source as (
    select * from {{ source('raw', 'source_files') }}
),

final as (
    select * from source
)

select * from final
