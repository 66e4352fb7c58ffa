-- Members of startups_supported (founders whose first support date is in [Y-01-01, R(Y)]),
-- startups_supported_cumulative (first support date in [first_year-01-01, R(Y)]) and
-- startup_survival_rate_1y (enterprises first supported in Y-1; origin + 12 months must be
-- <= R(Y); 迁出 on or before origin + 12 months -> excluded; death = 注销/吊销 date <= R(Y);
-- survived: no death or death > origin + 12 months). Village = the enterprise's 所属村居.
with years as (
    select * from {{ ref('int_years') }}
),

founders as (
    select * from {{ ref('int_startups__founders') }}
),

enterprises as (
    select * from {{ ref('int_startups__enterprises') }}
),

supported as (
    select
        years.year,
        'startups_supported' as indicator_code,
        founders.village_code,
        founders.person_key as member_key,
        founders.person_key,
        founders.enterprise_key,
        'numerator' as member_status,
        true as in_numerator,
        true as counts_for_town,
        founders.source_sha256,
        founders.sheet,
        founders.row_number
    from years
    inner join founders
        on founders.first_support_date >= {{ events_year_start('years.year') }}
        and founders.first_support_date <= years.reference_date
),

supported_cumulative as (
    select
        years.year,
        'startups_supported_cumulative' as indicator_code,
        founders.village_code,
        founders.person_key as member_key,
        founders.person_key,
        founders.enterprise_key,
        'numerator' as member_status,
        true as in_numerator,
        true as counts_for_town,
        founders.source_sha256,
        founders.sheet,
        founders.row_number
    from years
    inner join founders
        on founders.first_support_date >= {{ events_year_start(first_year()) }}
        and founders.first_support_date <= years.reference_date
),

survival_cohort as (
    select
        years.year,
        years.reference_date,
        enterprises.*,
        {{ add_months('enterprises.origin_date', 12) }} as horizon_date
    from years
    inner join enterprises
        on enterprises.origin_date >= {{ events_year_start('years.year - 1') }}
        and enterprises.origin_date < {{ events_year_start('years.year') }}
        and {{ add_months('enterprises.origin_date', 12) }} <= years.reference_date
),

survival_status as (
    select
        survival_cohort.*,
        case
            when exit_date is not null and exit_date <= horizon_date then 'excluded'
            when death_date is null or death_date > reference_date or death_date > horizon_date
                then 'numerator'
            else 'denominator'
        end as member_status
    from survival_cohort
),

survival as (
    select
        year,
        'startup_survival_rate_1y' as indicator_code,
        village_code,
        enterprise_key as member_key,
        cast(null as varchar) as person_key,
        enterprise_key,
        member_status,
        member_status = 'numerator' as in_numerator,
        true as counts_for_town,
        source_sha256,
        sheet,
        row_number
    from survival_status
),

final as (
    select * from supported
    union all
    select * from supported_cumulative
    union all
    select * from survival
)

select * from final
