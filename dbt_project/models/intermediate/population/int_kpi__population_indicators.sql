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

town_counts as (
    select
        year,
        indicator_code,
        sum(case when in_numerator then 1 else 0 end) as numerator,
        sum(case when member_status in ('numerator', 'denominator') then 1 else 0 end) as denominator,
        sum(case when member_status = 'excluded' then 1 else 0 end) as excluded
    from evidence
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
    from evidence
    where village_code is not null
    group by
        year,
        indicator_code,
        village_code
),

counted as (
    select
        spine.year,
        spine.village_code,
        spine.indicator_code,
        spine.is_rate,
        spine.has_denominator,
        spine.has_exclusion,
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
        year,
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
