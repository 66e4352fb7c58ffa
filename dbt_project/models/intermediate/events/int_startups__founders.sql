-- Founders (person_key of 创业者身份证号码) with their FIRST support record over all records of
-- the selected export (also before first_year); same-date tie: the smallest USCC. Village =
-- 所属村居 of that record's enterprise.
with support as (
    select * from {{ ref('int_register__startup_support') }}
),

enterprises as (
    select * from {{ ref('int_register__enterprises') }}
),

ranked as (
    select
        support.*,
        row_number() over (
            partition by person_key
            order by support_date, enterprise_key, row_number
        ) as support_rank
    from support
),

final as (
    select
        ranked.person_key,
        ranked.support_date as first_support_date,
        ranked.enterprise_key,
        enterprises.village_code,
        ranked.source_sha256,
        ranked.sheet,
        ranked.row_number
    from ranked
    left join enterprises
        on enterprises.enterprise_key = ranked.enterprise_key
    where ranked.support_rank = 1
)

select * from final
