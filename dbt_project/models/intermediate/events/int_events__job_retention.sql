-- Members of job_retention_rate_6m: placement lines with 上岗日期 in [(Y-1)-07-01, Y-06-30]
-- and 上岗日期 + 6 months <= R(Y) (else not yet observable, left out); one row per spell and
-- village log; counts_for_town marks the town-level spell. Retained: 离岗日期 empty or
-- > 上岗日期 + 6 months (calendar months). No exclusion rule.
with years as (
    select * from {{ ref('int_years') }}
),

spells as (
    select * from {{ ref('int_placements__spells') }}
),

cohort as (
    select
        years.year,
        spells.*,
        {{ add_months('spells.start_date', 6) }} as horizon_date
    from years
    inner join spells
        on spells.start_date >= {{ events_year_date('years.year - 1', '07-01') }}
        and spells.start_date <= {{ events_year_date('years.year', '06-30') }}
        and {{ add_months('spells.start_date', 6) }} <= years.reference_date
),

final as (
    select
        year,
        'job_retention_rate_6m' as indicator_code,
        village_code,
        person_key || '|' || cast(start_date as varchar) || '|' || employer_key as member_key,
        person_key,
        cast(null as varchar) as enterprise_key,
        case
            when end_date is null or end_date > horizon_date then 'numerator'
            else 'denominator'
        end as member_status,
        (end_date is null or end_date > horizon_date) as in_numerator,
        is_town_spell as counts_for_town,
        source_sha256,
        sheet,
        row_number
    from cohort
)

select * from final
