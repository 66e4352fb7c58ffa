-- Households at R(Y) with their membership per P(R) (a person counted in another village
-- has left the household of the losing village): member counts by class.
with at_reference as (
    select * from {{ ref('int_population__at_reference') }}
),

households as (
    select
        year,
        reference_date,
        village_code,
        household_no,
        count(*) as members,
        sum(case when labour_class = 'E' then 1 else 0 end) as members_employed,
        sum(case when labour_class = 'U' then 1 else 0 end) as members_unemployed,
        min(source_sha256) as source_sha256,
        min(sheet) as sheet,
        coalesce(
            min(case when labour_class = 'U' then row_number end),
            min(row_number)
        ) as row_number,
        min(snapshot_date) as snapshot_date
    from at_reference
    group by
        year,
        reference_date,
        village_code,
        household_no
),

final as (
    select
        households.*,
        members_unemployed >= 1 and members_employed = 0 as is_zero_employment
    from households
)

select * from final
