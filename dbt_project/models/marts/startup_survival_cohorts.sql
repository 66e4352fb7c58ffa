-- Start-up survival by support-year cohort c and horizon k in 1..3 years (kpis.md): members
-- with origin + 12k months <= as_of; 迁出 on or before the horizon -> excluded; died
-- (注销/吊销 date <= as_of) on or before the horizon -> not survived. Complete when
-- c+k-12-31 <= as_of; an incomplete cell shows no rate.
with years as (
    select * from {{ ref('int_years') }}
),

enterprises as (
    select * from {{ ref('int_startups__enterprises') }}
),

{{ events_cohort_scaffold('years', 'horizon_years', [1, 2, 3]) }},

cells as (
    select
        cohort_years.cohort_year,
        horizons.horizon_years,
        {{ events_year_date('cohort_years.cohort_year + horizons.horizon_years', '12-31') }} <= {{ as_of() }} as complete
    from cohort_years
    cross join horizons
),

members as (
    select
        cells.cohort_year,
        cells.horizon_years,
        case
            when enterprises.exit_date is not null
                and enterprises.exit_date <= {{ add_months('enterprises.origin_date', '12 * cells.horizon_years') }}
                then 'excluded'
            when enterprises.death_date is null
                or enterprises.death_date > {{ as_of() }}
                or enterprises.death_date > {{ add_months('enterprises.origin_date', '12 * cells.horizon_years') }}
                then 'survived'
            else 'died'
        end as member_status
    from cells
    inner join enterprises
        on {{ year_of('enterprises.origin_date') }} = cells.cohort_year
        and {{ add_months('enterprises.origin_date', '12 * cells.horizon_years') }} <= {{ as_of() }}
),

counts as (
    select
        cohort_year,
        horizon_years,
        sum(case when member_status in ('survived', 'died') then 1 else 0 end) as at_risk,
        sum(case when member_status = 'survived' then 1 else 0 end) as survived,
        sum(case when member_status = 'excluded' then 1 else 0 end) as excluded
    from members
    group by
        cohort_year,
        horizon_years
),

final as (
    select
        cast(cells.cohort_year as integer) as cohort_year,
        cast(cells.horizon_years as integer) as horizon_years,
        cast(coalesce(counts.at_risk, 0) as integer) as at_risk,
        cast(coalesce(counts.survived, 0) as integer) as survived,
        cast(coalesce(counts.excluded, 0) as integer) as excluded,
        {{ events_cohort_rate('cells.complete', 'counts.survived', 'counts.at_risk') }} as rate,
        cells.complete
    from cells
    left join counts
        on counts.cohort_year = cells.cohort_year
        and counts.horizon_years = cells.horizon_years
)

select * from final
