with source as (
    select * from {{ source('raw', 'referral_rows') }}
),

final as (
    select * from source
)

select * from final
