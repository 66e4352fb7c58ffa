with source as (
    select * from {{ source('raw', 'vacancies') }}
),

final as (
    select * from source
)

select * from final
