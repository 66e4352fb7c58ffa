-- Training rows, one per (班级编号, person): a row in a newer file (ingest_seq desc,
-- file_mtime desc, file_name desc) replaces the older row; within one file the later row.
with files as (
    select * from {{ ref('int_source_files__status') }}
),

training as (
    select * from {{ ref('stg_raw__training_rows') }}
),

ranked as (
    select
        training.*,
        row_number() over (
            partition by training.class_id, training.person_key
            order by
                files.ingest_seq desc,
                files.file_mtime desc nulls last,
                files.file_name desc,
                training.row_number desc
        ) as key_rank
    from training
    inner join files
        on files.source_sha256 = training.source_sha256
        and files.status <> 'rejected'
),

final as (
    select
        class_id,
        person_key,
        id_masked,
        trainee_name as person_name,
        course_name,
        training_category,
        partner_uscc,
        start_date,
        end_date,
        attendance_rate,
        completed,
        certificate_name,
        certificate_level,
        certificate_date,
        source_sha256,
        sheet,
        row_number
    from ranked
    where key_rank = 1
)

select * from final
