-- 岗位信息 rows of the register export selected as known at as_of.
with selection as (
    select * from {{ ref('int_register__selection') }}
),

vacancies as (
    select * from {{ ref('stg_raw__vacancies') }}
),

final as (
    select
        vacancies.uscc as enterprise_key,
        vacancies.job_title,
        vacancies.openings,
        vacancies.salary_min,
        vacancies.salary_max,
        vacancies.posted_date,
        vacancies.closing_date,
        vacancies.job_status,
        vacancies.source_sha256,
        vacancies.sheet,
        vacancies.row_number
    from vacancies
    inner join selection
        on selection.source_sha256 = vacancies.source_sha256
)

select * from final
