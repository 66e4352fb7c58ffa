-- All indicator rows (town rows: village_code NULL; village rows) of the population and
-- event indicator models, in one shape.
with population as (
    select * from {{ ref('int_kpi__population_indicators') }}
),

events as (
    select * from {{ ref('int_kpi__event_indicators') }}
),

unioned as (
    select year, village_code, indicator_code, numerator, denominator, excluded, value
    from population
    union all
    select year, village_code, indicator_code, numerator, denominator, excluded, value
    from events
),

final as (
    select
        cast(year as integer) as year,
        cast(village_code as varchar) as village_code,
        cast(indicator_code as varchar) as indicator_code,
        cast(numerator as bigint) as numerator,
        cast(denominator as bigint) as denominator,
        cast(excluded as bigint) as excluded,
        cast(value as double precision) as value
    from unioned
)

select * from final
