-- 企业名录 rows of the register export selected as known at as_of.
with selection as (
    select * from {{ ref('int_register__selection') }}
),

enterprises as (
    select * from {{ ref('stg_raw__enterprises') }}
),

final as (
    select
        enterprises.uscc as enterprise_key,
        enterprises.enterprise_name,
        enterprises.org_type,
        enterprises.founded_date,
        enterprises.business_status,
        enterprises.end_date,
        enterprises.village_code,
        enterprises.industry,
        enterprises.headcount,
        enterprises.export_date,
        enterprises.source_sha256,
        enterprises.sheet,
        enterprises.row_number
    from enterprises
    inner join selection
        on selection.source_sha256 = enterprises.source_sha256
)

select * from final
