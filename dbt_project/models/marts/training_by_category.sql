-- Training indicators by year and 培训类别 (town level, same members as int_kpi__event_indicators):
-- employment_cohort = members after follow-up exclusion (the rate's denominator).
with years as (
    select * from {{ ref('int_years') }}
),

members as (
    select * from {{ ref('int_events__training') }}
),

categories as (
    select '职业技能培训' as training_category
    union all
    select '创业培训'
    union all
    select '岗位技能提升培训'
    union all
    select '定单定岗培训'
    union all
    select '专项职业能力培训'
),

spine as (
    select
        years.year,
        categories.training_category
    from years
    cross join categories
),

counts as (
    select
        year,
        training_category,
        sum(case when indicator_code = 'training_enrollments' then 1 else 0 end) as enrollments,
        sum(case when indicator_code = 'training_completion_rate' then 1 else 0 end) as completion_denominator,
        sum(case when indicator_code = 'training_completion_rate' and in_numerator then 1 else 0 end) as completed,
        sum(case when indicator_code = 'training_certification_rate' then 1 else 0 end) as certification_denominator,
        sum(case when indicator_code = 'training_certification_rate' and in_numerator then 1 else 0 end) as certified,
        sum(case when indicator_code = 'training_employment_rate_6m' and member_status <> 'excluded' then 1 else 0 end) as employment_cohort,
        sum(case when indicator_code = 'training_employment_rate_6m' and member_status = 'excluded' then 1 else 0 end) as employment_excluded,
        sum(case when indicator_code = 'training_employment_rate_6m' and in_numerator then 1 else 0 end) as employed_6m
    from members
    group by
        year,
        training_category
),

filled as (
    select
        spine.year,
        spine.training_category,
        coalesce(counts.enrollments, 0) as enrollments,
        coalesce(counts.completion_denominator, 0) as completion_denominator,
        coalesce(counts.completed, 0) as completed,
        coalesce(counts.certification_denominator, 0) as certification_denominator,
        coalesce(counts.certified, 0) as certified,
        coalesce(counts.employment_cohort, 0) as employment_cohort,
        coalesce(counts.employment_excluded, 0) as employment_excluded,
        coalesce(counts.employed_6m, 0) as employed_6m
    from spine
    left join counts
        on counts.year = spine.year
        and counts.training_category = spine.training_category
),

final as (
    select
        cast(year as integer) as year,
        training_category,
        cast(enrollments as integer) as enrollments,
        cast(completion_denominator as integer) as completion_denominator,
        cast(completed as integer) as completed,
        case
            when completion_denominator > 0
                then cast(completed as double precision) / cast(completion_denominator as double precision)
        end as completion_rate,
        cast(certified as integer) as certified,
        case
            when certification_denominator > 0
                then cast(certified as double precision) / cast(certification_denominator as double precision)
        end as certification_rate,
        cast(employment_cohort as integer) as employment_cohort,
        cast(employment_excluded as integer) as employment_excluded,
        cast(employed_6m as integer) as employed_6m,
        case
            when employment_cohort > 0
                then cast(employed_6m as double precision) / cast(employment_cohort as double precision)
        end as employment_rate_6m
    from filled
)

select * from final
