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

-- [indicator_code, is_rate, has_denominator, has_exclusion], fixed by kpis.md
{{ kpi_indicator_spine([
    ['placements', false, false, false],
    ['placements_cumulative', false, false, false],
    ['startups_supported', false, false, false],
    ['startups_supported_cumulative', false, false, false],
    ['startup_survival_rate_1y', true, true, true],
    ['job_retention_rate_6m', true, true, false],
    ['training_enrollments', false, false, false],
    ['training_completion_rate', true, true, false],
    ['training_certification_rate', true, true, false],
    ['training_employment_rate_6m', true, true, true]
], village_years='villages') }},

{{ kpi_indicator_rows('members', town_where='counts_for_town') }}

select * from final
