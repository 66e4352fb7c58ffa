-- 村居年度考核 items per year × active village × item (kpis.md): item_score =
-- weight × min(value / target, 1); a rate item with NULL value scores full weight and is
-- not applicable (不适用); an item without a target is not applicable too; a target <= 0
-- is met by any value.
with active as (
    select * from {{ ref('int_villages__active') }}
),

items as (
    select * from {{ ref('assessment_items') }}
),

catalog as (
    select * from {{ ref('indicator_catalog') }}
),

village_kpis as (
    select * from {{ ref('kpi_village_year') }}
),

data_quality as (
    select * from {{ ref('int_data_quality__village_year') }}
),

joined as (
    select
        active.year,
        active.village_code,
        active.village_name,
        items.item,
        items.sort_order as item_order,
        items.indicator_code,
        catalog.unit,
        cast(items.weight as double precision) as weight,
        case
            when items.indicator_code = 'data_quality' then data_quality.data_quality
            else village_kpis.value
        end as value,
        case
            when items.target_source = 'village_target' then village_kpis.target
            else cast(items.target_source as double precision)
        end as target
    from active
    cross join items
    left join catalog on catalog.indicator_code = items.indicator_code
    left join village_kpis
        on village_kpis.year = active.year
        and village_kpis.village_code = active.village_code
        and village_kpis.indicator_code = items.indicator_code
    left join data_quality
        on data_quality.year = active.year
        and data_quality.village_code = active.village_code
),

scored as (
    select
        joined.*,
        (value is null and unit = 'rate') or target is null as not_applicable
    from joined
),

final as (
    select
        cast(year as integer) as year,
        cast(village_code as varchar) as village_code,
        cast(village_name as varchar) as village_name,
        cast(item as varchar) as item,
        cast(item_order as integer) as item_order,
        cast(indicator_code as varchar) as indicator_code,
        cast(value as double precision) as value,
        cast(target as double precision) as target,
        weight,
        cast(case
            when not_applicable then weight
            when target <= 0 then weight
            when coalesce(value, 0) >= target then weight
            else weight * coalesce(value, 0) / target
        end as double precision) as item_score,
        cast(not_applicable as boolean) as not_applicable
    from scored
)

select * from final
