-- Cohort of zero_employment_household_placement_rate: households zero-employment in some
-- snapshot seen in Y, one row per (year, village, 户编号), with the latest such snapshot
-- as source, and the status per P(R) membership:
--   numerator   : >= 1 member in E in P(R)
--   denominator : members in U but none in E in P(R)
--   excluded    : no member in E∪U in P(R) (incl. no member left at all)
with years as (
    select * from {{ ref('int_population__years') }}
),

zero_snapshots as (
    select * from {{ ref('int_households__zero_employment_snapshots') }}
),

households_at_reference as (
    select * from {{ ref('int_households__at_reference') }}
),

seen as (
    select
        years.year,
        years.reference_date,
        zero_snapshots.*
    from years
    inner join zero_snapshots
        on {{ year_of('zero_snapshots.report_month') }} = years.year
        and zero_snapshots.snapshot_date <= years.reference_date
),

ranked as (
    select
        seen.*,
        row_number() over (
            partition by seen.year, seen.village_code, seen.household_no
            order by seen.snapshot_date desc
        ) as row_rank
    from seen
),

final as (
    select
        ranked.year,
        ranked.reference_date,
        'zero_employment_household_placement_rate' as indicator_code,
        ranked.village_code,
        ranked.household_no,
        ranked.snapshot_date as cohort_snapshot_date,
        ranked.source_sha256,
        ranked.sheet,
        ranked.row_number,
        coalesce(households_at_reference.members_employed, 0) as members_employed_at_ref,
        coalesce(households_at_reference.members_unemployed, 0) as members_unemployed_at_ref,
        case
            when coalesce(households_at_reference.members_employed, 0) > 0 then 'numerator'
            when coalesce(households_at_reference.members_unemployed, 0) > 0 then 'denominator'
            else 'excluded'
        end as member_status,
        coalesce(households_at_reference.members_employed, 0) > 0 as in_numerator
    from ranked
    left join households_at_reference
        on households_at_reference.year = ranked.year
        and households_at_reference.village_code = ranked.village_code
        and households_at_reference.household_no = ranked.household_no
    where ranked.row_rank = 1
)

select * from final
