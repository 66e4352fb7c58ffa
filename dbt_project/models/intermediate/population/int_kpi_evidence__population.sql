-- Evidence of the population indicators: one row per cohort member per indicator and year,
-- with the source row that put it there (for P(R)-based indicators, the P(R) row).
-- member_status: 'numerator' (counted in numerator and denominator), 'denominator' (in the
-- denominator only), 'excluded' (follow-up exclusion).
with at_reference as (
    select * from {{ ref('int_population__at_reference') }}
),

households_at_reference as (
    select * from {{ ref('int_households__at_reference') }}
),

cohort_persons as (
    select * from {{ ref('int_cohort__persons') }}
),

cohort_households as (
    select * from {{ ref('int_cohort__zero_employment_households') }}
),

community_employment as (
    select
        year,
        'community_employment_rate' as indicator_code,
        village_code,
        person_key,
        cast(null as varchar) as household_no,
        case when labour_class = 'E' then 'numerator' else 'denominator' end as member_status,
        labour_class = 'E' as in_numerator,
        source_sha256,
        sheet,
        row_number
    from at_reference
    where labour_class in ('E', 'U')
),

unemployed as (
    select
        year,
        'unemployed_count' as indicator_code,
        village_code,
        person_key,
        cast(null as varchar) as household_no,
        'numerator' as member_status,
        true as in_numerator,
        source_sha256,
        sheet,
        row_number
    from at_reference
    where labour_class = 'U'
),

zero_households_at_reference as (
    select
        year,
        'zero_employment_households_at_ref' as indicator_code,
        village_code,
        cast(null as varchar) as person_key,
        household_no,
        'numerator' as member_status,
        true as in_numerator,
        source_sha256,
        sheet,
        row_number
    from households_at_reference
    where is_zero_employment
),

persons as (
    select
        year,
        indicator_code,
        village_code,
        person_key,
        cast(null as varchar) as household_no,
        member_status,
        in_numerator,
        source_sha256,
        sheet,
        row_number
    from cohort_persons
),

households as (
    select
        year,
        indicator_code,
        village_code,
        cast(null as varchar) as person_key,
        household_no,
        member_status,
        in_numerator,
        source_sha256,
        sheet,
        row_number
    from cohort_households
),

unioned as (
    select * from community_employment
    union all
    select * from unemployed
    union all
    select * from zero_households_at_reference
    union all
    select * from persons
    union all
    select * from households
),

final as (
    select
        year,
        indicator_code,
        village_code,
        person_key,
        cast(null as varchar) as enterprise_key,
        household_no,
        member_status,
        in_numerator,
        source_sha256,
        sheet,
        row_number
    from unioned
)

select * from final
