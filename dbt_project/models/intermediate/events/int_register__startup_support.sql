-- 创业扶持 rows of the register export selected as known at as_of (founder as person_key).
with selection as (
    select * from {{ ref('int_register__selection') }}
),

support as (
    select * from {{ ref('stg_raw__startup_support') }}
),

final as (
    select
        support.uscc as enterprise_key,
        support.founder_key as person_key,
        support.founder_id_masked as id_masked,
        support.founder_name as person_name,
        support.support_date,
        support.support_type,
        support.amount,
        support.jobs_created,
        support.source_sha256,
        support.sheet,
        support.row_number
    from support
    inner join selection
        on selection.source_sha256 = support.source_sha256
)

select * from final
