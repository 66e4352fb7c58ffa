-- Per year × active village: roster months expected/submitted, roster row accounting and
-- the most frequent data-quality rules (errors and warnings) in that village's roster files
-- of the year's ended months.
with quality as (
    select * from {{ ref('int_data_quality__village_year') }}
),

active as (
    select * from {{ ref('int_villages__active') }}
),

years as (
    select * from {{ ref('int_years') }}
),

issues as (
    select * from {{ ref('stg_raw__dq_issues') }}
),

files as (
    select * from {{ ref('int_source_files__status') }}
),

issue_counts as (
    select
        years.year,
        files.village_code,
        issues.rule_code,
        count(*) as n_issues
    from issues
    inner join files on files.source_sha256 = issues.source_sha256
    inner join years
        on {{ year_of('files.period') }} = years.year
        and {{ month_end('files.period') }} <= years.reference_date
    where files.kind = 'roster'
        and files.status <> 'superseded'
    group by years.year, files.village_code, issues.rule_code
),

ranked as (
    select
        issue_counts.*,
        row_number() over (
            partition by year, village_code order by n_issues desc, rule_code
        ) as reason_rank
    from issue_counts
),

top_reasons as (
    select
        year,
        village_code,
        string_agg(rule_code || '×' || cast(n_issues as varchar), '；' order by reason_rank) as top_reasons
    from ranked
    where reason_rank <= 3
    group by year, village_code
),

final as (
    select
        quality.year,
        quality.village_code,
        cast(active.village_name as varchar) as village_name,
        quality.months_expected,
        quality.months_submitted,
        quality.rows_accepted,
        quality.rows_rejected,
        quality.rows_ignored,
        quality.data_quality,
        cast(top_reasons.top_reasons as varchar) as top_reasons
    from quality
    inner join active
        on active.year = quality.year
        and active.village_code = quality.village_code
    left join top_reasons
        on top_reasons.year = quality.year
        and top_reasons.village_code = quality.village_code
)

select * from final
