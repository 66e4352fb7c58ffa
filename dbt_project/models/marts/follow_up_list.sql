-- 待跟进名单 / follow-up list: per year, members of the 安置率 cohorts not employed at R
-- (in the denominator, not the numerator) of 就业困难人员 and 就业困难高校毕业生, attributed
-- like the indicator, and every member in P(R) of a household zero-employment at R
-- (category 零就业家庭; this covers the household cohort's unplaced households, which are
-- zero-employment at R by definition). first_seen_date = earliest snapshot date <= R at
-- which the person (household) qualified; days_since_first_seen = R - first_seen_date.
with villages as (
    select * from {{ ref('villages') }}
),

snapshot_rows as (
    select * from {{ ref('int_roster__snapshot_rows') }}
),

at_reference as (
    select * from {{ ref('int_population__at_reference') }}
),

cohort_persons as (
    select * from {{ ref('int_cohort__persons') }}
),

zero_snapshots as (
    select * from {{ ref('int_households__zero_employment_snapshots') }}
),

households_at_reference as (
    select * from {{ ref('int_households__at_reference') }}
),

categories as (
    select 'hard_to_employ_placement_rate' as indicator_code, '就业困难人员' as category, '%|就业困难人员|%' as tag_pattern
    union all
    select 'hard_to_employ_graduate_placement_rate', '就业困难高校毕业生', '%|就业困难高校毕业生|%'
),

unplaced_persons as (
    select
        cohort_persons.year,
        cohort_persons.reference_date,
        cohort_persons.village_code,
        categories.category,
        categories.tag_pattern,
        cohort_persons.person_key,
        cohort_persons.id_masked,
        cohort_persons.person_name,
        cohort_persons.household_no_at_ref as household_no
    from cohort_persons
    inner join categories
        on categories.indicator_code = cohort_persons.indicator_code
    where cohort_persons.member_status = 'denominator'
),

person_first_seen as (
    select
        unplaced_persons.year,
        unplaced_persons.category,
        unplaced_persons.person_key,
        min(snapshot_rows.snapshot_date) as first_seen_date
    from unplaced_persons
    inner join snapshot_rows
        on snapshot_rows.person_key = unplaced_persons.person_key
        and snapshot_rows.snapshot_date <= unplaced_persons.reference_date
        and snapshot_rows.labour_class = 'U'
        and snapshot_rows.tags like unplaced_persons.tag_pattern
    group by
        unplaced_persons.year,
        unplaced_persons.category,
        unplaced_persons.person_key
),

persons as (
    select
        unplaced_persons.year,
        unplaced_persons.reference_date,
        unplaced_persons.village_code,
        unplaced_persons.category,
        unplaced_persons.person_key,
        unplaced_persons.id_masked,
        unplaced_persons.person_name,
        unplaced_persons.household_no,
        person_first_seen.first_seen_date
    from unplaced_persons
    left join person_first_seen
        on person_first_seen.year = unplaced_persons.year
        and person_first_seen.category = unplaced_persons.category
        and person_first_seen.person_key = unplaced_persons.person_key
),

zero_households as (
    select * from households_at_reference where is_zero_employment
),

household_first_seen as (
    select
        zero_households.year,
        zero_households.village_code,
        zero_households.household_no,
        min(zero_snapshots.snapshot_date) as first_seen_date
    from zero_households
    inner join zero_snapshots
        on zero_snapshots.village_code = zero_households.village_code
        and zero_snapshots.household_no = zero_households.household_no
        and zero_snapshots.snapshot_date <= zero_households.reference_date
    group by
        zero_households.year,
        zero_households.village_code,
        zero_households.household_no
),

household_members as (
    select
        zero_households.year,
        zero_households.reference_date,
        zero_households.village_code,
        '零就业家庭' as category,
        at_reference.person_key,
        at_reference.id_masked,
        at_reference.person_name,
        zero_households.household_no,
        -- a household zero-employment only after the de-duplication of P(R) has no
        -- zero-employment snapshot: first seen at its P(R) snapshot
        coalesce(household_first_seen.first_seen_date, zero_households.snapshot_date) as first_seen_date
    from zero_households
    inner join at_reference
        on at_reference.year = zero_households.year
        and at_reference.village_code = zero_households.village_code
        and at_reference.household_no = zero_households.household_no
    left join household_first_seen
        on household_first_seen.year = zero_households.year
        and household_first_seen.village_code = zero_households.village_code
        and household_first_seen.household_no = zero_households.household_no
),

unioned as (
    select * from persons
    union all
    select * from household_members
),

final as (
    select
        unioned.year,
        unioned.village_code,
        villages.village_name,
        unioned.category,
        unioned.person_key,
        unioned.id_masked,
        unioned.person_name,
        unioned.household_no,
        unioned.first_seen_date,
        cast({{ days_between('unioned.first_seen_date', 'unioned.reference_date') }} as integer)
            as days_since_first_seen
    from unioned
    left join villages
        on villages.village_code = unioned.village_code
)

select * from final
