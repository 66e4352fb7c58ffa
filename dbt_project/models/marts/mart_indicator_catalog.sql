{{ config(alias="indicator_catalog") }}

-- The indicator catalogue (seed) as a public table, for the workbooks and the docs.
with catalog as (
    select * from {{ ref('indicator_catalog') }}
),

final as (
    select
        cast(indicator_code as varchar) as indicator_code,
        cast(indicator_name as varchar) as indicator_name,
        cast(unit as varchar) as unit,
        cast(comparator as varchar) as comparator,
        cast(sort_order as integer) as sort_order,
        cast(has_exclusion as boolean) as has_exclusion,
        cast(scope as varchar) as scope,
        cast(models as varchar) as models
    from catalog
)

select * from final
