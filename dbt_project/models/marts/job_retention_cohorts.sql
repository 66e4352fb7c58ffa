-- Job retention by placement half-year (town-level spells) and horizon 3/6/12 months
-- (kpis.md): spells with 上岗日期 + k months <= as_of; retained: 离岗日期 empty or
-- > 上岗日期 + k months (calendar months). Complete when half-year end + k months <= as_of;
-- an incomplete cell shows no rate. No exclusion rule (excluded = 0).
with years as (
    select * from {{ ref('int_years') }}
),

spells as (
    select * from {{ ref('int_placements__spells') }}
),

{{ events_cohort_scaffold('years', 'horizon_months', [3, 6, 12]) }},

halves as (
    select
        cohort_year,
        cast(cohort_year as varchar) || 'H1' as cohort_half_year,
        {{ events_year_date('cohort_year', '01-01') }} as half_start,
        {{ events_year_date('cohort_year', '06-30') }} as half_end
    from cohort_years
    union all
    select
        cohort_year,
        cast(cohort_year as varchar) || 'H2' as cohort_half_year,
        {{ events_year_date('cohort_year', '07-01') }} as half_start,
        {{ events_year_date('cohort_year', '12-31') }} as half_end
    from cohort_years
),

cells as (
    select
        halves.cohort_half_year,
        halves.half_start,
        halves.half_end,
        horizons.horizon_months,
        {{ add_months('halves.half_end', 'horizons.horizon_months') }} <= {{ as_of() }} as complete
    from halves
    cross join horizons
    where halves.half_start <= {{ as_of() }}
        and halves.half_start >= {{ events_year_date(first_year() ~ ' - 1', '07-01') }}
),

members as (
    select
        cells.cohort_half_year,
        cells.horizon_months,
        spells.end_date is null
            or spells.end_date > {{ add_months('spells.start_date', 'cells.horizon_months') }} as retained
    from cells
    inner join spells
        on spells.is_town_spell
        and spells.start_date >= cells.half_start
        and spells.start_date <= cells.half_end
        and {{ add_months('spells.start_date', 'cells.horizon_months') }} <= {{ as_of() }}
),

counts as (
    select
        cohort_half_year,
        horizon_months,
        count(*) as at_risk,
        sum(case when retained then 1 else 0 end) as retained
    from members
    group by
        cohort_half_year,
        horizon_months
),

final as (
    select
        cells.cohort_half_year,
        cast(cells.horizon_months as integer) as horizon_months,
        cast(coalesce(counts.at_risk, 0) as integer) as at_risk,
        cast(coalesce(counts.retained, 0) as integer) as retained,
        cast(0 as integer) as excluded,
        {{ events_cohort_rate('cells.complete', 'counts.retained', 'counts.at_risk') }} as rate,
        cells.complete
    from cells
    left join counts
        on counts.cohort_half_year = cells.cohort_half_year
        and counts.horizon_months = cells.horizon_months
)

select * from final
