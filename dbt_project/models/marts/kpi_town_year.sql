-- Town KPIs per year × indicator (interface.md) with targets from town_targets
-- ('>prev': the target is the previous year's value).
with years as (
    select * from {{ ref('int_years') }}
),

indicators as (
    select * from {{ ref('int_kpi__indicators_unioned') }}
    where village_code is null
),

catalog as (
    select * from {{ ref('indicator_catalog') }}
),

targets as (
    select * from {{ ref('town_targets') }}
),

joined as (
    select
        indicators.year,
        years.as_of,
        years.reference_date,
        years.is_draft,
        indicators.indicator_code,
        catalog.indicator_name,
        catalog.unit,
        catalog.sort_order,
        indicators.numerator,
        indicators.denominator,
        indicators.excluded,
        indicators.value,
        prev.value as prev_value,
        cast(targets.target as double precision) as target_number,
        targets.year is not null as has_target,
        coalesce(targets.comparator, catalog.comparator) as comparator
    from indicators
    inner join years on years.year = indicators.year
    inner join catalog on catalog.indicator_code = indicators.indicator_code
    left join indicators as prev
        on prev.year = indicators.year - 1
        and prev.indicator_code = indicators.indicator_code
    left join targets
        on targets.year = indicators.year
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
