-- Households (village, 户编号) that are zero-employment in a snapshot: >= 1 member in E∪U
-- and none in E, counted on that village's snapshot rows (before cross-village
-- de-duplication). The source row is the household's first unemployed member's row.
with snapshot_rows as (
    select * from {{ ref('int_roster__snapshot_rows') }}
),

households as (
    select
        village_code,
        report_month,
        snapshot_date,
        household_no,
        sum(case when labour_class = 'E' then 1 else 0 end) as members_employed,
        sum(case when labour_class = 'U' then 1 else 0 end) as members_unemployed,
        min(source_sha256) as source_sha256,
        min(sheet) as sheet,
        min(case when labour_class = 'U' then row_number end) as row_number
    from snapshot_rows
    group by
        village_code,
        report_month,
        snapshot_date,
        household_no
),

final as (
    select
        village_code,
        report_month,
        snapshot_date,
        household_no,
        members_unemployed,
        source_sha256,
        sheet,
        row_number
    from households
    where members_unemployed >= 1
        and members_employed = 0
)

select * from final
