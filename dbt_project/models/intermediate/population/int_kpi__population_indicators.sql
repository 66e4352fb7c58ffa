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

village_years as (
    select
        years.year,
        villages.village_code
    from years
    inner join villages
        on villages.active_from <= years.reference_date
        and (villages.active_to is null or villages.active_to >= years.reference_date)
),

-- [indicator_code, is_rate, has_denominator, has_exclusion], fixed by kpis.md
{{ kpi_indicator_spine([
    ['community_employment_rate', true, true, false],
    ['registered_unemployed_reemployment_rate', true, true, true],
    ['hard_to_employ_placement_rate', true, true, true],
    ['hard_to_employ_graduate_placement_rate', true, true, true],
    ['zero_employment_household_placement_rate', true, true, true],
    ['zero_employment_households_at_ref', false, false, false],
    ['unemployed_count', false, false, false],
    ['long_term_unemployed_youth_employed', false, true, true]
], village_years='village_years') }},

{{ kpi_indicator_rows('evidence') }}

select * from final
