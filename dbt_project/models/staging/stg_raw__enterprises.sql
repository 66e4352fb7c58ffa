with source as (
    select * from {{ source('raw', 'enterprises') }}
),

final as (
    select * from source
)

select * from final
