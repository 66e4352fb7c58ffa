-- Village KPIs per year × active village × indicator (interface.md). Targets: village
-- yearly targets for placements / startups_supported, the town's rate targets, none for
-- other counts ('>prev': the village's previous-year value).
with years as (
    select * from {{ ref('int_years') }}
),

active as (
    select * from {{ ref('int_villages__active') }}
),

indicators as (
    select * from {{ ref('int_kpi__indicators_unioned') }}
    where village_code is not null
),

catalog as (
    select * from {{ ref('indicator_catalog') }}
),

targets as (
    select * from {{ ref('int_kpi__village_targets') }}
),

joined as (
    select
        indicators.year,
        years.as_of,
        years.reference_date,
        years.is_draft,
        indicators.village_code,
        active.village_name,
        indicators.indicator_code,
        catalog.indicator_name,
        catalog.unit,
        indicators.numerator,
        indicators.denominator,
        indicators.excluded,
        indicators.value,
        prev.value as prev_value,
        targets.target as target_number,
        targets.year is not null as has_target,
        coalesce(targets.comparator, catalog.comparator) as comparator
    from indicators
    inner join years on years.year = indicators.year
    inner join active
        on active.year = indicators.year
        and active.village_code = indicators.village_code
    inner join catalog on catalog.indicator_code = indicators.indicator_code
    left join indicators as prev
        on prev.year = indicators.year - 1
        and prev.village_code = indicators.village_code
        and prev.indicator_code = indicators.indicator_code
    left join targets
        on targets.year = indicators.year
        and targets.village_code = indicators.village_code
        and targets.indicator_code = indicators.indicator_code
),

targeted as (
    select
        joined.*,
        case
            when not has_target then cast(null as double precision)
            when comparator = '>prev' then prev_value
            else target_number
        end as target
    from joined
),

final as (
    select
        cast(year as integer) as year,
        cast(as_of as date) as as_of,
        cast(reference_date as date) as reference_date,
        cast(is_draft as boolean) as is_draft,
        cast(village_code as varchar) as village_code,
        cast(village_name as varchar) as village_name,
        cast(indicator_code as varchar) as indicator_code,
        cast(indicator_name as varchar) as indicator_name,
        cast(unit as varchar) as unit,
        cast(numerator as bigint) as numerator,
        cast(denominator as bigint) as denominator,
        cast(excluded as bigint) as excluded,
        cast(value as double precision) as value,
        cast(target as double precision) as target,
        cast(comparator as varchar) as comparator,
        {{ core_target_met('value', 'target', 'comparator') }} as target_met,
        cast({{ core_attainment('value', 'target', 'unit') }} as double precision) as attainment
    from targeted
)

select * from final
