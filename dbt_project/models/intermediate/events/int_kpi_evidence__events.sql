-- Evidence rows of the event indicators (ARCHITECTURE.md contract): one row per cohort
-- member per attribution, with the source row that put it in the cohort.
with members as (
    select * from {{ ref('int_events__cohort_members') }}
),

final as (
    select
        year,
        indicator_code,
        village_code,
        person_key,
        enterprise_key,
        cast(null as varchar) as household_no,
        member_status,
        in_numerator,
        source_sha256,
        sheet,
        row_number
    from members
)

select * from final
