with source as (
    select * from {{ source('raw', 'training_rows') }}
),

final as (
    select * from source
)

select * from final
