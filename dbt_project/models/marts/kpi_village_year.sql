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

{{ core_kpi_with_targets(
    grain_keys=['village_code'],
    labels=[['village_name', 'active.village_name']],
    extra_joins='inner join active on active.year = indicators.year and active.village_code = indicators.village_code'
) }}

select * from final
