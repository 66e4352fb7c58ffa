with source as (
    select * from {{ source('raw', 'startup_support') }}
),

final as (
    select * from source
)

select * from final
