-- Rows of the snapshots S(v, m): accepted roster files only (superseding already applied),
-- with the snapshot date (month end) and the labour class of kpis.md.
with roster_rows as (
    select * from {{ ref('stg_raw__roster_rows') }}
),

file_status as (
    select * from {{ ref('int_source_files__status') }}
),

accepted_files as (
    select source_sha256
    from file_status
    where status = 'accepted'
        and kind = 'roster'
),

final as (
    select
        roster_rows.village_code,
        roster_rows.report_month,
        {{ month_end('roster_rows.report_month') }} as snapshot_date,
        roster_rows.person_key,
        roster_rows.id_masked,
        roster_rows.person_name,
        roster_rows.household_no,
        roster_rows.employment_status,
        roster_rows.wish_to_work,
        case
            when roster_rows.employment_status in ('单位就业', '灵活就业', '自主创业', '公益性岗位')
                then 'E'
            when roster_rows.employment_status = '登记失业'
                or (roster_rows.employment_status = '未就业' and roster_rows.wish_to_work = '有')
                then 'U'
            else 'O'
        end as labour_class,
        roster_rows.tags,
        roster_rows.source_sha256,
        roster_rows.sheet,
        roster_rows.row_number
    from roster_rows
    inner join accepted_files
        on roster_rows.source_sha256 = accepted_files.source_sha256
)

select * from final
