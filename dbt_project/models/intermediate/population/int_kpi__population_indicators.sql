-- Indicator rows of the population indicators (kpis.md), aggregated from the evidence:
-- a town row (village_code NULL) per indicator and year, and a row per village active at
-- R(Y). Empty cohorts give numerator 0, denominator 0 (rates and the long-term youth count),
-- excluded 0 (where follow-up exclusion applies); a rate with denominator 0 is NULL.
with years as (
    select * from {{ ref('int_population__years') }}
),

villages as (
    select * from {{ ref('villages') }}
),

evidence as (
    select * from {{ ref('int_kpi_evidence__population') }}
),

indicators as (
    -- indicator_code, is_rate, has_denominator, has_exclusion (fixed by kpis.md)
    select 'community_employment_rate' as indicator_code, true as is_rate, true as has_denominator, false as has_exclusion
    union all
    select 'registered_unemployed_reemployment_rate', true, true, true
    union all
    select 'hard_to_employ_placement_rate', true, true, true
    union all
    select 'hard_to_employ_graduate_placement_rate', true, true, true
    union all
    select 'zero_employment_household_placement_rate', true, true, true
    union all
    select 'zero_employment_households_at_ref', false, false, false
    union all
    select 'unemployed_count', false, false, false
    union all
    select 'long_term_unemployed_youth_employed', false, true, true
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
        years.year,
        villages.village_code,
        indicators.*
    from years
    inner join villages
        on villages.active_from <= years.reference_date
        and (villages.active_to is null or villages.active_to >= years.reference_date)
    cross join indicators
),

{{ kpi_indicator_rows('evidence') }}

select * from final
