-- P(R(Y)) for every assessment year: the population at the reference date (P is stored
-- once per epoch; R(Y) finds its epoch in int_population__date_epochs).
with years as (
    select * from {{ ref('int_population__years') }}
),

date_epochs as (
    select * from {{ ref('int_population__date_epochs') }}
),

at_dates as (
    select * from {{ ref('int_population__at_dates') }}
),

final as (
    select
        years.year,
        years.reference_date,
        at_dates.person_key,
        at_dates.village_code,
        at_dates.household_no,
        at_dates.labour_class,
        at_dates.employment_status,
        at_dates.tags,
        at_dates.snapshot_month,
        at_dates.snapshot_date,
        at_dates.id_masked,
        at_dates.person_name,
        at_dates.source_sha256,
        at_dates.sheet,
        at_dates.row_number
    from years
    inner join date_epochs
        on date_epochs.pop_date = years.reference_date
    inner join at_dates
        on at_dates.pop_date = date_epochs.epoch_date
)

select * from final
