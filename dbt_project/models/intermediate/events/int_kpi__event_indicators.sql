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

{{ kpi_indicator_rows('members', town_where='counts_for_town') }}

select * from final
