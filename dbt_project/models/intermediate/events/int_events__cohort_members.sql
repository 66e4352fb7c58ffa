-- All cohort members of the event indicators, one row per member per attribution
-- (village_code NULL = unattributed); counts_for_town marks the rows the town row counts.
with placements as (
    select * from {{ ref('int_events__placements') }}
),

retention as (
    select * from {{ ref('int_events__job_retention') }}
),

startups as (
    select * from {{ ref('int_events__startups') }}
),

training as (
    select * from {{ ref('int_events__training') }}
),

unioned as (
    select *, cast(null as varchar) as training_category from placements
    union all
    select *, cast(null as varchar) as training_category from retention
    union all
    select *, cast(null as varchar) as training_category from startups
    union all
    select
        year,
        indicator_code,
        village_code,
        member_key,
        person_key,
        enterprise_key,
        member_status,
        in_numerator,
        counts_for_town,
        source_sha256,
        sheet,
        row_number,
        training_category
    from training
),

final as (
    select * from unioned
)

select * from final
