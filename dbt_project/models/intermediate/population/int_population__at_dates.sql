-- P(D) for every requested date, after the cross-village de-duplication: one row per
-- (pop_date, person). The person's village and household at D are those of this row.
with candidates as (
    select * from {{ ref('int_population__snapshot_candidates') }}
),

final as (
    select
        pop_date,
        person_key,
        village_code,
        household_no,
        labour_class,
        employment_status,
        tags,
        snapshot_month,
        snapshot_date,
        id_masked,
        person_name,
        source_sha256,
        sheet,
        row_number
    from candidates
    where candidate_rank = 1
)

select * from final
