with source as (
    select * from {{ source('raw', 'roster_rows') }}
),

final as (
    select * from source
)

select * from final
