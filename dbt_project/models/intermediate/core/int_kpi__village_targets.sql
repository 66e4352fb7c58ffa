-- Village targets per year × active village × indicator (kpis.md): placements and
-- startups_supported from the village_targets override, else ceil(town target / number of
-- villages active at R(Y)); rate indicators take the town's target and comparator; other
-- counts have none.
with active as (
    select * from {{ ref('int_villages__active') }}
),

catalog as (
    select * from {{ ref('indicator_catalog') }}
),

town_targets as (
    select * from {{ ref('town_targets') }}
),

overrides as (
    select * from {{ ref('village_targets') }}
),

village_counts as (
    select year, count(*) as n_active
    from active
    group by year
),

paced as (
    select
        active.year,
        active.village_code,
        catalog.indicator_code,
        town_targets.target as town_target,
        town_targets.comparator as town_comparator,
        village_counts.n_active
    from active
    inner join village_counts on village_counts.year = active.year
    cross join catalog
    left join town_targets
        on town_targets.year = active.year
        and town_targets.indicator_code = catalog.indicator_code
    where catalog.indicator_code in ('placements', 'startups_supported')
),

paced_targets as (
    select
        paced.year,
        paced.village_code,
        paced.indicator_code,
        coalesce(
            cast(overrides.target as double precision),
            cast(ceil(cast(paced.town_target as double precision) / paced.n_active) as double precision)
        ) as target,
        coalesce(paced.town_comparator, '>=') as comparator
    from paced
    left join overrides
        on overrides.year = paced.year
        and cast(overrides.village_code as varchar) = paced.village_code
        and overrides.indicator_code = paced.indicator_code
    where paced.town_target is not null or overrides.target is not null
),

rate_targets as (
    select
        active.year,
        active.village_code,
        town_targets.indicator_code,
        cast(town_targets.target as double precision) as target,
        town_targets.comparator
    from active
    inner join town_targets on town_targets.year = active.year
    inner join catalog
        on catalog.indicator_code = town_targets.indicator_code
        and catalog.unit = 'rate'
),

final as (
    select year, village_code, indicator_code, target, comparator from paced_targets
    union all
    select year, village_code, indicator_code, target, comparator from rate_targets
)

select * from final
