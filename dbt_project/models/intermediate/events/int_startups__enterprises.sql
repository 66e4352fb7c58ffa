-- Supported enterprises (distinct USCC with a support record in the selected export):
-- origin = first 扶持日期; death_date = 注销日期 when 经营状态 is 注销/吊销; exit_date =
-- 注销日期 when 迁出 (censoring); village = 所属村居 (NULL = unattributed).
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
            partition by enterprise_key
            order by support_date, row_number
        ) as support_rank
    from support
),

final as (
    select
        ranked.enterprise_key,
        ranked.support_date as origin_date,
        enterprises.village_code,
        enterprises.business_status,
        case when enterprises.business_status in ('注销', '吊销') then enterprises.end_date end as death_date,
        case when enterprises.business_status = '迁出' then enterprises.end_date end as exit_date,
        ranked.source_sha256,
        ranked.sheet,
        ranked.row_number
    from ranked
    left join enterprises
        on enterprises.enterprise_key = ranked.enterprise_key
    where ranked.support_rank = 1
)

select * from final
