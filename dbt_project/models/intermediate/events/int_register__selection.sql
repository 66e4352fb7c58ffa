-- The enterprise register export used as known at as_of: the newest accepted (not rejected,
-- not superseded) export with 导出日期 <= as_of; if there is none, the oldest export, with a
-- warning for the data-quality report. At most one row.
with files as (
    select * from {{ ref('int_source_files__status') }}
),

exports as (
    select
        source_sha256,
        source_file,
        period as export_date,
        ingest_seq,
        file_mtime,
        file_name
    from files
    where kind = 'enterprise_register'
        and status = 'accepted'
),

on_or_before as (
    select
        exports.*,
        row_number() over (
            order by export_date desc, ingest_seq desc, file_mtime desc nulls last, file_name desc
        ) as export_rank
    from exports
    where export_date <= {{ as_of() }}
),

oldest as (
    select
        exports.*,
        row_number() over (
            order by export_date asc, ingest_seq desc, file_mtime desc nulls last, file_name desc
        ) as export_rank
    from exports
),

chosen as (
    select
        source_sha256,
        source_file,
        export_date,
        false as is_fallback
    from on_or_before
    where export_rank = 1
    union all
    select
        source_sha256,
        source_file,
        export_date,
        true as is_fallback
    from oldest
    where export_rank = 1
        and not exists (select 1 from on_or_before)
),

final as (
    select
        source_sha256,
        source_file,
        export_date,
        is_fallback,
        case
            when is_fallback
                then '截至 ' || cast({{ as_of() }} as varchar)
                    || ' 没有导出日期不晚于该日的一企一册导出，暂用最早的导出（导出日期 '
                    || cast(export_date as varchar) || '）'
        end as warning
    from chosen
)

select * from final
