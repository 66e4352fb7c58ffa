-- Data-quality issues: ingest issues plus cross-village duplicates found while building
-- P(D) (kpis.md: reported as cross_village_duplicate, a warning) and the warning when no
-- register export is dated on or before as_of (the oldest export is used instead).
with ingest_issues as (
    select * from {{ ref('stg_raw__dq_issues') }}
),

duplicates as (
    select * from {{ ref('int_population__cross_village_duplicates') }}
),

files as (
    select * from {{ ref('stg_raw__source_files') }}
),

register_selection as (
    select * from {{ ref('int_register__selection') }}
),

register_issues as (
    select
        source_sha256,
        source_file,
        cast(null as varchar) as sheet,
        cast(null as integer) as row_number,
        cast(null as varchar) as village_code,
        'warning' as severity,
        'register_fallback_export' as rule_code,
        '导出日期' as column_name,
        cast(export_date as varchar) as bad_value_masked,
        warning as message
    from register_selection
    where is_fallback
),

duplicate_rows as (
    select distinct
        duplicates.source_sha256,
        duplicates.sheet,
        duplicates.row_number,
        duplicates.losing_village_code,
        duplicates.winning_village_code,
        duplicates.id_masked
    from duplicates
),

duplicate_issues as (
    select
        duplicate_rows.source_sha256,
        files.source_file,
        duplicate_rows.sheet,
        duplicate_rows.row_number,
        duplicate_rows.losing_village_code as village_code,
        'warning' as severity,
        'cross_village_duplicate' as rule_code,
        '身份证号码' as column_name,
        duplicate_rows.id_masked as bad_value_masked,
        '该人员（身份证号码 ' || duplicate_rows.id_masked || '）同时出现在其他村居（'
            || duplicate_rows.winning_village_code || '）的人员台账中，按规则计入该村居，请核实户籍/居住地'
            as message
    from duplicate_rows
    left join files on files.source_sha256 = duplicate_rows.source_sha256
),

unioned as (
    select
        source_sha256, source_file, sheet, row_number, village_code, severity, rule_code,
        column_name, bad_value_masked, message
    from ingest_issues
    union all
    select
        source_sha256, source_file, sheet, row_number, village_code, severity, rule_code,
        column_name, bad_value_masked, message
    from duplicate_issues
    union all
    select
        source_sha256, source_file, sheet, row_number, village_code, severity, rule_code,
        column_name, bad_value_masked, message
    from register_issues
),

final as (
    select
        cast(source_sha256 as varchar) as source_sha256,
        cast(source_file as varchar) as source_file,
        cast(sheet as varchar) as sheet,
        cast(row_number as integer) as row_number,
        cast(village_code as varchar) as village_code,
        cast(severity as varchar) as severity,
        cast(rule_code as varchar) as rule_code,
        cast(column_name as varchar) as column_name,
        cast(bad_value_masked as varchar) as bad_value_masked,
        cast(message as varchar) as message
    from unioned
)

select * from final
