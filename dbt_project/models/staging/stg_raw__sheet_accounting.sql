with source as (
    select * from {{ source('raw', 'sheet_accounting') }}
),

final as (
    select * from source
)

select * from final
