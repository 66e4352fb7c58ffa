-- Data-reporting quality per year × active village (kpis.md, 村居年度考核):
-- (months of Y ended by R(Y) with an accepted roster / months of Y ended by R(Y))
-- × accepted / (accepted + rejected) roster rows over the village's 人员台账 sheets of those
-- months. Superseded files are not counted; NULL when no month of Y has ended by R(Y).
with years as (
    select * from {{ ref('int_years') }}
),

active as (
    select * from {{ ref('int_villages__active') }}
),

files as (
    select * from {{ ref('int_source_files__status') }}
),

sheets as (
    select * from {{ ref('stg_raw__sheet_accounting') }}
),

month_numbers as (
    select 1 as month_no
    {%- for m in range(2, 13) %}
    union all select {{ m }}
    {%- endfor %}
),

ended_months as (
    select
        years.year,
        cast(cast(years.year as varchar) || '-' || lpad(cast(month_numbers.month_no as varchar), 2, '0') || '-01' as date)
            as report_month
    from years
    cross join month_numbers
),

expected as (
    select ended_months.year, ended_months.report_month
    from ended_months
    inner join years on years.year = ended_months.year
    where {{ month_end('ended_months.report_month') }} <= years.reference_date
),

roster_files as (
    select
        files.source_sha256,
        files.village_code,
        cast(files.period as date) as report_month,
        files.status
    from files
    where files.kind = 'roster'
        and files.status in ('accepted', 'rejected')
        and files.village_code is not null
        and files.period is not null
),

village_months as (
    select
        active.year,
        active.village_code,
        expected.report_month
    from active
    inner join expected on expected.year = active.year
),

submitted as (
    select
        village_months.year,
        village_months.village_code,
        count(distinct case when roster_files.status = 'accepted' then village_months.report_month end)
            as months_submitted
    from village_months
    inner join roster_files
        on roster_files.village_code = village_months.village_code
        and roster_files.report_month = village_months.report_month
    group by village_months.year, village_months.village_code
),

row_counts as (
    select
        village_months.year,
        village_months.village_code,
        sum(sheets.rows_accepted) as rows_accepted,
        sum(sheets.rows_rejected) as rows_rejected,
        sum(sheets.rows_ignored) as rows_ignored
    from village_months
    inner join roster_files
        on roster_files.village_code = village_months.village_code
        and roster_files.report_month = village_months.report_month
    inner join sheets
        on sheets.source_sha256 = roster_files.source_sha256
        and sheets.sheet = '人员台账'
    group by village_months.year, village_months.village_code
),

expected_counts as (
    select year, count(*) as months_expected
    from expected
    group by year
),

combined as (
    select
        active.year,
        active.village_code,
        coalesce(expected_counts.months_expected, 0) as months_expected,
        coalesce(submitted.months_submitted, 0) as months_submitted,
        coalesce(row_counts.rows_accepted, 0) as rows_accepted,
        coalesce(row_counts.rows_rejected, 0) as rows_rejected,
        coalesce(row_counts.rows_ignored, 0) as rows_ignored
    from active
    left join expected_counts on expected_counts.year = active.year
    left join submitted
        on submitted.year = active.year
        and submitted.village_code = active.village_code
    left join row_counts
        on row_counts.year = active.year
        and row_counts.village_code = active.village_code
),

final as (
    select
        cast(year as integer) as year,
        village_code,
        cast(months_expected as integer) as months_expected,
        cast(months_submitted as integer) as months_submitted,
        cast(rows_accepted as bigint) as rows_accepted,
        cast(rows_rejected as bigint) as rows_rejected,
        cast(rows_ignored as bigint) as rows_ignored,
        case
            when months_expected = 0 then cast(null as double precision)
            when rows_accepted + rows_rejected = 0
                then cast(months_submitted as double precision) / months_expected
            else cast(months_submitted as double precision) / months_expected
                * cast(rows_accepted as double precision) / (rows_accepted + rows_rejected)
        end as data_quality
    from combined
)

select * from final
