-- Status of every file (sources.md, "later" rule): a roster workbook superseded by a later
-- one for the same village and month; a register export by a later one with the same
-- 导出日期. Later = ingested in a later run, then later mtime, then greater file name.
with files as (
    select * from {{ ref('stg_raw__source_files') }}
),

ordered as (
    select
        files.*,
        case
            when status = 'accepted' and kind in ('roster', 'enterprise_register')
                then row_number() over (
                    partition by kind, village_code, period, status
                    order by ingest_seq desc, file_mtime desc, file_name desc
                )
        end as recency_rank
    from files
),

final as (
    select
        source_sha256,
        source_file,
        file_name,
        archive_path,
        kind,
        village_code,
        period,
        has_referral_sheet,
        case
            when status = 'rejected' then 'rejected'
            when recency_rank > 1 then 'superseded'
            else 'accepted'
        end as status,
        reason_code,
        reason,
        rows_read,
        rows_accepted,
        rows_rejected,
        rows_ignored,
        ingest_seq,
        file_mtime,
        ingested_at
    from ordered
)

select * from final
