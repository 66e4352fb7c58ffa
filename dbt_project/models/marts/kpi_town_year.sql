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

{{ core_kpi_with_targets() }}

select * from final
