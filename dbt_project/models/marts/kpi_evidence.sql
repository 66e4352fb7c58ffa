-- Drill-down from every KPI row to the source rows that made it (interface.md, lineage):
-- the union of the evidence models.
with population as (
    select * from {{ ref('int_kpi_evidence__population') }}
),

events as (
    select * from {{ ref('int_kpi_evidence__events') }}
),

unioned as (
    select
        year, indicator_code, village_code, person_key, enterprise_key, household_no,
        member_status, in_numerator, source_sha256, sheet, row_number
    from population
    union all
    select
        year, indicator_code, village_code, person_key, enterprise_key, household_no,
        member_status, in_numerator, source_sha256, sheet, row_number
    from events
),

final as (
    select
        cast(year as integer) as year,
        cast(indicator_code as varchar) as indicator_code,
        cast(village_code as varchar) as village_code,
        cast(person_key as varchar) as person_key,
        cast(enterprise_key as varchar) as enterprise_key,
        cast(household_no as varchar) as household_no,
        cast(member_status as varchar) as member_status,
        cast(in_numerator as boolean) as in_numerator,
        cast(source_sha256 as varchar) as source_sha256,
        cast(sheet as varchar) as sheet,
        cast(row_number as integer) as row_number
    from unioned
)

select * from final
