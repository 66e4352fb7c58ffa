with source as (
    select * from {{ source('raw', 'dq_issues') }}
),

final as (
    select * from source
)

select * from final
