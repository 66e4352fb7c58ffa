-- Villages active at R(Y): active_from <= R(Y) and (active_to is null or active_to >= R(Y)).
with years as (
    select * from {{ ref('int_years') }}
),

villages as (
    select * from {{ ref('villages') }}
),

final as (
    select
        years.year,
        cast(villages.village_code as varchar) as village_code,
        villages.village_name,
        villages.village_type,
        villages.community
    from years
    inner join villages
        on cast(villages.active_from as date) <= years.reference_date
        and (villages.active_to is null or cast(villages.active_to as date) >= years.reference_date)
)

select * from final
