-- Referral log lines as known at as_of (kpis.md, sources.md A): per village, the log of the
-- newest workbook that has a 推荐上岗记录 sheet with report month <= as_of, ordered by
-- (period desc, ingest_seq desc, file_mtime desc, file_name desc) among accepted or
-- superseded files (a resubmitted month without the sheet leaves the earlier log in force).
with files as (
    select * from {{ ref('int_source_files__status') }}
),

referral_rows as (
    select * from {{ ref('stg_raw__referral_rows') }}
),

candidate_logs as (
    select
        source_sha256,
        village_code,
        period,
        row_number() over (
            partition by village_code
            order by period desc, ingest_seq desc, file_mtime desc nulls last, file_name desc
        ) as log_rank
    from files
    where kind = 'roster'
        and status in ('accepted', 'superseded')
        and coalesce(has_referral_sheet, false)
        and period <= {{ as_of() }}
),

final as (
    select
        candidate_logs.village_code,
        candidate_logs.period as log_period,
        referral_rows.person_key,
        referral_rows.id_masked,
        referral_rows.person_name,
        referral_rows.referral_date,
        referral_rows.employer_name,
        referral_rows.employer_uscc,
        referral_rows.placed,
        referral_rows.start_date,
        referral_rows.end_date,
        referral_rows.source_sha256,
        referral_rows.sheet,
        referral_rows.row_number
    from referral_rows
    inner join candidate_logs
        on candidate_logs.source_sha256 = referral_rows.source_sha256
        and candidate_logs.log_rank = 1
)

select * from final
