-- Indicator rows of the event indicators: a town row (village_code NULL) per indicator and
-- year and a row per village active at R(Y); empty cohorts give 0/0 (and excluded 0 where an
-- exclusion rule applies), a rate with denominator 0 is NULL.
with years as (
    select * from {{ ref('int_years') }}
),

villages as (
    select * from {{ ref('int_villages__active') }}
),

members as (
    select * from {{ ref('int_events__cohort_members') }}
),

indicators as (
    -- indicator_code, is_rate, has_denominator, has_exclusion (fixed by kpis.md)
    select 'placements' as indicator_code, false as is_rate, false as has_denominator, false as has_exclusion
    union all
    select 'placements_cumulative', false, false, false
    union all
    select 'startups_supported', false, false, false
    union all
    select 'startups_supported_cumulative', false, false, false
    union all
    select 'startup_survival_rate_1y', true, true, true
    union all
    select 'job_retention_rate_6m', true, true, false
    union all
    select 'training_enrollments', false, false, false
    union all
    select 'training_completion_rate', true, true, false
    union all
    select 'training_certification_rate', true, true, false
    union all
    select 'training_employment_rate_6m', true, true, true
),

spine as (
    select
        years.year,
        cast(null as varchar) as village_code,
        indicators.*
    from years
    cross join indicators
    union all
    select
        villages.year,
        villages.village_code,
        indicators.*
    from villages
    cross join indicators
),

town_counts as (
    select
        year,
        indicator_code,
        sum(case when in_numerator then 1 else 0 end) as numerator,
        sum(case when member_status in ('numerator', 'denominator') then 1 else 0 end) as denominator,
        sum(case when member_status = 'excluded' then 1 else 0 end) as excluded
    from members
    where counts_for_town
    group by
        year,
        indicator_code
),

village_counts as (
    select
        year,
        indicator_code,
        village_code,
        sum(case when in_numerator then 1 else 0 end) as numerator,
        sum(case when member_status in ('numerator', 'denominator') then 1 else 0 end) as denominator,
        sum(case when member_status = 'excluded' then 1 else 0 end) as excluded
    from members
    where village_code is not null
    group by
        year,
        indicator_code,
        village_code
),

counted as (
    select
        spine.*,
        coalesce(town_counts.numerator, village_counts.numerator, 0) as numerator,
        coalesce(town_counts.denominator, village_counts.denominator, 0) as denominator,
        coalesce(town_counts.excluded, village_counts.excluded, 0) as excluded
    from spine
    left join town_counts
        on spine.village_code is null
        and town_counts.year = spine.year
        and town_counts.indicator_code = spine.indicator_code
    left join village_counts
        on village_counts.year = spine.year
        and village_counts.indicator_code = spine.indicator_code
        and village_counts.village_code = spine.village_code
),

final as (
    select
        cast(year as integer) as year,
        village_code,
        indicator_code,
        cast(numerator as integer) as numerator,
        case when has_denominator then cast(denominator as integer) end as denominator,
        case when has_exclusion then cast(excluded as integer) end as excluded,
        case
            when not is_rate then cast(numerator as double precision)
            when denominator = 0 then null
            else cast(numerator as double precision) / cast(denominator as double precision)
        end as value
    from counted
)

select * from final
