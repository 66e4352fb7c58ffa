-- Members of placements and placements_cumulative: one row per (year, village log, person)
-- with a placed line whose 上岗日期 is in [Y-01-01, R(Y)]; counts_for_town marks one row per
-- person (smallest village). placements_cumulative(Y) = the placements rows of first_year..Y.
with years as (
    select * from {{ ref('int_years') }}
),

spells as (
    select * from {{ ref('int_placements__spells') }}
),

in_year as (
    select
        years.year,
        spells.village_code,
        spells.person_key,
        spells.source_sha256,
        spells.sheet,
        spells.row_number,
        row_number() over (
            partition by years.year, spells.village_code, spells.person_key
            order by spells.start_date, spells.row_number
        ) as line_rank
    from years
    inner join spells
        on spells.start_date >= {{ events_year_start('years.year') }}
        and spells.start_date <= years.reference_date
),

yearly as (
    select
        in_year.*,
        row_number() over (
            partition by year, person_key
            order by village_code
        ) = 1 as counts_for_town
    from in_year
    where line_rank = 1
),

placements as (
    select
        year,
        'placements' as indicator_code,
        village_code,
        person_key as member_key,
        person_key,
        cast(null as varchar) as enterprise_key,
        'numerator' as member_status,
        true as in_numerator,
        counts_for_town,
        source_sha256,
        sheet,
        row_number
    from yearly
),

cumulative as (
    select
        years.year,
        'placements_cumulative' as indicator_code,
        yearly.village_code,
        cast(yearly.year as varchar) || '|' || yearly.person_key as member_key,
        yearly.person_key,
        cast(null as varchar) as enterprise_key,
        'numerator' as member_status,
        true as in_numerator,
        yearly.counts_for_town,
        yearly.source_sha256,
        yearly.sheet,
        yearly.row_number
    from years
    inner join yearly
        on yearly.year <= years.year
        and yearly.year >= {{ first_year() }}
),

final as (
    select * from placements
    union all
    select * from cumulative
)

select * from final
